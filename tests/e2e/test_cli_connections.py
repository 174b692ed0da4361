"""A one-shot command-line process holds at most two connections to PostgreSQL: one to the event store, one to
the read models (a server's default 100 then serve fifty clerks' commands at once)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from tests.conftest import NewDatabase, command, make, register
from tests.e2e.cli import jsonl, run
from tests.integration.test_connections_lost import admin_connection


@contextmanager
def most_connections(url: str) -> Iterator[list[int]]:
    """The most connections to the database seen at once while the block runs (sampled every millisecond or so,
    besides this one's own)."""
    most = [0]
    stop = threading.Event()

    def sample(admin: psycopg.Connection[tuple[object, ...]]) -> None:
        while not stop.is_set():
            found = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            most[0] = max(most[0], int(found[0]) if found else 0)
            stop.wait(0.001)

    with admin_connection(url) as admin:
        sampler = threading.Thread(target=sample, args=(admin,))
        sampler.start()
        try:
            yield most
        finally:
            stop.set()
            sampler.join()


@pytest.mark.parametrize("new_database", ["postgresql"], indirect=True)
def test_apply_and_the_reports_each_hold_at_most_two_connections(new_database: NewDatabase) -> None:
    commands = jsonl(register(), make("R1"), make("R2"),
                     command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))  # fmt: skip
    with new_database() as url:
        for args in (["apply", "-"], ["tracker"], ["apply", "-"], ["overdue", "--as-of", "2024-06-01"]):
            with most_connections(url) as most:
                done = run(*args, db=url, stdin=commands)
            assert done.returncode == 0, done.stderr
            assert 1 <= most[0] <= 2, (args, most[0])
