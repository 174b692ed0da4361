"""The read models kept in SQL tables, in the same database as the events: the port the service reads.

One instance may be shared by a web server's threads: the runner keeps what it applies in memory, so
one thread at a time catches up, rebuilds or sets up the tables (the others wait); queries each take a
connection of their own from the engine's pool and run side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from scrutiny_es.adapters.sql.queries import ReadModelQueries
from scrutiny_es.adapters.sql.runner import ProjectionRunner
from scrutiny_es.application.ports import EventLog, Progress, ProjectionStatus
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.projections.filters import EVERY_ROW, Filters
from scrutiny_es.projections.rows import AuditRow, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import Sealed


class SqlReadModels:
    """The tracker, the overdue list and the audit trail in SQL: a runner keeps them, queries read them."""

    def __init__(self, engine: Engine, log: EventLog, lock: AbstractContextManager[Any] | None = None) -> None:
        """``lock``: held while the runner works, shared with the event store's appends where they could
        deadlock with a catch-up in the same process (see ``bootstrap``)."""
        self.engine = engine
        self.log = log
        self.runner = ProjectionRunner(engine, log)
        self.queries = ReadModelQueries(engine)
        self.names = tuple(self.runner.writers)
        self._upkeep = lock or threading.RLock()
        """Held while the runner works: its state in memory is for one thread at a time."""
        self._set_up = False

    @property
    def read_only(self) -> bool:
        return self.runner.read_only

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        names = list(names or self.names)
        self.setup()
        if self.queries.reached(names, self.log.head()):  # as it mostly is: queries need not wait for the lock
            return 0
        with self._upkeep:
            return self.runner.catch_up(names)

    def rebuild(self, names: Iterable[str] | None = None, progress: Progress | None = None) -> None:
        with self._upkeep:
            self.runner.rebuild(names, progress)

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        self.setup()
        return self.runner.status(names)

    def setup(self) -> None:
        """The tables made (or rebuilt, if an earlier version made them) before the first query."""
        if not self._set_up:
            with self._upkeep:
                self.runner.setup()
                self._set_up = True

    def tracker(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[TrackerRow]:
        self.setup()
        return self.queries.tracker(on, body, ref, filters)

    def overdue(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[OverdueRow]:
        self.setup()
        return self.queries.overdue(on, body, ref, filters)

    def audit(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[AuditRow]:
        self.setup()
        return self.queries.audit(body, ref, as_of, as_known_at, after, limit)

    def histories(self, body: str | None = None, ref: str | None = None) -> Iterator[ItemHistory]:
        self.setup()
        return self.queries.histories(body, ref)

    def item_ids(self, body: str | None = None, ref: str | None = None) -> list[UUID]:
        self.setup()
        return self.queries.item_ids(body, ref)

    def body_codes(self) -> list[str]:
        self.setup()
        return self.queries.body_codes()

    def last_position(self, as_known_at: datetime | None = None) -> int:
        self.setup()
        return self.queries.last_position(as_known_at)

    def sealed(self, after: int, limit: int) -> list[Sealed]:
        self.setup()
        return self.queries.sealed(after, limit)

    def fact_at(self, position: int) -> tuple[str, int] | None:
        self.setup()
        return self.queries.fact_at(position)

    def versions(self, key: str) -> dict[int, int]:
        self.setup()
        return self.queries.versions(key)

    def close(self) -> None:
        self.engine.dispose()
