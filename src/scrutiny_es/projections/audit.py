"""The audit trail: one entry per event, with a sentence a councillor can read.

Entries never change once written, so the trail as of a date, or as known at a time,
is the trail filtered by ``effective_on`` and ``recorded_at``.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any, NamedTuple

from scrutiny_es.domain.dates import ISO_DATE, long_date
from scrutiny_es.domain.model import Body, Kind, Recommendation
from scrutiny_es.domain.seal import Seal
from scrutiny_es.projections.rows import AuditRow


class AuditedItem(NamedTuple):
    """What an entry needs to know of the item an event belongs to."""

    body: str
    ref: str
    kind: Kind


def audit_entry(item: AuditedItem | None, event: Any, position: int) -> tuple[AuditedItem | None, AuditRow | None]:
    """The item as it stands after the event, and the event's audit entry."""
    item, values = audit_values(item, event, position)
    return item, None if values is None else AuditRow(**dict(zip(AUDIT_FIELDS, values, strict=True)))


AUDIT_FIELDS = tuple(field.name for field in fields(AuditRow))
"""An audit entry's fields, in the order ``audit_values`` gives them (and the audit table's columns)."""


def audit_values(
    item: AuditedItem | None, event: Any, position: int
) -> tuple[AuditedItem | None, tuple[Any, ...] | None]:
    """``audit_entry`` with the entry as its values, in the order of ``AUDIT_FIELDS``: a rebuild writes a hundred
    thousand entries straight to a table, and making each a row first cost about a tenth of the audit trail's
    rebuild."""
    cls = type(event)
    if cls is Body.Registered:
        body, ref, decided_by = event.code, None, None
        summary = f"{event.actor.name} registered {event.name} of {event.council}."
        item = AuditedItem(event.code, "", "recommendation")  # the body's own events name it
    elif cls is Seal.Reset:  # of the whole record, no body's
        body, ref, decided_by = "", None, None
        summary = (
            f"{event.actor.name} reset the seal after finding {event.found}: {event.reason} (the seal had held "
            f"position {event.sealed_until} with the digest {event.sealed_digest})."
        )
    elif cls in _BODY_SUMMARIES:
        if item is None:
            return None, None
        body, ref, decided_by = item.body, None, None
        summary = _BODY_SUMMARIES[cls](event)
    else:
        if cls is Recommendation.Made:
            item = AuditedItem(event.body, event.ref, event.kind)
        elif item is None:
            return None, None
        elif cls is Recommendation.Corrected and event.field == "kind":
            item = item._replace(kind=event.corrected_value)
        body, ref = item.body, item.ref
        summary = _SUMMARIES[cls](event, "the " + item.kind)
        decided_by = next((getattr(event, name) for name in _DECIDERS if hasattr(event, name)), None)
    actor = f"{event.actor.name} ({event.actor.role})"
    return item, (body, ref, position, cls.__name__, event.effective_on, event.timestamp, actor, decided_by, summary)


_DECIDERS = ("decided_by", "responded_by", "agreed_by", "proposed_by")
"""Where an event says on whose authority it was recorded."""


def _minute(event: Any) -> str:
    return f" (minute {event.minute})" if event.minute else ""


_VERBS = {"accepted": "accepted", "partially_accepted": "partially accepted", "rejected": "rejected", "noted": "noted"}


def _made(e: Recommendation.Made, the_item: str) -> str:
    exempt = f", as exempt information (Schedule 12A, paragraph {e.exempt})" if e.exempt else ""
    return f"{e.decided_by} made {the_item} at its meeting on {long_date(e.meeting_date)}{_minute(e)}{exempt}."


def _referred(e: Recommendation.Referred, the_item: str) -> str:
    due = f"response due by {long_date(e.response_due)}" if e.response_due else "no response deadline"
    return f"{e.addressee} received {the_item} on {long_date(e.received_on)}; {due}."


def _responded(e: Recommendation.ResponseRecorded, the_item: str) -> str:
    by = "" if e.responded_by == e.addressee else f" (response from {e.responded_by})"
    target = f", with a target date of {long_date(e.target_date)}" if e.target_date else ""
    return f"{e.addressee} {_VERBS[e.decision]} {the_item} on {long_date(e.responded_on)}{by}{target}."


def _progress(e: Recommendation.ProgressReported, _: str) -> str:
    rag = f" (RAG {e.rag})" if e.rag else ""
    return f"{e.reported_by} reported progress on {long_date(e.reported_on)}{rag}: {e.note}"


