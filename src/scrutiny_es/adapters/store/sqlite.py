"""eventsourcing's SQLite event store, with the check that the log's times never go backwards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory

from scrutiny_es.adapters.store import check_follows


class SQLiteEventRecorder(SQLiteApplicationRecorder):
    """Appends events, then checks that the event before them was not recorded later (see the package)."""

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        positions = super()._insert_events(c, stored_events, **kwargs) or []
        if positions:  # the insert holds the write lock: nobody can append in between
            c.execute(
                f"SELECT state FROM {self.events_table_name} WHERE rowid < ? ORDER BY rowid DESC LIMIT 1",  # noqa: S608
                (positions[0],),
            )
            row = c.fetchone()
            check_follows(row[0] if row else None, stored_events)
        return positions


class Factory(SQLiteFactory):
    application_recorder_class = SQLiteEventRecorder
