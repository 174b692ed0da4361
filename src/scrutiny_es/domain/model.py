"""Bodies and their recommendations, as aggregates of immutable events.

A :class:`Body` is a scrutiny board, panel or committee with its response-deadline
policy. A :class:`Recommendation` is one recommendation or action the body made at a
meeting, followed through referrals, responses, progress reports, deferrals,
escalations and closure. Each public method checks the rules first and then records one
event; nothing is ever edited in place, and a mistake is fixed by a ``Corrected`` event.

Each event adds to the item's history (``scrutiny_es.domain.history``) in its ``fold``:
the aggregate checks its rules against that history, and the read models fold the same.

Event topics (``scrutiny_es.domain.model:Recommendation.Made`` ...) are stored with
every event: never rename or move these classes without registering the old topic.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, get_args
from uuid import NAMESPACE_URL, UUID
from uuid import uuid5 as standard_uuid5

from eventsourcing.domain import Aggregate

from scrutiny_es.domain import corrections
from scrutiny_es.domain.dates import long_date, uk_day
from scrutiny_es.domain.deadlines import STATUTORY_DEADLINES, AddresseeKind, Period
from scrutiny_es.domain.errors import (
    AlreadyReferred,
    AlreadyReminded,
    AlreadyResponded,
    CannotCorrect,
    CannotExtend,
    DateOutOfOrder,
    ItemClosed,
    ItemNotClosed,
    MeetingAlreadyScheduled,
    MeetingNotScheduled,
    NotAnAddressee,
)
from scrutiny_es.domain.fastpath import FastAggregate, uuid5
from scrutiny_es.domain.history import (
    Addressee,
    Decision,
    DecisionFact,
    DecisionKind,
    ItemHistory,
    Kind,
    Outcome,
    Owed,
    ProgressFact,
    Rag,
    ReferralFact,
    ReminderFact,
    ResponseFact,
    agreed_target_dates,
    closure,
)

__all__ = [
    "Actor",
    "Addressee",
    "Body",
    "Decision",
    "Kind",
    "Outcome",
    "Rag",
    "Recommendation",
    "body_id",
    "recommendation_id",
]

KINDS: tuple[Kind, ...] = get_args(Kind)
DECISIONS: tuple[Decision, ...] = get_args(Decision)

_NAMESPACE = standard_uuid5(NAMESPACE_URL, "https://scrutiny-es.uk/ids")


@cache
def body_id(code: str) -> UUID:
    """The identity of a body: derived from its code, so a code is registered once."""
    return uuid5(_NAMESPACE, f"body:{code}")


@lru_cache(maxsize=100_000)
def recommendation_id(body: str, ref: str) -> UUID:
    """The identity of an item: derived from body code and ref, so a ref is used once."""
    return uuid5(_NAMESPACE, f"recommendation:{len(body)}:{body}:{ref}")  # the length keeps body and ref apart


@dataclass(frozen=True)
class Actor:
    """Who recorded an event: a person or system account with their role."""

    id: str
    name: str
    role: str


class Body(Aggregate):
    """A scrutiny body and the periods its addressees have to respond in."""

    class Registered(Aggregate.Created):
        class_version = 1
        actor: Actor
        registered_on: date
        code: str
        name: str
        council: str
        deadlines: dict[str, str | None]

        @property
        def effective_on(self) -> date:
            return self.registered_on

    class Event(Aggregate.Event):
        """A change to a body after its registration: its calendar."""

    class MeetingScheduled(Event):
        """A meeting of the body is to be held (a deferral "to a future meeting" falls due at the next)."""

        class_version = 1
        actor: Actor
        meeting_date: date
        name: str | None
        scheduled_on: date

        @property
        def effective_on(self) -> date:
            return self.scheduled_on

        def apply(self, aggregate: Body) -> None:
            aggregate.meetings[self.meeting_date] = self.name

    class MeetingCancelled(Event):
        class_version = 1
        actor: Actor
        meeting_date: date
        reason: str
        cancelled_on: date

        @property
        def effective_on(self) -> date:
            return self.cancelled_on

        def apply(self, aggregate: Body) -> None:
            del aggregate.meetings[self.meeting_date]

    def __init__(self, code: str, name: str, council: str, deadlines: dict[str, str | None]) -> None:
        self.code = code
        self.name = name
        self.council = council
        self.deadlines: dict[AddresseeKind, Period | None] = dict(STATUTORY_DEADLINES)
        for kind, period in deadlines.items():
            self.deadlines[kind] = None if period is None else Period.parse(period)  # type: ignore[index]
        self.meetings: dict[date, str | None] = {}
        """The meetings scheduled and not cancelled, with their names."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return body_id(code)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        council: str,
        deadlines: Mapping[AddresseeKind, str | None],
        actor: Actor,
        at: datetime,
    ) -> Body:
        """A new body; ``deadlines`` ("8 weeks", or None for no deadline) overrides the statutory periods."""
        return cls._create(
            cls.Registered,
            id=body_id(code),
            timestamp=at,
            actor=actor,
            registered_on=uk_day(at),
            code=code,
            name=name,
            council=council,
            deadlines=dict(deadlines),
        )

    def schedule_meeting(self, *, meeting_date: date, name: str | None, actor: Actor, at: datetime) -> None:
        """Puts a meeting in the body's calendar (it may be in the future)."""
        if meeting_date in self.meetings:
            msg = f"{self.code} already has a meeting scheduled on {long_date(meeting_date)}"
            raise MeetingAlreadyScheduled(msg, field="meeting_date")
        self.trigger_event(
            self.MeetingScheduled, timestamp=at, actor=actor, meeting_date=meeting_date, name=name,
            scheduled_on=uk_day(at),
        )  # fmt: skip

    def cancel_meeting(self, *, meeting_date: date, reason: str, actor: Actor, at: datetime) -> None:
        """Takes a meeting out of the calendar; what was deferred to it falls due at the next."""
        if meeting_date not in self.meetings:
            scheduled = ", ".join(long_date(day) for day in sorted(self.meetings)) or "none"
            msg = f"{self.code} has no meeting scheduled on {long_date(meeting_date)} (scheduled: {scheduled})"
            raise MeetingNotScheduled(msg, field="meeting_date")
        self.trigger_event(
            self.MeetingCancelled, timestamp=at, actor=actor, meeting_date=meeting_date, reason=reason,
            cancelled_on=uk_day(at),
        )  # fmt: skip


