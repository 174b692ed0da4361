"""Connections to PostgreSQL lost while a web server's threads write and read (backends killed, as a restart or
a failover kills them) are made again: every command is recorded once, and no caller sees a driver's error."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import make_url

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import UnsupportedDatabase
from scrutiny_es.adapters.store.reconnect import DatabaseUnavailable, retrying
from scrutiny_es.domain.model import Recommendation, recommendation_id
from tests import parts
from tests.conftest import FixedClock, NewDatabase, command, make, register

WRITERS = 4
POSTS = 12


def admin_connection(url: str) -> psycopg.Connection[tuple[object, ...]]:
    u = make_url(url)
    return psycopg.connect(
        host=str(u.query.get("host") or u.host), port=u.port or 5432, dbname=u.database, user=u.username,
        password=u.password or "", autocommit=True,
    )  # fmt: skip


def kill_every_other_backend(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )


@pytest.mark.parametrize("new_database", ["postgresql"], indirect=True)
def test_threads_lose_no_command_and_see_no_driver_error_when_their_connections_are_killed(
    new_database: NewDatabase,
) -> None:
    with new_database() as url, admin_connection(url) as admin:
        app = Scrutiny(url, clock=FixedClock())
        app.execute(register())
        app.execute(make("R1"))
        app.execute(make("R2"))
        failures: list[BaseException] = []
        writing = threading.Event()
        writing.set()

        def write(writer: int) -> None:
            try:
                for n in range(POSTS):
                    day = date(2024, 3, 1) + timedelta(days=writer * POSTS + n)
                    app.execute(command("report_progress", ref=f"R{n % 2 + 1}", note=f"writer {writer} post {n}",
                                        reported_on=day.isoformat(), reported_by="Officer"))  # fmt: skip
            except BaseException as e:
                failures.append(e)

        def read() -> None:
            try:
                while writing.is_set():
                    app.audit()
                    app.tracker()
                    app.overdue()
            except BaseException as e:
                failures.append(e)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        readers = [threading.Thread(target=read) for _ in range(2)]
        for thread in threads + readers:
            thread.start()
        for _ in range(3):
            time.sleep(0.7)
            kill_every_other_backend(admin)
        for thread in threads:
            thread.join()
        writing.clear()
        for thread in readers:
            thread.join()
        assert failures == []
        sent = {f"writer {w} post {n}" for w in range(WRITERS) for n in range(POSTS)}
        notes = [e.note for ref in ("R1", "R2") for e in parts.store_of(app).events(recommendation_id("BCSB", ref))
                 if isinstance(e, Recommendation.ProgressReported)]  # fmt: skip
        assert sorted(notes) == sorted(sent)
        assert [e.position for e in app.audit()] == list(range(1, 4 + len(sent)))
        app.close()


def test_a_connection_that_stays_lost_is_said_as_a_scrutiny_error_naming_it() -> None:
    def away() -> None:
        psycopg.connect("host=127.0.0.1 port=1 dbname=x connect_timeout=1")

    with pytest.raises(DatabaseUnavailable, match=r"^the connection to the database was lost and could not be made"):
        retrying(away, patience=0.3)()


def test_an_error_that_is_not_a_lost_connection_is_not_tried_again() -> None:
    calls: list[int] = []

    def wrong() -> None:
        calls.append(1)
        raise psycopg.errors.UniqueViolation("duplicate key")

    with pytest.raises(psycopg.errors.UniqueViolation):
        retrying(wrong, patience=5)()
    assert calls == [1]


def backends(admin: psycopg.Connection[tuple[object, ...]]) -> int:
    """Clients connected to the database besides this one; not the server's autovacuum worker, which also
    connects to the database it is analysing."""
    found = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
    ).fetchone()
    return int(found[0]) if found else 0


@pytest.mark.parametrize("new_database", ["postgresql"], indirect=True)
def test_a_scrutiny_opens_connections_as_it_needs_them_up_to_the_pool_size_the_url_gives(
    new_database: NewDatabase,
) -> None:
    with new_database() as url, admin_connection(url) as admin:
        app = Scrutiny(url, clock=FixedClock())
        assert backends(admin) <= 2  # one for the events, one for the read models
        app.execute(register())
        app.tracker()
        assert backends(admin) <= 2  # a catch-up reads the events (one) while it writes the read models (the other)
        app.close()
        small = Scrutiny(f"{url}&pool_size=2" if "?" in url else f"{url}?pool_size=2", clock=FixedClock())
        done = threading.Barrier(6)

        def use() -> None:
            small.tracker()
            small.execute(make(f"R{threading.get_ident()}"))
            done.wait(timeout=60)

        threads = [threading.Thread(target=use) for _ in range(5)]
        for thread in threads:
            thread.start()
        done.wait(timeout=60)
        assert backends(admin) <= 4  # two for the events, two for the read models
        for thread in threads:
            thread.join()
        assert len(small.tracker()) == 5
        small.close()
        with pytest.raises(UnsupportedDatabase, match="is not a number of connections"):
            Scrutiny(f"{url}&pool_size=0" if "?" in url else f"{url}?pool_size=0")
        with pytest.raises(UnsupportedDatabase, match="pooling is not something a PostgreSQL database URL can say"):
            Scrutiny(f"{url}&pooling=1" if "?" in url else f"{url}?pooling=1")
