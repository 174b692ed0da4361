"""eventsourcing's PostgreSQL event store, with the log's rule of time, its positions and the commands' keys.

A council's schema (``POSTGRES_SCHEMA``) holds the store's own tables beside the events: the recorder
names them in it, as eventsourcing names its own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed
from sqlalchemy.dialects import postgresql

from scrutiny_es.adapters.store import check_follows, check_unchanged
from scrutiny_es.adapters.store.commands import (
    ADD_TO_LOG,
    INSERT_COMMANDS_FROM_ARRAYS,
    INSERT_POSITIONS_FROM_ARRAYS,
    LAST_RECORDED,
    LAST_VERSIONS_OF_ARRAY,
    Driver,
    ReadTime,
    create_statements,
    fill,
)

_OWN_TABLES = re.compile(r"\b(scrutiny_log_length|scrutiny_positions|scrutiny_commands)\b")


class _Statements(NamedTuple):
    last_recorded: str
    last_versions: str
    add_to_log: str
    insert_positions: str
    insert_commands: str


class PostgresEventRecorder(PostgresApplicationRecorder):
    """Before eventsourcing appends, in its transaction: takes the log's lock; checks the last event was not
    recorded later (see the package); numbers the events in the log (keeping each position's aggregate,
    version and time) and keeps the keys of the commands that recorded them.

    Refused, nothing has been written, so the transaction eventsourcing then ends is empty. ``insert_events``
    returns the events' positions in the log, not PostgreSQL's ids (which have gaps); ``create_table`` makes
    every table it writes (in the council's schema), and fills in what an older database lacks.
    """

    read_time: ReadTime | None = None
    """How to read an event's recording time from its stored state, for databases that did not keep it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.datastore.enable_db_functions:  # its insert function skips the hook that keeps the positions
            msg = "the event store keeps the log's positions as it appends: POSTGRES_ENABLE_DB_FUNCTIONS must be off"
            raise ValueError(msg)
        self._positions = threading.local()
        self._statements = _Statements(
            self._in_schema(LAST_RECORDED), self._in_schema(LAST_VERSIONS_OF_ARRAY),
            self._in_schema(ADD_TO_LOG.format("%s")), self._in_schema(INSERT_POSITIONS_FROM_ARRAYS),
            self._in_schema(INSERT_COMMANDS_FROM_ARRAYS),
        )  # fmt: skip
        if self.datastore.schema != "public":  # a council's own: those listening hear only of its events
            self.channel_name = f"{self.datastore.schema}_{self.events_table_name}"
        make: Any = SQL  # given statements built here, not literals
        ddl = [self._in_schema(s) for s in create_statements(postgresql.dialect())]  # type: ignore[no-untyped-call]
        self.sql_create_statements.extend(Composed([make(s)]) for s in ddl)

    def _in_schema(self, statement: str) -> str:
        """A statement on the store's own tables, naming them in the datastore's schema (as eventsourcing
        names its own), so every connection finds them whatever its search path."""
        return _OWN_TABLES.sub(rf'"{self.datastore.schema}".\1', statement)

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as curs, curs.connection.cursor(row_factory=tuple_row) as c:

            def run(statement: str, params: Sequence[Any]) -> list[Any]:
                c.execute(self._in_schema(statement), params)
                return c.fetchall() if c.description else []

            def many(statement: str, rows: list[tuple[Any, ...]]) -> None:
                c.executemany(self._in_schema(statement), rows)

            driver = Driver("postgresql", "%s", run, many)
            fill(driver, f"{self.datastore.schema}.{self.events_table_name}", "notification_id", self.read_time)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        self._positions.last = None
        super().insert_events(stored_events, **kwargs)
        return self._positions.last  # type: ignore[no-any-return]

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if not stored_events:
            return
        count = len(stored_events)
        times = kwargs.get("recorded_at") or [None] * count
        # Not prepared: psycopg prepares a statement run often, and a clash rolled back in its pipeline
        # leaves it taking one as prepared that the server never kept.
        connection = curs.connection
        unchanged = kwargs.get("unchanged")
        with (
            connection.cursor(row_factory=tuple_row) as c,
            connection.cursor(row_factory=tuple_row) as before,
            connection.cursor(row_factory=tuple_row) as latest,
        ):
            # eventsourcing's lock on the events table first, as every writer and ``create_table`` take it before the
            # store's own tables (taken after the positions, it deadlocked with a process creating their index).
            # The time of the event before, and the versions of what the batch read unchanged, are read by
            # statements of their own, so they see what the writer ahead of this one committed. All of it in one
            # round trip.
            for statement in self.lock_table_statements:
                c.execute(statement, prepare=False)
            c.execute(self._statements.add_to_log, (count,), prepare=False)
            before.execute(self._statements.last_recorded, prepare=False)
            if unchanged:
                latest.execute(self._statements.last_versions, (list(unchanged),), prepare=False)
            (last,) = c.fetchone() or (count,)
            row = before.fetchone()
            check_follows(row[0] if row else None, times[0])
            if unchanged:
                check_unchanged(latest.fetchall(), unchanged)
            positions = list(range(last - count + 1, last + 1))
            ids, versions = [e.originator_id for e in stored_events], [e.originator_version for e in stored_events]
            c.execute(self._statements.insert_positions, (positions, ids, versions, list(times)), prepare=False)
            keyed = kwargs.get("commands", ())
            if keyed:
                columns = ([k for k, _, _, _ in keyed], [d for _, d, _, _ in keyed],
                           [positions[i] for _, _, i, _ in keyed], [n for _, _, _, n in keyed])  # fmt: skip
                c.execute(self._statements.insert_commands, columns, prepare=False)
        self._positions.last = positions


class Factory(PostgresFactory):
    application_recorder_class = PostgresEventRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The pool's first connection made before it is first used: else psycopg_pool makes a second for the
        # first caller, and a command-line process holds two where it needs one (``create_table`` then stops
        # waiting: a wait on a pool in use by other threads is not safe).
        self.datastore.pool_open_timeout = 30.0
