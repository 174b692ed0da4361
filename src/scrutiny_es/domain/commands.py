"""Commands: what a clerk or a host application asks the library to record.

Each command is a pydantic model with the JSON form of DESIGN section 4, discriminated
on ``command``. They check shape only (required fields, dates written YYYY-MM-DD, known
values, no blank text, no unknown fields); the rules that depend on what was recorded
before are the aggregates' to check.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from scrutiny_es.domain.bodies import DEFAULT_YEAR_STARTS, year_starts
from scrutiny_es.domain.corrections import BY_COMMANDS, correctable
from scrutiny_es.domain.deadlines import DEFAULT_REGIME, AddresseeKind, Regime
from scrutiny_es.domain.errors import InvalidCommand
from scrutiny_es.domain.exempt import Paragraph
from scrutiny_es.domain.fields import (
    MAX_ADDRESSEES,
    MAX_LINE,
    MAX_TEXT,
    Actor,
    Addressee,
    Code,
    Day,
    Model,
    Name,
    NewAddressee,
    PeriodText,
    Position,
    Text,
)
from scrutiny_es.domain.history import Owed, Reason
from scrutiny_es.domain.model import Decision, Kind, Outcome, Rag
from scrutiny_es.domain.problems import ANY_TEXT, not_a_command, problems


class Command(Model):
    actor: Actor
    body: Code
    command_id: Name | None = None
    """A key the sender chose: a command whose key was already recorded is not recorded again."""


class ItemCommand(Command):
    ref: Code
    origin: Code | None = None
    """The code of the body that made the item, where ``body`` took it over from another: needed only where
    ``body`` holds two items with the ref (its own and one taken over, or two taken over)."""


class RegisterBody(Command):
    """Registers a scrutiny body and, where it sets its own, its response periods."""

    command: Literal["register_body"] = "register_body"
    name: Name
    council: Name
    deadlines: dict[AddresseeKind, PeriodText] = Field(default_factory=dict)
    regime: Regime = DEFAULT_REGIME
    municipal_year_starts: Annotated[str, AfterValidator(year_starts)] = DEFAULT_YEAR_STARTS


class ScheduleMeeting(Command):
    """Puts a meeting of the body in its calendar: a deferral "to a future meeting" falls due at the next."""

    command: Literal["schedule_meeting"] = "schedule_meeting"
    meeting_date: Day
    name: Name | None = None


class CancelMeeting(Command):
    """Takes a meeting out of the body's calendar."""

    command: Literal["cancel_meeting"] = "cancel_meeting"
    meeting_date: Day
    reason: Text


class RenameBody(Command):
    """Gives the body a new name from a day; reports of earlier days show the name then in force."""

    command: Literal["rename_body"] = "rename_body"
    name: Name
    from_: Day = Field(alias="from")


class DissolveBody(Command):
    """Ends the body; its open items go on under its successor once transferred."""

    command: Literal["dissolve_body"] = "dissolve_body"
    decided_on: Day
    successor: Code | None = None


class Transfer(ItemCommand):
    """Moves the item to another body from the day decided, with its ref, history and running deadlines."""

    command: Literal["transfer"] = "transfer"
    to_body: Code
    decided_on: Day
    minute: Name | None = None
    reason: Text | None = None


class MakeRecommendation(ItemCommand):
    """Records a recommendation or action the body made at a meeting."""

    command: Literal["make_recommendation"] = "make_recommendation"
    kind: Kind
    meeting_date: Day
    item: Text
    minute: Name | None = None
    text: Text
    addressees: Annotated[list[Addressee], Field(max_length=MAX_ADDRESSEES)]
    """Who must act or respond; none for an item of the board's own, such as a deferred report."""
    target_date: Day | None = None
    exempt: Paragraph | None = None
    """The paragraph of Schedule 12A the item is exempt under, where the board took it in private."""

    @field_validator("origin")
    @classmethod
    def _made_by_body(cls, origin: str | None) -> None:
        if origin is not None:
            msg = "is not a field of make_recommendation: the body that makes an item is its body"
            raise ValueError(msg)

    @model_validator(mode="after")
    def _addressees_named_once(self) -> MakeRecommendation:
        seen: set[str] = set()
        for addressee in self.addressees:
            if addressee.name in seen:
                msg = f"{addressee.name} is named more than once among the addressees"
                raise ValueError(msg)
            seen.add(addressee.name)
        return self


