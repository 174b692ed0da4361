"""Reports out as a terminal table, JSON, CSV, Markdown or a printable HTML page.

JSON and CSV carry every field under its contract name, for scripts; the table, Markdown
and HTML show the report's columns (``scrutiny_es.projections.reports``). What a clerk
typed is shown as typed, and safely: see ``visible``.
"""

from __future__ import annotations

import json
from typing import Literal

from scrutiny_es.adapters.formats.csv import render_csv
from scrutiny_es.adapters.formats.html import render_html
from scrutiny_es.adapters.formats.markdown import render_markdown
from scrutiny_es.adapters.formats.report import Report, in_runs
from scrutiny_es.domain.dates import municipal_year
from scrutiny_es.projections.rows import json_values

Format = Literal["table", "json", "csv", "md", "html"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv", "md", "html")

__all__ = ["FORMATS", "Format", "Report", "in_runs", "municipal_year", "render"]


def render(report: Report, fmt: Format, width: int = 160) -> str:
    """The report in one of the formats, as text ready to print or write to a file."""
    if fmt == "json":
        return json.dumps([json_values(row) for row in report.rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return render_csv(report)
    said = f"{report.withheld_sentence}\n" if report.withheld else ""  # in words, after the rows
    if fmt == "md":
        return render_markdown(report) + said
    if fmt == "html":
        return render_html(report)
    from scrutiny_es.adapters.formats.table import render_table  # rich: loaded for the terminal table only

    return render_table(report, width) + said
