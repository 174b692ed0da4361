"""The example host (examples/host_app) served by uvicorn on a loopback port and used in Chromium, as an officer does.

It shares its engine and session with the record; the browser signs in, reads the tracker a page at a
time, records progress and a response through the forms, and sees each refusal beside its field.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from examples.host_app.app import council_engine, create_app
from examples.host_app.users import add_user, metadata
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy.orm import scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, fresh_postgres_database, make, register

ITEMS = 25
"""More than a page (20) of the tracker."""

POSTS = 8


def ref(n: int) -> str:
    return f"2024-02-15/{n:02}"  # refs are ordered as text


def seed(url: str, body: str = "BCSB") -> None:
    """A body with 25 items, each referred to the Cabinet; two officers who may sign in."""
    engine = council_engine(url)
    metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    record = Scrutiny(session=session, clock=FixedClock())
    record.execute(register(body))
    for n in range(1, ITEMS + 1):
        record.execute(make(ref(n), body=body, item=f"Item {n:02}"))
        record.execute(command("refer", body=body, ref=ref(n), addressee="Cabinet", received_on="2024-02-20"))
    add_user(session, "jo", "correct horse", "Jo Clerk", "scrutiny officer")
    add_user(session, "dh", "battery staple", "Director of Housing", "officer")
    session.commit()
    session.remove()
    record.close()
    engine.dispose()


@contextmanager
def serving(url: str) -> Iterator[str]:
    """The example host over ``url``, started with uvicorn in a thread on a free loopback port; its address."""
    app = create_app(url, secret="a test secret", clock=FixedClock())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        thread.join(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        listening.close()


@pytest.fixture
def site(db_url: str) -> Iterator[str]:
    seed(db_url)
    with serving(db_url) as address:
        yield address


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Debian's Chromium, headless, driven by its chromedriver."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert chromium, "Chromium is needed for this test: apt-get install chromium (make test installs it)"
    assert driver_path, "chromedriver is needed for this test: apt-get install chromium-driver (make test installs it)"
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium: WebDriver, site: str) -> Iterator[WebDriver]:
    """The browser, signed out when the test ends (every site here is on 127.0.0.1, so they share cookies)."""
    yield chromium
    chromium.get(f"{site}/login")
    chromium.delete_all_cookies()


def sign_in(browser: WebDriver, site: str, username: str = "jo", password: str = "correct horse") -> None:
    browser.get(f"{site}/login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    follow(browser, browser.find_element(By.ID, "sign-in"))


def follow(browser: WebDriver, element: WebElement) -> None:
    """Clicks a link or a form's button and waits for the page it leads to, so nothing is read from the old one."""
    element.click()
    WebDriverWait(browser, 10).until(staleness_of(element))


def fill(browser: WebDriver, field: str, value: str) -> None:
    element = browser.find_element(By.ID, field)
    element.clear()
    element.send_keys(value)


def events_recorded(url: str) -> int:
    record = Scrutiny(url)
    try:
        return len(record.audit())
    finally:
        record.close()


