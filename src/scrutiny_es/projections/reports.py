"""The reports: one registry that the command line and every output format read.

Each report is a query of the service (of the same name), the row type it returns, a title,
and the columns a board is used to for the table, Markdown and HTML outputs: the tracker
appendix of an agenda pack (Date, Item, Recommendation/Action, Responsible Person, Notes),
with the status, response deadline, target date and RAG rating beside them. JSON and CSV
carry every field of the row under its contract name instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from scrutiny_es.domain.dates import long_date, uk_time
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


def _day(value: date | None) -> str:
    return long_date(value) if value else ""


def _tracker_status(row: TrackerRow) -> str:
    words = row.status.replace("_", " ").capitalize()
    if row.status == "closed" and row.outcome:
        words += f": {row.outcome.replace('_', ' ')}"
    elif row.response:
        words += f": {row.response.replace('_', ' ')}"
    if row.deferred_until:
        until = row.deferred_until if isinstance(row.deferred_until, str) else long_date(row.deferred_until)
        words += f"; deferred to {until}"
    return words


TRACKER_COLUMNS: list[Column] = [
    ("Date", lambda r: _day(r.meeting_date)),
    ("Ref", lambda r: r.ref),
    ("Item", lambda r: r.item),
    ("Recommendation/Action", lambda r: r.text),
    ("Responsible Person", lambda r: ", ".join(r.addressees)),
    ("Notes", lambda r: r.notes or ""),
    ("Status", _tracker_status),
    ("Response due", lambda r: _day(r.response_due)),
    ("Target date", lambda r: _day(r.target_date)),
    ("RAG", lambda r: (r.rag or "").capitalize()),
]

OVERDUE_COLUMNS: list[Column] = [
    ("Ref", lambda r: r.ref),
    ("Overdue", lambda r: {"response": "Response", "target_date": "Target date", "deferral": "Deferral"}[r.reason]),
    ("Due", lambda r: _day(r.due)),
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
                   TRACKER_COLUMNS),
        ReportKind("overdue", "Overdue list", "responses, target dates and deferrals past their date", OverdueRow,
                   OVERDUE_COLUMNS),
        ReportKind("audit", "Audit trail", "every event: who recorded it, who decided, when", AuditRow,
                   AUDIT_COLUMNS, dated=False),
        ReportKind("item", "Item card", "one item's every fact, in its own words, and whether it stands",
                   FactRow, CARD_COLUMNS, dated=False, one_item=True),
    )
}  # fmt: skip
"""Every report, by name."""

READ_MODELS = ("tracker", "overdue", "audit")
"""The read models the projections keep."""
