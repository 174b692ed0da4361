"""The fields commands are made of: who records, to whom, and the text, code and date rules every field obeys.

Kept apart from the commands so the rules on what a field may hold are read in one place.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, StringConstraints

from scrutiny_es.domain import values
from scrutiny_es.domain.dates import read_day
from scrutiny_es.domain.deadlines import AddresseeKind, Period

MAX_TEXT = 20_000
"""Characters in a free-text field: a response, a note, a reason."""
MAX_NAME = 200
"""Characters in a code, a ref, a minute, a name or a role."""
MAX_ADDRESSEES = 100
MAX_PROBLEMS = 10
"""Problems one command reports; the rest are counted ("and 89,990 more")."""
MAX_LINE = 1_000_000
"""Bytes in one command's JSON (a line of a .jsonl file)."""
# Text rules checked by pattern, in pydantic's core (linear time, whatever the input). Control
# characters (C0, DEL and C1) are refused everywhere but for tab and newline in free text:
# PostgreSQL cannot store a NUL, and the others would reach a clerk's terminal as escape codes.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_FREE = r"\x00-\x08\x0b-\x1f\x7f-\x9f"  # every control character but tab and newline
FREE_TEXT = rf"^[^{_FREE}]*[^\s{_CONTROL}][^{_FREE}]*$"
NAME = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"
CODE = rf"^[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?$"
ANY_TEXT = rf"^[^{_FREE}]*$"
CONTROL_CHARACTER = re.compile(rf"[{_CONTROL}]")


def pattern_rule(pattern: str, value: Any) -> str:
    """Why ``value`` does not fit one of the text patterns above, in a clerk's words."""
    text = value if isinstance(value, str) else ""
    found = CONTROL_CHARACTER.search(text)
    if found and not (pattern in (FREE_TEXT, ANY_TEXT) and found[0] in "\t\n"):
        where = f"at character {found.start() + 1}"
        if found[0] == "\x00":
            return f"must not contain a NUL character (U+0000 {where})"
        allowed = " (only tab and newline are allowed in text)" if pattern in (FREE_TEXT, ANY_TEXT) else ""
        return f"must not contain control characters (U+{ord(found[0]):04X} {where}){allowed}"
    if pattern == CODE and text.strip():
        return "must not start or end with spaces"
    return "must not be blank"


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
