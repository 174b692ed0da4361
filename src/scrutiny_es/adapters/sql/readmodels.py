"""The read models kept in SQL tables, in the same database as the events: the port the service reads.

One instance may be shared by a web server's threads: the runner keeps what it applies in memory, so
one thread at a time catches up, rebuilds or sets up the tables (the others wait); queries each take a
connection of their own from the engine's pool and run side by side.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)

from scrutiny_es.adapters.sql import blocked
from scrutiny_es.adapters.sql.bulk import chunks
from scrutiny_es.adapters.sql.runner import ProjectionRunner
from scrutiny_es.adapters.sql.schema import (
    NAME_MARK,
    SEAL_BLOCK,
    audit_table,
    calendar_table,
    obligation_table,
    overdue_item_table,
    projection_table,
    seal_table,
    sealed_block,
    tracker_body_table,
    tracker_table,
)
from scrutiny_es.adapters.sql.writers.items import body_names
from scrutiny_es.application.collector import collector_paused
from scrutiny_es.application.ports import EventLog, Progress, ProjectionStatus, RebuildGate
from scrutiny_es.application.unreadable import Blocked
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.projections.filters import EVERY_ENTRY, EVERY_ROW, AuditQuery, Filters
from scrutiny_es.projections.items import OVERDUE_ORDER, from_stored, overdue_row, tracker_from_json
from scrutiny_es.projections.rows import AuditRow, BodyNames, Obligation, OverdueReason, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import SealDamaged, Sealed


class SqlReadModels:
    """The tracker, the overdue list, the audit trail and the seal in SQL: a runner keeps their tables, and each
    query reads the generation of its projection's tables that readers use now."""

    def __init__(self, engine: Engine, log: EventLog, lock: AbstractContextManager[Any] | None = None) -> None:
        """``lock``: held while the runner works, shared with the event store's appends where they could
        deadlock with a catch-up in the same process (see ``bootstrap``)."""
        self.engine = engine
        self.log = log
        self.runner = ProjectionRunner(engine, log)
        self.names = tuple(sorted(self.runner.writers))
        self._upkeep = lock or threading.RLock()
        """Held while the runner works: its state in memory is for one thread at a time."""
        self._set_up = False

    @property
    def read_only(self) -> bool:
        return self.runner.read_only

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        names = list(names or self.names)
        self.setup()
        if self._reached(names, self.log.head()):  # as it mostly is: queries need not wait for the lock
            return 0
        with self._upkeep:
            return self.runner.catch_up(names)

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None, gate: RebuildGate | None = None
    ) -> None:
        with self._upkeep:
            self.runner.rebuild(names, progress, gate)

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        self.setup()
        return self.runner.status(names)

    def setup(self) -> None:
        """The tables made (or rebuilt, if an earlier version made them) before the first query."""
        if not self._set_up:
            with self._upkeep:
                self.runner.setup()
                self._set_up = True

    @contextmanager
    def _reading(self, name: str) -> Iterator[tuple[Connection, int]]:
        """A transaction reading a projection's tables, and the generation of them that readers use now."""
        self.setup()
        with self.engine.connect() as conn, conn.begin():
            yield conn, self._generation(conn, name)

    def _generation(self, conn: Connection, name: str) -> int:
        """The generation of a projection's tables that readers use now, in the caller's transaction."""
        query = select(projection_table.c.generation).where(projection_table.c.name == name)
        return int(conn.execute(query).scalar_one())

    def _reached(self, names: list[str], head: int) -> bool:
        """Whether each of these projections has applied the log up to position ``head``."""
        with self.engine.connect() as conn:
            query = select(func.min(projection_table.c.position)).where(projection_table.c.name.in_(names))
            return (conn.execute(query).scalar_one() or 0) >= head

    def tracker(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[TrackerRow]:
        """The tracker's rows, or one page of those ``filters`` keep, in the tracker's order.

        What is overdue on ``on`` is read from the overdue list's obligations, which the tracker's rows
        hold too (both projections keep them from the same fold).
        """
        with self._reading("tracker") as (conn, generation):
            table = tracker_table(generation)
            query = select(table.c.row).where(*_item_filter(table, body, ref), *_items_chosen(table, filters))
            if filters.addressee is not None:
                query = query.where(_holds(conn, table.c.addressees, NAME_MARK + filters.addressee + NAME_MARK))
            if filters.overdue_only:
                owed = obligation_table(self._generation(conn, "overdue"))
                unmet = or_(owed.c.met_on.is_(None), owed.c.met_on > on)
                query = query.where(exists().where(owed.c.item_id == table.c.item_id, owed.c.due < on, unmet))
            order = (table.c.body, table.c.meeting_date, table.c.ref)
            if filters.exempt_only:
                # The exempt items are few, and found from their own index, then put in order here: asked for
                # them in order a page at a time, SQLite walks the order index through every item instead.
                found = sorted(conn.execute(query.add_columns(*order)).tuples(), key=lambda item: item[1:])
                return [tracker_from_json(row, on) for row, *_ in filters.page(found)]
            query = _paged(query.order_by(*order), filters)
            return [tracker_from_json(row, on) for row in conn.execute(query).scalars()]

    def histories(
        self, body: str | None = None, ref: str | None = None, *, ever: bool = False
    ) -> Iterator[ItemHistory]:
        """Each item's history as the tracker holds it, in tracker order, read a thousand at a time."""
        with self._reading("tracker") as (conn, generation):
            query = _in_order(tracker_table(generation), "history", generation, body, ref, ever)
            for text in conn.execution_options(yield_per=1000).execute(query).scalars():
                yield from_stored(text)

    def item_ids(self, body: str | None = None, ref: str | None = None, *, ever: bool = False) -> list[UUID]:
        """The items the tracker knows, in tracker order (for replays of their events)."""
        with self._reading("tracker") as (conn, generation):
            query = _in_order(tracker_table(generation), "item_id", generation, body, ref, ever)
            return [UUID(hex=key) for key in conn.execute(query).scalars()]

    def overdue(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[OverdueRow]:
        """The obligations overdue on a day, oldest first: met late or not yet met, and past their last day.

        The list can run to tens of thousands of rows: the due date and the names are read as
        the driver gives them, for ``_overdue_rows`` to parse each distinct value once, and the
        cycle collector is paused meanwhile, or the new rows would set off collections that walk
        every object the process holds.
        """
        with self._reading("overdue") as (conn, generation), collector_paused():
            table, items = obligation_table(generation), overdue_item_table(generation)
            due, responsible = type_coerce(table.c.due, Text), cast(table.c.responsible, Text)
            original = type_coerce(table.c.original_due, Text)
            # Labelled, for the ORDER BY of a UNION to name them alone (both tables have a body).
            body_, ref_ = table.c.body.label("body"), table.c.ref.label("ref")
            shown = select(body_, ref_, table.c.reason, due, responsible, original, items.c.item, items.c.text,
                           table.c.seq, items.c.exempt).join(items, items.c.item_id == table.c.item_id)  # fmt: skip
            shown = shown.where(*_item_filter(table, body, ref), *_exempt_chosen(items, filters), table.c.due < on)
            if filters.reason is not None:
                shown = shown.where(table.c.reason == filters.reason)
            if filters.addressee is not None:
                shown = shown.where(_names(conn, table.c.responsible, filters.addressee))
            if filters.chooses_items:  # by the item's tracker row, a projection kept with this one
                tracker = tracker_table(self._generation(conn, "tracker"))
                chosen = select(tracker.c.item_id).where(*_items_chosen(tracker, filters))
                shown = shown.where(table.c.item_id.in_(chosen))
            # Not yet met, or met after the day: two ranges, read apart and merged. On SQLite the
            # first, by far the larger, comes from its index already in order, where one OR of the
            # two would have every row sorted. Each row's item is looked up by its key.
            query = union_all(shown.where(table.c.met_on.is_(None)), shown.where(table.c.met_on > on))
            # Rows alike in (due, body, ref, reason) are one item's, in the order the item owes them, as in the fold.
            query = query.order_by(*(query.selected_columns[name] for name in (*OVERDUE_ORDER, "seq")))
            return _overdue_rows(conn.execute(_paged(query, filters)).tuples().all(), on)

    def audit(self, query: AuditQuery = EVERY_ENTRY) -> list[AuditRow]:
        with self._reading("audit") as (conn, generation):
            table = audit_table(generation)
            chosen = _item_filter(table, query.body, query.ref)
            if query.as_of is not None:
                chosen.append(table.c.effective_on <= query.as_of)
            if query.as_known_at is not None:
                chosen.append(table.c.recorded_at <= query.as_known_at)
            if query.after:
                chosen.append(table.c.position > query.after)
            found = select(*(table.c[name] for name in AUDIT_FIELDS)).where(*chosen)
            found = found.order_by(table.c.position).limit(query.limit)
            return [AuditRow(**r) for r in conn.execute(found).mappings()]

    def body_names(self, codes: Iterable[str]) -> dict[str, BodyNames]:
        """The bodies' councils and names, as the tracker keeps them beside their calendars."""
        with self._reading("tracker") as (conn, generation):
            table = calendar_table("tracker", generation)
            found: dict[str, BodyNames] = {}
            for chunk in chunks([code for code in codes if not _nul(code)]):  # no body's, as ``body`` says
                query = select(table.c.body, table.c.council, table.c.names).where(table.c.body.in_(chunk))
                for code, council, names in conn.execute(query):
                    found[code] = BodyNames(council, tuple(body_names(names)))
            return found

    def body_codes(self) -> list[str]:
        """The bodies registered: each has one ``Registered`` entry in the audit trail."""
        with self._reading("audit") as (conn, generation):
            table = audit_table(generation)
            query = select(table.c.body).where(table.c.event == "Registered", table.c.ref.is_(None))
            return sorted(conn.execute(query).scalars())

    def last_position(self, as_known_at: datetime | None = None) -> int:
        with self._reading("audit") as (conn, generation):
            table = audit_table(generation)
            query = select(func.coalesce(func.max(table.c.position), 0))
            if as_known_at is not None:
                query = query.where(table.c.recorded_at <= as_known_at)
            return int(conn.execute(query).scalar_one())

    def sealed(self, after: int, limit: int) -> list[Sealed]:
        """Up to ``limit`` sealed events after position ``after``, in order."""
        with self._reading("seal") as (conn, generation):
            if self.runner.seal_fault is not None:
                raise SealDamaged(self.runner.seal_fault)
            table = seal_table(generation)
            first, last = after + 1, after + limit  # the rows holding them start a block at most before
            query = select(table.c.first_position, table.c.stored_at, table.c.digests).where(
                table.c.first_position > first - SEAL_BLOCK, table.c.first_position <= last
            )
            sealed: list[Sealed] = []
            for start, places, digests in conn.execute(query.order_by(table.c.first_position)).tuples():
                kept = sealed_block(start, places, digests)
                sealed += (s for s in kept if first <= s.position <= last)
                if len(kept) == 1 and kept[0].stored_at is None:
                    break  # a row changed: nothing after it can be trusted
            return sealed

    def blocked(self) -> list[Blocked]:
        """The items left at an event a newer release wrote, in log order."""
        self.setup()
        if not self.runner.keeps_blocked:
            return []
        with self.engine.connect() as conn:
            return sorted(blocked.blocked(conn).values(), key=lambda item: item.position)

    def close(self) -> None:
        self.engine.dispose()


AUDIT_FIELDS = [field.name for field in fields(AuditRow)]


def _nul(*values: str | None) -> bool:
    """Whether a value holds a NUL. PostgreSQL's text refuses one, and no code, ref or name holds one (commands
    refuse them): such a value matches nothing, on every database alike."""
    return any(value is not None and "\x00" in value for value in values)


def _item_filter(table: Table, body: str | None, ref: str | None) -> list[Any]:
    if _nul(body, ref):
        return [false()]
    conditions = []
    if body is not None:
        conditions.append(table.c.body == body)
    if ref is not None:
        conditions.append(table.c.ref == ref)
    return [and_(*conditions)] if conditions else []


def _in_order(table: Table, column: str, generation: int, body: str | None, ref: str | None, ever: bool) -> Any:
    """One column of the tracker's rows of a body (and ref), in tracker order; with ``ever``, also of the items the
    body once held or was given, found by the bodies of transferred items (``tracker_body``) rather than by reading
    every item's history. Two queries, each on its index, not one OR, which the databases answer by reading every
    row."""
    order = (table.c.body, table.c.meeting_date, table.c.ref)
    if not ever or body is None or _nul(body):
        return select(table.c[column]).where(*_item_filter(table, body, ref)).order_by(*order)
    moved = tracker_body_table(generation)
    chosen = select(table.c[column], *order).where(*_item_filter(table, None, ref))
    given = select(moved.c.item_id).where(moved.c.body == body)
    own, elsewhere = chosen.where(table.c.body == body), chosen.where(table.c.body != body, table.c.item_id.in_(given))
    both = union_all(own, elsewhere).subquery()
    return select(both.c[column]).order_by(both.c.body, both.c.meeting_date, both.c.ref)


def _items_chosen(table: Table, filters: Filters) -> list[ColumnElement[bool]]:
    """The tracker table's rows of the status and RAG asked for, open only if asked."""
    chosen = []
    if filters.status is not None:
        chosen.append(table.c.status == filters.status)
    if filters.rag is not None:
        chosen.append(table.c.rag == filters.rag)
    if filters.open_only:
        chosen.append(table.c.status != "closed")
    if filters.made_from is not None:
        chosen.append(table.c.meeting_date >= filters.made_from)
    if filters.made_to is not None:
        chosen.append(table.c.meeting_date <= filters.made_to)
    return chosen + _exempt_chosen(table, filters)


def _exempt_chosen(table: Table, filters: Filters) -> list[ColumnElement[bool]]:
    """A table's items that are public, exempt, or either, as ``Filters.shows_exempt`` chooses them."""
    if filters.exempt_only:
        return [table.c.exempt.is_not(None)]
    return [] if filters.exempt else [table.c.exempt.is_(None)]


def _holds(conn: Connection, column: Any, text: str) -> ColumnElement[bool]:
    """Whether the column's text holds ``text`` exactly (SQLite's LIKE would ignore case, and both read % and _)."""
    if _nul(text):
        return false()
    find = func.strpos if conn.dialect.name == "postgresql" else func.instr
    return find(column, text) > 0


def _names(conn: Connection, column: Any, name: str) -> ColumnElement[bool]:
    """Whether a JSON list of names holds ``name``."""
    if _nul(name):
        return false()
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB  # SQLite does without it, and it is slow to import

        return cast(column, JSONB).contains([name])
    names = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(names).where(names.c.value == name))


def _paged(query: Any, filters: Filters) -> Any:
    if filters.limit is not None:
        query = query.limit(filters.limit)
    return query.offset(filters.offset) if filters.offset else query


def _overdue_rows(
    found: Iterable[tuple[str, str, OverdueReason, Any, str, Any, str, str, int, str | None]], on: date
) -> list[OverdueRow]:
    """Overdue rows from obligations as stored: body, ref, reason, due date, the JSON list of names, the
    original due date, the item's title and text, seq, and the item's exempt paragraph.

    Many rows share a due date and a list of names, so each is parsed once (SQLAlchemy would
    parse the date on SQLite, and the JSON on both databases, row by row); every row still
    gets a list of its own.
    """
    days = _Parsed(lambda stored: stored if isinstance(stored, date) else date.fromisoformat(stored))
    names = _Parsed(lambda stored: tuple(json.loads(stored)))
    return [
        overdue_row(
            Obligation(body, ref, reason, list(names[responsible]), days[due], None, days[original]),
            item,
            text,
            on,
            exempt,
        )
        for body, ref, reason, due, responsible, original, item, text, _, exempt in found
    ]


class _Parsed(dict[Any, Any]):
    """Stored values, each parsed the first time it is looked up."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, stored: Any) -> Any:
        value = self[stored] = self.parse(stored)
        return value
