"""The example host given what a form never offers, as a prober types it by hand: each is shown beside its field
in words, and nothing is recorded, never a server error."""

from __future__ import annotations

import html
import re
import secrets
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from examples.host_app.importing import LONGEST_POST, THROWN_AWAY

from scrutiny_es import Scrutiny
from tests.e2e.host_site import ref, seed, serving
from tests.e2e.test_host_security import (
    Answer,
    Client,
    Clock,
    progress_form,
    progress_notes,
    progress_page,
    said_recorded,
)
from tests.e2e.test_host_security import sqlite_url as sqlite_url  # the same seeded council, a fixture

MINUTES = Path(__file__).parents[2] / "src" / "scrutiny_es" / "demo" / "minutes-2024-02-15.txt"


@pytest.fixture
def site(sqlite_url: str) -> Iterator[str]:
    with serving(sqlite_url) as address:
        yield address


def facts(url: str) -> int:
    """How many facts the record holds."""
    record = Scrutiny(url)
    try:
        return len(list(record.audit()))
    finally:
        record.close()


def beside(text: str, field: str) -> str:
    """The message the page shows beside a field (GOV.UK's ``FIELD-error``)."""
    found = re.search(rf'id="{re.escape(field)}-error"[^>]*>\s*<span[^>]*>Error:</span>(.*?)</p>', text, re.S)
    assert found is not None, f"no message beside {field}"
    return found[1].strip()


def test_a_day_too_big_for_any_calendar_is_shown_beside_the_date_and_records_nothing(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    client.sign_in()
    form = {**progress_form(client.token(progress_page())), "reported_on-day": "99999999999999999999"}
    answer = client.open("/do/progress", form)
    assert answer.status == 422
    assert beside(answer.text, "reported_on") == (
        "The date of the update must be a real date: 99999999999999999999 3 2024 is not in the calendar"
    )
    assert progress_notes(sqlite_url) == []


def test_a_position_typed_as_a_superscript_digit_is_shown_beside_its_field_and_records_nothing(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    client.sign_in()
    item, before = urllib.parse.quote(ref(3)), facts(sqlite_url)
    form = {"token": client.token(f"/do/retract?body=BCSB&ref={item}"), "of_body": "BCSB", "of_ref": ref(3),
            "position": "²", "reason": "Entered twice"}  # fmt: skip
    answer = client.open("/do/retract", form)
    assert answer.status == 422
    assert beside(answer.text, "position") == "The number of the fact on the card must be a whole number, like 3"
    assert facts(sqlite_url) == before


def upload(client: Client, kind: str, name: str, content: bytes, fields: dict[str, str]) -> Answer:
    """A file posted as the page's form posts it (multipart), with the page's token."""
    boundary = secrets.token_hex(8)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in {"token": client.token(f"/bodies/BCSB/{kind}"), **fields}.items()]  # fmt: skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{client.site}/bodies/BCSB/{kind}", data=b"".join([*parts, f"--{boundary}--\r\n".encode()]),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    try:
        with client.opener.open(request) as done:
            return Answer(done.status, done.geturl(), done.read().decode(), dict(done.headers))
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.geturl(), e.read().decode(), dict(e.headers))


