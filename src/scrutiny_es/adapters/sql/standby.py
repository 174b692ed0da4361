"""Reports read from a PostgreSQL hot standby, while the primary records and keeps the read models.

A standby holds by streaming replication what the primary holds: the events and the read-model tables
the primary's catch-ups (or a ``scrutiny-es projections run`` worker) keep. It can be read, never written,
so everything that writes (catch-up, rebuild, setup) goes to the primary and every report to the standby.
The standby is a moment behind: a host that must see its own write waits for it (``wait_for``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from time import monotonic, sleep
from uuid import UUID

from sqlalchemy import Engine, func, select, text

from scrutiny_es.adapters.database import is_read_only
from scrutiny_es.adapters.sql.readmodels import SqlReadModels
from scrutiny_es.adapters.sql.schema import projection_table
from scrutiny_es.application.ports import Progress, ProjectionStatus, RebuildGate
from scrutiny_es.application.unreadable import Blocked
from scrutiny_es.application.upkeep import ProjectionsBehind
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.projections.filters import EVERY_ENTRY, EVERY_ROW, AuditQuery, Filters
from scrutiny_es.projections.rows import AuditRow, BodyNames, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import Sealed


class StandbyBehind(ProjectionsBehind):
    """The standby had not replayed a recorded position in time: it names how far behind it was."""


class StandbyReadModels:
    """The read models kept on the primary and read on its standby (DESIGN 6.6)."""

    def __init__(self, primary: SqlReadModels, standby: SqlReadModels, *, catch_up: bool) -> None:
        """``catch_up``: the primary's read models are brought up to date before each report and each wait
        (else a projection worker keeps them)."""
        self.primary = primary
        self.standby = standby
        self.names = primary.names
        self._catch_up = catch_up

    @property
    def read_only(self) -> bool:
        return self.primary.read_only

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        return self.primary.catch_up(names)

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None, gate: RebuildGate | None = None
    ) -> None:
        self.primary.rebuild(names, progress, gate)

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        return self.primary.status(names)

    def setup(self) -> None:
        self.primary.setup()

    def tracker(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[TrackerRow]:
        return self._replayed_tables().tracker(on, body, ref, filters)

    def overdue(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[OverdueRow]:
        return self._replayed_tables().overdue(on, body, ref, filters)

    def audit(self, query: AuditQuery = EVERY_ENTRY) -> list[AuditRow]:
        return self._replayed_tables().audit(query)

    def histories(
        self, body: str | None = None, ref: str | None = None, *, ever: bool = False
    ) -> Iterator[ItemHistory]:
        return self._replayed_tables().histories(body, ref, ever=ever)

    def item_ids(self, body: str | None = None, ref: str | None = None, *, ever: bool = False) -> list[UUID]:
        return self._replayed_tables().item_ids(body, ref, ever=ever)

    def body_names(self, codes: Iterable[str]) -> dict[str, BodyNames]:
        return self._replayed_tables().body_names(codes)

    def body_codes(self) -> list[str]:
        return self._replayed_tables().body_codes()

    def last_position(self, as_known_at: datetime | None = None) -> int:
        return self._replayed_tables().last_position(as_known_at)

    def blocked(self) -> list[Blocked]:
        return self.primary.blocked()

    def sealed(self, after: int, limit: int) -> list[Sealed]:
        # The seal is proof against the primary's log (verify reads that log): read it where the log is kept.
        return self.primary.sealed(after, limit)

    def close(self) -> None:
        self.primary.close()
        self.standby.close()

    def _replayed_tables(self) -> SqlReadModels:
        """The standby's read models, once it has replayed the making of their tables on the primary."""
        try:
            self.standby.setup()
        except Exception as e:
            if not is_read_only(e):
                raise
            msg = (
                "the standby does not yet hold the read models' tables, made on the primary a moment ago: "
                "wait_for a receipt first (is replication running?)"
            )
            raise StandbyBehind(msg) from None
        return self.standby

    def replayed(self) -> int:
        """The log position every read model on the standby has applied (0 before the tables are replayed)."""
        return _applied(self.standby.engine, self.names)

    def wait_for(self, position: int, timeout: float) -> None:
        """Returns once the standby's read models hold ``position``; raises ``StandbyBehind`` after ``timeout``."""
        if self._catch_up:  # the standby can only replay what the primary's read models have applied
            self.primary.catch_up()
        deadline = monotonic() + timeout
        pause = 0.005
        while (at := self.replayed()) < position:
            if monotonic() > deadline:
                raise StandbyBehind(self._behind(position, at, timeout))
            sleep(pause)
            pause = min(pause * 2, 0.1)

    def _behind(self, position: int, at: int, timeout: float) -> str:
        """How far behind the standby is, in events of the log and in bytes of WAL not yet replayed."""
        events = self.primary.log.count(at) - self.primary.log.count(position)
        primary_at = _applied(self.primary.engine, self.names)
        keeping = "" if primary_at >= position else f" (the primary's read models themselves are at {primary_at})"
        with self.standby.engine.connect() as conn:
            replayed, paused = conn.execute(text("SELECT pg_last_wal_replay_lsn(), pg_is_wal_replay_paused()")).one()
        with self.primary.engine.connect() as conn:
            wal = conn.execute(text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :at)"), {"at": replayed}).scalar()
        state = "its replay is paused" if paused else "is replication running?"
        return (
            f"the standby had replayed the read models up to position {at}, {events} events behind position "
            f"{position}{keeping}, and {int(wal or 0)} bytes of WAL behind the primary, after {timeout} s ({state})"
        )


def _applied(engine: Engine, names: Iterable[str]) -> int:
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('projection')")).scalar() is None:
            return 0  # the standby has not yet replayed the making of the read models' tables
        query = select(func.min(projection_table.c.position)).where(projection_table.c.name.in_(list(names)))
        return int(conn.execute(query).scalar_one() or 0)
