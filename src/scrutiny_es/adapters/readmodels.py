"""The read models in the database: catching them up, rebuilding them, and reading them.

Each projection writes its rows and its position in the event log in the same
transaction, so every event is applied exactly once, after a crash too. A rebuild fills
a new generation of tables while readers use the current one; one transaction then
points the projection at the new generation, so readers never see a half-built table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    Text,
    and_,
    cast,
    insert,
    inspect,
    select,
    text,
    type_coerce,
    union_all,
    update,
)

from scrutiny_es.adapters.memory import collector_paused
from scrutiny_es.adapters.persistence import is_read_only
from scrutiny_es.adapters.tables import (
    CODE_LENGTH,
    PROJECTIONS,
    audit_table,
    metadata,
    obligation_table,
    projection_table,
    projections,
    tracker_table,
)
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.items import ItemHistory, from_stored
from scrutiny_es.projections.rows import ROW_JSON, AuditRow, OverdueReason, OverdueRow, TrackerRow

SETUP_LOCK = 5_172_071
"""Any constant: the PostgreSQL advisory lock under which processes starting together create the tables."""


class RebuildUnderWay(ScrutinyError):
    """Another process is rebuilding the same projection."""


class EventLog(Protocol):
    """The application's log of events, read in order from a position."""

    def head(self) -> int:
        """The position of the last event recorded (0 when there is none)."""

    def read(self, after: int, limit: int) -> list[tuple[int, Any]]:
        """Up to ``limit`` events after ``after``, with their positions."""

    def count(self, after: int = 0) -> int:
        """How many events were recorded after position ``after`` (positions may have gaps on PostgreSQL)."""


@dataclass(frozen=True)
class Status:
    """Where a projection stands against the head of the log: log positions, and the events between them."""

    name: str
    position: int
    head: int
    rebuilding_at: int | None
    lag: int
    """How many events the projection has yet to apply."""
    events: int
    """How many events the log holds."""

    @property
    def applied(self) -> int:
        """How many events the projection has applied: its place in the log as users count, 1, 2, 3..."""
        return self.events - self.lag


Progress = Callable[[int, int], None]
"""Told the position reached and the head of the log, after each batch."""

Target = tuple[str, int, int]
"""A projection, the generation of its tables to write, and the position they have reached."""


