"""``scrutiny-es tracker|overdue|audit`` in every format, and the HTML tracker as a browser renders it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register
from tests.e2e.browser import browser
from tests.e2e.cli import run

TRACKER_FIELDS = ["body", "ref", "kind", "meeting_date", "item", "minute", "text", "addressees", "status", "response",
                  "response_due", "target_date", "rag", "deferred_until", "outcome", "notes", "last_changed_on",
                  "awaiting", "overdue", "escalated_on", "closure_note", "original_target_date", "target_date_revisions",
                  "closure_proposed", "taken_over_from", "transferred_to", "transferred_on", "exempt"]  # fmt: skip
OVERDUE_FIELDS = ["body", "ref", "reason", "due", "days_overdue", "responsible", "item", "text", "original_due",
                  "exempt"]  # fmt: skip
AUDIT_FIELDS = ["body", "ref", "position", "event", "effective_on", "recorded_at", "actor", "decided_by", "summary"]


@pytest.fixture
def recorded(db_url: str) -> str:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1", minute="12/24", item="Fishing Policy"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.execute(make("R2", meeting_date="2024-03-14", item="BBQ areas", text="That BBQ areas be provided in parks."))
    app.execute(command("report_progress", ref="R2", note="Sites identified <in 3 parks>", reported_on="2024-04-11",
                        reported_by="Director of Housing", rag="amber"))  # fmt: skip
    app.close()
    return db_url


def test_tracker_json_has_the_contract_fields(recorded: str) -> None:
    result = run("tracker", "--format", "json", db=recorded)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [list(row) for row in rows] == [TRACKER_FIELDS, TRACKER_FIELDS]
    assert [(r["ref"], r["status"], r["response_due"], r["rag"]) for r in rows] == [
        ("R1", "awaiting_response", "2024-04-19", None),
        ("R2", "made", None, "amber"),
    ]


def test_tracker_as_of_a_date_replays_the_facts_effective_then(recorded: str) -> None:
    rows = json.loads(run("tracker", "--as-of", "2024-03-01", "--format", "json", db=recorded).stdout)
    assert [(r["ref"], r["status"]) for r in rows] == [("R1", "awaiting_response")]


def test_tracker_as_known_at_a_time_before_anything_was_recorded_is_empty(recorded: str) -> None:
    result = run("tracker", "--as-known-at", "2024-12-02T09:00", "--format", "json", db=recorded)
    assert json.loads(result.stdout) == []  # the fixed clock recorded everything at 09:30 UTC


def test_overdue_json_and_csv(recorded: str) -> None:
    rows = json.loads(run("overdue", "--as-of", "2024-04-20", "--format", "json", db=recorded).stdout)
    text = "That the Cabinet adopts a fishing policy for council lakes."
    assert rows == [{"body": "BCSB", "ref": "R1", "reason": "response", "due": "2024-04-19", "days_overdue": 1,
                     "responsible": ["Cabinet"], "item": "Fishing Policy", "text": text,
                     "original_due": "2024-04-19", "exempt": None}]  # fmt: skip
    table = list(
        csv.reader(io.StringIO(run("overdue", "--as-of", "2024-04-20", "--format", "csv", db=recorded).stdout))
    )
    assert table == [OVERDUE_FIELDS, ["BCSB", "R1", "response", "2024-04-19", "1", "Cabinet", "Fishing Policy", text,
                                      "2024-04-19", ""]]  # fmt: skip


def test_audit_json_for_one_item(recorded: str) -> None:
    rows = json.loads(run("audit", "--body", "BCSB", "--ref", "R1", "--format", "json", db=recorded).stdout)
    assert [list(row) for row in rows] == [AUDIT_FIELDS] * 2
    assert [(r["position"], r["event"], r["effective_on"], r["recorded_at"]) for r in rows] == [
        (2, "Made", "2024-02-15", "2024-12-02T09:30:00Z"),
        (3, "Referred", "2024-02-20", "2024-12-02T09:30:00Z"),
    ]
    assert rows[1]["summary"] == "Cabinet received the recommendation on 20 Feb 2024; response due by 19 Apr 2024."


def test_markdown_and_table_show_the_council_columns(recorded: str) -> None:
    md = run("tracker", "--format", "md", db=recorded).stdout
    assert md.startswith("# Budget and Corporate Scrutiny Board\n")
    assert "| Date | Item | Ref | Recommendation/Action | Responsible Person | Notes | Status |" in md
    assert "| 14 Mar 2024 | BBQ areas | R2 |" in md
    table = run("tracker", "--body", "BCSB", db=recorded).stdout
    assert "Fishing Policy" in table
    assert "Awaiting response" in table


def test_writes_to_a_file_with_o(recorded: str, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = run("audit", "--format", "csv", "-o", str(out), db=recorded)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", f"wrote {out}\n")
    assert out.read_text().splitlines()[0] == ",".join(AUDIT_FIELDS)


def test_rejects_a_date_that_is_not_iso(recorded: str) -> None:
    result = run("tracker", "--as-of", "14/03/2024", db=recorded)
    assert result.returncode == 2
    assert "'14/03/2024' is not a date written YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize(
    ("asked", "refused"),
    [
        (["pack", "--body", "BCSB", "--meeting", "0001-01-01"], "--meeting: '0001-01-01' is not between 1900-01-01"),
        (["reminders", "--on", "9999-12-31"], "--on: '9999-12-31' is not between 1900-01-01 and 2199-12-31"),
        (["tracker", "--as-known-at", "0001-01-01T00:00+14:00"], "--as-known-at: '0001-01-01T00:00+14:00' is not"),
        (["audit", "--as-known-at", "9999-12-31T23:59-12:00"], "--as-known-at: '9999-12-31T23:59-12:00' is not"),
        (["tracker", "--body", "BCSB", "--year", "9999/00"], "--year: year '9999/00' is not between 1900/01 and"),
        (["impact", "--body", "BCSB", "--year", "0000/01"], "--year: year '0000/01' is not between 1900/01 and"),
    ],
)
def test_a_day_or_year_the_record_cannot_hold_is_refused_by_its_option_not_as_a_fault(
    recorded: str, asked: list[str], refused: str
) -> None:
    result = run(*asked, db=recorded)
    assert result.returncode == 2
    assert refused in result.stderr.splitlines()[-1]


def test_the_html_tracker_renders_in_a_browser_as_a_council_tracker(recorded: str, tmp_path: Path) -> None:
    page = tmp_path / "tracker.html"
    assert run("tracker", "--as-of", "2024-04-30", "--format", "html", "-o", str(page), db=recorded).returncode == 0
    html = page.read_text()
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")  # self-contained
    dom, console = browser(page, "--dump-dom")
    assert "Budget and Corporate Scrutiny Board" in dom
    assert "Action Tracker as of 30 Apr 2024" in dom
    for text in ("Fishing Policy", "Sites identified &lt;in 3 parks&gt;", "19 Apr 2024", "Awaiting response"):
        assert text in dom
    assert console == []
    shot = tmp_path / "tracker.png"
    browser(page, f"--screenshot={shot}", "--window-size=1400,900")
    image = Image.open(shot).convert("L")
    assert image.size == (1400, 900)
    dark = sum(image.histogram()[:100])  # pixels of table rules and text
    assert dark > 2000


def test_tracker_overdue_and_audit_take_a_page_as_the_library_does(recorded: str) -> None:
    def refs(*args: str) -> list[Any]:
        result = run(*args, "--format", "json", db=recorded)
        assert result.returncode == 0, result.stderr
        return [(row["ref"], row.get("position")) for row in json.loads(result.stdout)]

    assert refs("tracker", "--status", "awaiting_response") == [("R1", None)]
    assert refs("tracker", "--rag", "amber", "--open") == [("R2", None)]
    assert refs("tracker", "--overdue") == [("R1", None)]
    assert refs("tracker", "--addressee", "Cabinet", "--limit", "1", "--offset", "1") == [("R2", None)]
    assert refs("overdue", "--addressee", "Cabinet", "--reason", "response") == [("R1", None)]
    assert refs("overdue", "--rag", "amber") == []
    assert refs("audit", "--after", "3", "--limit", "1") == [("R2", 4)]


def test_a_page_option_with_a_value_it_does_not_know_is_refused_by_name(recorded: str) -> None:
    result = run("tracker", "--status", "open", db=recorded)
    assert result.returncode == 2
    assert "--status: invalid choice: 'open'" in result.stderr
    result = run("overdue", "--limit", "-1", db=recorded)
    assert result.returncode == 2
    assert "--limit: '-1' is not a whole number of 0 or more" in result.stderr
