"""A body's life: its regime and municipal year, its names over time, its dissolution and successor.

Committees are renamed at the start of a municipal year and replaced when a council changes
its arrangements; the recommendations they made live on. So a body keeps every name it has
had, each from the day it took effect, and a report shows the name in force on its own day.
The events (``Body.Registered``, ``Body.Renamed``, ``Body.Dissolved``) stay nested on ``Body``
in ``scrutiny_es.domain.model``, where their stored topics are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from scrutiny_es.domain.dates import FIRST_DAY, LAST_DAY, long_date, uk_day
from scrutiny_es.domain.deadlines import DEFAULT_REGIME, REGIMES, AddresseeKind, Period, Regime
from scrutiny_es.domain.errors import BodyDissolved, BodyUnchanged, InvalidQuery
from scrutiny_es.domain.guards import not_future
from scrutiny_es.domain.ids import body_id

DEFAULT_YEAR_STARTS = "05-01"
"""A municipal year runs from the annual meeting in May: 1 May to 30 April unless a body says otherwise."""

_YEAR = re.compile(r"^([0-9]{4})/([0-9]{2})$")


def policy(regime: Regime, deadlines: dict[str, str | None]) -> dict[AddresseeKind, Period | None]:
    """Each kind of addressee's period: the regime's, with the body's own ``deadlines`` over it."""
    periods = dict(REGIMES[regime])
    for kind, period in deadlines.items():
        periods[kind] = None if period is None else Period.parse(period)  # type: ignore[index]
    return periods


def year_starts(text: str) -> str:
    """Reads the day a municipal year begins, ``MM-DD`` (a day every year has: not 29 February)."""
    match = re.match(r"^([0-9]{2})-([0-9]{2})$", text)
    try:
        date(2001, int(match[1]), int(match[2])) if match else date.fromisoformat("")
    except ValueError:
        msg = f"{text!r} is not a day of the year: write it as MM-DD (05-01 for 1 May), not 29 February"
        raise ValueError(msg) from None
    return text


def year_start(starts: str, year: int) -> date:
    """The first day of the municipal year that begins in calendar ``year`` (``starts``: MM-DD)."""
    month, day = (int(part) for part in starts.split("-"))
    return date(year, month, day)


def name_on(names: Sequence[tuple[date, str]], day: date | None) -> str:
    """The name in force on ``day`` (None: the latest) among ``names``, each from the day it took effect, in
    order; before any renaming, the first."""
    if day is None:
        return names[-1][1]
    return [name for since, name in names if since <= day][-1]


def renamed(names: Sequence[tuple[date, str]], name: str, from_: date) -> list[tuple[date, str]]:
    """``names`` with ``name`` from the day ``from_``, kept in the order of their days (of one day, the one
    recorded last comes last)."""
    return sorted([*names, (from_, name)], key=lambda named: named[0])


def municipal_year(starts: str, day: date) -> str:
    """The municipal year holding ``day``, written as councils write it: ``2023/24``."""
    first = day.year if day >= year_start(starts, day.year) else day.year - 1
    return f"{first}/{(first + 1) % 100:02}"


def year_days(starts: str, year: str) -> tuple[date, date]:
    """The first and last day of a municipal year written ``2023/24``; a year written otherwise is refused."""
    match = _YEAR.match(year.strip())
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        msg = f"year {year!r} is not a municipal year: write it as 2023/24 (the year it begins, and the next)"
        raise InvalidQuery(msg, field="year")
    if not FIRST_DAY.year <= int(match[1]) < LAST_DAY.year:  # the years a record's dates can fall in
        msg = f"year {year!r} is not one a record holds: from {FIRST_DAY.year}/01 to {LAST_DAY.year - 1}/99"
        raise InvalidQuery(msg, field="year")
    first = int(match[1])
    return year_start(starts, first), date.fromordinal(year_start(starts, first + 1).toordinal() - 1)


class Effective:
    """An event that says the day it took effect (a body's, an item's): ``WHEN`` names the field holding it."""

    WHEN: ClassVar[str]

    @property
    def effective_on(self) -> date:
        return getattr(self, self.WHEN)  # type: ignore[no-any-return]


