"""Corrections: which recorded facts can be put right, how a correction's value is read, and how it applies.

This is the one reading of a correction. The aggregate applies it to its history to check
later commands; the read models apply it to theirs to show the corrected fact. A correction
changes the fact it names, never the event that recorded it.
"""

from __future__ import annotations

from typing import Any, get_args

from scrutiny_es.domain.dates import read_day
from scrutiny_es.domain.errors import CannotCorrect
from scrutiny_es.domain.history import Decision, ItemHistory, Kind

CORRECTABLE: dict[str, str] = {
    "kind": "kind",
    "item": "text",
    "minute": "optional text",
    "text": "text",
    "meeting_date": "date",
    "referral.received_on": "date",
    "referral.response_due": "optional date",
    "response.decision": "decision",
    "response.text": "text",
    "response.responded_on": "date",
    "response.responded_by": "text",
    "response.target_date": "optional date",
}
"""The fields a correction may change, with the kind of value each takes."""

_CHOICES: dict[str, tuple[str, ...]] = {"kind": get_args(Kind), "decision": get_args(Decision)}

_EFFECTIVE_DATES = {"referral.received_on", "response.responded_on"}
"""Fields that are the date their fact took effect (a fact's ``on``)."""


def read_value(field: str, value: Any) -> Any:
    """A correction's value read as the type its field holds; ``CannotCorrect`` says why it does not fit."""
    kind = CORRECTABLE.get(field)
    if kind is None:
        msg = f'"{field}" cannot be corrected; the fields that can are: {", ".join(CORRECTABLE)}'
        raise CannotCorrect(msg)
    optional = kind.startswith("optional ")
    kind = kind.removeprefix("optional ")
    if value is None:
        if optional:
            return None
        msg = f"{field} cannot be corrected to nothing"
        raise CannotCorrect(msg)
    if kind == "date":
        try:
            return read_day(value)
        except ValueError as e:
            reason = str(e)
            msg = f"{field} takes {reason[8:]}" if reason.startswith("must be a ") else f"{field}: {reason}"
            raise CannotCorrect(msg) from None
    choices = _CHOICES.get(kind, ())
    if choices and value not in choices:
        msg = f"{field} must be one of {', '.join(choices)}, not {value!r}"
        raise CannotCorrect(msg)
    if not isinstance(value, str) or not value.strip():
        msg = f"{field} takes text that is not blank"
        raise CannotCorrect(msg)
    return value


def apply(history: ItemHistory, field: str, value: Any, addressee: str | None) -> None:
    """Puts the corrected value in its fact: the item's own, or the named addressee's referral or response."""
    group, _, name = field.rpartition(".")
    facts: dict[str, Any] = {"referral": history.referrals, "response": history.responses}
    target: Any = facts[group][addressee] if group else history
    setattr(target, "on" if field in _EFFECTIVE_DATES else name, value)
