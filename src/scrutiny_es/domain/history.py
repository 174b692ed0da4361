"""An item's history: every fact recorded of it, each with the date it took effect.

The aggregate keeps its history to check the board's rules; the read models keep the same
history to show the tracker and the overdue list as of any date. Each event adds to it in
one way, written once on the event (``fold``), and a correction is read in one way too
(``scrutiny_es.domain.corrections``): the rules and the reports cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple, TypeVar
from uuid import UUID

# The values the facts hold, where the read models have always imported them from.
from scrutiny_es.domain.values import Addressee as Addressee
from scrutiny_es.domain.values import Decision as Decision
from scrutiny_es.domain.values import DecisionKind as DecisionKind
from scrutiny_es.domain.values import Kind as Kind
from scrutiny_es.domain.values import Outcome as Outcome
from scrutiny_es.domain.values import Owed as Owed
from scrutiny_es.domain.values import Rag as Rag
from scrutiny_es.domain.values import Reason as Reason

RETURNING: set[DecisionKind] = {"deferred", "reaffirmed", "escalated", "closed", "reopened"}
"""Board decisions that return to a deferred item (a response does too)."""


@dataclass(slots=True, kw_only=True)
class Fact:
    on: date
    """The day the fact took effect."""
    seq: int
    """The event's place in the item's history, to order facts of the same day."""

    def order(self) -> tuple[date, int]:
        return self.on, self.seq


@dataclass(slots=True, kw_only=True)
class ExtensionFact(Fact):
    """An extension of one addressee's deadline, agreed on ``on``: the deadline it gave, and the one in force
    until then."""

    due: date
    before: date | None


@dataclass(slots=True, kw_only=True)
class ReferralFact(Fact):
    """The item as received by one addressee (``on``), and the last day for their response."""

    response_due: date | None
    """The deadline in force."""
    period: str | None = None
    """The period the due date was worked out from; None where the board set it, or there is none."""
    original_due: date | None = None
    """The deadline before it was first extended (None: never extended)."""
    extensions: list[ExtensionFact] = field(default_factory=list)
    """The extensions in force, in the order agreed."""

    def due_on(self, day: date | None) -> date | None:
        """The deadline in force on ``day`` (None: now): an extension moves it from the day it was agreed, so
        a report as of an earlier day shows the deadline then, and overdue from the day after it."""
        due = self.response_due
        for extension in reversed(self.extensions):
            if day is not None and extension.on > day:
                due = extension.before
        return due

    def extend(self, on: date, seq: int, due: date) -> None:
        """The deadline moved to ``due`` by an extension agreed on ``on`` (the item's event ``seq``)."""
        if self.original_due is None:
            self.original_due = self.response_due
        self.extensions.append(ExtensionFact(on=on, seq=seq, due=due, before=self.response_due))
        self.response_due = due

    def withdraw_extension(self, seq: int) -> None:
        """Leaves out the extension recorded by event number ``seq``: the deadline it replaced is in force again,
        unless a later extension replaced it since (which then replaced the one before it)."""
        at = next((n for n, e in enumerate(self.extensions) if e.seq == seq), None)
        if at is None:
            return
        withdrawn = self.extensions.pop(at)
        if at == len(self.extensions):
            self.response_due = withdrawn.before
        else:
            self.extensions[at].before = withdrawn.before
        if not self.extensions:
            self.original_due = None


@dataclass(slots=True, kw_only=True)
class ResponseFact(Fact):
    """One addressee's response (``on`` the day they responded): their decision, in their words."""

    decision: Decision
    text: str
    responded_by: str
    target_date: date | None


@dataclass(slots=True, kw_only=True)
class ProgressFact(Fact):
    note: str
    rag: Rag | None
    reported_by: str | None = None


@dataclass(slots=True, kw_only=True)
class DecisionFact(Fact):
    """A decision on the item: the board's (deferral, escalation, closure...) or a target date's revision."""

    what: DecisionKind
    decided_by: str | None = None
    target_date: date | None = None
    until: date | None = None
    outcome: Outcome | None = None
    minute: str | None = None
    reason: str | None = None
    action: str | None = None
    note: str | None = None


@dataclass(slots=True, kw_only=True)
class ReminderFact(Fact):
    """A reminder sent to someone responsible (``on`` the day it was sent) about what they owe on the item."""

    person: str
    about: list[Owed]


@dataclass(slots=True, kw_only=True)
class TransferFact(Fact):
    """The item moved from one body to another (``on`` the day it was decided), keeping its ref and history."""

    from_body: str
    to_body: str
    decided_by: str
    minute: str | None = None
    reason: str | None = None
    board_before: str | None = None
    """The name the item's body went by in its history before the transfer (``ItemHistory.board``), given back to
    it if the transfer is retracted (None: a history kept before it was kept; ``decided_by`` stands in)."""


AddresseeChange = Literal["added", "removed", "replaced"]


@dataclass(slots=True, kw_only=True)
class AddresseeFact(Fact):
    """An addressee added, removed, or replaced by a successor (``on`` the day it was decided)."""

    change: AddresseeChange
    addressee: Addressee
    successor: Addressee | None = None
    reason: str | None = None
    decided_by: str | None = None


class Held(NamedTuple):
    """A referral as its holder has it: the addressee referred, or the successor who took it over."""

    referral: ReferralFact
    ended_on: date | None
    """The day its holder was removed without having responded (nothing is owed from then); None: it runs."""


@dataclass(slots=True, kw_only=True)
class ItemHistory:
    """Everything recorded of one item, as the rules and the reports need it."""

    item_id: UUID
    body: str
    """The body the item is with now (after its transfers; ``made_by`` is the one that made it)."""
    ref: str
    kind: Kind
    board: str
    """The body's name: it stands in "decided by" for the decisions of its meetings."""
    meeting_date: date
    item: str
    minute: str | None
    text: str
    addressees: list[Addressee]
    target_date: date | None
    referrals: dict[str, ReferralFact] = field(default_factory=dict)
    responses: dict[str, ResponseFact] = field(default_factory=dict)
    progress: list[ProgressFact] = field(default_factory=list)
    decisions: list[DecisionFact] = field(default_factory=list)
    reminders: list[ReminderFact] = field(default_factory=list)
    transfers: list[TransferFact] = field(default_factory=list)
    """Each move to another body, in the order recorded (a transfer is never dated before the one it follows)."""
    retracted_transfers: list[TransferFact] = field(default_factory=list)
    """Each transfer retracted as recorded in error: the body it was to still finds the item "as known at" before."""
    addressee_changes: list[AddresseeFact] = field(default_factory=list)
    """Each addressee added, removed or replaced since the meeting (``addressees`` are those it was made for)."""
    exempt: str | None = None
    """The paragraph of Schedule 12A the item is exempt under (None: public), as made or corrected."""

    @property
    def made_by(self) -> str:
        """The body that made the item: its code is part of the item's identity, and commands name it."""
        return self.transfers[0].from_body if self.transfers else self.body

    def body_on(self, day: date | None) -> str:
        """The body the item was with on ``day`` (None: now): a transfer takes effect on the day decided."""
        if day is None:
            return self.body
        moved = [t for t in self.transfers if t.on <= day]
        return moved[-1].to_body if moved else self.made_by

    def came_from(self, day: date | None) -> TransferFact | None:
        """The transfer that brought the item to the body it was with on ``day``, if any."""
        moved = [t for t in self.transfers if day is None or t.on <= day]
        return moved[-1] if moved else None

    def left_on(self, body: str, day: date | None) -> TransferFact | None:
        """The transfer taking the item away from ``body`` on ``day`` itself (its last day in that body's reports)."""
        return next((t for t in self.transfers if t.from_body == body and t.on == day), None)

    def held_by(self, body: str, day: date | None) -> bool:
        """Whether ``body``'s reports of ``day`` show the item: it was with the body that day, or left it that day."""
        return self.body_on(day) == body or (day is not None and self.left_on(body, day) is not None)

    def reminded(self, person: str, on: date) -> bool:
        """Whether ``person`` was sent a reminder of the item on day ``on``."""
        return any(f.person == person and f.on == on for f in self.reminders)

    def addressee(self, name: str) -> Addressee | None:
        """The addressee of that name the item has now."""
        for addressee in self.addressees_on(None):
            if addressee.name == name:
                return addressee
        return None

    def addressees_on(self, day: date | None) -> list[Addressee]:
        """The item's addressees on ``day`` (None: now): those it was made for, as added, removed and replaced."""
        if not self.addressee_changes:
            return self.addressees
        current = list(self.addressees)
        for change in known(self.addressee_changes, day):
            name = change.addressee.name
            if change.change == "added":
                current.append(change.addressee)
            elif change.change == "removed":
                current = [a for a in current if a.name != name]
            elif change.successor is not None:
                current = [change.successor if a.name == name else a for a in current]
        return current

    def joined_on(self, name: str) -> date | None:
        """The day ``name`` was last added to the item or succeeded one of its addressees (None: one it was made for,
        or never one)."""
        days = [
            f.on for f in self.addressee_changes if name == (f.successor or f.addressee).name and f.change != "removed"
        ]
        return max(days, default=None)

    def held(self, day: date | None = None) -> dict[str, Held]:
        """The referrals received by ``day`` (None: all), by who holds each on that day.

        A referral not yet answered passes, with its deadline, to the successor of the addressee
        replaced; that of an addressee removed before responding ends on the day of the removal.
        """
        held = {name: Held(f, None) for name, f in self.referrals.items() if day is None or f.on <= day}
        for change in known(self.addressee_changes, day) if self.addressee_changes else ():
            name = change.addressee.name
            got = held.get(name)
            answered = name in self.responses and self.responses[name].on <= change.on
            if got is None or got.ended_on is not None or answered or change.change == "added":
                continue
            if change.change == "removed":
                held[name] = got._replace(ended_on=change.on)
            elif change.successor is not None:
                held[change.successor.name] = held.pop(name)
        return held

    def referrals_now(self) -> dict[str, ReferralFact]:
        """The referrals in force, by who holds each now (a successor holds the one they took over)."""
        if not self.addressee_changes:
            return self.referrals
        return {name: held.referral for name, held in self.held().items() if held.ended_on is None}

    def referral_of(self, name: str) -> ReferralFact | None:
        """The referral ``name`` holds now, if any."""
        return self.referrals_now().get(name)

    def fact(self, seq: int) -> Fact | None:
        """The fact recorded by the item's event number ``seq``, while it is in force."""
        facts = [*self.referrals.values(), *self.responses.values(), *self.progress, *self.decisions, *self.reminders]
        extensions = [e for referral in self.referrals.values() for e in referral.extensions]
        for fact in [*facts, *extensions, *self.addressee_changes, *self.transfers]:
            if fact.seq == seq:
                return fact
        return None

    def withdraw(self, seq: int) -> None:
        """Leaves out the fact recorded by event number ``seq`` (it was recorded in error)."""
        for facts in (self.referrals, self.responses):
            for name, fact in list(facts.items()):
                if fact.seq == seq:
                    del facts[name]
        for referral in self.referrals.values():
            referral.withdraw_extension(seq)
        self.progress = [f for f in self.progress if f.seq != seq]
        self.decisions = [f for f in self.decisions if f.seq != seq]
        self.reminders = [f for f in self.reminders if f.seq != seq]
        self.addressee_changes = [f for f in self.addressee_changes if f.seq != seq]
        for n, transfer in enumerate(self.transfers):
            if transfer.seq == seq:
                self._withdraw_transfer(n)

    def _withdraw_transfer(self, n: int) -> None:
        """Leaves out the item's ``n``th transfer; the latest one gives the item back to the body it left, under the
        name it had there, as if it had never been recorded (the running deadlines it kept run on)."""
        transfer = self.transfers.pop(n)
        self.retracted_transfers.append(transfer)
        if n == len(self.transfers):
            self.body, self.board = transfer.from_body, transfer.board_before or transfer.decided_by


F = TypeVar("F", bound=Fact)


def known(facts: list[F], as_of: date | None) -> list[F]:
    """The facts effective on or before ``as_of`` (None: all), in the order they took effect."""
    return sorted((f for f in facts if as_of is None or f.on <= as_of), key=Fact.order)


def closure(decisions: list[DecisionFact]) -> DecisionFact | None:
    """The closure in force among decisions in the order they took effect: the last closure, unless reopened."""
    for decision in reversed(decisions):
        if decision.what == "closed":
            return decision
        if decision.what == "reopened":
            return None
    return None


def agreed_target_dates(
    history: ItemHistory, responses: dict[str, ResponseFact], decisions: list[DecisionFact]
) -> list[date]:
    """Every target date agreed, in the order they took effect: the meeting's, responses', revisions'.

    The last is the one in force; the first, the original.
    """
    dated = [((history.meeting_date, 1), history.target_date)]
    dated += [(f.order(), f.target_date) for f in responses.values()]
    dated += [(f.order(), f.target_date) for f in decisions if f.what == "target_date_revised"]
    return [day for _, day in sorted((order, day) for order, day in dated if day is not None)]
