"""The example host for those who use a keyboard alone, or a narrow screen (WCAG 2.2 AA: 2.1.1, 2.4.7, 1.4.10).

A whole task is done with the Tab, Space and Enter keys, each stop showing where the focus is; every
page fits 320 CSS pixels without scrolling sideways (a wide table scrolls in its own region) and still
passes axe-core.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from scrutiny_es import Scrutiny
from tests.e2e.host_site import check_page, left, ref, seed, serving, sign_in, start_chromium


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    seed(url, items=3)
    with serving(url) as address:
        yield address


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[WebDriver]:
    driver = start_chromium(tmp_path / "profile")
    yield driver
    driver.quit()


def focused(driver: WebDriver) -> str:
    return str(driver.execute_script("return document.activeElement.id || document.activeElement.textContent"))


def tab_to(driver: WebDriver, wanted: str, most: int = 60) -> None:
    """Presses Tab until ``wanted`` has the focus, and checks that each stop on the way shows it has."""
    for _ in range(most):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        shown = driver.execute_script(
            "const e = document.activeElement, s = getComputedStyle(e);"
            "if (e.type === 'radio' || e.type === 'checkbox') return true;"  # GOV.UK draws their focus on the label
            "return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'"
            " || s.backgroundColor === 'rgb(255, 221, 0)';"
        )
        assert shown, f"the focus on {focused(driver)!r} cannot be seen"
        if focused(driver) == wanted:
            return
    raise AssertionError(f"{wanted!r} was not reached with the Tab key")


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def press_and_wait(driver: WebDriver, key: str) -> None:
    """Enter on a link or button, and the next page loaded."""
    old = driver.find_element(By.TAG_NAME, "html")
    press(driver, key)
    WebDriverWait(driver, 10).until(left(old))


def test_a_clerk_signs_in_and_records_progress_with_the_keyboard_alone(chromium: WebDriver, site: str,
                                                                       tmp_path: Path) -> None:  # fmt: skip
    driver = chromium
    driver.get(f"{site}/login")
    tab_to(driver, "username")
    press(driver, "jo")
    tab_to(driver, "password")
    press(driver, "correct horse")
    press_and_wait(driver, Keys.ENTER)
    assert driver.find_element(By.ID, "signed-in").text.startswith("Jo Clerk")

    driver.get(f"{site}/bodies/BCSB/items/{urllib.parse.quote(ref(2))}")
    tab_to(driver, "task-progress")
    press_and_wait(driver, Keys.ENTER)
    tab_to(driver, "note")
    press(driver, "Officers drafted the policy")
    tab_to(driver, "reported_on-day")
    press(driver, "14", Keys.TAB, "3", Keys.TAB, "2024")
    tab_to(driver, "reported_by")
    tab_to(driver, "rag")
    press(driver, Keys.ARROW_DOWN)  # the second rating, amber
    tab_to(driver, "record")
    press_and_wait(driver, Keys.ENTER)
    assert driver.find_element(By.ID, "recorded").text.endswith("Recorded.")
    record = Scrutiny(f"sqlite:///{tmp_path / 'council.db'}")
    (row,) = record.tracker("BCSB", ref(2))
    record.close()
    assert (row.notes, row.rag) == ("Officers drafted the policy", "amber")


def test_every_page_fits_320_pixels_and_passes_axe_there(chromium: WebDriver, site: str) -> None:
    driver = chromium
    sign_in(driver, site)
    driver.set_window_size(320, 900)
    pages = {
        "bodies": "/",
        "tracker": "/bodies/BCSB",
        "item": f"/bodies/BCSB/items/{urllib.parse.quote(ref(1))}",
        "task-respond": f"/do/respond?body=BCSB&ref={urllib.parse.quote(ref(1))}",
        "task-make-recommendation": "/do/make-recommendation?body=BCSB",
        "overdue": "/overdue",
        "pack": "/bodies/BCSB/pack",
        "not-found": "/bodies/BCSB/items/R404",
        "sign-in": "/login",
    }
    for name, path in pages.items():
        driver.get(site + path)
        wide = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], f"{name} scrolls sideways at 320 pixels: {wide}"
        check_page(driver, f"narrow-{name}")
    driver.set_window_size(1280, 900)
