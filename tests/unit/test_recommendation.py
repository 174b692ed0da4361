"""The recommendation's rules: given its history, when a command, then events or a named error."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from scrutiny_es.domain.errors import (
    AlreadyReferred,
    AlreadyResponded,
    CannotCorrect,
    DateOutOfOrder,
    ItemClosed,
    ItemNotClosed,
    NotAnAddressee,
)
from scrutiny_es.domain.model import Actor, Addressee, Body, Recommendation, body_id, recommendation_id

AT = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2024, 9, 2, 17, 0, tzinfo=UTC)
CLERK = Actor("u1", "Jo Clerk", "scrutiny officer")
BOARD = Body.register(
    code="BCSB", name="Budget and Corporate Scrutiny Board", council="Sandwell", deadlines={}, actor=CLERK, at=AT
)


MADE: dict[str, Any] = {
    "body": BOARD,
    "ref": "R1",
    "kind": "recommendation",
    "meeting_date": date(2024, 2, 15),
    "item": "Fishing Policy",
    "minute": "12/24",
    "text": "That the Cabinet adopts a fishing policy for council lakes.",
    "addressees": [Addressee("Cabinet", "executive"), Addressee("Director of Housing", "officer")],
    "target_date": None,
    "actor": CLERK,
    "at": AT,
}


def made(**overrides: Any) -> Recommendation:
    item = Recommendation.make(**(MADE | overrides))
    item.collect_events()
    return item


def then(item: Recommendation) -> list[str]:
    return [type(event).__name__ for event in item.collect_events()]


def referred(item: Recommendation, addressee: str = "Cabinet", received_on: date = date(2024, 2, 20)) -> Recommendation:
    item.refer(addressee=addressee, received_on=received_on, body=BOARD, response_due=None, actor=CLERK, at=AT)
    item.collect_events()
    return item


def respond(item: Recommendation, responded_on: date = date(2024, 4, 10), addressee: str = "Cabinet") -> None:
    item.record_response(
        addressee=addressee,
        decision="partially_accepted",
        text="Cabinet accepts the policy in part.",
        responded_on=responded_on,
        responded_by="Cabinet",
        target_date=None,
        actor=CLERK,
        at=AT,
    )


def closed(item: Recommendation, on: date = date(2024, 3, 14)) -> Recommendation:
    item.close(outcome="implemented", decided_on=on, minute="20/24", note=None, actor=CLERK, at=AT)
    item.collect_events()
    return item


def test_making_records_who_decided_the_meeting_and_the_actor() -> None:
    item = Recommendation.make(
        body=BOARD,
        ref="R1",
        kind="action",
        meeting_date=date(2024, 2, 15),
        item="Item",
        minute=None,
        text="Text",
        addressees=[Addressee("Cabinet", "executive")],
        target_date=None,
        actor=CLERK,
        at=AT,
    )
    (event,) = item.collect_events()
    assert isinstance(event, Recommendation.Made)
    assert event.decided_by == "Budget and Corporate Scrutiny Board"
    assert event.effective_on == date(2024, 2, 15)
    assert event.actor == CLERK
    assert event.timestamp == AT
    assert event.originator_id == recommendation_id("BCSB", "R1")
    assert (event.originator_topic, event.originator_version) == (get_topic(Recommendation), 1)
    assert (item.id, item.version, item.created_on, item.modified_on) == (event.originator_id, 1, AT, AT)


def test_identities_are_the_ones_already_stored() -> None:
    assert body_id("BCSB") == UUID("aee9612f-90a7-5e69-b243-ffc1827f39e6")
    assert recommendation_id("BCSB", "R1") == UUID("dfec6653-a41a-5e9e-ad87-4d4c916fd37e")
    assert recommendation_id("BCSB", "2024-02-15/1") == UUID("21b880de-1aa5-55cf-a6f4-7567cae3a223")
    assert recommendation_id("Bø", "R/é 1") == UUID("219f0f3f-62ff-5b4c-abd6-f9478b97fad6")


def test_an_item_replayed_from_its_events_equals_the_item_that_recorded_them() -> None:
    item = Recommendation.make(**{**MADE, "target_date": date(2024, 9, 30)})
    item.refer(addressee="Cabinet", received_on=date(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    respond(item)
    item.report_progress(
        note="On track", reported_on=date(2024, 5, 1), reported_by="Officer", rag="amber", actor=CLERK, at=AT
    )
    item.revise_target_date(
        target_date=date(2024, 12, 1), reason="r", decided_by="Cllr", decided_on=date(2024, 5, 2), actor=CLERK, at=AT
    )
    item.defer(until=None, reason="r", decided_on=date(2024, 5, 3), minute=None, actor=CLERK, at=AT)
    item.reaffirm(decided_on=date(2024, 5, 4), minute=None, note=None, actor=CLERK, at=AT)
    item.escalate(action="Call in", decided_on=date(2024, 5, 5), minute=None, actor=CLERK, at=LATER)
    item.close(outcome="implemented", decided_on=date(2024, 6, 1), minute=None, note=None, actor=CLERK, at=LATER)
    item.reopen(reason="r", decided_on=date(2024, 6, 2), minute=None, actor=CLERK, at=LATER)
    item.correct(
        field="referral.received_on", value="2024-02-21", reason="r", addressee="Cabinet", actor=CLERK, at=LATER
    )
    events = item.collect_events()
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)  # eventsourcing's own checks and apply
    assert len(events) == 12
    assert replayed == item
    assert (item.version, item.modified_on) == (12, LATER)


def test_rejects_a_target_date_before_the_meeting() -> None:
    with pytest.raises(DateOutOfOrder, match=r"the target date \(1 Feb 2024\) is before the meeting"):
        made(target_date=date(2024, 2, 1))


def test_referral_works_out_the_response_deadline_from_the_body_policy() -> None:
    item = made()
    item.refer(addressee="Cabinet", received_on=date(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    (event,) = item.collect_events()
    assert isinstance(event, Recommendation.Referred)
    assert (event.response_due, event.period) == (date(2024, 4, 19), "2 months")


def test_referral_uses_a_local_period_set_by_the_body() -> None:
    body = Body.register(
        code="HSC", name="Health Scrutiny", council="C", deadlines={"nhs": "6 weeks"}, actor=CLERK, at=AT
    )
    item = made(body=body, addressees=[Addressee("Trust", "nhs")])
    item.refer(addressee="Trust", received_on=date(2024, 3, 1), body=body, response_due=None, actor=CLERK, at=AT)
    assert item.referrals["Trust"].response_due == date(2024, 4, 11)


def test_referral_takes_a_due_date_set_by_the_board_over_the_policy() -> None:
    item = made()
    item.refer(
        addressee="Cabinet",
        received_on=date(2024, 2, 20),
        body=BOARD,
        response_due=date(2024, 3, 30),
        actor=CLERK,
        at=AT,
    )
    referral = item.referrals["Cabinet"]
    assert (referral.on, referral.response_due, referral.period) == (date(2024, 2, 20), date(2024, 3, 30), None)


def test_rejects_a_referral_received_before_the_meeting() -> None:
    with pytest.raises(DateOutOfOrder, match=r"before the meeting \(15 Feb 2024\)"):
        referred(made(), received_on=date(2024, 2, 14))


def test_rejects_a_referral_to_someone_who_is_not_an_addressee() -> None:
    with pytest.raises(NotAnAddressee, match=r"Police is not an addressee of R1 \(its addressees: Cabinet, Director"):
        referred(made(), addressee="Police")


def test_rejects_a_second_referral_of_the_same_addressee() -> None:
    item = referred(made())
    with pytest.raises(AlreadyReferred, match="use correct"):
        referred(item)


def test_records_a_response() -> None:
    item = referred(made())
    respond(item)
    assert then(item) == ["ResponseRecorded"]
    assert item.responses["Cabinet"].decision == "partially_accepted"


def test_a_response_with_a_target_date_sets_the_target_date() -> None:
    item = referred(made())
    item.record_response(
        addressee="Cabinet",
        decision="accepted",
        text="Agreed",
        responded_on=date(2024, 3, 1),
        responded_by="Cllr Smith",
        target_date=date(2024, 9, 30),
        actor=CLERK,
        at=AT,
    )
    assert item.target_date == date(2024, 9, 30)


def test_rejects_a_response_before_its_referral() -> None:
    item = referred(made())
    with pytest.raises(DateOutOfOrder, match="before Cabinet received the item"):
        respond(item, responded_on=date(2024, 2, 19))


def test_rejects_a_response_from_someone_who_is_not_an_addressee() -> None:
    with pytest.raises(NotAnAddressee):
        respond(made(), addressee="Police")


def test_rejects_a_second_response_from_the_same_addressee() -> None:
    item = referred(made())
    respond(item)
    with pytest.raises(AlreadyResponded, match="use correct to amend the response"):
        respond(item)


def test_each_addressee_responds_on_their_own() -> None:
    item = referred(referred(made()), addressee="Director of Housing")
    respond(item)
    respond(item, addressee="Director of Housing")
    assert sorted(item.responses) == ["Cabinet", "Director of Housing"]


def test_rejects_a_response_after_closure() -> None:
    item = closed(referred(made()))
    with pytest.raises(ItemClosed, match="R1 was closed on 14 Mar 2024; reopen it first"):
        respond(item)


@pytest.mark.parametrize(
    "command",
    [
        lambda i: i.report_progress(
            note="n", reported_on=date(2024, 4, 1), reported_by="x", rag=None, actor=CLERK, at=AT
        ),
        lambda i: i.revise_target_date(
            target_date=date(2024, 9, 1), reason="r", decided_by="x", decided_on=date(2024, 4, 1), actor=CLERK, at=AT
        ),
        lambda i: i.defer(until=None, reason="r", decided_on=date(2024, 4, 1), minute=None, actor=CLERK, at=AT),
        lambda i: i.reaffirm(decided_on=date(2024, 4, 1), minute=None, note=None, actor=CLERK, at=AT),
        lambda i: i.escalate(action="a", decided_on=date(2024, 4, 1), minute=None, actor=CLERK, at=AT),
        lambda i: i.close(outcome="withdrawn", decided_on=date(2024, 4, 1), minute=None, note=None, actor=CLERK, at=AT),
        lambda i: i.refer(
            addressee="Director of Housing",
            received_on=date(2024, 4, 1),
            body=BOARD,
            response_due=None,
            actor=CLERK,
            at=AT,
        ),
    ],
)
def test_a_closed_item_takes_only_reopen_and_correct(command: Any) -> None:
    item = closed(made())
    with pytest.raises(ItemClosed):
        command(item)
    item.correct(field="text", value="Corrected wording", reason="typo", addressee=None, actor=CLERK, at=AT)
    item.reopen(reason="New evidence", decided_on=date(2024, 4, 1), minute=None, actor=CLERK, at=AT)
    assert then(item) == ["Corrected", "Reopened"]
    command(item)
    assert len(then(item)) == 1


def test_rejects_reopening_an_open_item() -> None:
    with pytest.raises(ItemNotClosed, match="R1 is not closed"):
        made().reopen(reason="r", decided_on=date(2024, 4, 1), minute=None, actor=CLERK, at=AT)


def test_rejects_reopening_before_the_closure() -> None:
    item = closed(made())
    with pytest.raises(DateOutOfOrder, match="the date of reopening"):
        item.reopen(reason="r", decided_on=date(2024, 3, 13), minute=None, actor=CLERK, at=AT)


def test_rejects_a_closure_before_the_meeting() -> None:
    with pytest.raises(DateOutOfOrder, match="the closure date"):
        closed(made(), on=date(2024, 2, 14))


@pytest.mark.parametrize(
    "command",
    [
        lambda i: i.report_progress(
            note="n", reported_on=date(2024, 2, 1), reported_by="x", rag="red", actor=CLERK, at=AT
        ),
        lambda i: i.revise_target_date(
            target_date=date(2024, 9, 1), reason="r", decided_by="x", decided_on=date(2024, 2, 1), actor=CLERK, at=AT
        ),
        lambda i: i.revise_target_date(
            target_date=date(2024, 2, 1), reason="r", decided_by="x", decided_on=date(2024, 3, 1), actor=CLERK, at=AT
        ),
        lambda i: i.defer(until=None, reason="r", decided_on=date(2024, 2, 1), minute=None, actor=CLERK, at=AT),
        lambda i: i.defer(
            until=date(2024, 3, 1), reason="r", decided_on=date(2024, 3, 2), minute=None, actor=CLERK, at=AT
        ),
        lambda i: i.reaffirm(decided_on=date(2024, 2, 1), minute=None, note=None, actor=CLERK, at=AT),
        lambda i: i.escalate(action="a", decided_on=date(2024, 2, 1), minute=None, actor=CLERK, at=AT),
    ],
)
def test_rejects_a_decision_dated_before_the_meeting_or_a_deferral_to_an_earlier_date(command: Any) -> None:
    with pytest.raises(DateOutOfOrder):
        command(made())


def test_board_decisions_are_decided_by_the_board() -> None:
    item = made()
    item.defer(
        until=None, reason="Awaiting the regulator", decided_on=date(2024, 3, 14), minute="21/24", actor=CLERK, at=AT
    )
    (event,) = item.collect_events()
    assert isinstance(event, Recommendation.Deferred)
    assert (event.decided_by, event.minute, event.until) == ("Budget and Corporate Scrutiny Board", "21/24", None)


def test_correction_keeps_the_original_and_changes_the_fact() -> None:
    item = referred(made())
    respond(item)
    item.collect_events()
    item.correct(
        field="response.decision",
        value="accepted",
        reason="Minutes say accepted",
        addressee="Cabinet",
        actor=CLERK,
        at=AT,
    )
    (event,) = item.collect_events()
    assert isinstance(event, Recommendation.Corrected)
    assert (event.field, event.value, event.fact_date) == ("response.decision", "accepted", date(2024, 4, 10))
    assert item.responses["Cabinet"].decision == "accepted"


def test_correcting_the_date_of_receipt_moves_a_worked_out_deadline() -> None:
    item = referred(made())
    item.correct(
        field="referral.received_on", value="2024-02-22", reason="Date stamp", addressee="Cabinet", actor=CLERK, at=AT
    )
    _, second = item.collect_events()
    assert isinstance(second, Recommendation.Corrected)
    assert (second.field, second.value, second.corrected_value) == (
        "referral.response_due",
        "2024-04-21",
        date(2024, 4, 21),
    )
    assert item.referrals["Cabinet"].response_due == date(2024, 4, 21)


@pytest.mark.parametrize(
    ("field", "value", "addressee", "message"),
    [
        ("status", "closed", None, '"status" cannot be corrected; the fields that can are: kind, item'),
        ("ref", "R2", None, '"ref" cannot be corrected'),
        ("meeting_date", "15/02/2024", None, "meeting_date takes a date written YYYY-MM-DD"),
        ("kind", "motion", None, "kind must be one of recommendation, action"),
        ("item", " ", None, "item takes text that is not blank"),
        ("text", None, None, "text cannot be corrected to nothing"),
        ("response.text", "New", None, "must name the addressee"),
        ("response.text", "New", "Cabinet", "Cabinet has not responded to R1"),
        ("referral.received_on", "2024-02-20", "Director of Housing", "has not been referred to Director of Housing"),
        ("response.decision", "declined", "Cabinet", "response.decision must be one of accepted"),
    ],
)
def test_rejects_a_correction_of_a_field_that_cannot_be_corrected(
    field: str, value: Any, addressee: str | None, message: str
) -> None:
    item = referred(made())
    with pytest.raises(CannotCorrect, match=message):
        item.correct(field=field, value=value, reason="r", addressee=addressee, actor=CLERK, at=AT)


def test_rejects_a_correction_that_puts_dates_out_of_order() -> None:
    item = referred(made())
    respond(item, responded_on=date(2024, 3, 1))
    with pytest.raises(DateOutOfOrder, match=r"meeting date 2 Mar 2024 would come after 20 Feb 2024"):
        item.correct(field="meeting_date", value="2024-03-02", reason="r", addressee=None, actor=CLERK, at=AT)
    with pytest.raises(DateOutOfOrder, match="the response date"):
        item.correct(
            field="referral.received_on", value="2024-03-02", reason="r", addressee="Cabinet", actor=CLERK, at=AT
        )
    with pytest.raises(DateOutOfOrder, match="before Cabinet received the item"):
        item.correct(
            field="response.responded_on", value="2024-02-19", reason="r", addressee="Cabinet", actor=CLERK, at=AT
        )
