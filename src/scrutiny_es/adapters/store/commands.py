"""The store's own two tables beside the events: the log's length, and the keys of the commands recorded.

Both are written in the transaction that appends the events (by the recorders), so they never
disagree with the log. ``scrutiny_log_length`` numbers events 1, 2, 3... in the order recorded,
whatever ids the database gives its rows (PostgreSQL's sequence leaves gaps where a transaction
rolled back): those are the positions users see. ``scrutiny_commands`` holds each ``command_id``
once, with a digest of its command and the position of its last event, so a command sent again
is recognised, across processes and restarts, and two writers cannot both record it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Connection, MetaData, String, Table, Text, func, insert, select, table

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

INSERT_COMMAND = "INSERT INTO scrutiny_commands (command_id, digest, position, events) VALUES ({0}, {0}, {0}, {0})"
ADD_TO_LOG = "UPDATE scrutiny_log_length SET events = events + {0} RETURNING events"
"""The recorders' statements, given their driver's placeholder."""
INSERT_COMMANDS_FROM_ARRAYS = (
    "INSERT INTO scrutiny_commands (command_id, digest, position, events) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[])"
)
"""PostgreSQL's: a batch's keys in one statement (a statement each was a round trip each)."""


def create(conn: Connection, events_table: str) -> None:
    """Creates the two tables if missing; the log's length starts as the number of events already stored."""
    metadata.create_all(conn)
    if conn.execute(select(func.count()).select_from(log_length)).scalar_one() == 0:
        stored = conn.execute(select(func.count()).select_from(table(events_table))).scalar_one()
        conn.execute(insert(log_length).values(events=stored))


def recorded(conn: Any, keys: list[str]) -> dict[str, Recorded]:
    """The commands already recorded under these keys (``conn``: a SQLAlchemy connection or session)."""
    found: dict[str, Recorded] = {}
    for start in range(0, len(keys), 500):
        query = select(commands).where(commands.c.command_id.in_(keys[start : start + 500]))
        for key, digest, position, names in conn.execute(query):
            found[key] = Recorded(digest, position, tuple(names.split(",")))
    return found
