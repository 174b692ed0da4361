"""Which column of a council's tracker holds what: its header row, read as a clerk would.

Headers are compared ignoring case, spaces and punctuation, so "Recommendation/ Action"
is "Recommendation/Action" and "No." is "No". A header not known as a whole is tried
without what it says in brackets ("Agreed (Yes/No/In part)" is "Agreed") and then as
names joined by "/" that all mean the same ("Status/Outcome", "Action taken / Progress").
``--columns "Header=field,..."`` gives a header a meaning, or ``ignore`` to leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal, get_args

from scrutiny_es.adapters.importers.errors import CannotImport

TrackerField = Literal[
    "meeting_date",
    "item",
    "text",
    "addressees",
    "notes",
    "response",
    "status",
    "target_date",
    "ref",
    "minute",
    "origin",
    "body",
]
Meaning = TrackerField | Literal["ignore"]
FIELDS: tuple[TrackerField, ...] = get_args(TrackerField)
MEANINGS: tuple[Meaning, ...] = (*FIELDS, "ignore")

HEADERS: dict[TrackerField, tuple[str, ...]] = {
    "meeting_date": ("Date", "Meeting date", "Date of meeting", "Date agreed", "Date made"),
    "item": ("Item", "Title", "Topic", "Subject", "Area", "Agenda item"),
    "text": (
        "Recommendation/Action",
        "Recommendation",
        "Action",
        "Recommendation made",
        "Resolution",
        "Recommendations/Actions",
        "Recommendations",
        "Actions",
    ),
    "addressees": (
        "Responsible Person",
        "Responsibility",
        "Lead Officer",
        "Cabinet Member",
        "Portfolio Holder",
        "Recommendation made to",
        "Responsible Officer",
        "Lead Member",
        "Responsible Cabinet Member",
    ),
    "notes": ("Notes", "Comments", "Progress", "Progress update", "Action taken", "Update", "Progress to date"),
    "response": ("Response", "Executive response", "Agreed", "Cabinet response"),
    "status": ("Status", "Outcome", "RAG", "RAG status", "RAG rating"),
    "target_date": ("Target date", "Timetable", "Due date", "Completion date", "To be completed by"),
    "ref": ("Ref", "Reference", "No.", "Number", "Ref No.", "Recommendation No."),
    "minute": ("Minute", "Minute number", "Minute No."),
    "origin": ("Origin", "Origin code", "Originating committee", "Originating body", "Transferred from"),
    "body": (),  # the tracker's CSV export's, or one --columns names: a row of another body's is refused
}
"""The headers DESIGN 5.4 promises, then a few more seen in councils' trackers."""

SINGLE: frozenset[TrackerField] = frozenset(FIELDS) - {"addressees", "notes", "response", "status"}
"""Fields read from one column (the first); the others gather every column that feeds them."""

HEADER_ROWS = 10
"""How far down a table its header row may be, below a title or a blank line."""


@lru_cache(maxsize=1024)
def header_key(header: str) -> str:
    """A header as it is compared: lower case, letters and digits only."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


_KNOWN: dict[str, TrackerField] = {header_key(h): field for field, headers in HEADERS.items() for h in headers}
_BRACKETS = re.compile(r"\([^)]*\)|\[[^]]*\]")


def meaning(header: str, overrides: Mapping[str, Meaning]) -> Meaning | None:
    """What a column holds, by its header; ``overrides`` are keyed by :func:`header_key`."""
    key = header_key(header)
    if not key:
        return None
    if key in overrides:
        return overrides[key]
    if key in _KNOWN:
        return _KNOWN[key]
    bare = _BRACKETS.sub(" ", header)
    if bare != header:
        bare_key = header_key(bare)
        if bare_key in overrides:
            return overrides[bare_key]
        if bare_key in _KNOWN:
            return _KNOWN[bare_key]
    parts = {header_key(part) for part in bare.split("/")} - {""}
    if len(parts) > 1:
        meanings = {overrides.get(part, _KNOWN.get(part)) for part in parts}
        if len(meanings) == 1:
            return meanings.pop()
    return None


def header_keys(header: str) -> set[str]:
    """Every key by which an override can name this header: as written, without brackets, and each part between "/"."""
    bare = _BRACKETS.sub(" ", header)
    keys = {header_key(header), header_key(bare)} | {header_key(part) for part in bare.split("/")}
    return keys - {""}


@dataclass(frozen=True)
class Column:
    """A column the import reads: where it is, its header as written, and what it holds."""

    index: int
    header: str
    field: TrackerField


@dataclass(frozen=True)
class Header:
    """A table's header row and what it says about the columns below it."""

    position: int
    """Index of the header row among the table's rows."""
    columns: tuple[Column, ...]
    """Every column read, in table order; for a field of :data:`SINGLE`, only the first such column."""
    unknown: tuple[str, ...]
    """Headers that mean nothing to the import, as written."""
    repeated: tuple[Column, ...]
    """Further columns for a field read from one column only: left out."""

    def first(self, field: TrackerField) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)

    def every(self, field: TrackerField) -> list[Column]:
        return [c for c in self.columns if c.field == field]


