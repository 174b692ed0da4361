"""Who an item is for, as it changes: an addressee added, one removed, one replaced by a successor.

The board adds an addressee (a partner it asks later), removes one (with the reason), or passes
one's responsibility to a successor (a director who has left): each is a dated fact in the item's
history (``history.AddresseeFact``), so the reports as of any date name the addressees of that day.
A successor takes over the referral not yet answered, with its running deadline; a removed
addressee owes nothing from the day of the removal.

The events are made here on the item's event base and named as nested on ``Recommendation``
(``model.py`` calls :func:`addressee_events` in its class body): their stored topics are
``scrutiny_es.domain.model:Recommendation.AddresseeAdded`` and so on, and never move.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.errors import CannotChangeAddressees
from scrutiny_es.domain.guards import ItemGuards, not_before, not_future
from scrutiny_es.domain.history import AddresseeFact, ItemHistory
from scrutiny_es.domain.values import Actor, Addressee

COMMANDS = ("add_addressee", "remove_addressee", "replace_addressee")
"""The commands that change who an item is for (``correct`` does not)."""


@dataclass(frozen=True)
class AddresseeAdding:
    """What ``Recommendation.AddresseeAdded`` records: who was added, by whose decision, when and why."""

    addressee: Addressee
    reason: str | None
    decided_by: str
    decided_on: date
    COMMAND: ClassVar[str] = "add_addressee"
    WHEN: ClassVar[str] = "decided_on"
    if TYPE_CHECKING:
        originator_version: int

    def fold(self, history: ItemHistory) -> None:
        history.addressee_changes.append(AddresseeFact(
            on=self.decided_on, seq=self.originator_version, change="added", addressee=self.addressee,
            reason=self.reason, decided_by=self.decided_by,
        ))  # fmt: skip


@dataclass(frozen=True)
class AddresseeRemoving:
    """What ``Recommendation.AddresseeRemoved`` records: the addressee's name, the decision and its reason."""

    addressee: str
    reason: str
    decided_by: str
    decided_on: date
    COMMAND: ClassVar[str] = "remove_addressee"
    WHEN: ClassVar[str] = "decided_on"
    if TYPE_CHECKING:
        originator_version: int

    def fold(self, history: ItemHistory) -> None:
        gone = history.addressee(self.addressee) or Addressee(self.addressee, "other")
        history.addressee_changes.append(AddresseeFact(
            on=self.decided_on, seq=self.originator_version, change="removed", addressee=gone, reason=self.reason,
            decided_by=self.decided_by,
        ))  # fmt: skip


@dataclass(frozen=True)
class AddresseeReplacing:
    """What ``Recommendation.AddresseeReplaced`` records: who left, their successor, the decision and its reason."""

    addressee: str
    successor: Addressee
    reason: str
    decided_by: str
    decided_on: date
    COMMAND: ClassVar[str] = "replace_addressee"
    WHEN: ClassVar[str] = "decided_on"
    if TYPE_CHECKING:
        originator_version: int

    def fold(self, history: ItemHistory) -> None:
        gone = history.addressee(self.addressee) or Addressee(self.addressee, "other")
        history.addressee_changes.append(AddresseeFact(
            on=self.decided_on, seq=self.originator_version, change="replaced", addressee=gone,
            successor=self.successor, reason=self.reason, decided_by=self.decided_by,
        ))  # fmt: skip


def addressee_events(event: type[Any]) -> tuple[type[Any], type[Any], type[Any]]:
    """``Recommendation``'s three events, made on its event base ``event`` and named as nested on it: the model
    declares them in one line, and each topic is ``scrutiny_es.domain.model:Recommendation.<name>``, where
    eventsourcing finds it again (``tests/unit/test_addressees.py`` reads one back in a fresh process)."""

    def nested(name: str, facts: type) -> type[Any]:
        def body(namespace: dict[str, Any]) -> None:
            namespace.update(class_version=1, __module__=event.__module__, __qualname__=f"Recommendation.{name}",
                             __doc__=facts.__doc__)  # fmt: skip

        return types.new_class(name, (facts, event), exec_body=body)

    return (nested("AddresseeAdded", AddresseeAdding), nested("AddresseeRemoved", AddresseeRemoving),
            nested("AddresseeReplaced", AddresseeReplacing))  # fmt: skip


