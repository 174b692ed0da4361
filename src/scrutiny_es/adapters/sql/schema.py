"""The read models' tables: one set per generation, so that a rebuild fills the next while readers use this one.

Tables are created per *generation* (``tracker_1``, ``tracker_2`` ...); the ``projection``
table says which generation each projection reads, and how far into the log it is.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    event,
    text,
)

from scrutiny_es.projections.seal import Sealed

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

layout_table = Table(
    "projection_layout",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("layout", Integer, nullable=False),
    Column("rebuild_layout", Integer),
)
"""The layout of each projection's tables (``TableWriter.layout``) in the generation read, and in the one being
rebuilt: tables of an earlier layout are rebuilt when a process first opens them."""


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored as UTC and read back timezone-aware, the same on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _sorted_text(length: int) -> String:
    """Text that sorts by code point on every database, as Python sorts it (and SQLite does).

    A PostgreSQL server sorts by its own collation, en_GB say, which puts "a" before "B":
    the live lists would not come in the order of those made in memory ("as of" a date).
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


CODE_LENGTH = 200
"""A body code's or a ref's characters at the most, as commands allow (tables before 0.2 had 100)."""


def _table(name: str, generation: int, *columns: Column[Any] | Index) -> Table:
    key = f"{name}_{generation}"
    if key in metadata.tables:
        return metadata.tables[key]
    return Table(key, metadata, *columns)


def tracker_table(generation: int) -> Table:
    # A page of the tracker is read in the tracker's order (body, meeting, ref) from its index, chosen by
    # the columns after ``history``; ``addressees`` holds the names as ``addressee_list`` writes them.
    key = f"tracker_{generation}"
    if key in metadata.tables:
        return metadata.tables[key]
    exempt = f"ix_tracker_{generation}_exempt"
    table = _table(
        "tracker",
        generation,
        Column("item_id", String(32), primary_key=True),
        Column("body", _sorted_text(CODE_LENGTH), nullable=False),
        Column("ref", _sorted_text(CODE_LENGTH), nullable=False),
        Column("meeting_date", Date, nullable=False),
        Column("row", Text, nullable=False),
        Column("history", Text, nullable=False),
        Column("status", String(20), nullable=False),
        Column("rag", String(10)),
        Column("addressees", Text, nullable=False),
        Column("exempt", String(1)),  # the Schedule 12A paragraph of an exempt item: public lists leave it out
        Index(f"ix_tracker_{generation}_order", "body", "meeting_date", "ref"),
        Index(exempt, "exempt", sqlite_where=EXEMPT).ddl_if(dialect="sqlite"),
    )
    # The same partial index on PostgreSQL, made by DDL of its own: ``postgresql_where`` would load SQLAlchemy's
    # PostgreSQL dialect in every process that reads the tracker, on SQLite too (a tenth of a report's start-up).
    made = DDL(f"CREATE INDEX {exempt} ON %(fullname)s (exempt) WHERE {EXEMPT.text}")  # type: ignore[no-untyped-call]
    event.listen(table, "after_create", made.execute_if(dialect="postgresql"))
    return table


EXEMPT = text("exempt IS NOT NULL")
"""The tracker's exempt items: few, and found from an index of their own (a public list says how many it left
out)."""


def tracker_body_table(generation: int) -> Table:
    # A body's reports show the items it made or was ever given: the tracker's ``body`` column holds where an item
    # is now, this table every body a transferred item was with (untransferred items have no rows here).
    return _table(
        "tracker_body",
        generation,
        Column("item_id", String(32), primary_key=True),
        Column("body", _sorted_text(CODE_LENGTH), primary_key=True),
        Index(f"ix_tracker_body_{generation}_body", "body"),
    )


NAME_MARK = "\x1f"
"""Marks where each of a row's names begins and ends: no name may hold a control character."""


def addressee_list(names: list[str]) -> str:
    """The names as the tracker's ``addressees`` column holds them: one is found by ``LIKE '%<mark>NAME<mark>%'``."""
    return NAME_MARK + NAME_MARK.join(names) + NAME_MARK if names else ""


def overdue_item_table(generation: int) -> Table:
    return _table(
        "overdue_item",
        generation,
        Column("item_id", String(32), primary_key=True),
        Column("body", _sorted_text(CODE_LENGTH), nullable=False, index=True),
        Column("history", Text, nullable=False),
        Column("item", Text, nullable=False),
        Column("text", Text, nullable=False),
        Column("exempt", String(1)),
    )


