"""The reports: one registry that the command line and every output format read.

Each report is a query of the service (of the same name), the row type it returns, a title,
and the columns a board is used to for the table, Markdown and HTML outputs: the tracker
appendix of an agenda pack (Date, Item, Recommendation/Action, Responsible Person, Notes),
with the ref, status, response deadline, target date and RAG rating beside them. JSON and CSV
carry every field of the row under its contract name instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from scrutiny_es.domain.dates import long_date, uk_time
from scrutiny_es.domain.exempt import marked
from scrutiny_es.projections.rows import AuditRow, FactRow, OverdueRow, Row, TrackerRow

Column = tuple[str, Callable[[Any], str]]
"""A column's heading, and what it shows of a row."""


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: ``name`` is both its command and the service's query."""

    name: str
    title: str
    description: str
    row_type: type[Row]
    columns: list[Column]
    dated: bool = True
    """Whether the report shows a day (the tracker as of a date); the audit trail shows the whole record."""
    one_item: bool = False
    """Whether the report is of one item (``--body`` and ``--ref`` required)."""
    grouped_by: tuple[str, ...] = ()
    """Headings of the leading columns written once for a run of rows alike in them, as the agenda appendix
    writes Date once per meeting and Item once per item."""


def _day(value: date | None) -> str:
    return long_date(value) if value else ""


def _words(value: str) -> str:
    return value.replace("_", " ")


_OVERDUE_WORDS = {"response": "response", "target_date": "target date", "deferral": "deferral"}


def tracker_status(row: TrackerRow) -> str:
    """Where an item stands, in words, a line per fact: a mixed state (one addressee has accepted, another is
    still awaited) is two lines, never one that reads as both."""
    if row.status == "closed":
        lines = ["Closed" + (f": {_words(row.outcome)}" if row.outcome else "")]
    else:
        lines = []
        if row.response:
            lines.append(f"Response: {_words(row.response)}")
        if row.awaiting:
            lines.append("Awaiting response: " + ", ".join(row.awaiting))
        if not lines:
            lines.append(_words(row.status).capitalize())
    if row.deferred_until:
        until = row.deferred_until if isinstance(row.deferred_until, str) else long_date(row.deferred_until)
        lines.append(f"Deferred to {'a future meeting' if until == 'future meeting' else until}")
    if row.escalated_on:
        lines.append(f"Escalated {long_date(row.escalated_on)}")
    if row.closure_proposed:
        lines.append(f"Proposed for closure: {_words(row.closure_proposed)}")
    if row.overdue:
        lines.append("Overdue: " + ", ".join(_OVERDUE_WORDS[reason] for reason in row.overdue))
    if row.exempt:
        lines.insert(0, marked(row.exempt))
    return "\n".join(lines)


def tracker_notes(row: TrackerRow) -> str:
    """The Notes column: the latest response or progress text, and the board's closing note."""
    lines = [row.notes] if row.notes else []
    if row.closure_note:
        lines.append(f"On closing: {row.closure_note}")
    return "\n".join(lines)


def target_date_words(row: TrackerRow) -> str:
    """The target date in force, and how it moved: the overdue list uses the current one, the record keeps all."""
    if row.target_date is None:
        return ""
    words = long_date(row.target_date)
    times = {1: "once", 2: "twice"}.get(row.target_date_revisions, f"{row.target_date_revisions} times")
    if row.target_date_revisions and row.original_target_date:
        words += f"\nrevised {times}, first agreed {long_date(row.original_target_date)}"
    elif row.target_date_revisions:
        words += f"\nrevised {times}"
    return words


def _due_words(row: OverdueRow) -> str:
    return _day(row.due) + (f"\nwas {_day(row.original_due)}" if row.original_due != row.due else "")


TRACKER_COLUMNS: list[Column] = [
    ("Date", lambda r: _day(r.meeting_date)),
    ("Item", lambda r: r.item),
    ("Ref", lambda r: r.ref),
    ("Recommendation/Action", lambda r: r.text),
    ("Responsible Person", lambda r: ", ".join(r.addressees)),
    ("Notes", tracker_notes),
    ("Status", tracker_status),
    ("Response due", lambda r: _day(r.response_due)),
    ("Target date", target_date_words),
    ("RAG", lambda r: (r.rag or "").capitalize()),
]

OVERDUE_COLUMNS: list[Column] = [
    ("Ref", lambda r: r.ref),
    ("Item", lambda r: r.item + (f"\n{marked(r.exempt)}" if r.exempt else "")),
    ("Recommendation/Action", lambda r: r.text),
    ("Overdue", lambda r: _OVERDUE_WORDS[r.reason].capitalize()),
    ("Due", _due_words),
    ("Days overdue", lambda r: str(r.days_overdue)),
    ("Responsible", lambda r: ", ".join(r.responsible)),
]

AUDIT_COLUMNS: list[Column] = [
    ("#", lambda r: str(r.position)),
    ("Ref", lambda r: r.ref or ""),
    ("Effective", lambda r: _day(r.effective_on)),
    ("Recorded", lambda r: uk_time(r.recorded_at)),
    ("Recorded by", lambda r: r.actor),
    ("Decided by", lambda r: r.decided_by or ""),
    ("What happened", lambda r: r.summary),
]

UNBROKEN = frozenset({"Date", "Ref", "#", "Due", "Days overdue", "Response due", "Effective", "Recorded", "RAG"})
"""Headings of columns whose lines are never wrapped (dates, refs, numbers): a date over three lines is unreadable."""


CARD_COLUMNS: list[Column] = [
    ("#", lambda r: str(r.position)),
    ("Effective", lambda r: _day(r.effective_on)),
    ("Recorded", lambda r: uk_time(r.recorded_at)),
    ("Recorded by", lambda r: r.actor),
    ("What happened", lambda r: r.summary),
    ("In their words", lambda r: r.text or ""),
    ("Status", lambda r: r.status.capitalize()),
]


REPORTS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind("tracker", "Action Tracker", "the tracker: one row per recommendation or action", TrackerRow,
                   TRACKER_COLUMNS, grouped_by=("Date", "Item")),
        ReportKind("overdue", "Overdue list", "responses, target dates and deferrals past their date", OverdueRow,
                   OVERDUE_COLUMNS),
        ReportKind("audit", "Audit trail", "every event: who recorded it, who decided, when", AuditRow,
                   AUDIT_COLUMNS, dated=False),
        ReportKind("item", "Item card", "one item's every fact, in its own words, and whether it stands",
                   FactRow, CARD_COLUMNS, dated=False, one_item=True),
    )
}  # fmt: skip
"""Every report, by name."""

READ_MODELS = ("tracker", "overdue", "audit", "seal")
"""The read models the projections keep."""
