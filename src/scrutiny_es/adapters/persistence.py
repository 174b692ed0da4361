"""Where the events are kept: one database URL picks the event store.

``sqlite:///path.db`` is the embedded default; ``postgresql+psycopg://user@host/db`` serves
many processes. The eventsourcing environment built here
is the only configuration the application reads, so a URL names everything needed.
"""

from __future__ import annotations

import errno
import getpass
import re
import sys
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import TypeAdapter
from pydantic_core import from_json
from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError

from scrutiny_es.domain.errors import ScrutinyError

DEFAULT_URL = "sqlite:///scrutiny.db"


class UnsupportedDatabase(ScrutinyError):
    """The database URL names a kind of database the library cannot use."""


def event_store_env(url: str, store: str = "native") -> dict[str, str]:
    """The eventsourcing environment for the event store at ``url``.

    ``store`` is ``native`` (eventsourcing's own sqlite and postgres modules, chosen by
    measurement: see docs/performance.md) or ``sqlalchemy`` (eventsourcing-sqlalchemy, which
    can write in a host application's SQLAlchemy session).
    """
    if store == "sqlalchemy":
        if url.startswith("sqlite:///"):
            return {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url}
        return {
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": _postgres_url(url).render_as_string(hide_password=False),
        }
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path:
            msg = f"{url} names no file: write sqlite:///path/to/file.db"
            raise UnsupportedDatabase(msg)
        return {
            "PERSISTENCE_MODULE": "scrutiny_es.adapters.store.sqlite:Factory",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    parsed = _postgres_url(url)
    return {
        "PERSISTENCE_MODULE": "scrutiny_es.adapters.store.postgres:Factory",
        "POSTGRES_DBNAME": parsed.database or "",
        "POSTGRES_HOST": str(parsed.query.get("host") or parsed.host or "localhost"),
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": parsed.username or getpass.getuser(),
        "POSTGRES_PASSWORD": parsed.password or "",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "8",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


def _postgres_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        parsed = None
    if parsed is None or parsed.get_backend_name() != "postgresql" or not parsed.database:
        msg = (
            f"{url} is not a database this library can use: write sqlite:///path/to/file.db "
            "or postgresql+psycopg://user:password@host:port/database"
        )
        raise UnsupportedDatabase(msg)
    return parsed.set(drivername="postgresql+psycopg")


def event_store_in(engine: Engine) -> str | None:
    """The event store a database already holds (``native``, ``sqlalchemy``), or None if it holds none.

    Every process must open a database with the store that wrote it: their tables differ.
    """
    tables = inspect(engine)
    if tables.has_table("scrutiny_events"):
        names = {column["name"] for column in tables.get_columns("scrutiny_events")}
        return "native" if "notification_id" in names else "sqlalchemy"
    return "native" if tables.has_table("stored_events") else None


def libpq_conninfo(url: str) -> str | None:
    """The PostgreSQL connection string for psycopg, or None for SQLite."""
    if url.startswith("sqlite:///"):
        return None
    return _postgres_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


READ_MODEL_CACHE_KB = 32 * 1024
"""SQLite's page cache for each read-model connection, at most (it grows as pages are read)."""


def read_model_engine(url: str) -> Engine:
    """The SQLAlchemy engine for the read-model tables, in the same database as the events."""
    event_store_env(url)  # the same URLs, the same errors
    if not url.startswith("sqlite:///"):
        return create_engine(_postgres_url(url), pool_pre_ping=True, pool_size=4, max_overflow=8)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy say when transactions begin (pysqlite's own handling defers too much).
        dbapi_connection.isolation_level = None
        if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # a read-only file cannot change
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        # Some builds (Debian's) zero every page freed, so dropping a replaced generation of the
        # read models cost as much as writing it. What they hold is derived from the events kept
        # in the same file, so FAST (zero what is rewritten anyway) protects as much.
        dbapi_connection.execute("PRAGMA secure_delete=FAST")
        # Items are keyed by uuid5, so their rows land on random pages of the key indexes: a
        # cache that holds those indexes (rather than 2 MB) spares a rebuild most of its reads.
        dbapi_connection.execute(f"PRAGMA cache_size=-{READ_MODEL_CACHE_KB}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writer takes the lock at the start, so two catch-ups queue instead of failing.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN")

    return engine


def database_problem(error: BaseException) -> str | None:
    """What went wrong with the database itself, as one sentence, or None if ``error`` is not the database's.

    A full disk, a read-only file, a server that went away: SQLite, psycopg, SQLAlchemy and
    eventsourcing each wrap them in errors of their own, with the driver's words inside.
    """
    found: BaseException | None = error
    while found is not None:
        if isinstance(found, OSError) and found.errno == errno.ENOSPC:
            return "the disk is full"
        names = {f"{cls.__module__}.{cls.__name__}" for cls in type(found).__mro__}
        if names & _DATABASE_ERRORS:
            return _database_sentence(error)
        found = found.__cause__ or found.__context__
    return None


_DATABASE_ERRORS = {
    "sqlite3.Error",
    "psycopg.Error",
    "sqlalchemy.exc.DBAPIError",
    "sqlalchemy.exc.InterfaceError",
    "eventsourcing.persistence.PersistenceError",
}


def _database_sentence(error: BaseException) -> str:
    words = " ".join(str(getattr(error, "orig", None) or error).split())
    found: BaseException | None = error
    while found is not None and not words:
        found = found.__cause__
        words = " ".join(str(found or "").split())
    lower = words.lower()
    if "readonly" in lower or "read-only" in lower:
        return "the database is read-only, so nothing can be recorded in it"
    if "disk is full" in lower or "no space left" in lower:
        return "the disk holding the database is full"
    if "disk i/o error" in lower:
        return "the database could not be written (disk I/O error: is the disk full, or the file too large?)"
    if "unable to open database file" in lower:
        return "the database file cannot be opened (does its folder exist, and may this user write to it?)"
    if "connection" in lower or "server" in lower or "terminat" in lower:
        return f"the connection to the database failed: {words[:300]}"
    return f"the database failed: {words[:300]}"


def is_read_only(error: BaseException) -> bool:
    """Whether the database refused to write because it is read-only (a file, a replica, a read-only role)."""
    found: BaseException | None = error
    while found is not None:
        if getattr(found, "sqlstate", None) == "25006" or getattr(found, "sqlite_errorname", "").startswith(
            "SQLITE_READONLY"
        ):
            return True
        found = getattr(found, "orig", None) or found.__cause__ or found.__context__
    return False


class EventMapper(Mapper[UUID]):
    """Stores each event as JSON written and read by pydantic, field by field as its class declares.

    An event's state is its fields but its identity and version, which the store keeps in
    columns of their own. Reading validates every field again, so a stored event that
    no longer fits its class fails loudly instead of passing on a wrong value. Events of a
    class with ``class_version`` above 1 carry it, and older ones are upcast with the
    class's ``upcast_vN_vN+1`` methods, as eventsourcing does. Test clocks (freezegun)
    hand out subclasses of ``datetime``; they are written as the real thing.
    """

    def __init__(self) -> None:
        super().__init__(transcoder=_NO_TRANSCODER)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        codec = _codec(type(domain_event))
        state = codec.adapter.serializer.to_json(domain_event, exclude=_IDENTITY)
        if codec.version > 1:
            state = b'{"class_version":%d,' % codec.version + state[1:]
        # By position: passing a frozen dataclass its fields by name costs half as much again.
        return StoredEvent(domain_event.originator_id, domain_event.originator_version, codec.topic, state)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode(
            stored_event.originator_id, stored_event.originator_version, stored_event.topic, stored_event.state
        )

    def decode(self, originator_id: UUID | str, originator_version: int, topic: str, state: bytes) -> Any:
        """The domain event stored with these columns (the log is read straight from them)."""
        codec = _BY_TOPIC.get(topic)
        if codec is None:
            codec = _BY_TOPIC[topic] = _codec(resolve_topic(topic))
        if codec.version > 1 or state.startswith(b'{"class_version"'):
            return _upcast(codec, originator_id, originator_version, state)
        identity = b'{"originator_id":"%s","originator_version":%d,' % (str(originator_id).encode(), originator_version)
        return codec.adapter.validator.validate_json(identity + state[1:])


_IDENTITY = {"originator_id", "originator_version"}

_BY_TOPIC: dict[str, _Codec] = {}
"""The codecs by topic, for reading (``_codec`` finds them by class, for writing)."""

StoredRow = tuple[int, UUID | str, int, str, bytes]
"""A notification as its columns: position, originator id and version, topic, state."""


def stored_notifications(recorder: Any, after: int, limit: int) -> list[StoredRow]:
    """Up to ``limit`` stored events after position ``after``, in log order, as their columns.

    The native stores are read with one plain query (eventsourcing's own reads make a
    ``Notification`` and a ``UUID`` for each, which a rebuild of a million events feels);
    the same rows, in the same order, as ``select_notifications``.
    """
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "  # noqa: S608
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.sqlite_cursor.row_factory = None  # plain tuples, not sqlite3.Row
            cursor.execute(statement, (after, limit))
            return cursor.fetchall()  # type: ignore[no-any-return]
    postgres = sys.modules.get("eventsourcing.postgres")  # imported only where PostgreSQL is used
    if postgres is not None and isinstance(recorder, postgres.PostgresApplicationRecorder):
        from psycopg.rows import tuple_row
        from psycopg.sql import SQL, Identifier

        query = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
        with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(query, (after, limit), prepare=True)
            return [(n, o, v, t, bytes(s)) for n, o, v, t, s in cursor.fetchall()]
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in recorder.select_notifications(start=after + 1, limit=limit)
    ]


_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def without_nul(state: bytes) -> bytes:
    """A stored event's JSON with each NUL character written as ␀ (U+2400), for the read models.

    PostgreSQL's text columns cannot hold a NUL, and commands refuse one, but an event recorded
    before they did may hold one: the read models show it as ␀ rather than stop on it. The
    event itself stays as it was recorded.
    """
    return _NUL.sub(rb"\1\\u2400", state) if b"\\u0000" in state else state


def count_notifications(recorder: Any, after: int) -> int:
    """How many stored events follow position ``after`` (PostgreSQL's positions have gaps: this counts events)."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = f"SELECT count(*) FROM {recorder.events_table_name} WHERE rowid > ?"  # noqa: S608
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after,))
            return int(cursor.fetchone()[0])
    postgres = sys.modules.get("eventsourcing.postgres")
    if postgres is not None and isinstance(recorder, postgres.PostgresApplicationRecorder):
        from psycopg.sql import SQL, Identifier

        query = SQL("SELECT count(*) FROM {schema}.{table} WHERE notification_id > %s").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(query, (after,))
            row = cursor.fetchone()
            return int(next(iter(row.values())) if isinstance(row, dict) else row[0])
    counted = 0
    while page := recorder.select_notifications(start=after + 1, limit=10_000):
        counted += len(page)
        after = page[-1].id
    return counted


class _NoTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError


_NO_TRANSCODER = _NoTranscoder()


@dataclass(frozen=True)
class _Codec:
    """What writing and reading one event class takes, worked out once.

    The adapter's core serializer and validator are called directly: the adapter's own
    methods cost as much again per event as the work itself.
    """

    cls: type
    topic: str
    version: int
    adapter: TypeAdapter[Any]


_CODECS: dict[int, _Codec] = {}


def _codec(cls: type) -> _Codec:
    # Keyed by id: hashing an event class goes through eventsourcing's metaclass, which is slow.
    codec = _CODECS.get(id(cls))
    if codec is None:
        version = getattr(cls, "class_version", 1)
        codec = _CODECS[id(cls)] = _Codec(cls, get_topic(cls), version, TypeAdapter(cls))
    return codec


def _upcast(codec: _Codec, originator_id: UUID | str, originator_version: int, stored: bytes) -> Any:
    state = from_json(stored)
    version = state.pop("class_version", 1)
    while version < codec.version:
        getattr(codec.cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    state.update(originator_id=originator_id, originator_version=originator_version)
    return codec.adapter.validator.validate_python(state)
