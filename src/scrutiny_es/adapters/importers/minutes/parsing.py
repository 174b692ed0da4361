"""A meeting's minutes found in lines of text: its date, each minute's number and title, each resolution's parts.

Nothing here decides what a resolution means (``drafting`` does, by ``phrases``): this only
finds where the minutes are in a file that may hold a whole agenda pack, where each minute
starts, and which words are a resolution and its numbered parts and sub-parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport
from scrutiny_es.adapters.importers.minutes import phrases as p

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
WRITTEN_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b", re.I
)
_STARTS = re.compile("|".join(f"(?:{s})" for s in p.RESOLUTION_START), re.I)
_TERMINAL = (".", ";", ":", "!", "?", ":-", ":–")


@dataclass
class Part:
    """A numbered part of a resolution (or its whole text, when it has none), its sub-parts written into it."""

    mark: str | None
    text: str


@dataclass
class Resolution:
    lead: str
    """The paragraph that opened it, as written: "Resolved:-", "The Board noted ..."."""
    parts: list[Part] = field(default_factory=list)


@dataclass
class Minute:
    number: str | None
    title: str
    resolutions: list[Resolution] = field(default_factory=list)


@dataclass
class Minutes:
    meeting_date: date
    heading: str
    minutes: list[Minute]


def day_in(text: str) -> date | None:
    """The first full date written in ``text`` ("Thursday 15 February 2024", "15/02/2024"), or None."""
    for found in WRITTEN_DATE.finditer(text):
        try:
            return read_date(found[0], month_alone=False)
        except NotADate:
            continue
    return None


def find_minutes(lines: list[str], name: str, meeting_date: date | None) -> Minutes:
    """The minutes in ``lines``: those under the heading of ``meeting_date`` if given, else the only ones there."""
    headings, refused = _headings(lines)
    chosen: tuple[int, date] | None = None
    if meeting_date is not None:
        chosen = next(((i, d) for i, d in headings if d == meeting_date), None)
        if chosen is None and headings:
            held = ", ".join(f"{d:%-d %B %Y}" for _, d in headings)
            msg = f"{name} holds the minutes of {held}, not of {meeting_date:%-d %B %Y}"
            raise CannotImport(msg, field="meeting_date")
        if chosen is None:  # no heading with a date: the one whose date is a typo, if one is, else the whole file
            chosen = (refused[0][0] if len(refused) == 1 else -1, meeting_date)
    elif len(headings) + len(refused) > 1:
        typos = (f'"{written}" ({_where(name, lines, line)}, which {why})' for _, line, written, why in refused)
        held = ", ".join([*(f"{d:%-d %B %Y}" for _, d in headings), *typos])
        msg = f"{name} holds the minutes of several meetings ({held}): give the meeting's date to choose one"
        raise CannotImport(msg, field="meeting_date")
    elif headings:
        chosen = headings[0]
    elif refused:
        _, line, written, why = refused[0]
        msg = (f'{name} {_where(name, lines, line)}: the minutes\' heading gives the date "{written}", which {why}: '
               "put the date right, or give the meeting's date")  # fmt: skip
        raise CannotImport(msg, field="meeting_date")
    else:
        msg = f'{name}: no heading such as "Minutes of ... 15 February 2024" gives the date: give the meeting\'s date'
        raise CannotImport(msg, field="meeting_date")
    start, day = chosen
    end = len(lines)
    ends = {h for h, _ in headings} | {h for h, *_ in refused}  # another meeting's minutes, its date a typo or not
    for i in range(start + 1, len(lines)):
        if p.MINUTES_END.search(lines[i]) or (i > start + 1 and i in ends):
            end = i
            break
    heading = lines[start] if start >= 0 else ""
    return Minutes(day, heading, _minutes(_paragraphs(lines[start + 1 : end])))


def _headings(lines: list[str]) -> tuple[list[tuple[int, date]], list[tuple[int, int, str, str]]]:
    """Each "Minutes ..." heading with the date it or the few lines under it give; and each heading whose date is
    written but cannot be read ("15 February 3024"), with the line that writes the date, the date and why."""
    found, refused = [], []
    for i, line in enumerate(lines):
        if not p.MINUTES_HEADING.match(line):
            continue
        near = [(j, text) for j, text in enumerate(lines[i : i + 8], start=i) if text][:4]
        near = [near[0], *((j, t) for j, t in near[1:] if len(t) <= 100 and not _STARTS.match(t))]  # not a resolution's
        for j, text in near:
            day = day_in(text)
            if day is not None:
                found.append((i, day))
                break
            if written := _unreadable_day(text):
                refused.append((i, j, *written))
                break
    return found, refused


def _unreadable_day(text: str) -> tuple[str, str] | None:
    """A full date written in ``text`` that is no day the record takes, and why: '"15 February 3024" is not ...'."""
    for found in WRITTEN_DATE.finditer(text):
        try:
            read_date(found[0], month_alone=False)
        except NotADate as e:
            return found[0], str(e)
    return None


def _where(name: str, lines: list[str], line: int) -> str:
    """A line as a clerk finds it: its number in a text file; in Word or a PDF (lines not numbered), its words."""
    if PurePath(name).suffix.lower() in (".txt", ".md"):
        return f"line {line + 1}"
    return f'"{lines[line]}"' if len(lines[line]) <= 80 else f'"{lines[line][:79]}…"'


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs: a blank line ends one, and so does a bullet or a numbered part."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        if current and _opens(line, current[-1]):
            paragraphs.append(" ".join(current))
            current = []
        current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _opens(line: str, previous: str) -> bool:
    if p.BULLET.match(line):
        return True
    if not previous.endswith(_TERMINAL):
        return False
    return bool(p.PART.match(line) or (line[:1].isupper() and _STARTS.match(line)))


def _minutes(paragraphs: list[str]) -> list[Minute]:
    minutes: list[Minute] = []
    current = Minute(None, "")
    i = 0
    while i < len(paragraphs):
        text = p.BULLET.sub("", paragraphs[i])
        heading = _minute_heading(text, minutes[-1].number if minutes else None, bullet=text != paragraphs[i])
        if heading is not None:
            number, title = heading
            if not title and i + 1 < len(paragraphs) and _title_like(paragraphs[i + 1]):
                title = paragraphs[i + 1]
                i += 1
            current = Minute(number, title)
            minutes.append(current)
            i += 1
            continue
        if _STARTS.match(text):
            resolution, i = _resolution(paragraphs, i, text)
            if all(minute is not current for minute in minutes):
                minutes.append(current)  # resolutions before any numbered minute
            current.resolutions.append(resolution)
            continue
        i += 1
    return minutes


def _title_like(text: str) -> bool:
    return 0 < len(text) <= 200 and not _STARTS.match(text) and not text.endswith((".", ";", ","))


def _minute_heading(text: str, previous: str | None, *, bullet: bool) -> tuple[str, str] | None:
    if bullet:
        return None
    found = p.MINUTE_NUMBER.match(text)
    if found is None:
        return None
    title = found["title"].strip(" .:–—-")
    if found["slash"]:
        number = found["slash"]
        if previous and "/" in previous:
            (n, year), (last, last_year) = number.split("/"), previous.split("/")
            if year != last_year or int(n) <= int(last):
                return None
        return number, title
    if found["named"]:
        return found["named"], title
    number = found["plain"]
    if WRITTEN_DATE.match(text) or not _title_like(title) or not title[:1].isupper() or p.PART.match(text):
        return None
    if previous is not None and (not previous.isdigit() or not int(previous) < int(number) <= int(previous) + 30):
        return None
    return number, title


def _resolution(paragraphs: list[str], i: int, text: str) -> tuple[Resolution, int]:
    """The resolution opened by paragraph ``i`` and its parts; and the index of the paragraph after it."""
    resolution = Resolution(text)
    lead = p.RESOLUTION_LEAD.match(text)
    rest = text[lead.end() :] if lead and lead.end() else text
    rest = re.sub(r"^t\s?h\s?a\s?t\b\s*[:–—-]*\s*", "that ", rest, flags=re.I) if lead and lead.end() else rest
    style: str | None = None
    inline = bool(rest.strip(" :-–—"))
    if inline:
        style = _add(resolution, rest, style)
    bulleted = False
    """Parts written as bullets with no numbers, under a "Resolved:" of their own: each bullet is a part."""
    i += 1
    while i < len(paragraphs):
        raw = paragraphs[i]
        text = p.BULLET.sub("", raw)
        if (
            p.MINUTE_NUMBER.match(text)
            and _minute_heading(text, None, bullet=text != raw)
            and p.PART.match(text) is None
        ):
            break
        continues = bool(resolution.parts) and not resolution.parts[-1].text.endswith(_TERMINAL)
        if (
            text != raw
            and not inline
            and not continues
            and (bulleted or not resolution.parts)
            and not p.PART.match(text)
        ):
            resolution.parts.append(Part(None, text))
            bulleted = True
            i += 1
            continue
        if _STARTS.match(text):
            break
        if p.PART.match(text):
            style = _add(resolution, text, style)
        elif not resolution.parts:
            resolution.parts.append(Part(None, text))
        elif not resolution.parts[-1].text.endswith(_TERMINAL):
            resolution.parts[-1].text += " " + text  # a paragraph broken by a page, or by a line of its own
        else:
            break
        i += 1
    return resolution, i


def _add(resolution: Resolution, text: str, style: str | None) -> str | None:
    """Adds a part (its numbering's style is the first part's) or a sub-part (any other style); gives the style."""
    found = p.PART.match(text)
    if found is None:
        resolution.parts.append(Part(None, text))
        return style
    mark = found["mark"]
    shape = ("(" if mark.startswith("(") else "") + ("9" if any(c.isdigit() for c in mark) else "a")
    if style is None or shape == style or not resolution.parts:
        resolution.parts.append(Part(mark, found["text"]))
        return style or shape
    resolution.parts[-1].text += f" {mark} {found['text']}"
    return style
