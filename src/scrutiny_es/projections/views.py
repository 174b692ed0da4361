"""What ``Scrutiny.recommendation`` hands a host: an item as recorded, as frozen values.

A view is made afresh from the item's history at every call and shares nothing with the
aggregate that checks the rules, so whatever a host does to it cannot change what the
next command records (DESIGN 6.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from scrutiny_es.domain.history import (
    Addressee,
    AddresseeChange,
    Decision,
    DecisionFact,
    DecisionKind,
    ItemHistory,
    Kind,
    Outcome,
    Rag,
    known,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralView:
    """The item as one addressee received it, and the last day for their response (None: no deadline)."""

    received_on: date
    response_due: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseView:
    """One addressee's response: their decision, in their words, and the target date they gave."""

    responded_on: date
    decision: Decision
    text: str
    responded_by: str
    target_date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressView:
    reported_on: date
    note: str
    rag: Rag | None
    reported_by: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionView:
    """A decision on the item: the board's (deferral, escalation, closure...) or a target date's revision."""

    decided_on: date
    what: DecisionKind
    decided_by: str | None
    minute: str | None
    target_date: date | None
    until: date | None
    outcome: Outcome | None
    reason: str | None
    action: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddresseeChangeView:
    """An addressee added, removed, or replaced by a successor (who took over their referral), and why."""

    decided_on: date
    change: AddresseeChange
    addressee: Addressee
    successor: Addressee | None
    reason: str | None
    decided_by: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemView:
    """A recommendation or action as recorded, with every fact in force, in the order each took effect."""

    body: str
    ref: str
    kind: Kind
    meeting_date: date
    item: str
    minute: str | None
    text: str
    addressees: tuple[Addressee, ...]
    """Those the item is for now (``addressee_changes``: who was added, removed or replaced since the meeting)."""
    target_date: date | None
    """The target date agreed at the meeting (responses and revisions may have moved it: see ``decisions``)."""
    referrals: Mapping[str, ReferralView]
    """By addressee name (a successor's: the referral they took over)."""
    responses: Mapping[str, ResponseView]
    """By addressee name."""
    progress: tuple[ProgressView, ...]
    decisions: tuple[DecisionView, ...]
    made_by: str = ""
    """The body that made the item (its code names the item in commands); ``body`` is the one it is with now."""
    transfers: tuple[tuple[date, str, str], ...] = ()
    """Each transfer: the day decided, the body it left and the body it went to."""
    addressee_changes: tuple[AddresseeChangeView, ...] = ()
    exempt: str | None = None
    """The paragraph of Schedule 12A the item is exempt under (None: public)."""


def item_view(history: ItemHistory) -> ItemView:
    """The view of an item's history: copies of its values, none of its objects."""
    return ItemView(
        body=history.body,
        ref=history.ref,
        kind=history.kind,
        meeting_date=history.meeting_date,
        item=history.item,
        minute=history.minute,
        text=history.text,
        addressees=tuple(history.addressees_on(None)),
        target_date=history.target_date,
        referrals=MappingProxyType(
            {
                name: ReferralView(received_on=f.on, response_due=f.response_due)
                for name, f in history.referrals_now().items()
            }
        ),
        responses=MappingProxyType(
            {
                name: ResponseView(
                    responded_on=f.on,
                    decision=f.decision,
                    text=f.text,
                    responded_by=f.responded_by,
                    target_date=f.target_date,
                )
                for name, f in history.responses.items()
            }
        ),
        progress=tuple(
            ProgressView(reported_on=f.on, note=f.note, rag=f.rag, reported_by=f.reported_by)
            for f in known(history.progress, None)
        ),
        decisions=tuple(_decision(f) for f in known(history.decisions, None)),
        made_by=history.made_by,
        transfers=tuple((f.on, f.from_body, f.to_body) for f in history.transfers),
        addressee_changes=tuple(
            AddresseeChangeView(
                decided_on=f.on,
                change=f.change,
                addressee=f.addressee,
                successor=f.successor,
                reason=f.reason,
                decided_by=f.decided_by,
            )
            for f in known(history.addressee_changes, None)
        ),
        exempt=history.exempt,
    )


def _decision(fact: DecisionFact) -> DecisionView:
    return DecisionView(
        decided_on=fact.on, what=fact.what, decided_by=fact.decided_by, minute=fact.minute,
        target_date=fact.target_date, until=fact.until, outcome=fact.outcome, reason=fact.reason,
        action=fact.action, note=fact.note,
    )  # fmt: skip
