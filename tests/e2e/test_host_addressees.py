"""Who is responsible for an item, changed by the board's decision in the example host, in Chromium.

A clerk adds a partner, passes a director's part to their successor and takes the partner off again,
each from the item's page, and the item then names who is responsible; taking off the only one, or adding
someone the item names already, is refused in words beside the field and in the error summary, and
nothing is recorded. Each page passes axe-core.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from scrutiny_es import Scrutiny
from tests.e2e.host_site import check_page, choose, fill, fill_date, follow, ref, seed, serving, sign_in, start_chromium

BOTH = 1
"""An item for the Cabinet and the Director of Housing."""

ONLY_CABINET = 7
"""An item for the Cabinet alone (every seventh of the seed)."""


@pytest.fixture
def site(db_url: str) -> Iterator[str]:
    seed(db_url, items=ONLY_CABINET)
    with serving(db_url) as address:
        yield address


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[WebDriver]:
    driver = start_chromium(tmp_path / "profile")
    yield driver
    driver.quit()


def open_task(driver: WebDriver, site: str, key: str, n: int) -> None:
    """The form, as a clerk finds it: from the item's page."""
    driver.get(f"{site}/bodies/BCSB/items/{urllib.parse.quote(ref(n))}")
    follow(driver, driver.find_element(By.ID, f"task-{key}"))


def responsible(driver: WebDriver) -> str:
    rows = driver.find_elements(By.CSS_SELECTOR, "#summary .govuk-summary-list__row")
    (row,) = [r for r in rows if r.find_element(By.TAG_NAME, "dt").text == "Responsible"]
    return str(row.find_element(By.TAG_NAME, "dd").text)


def events(url: str) -> list[str]:
    record = Scrutiny(url)
    try:
        return [e.event for e in record.audit(body="BCSB")]
    finally:
        record.close()


def summary_link(driver: WebDriver, field: str, to: str = "") -> str:
    """The error summary's words for a field, checked to lead to it (``to``: a date's day box), and the same words
    beside it."""
    summary = driver.find_element(By.CLASS_NAME, "govuk-error-summary")
    beside = driver.find_element(By.ID, f"{field}-error").text.removeprefix("Error:\n").removeprefix("Error: ")
    link = summary.find_element(By.LINK_TEXT, beside)
    assert str(link.get_attribute("href")).endswith(f"#{to or field}")
    return str(beside)


def test_a_clerk_adds_replaces_and_removes_addressees_and_the_item_names_who_is_responsible(
    chromium: WebDriver, site: str, db_url: str
) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    driver = chromium
    sign_in(driver, site)
    before = events(db_url)

    open_task(driver, site, "add-addressee", BOTH)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Add someone responsible"
    fill(driver, "addressee_name", "West Midlands Police")
    choose(driver, "addressee_kind", "partner")
    fill_date(driver, "decided_on", "1", "3", "2024")
    fill(driver, "reason", "The police patrol the parks")
    check_page(driver, f"{backend}-task-add-addressee")
    follow(driver, driver.find_element(By.ID, "record"))
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")
    assert responsible(driver) == "Cabinet, Director of Housing, West Midlands Police"

    open_task(driver, site, "replace-addressee", BOTH)
    options = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#addressee option")]
    assert options == ["", "Cabinet", "Director of Housing", "West Midlands Police"], "the item's addressees"
    choose(driver, "addressee", "Director of Housing")
    fill(driver, "successor_name", "Sam Patel")
    choose(driver, "successor_kind", "officer")
    fill(driver, "successor_role", "Director of Communities")
    fill(driver, "reason", "Housing's parks passed to Communities")
    fill_date(driver, "decided_on", "14/03/2024")  # as officers type it
    check_page(driver, f"{backend}-task-replace-addressee")
    follow(driver, driver.find_element(By.ID, "record"))
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")
    assert responsible(driver) == "Cabinet, Sam Patel, West Midlands Police"

    open_task(driver, site, "remove-addressee", BOTH)
    choose(driver, "addressee", "West Midlands Police")
    fill(driver, "reason", "The parks are patrolled by wardens now")
    fill_date(driver, "decided_on", "2", "4", "2024")
    check_page(driver, f"{backend}-task-remove-addressee")
    follow(driver, driver.find_element(By.ID, "record"))
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")
    assert responsible(driver) == "Cabinet, Sam Patel"
    card = driver.find_element(By.ID, "card").text
    for said in ("West Midlands Police", "Sam Patel", "The parks are patrolled by wardens now"):
        assert said in card
    assert "2 April 2024" in card
    check_page(driver, f"{backend}-item-addressees-changed")

    assert events(db_url) == [*before, "AddresseeAdded", "AddresseeReplaced", "AddresseeRemoved"]
    record = Scrutiny(db_url)
    try:
        item = record.recommendation("BCSB", ref(BOTH))
        added = [e for e in record.audit(body="BCSB") if e.event == "AddresseeAdded"]
    finally:
        record.close()
    assert [(a.name, a.kind, a.role) for a in item.addressees] == [
        ("Cabinet", "executive", None),
        ("Sam Patel", "officer", "Director of Communities"),
    ]
    assert "West Midlands Police" in added[0].summary and "The police patrol the parks" in added[0].summary


