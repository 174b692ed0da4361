"""An item's card: each of its facts in its own words, and whether it still stands."""

from __future__ import annotations

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

_ITEM_FIELDS = {"kind", "item", "minute", "text", "meeting_date", "target_date"}


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
