"""Who must act next (DESIGN 5.5): each responsible person's obligations due soon and overdue, and the reminders
sent recorded on the items, never twice in a day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from scrutiny_es.application import ScrutinyService
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.errors import AlreadyReminded, DateOutOfOrder, InvalidCommand, ItemClosed
from scrutiny_es.domain.history import Owed
from scrutiny_es.domain.policy import NotPermitted
from scrutiny_es.projections.reminders import Reminder
from tests import parts
from tests.conftest import CLERK, FixedClock, command, make, register

BOARD = "Budget and Corporate Scrutiny Board"
ON = date(2024, 4, 1)
CONTACTS = {"Cabinet": "cabinet@sandwell.example", "Director of Housing": "housing@sandwell.example"}


class Outbox:
    """A mailer that keeps what it is given to send."""

    def __init__(self) -> None:
        self.sent: list[Reminder] = []

    def send(self, reminder: Reminder) -> None:
        self.sent.append(reminder)


RECORD = [
    register(),
    make("R1", meeting_date="2024-02-15", target_date="2024-04-10"),  # Cabinet and the Director of Housing
    command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"),  # due 19 Apr
    make(
        "R2",
        meeting_date="2024-01-04",
        item="Housing Regulatory Framework",
        addressees=[{"name": "Director of Housing", "kind": "officer"}],
    ),
    command("refer", ref="R2", addressee="Director of Housing", received_on="2024-01-05"),  # due 4 Mar
    make("R3", meeting_date="2024-03-14", item="Tenant Satisfaction", addressees=[]),
    command("defer", ref="R3", until="2024-04-05", reason="Awaiting the survey", decided_on="2024-03-14"),
    make("R4", meeting_date="2024-01-04", target_date="2024-03-01"),
    command("close", ref="R4", outcome="implemented", decided_on="2024-02-01"),
]
"""On 1 April 2024: R1's target date (10 Apr) is Cabinet's and the Director of Housing's, its response (due
19 Apr) Cabinet's; R2's response (due 4 Mar) is the Director's, overdue; the board returns to R3 on 5 Apr."""


def record(clock: FixedClock) -> ScrutinyService:
    app = in_memory(clock)
    for line in RECORD:
        app.execute(line)
    return app


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2024, 4, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def app(clock: FixedClock) -> ScrutinyService:
    return record(clock)


def owed(reminder: Reminder) -> list[tuple[str, str, str, int]]:
    """What a reminder lists: overdue ones as (ref, reason, "overdue", days), then due soon as (..., "due", days)."""
    return [(o.ref, o.reason, "overdue", o.days_overdue) for o in reminder.overdue] + [
        (o.ref, o.reason, "due", o.days_left) for o in reminder.due_soon
    ]


def test_each_person_responsible_has_what_falls_due_within_14_days_and_what_is_overdue(app: ScrutinyService) -> None:
    found = {r.person: owed(r) for r in app.reminders(on=ON)}
    assert found == {
        "Cabinet": [("R1", "target_date", "due", 9)],  # its response is due on 19 April: beyond the 14 days
        "Director of Housing": [("R2", "response", "overdue", 28), ("R1", "target_date", "due", 9)],
        BOARD: [("R3", "deferral", "due", 4)],  # the board owes the return to a deferred item
    }
    wider = {r.person: owed(r) for r in app.reminders(on=ON, within=18)}
    assert wider["Cabinet"] == [("R1", "target_date", "due", 9), ("R1", "response", "due", 18)]


def test_an_entry_carries_the_item_and_the_address_from_the_contacts(app: ScrutinyService) -> None:
    (housing,) = [r for r in app.reminders(on=ON, contacts=CONTACTS) if r.person == "Director of Housing"]
    assert housing.email == "housing@sandwell.example"
    (late,) = housing.overdue
    assert (late.item, late.due, late.responsible) == ("Housing Regulatory Framework", date(2024, 3, 4),
                                                       ["Director of Housing"])  # fmt: skip
    (soon,) = housing.due_soon
    assert (soon.body, soon.item, soon.due) == ("BCSB", "Fishing Policy", date(2024, 4, 10))
    assert [r.email for r in app.reminders(on=ON, contacts=CONTACTS) if r.person == BOARD] == [None]


def test_what_is_due_today_is_due_soon_with_no_days_left_and_a_closed_item_owes_nothing(app: ScrutinyService) -> None:
    (board,) = [r for r in app.reminders(on=date(2024, 4, 5)) if r.person == BOARD]
    assert owed(board) == [("R3", "deferral", "due", 0)]
    assert all(o.ref != "R4" for r in app.reminders(on=ON) for o in [*r.overdue, *r.due_soon])


def test_sending_mails_each_person_with_an_address_and_records_a_reminder_on_each_item(app: ScrutinyService) -> None:
    outbox = Outbox()
    sent = app.send_reminders(outbox, CLERK, on=ON, contacts=CONTACTS)
    assert [r.person for r in outbox.sent] == [r.person for r in sent] == ["Cabinet", "Director of Housing"]
    trail = [(e.ref, e.summary) for e in app.audit() if e.event == "ReminderSent"]
    assert trail == [
        ("R1", "Reminder sent to Cabinet about the recommendation on 1 Apr 2024: the target date 10 Apr 2024."),
        ("R2", "Reminder sent to Director of Housing about the recommendation on 1 Apr 2024: the response due "
               "4 Mar 2024 (overdue)."),
        ("R1", "Reminder sent to Director of Housing about the recommendation on 1 Apr 2024: the target date "
               "10 Apr 2024."),
    ]  # fmt: skip
    (card,) = [f for f in app.item("BCSB", "R2") if f.event == "ReminderSent"]
    assert (card.effective_on, card.actor, card.status) == (ON, "Jo Clerk (scrutiny officer)", "in force")