def test_taking_off_the_only_addressee_is_refused_in_the_error_summary_and_nothing_is_recorded(
    chromium: WebDriver, site: str, db_url: str
) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    driver = chromium
    sign_in(driver, site)
    before = events(db_url)

    open_task(driver, site, "remove-addressee", ONLY_CABINET)
    choose(driver, "addressee", "Cabinet")
    fill(driver, "reason", "Cabinet delegated it")
    fill_date(driver, "decided_on", "1", "3", "2024")
    follow(driver, driver.find_element(By.ID, "record"))
    assert driver.title.startswith("Error: ")
    refused = summary_link(driver, "addressee")
    assert "Cabinet is the only addressee" in refused
    assert "“Pass someone's part to another”" in refused, "the form to use instead, by its title"
    assert "_" not in refused, "no command's or field's code"
    assert driver.find_element(By.ID, "reason").get_attribute("value") == "Cabinet delegated it", (
        "what was typed is kept"
    )
    check_page(driver, f"{backend}-task-remove-addressee-refused")

    open_task(driver, site, "add-addressee", ONLY_CABINET)
    fill(driver, "addressee_name", "Cabinet")
    choose(driver, "addressee_kind", "executive")
    fill_date(driver, "decided_on", "1", "3", "2024")
    follow(driver, driver.find_element(By.ID, "record"))
    assert "Cabinet is already an addressee" in summary_link(driver, "addressee_name")
    check_page(driver, f"{backend}-task-add-addressee-refused")

    open_task(driver, site, "replace-addressee", ONLY_CABINET)
    choose(driver, "addressee", "Cabinet")
    fill(driver, "reason", "A new Cabinet member")
    follow(driver, driver.find_element(By.ID, "record"))
    assert summary_link(driver, "successor_name") == "Enter who takes it over"
    assert summary_link(driver, "successor_kind") == "Select what kind of body or person they are"
    assert summary_link(driver, "decided_on", "decided_on-day") == "Enter date of the decision"
    assert not driver.find_elements(By.ID, "successor_role-error"), "their job title may be left out"
    check_page(driver, f"{backend}-task-replace-addressee-errors")

    driver.get(f"{site}/bodies/BCSB/items/{urllib.parse.quote(ref(ONLY_CABINET))}")
    assert responsible(driver) == "Cabinet"
    assert events(db_url) == before


def test_an_officer_is_not_offered_the_board_s_changes_of_addressees(chromium: WebDriver, site: str) -> None:
    sign_in(chromium, site, "dh", "battery staple")
    chromium.get(f"{site}/bodies/BCSB/items/{urllib.parse.quote(ref(BOTH))}")  # an item that names them
    offered = [link.get_attribute("id") for link in chromium.find_elements(By.CSS_SELECTOR, "#tasks a")]
    assert not [key for key in offered if "addressee" in str(key)]
    chromium.get(f"{site}/do/remove-addressee?body=BCSB&ref={urllib.parse.quote(ref(BOTH))}")
    assert chromium.find_element(By.ID, "problem").text == (
        "Only a scrutiny officer, a democratic services officer or a clerk may take someone off an item."
    )
