"""The read-model tables: the tracker, the overdue list and the audit trail in SQL.

Each projection writes its rows and its position in the event log in the same
transaction, so every event is applied exactly once, after a crash too. Tables are
created per *generation*: a rebuild fills the next generation while the current one
is still read and kept up to date, and one transaction then points the projection at
the new generation, so readers never see a half-built table.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql.psycopg import dialect as postgresql_dialect
from sqlalchemy.dialects.sqlite.pysqlite import dialect as sqlite_dialect

from scrutiny_es.domain.model import Body
from scrutiny_es.projections.audit import AuditedItem, audit_entry
from scrutiny_es.projections.items import (
    ItemHistory,
    fold,
    from_stored,
    obligations,
    overdue_rows,
    stored,
    tracker_row,
)
from scrutiny_es.projections.rows import AuditRow, Obligation, OverdueRow, TrackerRow

metadata = MetaData()

projection_table = Table(
    "projection",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("rebuild_generation", Integer),
    Column("rebuild_position", BigInteger),
)


SETUP_LOCK = 5_172_071  # any constant: the advisory lock that serialises creating the tables


class EventLog(Protocol):
    """The application's log of events, read in order from a position."""

    def head(self) -> int:
        """The position of the last event recorded (0 when there is none)."""

    def read(self, after: int, limit: int) -> list[tuple[int, Any]]:
        """Up to ``limit`` events after ``after``, with their positions."""


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored as UTC and read back timezone-aware, the same on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _table(name: str, generation: int, *columns: Column[Any]) -> Table:
    key = f"{name}_{generation}"
    if key in metadata.tables:
        return metadata.tables[key]
    return Table(key, metadata, *columns)


class Projection:
    """A read model kept in SQL: its tables for a generation and how a batch of events changes them."""

    name: str

    def tables(self, generation: int) -> list[Table]:
        raise NotImplementedError

    def apply(self, conn: Connection, generation: int, after: int, events: Sequence[tuple[int, Any]]) -> None:
        """Applies events that follow position ``after`` to the tables of ``generation``."""
        raise NotImplementedError


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _uuid_key(value: UUID) -> str:
    return value.hex


class StateCache(OrderedDict[str, Any]):
    """States of recently changed items, kept between batches so they are not read back.

    Valid only while the projection is where this process left it: any other position
    (another process moved it, or a batch was rolled back) empties it.
    """

    SIZE = 20_000

    def __init__(self) -> None:
        super().__init__()
        self.at: tuple[int, int] | None = None

    def begin(self, generation: int, after: int) -> None:
        if self.at != (generation, after):
            self.clear()
        self.at = None  # until the batch is applied

    def end(self, generation: int, position: int) -> None:
        while len(self) > self.SIZE:
            self.popitem(last=False)
        self.at = (generation, position)


class ItemsProjection(Projection):
    """A projection keeping each item's history (see ``projections.items``) beside its rows."""

    def __init__(self) -> None:
        self.cache = StateCache()

    def state_table(self, generation: int) -> Table:
        raise NotImplementedError

    def write(self, conn: Connection, generation: int, histories: list[tuple[str, ItemHistory]]) -> None:
        raise NotImplementedError

    def apply(self, conn: Connection, generation: int, after: int, events: Sequence[tuple[int, Any]]) -> None:
        cache = self.cache
        cache.begin(generation, after)
        keys = [(e.originator_id.hex, e) for _, e in events if not isinstance(e, Body.Event)]
        missing = [key for key in dict.fromkeys(k for k, _ in keys) if key not in cache]
        state = self.state_table(generation)
        for chunk in _chunks(missing):
            query = select(state.c.item_id, state.c.history).where(state.c.item_id.in_(chunk))
            for item_id, history in conn.execute(query):
                cache[item_id] = _Cached(from_stored(history), stored=True)
        touched: dict[str, _Cached] = {}
        for key, event in keys:
            entry = cache.get(key)
            history = fold(entry.history if entry else None, event)
            if history is not None:
                touched[key] = entry or cache.setdefault(key, _Cached(history, stored=False))
        stored_before = [key for key, entry in touched.items() if entry.stored]
        for chunk in _chunks(stored_before):
            for table in self.tables(generation):
                conn.execute(delete(table).where(table.c.item_id.in_(chunk)))
        self.write(conn, generation, [(key, entry.history) for key, entry in touched.items()])
        for key, entry in touched.items():
            entry.stored = True
            cache.move_to_end(key)
        cache.end(generation, events[-1][0])