def test_a_second_run_on_the_same_day_sends_nothing_and_records_nothing(
    app: ScrutinyService, clock: FixedClock
) -> None:
    app.send_reminders(Outbox(), CLERK, on=ON, contacts=CONTACTS)
    events = len(app.audit())
    clock.time = datetime(2024, 4, 1, 16, 0, tzinfo=UTC)
    again = Outbox()
    assert app.send_reminders(again, CLERK, on=ON, contacts=CONTACTS) == []
    assert again.sent == [] and len(app.audit()) == events
    assert [r.person for r in app.reminders(on=ON)] == [BOARD, "Cabinet", "Director of Housing"]  # still owing
    clock.time = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
    next_day = Outbox()
    app.send_reminders(next_day, CLERK, contacts=CONTACTS)
    assert [r.person for r in next_day.sent] == ["Cabinet", "Director of Housing"]


def test_a_new_obligation_the_same_day_is_sent_alone(app: ScrutinyService, clock: FixedClock) -> None:
    app.send_reminders(Outbox(), CLERK, on=ON, contacts=CONTACTS)
    clock.time = datetime(2024, 4, 1, 12, 0, tzinfo=UTC)
    app.execute(make("R5", meeting_date="2024-03-14", target_date="2024-04-12"))
    later = Outbox()
    app.send_reminders(later, CLERK, on=ON, contacts=CONTACTS)
    assert [(r.person, owed(r)) for r in later.sent] == [
        ("Cabinet", [("R5", "target_date", "due", 11)]),
        ("Director of Housing", [("R5", "target_date", "due", 11)]),
    ]


def test_a_role_that_may_not_record_reminders_sends_none(app: ScrutinyService) -> None:
    outbox = Outbox()
    with pytest.raises(NotPermitted, match="may not record_reminder"):
        app.send_reminders(outbox, {"id": "a1", "name": "Ann Auditor", "role": "auditor"}, on=ON, contacts=CONTACTS)
    assert outbox.sent == [] and not [e for e in app.audit() if e.event == "ReminderSent"]


def reminder(**fields: Any) -> dict[str, Any]:
    given = {
        "ref": "R1",
        "person": "Cabinet",
        "sent_on": "2024-04-01",
        "about": [{"reason": "response", "due": "2024-04-19"}],
    }
    return command("record_reminder", **(given | fields))


def test_the_same_person_is_reminded_of_an_item_once_a_day(app: ScrutinyService) -> None:
    app.execute(reminder())
    assert app.execute(reminder()).already_recorded  # the same command again: recorded once
    with pytest.raises(AlreadyReminded, match="Cabinet was already reminded of R1 on 1 Apr 2024"):
        app.execute(reminder(about=[{"reason": "target_date", "due": "2024-04-10"}]))
    app.execute(reminder(person="Director of Housing"))
    app.catch_up()
    (history,) = parts.read_models_of(app).histories("BCSB", "R1")
    assert [(f.person, f.on, f.about) for f in history.reminders] == [
        ("Cabinet", ON, [Owed("response", date(2024, 4, 19))]),
        ("Director of Housing", ON, [Owed("response", date(2024, 4, 19))]),
    ]


def test_a_reminder_is_refused_in_the_future_on_a_closed_item_or_about_nothing(app: ScrutinyService) -> None:
    with pytest.raises(DateOutOfOrder, match=r"the day the reminder was sent \(2 Apr 2024\) is after today"):
        app.execute(reminder(sent_on="2024-04-02"))
    with pytest.raises(ItemClosed):
        app.execute(reminder(ref="R4"))
    with pytest.raises(InvalidCommand, match=r"about\[0\].reason: must be response, target_date or deferral"):
        app.execute(reminder(about=[{"reason": "meeting", "due": "2024-04-19"}]))
    with pytest.raises(InvalidCommand, match="about"):
        app.execute(reminder(about=[]))
    with pytest.raises(InvalidCommand, match="within: must be 0 or more days"):
        app.reminders(within=-1)


def test_a_reminder_recorded_in_error_can_be_retracted(app: ScrutinyService) -> None:
    position = app.execute(reminder()).position
    app.execute(command("retract", ref="R1", position=position, reason="Sent to the wrong person"))
    app.catch_up()
    (history,) = parts.read_models_of(app).histories("BCSB", "R1")
    assert history.reminders == []
    assert app.audit()[-1].summary.endswith("retracted the reminder at position 10: Sent to the wrong person")


def test_what_a_clerk_typed_is_shown_as_typed_in_every_format_and_the_message() -> None:
    from scrutiny_es.adapters.formats.reminders import (
        message_html,
        message_text,
        reminders_markdown,
        reminders_table,
        subject,
    )
    from scrutiny_es.projections.reminders import DueSoon

    hostile = '<b onload="x">Cabinet</b>\x1b[2J'
    soon = DueSoon(body="BCSB", ref="R1", item="Parks <script>", reason="response", due=ON, days_left=0)
    reminder = Reminder(person=hostile, email="cabinet@sandwell.example", due_soon=[soon], overdue=[])
    for shown in (reminders_table([reminder], "Reminders", 120), reminders_markdown([reminder], "Reminders"),
                  message_text(reminder, ON), subject(reminder)):  # fmt: skip
        assert "\x1b" not in shown
    assert "<b onload" not in message_html(reminder, ON) and "&lt;script&gt;" in message_html(reminder, ON)
    assert "<b" not in reminders_markdown([reminder], "Reminders")
    assert "Due today" in message_text(reminder, ON) and "Parks <script>" in message_text(reminder, ON)
