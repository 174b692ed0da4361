"""The event store: eventsourcing's own recorders, each with the log's one rule of time.

An event is never recorded with a time earlier than the event before it in the log, or
"as known at" would not be a moment in the log's history. The recorders check it in the
transaction that appends, after taking the log's write lock, so two writers cannot slip
past each other; a batch stamped before the last event is refused with ``LogIsAhead``
and stamped again with the log's time (``Scrutiny`` does that).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

_TIMESTAMP = b'"timestamp":"'


class LogIsAhead(Exception):
    """The last event in the log was recorded later than the batch being appended."""

    def __init__(self, latest: datetime) -> None:
        super().__init__(f"the log's last event was recorded at {latest.isoformat()}")
        self.latest = latest


def recorded_at(state: bytes) -> datetime:
    """When a stored event was recorded: its timestamp, read from its JSON without decoding the rest."""
    start = state.index(_TIMESTAMP) + len(_TIMESTAMP)
    return datetime.fromisoformat(state[start : state.index(b'"', start)].decode())


def check_follows(previous: Any, stored_events: Any) -> None:
    """Refuses a batch stamped before ``previous``, the stored state of the event before it (None: the first)."""
    if previous is not None and stored_events:
        latest = recorded_at(bytes(previous))
        if recorded_at(stored_events[0].state) < latest:
            raise LogIsAhead(latest)


def last_recorded_at(recorder: Any) -> datetime | None:
    """When the last event in the log was recorded, or None for an empty log."""
    head = recorder.max_notification_id()
    if not head:
        return None
    (last,) = recorder.select_notifications(start=head, limit=1)
    return recorded_at(last.state)