def calendar_table(projection: str, generation: int) -> Table:
    """Each body as a projection of items knows it: its meetings (a deferral "to a future meeting" is owed at the
    next), and its council and names, which a report's heading shows without reading the body's events. Each
    projection keeps its own, at its own position and generation."""
    return _table(
        f"{projection}_calendar",
        generation,
        Column("body_id", String(32), primary_key=True),
        Column("body", String(CODE_LENGTH), nullable=False),
        Column("meetings", Text, nullable=False),
        Column("council", Text, nullable=False),
        Column("names", Text, nullable=False),  # [[day it took effect, name], ...], in order
    )


def obligation_table(generation: int) -> Table:
    # "Overdue on D" reads two ranges: obligations not met and due before D, and those met after D
    # and due before D. PostgreSQL finds both in one index and reads the rows from the table
    # quickly. On SQLite, looking each row up in the table took a third of the query's time, so
    # the open obligations, the larger range, have an index of their own holding every column the
    # list shows, in the list's order: they are read from it alone, already sorted. Being partial,
    # it costs writing only for obligations still open.
    open_ = Index(f"ix_obligation_{generation}_open", "met_on", "due")
    unmet = Index(
        f"ix_obligation_{generation}_unmet", "due", "body", "ref", "reason", "seq", "responsible", "met_on",
        "original_due", "item_id",
        sqlite_where=text("met_on IS NULL"),
    )  # fmt: skip
    met = Index(f"ix_obligation_{generation}_met", "met_on", "due", sqlite_where=text("met_on IS NOT NULL"))
    return _table(
        "obligation",
        generation,
        Column("item_id", String(32), primary_key=True),
        Column("seq", Integer, primary_key=True),
        Column("body", _sorted_text(CODE_LENGTH), nullable=False),
        Column("ref", _sorted_text(CODE_LENGTH), nullable=False),
        Column("reason", _sorted_text(20), nullable=False),
        Column("responsible", JSON, nullable=False),
        Column("due", Date, nullable=False),
        Column("met_on", Date),
        Column("original_due", Date, nullable=False),
        open_.ddl_if(dialect="postgresql"),
        unmet.ddl_if(dialect="sqlite"),
        met.ddl_if(dialect="sqlite"),
    )


def audit_table(generation: int) -> Table:
    # Columns in the order of ``AuditRow``'s fields.
    return _table(
        "audit",
        generation,
        Column("body", String(CODE_LENGTH), nullable=False, index=True),
        Column("ref", String(CODE_LENGTH)),
        # On SQLite an INTEGER primary key is the table's rowid: one B-tree to write per entry, not two.
        Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
        Column("event", String(40), nullable=False),
        Column("effective_on", Date, nullable=False),
        Column("recorded_at", UtcDateTime, nullable=False),
        Column("actor", Text, nullable=False),
        Column("decided_by", Text),
        Column("summary", Text, nullable=False),
        # Beyond the row: which aggregate's event, and which of its events, the entry is (for positions).
        Column("item_id", String(32), nullable=False, index=True),
        Column("version", Integer, nullable=False),
    )


SEAL_BLOCK = 100
"""Positions a row of the seal's table holds: a row an event would cost more to write than to seal."""


def seal_table(generation: int) -> Table:
    # Positions first_position to first_position + SEAL_BLOCK - 1 (the last row may hold fewer): each one's
    # place in the store as 8 bytes, little-endian, and its digest as 32 bytes, in order.
    return _table(
        "seal",
        generation,
        Column("first_position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
        Column("stored_at", LargeBinary, nullable=False),
        Column("digests", LargeBinary, nullable=False),
    )


def packed_places(stored_at: Sequence[int]) -> bytes:
    """A seal row's places in the store, as its ``stored_at`` column holds them."""
    return struct.pack(f"<{len(stored_at)}q", *stored_at)


def unpacked_places(packed: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(packed) // 8}q", packed)


def sealed_block(first: Any, places: Any, digests: Any) -> list[Sealed]:
    """The sealed events a row of the seal's table holds; a row changed out of shape (columns of another type,
    places and digests that do not pair) is one event sealed at no known place with no digest, which the
    check then finds changed."""
    binary = bytes | memoryview
    if not (isinstance(first, int) and isinstance(places, binary) and isinstance(digests, binary)):
        return [Sealed(first if isinstance(first, int) else 0, None, b"")]
    places, digests = bytes(places), bytes(digests)
    count = len(places) // 8
    if not 0 < count <= SEAL_BLOCK or len(places) != 8 * count or len(digests) != 32 * count:
        return [Sealed(first, None, b"")]
    return [Sealed(first + n, at, digests[32 * n : 32 * n + 32]) for n, at in enumerate(unpacked_places(places))]


def audited_item_table(generation: int) -> Table:
    return _table(
        "audited_item",
        generation,
        Column("item_id", String(32), primary_key=True),
        Column("body", String(CODE_LENGTH), nullable=False),
        Column("ref", String(CODE_LENGTH), nullable=False),
        Column("kind", String(20), nullable=False),
    )