def test_minutes_whose_heading_gives_no_date_are_drafted_and_recorded_for_the_date_the_clerk_enters(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    client.sign_in()
    undated = MINUTES.read_text().replace("Thursday 15 February 2024 at 6.05pm", "Thursday at 6.05pm").encode()
    before, seeded = facts(sqlite_url), {ref(n) for n in range(1, 9)}
    answer = upload(client, "minutes", "minutes.txt", undated, {})
    assert answer.status == 422
    said = beside(answer.text, "meeting_date")
    assert "give the meeting&#39;s date" in said and "--meeting-date" not in answer.text
    wrong = upload(client, "minutes", "minutes.txt", undated, {"meeting_date-day": "30", "meeting_date-month": "2",
                                                               "meeting_date-year": "2024"})  # fmt: skip
    assert wrong.status == 422 and "is not in the calendar" in beside(wrong.text, "meeting_date")
    dated = upload(client, "minutes", "minutes.txt", undated, {"meeting_date-day": "15", "meeting_date-month": "2",
                                                               "meeting_date-year": "2024"})  # fmt: skip
    assert dated.status == 200 and "the meeting of 15 February 2024" in dated.text
    found = re.search(r'action="(/bodies/BCSB/minutes/[0-9a-f]{32})".*?name="token" value="([^"]+)"', dated.text, re.S)
    assert found is not None, "no button to record the draft"
    assert facts(sqlite_url) == before, "nothing recorded before the second click"
    done = client.open(found[1], {"token": found[2]})
    assert done.url == f"{site}/bodies/BCSB" and said_recorded(done)
    record = Scrutiny(sqlite_url)
    try:
        made = [row for row in record.tracker("BCSB") if row.ref not in seeded]
        assert made and {row.meeting_date for row in made} == {date(2024, 2, 15)}
    finally:
        record.close()


def make_recommendation(client: Client, item_ref: str) -> Answer:
    form = {"token": client.token("/do/make-recommendation?body=BCSB"), "of_body": "BCSB", "ref": item_ref,
            "kind": "recommendation", "meeting_date-day": "15", "meeting_date-month": "2", "meeting_date-year": "2024",
            "item": "Parks", "text": "Review the parks strategy", "addressee_1": "Cabinet",
            "addressee_1_kind": "executive"}  # fmt: skip
    return client.open("/do/make-recommendation", form)


@pytest.mark.parametrize("item_ref", ["2024/./7", "2024/../7", "R 7?a=1#b"])
def test_an_item_whose_ref_a_browser_would_shorten_opens_on_its_card_after_recording_and_from_the_tracker(
    site: str, item_ref: str
) -> None:
    client = Client(site)
    client.sign_in()
    made = make_recommendation(client, item_ref)
    assert said_recorded(made), made.url
    assert html.escape(item_ref) in made.text, "the card of the item just made"
    tracker = client.open("/bodies/BCSB?page_number=1")
    (link,) = [urllib.parse.urljoin(f"{site}/bodies/BCSB", href.replace("&amp;", "&"))  # as a browser resolves it
               for found, href in re.findall(r'data-ref="([^"]*)".*?href="([^"]+)"', tracker.text, re.S)
               if found == html.escape(item_ref)]  # fmt: skip
    card = client.open(link.removeprefix(site))
    assert card.status == 200 and "Review the parks strategy" in card.text


def test_a_body_code_with_a_slash_which_no_page_could_show_is_refused_beside_the_code(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    client.sign_in()
    before = facts(sqlite_url)
    form = {"token": client.token("/do/register-body"), "body": "HSP/2", "name": "Health Scrutiny Panel",
            "council": "Sandwell"}  # fmt: skip
    answer = client.open("/do/register-body", form)
    assert answer.status == 422
    assert beside(answer.text, "body") == "The code must not contain a slash (/)"
    assert facts(sqlite_url) == before


def test_a_body_whose_code_has_a_greek_letter_and_a_quote_downloads_its_tracker_and_pack_named_by_its_code(
    site: str,
) -> None:
    client = Client(site)
    client.sign_in()
    form = {"token": client.token("/do/register-body"), "body": 'Ω"1', "name": "Omega Panel", "council": "Sandwell"}
    assert client.open("/do/register-body", form).status == 200
    code = urllib.parse.quote('Ω"1', safe="")
    for path, what in ((f"/bodies/{code}/tracker.csv", "tracker-2024-12-02.csv"),
                       (f"/bodies/{code}/pack?asked=1&day=15&month=2&year=2024&format=html",
                        "pack-2024-02-15.html")):  # fmt: skip
        request = urllib.request.Request(client.site + path)  # noqa: S310 (loopback)
        with client.opener.open(request) as done:
            assert done.status == 200
            assert done.headers["Content-Disposition"] == (
                f"attachment; filename=\"-1-{what}\"; filename*=UTF-8''{code}-{what}"
            )


def test_a_file_checked_for_one_body_is_not_recorded_into_another_nor_as_another_kind(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    client.sign_in()
    form = {"token": client.token("/do/register-body"), "body": "HSP", "name": "Health Scrutiny Panel",
            "council": "Sandwell"}  # fmt: skip
    assert client.open("/do/register-body", form).status == 200
    tracker = b"Date,Item,Recommendation,Lead Officer\n15/02/2024,Parks,Review the parks strategy,Cabinet\n"
    checked = upload(client, "import", "tracker.csv", tracker, {})
    found = re.search(r'action="/bodies/BCSB/import/([0-9a-f]{32})".*?name="token" value="([^"]+)"', checked.text, re.S)
    assert found is not None, "no button to record the file"
    before = facts(sqlite_url)
    for path in (f"/bodies/HSP/import/{found[1]}", f"/bodies/BCSB/minutes/{found[1]}"):
        token = client.token("/bodies/BCSB/import")  # a fresh token of the same session: only the address differs
        answer = client.open(path, {"token": token})
        assert answer.status == 403 and "Nothing was recorded" in answer.text, path
    assert facts(sqlite_url) == before
    assert said_recorded(client.open(f"/bodies/BCSB/import/{found[1]}", {"token": found[2]}))
    assert facts(sqlite_url) > before


@pytest.mark.parametrize(("name", "kept"), [("Ω.csv", "file.csv"), ("会议记录.csv", "file.csv"),
                                           ("a" * 300 + ".csv", "a" * 100 + ".csv")])  # fmt: skip
def test_a_tracker_file_named_in_letters_outside_ascii_or_at_length_is_checked_as_the_csv_it_is(
    site: str, name: str, kept: str
) -> None:
    client = Client(site)
    client.sign_in()
    tracker = b"Date,Item,Recommendation,Lead Officer\n15/02/2024,Parks,Review the parks strategy,Cabinet\n"
    checked = upload(client, "import", name, tracker, {})
    assert checked.status == 200, re.findall(r"Error:</span>(.*?)</p>", checked.text, re.S)
    assert re.search(rf'id="checked">{re.escape(kept)}: 1 fact to record<', checked.text)


def test_the_overdue_list_of_a_body_no_one_registered_is_not_found_rather_than_saying_nothing_is_overdue(
    site: str,
) -> None:
    client = Client(site)
    client.sign_in()
    answer = client.open("/overdue?body=NOPE")
    assert answer.status == 404 and "Nothing is overdue" not in answer.text
    assert "no body is registered with the code NOPE" in answer.text
    assert client.open("/overdue?body=BCSB").status == 200


@pytest.mark.parametrize("list_page", ["/bodies/BCSB", "/overdue"])
@pytest.mark.parametrize("number", ["abc", "99999999999999999999", "2.5"])
def test_a_page_number_no_list_could_have_is_a_page_not_found_in_words(site: str, list_page: str, number: str) -> None:
    client = Client(site)
    client.sign_in()
    answer = client.open(f"{list_page}?page_number={number}")
    assert answer.status == 404 and answer.headers["content-type"].startswith("text/html")
    assert f"There is no page {number} of this list: a page is a whole number, like 2" in answer.text
    assert "offset" not in answer.text
    assert client.open(f"{list_page}?page_number=0").status == 200, "0 or less is the first page, as before"


def test_words_posted_in_another_encoding_than_utf8_are_refused_beside_their_field_not_recorded_garbled(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    client.sign_in()
    form = {key: value for key, value in progress_form(client.token(progress_page())).items() if key != "note"}
    latin1 = urllib.parse.urlencode(form).encode() + b"&note=Caf%E9+reopened"  # "Café reopened" in Latin-1
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{site}/do/progress", data=latin1, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.opener.open(request)
    assert refused.value.code == 422
    said = beside(refused.value.read().decode(), "note")
    assert said == "Some characters in “What has been done” could not be read: type them again"
    assert progress_notes(sqlite_url) == []


def test_a_task_form_opened_before_signing_in_is_the_page_shown_after_it_with_its_item(site: str) -> None:
    client = Client(site)
    address = progress_page()
    sign_in_page = client.open(address)
    assert urllib.parse.urlsplit(sign_in_page.url).path == "/login"
    found = re.search(r'name="next" value="([^"]+)"', sign_in_page.text)
    assert found is not None and html.unescape(found[1]) == address
    form = {"username": "jo", "password": "correct horse", "token": client.token("/login"), "next": address}
    answer = client.open("/login", form)
    assert answer.status == 200 and answer.url == f"{site}{address}"
    assert "Record progress" in answer.text and ref(3) in answer.text


def test_a_username_with_a_nul_is_refused_as_any_wrong_name_on_either_database(db_url: str) -> None:
    seed(db_url, items=1)
    with serving(db_url) as site:
        client = Client(site)
        form = {"username": "jo\x00", "password": "correct horse", "token": client.token("/login"), "next": "/"}
        answer = client.open("/login", form)
        assert answer.status == 401 and "The username or password is not right" in answer.text
        assert client.sign_in().url == f"{site}/"


def first_line(site: str, head: bytes, body: bytes) -> bytes:
    """The status line a server answers a post with, sent by hand: its head and the first part of its body."""
    host, port = site.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head + b"\r\n" + body)
        return connection.recv(4096).split(b"\r\n")[0]  # a server reading the whole post first never answers


def test_a_post_longer_than_any_form_is_refused_and_none_of_it_kept_signed_in_or_not(site: str) -> None:
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="tracker.csv"\r\n\r\n' + b"x" * 1_000_000
    head = (b"POST /bodies/BCSB/import HTTP/1.1\r\nHost: council\r\nContent-Type: multipart/form-data; "
            b"boundary=b\r\nContent-Length: " + str(THROWN_AWAY + 1).encode() + b"\r\n")  # fmt: skip
    assert first_line(site, head, part) == b"HTTP/1.1 413 Request Entity Too Large"
    assert upload(Client(site), "import", "tracker.csv", b"x" * (LONGEST_POST + 1), {}).status == 413, "not signed in"
    chunked = (b"POST /bodies/BCSB/import HTTP/1.1\r\nHost: council\r\nContent-Type: multipart/form-data; "
               b"boundary=b\r\nTransfer-Encoding: chunked\r\n")  # fmt: skip
    assert first_line(site, chunked, b"f4240\r\n" + part[:1000]) == b"HTTP/1.1 411 Length Required"
    client = Client(site)
    client.sign_in()
    too_long = upload(client, "import", "tracker.csv", b"x" * (7 * 1024 * 1024), {})
    assert too_long.status == 413 and "a file must be smaller than 5 MB" in too_long.text


def test_a_page_no_route_has_a_method_no_page_takes_and_a_field_too_long_to_read_are_pages_in_words(
    site: str, sqlite_url: str
) -> None:
    client = Client(site)
    for signed_in in (False, True):
        nothing = client.open("/nothing/here")
        assert nothing.status == 404 and nothing.headers["content-type"].startswith("text/html"), signed_in
        assert "There is no page at this address" in nothing.text and '"detail"' not in nothing.text
        posted = client.open("/overdue", {"a": "b"})
        assert posted.status == 405 and "There is no page at this address" in posted.text
        assert posted.headers["allow"] == "GET", "as HTTP asks"
        client.sign_in()
    form = {**progress_form(client.token(progress_page())), "note": "x" * (2 * 1024 * 1024)}
    answer = client.open("/do/progress", form)
    assert answer.status == 400 and answer.headers["content-type"].startswith("text/html")
    assert "Nothing was recorded" in answer.text and "The form could not be read" in answer.text
    assert progress_notes(sqlite_url) == []


def waiting(upload_id: str) -> list[Path]:
    """Where the server keeps a checked file until it is recorded (its folder is named by the upload's id)."""
    return list(Path(tempfile.gettempdir()).glob(f"scrutiny-host-uploads-*/{upload_id}/*"))


def test_a_checked_file_stays_on_the_server_only_until_another_is_checked_for_its_form_its_token_or_the_server_ends(
    sqlite_url: str,
) -> None:
    clock = Clock()
    tracker = b"Date,Item,Recommendation,Lead Officer\n15/02/2024,Parks,Review the parks strategy,Cabinet\n"
    with serving(sqlite_url, now=clock) as site:
        client = Client(site)
        client.sign_in()
        checked = []
        for name in ("first.csv", "second.csv"):
            page = upload(client, "import", name, tracker, {})
            found = re.search(r'action="/bodies/BCSB/import/([0-9a-f]{32})".*?name="token" value="([^"]+)"', page.text,
                              re.S)  # fmt: skip
            assert found is not None, name
            checked.append((found[1], found[2]))
        (first, first_token), (second, second_token) = checked
        assert waiting(first) == [], "a newer file for the same form replaces it"
        assert [path.name for path in waiting(second)] == ["second.csv"]
        refused = client.open(f"/bodies/BCSB/import/{first}", {"token": first_token})
        assert refused.status == 403 and "Choose the file again" in refused.text
        assert said_recorded(client.open(f"/bodies/BCSB/import/{second}", {"token": second_token}))
        assert waiting(second) == []
        minutes = upload(client, "minutes", "minutes.txt", MINUTES.read_bytes(), {})
        found = re.search(r'action="/bodies/BCSB/minutes/([0-9a-f]{32})"', minutes.text)
        assert found is not None and waiting(found[1])
        for _ in range(5):  # used now and then, past the two hours a page's token lasts
            clock.seconds += 29 * 60
            client.open("/")
        third = upload(client, "import", "third.csv", tracker, {})  # another form's file: the old one goes too
        assert waiting(found[1]) == []
        last = re.search(r'action="/bodies/BCSB/import/([0-9a-f]{32})"', third.text)
        assert last is not None and waiting(last[1])
    assert waiting(last[1]) == [], "nor does any outlive the server"


@pytest.mark.parametrize(("typed", "on"), [(("14th March 2024", "", ""), date(2024, 3, 14)),
                                           (("1 Mar. 2024", "", ""), date(2024, 3, 1)),
                                           (("22nd", "3", "2024"), date(2024, 3, 22))])  # fmt: skip
def test_a_date_written_as_in_a_letter_in_the_day_box_or_with_its_ordinal_is_read(
    site: str, sqlite_url: str, typed: tuple[str, str, str], on: date
) -> None:
    client = Client(site)
    client.sign_in()
    parts = dict(zip(("reported_on-day", "reported_on-month", "reported_on-year"), typed, strict=True))
    assert said_recorded(client.open("/do/progress", {**progress_form(client.token(progress_page())), **parts}))
    record = Scrutiny(sqlite_url)
    try:
        assert [fact.effective_on for fact in record.item("BCSB", ref(3)) if fact.event == "ProgressReported"] == [on]
    finally:
        record.close()


def test_a_written_date_whose_month_is_no_month_says_so_beside_the_date(site: str, sqlite_url: str) -> None:
    client = Client(site)
    client.sign_in()
    form = {**progress_form(client.token(progress_page())), "reported_on-day": "14 Smarch 2024", "reported_on-month": "",
            "reported_on-year": ""}  # fmt: skip
    answer = client.open("/do/progress", form)
    assert answer.status == 422
    assert beside(answer.text, "reported_on") == "The date of the update must be a real date: Smarch is not a month"
    assert progress_notes(sqlite_url) == []
