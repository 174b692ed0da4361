"""Reminders where a body holds several items with one ref (its own, and others taken over from the bodies that
made them), on SQLite and on PostgreSQL: each is recorded on its own item, named by its ``origin``, each is told
apart in the message, and nothing is recorded twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scrutiny_es import Reminder, Scrutiny
from scrutiny_es.adapters.formats.reminders import message_html, message_text, reminders_markdown
from scrutiny_es.adapters.mail import MailNotSent
from tests.conftest import CLERK, FixedClock, command, make, register

CONTACTS = {"Cabinet": "cabinet@sandwell.example"}
TODAY = date(2024, 12, 2)


class Outbox:
    """A mailer that keeps what it is given to send; with ``down``, the server refuses every message."""

    def __init__(self, down: bool = False) -> None:
        self.sent: list[Reminder] = []
        self.down = down

    def send(self, reminder: Reminder) -> None:
        if self.down:
            raise MailNotSent(f"could not send the reminder to {reminder.person}: 421 service not available")
        self.sent.append(reminder)


@pytest.fixture
def three_r1s(app: Scrutiny) -> Scrutiny:
    """PEOPLE holds three items R1, each referred to the Cabinet: its own, and those CSMC and HASC made and passed
    to it when they were dissolved."""
    for code, name in [("CSMC", "Communities Scrutiny and Management Committee"), ("HASC", "Health Scrutiny Board"),
                       ("PEOPLE", "People Committee")]:  # fmt: skip
        app.execute(register(code, name=name))
    for code in ("CSMC", "HASC"):
        app.execute(make("R1", body=code, meeting_date="2024-03-14", item=f"{code}'s libraries"))
        app.execute(command("refer", body=code, ref="R1", addressee="Cabinet", received_on="2024-03-20"))
        app.execute(command("transfer", body=code, ref="R1", to_body="PEOPLE", decided_on="2024-06-01"))
    app.execute(make("R1", body="PEOPLE", meeting_date="2024-06-20", item="Leisure"))
    app.execute(
        command("refer", body="PEOPLE", ref="R1", origin="PEOPLE", addressee="Cabinet", received_on="2024-06-21")
    )
    return app


def reminders_sent(app: Scrutiny) -> list[tuple[str | None, str]]:
    return [(e.ref, e.body) for e in app.audit() if e.event == "ReminderSent"]


def test_each_item_with_the_ref_is_listed_apart_and_named_by_the_body_that_made_it(three_r1s: Scrutiny) -> None:
    (cabinet,) = three_r1s.reminders(body="PEOPLE", contacts=CONTACTS)
    assert [(o.body, o.ref, o.origin, o.item) for o in cabinet.overdue] == [
        ("PEOPLE", "R1", "CSMC", "CSMC's libraries"), ("PEOPLE", "R1", "HASC", "HASC's libraries"),
        ("PEOPLE", "R1", None, "Leisure")]  # fmt: skip
    text = message_text(cabinet, TODAY)
    assert "  PEOPLE R1 (from CSMC): CSMC's libraries" in text and "  PEOPLE R1 (from HASC): HASC's libraries" in text
    assert "  PEOPLE R1: Leisure" in text
    assert "<td>R1 (from CSMC)</td>" in message_html(cabinet, TODAY)
    assert "| Overdue 197 days | PEOPLE | R1 (from HASC) | HASC's libraries | Response | 19 May 2024 |" in (
        reminders_markdown([cabinet], "Reminders")
    )


def test_sending_records_the_reminder_on_each_item_under_the_body_it_is_with_and_a_rerun_records_nothing(
    three_r1s: Scrutiny,
) -> None:
    app = three_r1s
    outbox = Outbox()
    sent = app.send_reminders(outbox, CLERK, body="PEOPLE", contacts=CONTACTS)
    assert [(r.person, len(r.overdue)) for r in sent] == [("Cabinet", 3)] and outbox.sent == list(sent)
    for code, item in [("CSMC", "R1"), ("HASC", "R1")]:  # named by the body that made it: the one each is
        assert [e.event for e in app.item(code, item)][-1] == "ReminderSent"
    assert sorted(reminders_sent(app)) == [("R1", "CSMC"), ("R1", "HASC"), ("R1", "PEOPLE")]
    (own,) = [e for e in app.audit(body="PEOPLE", ref="R1") if e.event == "ReminderSent"]
    assert own.summary == (
        "Reminder sent to Cabinet about the recommendation on 2 Dec 2024: the response due 20 Aug 2024 (overdue)."
    )
    before = len(app.audit())
    again = app.send_reminders(outbox, CLERK, body="PEOPLE", contacts=CONTACTS)
    assert list(again) == [] and len(outbox.sent) == 1 and len(app.audit()) == before
    assert app.reminders(body="PEOPLE", contacts=CONTACTS) == list(sent)  # still owed, listed as before
    app.rebuild()
    assert sorted(reminders_sent(app)) == [("R1", "CSMC"), ("R1", "HASC"), ("R1", "PEOPLE")]


def test_a_mail_that_does_not_go_is_retracted_on_each_item_and_the_next_run_sends_it(
    three_r1s: Scrutiny, clock: FixedClock
) -> None:
    app = three_r1s
    refused = app.send_reminders(Outbox(down=True), CLERK, body="PEOPLE", contacts=CONTACTS)
    assert list(refused) == [] and [n.reminder.person for n in refused.not_sent] == ["Cabinet"]
    retracted = [e for e in app.audit() if e.event == "Retracted"]
    assert len(retracted) == len(reminders_sent(app)) == 3
    assert all("the reminder could not be mailed" in e.summary for e in retracted)
    clock.time = datetime(2024, 12, 2, 14, 0, tzinfo=UTC)
    outbox = Outbox()
    assert [r.person for r in app.send_reminders(outbox, CLERK, body="PEOPLE", contacts=CONTACTS)] == ["Cabinet"]
    assert len(reminders_sent(app)) == 6 and len(outbox.sent[0].overdue) == 3


def test_reminders_of_every_body_name_each_item_once_under_the_body_it_is_with(three_r1s: Scrutiny) -> None:
    app = three_r1s
    app.execute(make("R2", body="HASC", meeting_date="2024-09-05", item="Dentistry"))  # HASC's own, kept
    app.execute(command("refer", body="HASC", ref="R2", addressee="Cabinet", received_on="2024-09-06"))
    (cabinet,) = app.send_reminders(Outbox(), CLERK, contacts=CONTACTS)
    assert [(o.body, o.origin, o.item) for o in cabinet.overdue] == [
        ("PEOPLE", "CSMC", "CSMC's libraries"), ("PEOPLE", "HASC", "HASC's libraries"), ("PEOPLE", None, "Leisure"),
        ("HASC", None, "Dentistry")]  # fmt: skip
    assert sorted(reminders_sent(app)) == [("R1", "CSMC"), ("R1", "HASC"), ("R1", "PEOPLE"), ("R2", "HASC")]
    assert app.send_reminders(Outbox(), CLERK, contacts=CONTACTS) == []


def test_a_body_s_reminders_leave_out_the_items_it_passed_on_as_its_overdue_list_does(three_r1s: Scrutiny) -> None:
    app = three_r1s
    assert app.reminders(body="CSMC", contacts=CONTACTS) == [] and app.overdue(body="CSMC") == []
    assert app.send_reminders(Outbox(), CLERK, body="HASC", contacts=CONTACTS) == [] and reminders_sent(app) == []
    (before,) = app.reminders(body="CSMC", on=date(2024, 5, 31), contacts=CONTACTS)  # the day before it went
    assert [(o.body, o.ref, o.origin, o.days_overdue) for o in before.overdue] == [("CSMC", "R1", None, 12)]