@dataclass
class _Cached:
    history: ItemHistory
    stored: bool
    """Whether the item's rows are in the tables (so they are deleted before being written again)."""


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts many rows through the driver: the rows are plain values, already checked by the fold.

    SQLAlchemy's per-row parameter processing would cost more than the fold itself, so the
    few values the driver cannot take as they are are converted here, column by column.
    """
    if not rows:
        return
    statement, names, converters = _insert_plan(table, conn.dialect.name)
    if converters:
        rows = [row | {name: convert(row[name]) for name, convert in converters} for row in rows]
    if names:  # a driver with positional parameters
        conn.exec_driver_sql(statement, [tuple(row[name] for name in names) for row in rows])
    else:
        conn.exec_driver_sql(statement, rows)


@cache
def _insert_plan(table: Table, dialect_name: str) -> tuple[str, list[str], list[tuple[str, Callable[[Any], Any]]]]:
    dialect = sqlite_dialect() if dialect_name == "sqlite" else postgresql_dialect()  # type: ignore[no-untyped-call]
    compiled = insert(table).compile(dialect=dialect)
    names = list(compiled.positiontup or [])
    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for column in table.columns:
        if isinstance(column.type, JSON):
            converters.append((column.name, _json_text))
        elif dialect_name == "sqlite" and isinstance(column.type, UtcDateTime):
            converters.append((column.name, _sqlite_moment))
        elif dialect_name == "sqlite" and isinstance(column.type, Date):
            converters.append((column.name, _sqlite_day))
    return compiled.string, names, converters


def _json_text(value: Any) -> str:
    return json.dumps(value)


def _sqlite_moment(value: datetime) -> str:
    """A moment as SQLAlchemy's SQLite DateTime stores it: naive UTC, so its reader parses it back."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _sqlite_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class TrackerProjection(ItemsProjection):
    """The tracker: one row per item, as ``projections.items.tracker_row`` shows it."""

    name = "tracker"

    def tables(self, generation: int) -> list[Table]:
        return [self.state_table(generation)]

    def state_table(self, generation: int) -> Table:
        return _table(
            "tracker",
            generation,
            Column("item_id", String(32), primary_key=True),
            Column("body", String(100), nullable=False, index=True),
            Column("ref", String(100), nullable=False),
            Column("meeting_date", Date, nullable=False),
            Column("row", Text, nullable=False),
            Column("history", Text, nullable=False),
        )

    def write(self, conn: Connection, generation: int, histories: list[tuple[str, ItemHistory]]) -> None:
        rows = []
        for key, history in histories:
            row = tracker_row(history)
            if row is not None:
                rows.append(
                    {
                        "item_id": key,
                        "body": row.body,
                        "ref": row.ref,
                        "meeting_date": row.meeting_date,
                        "row": row.model_dump_json(),
                        "history": stored(history),
                    }
                )
        _insert(conn, self.state_table(generation), rows)


class OverdueProjection(ItemsProjection):
    """The overdue list: obligations with their due dates; "overdue on D" is a query."""

    name = "overdue"

    def tables(self, generation: int) -> list[Table]:
        return [self.state_table(generation), self.obligation_table(generation)]

    def state_table(self, generation: int) -> Table:
        return _table(
            "overdue_item",
            generation,
            Column("item_id", String(32), primary_key=True),
            Column("history", Text, nullable=False),
        )

    def obligation_table(self, generation: int) -> Table:
        return _table(
            "obligation",
            generation,
            Column("item_id", String(32), primary_key=True),
            Column("seq", Integer, primary_key=True),
            Column("body", String(100), nullable=False),
            Column("ref", String(100), nullable=False),
            Column("reason", String(20), nullable=False),
            Column("responsible", JSON, nullable=False),
            Column("due", Date, nullable=False, index=True),
            Column("met_on", Date),
        )

    def write(self, conn: Connection, generation: int, histories: list[tuple[str, ItemHistory]]) -> None:
        states = [{"item_id": key, "history": stored(h)} for key, h in histories]
        owed = [{"item_id": key, "seq": n, **o.__dict__} for key, h in histories for n, o in enumerate(obligations(h))]
        _insert(conn, self.state_table(generation), states)
        _insert(conn, self.obligation_table(generation), owed)


