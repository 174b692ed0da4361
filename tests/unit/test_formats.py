"""What a clerk typed is shown as typed, and safely: no terminal escapes, bidi marks, markup or HTML pass through."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

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
