"""What every command on an item checks first: the date guards, and the preamble each decision shares.

A fact takes effect no later than the day it is recorded and never before the meeting that
made the item, nor before the fact it follows; a closed item takes no new fact; only the
item's addressees are referred and respond. Each rule is written here once, with the
clerk's message, and the commands (``decisions.py``, ``correction_rules.py``) run it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scrutiny_es.domain.dates import long_date, uk_day
from scrutiny_es.domain.errors import DateOutOfOrder, ItemClosed, NotAnAddressee
from scrutiny_es.domain.history import (
    DecisionFact,
    ItemHistory,
    ReferralFact,
    ResponseFact,
    agreed_target_dates,
    closure,
)
from scrutiny_es.domain.values import Actor, Addressee


def not_future(day: date, at: datetime, what: str, field: str) -> None:
    """A fact takes effect no later than the UK day it is recorded on: a later date is a typing mistake."""
    if day.toordinal() < at.toordinal() - 1:  # days before: whatever the zones (a bulk apply meets this most)
        return
    today = uk_day(at)
    if day > today:
        msg = f"{what} ({long_date(day)}) is after today ({long_date(today)}): a fact cannot take effect in the future"
        raise DateOutOfOrder(msg, field=field)


def not_before(day: date, earliest: date, what: str, reference: str, field: str) -> None:
    """``day`` is on or after ``earliest`` (the day of ``reference``); ``field`` is the one a clerk would fix."""
    if day < earliest:
        msg = f"{what} ({long_date(day)}) is before {reference} ({long_date(earliest)})"
        raise DateOutOfOrder(msg, field=field)


class ItemGuards:
    """An item as its commands read it, and the checks they share.

    A base of ``scrutiny_es.domain.model.Recommendation``, which keeps the history (its events fold
    into it) and records the events.
    """

    if TYPE_CHECKING:  # given by Recommendation and eventsourcing's Aggregate
        history: ItemHistory

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    # What the rules read of the history, as it stands.

    @property
    def ref(self) -> str:
        return self.history.ref

    @property
    def meeting_date(self) -> date:
        return self.history.meeting_date

    @property
    def item(self) -> str:
        return self.history.item

    @property
    def text(self) -> str:
        return self.history.text

    @property
    def minute(self) -> str | None:
        return self.history.minute

    @property
    def addressees(self) -> list[Addressee]:
        """The addressees now (as added, removed and replaced since the meeting)."""
        return self.history.addressees_on(None)

    @property
    def referrals(self) -> dict[str, ReferralFact]:
        """The referrals in force, by who holds each now (a successor holds the one they took over)."""
        return self.history.referrals_now()

    @property
    def responses(self) -> dict[str, ResponseFact]:
        return self.history.responses

    @property
    def target_date(self) -> date | None:
        """The current agreed target date."""
        history = self.history
        agreed = agreed_target_dates(history, history.responses, sorted(history.decisions, key=DecisionFact.order))
        return agreed[-1] if agreed else None

    @property
    def closed_on(self) -> date | None:
        """The day of the closure in force, or None while the item is open."""
        decisions = self.history.decisions
        if not decisions or not any(d.what == "closed" for d in decisions):  # every command asks: most have none
            return None
        closed = closure(sorted(decisions, key=DecisionFact.order))
        return closed.on if closed else None

    # The checks the commands share.

    def _open(self) -> None:
        closed_on = self.closed_on
        if closed_on is not None:
            msg = f"{self.ref} was closed on {long_date(closed_on)}; reopen it first (or use correct)"
            raise ItemClosed(msg)

    def _addressee(self, name: str) -> Addressee:
        found = self.history.addressee(name)
        if found is None:
            names = ", ".join(a.name for a in self.addressees) or "none"
            msg = f"{name} is not an addressee of {self.ref} (its addressees: {names})"
            raise NotAnAddressee(msg, field="addressee")
        return found

    def _after_meeting(self, day: date, what: str, field: str) -> None:
        if day < self.meeting_date:  # the message is written only for a date that breaks the rule
            not_before(day, self.meeting_date, what, "the meeting", field)

    def _decide(
        self,
        event: type[Any],
        decided_by: str,
        decided_on: date,
        actor: Actor,
        at: datetime,
        what: str = "the decision date",
        **fields: Any,
    ) -> None:
        """Records a decision on an open item, taken no earlier than the meeting that made it."""
        self._open()
        self._after_meeting(decided_on, what, "decided_on")
        not_future(decided_on, at, what, "decided_on")
        self.trigger_event(event, timestamp=at, actor=actor, decided_by=decided_by, decided_on=decided_on, **fields)
