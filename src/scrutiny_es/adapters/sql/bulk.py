"""Rows into the database through its driver: the measured fast path for catch-ups and rebuilds.

The values come from the folds, already of the right types; SQLAlchemy's per-row parameter
processing cost more than the fold itself, so the few values a driver cannot take as they
are are converted here, column by column, and written by ``executemany`` on SQLite and
``COPY`` on PostgreSQL (a rebuild took two thirds of the time it took with INSERTs).
``tests/integration/test_read_models.py`` checks they come back as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Date, Table, insert

from scrutiny_es.adapters.sql.schema import UtcDateTime


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``items`` a few hundred at a time, for ``IN (...)`` lists every database takes."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


Values = Sequence[Any]
"""A row as values in its table's column order."""

Inserts = tuple[str, list[tuple[Any, ...]]]
"""A statement that inserts rows through the driver, and the rows as the driver takes them."""


def for_driver(table: Table, dialect: str, rows: Sequence[Values]) -> Inserts:
    """Rows made ready for inserting through the driver.

    The values come from the fold, already of the right types; SQLAlchemy's per-row
    parameter processing would cost more than the fold itself, so the few values the
    driver cannot take as they are are converted here, column by column.
    """
    statement, converters = _insert_plan(table, dialect)
    if not converters:
        return statement, list(map(tuple, rows))
    converted = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            values[index] = convert(values[index])
        converted.append(tuple(values))
    return statement, converted


def insert_prepared(conn: Connection, inserts: list[Inserts]) -> None:
    """Writes prepared rows: by ``executemany`` on SQLite, by ``COPY`` on PostgreSQL."""
    for statement, rows in inserts:
        if not rows:
            continue
        if conn.dialect.name == "postgresql":
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        else:
            conn.exec_driver_sql(statement, rows)


Converter = tuple[int, Callable[[Any], Any]]
"""A column's index, and what makes its values fit for the driver."""


@cache
def _insert_plan(table: Table, dialect_name: str) -> tuple[str, list[Converter]]:
    """The statement that inserts a table's rows through the driver, and the converters its values need.

    On PostgreSQL it is a COPY: a rebuild took two thirds of the time it took with INSERTs.
    """
    converters = [(n, _converter(column.type, dialect_name)) for n, column in enumerate(table.columns)]
    converters = [c for c in converters if c[1] is not _same]
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql.psycopg import dialect as postgresql_dialect  # SQLite does without it

        quote = postgresql_dialect().identifier_preparer  # type: ignore[no-untyped-call]
        columns = ", ".join(quote.quote(column.name) for column in table.columns)
        return f"COPY {quote.format_table(table)} ({columns}) FROM STDIN", converters
    from sqlalchemy.dialects.sqlite.pysqlite import dialect as sqlite_dialect

    compiled = insert(table).compile(dialect=sqlite_dialect())
    if list(compiled.positiontup or []) != [column.name for column in table.columns]:
        raise RuntimeError(f"unexpected parameter order for {table.name}")
    return compiled.string, converters


def _converter(kind: Any, dialect_name: str) -> Callable[[Any], Any]:
    if isinstance(kind, JSON):
        return _names_json
    if isinstance(kind, UtcDateTime):
        return _sqlite_moment if dialect_name == "sqlite" else _naive_utc
    if dialect_name == "sqlite" and isinstance(kind, Date):
        return _sqlite_day
    return _same


def _same(value: Any) -> Any:
    return value


def _names_json(names: list[str]) -> str:
    """A list of names (the only JSON column) as JSON: hundreds of thousands of obligations share a few lists."""
    return _json_of(tuple(names))


@lru_cache(maxsize=4096)
def _json_of(names: tuple[str, ...]) -> str:
    return json.dumps(names)


def _naive_utc(value: datetime) -> datetime:
    """A moment as ``UtcDateTime`` stores it. Given with its zone, PostgreSQL would store the
    server's local time (a UK server's is an hour ahead of UTC in summer)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def _sqlite_moment(value: datetime) -> str:
    """A moment as SQLAlchemy's SQLite DateTime stores it: naive UTC to the microsecond."""
    offset = value.utcoffset()
    if offset is None or offset:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


def _sqlite_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
