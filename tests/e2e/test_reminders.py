"""``scrutiny-es reminders --send`` against a real SMTP server on a loopback port: the messages arrive with the
right items, a second run sends none, the audit trail shows who was chased and when, and no address reaches the
log."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from scrutiny_es import Scrutiny
from scrutiny_es.domain.dates import uk_day
from tests import parts
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run
from tests.unit.test_reminders import BOARD, RECORD

SENDER = "scrutiny@sandwell.example"
CONTACTS = "name,email\nCabinet,cabinet@sandwell.example\nDirector of Housing, housing@sandwell.example\n"


class Inbox:
    """The SMTP server's handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.refused: set[str] = set()
        """Addresses it says it has no mailbox for."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), mail))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refused:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def to(self, address: str) -> EmailMessage:
        (found,) = [mail for _, rcpt, mail in self.messages if rcpt == [address]]
        return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield inbox, f"127.0.0.1:{port}"
    finally:
        server.stop()


def recorded(url: str) -> str:
    app = Scrutiny(url, clock=FixedClock(datetime(2024, 4, 1, 8, 0, tzinfo=UTC)))
    for line in RECORD:
        app.execute(line)
    app.close()
    return url


def contacts(tmp_path: Path, text: str = CONTACTS) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def send(db: str, server: str, contacts_file: str, *more: str) -> Any:
    return run("reminders", "--on", "2024-04-01", "--contacts", contacts_file, "--send", "--smtp", server,
               "--from", SENDER, *more, db=db)  # fmt: skip


def mail_parts(mail: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content().replace("\r\n", "\n") for part in mail.iter_parts()}  # type: ignore[attr-defined]


def reminders_sent(db: str) -> list[dict[str, Any]]:
    trail = json.loads(run("audit", "--format", "json", db=db).stdout)
    return [entry for entry in trail if entry["event"] == "ReminderSent"]


def retracted(db: str) -> list[dict[str, Any]]:
    trail = json.loads(run("audit", "--format", "json", db=db).stdout)
    return [entry for entry in trail if entry["event"] == "Retracted"]


def test_each_person_with_an_address_gets_one_message_with_their_items_and_it_is_recorded(
    db_url: str, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, server = smtp
    db = recorded(db_url)
    result = send(db, server, contacts(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "sent 2 reminders\n"
    assert [r["person"] for r in json.loads(result.stdout)] == ["Cabinet", "Director of Housing"]
    assert sorted(rcpt[0] for _, rcpt, _ in inbox.messages) == ["cabinet@sandwell.example",
                                                                "housing@sandwell.example"]  # fmt: skip
    assert {sender for sender, _, _ in inbox.messages} == {SENDER}
    cabinet = mail_parts(inbox.to("cabinet@sandwell.example"))
    assert set(cabinet) == {"text/plain", "text/html"}
    assert "- Due in 9 days: Target date (last day 10 Apr 2024)\n  BCSB R1: Fishing Policy" in cabinet["text/plain"]
    assert cabinet["text/plain"].startswith("Dear Cabinet,\n\nAs of 1 Apr 2024, the scrutiny record shows you")
    assert "R2" not in cabinet["text/plain"] and "<td>R1</td>" in cabinet["text/html"]
    housing = inbox.to("housing@sandwell.example")
    assert housing["Subject"] == "Scrutiny recommendations and actions: 1 overdue and 1 due soon"
    text = mail_parts(housing)["text/plain"]
    assert text.index("Overdue 28 days: Response (last day 4 Mar 2024)") < text.index("Due in 9 days: Target date")
    assert "BCSB R2: Housing Regulatory Framework" in text

    chased = reminders_sent(db)
    assert [(e["ref"], e["summary"].split(" about ")[0]) for e in chased] == [
        ("R1", "Reminder sent to Cabinet"), ("R2", "Reminder sent to Director of Housing"),
        ("R1", "Reminder sent to Director of Housing"),
    ]  # fmt: skip
    for entry in chased:
        assert entry["actor"] == "scrutiny-es reminders (system)"
        assert entry["effective_on"] == uk_day(datetime.fromisoformat(entry["recorded_at"])).isoformat()

    again = send(db, server, contacts(tmp_path))
    assert (again.returncode, again.stderr) == (0, "sent 0 reminders\n")
    assert len(inbox.messages) == 2 and len(reminders_sent(db)) == 3


def test_a_message_the_server_refuses_is_retracted_the_run_goes_on_and_a_second_run_sends_only_it(
    smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, server = smtp
    db = recorded(f"sqlite:///{tmp_path / 'r.db'}")
    inbox.refused.add("cabinet@sandwell.example")  # the first one mailed: the run goes on to the next
    refused = send(db, server, contacts(tmp_path))
    assert refused.returncode == 1
    assert refused.stderr.startswith("scrutiny-es: could not send the reminder to Cabinet")
    assert "(not recorded as reminded: the next run tries again)\nsent 1 reminder\n" in refused.stderr
    assert [rcpt for _, rcpt, _ in inbox.messages] == [["housing@sandwell.example"]]
    reserved = [e["summary"].split(" about ")[0] for e in reminders_sent(db)]
    assert sorted(set(reserved)) == ["Reminder sent to Cabinet", "Reminder sent to Director of Housing"]  # first
    released = retracted(db)
    assert len(released) == reserved.count("Reminder sent to Cabinet") == 1  # Cabinet's reminder, released
    assert all("the reminder could not be mailed" in json.dumps(e) for e in released)
    inbox.refused.clear()
    again = send(db, server, contacts(tmp_path))
    assert (again.returncode, again.stderr) == (0, "sent 1 reminder\n")
    assert [rcpt for _, rcpt, _ in inbox.messages][1:] == [["cabinet@sandwell.example"]]
    assert len(reminders_sent(db)) - len(retracted(db)) == 3  # in force: Cabinet's and the Director's two


def test_three_runs_at_once_mail_each_person_once_and_record_each_reminder_once(
    smtp: tuple[Inbox, str], tmp_path: Path, db_url: str
) -> None:
    inbox, server = smtp
    db = recorded(db_url)
    path = contacts(tmp_path)
    with ThreadPoolExecutor(3) as runs:
        done = list(runs.map(lambda _: send(db, server, path), range(3)))
    assert [r.returncode for r in done] == [0, 0, 0], [r.stderr for r in done]
    assert sorted(rcpt for _, (rcpt,), _ in inbox.messages) == ["cabinet@sandwell.example", "housing@sandwell.example"]
    app = Scrutiny(db)
    assert sorted(f"{r.ref} {r.event}" for r in app.audit() if r.event == "ReminderSent") == sorted(
        f"{e['ref']} ReminderSent" for e in reminders_sent(db)
    )
    assert len(reminders_sent(db)) == 3  # Cabinet of one item, the Director of two: once each, not three times
    assert not [r for r in app.audit() if r.event == "Retracted"]


def test_no_address_reaches_the_log_or_the_read_models(smtp: tuple[Inbox, str], tmp_path: Path) -> None:
    inbox, server = smtp
    db = recorded(f"sqlite:///{tmp_path / 'r.db'}")
    assert send(db, server, contacts(tmp_path)).returncode == 0
    assert len(inbox.messages) == 2
    app = Scrutiny(db)
    stored = parts.store_of(app).log.stored(0, 1000)
    assert any(b"ReminderSent" in row[3].encode() for row in stored)
    assert not [row for row in stored if b"sandwell.example" in row[4]]
    app.close()
    for path in tmp_path.glob("r.db*"):
        assert b"sandwell.example" not in path.read_bytes(), path.name


def test_without_send_it_lists_everyone_with_their_address_or_none(tmp_path: Path) -> None:
    db = recorded(f"sqlite:///{tmp_path / 'r.db'}")
    table = run("reminders", "--on", "2024-04-01", "--contacts", contacts(tmp_path), db=db).stdout
    assert table.startswith("Reminders as of 1 Apr 2024: overdue, and due within 14 days")
    assert "Cabinet <cabinet@sandwell.example>" in table and f"{BOARD} (no address)" in table
    md = run("reminders", "--on", "2024-04-01", "--within", "18", "--format", "md", db=db).stdout
    assert (
        "## Cabinet (no address)" in md
        and "| Due in 18 days | BCSB | R1 | Fishing Policy | Response | 19 Apr 2024 |" in md
    )
    listed = json.loads(run("reminders", "--body", "BCSB", "--on", "2024-04-05", "--format", "json", db=db).stdout)
    board = next(r for r in listed if r["person"] == BOARD)
    assert board == {"person": BOARD, "email": None, "overdue": [], "due_soon": [
        {"body": "BCSB", "ref": "R3", "item": "Tenant Satisfaction", "reason": "deferral", "due": "2024-04-05",
         "days_left": 0, "origin": None}]}  # fmt: skip
    assert reminders_sent(db) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("who,address\nCabinet,cabinet@sandwell.example\n", "contacts.csv line 1: the header must be name,email"),
        ("name,email\nCabinet,cabinet@sandwell.example\nDirector of Housing,housing at sandwell\n",
         "contacts.csv line 3: email: 'housing at sandwell' is not an email address"),
        ("name,email\n,cabinet@sandwell.example\n", "contacts.csv line 2: name: must not be blank"),
        ("name,email\nCabinet,cabinet@sandwell.example,extra\n",
         "contacts.csv line 2: a row has two fields, name and email, not 3"),
        ("name,email\nCabinet,a@sandwell.example\nCabinet,b@sandwell.example\n",
         "contacts.csv line 3: name: Cabinet has another address on line 2"),
        ("name,email\nCabinet," + "x" * 200_000 + "\n",
         "contacts.csv line 2: cannot be read as CSV (field larger than field limit (131072))"),
    ],
)  # fmt: skip
def test_a_bad_contacts_file_names_the_line_and_field_and_nothing_is_sent(
    text: str, said: str, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, server = smtp
    db = recorded(f"sqlite:///{tmp_path / 'r.db'}")
    result = send(db, server, contacts(tmp_path, text))
    assert result.returncode == 1
    assert result.stderr.startswith("scrutiny-es: ") and result.stderr.rstrip().endswith(said)
    assert len(result.stderr.splitlines()) == 1
    assert inbox.messages == [] and reminders_sent(db) == []


def test_sending_needs_a_server_and_a_sender_and_a_server_that_answers(tmp_path: Path) -> None:
    db = recorded(f"sqlite:///{tmp_path / 'r.db'}")
    file = contacts(tmp_path)
    no_server = run("reminders", "--contacts", file, "--send", db=db)
    assert (no_server.returncode, no_server.stderr) == (
        1,
        "scrutiny-es: --send needs --smtp HOST:PORT and --from ADDRESS\n",
    )
    bad_sender = run("reminders", "--send", "--smtp", "127.0.0.1:25", "--from", "nobody", db=db)
    assert bad_sender.returncode == 1 and "--from: 'nobody' is not an email address" in bad_sender.stderr
    bad_server = run("reminders", "--send", "--smtp", "localhost", "--from", SENDER, db=db)
    assert bad_server.returncode == 1 and "is not a server written HOST:PORT" in bad_server.stderr
    port = free_port()  # nothing listens there
    down = send(db, f"127.0.0.1:{port}", file)
    assert down.returncode == 1
    assert down.stderr.startswith(
        f"scrutiny-es: could not send the reminder to Cabinet <cabinet@sandwell.example> through 127.0.0.1:{port}: "
    )
    assert len(reminders_sent(db)) == len(retracted(db)) == 3  # each recorded before its mail, each released
    nobody = run("reminders", "--body", "NOPE", db=db)
    assert (nobody.returncode, nobody.stderr) == (1, "scrutiny-es: no body is registered with the code NOPE\n")
    missing = run("reminders", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.returncode == 2 and "no database at" in missing.stderr and not (tmp_path / "none.db").exists()
    days = run("reminders", "--within", "-3", db=db)
    assert days.returncode == 2 and "is not a number of days" in days.stderr


def test_items_of_one_ref_taken_over_from_other_bodies_are_each_mailed_apart_and_recorded_once(
    db_url: str, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, server = smtp
    app = Scrutiny(db_url, clock=FixedClock(datetime(2024, 12, 2, 8, 0, tzinfo=UTC)))
    for code in ("CSMC", "HASC", "PEOPLE"):
        app.execute(register(code, name=f"{code} Committee"))
    for code in ("CSMC", "HASC"):  # each board's R1, referred to the Cabinet, passed to PEOPLE
        app.execute(make("R1", body=code, meeting_date="2024-03-14", item=f"{code}'s libraries"))
        app.execute(command("refer", body=code, ref="R1", addressee="Cabinet", received_on="2024-03-20"))
        app.execute(command("transfer", body=code, ref="R1", to_body="PEOPLE", decided_on="2024-06-01"))
    app.close()
    listed = run("reminders", "--body", "PEOPLE", "--format", "md", db=db_url)
    assert "| PEOPLE | R1 (from CSMC) | CSMC's libraries |" in listed.stdout, listed.stderr
    assert "| PEOPLE | R1 (from HASC) | HASC's libraries |" in listed.stdout
    as_json = json.loads(run("reminders", "--body", "PEOPLE", "--format", "json", db=db_url).stdout)
    assert [(o["ref"], o["origin"]) for o in as_json[0]["overdue"]] == [("R1", "CSMC"), ("R1", "HASC")]
    done = run("reminders", "--body", "PEOPLE", "--contacts", contacts(tmp_path), "--send", "--smtp", server,
               "--from", SENDER, db=db_url)  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "sent 1 reminder\n"), done.stdout
    text = mail_parts(inbox.to("cabinet@sandwell.example"))["text/plain"]
    assert "  PEOPLE R1 (from CSMC): CSMC's libraries" in text and "  PEOPLE R1 (from HASC): HASC's libraries" in text
    assert sorted((e["body"], e["ref"]) for e in reminders_sent(db_url)) == [("CSMC", "R1"), ("HASC", "R1")]
    again = run("reminders", "--body", "PEOPLE", "--contacts", contacts(tmp_path), "--send", "--smtp", server,
                "--from", SENDER, db=db_url)  # fmt: skip
    assert (again.returncode, again.stderr) == (0, "sent 0 reminders\n")
    assert len(inbox.messages) == 1 and len(reminders_sent(db_url)) == 2