class Refer(ItemCommand):
    """Records that an addressee received the item; their response deadline starts then."""

    command: Literal["refer"] = "refer"
    addressee: Name
    received_on: Day
    response_due: Day | None = None


class RecordResponse(ItemCommand):
    """Records an addressee's response: accepted, partially accepted, rejected or noted."""

    command: Literal["record_response"] = "record_response"
    addressee: Name
    decision: Decision
    text: Text
    responded_on: Day
    responded_by: Name
    target_date: Day | None = None


class ExtendResponseDeadline(ItemCommand):
    """Gives an addressee a later deadline, by agreement, while their response is awaited."""

    command: Literal["extend_response_deadline"] = "extend_response_deadline"
    addressee: Name
    response_due: Day
    reason: Text
    agreed_by: Name
    decided_on: Day


class ProposeClosure(ItemCommand):
    """An officer proposes the item be closed, with an outcome; the board decides."""

    command: Literal["propose_closure"] = "propose_closure"
    outcome: Outcome
    proposed_by: Name
    proposed_on: Day
    note: Text | None = None


class ReportProgress(ItemCommand):
    """Records a progress update the board received."""

    command: Literal["report_progress"] = "report_progress"
    note: Text
    reported_on: Day
    rag: Rag | None = None
    reported_by: Name


MAX_OWED = MAX_ADDRESSEES + 2
"""What one reminder of an item may be about: a response from each addressee, the target date, a deferral."""


class OwedBy(Model):
    """Something owed on an item, and its last day: what a reminder was about."""

    reason: Reason
    due: Day


def _owed(given: list[OwedBy]) -> list[Owed]:
    """As the item's method and its event take it (the same command sent twice is then seen to be the same)."""
    return [Owed(o.reason, o.due) for o in given]


def _owed_json(owed: list[Owed] | Any) -> Any:
    """As JSON; anything else (put in a command by ``model_construct``, unchecked) as it is, for the check to name."""
    if not (isinstance(owed, list) and all(isinstance(o, Owed) for o in owed)):
        return owed
    return [{"reason": o.reason, "due": o.due.isoformat()} for o in owed]


class RecordReminder(ItemCommand):
    """Records that someone responsible was reminded of what they owe on the item (``scrutiny-es reminders
    --send`` records one per item it mails about)."""

    command: Literal["record_reminder"] = "record_reminder"
    person: Name
    sent_on: Day
    about: Annotated[list[OwedBy], Field(min_length=1, max_length=MAX_OWED), AfterValidator(_owed),
                     PlainSerializer(_owed_json)]  # fmt: skip
    """Each obligation the reminder was about (a response, the target date, a deferral), with its due date."""


class ReviseTargetDate(ItemCommand):
    """Moves the target date, with the reason and who agreed it."""

    command: Literal["revise_target_date"] = "revise_target_date"
    target_date: Day
    reason: Text
    decided_by: Name
    decided_on: Day


class Defer(ItemCommand):
    """Defers consideration to a later meeting (``until`` null: a future meeting)."""

    command: Literal["defer"] = "defer"
    until: Day | None = None
    reason: Text
    decided_on: Day
    minute: Name | None = None


class Reaffirm(ItemCommand):
    """Re-affirms an earlier recommendation."""

    command: Literal["reaffirm"] = "reaffirm"
    decided_on: Day
    minute: Name | None = None
    note: Text | None = None


class Escalate(ItemCommand):
    """Records the action the board determined where progress is unsatisfactory."""

    command: Literal["escalate"] = "escalate"
    action: Text
    decided_on: Day
    minute: Name | None = None


class Close(ItemCommand):
    """Records that the board no longer needs to monitor the item, and the outcome."""

    command: Literal["close"] = "close"
    outcome: Outcome
    decided_on: Day
    minute: Name | None = None
    note: Text | None = None


class Reopen(ItemCommand):
    """Takes a closed item back into monitoring."""

    command: Literal["reopen"] = "reopen"
    reason: Text
    decided_on: Day
    minute: Name | None = None


class AddAddressee(ItemCommand):
    """Asks one more addressee to act on or respond to the item, from the day decided."""

    command: Literal["add_addressee"] = "add_addressee"
    addressee: NewAddressee
    decided_on: Day
    reason: Text | None = None


class RemoveAddressee(ItemCommand):
    """Takes an addressee off the item: from the day decided they owe nothing on it."""

    command: Literal["remove_addressee"] = "remove_addressee"
    addressee: Name
    reason: Text
    decided_on: Day