class ReadModels:
    """The three projections in one database: catching up, rebuilding and reading them."""

    BATCH = 2000
    """Events read at a time."""
    CHECKPOINT = 50_000
    """Events a rebuild applies between commits: fewer commits, fewer rewrites of busy items."""

    def __init__(self, engine: Engine, log: EventLog) -> None:
        self.engine = engine
        self.log = log
        self.projections = projections()
        self._ready = False
        self.read_only = False
        """Whether the last catch-up found the database read-only (the read models then answer as they stand)."""

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A transaction that writes; on SQLite it takes the write lock at once, so catch-ups queue.

        If it fails, what the projections hold in memory is no longer what the tables hold.
        """
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(writing=True)
                with conn.begin():
                    yield conn
        except BaseException:
            self._forget()
            raise

    def _forget(self) -> None:
        """What the projections hold in memory is no longer known to match their tables."""
        for projection in self.projections.values():
            projection.forget()

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Held while creating tables: on PostgreSQL, processes starting together would collide."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})
                conn.commit()

    def setup(self) -> None:
        """Creates the position table and each projection's first generation, if missing."""
        if self._ready or self._set_up():
            self._ready = True
            return
        with self.schema_lock(), self._writing() as conn:
            self._widen_codes(conn)
            metadata.create_all(conn, tables=[projection_table])
            known = set(conn.execute(select(projection_table.c.name)).scalars())
            for name, projection in self.projections.items():
                if name not in known:
                    metadata.create_all(conn, tables=projection.tables(1))
                    conn.execute(insert(projection_table).values(name=name, generation=1, position=0))
        self._ready = True

    def _set_up(self) -> bool:
        """Whether every projection has its tables already (found without a write, which a read-only file refuses)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(projection_table.name):
                return False
            known = set(conn.execute(select(projection_table.c.name)).scalars())
            return known >= set(self.projections) and not _narrow_codes(conn)

    def _widen_codes(self, conn: Connection) -> None:
        """Gives tables made before codes could take ``CODE_LENGTH`` characters their new width (PostgreSQL
        enforces a column's length: a longer ref would stop the projection). Widening is quick in PostgreSQL."""
        for table, column, collation in _narrow_codes(conn):
            collate = f' COLLATE "{collation}"' if collation else ""
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({CODE_LENGTH}){collate}')

    def catch_up(self, names: Iterable[str] = PROJECTIONS) -> int:
        """Applies every event not yet applied; returns how many events were read.

        On a read-only database nothing can be applied: the read models stay as they were last
        brought up to date, and ``read_only`` says so (``status`` tells how far behind they are).
        """
        self.setup()
        names = sorted(names)
        read = 0
        with collector_paused():
            while True:
                head = self.log.head()
                if min(self._positions(names)) >= head:
                    return read
                try:
                    with self._writing() as conn:
                        targets = [(r["name"], r["generation"], r["position"]) for r in self._lock(conn, names)]
                        done, _ = self._advance(conn, targets, "position", self.BATCH)
                        read += done
                except Exception as e:
                    if not is_read_only(e):
                        raise
                    self.read_only = True
                    return read

    def rebuild(self, names: Iterable[str] = PROJECTIONS, progress: Progress | None = None) -> None:
        """Rebuilds projections from the first event into fresh generations, then swaps them in.

        Several projections are rebuilt in one pass over the log. Events are read and folded
        outside any write transaction, and the work is committed with its position every
        ``CHECKPOINT`` events: other writers (another rebuild in another process, say) wait
        only for the writing, and a rebuild that is stopped resumes where it was when run
        again, while readers go on using the complete generation.
        """
        self.setup()
        names = sorted(names)
        with collector_paused():
            self._rebuild(names, progress)

    def _rebuild(self, names: list[str], progress: Progress | None) -> None:
        with self._writing() as conn:
            for row in self._lock(conn, names):
                if row["rebuild_generation"] is None:
                    generation = row["generation"] + 1
                    tables = self.projections[row["name"]].tables(generation)
                    metadata.drop_all(conn, tables=tables)
                    metadata.create_all(conn, tables=tables)
                    self._set(conn, row["name"], rebuild_generation=generation, rebuild_position=0)
        while True:
            try:
                with self.engine.connect() as conn, conn.begin():
                    query = select(projection_table).where(projection_table.c.name.in_(names))
                    rows = conn.execute(query.order_by(projection_table.c.name)).mappings()
                    targets = [(r["name"], r["rebuild_generation"], r["rebuild_position"]) for r in rows]
                    positions, _, finished = self._absorb(conn, targets, self.CHECKPOINT, progress)
                for name, generation, _ in targets:  # before the write lock, which the other writers wait for
                    self.projections[name].prepare(generation, self.engine.dialect.name)
            except BaseException:
                self._forget()
                raise
            with self._writing() as conn:
                for row, (name, generation, position) in zip(self._lock(conn, names), targets, strict=True):
                    if (row["rebuild_generation"], row["rebuild_position"]) != (generation, position):
                        msg = f"the {name} projection is being rebuilt by another process; let that rebuild finish"
                        raise RebuildUnderWay(msg)
                self._flush(conn, targets, positions, "rebuild_position")
                if finished:
                    for row in self._lock(conn, names):  # the new generations are complete: swap them in
                        self._analyse(conn, self.projections[row["name"]].tables(row["rebuild_generation"]))
                        new = {"generation": row["rebuild_generation"], "position": row["rebuild_position"]}
                        self._set(conn, row["name"], **new, rebuild_generation=None, rebuild_position=None)
                        metadata.drop_all(conn, tables=self.projections[row["name"]].tables(row["generation"]))
                    return

    def _analyse(self, conn: Connection, tables: list[Table]) -> None:
        """Gives PostgreSQL's planner the statistics of freshly filled tables, rather than have it
        guess until autovacuum comes by (the overdue list read a whole table meanwhile)."""
        if conn.dialect.name == "postgresql":
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table.name}")

    def _advance(self, conn: Connection, targets: list[Target], column: str, limit: int) -> tuple[int, bool]:
        """Applies up to ``limit`` events to each target and records where each got to.

        Returns how many events were read, and whether the log was read to its end.
        """
        positions, read, finished = self._absorb(conn, targets, limit)
        self._flush(conn, targets, positions, column)
        return read, finished

    def _absorb(
        self, conn: Connection, targets: list[Target], limit: int, progress: Progress | None = None
    ) -> tuple[dict[str, int], int, bool]:
        """Folds up to ``limit`` events into each target's state in memory.

        Returns where each target got to, how many events were read, and whether the log was read to its end.
        """
        positions = {name: position for name, _, position in targets}
        read, finished = 0, False
        while read < limit:
            start = min(positions.values())
            events = self.log.read(start, min(self.BATCH, limit - read))
            if not events:
                finished = True
                break
            for name, generation, _ in targets:
                todo = events if positions[name] == start else [(p, e) for p, e in events if p > positions[name]]
                if todo:
                    self.projections[name].absorb(conn, generation, positions[name], todo)
                    positions[name] = todo[-1][0]
            read += len(events)
            if progress:
                progress(events[-1][0], self.log.head())
        return positions, read, finished

    def _flush(self, conn: Connection, targets: list[Target], positions: dict[str, int], column: str) -> None:
        """Writes what each target absorbed, with the position it reached, in the caller's transaction."""
        for name, generation, position in targets:
            if positions[name] != position:
                self.projections[name].flush(conn, generation)
                self._set(conn, name, **{column: positions[name]})

    def _positions(self, names: Iterable[str]) -> list[int]:
        with self.engine.connect() as conn:
            query = select(projection_table.c.position).where(projection_table.c.name.in_(list(names)))
            return list(conn.execute(query).scalars())

    def status(self, names: Iterable[str] = PROJECTIONS) -> list[Status]:
        """Each projection's position, the head of the log, how many events it has yet to apply, and any rebuild."""
        self.setup()
        head = self.log.head()
        with self.engine.connect() as conn:
            query = select(projection_table).where(projection_table.c.name.in_(list(names)))
            rows = list(conn.execute(query.order_by(projection_table.c.name)).mappings())
        lags = {position: self.log.count(position) for position in {0, *(r["position"] for r in rows)}}
        return [
            Status(r["name"], r["position"], head, r["rebuild_position"], lags[r["position"]], lags[0]) for r in rows
        ]

    def _lock(self, conn: Connection, names: list[str]) -> list[Any]:
        query = select(projection_table).where(projection_table.c.name.in_(names)).order_by(projection_table.c.name)
        return list(conn.execute(query.with_for_update()).mappings())

    def _set(self, conn: Connection, name: str, **values: Any) -> None:
        conn.execute(update(projection_table).where(projection_table.c.name == name).values(**values))

    @contextmanager
    def _reading(self, name: str) -> Iterator[tuple[Connection, int]]:
        self.setup()
        with self.engine.connect() as conn, conn.begin():
            query = select(projection_table.c.generation).where(projection_table.c.name == name)
            yield conn, conn.execute(query).scalar_one()

    def tracker(self, body: str | None = None, ref: str | None = None) -> list[TrackerRow]:
        with self._reading("tracker") as (conn, generation):
            table = tracker_table(generation)
            query = select(table.c.row).where(*_item_filter(table, body, ref))
            query = query.order_by(table.c.body, table.c.meeting_date, table.c.ref)
            return [ROW_JSON[TrackerRow].validate_json(row) for row in conn.execute(query).scalars()]

    def histories(self, body: str | None = None, ref: str | None = None) -> Iterator[ItemHistory]:
        """Each item's history as the tracker holds it, in tracker order, read a thousand at a time."""
        with self._reading("tracker") as (conn, generation):
            table = tracker_table(generation)
            query = select(table.c.history).where(*_item_filter(table, body, ref))
            query = query.order_by(table.c.body, table.c.meeting_date, table.c.ref)
            for text in conn.execution_options(yield_per=1000).execute(query).scalars():
                yield from_stored(text)

    def item_ids(self, body: str | None = None, ref: str | None = None) -> list[UUID]:
        """The items the tracker knows, in tracker order (for replays of their events)."""
        with self._reading("tracker") as (conn, generation):
            table = tracker_table(generation)
            query = select(table.c.item_id).where(*_item_filter(table, body, ref))
            query = query.order_by(table.c.body, table.c.meeting_date, table.c.ref)
            return [UUID(hex=key) for key in conn.execute(query).scalars()]

    def overdue(self, on: date, body: str | None = None, ref: str | None = None) -> list[OverdueRow]:
        """The obligations overdue on a day, oldest first: met late or not yet met, and past their last day.

        The list can run to tens of thousands of rows: the due date and the names are read as
        the driver gives them, for ``_overdue_rows`` to parse each distinct value once, and the
        cycle collector is paused meanwhile, or the new rows would set off collections that walk
        every object the process holds.
        """
        with self._reading("overdue") as (conn, generation), collector_paused():
            table = obligation_table(generation)
            due, responsible = type_coerce(table.c.due, Text), cast(table.c.responsible, Text)
            shown = select(table.c.body, table.c.ref, table.c.reason, due, responsible, table.c.seq)
            shown = shown.where(*_item_filter(table, body, ref), table.c.due < on)
            # Not yet met, or met after the day: two ranges, read apart and merged. On SQLite the
            # first, by far the larger, comes from its index already in order, where one OR of the
            # two would have every row sorted.
            query = union_all(shown.where(table.c.met_on.is_(None)), shown.where(table.c.met_on > on))
            # Rows alike in (due, body, ref, reason) are one item's, in the order the item owes them, as in the fold.
            query = query.order_by(*(query.selected_columns[name] for name in ("due", "body", "ref", "reason", "seq")))
            return _overdue_rows(conn.execute(query).tuples().all(), on)

    def audit(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
    ) -> list[AuditRow]:
        with self._reading("audit") as (conn, generation):
            table = audit_table(generation)
            query = select(table).where(*_item_filter(table, body, ref))
            if as_of is not None:
                query = query.where(table.c.effective_on <= as_of)
            if as_known_at is not None:
                query = query.where(table.c.recorded_at <= as_known_at)
            return [AuditRow(**r) for r in conn.execute(query.order_by(table.c.position)).mappings()]


