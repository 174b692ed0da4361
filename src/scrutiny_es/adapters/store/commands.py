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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

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
LAST_RECORDED = "SELECT recorded_at FROM scrutiny_positions ORDER BY position DESC LIMIT 1"
LAST_VERSIONS = (
    "SELECT originator_id, max(originator_version) FROM scrutiny_positions WHERE originator_id IN ({0}) "
    "GROUP BY originator_id"
)
"""The last version of each of some aggregates (one placeholder each)."""
INSERT_POSITION = (
    "INSERT INTO scrutiny_positions (position, originator_id, originator_version, recorded_at) "
    "VALUES ({0}, {0}, {0}, {0})"
)
"""The recorders' statements, given their driver's placeholder (on SQLite, aggregates' ids as hex, as
SQLAlchemy's ``Uuid`` keeps them there)."""
APPEND_TO_LOG = """
WITH before AS (SELECT recorded_at FROM scrutiny_positions ORDER BY position DESC LIMIT 1),
latest AS (
    SELECT originator_id, max(originator_version) AS version FROM scrutiny_positions
    WHERE originator_id = ANY(%(unchanged)b::uuid[]) GROUP BY originator_id
),
grown AS (UPDATE scrutiny_log_length SET events = events + %(count)s RETURNING events),
numbered AS (
    INSERT INTO scrutiny_positions (position, originator_id, originator_version, recorded_at)
    SELECT (SELECT events FROM grown) - %(count)s + e.n, e.id, e.version, e.recorded_at
    FROM unnest(%(ids)b::uuid[], %(versions)b::integer[], %(times)b::bigint[])
        WITH ORDINALITY AS e(id, version, recorded_at, n)
)
-- keys
, keyed AS (
    INSERT INTO scrutiny_commands (command_id, digest, position, events)
    SELECT k.command_id, k.digest, CASE WHEN k.n > 0 THEN (SELECT events FROM grown) - %(count)s + k.n ELSE -k.n END,
        k.events
    FROM unnest(%(keys)b::text[], %(digests)b::text[], %(last)b::bigint[], %(names)b::text[])
        AS k(command_id, digest, n, events)
)
-- end of keys
SELECT (SELECT events FROM grown), (SELECT recorded_at FROM before),
    (SELECT array_agg(originator_id) FROM latest), (SELECT array_agg(version) FROM latest)
"""
"""PostgreSQL's append to the store's own tables, in one statement: numbers a batch's events and keeps the keys
of its commands (``last``: the number, from 1, of each command's last event in the batch, or minus the position of
one recorded before: see ``ports.Keyed``), and reads what the
checks need as it was before (the last event's time, the last version of each aggregate read ``unchanged``). So
an append's statements go to the server together, one beside eventsourcing's. The log's length is read as a scalar
(``(SELECT events FROM grown)``), not joined: PostgreSQL, knowing nothing of that one-row table, plans a join
with it at a thousand times the rows, which priced a batch of a thousand keyed commands past ``jit_above_cost``,
and compiling the statement took longer than running it (13 ms a batch against 4). The arrays go in binary
(``%(ids)b``): psycopg writes PostgreSQL's text form of an array element by element, each searched for characters
to quote, several times slower (a 64-character digest: 1.9 µs against 0.2)."""

APPEND_UNKEYED = (
    APPEND_TO_LOG[: APPEND_TO_LOG.index("-- keys")] + APPEND_TO_LOG[APPEND_TO_LOG.index("-- end of keys") :]
)
"""The same, for a batch with no command's key: four arrays fewer to send (a single command's append is mostly
the sending)."""

BATCH = 5_000


def key_rows(keyed: Sequence[Any], positions: Sequence[int]) -> list[tuple[str, str, int, str]]:
    """The rows of ``scrutiny_commands`` for a batch's keys (``ports.Keyed``): each with the position of its
    command's last event, in the batch (its index there) or recorded before (minus its position)."""
    return [(key, digest, positions[at] if at >= 0 else -at, names) for key, digest, at, names in keyed]


ReadTime = Callable[[bytes], "int | None"]
"""When a stored event was recorded, as the store keeps it, read from the event as stored (the mapper knows how)."""


@dataclass(frozen=True)
class Driver:
    """A recorder's own way of running statements in its transaction: ``run`` returns rows as tuples, ``many``
    runs one statement for each of many rows; ``mark`` is the driver's placeholder."""

    dialect: str
    mark: str
    run: Callable[[str, Sequence[Any]], list[Any]]
    many: Callable[[str, list[tuple[Any, ...]]], None]


