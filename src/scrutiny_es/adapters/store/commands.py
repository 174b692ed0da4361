"""The store's own tables beside the events: the log's length, its positions, and the commands' keys.

All are written in the transaction that appends the events (by the recorders), so they never
disagree with the log. ``scrutiny_log_length`` numbers events 1, 2, 3... in the order recorded,
whatever ids the database gives its rows (PostgreSQL's sequence leaves gaps where a transaction
rolled back): those are the positions users see. ``scrutiny_positions`` keeps each position's
aggregate and version, so the write side names facts by position without a read model.
``scrutiny_commands`` holds each ``command_id`` once, with a digest of its command and the
position of its last event, so a command sent again is recognised, across processes and
restarts, and two writers cannot both record it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    insert,
    select,
    table,
    text,
)

from scrutiny_es.application.ports import Recorded

metadata = MetaData()

log_length = Table("scrutiny_log_length", metadata, Column("events", BigInteger, nullable=False))

commands = Table(
    "scrutiny_commands",
    metadata,
    Column("command_id", String(200), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("events", Text, nullable=False),
)

positions = Table(
    "scrutiny_positions",
    metadata,
    # SQLite's INTEGER PRIMARY KEY is the row's id: no second index to keep.
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("originator_id", Uuid, nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("recorded_at", BigInteger, nullable=True),
    Index("scrutiny_positions_by_aggregate", "originator_id", "originator_version"),
)
"""Each position's aggregate and version, and when it was recorded (microseconds since 1970, UTC)."""

INSERT_COMMAND = "INSERT INTO scrutiny_commands (command_id, digest, position, events) VALUES ({0}, {0}, {0}, {0})"
ADD_TO_LOG = "UPDATE scrutiny_log_length SET events = events + {0} RETURNING events"
"""The recorders' statements, given their driver's placeholder."""
INSERT_COMMANDS_FROM_ARRAYS = (
    "INSERT INTO scrutiny_commands (command_id, digest, position, events) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[])"
)
"""PostgreSQL's: a batch's keys in one statement (a statement each was a round trip each)."""
INSERT_POSITION = (
    "INSERT INTO scrutiny_positions (position, originator_id, originator_version, recorded_at) VALUES (?, ?, ?, ?)"
)
"""SQLite's, run with ``executemany`` (the aggregate's id as hex, as SQLAlchemy's ``Uuid`` keeps it there)."""
INSERT_POSITIONS_FROM_ARRAYS = (
    "INSERT INTO scrutiny_positions (position, originator_id, originator_version, recorded_at) "
    "SELECT * FROM unnest(%s::bigint[], %s::uuid[], %s::integer[], %s::bigint[])"
)
"""PostgreSQL's: a batch's positions in one statement."""


def create(conn: Connection, events_table: str, id_column: str) -> None:
    """Creates the tables if missing; the log's length starts as the number of events already stored, and
    the positions of events stored before the positions were kept are numbered as the log numbers them:
    1, 2, 3... in the order of their ids (``id_column``), gaps and all."""
    metadata.create_all(conn)
    if conn.execute(select(func.count()).select_from(log_length)).scalar_one() == 0:
        stored = conn.execute(select(func.count()).select_from(table(events_table))).scalar_one()
        conn.execute(insert(log_length).values(events=stored))
    length = conn.execute(select(log_length.c.events)).scalar_one()
    kept = conn.execute(select(func.coalesce(func.max(positions.c.position), 0))).scalar_one()
    if kept < length:  # a database written before (or by a release that did not keep them)
        # As SQLAlchemy's Uuid keeps ids on SQLite: hex, where the shared store keeps 16 bytes.
        key = "originator_id"
        if conn.dialect.name == "sqlite":
            key = "CASE WHEN typeof(originator_id) = 'blob' THEN lower(hex(originator_id)) ELSE originator_id END"
        numbered = (
            f"SELECT row_number() OVER (ORDER BY {id_column}) AS position, {key} AS originator_id, "  # noqa: S608
            f"originator_version FROM {events_table}"
        )
        conn.execute(
            text(
                "INSERT INTO scrutiny_positions (position, originator_id, originator_version) "  # noqa: S608
                f"SELECT position, originator_id, originator_version FROM ({numbered}) AS log WHERE position > :kept"
            ),
            {"kept": kept},
        )


def fact_at(conn: Any, position: int) -> tuple[UUID, int] | None:
    """The aggregate and version of the event at ``position`` (``conn``: a SQLAlchemy connection or session)."""
    query = select(positions.c.originator_id, positions.c.originator_version).where(positions.c.position == position)
    found = conn.execute(query).first()
    return None if found is None else (found[0], found[1])


def positions_of(conn: Any, key: UUID) -> dict[int, int]:
    """The position of each of an aggregate's events, by version."""
    query = select(positions.c.originator_version, positions.c.position).where(positions.c.originator_id == key)
    return {version: position for version, position in conn.execute(query)}


def recorded(conn: Any, keys: list[str]) -> dict[str, Recorded]:
    """The commands already recorded under these keys (``conn``: a SQLAlchemy connection or session)."""
    found: dict[str, Recorded] = {}
    for start in range(0, len(keys), 500):
        query = select(commands).where(commands.c.command_id.in_(keys[start : start + 500]))
        for key, digest, position, names in conn.execute(query):
            found[key] = Recorded(digest, position, tuple(names.split(",")))
    return found
