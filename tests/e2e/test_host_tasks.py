"""Every task of a clerk's year, done in the example host in Chromium, on SQLite and on PostgreSQL.

A new body is registered, a meeting scheduled, a recommendation made and followed through to its
closing, reopened, corrected, and the meeting pack and the tracker downloaded; each page is kept as a screenshot and
checked by axe-core against WCAG 2.2 A and AA.
"""

from __future__ import annotations

import csv
import io
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from scrutiny_es import Scrutiny
from tests.e2e.host_site import check_page, choose, fill, fill_date, follow, seed, serving, sign_in, start_chromium
from tests.unit.tracker_files import csv_file

REF = "2024-03-27/1"
MINUTES = Path(__file__).parents[2] / "src" / "scrutiny_es" / "demo" / "minutes-2024-02-15.txt"


@pytest.fixture
def site(db_url: str) -> Iterator[str]:
    seed(db_url, items=1)
    with serving(db_url) as address:
        yield address


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[WebDriver]:
    driver = start_chromium(tmp_path / "profile")
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path / "down")})
    yield driver
    driver.quit()


def do(driver: WebDriver, key: str, fields: dict[str, str | tuple[str, ...]], backend: str) -> None:
    """Opens the task from the item's page, fills it in, checks the page, and records it."""
    driver.get(f"{driver.current_url.split('/bodies/')[0]}/bodies/NEWB/items/{urllib.parse.quote(REF)}")
    follow(driver, driver.find_element(By.ID, f"task-{key}"))
    fill_in(driver, fields)
    check_page(driver, f"{backend}-task-{key}")
    follow(driver, driver.find_element(By.ID, "record"))
    problems = driver.find_elements(By.CLASS_NAME, "govuk-error-summary")
    assert not problems, f"{key}: {problems[0].text}"
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")


def fill_in(driver: WebDriver, fields: dict[str, str | tuple[str, ...]]) -> None:
    for name, value in fields.items():
        if isinstance(value, tuple):
            fill_date(driver, name, *value)
        elif name.startswith("="):
            choose(driver, name[1:], value)
        else:
            fill(driver, name, value)


