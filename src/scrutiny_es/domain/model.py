"""Bodies and their recommendations, as aggregates of immutable events.

A :class:`Body` is a scrutiny board, panel or committee with its response-deadline
policy. A :class:`Recommendation` is one recommendation or action the body made at a
meeting, followed through referrals, responses, progress reports, deferrals,
escalations and closure. Each public method checks the rules first and then records one
event; nothing is ever edited in place, and a mistake is fixed by a ``Corrected`` event.

Event topics (``scrutiny_es.domain.model:Recommendation.Made`` ...) are stored with
every event: never rename or move these classes without registering the old topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from hashlib import sha1
from typing import Any, Literal, get_args
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from scrutiny_es.domain.dates import long_date, read_day, uk_day
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

Kind = Literal["recommendation", "action"]
Decision = Literal["accepted", "partially_accepted", "rejected", "noted"]
Rag = Literal["green", "amber", "red"]
Outcome = Literal[
    "implemented", "partially_implemented", "not_implemented", "superseded", "withdrawn", "no_longer_monitored"
]
KINDS: tuple[Kind, ...] = get_args(Kind)
DECISIONS: tuple[Decision, ...] = get_args(Decision)

_NAMESPACE = uuid5(NAMESPACE_URL, "https://scrutiny-es.uk/ids")
_NAMESPACE_BYTES = _NAMESPACE.bytes


def _uuid5(name: str) -> UUID:
    """``uuid5(_NAMESPACE, name)``, worked out as the standard library does, less its import on every call."""
    return UUID(bytes=sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()[:16], version=5)


@cache
def body_id(code: str) -> UUID:
    """The identity of a body: derived from its code, so a code is registered once."""
    return _uuid5(f"body:{code}")


@lru_cache(maxsize=100_000)
def recommendation_id(body: str, ref: str) -> UUID:
    """The identity of an item: derived from body code and ref, so a ref is used once."""
    return _uuid5(f"recommendation:{len(body)}:{body}:{ref}")  # the length keeps body and ref apart


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
class Referral:
    """The item as received by one addressee, and the last day for their response."""

    received_on: date
    response_due: date | None
    period: str | None
    """The period the due date was worked out from, or None where the board set it."""


@dataclass(frozen=True)
class Response:
    """One addressee's response: their decision, in their words."""

    decision: Decision
    text: str
    responded_on: date
    responded_by: str
    target_date: date | None


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
        deadlines: dict[AddresseeKind, Period | None],
        actor: Actor,
        at: datetime,
    ) -> Body:
        """A new body; ``deadlines`` overrides the statutory period for some addressee kinds."""
        return cls._create(
            cls.Registered,
            id=body_id(code),
            timestamp=at,
            actor=actor,
            registered_on=uk_day(at),
            code=code,
            name=name,
            council=council,
            deadlines={kind: None if period is None else str(period) for kind, period in deadlines.items()},
        )


# Fields a correction may change, with the kind of value each takes.
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


