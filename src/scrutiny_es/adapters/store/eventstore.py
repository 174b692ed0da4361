"""The event store port over eventsourcing: its repository and recorder, with our mapper and fast paths."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from time import sleep
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import OriginatorIDError, OriginatorVersionError
from eventsourcing.persistence import InfrastructureFactory, RecordConflictError
from eventsourcing.utils import Environment

from scrutiny_es.adapters.store import check_follows, check_unchanged, commands, microseconds, moment
from scrutiny_es.adapters.store.log import StoreLog
from scrutiny_es.adapters.store.mapper import EventMapper
from scrutiny_es.application.ports import Conflict, Keyed, Recorded
from scrutiny_es.domain.errors import EventTooNew, ScrutinyError
from scrutiny_es.domain.fastpath import replay
from scrutiny_es.domain.model import Body, Recommendation

if TYPE_CHECKING:  # the ORM is for a host's session only, and slow to import
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, scoped_session


class LogDamaged(ScrutinyError):
    """The stored events of an aggregate do not follow each other: the log was changed outside the library."""


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
    """Aggregates' events in one of eventsourcing's stores (``env`` names it: see ``database.event_store_env``).

    ``engine`` reaches the same database, for the store's own tables (``store.commands``); without one
    (eventsourcing's in-memory store) commands' keys are kept in memory.
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        engine: Engine | None = None,
        session: scoped_session[Session] | None = None,
        lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        self._app = _Events(env | {"CREATE_TABLE": "no"}, session)
        self.recorder: Any = self._app.recorder
        self.mapper: EventMapper = self._app.mapper  # type: ignore[assignment]
        self.log = StoreLog(self.recorder, self.mapper)
        self.engine = engine
        self.session = session
        """A host's session, which the shared store (``adapters/store/shared.py``) writes in."""
        self._appending = lock or nullcontext()
        """Held while appending (see ``bootstrap``)."""
        self._in_memory: dict[str, Recorded] = {}
        self._facts: list[tuple[UUID, int]] = []
        """Without a database: each position's aggregate and version (position 1 first)."""
        self._positions: dict[UUID, dict[int, int]] = {}
        self._times: list[int] = []
        self._listening = threading.local()
        """Each thread's connection that LISTENs for the store's NOTIFY (a connection is not shared by threads)."""
        self._listeners: list[Any] = []
        self._listeners_lock = threading.Lock()

    def create_table(self) -> None:
        """Makes the store's tables, and fills in what a database written by an earlier release lacks (each
        position's aggregate, version and recording time, read from the events by the mapper)."""
        self.recorder.read_time = self.mapper.recorded_at
        self.recorder.create_table()
        datastore: Any = getattr(self.recorder, "datastore", None)
        if hasattr(datastore, "pool_open_timeout"):
            datastore.pool_open_timeout = None  # open now (see ``postgres.Factory``): never waited on again

    def recorded(self, keys: list[str]) -> dict[str, Recorded]:
        """The commands already recorded under these keys."""
        if self.session is not None:
            return commands.recorded(self.session, keys)
        if self.engine is None:
            return {key: self._in_memory[key] for key in keys if key in self._in_memory}
        if hasattr(self.recorder, "recorded"):  # PostgreSQL's: on its own connection
            return self.recorder.recorded(keys)  # type: ignore[no-any-return]
        with self.engine.connect() as conn:
            return commands.recorded(conn, keys)

    def fact_at(self, position: int) -> tuple[UUID, int] | None:
        """The aggregate and version of the event at ``position`` (1, 2, 3... in the order recorded)."""
        if self.session is not None:  # the host's transaction: its own appends not yet committed count
            return commands.fact_at(self.session, position)
        if self.engine is None:
            return self._facts[position - 1] if 0 < position <= len(self._facts) else None
        with self.engine.connect() as conn:
            return commands.fact_at(conn, position)

    def positions(self, key: UUID) -> dict[int, int]:
        """The position of each of an aggregate's events, by version (empty: no such aggregate)."""
        if self.session is not None:
            return commands.positions_of(self.session, key)
        if self.engine is None:
            return dict(self._positions.get(key, {}))
        with self.engine.connect() as conn:
            return commands.positions_of(conn, key)

    def load(self, key: UUID) -> Body | Recommendation | None:
        try:
            return self._app.repository.get(key, projector_func=replay)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None
        except (OriginatorVersionError, OriginatorIDError):
            msg = (
                f"the events stored for {key} are not in sequence (one is missing, or was changed): nothing can be "
                "recorded on it until the log is put right; scrutiny-es verify says where"
            )
            raise LogDamaged(msg) from None

    def events(self, key: UUID, *, readable: bool = False) -> list[Any]:
        if not readable:
            return list(self._app.events.get(key))
        found: list[Any] = []
        try:
            for event in self._app.events.get(key):  # decoded one by one: those before a newer release's are kept
                found.append(event)
        except EventTooNew:
            pass
        return found

    def version(self, key: UUID) -> int:
        last = self.recorder.select_events(key, desc=True, limit=1)
        return last[0].originator_version if last else 0

    def commit(self) -> None:
        if self.session is not None:
            self.session.commit()

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()

    def latest(self) -> datetime | None:
        if self.session is not None:
            kept = commands.last_recorded(self.session)
        elif self.engine is None:
            kept = self._times[-1] if self._times else None
        else:
            with self.engine.connect() as conn:
                kept = commands.last_recorded(conn)
        return None if kept is None else moment(kept)

    def append(
        self, events: Sequence[Any], keyed: Sequence[Keyed] = (), unchanged: Mapping[UUID, int] | None = None
    ) -> Sequence[int]:
        # The recorder itself: eventsourcing's event store would wrap every event in two more objects.
        stored = [self.mapper.to_stored_event(e) for e in events]
        times = [microseconds(e.timestamp) for e in events]
        if self.engine is None and times:  # eventsourcing's in-memory store: the rules kept here
            if self._times:
                check_follows(self._times[-1], times[0])
            if unchanged:
                check_unchanged(((key, max(self._positions.get(key, {0: 0}))) for key in unchanged), unchanged)
        try:
            with self._appending:
                positions = (
                    self.recorder.insert_events(stored, commands=keyed, recorded_at=times, unchanged=unchanged) or ()
                )
        except RecordConflictError:
            raise Conflict from None
        if self.engine is None:  # eventsourcing's in-memory store: its ids have no gaps
            for key, digest, position, names in commands.key_rows(keyed, positions):
                self._in_memory[key] = Recorded(digest, position, tuple(names.split(",")))
            self._times.extend(times)
            for position, event in zip(positions, events, strict=True):
                self._facts.append((event.originator_id, event.originator_version))
                self._positions.setdefault(event.originator_id, {})[event.originator_version] = position
        return positions

    @property
    def signals_events(self) -> bool:
        """Whether ``wait_for_events`` is woken by the database when events are recorded (PostgreSQL's NOTIFY)."""
        return getattr(self.recorder, "channel_name", None) is not None

    def wait_for_events(self, timeout: float) -> bool:
        """On PostgreSQL, until the event store's NOTIFY; SQLite has no such signal (the worker polls).

        A thread's first call starts listening: every NOTIFY after it is kept for its next call, so
        a caller that calls once with no timeout before reading misses no event recorded after the read.
        """
        channel = getattr(self.recorder, "channel_name", None)
        if channel is None:
            sleep(timeout)
            return False
        import psycopg
        from psycopg import sql

        listening = getattr(self._listening, "connection", None)
        try:
            if listening is None:
                options = _listen_options(self.recorder)
                listening = self._listening.connection = psycopg.connect(**options, autocommit=True)
                with self._listeners_lock:
                    self._listeners.append(listening)
                listening.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            return any(True for _ in listening.notifies(timeout=timeout, stop_after=1))
        except psycopg.OperationalError:
            # The server went away (a restart): listen again on the next call, and say "look": what was
            # recorded while no one listened is found by reading, which waits for the server to be back.
            self._stop_listening()
            sleep(min(timeout, 1.0))
            return True

    def _stop_listening(self) -> None:
        listening = getattr(self._listening, "connection", None)
        self._listening.connection = None
        if listening is not None:
            with self._listeners_lock:
                self._listeners.remove(listening)
            listening.close()

    def close(self) -> None:
        with self._listeners_lock:
            for listening in self._listeners:
                listening.close()
            self._listeners.clear()
        self._app.close()


def _listen_options(recorder: Any) -> dict[str, Any]:
    """How to connect to LISTEN for the recorder's NOTIFY: the shared store says; the native one's pool knows."""
    if hasattr(recorder, "listen_options"):
        return recorder.listen_options()  # type: ignore[no-any-return]
    return {k: v for k, v in recorder.datastore.pool.kwargs.items() if k != "row_factory"}
