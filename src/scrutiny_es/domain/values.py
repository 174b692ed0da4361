"""The values events carry: who recorded a fact, to whom an item is addressed, and the board's words.

Each is a frozen value or a closed list of words; events store them field by field (an
``Actor`` as its id, name and role), so these classes can move without changing a stored
event. The words are the contract's (``accepted``, ``partially_accepted``...): a new word is
a new value a stored event may hold, a word taken away makes old events unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from scrutiny_es.domain.deadlines import AddresseeKind

Kind = Literal["recommendation", "action"]
Decision = Literal["accepted", "partially_accepted", "rejected", "noted"]
"""An addressee's response to an item."""
Rag = Literal["green", "amber", "red"]
Outcome = Literal[
    "implemented", "partially_implemented", "not_implemented", "superseded", "withdrawn", "no_longer_monitored"
]
"""How the board closed an item."""
DecisionKind = Literal[
    "target_date_revised", "deferred", "reaffirmed", "escalated", "closed", "reopened", "closure_proposed"
]
"""What a decision on an item was (a closure's proposal included)."""

Reason = Literal["response", "target_date", "deferral"]
"""What is owed on an item by a date: a response, the target date, a return to a deferred item."""

KINDS: tuple[Kind, ...] = get_args(Kind)
DECISIONS: tuple[Decision, ...] = get_args(Decision)


@dataclass(frozen=True)
class Actor:
    """Who recorded an event: a person or system account with their role."""

    id: str
    name: str
    role: str


@dataclass(frozen=True)
class Addressee:
    """Someone asked to act on or respond to an item: Cabinet, a director, the PCC."""

    name: str
    kind: AddresseeKind
    role: str | None = None


@dataclass(frozen=True)
class Owed:
    """Something owed on an item, and by when: what a reminder was about."""

    reason: Reason
    due: date
