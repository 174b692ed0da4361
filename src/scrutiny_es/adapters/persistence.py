"""Where the events are kept: one database URL picks the event store.

``sqlite:///path.db`` is the embedded default; ``postgresql+psycopg://user@host/db`` serves
many processes. The eventsourcing environment built here
is the only configuration the application reads, so a URL names everything needed.
"""

from __future__ import annotations

import getpass
from datetime import date
from typing import Any

from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Transcoding, UUIDAsHex
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError

from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.domain.model import Actor, Addressee

DEFAULT_URL = "sqlite:///scrutiny.db"


class UnsupportedDatabase(ScrutinyError):
    """The database URL names a kind of database the library cannot use."""


def event_store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment for the event store at ``url``."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path:
            msg = f"{url} names no file: write sqlite:///path/to/file.db"
            raise UnsupportedDatabase(msg)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    parsed = _postgres_url(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
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


def libpq_conninfo(url: str) -> str | None:
    """The PostgreSQL connection string for psycopg, or None for SQLite."""
    if url.startswith("sqlite:///"):
        return None
    return _postgres_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


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
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writer takes the lock at the start, so two catch-ups queue instead of failing.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN")

    return engine


class DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"id": obj.id, "name": obj.name, "role": obj.role}

    def decode(self, data: dict[str, str]) -> Actor:
        return Actor(**data)


class AddresseeAsDict(Transcoding):
    type = Addressee
    name = "addressee"

    def encode(self, obj: Addressee) -> dict[str, str | None]:
        return {"name": obj.name, "kind": obj.kind, "role": obj.role}

    def decode(self, data: dict[str, Any]) -> Addressee:
        return Addressee(**data)


class Transcoder(JSONTranscoder):
    """The JSON transcoder, accepting subclasses of the types it knows.

    Test clocks (freezegun) hand out subclasses of ``datetime`` and ``date``; they are
    stored exactly as the real thing would be.
    """

    def __init__(self) -> None:
        super().__init__()
        for transcoding in (UUIDAsHex(), DatetimeAsISO(), DateAsISO(), ActorAsDict(), AddresseeAsDict()):
            self.register(transcoding)

    def _encode_obj(self, o: Any) -> dict[str, Any]:
        if type(o) not in self.types:
            for base in type(o).__mro__[1:]:
                if base in self.types:
                    return {"_type_": self.types[base].name, "_data_": self.types[base].encode(o)}
        return super()._encode_obj(o)
