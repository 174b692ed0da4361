"""eventsourcing's PostgreSQL event store, with the log's rule of time, its positions and the commands' keys.

A council's schema (``POSTGRES_SCHEMA``) holds the store's own tables beside the events: the recorder
names them in it, as eventsourcing names its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import retry
from psycopg.errors import InvalidSqlStatementName
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier
from sqlalchemy.dialects import postgresql

from scrutiny_es.adapters.store import check_follows, check_unchanged
from scrutiny_es.adapters.store.commands import (
    APPEND_TO_LOG,
    APPEND_UNKEYED,
    BY_KEYS,
    INSERT_COMMAND,
    Driver,
    ReadTime,
    create_statements,
    fill,
    found,
    key_rows,
)
from scrutiny_es.application.ports import Recorded

_OWN_TABLES = re.compile(r"\b(scrutiny_log_length|scrutiny_positions|scrutiny_commands)\b")


class PostgresEventRecorder(PostgresApplicationRecorder):
    """Appends events as eventsourcing does (its lock on the events table, its rows, and its NOTIFY, sent here in a
    transaction of its own just after), and in the same transaction: numbers them in the log (keeping each
    position's aggregate, version and time), keeps the keys of the commands that recorded them, and checks the event
    before them was not recorded later (see the package) and that the aggregates the batch read unchanged still
    are. All of it in two exchanges with the server: the statements, then the commit with the notice.

    ``insert_events`` returns the events' positions in the log, not PostgreSQL's ids (which have gaps);
    ``create_table`` makes every table it writes (in the council's schema), and fills in what an older database
    lacks.
    """

    read_time: ReadTime | None = None
    """How to read an event's recording time from its stored state, for databases that did not keep it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.datastore.enable_db_functions:  # its insert function would skip the positions
            msg = "the event store keeps the log's positions as it appends: POSTGRES_ENABLE_DB_FUNCTIONS must be off"
            raise ValueError(msg)
        if self.datastore.schema != "public":  # a council's own: those listening hear only of its events
            self.channel_name = f"{self.datastore.schema}_{self.events_table_name}"
        self._append_to_log = self._in_schema(APPEND_TO_LOG)
        self._append_unkeyed = self._in_schema(APPEND_UNKEYED)
        # Those following the log are told of an append (eventsourcing's NOTIFY) in a transaction of its own, after
        # the events' commit, which does not wait to reach the disk: PostgreSQL serializes the commits of every
        # transaction that notifies, server-wide, each until it has finished (its WAL flushed, its synchronous
        # standby answered), so a council whose commit waited would hold up every other council's append.
        channel = self.channel_name.replace("'", "''")
        self._notify = f"SELECT set_config('synchronous_commit', 'off', true), pg_notify('{channel}', '')"
        self._by_keys = self._in_schema(BY_KEYS.format("%b::text[]"))
        # eventsourcing's own insert sends the events as an array of a composite type, which psycopg writes out as
        # text, quoting each field with a regular expression: half the append's time in Python. The same rows go
        # as four arrays in binary, into the same columns of eventsourcing's table.
        self._insert_rows = SQL(
            "INSERT INTO {0}.{1} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{2}[], %b::bigint[], %b::text[], %b::bytea[])"
        ).format(
            Identifier(self.datastore.schema),
            Identifier(self.events_table_name),
            SQL(self.datastore.originator_id_type),  # "uuid" or "text", as eventsourcing checked
        )
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

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def recorded(self, keys: list[str]) -> dict[str, Recorded]:
        """The commands already recorded under these keys: one prepared statement on the store's own connection, in
        one round trip (the read models' engine would add a ping, a BEGIN and a ROLLBACK)."""
        with self.datastore.get_connection() as connection, connection.cursor(row_factory=tuple_row) as c:
            c.execute(self._by_keys, (keys,), prepare=True)
            return found(c.fetchall())

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as eventsourcing's own
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:  # the batch's commands were all recorded before: only their keys, if new, are kept
            if keyed := key_rows(kwargs.get("commands", ()), ()):
                with self.datastore.transaction(commit=True) as curs:
                    curs.executemany(self._in_schema(INSERT_COMMAND.format("%s")), keyed)
            return []
        count = len(stored_events)
        times = kwargs.get("recorded_at") or [None] * count
        unchanged = kwargs.get("unchanged")
        keyed = kwargs.get("commands", ())
        numbered: dict[str, Any] = {
            "count": count, "unchanged": list(unchanged or ()), "ids": [e.originator_id for e in stored_events],
            "versions": [e.originator_version for e in stored_events], "times": list(times),
        }  # fmt: skip
        if keyed:
            numbered.update(keys=[k for k, _, _, _ in keyed], digests=[d for _, d, _, _ in keyed],
                            last=[i + 1 if i >= 0 else i for _, _, i, _ in keyed],
                            names=[n for _, _, _, n in keyed])  # fmt: skip
        # the events' rows, a column each (``_insert_rows``)
        columns = (numbered["ids"], numbered["versions"], [e.topic for e in stored_events],
                   [e.state for e in stored_events])  # fmt: skip
        try:
            end = self._append(numbered, columns, times[0], unchanged)
        except _PreparedStatementLost:  # its connection is closed: the pool gives a new one, which prepares afresh
            end = self._append(numbered, columns, times[0], unchanged, again=True)
        return list(range(end - count + 1, end + 1))

    def _append(
        self,
        numbered: dict[str, Any],
        columns: tuple[list[Any], ...],
        first: int | None,
        unchanged: Any,
        *,
        again: bool = False,
    ) -> int:
        """Appends, in two exchanges with the server (its statements; its commit and the notice), and returns the
        log's length after it.

        The statements are prepared (psycopg prepares each on a connection's first use and runs it by name after):
        planning them each time cost more than running them. In a pipeline psycopg takes a statement as prepared
        when it sends it, before the server answers; should the server not have kept it (a statement ahead of it
        failed, on a release of psycopg that does not see that), running it by name fails, and the connection,
        with what its driver believes, is closed, and the append tried once more (``again``) on a new one.
        """
        failed: Exception | None = None
        sent = False
        with self.datastore.get_connection() as connection:
            try:
                with connection.pipeline() as pipeline:
                    failed, end, sent = self._in_pipeline(connection, pipeline, numbered, columns, first, unchanged)
            except psycopg.Error as e:
                failed = failed or e
            if sent and isinstance(failed, psycopg.Error) and self._committed(connection, numbered):
                connection.close()  # the events are recorded and only the notice failed: the next connection is new
                failed = None
            if isinstance(failed, InvalidSqlStatementName) and not again:
                connection.close()
                raise _PreparedStatementLost from failed
            if failed is not None:
                raise failed
        return end

    def _in_pipeline(
        self,
        connection: Any,
        pipeline: Any,
        numbered: dict[str, Any],
        columns: tuple[list[Any], ...],
        first: int | None,
        unchanged: Any,
    ) -> tuple[Exception | None, int, bool]:
        """The append's transaction, then the notice of it in one of its own, sent in ``pipeline``: what failed, the
        log's length after the append, and whether its commit was sent (what failed after that may be the notice's
        alone; before it, the append is rolled back and no notice sent).

        The append's transaction is psycopg's (which, rolled back, forgets what the connection prepared), but it is
        committed by a statement sent with the notice's, which psycopg's own COMMIT then ends: in a pipeline psycopg
        waits for the server at the end of a transaction, so the notice goes in the exchange the commit took.
        """
        end, sent = 0, False
        try:
            with (
                connection.transaction(),
                connection.cursor(row_factory=tuple_row) as c,
                connection.cursor(row_factory=tuple_row) as appended,
            ):
                # eventsourcing's lock on the events table first, as every writer and ``create_table`` take it
                # before the store's own tables (taken after, it deadlocked with a process creating their index);
                # the statements after it see what the writer ahead of this one committed.
                for statement in self.lock_table_statements:
                    c.execute(statement, prepare=True)
                appended.execute(
                    self._append_to_log if "keys" in numbered else self._append_unkeyed, numbered, prepare=True
                )
                c.execute(self._insert_rows, columns, prepare=True)
                pipeline.sync()  # a clash (the same version, or key, recorded first) is raised here
                end, previous, ids, versions = appended.fetchone() or (numbered["count"], None, None, None)
                check_follows(previous, first)
                if unchanged:
                    check_unchanged(zip(ids or (), versions or (), strict=True), unchanged)
                for statement in (b"COMMIT", b"BEGIN", self._notify):  # not prepared: nothing follows them
                    c.execute(statement, prepare=False)
                sent = True
        except Exception as e:  # raised once out of the pipeline (as eventsourcing does)
            return e, end, sent
        return None, end, sent

    def _committed(self, connection: Any, numbered: dict[str, Any]) -> bool:
        """Whether an append's first event is in the log: asked, on its connection, when its pipeline failed after
        its commit was sent (a connection lost leaves it unknown, as eventsourcing's own append does)."""
        if connection.broken:
            return False
        if connection.info.transaction_status == TransactionStatus.INERROR:
            connection.rollback()
        query = SQL("SELECT 1 FROM {0}.{1} WHERE originator_id = %s AND originator_version = %s").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        found = connection.execute(query, (numbered["ids"][0], numbered["versions"][0]), prepare=False)
        return found.fetchone() is not None


class _PreparedStatementLost(Exception):
    """A statement psycopg took as prepared on a connection was not kept by the server (see ``_append``)."""


class Factory(PostgresFactory):
    application_recorder_class = PostgresEventRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The pool's first connection made before it is first used: else psycopg_pool makes a second for the
        # first caller, and a command-line process holds two where it needs one (``create_table`` then stops
        # waiting: a wait on a pool in use by other threads is not safe).
        self.datastore.pool_open_timeout = 30.0
