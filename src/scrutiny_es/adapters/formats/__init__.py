"""Reports out as a terminal table, JSON, CSV, Markdown or a printable HTML page.

JSON and CSV carry every field under its contract name, for scripts; the table, Markdown
and HTML show the report's columns (``scrutiny_es.projections.reports``). What a clerk
typed is shown as typed, and safely: see ``visible``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from scrutiny_es.domain.dates import long_date, uk_time
from scrutiny_es.projections.reports import ReportKind
from scrutiny_es.projections.rows import Row, json_values

Format = Literal["table", "json", "csv", "md", "html"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv", "md", "html")


@dataclass(frozen=True)
class Report:
    """Rows of one kind with what a reader needs to place them: whose, and as of when."""

    kind: ReportKind
    rows: Sequence[Row]
    bodies: dict[str, str]
    """Body codes and names, for headings."""
    as_of: date | None
    """The date the report shows; None for the whole record (the audit trail)."""
    as_known_at: datetime | None = None

    @property
    def title(self) -> str:
        when = f" as of {long_date(self.as_of)}" if self.as_of else ""
        known = f", as known at {uk_time(self.as_known_at)}" if self.as_known_at else ""
        return f"{self.kind.title}{when}{known}"

    def by_body(self) -> list[tuple[str, list[Row]]]:
        """The rows in a section per body, in the order they come."""
        sections: dict[str, list[Row]] = {}
        for row in self.rows:
            sections.setdefault(row.body, []).append(row)
        return list(sections.items())


def render(report: Report, fmt: Format, width: int = 160) -> str:
    """The report in one of the formats, as text ready to print or write to a file."""
    if fmt == "json":
        return json.dumps([json_values(row) for row in report.rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        from scrutiny_es.adapters.formats.csv import render_csv

        return render_csv(report)
    if fmt == "md":
        from scrutiny_es.adapters.formats.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from scrutiny_es.adapters.formats.html import render_html

        return render_html(report)
    from scrutiny_es.adapters.formats.table import render_table

    return render_table(report, width)
