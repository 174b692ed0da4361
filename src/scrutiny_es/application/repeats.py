"""A body's command sent again: recognised as already recorded, as an item's is, so a file re-run records nothing.

A command is a repeat when the same actor recorded the same thing and it still stands: the body
registered with the same name, council and periods; the meeting scheduled (not cancelled since)
with the same name; the meeting cancelled (not scheduled again since) for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
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
