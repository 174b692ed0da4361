"""The report as Markdown, a section per body: shown as typed, never read as HTML or as Markdown's marks."""

from __future__ import annotations

import html
import re

from scrutiny_es.adapters.formats.report import Report
from scrutiny_es.adapters.formats.text import plain
from scrutiny_es.projections.rows import Row


def render_markdown(report: Report) -> str:
    return (
        "".join(_markdown(report, code, rows) for code, rows in report.by_body()) or f"# {report.title}\n\nNothing.\n"
    )


def _markdown(report: Report, code: str, rows: list[Row]) -> str:
    columns = report.kind.columns
    about = [report.councils.get(code, ""), report.title]
    if report.municipal_year:
        about.append(f"municipal year {report.municipal_year}")
    lines = [f"# {_md(report.bodies.get(code, code))}", "", _md(" · ".join(part for part in about if part)), ""]
    lines.append("| " + " | ".join(h for h, _ in columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for _, row_cells in report.grid(rows):
        lines.append("| " + " | ".join(cell(text) for text in row_cells) + " |")
    return "\n".join(lines) + "\n\n"


def cell(text: str) -> str:
    """Text for a Markdown table's cell: escaped, its bars and line breaks kept inside the cell."""
    return _md(text).replace("|", "\\|").replace("\n", "<br>")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


def _md(text: str) -> str:
    """Text for Markdown: shown as typed, never read as HTML (``<script>``) or as Markdown's own marks."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(plain(text), quote=False))
