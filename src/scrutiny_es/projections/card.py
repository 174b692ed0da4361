"""An item's card: each of its facts in its own words, and whether it still stands."""

from __future__ import annotations

from datetime import date
from typing import Any

from scrutiny_es.domain.model import Recommendation
from scrutiny_es.projections.rows import FactStatus

_WORDS: dict[Any, str] = {
    Recommendation.Made: "text",
    Recommendation.ResponseRecorded: "text",
    Recommendation.ProgressReported: "note",
    Recommendation.TargetDateRevised: "reason",
    Recommendation.Deferred: "reason",
    Recommendation.Reaffirmed: "note",
    Recommendation.Escalated: "action",
    Recommendation.Closed: "note",
    Recommendation.Reopened: "reason",
    Recommendation.Corrected: "reason",
    Recommendation.Retracted: "reason",
    Recommendation.TransferRetracted: "reason",
    Recommendation.ResponseDeadlineExtended: "reason",
    Recommendation.ClosureProposed: "note",
    Recommendation.AddresseeAdded: "reason",
    Recommendation.AddresseeRemoved: "reason",
    Recommendation.AddresseeReplaced: "reason",
    Recommendation.Transferred: "reason",
}
"""Where each kind of event keeps the words of the fact it records."""

_ITEM_FIELDS = {"kind", "item", "minute", "text", "meeting_date", "target_date", "exempt"}


def fact_text(event: Any) -> str | None:
    """The fact's own words: the response, the progress note, the reason, the closing note."""
    name = _WORDS.get(type(event))
    return None if name is None else getattr(event, name)


def put_right(events: dict[int, Any]) -> dict[int, int]:
    """The fact (by version) each correction and retraction of the item puts right, by its own version."""
    found = {}
    for version in sorted(events):
        event = events[version]
        if isinstance(event, Recommendation.Retracted):
            found[version] = event.version
        elif isinstance(event, Recommendation.Corrected):
            names = _addressed(events, event, version)
            earlier = (v for v in sorted(events, reverse=True) if v < version)
            fact = next((v for v in earlier if _corrects(event, events[v], v, names)), None)
            if fact is not None:
                found[version] = fact
    return found


def fact_status(events: dict[int, Any], version: int, righted: dict[int, int]) -> FactStatus:
    """Whether the fact the item's event ``version`` recorded stands, as ``events`` (by version) say; ``righted``
    is ``put_right(events)``."""
    by = [events[v] for v, fact in righted.items() if fact == version]
    if any(isinstance(e, Recommendation.Retracted) for e in by):
        return "retracted"
    return "corrected" if by else "in force"


def card_order(righted: dict[int, int], recorded_on: dict[int, date]) -> dict[int, tuple[date, int]]:
    """Where each of the item's events (by version) stands in its card: the day, and the fact it goes with. A fact
    stands on the day it took effect as corrected since (the tracker's day for it), and a correction or retraction
    beside the fact it puts right, so a card as of a day holds what the tracker as of that day holds.
    ``righted``: ``put_right`` of the events; ``recorded_on``: each event's day as its audit entry gave it (a
    correction's is its fact's after it)."""
    day = dict(recorded_on)
    for version in sorted(righted):
        if version in recorded_on and righted[version] in day:
            day[righted[version]] = recorded_on[version]  # the fact's day once put right (a retraction's is the same)
    beside = {version: fact if fact in day else version for version, fact in righted.items()}
    return {version: (day[beside.get(version, version)], beside.get(version, version)) for version in recorded_on}


def _addressed(events: dict[int, Any], correction: Any, version: int) -> set[str]:
    """Whom a correction of a referral or response names: the addressee, and those whose part passed to them
    before it (a successor's referral is the one their predecessor received)."""
    names = {correction.addressee}
    for v in sorted(events, reverse=True):
        event = events[v]
        if v < version and isinstance(event, Recommendation.AddresseeReplaced) and event.successor.name in names:
            names.add(event.addressee)
    return names


def _corrects(correction: Any, fact: Any, version: int, names: set[str]) -> bool:
    if correction.version is not None:
        return bool(correction.version == version)
    group = correction.field.partition(".")[0] if "." in correction.field else ""
    if group == "referral":
        return isinstance(fact, Recommendation.Referred) and fact.addressee in names
    if group == "response":
        return isinstance(fact, Recommendation.ResponseRecorded) and fact.addressee in names
    return isinstance(fact, Recommendation.Made) and correction.field in _ITEM_FIELDS
