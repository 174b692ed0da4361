"""The items' histories a batch of events changes, held once for the tracker and the overdue list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Protocol

from scrutiny_es.adapters.sql.writers.base import Events, StateCache, stored_elsewhere
from scrutiny_es.domain.bodies import renamed
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body, Recommendation
from scrutiny_es.projections.items import fold, obligations, stored, waits_for_a_meeting
from scrutiny_es.projections.rows import Obligation


@dataclass
class Folded:
    """One batch of events folded into the histories: where it ran, what it changed, what it made."""

    after: int
    to: int
    changed: dict[str, ItemHistory]
    made: set[str]
    calendars: set[str] = field(default_factory=set)
    """The bodies (by id) registered, or whose calendar changed, in the batch."""
    bodies: set[str] = field(default_factory=set)
    """The bodies (by id) registered, renamed or whose calendar changed: their rows are written again."""


@dataclass
class KnownBody:
    """A body as the tracker and the overdue list know it: its meetings, and the council and names a report's
    heading shows."""

    code: str
    meetings: list[date]
    council: str
    names: list[tuple[date, str]]


Calendars = dict[str, KnownBody]
"""Each body, by its id."""


class ItemTables(Protocol):
    """What the histories read from a projection's tables: histories, a body's items, the calendars."""

    def histories(self, keys: list[str]) -> dict[str, ItemHistory]: ...

    def items_of(self, body: str) -> list[str]: ...

    def calendars(self) -> Calendars: ...


class Histories(StateCache):
    """Items' histories as of one position (``at``), shared by the tracker and the overdue list.

    Both projections keep the same history of each item, and they are caught up and
    rebuilt together, so each batch of events is folded once, and each changed history
    written as JSON once, for both. The bodies' calendars are kept too: when a meeting is
    scheduled or cancelled, the body's items deferred "to a future meeting" are shown again.
    """

    def __init__(self) -> None:
        super().__init__()
        self.last: Folded | None = None
        self.derived: dict[str, dict[str, Any]] = {}
        """What was made of histories not changed since (their JSON, their obligations), by item."""
        self.calendars: Calendars | None = None
        self.meetings: dict[str, list[date]] = {}
        """Each body's meetings, by code."""

    def forget(self) -> None:
        self.clear()
        self.derived.clear()
        self.at = self.last = self.calendars = None
        self.meetings = {}

    def fold(self, after: int, events: Events, tables: ItemTables) -> Folded:
        """Folds events after position ``after``, reading from ``tables`` what is not held."""
        if self.at != after:
            self.forget()
        if self.calendars is None:
            self.calendars = tables.calendars()
            self.meetings = {body.code: body.meetings for body in self.calendars.values()}
        calendars = self.calendars
        batch = Folded(after, events[-1][0], {}, set())
        keyed = []
        for _, event in events:
            if type(event) in _CALENDAR_EVENTS:
                self._change_calendar(calendars, event, batch)
            else:
                keyed.append((event.originator_id.hex, event))
        missing = stored_elsewhere(keyed, self)
        self.update(tables.histories(missing) if missing else {})
        for key, event in keyed:
            history = fold(self.get(key), event)
            if history is not None:
                self[key] = batch.changed[key] = history
                self.move_to_end(key)
                self.derived.pop(key, None)
                if type(event) is Recommendation.Made:
                    batch.made.add(key)
        for body in {calendars[key].code for key in batch.calendars}:
            self._show_again(body, batch, tables)
        self.at, self.last = batch.to, batch
        return batch

    def _change_calendar(self, calendars: Calendars, event: Any, batch: Folded) -> None:
        key = event.originator_id.hex
        kind = type(event)
        body: KnownBody | None
        if kind is Body.Registered:
            body = calendars[key] = KnownBody(event.code, [], event.council, [(date.min, event.name)])
        elif (body := calendars.get(key)) is None:
            return
        elif kind is Body.Renamed:  # its row is written again; its items' rows stay as they are
            body.names = renamed(body.names, event.name, event.from_date)
            batch.bodies.add(key)
            return
        else:
            body.meetings = sorted({*body.meetings, event.meeting_date} if kind is Body.MeetingScheduled else
                                   {*body.meetings} - {event.meeting_date})  # fmt: skip
        self.meetings[body.code] = body.meetings
        batch.calendars.add(key)
        batch.bodies.add(key)

    def _show_again(self, body: str, batch: Folded, tables: ItemTables) -> None:
        """Marks the body's items that wait for a meeting as changed, so their rows are made again."""
        held = [key for key, history in self.items() if history.body == body]
        elsewhere = [key for key in tables.items_of(body) if key not in self]
        loaded = tables.histories(elsewhere) if elsewhere else {}
        for key, history in [*((key, self[key]) for key in held), *loaded.items()]:
            if waits_for_a_meeting(history):
                self[key] = batch.changed[key] = history
                self.derived.pop(key, None)

    def trim(self) -> None:
        while len(self) > self.SIZE:
            key, _ = self.popitem(last=False)
            self.derived.pop(key, None)

    def calendar_of(self, history: ItemHistory) -> list[date]:
        return self.meetings.get(history.body, [])

    def text(self, key: str, history: ItemHistory) -> str:
        """The history as JSON, made once while it is unchanged."""
        return self._derived(key, history, "text", stored)  # type: ignore[no-any-return]

    def owed(self, key: str, history: ItemHistory) -> list[Obligation]:
        """The history's obligations, worked out once while it is unchanged (both projections show them)."""
        owed = partial(obligations, meetings=self.calendar_of(history))
        return self._derived(key, history, "owed", owed)  # type: ignore[no-any-return]

    def _derived(self, key: str, history: ItemHistory, what: str, make: Callable[[ItemHistory], Any]) -> Any:
        if self.get(key) is not history:
            return make(history)
        made = self.derived.setdefault(key, {})
        value = made.get(what)
        if value is None:
            value = made[what] = make(history)
        return value


_CALENDAR_EVENTS = {Body.Registered, Body.MeetingScheduled, Body.MeetingCancelled, Body.Renamed}
