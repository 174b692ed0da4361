"""The event store port over eventsourcing: its repository and recorder, with our mapper and fast paths."""

from __future__ import annotations

from collections.abc import Sequence
from time import sleep
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import InfrastructureFactory, RecordConflictError
from eventsourcing.utils import Environment

from scrutiny_es.adapters.store import check_follows
from scrutiny_es.adapters.store.log import StoreLog
from scrutiny_es.adapters.store.mapper import EventMapper
from scrutiny_es.application.ports import Conflict
from scrutiny_es.domain.fastpath import replay
from scrutiny_es.domain.model import Body, Recommendation

if TYPE_CHECKING:  # the ORM is for a host's session only, and slow to import
    from sqlalchemy.orm import Session, scoped_session


class _Events(Application[UUID]):
    """eventsourcing's application, used for its repository and recorder only (the rules are the service's)."""

    name = "scrutiny"
    """Names the tables: ``scrutiny_events``."""

    def __init__(self, env: dict[str, str], session: scoped_session[Session] | None) -> None:
        self._session = session
        super().__init__(env=env)

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        factory = super().construct_factory(env)
        if self._session is not None:
            factory.datastore.set_scoped_session(self._session)  # type: ignore[attr-defined]
        return factory

    def construct_mapper(self) -> EventMapper:
        return EventMapper()


class EventsourcingStore:
    """Aggregates' events in one of eventsourcing's stores (``env`` names it: see ``database.event_store_env``)."""

    def __init__(self, env: dict[str, str], *, session: scoped_session[Session] | None = None) -> None:
        self._app = _Events(env | {"CREATE_TABLE": "no"}, session)
        self.recorder: Any = self._app.recorder
        self.mapper: EventMapper = self._app.mapper  # type: ignore[assignment]
        self.log = StoreLog(self.recorder, self.mapper)
        self._checked_here = session is not None
        """eventsourcing-sqlalchemy's recorder is not ours: the order of time is checked before appending."""
        self._listening: Any = None

    def create_table(self) -> None:
        self.recorder.create_table()

    def load(self, key: UUID) -> Body | Recommendation | None:
        try:
            return self._app.repository.get(key, projector_func=replay)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def events(self, key: UUID) -> list[Any]:
        return list(self._app.events.get(key))

    def append(self, events: Sequence[Any]) -> Sequence[int]:
        # The recorder itself: eventsourcing's event store would wrap every event in two more objects.
        stored = [self.mapper.to_stored_event(e) for e in events]
        if self._checked_here and stored:
            head = self.log.head()
            last = self.recorder.select_notifications(start=head, limit=1) if head else []
            check_follows(last[0].state if last else None, stored)
        try:
            return self.recorder.insert_events(stored) or ()
        except RecordConflictError:
            raise Conflict from None

    def wait_for_events(self, timeout: float) -> bool:
        """On PostgreSQL, until the event store's NOTIFY; SQLite has no such signal (the worker polls)."""
        channel = getattr(self.recorder, "channel_name", None)
        if channel is None:
            sleep(timeout)
            return False
        if self._listening is None:
            import psycopg
            from psycopg import sql

            options = {k: v for k, v in self.recorder.datastore.pool.kwargs.items() if k != "row_factory"}
            self._listening = psycopg.connect(**options, autocommit=True)
            self._listening.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        return any(True for _ in self._listening.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        if self._listening is not None:
            self._listening.close()
        self._app.close()
