"""eventsourcing's SQLite event store, with the log's rule of time, its positions and the commands' keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory
from sqlalchemy.dialects import sqlite

from scrutiny_es.adapters.store import check_follows, check_unchanged
from scrutiny_es.adapters.store.commands import (
    ADD_TO_LOG,
    INSERT_COMMAND,
    INSERT_POSITION,
    LAST_RECORDED,
    LAST_VERSIONS,
    Driver,
    ReadTime,
    create_statements,
    fill,
    key_rows,
)


class SQLiteEventRecorder(SQLiteApplicationRecorder):
    """Appends events, then, holding the write lock: checks the event before them was not recorded later
    (see the package) and that the aggregates the batch read unchanged still are; numbers them in the log
    (keeping each position's aggregate, version and time), and keeps the keys of the commands that recorded them.

    ``insert_events`` returns the events' positions in the log (``scrutiny_es.adapters.store.commands``);
    ``create_table`` makes every table it writes, and fills in what an older database lacks.
    """

    read_time: ReadTime | None = None
    """How to read an event's recording time from its stored state, for databases that did not keep it."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements(sqlite.dialect())]

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:

            def run(statement: str, params: Sequence[Any]) -> list[Any]:
                c.execute(statement, params)
                return [tuple(row) for row in c.fetchall()]

            fill(Driver("sqlite", "?", run, c.executemany), self.events_table_name, "rowid", self.read_time)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        rowids = super()._insert_events(c, stored_events, **kwargs) or []
        if not rowids:  # the batch's commands were all recorded before: only their keys, if new, are kept
            if keyed := key_rows(kwargs.get("commands", ()), ()):
                c.executemany(INSERT_COMMAND.format("?"), keyed)
            return rowids
        times = kwargs.get("recorded_at") or [None] * len(stored_events)
        c.execute(LAST_RECORDED)  # the insert above holds the write lock
        row = c.fetchone()
        check_follows(row[0] if row else None, times[0])
        unchanged = kwargs.get("unchanged")
        if unchanged:
            c.execute(LAST_VERSIONS.format(",".join("?" * len(unchanged))), [_hex(key) for key in unchanged])
            check_unchanged(c.fetchall(), unchanged)
        c.execute(ADD_TO_LOG.format("?"), (len(rowids),))
        last = c.fetchone()[0]
        positions = list(range(last - len(rowids) + 1, last + 1))
        c.executemany(
            INSERT_POSITION.format("?"),
            [
                (position, _hex(e.originator_id), e.originator_version, time)
                for position, e, time in zip(positions, stored_events, times, strict=True)
            ],
        )
        if keyed := key_rows(kwargs.get("commands", ()), positions):
            c.executemany(INSERT_COMMAND.format("?"), keyed)
        return positions


def _hex(key: UUID | str) -> str:
    """An aggregate's id as SQLAlchemy's ``Uuid`` keeps it in SQLite (``scrutiny_positions`` is read through it)."""
    return key.hex if isinstance(key, UUID) else UUID(key).hex


class Factory(SQLiteFactory):
    application_recorder_class = SQLiteEventRecorder
