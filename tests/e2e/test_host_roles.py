"""The example host tells each officer only what is so and only what their role may see: "Recorded." after a
recording of theirs alone (never because a link says so), the meeting pack for the roles that prepare it, and the
addresses of those to remind for the roles that send reminders."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from scrutiny_es import Reminder, Scrutiny
from tests.e2e.host_site import ref, serving
from tests.e2e.test_host_security import Client, progress_form, progress_page, said_recorded
from tests.e2e.test_host_security import sqlite_url as sqlite_url  # the same seeded council, a fixture

CONTACTS = {"Cabinet": "cabinet@sandwell.example", "Director of Housing": "housing@sandwell.example"}


@pytest.fixture
def site(sqlite_url: str) -> Iterator[str]:
    with serving(sqlite_url, contacts=CONTACTS) as address:
        yield address


def card(n: int = 3) -> str:
    return f"/bodies/BCSB/items/{urllib.parse.quote(ref(n), safe='')}"


def test_a_link_that_says_something_was_recorded_or_sent_shows_no_banner(site: str) -> None:
    client = Client(site)
    client.sign_in()
    for path in (f"{card()}?recorded=progress", "/bodies/BCSB?recorded=import", "/bodies/BCSB?recorded=1",
                 "/bodies/BCSB/reminders?sent=12"):  # fmt: skip
        answer = client.open(path)
        assert answer.status == 200, path
        assert 'id="recorded"' not in answer.text and 'id="sent"' not in answer.text, path
        assert "Recorded." not in answer.text and "Reminders sent" not in answer.text, path


def test_recorded_is_said_once_and_only_to_the_officer_who_recorded(site: str) -> None:
    clerk, officer = Client(site), Client(site)
    clerk.sign_in()
    officer.sign_in("dh", "battery staple")

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    posting = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(clerk.cookies), Stay)
    form = urllib.parse.urlencode(progress_form(clerk.token(progress_page()))).encode()
    with pytest.raises(urllib.error.HTTPError) as redirected:  # the clerk's post, its redirect not yet followed
        posting.open(urllib.request.Request(f"{site}/do/progress", form))  # noqa: S310 (loopback)
    assert redirected.value.code == 303
    to = redirected.value.headers["location"]
    assert to == card() and "?" not in to, "the address says nothing of what was done"
    assert not said_recorded(officer.open(to)), "another officer's view of the item is told nothing"
    assert said_recorded(clerk.open(to))
    assert not said_recorded(clerk.open(to)), "told once"


def test_an_officer_is_refused_the_meeting_pack_as_any_page_their_role_may_not_see(site: str) -> None:
    officer = Client(site)
    officer.sign_in("dh", "battery staple")
    tracker_file = officer.open("/bodies/BCSB/import")
    assert tracker_file.status == 403 and "You cannot do this" in tracker_file.text
    assert "Only a role that may record everything may bring in a tracker file." in tracker_file.text
    minutes = officer.open("/bodies/BCSB/minutes")
    assert (
        minutes.status == 403 and "Only a role that may record everything may draft from the minutes." in minutes.text
    )
    for path in ("/bodies/BCSB/pack", "/bodies/BCSB/pack?asked=1&day=15&month=2&year=2024&format=html",
                 "/bodies/BCSB/pack?asked=1&day=15&month=2&year=2024&format=docx"):  # fmt: skip
        answer = officer.open(path)
        assert answer.status == 403, path
        assert answer.headers["content-type"].startswith("text/html") and "content-disposition" not in answer.headers
        assert "You cannot do this" in answer.text
        assert "Only a role that may record everything may download a meeting pack." in answer.text
        assert "Item 01" not in answer.text, "nothing of the pack"
    clerk = Client(site)
    clerk.sign_in()
    pack = clerk.open("/bodies/BCSB/pack?asked=1&day=15&month=3&year=2024&format=html")
    assert pack.status == 200 and pack.headers["content-disposition"].startswith("attachment")


def test_reminders_show_addresses_only_to_a_role_that_may_send_them(site: str) -> None:
    officer = Client(site)
    officer.sign_in("dh", "battery staple")
    shown = officer.open("/bodies/BCSB/reminders")
    assert shown.status == 200 and "Cabinet" in shown.text and "Response late" in shown.text, "names, and what is owed"
    assert "@sandwell.example" not in shown.text and ">Address<" not in shown.text and "No address" not in shown.text
    clerk = Client(site)
    clerk.sign_in()
    shown = clerk.open("/bodies/BCSB/reminders")
    assert "cabinet@sandwell.example" in shown.text and ">Address<" in shown.text


def exempt_item(url: str, item_ref: str, addressee: str) -> None:
    record = Scrutiny(url)
    try:
        record.execute({"command": "make_recommendation", "actor": {"id": "u1", "name": "Jo Clerk", "role": "clerk"},
                        "body": "BCSB", "ref": item_ref, "kind": "recommendation", "meeting_date": "2024-02-15",
                        "item": "Staff case", "text": "That the claim be settled.", "exempt": "1",
                        "addressees": [{"name": addressee, "kind": "officer"}]})  # fmt: skip
    finally:
        record.close()


def test_an_item_not_for_publication_opens_only_for_a_clerk_or_the_officer_it_names(site: str, sqlite_url: str) -> None:
    exempt_item(sqlite_url, "EX/1", "Cabinet")
    exempt_item(sqlite_url, "EX/2", "Director of Housing")
    officer = Client(site)
    officer.sign_in("dh", "battery staple")
    guessed = officer.open("/bodies/BCSB/items/EX/1")
    assert guessed.status == 403 and "You cannot do this" in guessed.text
    assert "Only a role that may record everything or an officer the item names may open an item" in guessed.text
    assert "Staff case" not in guessed.text and "claim" not in guessed.text
    theirs = officer.open("/bodies/BCSB/items/EX/2")
    assert theirs.status == 200 and "That the claim be settled." in theirs.text, "the officer it names works on it"
    clerk = Client(site)
    clerk.sign_in()
    assert "That the claim be settled." in clerk.open("/bodies/BCSB/items/EX/1").text


class Outbox:
    """A host's mail that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[Reminder] = []

    def send(self, reminder: Reminder) -> None:
        self.sent.append(reminder)


