"""The read models kept in SQL tables, in the same database as the events: the port the service reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
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

    def __init__(self, engine: Engine, log: EventLog) -> None:
        self.engine = engine
        self.log = log
        self.runner = ProjectionRunner(engine, log)
        self.queries = ReadModelQueries(engine)
        self.names = tuple(self.runner.writers)

    @property
    def read_only(self) -> bool:
        return self.runner.read_only

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        return self.runner.catch_up(names)

    def rebuild(self, names: Iterable[str] | None = None, progress: Progress | None = None) -> None:
        self.runner.rebuild(names, progress)

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        return self.runner.status(names)

    def tracker(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[TrackerRow]:
        self.runner.setup()
        return self.queries.tracker(on, body, ref, filters)

    def overdue(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[OverdueRow]:
        self.runner.setup()
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
        self.runner.setup()
        return self.queries.audit(body, ref, as_of, as_known_at, after, limit)

    def histories(self, body: str | None = None, ref: str | None = None) -> Iterator[ItemHistory]:
        self.runner.setup()
        return self.queries.histories(body, ref)

    def item_ids(self, body: str | None = None, ref: str | None = None) -> list[UUID]:
        self.runner.setup()
        return self.queries.item_ids(body, ref)

    def body_codes(self) -> list[str]:
        self.runner.setup()
        return self.queries.body_codes()

    def last_position(self, as_known_at: datetime | None = None) -> int:
        self.runner.setup()
        return self.queries.last_position(as_known_at)

    def sealed(self, after: int, limit: int) -> list[Sealed]:
        self.runner.setup()
        return self.queries.sealed(after, limit)

    def fact_at(self, position: int) -> tuple[str, int] | None:
        self.runner.setup()
        return self.queries.fact_at(position)

    def versions(self, key: str) -> dict[int, int]:
        self.runner.setup()
        return self.queries.versions(key)

    def close(self) -> None:
        self.engine.dispose()
