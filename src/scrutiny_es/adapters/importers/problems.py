"""Where a row of a tracker is, as a clerk finds it, and what is wrong with a cell of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from scrutiny_es.adapters.importers.words import quoted


class RowRef(NamedTuple):
    """A row as a clerk finds it: 'table 1 row 7', 'sheet "Tracker" row 7', or 'line 7' of a CSV file.

    A named tuple: an import looks its rows up by it tens of thousands of times, and a tuple hashes in C."""

    table: str
    row: int
    unit: str = "row"

    def __str__(self) -> str:
        return f"{self.table} {self.unit} {self.row}" if self.table else f"{self.unit} {self.row}"


@dataclass(frozen=True)
class RowProblem:
    """A cell the import cannot read: where, under which header, what it holds, and the rule it breaks."""

    at: RowRef
    column: str | None
    """The column's header as written; None for a problem of the table as a whole."""
    value: str
    rule: str

    def __str__(self) -> str:
        return sentence(self.at, self.column, self.value, self.rule)


def sentence(at: RowRef, column: str | None, value: str, rule: str) -> str:
    where = f'{at}, column "{column}"' if column is not None else str(at)
    return f"{where}: {quoted(value)} {rule}" if value else f"{where}: {rule}"
