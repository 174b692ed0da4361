"""The audit trail's writer: an entry per event, and each item as the trail knows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, delete, func, select

from scrutiny_es.adapters.sql.bulk import Inserts, chunks, for_driver, insert_prepared
from scrutiny_es.adapters.sql.schema import audit_table, audited_item_table
from scrutiny_es.adapters.sql.writers.base import Events, StateCache, TableWriter, stored_elsewhere
from scrutiny_es.application.unreadable import TooNew
from scrutiny_es.projections.audit import AuditedItem, audit_values


class AuditWriter(TableWriter):
    """The audit trail: one numbered entry per event, numbered without gaps."""

    name = "audit"
    layout = 2
    keeps_places = True

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
        for chunk in chunks(stored_elsewhere(keyed, items)):
            for row in conn.execute(select(table).where(table.c.item_id.in_(chunk))):
                items[row.item_id] = (AuditedItem(row.body, row.ref, row.kind), True)
        for key, event in keyed:
            if type(event) is TooNew:  # a newer release's, or after it on its item: its place is kept
                self.last_position += 1
                continue
            item, was_stored = items.get(key, (None, False))
            changed, entry = audit_values(item, event, self.last_position + 1)
            if entry is not None:
                self.last_position += 1
                self.entries.append((*entry, key, event.originator_version))
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
