"""The board's words for the record's codes and dates, and dates read as officers type them.

A page never shows a code (``target_date``, ``partially_accepted``): each is said as a clerk
would say it. Dates are shown as "21 March 2024" and read from GOV.UK's three boxes (day, month,
year), or from one box as 28/03/2024 or 2024-03-28.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.exceptions import HTTPException

STATUSES = {"made": "Made", "awaiting_response": "Awaiting response", "responded": "Responded", "closed": "Closed"}
STATUS_COLOURS = {"made": "grey", "awaiting_response": "yellow", "responded": "blue", "closed": "green"}
RAGS = {"green": "Green", "amber": "Amber", "red": "Red"}
RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red"}
OVERDUE = {"response": "Response late", "target_date": "Target date passed", "deferral": "Deferral due back"}
DECISIONS = {"accepted": "Accepted", "partially_accepted": "Partially accepted", "rejected": "Rejected",
             "noted": "Noted"}  # fmt: skip
OUTCOMES = {"implemented": "Implemented", "partially_implemented": "Partially implemented",
            "not_implemented": "Not implemented", "superseded": "Superseded", "withdrawn": "Withdrawn",
            "no_longer_monitored": "No longer monitored"}  # fmt: skip
KINDS = {"recommendation": "Recommendation", "action": "Action"}
ADDRESSEE_KINDS = {"executive": "The executive (Cabinet, a Cabinet member)", "nhs": "An NHS body",
                   "partner": "A partner body", "officer": "A council officer", "other": "Someone else"}  # fmt: skip

FIELDS = {
    "target_date": "target date",
    "response_due": "date a response is due",
    "received_on": "date it was received",
    "responded_on": "date of the response",
    "responded_by": "who responded",
    "reported_on": "date of the update",
    "reported_by": "who reported it",
    "decided_on": "date of the decision",
    "decided_by": "who decided",
    "proposed_on": "date of the proposal",
    "proposed_by": "who proposed it",
    "agreed_by": "who agreed it",
    "meeting_date": "date of the meeting",
    "until": "date to return to it",
    "actor.role": "your role",
    "actor.name": "your name",
    "rag": "RAG rating",
}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def long_date(value: Any) -> str:
    """21 March 2024; anything not a date as it is (a deferral "until a future meeting", say)."""
    if isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return long_date(date.fromisoformat(value))
    return "" if value is None else str(value).replace("_", " ")


def withheld(rows: Any) -> str:
    """What a page says of the exempt items (Schedule 12A) the library left out of its rows ("" if none)."""
    count = getattr(rows, "withheld", 0)
    if not count:
        return ""
    items = "1 item is" if count == 1 else f"{count} items are"
    return f"{items} exempt under Schedule 12A to the Local Government Act 1972 and not shown."


def plain(text: str) -> str:
    """A message from the record with its codes said in words (``target_date`` -> "target date")."""

    def said(found: re.Match[str]) -> str:
        code = found[0]
        return FIELDS.get(code, code.replace("_", " "))

    return re.sub(r"\b(?:actor\.(?:role|name)|[a-z]+(?:_[a-z]+)+)\b", said, text)


def read_date(label: str, day: str, month: str, year: str) -> tuple[str, str | None]:
    """The ISO date typed in three boxes (or one, as 28/03/2024, 2024-03-28 or 28 March 2024), and what is wrong, if
    anything."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        return "", None
    whole = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", day) if not (month or year) else None
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", day) if not (month or year) else None
    # as a date is written in a letter: "14 March 2024", "14th Mar. 2024"
    written = re.fullmatch(r"(\d{1,2}(?:st|nd|rd|th)?)\s+([^\W\d_]{3,})\.?,?\s+(\d{4})", day, re.I)
    if whole:
        day, month, year = whole[1], whole[2], whole[3]
    elif iso:
        year, month, day = iso[1], iso[2], iso[3]
    elif written and not (month or year):
        if not _month_name(written[2]):
            return "", f"The {label} must be a real date: {written[2]} is not a month"
        day, month, year = written[1], written[2], written[3]
    day = re.sub(r"(?<=\d)(?:st|nd|rd|th)$", "", day, flags=re.I)  # "1st", "22nd"
    named = _month_name(month)
    month = str(MONTHS.index(named) + 1) if named else month
    missing = [part for part, typed in (("day", day), ("month", month), ("year", year)) if not typed]
    if missing:
        return "", f"The {label} must include a {' and a '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return "", f"The {label} must be a real date, for example 27 3 2024"
    try:
        return date(int(year), int(month), int(day)).isoformat(), None
    except (ValueError, OverflowError):  # a day of twenty digits is too big for the calendar, as 32 is
        return "", f"The {label} must be a real date: {day} {month} {year} is not in the calendar"


def _month_name(typed: str) -> str | None:
    """A month typed as a word ("March", "mar")."""
    for name in MONTHS:
        if len(typed) >= 3 and name.casefold().startswith(typed.casefold()):
            return name
    return None


def problem(e: Exception) -> tuple[int, str, str]:
    """The status, title and words of the page for what was not there or could not be read: the library's or the
    host's sentence, or, for what the framework refused (no page at an address, a method no page takes, a form too
    large to read), a sentence in words, never its JSON."""
    if not isinstance(e, HTTPException):
        return 404, "Page not found", plain(str(e))
    if e.status_code in (404, 405):  # no page, or a page no form is sent to (or a form sent to a page)
        return e.status_code, "Page not found", "There is no page at this address to open or to send a form to."
    return e.status_code, "Nothing was recorded", f"The form could not be read: {e.detail}"
