"""eventsourcing-sqlalchemy's event store, the one a host's session can share, with the log's rules.

Like the native recorders: the log's rule of time, its length and the commands' keys, all in the
transaction that appends the events, whether that is a host's session or the store's own. A batch
refused for its time is taken out again at once, so it leaves nothing in a host's session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import RecordConflictError, StoredEvent
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import delete, exc, insert, select, update
from sqlalchemy.orm import Session

from scrutiny_es.adapters.store import check_follows
from scrutiny_es.adapters.store.commands import commands, log_length, positions
from scrutiny_es.application.ports import LogIsAhead

_SEARCH_PATH = re.compile(r"-c search_path=(\w+)")
"""A council's schema, as ``database.postgres_url`` gives it to the connections."""


class SharedEventRecorder(SQLAlchemyApplicationRecorder):
    """Appends, then, holding the log's lock (PostgreSQL's table lock, SQLite's write lock): checks the event
    before them was not recorded later, numbers them in the log (keeping each position's aggregate and
    version) and keeps the keys of the commands that recorded them. Returns their positions.

    On PostgreSQL it NOTIFYs ``channel_name`` as it appends, and ``listen_options`` is how to connect to
    LISTEN for it; SQLite has no such signal (``channel_name`` is None: readers poll).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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

    def _insert_stored_events(self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        if not stored_events:
            return []
        ids = super()._insert_stored_events(session, stored_events, **kwargs)
        record = self.events_record_cls
        before = select(record.state).where(record.id < min(ids)).order_by(record.id.desc()).limit(1)
        try:
            check_follows(session.execute(before).scalar(), stored_events)
        except LogIsAhead:
            session.execute(delete(record).where(record.id.in_(ids)))
            raise
        count = len(stored_events)
        try:
            grown = update(log_length).values(events=log_length.c.events + count).returning(log_length.c.events)
            last = session.execute(grown).scalar_one()
            numbered = list(range(last - count + 1, last + 1))
            times = kwargs.get("recorded_at") or [None] * count
            rows = [
                {"position": n, "originator_id": e.originator_id, "originator_version": e.originator_version,
                 "recorded_at": time}
                for n, e, time in zip(numbered, stored_events, times, strict=True)
            ]  # fmt: skip
            session.execute(insert(positions), rows)
            keyed = kwargs.get("commands", ())
            if keyed:
                rows = [
                    {"command_id": key, "digest": digest, "position": numbered[index], "events": names}
                    for key, digest, index, names in keyed
                ]
                session.execute(insert(commands), rows)
        except exc.IntegrityError:
            raise RecordConflictError from None
        return numbered


class Factory(SQLAlchemyFactory):
    application_recorder_class = SharedEventRecorder
