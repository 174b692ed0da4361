"""Where the events are kept: one database URL picks the event store.

``sqlite:///path.db`` is the embedded default. The eventsourcing environment built here
is the only configuration the application reads, so a URL names everything needed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Transcoding, UUIDAsHex
from sqlalchemy import Engine, create_engine, event

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
    msg = f"{url} is not a database this library can use: write sqlite:///path/to/file.db"
    raise UnsupportedDatabase(msg)


def read_model_engine(url: str) -> Engine:
    """The SQLAlchemy engine for the read-model tables, in the same database as the events."""
    event_store_env(url)  # the same URLs, the same errors
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
        return asdict(obj)

    def decode(self, data: dict[str, str]) -> Actor:
        return Actor(**data)


class AddresseeAsDict(Transcoding):
    type = Addressee
    name = "addressee"

    def encode(self, obj: Addressee) -> dict[str, str | None]:
        return asdict(obj)

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