class AuditProjection(Projection):
    """The audit trail: one numbered entry per event, numbered without gaps."""

    name = "audit"

    def tables(self, generation: int) -> list[Table]:
        return [self.entry_table(generation), self.item_table(generation)]

    def entry_table(self, generation: int) -> Table:
        return _table(
            "audit",
            generation,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("body", String(100), nullable=False, index=True),
            Column("ref", String(100)),
            Column("event", String(40), nullable=False),
            Column("effective_on", Date, nullable=False),
            Column("recorded_at", UtcDateTime, nullable=False),
            Column("actor", Text, nullable=False),
            Column("decided_by", Text),
            Column("summary", Text, nullable=False),
        )

    def item_table(self, generation: int) -> Table:
        return _table(
            "audited_item",
            generation,
            Column("item_id", String(32), primary_key=True),
            Column("body", String(100), nullable=False),
            Column("ref", String(100), nullable=False),
            Column("kind", String(20), nullable=False),
        )

    def __init__(self) -> None:
        self.cache = StateCache()

    def apply(self, conn: Connection, generation: int, after: int, events: Sequence[tuple[int, Any]]) -> None:
        entries, items_table = self.entry_table(generation), self.item_table(generation)
        cache = self.cache
        cache.begin(generation, after)
        keys = [(e.originator_id.hex, e) for _, e in events]
        missing = [key for key in dict.fromkeys(k for k, _ in keys) if key not in cache]
        for chunk in _chunks(missing):
            query = select(items_table).where(items_table.c.item_id.in_(chunk))
            for row in conn.execute(query):
                cache[row.item_id] = AuditedItem(row.body, row.ref, row.kind)
        position = conn.execute(select(func.coalesce(func.max(entries.c.position), 0))).scalar_one()
        rows: list[dict[str, Any]] = []
        changed: dict[str, tuple[AuditedItem, bool]] = {}
        for key, event in keys:
            item = cache.get(key)
            after_event, entry = audit_entry(item, event, position + 1)
            if entry is not None:
                position += 1
                rows.append(entry._asdict())
            if after_event is not None and after_event != item:
                was_stored = changed[key][1] if key in changed else item is not None
                cache[key], changed[key] = after_event, (after_event, was_stored)
        _insert(conn, entries, rows)
        for chunk in _chunks([key for key, (_, was_stored) in changed.items() if was_stored]):
            conn.execute(delete(items_table).where(items_table.c.item_id.in_(chunk)))
        _insert(conn, items_table, [{"item_id": key, **item._asdict()} for key, (item, _) in changed.items()])
        cache.end(generation, events[-1][0])


PROJECTIONS: dict[str, type[Projection]] = {p.name: p for p in (TrackerProjection, OverdueProjection, AuditProjection)}


@dataclass(frozen=True)
class Status:
    """Where a projection stands against the head of the log."""

    name: str
    position: int
    head: int
    rebuilding_at: int | None

    @property
    def lag(self) -> int:
        return self.head - self.position


Progress = Callable[[int, int], None]
"""Told the position reached and the head of the log, after each batch."""