class BodyLifecycle:
    """The commands that rename and dissolve a body, and what its history says on a day. A base of ``Body``."""

    if TYPE_CHECKING:  # given by Body and eventsourcing's Aggregate
        code: str
        name: str
        names: list[tuple[date, str]]
        dissolved: tuple[date, str | None] | None
        municipal_year_starts: str
        Registered: ClassVar[type[Any]]
        Renamed: ClassVar[type[Any]]
        Dissolved: ClassVar[type[Any]]
        ItemTakenOver: ClassVar[type[Any]]
        taken_over: dict[str, list[str]]

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

        @classmethod
        def _create(cls, event_class: Any, **kwargs: Any) -> Any: ...

    @classmethod
    def register(
        cls, *, code: str, name: str, council: str, deadlines: Mapping[AddresseeKind, str | None], actor: Any,
        at: datetime, regime: Regime = DEFAULT_REGIME, municipal_year_starts: str = DEFAULT_YEAR_STARTS,
    ) -> Self:  # fmt: skip
        """A new body; ``deadlines`` ("8 weeks", or None for no deadline) overrides its regime's periods."""
        registered: Self = cls._create(
            cls.Registered, id=body_id(code), timestamp=at, actor=actor, registered_on=uk_day(at), code=code,
            name=name, council=council, deadlines=dict(deadlines), regime=regime,
            municipal_year_starts=municipal_year_starts,
        )  # fmt: skip
        return registered

    def name_on(self, day: date | None) -> str:
        """The name in force on ``day`` (None: today's, the latest); before any renaming, the first."""
        return self.name if day is None else name_on(self.names, day)

    def year_of(self, day: date) -> str:
        """The body's municipal year holding ``day`` (``2023/24``)."""
        return municipal_year(self.municipal_year_starts, day)

    def still_sitting(self, field: str = "body", day: date | None = None) -> None:
        """A dissolved body takes nothing new after its dissolution (``day``: the day of what it would take;
        None: anything, whatever its day)."""
        if self.dissolved is not None and (day is None or day > self.dissolved[0]):
            on, successor = self.dissolved
            then = f"; its successor is {successor}" if successor else ""
            msg = f"{self.code} was dissolved on {long_date(on)}{then}"
            raise BodyDissolved(msg, field=field)

    def rename(self, *, name: str, from_: date, actor: Any, at: datetime) -> None:
        """The body takes a new name from a day (a rename may be recorded late, or ahead of the annual meeting)."""
        self.still_sitting()
        if self.name_on(from_) == name:
            msg = f"{self.code} is already called {name} on {long_date(from_)}"
            raise BodyUnchanged(msg, field="name")
        previous = self.name_on(from_)
        self.trigger_event(self.Renamed, timestamp=at, actor=actor, name=name, previous=previous, from_date=from_)

    def dissolve(self, *, decided_on: date, successor: str | None, actor: Any, at: datetime) -> None:
        """The body ends; its open items go on under the successor once each is transferred."""
        self.still_sitting()
        not_future(decided_on, at, "the date of dissolution", "decided_on")
        if successor == self.code:
            msg = f"{self.code} cannot be its own successor"
            raise BodyUnchanged(msg, field="successor")
        self.trigger_event(self.Dissolved, timestamp=at, actor=actor, decided_on=decided_on, successor=successor)

    def take_over(self, *, ref: str, made_by: str, from_body: str, decided_on: date, actor: Any, at: datetime) -> None:
        """Records that an item ``made_by`` another body came to this one (``transfer`` checked the rest), so a
        command naming this body and the ref finds it."""
        self.trigger_event(
            self.ItemTakenOver, timestamp=at, actor=actor, ref=ref, made_by=made_by, from_body=from_body,
            decided_on=decided_on,
        )  # fmt: skip

    def holding(self, ref: str) -> list[str]:
        """The codes of the bodies that made the items with this ref that came to this body, each once, in the order
        they came (its own item with the ref, if it made one, is not among them)."""
        return list(dict.fromkeys(self.taken_over.get(ref, ())))
