"""An extended response deadline takes effect on the day it was agreed, on SQLite and PostgreSQL: as-of reports
read the histories the read models keep, and a record whose read models an earlier version made is rebuilt."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from scrutiny_es import Scrutiny
from tests import parts
from tests.conftest import FixedClock, command, make, register

NHS = [{"name": "NHS Trust", "kind": "nhs"}]


def extended_late(app: Scrutiny, clock: FixedClock) -> None:
    """28 days from 1 Mar 2024 end on 28 Mar; the chair agreed on 5 Apr to give the trust until 30 Apr."""
    clock.time = datetime(2024, 3, 1, 9, tzinfo=UTC)
    app.execute(register())
    app.execute(make(addressees=NHS))
    app.execute(command("refer", ref="R1", addressee="NHS Trust", received_on="2024-03-01"))
    clock.time = datetime(2024, 4, 5, 9, tzinfo=UTC)
    app.execute(command("extend_response_deadline", ref="R1", addressee="NHS Trust", response_due="2024-04-30",
                        reason="Board papers delayed", agreed_by="Chair", decided_on="2024-04-05"))  # fmt: skip


def in_force(app: Scrutiny) -> list[object]:
    return [
        [row.response_due for row in app.tracker(as_of=date(2024, 3, 10))],
        [(row.due, row.days_overdue) for row in app.overdue(as_of=date(2024, 4, 1))],
        [row.response_due for row in app.tracker()],
    ]


EXPECTED = [[date(2024, 3, 28)], [(date(2024, 3, 28), 4)], [date(2024, 4, 30)]]


def test_reports_as_of_a_day_before_an_extension_show_the_deadline_in_force_that_day(
    app: Scrutiny, clock: FixedClock
) -> None:
    extended_late(app, clock)
    assert in_force(app) == EXPECTED
    app.rebuild()
    assert in_force(app) == EXPECTED


def test_read_models_an_earlier_layout_made_are_rebuilt_to_keep_each_extension(db_url: str) -> None:
    clock = FixedClock()
    earlier = Scrutiny(db_url, clock=clock)
    extended_late(earlier, clock)
    earlier.tracker()  # the read models made, and caught up
    with parts.read_models_of(earlier).engine.begin() as conn:  # as the release before left them
        conn.execute(text("UPDATE projection_layout SET layout = 6 WHERE name = 'tracker'"))
        conn.execute(text("UPDATE projection_layout SET layout = 5 WHERE name = 'overdue'"))
        # the histories as that layout kept them, without the extensions
        conn.execute(text("UPDATE tracker_1 SET history = replace(history, '\"extensions\"', '\"ignored\"')"))
        conn.execute(text("UPDATE overdue_item_1 SET history = replace(history, '\"extensions\"', '\"ignored\"')"))
    earlier.close()
    assert in_force(Scrutiny(db_url, clock=clock)) == EXPECTED
