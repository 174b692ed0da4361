"""The stores every contract runs over: in memory, eventsourcing's native SQLite and PostgreSQL ones, and the
store a host's SQLAlchemy session shares, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from scrutiny_es.application import ScrutinyService
from scrutiny_es.application.ports import EventStore
from scrutiny_es.bootstrap import in_memory
from tests.conftest import FixedClock, fresh_postgres_database
from tests.parts import store_of

STORES = ["memory", "sqlite", "postgresql", "shared-sqlite", "shared-postgresql"]


@dataclass
class Opened:
    """A record opened on one store: the application that writes, the store under test, the host's session."""

    app: ScrutinyService
    session: scoped_session[Session] | None
    url: str | None

    @property
    def store(self) -> EventStore:
        return store_of(self.app)


def url_for(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if kind.endswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scrutiny.db'}"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_server")) as url:
        yield url


def open_record(kind: str, url: str | None, clock: FixedClock) -> Opened:
    if kind == "memory":
        return Opened(in_memory(clock), None, None)
    assert url is not None
    if kind.startswith("shared"):
        session = scoped_session(sessionmaker(bind=create_engine(url)))
        return Opened(Scrutiny(session=session, clock=clock), session, url)
    return Opened(Scrutiny(url, clock=clock), None, url)


@pytest.fixture(params=STORES)
def opened(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Iterator[Opened]:
    """A fresh record on each store in turn."""
    kind: str = request.param
    urls = url_for(kind, request, tmp_path) if kind != "memory" else iter([None])
    url = next(urls)
    record = open_record(kind, url, clock)
    yield record
    if record.session is not None:
        record.session.rollback()
        record.session.remove()
    record.app.close()
    for _ in urls:  # drops the PostgreSQL database
        pass
