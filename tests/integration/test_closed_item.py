"""Closing an item ends the wait (docs/reports.md): its tracker row awaits no one and has no response due from the
day of the closure, as the overdue list has it; before that day, as of a date, it still awaits the response."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register


def waits(app: Scrutiny, as_of: date | None = None) -> list[object]:
    rows = [(row.status, row.awaiting, row.response_due) for row in app.tracker(as_of=as_of)]
    return [*rows, [(row.reason, row.due) for row in app.overdue(as_of=as_of or date(2024, 7, 1))]]


def test_a_closed_item_awaits_no_response_from_the_day_it_was_closed(app: Scrutiny, clock: FixedClock) -> None:
    clock.time = datetime(2024, 7, 1, 9, tzinfo=UTC)
    app.execute(register())
    app.execute(make())
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.execute(command("close", ref="R1", outcome="withdrawn", decided_on="2024-06-01"))
    before = [("awaiting_response", ["Cabinet"], date(2024, 4, 19)), [("response", date(2024, 4, 19))]]
    assert waits(app, date(2024, 5, 1)) == before
    assert waits(app) == [("closed", [], None), []]
    assert waits(app, date(2024, 6, 1)) == [("closed", [], None), []]
    app.rebuild()
    assert waits(app) == [("closed", [], None), []]
    assert waits(app, date(2024, 5, 1)) == before
