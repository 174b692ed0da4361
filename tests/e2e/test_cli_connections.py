"""A one-shot command-line process holds at most two connections to PostgreSQL: one to the event store, one to
the read models (a server's default 100 then serve fifty clerks' commands at once)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from tests.conftest import NewDatabase, command, make, register
from tests.e2e.cli import jsonl, run
from tests.integration.test_connections_lost import admin_connection, backends


@contextmanager
def most_connections(url: str) -> Iterator[list[int]]:
    """The most client connections to the database seen at once while the block runs (sampled every millisecond
    or so, besides this one's own), once the server has let go of those of the process before."""
    most = [0]
    stop = threading.Event()

    def sample(admin: psycopg.Connection[tuple[object, ...]]) -> None:
        while not stop.is_set():
            most[0] = max(most[0], backends(admin))
            stop.wait(0.001)

    with admin_connection(url) as admin:
        # A backend leaves the list a moment after its client has closed it, later still on a busy machine.
        deadline = time.monotonic() + 30
        while backends(admin) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not backends(admin), "the connections of the process before are still open"
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
