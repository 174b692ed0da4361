"""Response deadlines: how long an addressee has to respond to the board.

The Local Government Act 2000 s9FE gives the executive "the period of two months
beginning with the date on which it received the report"; health scrutiny gives NHS
bodies 28 days beginning with the date of the request. "Beginning with" counts the day
of receipt as day one, so the last permitted day is the day *before* the corresponding
date; where the later month has no corresponding date, the period ends on that month's
last day. Councils set local periods too, so each body keeps a policy keyed by the
kind of addressee, starting from its regime's (``REGIMES``: council scrutiny's statutory
periods, a coroner's 56 days, a public inquiry's six months, a select committee's two).

Other rules count "within 56 days *of* the date on which the report is sent" (the Coroners
(Investigations) Regulations 2013, reg. 29): a period "of" or "from" a day does not count
that day, so its last day is the 56th day after it. Such a period is written "56 days after".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

AddresseeKind = Literal["executive", "nhs", "partner", "officer", "other"]

Unit = Literal["days", "weeks", "months"]

_PERIOD = re.compile(r"^\s*([1-9][0-9]{0,2})\s+(day|week|month)s?(\s+after)?\s*$")


@dataclass(frozen=True)
class Period:
    """A length of time such as "2 months", "8 weeks" or "28 days" ("56 days after": counted from the next day)."""

    count: int
    unit: Unit
    after: bool = False
    """Counted from the day after the first (a period "of" the day), not "beginning with" it."""

    @classmethod
    def parse(cls, text: str) -> Period:
        """Reads "N days", "N weeks" or "N months" (N from 1 to 999), each optionally followed by "after"."""
        match = _PERIOD.match(text)
        if match is None:
            msg = f'"{text}" is not a period: write it as "2 months", "8 weeks", "28 days" or "56 days after"'
            raise ValueError(msg)
        unit: Unit = {"day": "days", "week": "weeks", "month": "months"}[match[2]]  # type: ignore[assignment]
        return cls(int(match[1]), unit, after=match[3] is not None)

    def __str__(self) -> str:
        unit = self.unit if self.count != 1 else self.unit[:-1]
        return f"{self.count} {unit}" + (" after" if self.after else "")

    def last_day(self, beginning_with: date) -> date:
        """The last permitted day of this period, counting ``beginning_with`` as day one (or, for a period
        "after", the day after it)."""
        if self.after:
            beginning_with += timedelta(days=1)
        if self.unit == "months":
            return _last_day_of_months(beginning_with, self.count)
        days = self.count * 7 if self.unit == "weeks" else self.count
        return beginning_with + timedelta(days=days - 1)


def _last_day_of_months(start: date, months: int) -> date:
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = calendar.monthrange(year, month)[1]
    if start.day > days_in_month:
        return date(year, month, days_in_month)
    return date(year, month, start.day) - timedelta(days=1)


STATUTORY_DEADLINES: dict[AddresseeKind, Period | None] = {
    "executive": Period(2, "months"),
    "officer": Period(2, "months"),
    "nhs": Period(28, "days"),
    "partner": None,
    "other": None,
}
"""Periods that apply unless a body sets its own (``None``: no deadline)."""


Regime = Literal["council-scrutiny", "coroner-pfd", "public-inquiry", "select-committee"]


def _everyone(period: Period) -> dict[AddresseeKind, Period | None]:
    return dict.fromkeys(("executive", "officer", "nhs", "partner", "other"), period)


REGIMES: dict[Regime, dict[AddresseeKind, Period | None]] = {
    "council-scrutiny": STATUTORY_DEADLINES,  # Local Government Act 2000 s9FE; the NHS: 2013 Regulations reg. 22
    "coroner-pfd": _everyone(Period(56, "days", after=True)),  # Coroners (Investigations) Regulations 2013 reg. 29
    "public-inquiry": _everyone(Period(6, "months")),  # the inquiry's request: a published response in six months
    "select-committee": _everyone(Period(2, "months")),  # the Osmotherly Rules / Cabinet Office guidance
}
"""The named deadline policies a body is registered with: each kind of addressee's period (sources: docs/bodies.md)."""

DEFAULT_REGIME: Regime = "council-scrutiny"