def test_reminders_sent_for_a_body_no_one_registered_are_a_page_not_found_not_a_failure_to_send(
    sqlite_url: str,
) -> None:
    outbox = Outbox()
    with serving(sqlite_url, mail=lambda on: outbox, contacts=CONTACTS) as site:
        clerk = Client(site)
        clerk.sign_in()
        answer = clerk.open("/bodies/NOPE/reminders", {"token": clerk.token("/bodies/BCSB/reminders")})
        assert answer.status == 404 and "Page not found" in answer.text and "not every reminder" not in answer.text
        assert "no body is registered with the code NOPE" in answer.text
        sent = clerk.open("/bodies/BCSB/reminders", {"token": clerk.token("/bodies/BCSB/reminders")})
        assert sent.status == 200 and "Reminders sent to 1 person." in sent.text, "the council's own body, as before"
        assert [reminder.email for reminder in outbox.sent] == ["cabinet@sandwell.example"], "Cabinet owes responses"


def test_an_officer_who_posts_the_send_button_is_refused_as_on_any_page_their_role_may_not_see(
    sqlite_url: str,
) -> None:
    outbox = Outbox()
    with serving(sqlite_url, mail=lambda on: outbox, contacts=CONTACTS) as site:
        officer = Client(site)
        officer.sign_in("dh", "battery staple")
        answer = officer.open("/bodies/BCSB/reminders", {"token": officer.token("/bodies/BCSB/reminders")})
        assert answer.status == 403 and "You cannot do this" in answer.text
        assert "Only a role that may record everything may send reminders." in answer.text
    assert outbox.sent == []
    record = Scrutiny(sqlite_url)
    try:
        assert [fact.event for fact in record.audit() if "Reminder" in fact.event] == []
    finally:
        record.close()
