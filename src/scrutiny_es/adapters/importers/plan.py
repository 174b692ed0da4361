"""A council's tracker, row by row, turned into the library's commands (DESIGN 5.4).

Each row becomes ``make_recommendation`` and, where the row says so, ``record_response``,
``report_progress`` and ``close``, in that order (a closed item takes nothing more). Facts
whose date the tracker does not give take effect on ``as_of``, the date of the tracker.

No ``refer`` is made: a tracker does not say when each addressee received the item, so no date of
receipt, and so no response deadline, is invented. Refer the items still awaited once those are known.

Every command carries a ``command_id`` made from the body, the file's name, the table, the
row and the fact, so importing the same file again records nothing new. A row with a cell
that cannot be read gives no command at all, and a :class:`RowProblem` naming the row, the
column, the value and the rule; anything read but not recorded as its column suggests (a
target that is not a date, a response with nobody to give it) is kept in the row's progress
note, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

from scrutiny_es.adapters.importers.columns import (
    HEADER_ROWS,
    HEADERS,
    Column,
    Layout,
    Meaning,
    find_header,
    header_key,
    header_keys,
    override_keys,
)
from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport
from scrutiny_es.adapters.importers.ids import id_head, with_tail
from scrutiny_es.adapters.importers.limits import MAX_SHOWN, capped
from scrutiny_es.adapters.importers.problems import RowProblem, RowRef, sentence
from scrutiny_es.adapters.importers.tables import SourceRow, SourceTable
from scrutiny_es.adapters.importers.words import (
    CLOSING,
    DECISIONS,
    FIELD_WORDS,
    RAGS,
    NamesAre,
    addressee_kind,
    item_kind,
    no_tracker,
    one_line,
    read_names,
)
from scrutiny_es.adapters.importers.words import words as _words
from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.fields import MAX_ADDRESSEES, MAX_NAME, MAX_TEXT

BOARD = "the board"
"""Who reported progress where the row names nobody."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters no command takes (tab and newline are free text's)."""


