"""An auditor's questions of a year of one item's history, on SQLite and on PostgreSQL: what the tracker said at a
meeting (as of), what was known at a moment (as known at), who decided what and when (the audit trail), and the
whole story of the item (its card). The history uses every kind of command, every correctable field and a
retraction of each kind of fact, a transfer's among them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, NewDatabase, command, make, register

Step = Callable[[dict[str, int]], dict[str, Any]]

TYPED = "Typed wrongly"


def _correct(field: str, value: Any, *, at: str | None = None, body: str = "BCSB", **more: Any) -> Step:
    def step(done: dict[str, int]) -> dict[str, Any]:
        where = {} if at is None else {"position": done[at]}
        return command("correct", body=body, ref="R1", field=field, value=value, reason=TYPED, **where, **more)

    return step


def _retract(name: str, body: str = "BCSB") -> Step:
    return lambda done: command("retract", body=body, ref="R1", position=done[name], reason="Recorded in error")


def _given(made: dict[str, Any]) -> Step:
    return lambda _: made


def item_command(name: str, **fields: Any) -> Step:
    return _given(command(name, ref="R1", **fields))


CABINET = {"addressee": "Cabinet"}
STORY: list[tuple[str, datetime | None, Step]] = [
    ("registered", datetime(2024, 3, 12, 9, tzinfo=UTC), _given(register())),
    ("res", None, _given(register("RES", name="Resources Committee"))),
    ("made", None, _given(make("R1", minute="BC/12", target_date="2024-09-30"))),
    ("referred", None, item_command("refer", addressee="Cabinet", received_on="2024-02-20")),
    ("referred_dir", None, item_command("refer", addressee="Director of Housing", received_on="2024-02-21")),
    ("extended", None, item_command("extend_response_deadline", addressee="Director of Housing",
                                    response_due="2024-05-30", reason="Awaiting a survey", agreed_by="Chair",
                                    decided_on="2024-03-01")),
    ("responded", None, item_command("record_response", addressee="Cabinet", decision="partially_accepted",
                                     text="Agreed in part", responded_on="2024-03-05", responded_by="Cllr Smith",
                                     target_date="2024-10-31")),
    ("progress", None, item_command("report_progress", note="Survey begun", reported_on="2024-03-10", rag="amber",
                                    reported_by="Director of Housing")),
    ("progress_twice", datetime(2024, 3, 14, 7, tzinfo=UTC),
     item_command("report_progress", note="Survey begun", reported_on="2024-03-11", reported_by="Director of Housing")),
    ("revised", None, item_command("revise_target_date", target_date="2024-12-31", reason="The survey is late",
                                   decided_by="Budget and Corporate Scrutiny Board", decided_on="2024-03-14")),
    ("deferred", None, item_command("defer", until="2024-04-30", reason="Awaiting costs", decided_on="2024-03-14",
                                    minute="BC/20")),
    ("reaffirmed", None, item_command("reaffirm", decided_on="2024-03-14", minute="BC/21", note="Still wanted")),
    ("escalated", None, item_command("escalate", action="Report to Cabinet", decided_on="2024-03-14",
                                     minute="BC/22")),
    ("added", None, item_command("add_addressee", addressee={"name": "West Midlands Police", "kind": "partner"},
                                 decided_on="2024-03-14", reason="The police patrol the lakes")),
    ("replaced", datetime(2024, 4, 1, 9, tzinfo=UTC),
     item_command("replace_addressee", addressee="Director of Housing", reason="The lakes moved to Communities",
                  successor={"name": "Director of Communities", "kind": "officer"}, decided_on="2024-04-01")),
    ("removed", None, item_command("remove_addressee", addressee="West Midlands Police", reason="Not theirs",
                                   decided_on="2024-04-01")),
    ("successor_received", None, _correct("referral.received_on", "2024-02-22", addressee="Director of Communities")),
    ("proposed", None, item_command("propose_closure", outcome="implemented", proposed_by="Director of Communities",
                                    proposed_on="2024-04-01", note="Policy adopted")),
    ("closed", None, item_command("close", outcome="implemented", decided_on="2024-04-01", minute="BC/30",
                                  note="Policy adopted")),
    ("reopened", None, item_command("reopen", reason="The policy is not published", decided_on="2024-04-01",
                                    minute="BC/31")),
    ("reminded", None, item_command("record_reminder", person="Director of Communities", sent_on="2024-04-01",
                                    about=[{"reason": "response", "due": "2024-04-20"}])),
    ("kind", None, _correct("kind", "action")),
    ("item", None, _correct("item", "Fishing")),
    ("text", None, _correct("text", "That the Cabinet adopts a policy.")),
    ("minute", None, _correct("minute", "BC/13")),
    ("meeting_date", None, _correct("meeting_date", "2024-02-14")),
    ("target_date", None, _correct("target_date", "2024-09-29")),
    ("exempt", None, _correct("exempt", "3")),
    ("public", None, _correct("exempt", None)),
    ("received_on", None, _correct("referral.received_on", "2024-02-19", **CABINET)),
    ("response_due", None, _correct("referral.response_due", "2024-04-20", **CABINET)),
    ("decision", None, _correct("response.decision", "accepted", **CABINET)),
    ("response_text", None, _correct("response.text", "Agreed", **CABINET)),
    ("responded_on", None, _correct("response.responded_on", "2024-03-06", **CABINET)),
    ("responded_by", None, _correct("response.responded_by", "Cllr Jones", **CABINET)),
    ("response_target", None, _correct("response.target_date", "2024-11-30", **CABINET)),
    ("note", None, _correct("progress.note", "Survey begun at the lakes", at="progress")),
    ("reported_on", None, _correct("progress.reported_on", "2024-03-09", at="progress")),
    ("reported_by", None, _correct("progress.reported_by", "Head of Parks", at="progress")),
    ("rag", None, _correct("progress.rag", "red", at="progress")),
    ("decided_on", None, _correct("decision.decided_on", "2024-03-13", at="deferred")),
    ("decision_minute", None, _correct("decision.minute", "BC/19", at="deferred")),
    ("reason", None, _correct("decision.reason", "Not published", at="reopened")),
    ("until", None, _correct("decision.until", "2024-05-01", at="deferred")),
    ("action", None, _correct("decision.action", "Report to Council", at="escalated")),
    ("outcome", None, _correct("decision.outcome", "partially_implemented", at="closed")),
    ("closing_note", None, _correct("decision.note", "Adopted in part", at="closed")),
    ("revised_to", None, _correct("decision.target_date", "2024-12-30", at="revised")),
    ("retract_progress", None, _retract("progress_twice")),
    ("retract_reaffirmed", None, _retract("reaffirmed")),
    ("retract_extended", None, _retract("extended")),
    ("scheduled", datetime(2024, 5, 10, 9, tzinfo=UTC),
     _given(command("schedule_meeting", meeting_date="2024-06-01", name="June"))),
    ("cancelled", None, _given(command("cancel_meeting", meeting_date="2024-06-01", reason="No quorum"))),
    ("transfer", None, item_command("transfer", to_body="RES", decided_on="2024-04-02", minute="AM/7",
                                    reason="The remit moved")),
    ("transfer_on", None, _correct("transfer.decided_on", "2024-04-03", at="transfer", body="RES")),
    ("transfer_minute", None, _correct("transfer.minute", "AM/8", at="transfer", body="RES")),
    ("retract_transfer", None, _retract("transfer", body="RES")),
    ("transfer_again", None, item_command("transfer", to_body="RES", decided_on="2024-04-05", minute="AM/9",
                                          reason="The remit moved")),
    ("transfer_again_minute", None, _correct("transfer.minute", "AM/10", at="transfer_again", body="RES")),
    ("renamed", None, _given(command("rename_body", name="Budget Board", **{"from": "2024-05-01"}))),
    ("dissolved", None, _given(command("dissolve_body", decided_on="2024-05-02", successor="RES"))),
]  # fmt: skip
"""Each step: its name, the time the clerk sits down to it (else an hour after the step before), the command."""


def tell(app: Scrutiny, clock: FixedClock, until: datetime | None = None) -> dict[str, int]:
    """Records the story (the steps recorded by ``until``, where given); each step's audit position, by name."""
    done: dict[str, int] = {}
    for name, sits, step in STORY:
        at = sits or clock.time + timedelta(hours=1)
        if until is not None and at > until:
            break
        clock.time = at
        receipt = app.execute(step(done))
        assert receipt.position is not None, name
        done[name] = receipt.position
    return done


