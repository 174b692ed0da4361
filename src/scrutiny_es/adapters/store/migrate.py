"""Which event store wrote a database, and moving a record to the store a host's session shares.

The command line and workers use eventsourcing's own stores (``native``: faster, see
docs/performance.md); a host's session needs eventsourcing-sqlalchemy's (``sqlalchemy``). Their
events tables differ, so a database is always opened with the store that wrote it, and
``share_with_host_sessions`` moves a native record over: every stored event copied in order,
with its id (so the read models' and the seal's places in the log stay right) and its bytes (so
the seal's digests stay the same), in one transaction. The log's length and the commands' keys
are kept in tables both stores share, and stay as they are.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, Table, insert, inspect, text

from scrutiny_es.domain.errors import ScrutinyError

EVENTS = "scrutiny_events"
NATIVE_SQLITE_EVENTS = "stored_events"
"""eventsourcing's SQLite store names its table so, whatever the application's name."""

BATCH = 5_000


class CannotMigrate(ScrutinyError):
    """The database holds no record the native store wrote, so there is nothing to move (or it was moved)."""


def event_store_in(engine: Engine) -> str | None:
    """The event store a database already holds (``native``, ``sqlalchemy``), or None if it holds none.

    Every process must open a database with the store that wrote it: their tables differ.
    """
    tables = inspect(engine)
    if tables.has_table(EVENTS):
        names = {column["name"] for column in tables.get_columns(EVENTS)}
        return "native" if "notification_id" in names else "sqlalchemy"
    return "native" if tables.has_table(NATIVE_SQLITE_EVENTS) else None


def share_with_host_sessions(engine: Engine, url: str) -> int:
    """Moves the native store's events of the database to the shared store's table; returns how many.

    Other writers are locked out while it runs (PostgreSQL's table lock, SQLite's write lock), and
    should be stopped first: they would open the database with the store that is gone.
    """
    found = event_store_in(engine)
    if found is None:
        msg = f"{url} holds no scrutiny record (no events table): there is nothing to move"
        raise CannotMigrate(msg)
    if found == "sqlalchemy":
        msg = f"{url} is already kept by the event store a host's session shares: there is nothing to move"
        raise CannotMigrate(msg)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect().execution_options(writing=True) as conn, conn.begin():
        old = NATIVE_SQLITE_EVENTS if sqlite else _set_aside(conn)
        new = _shared_table()
        new.create(conn)
        id_column = "rowid" if sqlite else "notification_id"
        copied, after = 0, 0
        read = text(
            f"SELECT {id_column}, originator_id, originator_version, topic, state FROM {old} "  # noqa: S608
            f"WHERE {id_column} > :after ORDER BY {id_column} LIMIT {BATCH}"
        )
        while rows := conn.execute(read, {"after": after}).all():
            conn.execute(insert(new), [_row(*row) for row in rows])
            copied, after = copied + len(rows), rows[-1][0]
        stored = conn.execute(text(f"SELECT count(*) FROM {old}")).scalar_one()  # noqa: S608
        if copied != stored:  # nothing is dropped unless every event is across
            msg = f"copied {copied} of {stored} stored events: nothing was changed"
            raise CannotMigrate(msg)
        if not sqlite:  # the next id follows the last one copied, as it would have
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{EVENTS}', 'id'), :last, :called)"),
                {"last": max(after, 1), "called": after > 0},
            )
        conn.execute(text(f"DROP TABLE {old}"))
    return copied


def _set_aside(conn: Connection) -> str:
    """PostgreSQL: locks the native table, and renames it and its indexes out of the shared table's way."""
    old = f"{EVENTS}_native"
    conn.execute(text(f"LOCK TABLE {EVENTS} IN ACCESS EXCLUSIVE MODE"))
    conn.execute(text(f"ALTER TABLE {EVENTS} RENAME TO {old}"))
    indexes = conn.execute(
        text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :old"),
        {"old": old},
    ).scalars()
    for index in list(indexes):
        conn.execute(text(f'ALTER INDEX "{index}" RENAME TO "{index[:55]}_native"'))
    return old


def _shared_table() -> Table:
    """The events table exactly as eventsourcing-sqlalchemy makes it for the record (the same class it uses)."""
    from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore  # here: the ORM is slow to import
    from eventsourcing_sqlalchemy.models import StoredEventRecord  # type: ignore[attr-defined]

    record: Any = SQLAlchemyDatastore.define_record_class("ScrutinyEvent", EVENTS, None, StoredEventRecord)
    return record.__table__  # type: ignore[no-any-return]


def _row(position: int, originator_id: Any, version: int, topic: str, state: Any) -> dict[str, Any]:
    return {
        "id": position,
        "originator_id": originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)),
        "originator_version": version,
        "topic": topic,
        "state": bytes(state),
    }
