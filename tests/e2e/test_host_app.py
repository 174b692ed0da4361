"""The example host (examples/host_app) served by uvicorn on a loopback port and used in Chromium, as an officer does.

It shares its engine and session with the record; the browser signs in, reads the tracker a page at a
time, records progress and a response through GOV.UK forms, and sees each refusal beside its field, in
words.
"""

from __future__ import annotations

import http.cookiejar
import io
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from scrutiny_es import Scrutiny
from tests.conftest import fresh_postgres_database
from tests.e2e.host_site import check_page, choose, fill, fill_date, follow, ref, seed, serving, sign_in, start_chromium

ITEMS = 25
"""More than a page (20) of the tracker."""

POSTS = 8


@pytest.fixture
def site(db_url: str) -> Iterator[str]:
    seed(db_url, items=ITEMS)
    with serving(db_url) as address:
        yield address


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium: WebDriver, site: str) -> Iterator[WebDriver]:
    """The browser, signed out when the test ends."""
    yield chromium
    chromium.get(f"{site}/login")
    chromium.delete_all_cookies()


def events_recorded(url: str) -> int:
    record = Scrutiny(url)
    try:
        return len(record.audit())
    finally:
        record.close()


def open_task(browser: WebDriver, site: str, key: str, n: int) -> None:
    browser.get(f"{site}/bodies/BCSB/items/{urllib.parse.quote(ref(n))}")
    follow(browser, browser.find_element(By.ID, f"task-{key}"))


