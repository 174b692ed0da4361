"""The same lists and times on every database, on a PostgreSQL server set up as a UK council's would be.

Such a server sorts text as en_GB does ("a" before "B", where SQLite and the lists made
in memory put "B" first), and keeps local time in Europe/London, an hour ahead of UTC in
summer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from uuid import uuid4

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scrutiny_es import Scrutiny
from tests import parts
from tests.conftest import BACKENDS, FixedClock, command, make, register

ON = date(2024, 5, 1)
REFS = ["a1", "B2", "b3", "Ä4", "10", "9"]
"""Refs that en_GB and code points put in different orders."""


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A SQLite file, or a PostgreSQL database that sorts text as en_GB does and keeps London time."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/order.db"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_{uuid4().hex[:16]}"
    admin = make_url(server).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' "
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-GB'"
        )
        conn.execute(f"ALTER DATABASE {name} SET timezone TO 'Europe/London'")
        collation = conn.execute("SELECT 'a' < 'B' COLLATE \"en-GB-x-icu\"").fetchone()
        assert collation == (True,), "the server's en_GB collation should sort 'a' before 'B'"
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_the_tracker_and_the_overdue_list_sort_by_code_point_as_the_lists_made_in_memory_do(
    url: str, clock: FixedClock
) -> None:
    app = Scrutiny(url, clock=clock)
    for body in ("bcsb", "BCSB"):
        app.execute(register(body, name=f"Board {body}"))
        for ref in REFS:
            app.execute(make(ref, body, target_date="2024-03-01"))
            app.execute(command("refer", body, ref=ref, addressee="Cabinet", received_on="2024-02-20"))

    tracker = [(row.body, row.ref) for row in app.tracker()]
    overdue = parts.read_models_of(app).overdue(ON)
    in_memory = app.overdue(as_of=ON)
    app.close()

    assert tracker == [(body, ref) for body in sorted(["bcsb", "BCSB"]) for ref in sorted(REFS)]
    assert tracker[:2] == [("BCSB", "10"), ("BCSB", "9")]
    assert len(overdue) == 24
    assert overdue == in_memory


def test_the_audit_trail_shows_when_each_event_was_recorded_in_utc(url: str) -> None:
    summer = datetime(2024, 6, 20, 9, 30, tzinfo=UTC)
    app = Scrutiny(url, clock=FixedClock(summer))
    app.execute(register())
    app.execute(make(meeting_date="2024-06-18"))
    trail = app.audit()
    known_then = app.audit(as_known_at=summer)
    app.close()

    assert [entry.recorded_at for entry in trail] == [summer, summer]
    assert known_then == trail