def _narrow_codes(conn: Connection) -> list[tuple[str, str, str | None]]:
    """The code columns (body, ref) of PostgreSQL tables narrower than ``CODE_LENGTH``, with their collations."""
    if conn.dialect.name != "postgresql":
        return []
    query = text(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name IN ('body', 'ref') "
        "AND character_maximum_length < :length"
    )
    return [(row[0], row[1], row[2]) for row in conn.execute(query, {"length": CODE_LENGTH})]


def _item_filter(table: Table, body: str | None, ref: str | None) -> list[Any]:
    conditions = []
    if body is not None:
        conditions.append(table.c.body == body)
    if ref is not None:
        conditions.append(table.c.ref == ref)
    return [and_(*conditions)] if conditions else []


def _overdue_rows(found: Iterable[tuple[str, str, OverdueReason, Any, str, int]], on: date) -> list[OverdueRow]:
    """Overdue rows from obligations as stored: body, ref, reason, due date, the JSON list of names, and seq.

    Many rows share a due date and a list of names, so each is parsed once (SQLAlchemy would
    parse the date on SQLite, and the JSON on both databases, row by row); every row still
    gets a list of its own.
    """
    days = _Parsed(lambda stored: _late(stored, on))
    names = _Parsed(lambda stored: tuple(json.loads(stored)))
    rows = []
    for body, ref, reason, stored_due, stored_names, _ in found:
        due, days_overdue = days[stored_due]
        responsible = list(names[stored_names])
        rows.append(OverdueRow(body=body, ref=ref, reason=reason, due=due, days_overdue=days_overdue,
                               responsible=responsible))  # fmt: skip
    return rows


class _Parsed(dict[Any, Any]):
    """Stored values, each parsed the first time it is looked up."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, stored: Any) -> Any:
        value = self[stored] = self.parse(stored)
        return value


def _late(stored: date | str, on: date) -> tuple[date, int]:
    """A due date as the driver gives it (a date from psycopg, ISO text from SQLite), and the days it is overdue."""
    due = stored if isinstance(stored, date) else date.fromisoformat(stored)
    return due, (on - due).days
