"""The SQLAlchemy engine for the read models, in the same database as the events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, text

from scrutiny_es.adapters.database import (
    check_readable,
    council_schema,
    event_store_env,
    pool_size,
    postgres_url,
    sqlite_file,
)

READ_MODEL_CACHE_KB = 32 * 1024
"""SQLite's page cache for each read-model connection, at most (it grows as pages are read)."""


def read_model_engine(url: str, *, standby: bool = False) -> Engine:
    """The SQLAlchemy engine for the read-model tables, in the same database as the events.

    ``standby``: a hot standby's, which makes no schema (it is read-only: the primary's comes by replication).
    """
    event_store_env(url)  # the same URLs, the same errors
    if not url.startswith("sqlite:///"):
        # Opened as they are needed, at most pool_size (a command-line process uses one or two).
        engine = create_engine(postgres_url(url), pool_pre_ping=True, pool_size=pool_size(url), max_overflow=0)
        schema = council_schema(url)
        if schema is not None and not standby:
            _make_schema(engine, schema)
        return engine
    file = sqlite_file(url)
    check_readable(file)
    engine = create_engine(file.sqlalchemy_url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy say when transactions begin (pysqlite's own handling defers too much).
        dbapi_connection.isolation_level = None
        if not file.read_only and dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
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


def _make_schema(engine: Engine, schema: str) -> None:
    """Makes a council's schema the first time it is named (looked for first: a read-only role may not make one)."""
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": schema}).first()
        if found is None:
            try:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                conn.commit()
            except exc.IntegrityError:  # another process made it at the same moment
                conn.rollback()