class ReadModels:
    """The three projections in one database: catching up, rebuilding and reading them."""

    BATCH = 2000
    REBUILD_BATCH = 20_000

    def __init__(self, engine: Engine, log: EventLog) -> None:
        self.engine = engine
        self.log = log
        self.projections = {name: projection() for name, projection in PROJECTIONS.items()}
        self._ready = False

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A transaction that writes; on SQLite it takes the write lock at once, so catch-ups queue."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(writing=True)
            with conn.begin():
                yield conn

    def setup(self) -> None:
        """Creates the position table and each projection's first generation, if missing."""
        if self._ready:
            return
        with self._writing() as conn:
            if conn.dialect.name == "postgresql":  # processes starting together create the tables once
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
            metadata.create_all(conn, tables=[projection_table])
            known = set(conn.execute(select(projection_table.c.name)).scalars())
            for name, projection in self.projections.items():
                if name not in known:
                    metadata.create_all(conn, tables=projection.tables(1))
                    conn.execute(insert(projection_table).values(name=name, generation=1, position=0))
        self._ready = True

    def catch_up(self, names: Iterable[str] = PROJECTIONS) -> int:
        """Applies every event not yet applied; returns how many events were read."""
        self.setup()
        names = list(names)
        read = 0
        while True:
            head = self.log.head()
            if min(s.position for s in self.status(names, head)) >= head:
                return read
            with self._writing() as conn:
                rows = self._lock(conn, names)
                read += self._advance(conn, [(r["name"], r["generation"], r["position"]) for r in rows], "position")

    def rebuild(self, names: Iterable[str] = PROJECTIONS, progress: Progress | None = None) -> None:
        """Rebuilds projections from the first event into fresh generations, then swaps them in.

        Several projections are rebuilt in one pass over the log. Each batch commits with
        its position, so a rebuild that is stopped resumes where it was when run again,
        while readers go on using the complete generation.
        """
        self.setup()
        names = sorted(names)
        with self._writing() as conn:
            for row in self._lock(conn, names):
                if row["rebuild_generation"] is None:
                    generation = row["generation"] + 1
                    tables = self.projections[row["name"]].tables(generation)
                    metadata.drop_all(conn, tables=tables)
                    metadata.create_all(conn, tables=tables)
                    self._set(conn, row["name"], rebuild_generation=generation, rebuild_position=0)
        while True:
            with self._writing() as conn:
                rows = self._lock(conn, names)
                targets = [(r["name"], r["rebuild_generation"], r["rebuild_position"]) for r in rows]
                if self._advance(conn, targets, "rebuild_position", self.REBUILD_BATCH):
                    if progress:
                        progress(min(r[2] for r in targets), self.log.head())
                    continue
                for row in rows:  # caught up with the log: swap the new generation in
                    self._set(conn, row["name"], generation=row["rebuild_generation"], position=row["rebuild_position"],
                              rebuild_generation=None, rebuild_position=None)  # fmt: skip
                    metadata.drop_all(conn, tables=self.projections[row["name"]].tables(row["generation"]))
                return

    def _advance(self, conn: Connection, targets: list[tuple[str, int, int]], column: str, limit: int = 0) -> int:
        """Applies the next batch of events to each (projection, generation, position); returns events read."""
        start = min(position for _, _, position in targets)
        events = self.log.read(start, limit or self.BATCH)
        for name, generation, position in targets:
            todo = [(p, e) for p, e in events if p > position] if position > start else events
            if todo:
                self.projections[name].apply(conn, generation, position, todo)
                self._set(conn, name, **{column: todo[-1][0]})
        return len(events)

    def status(self, names: Iterable[str] = PROJECTIONS, head: int | None = None) -> list[Status]:
        """Each projection's position, the head of the log, and any rebuild under way."""
        self.setup()
        head = self.log.head() if head is None else head
        with self.engine.connect() as conn:
            query = select(projection_table).where(projection_table.c.name.in_(list(names)))
            rows = conn.execute(query.order_by(projection_table.c.name)).mappings()
            return [Status(r["name"], r["position"], head, r["rebuild_position"]) for r in rows]

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
            table = TrackerProjection().state_table(generation)
            query = select(table.c.row).where(*_item_filter(table, body, ref))
            query = query.order_by(table.c.body, table.c.meeting_date, table.c.ref)
            return [TrackerRow.model_validate_json(row) for row in conn.execute(query).scalars()]

    def item_ids(self, body: str | None = None, ref: str | None = None) -> list[UUID]:
        """The items the tracker knows, in tracker order (for replays of their events)."""
        with self._reading("tracker") as (conn, generation):
            table = TrackerProjection().state_table(generation)
            query = select(table.c.item_id).where(*_item_filter(table, body, ref))
            query = query.order_by(table.c.body, table.c.meeting_date, table.c.ref)
            return [UUID(hex=key) for key in conn.execute(query).scalars()]

    def overdue(self, on: date, body: str | None = None, ref: str | None = None) -> list[OverdueRow]:
        with self._reading("overdue") as (conn, generation):
            table = OverdueProjection().obligation_table(generation)
            query = select(table).where(
                *_item_filter(table, body, ref), table.c.due < on, or_(table.c.met_on.is_(None), table.c.met_on > on)
            )
            query = query.order_by(table.c.due, table.c.body, table.c.ref, table.c.reason)
            owed = [
                Obligation.model_validate({**r, "responsible": _json(r["responsible"])})
                for r in conn.execute(query).mappings()
            ]
        return overdue_rows(owed, on)

    def audit(
        self, body: str | None = None, ref: str | None = None, as_of: date | None = None, as_known_at: Any = None
    ) -> list[AuditRow]:
        with self._reading("audit") as (conn, generation):
            table = AuditProjection().entry_table(generation)
            query = select(table).where(*_item_filter(table, body, ref))
            if as_of is not None:
                query = query.where(table.c.effective_on <= as_of)
            if as_known_at is not None:
                query = query.where(table.c.recorded_at <= as_known_at)
            return [AuditRow.model_validate(r) for r in conn.execute(query.order_by(table.c.position)).mappings()]


def _item_filter(table: Table, body: str | None, ref: str | None) -> list[Any]:
    conditions = []
    if body is not None:
        conditions.append(table.c.body == body)
    if ref is not None:
        conditions.append(table.c.ref == ref)
    return [and_(*conditions)] if conditions else []


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
