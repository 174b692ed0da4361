"""What a tracker's cells say: the words of responses and statuses, the names in an addressee cell, and the
kind of addressee and of item they suggest (DESIGN 5.4); and how a message quotes a cell."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from scrutiny_es.adapters.importers.columns import HEADERS, header_key
from scrutiny_es.adapters.importers.errors import escaped
from scrutiny_es.adapters.importers.tables import SourceTable

_NAME_SEPARATORS = re.compile(r"[\n;]")
_BULLET = re.compile(r"^[\s•·*\-–—]+")
_NOBODY = frozenset({"-", "–", "—", "n/a", "na", "none", "nil", "tbc", "tba"})
_THAT = re.compile(r"(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,4})[.)]?\s+)?that\b", re.I)
_EXECUTIVE = re.compile(r"\b(?:cabinet|leader|portfolio holder)\b", re.I)
_NHS = re.compile(r"\b(?:nhs|trust|icb|integrated care board)\b", re.I)
_PARTNER = re.compile(r"\b(?:police|pcc|fire)\b", re.I)
_EXECUTIVE_COLUMNS = frozenset(
    header_key(h) for h in ("Cabinet Member", "Portfolio Holder", "Lead Member", "Responsible Cabinet Member")
)

DECISIONS = {
    **dict.fromkeys(("agreed", "accepted", "yes", "y"), "accepted"),
    **dict.fromkeys(
        (
            "in part",
            "partially",
            "partially agreed",
            "partially accepted",
            "partly",
            "partly agreed",
            "agreed in part",
            "accepted in part",
        ),
        "partially_accepted",
    ),
    **dict.fromkeys(("no", "n", "rejected", "not agreed", "not accepted"), "rejected"),
    "noted": "noted",
}
"""What a response cell holding only these words decides; any other text is noted, in its own words."""
CLOSING = frozenset({"complete", "completed", "achieved", "actioned", "green"})
"""Statuses that close the item as implemented."""
RAGS = {"red": "red", "amber": "amber"}
"""Statuses that are a progress report's RAG rating."""
_LONGEST_WORDS = 2 * max(len(word) for word in [*DECISIONS, *CLOSING, *RAGS])
"""Room for punctuation and spaces around the longest word of a vocabulary."""


@lru_cache(maxsize=4096)
def addressee_kind(name: str, header: str = "") -> str:
    """The kind a name suggests (DESIGN 5.4), else the kind its column's header suggests, else officer."""
    if _EXECUTIVE.search(name):
        return "executive"
    if _NHS.search(name):
        return "nhs"
    if _PARTNER.search(name):
        return "partner"
    return "executive" if header_key(header) in _EXECUTIVE_COLUMNS else "officer"


@lru_cache(maxsize=4096)
def names_in(cell: str) -> tuple[str, ...]:
    """The names in an addressee cell: one a line, or separated by ";"; a dash, "N/A" or "TBC" is nobody."""
    names = []
    for part in _NAME_SEPARATORS.split(cell):
        name = " ".join(_BULLET.sub("", part).split()).rstrip(",")
        if name and name.casefold() not in _NOBODY:
            names.append(name)
    return tuple(names)


SOFT_SEPARATORS = re.compile(r"\s*,\s*|\s+/\s+|\s+and\s+|\s+&\s+")
"""What may part two names in one line ("Alice Davey, Matt Huggins") or sit inside one job title."""
_TITLE_WORDS = frozenset(
    ("of", "for", "the", "to", "and", "director", "head", "cabinet", "member", "council", "services", "service",
     "manager", "officer", "leader", "lead", "portfolio", "holder", "chief", "executive", "team", "board",
     "committee", "department", "strategic", "assistant", "deputy")
)  # fmt: skip
NamesAre = Literal["one", "split"]


def read_names(cell: str, names: NamesAre | None = None) -> tuple[tuple[str, ...], bool]:
    """The names of an addressee cell, and whether its reading is doubtful: new lines and ``;`` always part
    names; ``,``, `` / ``, `` and `` and `` & `` do where every part reads as a person's name (or ``names`` says
    ``split``), never with ``names="one"``. A line with a comma that is not all persons' names is doubtful (and
    read as one name)."""
    found: list[str] = []
    doubtful = False
    for line in names_in(cell):
        parts = [p for p in SOFT_SEPARATORS.split(line) if p]
        if len(parts) < 2 or names == "one":
            found.append(line)
        elif names == "split" or all(_a_person(p) for p in parts):
            found.extend(parts)
        else:  # "Police and Crime Commissioner" is one; "Director of Children's Services, Education" may be two
            doubtful = doubtful or "," in line
            found.append(line)
    return tuple(found), doubtful


def _a_person(part: str) -> bool:
    """Two to four capitalised words, none of a job title's: "Alice Davey", "Cllr Dawn Winter"."""
    words = part.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and w.casefold() not in _TITLE_WORDS for w in words)


def item_kind(header: str, text: str) -> str:
    """An action under an "Action" header; under "Recommendation/Action", a recommendation if worded "That ..."."""
    key = header_key(header)
    if "action" not in key:
        return "recommendation"
    if "recommendation" not in key:
        return "action"
    return "recommendation" if _THAT.match(text) else "action"


@lru_cache(maxsize=4096)
def words(text: str) -> str:
    """A short cell's words as compared with a vocabulary: lower case, punctuation and extra spaces out."""
    if len(text) > _LONGEST_WORDS:
        return ""  # longer than any word of the vocabularies, as a response's own text usually is
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def quoted(value: str) -> str:
    """A value quoted in a message: on one line, control characters escaped, a long one cut short."""
    shown = escaped(value)
    if len(shown) > 60:
        return f'"{shown[:50]}…" ({len(value):,} characters)'
    return f'"{shown}"'


def no_tracker(source: str, tables: Sequence[SourceTable]) -> str:
    source = escaped(source)
    if not tables or not any(t.rows for t in tables):
        return f"{source} has no table with anything in it"
    first = next(t for t in tables if t.rows)
    seen = ", ".join(f'"{cell}"' for cell in first.rows[0].cells if cell)[:300]
    texts = ", ".join(HEADERS["text"][:5])
    return (
        f"{source}: no table has a header row naming the recommendation ({texts}) and another known column; "
        f"{first.label or 'its first row'} begins {seen}; "
        '--columns "Header=text,..." says which column holds what'
    )


def one_line(text: str) -> str:
    return " ".join(text.split())


FIELD_WORDS = {
    "meeting_date": "meeting date",
    "item": "item",
    "text": "recommendation's text",
    "target_date": "target date",
    "ref": "ref",
    "minute": "minute",
    "origin": "body that made the item",
}
"""How a message names a column's field."""
