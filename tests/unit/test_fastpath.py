"""The measured fast path records exactly what eventsourcing's own ``Aggregate`` would."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from scrutiny_es.domain.fastpath import FastAggregate, replay, uuid5
from scrutiny_es.domain.model import Recommendation, recommendation_id
from tests.unit.test_recommendation import AT, BOARD, CLERK, LATER, MADE

LATE = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


def by_eventsourcing() -> Recommendation:
    """The item made and changed through eventsourcing's own ``_create`` and ``trigger_event``."""
    fields = {k: v for k, v in MADE.items() if k not in ("body", "at")}
    item: Recommendation = Recommendation._create(
        Recommendation.Made, id=recommendation_id("BCSB", "R1"), timestamp=AT, body="BCSB",
        decided_by=BOARD.name, **fields,
    )  # fmt: skip
    original = FastAggregate.trigger_event
    try:
        FastAggregate.trigger_event = Aggregate.trigger_event  # type: ignore[method-assign]
        changes(item)
    finally:
        FastAggregate.trigger_event = original  # type: ignore[method-assign]
    return item


def by_the_fast_path() -> Recommendation:
    item = Recommendation.make(**MADE)
    changes(item)
    return item


def changes(item: Recommendation) -> None:
    item.refer(addressee="Cabinet", received_on=date(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    item.report_progress(note="Begun", reported_on=date(2024, 3, 1), reported_by="Officer", rag="amber", actor=CLERK,
                         at=LATER)  # fmt: skip
    item.close(outcome="implemented", decided_on=date(2024, 6, 1), minute=None, note=None, actor=CLERK, at=LATE)


def recorded(item: Recommendation) -> list[tuple[type, dict[str, Any]]]:
    return [(type(event), dict(event.__dict__)) for event in item.collect_events()]


def test_the_fast_path_makes_the_same_events_and_the_same_item_as_eventsourcing() -> None:
    slow, fast = by_eventsourcing(), by_the_fast_path()
    assert fast == slow  # the same state, version, creation and modification times
    assert (fast.version, fast.created_on, fast.modified_on) == (4, AT, LATE)
    assert recorded(fast) == recorded(slow)


def test_replay_gives_what_eventsourcings_own_projector_gives() -> None:
    events = by_the_fast_path().collect_events()
    theirs = None
    for event in events:
        theirs = event.mutate(theirs)
    assert replay(None, events) == theirs


def test_the_identities_are_the_standard_librarys_uuid5() -> None:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org")
    for name in ("body:BCSB", "recommendation:4:BCSB:R1", "Bø/é ✓"):
        ours, theirs = uuid5(namespace, name), uuid.uuid5(namespace, name)
        assert (ours, ours.version, ours.variant, ours.is_safe, hash(ours), repr(ours)) == (
            theirs, theirs.version, theirs.variant, theirs.is_safe, hash(theirs), repr(theirs))  # fmt: skip
