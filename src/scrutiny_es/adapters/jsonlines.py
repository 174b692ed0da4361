"""Commands written as JSON text (a line of a .jsonl file, or a string a host passes), read exactly.

The domain checks a command's shape and limits; this edge says what is wrong with the JSON
itself, in the words of the mistake a clerk most likely made: curly quotes, a raw newline or
tab in a string, nesting too deep to be a command, a key given twice (which a JSON parser
would let the last one win).
"""

from __future__ import annotations

import json
import re
from typing import Any

from scrutiny_es.domain.commands import AnyCommand, Command, command_from_json
from scrutiny_es.domain.commands import parse_command as parse_shape
from scrutiny_es.domain.errors import InvalidCommand
from scrutiny_es.domain.fields import MAX_LINE

MAX_DEPTH = 20
"""How deeply a command's JSON may nest (a command needs three levels)."""


def parse_command(data: Any) -> AnyCommand:
    """``scrutiny_es.domain.commands.parse_command``, with JSON text read exactly and its mistakes explained."""
    if isinstance(data, str | bytes):
        return read_command(data)
    return parse_shape(data)


def read_command(text: str | bytes) -> AnyCommand:
    """A command from its JSON text: one pass in pydantic's core; only text that fails, or that may repeat a key,
    is read again to say why."""
    if len(text) > MAX_LINE:
        command_from_json(text)  # which refuses it, saying the limit
    try:
        command = command_from_json(text)
    except InvalidCommand:
        return parse_shape(json_object(text))  # read again, for the clerk's messages
    if _colons(text) != _keys(command):  # a key may be repeated: read it exactly
        json_object(text)
    return command


def json_object(text: str | bytes) -> dict[str, Any]:
    """A command's JSON read exactly, with messages for what pydantic's parser would pass or only half explain."""
    depth = _depth(text)
    if depth > MAX_DEPTH:
        raise InvalidCommand([("", f"JSON nests {depth} levels deep; a command needs no more than {MAX_DEPTH}")])
    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys, parse_int=_integer)
    except json.JSONDecodeError as e:
        raise InvalidCommand([("", _json_mistake(e))]) from None
    except UnicodeDecodeError as e:  # bytes a host passed, said as ``scrutiny-es apply`` says a line of them
        column = len(e.object[: e.start].decode("utf-8", "replace")) + 1
        raise InvalidCommand([("", f"not UTF-8 text (byte 0x{e.object[e.start]:02X} at column {column})")]) from None
    if not isinstance(data, dict):
        raise InvalidCommand([("", "a command is a JSON object: {...}")])
    return data


def _integer(digits: str) -> int:
    """A JSON integer; one of more digits than Python converts stands as a number as large, which no field takes
    (so the field is named, rather than Python's limit)."""
    return int(digits) if len(digits) < 4000 else 10 ** (len(digits) - 1)


def _colons(text: str | bytes) -> int:
    return text.count(b'":') if isinstance(text, bytes) else text.count('":')


def _keys(command: Command) -> int:
    """How many keys the JSON of a validated command held (each key is followed by ``":`` when written tightly).

    Written for the commands' shapes, for speed: an actor always has its three keys.
    """
    fields = command.__dict__
    keys = len(command.__pydantic_fields_set__) + 3
    for addressee in fields.get("addressees", ()):
        keys += len(addressee.__pydantic_fields_set__)
    return keys + len(fields.get("deadlines", ()))


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[^\[\]{}]+")


def _depth(text: str | bytes) -> int:
    """How deeply the JSON nests, found without parsing it (Python's parser would exhaust its stack first)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    brackets = _BRACKETS.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


_CURLY = re.compile("[“”„‟″]")


def _json_mistake(error: json.JSONDecodeError) -> str:
    """What is wrong with a line that is not JSON, in the words of the mistake a clerk most likely made."""
    text = error.doc if isinstance(error.doc, str) else ""
    if error.msg.startswith("Invalid control character"):
        found = text[error.pos] if error.pos < len(text) else ""
        what = {"\n": "newline", "\t": "tab", "\r": "carriage return"}.get(
            found, f"control character U+{ord(found or ' '):04X}"
        )
        written = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(found, "\\u....")
        return f"a raw {what} inside a JSON string at column {error.colno}: write it as {written}"
    curly = _CURLY.search(text)
    if curly is not None:
        column = curly.start() + 1
        return (
            f'curly quotes ({curly[0]}) at column {column}: JSON needs straight double quotes (") around names and text'
        )
    return f"not valid JSON: {error.msg} at column {error.colno}"


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise InvalidCommand([(repeated, "is given more than once in the same object")])
    return data