def test_an_officer_signs_in_records_progress_and_sees_it_on_the_tracker(browser: WebDriver, site: str) -> None:
    browser.get(f"{site}/bodies/BCSB")
    assert browser.current_url.startswith(f"{site}/login"), "the tracker is for signed-in officers"
    sign_in(browser, site, password="wrong")
    assert "not right" in browser.find_element(By.ID, "password-error").text
    check_page(browser, "sign-in-refused")
    sign_in(browser, site)
    assert browser.find_element(By.ID, "signed-in").text == "Jo Clerk (scrutiny officer)"

    follow(browser, browser.find_element(By.LINK_TEXT, "BCSB"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(n) for n in range(1, 21)]
    assert "Target date" in browser.find_element(By.CSS_SELECTOR, "#tracker thead").text
    first = rows[0].text
    assert "15 February 2024" in first and "Awaiting response" in first and "2024-02-15 " not in first
    overdue = rows[0].find_element(By.CLASS_NAME, "overdue").text
    assert overdue == "Response late", "the reason in words, not target_date or response"
    check_page(browser, "tracker")
    follow(browser, browser.find_element(By.ID, "next"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(n) for n in range(21, ITEMS + 1)]

    follow(browser, browser.find_element(By.LINK_TEXT, ref(23)))
    check_page(browser, "item")
    follow(browser, browser.find_element(By.ID, "task-progress"))
    assert browser.find_element(By.ID, "reported_by").get_attribute("value") == "Cabinet", (
        "reported by the one responsible, not the clerk signed in"
    )
    assert not [r for r in browser.find_elements(By.NAME, "rag") if r.is_selected()], "no rating chosen for them"
    fill(browser, "note", "Draft fishing policy out to consultation")
    fill_date(browser, "reported_on", "14/03/2024")  # as officers type it
    choose(browser, "rag", "amber")
    check_page(browser, "task-progress")
    follow(browser, browser.find_element(By.ID, "record"))
    assert browser.find_element(By.ID, "recorded").text.endswith("Recorded.")
    assert browser.find_element(By.ID, "recorded-count").text == "1 recorded", "the host's own write, kept with it"
    card = browser.find_element(By.ID, "card").text
    assert "Draft fishing policy out to consultation" in card
    assert "14 March 2024" in card
    assert "Jo Clerk (scrutiny officer)" in card

    browser.get(f"{site}/bodies/BCSB?rag=amber")
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(23)]
    assert rows[0].find_element(By.CLASS_NAME, "notes").text == "Draft fishing policy out to consultation"


def test_a_bad_date_is_shown_beside_its_field_and_in_the_summary_and_nothing_is_recorded(
    browser: WebDriver, site: str, db_url: str
) -> None:
    before = events_recorded(db_url)
    sign_in(browser, site)
    open_task(browser, site, "progress", 2)
    fill(browser, "note", "Policy adopted by Cabinet")
    fill_date(browser, "reported_on", "30", "2", "2024")
    follow(browser, browser.find_element(By.ID, "record"))
    assert "not in the calendar" in browser.find_element(By.ID, "reported_on-error").text
    summary = browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    assert (
        summary.find_element(
            By.LINK_TEXT,
            browser.find_element(By.ID, "reported_on-error").text.removeprefix("Error:\n").removeprefix("Error: "),
        )
        .get_attribute("href")
        .endswith("#reported_on-day")
    )
    assert browser.title.startswith("Error: ")
    assert browser.find_element(By.ID, "note").get_attribute("value") == "Policy adopted by Cabinet"
    assert not browser.find_elements(By.ID, "note-error"), "only the field that is wrong is marked"
    check_page(browser, "task-progress-errors")

    fill_date(browser, "reported_on", "10", "1", "2024")  # before the meeting that made the item
    follow(browser, browser.find_element(By.ID, "record"))
    assert "before the meeting" in browser.find_element(By.ID, "reported_on-error").text
    assert "reported_on" not in browser.find_element(By.ID, "reported_on-error").text

    fill_date(browser, "reported_on", "3", "12", "2024")  # the day after today, by the application's clock
    follow(browser, browser.find_element(By.ID, "record"))
    assert browser.find_element(By.ID, "reported_on-error").text
    assert events_recorded(db_url) == before
    browser.get(f"{site}/bodies/BCSB/items/{ref(2)}")
    assert "Policy adopted by Cabinet" not in browser.find_element(By.ID, "card").text
    assert browser.find_element(By.ID, "recorded-count").text == "0 recorded", "nor the host's own write"


def test_a_response_takes_the_item_off_the_overdue_list(browser: WebDriver, site: str) -> None:
    sign_in(browser, site)
    follow(browser, browser.find_element(By.LINK_TEXT, "Overdue"))
    assert ref(5) in browser.find_element(By.ID, "overdue").text
    check_page(browser, "overdue")

    open_task(browser, site, "respond", 5)
    assert not [r for r in browser.find_elements(By.NAME, "decision") if r.is_selected()], "no decision by default"
    choose(browser, "addressee", "Cabinet")
    fill(browser, "text", "Agreed, subject to funding")
    fill(browser, "responded_by", "Cllr Smith")
    follow(browser, browser.find_element(By.ID, "record"))
    assert browser.find_element(By.ID, "decision-error").text.endswith("Select their decision")
    assert browser.find_element(By.ID, "responded_on-error").text.endswith("Enter date of the response")

    choose(browser, "decision", "partially_accepted")
    fill_date(browser, "responded_on", "2", "4", "2024")
    follow(browser, browser.find_element(By.ID, "record"))
    assert browser.find_element(By.ID, "recorded").text.endswith("Recorded.")
    assert browser.find_element(By.ID, "item-status").text == "Responded"
    follow(browser, browser.find_element(By.LINK_TEXT, "Overdue"))
    overdue = [row.get_attribute("data-ref") for row in browser.find_elements(By.CSS_SELECTOR, "#overdue tbody tr")]
    assert ref(5) not in overdue
    assert ref(6) in overdue

    browser.get(f"{site}/bodies/BCSB")
    choose(browser, "status", "responded")
    follow(browser, browser.find_element(By.ID, "filter"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(5)]
    browser.get(f"{site}/bodies/BCSB?status=adopted")
    error = browser.find_element(By.ID, "status-error").text
    assert "status must be one of" in error and "awaiting response" in error and "awaiting_response" not in error


def test_an_officer_is_offered_only_what_the_policy_lets_them_do(browser: WebDriver, site: str, db_url: str) -> None:
    before = events_recorded(db_url)
    sign_in(browser, site, "dh", "battery staple")
    browser.get(f"{site}/bodies/BCSB")
    assert not browser.find_elements(By.ID, "task-make-recommendation"), "an officer makes no recommendation"
    assert not browser.find_elements(By.ID, "task-pack")
    browser.get(f"{site}/bodies/BCSB/items/{ref(7)}")  # the item names the Cabinet, not the Director of Housing
    assert not browser.find_elements(By.ID, "tasks"), "no form on an item that does not name them"
    browser.get(f"{site}/do/progress?body=BCSB&ref={urllib.parse.quote(ref(7))}")
    assert browser.find_element(By.ID, "problem").text == (
        "Only a scrutiny officer, a democratic services officer, a clerk or the officer the item names may "
        "record progress."
    )
    check_page(browser, "refused")
    browser.get(f"{site}/do/close?body=BCSB&ref={urllib.parse.quote(ref(7))}")
    assert "Only a scrutiny officer" in browser.find_element(By.ID, "problem").text
    assert "close an item" in browser.find_element(By.ID, "problem").text
    browser.get(f"{site}/bodies/BCSB/items/{ref(8)}")  # this one names them
    offered = [link.get_attribute("id") for link in browser.find_elements(By.CSS_SELECTOR, "#tasks a")]
    assert offered == ["task-respond", "task-progress", "task-propose-closure"]
    follow(browser, browser.find_element(By.ID, "task-respond"))
    options = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#addressee option")]
    assert options == ["", "Director of Housing"], "only their own response"
    assert events_recorded(db_url) == before


def test_each_council_served_from_one_database_shows_only_its_own_record(
    chromium: WebDriver, postgres_server: str
) -> None:
    with fresh_postgres_database(postgres_server) as url:
        seed(f"{url}?schema=haringey", "HASC", items=ITEMS)
        seed(f"{url}?schema=camden", "CASC", items=ITEMS)
        with serving(f"{url}?schema=haringey") as haringey, serving(f"{url}?schema=camden") as camden:
            for site, shown, hidden in ((haringey, "HASC", "CASC"), (camden, "CASC", "HASC")):
                sign_in(chromium, site)
                bodies = chromium.find_element(By.TAG_NAME, "main").text
                assert shown in bodies
                assert hidden not in bodies
                follow(chromium, chromium.find_element(By.LINK_TEXT, "Overdue"))
                assert len(chromium.find_elements(By.CSS_SELECTOR, "#overdue tbody tr")) == 20  # a page of its 25
                chromium.delete_all_cookies()


def signed_in_opener(site: str) -> urllib.request.OpenerDirector:
    """A client without a browser, signed in as the clerk (the sign-in form's token and cookie first)."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    page = opener.open(f"{site}/login").read().decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    form = {"username": "jo", "password": "correct horse", "token": token[1]}
    opener.open(f"{site}/login", urllib.parse.urlencode(form).encode())
    return opener


def form_token(opener: urllib.request.OpenerDirector, address: str) -> str:
    token = re.search(r'name="token" value="([0-9a-f]+)"', opener.open(address).read().decode())
    assert token is not None
    return token[1]


def test_eight_officers_posting_to_one_item_at_once_are_all_recorded(site: str, db_url: str) -> None:
    """Through the web server's own threads: each post is one unit of work, run again if it clashed."""
    opener = signed_in_opener(site)
    form_page = f"{site}/do/progress?body=BCSB&ref={urllib.parse.quote(ref(9))}"
    tokens = [form_token(opener, form_page) for _ in range(POSTS)]  # each form its own token, good once
    before = events_recorded(db_url)
    start = threading.Barrier(POSTS)
    answers: list[int] = []

    def post(n: int) -> None:
        form = {"token": tokens[n], "of_body": "BCSB", "of_ref": ref(9), "note": f"Post {n}", "reported_on-day": "1",
                "reported_on-month": "3", "reported_on-year": "2024", "reported_by": "Jo Clerk"}  # fmt: skip
        start.wait()
        with opener.open(f"{site}/do/progress", urllib.parse.urlencode(form).encode()) as done:
            answers.append(done.status)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * POSTS  # each redirected to the card
    record = Scrutiny(db_url)
    notes = [fact.text for fact in record.item("BCSB", ref(9)) if fact.event == "ProgressReported"]
    record.close()
    assert sorted(notes) == sorted(f"Post {n}" for n in range(POSTS))
    assert events_recorded(db_url) == before + POSTS
    page = opener.open(f"{site}/").read().decode()
    assert f"{POSTS} recorded" in page, "the host's own count, kept with each of them"


def test_an_exempt_item_is_left_off_the_hosts_pages_with_a_line_saying_so(site: str, db_url: str) -> None:
    record = Scrutiny(db_url)
    record.execute({"command": "make_recommendation", "actor": {"id": "u1", "name": "Jo Clerk", "role": "clerk"},
                    "body": "BCSB", "ref": "EX/1", "kind": "recommendation", "meeting_date": "2024-02-15",
                    "item": "Staff case", "text": "That the claim be settled.", "target_date": "2024-03-01",
                    "addressees": [{"name": "Cabinet", "kind": "executive"}], "exempt": "1"})  # fmt: skip
    record.close()
    opener = signed_in_opener(site)
    said = "1 item is exempt under Schedule 12A to the Local Government Act 1972 and not shown."
    for address in (f"{site}/bodies/BCSB", f"{site}/bodies/BCSB?page_number=2", f"{site}/overdue"):
        page = opener.open(address).read().decode()
        assert f'<p class="govuk-body" id="withheld">{said}</p>' in page, address
        assert "Staff case" not in page and "EX/1" not in page, address
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(opener.open(f"{site}/bodies/BCSB/tracker.xlsx").read()))["Tracker"]
    lines = list(workbook.iter_rows(values_only=True))
    assert lines[-1][0] == said and not any("EX/1" in str(line[0]) for line in lines)
    card = opener.open(f"{site}/bodies/BCSB/items/EX/1").read().decode()  # by its address, an officer works on it
    assert "Staff case" in card and "paragraph 1 of Part 1 of Schedule 12A" in card
