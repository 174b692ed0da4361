"""Databases as a URL names them, and their faults as a clerk is told of them.

``sqlite:///path.db`` is the embedded default; ``postgresql+psycopg://user@host/db`` serves
many processes, and ``...?schema=haringey`` keeps one council of many in a schema of its own.
The event store and the read models are in the same database (and schema), and this is
the one place that reads a URL.
"""

from __future__ import annotations

import errno
import getpass
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

from scrutiny_es.adapters.extras import need
from scrutiny_es.domain.errors import ScrutinyError

if TYPE_CHECKING:
    from sqlalchemy import URL

DEFAULT_URL = "sqlite:///scrutiny.db"


class UnsupportedDatabase(ScrutinyError):
    """The database URL names a kind of database the library cannot use."""


def event_store_env(url: str, store: str = "native") -> dict[str, str]:
    """The eventsourcing environment for the event store at ``url``.

    ``store`` is ``native`` (eventsourcing's own sqlite and postgres modules, chosen by
    measurement: see docs/performance.md) or ``sqlalchemy`` (eventsourcing-sqlalchemy, which
    can write in a host application's SQLAlchemy session).
    """
    schema = council_schema(url)
    if store == "sqlalchemy":
        if url.startswith("sqlite:///"):
            return {"PERSISTENCE_MODULE": SHARED_STORE, "SQLALCHEMY_URL": sqlite_file(url).sqlalchemy_url}
        need("postgres", "psycopg")
        return {
            "PERSISTENCE_MODULE": SHARED_STORE,
            "SQLALCHEMY_URL": postgres_url(url).render_as_string(hide_password=False),
        }
    if url.startswith("sqlite:///"):
        return {
            "PERSISTENCE_MODULE": "scrutiny_es.adapters.store.sqlite:Factory",
            "SQLITE_DBNAME": sqlite_file(url).store_name,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    parsed = postgres_url(url)
    need("postgres", "psycopg", "psycopg_pool")
    return {
        "PERSISTENCE_MODULE": "scrutiny_es.adapters.store.postgres:Factory",
        "POSTGRES_DBNAME": parsed.database or "",
        "POSTGRES_HOST": str(parsed.query.get("host") or parsed.host or "localhost"),
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": parsed.username or getpass.getuser(),
        "POSTGRES_PASSWORD": parsed.password or "",
        "POSTGRES_POOL_SIZE": "1",  # opened at the start; the others as threads need them
        "POSTGRES_MAX_OVERFLOW": str(pool_size(url) - 1),
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_SCHEMA": schema or "",
    }


@dataclass(frozen=True)
class SqliteFile:
    """The file a ``sqlite:///`` URL names, and whether it is only to be read.

    ``sqlite:///x.db?mode=ro`` opens it read-only; ``?immutable=1`` too, and tells SQLite that nothing
    changes it (so it needs no ``-wal`` or ``-shm`` beside it: a read-only mount, a copy on a CD). A
    file on a read-only file system is opened immutable without being asked. SQLAlchemy's own form,
    ``sqlite:///file:x.db?mode=ro&uri=true``, names the same. Any other parameter is refused.
    """

    path: str
    read_only: bool = False
    immutable: bool = False

    @property
    def store_name(self) -> str:
        """The name the event store opens it by (eventsourcing opens SQLite files as URIs)."""
        if not (self.read_only or self.immutable):
            return self.path
        return f"file:{quote(self.path)}?{self._query}"

    @property
    def sqlalchemy_url(self) -> str:
        """The URL the read models' engine opens it by."""
        if not (self.read_only or self.immutable):
            return f"sqlite:///{self.path}"
        return f"sqlite:///file:{quote(self.path)}?{self._query}&uri=true"

    @property
    def _query(self) -> str:
        return "mode=ro" + ("&immutable=1" if self.immutable else "")


_SQLITE_PARAMETERS = {"mode": ("ro", "rw", "rwc"), "immutable": ("0", "1"), "uri": ("true",)}


def sqlite_file(url: str) -> SqliteFile:
    """The file ``url`` (``sqlite:///...``) names; a parameter the library does not know is refused, never
    taken for part of the file's name."""
    rest = url.removeprefix("sqlite:///")
    path, _, query = rest.partition("?")
    as_uri = path.startswith("file:")
    path = path.removeprefix("file:")
    if not path or path == ":memory:":  # each connection would have a database of its own, the events in one
        msg = f"{url} names no file: write sqlite:///path/to/file.db"
        raise UnsupportedDatabase(msg)
    given: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        known = _SQLITE_PARAMETERS.get(name)
        if name == "schema":
            council_schema(url)  # says why
        if known is None or value not in known or (name == "uri" and not as_uri):
            msg = (
                f"{url}: {name}={value} is not something a SQLite database URL can say; it takes mode=ro "
                "(read only) or immutable=1 (read only, and nothing else changes the file), as in "
                "sqlite:///path/to/file.db?mode=ro"
            )
            raise UnsupportedDatabase(msg)
        given[name] = value
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        msg = f"{url}: there is no folder {folder} to keep the file in"
        raise UnsupportedDatabase(msg)
    immutable = given.get("immutable") == "1" or _on_read_only_file_system(path)
    return SqliteFile(path, read_only=immutable or given.get("mode") == "ro", immutable=immutable)


def check_readable(file: SqliteFile) -> None:
    """Refuses a file to be opened read-only (not immutable) that keeps a rollback journal rather than a
    write-ahead log: eventsourcing's store switches each file it opens to a write-ahead log, which a read-only
    connection cannot do. Files this library makes keep a write-ahead log; another tool may have changed that."""
    if not file.read_only or file.immutable:
        return
    try:
        with open(file.path, "rb") as opened:
            header = opened.read(20)
    except OSError:
        return  # SQLite says what is wrong with it
    if header[:16] == b"SQLite format 3\x00" and header[18] == 1:  # 2: a write-ahead log
        msg = (
            f"{file.path} keeps a rollback journal, not the write-ahead log scrutiny-es keeps, and switching it "
            "back is a write, which a read-only file refuses: open it once where it can be written, or read it "
            "with immutable=1 if nothing changes it"
        )
        raise UnsupportedDatabase(msg)


def _on_read_only_file_system(path: str) -> bool:
    """Whether ``path`` is on a file system mounted read-only (where SQLite could make no ``-shm``)."""
    try:
        return bool(os.statvfs(os.path.dirname(os.path.abspath(path))).f_flag & os.ST_RDONLY)
    except OSError:
        return False


_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


SHARED_STORE = "scrutiny_es.adapters.store.shared:Factory"
"""eventsourcing-sqlalchemy's store, with the log's rules (``adapters/store/shared.py``)."""


def council_schema(url: str) -> str | None:
    """The PostgreSQL schema that ``url`` keeps one council's record in (``?schema=haringey``), or None.

    Every table of the record, the events' and the read models', is in that schema, so two councils
    in one database may each have a body ``HASC`` and never see each other's. SQLite keeps one council
    per file instead, and takes no schema.
    """
    if url.startswith("sqlite:"):
        if re.search(r"[?&]schema=", url):
            msg = (
                f"{url}: a SQLite database takes no ?schema=, for it keeps one council per file: "
                "give each council a file of its own (sqlite:///haringey.db)"
            )
            raise UnsupportedDatabase(msg)
        if url.startswith("sqlite:///"):
            sqlite_file(url)  # its parameters: one it does not know is refused before any file is made
        return None
    parsed = _url(url)
    unknown = sorted(set(parsed.query) - _POSTGRES_PARAMETERS)
    if unknown:
        msg = (
            f"{url}: {', '.join(unknown)} is not something a PostgreSQL database URL can say here; it takes "
            "schema=, pool_size= and libpq's connection parameters (sslmode=, connect_timeout=, ...)"
        )
        raise UnsupportedDatabase(msg)
    schema = parsed.query.get("schema")
    if schema is None:
        return None
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema) or schema.startswith("pg_"):
        msg = (
            f"schema {schema!r} in {url} is not a council's schema name: lower-case letters, digits and _, "
            "at most 63, not starting with a digit or pg_ (for example ?schema=haringey)"
        )
        raise UnsupportedDatabase(msg)
    return schema


