"""An extended response deadline takes effect on the day it was agreed: reports as of an earlier day show the
deadline in force then, and what was overdue then stays overdue on those days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scrutiny_es.application.service import ScrutinyService
from scrutiny_es.bootstrap import in_memory
from tests.conftest import FixedClock, command, make, register

NHS = [{"name": "NHS Trust", "kind": "nhs"}]


def _extended_late() -> tuple[FixedClock, ScrutinyService]:
    """28 days from 1 Mar 2024 end on 28 Mar; the chair agreed on 5 Apr to give the trust until 30 Apr."""
    clock = FixedClock(datetime(2024, 3, 1, 9, tzinfo=UTC))
    app = in_memory(clock)
    app.execute(register())
    app.execute(command("schedule_meeting", meeting_date="2024-03-14"))
    app.execute(make(addressees=NHS))
    app.execute(command("refer", ref="R1", addressee="NHS Trust", received_on="2024-03-01"))
    clock.time = datetime(2024, 4, 5, 9, tzinfo=UTC)
    app.execute(command("extend_response_deadline", ref="R1", addressee="NHS Trust", response_due="2024-04-30",
                        reason="Board papers delayed", agreed_by="Chair", decided_on="2024-04-05"))  # fmt: skip
    return clock, app


def test_the_tracker_as_of_a_day_before_an_extension_shows_the_deadline_in_force_that_day() -> None:
    _, app = _extended_late()
    assert [row.response_due for row in app.tracker(as_of=date(2024, 3, 10))] == [date(2024, 3, 28)]
    assert [row.response_due for row in app.tracker(as_of=date(2024, 4, 5))] == [date(2024, 4, 30)]


def test_a_response_is_overdue_as_of_the_days_between_its_deadline_and_a_later_extension() -> None:
    _, app = _extended_late()
    (late,) = app.overdue(as_of=date(2024, 4, 1))
    assert (late.reason, late.due, late.days_overdue, late.original_due) == (
        "response",
        date(2024, 3, 28),
        4,
        date(2024, 3, 28),
    )
    assert [row.overdue for row in app.tracker(as_of=date(2024, 4, 1))] == [["response"]]
    assert app.overdue(as_of=date(2024, 4, 5)) == []
    (again,) = app.overdue(as_of=date(2024, 5, 1))
    assert (again.due, again.original_due) == (date(2024, 4, 30), date(2024, 3, 28))


def test_a_response_given_before_a_late_extension_was_agreed_is_not_on_time_in_the_pack() -> None:
    clock, app = _extended_late()
    clock.time = datetime(2024, 4, 10, 9, tzinfo=UTC)
    app.execute(command("record_response", ref="R1", addressee="NHS Trust", decision="accepted", text="Agreed.",
                        responded_on="2024-04-02", responded_by="Chief Executive"))  # fmt: skip
    (response,) = app.meeting_pack("BCSB", date(2024, 4, 11))["responses"]
    assert (response["due"], response["on_time"]) == ("2024-03-28", False)


def test_a_corrected_date_of_receipt_leaves_a_deadline_agreed_by_extension_as_agreed() -> None:
    clock, app = _extended_late()
    clock.time = datetime(2024, 4, 20, 9, tzinfo=UTC)
    app.execute(command("correct", ref="R1", field="referral.received_on", addressee="NHS Trust", value="2024-03-04",
                        reason="The letter was received on the Monday"))  # fmt: skip
    assert [row.response_due for row in app.tracker()] == [date(2024, 4, 30)]
    assert app.overdue(as_of=date(2024, 4, 29)) == []
    assert sum(fact.event == "Corrected" for fact in app.item("BCSB", "R1")) == 1


def test_an_extension_recorded_in_error_can_be_retracted_and_the_deadline_before_it_is_in_force_again() -> None:
    _, app = _extended_late()
    extension = app.audit()[-1]
    app.execute(command("retract", ref="R1", position=extension.position, reason="Agreed for another item"))
    (row,) = app.tracker()
    assert (row.response_due, row.overdue) == (date(2024, 3, 28), ["response"])
    assert app.audit()[-1].summary.endswith(
        f"retracted the extension of the response deadline at position {extension.position}: Agreed for another item"
    )
    assert [f.status for f in app.item("BCSB", "R1") if f.position == extension.position] == ["retracted"]


def test_the_first_of_two_extensions_retracted_leaves_the_second_in_force_from_its_own_day() -> None:
    clock, app = _extended_late()
    first = app.audit()[-1].position
    clock.time = datetime(2024, 4, 20, 9, tzinfo=UTC)
    app.execute(command("extend_response_deadline", ref="R1", addressee="NHS Trust", response_due="2024-05-31",
                        reason="Chief executive away", agreed_by="Chair", decided_on="2024-04-20"))  # fmt: skip
    app.execute(command("retract", ref="R1", position=first, reason="Agreed for another item"))
    assert [row.response_due for row in app.tracker()] == [date(2024, 5, 31)]
    assert [row.response_due for row in app.tracker(as_of=date(2024, 4, 10))] == [date(2024, 3, 28)]
