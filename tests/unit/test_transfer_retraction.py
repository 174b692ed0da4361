"""A transfer retracted in the item itself: the body and the board's name it had come back, only the latest
transfer is retracted, and the retraction is an event of its own, stored under a topic of its own."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from scrutiny_es.domain.errors import CannotCorrect, LaterTransfer
from scrutiny_es.domain.model import Actor, Addressee, Body, Recommendation
from scrutiny_es.projections.items import from_stored, stored

AT = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2024, 9, 2, 17, 0, tzinfo=UTC)
CLERK = Actor("u1", "Jo Clerk", "scrutiny officer")


def body(code: str, name: str) -> Body:
    return Body.register(code=code, name=name, council="Sandwell", deadlines={}, actor=CLERK, at=AT)


def made() -> Recommendation:
    item = Recommendation.make(
        body=body("BCSB", "Budget Scrutiny Board"), ref="R1", kind="recommendation", meeting_date=date(2024, 2, 15),
        item="Fishing Policy", minute="12/24", text="That the Cabinet adopts a fishing policy.",
        addressees=[Addressee("Cabinet", "executive")], target_date=None, actor=CLERK, at=AT,
    )  # fmt: skip
    item.refer(addressee="Cabinet", received_on=date(2024, 2, 20), body=body("BCSB", "Budget Scrutiny Board"),
               response_due=date(2024, 4, 20), actor=CLERK, at=AT)  # fmt: skip
    return item


def moved(item: Recommendation, to: str, on: date, board: str | None = None) -> int:
    item.transfer(to_body=to, decided_on=on, minute="AM/7", reason=None, body=body(to, f"{to} Committee"),
                  actor=CLERK, at=AT, board=board)  # fmt: skip
    return item.version


def test_a_retracted_transfer_gives_the_item_back_to_its_body_under_the_name_its_history_had() -> None:
    item = made()
    before = copy.deepcopy(item.history)
    version = moved(item, "RES", date(2024, 6, 1), board="Budget and Growth Board")  # renamed since the meeting
    assert (item.history.body, item.history.board) == ("RES", "RES Committee")
    item.retract(version=version, position=9, reason="Recorded in error", actor=CLERK, at=LATER)
    assert (item.history.body, item.history.board, item.history.transfers) == ("BCSB", "Budget Scrutiny Board", [])
    (undone,) = item.history.retracted_transfers
    assert (undone.from_body, undone.to_body, undone.seq) == ("BCSB", "RES", version)
    assert replace(item.history, retracted_transfers=[]) == before  # as if it had never been recorded
    item.defer(until=None, reason="Awaiting costs", decided_on=date(2024, 6, 2), minute=None, actor=CLERK, at=LATER)
    assert item.history.decisions[-1].decided_by == "Budget Scrutiny Board"
    events = item.collect_events()
    retraction = events[-2]
    assert type(retraction) is Recommendation.TransferRetracted
    assert isinstance(retraction, Recommendation.Retracted)  # read as a retraction by all that reads one
    assert (retraction.from_body, retraction.to_body, retraction.fact) == ("BCSB", "RES", "Transferred")
    topic = get_topic(Recommendation.TransferRetracted)
    assert topic == "scrutiny_es.domain.model:Recommendation.TransferRetracted"
    assert resolve_topic(topic) is Recommendation.TransferRetracted
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed == item


def test_only_the_latest_transfer_is_retracted_and_then_the_one_before() -> None:
    item = made()
    first = moved(item, "RES", date(2024, 6, 1))
    later = moved(item, "PEOPLE", date(2024, 7, 1))
    with pytest.raises(LaterTransfer) as refused:
        item.retract(version=first, position=5, reason="r", actor=CLERK, at=LATER)
    assert str(refused.value) == (
        "position 5 transferred R1 to RES, which transferred it on to PEOPLE on 1 Jul 2024: "
        "retract that later transfer first"
    )
    assert (refused.value.field, refused.value.later) == ("position", later)
    assert str(refused.value.naming(8)).endswith("retract that later transfer (position 8) first")
    item.retract(version=later, position=8, reason="r", actor=CLERK, at=LATER)
    assert (item.history.body, item.history.board) == ("RES", "RES Committee")
    item.retract(version=first, position=5, reason="r", actor=CLERK, at=LATER)
    assert (item.history.body, item.history.made_by) == ("BCSB", "BCSB")
    with pytest.raises(CannotCorrect, match=r"^the fact at position 5 was already retracted$"):
        item.retract(version=first, position=5, reason="again", actor=CLERK, at=LATER)


def test_a_history_kept_before_transfers_kept_the_board_s_name_gives_back_the_name_that_decided_the_transfer() -> None:
    item = made()
    version = moved(item, "RES", date(2024, 6, 1), board="Budget and Growth Board")
    kept = json.loads(stored(item.history))
    for transfer in kept["transfers"]:
        del transfer["board_before"]
    del kept["retracted_transfers"]
    history = from_stored(json.dumps(kept))
    history.withdraw(version)
    assert (history.body, history.board) == ("BCSB", "Budget and Growth Board")