def _revised(e: Recommendation.TargetDateRevised, _: str) -> str:
    return (
        f"{e.decided_by} moved the target date to {long_date(e.target_date)} on {long_date(e.decided_on)}: {e.reason}"
    )


def _deferred(e: Recommendation.Deferred, the_item: str) -> str:
    until = f"until {long_date(e.until)}" if e.until else "to a future meeting"
    return f"{e.decided_by} deferred {the_item} {until} on {long_date(e.decided_on)}{_minute(e)}: {e.reason}"


def _reaffirmed(e: Recommendation.Reaffirmed, the_item: str) -> str:
    return f"{e.decided_by} re-affirmed {the_item} on {long_date(e.decided_on)}{_minute(e)}."


def _escalated(e: Recommendation.Escalated, the_item: str) -> str:
    return f"{e.decided_by} escalated {the_item} on {long_date(e.decided_on)}{_minute(e)}: {e.action}"


def _closed(e: Recommendation.Closed, the_item: str) -> str:
    outcome = e.outcome.replace("_", " ")
    note = f": {e.note}" if e.note else "."
    return f"{e.decided_by} closed {the_item} as {outcome} on {long_date(e.decided_on)}{_minute(e)}{note}"


def _reopened(e: Recommendation.Reopened, the_item: str) -> str:
    return f"{e.decided_by} reopened {the_item} on {long_date(e.decided_on)}{_minute(e)}: {e.reason}"


def _corrected(e: Recommendation.Corrected, _: str) -> str:
    whose = f" of {e.addressee}" if e.addressee else f" at position {e.position}" if e.position else ""
    unkept = e.previous is None and e.version is None and e.position is None and e.field != "exempt"
    was = "an earlier value" if unkept else _value(e.previous)  # version 1 kept no previous value (exempt came later)
    what = _FIELD_NAMES.get(e.field, e.field.rpartition(".")[2].replace("_", " "))
    return f"{e.actor.name} corrected the {what}{whose} from {was} to {_value(e.value)}: {e.reason}"


def _value(written: str | None) -> str:
    if written is None:
        return "nothing"
    if ISO_DATE.match(written):
        try:
            return f"“{long_date(date.fromisoformat(written))}”"
        except ValueError:
            pass  # a text that only looks like a date ("2024-02-30" as an item's words)
    return f"“{written.replace('_', ' ')}”"


_FIELD_NAMES = {
    "referral.received_on": "date of receipt",
    "referral.response_due": "response due date",
    "response.decision": "response",
    "response.text": "response's text",
    "response.responded_on": "response date",
    "response.responded_by": "responder",
    "response.target_date": "response's target date",
    "progress.note": "progress note",
    "progress.reported_on": "progress report date",
    "progress.reported_by": "progress reporter",
    "progress.rag": "RAG rating",
    "decision.decided_on": "decision date",
    "decision.minute": "decision's minute",
    "decision.reason": "decision's reason",
    "decision.until": "date deferred to",
    "decision.action": "action determined",
    "decision.outcome": "outcome",
    "decision.note": "decision's note",
    "decision.target_date": "revised target date",
    "transfer.decided_on": "date of the transfer",
    "transfer.minute": "transfer's minute",
    "meeting_date": "meeting date",
    "target_date": "target date",
    "exempt": "exempt paragraph (Schedule 12A)",
}
"""A correctable field as a clerk would name it."""


def _retracted(e: Recommendation.Retracted, _: str) -> str:
    return f"{e.actor.name} retracted the {_FACTS.get(e.fact, e.fact)} at position {e.position}: {e.reason}"


def _transfer_retracted(e: Any, _: str) -> str:
    return f"{e.actor.name} retracted the transfer to {e.to_body} at position {e.position}: {e.reason}"


_FACTS = {
    "Referred": "referral",
    "ResponseRecorded": "response",
    "ResponseDeadlineExtended": "extension of the response deadline",
    "ProgressReported": "progress report",
    "TargetDateRevised": "revision of the target date",
    "Deferred": "deferral",
    "Reaffirmed": "re-affirmation",
    "Escalated": "escalation",
    "Closed": "closure",
    "Reopened": "reopening",
    "ReminderSent": "reminder",
    "AddresseeAdded": "addition of an addressee",
    "AddresseeRemoved": "removal of an addressee",
    "AddresseeReplaced": "replacement of an addressee",
}