def test_a_clerk_does_every_task_in_the_browser(chromium: WebDriver, site: str, db_url: str, tmp_path: Path) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    driver = chromium
    sign_in(driver, site)
    check_page(driver, f"{backend}-bodies")
    follow(driver, driver.find_element(By.ID, "task-register-body"))
    fill_in(driver, {"body": "NEWB", "name": "Neighbourhoods Scrutiny Board", "council": "Sandwell"})
    check_page(driver, f"{backend}-task-register-body")
    follow(driver, driver.find_element(By.ID, "record"))
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Neighbourhoods Scrutiny Board")

    follow(driver, driver.find_element(By.ID, "task-schedule-meeting"))
    fill_in(driver, {"meeting_date": ("27/03/2024",)})
    follow(driver, driver.find_element(By.ID, "record"))
    follow(driver, driver.find_element(By.ID, "task-make-recommendation"))
    fill_in(driver, {"ref": REF, "=kind": "recommendation", "meeting_date": ("27", "3", "2024"), "item": "Fly-tipping",
                     "minute": "45", "text": "That the Cabinet funds two more enforcement officers.",
                     "addressee_1": "Cabinet", "=addressee_1_kind": "executive",
                     "addressee_2": "Director of Housing", "=addressee_2_kind": "officer"})  # fmt: skip
    check_page(driver, f"{backend}-task-make-recommendation")
    follow(driver, driver.find_element(By.ID, "record"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Fly-tipping"

    do(driver, "refer", {"=addressee": "Cabinet", "received_on": ("28", "3", "2024")}, backend)
    assert "27 May 2024" in driver.find_element(By.ID, "summary").text, "the response due, two months on"
    do(driver, "extend", {"=addressee": "Cabinet", "response_due": ("30", "6", "2024"), "reason": "Budget round",
                          "agreed_by": "Chair", "decided_on": ("1", "5", "2024")}, backend)  # fmt: skip
    do(driver, "respond", {"=addressee": "Cabinet", "=decision": "accepted", "text": "Two officers from July",
                           "responded_on": ("10", "6", "2024"), "responded_by": "Cllr Smith",
                           "target_date": ("30", "9", "2024")}, backend)  # fmt: skip
    do(driver, "progress", {"note": "One officer in post", "reported_on": ("1", "7", "2024"), "=rag": "amber"},
       backend)  # fmt: skip
    do(driver, "revise-target", {"target_date": ("31", "10", "2024"), "reason": "Recruitment slower",
                                 "decided_by": "The board", "decided_on": ("15", "7", "2024")}, backend)  # fmt: skip
    do(driver, "defer", {"reason": "Awaiting the recruitment", "decided_on": ("20", "7", "2024"), "minute": "51"},
       backend)  # fmt: skip
    do(driver, "reaffirm", {"decided_on": ("5", "9", "2024"), "minute": "60", "note": "Still wanted"}, backend)
    do(driver, "escalate", {"action": "Call the Cabinet member in", "decided_on": ("10", "9", "2024")}, backend)
    do(driver, "propose-closure", {"=outcome": "implemented", "proposed_by": "Director of Housing",
                                   "proposed_on": ("1", "10", "2024")}, backend)  # fmt: skip
    do(driver, "close", {"=outcome": "implemented", "decided_on": ("15", "10", "2024"), "minute": "70"}, backend)
    assert driver.find_element(By.ID, "item-status").text == "Closed"
    do(driver, "reopen", {"reason": "Officers left", "decided_on": ("20", "10", "2024")}, backend)
    do(driver, "correct", {"=field": "item", "value": "Fly-tipping enforcement", "reason": "Title as minuted"},
       backend)  # fmt: skip
    assert driver.find_element(By.TAG_NAME, "h1").text == "Fly-tipping enforcement"
    check_page(driver, f"{backend}-item")
    progress = [row for row in driver.find_elements(By.CSS_SELECTOR, "#card tbody tr") if "One officer" in row.text]
    position = progress[0].find_element(By.TAG_NAME, "td").text
    do(driver, "retract", {"position": position, "reason": "Reported in error"}, backend)

    record = Scrutiny(db_url)
    events = [e.event for e in record.audit(body="NEWB")]
    record.close()
    assert len(events) == 16, events  # one for each of the 16 tasks above, and nothing else

    driver.get(f"{site}/bodies/NEWB")
    follow(driver, driver.find_element(By.ID, "task-pack"))
    follow(driver, driver.find_element(By.ID, "download"))
    assert "Enter the date of the meeting" in driver.find_element(By.ID, "meeting-error").text
    check_page(driver, f"{backend}-pack-errors")
    downloads = tmp_path / "down"
    for fmt, suffix, starts in (("docx", "docx", b"PK"), ("html", "html", b"<")):
        fill_date(driver, "meeting", "27/11/2024")
        choose(driver, "format", fmt)
        driver.find_element(By.ID, "download").click()
        wanted = downloads / f"NEWB-pack-2024-11-27.{suffix}"
        for _ in range(100):
            if wanted.exists() and wanted.stat().st_size:
                break
            time.sleep(0.1)
        assert wanted.read_bytes().lstrip()[:2].startswith(starts[:1]), fmt
    assert b"Fly-tipping enforcement" in (downloads / "NEWB-pack-2024-11-27.html").read_bytes()

    driver.get(f"{site}/bodies/NEWB")
    for fmt in ("csv", "xlsx"):
        driver.find_element(By.ID, f"download-{fmt}").click()
        wanted = downloads / f"NEWB-tracker-2024-12-02.{fmt}"
        for _ in range(100):
            if wanted.exists() and wanted.stat().st_size:
                break
            time.sleep(0.1)
    table = list(csv.reader(io.StringIO((downloads / "NEWB-tracker-2024-12-02.csv").read_text("utf-8-sig"))))
    assert table[0] == ["Ref", "Date", "Item", "Recommendation/Action", "Responsible Person", "Response", "Notes",
                        "Status", "Target date"]  # fmt: skip
    assert table[1][:3] == [REF, "27 March 2024", "Fly-tipping enforcement"]
    assert table[1][5] == "Accepted" and table[1][8] == "31 October 2024"
    sheet = openpyxl.load_workbook(downloads / "NEWB-tracker-2024-12-02.xlsx").active
    assert sheet is not None
    assert [c.value for c in sheet[3]] == table[1]


def test_a_tracker_file_is_checked_then_recorded_from_the_browser(chromium: WebDriver, site: str, db_url: str,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    driver = chromium
    bad = csv_file(tmp_path / "bad tracker.csv", [["Date", "Item", "Recommendation", "Lead Officer"],
                                                  ["31/02/2023", "Parks", "That parks open late.", "Matt Huggins"]])  # fmt: skip
    good = csv_file(tmp_path / "tracker.csv", [["Date", "Item", "Recommendation", "Lead Officer"],
                                               ["01/03/2023", "Pools", "That pools open early.", "Matt Huggins"],
                                               ["01/03/2023", "Parks", "That parks open late.", "Matt Huggins"]])  # fmt: skip
    sign_in(driver, site)
    driver.get(f"{site}/bodies/BCSB")
    follow(driver, driver.find_element(By.ID, "task-import"))
    check_page(driver, f"{backend}-import")
    follow(driver, driver.find_element(By.ID, "check-file"))
    assert driver.find_element(By.ID, "file-error").text.endswith("Select a tracker file")

    driver.find_element(By.ID, "file").send_keys(str(bad))
    follow(driver, driver.find_element(By.ID, "check-file"))
    assert "line 2, column “Date”: “31/02/2023”" in driver.find_element(By.ID, "unreadable").text
    assert not driver.find_elements(By.ID, "record-import"), "nothing to record while a cell cannot be read"

    driver.get(f"{site}/bodies/BCSB/import")
    driver.find_element(By.ID, "file").send_keys(str(good))
    follow(driver, driver.find_element(By.ID, "check-file"))
    planned = driver.find_element(By.ID, "plan").text
    assert "line 2" in planned and "line 3" in planned and "Make recommendation" in planned
    check_page(driver, f"{backend}-import-checked")
    record = Scrutiny(db_url)
    assert [r.item for r in record.tracker("BCSB")] == ["Item 01"], "the check records nothing"
    record.close()
    follow(driver, driver.find_element(By.ID, "record-import"))
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")
    record = Scrutiny(db_url)
    assert sorted(r.item for r in record.tracker("BCSB")) == ["Item 01", "Parks", "Pools"]
    record.close()


def test_a_meetings_minutes_are_drafted_shown_and_then_recorded(chromium: WebDriver, site: str, db_url: str) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    driver = chromium
    sign_in(driver, site)
    driver.get(f"{site}/bodies/BCSB")
    follow(driver, driver.find_element(By.ID, "task-minutes"))
    driver.find_element(By.ID, "file").send_keys(str(MINUTES))
    follow(driver, driver.find_element(By.ID, "check-file"))
    assert "the meeting of 15 February 2024" in driver.find_element(By.ID, "checked").text
    draft = driver.find_element(By.ID, "draft").text
    assert "19/24" in draft and "Recommendation" in draft
    check_page(driver, f"{backend}-minutes-drafted")
    record = Scrutiny(db_url)
    before = len(record.audit())
    record.close()
    follow(driver, driver.find_element(By.ID, "record-minutes"))
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")
    record = Scrutiny(db_url)
    made = [e for e in record.audit()[before:] if e.event == "Made"]
    record.close()
    assert made, "the drafted recommendations are recorded"
