"""eventsourcing-sqlalchemy's event store, the one a host's session can share, with the log's rules.

Like the native recorders: the log's rule of time, its positions and the commands' keys, all in the
transaction that appends the events, whether that is a host's session or the store's own. A batch
refused for its time is refused before anything is written, so it leaves nothing in a host's session.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import RecordConflictError, StoredEvent
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import exc, func, insert, select, text, update
from sqlalchemy.orm import Session

from scrutiny_es.adapters.store import check_follows, check_unchanged
from scrutiny_es.adapters.store.commands import (
    Driver,
    ReadTime,
    commands,
    fill,
    key_rows,
    log_length,
    metadata,
    positions,
)
from scrutiny_es.application.ports import LogIsAhead, Outdated

_SEARCH_PATH = re.compile(r"-c search_path=(\w+)")
"""A council's schema, as ``database.postgres_url`` gives it to the connections."""


class SharedEventRecorder(SQLAlchemyApplicationRecorder):
    """Before eventsourcing-sqlalchemy appends, holding the log's lock (PostgreSQL's table lock, SQLite's write
    lock): checks the event before them was not recorded later, numbers them in the log (keeping each
    position's aggregate, version and time) and keeps the keys of the commands that recorded them.
    ``insert_events`` returns their positions; ``create_table`` makes every table it writes.

    On PostgreSQL it NOTIFYs ``channel_name`` as it appends, and ``listen_options`` is how to connect to
    LISTEN for it; SQLite has no such signal (``channel_name`` is None: readers poll).
    """

    read_time: ReadTime | None = None
    """How to read an event's recording time from its stored state, for databases that did not keep it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tables.extend(metadata.sorted_tables)
        self._positions = threading.local()
        if self._dialect() != "postgresql":
            self.channel_name = None  # type: ignore[assignment]
            return
        council = _SEARCH_PATH.search(str(self.listen_options().get("options", "")))
        if council is not None:  # a council's own: those listening hear only of its events
            self.channel_name = f"{council[1]}_{self.events_table_name}"

    def _dialect(self) -> str:
        engine = self.datastore.engine
        return engine.dialect.name if engine is not None else ""

    def listen_options(self) -> dict[str, Any]:
        """psycopg's connection arguments for the store's database, its council's search path among them."""
        engine: Any = self.datastore.engine
        url = engine.url
        options: dict[str, Any] = url.translate_connect_args(username="user", database="dbname")
        return options | {key: value for key, value in url.query.items() if isinstance(value, str)}

    def create_table(self) -> None:
        super().create_table()
        engine: Any = self.datastore.engine
        # The engine's own transaction, not a host's session: SQLite would otherwise wait for the host to commit.
        with engine.begin() as conn:

            def run(statement: str, params: Sequence[Any]) -> list[Any]:
                result = conn.exec_driver_sql(statement, tuple(params))
                return [tuple(row) for row in result] if result.returns_rows else []

            def many(statement: str, rows: list[tuple[Any, ...]]) -> None:
                conn.exec_driver_sql(statement, rows)

            mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
            fill(Driver(engine.dialect.name, mark, run, many), self.events_table_name, "id", self.read_time)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        self._positions.last = None
        super().insert_events(stored_events, **kwargs)
        return self._positions.last  # type: ignore[no-any-return]

    def _insert_events(self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if not stored_events:  # the batch's commands were all recorded before: only their keys, if new, are kept
            if keyed := key_rows(kwargs.get("commands", ()), ()):
                try:
                    _keep_keys(session, keyed)
                except exc.IntegrityError:
                    raise RecordConflictError from None
            return
        count = len(stored_events)
        times = kwargs.get("recorded_at") or [None] * count
        if self._dialect() == "postgresql":  # eventsourcing-sqlalchemy's own lock, taken first
            session.execute(text(f"LOCK TABLE {self.events_table_name} IN EXCLUSIVE MODE"))
        try:
            grown = update(log_length).values(events=log_length.c.events + count).returning(log_length.c.events)
            last = session.execute(grown).scalar_one()  # on SQLite, the write lock from here on
            previous = session.execute(select(positions.c.recorded_at).order_by(positions.c.position.desc()).limit(1))
            try:
                check_follows(previous.scalar(), times[0])
                unchanged = kwargs.get("unchanged")
                if unchanged:
                    by = positions.c.originator_id
                    versions = select(by, func.max(positions.c.originator_version)).where(by.in_(list(unchanged)))
                    check_unchanged(session.execute(versions.group_by(by)).tuples(), unchanged)
            except (LogIsAhead, Outdated):  # nothing of the batch stays in a host's session
                session.execute(update(log_length).values(events=log_length.c.events - count))
                raise
            numbered = list(range(last - count + 1, last + 1))
            rows = [
                {"position": n, "originator_id": e.originator_id, "originator_version": e.originator_version,
                 "recorded_at": time}
                for n, e, time in zip(numbered, stored_events, times, strict=True)
            ]  # fmt: skip
            session.execute(insert(positions), rows)
            if keyed := key_rows(kwargs.get("commands", ()), numbered):
                _keep_keys(session, keyed)
        except exc.IntegrityError:
            raise RecordConflictError from None
        self._positions.last = numbered


def _keep_keys(session: Session, keyed: list[tuple[str, str, int, str]]) -> None:
    """The rows of ``scrutiny_commands`` (``commands.key_rows``), by the table's own columns."""
    session.execute(insert(commands), [dict(zip(commands.c.keys(), row, strict=True)) for row in keyed])


class Factory(SQLAlchemyFactory):
    application_recorder_class = SharedEventRecorder
