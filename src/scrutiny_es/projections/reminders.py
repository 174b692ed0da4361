"""Who must act next: for each person responsible, what falls due soon and what is overdue (DESIGN 5.5).

Officers chase responsible people before each meeting. The obligations are the overdue list's
(``scrutiny_es.projections.items.obligations``): a response is its addressee's, a target date
every addressee's, a return to a deferred item the board's. Addresses are the host's or a
contacts file's, given here by name: the log never holds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from scrutiny_es.domain.history import ItemHistory, Owed, Reason
from scrutiny_es.projections.items import OVERDUE_ORDER, Meetings, obligations, overdue_row
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    """One person's reminder: what falls due soon and what is overdue, across every item they answer for."""

    person: str
    email: str | None
    due_soon: list[DueSoon]
    overdue: list[OverdueRow]

    def about(self) -> dict[tuple[str, str], list[Owed]]:
        """What the reminder is about, item by item (body, ref): each obligation with its due date."""
        items: dict[tuple[str, str], list[Owed]] = {}
        owing: list[OverdueRow | DueSoon] = [*self.overdue, *self.due_soon]
        for owed in owing:
            items.setdefault((owed.body, owed.ref), []).append(Owed(owed.reason, owed.due))
        return items


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
    overdue: dict[str, list[OverdueRow]] = {}
    last = on + timedelta(days=within)
    for history in histories:
        meetings = () if calendars is None else calendars[history.body]
        for owed in obligations(history, on, meetings):
            late = owed.overdue_on(on)
            if not late and not (on <= owed.due <= last and (owed.met_on is None or owed.met_on > on)):
                continue
            for person in owed.responsible:
                if unless_reminded_on is not None and history.reminded(person, unless_reminded_on):
                    continue
                if late:
                    overdue.setdefault(person, []).append(overdue_row(owed, history.item, history.text, on))
                else:
                    soon = DueSoon(body=owed.body, ref=owed.ref, item=history.item, reason=owed.reason, due=owed.due,
                                   days_left=(owed.due - on).days)  # fmt: skip
                    due_soon.setdefault(person, []).append(soon)
    contacts = contacts or {}
    return [
        Reminder(
            person=person,
            email=contacts.get(person),
            due_soon=sorted(due_soon.get(person, []), key=attrgetter("due", "body", "ref", "reason")),
            overdue=sorted(overdue.get(person, []), key=attrgetter(*OVERDUE_ORDER)),
        )
        for person in sorted(due_soon.keys() | overdue.keys())
    ]
