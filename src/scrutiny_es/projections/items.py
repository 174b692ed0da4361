"""What the tracker and the overdue list show of an item's history, as of any date.

The history (``scrutiny_es.domain.history``) keeps every dated fact, with corrections
applied to the fact they correct, so the same history answers "now" and "as of any
date": :func:`tracker_row` and :func:`obligations` look only at facts effective on or
before ``as_of``. The live read models store this history per item; "as of" replays fold
it in memory. Either way it is one fold, so a rebuild equals the incremental result by
construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from operator import attrgetter
from typing import Any, Literal

from pydantic import TypeAdapter

from scrutiny_es.domain.history import (
    RETURNING,
    DecisionFact,
    ItemHistory,
    ResponseFact,
    closure,
    current_target_date,
    known,
)
from scrutiny_es.domain.model import Recommendation
from scrutiny_es.projections.rows import ItemStatus, Obligation, OverdueReason, OverdueRow, TrackerRow


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def stored(history: ItemHistory) -> str:
    """The history as JSON, as the read models keep it."""
    return _adapter(ItemHistory).dump_json(history).decode()


def from_stored(text: str | bytes) -> ItemHistory:
    return _adapter(ItemHistory).validate_json(text)  # type: ignore[no-any-return]


def fold(history: ItemHistory | None, event: Any) -> ItemHistory | None:
    """The history after one more event (events of other aggregates leave it as it is)."""
    if history is None:
        return event.history() if type(event) is Recommendation.Made else None
    step = getattr(event, "fold", None)  # a body's events have none
    if step is not None:
        step(history)
    return history


def tracker_row(history: ItemHistory, as_of: date | None = None) -> TrackerRow | None:
    """The item's tracker row as of a date (``None``: everything recorded); no row before its meeting."""
    fields = tracker_fields(history, as_of)
    return None if fields is None else TrackerRow(**fields)


def tracker_json(history: ItemHistory) -> str | None:
    """The item's live tracker row as JSON, as the tracker table keeps it."""
    fields = tracker_fields(history)
    return None if fields is None else _adapter(dict[str, Any]).dump_json(fields).decode()


def tracker_from_json(text: str | bytes) -> TrackerRow:
    return _adapter(TrackerRow).validate_json(text)  # type: ignore[no-any-return]


def tracker_fields(history: ItemHistory, as_of: date | None = None) -> dict[str, Any] | None:
    """The fields of :func:`tracker_row`, as a dict."""
    if as_of is not None and history.meeting_date > as_of:
        return None
    referrals = {a: f for a, f in history.referrals.items() if as_of is None or f.on <= as_of}
    responses = {a: f for a, f in history.responses.items() if as_of is None or f.on <= as_of}
    progress = known(history.progress, as_of)
    decisions = known(history.decisions, as_of)
    closed = closure(decisions)
    awaited = [f.response_due for a, f in referrals.items() if a not in responses]
    status: ItemStatus
    if closed is not None:
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
        target_date=current_target_date(history, responses, decisions),
        rag=rags[-1] if rags else None,
        deferred_until=_deferred_until(decisions, responses),
        outcome=closed.outcome if closed else None,
        notes=max(noted)[1] if noted else None,
        last_changed_on=max(changes),
    )


def obligations(history: ItemHistory, as_of: date | None = None) -> list[Obligation]:
    """What is owed on the item and when each was met; a closure ends what is still open."""
    if as_of is not None and history.meeting_date > as_of:
        return []
    responses = {a: f for a, f in history.responses.items() if as_of is None or f.on <= as_of}
    decisions = known(history.decisions, as_of)
    closed = closure(decisions)
    closed_on = closed.on if closed else None
    owed: list[Obligation] = []

    def owe(reason: OverdueReason, responsible: list[str], due: date, met_on: date | None) -> None:
        owed.append(Obligation(history.body, history.ref, reason, responsible, due, met_on))

    for addressee, referral in history.referrals.items():
        if referral.response_due is not None and (as_of is None or referral.on <= as_of):
            response = responses.get(addressee)
            owe("response", [addressee], referral.response_due, response.on if response else closed_on)
    target = current_target_date(history, responses, decisions)
    if target is not None:
        owe("target_date", [a.name for a in history.addressees], target, closed_on)
    returns = sorted([f.order() for f in decisions if f.what in RETURNING] + [f.order() for f in responses.values()])
    for deferral in decisions:
        if deferral.what == "deferred" and deferral.until is not None:
            later = [day for day, seq in returns if (day, seq) > deferral.order()]
            owe("deferral", [history.board], deferral.until, later[0] if later else None)
    return owed


OVERDUE_ORDER = ("due", "body", "ref", "reason")
"""The overdue list's order, oldest first; rows alike in these are one item's, in the order it owes them."""


def overdue_row(body: str, ref: str, reason: OverdueReason, due: date, responsible: list[str], on: date) -> OverdueRow:
    """An obligation's row in the overdue list of day ``on``."""
    return OverdueRow(body=body, ref=ref, reason=reason, due=due, days_overdue=(on - due).days, responsible=responsible)


def overdue_rows(owed: Iterable[Obligation], on: date) -> list[OverdueRow]:
    """The obligations overdue on a day, in the overdue list's order."""
    rows = [overdue_row(o.body, o.ref, o.reason, o.due, o.responsible, on) for o in owed if o.overdue_on(on)]
    return sorted(rows, key=attrgetter(*OVERDUE_ORDER))


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
