"""Other clocks than council scrutiny's, kept by the read models on SQLite and PostgreSQL: a coroner's 56 days,
a public inquiry's six months, a select committee's two months, each overdue the day after its last."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register

SENT = "2024-03-01"

REGIMES = [
    ("coroner-pfd", date(2024, 4, 26)),  # 56 days of 1 March: counted from the 2nd
    ("public-inquiry", date(2024, 8, 31)),  # six months beginning with 1 March
    ("select-committee", date(2024, 4, 30)),  # two months beginning with 1 March
]


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("regime", "last_day"), REGIMES, ids=[regime for regime, _ in REGIMES])
def test_the_live_overdue_list_keeps_each_regimes_clock(
    app: Scrutiny, clock: FixedClock, regime: str, last_day: date
) -> None:
    clock.time = at(date(2024, 3, 1))
    app.execute(register("B", name="The body", council="Somewhere", regime=regime))
    addressees = [{"name": "Department", "kind": "executive"}, {"name": "Trust", "kind": "nhs"},
                  {"name": "Company Ltd", "kind": "partner"}]  # fmt: skip
    app.execute(make("R1", body="B", meeting_date=SENT, addressees=addressees))
    for addressee in addressees:
        app.execute(command("refer", body="B", ref="R1", addressee=addressee["name"], received_on=SENT))
    assert {row.response_due for row in app.tracker(body="B")} == {last_day}
    clock.time = at(last_day)
    app.execute(command("record_response", body="B", ref="R1", addressee="Trust", decision="accepted",
                        text="Done", responded_on=last_day.isoformat(), responded_by="Chief Executive"))  # fmt: skip
    assert app.overdue(body="B") == []  # the last day: in time, and nobody late yet
    clock.time = at(date.fromordinal(last_day.toordinal() + 1))
    late = app.overdue(body="B")
    assert [(row.responsible, row.days_overdue) for row in late] == [(["Department"], 1), (["Company Ltd"], 1)]
    assert late == app.overdue(body="B", as_of=date.fromordinal(last_day.toordinal() + 1))