@dataclass
class ImportPlan:
    """What importing a tracker would record: the commands in order, each with its row, and what was wrong."""

    commands: list[tuple[RowRef, dict[str, Any]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    cells: dict[RowRef, dict[str, str]] = field(default_factory=dict)  # each planned row's cells by field

    def said(self) -> list[str]:
        """The warnings and the problems, a line each, as many as a reader takes in: the rest counted."""
        warnings = capped(self.warnings, "warnings")
        return [f"warning: {w}" for w in warnings[:MAX_SHOWN]] + warnings[MAX_SHOWN:] + capped(map(str, self.errors))


def plan_import(
    tables: Sequence[SourceTable],
    *,
    body: str,
    source: str,
    as_of: date,
    actor: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
    names: NamesAre | None = None,
) -> ImportPlan:
    """The commands that would record a council's tracker in ``body``; nothing is recorded here.

    ``source`` is the file's name (not its path, so that the same file imported from another
    folder gives the same command ids); ``overrides`` maps headers as written to fields, as
    ``--columns`` does. Raises :class:`CannotImport` if no table is a tracker.
    """
    planner = _Planner(body, source, as_of, dict(actor), override_keys(overrides or {}))
    planner.names = names
    for table in tables:
        planner.table(table)
    if not planner.trackers:
        raise CannotImport(no_tracker(source, tables))
    planner.plan.warnings.extend(note for table in planner.trackers for note in table.notes)
    trackers = {id(t) for t in planner.trackers}
    skipped = [t.label or t.name for t in tables if id(t) not in trackers]
    if skipped:
        planner.plan.warnings.append(
            f"{', '.join(skipped)}: no header row naming the recommendation and another known column; left out"
        )
    unused = [header for header in overrides or {} if header_key(header) not in planner.headers_seen]
    planner.plan.warnings.extend(f'--columns: no tracker table has a column "{header}"' for header in unused)
    return planner.plan


@dataclass
class _Above:
    """What a blank date, item or minute cell continues: the row above's, or why it cannot."""

    meeting: date | None = None
    meeting_text: str = ""
    meeting_unreadable: RowRef | None = None
    item: str | None = None
    minute: str | None = None


class _Planner:
    def __init__(self, body: str, source: str, as_of: date, actor: dict[str, str], overrides: dict[str, Meaning]):
        self.body, self.source, self.as_of, self.actor, self.overrides = body, source, as_of, actor, overrides
        self.plan = ImportPlan()
        self.trackers: list[SourceTable] = []
        self.headers_seen: set[str] = set()
        self.refs: dict[tuple[str, str], RowRef] = {}
        """The row of each ref, by the body that made its item (blank: the table's body): one ref, one item each."""
        self.numbers: dict[date, int] = {}
        self.names: NamesAre | None = None
        self.heads: dict[int, str] = {}
        """Each table's head of a command id, by the table's ``id``."""
        self.people: dict[tuple[str, str], tuple[tuple[tuple[str, str, str], ...], bool]] = {}
        """Each names cell (under its header) read once: its names (folded, as written, their kind), and whether
        the reading is doubtful."""

    def table(self, table: SourceTable) -> None:
        header = find_header([row.cells for row in table.rows[:HEADER_ROWS]], self.overrides)
        if header is None:
            return
        self.trackers.append(table)
        header_row = table.rows[header.position]
        for cell in header_row.cells:
            self.headers_seen |= header_keys(cell)
        where = f"{table.label}: " if table.label else ""
        for unknown in header.unknown:
            self.plan.warnings.append(
                f'{where}column "{unknown}" is not one the import reads; left out '
                f'(--columns "{unknown}=FIELD" says what it holds)'
            )
        self.plan.warnings.extend(_unheaded_warnings(table, header_row, header.position))
        for column in header.repeated:
            first = header.first(column.field)
            self.plan.warnings.append(
                f'{where}column "{column.header}" holds the {FIELD_WORDS[column.field]} as "{first and first.header}" '
                "does; only the first is read"
            )
        meeting_date, text = header.first("meeting_date"), header.first("text")
        if text is None:  # find_header finds no header row without one
            return
        if meeting_date is None:
            self.plan.errors.append(
                RowProblem(
                    _ref(table, header_row),
                    None,
                    "",
                    "no column gives the meeting date (" + ", ".join(HEADERS["meeting_date"]) + "); "
                    '--columns "Header=meeting_date" can name it',
                )
            )
            return
        layout = Layout.of(header, meeting_date, text)
        fallback_item = None
        if layout.item is None:
            fallback_item = table.name if table.kind == "sheet" else PurePath(self.source).stem
            self.plan.warnings.append(f'{where}no Item column: each row\'s item is "{fallback_item}"')
        if len(table.rows) == header.position + 1:
            self.plan.warnings.append(f"{where}nothing below the header row")
        above = _Above()
        for row in table.rows[header.position + 1 :]:
            if row.cells != header_row.cells:  # a header repeated on a later page is not a row
                _Row(self, table, layout, row, above, fallback_item).plan()


class _Row:
    """One row of a tracker table, read into commands or problems."""

    def __init__(
        self, planner: _Planner, table: SourceTable, layout: Layout, row: SourceRow, above: _Above, item: str | None
    ):
        self.planner, self.table, self.layout, self.row, self.above = planner, table, layout, row, above
        self.fallback_item = item
        self.at = _ref(table, row)
        self.problems: list[RowProblem] = []
        self.notes: list[str] = []
        """Progress notes as the notes columns give them."""
        self.kept: list[str] = []
        """Other cells kept in the progress note as "Header: text"."""
        self.doubtful = False
        whole = "".join(row.cells)
        self.clean = len(whole) <= MAX_TEXT and _CONTROL.search(whole) is None and not row.unreadable
        """No cell of the row is too long, holds a control character or cannot be read: none needs checking."""

    def plan(self) -> None:
        meeting = self.meeting_date()
        item, minute = self.item_and_minute()
        text_column = self.layout.text
        text = self.cell(text_column)
        if not text:
            self.without_text(text_column)
            return
        self.same_body()
        ref = self.ref(meeting)
        addressees = self.addressees()
        target = self.target_date(meeting)
        response = self.response(addressees)
        rag, closes = self.status()
        for column in self.layout.notes:
            if note := self.cell(column):
                self.notes.append(note)
        if self.problems or meeting is None or item is None or ref is None:
            self.planner.plan.errors.extend(self.problems)
            return
        if self.doubtful:
            return
        make: dict[str, Any] = {
            "ref": ref,
            "kind": item_kind(text_column.header, text),
            "meeting_date": meeting.isoformat(),
            "item": item,
        }
        if minute:
            make["minute"] = minute
        make["text"], make["addressees"] = text, addressees
        if target is not None:
            make["target_date"] = target.isoformat()
        commands = [self.command("make_recommendation", "recommendation", make)]
        if response is not None:
            commands.append(self.command("record_response", "response", response | {"ref": ref}))
        note = "\n".join(self.notes + self.kept)
        if not note and rag is not None:
            note = rag[1]
        if note:
            if len(note) > MAX_TEXT:
                self.planner.plan.errors.append(
                    RowProblem(self.at, None, note, f"makes a progress note longer than {MAX_TEXT:,} characters")
                )
                return
            reported_by = addressees[0]["name"] if addressees else BOARD
            progress: dict[str, Any] = {"ref": ref, "note": note, "reported_on": self.planner.as_of.isoformat()}
            if rag is not None:
                progress["rag"] = rag[0]
            commands.append(self.command("report_progress", "progress", progress | {"reported_by": reported_by}))
        if closes:
            closing = {"ref": ref, "outcome": "implemented", "decided_on": self.planner.as_of.isoformat()}
            commands.append(self.command("close", "close", closing))
        self.planner.plan.commands.extend((self.at, command) for command in commands)
        written = self.planner.plan.cells.setdefault(self.at, {})
        for c in self.layout.facts:  # a field of several columns: their texts, a line each
            text, before = self.cell(c), written.get(c.field)
            written[c.field] = f"{before}\n{text}" if before and text else before or text

    def command(self, name: str, fact: str, fields: dict[str, Any]) -> dict[str, Any]:
        planner, table = self.planner, self.table
        head = planner.heads.get(id(table)) or planner.heads.setdefault(
            id(table), id_head(planner.body, planner.source, table)
        )
        return {
            "command": name,
            "command_id": with_tail(head, table, self.row.number, fact),
            "actor": planner.actor,  # one copy of the caller's for the plan: read, never changed
            "body": planner.body,
            **fields,
        }

    def cell(self, column: Column) -> str:
        """A cell's text, stripped (as the readers give it), checked for what no command may hold."""
        cells = self.row.cells
        text = cells[column.index].strip() if column.index < len(cells) else ""
        if self.clean:
            return text
        if unreadable := next((u for u in self.row.unreadable if u.index == column.index), None):
            self.problem(column, unreadable.value, unreadable.rule)
        elif len(text) > MAX_TEXT:
            self.problem(column, text, f"is longer than {MAX_TEXT:,} characters")
        elif control := _CONTROL.search(text):
            where = control.start() + 1
            self.problem(column, text, f"holds a control character (U+{ord(control[0]):04X}) at character {where}")
        return text

    def problem(self, column: Column | None, value: str, rule: str) -> None:
        self.problems.append(RowProblem(self.at, column.header if column else None, value, rule))

    def warn(self, column: Column, value: str, what: str) -> None:
        self.planner.plan.warnings.append(sentence(self.at, column.header, value, what))

    def meeting_date(self) -> date | None:
        """The row's meeting date, or the row above's where the cell is blank; None, with a problem, if none reads."""
        column, above = self.layout.meeting_date, self.above
        text = self.cell(column)
        if text:
            above.meeting_text = text
            try:
                above.meeting, above.meeting_unreadable = read_date(text, month_alone=False), None
            except NotADate as e:
                above.meeting, above.meeting_unreadable = None, self.at
                self.problem(column, text, str(e))
                return None
        elif above.meeting_unreadable is not None:
            self.problem(column, "", f"is blank, and the date it continues ({above.meeting_unreadable}) cannot be read")
            return None
        elif above.meeting is None:
            self.problem(column, "", "is blank, and no row above gives the meeting date")
            return None
        if above.meeting > self.planner.as_of:
            when = long_date(self.planner.as_of)
            self.problem(column, above.meeting_text, f"is after the date of the tracker ({when}, the as-of date)")
            return None
        return above.meeting

    def item_and_minute(self) -> tuple[str | None, str | None]:
        """The row's item and minute; a blank item continues the row above's, and its minute with it."""
        above = self.above
        item_column, minute_column = self.layout.item, self.layout.minute
        minute = one_line(self.cell(minute_column)) if minute_column else ""
        if minute_column and len(minute) > MAX_NAME:
            self.problem(minute_column, minute, f"is longer than {MAX_NAME} characters")
        if item_column is None:
            item = self.fallback_item
        elif text := self.cell(item_column):
            item = above.item = text
        else:
            item = above.item
            minute = minute or (above.minute or "")
            if item is None:
                self.problem(item_column, "", "is blank, and no row above gives the item")
        if item is not None:
            above.minute = minute or None
        return item, minute or None

    def without_text(self, text_column: Column) -> None:
        """A row with no recommendation is no item; say so if it holds more than a date or an item to carry down."""
        if not self.clean:  # a cell too long, or with a control character, it would carry down: the row's error
            self.planner.plan.errors.extend(self.problems)
        cells = self.row.cells
        if any(c.index < len(cells) and cells[c.index] for c in self.layout.facts):
            self.planner.plan.warnings.append(
                f'{self.at}: column "{text_column.header}" is blank, so the row is not an item; left out'
            )

    def ref(self, meeting: date | None) -> str | None:
        """The ref column's, else MEETINGDATE/N: the row's place among the rows of its meeting, across the file."""
        number = None
        if meeting is not None:
            number = self.planner.numbers[meeting] = self.planner.numbers.get(meeting, 0) + 1
        column = self.layout.ref
        text = one_line(self.cell(column)) if column else ""
        if column and len(text) > MAX_NAME:
            self.problem(column, text, f"is longer than {MAX_NAME} characters")
            return None
        if text:
            ref = text
        elif meeting is not None:
            ref = f"{meeting.isoformat()}/{number}"
        else:
            return None
        at = self.layout.origin.index if self.layout.origin else len(self.row.cells)  # read, not checked again
        origin = self.row.cells[at].strip() if at < len(self.row.cells) else ""
        first = self.planner.refs.setdefault(("" if origin == self.planner.body else origin, ref), self.at)
        if first != self.at:
            if column and text:
                self.problem(column, text, f"is already the ref of {first}")
            else:
                self.problem(None, "", f'the ref made for it, "{ref}", is already the ref of {first}')
        return ref

    def same_body(self) -> None:
        """A row naming a body (the tracker's CSV export of every body) is of the body imported into, or refused."""
        column = self.layout.body
        code = self.cell(column) if column is not None else ""
        if column is not None and code and code != self.planner.body:
            self.problem(column, code, f"is another body's item: import it with --body {code}, or leave the row out")

    def addressees(self) -> list[dict[str, str]]:
        """Every name of every addressee column, once each (the first spelling), with the kind the name suggests."""
        found: dict[str, dict[str, str]] = {}
        for column in self.layout.addressees:
            cell = self.cell(column)
            read = self.planner.people.get((cell, column.header))
            if read is None:
                names, doubtful = read_names(cell, self.planner.names)
                people = tuple((name.casefold(), name, addressee_kind(name, column.header)) for name in names)
                read = self.planner.people[cell, column.header] = (people, doubtful)
            if read[1]:
                self.doubtful = True
                self.warn(column, cell, "may be one name or several: nothing of the row is recorded until --names one "
                          "(one name a line) or --names split (each comma, /, and, & parts two) says so")  # fmt: skip
            for key, name, kind in read[0]:
                if len(name) > MAX_NAME:
                    self.problem(column, name, f"is a name longer than {MAX_NAME} characters")
                if key not in found:
                    found[key] = {"name": name, "kind": kind}
        if len(found) > MAX_ADDRESSEES:
            self.problem(None, "", f"names {len(found)} addressees; an item has at most {MAX_ADDRESSEES}")
        return list(found.values())

    def target_date(self, meeting: date | None) -> date | None:
        """A target on or after the meeting; any other text of the column is kept in the progress note."""
        column = self.layout.target_date
        text = self.cell(column) if column else ""
        if column is None or not text:
            return None
        try:
            target = read_date(text)
        except NotADate as e:
            self.keep(column, text, f"{e}; kept in the progress note")
            return None
        if meeting is not None and target < meeting:
            self.keep(column, text, "is before the meeting; kept in the progress note")
            return None
        return target

    def response(self, addressees: list[dict[str, str]]) -> dict[str, Any] | None:
        """The executive's response (else the first addressee's): its decision and its words."""
        cells = [(column, text) for column in self.layout.response if (text := self.cell(column))]
        if not cells:
            return None
        if not addressees:
            for column, text in cells:
                self.keep(column, text, "is a response, but the row names nobody to give it; kept in the progress note")
            return None
        decisions = [DECISIONS.get(_words(t)) for _, t in cells]
        decided = [(t, d) for (_, t), d in zip(cells, decisions, strict=True) if d is not None]
        words = [t for (_, t), d in zip(cells, decisions, strict=True) if d is None] or [decided[0][0]]
        text = "\n".join(words)
        if len(text) > MAX_TEXT:
            self.problem(cells[0][0], text, f"makes a response longer than {MAX_TEXT:,} characters")
        by = next((a for a in addressees if a["kind"] == "executive"), addressees[0])["name"]
        return {
            "addressee": by,
            "decision": decided[0][1] if decided else "noted",
            "text": text,
            "responded_on": self.planner.as_of.isoformat(),
            "responded_by": by,
        }

    def status(self) -> tuple[tuple[str, str] | None, bool]:
        """The RAG rating (and how it was written) and whether the status closes the item; other statuses are kept."""
        rag: tuple[str, str] | None = None
        closes = False
        for column in self.layout.status:
            text = self.cell(column)
            word = _words(text)
            if not word:
                continue
            if word in CLOSING:
                closes = True
            elif word in RAGS and rag is None:
                rag = (RAGS[word], f"{column.header}: {text}")
            else:
                self.kept.append(f"{column.header}: {text}")
        return rag, closes

    def keep(self, column: Column, text: str, why: str) -> None:
        self.kept.append(f"{column.header}: {text}")
        self.warn(column, text, why)


def _unheaded_warnings(table: SourceTable, header_row: SourceRow, position: int) -> list[str]:
    """A column with cells below the header row but no header of its own (blank, or past the header's last) is
    said, with its first cell: what it holds is left out, and a clerk must not lose a column unawares."""
    named = {i for i, cell in enumerate(header_row.cells) if header_key(cell)}
    first: dict[int, tuple[SourceRow, str]] = {}
    for row in table.rows[position + 1 :]:
        for i, cell in enumerate(row.cells):
            if i not in named and i not in first and cell.strip():
                first[i] = (row, cell.strip())
    where = f"{table.label}: " if table.label else ""
    return [
        f'{where}column {i + 1} has no header, so it is left out ({_ref(table, row)} holds "{_shown(cell)}"; '
        f"give it a header the import reads)"
        for i, (row, cell) in sorted(first.items())
    ]


def _shown(cell: str) -> str:
    return cell if len(cell) <= 50 else cell[:50] + "…"


def _ref(table: SourceTable, row: SourceRow) -> RowRef:
    return RowRef(table.label, row.number, table.unit)
