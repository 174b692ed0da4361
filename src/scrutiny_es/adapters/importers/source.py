"""A table as the readers give it: rows of a clerk's cells as texts, each with the number a clerk would see.

What every reader shares: how a cell's line breaks are read, a row with no text left out, a cell
that cannot be read kept aside (``Unreadable``), and how a damaged file is said.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

TableKind = Literal["csv", "sheet", "table"]
"""Where a table comes from: a CSV file (its only table), a sheet of a workbook, or a table of a Word document."""

_LINE_BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})


@dataclass(frozen=True)
class Unreadable:
    """A cell whose value the file does not hold as the clerk sees it (a formula no program calculated, a list
    number Word makes in a way not read here): its place in the row, what it holds, and the rule it breaks."""

    index: int
    value: str
    rule: str


@dataclass(frozen=True)
class SourceRow:
    """One row of a table: the number a clerk would see, and its cells' texts, stripped."""

    number: int
    cells: tuple[str, ...]
    unreadable: tuple[Unreadable, ...] = ()
    """Cells that read blank here but are not blank to the clerk: a row with one records nothing."""


@dataclass(frozen=True)
class SourceTable:
    """A table of a file: a CSV file's only table, a sheet, or a Word table ("table 2")."""

    name: str
    kind: TableKind
    rows: tuple[SourceRow, ...]
    """Rows with any text; blank rows are left out, their numbers with them."""
    notes: tuple[str, ...] = ()
    """What the reader found that a clerk should know of and that is read nonetheless (rows hidden in Excel)."""

    @property
    def label(self) -> str:
        """How a message names the table: 'sheet "Tracker"', 'table 2', or nothing for a CSV file."""
        if self.kind == "sheet":
            return f'sheet "{self.name}"'
        return "" if self.kind == "csv" else self.name

    @property
    def unit(self) -> str:
        """What a row is called: a "line" of a CSV file, else a "row"."""
        return "line" if self.kind == "csv" else "row"


def cell_text(text: str) -> str:
    if text.isprintable():  # as most cells are: no line break of any kind to make a new line of
        return text.strip()
    return text.replace("\r\n", "\n").translate(_LINE_BREAKS).strip()


def rows_of(numbered: Iterable[tuple[int, Sequence[str | Unreadable]]]) -> tuple[SourceRow, ...]:
    rows = []
    for number, cells in numbered:
        texts = tuple("" if isinstance(cell, Unreadable) else cell_text(cell) for cell in cells)
        unreadable = tuple(cell for cell in cells if isinstance(cell, Unreadable))
        if any(texts) or unreadable:
            rows.append(SourceRow(number, texts, unreadable))
    return tuple(rows)


def damaged(name: str, what: str, error: Exception) -> str:
    if isinstance(error, zipfile.BadZipFile):
        return f"{name} cannot be read as {what}: the file is damaged (not a complete zip archive)"
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
    if isinstance(error, RecursionError) or detail.startswith("Excessive depth"):  # lxml's words for it
        return f"{name} is not {what} as Office writes one (its content is nested too deeply)"
    return f"{name} cannot be read as {what}: the file is damaged or is not one ({detail})"
