"""Dates as clerks write and read them.

Commands write dates ``YYYY-MM-DD``; reports show them as ``14 Mar 2024``. Every date a
command names lies between ``FIRST_DAY`` and ``LAST_DAY``: anything outside is a typing
mistake (9999 for 2024), and would overflow the arithmetic of deadlines.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)

UK = ZoneInfo("Europe/London")
"""Councils' days and times: a body registered at 00:30 BST on 2 July was registered on 2 July."""

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OTHER_DASHES = re.compile("^\\d{4}[-‐‑‒–—―−]\\d{2}[-‐‑‒–—―−]\\d{2}$")

_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def read_day(value: Any) -> date:
    """A date written YYYY-MM-DD (or a ``date``), in the calendar and within the dates a command may name.

    Raises ``ValueError`` with the clerk's message otherwise.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and ISO_DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            msg = f"{shown(value)} is not a date in the calendar"
            raise ValueError(msg) from None
    elif isinstance(value, str) and _OTHER_DASHES.match(value):
        msg = f"{shown(value)} is written with dashes that are not hyphens (– or —): write it as YYYY-MM-DD"
        raise ValueError(msg)
    else:
        msg = f"must be a date written YYYY-MM-DD, not {shown(value)}"
        raise ValueError(msg)
    if not FIRST_DAY <= day <= LAST_DAY:
        msg = f"must be between {FIRST_DAY} and {LAST_DAY}, not {day}"
        raise ValueError(msg)
    return day


def long_date(day: date) -> str:
    """A date as a clerk writes it: 14 Mar 2024 (the same in every locale)."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def municipal_year(day: date) -> str:
    """A council's year, 1 May to 30 April, as councils write it: 14 March 2024 is in 2023/24."""
    first = day.year if day.month >= 5 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def uk_day(moment: datetime) -> date:
    """The UK date of a moment (timezone-aware)."""
    return moment.astimezone(UK).date()


def uk_time(moment: datetime) -> str:
    """A moment as a clerk reads it, in UK time with its zone: 14 Mar 2024 18:00 GMT."""
    local = moment.astimezone(UK)
    return f"{long_date(local)} {local:%H:%M} {local.tzname()}"


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: its repr, cut short (a clerk's 1 MB mistake is not echoed back)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