class ReplaceAddressee(ItemCommand):
    """Passes an addressee's part to a successor, who takes over their referral and its running deadline."""

    command: Literal["replace_addressee"] = "replace_addressee"
    addressee: Name
    successor: NewAddressee
    reason: Text
    decided_on: Day


class Correct(ItemCommand):
    """Puts a recorded fact right: ``addressee`` names whose referral or response it is, ``position`` (the
    audit trail's) which progress report, decision or transfer."""

    command: Literal["correct"] = "correct"
    field: Annotated[Name, AfterValidator(correctable)]
    value: Annotated[str, StringConstraints(strict=True, pattern=ANY_TEXT, max_length=MAX_TEXT)] | None
    reason: Text
    addressee: Name | None = None
    position: Position | None = None

    @model_validator(mode="before")
    @classmethod
    def _addressees_by_their_commands(cls, given: Any) -> Any:
        """A correction of the addressees is refused once, by ``field``, whatever its value (a list, say)."""
        return given | {"value": None} if isinstance(given, dict) and str(given.get("field")) in BY_COMMANDS else given


class Retract(ItemCommand):
    """Withdraws a fact recorded in error, named by its position in the audit trail."""

    command: Literal["retract"] = "retract"
    position: Position
    reason: Text


AnyCommand = Annotated[
    RegisterBody
    | ScheduleMeeting
    | CancelMeeting
    | RenameBody
    | DissolveBody
    | Transfer
    | MakeRecommendation
    | Refer
    | RecordResponse
    | ExtendResponseDeadline
    | ProposeClosure
    | ReportProgress
    | RecordReminder
    | ReviseTargetDate
    | Defer
    | Reaffirm
    | Escalate
    | Close
    | Reopen
    | AddAddressee
    | RemoveAddressee
    | ReplaceAddressee
    | Correct
    | Retract,
    Field(discriminator="command"),
]

_any_command: TypeAdapter[AnyCommand] = TypeAdapter(AnyCommand)


@cache
def command_names() -> tuple[str, ...]:
    """The commands' names, in the union's order."""
    return tuple(_any_command.json_schema()["discriminator"]["mapping"])


ENVELOPE = {"command", "actor", "body", "ref", "origin", "command_id"}
"""Fields every item command carries: which item, who records it, its key. The rest are the facts recorded."""

ITEM_COMMANDS: list[type[ItemCommand]] = [
    Refer, RecordResponse, ExtendResponseDeadline, ProposeClosure, ReportProgress, RecordReminder, ReviseTargetDate,
    Defer, Reaffirm, Escalate, Close, Reopen, Correct, Retract, Transfer, AddAddressee, RemoveAddressee,
    ReplaceAddressee,
]  # fmt: skip
"""The commands on an existing item, each recorded by the item's method of the same name."""


def parse_command(data: Any) -> AnyCommand:
    """Validates a command: a model, its JSON-shaped dict, or its JSON text; problems name the field and the rule.

    JSON text is parsed and checked in one pass in pydantic's core. What a clerk got wrong in
    the JSON itself (curly quotes, a key given twice) is said by the edge that reads JSON lines,
    ``scrutiny_es.adapters.jsonlines``, which a host's ``Scrutiny`` and ``scrutiny-es apply`` use.
    """
    if type(data) is not dict:  # the usual case (a bulk apply's) is none of these, and goes straight on
        if isinstance(data, Command):  # checked again: ``model_copy(update=...)`` and ``model_construct`` check nothing
            data = data.model_dump(by_alias=True, round_trip=True, warnings=False)
        if isinstance(data, str | bytes):
            return command_from_json(data)
    if isinstance(data, dict) and not isinstance(data.get("command", ""), str):
        # said here: pydantic would write the tag out, which Python refuses for a number of 5,000 digits
        raise InvalidCommand([("command", not_a_command(data["command"], command_names()))])
    try:
        command: AnyCommand = _any_command.validator.validate_python(data)
        return command
    except ValidationError as e:
        raise InvalidCommand(problems(e, data, command_names())) from None


def command_from_json(text: str | bytes) -> AnyCommand:
    """A command from its JSON text in one pass, within ``MAX_LINE``; pydantic's parser bounds the nesting."""
    if len(text) > MAX_LINE:
        raise InvalidCommand([("", f"a command is at most {MAX_LINE:,} bytes of JSON; this one has {len(text):,}")])
    try:
        command: AnyCommand = _any_command.validator.validate_json(text)
        return command
    except ValidationError as e:
        raise InvalidCommand(problems(e, None, command_names())) from None
