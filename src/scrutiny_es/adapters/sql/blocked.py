"""The items the read models leave at a newer release's event (``application/unreadable.py``), in SQL.

One row per item (or body): the position of its first event this code cannot read, and why.
The runner reads them before it folds a batch and adds those it meets, in the transaction that
moves the projections on, so a later batch (in any process) leaves the item's later events out
too. A process that can read them all (an upgrade) rebuilds the read models once, and they are
gone.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, Engine, String, Table, Text, delete, inspect, select

from scrutiny_es.adapters.sql.schema import metadata
from scrutiny_es.application.ports import EventLog
from scrutiny_es.application.unreadable import Blocked, TooNew

blocked_table = Table(
    "projection_blocked",
    metadata,
    Column("item_id", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("why", Text, nullable=False),
)


def has_table(engine: Engine) -> bool:
    with engine.connect() as conn:
        return inspect(conn).has_table(blocked_table.name)


def blocked(conn: Connection) -> dict[str, Blocked]:
    """Every blocked item, by its id's hex."""
    rows = conn.execute(select(blocked_table.c.item_id, blocked_table.c.position, blocked_table.c.why))
    return {key: Blocked(key, position, why) for key, position, why in rows}


def keep(conn: Connection, found: list[Blocked]) -> None:
    """Adds items found blocked (another process may have added the same first)."""
    if not found:
        return
    rows = [{"item_id": b.key, "position": b.position, "why": b.why} for b in found]
    if conn.dialect.name == "postgresql":  # loaded only here: SQLAlchemy's PostgreSQL dialect is slow to import
        from sqlalchemy.dialects import postgresql

        conn.execute(postgresql.insert(blocked_table).values(rows).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import sqlite

        conn.execute(sqlite.insert(blocked_table).values(rows).on_conflict_do_nothing())


def readable_now(conn: Connection, log: EventLog) -> list[str]:
    """The blocked items whose event this code can read (it was upgraded): they are no longer blocked."""
    found = []
    for key, item in blocked(conn).items():
        event = log.read(item.position - 1, 1)
        if not event or event[0][0] != item.position or type(event[0][1]) is not TooNew:
            found.append(key)
    return found


def unblock(conn: Connection, keys: list[str]) -> None:
    conn.execute(delete(blocked_table).where(blocked_table.c.item_id.in_(keys)))
