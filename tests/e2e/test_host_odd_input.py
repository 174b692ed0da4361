"""The example host given what a form never offers, as a prober types it by hand: each is shown beside its field
in words, and nothing is recorded, never a server error."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from tests.e2e.host_site import ref, seed, serving
from tests.e2e.test_host_security import Client, progress_form, progress_notes, progress_page


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    seed(url, items=8)
    return url


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
