"""Word's own list numbers, worked out as Word shows them: they are not in a paragraph's text.

A clerk who numbers a tracker's Ref column, or a resolution's parts, with Word's numbering button
leaves no number in the text: the paragraph names a list and a level (``w:numPr``, its own or its
style's), and the document's numbering definitions say how each level is written ("%1.", "(%1)",
"%1.%2") and where it starts. Word counts a list's paragraphs across the whole document, tables and
all; lists sharing a definition count on together unless one restarts (``w:startOverride``). Numbers
written as digits, letters or Roman numerals are worked out here; any other way of writing them
(ordinals, words, another script's numerals) is said rather than guessed, and a bullet is no number.

The elements may be ElementTree's (the minutes) or lxml's (python-docx): only ``find``, ``iter``
and ``get`` are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = f"{W}val"
_LEVELS = 9
_FORMATS = frozenset({"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman"})
"""How a level's number may be written for it to be read here."""
_UNNUMBERED = frozenset({"bullet", "none"})
_NO_LEVEL = "of a level its list does not define"


@dataclass(frozen=True)
class Label:
    """What Word shows before a paragraph: a number ("2.", "(1)", "b."), a bullet, or a number not read here."""

    kind: Literal["number", "bullet", "unread"]
    text: str
    """The number as shown, the bullet's character, or for ``unread`` the number as digits (a guess)."""
    why: str = ""
    """For ``unread``, why: 'written as "ordinal"', 'of a level its list does not define'."""


@dataclass(frozen=True)
class _Level:
    format: str
    text: str
    start: int
    legal: bool
    """``w:isLgl``: every level's number written as digits ("1.1.3" under a level of Roman numerals)."""


