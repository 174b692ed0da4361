"""The history of one item, folded from its events, and what the tracker and overdue list show of it.

The fold keeps every dated fact (with corrections applied to the fact they correct), so
the same history answers "now" and "as of any date": :func:`tracker_row` and
:func:`obligations` look only at facts effective on or before ``as_of``. The live
projections store this history per item; "as of" replays fold it in memory. Either way
it is one fold, so a rebuild equals the incremental result by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import TypeAdapter

from scrutiny_es.domain.model import Decision, Kind, Outcome, Rag, Recommendation
from scrutiny_es.projections.rows import Obligation, OverdueRow, Status, TrackerRow

DecisionKind = Literal["target_date_revised", "deferred", "reaffirmed", "escalated", "closed", "reopened"]
RETURNING: set[DecisionKind] = {"deferred", "reaffirmed", "escalated", "closed", "reopened"}
"""Board decisions that return to a deferred item (a response does too)."""


@dataclass(slots=True, kw_only=True)
class Fact:
    on: date
    seq: int
    """The event's place in the item's history, to order facts of the same day."""

    def order(self) -> tuple[date, int]:
        return self.on, self.seq


@dataclass(slots=True, kw_only=True)
class ReferralFact(Fact):
    response_due: date | None


@dataclass(slots=True, kw_only=True)
class ResponseFact(Fact):
    decision: Decision
    text: str
    responded_by: str
    target_date: date | None


@dataclass(slots=True, kw_only=True)
class ProgressFact(Fact):
    note: str
    rag: Rag | None


@dataclass(slots=True, kw_only=True)
class DecisionFact(Fact):
    what: DecisionKind
    target_date: date | None = None
    until: date | None = None
    outcome: Outcome | None = None


@dataclass(slots=True, kw_only=True)
class AddresseeFact:
    name: str
    kind: str
    role: str | None


@dataclass(slots=True, kw_only=True)
class ItemHistory:
    """Everything the tracker and the overdue list need to know of one item."""

    item_id: UUID
    body: str
    ref: str
    kind: Kind
    board: str
    meeting_date: date
    item: str
    minute: str | None
    text: str
    addressees: list[AddresseeFact]
    target_date: date | None
    referrals: dict[str, ReferralFact] = field(default_factory=dict)
    responses: dict[str, ResponseFact] = field(default_factory=dict)
    progress: list[ProgressFact] = field(default_factory=list)
    decisions: list[DecisionFact] = field(default_factory=list)


_STORED = TypeAdapter(ItemHistory)


def stored(history: ItemHistory) -> str:
    """The history as JSON, as the projections keep it."""
    return _STORED.dump_json(history).decode()


def from_stored(text: str | bytes) -> ItemHistory:
    return _STORED.validate_json(text)


def fold(history: ItemHistory | None, event: Any) -> ItemHistory | None:
    """The history after one more event (events of other aggregates leave it as it is)."""
    step = _STEPS.get(type(event))
    if step is None or (history is None and step is not _made):
        return history
    return step(history, event, event.originator_version)  # type: ignore[no-any-return]


def _made(_: ItemHistory | None, e: Recommendation.Made, __: int) -> ItemHistory:
    return ItemHistory(
        item_id=e.originator_id,
        body=e.body,
        ref=e.ref,
        kind=e.kind,
        board=e.decided_by,
        meeting_date=e.meeting_date,
        item=e.item,
        minute=e.minute,
        text=e.text,
        addressees=[AddresseeFact(name=a.name, kind=a.kind, role=a.role) for a in e.addressees],
        target_date=e.target_date,
    )


def _referred(h: ItemHistory, e: Recommendation.Referred, seq: int) -> ItemHistory:
    h.referrals[e.addressee] = ReferralFact(on=e.received_on, seq=seq, response_due=e.response_due)
    return h


def _responded(h: ItemHistory, e: Recommendation.ResponseRecorded, seq: int) -> ItemHistory:
    h.responses[e.addressee] = ResponseFact(
        on=e.responded_on, seq=seq, decision=e.decision, text=e.text, responded_by=e.responded_by,
        target_date=e.target_date,
    )  # fmt: skip
    return h


def _progress(h: ItemHistory, e: Recommendation.ProgressReported, seq: int) -> ItemHistory:
    h.progress.append(ProgressFact(on=e.reported_on, seq=seq, note=e.note, rag=e.rag))
    return h


def _decided(what: DecisionKind) -> Any:
    def step(h: ItemHistory, e: Any, seq: int) -> ItemHistory:
        h.decisions.append(
            DecisionFact(
                on=e.decided_on, seq=seq, what=what, target_date=getattr(e, "target_date", None),
                until=getattr(e, "until", None), outcome=getattr(e, "outcome", None),
            )
        )  # fmt: skip
        return h

    return step


def _corrected(h: ItemHistory, e: Recommendation.Corrected, _: int) -> ItemHistory:
    _correct(h, e.field, e.corrected_value, e.addressee)
    return h


_STEPS: dict[type, Any] = {
    Recommendation.Made: _made,
    Recommendation.Referred: _referred,
    Recommendation.ResponseRecorded: _responded,
    Recommendation.ProgressReported: _progress,
    Recommendation.TargetDateRevised: _decided("target_date_revised"),
    Recommendation.Deferred: _decided("deferred"),
    Recommendation.Reaffirmed: _decided("reaffirmed"),
    Recommendation.Escalated: _decided("escalated"),
    Recommendation.Closed: _decided("closed"),
    Recommendation.Reopened: _decided("reopened"),
    Recommendation.Corrected: _corrected,
}
"""How each kind of event changes an item's history; other events (a body's) change none."""


_FACT_DATES = {"referral.received_on", "response.responded_on"}


def _correct(history: ItemHistory, field: str, value: Any, addressee: str | None) -> None:
    group, _, name = field.rpartition(".")
    facts: dict[str, Any] = {"referral": history.referrals, "response": history.responses}
    target: Any = facts[group][addressee] if group else history
    setattr(target, "on" if field in _FACT_DATES else name, value)


def _known(facts: list[Any], as_of: date | None) -> list[Any]:
    """The facts effective on or before ``as_of``, in the order they took effect."""
    return sorted((f for f in facts if as_of is None or f.on <= as_of), key=Fact.order)


def tracker_row(history: ItemHistory, as_of: date | None = None) -> TrackerRow | None:
    """The item's tracker row as of a date (``None``: everything recorded); no row before its meeting."""
    fields = tracker_fields(history, as_of)
    return None if fields is None else TrackerRow(**fields)


