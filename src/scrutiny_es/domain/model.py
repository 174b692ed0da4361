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
    AlreadyResponded,
    CannotCorrect,
    DateOutOfOrder,
    ItemClosed,
    ItemNotClosed,
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
    ProgressFact,
    Rag,
    ReferralFact,
    ResponseFact,
    closure,
    current_target_date,
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

    def __init__(self, code: str, name: str, council: str, deadlines: dict[str, str | None]) -> None:
        self.code = code
        self.name = name
        self.council = council
        self.deadlines: dict[AddresseeKind, Period | None] = dict(STATUTORY_DEADLINES)
        for kind, period in deadlines.items():
            self.deadlines[kind] = None if period is None else Period.parse(period)  # type: ignore[index]

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


class Recommendation(FastAggregate):
    """One recommendation or action of a body, from the meeting that made it to closure.

    It enforces the board's rules: dates never precede the meeting or the event they
    follow, only addressees are referred and respond, each responds once, and a closed
    item takes nothing but ``reopen`` and ``correct``.
    """

    class Event(Aggregate.Event):
        """Every event says who recorded it (``actor``) and when it took effect."""

        actor: Actor

        @property
        def effective_on(self) -> date:
            raise NotImplementedError

        def fold(self, history: ItemHistory) -> None:
            """Adds what this event records to the item's history."""
            raise NotImplementedError

        def apply(self, aggregate: Recommendation) -> None:
            self.fold(aggregate.history)

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
        addressee: str
        received_on: date
        response_due: date | None
        period: str | None

        @property
        def effective_on(self) -> date:
            return self.received_on

        def fold(self, history: ItemHistory) -> None:
            history.referrals[self.addressee] = ReferralFact(
                on=self.received_on, seq=self.originator_version, response_due=self.response_due, period=self.period
            )

    class ResponseRecorded(Event):
        class_version = 1
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

    class ProgressReported(Event):
        class_version = 1
        note: str
        reported_on: date
        reported_by: str
        rag: Rag | None

        @property
        def effective_on(self) -> date:
            return self.reported_on

        def fold(self, history: ItemHistory) -> None:
            history.progress.append(ProgressFact(on=self.reported_on, seq=self.originator_version, note=self.note,
                                                 rag=self.rag))  # fmt: skip

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
                    on=self.decided_on, seq=self.originator_version, what=self.what,
                    target_date=getattr(self, "target_date", None), until=getattr(self, "until", None),
                    outcome=getattr(self, "outcome", None),
                )
            )  # fmt: skip

    class TargetDateRevised(Decided):
        class_version = 1
        what = "target_date_revised"
        target_date: date
        reason: str

    class Deferred(Decided):
        class_version = 1
        what = "deferred"
        until: date | None
        reason: str
        minute: str | None

    class Reaffirmed(Decided):
        class_version = 1
        what = "reaffirmed"
        minute: str | None
        note: str | None

    class Escalated(Decided):
        class_version = 1
        what = "escalated"
        action: str
        minute: str | None

    class Closed(Decided):
        class_version = 1
        what = "closed"
        outcome: Outcome
        minute: str | None
        note: str | None

    class Reopened(Decided):
        class_version = 1
        what = "reopened"
        reason: str
        minute: str | None

    class Corrected(Event):
        """A recorded fact put right; the original stays in the history."""

        class_version = 1
        field: str
        value: str | None
        """The right value as written (a date as YYYY-MM-DD); ``corrected_value`` reads it as its field's type."""
        reason: str
        addressee: str | None
        fact_date: date
        """The date the corrected fact took effect, after the correction."""

        @property
        def effective_on(self) -> date:
            return self.fact_date

        @property
        def corrected_value(self) -> Any:
            return corrections.read_value(self.field, self.value)

        def fold(self, history: ItemHistory) -> None:
            corrections.apply(history, self.field, self.corrected_value, self.addressee)

    if TYPE_CHECKING:  # not a field: eventsourcing would make it an argument of __init__
        history: ItemHistory
        """Everything recorded of the item."""

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
        return current_target_date(history, history.responses, sorted(history.decisions, key=DecisionFact.order))

    @property
    def closed_on(self) -> date | None:
        """The day of the closure in force, or None while the item is open."""
        closed = closure(sorted(self.history.decisions, key=DecisionFact.order))
        return closed.on if closed else None

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
        if target_date is not None:
            _not_before(target_date, meeting_date, "the target date", "the meeting")
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
            raise AlreadyReferred(msg)
        self._after_meeting(received_on, "the date of receipt")
        period: str | None = None
        if response_due is None:
            policy = body.deadlines.get(who.kind)
            if policy is not None:
                period = str(policy)
                response_due = policy.last_day(received_on)
        else:
            _not_before(response_due, received_on, "the response due date", "the date of receipt")
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
            raise AlreadyResponded(msg)
        self._after_meeting(responded_on, "the response date")
        referral = self.referrals.get(addressee)
        if referral is not None:
            _not_before(responded_on, referral.on, "the response date", f"{addressee} received the item")
        if target_date is not None:
            self._after_meeting(target_date, "the target date")
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

    def report_progress(
        self, *, note: str, reported_on: date, reported_by: str, rag: Rag | None, actor: Actor, at: datetime
    ) -> None:
        """Records a progress update as the board received it."""
        self._open()
        self._after_meeting(reported_on, "the progress report date")
        self.trigger_event(
            self.ProgressReported,
            timestamp=at,
            actor=actor,
            note=note,
            reported_on=reported_on,
            reported_by=reported_by,
            rag=rag,
        )

    def revise_target_date(
        self, *, target_date: date, reason: str, decided_by: str, decided_on: date, actor: Actor, at: datetime
    ) -> None:
        """Moves the target date; the earlier dates stay in the history."""
        self._after_meeting(target_date, "the target date")
        self._decide(self.TargetDateRevised, decided_by, decided_on, actor, at, target_date=target_date, reason=reason)

    def defer(
        self, *, until: date | None, reason: str, decided_on: date, minute: str | None, actor: Actor, at: datetime
    ) -> None:
        """The board defers consideration to a later meeting, dated or not."""
        if until is not None:
            _not_before(until, decided_on, "the date deferred to", "the decision to defer")
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
        self._after_meeting(decided_on, what)
        self.trigger_event(event, timestamp=at, actor=actor, decided_by=decided_by, decided_on=decided_on, **fields)

    def reopen(self, *, reason: str, decided_on: date, minute: str | None, actor: Actor, at: datetime) -> None:
        """The board takes a closed item back into monitoring."""
        closed_on = self.closed_on
        if closed_on is None:
            msg = f"{self.ref} is not closed, so it cannot be reopened"
            raise ItemNotClosed(msg)
        _not_before(decided_on, closed_on, "the date of reopening", "the closure")
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
        self, *, field: str, value: Any, reason: str, addressee: str | None, actor: Actor, at: datetime
    ) -> None:
        """Puts a recorded fact right; a correction of a date of receipt moves a worked-out deadline too."""
        value = corrections.read_value(field, value)
        fact_date = self._check_correction(field, value, addressee)
        self.trigger_event(
            self.Corrected,
            timestamp=at,
            actor=actor,
            field=field,
            value=_as_text(value),
            reason=reason,
            addressee=addressee,
            fact_date=fact_date,
        )
        if field == "referral.received_on":
            referral = self.referrals[addressee]  # type: ignore[index]
            if referral.period is not None:
                self.trigger_event(
                    self.Corrected,
                    timestamp=at,
                    actor=actor,
                    field="referral.response_due",
                    value=Period.parse(referral.period).last_day(value).isoformat(),
                    reason=f"{referral.period} from the corrected date of receipt",
                    addressee=addressee,
                    fact_date=value,
                )

    def _check_correction(self, field: str, value: Any, addressee: str | None) -> date:
        """Checks a correction keeps the item's dates in order; returns the corrected fact's date."""
        if field.startswith(("referral.", "response.")):
            if addressee is None:
                msg = f"a correction of {field} must name the addressee"
                raise CannotCorrect(msg)
            self._addressee(addressee)
            referral = self.referrals.get(addressee)
            response = self.responses.get(addressee)
            if field.startswith("referral."):
                if referral is None:
                    msg = f"{self.ref} has not been referred to {addressee}, so there is no referral to correct"
                    raise CannotCorrect(msg)
                if field == "referral.received_on":
                    self._after_meeting(value, "the date of receipt")
                    if response is not None:
                        _not_before(response.on, value, "the response date", f"{addressee} received the item")
                    return value  # type: ignore[no-any-return]
                if value is not None:
                    _not_before(value, referral.on, "the response due date", "the date of receipt")
                return referral.on
            if response is None:
                msg = f"{addressee} has not responded to {self.ref}, so there is no response to correct"
                raise CannotCorrect(msg)
            if field == "response.responded_on":
                self._after_meeting(value, "the response date")
                if referral is not None:
                    _not_before(value, referral.on, "the response date", f"{addressee} received the item")
                return value  # type: ignore[no-any-return]
            if field == "response.target_date" and value is not None:
                self._after_meeting(value, "the target date")
            return response.on
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
                raise DateOutOfOrder(msg)
            return value  # type: ignore[no-any-return]
        return self.meeting_date

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
            raise NotAnAddressee(msg)
        return found

    def _after_meeting(self, day: date, what: str) -> None:
        if day < self.meeting_date:  # the message is written only for a date that breaks the rule
            _not_before(day, self.meeting_date, what, f"the meeting of {long_date(self.meeting_date)}")


def _not_before(day: date, earliest: date, what: str, reference: str) -> None:
    if day < earliest:
        msg = f"{what} ({long_date(day)}) is before {reference} ({long_date(earliest)})"
        raise DateOutOfOrder(msg)


def _as_text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value
