"""A transfer recorded in error is retracted, on SQLite and on PostgreSQL: the item is with the body it came from
again in every report, as if the transfer had never been recorded, while "as known at" before the retraction
still shows it; the body it was to is told it does not hold the item, and only the latest transfer is retracted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.errors import CannotCorrect, DateOutOfOrder, ItemTransferred, LaterTransfer, RecommendationNotFound
from tests.conftest import FixedClock, command, make, register

PROGRESS = {"note": "Costed options to the July Cabinet", "reported_on": "2024-06-03", "reported_by": "Director"}
WRONG = "Recorded in error: the committee transferred R2"


@pytest.fixture
def bodies(app: Scrutiny) -> Scrutiny:
    for code, name in [("BCSB", "Budget Scrutiny Board"), ("RES", "Resources Committee"),
                       ("PEOPLE", "People Committee")]:  # fmt: skip
        app.execute(register(code, name=name))
    return app


def made(app: Scrutiny) -> None:
    """BCSB's R1, referred to the Cabinet on 20 March 2024 (due 19 May) and deferred to 1 May 2024."""
    app.execute(make("R1", meeting_date="2024-03-14"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-03-20"))
    app.execute(command("defer", ref="R1", until="2024-05-01", reason="Awaiting costs", decided_on="2024-03-21"))


def transfer(app: Scrutiny, clock: FixedClock, body: str = "BCSB", to: str = "RES", on: str = "2024-06-01") -> int:
    """The item moved from ``body`` to ``to`` an hour later; the transfer's position in the audit trail."""
    clock.time += timedelta(hours=1)
    moved = app.execute(command("transfer", body=body, ref="R1", to_body=to, decided_on=on, minute="AM/7"))
    assert moved.events == ("ItemTakenOver", "Transferred") and moved.position is not None
    return moved.position


def reports(app: Scrutiny) -> tuple[Any, ...]:
    """What each body's reports show of the items, now and as of days around the transfer."""
    days: list[date | None] = [None, date(2024, 5, 31), date(2024, 6, 1), date(2024, 6, 15)]
    shown: list[Any] = []
    for body in ("BCSB", "RES"):
        for day in days:
            shown += [list(app.tracker(body=body, as_of=day)), list(app.overdue(body=body, as_of=day))]
        pack = app.meeting_pack(body, date(2024, 7, 1))
        shown.append({key: value for key, value in pack.items() if key not in ("built_from", "published")})
        shown.append([view.ref for view in app.recommendations(body)])
    return (*shown, app.recommendation("BCSB", "R1"))


def test_a_retracted_transfer_leaves_every_report_as_if_it_had_never_been_recorded(
    bodies: Scrutiny, clock: FixedClock
) -> None:
    app = bodies
    made(app)
    before = reports(app)
    (deferral,) = [row for row in before[1] if row.reason == "deferral"]  # BCSB's overdue list now
    assert deferral.responsible == ["Budget Scrutiny Board"]
    position = transfer(app, clock)
    moved = reports(app)
    assert moved != before
    assert [row.ref for row in app.tracker(body="RES")] == ["R1"]
    assert [row.responsible for row in app.overdue(body="RES") if row.reason == "deferral"] == [["Resources Committee"]]
    clock.time += timedelta(hours=1)
    known = clock.time  # after the transfer, before its retraction
    clock.time += timedelta(hours=1)
    retracted = app.execute(command("retract", body="RES", ref="R1", position=position, reason=WRONG))
    assert (retracted.body, retracted.ref, retracted.events) == ("RES", "R1", ("TransferRetracted",))
    assert reports(app) == before
    assert app.tracker(body="RES") == [] and app.overdue(body="RES") == []
    assert list(app.tracker(body="RES", as_known_at=known)) == list(moved[10])  # RES's tracker, as it was then
    assert list(app.tracker(body="BCSB", as_known_at=known)) == list(moved[0])
    assert list(app.overdue(body="RES", as_known_at=known)) == list(moved[11])
    entry = app.audit(ref="R1")[-1]
    assert (entry.event, entry.position) == ("TransferRetracted", retracted.position)
    assert entry.summary == f"Jo Clerk retracted the transfer to RES at position {position}: {WRONG}"
    card = {fact.position: fact for fact in app.item("BCSB", "R1")}
    assert (card[position].event, card[position].status) == ("Transferred", "retracted")
    rows = reports(app), app.audit()
    app.rebuild()
    assert (reports(app), app.audit()) == rows


def test_after_a_retracted_transfer_the_item_is_reached_under_its_body_and_the_other_is_told_it_does_not_hold_it(
    bodies: Scrutiny, clock: FixedClock
) -> None:
    app = bodies
    made(app)
    position = transfer(app, clock)
    reported = app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))  # the item's: it stays
    app.execute(command("retract", body="RES", ref="R1", position=position, reason=WRONG))
    before = len(app.audit())
    with pytest.raises(ItemTransferred) as refused:
        app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS | {"note": "Later"}))
    assert str(refused.value) == (
        "the transfer of R1 to RES was retracted, so RES does not hold it: it is with BCSB; send it to BCSB"
    )
    assert refused.value.field == "body"
    with pytest.raises(RecommendationNotFound, match="RES has no recommendation or action with the reference R1"):
        app.recommendation("RES", "R1")
    assert len(app.audit()) == before
    again = app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))  # the same file, applied again
    assert (again.already_recorded, again.position, again.events) == (True, reported.position, reported.events)
    (row,) = app.tracker(body="BCSB")
    assert (row.notes, row.taken_over_from, row.transferred_on) == (PROGRESS["note"], None, None)
    done = app.execute(command("report_progress", ref="R1", **PROGRESS | {"note": "Back home"}))
    assert (done.body, done.events) == ("BCSB", ("ProgressReported",))
    transfer(app, clock, on="2024-06-05")  # now recorded as decided
    assert app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS | {"note": "Moved"})).body == "RES"
    assert [(row.body, row.taken_over_from) for row in app.tracker(ref="R1")] == [("RES", "BCSB")]


