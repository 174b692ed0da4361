"""The example host (examples/host_app) served by uvicorn on a loopback port and driven in headless Chromium
through Selenium: what the host's tests share (seed data, the server, the browser, axe-core, screenshots)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from examples.host_app.app import create_app
from examples.host_app.sessions import council_engine
from examples.host_app.users import add_user, metadata
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy.orm import scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "examples" / "host_app" / "node_modules" / "axe-core" / "axe.min.js"
SECRET = "9f1c0a7e3b5d2468ace13579bdf02468ace13579bdf0"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SHOTS = Path(os.environ.get("HOST_APP_SCREENSHOTS", tempfile.gettempdir())) / "host-app-screenshots"


def seed(url: str, body: str = "BCSB", items: int = 25) -> None:
    """A body with ``items`` items, each referred to the Cabinet (every seventh names only the Cabinet, the rest the
    Director of Housing too); a clerk and an officer who may sign in."""
    engine = council_engine(url)
    metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    record = Scrutiny(session=session, clock=FixedClock())
    record.execute(register(body))
    for n in range(1, items + 1):
        only_cabinet = {"addressees": [{"name": "Cabinet", "kind": "executive"}]} if n % 7 == 0 else {}
        record.execute(make(ref(n), body=body, item=f"Item {n:02}", **only_cabinet))
        record.execute(command("refer", body=body, ref=ref(n), addressee="Cabinet", received_on="2024-02-20"))
    add_user(session, "jo", "correct horse", "Jo Clerk", "scrutiny officer")
    add_user(session, "dh", "battery staple", "Director of Housing", "officer")
    session.commit()
    session.remove()
    record.close()
    engine.dispose()


def ref(n: int) -> str:
    return f"2024-02-15/{n:02}"  # refs are ordered as text


@contextmanager
def serving(url: str, now: Callable[[], float] = time.time, **options: Any) -> Iterator[str]:
    """The example host over ``url``, started with uvicorn in a thread on a free loopback port; its address."""
    app = create_app(url, secret=SECRET, clock=FixedClock(), now=now, **options)
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


def start_chromium(profile: Path) -> WebDriver:
    """Debian's Chromium, headless, driven by its chromedriver."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert chromium, "Chromium is needed for this test: apt-get install chromium (make test installs it)"
    assert driver_path, "chromedriver is needed for this test: apt-get install chromium-driver (make test installs it)"
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--window-size=1280,900", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(profile / "downloads")})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.implicitly_wait(0)  # each click waits for its page (follow), so an absent element is told at once
    return driver


def sign_in(driver: WebDriver, site: str, username: str = "jo", password: str = "correct horse") -> None:
    driver.get(f"{site}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    follow(driver, driver.find_element(By.ID, "sign-in"))


def follow(driver: WebDriver, element: WebElement) -> None:
    """Clicks a link or a form's button and waits for the page it leads to, so nothing is read from the old one."""
    element.click()
    WebDriverWait(driver, 10).until(left(element))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def left(element: WebElement) -> Callable[[WebDriver], bool]:
    """Whether the page holding ``element`` has gone. Asked while the next page replaces it, chromedriver can
    answer "Node with given id does not belong to the document" instead of a stale element: gone too."""
    stale = staleness_of(element)

    def gone(driver: WebDriver) -> bool:
        try:
            return stale(driver)
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise

    return gone


def fill(driver: WebDriver, field: str, value: str) -> None:
    element = driver.find_element(By.ID, field)
    element.clear()
    element.send_keys(value)


def fill_date(driver: WebDriver, field: str, day: str, month: str = "", year: str = "") -> None:
    """GOV.UK's three boxes (or the day box alone, as 28/03/2024)."""
    for part, value in (("day", day), ("month", month), ("year", year)):
        fill(driver, f"{field}-{part}", value)


def choose(driver: WebDriver, field: str, value: str) -> None:
    """A radio button (``field-N``) by its value, or an option of a select by its value."""
    element = driver.find_elements(By.CSS_SELECTOR, f"input[name='{field}'][value='{value}']")
    if element:
        driver.execute_script("arguments[0].click()", element[0])
    else:
        Select(driver.find_element(By.ID, field)).select_by_value(value)


def axe_violations(driver: WebDriver) -> list[str]:
    """What axe-core finds against WCAG 2.2 A and AA on the page as shown: one line per rule and element."""
    assert AXE.exists(), "axe-core is not installed: npm ci --prefix examples/host_app (make test does)"
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text())
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
        ".catch(e => done(['axe failed: ' + e]));",
        WCAG_22_AA,
    )
    return list(found)


def check_page(driver: WebDriver, name: str) -> None:
    """The page as a person sees it, kept as a PNG, and as axe-core judges it: no violation of WCAG 2.2 AA."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(max(height + 120, 600), 4000))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(width, 900)
    violations = axe_violations(driver)
    assert violations == [], f"{name}: {violations}"
