"""The audit trail: one entry per event, with a sentence a councillor can read.

Entries never change once written, so the trail as of a date, or as known at a time,
is the trail filtered by ``effective_on`` and ``recorded_at``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from scrutiny_es.domain.model import Body, Kind, Recommendation, long_date


class AuditedItem(NamedTuple):
    """What an entry needs to know of the item an event belongs to."""

    body: str
    ref: str
    kind: Kind


class AuditEntry(NamedTuple):
    """An audit trail row as the projection writes it (the fields of ``rows.AuditRow``)."""

    body: str
    ref: str | None
    position: int
    event: str
    effective_on: date
    recorded_at: datetime
    actor: str
    decided_by: str | None
    summary: str


def audit_entry(item: AuditedItem | None, event: Any, position: int) -> tuple[AuditedItem | None, AuditEntry | None]:
    """The item as it stands after the event, and the event's audit entry."""
    if isinstance(event, Body.Registered):
        body, ref = event.code, None
        summary = f"{event.actor.name} registered {event.name} of {event.council}."
        decided_by = None
    else:
        if isinstance(event, Recommendation.Made):
            item = AuditedItem(event.body, event.ref, event.kind)
        if item is None:
            return None, None
        if isinstance(event, Recommendation.Corrected) and event.field == "kind":
            item = item._replace(kind=event.corrected_value)
        body, ref = item.body, item.ref
        summary = _summary(event, f"the {item.kind}")
        decided_by = _decided_by(event)
    actor = f"{event.actor.name} ({event.actor.role})"
    entry = AuditEntry(
        body, ref, position, type(event).__name__, event.effective_on, event.timestamp, actor, decided_by, summary
    )
    return item, entry


def _decided_by(event: Any) -> str | None:
    if isinstance(event, Recommendation.ResponseRecorded):
        return event.responded_by
    return getattr(event, "decided_by", None)


def _on(day: date) -> str:
    return long_date(day)


def _minute(event: Any) -> str:
    return f" (minute {event.minute})" if getattr(event, "minute", None) else ""


_VERBS = {"accepted": "accepted", "partially_accepted": "partially accepted", "rejected": "rejected", "noted": "noted"}


def _summary(event: Any, the_item: str) -> str:
    """One plain sentence saying what the event records."""
    match event:
        case Recommendation.Made():
            return f"{event.decided_by} made {the_item} at its meeting on {_on(event.meeting_date)}{_minute(event)}."
        case Recommendation.Referred():
            due = f"response due by {_on(event.response_due)}" if event.response_due else "no response deadline"
            return f"{event.addressee} received {the_item} on {_on(event.received_on)}; {due}."
        case Recommendation.ResponseRecorded():
            by = "" if event.responded_by == event.addressee else f" (response from {event.responded_by})"
            target = f", with a target date of {_on(event.target_date)}" if event.target_date else ""
            return f"{event.addressee} {_VERBS[event.decision]} {the_item} on {_on(event.responded_on)}{by}{target}."
        case Recommendation.ProgressReported():
            rag = f" (RAG {event.rag})" if event.rag else ""
            return f"{event.reported_by} reported progress on {_on(event.reported_on)}{rag}."
        case Recommendation.TargetDateRevised():
            return (
                f"{event.decided_by} moved the target date to {_on(event.target_date)} "
                f"on {_on(event.decided_on)}: {event.reason}"
            )
        case Recommendation.Deferred():
            until = f"until {_on(event.until)}" if event.until else "to a future meeting"
            when = f"on {_on(event.decided_on)}{_minute(event)}"
            return f"{event.decided_by} deferred {the_item} {until} {when}: {event.reason}"
        case Recommendation.Reaffirmed():
            return f"{event.decided_by} re-affirmed {the_item} on {_on(event.decided_on)}{_minute(event)}."
        case Recommendation.Escalated():
            return f"{event.decided_by} determined on {_on(event.decided_on)}{_minute(event)}: {event.action}"
        case Recommendation.Closed():
            outcome = event.outcome.replace("_", " ")
            return f"{event.decided_by} closed {the_item} as {outcome} on {_on(event.decided_on)}{_minute(event)}."
        case Recommendation.Reopened():
            return f"{event.decided_by} reopened {the_item} on {_on(event.decided_on)}{_minute(event)}: {event.reason}"
        case Recommendation.Corrected():
            whose = f" of {event.addressee}" if event.addressee else ""
            value = event.corrected_value
            value = _on(value) if isinstance(value, date) else value or "nothing"
            what = event.field.replace(".", " ").replace("_", " ")
            return f"{event.actor.name} corrected the {what}{whose} to “{value}”: {event.reason}"
    return f"{type(event).__name__} recorded."