def tracker_fields(history: ItemHistory, as_of: date | None = None) -> dict[str, Any] | None:
    """The fields of :func:`tracker_row`, as a dict (what the projection stores, as JSON)."""
    if as_of is not None and history.meeting_date > as_of:
        return None
    referrals = {a: f for a, f in history.referrals.items() if as_of is None or f.on <= as_of}
    responses = {a: f for a, f in history.responses.items() if as_of is None or f.on <= as_of}
    progress = _known(history.progress, as_of)
    decisions = _known(history.decisions, as_of)
    closure = _closure(decisions)
    awaited = [f.response_due for a, f in referrals.items() if a not in responses]
    status: Status
    if closure is not None:
        status = "closed"
    elif awaited:
        status = "awaiting_response"
    else:
        status = "responded" if responses else "made"
    verdicts = {f.decision for f in responses.values()}
    noted: list[tuple[tuple[date, int], str]] = [(f.order(), f.text) for f in responses.values()]
    noted += [(f.order(), f.note) for f in progress]
    rags = [f.rag for f in progress if f.rag is not None]
    changes = [history.meeting_date] + [f.on for f in [*referrals.values(), *responses.values(), *progress, *decisions]]
    return dict(
        body=history.body,
        ref=history.ref,
        kind=history.kind,
        meeting_date=history.meeting_date,
        item=history.item,
        minute=history.minute,
        text=history.text,
        addressees=[a.name for a in history.addressees],
        status=status,
        response=None if not verdicts else verdicts.pop() if len(verdicts) == 1 else "mixed",
        response_due=min((d for d in awaited if d is not None), default=None),
        target_date=_target_date(history, responses, decisions),
        rag=rags[-1] if rags else None,
        deferred_until=_deferred_until(decisions, responses),
        outcome=closure.outcome if closure else None,
        notes=max(noted)[1] if noted else None,
        last_changed_on=max(changes),
    )


def obligations(history: ItemHistory, as_of: date | None = None) -> list[Obligation]:
    """What is owed on the item and when each was met; a closure ends what is still open."""
    if as_of is not None and history.meeting_date > as_of:
        return []
    responses = {a: f for a, f in history.responses.items() if as_of is None or f.on <= as_of}
    decisions = _known(history.decisions, as_of)
    closure = _closure(decisions)
    closed_on = closure.on if closure else None
    owed: list[Obligation] = []

    def owe(reason: Any, responsible: list[str], due: date, met_on: date | None) -> None:
        owed.append(Obligation(history.body, history.ref, reason, responsible, due, met_on))

    for addressee, referral in history.referrals.items():
        if referral.response_due is not None and (as_of is None or referral.on <= as_of):
            response = responses.get(addressee)
            owe("response", [addressee], referral.response_due, response.on if response else closed_on)
    target = _target_date(history, responses, decisions)
    if target is not None:
        owe("target_date", [a.name for a in history.addressees], target, closed_on)
    returns = sorted([f.order() for f in decisions if f.what in RETURNING] + [f.order() for f in responses.values()])
    for deferral in decisions:
        if deferral.what == "deferred" and deferral.until is not None:
            later = [day for day, seq in returns if (day, seq) > deferral.order()]
            owe("deferral", [history.board], deferral.until, later[0] if later else None)
    return owed


def overdue_rows(owed: Iterable[Obligation], on: date) -> list[OverdueRow]:
    """The obligations overdue on a day, oldest first."""
    rows = [
        OverdueRow(
            body=o.body,
            ref=o.ref,
            reason=o.reason,
            due=o.due,
            days_overdue=(on - o.due).days,
            responsible=o.responsible,
        )
        for o in owed
        if o.overdue_on(on)
    ]
    return sorted(rows, key=lambda r: (r.due, r.body, r.ref, r.reason))


def _closure(decisions: list[DecisionFact]) -> DecisionFact | None:
    latest = [f for f in decisions if f.what in ("closed", "reopened")]
    return latest[-1] if latest and latest[-1].what == "closed" else None


def _target_date(
    history: ItemHistory, responses: dict[str, ResponseFact], decisions: list[DecisionFact]
) -> date | None:
    """The current agreed target date: the latest set, by the meeting, a response or a revision."""
    dated = [((history.meeting_date, 1), history.target_date)]
    dated += [(f.order(), f.target_date) for f in responses.values()]
    dated += [(f.order(), f.target_date) for f in decisions if f.what == "target_date_revised"]
    known = [(order, day) for order, day in dated if day is not None]
    return max(known)[1] if known else None


def _deferred_until(
    decisions: list[DecisionFact], responses: dict[str, ResponseFact]
) -> date | Literal["future meeting"] | None:
    deferrals = [f for f in decisions if f.what == "deferred"]
    if not deferrals:
        return None
    last = deferrals[-1]
    returned = any(f.order() > last.order() for f in decisions if f.what in RETURNING)
    if returned or any(f.order() > last.order() for f in responses.values()):
        return None
    return last.until or "future meeting"