def test_only_the_latest_transfer_is_retracted_and_an_earlier_one_waits_for_it(
    bodies: Scrutiny, clock: FixedClock
) -> None:
    app = bodies
    made(app)
    first = transfer(app, clock)
    later = transfer(app, clock, body="RES", to="PEOPLE", on="2024-07-01")
    before = len(app.audit())
    with pytest.raises(LaterTransfer) as refused:
        app.execute(command("retract", body="PEOPLE", ref="R1", position=first, reason=WRONG))
    assert isinstance(refused.value, CannotCorrect) and refused.value.field == "position"
    assert str(refused.value) == (
        f"position {first} transferred R1 to RES, which transferred it on to PEOPLE on 1 Jul 2024: "
        f"retract that later transfer (position {later}) first"
    )
    assert len(app.audit()) == before
    app.execute(command("retract", body="PEOPLE", ref="R1", position=later, reason="Wrong committee"))
    assert [(row.body, row.taken_over_from) for row in app.tracker(ref="R1")] == [("RES", "BCSB")]
    with pytest.raises(CannotCorrect, match=f"^the fact at position {later} was already retracted$"):
        app.execute(command("retract", body="RES", ref="R1", position=later, reason="Wrong again"))
    app.execute(command("retract", body="RES", ref="R1", position=first, reason=WRONG))
    assert [(row.body, row.taken_over_from) for row in app.tracker(ref="R1")] == [("BCSB", None)]
    with pytest.raises(ItemTransferred, match=r"^the transfer of R1 to PEOPLE was retracted"):
        app.execute(command("report_progress", body="PEOPLE", ref="R1", **PROGRESS))
    summaries = [entry.summary for entry in app.audit(ref="R1")[-2:]]
    assert summaries == [f"Jo Clerk retracted the transfer to PEOPLE at position {later}: Wrong committee",
                         f"Jo Clerk retracted the transfer to RES at position {first}: {WRONG}"]  # fmt: skip
    rows = list(app.tracker()), list(app.overdue())
    app.rebuild()
    assert (list(app.tracker()), list(app.overdue())) == rows