@pytest.fixture
def told(app: Scrutiny, clock: FixedClock) -> dict[str, int]:
    return tell(app, clock)


def test_every_audit_sentence_names_who_what_and_when_in_a_clerks_words(app: Scrutiny, told: dict[str, int]) -> None:
    trail = app.audit()
    assert [entry.position for entry in trail] == list(range(1, len(trail) + 1))
    for entry in trail:
        said = entry.summary
        assert not re.search(r"\d{4}-\d\d-\d\d", said), said  # dates as "14 Mar 2024"
        assert not re.search(r"\b(None|True|False|[a-z]+_[a-z_]+|[a-z]+\.[a-z_]+|Recommendation)\b", said), said
        assert "an earlier value" not in said, said  # every correction here kept the value it replaced
        assert entry.actor == "Jo Clerk (scrutiny officer)"
    summary = {name: trail[position - 1].summary for name, position in told.items()}
    assert summary["exempt"] == (
        "Jo Clerk corrected the exempt paragraph (Schedule 12A) from nothing to “3”: Typed wrongly"
    )
    assert summary["outcome"].endswith("from “implemented” to “partially implemented”: Typed wrongly")
    assert summary["retract_transfer"] == (
        f"Jo Clerk retracted the transfer to RES at position {told['transfer']}: Recorded in error"
    )
    assert "14 Mar 2024" in summary["escalated"] and "escalated" in summary["escalated"]
    assert summary["reminded"] == (
        "Reminder sent to Director of Communities about the recommendation on 1 Apr 2024: the response due 20 Apr 2024."
    )


