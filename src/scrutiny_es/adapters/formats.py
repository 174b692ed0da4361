"""Rows out as a terminal table, JSON, CSV, Markdown or a printable HTML page.

JSON and CSV carry every field under its contract name, for scripts. The table, Markdown
and HTML show the columns a board is used to: the tracker appendix of an agenda pack
(Date, Item, Recommendation/Action, Responsible Person, Notes), with the status,
response deadline, target date and RAG rating beside them.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scrutiny_es.domain.dates import long_date, uk_time
from scrutiny_es.projections.rows import ROW_JSON, AuditRow, OverdueRow, Row, TrackerRow

Format = Literal["table", "json", "csv", "md", "html"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv", "md", "html")


@dataclass(frozen=True)
class Report:
    """Rows of one kind with what a reader needs to place them: whose, and as of when."""

    kind: Literal["tracker", "overdue", "audit"]
    rows: Sequence[Row]
    bodies: dict[str, str]
    """Body codes and names, for headings."""
    as_of: date | None
    """The date the report shows; None for the whole record (the audit trail)."""
    as_known_at: datetime | None = None

    @property
    def title(self) -> str:
        what = {"tracker": "Action Tracker", "overdue": "Overdue list", "audit": "Audit trail"}[self.kind]
        when = f" as of {long_date(self.as_of)}" if self.as_of else ""
        known = f", as known at {uk_time(self.as_known_at)}" if self.as_known_at else ""
        return f"{what}{when}{known}"


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


Column = tuple[str, Callable[[Any], str]]

COLUMNS: dict[str, list[Column]] = {
    "tracker": [
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
    ],
    "overdue": [
        ("Ref", lambda r: r.ref),
        ("Overdue", lambda r: {"response": "Response", "target_date": "Target date", "deferral": "Deferral"}[r.reason]),
        ("Due", lambda r: _day(r.due)),
        ("Days overdue", lambda r: str(r.days_overdue)),
        ("Responsible", lambda r: ", ".join(r.responsible)),
    ],
    "audit": [
        ("#", lambda r: str(r.position)),
        ("Ref", lambda r: r.ref or ""),
        ("Effective", lambda r: _day(r.effective_on)),
        ("Recorded", lambda r: uk_time(r.recorded_at)),
        ("Recorded by", lambda r: r.actor),
        ("Decided by", lambda r: r.decided_by or ""),
        ("What happened", lambda r: r.summary),
    ],
}

ROW_TYPES: dict[str, type[Row]] = {"tracker": TrackerRow, "overdue": OverdueRow, "audit": AuditRow}


_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that would act rather than show: control characters (a terminal's escape sequences
begin with one) but tab and newline, and the marks that reorder text right to left."""


def visible(text: str) -> str:
    """Text as typed, with each character that would act shown as its escape (``\\u001b``) instead."""
    return _UNSEEN.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def render(report: Report, fmt: Format, width: int = 160) -> str:
    """The report in one of the formats, as text ready to print or write to a file."""
    if fmt == "json":
        return json.dumps([_json_values(row) for row in report.rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    sections = _by_body(report)
    if fmt == "md":
        return "".join(_markdown(report, code, rows) for code, rows in sections) or f"# {report.title}\n\nNothing.\n"
    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    for code, rows in sections or [("", [])]:
        # Cells are Text, not strings: rich would read "[red]" in what a clerk typed as its own markup.
        table = Table(title=Text(visible(f"{report.bodies.get(code, code)}\n{report.title}")), show_lines=True)
        for header, _ in COLUMNS[report.kind]:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(Text(visible(cell(row))) for _, cell in COLUMNS[report.kind]))
        console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def _json_values(row: Row) -> dict[str, Any]:
    return ROW_JSON[type(row)].dump_python(row, mode="json")  # type: ignore[no-any-return]


def _by_body(report: Report) -> list[tuple[str, list[Row]]]:
    sections: dict[str, list[Row]] = {}
    for row in report.rows:
        sections.setdefault(row.body, []).append(row)
    return list(sections.items())


def _csv(report: Report) -> str:
    out = io.StringIO()
    fields = [field.name for field in dataclasses.fields(ROW_TYPES[report.kind])]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        data = _json_values(row)
        writer.writerow({k: _csv_value(v) for k, v in data.items()})
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(value)
    return visible(value) if isinstance(value, str) else value


def _markdown(report: Report, code: str, rows: list[Row]) -> str:
    columns = COLUMNS[report.kind]
    lines = [f"# {_md(report.bodies.get(code, code))}", "", _md(report.title), ""]
    lines.append("| " + " | ".join(h for h, _ in columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows:
        cells = (_md(cell(row)).replace("|", "\\|").replace("\n", "<br>") for _, cell in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


def _md(text: str) -> str:
    """Text for Markdown: shown as typed, never read as HTML (``<script>``) or as Markdown's own marks."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(visible(text), quote=False))


_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; margin: 0 auto; max-width: 290mm; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 12pt; font-weight: normal; margin: 0 0 8pt; }
section { margin-bottom: 18pt; }
section + section { page-break-before: always; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; }
th { background: #d9d9d9; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
td.rag-green { background: #92d050; } td.rag-amber { background: #ffc000; } td.rag-red { background: #ff5050; }
p.empty { font-style: italic; }
footer { font-size: 8pt; color: #444; margin-top: 6pt; }
"""


def _html(report: Report) -> str:
    def esc(text: str) -> str:
        return html.escape(visible(text))

    sections = _by_body(report) or [(code, []) for code in report.bodies] or [("", [])]
    parts = []
    for code, rows in sections:
        head = "".join(f"<th>{esc(h)}</th>" for h, _ in COLUMNS[report.kind])
        body = "".join(
            "<tr>" + "".join(_html_cell(header, cell(row)) for header, cell in COLUMNS[report.kind]) + "</tr>\n"
            for row in rows
        )
        table = (
            f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"
            if rows
            else '<p class="empty">Nothing to show.</p>'
        )
        heading = f"<h1>{esc(report.bodies.get(code, code))}</h1>\n<h2>{esc(report.title)}</h2>"
        parts.append(f"<section>\n{heading}\n{table}\n</section>")
    names = ", ".join(report.bodies.values())
    title = esc(f"{names}: {report.title}" if names else report.title)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + f"\n<footer>{len(report.rows)} row{'s' * (len(report.rows) != 1)}. "
        "Produced by scrutiny_es from the recorded events.</footer>\n"
        "</body>\n</html>\n"
    )


def _html_cell(header: str, text: str) -> str:
    css = f' class="rag-{text.lower()}"' if header == "RAG" and text else ""
    return f"<td{css}>{html.escape(visible(text)).replace(chr(10), '<br>')}</td>"
