"""eventsourcing's PostgreSQL event store, with the check that the log's times never go backwards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from scrutiny_es.adapters.store import check_follows


class PostgresEventRecorder(PostgresApplicationRecorder):
    """Takes the log's lock, checks the last event was not recorded later (see the package), then appends.

    Refused, nothing has been inserted, so the transaction eventsourcing then commits is empty.
    """

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self._lock_table(curs)
        query = SQL("SELECT state FROM {schema}.{table} ORDER BY notification_id DESC LIMIT 1").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)
        )
        curs.execute(query, prepare=True)
        row = curs.fetchone()
        check_follows(row["state"] if row else None, stored_events)
        super()._insert_stored_events(curs, stored_events, **kwargs)


class Factory(PostgresFactory):
    application_recorder_class = PostgresEventRecorder