class ItemAddressees(ItemGuards):
    """The commands that change who an item is for. A base of ``scrutiny_es.domain.model.Recommendation``."""

    if TYPE_CHECKING:  # the events, nested on Recommendation, where their stored topics stay
        AddresseeAdded: ClassVar[type[Any]]
        AddresseeRemoved: ClassVar[type[Any]]
        AddresseeReplaced: ClassVar[type[Any]]

    def add_addressee(
        self, *, addressee: Addressee, decided_on: date, reason: str | None, actor: Actor, at: datetime,
        board: str | None = None,
    ) -> None:  # fmt: skip
        """Asks one more addressee to act on or respond to the item, from the day decided."""
        self._change_on(decided_on, at)
        self._newcomer(addressee, "addressee")
        self.trigger_event(
            self.AddresseeAdded, timestamp=at, actor=actor, addressee=addressee, reason=reason,
            decided_by=board or self.history.board, decided_on=decided_on,
        )  # fmt: skip

    def remove_addressee(
        self, *, addressee: str, reason: str, decided_on: date, actor: Actor, at: datetime, board: str | None = None
    ) -> None:
        """Takes an addressee off the item: from the day decided they owe nothing on it."""
        self._addressee(addressee)
        if len(self.addressees) == 1:
            msg = (
                f"{addressee} is the only addressee of {self.ref}, so they cannot be removed; use replace_addressee "
                "to pass the item to a successor (or add_addressee first)"
            )
            raise CannotChangeAddressees(msg, field="addressee")
        self._change_on(decided_on, at)
        self._after_response(addressee, decided_on, "removal")
        self.trigger_event(
            self.AddresseeRemoved, timestamp=at, actor=actor, addressee=addressee, reason=reason,
            decided_by=board or self.history.board, decided_on=decided_on,
        )  # fmt: skip

    def replace_addressee(
        self, *, addressee: str, successor: Addressee, reason: str, decided_on: date, actor: Actor, at: datetime,
        board: str | None = None,
    ) -> None:  # fmt: skip
        """Passes an addressee's part in the item to a successor, who takes over their referral and its deadline."""
        self._addressee(addressee)
        self._change_on(decided_on, at)
        self._newcomer(successor, "successor")
        self._after_response(addressee, decided_on, "replacement")
        self.trigger_event(
            self.AddresseeReplaced, timestamp=at, actor=actor, addressee=addressee, successor=successor,
            reason=reason, decided_by=board or self.history.board, decided_on=decided_on,
        )  # fmt: skip

    def _joined_by(self, addressee: str, day: date, what: str, field: str) -> None:
        """A fact of an addressee added or succeeding another is dated no earlier than the day they came in."""
        joined = self.history.joined_on(addressee) if self.history.addressee_changes else None
        if joined is not None:
            not_before(day, joined, what, f"{addressee} became an addressee", field)

    def _change_on(self, decided_on: date, at: datetime) -> None:
        """An open item's addressees change on a day from its meeting to today, not before the last change."""
        self._open()
        self._after_meeting(decided_on, "the decision date", "decided_on")
        not_future(decided_on, at, "the decision date", "decided_on")
        changes = self.history.addressee_changes
        if changes:
            last = max(changes, key=AddresseeFact.order).on
            not_before(decided_on, last, "the decision date", "the last change of addressees", "decided_on")

    def _newcomer(self, addressee: Addressee, field: str) -> None:
        """Someone becoming an addressee is not one already, and has no referral or response of the item on record."""
        history = self.history
        if history.addressee(addressee.name) is not None:
            msg = f"{addressee.name} is already an addressee of {self.ref}"
            raise CannotChangeAddressees(msg, field=f"{field}.name")
        if addressee.name in history.referrals or addressee.name in history.responses:
            msg = (
                f"{addressee.name} was an addressee of {self.ref} before, and their referral or response stays on "
                "record; retract their removal (or replacement) instead"
            )
            raise CannotChangeAddressees(msg, field=f"{field}.name")

    def _after_response(self, addressee: str, decided_on: date, what: str) -> None:
        response = self.history.responses.get(addressee)
        if response is not None:
            not_before(decided_on, response.on, f"the date of the {what}", f"{addressee}'s response", "decided_on")

    def _addressee_change_retractable(self, fact: AddresseeFact, position: int) -> None:
        """A change of addressees is retracted only while nothing was recorded for the person it brought in."""
        brought = fact.successor if fact.change == "replaced" else fact.addressee if fact.change == "added" else None
        history = self.history
        if brought is not None and (brought.name in history.referrals or brought.name in history.responses):
            msg = (
                f"the change at position {position} brought in {brought.name}, whose referral or response is on "
                "record since; retract that first"
            )
            raise CannotChangeAddressees(msg, field="position")
        later = [f for f in history.addressee_changes if f.order() > fact.order()]
        if later:
            msg = (
                f"the addressees changed again after position {position} (on {long_date(later[-1].on)}); "
                "retract the later change first"
            )
            raise CannotChangeAddressees(msg, field="position")
