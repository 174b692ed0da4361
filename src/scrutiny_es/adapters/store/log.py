"""The log as the read models read it: every stored event in order, straight from the store's columns."""

from __future__ import annotations

import re
import sqlite3
import sys
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder

from scrutiny_es.application.unreadable import TooNew
from scrutiny_es.domain.errors import EventTooNew

StoredRow = tuple[int, UUID | str, int, str, bytes]
"""A notification as its columns: position, originator id and version, topic, state."""


def stored_notifications(recorder: Any, after: int, limit: int) -> list[StoredRow]:
    """Up to ``limit`` stored events after position ``after``, in log order, as their columns.

    The native stores are read with one plain query (eventsourcing's own reads make a
    ``Notification`` and a ``UUID`` for each, which a rebuild of a million events feels);
    the same rows, in the same order, as ``select_notifications``.
    """
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "  # noqa: S608
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.sqlite_cursor.row_factory = None  # plain tuples, not sqlite3.Row
            try:
                cursor.execute(statement, (after, limit))
                return cursor.fetchall()  # type: ignore[no-any-return]
            except sqlite3.OperationalError as e:
                if "decode" not in str(e):
                    raise
            # A column written as TEXT that is not UTF-8 (changed after it was recorded): read as it is, for the
            # seal to find it changed and the mapper to refuse it, rather than stop every reader of the log.
            connection = cursor.sqlite_cursor.connection
            connection.text_factory = _as_written
            try:
                cursor.execute(statement, (after, limit))
                return cursor.fetchall()  # type: ignore[no-any-return]
            finally:
                connection.text_factory = str
    postgres = sys.modules.get("eventsourcing.postgres")  # imported only where PostgreSQL is used
    if postgres is not None and isinstance(recorder, postgres.PostgresApplicationRecorder):
        from psycopg.rows import tuple_row
        from psycopg.sql import SQL, Identifier

        query = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
        with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(query, (after, limit), prepare=True)
            return [(n, o, v, t, bytes(s)) for n, o, v, t, s in cursor.fetchall()]
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in recorder.select_notifications(start=after + 1, limit=limit)
    ]


def _as_written(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def without_nul(state: bytes) -> bytes:
    """A stored event's JSON with each NUL character written as ␀ (U+2400), for the read models.

    PostgreSQL's text columns cannot hold a NUL, and commands refuse one, but an event recorded
    before they did may hold one: the read models show it as ␀ rather than stop on it. The
    event itself stays as it was recorded.
    """
    return _NUL.sub(rb"\1\\u2400", state) if state.__class__ is bytes and b"\\u0000" in state else state


def count_notifications(recorder: Any, after: int) -> int:
    """How many stored events follow position ``after`` (PostgreSQL's positions have gaps: this counts events)."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = f"SELECT count(*) FROM {recorder.events_table_name} WHERE rowid > ?"  # noqa: S608
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after,))
            return int(cursor.fetchone()[0])
    postgres = sys.modules.get("eventsourcing.postgres")
    if postgres is not None and isinstance(recorder, postgres.PostgresApplicationRecorder):
        from psycopg.sql import SQL, Identifier

        query = SQL("SELECT count(*) FROM {schema}.{table} WHERE notification_id > %s").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(query, (after,))
            row = cursor.fetchone()
            return int(next(iter(row.values())) if isinstance(row, dict) else row[0])
    counted = 0
    while page := recorder.select_notifications(start=after + 1, limit=10_000):
        counted += len(page)
        after = page[-1].id
    return counted


class StoreLog:
    """The event log as the read models read it: positions and domain events, NULs shown as ␀."""

    def __init__(self, recorder: Any, mapper: Any) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self._last: tuple[int, list[StoredRow]] = (0, [])
        """The rows ``read`` last fetched and the position they follow: the seal asks for them straight after."""

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def read(self, after: int, limit: int) -> list[tuple[int, Any]]:
        decode = self.mapper.decode
        rows = stored_notifications(self.recorder, after, limit)
        self._last = (after, rows)
        try:
            return [(n, decode(i, v, t, without_nul(s))) for n, i, v, t, s in rows]
        except EventTooNew:  # written by a newer release: in its place, what blocks only its own item
            return [(n, self._decoded(i, v, t, without_nul(s))) for n, i, v, t, s in rows]

    def _decoded(self, originator_id: UUID | str, version: int, topic: str, state: bytes) -> Any:
        try:
            return self.mapper.decode(originator_id, version, topic, state)
        except EventTooNew as e:
            key = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
            return TooNew(key, version, e.reason)

    def count(self, after: int = 0) -> int:
        return count_notifications(self.recorder, after)

    def stored(self, after: int, limit: int) -> list[StoredRow]:
        """Up to ``limit`` events after ``after`` exactly as stored, for the seal: the rows ``read`` just
        fetched when they hold the answer, since a rebuild's seal would otherwise read every row twice."""
        start, rows = self._last  # one assignment: threads see a whole batch or another
        if start <= after and rows:
            later = rows if after == start else [row for row in rows if row[0] > after]
            if len(later) >= limit:
                return later[:limit]
        return stored_notifications(self.recorder, after, limit)
