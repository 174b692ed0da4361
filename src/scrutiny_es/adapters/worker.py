"""The projection worker: keeps the read models up to date in a process of its own.

On PostgreSQL it sleeps until the event store's NOTIFY says new events were recorded;
on SQLite, which has no such signal, it looks again every ``poll`` seconds. Each round
is an ordinary catch-up, so a worker that is killed resumes exactly where it was.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Event
from time import monotonic

from scrutiny_es.application import ScrutinyService

RESPONSIVE = 0.5
"""Seconds at most between looks at the stop request."""


def run(app: ScrutinyService, stopping: Event, poll: float, report: Callable[[int], None]) -> None:
    """Catches up, then waits for new events (at most ``poll`` seconds), until ``stopping`` is set."""
    while not stopping.is_set():
        read = app.catch_up()
        if read:
            report(read)
        until = monotonic() + poll
        while not stopping.is_set() and (left := until - monotonic()) > 0:
            if app.wait_for_events(min(RESPONSIVE, left)):
                break
