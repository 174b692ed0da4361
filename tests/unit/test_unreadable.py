"""Which events the read models fold when a newer release's event blocks an item."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from scrutiny_es.application.unreadable import Blocked, TooNew, readable


class Event:
    def __init__(self, originator_id: UUID, originator_version: int) -> None:
        self.originator_id = originator_id
        self.originator_version = originator_version


def test_a_newer_event_blocks_its_item_from_there_on_and_no_other() -> None:
    blocked_item, other = uuid4(), uuid4()
    earlier, later, others = Event(blocked_item, 1), Event(blocked_item, 3), Event(other, 1)
    events: list[tuple[int, Any]] = [(1, earlier), (2, TooNew(blocked_item, 2, "why")), (3, others), (4, later)]
    held: dict[str, Blocked] = {}
    assert readable(events, held) == [(1, earlier), (3, others)]
    assert held == {blocked_item.hex: Blocked(blocked_item.hex, 2, "why")}
    assert readable([(5, Event(blocked_item, 4)), (6, Event(other, 2))], held)[0][0] == 6  # a later batch too
    assert readable(events, held) == [(1, earlier), (3, others)]  # a rebuild from the start keeps what came before


def test_a_read_model_that_numbers_every_event_is_given_each_place() -> None:
    item = uuid4()
    events: list[tuple[int, Any]] = [(1, Event(item, 1)), (2, TooNew(item, 2, "why")), (3, Event(item, 3))]
    kept = readable(events, {}, places=True)
    assert [position for position, _ in kept] == [1, 2, 3]
    assert [type(event) for _, event in kept] == [Event, TooNew, TooNew]
