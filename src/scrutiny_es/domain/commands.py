"""Commands: what a clerk or a host application asks the library to record.

Each command is a pydantic model with the JSON form of DESIGN section 4, discriminated
on ``command``. They check shape only (required fields, dates written YYYY-MM-DD, known
values, no blank text, no unknown fields); the rules that depend on what was recorded
before are the aggregates' to check.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from scrutiny_es.domain.deadlines import AddresseeKind, Period
from scrutiny_es.domain.errors import InvalidCommand
from scrutiny_es.domain.model import Decision, Kind, Outcome, Rag

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    msg = f"must be a date written YYYY-MM-DD, not {value!r}"
    raise ValueError(msg)


NOT_BLANK = r"\S"
NO_OUTER_SPACES = r"^\S(?:.*\S)?$"
PATTERN_RULES = {NOT_BLANK: "must not be blank", NO_OUTER_SPACES: "must not be blank, nor start or end with spaces"}
"""Text rules checked by pattern (in pydantic's core, not in Python), and how a clerk is told of them."""


def _period(value: str | None) -> str | None:
    return None if value is None else str(Period.parse(value))


Day = Annotated[date, BeforeValidator(_iso_date)]
Text = Annotated[str, StringConstraints(pattern=NOT_BLANK)]
Code = Annotated[str, StringConstraints(pattern=NO_OUTER_SPACES, max_length=100)]
PeriodText = Annotated[str | None, AfterValidator(_period)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Actor(Model):
    """Who is recording the command."""

    id: Text
    name: Text
    role: Text


class Addressee(Model):
    """Someone the item asks to act or respond."""

    name: Text
    role: Text | None = None
    kind: AddresseeKind


class Command(Model):
    actor: Actor
    body: Code


class ItemCommand(Command):
    ref: Code


class RegisterBody(Command):
    """Registers a scrutiny body and, where it sets its own, its response periods."""

    command: Literal["register_body"] = "register_body"
    name: Text
    council: Text
    deadlines: dict[AddresseeKind, PeriodText] = Field(default_factory=dict)


class MakeRecommendation(ItemCommand):
    """Records a recommendation or action the body made at a meeting."""

    command: Literal["make_recommendation"] = "make_recommendation"
    kind: Kind
    meeting_date: Day
    item: Text
    minute: Text | None = None
    text: Text
    addressees: list[Addressee]
    """Who must act or respond; none for an item of the board's own, such as a deferred report."""
    target_date: Day | None = None

    @model_validator(mode="after")
    def _addressees_named_once(self) -> MakeRecommendation:
        names = [a.name for a in self.addressees]
        for name in names:
            if names.count(name) > 1:
                msg = f"{name} is named more than once among the addressees"
                raise ValueError(msg)
        return self


class Refer(ItemCommand):
    """Records that an addressee received the item; their response deadline starts then."""

    command: Literal["refer"] = "refer"
    addressee: Text
    received_on: Day
    response_due: Day | None = None


class RecordResponse(ItemCommand):
    """Records an addressee's response: accepted, partially accepted, rejected or noted."""

    command: Literal["record_response"] = "record_response"
    addressee: Text
    decision: Decision
    text: Text
    responded_on: Day
    responded_by: Text
    target_date: Day | None = None


class ReportProgress(ItemCommand):
    """Records a progress update the board received."""

    command: Literal["report_progress"] = "report_progress"
    note: Text
    reported_on: Day
    rag: Rag | None = None
    reported_by: Text


class ReviseTargetDate(ItemCommand):
    """Moves the target date, with the reason and who agreed it."""

    command: Literal["revise_target_date"] = "revise_target_date"
    target_date: Day
    reason: Text
    decided_by: Text
    decided_on: Day


class Defer(ItemCommand):
    """Defers consideration to a later meeting (``until`` null: a future meeting)."""

    command: Literal["defer"] = "defer"
    until: Day | None = None
    reason: Text
    decided_on: Day
    minute: Text | None = None


class Reaffirm(ItemCommand):
    """Re-affirms an earlier recommendation."""

    command: Literal["reaffirm"] = "reaffirm"
    decided_on: Day
    minute: Text | None = None
    note: Text | None = None


class Escalate(ItemCommand):
    """Records the action the board determined where progress is unsatisfactory."""

    command: Literal["escalate"] = "escalate"
    action: Text
    decided_on: Day
    minute: Text | None = None


class Close(ItemCommand):
    """Records that the board no longer needs to monitor the item, and the outcome."""

    command: Literal["close"] = "close"
    outcome: Outcome
    decided_on: Day
    minute: Text | None = None
    note: Text | None = None


class Reopen(ItemCommand):
    """Takes a closed item back into monitoring."""

    command: Literal["reopen"] = "reopen"
    reason: Text
    decided_on: Day
    minute: Text | None = None


class Correct(ItemCommand):
    """Puts a recorded fact right; ``addressee`` names whose referral or response it is."""

    command: Literal["correct"] = "correct"
    field: Text
    value: str | None
    reason: Text
    addressee: Text | None = None


AnyCommand = Annotated[
    RegisterBody
    | MakeRecommendation
    | Refer
    | RecordResponse
    | ReportProgress
    | ReviseTargetDate
    | Defer
    | Reaffirm
    | Escalate
    | Close
    | Reopen
    | Correct,
    Field(discriminator="command"),
]

_any_command: TypeAdapter[AnyCommand] = TypeAdapter(AnyCommand)


def parse_command(data: Any) -> AnyCommand:
    """Validates a command: a model, its JSON-shaped dict, or its JSON text; problems name the field and the rule.

    The adapter's core validator is called directly: the adapter's own method adds to the cost of every call.
    """
    if isinstance(data, Command):
        return data  # type: ignore[return-value]
    command: AnyCommand
    if isinstance(data, str):
        try:
            command = _any_command.validator.validate_json(data)  # parsed and checked in one pass, in pydantic's core
            return command
        except ValidationError:
            data = _json_object(data)  # and checked again below, for the clerk's messages
    try:
        command = _any_command.validator.validate_python(data)
        return command
    except ValidationError as e:
        raise InvalidCommand([_problem(error, data) for error in e.errors()]) from None


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidCommand([("", f"not valid JSON: {e.msg} at column {e.colno}")]) from None
    if not isinstance(data, dict):
        raise InvalidCommand([("", "a command is a JSON object: {...}")])
    return data


def _problem(error: Any, data: Any) -> tuple[str, str]:
    loc = list(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        got = data.get("command") if isinstance(data, dict) else None
        names = ", ".join(_any_command.json_schema()["discriminator"]["mapping"])
        reason = "is required" if got is None else f"{got!r} is not a command"
        return "command", f"{reason}; the commands are: {names}"
    if loc and isinstance(data, dict) and loc[0] == data.get("command"):
        loc = loc[1:]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    kind = error["type"]
    if kind == "missing":
        reason = "is required"
    elif kind == "extra_forbidden":
        reason = "is not a field of this command"
    elif kind == "literal_error":
        reason = "must be " + error["ctx"]["expected"].replace("'", "")
    elif kind == "string_pattern_mismatch":
        reason = PATTERN_RULES[error["ctx"]["pattern"]]
    elif kind in ("date_parsing", "date_from_datetime_parsing"):
        reason = f"{error['input']!r} is not a date in the calendar"
    else:
        reason = error["msg"].removeprefix("Value error, ")
        if kind.startswith(("date_", "string_type", "list_type", "dict_type", "model_type", "int_")):
            reason += f", not {error['input']!r}"
    return field or "command", reason
