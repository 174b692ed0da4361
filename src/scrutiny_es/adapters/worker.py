"""The projection worker: keeps the read models up to date in a process of its own.

On PostgreSQL it sleeps until the event store's NOTIFY says new events were recorded;
on SQLite, which has no such signal, it looks again every ``poll`` seconds. Each round
is an ordinary catch-up, so a worker that is killed resumes exactly where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from threading import Event
from typing import Any

import psycopg
from psycopg import sql

from scrutiny_es.adapters.persistence import libpq_conninfo


@contextmanager
def new_events(url: str, recorder: Any, poll: float, stopping: Event) -> Iterator[Callable[[], None]]:
    """A function that returns when new events may have been recorded, or after ``poll`` seconds, or on stop."""
    channel = getattr(recorder, "channel_name", None)
    conninfo = libpq_conninfo(url)
    if channel is None or conninfo is None:

        def sleep() -> None:
            stopping.wait(poll)

        yield sleep
        return
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))

        def wait() -> None:
            # A short timeout keeps the worker responsive to a stop request.
            waited = 0.0
            while not stopping.is_set() and waited < poll:
                for _ in conn.notifies(timeout=min(0.5, poll), stop_after=1):
                    return
                waited += min(0.5, poll)

        yield wait


def run(app: Any, stopping: Event, poll: float, report: Callable[[int], None]) -> None:
    """Catches up, then waits for new events, until ``stopping`` is set."""
    catch_up = app.read_models.catch_up
    with new_events(app.url, app.recorder, poll, stopping) as wait:
        while not stopping.is_set():
            read = catch_up()
            if read:
                report(read)
            wait()