_POSTGRES_PARAMETERS = {
    "schema", "pool_size", "host", "hostaddr", "port", "options", "passfile", "channel_binding", "connect_timeout",
    "client_encoding", "application_name", "fallback_application_name", "keepalives", "keepalives_idle",
    "keepalives_interval", "keepalives_count", "tcp_user_timeout", "gssencmode", "sslmode", "sslnegotiation",
    "sslcompression", "sslcert", "sslkey", "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir",
    "sslsni", "requirepeer", "require_auth", "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname",
    "gsslib", "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
}  # fmt: skip
"""What a PostgreSQL URL may say: a council's schema, the pool's size, and libpq's own connection parameters."""

DEFAULT_POOL_SIZE = 4
"""Connections a ``Scrutiny`` may hold at most to each of the event store and the read models (``?pool_size=``):
one is opened at the start, the others as threads need them."""


def pool_size(url: str) -> int:
    """How many connections a ``Scrutiny`` of ``url`` holds at most to each of its pools (``?pool_size=N``)."""
    if url.startswith("sqlite:"):
        return DEFAULT_POOL_SIZE
    given = _url(url).query.get("pool_size")
    if given is None:
        return DEFAULT_POOL_SIZE
    if not isinstance(given, str) or not given.isdigit() or not 1 <= int(given) <= 100:
        msg = f"pool_size={given} in {url} is not a number of connections from 1 to 100"
        raise UnsupportedDatabase(msg)
    return int(given)


def missing_council(url: str) -> str | None:
    """The schema ``url`` names if the database has none of that name yet (a council not yet started), else None.

    None too when the database cannot be asked: opening it then says why, as for any other command.
    """
    schema = council_schema(url)
    if schema is None:
        return None
    from sqlalchemy import create_engine, pool, text

    engine = create_engine(postgres_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": schema}).first()
    except Exception:  # the command that follows reports the problem of the database in its own words
        return None
    finally:
        engine.dispose()
    return schema if found is None else None


def postgres_url(url: str) -> URL:
    """A PostgreSQL URL as SQLAlchemy reads it, with the psycopg driver (the only one the library uses).

    A council's ``schema`` becomes the connections' ``search_path``, so every table is made and read there.
    """
    schema = council_schema(url)
    parsed = _url(url).difference_update_query(["schema", "pool_size"])
    if schema is not None:
        options = f"{parsed.query.get('options') or ''} -c search_path={schema}".strip()
        parsed = parsed.update_query_dict({"options": options})
    return parsed


def _url(url: str) -> URL:
    from sqlalchemy import make_url  # here: the command line's help does not wait for SQLAlchemy
    from sqlalchemy.exc import ArgumentError

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
