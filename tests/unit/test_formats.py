"""What a clerk typed is shown as typed, and safely: no terminal escapes, bidi marks, markup or HTML pass through."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scrutiny_es.adapters.formats import Report, render
from scrutiny_es.projections.reports import REPORTS
from scrutiny_es.projections.rows import AuditRow, TrackerRow

TYPED = "Red \x1b[31malert\x1b[0m [bold]x[/] \u202etxet\u202c <script>alert(1)</script>"


def tracker(text: str = TYPED) -> Report:
    row = TrackerRow(
        body="BCSB", ref="R1", kind="action", meeting_date=date(2024, 2, 15), item="Parks", minute=None, text=text,
        addressees=["Cabinet"], status="made", response=None, response_due=None, target_date=None, rag=None,
        deferred_until=None, outcome=None, notes=None, last_changed_on=date(2024, 2, 15), awaiting=[], overdue=[],
        escalated_on=None, closure_note=None, original_target_date=None, target_date_revisions=0,
    )  # fmt: skip
    return Report(
        REPORTS["tracker"], [row], {"BCSB": "Budget [and] Corporate \x1b]0;pwned\x07Board"}, date(2024, 3, 14)
    )


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "html"])
def test_no_control_character_or_bidi_mark_reaches_the_output(fmt: str) -> None:
    shown = render(tracker(), fmt)  # type: ignore[arg-type]
    assert not {"\x1b", "\x07", "\u202e", "\u202c"} & set(shown)
    assert "u001b" in shown and "u202etxet" in shown  # shown as its escape (in Markdown, the backslash escaped)


def test_rich_markup_in_what_was_typed_is_shown_not_obeyed() -> None:
    shown = render(tracker(), "table", width=400)
    assert "[bold]x[/]" in shown and "Budget [and] Corporate" in shown


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_html_in_what_was_typed_is_escaped(fmt: str) -> None:
    shown = render(tracker(), fmt)  # type: ignore[arg-type]
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_csv_keeps_newlines_and_tabs_as_typed() -> None:
    (row,) = csv.DictReader(io.StringIO(render(tracker("Line one\tTab\nline two"), "csv")))
    assert row["text"] == "Line one\tTab\nline two"


def audit(at: datetime) -> Report:
    entry = AuditRow(
        body="BCSB", ref=None, position=1, event="Registered", effective_on=date(2024, 7, 2), recorded_at=at,
        actor="Jo Clerk (clerk)", decided_by=None, summary="Jo Clerk registered the board.",
    )  # fmt: skip
    return Report(REPORTS["audit"], [entry], {"BCSB": "Board"}, None)


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_the_audit_trail_says_the_zone_of_each_recorded_time(fmt: str) -> None:
    summer = render(audit(datetime(2024, 7, 1, 23, 30, tzinfo=UTC)), fmt, width=300)  # type: ignore[arg-type]
    winter = render(audit(datetime(2024, 1, 10, 9, 5, tzinfo=UTC)), fmt, width=300)  # type: ignore[arg-type]
    assert "2 Jul 2024 00:30 BST" in summer
    assert "10 Jan 2024 09:05 GMT" in winter


INVISIBLE = ["\u061c", "\u2028", "\u2029", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2066", "\u200f"]


@pytest.mark.parametrize("fmt", ["table", "md", "csv"])
def test_invisible_and_bidi_characters_are_shown_as_their_escapes(fmt: str) -> None:
    typed = "Cab" + "".join(INVISIBLE) + "inet"
    shown = render(tracker(typed), fmt)  # type: ignore[arg-type]
    assert not set(INVISIBLE) & set(shown)
    for char in INVISIBLE:
        assert f"u{ord(char):04x}" in shown


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("That parks open = later", "That parks open = later"),
    ],
)
def test_a_csv_cell_that_a_spreadsheet_would_run_is_written_after_an_apostrophe(typed: str, written: str) -> None:
    (row,) = csv.DictReader(io.StringIO(render(tracker(typed), "csv")))
    assert row["text"] == written


def test_a_carriage_return_at_the_start_of_a_csv_cell_is_shown_as_its_escape_not_run() -> None:
    (row,) = csv.DictReader(io.StringIO(render(tracker("\r=1+1"), "csv")))
    assert row["text"] == "\\u000d=1+1"


def test_the_impact_figures_as_csv_neutralise_a_formula_in_a_group_name(tmp_path: Path) -> None:
    from scrutiny_es import Scrutiny
    from scrutiny_es.__main__ import main
    from tests.conftest import FixedClock, make, register

    db = f"sqlite:///{tmp_path / 'impact.db'}"
    app = Scrutiny(db, clock=FixedClock())
    app.execute(register())
    app.execute(make(addressees=[{"name": '=HYPERLINK("x")', "kind": "officer"}]))
    app.close()
    out = tmp_path / "impact.csv"
    assert main(["--db", db, "impact", "--by", "addressee", "--format", "csv", "-o", str(out)]) == 0
    groups = [row["group"] for row in csv.DictReader(io.StringIO(out.read_text()))]
    assert '\'=HYPERLINK("x")' in groups