def test_the_card_and_the_audit_trail_agree_on_every_fact_and_whether_it_stands(
    app: Scrutiny, told: dict[str, int]
) -> None:
    card = app.item("RES", "R1")
    trail = {entry.position: entry for entry in app.audit(ref="R1")}
    for fact in card:  # the card's entries are the audit trail's, on the day the fact stands on
        entry = trail[fact.position]
        assert (fact.event, fact.recorded_at, fact.summary) == (entry.event, entry.recorded_at, entry.summary)
    status = {fact.position: fact.status for fact in card}
    retracted = {told[n] for n in ("progress_twice", "reaffirmed", "extended", "transfer")}
    corrected = {told[n] for n in ("made", "referred", "referred_dir", "responded", "progress", "deferred", "escalated", "closed",
                                   "reopened", "revised", "transfer_again")}  # fmt: skip
    assert {p for p, s in status.items() if s == "retracted"} == retracted
    assert {p for p, s in status.items() if s == "corrected"} == corrected
    assert set(status) - retracted - corrected == {p for p, s in status.items() if s == "in force"}
    words = {fact.position: fact.text for fact in card}
    assert words[told["transfer_again"]] == "The remit moved"  # a transfer's words are its reason
    assert words[told["retract_transfer"]] == "Recorded in error"
    assert [f.event for f in card if f.position == told["retract_transfer"]] == ["TransferRetracted"]


def test_the_audit_trail_of_an_item_a_body_took_over_is_found_by_that_body_and_the_ref(
    app: Scrutiny, told: dict[str, int]
) -> None:
    trail = app.audit(body="BCSB", ref="R1")  # its entries stay in the trail of the body that made it
    assert app.audit(body="RES", ref="R1") == trail  # and the body that holds it now names it as a command does
    assert [entry.event for entry in trail][-2:] == ["Transferred", "Corrected"]
    assert app.audit(body="RES", ref="R1", as_of=date(2024, 3, 14)) == app.audit(ref="R1", as_of=date(2024, 3, 14))


def test_the_card_shows_each_fact_on_its_day_as_corrected_with_what_put_it_right_beside_it(
    app: Scrutiny, told: dict[str, int]
) -> None:
    card = app.item("RES", "R1")
    at = {fact.position: (i, fact.effective_on) for i, fact in enumerate(card)}
    made, meeting_date = at[told["made"]], at[told["meeting_date"]]
    assert made[1] == meeting_date[1] == date(2024, 2, 14) and made[0] < meeting_date[0]
    beside = [fact.position for fact in card][at[told["progress"]][0] :][:5]
    assert beside == [told[n] for n in ("progress", "note", "reported_on", "reported_by", "rag")]
    assert at[told["progress"]][1] == date(2024, 3, 9)  # reported on 10 March, corrected to 9 March
    assert at[told["retract_transfer"]][1] == at[told["transfer"]][1] == date(2024, 4, 3)
    on_the_14th = app.item("BCSB", "R1", as_of=date(2024, 2, 14))  # the day the board met, as corrected
    assert next(fact.position for fact in on_the_14th) == told["made"]
    (row,) = app.tracker(body="BCSB", as_of=date(2024, 3, 5))
    assert row.response is None  # Cabinet's response was on 6 March, as corrected: so says the card
    assert "ResponseRecorded" not in [f.event for f in app.item("BCSB", "R1", as_of=date(2024, 3, 5))]
    assert "ResponseRecorded" in [f.event for f in app.item("BCSB", "R1", as_of=date(2024, 3, 6))]


