"""Dates as councils write them in their trackers, read without guessing.

A tracker's dates were typed by hand: "23 FEB 23", "23rd February 2023", "23/02/2023",
"23.02.2023", "2023-02-23", or a date cell of a spreadsheet. Numbers are read day first, as
in the UK; a two-digit year is read as strptime's ``%y`` reads it (69 to 99: 1969 to 1999,
00 to 68: 2000 to 2068). A month alone ("September 2023", "Sept 2023", "Sep 23") is how a
board sets a target, "by the end of that month", so it reads as the month's last day; a
meeting was held on a day, so it is not a meeting's date. Anything else ("End of May",
"During 2009/10", "Ongoing") is not a date, and nothing here turns it into one.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from functools import lru_cache

from scrutiny_es.domain.dates import FIRST_DAY, LAST_DAY

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_WEEKDAY = r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+)?"
_YEAR = r"(\d{4}|\d{2})"
_DAY_MONTH_YEAR = re.compile(rf"{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+([a-z]+)\.?,?[\s-]+{_YEAR}", re.I)
_MONTH_DAY_YEAR = re.compile(rf"{_WEEKDAY}([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I)
_NUMBERS = re.compile(r"(\d{1,2})([/.\-–])(\d{1,2})\2" + _YEAR)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_MONTH_YEAR = re.compile(rf"([a-z]+)\.?,?[\s-]+{_YEAR}", re.I)


class NotADate(ValueError):
    """Why a cell's text is not a date: the message follows the text, as in '"End of May" is not a date'."""


def read_date(value: str | date, *, month_alone: bool = True) -> date:
    """The day a council's date means; raises :class:`NotADate` saying why a text is not one.

    ``month_alone`` says whether a month with no day ("September 2023") may stand for its
    last day: yes for a target date, no for the date of a meeting.
    """
    if isinstance(value, date):
        return _in_range(value.date() if isinstance(value, datetime) else value)
    day, is_month = _read(value.strip())
    if is_month and not month_alone:
        msg = "is a month, not the day of a meeting"
        raise NotADate(msg)
    return day


@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[date, bool]:
    """The date and whether it was a month alone; cached, as a tracker repeats its meeting dates."""
    if match := _ISO.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3])), False
    if match := _NUMBERS.fullmatch(text):
        return _day(_year(match[4]), int(match[3]), int(match[1])), False
    if (match := _DAY_MONTH_YEAR.fullmatch(text)) and match[2].lower() in _MONTHS:
        return _day(_year(match[3]), _MONTHS[match[2].lower()], int(match[1])), False
    if (match := _MONTH_DAY_YEAR.fullmatch(text)) and match[1].lower() in _MONTHS:
        return _day(int(match[3]), _MONTHS[match[1].lower()], int(match[2])), False
    if (match := _MONTH_YEAR.fullmatch(text)) and match[1].lower() in _MONTHS:
        year, month = _year(match[2]), _MONTHS[match[1].lower()]
        return _day(year, month, calendar.monthrange(year, month)[1]), True
    msg = "is not a date"
    raise NotADate(msg)


def _year(digits: str) -> int:
    if len(digits) == 4:
        return int(digits)
    two = int(digits)
    return 1900 + two if two >= 69 else 2000 + two


def _day(year: int, month: int, day: int) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        msg = "is not a date"
        raise NotADate(msg) from None
    return _in_range(result)


def _in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        msg = "is not between 1900 and 2199"
        raise NotADate(msg)
    return day
