"""Shared fixtures: a fixed clock, a fresh database, and commands written as a clerk would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from freezegun.api import FakeDate, FakeDatetime
from pydantic_core import core_schema
from sqlalchemy import make_url

from scrutiny_es import Scrutiny
from tests.pgserver import server_folder, throwaway_postgres


def _as_the_real_type(real: Callable[[], Any]) -> Any:
    return classmethod(lambda cls, source, handler: real())


# A clock frozen before the first event is written leaves freezegun's date and datetime classes where the event
# classes name date and datetime; pydantic, building its readers then, is told they are the real ones.
FakeDate.__get_pydantic_core_schema__ = _as_the_real_type(core_schema.date_schema)  # type: ignore[attr-defined]
FakeDatetime.__get_pydantic_core_schema__ = _as_the_real_type(core_schema.datetime_schema)  # type: ignore[attr-defined]

CLERK = {"id": "u1", "name": "Jo Clerk", "role": "scrutiny officer"}


class FixedClock:
    """A clock that says what the test tells it to."""

    def __init__(self, now: datetime = datetime(2024, 12, 2, 9, 30, tzinfo=UTC)) -> None:
        self.time = now

    def now(self) -> datetime:
        return self.time


def command(command: str, body: str = "BCSB", **fields: Any) -> dict[str, Any]:
    """A command in its JSON form, recorded by the test clerk."""
    return {"command": command, "actor": CLERK, "body": body, **fields}


def register(body: str = "BCSB", **fields: Any) -> dict[str, Any]:
    return command(
        "register_body", body, **({"name": "Budget and Corporate Scrutiny Board", "council": "Sandwell"} | fields)
    )


def make(ref: str = "R1", body: str = "BCSB", **fields: Any) -> dict[str, Any]:
    defaults = {
        "ref": ref,
        "kind": "recommendation",
        "meeting_date": "2024-02-15",
        "item": "Fishing Policy",
        "text": "That the Cabinet adopts a fishing policy for council lakes.",
        "addressees": [{"name": "Cabinet", "kind": "executive"}, {"name": "Director of Housing", "kind": "officer"}],
    }
    return command("make_recommendation", body, **(defaults | fields))


BACKENDS = ["sqlite", "postgresql"]
"""Every test that takes a database runs once on each."""

NewDatabase = Callable[[], AbstractContextManager[str]]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway PostgreSQL server for the whole run; each test gets a database of its own."""
    with server_folder("scrutiny-postgres-") as base, throwaway_postgres(base) as url:
        yield url


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, Path]]:
    """A PostgreSQL server of the test's own, which it may stop, restart or lose, and its folder."""
    with server_folder("scrutiny-own-postgres-") as base, throwaway_postgres(base) as url:
        yield url, base


@pytest.fixture(params=BACKENDS)
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> NewDatabase:
    """Makes empty databases of one backend: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        files = count()

        @contextmanager
        def sqlite_file() -> Iterator[str]:
            yield f"sqlite:///{tmp_path / f'scrutiny-{next(files)}.db'}"

        return sqlite_file
    server = request.getfixturevalue("postgres_server")
    return partial(fresh_postgres_database, server)


@contextmanager
def fresh_postgres_database(server: str) -> Iterator[str]:
    name = f"test_{uuid4().hex[:16]}"
    admin = make_url(server).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def db_url(new_database: NewDatabase) -> Iterator[str]:
    with new_database() as url:
        yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def app(db_url: str, clock: FixedClock) -> Iterator[Scrutiny]:
    app = Scrutiny(db_url, clock=clock)
    yield app
    app.close()
