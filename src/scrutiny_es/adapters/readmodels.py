"""The read-model tables: the tracker, the overdue list and the audit trail in SQL.

Each projection writes its rows and its position in the event log in the same
transaction, so every event is applied exactly once, after a crash too. Tables are
created per *generation*: a rebuild fills the next generation while the current one
is still read and kept up to date, and one transaction then points the projection at
the new generation, so readers never see a half-built table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
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

from scrutiny_es.projections.audit import AuditedItem, audit_entry
from scrutiny_es.projections.items import ItemHistory, fold, obligations, overdue_rows, tracker_row
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

    def apply(self, conn: Connection, generation: int, events: Sequence[tuple[int, Any]]) -> None:
        raise NotImplementedError


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _uuid_key(value: UUID) -> str:
    return value.hex


class ItemsProjection(Projection):
    """A projection keeping each item's history (see ``projections.items``) beside its rows."""

    def state_table(self, generation: int) -> Table:
        raise NotImplementedError

    def write(self, conn: Connection, generation: int, histories: list[tuple[str, ItemHistory]]) -> None:
        raise NotImplementedError

    def apply(self, conn: Connection, generation: int, events: Sequence[tuple[int, Any]]) -> None:
        ids = list(dict.fromkeys(_uuid_key(e.originator_id) for _, e in events))
        state = self.state_table(generation)
        histories: dict[str, ItemHistory | None] = dict.fromkeys(ids)
        for chunk in _chunks(ids):
            for item_id, history in conn.execute(
                select(state.c.item_id, state.c.history).where(state.c.item_id.in_(chunk))
            ):
                histories[item_id] = ItemHistory.model_validate_json(history)
        for _, event in events:
            key = _uuid_key(event.originator_id)
            histories[key] = fold(histories[key], event)
        changed = [(key, h) for key, h in histories.items() if h is not None]
        for chunk in _chunks([key for key, _ in changed]):
            for table in self.tables(generation):
                conn.execute(delete(table).where(table.c.item_id.in_(chunk)))
        self.write(conn, generation, changed)


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
            Column("row", JSON, nullable=False),
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
                        "row": row.model_dump(mode="json"),
                        "history": history.model_dump_json(),
                    }
                )
        if rows:
            conn.execute(insert(self.state_table(generation)), rows)


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
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("item_id", String(32), nullable=False, index=True),
            Column("body", String(100), nullable=False),
            Column("ref", String(100), nullable=False),
            Column("reason", String(20), nullable=False),
            Column("responsible", JSON, nullable=False),
            Column("due", Date, nullable=False, index=True),
            Column("met_on", Date),
        )

    def write(self, conn: Connection, generation: int, histories: list[tuple[str, ItemHistory]]) -> None:
        states = [{"item_id": key, "history": h.model_dump_json()} for key, h in histories]
        owed = [{"item_id": key, **o.model_dump()} for key, h in histories for o in obligations(h)]
        if states:
            conn.execute(insert(self.state_table(generation)), states)
        if owed:
            conn.execute(insert(self.obligation_table(generation)), owed)


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

    def apply(self, conn: Connection, generation: int, events: Sequence[tuple[int, Any]]) -> None:
        entries, items_table = self.entry_table(generation), self.item_table(generation)
        ids = list(dict.fromkeys(_uuid_key(e.originator_id) for _, e in events))
        items: dict[str, AuditedItem | None] = dict.fromkeys(ids)
        for chunk in _chunks(ids):
            query = select(items_table).where(items_table.c.item_id.in_(chunk))
            for row in conn.execute(query).mappings():
                items[row["item_id"]] = AuditedItem(body=row["body"], ref=row["ref"], kind=row["kind"])
        before = {key: item for key, item in items.items() if item is not None}
        position = conn.execute(select(func.coalesce(func.max(entries.c.position), 0))).scalar_one()
        rows = []
        for _, event in events:
            key = _uuid_key(event.originator_id)
            items[key], entry = audit_entry(items[key], event, position + 1)
            if entry is not None:
                position += 1
                rows.append(entry.model_dump())
        if rows:
            conn.execute(insert(entries), rows)
        changed = [(k, i) for k, i in items.items() if i is not None and before.get(k) != i]
        for chunk in _chunks([k for k, _ in changed]):
            conn.execute(delete(items_table).where(items_table.c.item_id.in_(chunk)))
        if changed:
            conn.execute(insert(items_table), [{"item_id": k, **i.model_dump()} for k, i in changed])


PROJECTIONS: dict[str, Projection] = {p.name: p for p in (TrackerProjection(), OverdueProjection(), AuditProjection())}


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

    def __init__(self, engine: Engine, log: EventLog) -> None:
        self.engine = engine
        self.log = log
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
            for name, projection in PROJECTIONS.items():
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
                start = min(r["position"] for r in rows)
                events = self.log.read(start, self.BATCH)
                for row in rows:
                    todo = [(p, e) for p, e in events if p > row["position"]]
                    if todo:
                        PROJECTIONS[row["name"]].apply(conn, row["generation"], todo)
                        self._set(conn, row["name"], position=todo[-1][0])
                read += len(events)

    def rebuild(self, name: str, progress: Progress | None = None) -> None:
        """Rebuilds a projection from the first event into a fresh generation, then swaps it in.

        Each batch commits with its position, so a rebuild that is stopped resumes where it was.
        """
        self.setup()
        projection = PROJECTIONS[name]
        with self._writing() as conn:
            (row,) = self._lock(conn, [name])
            if row["rebuild_generation"] is None:
                generation = row["generation"] + 1
                metadata.drop_all(conn, tables=projection.tables(generation))
                metadata.create_all(conn, tables=projection.tables(generation))
                self._set(conn, name, rebuild_generation=generation, rebuild_position=0)
        while True:
            with self._writing() as conn:
                (row,) = self._lock(conn, [name])
                generation, position = row["rebuild_generation"], row["rebuild_position"]
                events = self.log.read(position, self.BATCH)
                if events:
                    projection.apply(conn, generation, events)
                    self._set(conn, name, rebuild_position=events[-1][0])
                    if progress:
                        progress(events[-1][0], self.log.head())
                    continue
                old = row["generation"]
                self._set(conn, name, generation=generation, position=position, rebuild_generation=None,
                          rebuild_position=None)  # fmt: skip
                metadata.drop_all(conn, tables=projection.tables(old))
                return

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
            return [TrackerRow.model_validate(_json(row)) for row in conn.execute(query).scalars()]

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
