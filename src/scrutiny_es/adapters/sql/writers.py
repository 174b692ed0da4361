"""How batches of events change each read model's tables.

A writer first *absorbs* events into state it keeps in memory, reading from its tables
only what it does not hold, then *prepares* the rows that changed, and then *flushes*
them; the runner commits the flush together with the projection's position, so every
event is applied exactly once. What is folded, and what a row shows, is the pure logic of
``scrutiny_es.projections``; a writer only keeps it in SQL.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from functools import partial
from operator import attrgetter
from typing import Any, Protocol

from sqlalchemy import Connection, Table, delete, func, select

from scrutiny_es.adapters.sql.bulk import Inserts, Values, chunks, for_driver, insert_prepared
from scrutiny_es.adapters.sql.schema import (
    SEAL_BLOCK,
    addressee_list,
    audit_table,
    audited_item_table,
    calendar_table,
    obligation_table,
    overdue_item_table,
    packed_places,
    seal_table,
    tracker_table,
    unpacked_places,
)
from scrutiny_es.application.ports import EventLog
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body, Recommendation
from scrutiny_es.projections.audit import AuditedItem, audit_entry
from scrutiny_es.projections.items import fold, from_stored, obligations, stored, tracker_record, waits_for_a_meeting
from scrutiny_es.projections.rows import AuditRow, Obligation
from scrutiny_es.projections.seal import ZERO, seal


class StateCache(OrderedDict[str, Any]):
    """Items' state kept in memory between batches, so what was just written is not read back.

    It is valid only at the position where it was left: at any other (another process
    moved the projection on, or a transaction was rolled back) it is emptied. Trimmed to
    the ``SIZE`` items changed last.
    """

    SIZE = 5_000

    def __init__(self) -> None:
        super().__init__()
        self.at: Any = None

    def trim(self) -> None:
        while len(self) > self.SIZE:
            self.popitem(last=False)


Events = Sequence[tuple[int, Any]]
"""Events with their positions in the log."""


class TableWriter:
    """A read model kept in SQL tables."""

    name: str
    layout: int
    """The shape of its tables and rows: raised with every change, so that tables an earlier version made are
    rebuilt (1: release 0.1.0; 3: the calendars, and the tracker's columns a page is chosen by)."""

    def tables(self, generation: int) -> list[Table]:
        raise NotImplementedError

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        """Folds events that follow position ``after`` into the state held in memory."""
        raise NotImplementedError

    def prepare(self, generation: int, dialect: str) -> None:
        """Makes the rows the absorbed events call for, ready for the driver, without touching the database."""
        raise NotImplementedError

    def flush(self, conn: Connection, generation: int) -> None:
        """Writes what the absorbed events changed (the caller commits it with the position)."""
        raise NotImplementedError

    def forget(self) -> None:
        """Drops what is held in memory: it may no longer be what the tables hold."""
        raise NotImplementedError


@dataclass
class Folded:
    """One batch of events folded into the histories: where it ran, what it changed, what it made."""

    after: int
    to: int
    changed: dict[str, ItemHistory]
    made: set[str]
    calendars: set[str] = field(default_factory=set)
    """The bodies (by id) registered, or whose calendar changed, in the batch."""


Calendars = dict[str, tuple[str, list[date]]]
"""Each body's code and meetings, by the body's id."""


class ItemTables(Protocol):
    """What the histories read from a projection's tables: histories, a body's items, the calendars."""

    def histories(self, keys: list[str]) -> dict[str, ItemHistory]: ...

    def items_of(self, body: str) -> list[str]: ...

    def calendars(self) -> Calendars: ...


class Histories(StateCache):
    """Items' histories as of one position (``at``), shared by the tracker and the overdue list.

    Both projections keep the same history of each item, and they are caught up and
    rebuilt together, so each batch of events is folded once, and each changed history
    written as JSON once, for both. The bodies' calendars are kept too: when a meeting is
    scheduled or cancelled, the body's items deferred "to a future meeting" are shown again.
    """

    def __init__(self) -> None:
        super().__init__()
        self.last: Folded | None = None
        self.derived: dict[str, dict[str, Any]] = {}
        """What was made of histories not changed since (their JSON, their obligations), by item."""
        self.calendars: Calendars | None = None
        self.meetings: dict[str, list[date]] = {}
        """Each body's meetings, by code."""

    def forget(self) -> None:
        self.clear()
        self.derived.clear()
        self.at = self.last = self.calendars = None
        self.meetings = {}

    def fold(self, after: int, events: Events, tables: ItemTables) -> Folded:
        """Folds events after position ``after``, reading from ``tables`` what is not held."""
        if self.at != after:
            self.forget()
        if self.calendars is None:
            self.calendars = tables.calendars()
            self.meetings = dict(self.calendars.values())
        calendars = self.calendars
        batch = Folded(after, events[-1][0], {}, set())
        keyed = []
        for _, event in events:
            if type(event) in _CALENDAR_EVENTS:
                self._change_calendar(calendars, event, batch)
            else:
                keyed.append((event.originator_id.hex, event))
        missing = _stored_elsewhere(keyed, self)
        self.update(tables.histories(missing) if missing else {})
        for key, event in keyed:
            history = fold(self.get(key), event)
            if history is not None:
                self[key] = batch.changed[key] = history
                self.move_to_end(key)
                self.derived.pop(key, None)
                if type(event) is Recommendation.Made:
                    batch.made.add(key)
        for body in {calendars[key][0] for key in batch.calendars}:
            self._show_again(body, batch, tables)
        self.at, self.last = batch.to, batch
        return batch

    def _change_calendar(self, calendars: Calendars, event: Any, batch: Folded) -> None:
        key = event.originator_id.hex
        if type(event) is Body.Registered:
            calendars[key] = (event.code, [])
        elif key in calendars:
            code, days = calendars[key]
            days = sorted({*days, event.meeting_date} if type(event) is Body.MeetingScheduled else
                          {*days} - {event.meeting_date})  # fmt: skip
            calendars[key] = (code, days)
        else:
            return
        self.meetings[calendars[key][0]] = calendars[key][1]
        batch.calendars.add(key)

    def _show_again(self, body: str, batch: Folded, tables: ItemTables) -> None:
        """Marks the body's items that wait for a meeting as changed, so their rows are made again."""
        held = [key for key, history in self.items() if history.body == body]
        elsewhere = [key for key in tables.items_of(body) if key not in self]
        loaded = tables.histories(elsewhere) if elsewhere else {}
        for key, history in [*((key, self[key]) for key in held), *loaded.items()]:
            if waits_for_a_meeting(history):
                self[key] = batch.changed[key] = history
                self.derived.pop(key, None)

    def trim(self) -> None:
        while len(self) > self.SIZE:
            key, _ = self.popitem(last=False)
            self.derived.pop(key, None)

    def calendar_of(self, history: ItemHistory) -> list[date]:
        return self.meetings.get(history.body, [])

    def text(self, key: str, history: ItemHistory) -> str:
        """The history as JSON, made once while it is unchanged."""
        return self._derived(key, history, "text", stored)  # type: ignore[no-any-return]

    def owed(self, key: str, history: ItemHistory) -> list[Obligation]:
        """The history's obligations, worked out once while it is unchanged (both projections show them)."""
        owed = partial(obligations, meetings=self.calendar_of(history))
        return self._derived(key, history, "owed", owed)  # type: ignore[no-any-return]

    def _derived(self, key: str, history: ItemHistory, what: str, make: Callable[[ItemHistory], Any]) -> Any:
        if self.get(key) is not history:
            return make(history)
        made = self.derived.setdefault(key, {})
        value = made.get(what)
        if value is None:
            value = made[what] = make(history)
        return value


class ItemsWriter(TableWriter):
    """A projection keeping each item's history (see ``projections.items``) beside its rows."""

    def __init__(self, histories: Histories) -> None:
        self.histories = histories
        self.at: tuple[int, int] | None = None
        """The generation and position of what was absorbed and not yet flushed."""
        self.dirty: dict[str, ItemHistory] = {}
        self.new: set[str] = set()
        """Items made since the last flush: they have no rows to delete."""
        self.calendars: set[str] = set()
        """Bodies (by id) whose calendar changed since the last flush."""
        self.ready: list[Inserts] | None = None
        """The rows of the dirty histories, once prepared."""

    def item_tables(self, generation: int) -> list[Table]:
        """The tables holding rows of items."""
        raise NotImplementedError

    def tables(self, generation: int) -> list[Table]:
        return [*self.item_tables(generation), calendar_table(self.name, generation)]

    def state_table(self, generation: int) -> Table:
        raise NotImplementedError

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        """The rows of each table for these histories."""
        raise NotImplementedError

    def forget(self) -> None:
        self.at = self.ready = None
        self.dirty.clear()
        self.new.clear()
        self.calendars.clear()
        self.histories.forget()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        self.ready = None
        if self.at != (generation, after):
            self.dirty.clear()
            self.new.clear()
            self.calendars.clear()
        batch = self.histories.last
        if batch is None or (batch.after, batch.to) != (after, events[-1][0]):  # not folded for the other one
            batch = self.histories.fold(after, events, _Stored(self, conn, generation))
        self.dirty.update(batch.changed)
        self.new |= batch.made
        self.calendars |= batch.calendars
        self.at = (generation, batch.to)

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None:
            made = self.rows(generation, list(self.dirty.items()))
            calendars = self.histories.calendars or {}
            days: list[Values] = [(key, calendars[key][0], _days_json(calendars[key][1])) for key in self.calendars]
            made.append((calendar_table(self.name, generation), days))
            self.ready = [for_driver(table, dialect, rows) for table, rows in made]

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        for chunk in chunks([key for key in self.dirty if key not in self.new]):
            for table in self.item_tables(generation):
                conn.execute(delete(table).where(table.c.item_id.in_(chunk)))
        calendar = calendar_table(self.name, generation)
        for chunk in chunks(list(self.calendars)):
            conn.execute(delete(calendar).where(calendar.c.body_id.in_(chunk)))
        insert_prepared(conn, self.ready or [])
        self.ready = None
        self.dirty.clear()
        self.new.clear()
        self.calendars.clear()
        self.histories.trim()


@dataclass
class _Stored:
    """A projection's tables as the histories read them, within its transaction: what was absorbed and not yet
    written is taken from the writer."""

    writer: ItemsWriter
    conn: Connection
    generation: int

    def histories(self, keys: list[str]) -> dict[str, ItemHistory]:
        dirty = self.writer.dirty
        found = {key: dirty[key] for key in keys if key in dirty}
        state = self.writer.state_table(self.generation)
        for chunk in chunks([key for key in keys if key not in found]):
            query = select(state.c.item_id, state.c.history).where(state.c.item_id.in_(chunk))
            found.update((key, from_stored(history)) for key, history in self.conn.execute(query))
        return found

    def items_of(self, body: str) -> list[str]:
        state = self.writer.state_table(self.generation)
        return list(self.conn.execute(select(state.c.item_id).where(state.c.body == body)).scalars())

    def calendars(self) -> Calendars:
        table = calendar_table(self.writer.name, self.generation)
        rows = self.conn.execute(select(table.c.body_id, table.c.body, table.c.meetings))
        return {key: (code, [date.fromisoformat(day) for day in json.loads(days)]) for key, code, days in rows}


def _days_json(days: list[date]) -> str:
    return json.dumps([day.isoformat() for day in days])


class TrackerWriter(ItemsWriter):
    """The tracker: one row per item, as ``projections.items.tracker_row`` shows it."""

    name = "tracker"
    layout = 3

    def item_tables(self, generation: int) -> list[Table]:
        return [tracker_table(generation)]

    def state_table(self, generation: int) -> Table:
        return tracker_table(generation)

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        rows: list[Values] = []
        text = self.histories.text
        for key, history in histories:
            shown = tracker_record(history, self.histories.owed(key, history), self.histories.calendar_of(history))
            if shown is not None:
                row, status, rag, names = shown
                values = (key, history.body, history.ref, history.meeting_date, row, text(key, history), status, rag)
                rows.append((*values, addressee_list(names)))
        return [(tracker_table(generation), rows)]


class OverdueWriter(ItemsWriter):
    """The overdue list: obligations with their due dates; "overdue on D" is a query."""

    name = "overdue"
    layout = 3

    def item_tables(self, generation: int) -> list[Table]:
        return [overdue_item_table(generation), obligation_table(generation)]

    def state_table(self, generation: int) -> Table:
        return overdue_item_table(generation)

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        text = self.histories.text
        states: list[Values] = [(key, h.body, text(key, h), h.item, h.text) for key, h in histories]
        owed: list[Values] = [
            (key, n, o.body, o.ref, o.reason, o.responsible, o.due, o.met_on, o.original_due)
            for key, h in histories
            for n, o in enumerate(self.histories.owed(key, h))
        ]
        return [(overdue_item_table(generation), states), (obligation_table(generation), owed)]


class AuditWriter(TableWriter):
    """The audit trail: one numbered entry per event, numbered without gaps."""

    name = "audit"
    layout = 2

    def __init__(self) -> None:
        self.items = StateCache()
        """Items as the audit trail knows them (see ``AuditedItem``), with whether their rows are stored."""
        self.dirty: dict[str, AuditedItem] = {}
        self.entries: list[tuple[Any, ...]] = []
        """New entries as their table's values: the row's, then the item's key and the event's version."""
        self.last_position = 0
        self.ready: list[Inserts] | None = None
        """The entries and the dirty items as rows, once prepared."""

    def tables(self, generation: int) -> list[Table]:
        return [audit_table(generation), audited_item_table(generation)]

    def forget(self) -> None:
        self.items.clear()
        self.items.at = self.ready = None
        self.dirty.clear()
        self.entries.clear()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        self.ready = None
        items = self.items
        if items.at != (generation, after):
            self.forget()
            entries = audit_table(generation)
            self.last_position = conn.execute(select(func.coalesce(func.max(entries.c.position), 0))).scalar_one()
        keyed = [(e.originator_id.hex, e) for _, e in events]
        table = audited_item_table(generation)
        for chunk in chunks(_stored_elsewhere(keyed, items)):
            for row in conn.execute(select(table).where(table.c.item_id.in_(chunk))):
                items[row.item_id] = (AuditedItem(row.body, row.ref, row.kind), True)
        for key, event in keyed:
            item, was_stored = items.get(key, (None, False))
            changed, entry = audit_entry(item, event, self.last_position + 1)
            if entry is not None:
                self.last_position += 1
                self.entries.append((*_AUDIT_COLUMNS(entry), key, event.originator_version))
            if changed is not None and changed != item:
                items[key] = (changed, was_stored)
                self.dirty[key] = changed
        items.at = (generation, events[-1][0])

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None:
            entries = for_driver(audit_table(generation), dialect, self.entries)
            items = [(key, *item) for key, item in self.dirty.items()]
            self.ready = [entries, for_driver(audited_item_table(generation), dialect, items)]

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        items = self.items
        table = audited_item_table(generation)
        for chunk in chunks([key for key in self.dirty if items[key][1]]):
            conn.execute(delete(table).where(table.c.item_id.in_(chunk)))
        insert_prepared(conn, self.ready or [])
        self.ready = None
        self.entries.clear()
        for key, item in self.dirty.items():
            items[key] = (item, True)
            items.move_to_end(key)
        self.dirty.clear()
        items.trim()


@dataclass
class SealBlock:
    """One row of the seal's table, as it is being filled: from ``first``, each event's place and digest."""

    first: int
    stored_at: list[int] = field(default_factory=list)
    digests: list[bytes] = field(default_factory=list)


class SealWriter(TableWriter):
    """The seal: each event's digest in the hash chain (``projections.seal``), kept like any read model, a
    row for every ``SEAL_BLOCK`` positions."""

    name = "seal"
    layout = 2
    """2: a row for every ``SEAL_BLOCK`` positions, not for each."""

    def __init__(self, log: EventLog | None) -> None:
        self.log = log
        """Where the events are read as stored: the seal is of the bytes written, not of the events decoded."""
        self.at: tuple[int, int] | None = None
        self.last: SealBlock | None = None
        """The table's last row, which the next events go on filling."""
        self.changed: list[SealBlock] = []
        """The rows to write, in order: the last row as it stood, then new ones."""
        self.ready: tuple[int, Inserts] | None = None

    def tables(self, generation: int) -> list[Table]:
        return [seal_table(generation)]

    def forget(self) -> None:
        self.at = self.last = self.ready = None
        self.changed.clear()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        if self.log is None:
            raise RuntimeError("the seal reads the log as stored: give writers() the log")
        self.ready = None
        if self.at != (generation, after):
            self.forget()
            table = seal_table(generation)
            query = select(table.c.first_position, table.c.stored_at, table.c.digests)
            found = conn.execute(query.order_by(table.c.first_position.desc()).limit(1)).first()
            if found is not None:
                digests = bytes(found[2])
                self.last = SealBlock(found[0], list(unpacked_places(bytes(found[1]))),
                                      [digests[n : n + 32] for n in range(0, len(digests), 32)])  # fmt: skip
        block = self.last or SealBlock(1)
        digest = block.digests[-1] if block.digests else ZERO
        if block.digests and len(block.digests) < SEAL_BLOCK and not (self.changed and self.changed[-1] is block):
            self.changed.append(block)
        for row in self.log.stored(after, len(events)):
            if len(block.digests) == SEAL_BLOCK:
                block = SealBlock(block.first + SEAL_BLOCK)
            if not block.digests:
                self.changed.append(block)
            digest = seal(digest, row)
            block.stored_at.append(row[0])
            block.digests.append(digest)
        self.last = block
        self.at = (generation, events[-1][0])

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None and self.changed:
            rows = [(b.first, packed_places(b.stored_at), b"".join(b.digests)) for b in self.changed]
            self.ready = (self.changed[0].first, for_driver(seal_table(generation), dialect, rows))

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        if self.ready is not None:
            first, inserts = self.ready
            table = seal_table(generation)
            conn.execute(delete(table).where(table.c.first_position >= first))  # the last row, as it stood
            insert_prepared(conn, [inserts])
        self.ready = None
        self.changed.clear()


def writers(log: EventLog | None = None) -> dict[str, TableWriter]:
    """The read models, the tracker and the overdue list sharing their items' histories; the seal reads ``log``."""
    histories = Histories()
    made = (TrackerWriter(histories), OverdueWriter(histories), AuditWriter(), SealWriter(log))
    return {p.name: p for p in made}


_CALENDAR_EVENTS = {Body.Registered, Body.MeetingScheduled, Body.MeetingCancelled}
_AUDIT_COLUMNS = attrgetter(*(field.name for field in fields(AuditRow)))
"""An audit row's values in the order of its table's columns."""


def _stored_elsewhere(keyed: list[tuple[str, Any]], held: Container[str]) -> list[str]:
    """The items of a batch whose state is to be read from the tables: not held, and not created in it."""
    first: dict[str, Any] = {}
    for key, event in keyed:
        first.setdefault(key, event)
    return [key for key, event in first.items() if key not in held and type(event) not in _CREATED]


_CREATED = {Recommendation.Made, Body.Registered}
"""The first event of every aggregate: what follows it in the same batch cannot be in the tables yet."""
