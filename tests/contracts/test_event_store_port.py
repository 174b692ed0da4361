"""One contract for every event store: what the service asks of the ``EventStore`` port, asked of each store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from scrutiny_es.application.ports import Conflict, LogIsAhead
from scrutiny_es.domain.model import body_id, recommendation_id
from tests.conftest import command, make, register
from tests.contracts.conftest import Opened


def record_some(opened: Opened) -> None:
    app = opened.app
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.execute_many([command("reaffirm", ref="R2", decided_on="2024-03-01"), make("R3")])
    if opened.session is not None:
        opened.session.commit()


def test_each_position_names_the_aggregate_and_version_of_its_event(opened: Opened) -> None:
    record_some(opened)
    r1, r2, r3 = (recommendation_id("BCSB", ref) for ref in ("R1", "R2", "R3"))
    expected = [(body_id("BCSB"), 1), (r1, 1), (r2, 1), (r1, 2), (r2, 2), (r3, 1)]
    assert [opened.store.fact_at(position) for position in range(1, 7)] == expected
    assert opened.store.fact_at(0) is None
    assert opened.store.fact_at(7) is None


def test_an_aggregate_s_positions_are_given_by_version(opened: Opened) -> None:
    record_some(opened)
    assert opened.store.positions(recommendation_id("BCSB", "R1")) == {1: 2, 2: 4}
    assert opened.store.positions(recommendation_id("BCSB", "R3")) == {1: 6}
    assert opened.store.positions(UUID(int=0)) == {}


def test_the_positions_are_the_audit_trail_s(opened: Opened) -> None:
    record_some(opened)
    for entry in opened.app.audit():
        key = body_id(entry.body) if entry.ref is None else recommendation_id(entry.body, entry.ref)
        found = opened.store.fact_at(entry.position)
        assert found is not None
        assert found[0] == key
        assert opened.store.positions(key)[found[1]] == entry.position


def test_a_receipt_s_position_is_its_last_event_s(opened: Opened) -> None:
    opened.app.execute(register())
    receipt = opened.app.execute(make("R1"))
    assert opened.store.fact_at(receipt.position) == (recommendation_id("BCSB", "R1"), 1)


def test_an_aggregate_is_loaded_from_the_events_appended(opened: Opened) -> None:
    record_some(opened)
    key = recommendation_id("BCSB", "R1")
    assert [type(e).__name__ for e in opened.store.events(key)] == ["Made", "Referred"]
    item = opened.store.load(key)
    assert item is not None
    assert item.version == 2
    assert opened.store.load(UUID(int=0)) is None


def test_an_aggregate_s_version_is_its_last_event_s_as_stored(opened: Opened) -> None:
    record_some(opened)
    assert opened.store.version(recommendation_id("BCSB", "R2")) == 2
    assert opened.store.version(body_id("BCSB")) == 1
    assert opened.store.version(UUID(int=0)) == 0
    opened.app.execute(command("schedule_meeting", meeting_date="2024-04-11"))
    if opened.session is not None:
        opened.session.commit()
    assert opened.store.version(body_id("BCSB")) == 2


def test_events_appended_again_are_refused_as_a_conflict_and_write_nothing(opened: Opened) -> None:
    record_some(opened)
    again = opened.store.events(recommendation_id("BCSB", "R3"))
    with pytest.raises(Conflict):
        opened.store.append(again, [("k-1", "digest", 0, "Made")])
    opened.store.rollback()
    assert opened.store.fact_at(7) is None
    assert opened.store.recorded(["k-1"]) == {}
    assert opened.store.log.count() == 6


def test_a_batch_stamped_before_the_last_event_is_refused_and_writes_nothing(opened: Opened) -> None:
    record_some(opened)
    latest = opened.store.latest()
    assert latest == datetime(2024, 12, 2, 9, 30, tzinfo=UTC)
    (made,) = opened.store.events(recommendation_id("BCSB", "R3"))
    early = replace(made, originator_id=uuid4(), timestamp=latest - timedelta(microseconds=1))
    with pytest.raises(LogIsAhead) as refused:
        opened.store.append([early])
    assert refused.value.latest == latest
    opened.store.rollback()
    assert opened.store.log.count() == 6
    assert opened.store.append([replace(early, timestamp=latest)]) == [7]


def test_a_command_s_key_is_kept_with_the_position_of_its_last_event(opened: Opened) -> None:
    opened.app.execute(register())
    receipt = opened.app.execute(make("R1", command_id="make-r1"))
    if opened.session is not None:
        opened.session.commit()
    recorded = opened.store.recorded(["make-r1", "unknown"])
    assert list(recorded) == ["make-r1"]
    assert (recorded["make-r1"].position, recorded["make-r1"].events) == (receipt.position, ("Made",))


def test_a_key_sent_with_a_command_recorded_before_is_kept_naming_that_command(opened: Opened) -> None:
    opened.app.execute(register())
    made = opened.app.execute(make("R1"))
    alone = opened.app.execute(make("R1", command_id="make-r1"))  # nothing to append but the key
    together = opened.app.execute_many([make("R1", command_id="make-r1-again"), make("R2", command_id="make-r2")])
    if opened.session is not None:
        opened.session.commit()
    assert (alone.already_recorded, alone.position) == (True, made.position)
    assert [(r.already_recorded, r.position) for r in together] == [(True, made.position), (False, 3)]
    recorded = opened.store.recorded(["make-r1", "make-r1-again", "make-r2"])
    assert {key: (r.position, r.events) for key, r in recorded.items()} == {
        "make-r1": (made.position, ("Made",)),
        "make-r1-again": (made.position, ("Made",)),
        "make-r2": (3, ("Made",)),
    }
    assert opened.store.log.count() == 3