def test_an_officer_signs_in_records_progress_and_sees_it_on_the_tracker(browser: WebDriver, site: str) -> None:
    browser.get(f"{site}/bodies/BCSB")
    assert browser.current_url.startswith(f"{site}/login"), "the tracker is for signed-in officers"
    sign_in(browser, site, password="wrong")
    assert "do not match" in browser.find_element(By.ID, "password-error").text
    sign_in(browser, site)
    assert browser.find_element(By.ID, "signed-in").text == "Jo Clerk (scrutiny officer)"

    follow(browser, browser.find_element(By.LINK_TEXT, "BCSB"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(n) for n in range(1, 21)]
    follow(browser, browser.find_element(By.ID, "next"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(n) for n in range(21, ITEMS + 1)]

    follow(browser, browser.find_element(By.LINK_TEXT, ref(23)))
    fill(browser, "progress-note", "Draft fishing policy out to consultation")
    fill(browser, "progress-reported_on", "2024-03-14")
    Select(browser.find_element(By.ID, "progress-rag")).select_by_value("amber")
    follow(browser, browser.find_element(By.ID, "record-progress"))
    assert browser.find_element(By.ID, "recorded").text == "Recorded."
    assert browser.find_element(By.ID, "recorded-count").text == "1 recorded", "the host's own write, kept with it"
    card = browser.find_element(By.ID, "card").text
    assert "Draft fishing policy out to consultation" in card
    assert "Jo Clerk (scrutiny officer)" in card

    browser.get(f"{site}/bodies/BCSB?rag=amber")
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(23)]
    assert rows[0].find_element(By.CLASS_NAME, "notes").text == "Draft fishing policy out to consultation"


def test_a_bad_date_is_shown_beside_its_field_and_nothing_is_recorded(
    browser: WebDriver, site: str, db_url: str
) -> None:
    before = events_recorded(db_url)
    sign_in(browser, site)
    browser.get(f"{site}/bodies/BCSB/items/{ref(2)}")
    fill(browser, "progress-note", "Policy adopted by Cabinet")
    fill(browser, "progress-reported_on", "2024-02-30")
    follow(browser, browser.find_element(By.ID, "record-progress"))
    assert "not a date in the calendar" in browser.find_element(By.ID, "progress-reported_on-error").text
    assert browser.find_element(By.ID, "progress-note").get_attribute("value") == "Policy adopted by Cabinet"
    assert not browser.find_elements(By.ID, "progress-note-error"), "only the field that is wrong is marked"

    fill(browser, "progress-reported_on", "2024-01-10")  # before the meeting that made the item
    follow(browser, browser.find_element(By.ID, "record-progress"))
    assert "before the meeting" in browser.find_element(By.ID, "progress-reported_on-error").text

    fill(browser, "progress-reported_on", "2024-12-03")  # the day after today, by the application's clock
    follow(browser, browser.find_element(By.ID, "record-progress"))
    assert browser.find_element(By.ID, "progress-reported_on-error").text
    assert "Policy adopted by Cabinet" not in browser.find_element(By.ID, "card").text
    assert events_recorded(db_url) == before
    browser.get(f"{site}/bodies/BCSB/items/{ref(2)}")
    assert browser.find_element(By.ID, "recorded-count").text == "0 recorded", "nor the host's own write"


def test_a_response_takes_the_item_off_the_overdue_list(browser: WebDriver, site: str) -> None:
    sign_in(browser, site)
    follow(browser, browser.find_element(By.LINK_TEXT, "Overdue"))
    assert ref(5) in browser.find_element(By.ID, "overdue").text

    browser.get(f"{site}/bodies/BCSB/items/{ref(5)}")
    Select(browser.find_element(By.ID, "response-addressee")).select_by_visible_text("Cabinet")
    Select(browser.find_element(By.ID, "response-decision")).select_by_value("partially_accepted")
    fill(browser, "response-text", "Agreed, subject to funding")
    fill(browser, "response-responded_by", "Cllr Smith")
    follow(browser, browser.find_element(By.ID, "record-response"))
    assert "is required" in browser.find_element(By.ID, "response-responded_on-error").text

    fill(browser, "response-responded_on", "2024-04-02")
    follow(browser, browser.find_element(By.ID, "record-response"))
    assert browser.find_element(By.ID, "recorded").text == "Recorded."
    assert browser.find_element(By.ID, "item-status").text == "responded"
    follow(browser, browser.find_element(By.LINK_TEXT, "Overdue"))
    overdue = [row.text.split()[1] for row in browser.find_elements(By.CSS_SELECTOR, "#overdue tbody tr")]
    assert ref(5) not in overdue
    assert ref(6) in overdue

    browser.get(f"{site}/bodies/BCSB")
    Select(browser.find_element(By.ID, "status")).select_by_value("responded")
    follow(browser, browser.find_element(By.ID, "filter"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#tracker tbody tr")
    assert [row.get_attribute("data-ref") for row in rows] == [ref(5)]
    browser.get(f"{site}/bodies/BCSB?status=adopted")
    assert "status must be one of" in browser.find_element(By.ID, "status-error").text


def test_an_officer_may_record_only_on_items_that_name_them(browser: WebDriver, site: str, db_url: str) -> None:
    before = events_recorded(db_url)
    sign_in(browser, site, "dh", "battery staple")
    browser.get(f"{site}/bodies/BCSB/items/{ref(7)}")  # the item names the Director of Housing
    fill(browser, "progress-note", "Officers have drafted the policy")
    fill(browser, "progress-reported_on", "2024-03-01")
    follow(browser, browser.find_element(By.ID, "record-progress"))
    assert browser.find_element(By.ID, "recorded").text == "Recorded."

    Select(browser.find_element(By.ID, "response-addressee")).select_by_visible_text("Cabinet")
    fill(browser, "response-text", "Agreed")
    fill(browser, "response-responded_on", "2024-03-01")
    fill(browser, "response-responded_by", "Director of Housing")
    follow(browser, browser.find_element(By.ID, "record-response"))
    refused = browser.find_element(By.ID, "response-addressee-error").text
    assert refused == "Director of Housing (officer) may not record a response for Cabinet", "only their own"
    assert events_recorded(db_url) == before + 1


def test_each_council_served_from_one_database_shows_only_its_own_record(
    chromium: WebDriver, postgres_server: str
) -> None:
    with fresh_postgres_database(postgres_server) as url:
        seed(f"{url}?schema=haringey", "HASC")
        seed(f"{url}?schema=camden", "CASC")
        with serving(f"{url}?schema=haringey") as haringey, serving(f"{url}?schema=camden") as camden:
            for site, shown, hidden in ((haringey, "HASC", "CASC"), (camden, "CASC", "HASC")):
                sign_in(chromium, site)
                bodies = chromium.find_element(By.TAG_NAME, "main").text
                assert shown in bodies
                assert hidden not in bodies
                follow(chromium, chromium.find_element(By.LINK_TEXT, "Overdue"))
                assert len(chromium.find_elements(By.CSS_SELECTOR, "#overdue tbody tr")) == 20  # a page of its 25
                chromium.delete_all_cookies()


def test_eight_officers_posting_to_one_item_at_once_are_all_recorded(site: str, db_url: str) -> None:
    """Through the web server's own threads: each post is one unit of work, run again if it clashed."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    opener.open(f"{site}/login", urllib.parse.urlencode({"username": "jo", "password": "correct horse"}).encode())
    card = opener.open(f"{site}/bodies/BCSB/items/{ref(9)}").read().decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', card)
    assert token is not None
    before = events_recorded(db_url)
    start = threading.Barrier(POSTS)
    answers: list[int] = []

    def post(n: int) -> None:
        form = {"token": token[1], "note": f"Post {n}", "reported_on": "2024-03-01", "reported_by": "Jo Clerk"}
        start.wait()
        with opener.open(f"{site}/bodies/BCSB/items/{ref(9)}/progress", urllib.parse.urlencode(form).encode()) as done:
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