class Recommendation(FastAggregate):
    """One recommendation or action of a body, from the meeting that made it to closure.

    It enforces the board's rules: dates never precede the meeting or the event they
    follow, only addressees are referred and respond, each responds once, and a closed
    item takes nothing but ``reopen`` and ``correct``.
    """

    class Event(Aggregate.Event):
        """Every event says who recorded it (``actor``) and when it took effect."""

        actor: Actor
        COMMAND: ClassVar[str]
        """The command, and the item's method of the same name, that records an event of this class."""

        @property
        def effective_on(self) -> date:
            raise NotImplementedError

        def arguments(self) -> dict[str, Any]:
            """What the command that recorded this event was given (its fields but who recorded it)."""
            return {name: getattr(self, name) for name in _parameters(self.COMMAND)}

        def fold(self, history: ItemHistory) -> None:
            """Adds what this event records to the item's history."""
            raise NotImplementedError

        def apply(self, aggregate: Recommendation) -> None:
            self.fold(aggregate.history)
            aggregate.recorded[self.originator_version] = self
            aggregate.given.setdefault((self.COMMAND, self.actor), []).append(self.originator_version)

    class Made(Event, Aggregate.Created):
        class_version = 1
        body: str
        ref: str
        kind: Kind
        meeting_date: date
        item: str
        minute: str | None
        text: str
        addressees: list[Addressee]
        target_date: date | None
        decided_by: str

        @property
        def effective_on(self) -> date:
            return self.meeting_date

        def apply(self, aggregate: Recommendation) -> None:
            aggregate.history = self.history()
            aggregate.recorded = {self.originator_version: self}
            aggregate.given = {}

        def history(self) -> ItemHistory:
            """The item's history as this event begins it."""
            return ItemHistory(
                item_id=self.originator_id,
                body=self.body,
                ref=self.ref,
                kind=self.kind,
                board=self.decided_by,
                meeting_date=self.meeting_date,
                item=self.item,
                minute=self.minute,
                text=self.text,
                addressees=list(self.addressees),
                target_date=self.target_date,
            )

    class Referred(Event):
        class_version = 1
        COMMAND = "refer"
        addressee: str
        received_on: date
        response_due: date | None
        period: str | None

        @property
        def effective_on(self) -> date:
            return self.received_on

        def arguments(self) -> dict[str, Any]:
            given = super().arguments()
            if self.period is not None:  # the deadline was worked out from the body's period, not given
                given["response_due"] = None
            return given

        def fold(self, history: ItemHistory) -> None:
            history.referrals[self.addressee] = ReferralFact(
                on=self.received_on, seq=self.originator_version, response_due=self.response_due, period=self.period
            )

    class ResponseRecorded(Event):
        class_version = 1
        COMMAND = "record_response"
        addressee: str
        decision: Decision
        text: str
        responded_on: date
        responded_by: str
        target_date: date | None

        @property
        def effective_on(self) -> date:
            return self.responded_on

        def fold(self, history: ItemHistory) -> None:
            history.responses[self.addressee] = ResponseFact(
                on=self.responded_on, seq=self.originator_version, decision=self.decision, text=self.text,
                responded_by=self.responded_by, target_date=self.target_date,
            )  # fmt: skip

    class ResponseDeadlineExtended(Event):
        """An addressee's deadline, moved later by agreement: not overdue meanwhile; the first is kept."""

        class_version = 1
        COMMAND = "extend_response_deadline"
        addressee: str
        response_due: date
        reason: str
        agreed_by: str
        decided_on: date

        @property
        def effective_on(self) -> date:
            return self.decided_on

        def fold(self, history: ItemHistory) -> None:
            referral = history.referrals.get(self.addressee)
            if referral is not None:
                if referral.original_due is None:
                    referral.original_due = referral.response_due
                referral.response_due = self.response_due

    class ClosureProposed(Event):
        """An officer says the work is done and proposes an outcome; only the board closes."""

        class_version = 1
        COMMAND = "propose_closure"
        outcome: Outcome
        proposed_by: str
        proposed_on: date
        note: str | None

        @property
        def effective_on(self) -> date:
            return self.proposed_on

        def fold(self, history: ItemHistory) -> None:
            history.decisions.append(DecisionFact(
                on=self.proposed_on, seq=self.originator_version, what="closure_proposed",
                decided_by=self.proposed_by, outcome=self.outcome, note=self.note,
            ))  # fmt: skip

    class ProgressReported(Event):
        class_version = 1
        COMMAND = "report_progress"
        note: str
        reported_on: date
        reported_by: str
        rag: Rag | None

        @property
        def effective_on(self) -> date:
            return self.reported_on

        def fold(self, history: ItemHistory) -> None:
            history.progress.append(ProgressFact(on=self.reported_on, seq=self.originator_version, note=self.note,
                                                 rag=self.rag, reported_by=self.reported_by))  # fmt: skip

    class ReminderSent(Event):
        """Someone responsible was reminded of what they owe on the item (their address is not kept here: a
        person may ask for theirs to be erased, and the log is never changed)."""

        class_version = 1
        COMMAND = "record_reminder"
        person: str
        sent_on: date
        about: list[Owed]

        @property
        def effective_on(self) -> date:
            return self.sent_on

        def fold(self, history: ItemHistory) -> None:
            history.reminders.append(
                ReminderFact(on=self.sent_on, seq=self.originator_version, person=self.person, about=list(self.about))
            )

    class Decided(Event):
        """A decision: who took it, on what day, under which minute."""

        decided_by: str
        decided_on: date
        what: ClassVar[DecisionKind]

        @property
        def effective_on(self) -> date:
            return self.decided_on

        def fold(self, history: ItemHistory) -> None:
            history.decisions.append(
                DecisionFact(
                    on=self.decided_on, seq=self.originator_version, what=self.what, decided_by=self.decided_by,
                    **{name: getattr(self, name, None) for name in _DECISION_DETAILS},
                )
            )  # fmt: skip

    class TargetDateRevised(Decided):
        class_version = 1
        COMMAND = "revise_target_date"
        what = "target_date_revised"
        target_date: date
        reason: str

    class Deferred(Decided):
        class_version = 1
        COMMAND = "defer"
        what = "deferred"
        until: date | None
        reason: str
        minute: str | None

    class Reaffirmed(Decided):
        class_version = 1
        COMMAND = "reaffirm"
        what = "reaffirmed"
        minute: str | None
        note: str | None

    class Escalated(Decided):
        class_version = 1
        COMMAND = "escalate"
        what = "escalated"
        action: str
        minute: str | None

    class Closed(Decided):
        class_version = 1
        COMMAND = "close"
        what = "closed"
        outcome: Outcome
        minute: str | None
        note: str | None

    class Reopened(Decided):
        class_version = 1
        COMMAND = "reopen"
        what = "reopened"
        reason: str
        minute: str | None

    class Corrected(Event):
        """A recorded fact put right; the original stays in the history.

        Version 2 names a progress report or decision by the item's event ``version`` (and the audit
        trail's ``position`` the clerk gave), and keeps the value it replaced (``previous``).
        """

        class_version = 2
        COMMAND = "correct"
        field: str
        value: str | None
        """The right value as written (a date as YYYY-MM-DD); ``corrected_value`` reads it as its field's type."""
        previous: str | None
        """The value it replaced, as written (None where version 1 did not keep it, or there was none)."""
        reason: str
        addressee: str | None
        version: int | None
        """The item's event that recorded the corrected fact, for a progress report or a decision."""
        position: int | None
        fact_date: date
        """The date the corrected fact took effect, after the correction."""

        @property
        def effective_on(self) -> date:
            return self.fact_date

        @property
        def corrected_value(self) -> Any:
            return corrections.read_value(self.field, self.value)

        def fold(self, history: ItemHistory) -> None:
            corrections.apply(history, self.field, self.corrected_value, self.addressee, self.version)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(previous=None, version=None, position=None)

    class Retracted(Event):
        """A fact withdrawn because it was recorded in error: the event stays in the log, the fact leaves the
        history (a correction is put right by another correction; an item made in error is closed as withdrawn)."""

        class_version = 1
        COMMAND = "retract"
        version: int
        """The item's event that recorded the withdrawn fact."""
        position: int
        fact: str
        """What that event was (``ProgressReported``...)."""
        reason: str
        fact_date: date
        """The date the withdrawn fact took effect."""

        @property
        def effective_on(self) -> date:
            return self.fact_date

        def fold(self, history: ItemHistory) -> None:
            history.withdraw(self.version)

    if TYPE_CHECKING:  # not fields: eventsourcing would make them arguments of __init__
        history: ItemHistory
        """Everything recorded of the item, as it stands."""
        recorded: dict[int, Recommendation.Event]
        """Each of the item's events by its version (what the history left out included)."""
        given: dict[tuple[str, Actor], list[int]]
        """The versions of the events each command recorded, by the command's name and who recorded it."""

    def __init__(self) -> None:
        """Nothing to do: ``Made.apply``, which eventsourcing calls once the item is made, begins its history."""

    @staticmethod
    def create_id(body: str, ref: str) -> UUID:
        return recommendation_id(body, ref)

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
        return self.history.addressees

    @property
    def referrals(self) -> dict[str, ReferralFact]:
        return self.history.referrals

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

    def identical(self, command: str, arguments: dict[str, Any], actor: Actor) -> int | None:
        """The version of the event in force that the same command, with the same arguments and by the same
        actor, recorded; None if there is none (a command sent twice is recorded once)."""
        if command == "correct" and arguments.get("field") in corrections.CORRECTABLE:
            try:
                value = corrections.read_value(arguments["field"], arguments["value"])
            except CannotCorrect:
                return None
            arguments = {**arguments, "value": _as_text(value)}
        same = self.given.get((command, actor))
        if not same:
            return None
        for version in same:
            if self.recorded[version].arguments() == arguments and not self._retracted(version):
                return version
        return None

    def _retracted(self, version: int) -> bool:
        """Whether the fact the item's event ``version`` recorded was retracted."""
        return any(isinstance(e, self.Retracted) and e.version == version for e in self.recorded.values())

    @classmethod
    def make(
        cls,
        *,
        body: Body,
        ref: str,
        kind: Kind,
        meeting_date: date,
        item: str,
        minute: str | None,
        text: str,
        addressees: list[Addressee],
        target_date: date | None,
        actor: Actor,
        at: datetime,
    ) -> Recommendation:
        """A recommendation or action the body made at a meeting."""
        _not_future(meeting_date, at, "the meeting date", "meeting_date")
        if target_date is not None:
            _not_before(target_date, meeting_date, "the target date", "the meeting", "target_date")
        return cls.create_fast(
            cls.Made, id=recommendation_id(body.code, ref), timestamp=at, actor=actor, body=body.code, ref=ref,
            kind=kind, meeting_date=meeting_date, item=item, minute=minute, text=text, addressees=list(addressees),
            target_date=target_date, decided_by=body.name,
        )  # fmt: skip

    # The board's name stands in "decided by" for decisions taken at its meetings.

    def refer(
        self, *, addressee: str, received_on: date, body: Body, response_due: date | None, actor: Actor, at: datetime
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
        _not_future(received_on, at, "the date of receipt", "received_on")
        period: str | None = None
        if response_due is None:
            policy = body.deadlines.get(who.kind)
            if policy is not None:
                period = str(policy)
                response_due = policy.last_day(received_on)
        else:
            _not_before(response_due, received_on, "the response due date", "the date of receipt", "response_due")
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
        _not_future(responded_on, at, "the response date", "responded_on")
        referral = self.referrals.get(addressee)
        if referral is not None:
            received = f"{addressee} received the item"
            _not_before(responded_on, referral.on, "the response date", received, "responded_on")
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
        _not_future(decided_on, at, "the date the extension was agreed", "decided_on")
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
        _not_future(proposed_on, at, "the date of the proposal", "proposed_on")
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
        _not_future(reported_on, at, "the progress report date", "reported_on")
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
        _not_future(sent_on, at, "the day the reminder was sent", "sent_on")
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

    def defer(
        self, *, until: date | None, reason: str, decided_on: date, minute: str | None, actor: Actor, at: datetime
    ) -> None:
        """The board defers consideration to a later meeting, dated or not."""
        if until is not None:
            _not_before(until, decided_on, "the date deferred to", "the decision to defer", "until")
        fields: dict[str, Any] = {"until": until, "reason": reason, "minute": minute}
        self._decide(self.Deferred, self.history.board, decided_on, actor, at, **fields)

    def reaffirm(self, *, decided_on: date, minute: str | None, note: str | None, actor: Actor, at: datetime) -> None:
        """The board re-affirms the recommendation as made."""
        self._decide(self.Reaffirmed, self.history.board, decided_on, actor, at, minute=minute, note=note)

    def escalate(self, *, action: str, decided_on: date, minute: str | None, actor: Actor, at: datetime) -> None:
        """The board determines action where progress is unsatisfactory."""
        self._decide(self.Escalated, self.history.board, decided_on, actor, at, action=action, minute=minute)

    def close(
        self, *, outcome: Outcome, decided_on: date, minute: str | None, note: str | None, actor: Actor, at: datetime
    ) -> None:
        """The board determines the item no longer needs monitoring."""
        fields = {"outcome": outcome, "minute": minute, "note": note}
        self._decide(self.Closed, self.history.board, decided_on, actor, at, what="the closure date", **fields)

    def _decide(
        self,
        event: type[Decided],
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
        _not_future(decided_on, at, what, "decided_on")
        self.trigger_event(event, timestamp=at, actor=actor, decided_by=decided_by, decided_on=decided_on, **fields)

    def reopen(self, *, reason: str, decided_on: date, minute: str | None, actor: Actor, at: datetime) -> None:
        """The board takes a closed item back into monitoring."""
        closed_on = self.closed_on
        if closed_on is None:
            msg = f"{self.ref} is not closed, so it cannot be reopened"
            raise ItemNotClosed(msg)
        _not_before(decided_on, closed_on, "the date of reopening", "the closure", "decided_on")
        _not_future(decided_on, at, "the date of reopening", "decided_on")
        self.trigger_event(
            self.Reopened,
            timestamp=at,
            actor=actor,
            reason=reason,
            decided_by=self.history.board,
            decided_on=decided_on,
            minute=minute,
        )

    def correct(
        self,
        *,
        field: str,
        value: Any,
        reason: str,
        addressee: str | None,
        actor: Actor,
        at: datetime,
        version: int | None = None,
        position: int | None = None,
    ) -> None:
        """Puts a recorded fact right; a correction of a date of receipt moves a worked-out deadline too.

        A referral or a response is named by its ``addressee``; a progress report or a decision by the
        item's event ``version`` that recorded it (the service finds it from the audit trail's ``position``).
        """
        value = corrections.read_value(field, value)
        fact = self._corrected_fact(field, addressee, version)
        previous = getattr(fact, corrections.attribute(field))
        fact_date = self._check_correction(field, value, fact, addressee, at)
        self.trigger_event(
            self.Corrected,
            timestamp=at,
            actor=actor,
            field=field,
            value=_as_text(value),
            previous=_as_text(previous),
            reason=reason,
            addressee=addressee,
            version=version,
            position=position,
            fact_date=fact_date,
        )
        if field == "referral.received_on" and fact.period is not None:
            due = Period.parse(fact.period).last_day(value)
            self.trigger_event(
                self.Corrected,
                timestamp=at,
                actor=actor,
                field="referral.response_due",
                value=due.isoformat(),
                previous=_as_text(fact.response_due),
                reason=f"{fact.period} from the corrected date of receipt",
                addressee=addressee,
                version=None,
                position=None,
                fact_date=value,
            )

    def _corrected_fact(self, field: str, addressee: str | None, version: int | None) -> Any:
        """The fact a correction names, in force; ``CannotCorrect`` says why there is none."""
        if field.startswith(("referral.", "response.")):
            if addressee is None:
                msg = f"a correction of {field} must name the addressee"
                raise CannotCorrect(msg, field="addressee")
            self._addressee(addressee)
        elif field.startswith(corrections.BY_POSITION):
            if version is None:
                msg = f"a correction of {field} must name the fact by its position in the audit trail"
                raise CannotCorrect(msg, field="position")
        elif addressee is not None or version is not None:
            msg = f"{field} is the item's own: a correction of it names no addressee and no position"
            raise CannotCorrect(msg, field="addressee" if addressee is not None else "position")
        fact = corrections.fact_of(self.history, field, addressee, version)
        if fact is None:
            what = {"referral": "been referred to", "response": "a response from"}.get(field.partition(".")[0])
            if what == "been referred to":
                msg = f"{self.ref} has not been referred to {addressee}, so there is no referral to correct"
            elif what:
                msg = f"{addressee} has not responded to {self.ref}, so there is no response to correct"
            else:
                kind = field.partition(".")[0]
                msg = f"that position holds no {kind} of {self.ref} in force (it may have been retracted)"
            raise CannotCorrect(msg, field="addressee" if what else "position")
        if isinstance(fact, DecisionFact):
            holders = corrections.DECISION_FIELDS.get(field)
            if holders is not None and fact.what not in holders:
                msg = f"{field} is not part of a decision that {fact.what.replace('_', ' ')}"
                raise CannotCorrect(msg, field="field")
        if isinstance(fact, ProgressFact | DecisionFact) == field.startswith(corrections.BY_POSITION):
            return fact
        msg = f"a correction of {field} names a {field.partition('.')[0]}, not that fact"
        raise CannotCorrect(msg, field="position")

    def _check_correction(self, field: str, value: Any, fact: Any, addressee: str | None, at: datetime) -> date:
        """Checks a correction keeps the item's dates in order; returns the corrected fact's date."""
        if field in _FACT_DATES:
            _not_future(value, at, _FACT_DATES[field], "value")
        if field.startswith("referral."):
            if field == "referral.received_on":
                self._after_meeting(value, "the date of receipt", "value")
                response = self.responses.get(addressee or "")
                if response is not None:
                    _not_before(response.on, value, "the response date", f"{addressee} received the item", "value")
                return value  # type: ignore[no-any-return]
            if value is not None:
                _not_before(value, fact.on, "the response due date", "the date of receipt", "value")
            return fact.on  # type: ignore[no-any-return]
        if field.startswith("response."):
            if field == "response.responded_on":
                self._after_meeting(value, "the response date", "value")
                referral = self.referrals.get(addressee or "")
                if referral is not None:
                    _not_before(value, referral.on, "the response date", f"{addressee} received the item", "value")
                return value  # type: ignore[no-any-return]
            if field == "response.target_date" and value is not None:
                self._after_meeting(value, "the target date", "value")
            return fact.on  # type: ignore[no-any-return]
        if field.startswith(corrections.BY_POSITION):
            if field in ("progress.reported_on", "decision.decided_on"):
                self._after_meeting(value, _FACT_DATES[field], "value")
                return value  # type: ignore[no-any-return]
            if field in ("decision.target_date", "decision.until") and value is not None:
                _not_before(value, fact.on, f"the {field.partition('.')[2].replace('_', ' ')}", "the decision", "value")
            return fact.on  # type: ignore[no-any-return]
        if field == "meeting_date":
            history = self.history
            later = [f.on for f in [*history.referrals.values(), *history.responses.values()]]
            later += [f.on for f in [*history.progress, *history.decisions]]
            if self.target_date is not None:
                later.append(self.target_date)
            if later and value > min(later):
                msg = (
                    f"the meeting date {long_date(value)} would come after {long_date(min(later))}, "
                    f"a date already recorded for {self.ref}"
                )
                raise DateOutOfOrder(msg, field="value")
            return value  # type: ignore[no-any-return]
        return self.meeting_date

    def retract(self, *, version: int, position: int, reason: str, actor: Actor, at: datetime) -> None:
        """Withdraws a fact recorded in error (by the item's event ``version``; the clerk gave its ``position``)."""
        fact = self.history.fact(version)
        if fact is None:
            if version == 1:
                msg = f"position {position} made {self.ref}, which cannot be retracted; close it as withdrawn instead"
            elif self._retracted(version):
                msg = f"the fact at position {position} was already retracted"
            else:
                msg = f"position {position} holds no fact of {self.ref} that can be retracted (a correction is put"
                msg += " right by another correction)"
            raise CannotCorrect(msg, field="position")
        self.trigger_event(
            self.Retracted,
            timestamp=at,
            actor=actor,
            version=version,
            position=position,
            fact=type(self.recorded[version]).__name__,
            reason=reason,
            fact_date=fact.on,
        )

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
            _not_before(day, self.meeting_date, what, "the meeting", field)


@cache
def _parameters(command: str) -> tuple[str, ...]:
    """The arguments an item's method takes from its command (not who records it, when, nor the body)."""
    taken = inspect.signature(getattr(Recommendation, command)).parameters
    return tuple(name for name in taken if name not in ("self", "actor", "at", "body"))


def _not_future(day: date, at: datetime, what: str, field: str) -> None:
    """A fact takes effect no later than the UK day it is recorded on: a later date is a typing mistake."""
    if day.toordinal() < at.toordinal() - 1:  # days before: whatever the zones (a bulk apply meets this most)
        return
    today = uk_day(at)
    if day > today:
        msg = f"{what} ({long_date(day)}) is after today ({long_date(today)}): a fact cannot take effect in the future"
        raise DateOutOfOrder(msg, field=field)


_FACT_DATES = {
    "meeting_date": "the meeting date",
    "referral.received_on": "the date of receipt",
    "response.responded_on": "the response date",
    "progress.reported_on": "the progress report date",
    "decision.decided_on": "the decision date",
}
"""The corrected fields that are the day their fact took effect, and how a clerk calls each."""

_DECISION_DETAILS = ("target_date", "until", "outcome", "minute", "reason", "action", "note")
"""What a decision's event may hold beyond who decided and when, kept in its fact."""


def _not_before(day: date, earliest: date, what: str, reference: str, field: str) -> None:
    if day < earliest:
        msg = f"{what} ({long_date(day)}) is before {reference} ({long_date(earliest)})"
        raise DateOutOfOrder(msg, field=field)


def _as_text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value
