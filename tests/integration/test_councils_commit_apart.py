"""Councils on one PostgreSQL server commit apart: a council whose append waits at its commit (its synchronous
standby does not answer, its disk is slow to flush) holds up no other council's append on the same server.

PostgreSQL serializes the commits of every transaction that sends a NOTIFY, server-wide, with one lock held until
each such commit has finished: its WAL flushed and its synchronous standby answered. The store tells those who follow
the log of each append by a NOTIFY, so that lock must not be taken by the transaction that records the events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, fresh_postgres_database, make, register
from tests.parts import store_of
from tests.pgserver import server_folder, throwaway_postgres


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A server of this module's own: the test names a synchronous standby, which would hold up any other test."""
    with server_folder("scrutiny-commits-") as base, throwaway_postgres(base) as url:
        yield url


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _waiting_for_standby(admin: str, database: str) -> bool:
    with psycopg.connect(admin, autocommit=True) as conn:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event = 'SyncRep'"
        row = conn.execute(query, (database,)).fetchone()
        return bool(row and row[0])


def test_a_council_whose_commit_waits_holds_up_no_other_councils_append(server: str) -> None:
    admin = _admin(server)
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in ("waiting_council", "working_council"):
            conn.execute(f"CREATE DATABASE {name}")
        # Only the first council's commits wait for a synchronous standby (the server's default is not to).
        conn.execute("ALTER DATABASE waiting_council SET synchronous_commit = 'on'")
    waiting_url = make_url(server).set(database="waiting_council").render_as_string(hide_password=False)
    working_url = make_url(server).set(database="working_council").render_as_string(hide_password=False)
    waiting = Scrutiny(waiting_url, catch_up=False, clock=FixedClock())
    working = Scrutiny(working_url, catch_up=False, clock=FixedClock())
    waiting.execute(register("WAIT"))
    working.execute(register("WORK"))

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET synchronous_standby_names = 'a_standby_that_never_comes'")
        conn.execute("SELECT pg_reload_conf()")
    failures: list[BaseException] = []

    def record(app: Scrutiny, body: str) -> None:
        try:
            app.execute(make("R1", body=body))
        except BaseException as e:  # said by the test below
            failures.append(e)

    held = threading.Thread(target=record, args=(waiting, "WAIT"))
    other = threading.Thread(target=record, args=(working, "WORK"))
    try:
        time.sleep(0.5)  # the reload reaches the server's processes
        held.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_standby(admin, "waiting_council") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_for_standby(admin, "waiting_council"), "the first council's commit did not wait"
        other.start()
        other.join(timeout=10)
        held_up = other.is_alive()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:  # the standby no longer named: the waiting commit ends
            conn.execute("ALTER SYSTEM RESET synchronous_standby_names")
            conn.execute("SELECT pg_reload_conf()")
        held.join(timeout=30)
        other.join(timeout=30)

    assert not held_up, "the second council's append waited for the first council's commit"
    assert failures == []
    waiting.close()
    working.close()
    for url in (waiting_url, working_url):  # each recorded, once
        record = Scrutiny(url, clock=FixedClock())
        assert [(row.body, row.ref) for row in record.tracker()] == [(record.bodies()[0].body, "R1")]
        record.close()


def test_an_append_whose_notice_fails_is_recorded_once_and_the_next_is_recorded_and_told(postgres_server: str) -> None:
    with fresh_postgres_database(postgres_server) as url:
        app = Scrutiny(url, clock=FixedClock())
        app.execute(register())
        recorder = store_of(app).recorder
        notice = recorder._notify
        recorder._notify = "SELECT pg_notify('scrutiny_events', repeat('x', 9000))"  # too long a payload: refused
        receipt = app.execute(make("R1"))
        recorder._notify = notice

        heard: list[tuple[int, float]] = []

        def follow() -> None:
            for entry in app.follow(after=receipt.position or 0, timeout=10):
                heard.append((entry.position, time.monotonic()))
                return

        listening = threading.Thread(target=follow)
        listening.start()
        time.sleep(0.5)  # the follower waits on the notice
        recorded = time.monotonic()
        app.execute(make("R2"))
        listening.join(timeout=15)

        assert [row.ref for row in app.tracker()] == ["R1", "R2"]
        assert [entry.event for entry in app.audit()] == ["Registered", "Made", "Made"]
        assert [position for position, _ in heard] == [(receipt.position or 0) + 1]
        assert heard[0][1] - recorded < 5  # told, not found when the follower's wait ran out
        app.close()
