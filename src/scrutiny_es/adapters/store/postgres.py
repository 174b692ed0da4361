"""eventsourcing's PostgreSQL event store, with the log's rule of time, its length and the commands' keys."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from scrutiny_es.adapters.store import check_follows
from scrutiny_es.adapters.store.commands import ADD_TO_LOG, INSERT_COMMANDS_FROM_ARRAYS, INSERT_POSITIONS_FROM_ARRAYS


class PostgresEventRecorder(PostgresApplicationRecorder):
    """Takes the log's lock; checks the last event was not recorded later (see the package); appends;
    numbers the events in the log (keeping each position's aggregate and version) and keeps the keys
    of the commands that recorded them.

    Refused, nothing has been inserted, so the transaction eventsourcing then commits is empty.
    Returns the events' positions in the log, not PostgreSQL's ids (which have gaps).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._positions = threading.local()
        if self.datastore.schema != "public":  # a council's own: those listening hear only of its events
            self.channel_name = f"{self.datastore.schema}_{self.events_table_name}"

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        self._positions.last = None
        super().insert_events(stored_events, **kwargs)
        return self._positions.last  # type: ignore[no-any-return]

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self._lock_table(curs)
        query = SQL("SELECT state FROM {schema}.{table} ORDER BY notification_id DESC LIMIT 1").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)
        )
        curs.execute(query, prepare=False)  # in a pipeline that fails, psycopg would think it prepared
        row = curs.fetchone()
        check_follows(row["state"] if row else None, stored_events)
        super()._insert_stored_events(curs, stored_events, **kwargs)
        if not stored_events:
            return
        with curs.connection.cursor(row_factory=tuple_row) as numbering:
            # Nor these: psycopg prepares a statement run often, and a clash rolled back in its pipeline
            # leaves it taking one as prepared that the server never kept.
            numbering.execute(ADD_TO_LOG.format("%s"), (len(stored_events),), prepare=False)
            (last,) = numbering.fetchone() or (len(stored_events),)
            positions = list(range(last - len(stored_events) + 1, last + 1))
            times = kwargs.get("recorded_at") or [None] * len(stored_events)
            ids, versions = [e.originator_id for e in stored_events], [e.originator_version for e in stored_events]
            numbering.execute(INSERT_POSITIONS_FROM_ARRAYS, (positions, ids, versions, list(times)), prepare=False)
            keyed = kwargs.get("commands", ())
            if keyed:
                columns = ([k for k, _, _, _ in keyed], [d for _, d, _, _ in keyed],
                           [positions[i] for _, _, i, _ in keyed], [n for _, _, _, n in keyed])  # fmt: skip
                numbering.execute(INSERT_COMMANDS_FROM_ARRAYS, columns, prepare=False)
        self._positions.last = positions


class Factory(PostgresFactory):
    """eventsourcing's factory; a council's schema (``POSTGRES_SCHEMA``) is also its connections' search path,
    so the store's own tables beside the events are in that schema too."""

    application_recorder_class = PostgresEventRecorder

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = self.datastore.schema
        if schema != "public":
            options: Any = self.datastore.pool.kwargs  # the dict eventsourcing gave it
            options["options"] = f"-c search_path={schema}"
