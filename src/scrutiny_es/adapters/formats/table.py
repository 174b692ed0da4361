"""The report as a table for a terminal (rich)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scrutiny_es.adapters.formats import Report
from scrutiny_es.adapters.formats.text import visible


def render_table(report: Report, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    columns = report.kind.columns
    for code, rows in report.by_body() or [("", [])]:
        # Cells are Text, not strings: rich would read "[red]" in what a clerk typed as its own markup.
        table = Table(title=Text(visible(f"{report.bodies.get(code, code)}\n{report.title}")), show_lines=True)
        for header, _ in columns:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(Text(visible(cell(row))) for _, cell in columns))
        console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]
