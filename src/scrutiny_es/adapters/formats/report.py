"""A report as every format takes it: its rows, whose they are and as of when, grouped as the agenda groups them."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.domain.dates import long_date, municipal_year, uk_time
from scrutiny_es.domain.exempt import withheld_sentence
from scrutiny_es.projections.reports import ReportKind
from scrutiny_es.projections.rows import Row


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
    councils: dict[str, str] = field(default_factory=dict)
    """Body codes and the names of their councils, for headings (a body's name alone does not say whose)."""
    year: str | None = None
    """The municipal year asked for (``--year 2023/24``): the heading names it."""
    withheld: int = 0
    """How many exempt items (Schedule 12A) were left out: the table, Markdown and HTML say so."""

    @property
    def withheld_sentence(self) -> str:
        return withheld_sentence(self.withheld)

    @property
    def title(self) -> str:
        when = f" as of {long_date(self.as_of)}" if self.as_of else ""
        known = f", as known at {uk_time(self.as_known_at)}" if self.as_known_at else ""
        return f"{self.kind.title}{when}{known}"

    @property
    def municipal_year(self) -> str | None:
        """The municipal year of the day the report shows (None for the whole record)."""
        return self.year or (municipal_year(self.as_of) if self.as_of else None)

    def by_body(self) -> list[tuple[str, list[Row]]]:
        """The rows in a section per body, in the order they come."""
        sections: dict[str, list[Row]] = {}
        for row in self.rows:
            sections.setdefault(row.body, []).append(row)
        return list(sections.items())

    @property
    def grouped(self) -> int:
        """How many leading columns are written once for a run of rows alike in them (Date, Item)."""
        leading = 0
        for wanted, (heading, _) in zip(self.kind.grouped_by, self.kind.columns, strict=False):
            if wanted != heading:
                break
            leading += 1
        return leading

    def grid(self, rows: Sequence[Row]) -> list[tuple[Row, list[str]]]:
        """Each row with its cells, made visible, in the order that brings rows alike in the grouped columns
        together (the tracker's rows of one meeting and item)."""
        cells = [[visible(cell(row)) for _, cell in self.kind.columns] for row in rows]
        return [(rows[i], cells[i]) for i in in_runs([tuple(c[: self.grouped]) for c in cells])]


def in_runs(keys: Sequence[tuple[Hashable, ...]]) -> list[int]:
    """The order that brings rows alike in their leading keys together, each run where its first row was:
    rows keyed (meeting, item) come out grouped by meeting, and within it by item, as the agenda has them."""
    first: dict[tuple[Hashable, ...], int] = {}
    for index, key in enumerate(keys):
        for depth in range(1, len(key) + 1):
            first.setdefault(key[:depth], index)
    return sorted(range(len(keys)), key=lambda i: (*(first[keys[i][:d]] for d in range(1, len(keys[i]) + 1)), i))
