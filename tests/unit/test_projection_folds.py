"""The projections' fold logic, event by event: what the tracker, overdue list and audit trail make of each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body, Recommendation
from scrutiny_es.projections.audit import audit_entry
from scrutiny_es.projections.items import fold, obligations, overdue_rows, tracker_row
from tests.unit.test_recommendation import AT, BOARD, CLERK, LATER, made, respond

D = date


RECEIVED = D(2024, 2, 20)
EVENTS: dict[int, list[Any]] = {}
"""Every event each test item has recorded, in order."""


def history_of(item: Recommendation) -> ItemHistory:
    """Folds every event the item has recorded so far."""
    keep(item)
    history: ItemHistory | None = None
    for event in EVENTS[id(item)]:
        history = fold(history, event)
    assert history is not None
    return history


def refer(item: Recommendation, addressee: str = "Cabinet", received_on: date = RECEIVED) -> None:
    item.refer(addressee=addressee, received_on=received_on, body=BOARD, response_due=None, actor=CLERK, at=AT)


@pytest.fixture
def item() -> Recommendation:
    """A recommendation made on 15 Feb 2024 to Cabinet and the Director of Housing, with its events kept."""
    made_item = Recommendation.make(
        body=BOARD, ref="R1", kind="recommendation", meeting_date=D(2024, 2, 15), item="Fishing Policy", minute="12/24",
        text="That the Cabinet adopts a fishing policy.", addressees=made().addressees, target_date=None,
        actor=CLERK, at=AT,
    )  # fmt: skip
    EVENTS[id(made_item)] = list(made_item.collect_events())
    return made_item


def keep(item: Recommendation) -> None:
    EVENTS[id(item)].extend(item.collect_events())


def row(item: Recommendation, as_of: date | None = None) -> Any:
    return tracker_row(history_of(item), as_of)


def owed(item: Recommendation, as_of: date | None = None) -> list[tuple[str, date, date | None]]:
    return [(o.reason, o.due, o.met_on) for o in obligations(history_of(item), as_of)]


def test_made_shows_the_item_as_made(item: Recommendation) -> None:
    r = row(item)
    assert (r.body, r.ref, r.kind, r.meeting_date, r.minute) == (
        "BCSB",
        "R1",
        "recommendation",
        D(2024, 2, 15),
        "12/24",
    )
    assert (r.status, r.response, r.response_due, r.notes, r.last_changed_on) == (
        "made",
        None,
        None,
        None,
        D(2024, 2, 15),
    )
    assert r.addressees == ["Cabinet", "Director of Housing"]
    assert owed(item) == []


def test_referred_awaits_a_response_due_on_the_worked_out_day(item: Recommendation) -> None:
    refer(item)
    refer(item, "Director of Housing", D(2024, 2, 22))
    assert (row(item).status, row(item).response_due) == ("awaiting_response", D(2024, 4, 19))
    respond(item, responded_on=D(2024, 3, 1))
    assert (row(item).status, row(item).response_due) == ("awaiting_response", D(2024, 4, 21))
    assert [(o.reason, o.responsible, o.due) for o in obligations(history_of(item))] == [
        ("response", ["Cabinet"], D(2024, 4, 19)),
        ("response", ["Director of Housing"], D(2024, 4, 21)),
    ]


def test_response_recorded_sets_response_and_notes(item: Recommendation) -> None:
    item.refer(addressee="Cabinet", received_on=D(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    respond(item, responded_on=D(2024, 4, 25))
    r = row(item)
    assert (r.status, r.response, r.notes, r.response_due) == (
        "responded", "partially_accepted", "Cabinet accepts the policy in part.", None
    )  # fmt: skip
    assert owed(item) == [("response", D(2024, 4, 19), D(2024, 4, 25))]


def test_differing_responses_are_mixed(item: Recommendation) -> None:
    respond(item, responded_on=D(2024, 3, 1))
    item.record_response(addressee="Director of Housing", decision="rejected", text="No budget", responded_on=D(2024, 3, 2),
                         responded_by="Director", target_date=None, actor=CLERK, at=AT)  # fmt: skip
    assert (row(item).response, row(item).notes) == ("mixed", "No budget")


def test_progress_reported_sets_rag_and_notes_and_a_response_text_later_wins(item: Recommendation) -> None:
    item.report_progress(note="Consultation under way", reported_on=D(2024, 3, 14), reported_by="Officer", rag="amber",
                         actor=CLERK, at=AT)  # fmt: skip
    assert (row(item).rag, row(item).notes) == ("amber", "Consultation under way")
    item.report_progress(
        note="No change", reported_on=D(2024, 4, 11), reported_by="Officer", rag=None, actor=CLERK, at=AT
    )
    assert (row(item).rag, row(item).notes, row(item).last_changed_on) == ("amber", "No change", D(2024, 4, 11))


def test_target_date_revised_moves_the_target_and_the_overdue_date(item: Recommendation) -> None:
    item.record_response(addressee="Cabinet", decision="accepted", text="Agreed", responded_on=D(2024, 3, 1),
                         responded_by="Cabinet", target_date=D(2024, 6, 30), actor=CLERK, at=AT)  # fmt: skip
    assert row(item).target_date == D(2024, 6, 30)
    item.revise_target_date(target_date=D(2024, 9, 30), reason="Consultation extended", decided_by="Cllr Smith",
                            decided_on=D(2024, 6, 20), actor=CLERK, at=AT)  # fmt: skip
    assert row(item).target_date == D(2024, 9, 30)
    assert row(item, as_of=D(2024, 6, 1)).target_date == D(2024, 6, 30)
    assert ("target_date", D(2024, 9, 30), None) in owed(item)


def test_deferred_until_a_date_is_owed_until_the_board_returns(item: Recommendation) -> None:
    item.defer(until=D(2024, 4, 11), reason="Awaiting the regulator", decided_on=D(2024, 3, 14), minute="21/24",
               actor=CLERK, at=AT)  # fmt: skip
    assert row(item).deferred_until == D(2024, 4, 11)
    assert owed(item) == [("deferral", D(2024, 4, 11), None)]
    item.reaffirm(decided_on=D(2024, 5, 9), minute="30/24", note=None, actor=CLERK, at=AT)
    assert row(item).deferred_until is None
    assert owed(item) == [("deferral", D(2024, 4, 11), D(2024, 5, 9))]
    assert row(item, as_of=D(2024, 5, 1)).deferred_until == D(2024, 4, 11)


def test_deferred_to_a_future_meeting_owes_no_date(item: Recommendation) -> None:
    item.defer(until=None, reason="Later", decided_on=D(2024, 3, 14), minute=None, actor=CLERK, at=AT)
    assert row(item).deferred_until == "future meeting"
    assert owed(item) == []
    item.escalate(action="Call in the cabinet member", decided_on=D(2024, 4, 11), minute=None, actor=CLERK, at=AT)
    assert row(item).deferred_until is None


def test_a_response_returns_to_a_deferred_item(item: Recommendation) -> None:
    item.defer(until=None, reason="Awaiting Cabinet", decided_on=D(2024, 3, 14), minute=None, actor=CLERK, at=AT)
    respond(item, responded_on=D(2024, 3, 20))
    assert row(item).deferred_until is None


def test_closed_and_reopened(item: Recommendation) -> None:
    refer(item)
    item.close(outcome="no_longer_monitored", decided_on=D(2024, 3, 14), minute="22/24", note=None, actor=CLERK, at=AT)
    assert (row(item).status, row(item).outcome) == ("closed", "no_longer_monitored")
    item.reopen(reason="New complaints", decided_on=D(2024, 6, 1), minute=None, actor=CLERK, at=AT)
    assert (row(item).status, row(item).outcome) == ("awaiting_response", None)
    assert row(item, as_of=D(2024, 5, 1)).status == "closed"


def test_a_closure_ends_what_is_owed_and_a_reopening_restores_it(item: Recommendation) -> None:
    item.refer(addressee="Cabinet", received_on=D(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    item.close(outcome="withdrawn", decided_on=D(2024, 3, 14), minute=None, note=None, actor=CLERK, at=AT)
    assert owed(item) == [("response", D(2024, 4, 19), D(2024, 3, 14))]
    item.reopen(reason="r", decided_on=D(2024, 6, 1), minute=None, actor=CLERK, at=AT)
    assert owed(item) == [("response", D(2024, 4, 19), None)]


def test_corrected_changes_the_fact_and_its_date(item: Recommendation) -> None:
    item.refer(addressee="Cabinet", received_on=D(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    respond(item, responded_on=D(2024, 5, 1))
    item.correct(field="response.responded_on", value="2024-03-01", reason="Letter dated 1 March", addressee="Cabinet",
                 actor=CLERK, at=AT)  # fmt: skip
    item.correct(field="text", value="New wording", reason="Minutes", addressee=None, actor=CLERK, at=AT)
    assert row(item, as_of=D(2024, 4, 1)).status == "responded"
    assert row(item).text == "New wording"
    item.correct(
        field="referral.received_on", value="2024-02-22", reason="Stamp", addressee="Cabinet", actor=CLERK, at=AT
    )
    assert owed(item) == [("response", D(2024, 4, 21), D(2024, 3, 1))]


def test_nothing_shows_before_the_meeting(item: Recommendation) -> None:
    assert row(item, as_of=D(2024, 2, 14)) is None
    assert owed(item, as_of=D(2024, 2, 14)) == []


def test_overdue_means_past_the_last_permitted_day_until_met(item: Recommendation) -> None:
    item.refer(addressee="Cabinet", received_on=D(2024, 2, 20), body=BOARD, response_due=None, actor=CLERK, at=AT)
    respond(item, responded_on=D(2024, 5, 1))
    history = history_of(item)
    assert overdue_rows([history], D(2024, 4, 19)) == []  # the last permitted day
    (late,) = overdue_rows([history], D(2024, 4, 20))
    assert (late.reason, late.days_overdue, late.responsible) == ("response", 1, ["Cabinet"])
    assert (late.item, late.original_due) == ("Fishing Policy", D(2024, 4, 19))
    assert len(overdue_rows([history], D(2024, 5, 1))) == 0  # met that day


def test_audit_entries_say_what_happened_in_a_sentence(item: Recommendation) -> None:
    refer(item)
    item.record_response(addressee="Cabinet", decision="partially_accepted", text="In part", responded_on=D(2024, 4, 25),
                         responded_by="Cabinet", target_date=None, actor=CLERK, at=AT)  # fmt: skip
    item.report_progress(
        note="n", reported_on=D(2024, 5, 1), reported_by="Director of Housing", rag="red", actor=CLERK, at=AT
    )
    item.revise_target_date(target_date=D(2024, 9, 30), reason="Delay", decided_by="Cllr Smith", decided_on=D(2024, 5, 2),
                            actor=CLERK, at=AT)  # fmt: skip
    item.defer(until=None, reason="Awaiting data", decided_on=D(2024, 5, 9), minute="31/24", actor=CLERK, at=AT)
    item.reaffirm(decided_on=D(2024, 6, 6), minute=None, note=None, actor=CLERK, at=AT)
    item.escalate(action="Write to the chief executive.", decided_on=D(2024, 6, 6), minute=None, actor=CLERK, at=AT)
    item.close(outcome="partially_implemented", decided_on=D(2024, 7, 4), minute="40/24", note="Mostly done",
               actor=CLERK, at=LATER)  # fmt: skip
    item.reopen(reason="Complaints", decided_on=D(2024, 8, 1), minute=None, actor=CLERK, at=LATER)
    item.correct(field="kind", value="action", reason="It was an action", addressee=None, actor=CLERK, at=LATER)
    history_of(item)
    board = "Budget and Corporate Scrutiny Board"
    registered = Body.register(code="X", name="X Panel", council="Y", deadlines={}, actor=CLERK, at=AT).collect_events()
    audited, summaries = None, []
    for position, event in enumerate([*registered, *EVENTS[id(item)]], 1):
        audited, entry = audit_entry(audited, event, position)
        assert entry is not None and entry.position == position
        summaries.append((entry.event, entry.decided_by, entry.summary))
    assert summaries == [
        ("Registered", None, "Jo Clerk registered X Panel of Y."),
        ("Made", board, f"{board} made the recommendation at its meeting on 15 Feb 2024 (minute 12/24)."),
        ("Referred", None, "Cabinet received the recommendation on 20 Feb 2024; response due by 19 Apr 2024."),
        ("ResponseRecorded", "Cabinet", "Cabinet partially accepted the recommendation on 25 Apr 2024."),
        ("ProgressReported", None, "Director of Housing reported progress on 1 May 2024 (RAG red): n"),
        ("TargetDateRevised", "Cllr Smith", "Cllr Smith moved the target date to 30 Sep 2024 on 2 May 2024: Delay"),
        ("Deferred", board, f"{board} deferred the recommendation to a future meeting on 9 May 2024 (minute 31/24): Awaiting data"),
        ("Reaffirmed", board, f"{board} re-affirmed the recommendation on 6 Jun 2024."),
        ("Escalated", board, f"{board} escalated the recommendation on 6 Jun 2024: Write to the chief executive."),
        ("Closed", board, f"{board} closed the recommendation as partially implemented on 4 Jul 2024 (minute 40/24): Mostly done"),
        ("Reopened", board, f"{board} reopened the recommendation on 1 Aug 2024: Complaints"),
        ("Corrected", None, "Jo Clerk corrected the kind from “recommendation” to “action”: It was an action"),
    ]  # fmt: skip
    _, after = audit_entry(audited, EVENTS[id(item)][2], 99)
    assert after is not None and "the action" in after.summary


def test_events_of_an_item_never_made_are_ignored() -> None:
    item = made()
    respond(item)
    (event,) = item.collect_events()
    assert fold(None, event) is None
    assert audit_entry(None, event, 1) == (None, None)


def _event_classes(cls: type) -> list[type]:
    return [found for sub in cls.__subclasses__() for found in [sub, *_event_classes(sub)]]


def test_every_kind_of_item_event_has_its_sentence_in_the_audit_trail_and_its_fold() -> None:
    from scrutiny_es.domain.commands import ITEM_COMMANDS
    from scrutiny_es.projections.audit import _SUMMARIES

    recorded = [cls for cls in _event_classes(Recommendation.Event) if "class_version" in vars(cls)]  # ours, stored
    assert Recommendation.ReminderSent in recorded
    assert set(recorded) == set(_SUMMARIES)
    assert {cls.COMMAND for cls in recorded if cls is not Recommendation.Made} == {
        c.model_fields["command"].default for c in ITEM_COMMANDS
    }
    for cls in recorded:
        assert cls.fold is not Recommendation.Event.fold or cls is Recommendation.Made, cls.__name__
