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


def fact_status(events: dict[int, Any], version: int) -> FactStatus:
    """Whether the fact the item's event ``version`` recorded stands, as ``events`` (by version) say."""
    fact = events[version]
    later = [e for v, e in events.items() if v > version]
    if any(isinstance(e, Recommendation.Retracted) and e.version == version for e in later):
        return "retracted"
    for e in later:
        if isinstance(e, Recommendation.Corrected) and _corrects(e, fact, version):
            return "corrected"
    return "in force"


def _corrects(correction: Any, fact: Any, version: int) -> bool:
    if correction.version is not None:
        return bool(correction.version == version)
    group = correction.field.partition(".")[0] if "." in correction.field else ""
    if group == "referral":
        return isinstance(fact, Recommendation.Referred) and fact.addressee == correction.addressee
    if group == "response":
        return isinstance(fact, Recommendation.ResponseRecorded) and fact.addressee == correction.addressee
    return isinstance(fact, Recommendation.Made) and correction.field in _ITEM_FIELDS


def card_order(events: dict[int, Any], recorded_on: dict[int, date]) -> dict[int, tuple[date, int]]:
    """Where each of the item's events (by version) stands in its card: the day, and the fact it goes with. A fact
    stands on the day it took effect as corrected since (the tracker's day for it), and a correction or retraction
    beside the fact it puts right, so a card as of a day holds what the tracker as of that day holds.
    ``recorded_on``: each event's day as its audit entry gave it (a correction's is its fact's after it)."""
    day = dict(recorded_on)
    concerns = {version: version for version in events}
    for version in sorted(events):
        event = events[version]
        if isinstance(event, Recommendation.Retracted):
            concerns[version] = event.version
        elif isinstance(event, Recommendation.Corrected):
            fact = _corrected_fact(events, event, version)
            if fact is not None:
                concerns[version] = fact
                day[fact] = recorded_on[version]  # the fact's day once put right
    return {version: (day.get(fact, day[version]), fact) for version, fact in concerns.items()}


def _corrected_fact(events: dict[int, Any], correction: Any, version: int) -> int | None:
    """The version of the fact a correction puts right: the latest before it that it names."""
    earlier = [v for v in sorted(events) if v < version]
    return next((v for v in reversed(earlier) if _corrects(correction, events[v], v)), None)
