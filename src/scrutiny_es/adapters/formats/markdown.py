"""The report as Markdown, a section per body: shown as typed, never read as HTML or as Markdown's marks."""

from __future__ import annotations

import html
import re

from scrutiny_es.adapters.formats import Report
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.projections.rows import Row


def render_markdown(report: Report) -> str:
    return (
        "".join(_markdown(report, code, rows) for code, rows in report.by_body()) or f"# {report.title}\n\nNothing.\n"
    )


def _markdown(report: Report, code: str, rows: list[Row]) -> str:
    columns = report.kind.columns
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
