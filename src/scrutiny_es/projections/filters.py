"""Which rows of the tracker or the overdue list a host's page shows, and which page; which entries of the audit trail.

The live lists are chosen in SQL, the lists "as of" a date or "as known at" a time by these
same rules over rows made in memory; both give the same rows in the same order. A query's
parameters travel as one object (``Filters``, ``AuditQuery``) from the service to a read model.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar, get_args

from scrutiny_es.domain.dates import FIRST_DAY, LAST_DAY, long_date, shown
from scrutiny_es.domain.errors import InvalidQuery, check_count
from scrutiny_es.domain.history import ItemHistory, Rag
from scrutiny_es.projections.items import Meetings, tracker_row
from scrutiny_es.projections.rows import AuditRow, ItemStatus, OverdueReason, OverdueRow, TrackerRow

Shown = TypeVar("Shown", TrackerRow, OverdueRow)

MAX_LIMIT = 100_000
"""Rows on one page at the most: more is a mistake (a page of every item is had by giving no limit)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """A page of a list: the rows it keeps, then ``offset`` rows skipped and at most ``limit`` shown.

    ``addressee``: on the tracker, the items naming that addressee; on the overdue list, what that
    person (or body) is responsible for. ``status``, ``rag``, ``open_only``: the item's, on the list's day.
    ``overdue_only``: tracker rows with anything overdue on the day. ``reason``: overdue rows owed for it.
    Values are checked as made: an unknown one raises ``InvalidQuery`` naming its field.
    """

    addressee: str | None = None
    status: ItemStatus | None = None
    rag: Rag | None = None
    open_only: bool = False
    overdue_only: bool = False
    reason: OverdueReason | None = None
    limit: int | None = None
    offset: int = 0
    made_from: date | None = None
    """With ``made_to``: only the items made at meetings in those days (a municipal year, say)."""
    made_to: date | None = None
    exempt: bool = False
    """Hold the exempt items too (``--exempt``); without, they are left out (the public lists)."""
    exempt_only: bool = False
    """Only the exempt items: those a public list leaves out, to say how many."""

    def __post_init__(self) -> None:
        _one_of("status", self.status, get_args(ItemStatus))
        _one_of("rag", self.rag, get_args(Rag))
        _one_of("reason", self.reason, get_args(OverdueReason))
        if self.addressee is not None and not (isinstance(self.addressee, str) and self.addressee.strip()):
            raise InvalidQuery(f"addressee must be a name, not {self.addressee!r}", field="addressee")
        if self.addressee is not None:
            _check_text("addressee", self.addressee)
        for name in ("open_only", "overdue_only", "exempt", "exempt_only"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidQuery(f"{name} must be true or false, not {getattr(self, name)!r}", field=name)
        check_count("limit", self.limit, 0, MAX_LIMIT, optional=True)
        check_count("offset", self.offset, 0, 2**62)

    @property
    def chooses_items(self) -> bool:
        """Whether the page keeps only some items by their tracker row (status, RAG, open)."""
        return self.status is not None or self.rag is not None or self.open_only or self.made_in_range

    def shows_exempt(self, paragraph: str | None) -> bool:
        """Whether an item exempt under ``paragraph`` (None: public) is on the list."""
        return paragraph is not None if self.exempt_only else self.exempt or paragraph is None

    def withheld(self) -> Filters:
        """The exempt items these filters leave out, every one of them: how many a public list says it withheld."""
        return replace(self, exempt=True, exempt_only=True, limit=None, offset=0)

    @property
    def made_in_range(self) -> bool:
        return self.made_from is not None or self.made_to is not None

    def keeps_item(self, row: TrackerRow) -> bool:
        """Whether the item's tracker row has the status, RAG and openness asked for."""
        return (
            (self.status is None or row.status == self.status)
            and (self.rag is None or row.rag == self.rag)
            and not (self.open_only and row.status == "closed")
            and (self.made_from is None or row.meeting_date >= self.made_from)
            and (self.made_to is None or row.meeting_date <= self.made_to)
            and self.shows_exempt(row.exempt)
        )

    def keeps(self, row: TrackerRow) -> bool:
        """Whether a tracker row is on the list."""
        return (
            self.keeps_item(row)
            and (self.addressee is None or self.addressee in row.addressees)
            and not (self.overdue_only and not row.overdue)
        )

    def keeps_overdue(self, row: OverdueRow) -> bool:
        """Whether an overdue row is on the list (its item's tracker row is checked with ``keeps_item``)."""
        return (
            (self.addressee is None or self.addressee in row.responsible)
            and self.reason in (None, row.reason)
            and self.shows_exempt(row.exempt)
        )

    def page(self, rows: Sequence[Shown]) -> list[Shown]:
        """The page of the rows kept, in their order."""
        end = None if self.limit is None else self.offset + self.limit
        return list(rows[self.offset : end])


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Entries of the audit trail, in the order recorded: a body's or an item's (or every one), those effective
    by ``as_of`` and recorded by ``as_known_at``, after position ``after``, at most ``limit`` of them.

    ``after`` and ``limit`` are checked as made: a bad one raises ``InvalidQuery`` naming its field.
    """

    body: str | None = None
    ref: str | None = None
    as_of: date | None = None
    as_known_at: datetime | None = None
    after: int = 0
    limit: int | None = None

    def __post_init__(self) -> None:
        check_count("after", self.after, 0, 2**62)
        check_count("limit", self.limit, 0, MAX_LIMIT, optional=True)

    def keeps(self, entry: AuditRow) -> bool:
        """Whether an entry is one asked for (its position apart)."""
        return (
            self.body in (None, entry.body)
            and self.ref in (None, entry.ref)
            and (self.as_of is None or entry.effective_on <= self.as_of)
            and (self.as_known_at is None or entry.recorded_at <= self.as_known_at)
        )


def chosen_items(
    histories: Iterable[ItemHistory],
    filters: Filters,
    day: date,
    as_of: date | None,
    calendars: Mapping[str, Meetings],
) -> Iterator[ItemHistory]:
    """The items whose tracker row (as of ``as_of``, overdue on ``day``) has the status, RAG and openness asked
    for: the overdue list's items are chosen by them."""
    for history in histories:
        if not filters.chooses_items:
            yield history
            continue
        row = tracker_row(history, as_of, day, calendars[history.body])
        if row is not None and filters.keeps_item(row):
            yield history


def _one_of(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        msg = f"{name} must be one of {', '.join(allowed)}, not {value!r}"
        raise InvalidQuery(msg, field=name)


EVERY_ROW = Filters(exempt=True)
"""Every row, the exempt items' too: no choice, no paging."""

EVERY_ENTRY = AuditQuery()
"""The whole audit trail."""


_TEXT = {"body", "ref", "year", "code", "person"}
_DAYS = {"as_of", "on", "meeting", "meeting_date", "since", "from_", "to"}
_FIRST_MOMENT, _LAST_MOMENT = (datetime.combine(FIRST_DAY, time(), UTC), datetime.combine(LAST_DAY, time.max, UTC))


def check_arguments(required: Collection[str] = (), **given: Any) -> None:
    """A report's arguments as a host passed them, each of the kind its name says (a code or ref is text, ``as_of``
    a date, ``as_known_at`` a time with its zone): else ``InvalidQuery`` naming it, rather than a Python error from
    deep in a query, or a wrong answer from a time without its zone. None stands for "not given" unless required."""
    for name, value in given.items():
        field = name.rstrip("_")
        if value is None and name not in required:
            continue
        if name in _TEXT:
            _check_text(field, value)
        elif name in _DAYS:
            if not isinstance(value, date) or isinstance(value, datetime) or not FIRST_DAY <= value <= LAST_DAY:
                msg = f"{field} must be a date from {long_date(FIRST_DAY)} to {long_date(LAST_DAY)}, not {_said(value)}"
                raise InvalidQuery(msg, field=field)
        elif name == "as_known_at":
            if not isinstance(value, datetime) or value.utcoffset() is None:
                msg = f"{field} must be a time with its zone (a timezone-aware datetime), not {shown(value)}"
                raise InvalidQuery(msg, field=field)
            if not _FIRST_MOMENT <= value <= _LAST_MOMENT:
                msg = f"{field} must be from {long_date(FIRST_DAY)} to {long_date(LAST_DAY)}, not {_said(value)}"
                raise InvalidQuery(msg, field=field)
        elif not isinstance(value, bool):  # exempt
            raise InvalidQuery(f"{field} must be true or false, not {shown(value)}", field=field)


def checked_codes(name: str, codes: Any) -> list[str]:
    """The codes or refs of a collection a host passed (a list, a set, a generator), each checked as text: a lone
    string is refused, not read as its letters."""
    if isinstance(codes, str | bytes) or not isinstance(codes, Iterable):
        raise InvalidQuery(f"{name} must be a collection of codes (a list, say), not {shown(codes)}", field=name)
    listed = list(codes)
    for code in listed:
        _check_text(name, code)
    return listed


def _said(value: Any) -> str:
    """A value as a message quotes it; a date or a time as it is written (a datetime's type says what was wrong)."""
    return value.isoformat() if type(value) is date or (type(value) is datetime and value.tzinfo) else shown(value)


def _check_text(field: str, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidQuery(f"{field} must be text, not {shown(value)}", field=field)
    half = next((i for i, char in enumerate(value) if "\ud800" <= char <= "\udfff"), None)
    if half is not None:
        where = f"U+{ord(value[half]):04X} at character {half + 1}"
        msg = f"{field} must be text: {where} is half of a pair, not a character"
        raise InvalidQuery(msg, field=field)
