"""Events written by a newer release: each blocks only its own item (or body), never the council's reports.

A newer scrutiny_es may record an event this code cannot read (a kind it does not know, or a
class version above the ones it upcasts). The log hands such an event on as ``TooNew`` in its
place; the read models leave out it and every later event of the same item, so the item stands
as it did before it, and every other item reports as ever. Each blocked item is named in one
line (``unreadable``), and commands on it are refused (the store cannot load it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class TooNew:
    """In the log's place of an event this code cannot read: whose it is, and why it cannot be read."""

    originator_id: UUID
    originator_version: int
    why: str


@dataclass(frozen=True)
class Blocked:
    """An item (or body) holding an event from a newer release: the first such event's position, and why."""

    key: str
    """The item's (or body's) id, as hex."""
    position: int
    why: str


def readable(
    events: Sequence[tuple[int, Any]], blocked: dict[str, Blocked], *, places: bool = False
) -> list[tuple[int, Any]]:
    """The events the read models can fold: none of a blocked item from its first unreadable event on.

    Each ``TooNew`` met blocks its item from there on: it is added to ``blocked``, which the
    caller keeps (with the projection's position, so a later batch leaves the item's later events
    out too). ``places``: each event left out is a ``TooNew`` in its place, for a read model that
    numbers every event (the audit trail's positions are the log's).
    """
    kept = []
    for position, event in events:
        if type(event) is TooNew:
            key = event.originator_id.hex
            if key not in blocked or blocked[key].position > position:
                blocked[key] = Blocked(key, position, event.why)
            if places:
                kept.append((position, event))
            continue
        stop = blocked.get(event.originator_id.hex)
        if stop is None or position < stop.position:
            kept.append((position, event))
        elif places:
            kept.append((position, TooNew(event.originator_id, event.originator_version, stop.why)))
    return kept


def sentence(label: str, blocked: Blocked) -> str:
    """The line a report adds for a blocked item."""
    return (
        f"{label} holds an event from a newer scrutiny_es (position {blocked.position}: {blocked.why}): upgrade to "
        "read it; until then it is shown as it stood before that event, and commands on it are refused"
    )
