"""The projection worker: keeps the read models up to date in a process of its own.

On PostgreSQL it sleeps until the event store's NOTIFY says new events were recorded;
on SQLite, which has no such signal, it looks again every ``poll`` seconds. Each round
is an ordinary catch-up, so a worker that is killed resumes exactly where it was.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Event
from time import monotonic

from scrutiny_es.adapters.store.reconnect import DatabaseUnavailable
from scrutiny_es.application import ScrutinyService

RESPONSIVE = 0.5
"""Seconds at most between looks at the stop request."""


def run(
    app: ScrutinyService,
    stopping: Event,
    poll: float,
    report: Callable[[int], None],
    lost: Callable[[str], None] = lambda _: None,
) -> None:
    """Catches up, then waits for new events (at most ``poll`` seconds), until ``stopping`` is set. A database
    that went away is waited for (``lost`` is told), and the worker carries on from where its read models are."""
    while not stopping.is_set():
        try:
            read = app.catch_up()
        except DatabaseUnavailable as e:  # a server down for longer than a call waits: the worker waits on
            lost(str(e))
            stopping.wait(poll)
            continue
        if read:
            report(read)
        until = monotonic() + poll
        while not stopping.is_set() and (left := until - monotonic()) > 0:
            if app.wait_for_events(min(RESPONSIVE, left)):
                break
