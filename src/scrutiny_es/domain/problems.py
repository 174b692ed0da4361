"""What a command got wrong, said so that whoever wrote it can put it right: each problem names its field and
the rule, and a value too big or too odd to write out (a number of 5,000 digits, a list nested 1,000 deep, half a
surrogate pair, a key holding escape codes) is described rather than quoted. The text rules the fields are checked
by are here too, with the words for each (``fields`` builds its field types on them)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from scrutiny_es.domain.dates import shown

MAX_PROBLEMS = 10
"""Problems one command reports; the rest are counted ("and 89,990 more")."""

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


def problems(error: ValidationError, data: Any, commands: tuple[str, ...]) -> list[tuple[str, str]]:
    """The first ``MAX_PROBLEMS`` problems, each naming its field, and how many more there were."""
    count = error.error_count()
    found = [_problem(e, data, commands) for e in error.errors(include_url=False)[:MAX_PROBLEMS]]
    if count > MAX_PROBLEMS:
        found.append(("", f"and {count - MAX_PROBLEMS:,} more problems"))
    return found


def _problem(error: Any, data: Any, commands: tuple[str, ...]) -> tuple[str, str]:
    loc = list(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        got = data.get("command") if isinstance(data, dict) else error.get("ctx", {}).get("tag")
        return "command", not_a_command(got, commands)
    if loc and loc[0] in commands:  # the union's tag, not a field
        loc = loc[1:]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{_printable(part)}" for part in loc).lstrip(".")
    kind = error["type"]
    if kind == "json_invalid":
        return "", f"not valid JSON: {error['ctx']['error']}"
    if kind == "missing":
        reason = "is required"
    elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
        reason = "is not a field of this command"
    elif kind == "literal_error":
        reason = "must be " + error["ctx"]["expected"].replace("'", "")
    elif kind == "string_pattern_mismatch":
        reason = pattern_rule(error["ctx"]["pattern"], error["input"])
    elif kind == "string_unicode":
        reason = _not_unicode(error["input"])
    elif kind == "string_too_long":
        reason = f"must be at most {error['ctx']['max_length']:,} characters, not {len(error['input']):,}"
    elif kind == "too_long":
        reason = f"must have at most {error['ctx']['max_length']:,} entries, not {error['ctx']['actual_length']:,}"
    else:
        reason = error["msg"].removeprefix("Value error, ")
        if kind.startswith(("string_type", "list_type", "dict_type", "model_type", "int_")):
            reason += f", not {described(error['input'])}"
    return field or "command", reason


def not_a_command(got: Any, commands: tuple[str, ...]) -> str:
    got = got[:32] + "…" if isinstance(got, str) and len(got) > 32 else got  # a name is short: the list says the rest
    reason = "is required" if got is None else f"{described(got)} is not a command"
    return f"{reason}; the commands are: {', '.join(commands)}"


def described(value: Any) -> str:
    """A value as a message quotes it, whatever it is: a number of 5,000 digits or a list nested 1,000 deep is named,
    not written out (Python would refuse to, or run out of stack)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    if isinstance(value, list | tuple):
        return f"a list of {len(value):,} entr{'y' if len(value) == 1 else 'ies'}" if value else "an empty list"
    if isinstance(value, dict):
        return f"an object of {len(value):,} field{'s' * (len(value) != 1)}" if value else "an empty object"
    return shown(value)


def _not_unicode(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    found = next((i for i, char in enumerate(text) if "\ud800" <= char <= "\udfff"), None)
    if found is None:
        return "must be text"
    return f"must be text: U+{ord(text[found]):04X} at character {found + 1} is half of a pair, not a character"


def _printable(name: str) -> str:
    """A field's name as a message may show it: an unknown key could hold escape codes or half a pair."""
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")
