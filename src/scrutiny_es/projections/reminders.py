"""Who must act next: for each person responsible, what falls due soon and what is overdue (DESIGN 5.5).

Officers chase responsible people before each meeting. The obligations are the overdue list's
(``scrutiny_es.projections.items.obligations``): a response is its addressee's, a target date
every addressee's, a return to a deferred item the board's. Addresses are the host's or a
contacts file's, given here by name: the log never holds one.

An item taken over from another body is named with ``origin``, the code of the body that made it, as commands
name it: a body may hold two items with one ref (its own and one taken over, or two taken over).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from scrutiny_es.domain.history import ItemHistory, Owed, Reason
from scrutiny_es.projections.items import Meetings, obligations, overdue_row
from scrutiny_es.projections.rows import OverdueRow

WITHIN = 14
"""How many days ahead an obligation is "due soon", unless asked otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DueSoon:
    """Something owed on an item within the days asked about, not yet met."""

    body: str
    ref: str
    item: str
    reason: Reason
    due: date
    days_left: int
    """From the day asked about to the last permitted day (0: due that day)."""
    origin: str | None = None
    """The body that made the item, where ``body`` took it over from it (None: ``body`` made it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Overdue(OverdueRow):
    """Something owed on an item past its last permitted day, as the overdue list shows it."""

    origin: str | None = None
    """The body that made the item, where ``body`` took it over from it (None: ``body`` made it)."""


Owing = tuple[str, str, str]
"""An item as a command names it: the body it is with, its ref, and the body that made it (``origin``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    """One person's reminder: what falls due soon and what is overdue, across every item they answer for."""

    person: str
    email: str | None
    due_soon: list[DueSoon]
    overdue: list[Overdue]

    def about(self) -> dict[Owing, list[Owed]]:
        """What the reminder is about, item by item (body, ref, the body that made it): each obligation with its due
        date."""
        items: dict[Owing, list[Owed]] = {}
        owing: list[Overdue | DueSoon] = [*self.overdue, *self.due_soon]
        for owed in owing:
            items.setdefault((owed.body, owed.ref, owed.origin or owed.body), []).append(Owed(owed.reason, owed.due))
        return items


def _order(owed: Overdue | DueSoon) -> tuple[date, str, str, str, str]:
    """Oldest first, then by body, ref and the body that made the item (its own first), then what is owed."""
    return owed.due, owed.body, owed.ref, owed.origin or "", owed.reason


def reminders(
    histories: Iterable[ItemHistory],
    *,
    on: date,
    within: int = WITHIN,
    calendars: Mapping[str, Meetings] | None = None,
    contacts: Mapping[str, str] | None = None,
    unless_reminded_on: date | None = None,
) -> list[Reminder]:
    """Each responsible person's reminder as of day ``on``, in the order of their names; people owing nothing
    are left out (``unless_reminded_on``: so are the items a person was reminded of that day)."""
    due_soon: dict[str, list[DueSoon]] = {}
    overdue: dict[str, list[Overdue]] = {}
    last = on + timedelta(days=within)
    for history in histories:
        meetings = () if calendars is None else calendars[history.body]
        for owed in obligations(history, on, meetings):
            origin = history.made_by if history.made_by != owed.body else None
            late = owed.overdue_on(on)
            if not late and not (on <= owed.due <= last and (owed.met_on is None or owed.met_on > on)):
                continue
            for person in owed.responsible:
                if unless_reminded_on is not None and history.reminded(person, unless_reminded_on):
                    continue
                if late:
                    row = overdue_row(owed, history.item, history.text, on)
                    overdue.setdefault(person, []).append(Overdue(**asdict(row), origin=origin))
                else:
                    soon = DueSoon(body=owed.body, ref=owed.ref, item=history.item, reason=owed.reason, due=owed.due,
                                   days_left=(owed.due - on).days, origin=origin)  # fmt: skip
                    due_soon.setdefault(person, []).append(soon)
    contacts = contacts or {}
    return [
        Reminder(
            person=person,
            email=contacts.get(person),
            due_soon=sorted(due_soon.get(person, []), key=_order),
            overdue=sorted(overdue.get(person, []), key=_order),
        )
        for person in sorted(due_soon.keys() | overdue.keys())
    ]
