"""The item's commands: each checks the board's rules against the item's history, then records one event.

Every method here is a command of the same name (``refer``, ``record_response``...): it reads
the history the item's events folded, raises a named ``ScrutinyError`` if the command breaks
a rule (so nothing is recorded), and otherwise records its event. The events themselves, and
how each adds to the history, are nested on ``Recommendation`` in ``scrutiny_es.domain.model``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.deadlines import AddresseeKind, Period
from scrutiny_es.domain.errors import AlreadyReferred, AlreadyReminded, AlreadyResponded, CannotExtend, ItemNotClosed
from scrutiny_es.domain.guards import ItemGuards, not_before, not_future
from scrutiny_es.domain.values import Actor, Decision, Outcome, Owed, Rag


class BodyDeadlines(Protocol):
    """What a referral reads of the item's body (a ``Body``): how long each kind of addressee has to respond."""

    @property
    def deadlines(self) -> Mapping[AddresseeKind, Period | None]: ...


class ItemDecisions(ItemGuards):
    """The commands that add a fact to an item: referrals, responses, progress, reminders and decisions.

    A base of ``scrutiny_es.domain.model.Recommendation``; ``correction_rules.ItemCorrections`` puts facts right.
    """

    if TYPE_CHECKING:  # the events, nested on Recommendation, where their stored topics stay
        Referred: ClassVar[type[Any]]
        ResponseRecorded: ClassVar[type[Any]]
        ResponseDeadlineExtended: ClassVar[type[Any]]
        ClosureProposed: ClassVar[type[Any]]
        ProgressReported: ClassVar[type[Any]]
        ReminderSent: ClassVar[type[Any]]
        TargetDateRevised: ClassVar[type[Any]]
        Deferred: ClassVar[type[Any]]
        Reaffirmed: ClassVar[type[Any]]
        Escalated: ClassVar[type[Any]]
        Closed: ClassVar[type[Any]]
        Reopened: ClassVar[type[Any]]

        def _joined_by(self, addressee: str, day: date, what: str, field: str) -> None: ...

    # The board's name stands in "decided by" for decisions taken at its meetings.

    def refer(
        self,
        *,
        addressee: str,
        received_on: date,
        body: BodyDeadlines,
        response_due: date | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Sends the item to an addressee; their deadline runs from the day they received it."""
        self._open()
        who = self._addressee(addressee)
        if addressee in self.referrals:
            msg = (
                f"{self.ref} was already referred to {addressee} "
                f"(received {long_date(self.referrals[addressee].on)}); use correct to change the referral"
            )
            raise AlreadyReferred(msg, field="addressee")
        self._after_meeting(received_on, "the date of receipt", "received_on")
        self._joined_by(addressee, received_on, "the date of receipt", "received_on")
        not_future(received_on, at, "the date of receipt", "received_on")
        period: str | None = None
        if response_due is None:
            policy = body.deadlines.get(who.kind)
            if policy is not None:
                period = str(policy)
                response_due = policy.last_day(received_on)
        else:
            not_before(response_due, received_on, "the response due date", "the date of receipt", "response_due")
        self.trigger_event(
            self.Referred,
            timestamp=at,
            actor=actor,
            addressee=addressee,
            received_on=received_on,
            response_due=response_due,
            period=period,
        )

    def record_response(
        self,
        *,
        addressee: str,
        decision: Decision,
        text: str,
        responded_on: date,
        responded_by: str,
        target_date: date | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Records one addressee's response to the item."""
        self._open()
        self._addressee(addressee)
        if addressee in self.responses:
            msg = (
                f"{addressee} already responded to {self.ref} on {long_date(self.responses[addressee].on)}; "
                "use correct to amend the response"
            )
            raise AlreadyResponded(msg, field="addressee")
        self._after_meeting(responded_on, "the response date", "responded_on")
        self._joined_by(addressee, responded_on, "the response date", "responded_on")
        not_future(responded_on, at, "the response date", "responded_on")
        referral = self.referrals.get(addressee)
        if referral is not None:
            received = f"{addressee} received the item"
            not_before(responded_on, referral.on, "the response date", received, "responded_on")
        if target_date is not None:
            self._after_meeting(target_date, "the target date", "target_date")
        self.trigger_event(
            self.ResponseRecorded,
            timestamp=at,
            actor=actor,
            addressee=addressee,
            decision=decision,
            text=text,
            responded_on=responded_on,
            responded_by=responded_by,
            target_date=target_date,
        )

    def extend_response_deadline(
        self,
        *,
        addressee: str,
        response_due: date,
        reason: str,
        agreed_by: str,
        decided_on: date,
        actor: Actor,
        at: datetime,
    ) -> None:
        """Gives an addressee longer to respond, by agreement, while their response is awaited."""
        self._open()
        self._addressee(addressee)
        referral = self.referrals.get(addressee)
        if referral is None:
            msg = f"{self.ref} has not been referred to {addressee}, so there is no deadline to extend"
            raise CannotExtend(msg, field="addressee")
        if addressee in self.responses:
            msg = f"{addressee} has responded to {self.ref} already, so their deadline cannot be extended"
            raise CannotExtend(msg, field="addressee")
        if referral.response_due is not None and response_due <= referral.response_due:
            msg = (
                f"the new deadline ({long_date(response_due)}) must be later than the one in force "
                f"({long_date(referral.response_due)})"
            )
            raise CannotExtend(msg, field="response_due")
        self._after_meeting(decided_on, "the date the extension was agreed", "decided_on")
        not_future(decided_on, at, "the date the extension was agreed", "decided_on")
        self.trigger_event(
            self.ResponseDeadlineExtended, timestamp=at, actor=actor, addressee=addressee, response_due=response_due,
            reason=reason, agreed_by=agreed_by, decided_on=decided_on,
        )  # fmt: skip

    def propose_closure(
        self, *, outcome: Outcome, proposed_by: str, proposed_on: date, note: str | None, actor: Actor, at: datetime
    ) -> None:
        """Records an officer's proposal that the item be closed with an outcome (the board decides)."""
        self._open()
        self._after_meeting(proposed_on, "the date of the proposal", "proposed_on")
        not_future(proposed_on, at, "the date of the proposal", "proposed_on")
        self.trigger_event(
            self.ClosureProposed, timestamp=at, actor=actor, outcome=outcome, proposed_by=proposed_by,
            proposed_on=proposed_on, note=note,
        )  # fmt: skip

    def report_progress(
        self, *, note: str, reported_on: date, reported_by: str, rag: Rag | None, actor: Actor, at: datetime
    ) -> None:
        """Records a progress update as the board received it."""
        self._open()
        self._after_meeting(reported_on, "the progress report date", "reported_on")
        not_future(reported_on, at, "the progress report date", "reported_on")
        self.trigger_event(
            self.ProgressReported,
            timestamp=at,
            actor=actor,
            note=note,
            reported_on=reported_on,
            reported_by=reported_by,
            rag=rag,
        )

    def record_reminder(self, *, person: str, sent_on: date, about: list[Owed], actor: Actor, at: datetime) -> None:
        """Records that ``person`` was reminded of what they owe on the open item; once a day at most."""
        self._open()
        self._after_meeting(sent_on, "the day the reminder was sent", "sent_on")
        not_future(sent_on, at, "the day the reminder was sent", "sent_on")
        if self.history.reminded(person, sent_on):
            msg = f"{person} was already reminded of {self.ref} on {long_date(sent_on)}"
            raise AlreadyReminded(msg, field="person")
        self.trigger_event(
            self.ReminderSent, timestamp=at, actor=actor, person=person, sent_on=sent_on, about=list(about)
        )

    def revise_target_date(
        self, *, target_date: date, reason: str, decided_by: str, decided_on: date, actor: Actor, at: datetime
    ) -> None:
        """Moves the target date; the earlier dates stay in the history."""
        self._after_meeting(target_date, "the target date", "target_date")
        self._decide(self.TargetDateRevised, decided_by, decided_on, actor, at, target_date=target_date, reason=reason)

    # ``board``: the board's name as on the day it decided (a body renamed since the item was made decides under
    # its new name); None: the name the item knows it by.

    def defer(
        self, *, until: date | None, reason: str, decided_on: date, minute: str | None, actor: Actor, at: datetime,
        board: str | None = None,
    ) -> None:  # fmt: skip
        """The board defers consideration to a later meeting, dated or not."""
        if until is not None:
            not_before(until, decided_on, "the date deferred to", "the decision to defer", "until")
        fields: dict[str, Any] = {"until": until, "reason": reason, "minute": minute}
        self._decide(self.Deferred, board or self.history.board, decided_on, actor, at, **fields)

    def reaffirm(
        self, *, decided_on: date, minute: str | None, note: str | None, actor: Actor, at: datetime,
        board: str | None = None,
    ) -> None:  # fmt: skip
        """The board re-affirms the recommendation as made."""
        self._decide(self.Reaffirmed, board or self.history.board, decided_on, actor, at, minute=minute, note=note)

    def escalate(
        self, *, action: str, decided_on: date, minute: str | None, actor: Actor, at: datetime, board: str | None = None
    ) -> None:
        """The board determines action where progress is unsatisfactory."""
        self._decide(self.Escalated, board or self.history.board, decided_on, actor, at, action=action, minute=minute)

    def close(
        self, *, outcome: Outcome, decided_on: date, minute: str | None, note: str | None, actor: Actor, at: datetime,
        board: str | None = None,
    ) -> None:  # fmt: skip
        """The board determines the item no longer needs monitoring."""
        fields = {"outcome": outcome, "minute": minute, "note": note}
        self._decide(self.Closed, board or self.history.board, decided_on, actor, at, what="the closure date", **fields)

    def reopen(
        self, *, reason: str, decided_on: date, minute: str | None, actor: Actor, at: datetime, board: str | None = None
    ) -> None:
        """The board takes a closed item back into monitoring."""
        closed_on = self.closed_on
        if closed_on is None:
            msg = f"{self.ref} is not closed, so it cannot be reopened"
            raise ItemNotClosed(msg)
        not_before(decided_on, closed_on, "the date of reopening", "the closure", "decided_on")
        not_future(decided_on, at, "the date of reopening", "decided_on")
        self.trigger_event(
            self.Reopened,
            timestamp=at,
            actor=actor,
            reason=reason,
            decided_by=board or self.history.board,
            decided_on=decided_on,
            minute=minute,
        )
