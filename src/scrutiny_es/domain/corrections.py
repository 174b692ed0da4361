"""Corrections: which recorded facts can be put right, how a correction's value is read, and how it applies.

This is the one reading of a correction. The aggregate applies it to its history to check
later commands; the read models apply it to theirs to show the corrected fact. A correction
changes the fact it names, never the event that recorded it.
"""

from __future__ import annotations

from typing import Any, get_args

from scrutiny_es.domain.dates import read_day
from scrutiny_es.domain.errors import CannotCorrect
from scrutiny_es.domain.exempt import PARAGRAPHS
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.values import Decision, DecisionKind, Kind, Outcome, Rag

CORRECTABLE: dict[str, str] = {
    "kind": "kind",
    "item": "text",
    "minute": "optional text",
    "text": "text",
    "meeting_date": "date",
    "target_date": "optional date",
    "referral.received_on": "date",
    "referral.response_due": "optional date",
    "response.decision": "decision",
    "response.text": "text",
    "response.responded_on": "date",
    "response.responded_by": "text",
    "response.target_date": "optional date",
    "progress.note": "text",
    "progress.reported_on": "date",
    "progress.reported_by": "text",
    "progress.rag": "optional rag",
    "decision.decided_on": "date",
    "decision.minute": "optional text",
    "decision.reason": "text",
    "decision.until": "optional date",
    "decision.action": "text",
    "decision.outcome": "outcome",
    "decision.note": "optional text",
    "decision.target_date": "date",
    "transfer.decided_on": "date",
    "transfer.minute": "optional text",
    "exempt": "optional paragraph",
}
"""The fields a correction may change, with the kind of value each takes. A progress report, a decision
or a transfer is named by its position in the audit trail; a referral or a response by its addressee."""

BY_COMMANDS = dict.fromkeys(
    ("addressees", "addressee"),
    "the addressees are not corrected: use add_addressee, remove_addressee or replace_addressee (and retract one "
    "recorded in error)",
)
"""Facts of an item changed by commands of their own, not by ``correct``: what a correction of one is told."""


def correctable(field: str) -> str:
    """``field``, unless it is changed by commands of its own (``ValueError`` says which)."""
    if field in BY_COMMANDS:
        raise ValueError(BY_COMMANDS[field])
    return field


BY_POSITION = ("progress.", "decision.", "transfer.")
"""Corrections of facts named by position."""

DECISION_FIELDS: dict[str, set[DecisionKind]] = {
    "decision.minute": {"deferred", "reaffirmed", "escalated", "closed", "reopened"},
    "decision.reason": {"target_date_revised", "deferred", "reopened"},
    "decision.until": {"deferred"},
    "decision.action": {"escalated"},
    "decision.outcome": {"closed", "closure_proposed"},
    "decision.note": {"reaffirmed", "closed", "closure_proposed"},
    "decision.target_date": {"target_date_revised"},
}
"""The decisions that hold each field (every decision has its date)."""

_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": get_args(Kind), "decision": get_args(Decision), "rag": get_args(Rag), "outcome": get_args(Outcome),
    "paragraph": PARAGRAPHS,
}  # fmt: skip

_EFFECTIVE_DATES = {
    "referral.received_on", "response.responded_on", "progress.reported_on", "decision.decided_on",
    "transfer.decided_on",
}  # fmt: skip
"""Fields that are the date their fact took effect (a fact's ``on``)."""


def read_value(field: str, value: Any) -> Any:
    """A correction's value read as the type its field holds; ``CannotCorrect`` says why it does not fit."""
    kind = CORRECTABLE.get(field)
    if field in BY_COMMANDS:
        raise CannotCorrect(BY_COMMANDS[field], field="field")
    if kind is None:
        msg = f'"{field}" cannot be corrected; the fields that can are: {", ".join(CORRECTABLE)}'
        raise CannotCorrect(msg, field="field")
    optional = kind.startswith("optional ")
    kind = kind.removeprefix("optional ")
    if value is None:
        if optional:
            return None
        msg = f"{field} cannot be corrected to nothing"
        raise CannotCorrect(msg, field="value")
    if kind == "date":
        try:
            return read_day(value)
        except ValueError as e:
            reason = str(e)
            msg = f"{field} takes {reason[8:]}" if reason.startswith("must be a ") else f"{field}: {reason}"
            raise CannotCorrect(msg, field="value") from None
    choices = _CHOICES.get(kind, ())
    if choices and value not in choices:
        msg = f"{field} must be one of {', '.join(choices)}, not {value!r}"
        raise CannotCorrect(msg, field="value")
    if not isinstance(value, str) or not value.strip():
        msg = f"{field} takes text that is not blank"
        raise CannotCorrect(msg, field="value")
    return value


def fact_of(history: ItemHistory, field: str, addressee: str | None, version: int | None) -> Any:
    """The fact a correction of ``field`` names: the item itself, an addressee's referral or response, or the
    progress report, decision or transfer recorded by the item's event ``version``; None if there is none in force."""
    group = field.partition(".")[0] if "." in field else ""
    if group == "referral":
        return history.referral_of(addressee or "")
    if group == "response":
        return history.responses.get(addressee or "")
    if group == "progress":
        return next((f for f in history.progress if f.seq == version), None)
    if group == "decision":
        return next((f for f in history.decisions if f.seq == version), None)
    if group == "transfer":
        return next((f for f in history.transfers if f.seq == version), None)
    return history


def apply(history: ItemHistory, field: str, value: Any, addressee: str | None, version: int | None) -> None:
    """Puts the corrected value in its fact (a fact no longer in force is left as it is)."""
    target = fact_of(history, field, addressee, version)
    if target is not None:
        setattr(target, attribute(field), value)


def attribute(field: str) -> str:
    """The attribute of its fact that a correctable field is (a fact's effective date is its ``on``)."""
    return "on" if field in _EFFECTIVE_DATES else field.rpartition(".")[2]