class ListNumbers:
    """The numbering definitions of a document, and how far each list has counted: ``label`` each paragraph
    in the document's order, every paragraph (a number counts paragraphs outside tables too)."""

    def __init__(self, numbering: Any, styles: Any) -> None:
        self._lists: dict[str, tuple[str, dict[int, int]]] = {}
        """Each list (``w:num``): its definition's id and the levels it restarts, with their start."""
        self._definitions: dict[str, dict[int, _Level]] = {}
        self._styles: dict[str, tuple[Any, str | None]] = {}
        """Each paragraph style's ``w:numPr`` (or None) and the style it is based on."""
        self._counts: dict[str, list[int | None]] = {}
        self._restarted: set[str] = set()
        links: dict[str, str] = {}
        if numbering is not None:
            for definition in numbering.iter(f"{W}abstractNum"):
                key = definition.get(f"{W}abstractNumId", "")
                self._definitions[key] = _levels(definition)
                link = definition.find(f"{W}numStyleLink")
                if link is not None and not self._definitions[key]:
                    links[key] = link.get(_VAL, "")
            for num in numbering.iter(f"{W}num"):
                definition = num.find(f"{W}abstractNumId")
                overrides = {}
                for override in num.iter(f"{W}lvlOverride"):
                    start = override.find(f"{W}startOverride")
                    if start is not None:
                        overrides[_number(override.get(f"{W}ilvl"), 0)] = _number(start.get(_VAL), 0)
                key = definition.get(_VAL, "") if definition is not None else ""
                self._lists[num.get(f"{W}numId", "")] = (key, overrides)
        if styles is not None:
            for style in styles.iter(f"{W}style"):
                based = style.find(f"{W}basedOn")
                self._styles[style.get(f"{W}styleId", "")] = (
                    style.find(f"{W}pPr/{W}numPr"),
                    based.get(_VAL) if based is not None else None,
                )
        for key, style_name in links.items():  # a list style's definition: the levels are the style's list's
            num_pr = self._styles.get(style_name, (None, None))[0]
            num_id = num_pr.find(f"{W}numId") if num_pr is not None else None
            linked = self._lists.get(num_id.get(_VAL, "") if num_id is not None else "", ("", {}))[0]
            self._definitions[key] = self._definitions.get(linked, {})

    @property
    def any(self) -> bool:
        """Whether the document defines any list at all (else no paragraph need be looked at)."""
        return bool(self._lists)

    def label(self, paragraph: Any) -> Label | None:
        """What Word shows before ``paragraph``, counting it in its list; None for a paragraph of no list."""
        num_id, level = self._list_of(paragraph)
        if num_id is None or num_id == "0" or num_id not in self._lists:
            return None
        key, overrides = self._lists[num_id]
        levels = self._definitions.get(key, {})
        if level not in levels or not 0 <= level < _LEVELS:
            return Label("unread", "", _NO_LEVEL)
        counts = self._counts.setdefault(key, [None] * _LEVELS)
        if num_id not in self._restarted:  # a list restarting the numbering: from its first paragraph on
            self._restarted.add(num_id)
            for restarted, start in overrides.items():
                if 0 <= restarted < _LEVELS:
                    counts[restarted] = start - 1
        here = counts[level]
        counts[level] = levels[level].start if here is None else here + 1
        counts[level + 1 :] = [None] * (_LEVELS - level - 1)
        shown = levels[level]
        if shown.format in _UNNUMBERED:
            return Label("bullet", shown.text)
        text, unread = shown.text, ""
        for n in range(level + 1):
            if f"%{n + 1}" not in text:
                continue
            above = levels.get(n, _Level("", "", 1, False))
            way = "decimal" if shown.legal else above.format
            if way not in _FORMATS:
                unread = unread or (f'written as "{way}"' if way else _NO_LEVEL)
            count = counts[n]
            text = text.replace(f"%{n + 1}", _written(way, above.start if count is None else count))
        return Label("unread", text.strip(), unread) if unread else Label("number", text.strip())

    def _list_of(self, paragraph: Any) -> tuple[str | None, int]:
        """The paragraph's list and level: its own ``w:numPr``, else its style's (or the style it is based on)."""
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        num_id = level = None
        if num_pr is not None:
            num_id, level = _val(num_pr, "numId"), _val(num_pr, "ilvl")
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        name = style.get(_VAL) if style is not None else None
        seen = 0
        while (num_id is None or level is None) and name is not None and seen < 10:
            seen += 1
            style_pr, name = self._styles.get(name, (None, None))
            if style_pr is not None:
                num_id = num_id if num_id is not None else _val(style_pr, "numId")
                level = level if level is not None else _val(style_pr, "ilvl")
        return num_id, _number(level, 0)


def _levels(definition: Any) -> dict[int, _Level]:
    levels = {}
    for lvl in definition.iter(f"{W}lvl"):
        fmt, text, start = lvl.find(f"{W}numFmt"), lvl.find(f"{W}lvlText"), lvl.find(f"{W}start")
        levels[_number(lvl.get(f"{W}ilvl"), 0)] = _Level(
            fmt.get(_VAL, "decimal") if fmt is not None else "decimal",
            text.get(_VAL, "") if text is not None else "",
            _number(start.get(_VAL) if start is not None else None, 1),
            lvl.find(f"{W}isLgl") is not None,
        )
    return levels


def _val(element: Any, tag: str) -> str | None:
    found = element.find(f"{W}{tag}")
    return found.get(_VAL) if found is not None else None


_LARGEST = 32767
"""The largest number Word lets a list start at: a larger one in a file is no list Word made."""


def _number(text: str | None, default: int) -> int:
    number = int(text) if text is not None and text.isdigit() and len(text) < 10 else default
    return number if number <= _LARGEST else default


def _written(way: str, n: int) -> str:
    """``n`` written as Word writes it: 27 in letters is "aa", as Word's lists go on past "z"."""
    if way in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""
        return letters.upper() if way == "upperLetter" else letters
    if way in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.upper() if way == "upperRoman" else roman
    if way == "decimalZero" and 0 <= n < 10:
        return f"0{n}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):  # fmt: skip
        while n >= value:
            out += digits
            n -= value
    return out
