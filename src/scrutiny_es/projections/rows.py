"""The rows the queries return: the tracker, the overdue list and the audit trail.

Field names are the contract of DESIGN section 4 (``--format json`` prints them as they are).
Rows are plain frozen dataclasses: a query may return tens of thousands of them, and
``json_values`` turns one into JSON-ready values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from scrutiny_es.domain.bodies import name_on
from scrutiny_es.domain.errors import InvalidQuery
from scrutiny_es.domain.history import Decision, Kind, Outcome, Rag, Reason

if TYPE_CHECKING:
    from pydantic import TypeAdapter

ItemStatus = Literal["made", "awaiting_response", "responded", "closed"]
OverdueReason = Reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerRow(Row):
    """One recommendation or action as the tracker shows it."""

    ref: str
    kind: Kind
    meeting_date: date
    item: str
    minute: str | None
    text: str
    addressees: list[str]
    status: ItemStatus
    response: Decision | Literal["mixed"] | None
    response_due: date | None
    """The earliest deadline of a response still awaited."""
    target_date: date | None
    rag: Rag | None
    deferred_until: date | Literal["future meeting"] | None
    outcome: Outcome | None
    notes: str | None
    """The latest response or progress text, as in the Notes column of a council tracker."""
    last_changed_on: date
    awaiting: list[str]
    """The addressees referred whose response is still awaited, in addressee order."""
    overdue: list[OverdueReason]
    """What is overdue on the row's day (the as-of date, else today)."""
    escalated_on: date | None
    """The day of the latest escalation."""
    closure_note: str | None
    original_target_date: date | None
    """The first target date ever agreed (corrections applied)."""
    target_date_revisions: int
    """How many revisions of the target date are in force."""
    closure_proposed: Outcome | None = None
    """The outcome an officer proposed, while the proposal stands."""
    taken_over_from: str | None = None
    """The body the item was transferred from, in the tracker of the body it went to (from the transfer's day)."""
    transferred_to: str | None = None
    """The body the item was transferred to, in the tracker of the body it left (on the transfer's day)."""
    transferred_on: date | None = None
    """The day of the transfer the row shows (taken over, or transferred)."""
    exempt: str | None = None
    """The paragraph of Schedule 12A the item is exempt under (None: public); shown only when asked for."""


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something owed by a date: a response, the target date, a return to a deferred item.

    Kept by the overdue projection (a plain dataclass: one is made for every item at every change).
    """

    body: str
    ref: str
    reason: OverdueReason
    responsible: list[str]
    due: date
    met_on: date | None
    original_due: date
    """For a target date, the first agreed; for a response, the deadline before any extension."""

    def overdue_on(self, day: date) -> bool:
        """Overdue once the last permitted day has passed, until the day it was met."""
        return self.due < day and (self.met_on is None or self.met_on > day)


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueRow(Row):
    """An obligation past its last permitted day."""

    ref: str
    reason: OverdueReason
    due: date
    days_overdue: int
    responsible: list[str]
    item: str
    text: str
    original_due: date
    exempt: str | None = None
    """The item's paragraph of Schedule 12A (None: public); shown only when asked for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRow(Row):
    """One recorded event: what happened, when it took effect, who recorded it and who decided."""

    ref: str | None
    position: int
    event: str
    effective_on: date
    recorded_at: datetime
    actor: str
    decided_by: str | None
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyRow(Row):
    """A registered body: its code (``body``), name and council, the period each kind of addressee has to
    respond in (``None``: no deadline), and the meetings in its calendar (scheduled and not cancelled)."""

    name: str
    council: str
    deadlines: dict[str, str | None]
    meetings: list[date]
    regime: str = "council-scrutiny"
    municipal_year_starts: str = "05-01"
    """The day (MM-DD) the body's municipal year begins."""
    names: list[tuple[date, str]] | None = None
    """Each name the body has had, from the day it took effect (the first: from the start, 0001-01-01); None
    if it was never renamed."""
    dissolved_on: date | None = None
    successor: str | None = None

    def name_on(self, day: date | None) -> str:
        """The body's name in force on ``day`` (None: today's)."""
        if day is None or self.names is None:
            return self.name
        return name_on(self.names, day)


@dataclass(frozen=True, slots=True)
class BodyNames:
    """What a report's heading says of a body: its council, and each name it has had from the day it took
    effect (the first: from the start, 0001-01-01), in order."""

    council: str
    names: tuple[tuple[date, str], ...]

    def name_on(self, day: date | None) -> str:
        """The body's name in force on ``day`` (None: today's)."""
        return name_on(self.names, day)


FactStatus = Literal["in force", "corrected", "retracted"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FactRow(Row):
    """One fact of an item's card: the audit entry of the event that recorded it, its own words, and whether
    it still stands."""

    ref: str
    position: int
    event: str
    effective_on: date
    recorded_at: datetime
    actor: str
    decided_by: str | None
    summary: str
    text: str | None
    """The fact's own words: the response, the progress note, the reason, the closing note."""
    status: FactStatus


def json_values(row: Row) -> dict[str, Any]:
    """A row as JSON-ready values under its contract names (``--format json`` prints them); an item's view
    (``ItemView``) too, its referrals and responses as objects. A list of rows is refused, not taken for one."""
    if isinstance(row, list | tuple):
        raise InvalidQuery("json_values takes one row: [json_values(row) for row in rows]", field="row")
    kind = type(row)
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        from pydantic import TypeAdapter  # when first needed: pydantic takes a while to load

        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    if isinstance(getattr(row, "referrals", None), MappingProxyType):  # an item's view: its mappings are read-only
        return adapter.dump_python(row, mode="json", fallback=_plain, warnings=False)  # type: ignore[no-any-return]
    return adapter.dump_python(row, mode="json")  # type: ignore[no-any-return]


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _plain(value: Any) -> Any:
    """A view's read-only mapping as the dict JSON makes of it."""
    return dict(value) if isinstance(value, MappingProxyType) else value
