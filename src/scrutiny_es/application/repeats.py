"""A command sent again: recognised as already recorded, so a file re-run records nothing.

A command with a key is the same command when its content has the same digest (``command_digest``). Without
one, an item's making is the same when it makes the same item the same way (``same_making``); a body's command
is a repeat as follows.

A command is a repeat when the same actor recorded the same thing and it still stands: the body
registered with the same name, council and periods; the meeting scheduled (not cancelled since)
with the same name; the meeting cancelled (not scheduled again since) for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256
from typing import Any

from scrutiny_es.domain.model import Actor, Body


def body_repeat(cmd: Any, actor: Actor, events: Sequence[Any]) -> int | None:
    """The version of the body's event that ``cmd`` would record again, or None (``events``: the body's, in
    order)."""
    if not events:
        return None
    if cmd.command == "register_body":
        made = events[0]
        same = (made.actor, made.name, made.council, made.deadlines, made.regime, made.municipal_year_starts) == (
            actor, cmd.name, cmd.council, dict(cmd.deadlines), cmd.regime, cmd.municipal_year_starts)  # fmt: skip
        return made.originator_version if same else None
    if cmd.command in ("rename_body", "dissolve_body"):
        return _changed_before(cmd, actor, events)
    about = [e for e in events if getattr(e, "meeting_date", None) == cmd.meeting_date]
    if not about or about[-1].actor != actor:
        return None
    last = about[-1]
    if cmd.command == "schedule_meeting":
        same = isinstance(last, Body.MeetingScheduled) and last.name == cmd.name
    else:
        same = isinstance(last, Body.MeetingCancelled) and last.reason == cmd.reason
    return last.originator_version if same else None


def _changed_before(cmd: Any, actor: Actor, events: Sequence[Any]) -> int | None:
    """A renaming or dissolution the same actor recorded the same way, and still the body's latest of its kind."""
    kind: type[Any] = Body.Renamed if cmd.command == "rename_body" else Body.Dissolved
    last: Any = next((e for e in reversed(events) if isinstance(e, kind)), None)
    if last is None or last.actor != actor:
        return None
    if kind is Body.Renamed:
        same = (last.name, last.from_date) == (cmd.name, cmd.from_)
    else:
        same = (last.decided_on, last.successor) == (cmd.decided_on, cmd.successor)
    return last.originator_version if same else None


def command_digest(command: Any) -> str:
    """A command's content, field for field, as a digest (its key left out, and an ``origin`` not given: a key
    recorded before commands had one names the same digest)."""
    left_out = _KEY if getattr(command, "origin", None) is not None else _KEY_AND_ORIGIN
    # ``model_dump_json(exclude=left_out).encode()``, the same bytes without its keywords and a decode and encode
    return sha256(command.__pydantic_serializer__.to_json(command, exclude=left_out)).hexdigest()


_KEY, _KEY_AND_ORIGIN = {"command_id"}, {"command_id", "origin"}


def same_making(earlier: Any, again: Any) -> bool:
    """Whether two ``Made`` events record the same item, made the same way by the same actor."""
    same = ("actor", "kind", "meeting_date", "item", "minute", "text", "addressees", "target_date", "decided_by",
            "exempt")  # fmt: skip
    return all(getattr(earlier, name) == getattr(again, name) for name in same)
