"""One contract for every event store: what the service asks of the ``EventStore`` port, asked of each store."""

from __future__ import annotations

from uuid import UUID

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