@dataclass(frozen=True)
class Layout:
    """Where a table keeps each field, worked out once from its header row."""

    meeting_date: Column
    text: Column
    item: Column | None
    minute: Column | None
    ref: Column | None
    target_date: Column | None
    origin: Column | None
    """The code of the body that made an item the table's body took over (blank: the table's body made it)."""
    body: Column | None
    addressees: tuple[Column, ...]
    notes: tuple[Column, ...]
    response: tuple[Column, ...]
    status: tuple[Column, ...]

    @cached_property
    def facts(self) -> tuple[Column, ...]:
        """The columns whose text only an item can hold (a row without text may still carry a date or item down)."""
        single = (self.ref, self.target_date, self.origin)
        return tuple(c for c in single if c is not None) + self.addressees + self.notes + self.response + self.status

    @classmethod
    def of(cls, header: Header, meeting_date: Column, text: Column) -> Layout:
        """The layout of a table whose header row has the two columns every tracker has."""
        return cls(
            meeting_date,
            text,
            header.first("item"),
            header.first("minute"),
            header.first("ref"),
            header.first("target_date"),
            header.first("origin"),
            header.first("body"),
            tuple(header.every("addressees")),
            tuple(header.every("notes")),
            tuple(header.every("response")),
            tuple(header.every("status")),
        )


EXPORTED: dict[str, Meaning] = {
    "ref": "ref",
    "meeting_date": "meeting_date",
    "item": "item",
    "minute": "minute",
    "text": "text",
    "addressees": "addressees",
    "response": "response",
    "target_date": "target_date",
    "rag": "status",
    "notes": "notes",
    "taken_over_from": "origin",
    "body": "body",
}
"""What the columns of the tracker's own CSV export (``--format csv``: a row's field names) hold for the import.
The rest are worked out from the record (``status``, ``response_due``, ``awaiting``...) and left out without a
word: an item is closed by a closing word in ``rag``, as in a council's Status column."""

_EXPORT_SIGNATURE = {"body", "ref", "meeting_date", "text", "last_changed_on"}


def exported(cells: Sequence[str]) -> bool:
    """Whether a header row is that of the tracker's CSV export."""
    return {cell.strip() for cell in cells} >= _EXPORT_SIGNATURE


def find_header(rows: Sequence[Sequence[str]], overrides: Mapping[str, Meaning]) -> Header | None:
    """The first of the top rows that names the recommendation's text and at least one other known column.

    Asking for two columns keeps a layout table ("Recommendations | That the Board notes...")
    from passing for a tracker.
    """
    for position, cells in enumerate(rows[:HEADER_ROWS]):
        export = exported(cells)
        read: list[tuple[int, str, Meaning | None]] = [
            (i, cell, overrides.get(header_key(cell)) or EXPORTED.get(cell.strip(), "ignore"))
            if export
            else (i, cell, meaning(cell, overrides))
            for i, cell in enumerate(cells)
        ]
        fields = [m for _, _, m in read if m is not None and m != "ignore"]
        if "text" not in fields or len(fields) < 2:
            continue
        columns: list[Column] = []
        repeated: list[Column] = []
        taken: set[TrackerField] = set()
        for index, cell, m in read:
            if m is None or m == "ignore":
                continue
            column = Column(index, cell, m)
            if m in SINGLE and m in taken:
                repeated.append(column)
            else:
                columns.append(column)
                taken.add(m)
        unknown = tuple(cell for _, cell, m in read if m is None and header_key(cell))
        return Header(position, tuple(columns), unknown, tuple(repeated))
    return None


def parse_columns(text: str) -> dict[str, Meaning]:
    """Reads ``--columns "Date=target_date,Lead=addressees"``: headers as written, each with its meaning."""
    overrides: dict[str, Meaning] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        header, equals, field = part.rpartition("=")
        header, field = header.strip(), field.strip()
        if not equals or not header_key(header):
            msg = f'--columns: "{part.strip()}" is not Header=field (for example "Date=target_date")'
            raise CannotImport(msg)
        meant = check_meaning(field, header)
        said = next((h for h in overrides if header_key(h) == header_key(header)), None)
        if said is not None and overrides[said] != meant:  # else the last would silently win
            raise CannotImport(f'--columns: "{header}" is given twice, as {overrides[said]} and as {meant}')
        overrides[header] = meant
    return overrides


def check_meaning(field: str, header: str) -> Meaning:
    """A meaning given for a header, checked; a column can only feed a field the import knows."""
    for known in MEANINGS:
        if field == known:
            return known
    msg = f'--columns: "{header}={field}": {field!r} is not a field; the fields are {", ".join(MEANINGS)}'
    raise CannotImport(msg)


def override_keys(overrides: Mapping[str, str]) -> dict[str, Meaning]:
    """Overrides keyed as headers are compared, each meaning checked."""
    return {header_key(header): check_meaning(field, header) for header, field in overrides.items()}