def test_a_transfer_back_retracted_leaves_the_item_with_the_body_it_had_gone_to(
    bodies: Scrutiny, clock: FixedClock
) -> None:
    app = bodies
    made(app)
    transfer(app, clock)
    home = transfer(app, clock, body="RES", to="BCSB", on="2024-06-20")
    app.execute(command("retract", body="BCSB", ref="R1", position=home, reason=WRONG))
    with pytest.raises(ItemTransferred, match=r"^R1 was transferred to RES on 1 Jun 2024; send it to RES$"):
        app.execute(command("report_progress", ref="R1", **PROGRESS))
    assert app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS)).body == "RES"
    assert [(row.body, row.taken_over_from) for row in app.tracker(ref="R1")] == [("RES", "BCSB")]
    assert app.recommendation("RES", "R1").made_by == "BCSB"


def test_the_item_of_a_retracted_transfer_is_read_as_known_at_a_moment_before_under_the_body_it_was_with(
    bodies: Scrutiny, clock: FixedClock
) -> None:
    app = bodies
    made(app)
    position = transfer(app, clock)
    clock.time += timedelta(hours=1)
    known: datetime = clock.time
    clock.time += timedelta(hours=1)
    app.execute(command("retract", body="RES", ref="R1", position=position, reason=WRONG))
    pack = app.meeting_pack("RES", date(2024, 7, 1), as_known_at=known)
    now = app.meeting_pack("RES", date(2024, 7, 1))
    assert "R1" in str(pack) and "R1" not in str(now)
    assert [e.event for e in app.audit(ref="R1", as_known_at=known)][-1] == "Transferred"


def test_a_transfer_s_date_and_minute_are_corrected_by_its_position_and_every_report_moves_with_it(
    bodies: Scrutiny, clock: FixedClock
) -> None:
    app = bodies
    made(app)
    first = transfer(app, clock)
    later = transfer(app, clock, body="RES", to="PEOPLE", on="2024-07-01")
    fix = {"body": "PEOPLE", "ref": "R1", "position": first, "reason": "The minutes say 10 June"}
    done = app.execute(command("correct", field="transfer.decided_on", value="2024-06-10", **fix))
    assert done.events == ("Corrected",)
    assert [row.body for row in app.tracker(as_of=date(2024, 6, 5))] == ["BCSB"]
    assert [row.transferred_on for row in app.tracker(body="RES", as_of=date(2024, 6, 20))] == [date(2024, 6, 10)]
    entry = app.audit(ref="R1")[-1]
    assert entry.summary == (
        f"Jo Clerk corrected the date of the transfer at position {first} from “1 Jun 2024” to “10 Jun 2024”: "
        "The minutes say 10 June"
    )
    app.execute(command("correct", field="transfer.minute", value="AM/9", **fix))
    card = {fact.position: fact.status for fact in app.item("PEOPLE", "R1")}
    assert card[first] == "corrected" and card[later] == "in force"
    before = len(app.audit())
    for value, said in [("2024-07-02", "would come after the transfer to PEOPLE that follows it (1 Jul 2024)"),
                        ("2024-03-13", "the date of the transfer (13 Mar 2024) is before the meeting (14 Mar 2024)"),
                        ("2024-12-03", "in the future")]:  # fmt: skip
        with pytest.raises((CannotCorrect, DateOutOfOrder)) as refused:
            app.execute(command("correct", field="transfer.decided_on", value=value, **fix))
        assert said in str(refused.value) and refused.value.field == "value"
    with pytest.raises(DateOutOfOrder, match=r"would come before the transfer to RES that it follows \(10 Jun 2024\)"):
        app.execute(command("correct", field="transfer.decided_on", value="2024-06-09", **fix | {"position": later}))
    with pytest.raises(CannotCorrect, match=r"^that position holds no transfer of R1 in force"):
        app.execute(command("correct", field="transfer.minute", value="AM/9", **fix | {"position": first - 2}))
    assert len(app.audit()) == before
    rows = list(app.tracker(as_of=date(2024, 6, 5))), list(app.tracker(body="RES", as_of=date(2024, 6, 20)))
    app.rebuild()
    assert (list(app.tracker(as_of=date(2024, 6, 5))), list(app.tracker(body="RES", as_of=date(2024, 6, 20)))) == rows