MOMENTS = [
    datetime(2024, 3, 14, 9, 20, tzinfo=UTC),  # at the meeting of 14 March 2024
    datetime(2024, 4, 1, 13, 30, tzinfo=UTC),  # closed, not yet reopened
    datetime(2024, 4, 2, 19, 30, tzinfo=UTC),  # a progress report and a re-affirmation retracted
    datetime(2024, 5, 10, 13, 30, tzinfo=UTC),  # transferred, the transfer corrected
    datetime(2024, 5, 10, 15, 30, tzinfo=UTC),  # the transfer retracted
]


def reports_now(app: Scrutiny, body: str) -> tuple[Any, ...]:
    return app.tracker(body=body), app.overdue(body=body), app.audit(body=body), app.audit(ref="R1")


def reports_known_at(app: Scrutiny, body: str, moment: datetime) -> tuple[Any, ...]:
    return (app.tracker(body=body, as_known_at=moment), app.overdue(body=body, as_known_at=moment),
            app.audit(body=body, as_known_at=moment), app.audit(ref="R1", as_known_at=moment))  # fmt: skip


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.strftime("%d%b-%H%M") for m in MOMENTS])
def test_what_was_known_at_a_moment_is_what_a_record_of_only_the_commands_given_by_then_shows(
    app: Scrutiny, told: dict[str, int], new_database: NewDatabase, moment: datetime
) -> None:
    then = FixedClock()
    with new_database() as url, _opened(url, then) as only_then:
        tell(only_then, then, until=moment)
        then.time = moment
        for body in ("BCSB", "RES"):
            assert reports_known_at(app, body, moment) == reports_now(only_then, body), body
        holder = "RES" if only_then.tracker(body="RES") else "BCSB"
        assert app.item(holder, "R1", as_known_at=moment) == only_then.item(holder, "R1")


@pytest.mark.parametrize("day", [date(2024, 3, 14), date(2024, 4, 1), date(2024, 4, 3), date(2024, 4, 30)])
def test_the_tracker_as_of_a_day_from_the_read_models_is_the_fold_of_every_event(
    app: Scrutiny, told: dict[str, int], clock: FixedClock, day: date
) -> None:
    folded = clock.time  # as known now: each item's events folded afresh rather than read from the read models
    for body in ("BCSB", "RES"):
        assert app.tracker(body=body, as_of=day) == app.tracker(body=body, as_of=day, as_known_at=folded)
        assert app.overdue(body=body, as_of=day) == app.overdue(body=body, as_of=day, as_known_at=folded)
    assert app.item("RES", "R1", as_of=day) == app.item("RES", "R1", as_of=day, as_known_at=folded)
    assert app.audit(as_of=day) == app.audit(as_of=day, as_known_at=folded)


class _opened:
    """A second record, closed after use."""

    def __init__(self, url: str, clock: FixedClock) -> None:
        self.app = Scrutiny(url, clock=clock)

    def __enter__(self) -> Scrutiny:
        return self.app

    def __exit__(self, *_: object) -> None:
        self.app.close()


def test_the_audit_trail_of_a_bodys_own_item_is_its_own_though_it_now_holds_another_with_the_ref(
    app: Scrutiny, clock: FixedClock
) -> None:
    for code in ("BCSB", "RES", "PEOPLE"):
        app.execute(register(code, name=f"{code} Committee"))
    app.execute(make("R1"))
    app.execute(make("R1", body="PEOPLE"))
    app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-03-14"))
    app.execute(command("transfer", body="PEOPLE", ref="R1", to_body="BCSB", decided_on="2024-03-14"))
    own = app.audit(body="BCSB", ref="R1")
    assert [(entry.body, entry.event) for entry in own] == [("BCSB", "Made"), ("BCSB", "Transferred")]
    assert app.audit(body="RES", ref="R1") == own  # the body it went to names it by the ref
