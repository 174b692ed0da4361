"""Bodies and their recommendations, as aggregates of immutable events.

A :class:`Body` is a scrutiny board, panel or committee with its response-deadline
policy. A :class:`Recommendation` is one recommendation or action the body made at a
meeting, followed through referrals, responses, progress reports, deferrals,
escalations and closure. Each command checks the rules first, then records one event.

This module holds the aggregates, their state and their events (each adds to the item's history,
``domain/history.py``, in its ``fold``). Their commands are their bases', a module each: ``transfers.py``,
``decisions.py``, ``addressees.py``, ``correction_rules.py``, ``repeats.py``, ``meetings.py``, ``bodies.py``.

Event topics (``scrutiny_es.domain.model:Recommendation.Made`` ...) are stored with
every event: never rename or move these classes without registering the old topic.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from scrutiny_es.domain import corrections
from scrutiny_es.domain.addressees import ItemAddressees, addressee_events
from scrutiny_es.domain.bodies import DEFAULT_YEAR_STARTS, BodyLifecycle, Effective, policy, renamed
from scrutiny_es.domain.correction_rules import ItemCorrections
from scrutiny_es.domain.deadlines import DEFAULT_REGIME, AddresseeKind, Period, Regime
from scrutiny_es.domain.decisions import ItemDecisions
from scrutiny_es.domain.exempt import made_public
from scrutiny_es.domain.fastpath import FastAggregate
from scrutiny_es.domain.history import (
    DecisionFact,
    ItemHistory,
    ProgressFact,
    ReferralFact,
    ReminderFact,
    ResponseFact,
    TransferFact,
)  # fmt: skip
from scrutiny_es.domain.ids import body_id, recommendation_id
from scrutiny_es.domain.meetings import BodyCalendar
from scrutiny_es.domain.repeats import ItemRepeats, command_fields
from scrutiny_es.domain.transfers import ItemPlacement
from scrutiny_es.domain.values import (
    DECISIONS,
    KINDS,
    Actor,
    Addressee,
    Decision,
    DecisionKind,
    Kind,
    Outcome,
    Owed,
    Rag,
)

__all__ = [  # the values and ids are imported from here as well as from their own modules
    "DECISIONS", "KINDS", "Actor", "Addressee", "Body", "Decision", "Kind",
    "Outcome", "Rag", "Recommendation", "body_id", "recommendation_id",
]  # fmt: skip


class Body(BodyLifecycle, BodyCalendar, Aggregate):
    """A scrutiny body: its regime and periods to respond in, its municipal year, names, calendar and successor."""

    class Registered(Aggregate.Created):
        """Version 2 names the regime (version 1's bodies are council scrutiny's) and the municipal year's start."""

        class_version = 2
        actor: Actor
        registered_on: date
        code: str
        name: str
        council: str
        deadlines: dict[str, str | None]
        regime: Regime
        municipal_year_starts: str

        @property
        def effective_on(self) -> date:
            return self.registered_on

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(regime=DEFAULT_REGIME, municipal_year_starts=DEFAULT_YEAR_STARTS)

    class Event(Effective, Aggregate.Event):
        """A change to a body after its registration: its calendar, its name, its end, the items it took over."""

    class MeetingScheduled(Event):
        """A meeting of the body is to be held (a deferral "to a future meeting" falls due at the next)."""

        class_version = 1
        actor: Actor
        meeting_date: date
        name: str | None
        scheduled_on: date
        WHEN = "scheduled_on"

        def apply(self, aggregate: Body) -> None:
            aggregate.meetings[self.meeting_date] = self.name

    class MeetingCancelled(Event):
        class_version = 1
        actor: Actor
        meeting_date: date
        reason: str
        cancelled_on: date
        WHEN = "cancelled_on"

        def apply(self, aggregate: Body) -> None:
            del aggregate.meetings[self.meeting_date]

    class Renamed(Event):
        """The body's name from a day on; the name it replaced is kept (reports of earlier days show it)."""

        class_version = 1
        actor: Actor
        name: str
        previous: str
        from_date: date
        WHEN = "from_date"

        def apply(self, aggregate: Body) -> None:
            aggregate.names = renamed(aggregate.names, self.name, self.from_date)
            aggregate.name = aggregate.names[-1][1]

    class Dissolved(Event):
        class_version = 1
        actor: Actor
        decided_on: date
        successor: str | None
        WHEN = "decided_on"

        def apply(self, aggregate: Body) -> None:
            aggregate.dissolved = (self.decided_on, self.successor)

    class ItemTakenOver(Event):
        """An item another body made came to this one by a transfer: commands naming this body find it by its ref."""

        class_version = 1
        actor: Actor
        ref: str
        made_by: str
        from_body: str
        decided_on: date
        WHEN = "decided_on"

        def apply(self, aggregate: Body) -> None:
            aggregate.taken_over.setdefault(self.ref, []).append(self.made_by)

    def __init__(
        self, code: str, name: str, council: str, deadlines: dict[str, str | None], regime: Regime,
        municipal_year_starts: str,
    ) -> None:  # fmt: skip
        self.code, self.name, self.council, self.regime = code, name, council, regime
        self.deadlines: dict[AddresseeKind, Period | None] = policy(regime, deadlines)
        self.municipal_year_starts = municipal_year_starts
        self.names: list[tuple[date, str]] = [(date.min, name)]
        """Each name the body has had, from the day it took effect (the first: from the start), in order."""
        self.dissolved: tuple[date, str | None] | None = None
        """The day the body was dissolved, and its successor's code."""
        self.taken_over: dict[str, list[str]] = {}
        """Each ref of the items other bodies made and transferred here: who made them."""
        self.meetings: dict[date, str | None] = {}
        """The meetings scheduled and not cancelled, with their names."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return body_id(code)


class Recommendation(ItemPlacement, ItemDecisions, ItemAddressees, ItemCorrections, ItemRepeats, FastAggregate):
    """One recommendation or action of a body, from the meeting that made it to closure.

    It enforces the board's rules: dates never precede the meeting or the event they
    follow, only addressees are referred and respond, each responds once, and a closed
    item takes nothing but ``reopen``, ``correct`` and ``retract``. Its events are here;
    its commands are its bases'.
    """

    class Event(Effective, Aggregate.Event):
        """Every event says who recorded it (``actor``) and when it took effect (its field ``WHEN`` names)."""

        actor: Actor
        COMMAND: ClassVar[str]
        """The command, and the item's method of the same name, that records an event of this class."""

        def arguments(self) -> dict[str, Any]:
            """What the command that recorded this event was given (its fields but who recorded it)."""
            return {name: getattr(self, name) for name in command_fields(Recommendation, self.COMMAND)}

        def fold(self, history: ItemHistory) -> None:
            """Adds what this event records to the item's history."""
            raise NotImplementedError

        def apply(self, aggregate: Recommendation) -> None:
            self.fold(aggregate.history)
            aggregate.recorded[self.originator_version] = self
            aggregate.given.setdefault((self.COMMAND, self.actor), []).append(self.originator_version)

    class Made(Event, Aggregate.Created):
        class_version = 2  # version 2: exempt (see exempt.py)
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
        exempt: str | None = None
        WHEN = "meeting_date"
        upcast_v1_v2 = staticmethod(made_public)

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
                exempt=self.exempt,
            )

    class Referred(Event):
        class_version = 1
        COMMAND = "refer"
        addressee: str
        received_on: date
        response_due: date | None
        period: str | None
        WHEN = "received_on"

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
        WHEN = "responded_on"

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
        WHEN = "decided_on"

        def fold(self, history: ItemHistory) -> None:
            if (referral := history.referral_of(self.addressee)) is not None:
                referral.extend(self.decided_on, self.originator_version, self.response_due)

    class ClosureProposed(Event):
        """An officer says the work is done and proposes an outcome; only the board closes."""

        class_version = 1
        COMMAND = "propose_closure"
        outcome: Outcome
        proposed_by: str
        proposed_on: date
        note: str | None
        WHEN = "proposed_on"

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
        WHEN = "reported_on"

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
        WHEN = "sent_on"

        def fold(self, history: ItemHistory) -> None:
            history.reminders.append(
                ReminderFact(on=self.sent_on, seq=self.originator_version, person=self.person, about=list(self.about))
            )

    class Decided(Event):
        """A decision: who took it, on what day, under which minute."""

        decided_by: str
        decided_on: date
        what: ClassVar[DecisionKind]
        WHEN = "decided_on"

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

    class Transferred(Event):
        """The item goes on under another body (a successor, say), with its ref, history and running deadlines."""

        class_version = 1
        COMMAND = "transfer"
        from_body: str
        to_body: str
        to_board: str  # the name of the body it went to, then: "decided by" in that body's decisions
        decided_by: str
        decided_on: date
        minute: str | None
        reason: str | None
        WHEN = "decided_on"

        def fold(self, history: ItemHistory) -> None:
            history.transfers.append(TransferFact(
                on=self.decided_on, seq=self.originator_version, from_body=self.from_body, to_body=self.to_body,
                decided_by=self.decided_by, minute=self.minute, reason=self.reason, board_before=history.board,
            ))  # fmt: skip
            history.body, history.board = self.to_body, self.to_board

    AddresseeAdded, AddresseeRemoved, AddresseeReplaced = addressee_events(Event)  # see domain/addressees.py

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
        WHEN = "fact_date"

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
        WHEN = "fact_date"

        def fold(self, history: ItemHistory) -> None:
            history.withdraw(self.version)

    class TransferRetracted(Retracted):
        """A transfer withdrawn (domain/transfers.py): the item is with ``from_body`` again, not ``to_body``."""

        class_version = 1
        from_body: str
        to_body: str

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


_DECISION_DETAILS = ("target_date", "until", "outcome", "minute", "reason", "action", "note")
"""What a decision's event may hold beyond who decided and when, kept in its fact."""
