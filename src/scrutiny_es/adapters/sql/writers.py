"""How batches of events change each read model's tables.

A writer first *absorbs* events into state it keeps in memory, reading from its tables
only what it does not hold, then *prepares* the rows that changed, and then *flushes*
them; the runner commits the flush together with the projection's position, so every
event is applied exactly once. What is folded, and what a row shows, is the pure logic of
``scrutiny_es.projections``; a writer only keeps it in SQL.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select

from scrutiny_es.adapters.sql.bulk import Inserts, Values, chunks, for_driver, insert_prepared
from scrutiny_es.adapters.sql.schema import (
    addressee_list,
    audit_table,
    audited_item_table,
    obligation_table,
    overdue_item_table,
    seal_table,
    tracker_table,
)
from scrutiny_es.application.ports import EventLog
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body, Recommendation
from scrutiny_es.projections.audit import AuditedItem, audit_entry
from scrutiny_es.projections.items import fold, from_stored, obligations, stored, tracker_record
from scrutiny_es.projections.rows import AuditRow, Obligation
from scrutiny_es.projections.seal import ZERO, Sealed, seal


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
    rebuilt (1: release 0.1.0)."""

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


class Histories(StateCache):
    """Items' histories as of one position (``at``), shared by the tracker and the overdue list.

    Both projections keep the same history of each item, and they are caught up and
    rebuilt together, so each batch of events is folded once, and each changed history
    written as JSON once, for both.
    """

    def __init__(self) -> None:
        super().__init__()
        self.last: Folded | None = None
        self.derived: dict[str, dict[str, Any]] = {}
        """What was made of histories not changed since (their JSON, their obligations), by item."""

    def forget(self) -> None:
        self.clear()
        self.derived.clear()
        self.at = self.last = None

    def fold(self, after: int, events: Events, load: Callable[[list[str]], dict[str, ItemHistory]]) -> Folded:
        """Folds events after position ``after``, loading with ``load`` the histories not held."""
        if self.at != after:
            self.forget()
        keyed = [(e.originator_id.hex, e) for _, e in events if type(e) not in _BODY_EVENTS]
        missing = _stored_elsewhere(keyed, self)
        self.update(load(missing) if missing else {})
        batch = Folded(after, events[-1][0], {}, set())
        for key, event in keyed:
            history = fold(self.get(key), event)
            if history is not None:
                self[key] = batch.changed[key] = history
                self.move_to_end(key)
                self.derived.pop(key, None)
                if type(event) is Recommendation.Made:
                    batch.made.add(key)
        self.at, self.last = batch.to, batch
        return batch

    def trim(self) -> None:
        while len(self) > self.SIZE:
            key, _ = self.popitem(last=False)
            self.derived.pop(key, None)

    def text(self, key: str, history: ItemHistory) -> str:
        """The history as JSON, made once while it is unchanged."""
        return self._derived(key, history, "text", stored)  # type: ignore[no-any-return]

    def owed(self, key: str, history: ItemHistory) -> list[Obligation]:
        """The history's obligations, worked out once while it is unchanged (both projections show them)."""
        return self._derived(key, history, "owed", obligations)  # type: ignore[no-any-return]

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
        self.ready: list[Inserts] | None = None
        """The rows of the dirty histories, once prepared."""

    def state_table(self, generation: int) -> Table:
        raise NotImplementedError

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        """The rows of each table for these histories."""
        raise NotImplementedError

    def forget(self) -> None:
        self.at = self.ready = None
        self.dirty.clear()
        self.new.clear()
        self.histories.forget()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        self.ready = None
        if self.at != (generation, after):
            self.dirty.clear()
            self.new.clear()
        batch = self.histories.last
        if batch is None or (batch.after, batch.to) != (after, events[-1][0]):  # not folded for the other one
            batch = self.histories.fold(after, events, lambda keys: self._load(conn, generation, keys))
        self.dirty.update(batch.changed)
        self.new |= batch.made
        self.at = (generation, batch.to)

    def _load(self, conn: Connection, generation: int, keys: list[str]) -> dict[str, ItemHistory]:
        """Histories as this projection has them: absorbed and not yet written, else in its table."""
        found = {key: self.dirty[key] for key in keys if key in self.dirty}
        state = self.state_table(generation)
        for chunk in chunks([key for key in keys if key not in found]):
            query = select(state.c.item_id, state.c.history).where(state.c.item_id.in_(chunk))
            found.update((key, from_stored(history)) for key, history in conn.execute(query))
        return found

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None:
            made = self.rows(generation, list(self.dirty.items()))
            self.ready = [for_driver(table, dialect, rows) for table, rows in made]

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        for chunk in chunks([key for key in self.dirty if key not in self.new]):
            for table in self.tables(generation):
                conn.execute(delete(table).where(table.c.item_id.in_(chunk)))
        insert_prepared(conn, self.ready or [])
        self.ready = None
        self.dirty.clear()
        self.new.clear()
        self.histories.trim()


