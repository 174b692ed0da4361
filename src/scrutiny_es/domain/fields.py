"""The fields commands are made of: who records, to whom, and the text, code and date rules every field obeys.

Kept apart from the commands so the rules on what a field may hold are read in one place; the text patterns
are in ``problems``, beside the words that say what each refuses.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)

from scrutiny_es.domain import values
from scrutiny_es.domain.dates import read_day
from scrutiny_es.domain.deadlines import AddresseeKind, Period
from scrutiny_es.domain.errors import InvalidCommand
from scrutiny_es.domain.problems import CODE, FREE_TEXT, NAME, problems

MAX_TEXT = 20_000
"""Characters in a free-text field: a response, a note, a reason."""
MAX_NAME = 200
"""Characters in a code, a ref, a minute, a name or a role."""
MAX_ADDRESSEES = 100
MAX_LINE = 1_000_000
"""Bytes in one command's JSON (a line of a .jsonl file)."""


def _period(value: str | None) -> str | None:
    return None if value is None else str(Period.parse(value))


Day = Annotated[date, BeforeValidator(read_day)]
Position = Annotated[int, Field(strict=True, ge=1, le=2**62)]
Text = Annotated[str, StringConstraints(strict=True, pattern=FREE_TEXT, max_length=MAX_TEXT)]
Name = Annotated[str, StringConstraints(strict=True, pattern=NAME, max_length=MAX_NAME)]
Code = Annotated[str, StringConstraints(strict=True, pattern=CODE, max_length=MAX_NAME)]
PeriodText = Annotated[
    Annotated[str, StringConstraints(strict=True, pattern=NAME, max_length=MAX_NAME)] | None, AfterValidator(_period)
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)

    def __init__(self, /, **data: Any) -> None:
        """A command a host builds (``MakeRecommendation(...)``) is checked as its dict would be: a value that breaks
        a rule is ``InvalidCommand`` naming the field, not pydantic's own error."""
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise InvalidCommand(problems(e, data, ())) from None

    # Called by a host only: validation (of a dict, of JSON, of a command's parts) builds models as pydantic does.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


class Actor(Model):
    """Who is recording the command."""

    id: Name
    name: Name
    role: Name


class Addressee(Model):
    """Someone the item asks to act or respond."""

    name: Name
    role: Name | None = None
    kind: AddresseeKind


def _addressee(given: Addressee) -> values.Addressee:
    """As the item's method and its event take it (the same command sent twice is then seen to be the same)."""
    return values.Addressee(given.name, given.kind, given.role)


def _addressee_json(addressee: values.Addressee | Any) -> Any:
    """As JSON; anything else (put in a command by ``model_construct``, unchecked) as it is, for the check to name."""
    if not isinstance(addressee, values.Addressee):
        return addressee
    return {"name": addressee.name, "role": addressee.role, "kind": addressee.kind}


NewAddressee = Annotated[Addressee, AfterValidator(_addressee), PlainSerializer(_addressee_json)]
"""Someone an item is to be for (``add_addressee``, ``replace_addressee``): checked as ``make_recommendation``'s
addressees are, and held as the domain's value."""
