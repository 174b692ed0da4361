"""A council moves to a committee system: three scrutiny boards are dissolved and their open items go to two
committees, on SQLite and on PostgreSQL, live, as of a date, as known at a time, and after a rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register

BEFORE = datetime(2024, 5, 20, 17, 0, tzinfo=UTC)
"""When the boards' items were recorded."""
CHANGE = date(2024, 5, 22)
"""The annual meeting that set up the committees: the day of every transfer."""
AFTER = datetime(2024, 5, 23, 9, 0, tzinfo=UTC)
"""When the transfers were recorded."""

BOARDS = {"BCSB": "PEOPLE", "HASC": "PEOPLE", "SNAC": "PLACE"}
"""Each board and the committee that takes over its open items."""


def record_change(app: Scrutiny, clock: FixedClock) -> None:
    clock.time = BEFORE
    for code in BOARDS:
        app.execute(register(code, name=f"{code} Scrutiny Board"))
        for n, meeting in enumerate(("2024-01-18", "2024-03-14", "2024-03-14"), start=1):
            app.execute(make(f"R{n}", body=code, meeting_date=meeting))
            app.execute(command("refer", body=code, ref=f"R{n}", addressee="Cabinet", received_on=meeting))
        app.execute(command("close", body=code, ref="R1", outcome="implemented", decided_on="2024-04-10"))
    app.execute(register("PEOPLE", name="People Committee"))
    app.execute(register("PLACE", name="Place Committee"))
    app.execute(command("schedule_meeting", body="PEOPLE", meeting_date="2024-06-20"))
    app.execute(command("schedule_meeting", body="PLACE", meeting_date="2024-06-27"))
    clock.time = AFTER
    transfers = []
    for code, successor in BOARDS.items():
        app.execute(command("dissolve_body", body=code, decided_on=CHANGE.isoformat(), successor=successor))
        for row in app.tracker(body=code, open_only=True):  # every open item of the board, in one batch
            transfers.append(command("transfer", body=code, ref=row.ref, to_body=successor,
                                     decided_on=CHANGE.isoformat(), minute="AM/7"))  # fmt: skip
    app.execute_many(transfers)


def where(rows: list[object]) -> list[tuple[str, str, str | None, str | None]]:
    return [(r.body, r.ref, r.taken_over_from, r.transferred_to) for r in rows]  # type: ignore[attr-defined]


def test_every_open_item_of_three_boards_goes_to_two_committees_and_each_shows_where_it_is(
    app: Scrutiny, clock: FixedClock
) -> None:
    record_change(app, clock)
    assert where(app.tracker(body="PEOPLE")) == [
        ("PEOPLE", "R2", "BCSB", None), ("PEOPLE", "R2", "HASC", None),
        ("PEOPLE", "R3", "BCSB", None), ("PEOPLE", "R3", "HASC", None),
    ]  # fmt: skip
    assert where(app.tracker(body="PLACE")) == [("PLACE", "R2", "SNAC", None), ("PLACE", "R3", "SNAC", None)]
    for code in BOARDS:
        assert where(app.tracker(body=code)) == [(code, "R1", None, None)]  # closed before the change: it stays
        eve = app.tracker(body=code, as_of=date(2024, 5, 21))
        assert where(eve) == [(code, "R1", None, None), (code, "R2", None, None), (code, "R3", None, None)]
        assert app.tracker(body=code, as_known_at=BEFORE) == app.tracker(body=code, as_of=date(2024, 5, 21))
        on_the_day = where(app.tracker(body=code, as_of=CHANGE))
        assert on_the_day[1:] == [(code, "R2", None, BOARDS[code]), (code, "R3", None, BOARDS[code])]
    assert app.tracker(body="PEOPLE", as_of=date(2024, 5, 21)) == []


def test_each_committees_first_pack_lists_the_items_it_took_over_with_their_running_deadlines(
    app: Scrutiny, clock: FixedClock
) -> None:
    record_change(app, clock)
    pack = app.meeting_pack("PEOPLE", date(2024, 6, 20), as_known_at=AFTER)
    assert [(row["body"], row["ref"], row["taken_over_from"]) for row in pack["tracker"]] == [
        ("PEOPLE", "R2", "BCSB"), ("PEOPLE", "R2", "HASC"), ("PEOPLE", "R3", "BCSB"), ("PEOPLE", "R3", "HASC"),
    ]  # fmt: skip
    assert {row["response_due"] for row in pack["tracker"]} == {"2024-05-13"}  # received 14 March: still owed
    assert {entry["ref"] for entry in pack["unsatisfactory"]} == {"R2", "R3"}
    place = app.meeting_pack("PLACE", date(2024, 6, 27), as_known_at=AFTER)
    assert [row["ref"] for row in place["tracker"]] == ["R2", "R3"]


def test_impact_counts_each_item_once_and_a_rebuild_gives_the_same_reports(app: Scrutiny, clock: FixedClock) -> None:
    record_change(app, clock)
    made = {row.group: row.made for row in app.impact(to=date(2024, 6, 30))}
    assert made == {"BCSB": 3, "HASC": 3, "SNAC": 3}
    now = {row.group: (row.made, row.open) for row in app.impact(to=date(2024, 6, 30), by="current_body")}
    assert now == {"BCSB": (1, 0), "HASC": (1, 0), "SNAC": (1, 0), "PEOPLE": (4, 4), "PLACE": (2, 2)}
    reports = [app.tracker(), app.overdue(), app.tracker(body="BCSB", as_of=date(2024, 5, 21)), app.audit()]
    app.rebuild()
    assert [app.tracker(), app.overdue(), app.tracker(body="BCSB", as_of=date(2024, 5, 21)), app.audit()] == reports
    transferred = [e for e in app.audit(body="HASC") if e.event == "Transferred"]
    assert [e.summary for e in transferred] == [
        "HASC Scrutiny Board transferred the recommendation to PEOPLE (People Committee) on 22 May 2024 (minute AM/7)."
        for _ in range(2)
    ]