class TrackerWriter(ItemsWriter):
    """The tracker: one row per item, as ``projections.items.tracker_row`` shows it."""

    name = "tracker"
    layout = 3

    def tables(self, generation: int) -> list[Table]:
        return [tracker_table(generation)]

    def state_table(self, generation: int) -> Table:
        return tracker_table(generation)

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        rows: list[Values] = []
        text = self.histories.text
        for key, history in histories:
            shown = tracker_record(history, self.histories.owed(key, history))
            if shown is not None:
                row, status, rag, names = shown
                values = (key, history.body, history.ref, history.meeting_date, row, text(key, history), status, rag)
                rows.append((*values, addressee_list(names)))
        return [(tracker_table(generation), rows)]


class OverdueWriter(ItemsWriter):
    """The overdue list: obligations with their due dates; "overdue on D" is a query."""

    name = "overdue"
    layout = 2

    def tables(self, generation: int) -> list[Table]:
        return [overdue_item_table(generation), obligation_table(generation)]

    def state_table(self, generation: int) -> Table:
        return overdue_item_table(generation)

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        text = self.histories.text
        states: list[Values] = [(key, text(key, h), h.item, h.text) for key, h in histories]
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


class SealWriter(TableWriter):
    """The seal: each event's digest in the hash chain (``projections.seal``), kept like any read model."""

    name = "seal"
    layout = 1

    def __init__(self, log: EventLog | None) -> None:
        self.log = log
        """Where the events are read as stored: the seal is of the bytes written, not of the events decoded."""
        self.at: tuple[int, int] | None = None
        self.last: Sealed | None = None
        self.new: list[Sealed] = []
        self.ready: list[Inserts] | None = None

    def tables(self, generation: int) -> list[Table]:
        return [seal_table(generation)]

    def forget(self) -> None:
        self.at = self.last = self.ready = None
        self.new.clear()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        if self.log is None:
            raise RuntimeError("the seal reads the log as stored: give writers() the log")
        self.ready = None
        if self.at != (generation, after):
            self.forget()
            table = seal_table(generation)
            query = select(table.c.position, table.c.stored_at, table.c.digest).order_by(table.c.position.desc())
            found = conn.execute(query.limit(1)).first()
            self.last = Sealed(found[0], found[1], bytes(found[2])) if found else None
        last = self.last or Sealed(0, 0, ZERO)
        for row in self.log.stored(after, len(events)):
            last = Sealed(last.position + 1, row[0], seal(last.digest, row))
            self.new.append(last)
        self.last = last
        self.at = (generation, events[-1][0])

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None:
            self.ready = [for_driver(seal_table(generation), dialect, self.new)]

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        insert_prepared(conn, self.ready or [])
        self.ready = None
        self.new.clear()


def writers(log: EventLog | None = None) -> dict[str, TableWriter]:
    """The read models, the tracker and the overdue list sharing their items' histories; the seal reads ``log``."""
    histories = Histories()
    made = (TrackerWriter(histories), OverdueWriter(histories), AuditWriter(), SealWriter(log))
    return {p.name: p for p in made}


_BODY_EVENTS = {Body.Registered}
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
