"""The writer of the projections that keep each item's history beside their rows: the tracker and the overdue list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, delete, select

from scrutiny_es.adapters.sql.bulk import Inserts, Values, chunks, for_driver, insert_prepared
from scrutiny_es.adapters.sql.schema import calendar_table
from scrutiny_es.adapters.sql.writers.base import Events, TableWriter
from scrutiny_es.adapters.sql.writers.histories import Calendars, Histories, KnownBody
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.projections.items import from_stored


class ItemsWriter(TableWriter):
    """A projection keeping each item's history (see ``projections.items``) beside its rows."""

    def __init__(self, histories: Histories) -> None:
        self.histories = histories
        self.at: tuple[int, int] | None = None
        """The generation and position of what was absorbed and not yet flushed."""
        self.dirty: dict[str, ItemHistory] = {}
        self.new: set[str] = set()
        """Items made since the last flush: they have no rows to delete."""
        self.bodies: set[str] = set()
        """Bodies (by id) registered, renamed or whose calendar changed since the last flush."""
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
        self.bodies.clear()
        self.histories.forget()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        self.ready = None
        if self.at != (generation, after):
            self.dirty.clear()
            self.new.clear()
            self.bodies.clear()
        batch = self.histories.last
        if batch is None or (batch.after, batch.to) != (after, events[-1][0]):  # not folded for the other one
            batch = self.histories.fold(after, events, _Stored(self, conn, generation))
        self.dirty.update(batch.changed)
        self.new |= batch.made
        self.bodies |= batch.bodies
        self.at = (generation, batch.to)

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None:
            made = self.rows(generation, list(self.dirty.items()))
            known = self.histories.calendars or {}
            bodies: list[Values] = [_body_values(key, known[key]) for key in self.bodies]
            made.append((calendar_table(self.name, generation), bodies))
            self.ready = [for_driver(table, dialect, rows) for table, rows in made]

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        for chunk in chunks([key for key in self.dirty if key not in self.new]):
            for table in self.item_tables(generation):
                conn.execute(delete(table).where(table.c.item_id.in_(chunk)))
        calendar = calendar_table(self.name, generation)
        for chunk in chunks(list(self.bodies)):
            conn.execute(delete(calendar).where(calendar.c.body_id.in_(chunk)))
        insert_prepared(conn, self.ready or [])
        self.ready = None
        self.dirty.clear()
        self.new.clear()
        self.bodies.clear()
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
        rows = self.conn.execute(select(table))
        return {
            key: KnownBody(code, [date.fromisoformat(day) for day in json.loads(days)], council, body_names(names))
            for key, code, days, council, names in rows
        }


def _body_values(key: str, body: KnownBody) -> Values:
    days = json.dumps([day.isoformat() for day in body.meetings])
    names = json.dumps([[since.isoformat(), name] for since, name in body.names])
    return (key, body.code, days, body.council, names)


def body_names(text: str) -> list[tuple[date, str]]:
    """A body's names as its row keeps them (``_body_values``)."""
    return [(date.fromisoformat(since), name) for since, name in json.loads(text)]