def create_statements(dialect: Dialect) -> list[str]:
    """The DDL of the store's own tables and index, each made only if missing."""
    made = [str(CreateTable(t, if_not_exists=True).compile(dialect=dialect)).strip() for t in metadata.sorted_tables]
    made += [str(CreateIndex(i, if_not_exists=True).compile(dialect=dialect)) for i in positions.indexes]
    return made


def fill(driver: Driver, events_table: str, id_column: str, read_time: ReadTime | None) -> None:
    """Starts the log's length as the number of events already stored, and numbers the events stored before
    their positions were kept as the log numbers them: 1, 2, 3... in the order of their ids (``id_column``),
    gaps and all; with ``read_time``, fills in when each was recorded where that is not kept yet. Cheap when
    there is nothing to do: two small reads."""
    if not driver.run("SELECT events FROM scrutiny_log_length", ()):
        driver.run(f"INSERT INTO scrutiny_log_length (events) SELECT count(*) FROM {events_table}", ())  # noqa: S608
    (length,) = driver.run("SELECT events FROM scrutiny_log_length", ())[0]
    last = driver.run("SELECT position, recorded_at FROM scrutiny_positions ORDER BY position DESC LIMIT 1", ())
    kept, untimed = (last[0][0], last[0][1] is None) if last else (0, False)
    if kept >= length and not (untimed and read_time):
        return
    missing: set[int] = set()
    if untimed and read_time:
        missing = {n for (n,) in driver.run("SELECT position FROM scrutiny_positions WHERE recorded_at IS NULL", ())}
    m = driver.mark
    read = (
        f"SELECT {id_column}, originator_id, originator_version, state FROM {events_table} "  # noqa: S608
        f"WHERE {id_column} > {m} ORDER BY {id_column} LIMIT {BATCH}"
    )
    after, n = -1, 0
    while rows := driver.run(read, (after,)):
        new, timed = [], []
        for _, key, version, state in rows:
            n += 1
            time = read_time(bytes(state)) if read_time else None
            if n > kept:
                new.append((n, _key(key, driver.dialect), version, time))
            elif n in missing and time is not None:
                timed.append((time, n))
        if new:
            driver.many(INSERT_POSITION.format(m), new)
        if timed:
            driver.many(f"UPDATE scrutiny_positions SET recorded_at = {m} WHERE position = {m}", timed)  # noqa: S608
        after = rows[-1][0]


def _key(stored: Any, dialect: str) -> Any:
    """An aggregate's id as read from an events table (text, 16 bytes or a UUID) as the positions keep it."""
    key = stored if isinstance(stored, UUID) else UUID(bytes=stored) if isinstance(stored, bytes) else UUID(stored)
    return key.hex if dialect == "sqlite" else key


def last_recorded(conn: Any) -> int | None:
    """When the last event in the log was recorded, as kept (``conn``: a SQLAlchemy connection or session)."""
    query = select(positions.c.recorded_at).order_by(positions.c.position.desc()).limit(1)
    return conn.execute(query).scalar()  # type: ignore[no-any-return]


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
    dialect = conn.dialect if hasattr(conn, "dialect") else conn.get_bind().dialect  # a connection, or a session
    made: dict[str, Recorded] = {}
    for query in _key_queries(dialect.name, keys):
        made.update(found(conn.execute(query)))
    return made


def _key_queries(dialect: str, keys: list[str]) -> list[Any]:
    """The queries for these keys: on PostgreSQL one, the keys as an array (a list of hundreds of values would be
    planned afresh each time), each looked up in the key's index; elsewhere a list of up to 500 values each."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return [KEYS_LOOKUP.bindparams(bindparam("keys", keys, ARRAY(String)))]
    return [select(commands).where(commands.c.command_id.in_(keys[n : n + 500])) for n in range(0, len(keys), 500)]


BY_KEYS = (
    "SELECT c.command_id, c.digest, c.position, c.events FROM unnest({0}) AS k(command_id) "
    "CROSS JOIN LATERAL (SELECT * FROM scrutiny_commands WHERE command_id = k.command_id LIMIT 1) AS c"
)
"""PostgreSQL's lookup of many keys (given the array's placeholder), one probe of the index each. Asked
``command_id = ANY(:keys)``, the planner scanned the whole table until it held a few hundred thousand keys (priced
below a thousand probes, it took 10 ms a batch at 100,000 against 1, and grew with the table); ``LIMIT 1`` keeps
the subquery from being joined by hash."""

KEYS_LOOKUP = text(BY_KEYS.format(":keys"))
"""``BY_KEYS`` for a SQLAlchemy connection or session."""


def found(rows: Any) -> dict[str, Recorded]:
    """The commands recorded, by key, from rows of ``scrutiny_commands``."""
    return {key: Recorded(digest, position, tuple(names.split(","))) for key, digest, position, names in rows}