def _extended(e: Recommendation.ResponseDeadlineExtended, the_item: str) -> str:
    return (
        f"{e.agreed_by} gave {e.addressee} until {long_date(e.response_due)} to respond to {the_item} "
        f"(agreed on {long_date(e.decided_on)}): {e.reason}"
    )


def _proposed(e: Recommendation.ClosureProposed, the_item: str) -> str:
    note = f": {e.note}" if e.note else "."
    outcome = e.outcome.replace("_", " ")
    return f"{e.proposed_by} proposed on {long_date(e.proposed_on)} that {the_item} be closed as {outcome}{note}"


_OWED = {"response": "the response due", "target_date": "the target date", "deferral": "the return to it due"}


def _reminded(e: Recommendation.ReminderSent, the_item: str) -> str:
    about = "; ".join(
        f"{_OWED[o.reason]} {long_date(o.due)}" + (" (overdue)" if o.due < e.sent_on else "") for o in e.about
    )
    return f"Reminder sent to {e.person} about {the_item} on {long_date(e.sent_on)}: {about}."


_BODY_SUMMARIES: dict[type, Any] = {
    Body.MeetingScheduled: lambda e: (
        f"{e.actor.name} scheduled a meeting for {long_date(e.meeting_date)}" + (f" ({e.name})." if e.name else ".")
    ),
    Body.MeetingCancelled: lambda e: f"{e.actor.name} cancelled the meeting of {long_date(e.meeting_date)}: {e.reason}",
    Body.Renamed: lambda e: (
        f"{e.actor.name} recorded that {e.previous} is called {e.name} from {long_date(e.from_date)}."
    ),
    Body.Dissolved: lambda e: (
        f"{e.actor.name} recorded that the body was dissolved on {long_date(e.decided_on)}"
        + (f"; its successor is {e.successor}." if e.successor else ".")
    ),
    Body.ItemTakenOver: lambda e: (
        f"{e.actor.name} recorded that the body took over {e.ref} from {e.from_body}"
        + ("" if e.made_by == e.from_body else f" (made by {e.made_by})")
        + f" on {long_date(e.decided_on)}."
    ),
}
"""The sentences of a body's calendar."""


def _transferred(e: Recommendation.Transferred, the_item: str) -> str:
    reason = f": {e.reason}" if e.reason else "."
    return (
        f"{e.decided_by} transferred {the_item} to {e.to_body} ({e.to_board}) on {long_date(e.decided_on)}"
        f"{_minute(e)}{reason}"
    )


def _who(addressee: Any) -> str:
    return f"{addressee.name} ({addressee.role})" if addressee.role else addressee.name


def _added(e: Any, the_item: str) -> str:
    reason = f": {e.reason}" if e.reason else "."
    return (
        f"{e.decided_by} added {_who(e.addressee)} as an addressee of {the_item} on {long_date(e.decided_on)}" + reason
    )


def _removed(e: Any, the_item: str) -> str:
    on = long_date(e.decided_on)
    return f"{e.decided_by} removed {e.addressee} from the addressees of {the_item} on {on}: {e.reason}"


def _replaced(e: Any, the_item: str) -> str:
    return (
        f"{e.decided_by} passed {e.addressee}'s part in {the_item} to {_who(e.successor)} on "
        f"{long_date(e.decided_on)}: {e.reason}"
    )


_SUMMARIES: dict[type, Any] = {
    Recommendation.Made: _made,
    Recommendation.Referred: _referred,
    Recommendation.ResponseRecorded: _responded,
    Recommendation.ProgressReported: _progress,
    Recommendation.TargetDateRevised: _revised,
    Recommendation.Deferred: _deferred,
    Recommendation.Reaffirmed: _reaffirmed,
    Recommendation.Escalated: _escalated,
    Recommendation.Closed: _closed,
    Recommendation.Reopened: _reopened,
    Recommendation.Corrected: _corrected,
    Recommendation.Retracted: _retracted,
    Recommendation.TransferRetracted: _transfer_retracted,
    Recommendation.ResponseDeadlineExtended: _extended,
    Recommendation.ClosureProposed: _proposed,
    Recommendation.ReminderSent: _reminded,
    Recommendation.Transferred: _transferred,
    Recommendation.AddresseeAdded: _added,
    Recommendation.AddresseeRemoved: _removed,
    Recommendation.AddresseeReplaced: _replaced,
}
"""One plain sentence for each kind of event, saying what it records."""
