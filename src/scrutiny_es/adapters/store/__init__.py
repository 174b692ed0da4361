"""The event store: eventsourcing's own recorders, each with the log's one rule of time.

An event is never recorded with a time earlier than the event before it in the log, or
"as known at" would not be a moment in the log's history. The recorders check it in the
transaction that appends, after taking the log's write lock, so two writers cannot slip
past each other; a batch stamped before the last event is refused with ``LogIsAhead``
and stamped again with the log's time (the service does that).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scrutiny_es.application.ports import LogIsAhead

_TIMESTAMP = b'"timestamp":"'


def recorded_at(state: bytes | str) -> datetime:
    """When a stored event was recorded: its timestamp, read from its JSON without decoding the rest."""
    if isinstance(state, str):  # edited with SQLite's text functions, it became TEXT: the seal tells it changed
        state = state.encode(errors="surrogatepass")
    state = bytes(state)
    start = state.index(_TIMESTAMP) + len(_TIMESTAMP)
    return datetime.fromisoformat(state[start : state.index(b'"', start)].decode())


def check_follows(previous: Any, stored_events: Any) -> None:
    """Refuses a batch stamped before ``previous``, the stored state of the event before it (None: the first)."""
    if previous is not None and stored_events:
        latest = recorded_at(previous)
        if recorded_at(stored_events[0].state) < latest:
            raise LogIsAhead(latest)