class Recommendation(Aggregate):
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

    class Referred(Event):
        class_version = 1
        addressee: str
        received_on: date
        response_due: date | None
        period: str | None

        @property
        def effective_on(self) -> date:
            return self.received_on

        def apply(self, aggregate: Recommendation) -> None:
            aggregate.referrals[self.addressee] = Referral(self.received_on, self.response_due, self.period)

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

        def apply(self, aggregate: Recommendation) -> None:
            aggregate.responses[self.addressee] = Response(
                self.decision, self.text, self.responded_on, self.responded_by, self.target_date
            )
            if self.target_date is not None:
                aggregate.target_date = self.target_date

    class ProgressReported(Event):
        class_version = 1
        note: str
        reported_on: date
        reported_by: str
        rag: Rag | None

        @property
        def effective_on(self) -> date:
            return self.reported_on

        def apply(self, aggregate: Recommendation) -> None:
            aggregate.decision_dates.append(self.reported_on)

    class Decided(Event):
        """A decision: who took it, on what day, under which minute."""

        decided_by: str
        decided_on: date

        @property
        def effective_on(self) -> date:
            return self.decided_on

        def apply(self, aggregate: Recommendation) -> None:
            aggregate.decision_dates.append(self.decided_on)

    class TargetDateRevised(Decided):
        class_version = 1
        target_date: date
        reason: str

        def apply(self, aggregate: Recommendation) -> None:
            super().apply(aggregate)
            aggregate.target_date = self.target_date

    class Deferred(Decided):
        class_version = 1
        until: date | None
        reason: str
        minute: str | None

    class Reaffirmed(Decided):
        class_version = 1
        minute: str | None
        note: str | None

    class Escalated(Decided):
        class_version = 1
        action: str
        minute: str | None

    class Closed(Decided):
        class_version = 1
        outcome: Outcome
        minute: str | None
        note: str | None

        def apply(self, aggregate: Recommendation) -> None:
            super().apply(aggregate)
            aggregate.closed_on = self.decided_on

    class Reopened(Decided):
        class_version = 1
        reason: str
        minute: str | None

        def apply(self, aggregate: Recommendation) -> None:
            super().apply(aggregate)
            aggregate.closed_on = None

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
            return _correction_value(self.field, CORRECTABLE[self.field], self.value)

        def apply(self, aggregate: Recommendation) -> None:
            value = self.corrected_value
            if self.field.startswith("referral."):
                referral = aggregate.referrals[self.addressee]  # type: ignore[index]
                name = self.field.removeprefix("referral.")
                aggregate.referrals[self.addressee] = _replace(referral, name, value)  # type: ignore[index]
            elif self.field.startswith("response."):
                response = aggregate.responses[self.addressee]  # type: ignore[index]
                name = self.field.removeprefix("response.")
                aggregate.responses[self.addressee] = _replace(response, name, value)  # type: ignore[index]
                if name == "target_date" and value is not None:
                    aggregate.target_date = value
            else:
                setattr(aggregate, self.field, value)

    def __init__(
        self,
        body: str,
        ref: str,
        kind: Kind,
        meeting_date: date,
        item: str,
        minute: str | None,
        text: str,
        addressees: list[Addressee],
        target_date: date | None,
        decided_by: str,
    ) -> None:
        self.body = body
        self.ref = ref
        self.kind = kind
        self.meeting_date = meeting_date
        self.item = item
        self.minute = minute
        self.text = text
        self.addressees = list(addressees)
        self.target_date = target_date
        self.board = decided_by
        self.referrals: dict[str, Referral] = {}
        self.responses: dict[str, Response] = {}
        self.decision_dates: list[date] = []
        self.closed_on: date | None = None

    @staticmethod
    def create_id(body: str, ref: str) -> UUID:
        return recommendation_id(body, ref)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        """Records an event of this item: eventsourcing's method, less the checks that cannot fail here.

        The event is made with this item's id and next version, so the library's checks that it
        belongs to the item and follows its last version always pass; what is left is to apply
        it. Events read back from the store still go through those checks.
        """
        event = event_class(originator_id=self.id, originator_version=self.version + 1, **kwargs)
        event.apply(self)
        self.version = event.originator_version
        self.modified_on = event.timestamp
        self.pending_events.append(event)

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
        """A recommendation or action the body made at a meeting.

        The event is made and applied as eventsourcing's ``_create`` does, less its generic
        sorting of the arguments (the id is given here), which took a quarter of the time.
        """
        if target_date is not None:
            _not_before(target_date, meeting_date, "the target date", "the meeting")
        made_class: Any = cls.Made  # a dataclass, made so by eventsourcing's metaclass where mypy cannot see it
        made = made_class(
            originator_topic=f"{cls.__module__}:{cls.__qualname__}",  # get_topic(cls), which the domain may not import
            originator_id=recommendation_id(body.code, ref),
            originator_version=cls.INITIAL_VERSION,
            timestamp=at,
            actor=actor,
            body=body.code,
            ref=ref,
            kind=kind,
            meeting_date=meeting_date,
            item=item,
            minute=minute,
            text=text,
            addressees=list(addressees),
            target_date=target_date,
            decided_by=body.name,
        )
        recommendation: Recommendation = made.mutate(None)
        recommendation.pending_events.append(made)
        return recommendation

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
                f"(received {long_date(self.referrals[addressee].received_on)}); use correct to change the referral"
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
                f"{addressee} already responded to {self.ref} on {long_date(self.responses[addressee].responded_on)}; "
                "use correct to amend the response"
            )
            raise AlreadyResponded(msg)
        self._after_meeting(responded_on, "the response date")
        referral = self.referrals.get(addressee)
        if referral is not None:
            _not_before(responded_on, referral.received_on, "the response date", f"{addressee} received the item")
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
        self._decide(self.Deferred, self.board, decided_on, actor, at, until=until, reason=reason, minute=minute)

    def reaffirm(self, *, decided_on: date, minute: str | None, note: str | None, actor: Actor, at: datetime) -> None:
        """The board re-affirms the recommendation as made."""
        self._decide(self.Reaffirmed, self.board, decided_on, actor, at, minute=minute, note=note)

    def escalate(self, *, action: str, decided_on: date, minute: str | None, actor: Actor, at: datetime) -> None:
        """The board determines action where progress is unsatisfactory."""
        self._decide(self.Escalated, self.board, decided_on, actor, at, action=action, minute=minute)

    def close(
        self, *, outcome: Outcome, decided_on: date, minute: str | None, note: str | None, actor: Actor, at: datetime
    ) -> None:
        """The board determines the item no longer needs monitoring."""
        fields = {"outcome": outcome, "minute": minute, "note": note}
        self._decide(self.Closed, self.board, decided_on, actor, at, what="the closure date", **fields)

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
        if self.closed_on is None:
            msg = f"{self.ref} is not closed, so it cannot be reopened"
            raise ItemNotClosed(msg)
        _not_before(decided_on, self.closed_on, "the date of reopening", "the closure")
        self.trigger_event(
            self.Reopened,
            timestamp=at,
            actor=actor,
            reason=reason,
            decided_by=self.board,
            decided_on=decided_on,
            minute=minute,
        )

    def correct(
        self, *, field: str, value: Any, reason: str, addressee: str | None, actor: Actor, at: datetime
    ) -> None:
        """Puts a recorded fact right; a correction of a date of receipt moves a worked-out deadline too."""
        kind = CORRECTABLE.get(field)
        if kind is None:
            msg = f'"{field}" cannot be corrected; the fields that can are: {", ".join(CORRECTABLE)}'
            raise CannotCorrect(msg)
        value = _correction_value(field, kind, value)
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
                        _not_before(response.responded_on, value, "the response date", f"{addressee} received the item")
                    return value  # type: ignore[no-any-return]
                if value is not None:
                    _not_before(value, referral.received_on, "the response due date", "the date of receipt")
                return referral.received_on
            if response is None:
                msg = f"{addressee} has not responded to {self.ref}, so there is no response to correct"
                raise CannotCorrect(msg)
            if field == "response.responded_on":
                self._after_meeting(value, "the response date")
                if referral is not None:
                    _not_before(value, referral.received_on, "the response date", f"{addressee} received the item")
                return value  # type: ignore[no-any-return]
            if field == "response.target_date" and value is not None:
                self._after_meeting(value, "the target date")
            return response.responded_on
        if field == "meeting_date":
            later = [r.received_on for r in self.referrals.values()]
            later += [r.responded_on for r in self.responses.values()] + self.decision_dates
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
        if self.closed_on is not None:
            msg = f"{self.ref} was closed on {long_date(self.closed_on)}; reopen it first (or use correct)"
            raise ItemClosed(msg)

    def _addressee(self, name: str) -> Addressee:
        for addressee in self.addressees:
            if addressee.name == name:
                return addressee
        names = ", ".join(a.name for a in self.addressees) or "none"
        msg = f"{name} is not an addressee of {self.ref} (its addressees: {names})"
        raise NotAnAddressee(msg)

    def _after_meeting(self, day: date, what: str) -> None:
        if day < self.meeting_date:  # the message is written only for a date that breaks the rule
            _not_before(day, self.meeting_date, what, f"the meeting of {long_date(self.meeting_date)}")


def _not_before(day: date, earliest: date, what: str, reference: str) -> None:
    if day < earliest:
        msg = f"{what} ({long_date(day)}) is before {reference} ({long_date(earliest)})"
        raise DateOutOfOrder(msg)


def _replace(fact: Any, name: str, value: Any) -> Any:
    values = {**fact.__dict__, name: value}
    return type(fact)(**values)


def _as_text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _correction_value(field: str, kind: str, value: Any) -> Any:
    """Reads a correction's value as the type the field holds."""
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
            msg = (
                f"{field} takes {reason.removeprefix('must be ')}"
                if reason.startswith("must be a")
                else f"{field}: {reason}"
            )
            raise CannotCorrect(msg) from None
    choices: tuple[str, ...] = {"kind": KINDS, "decision": DECISIONS}.get(kind, ())
    if choices and value not in choices:
        msg = f"{field} must be one of {', '.join(choices)}, not {value!r}"
        raise CannotCorrect(msg)
    if not isinstance(value, str) or not value.strip():
        msg = f"{field} takes text that is not blank"
        raise CannotCorrect(msg)
    return value
