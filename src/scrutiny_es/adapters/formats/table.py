"""The report as plain text for a terminal: a ruled table where its columns fit, else a card per row.

Lines break only between words, and never inside a date, a ref or a number, so nothing reads
"Recom/menda/tion" or puts "23 Feb" and "2023" on two lines. Only a single word wider than the
whole line (a long web address) is cut. Widths are measured in terminal cells, so wide characters
line up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

from scrutiny_es.adapters.formats.report import Report
from scrutiny_es.adapters.formats.text import plain
from scrutiny_es.projections.reports import UNBROKEN

_GLUE = "\x00"
"""Joins the words of a date so that wrapping keeps them together; ``plain`` has taken every NUL out of
what was typed, so this one can only be ours."""

_DATE = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})\b")
_SPACES = re.compile(r"[ \t]+")
_COMFORTABLE = 20
"""The narrowest a column of prose may be in a table: narrower, a card per row reads better."""


@dataclass(frozen=True)
class Sheet:
    """Rows of cells under headings: what a terminal shows of a report.

    The first ``grouped`` columns are written once for a run of rows alike in them (the agenda's Date and
    Item); columns whose heading is in ``unbroken`` keep each line whole.
    """

    headings: Sequence[str]
    rows: Sequence[Sequence[str]]
    unbroken: frozenset[str] = UNBROKEN
    grouped: int = 0


def render_table(report: Report, width: int) -> str:
    parts = []
    for code, rows in report.by_body() or [("", [])]:
        heading = [report.councils.get(code, ""), report.bodies.get(code, code), report.title]
        if report.municipal_year:
            heading[-1] += f" · municipal year {report.municipal_year}"
        grid = [[plain(cell) for cell in cells] for _, cells in report.grid(rows)]
        sheet = Sheet([h for h, _ in report.kind.columns], grid, grouped=report.grouped)
        parts.append(lay_out([plain(line) for line in heading if line], sheet, width))
    return "\n".join(parts)


def lay_out(heading: Sequence[str], sheet: Sheet, width: int) -> str:
    """The heading's lines, then the sheet as a table if every column fits ``width`` comfortably, else as
    cards: one per row, its short values on a line, its prose labelled beneath."""
    width = max(width, 24)
    lines = [line for text in heading for line in wrap(text, width)]
    if not sheet.rows:
        return "\n".join([*lines, "", "Nothing to show.", ""])
    widths = _table_widths(sheet, width)
    body = _table(sheet, widths) if widths else _cards(sheet, width)
    return "\n".join([*lines, *body, ""])


def wrap(text: str, width: int) -> list[str]:
    """Text in lines at most ``width`` cells wide, broken between words only (a date counts as one word)."""
    lines: list[str] = []
    for paragraph in _glued(text).split("\n"):
        line = ""
        for word in _SPACES.split(paragraph.strip()):
            while _cells(word) > width:  # a word wider than the line: the only case where a word is cut
                if line:
                    lines.append(line)
                    line = ""
                head = _fitting(word, width)
                lines.append(head)
                word = word[len(head) :]
            if line and _cells(line) + 1 + _cells(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return [line.replace(_GLUE, " ") for line in lines]


def _glued(text: str) -> str:
    return _DATE.sub(lambda m: _GLUE.join(m.groups()), text)


def _cells(text: str) -> int:
    """The width of glued text as it will show, each glue a space."""
    return cell_len(text.replace(_GLUE, " "))


def _fitting(word: str, width: int) -> str:
    end = 1
    while end < len(word) and _cells(word[: end + 1]) <= width:
        end += 1
    return word[:end]


def _longest_word(text: str) -> int:
    return max(_cells(word) for word in re.split(r"[ \t\n]+", _glued(text)))


def _longest_line(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))


def _table_widths(sheet: Sheet, width: int) -> list[int] | None:
    """Each column's width, or None where the columns cannot all have their least width at ``width``.

    A column's least width is its longest word (its longest line where it is unbroken), and for prose
    at least ``_COMFORTABLE``; the space left is shared out in proportion to what each column still wants.
    """
    columns = [[heading, *(row[j] for row in sheet.rows)] for j, heading in enumerate(sheet.headings)]
    natural = [max(_longest_line(cell) for cell in column) for column in columns]
    least = [
        natural[j]
        if sheet.headings[j] in sheet.unbroken
        else max(max(_longest_word(cell) for cell in column), min(natural[j], _COMFORTABLE))
        for j, column in enumerate(columns)
    ]
    room = width - (3 * len(columns) + 1)
    if sum(least) > room:
        return None
    wants = [n - m for n, m in zip(natural, least, strict=True)]
    spare = room - sum(least)
    if sum(wants) <= spare:
        return natural
    widths = [m + spare * w // sum(wants) for m, w in zip(least, wants, strict=True)]
    for j in sorted(range(len(widths)), key=lambda j: natural[j] - widths[j], reverse=True)[: room - sum(widths)]:
        widths[j] += 1
    return widths


def _table(sheet: Sheet, widths: list[int]) -> list[str]:
    def line(cells: Sequence[str]) -> list[str]:
        wrapped = [wrap(cell, w) for cell, w in zip(cells, widths, strict=True)]
        height = max(len(c) for c in wrapped)
        padded = [[*c, *[""] * (height - len(c))] for c in wrapped]
        columns = list(zip(padded, widths, strict=True))
        return ["│" + "│".join(f" {_pad(c[i], w)} " for c, w in columns) + "│" for i in range(height)]

    def rule(left: str, cross: str, right: str, fill: str, open_columns: int = 0) -> str:
        """A rule between rows; the first ``open_columns`` stay open, as merged cells of a group."""
        pieces = [(" " if j < open_columns else fill) * (w + 2) for j, w in enumerate(widths)]
        joins = [("│" if j < open_columns else "├") if j <= open_columns else cross for j in range(1, len(widths))]
        start = "│" if open_columns else left
        return start + "".join(p + j for p, j in zip(pieces, [*joins, right], strict=True))

    out = [
        rule("┌", "┬", "┐", "─"),
        *line(sheet.headings),
        rule("╞", "╪", "╡", "═"),
    ]
    previous: Sequence[str] | None = None
    for row in sheet.rows:
        same = _same_group(previous, row, sheet.grouped)
        if previous is not None:
            out.append(rule("├", "┼", "┤", "─", same))
        out += line([("" if j < same else cell) for j, cell in enumerate(row)])
        previous = row
    out.append(rule("└", "┴", "┘", "─"))
    return out


def _same_group(previous: Sequence[str] | None, row: Sequence[str], grouped: int) -> int:
    """How many of the leading grouped columns ``row`` shares with the row before it."""
    same = 0
    while previous is not None and same < grouped and previous[same] == row[same]:
        same += 1
    return same


def _cards(sheet: Sheet, width: int) -> list[str]:
    out: list[str] = []
    headings = sheet.headings[sheet.grouped :]
    previous: Sequence[str] | None = None
    for row in sheet.rows:
        if sheet.grouped and _same_group(previous, row, sheet.grouped) < sheet.grouped:
            title = wrap(" · ".join(cell for cell in row[: sheet.grouped] if cell), width)
            out += ["", *title, "═" * max(cell_len(line) for line in title)]
        previous = row
        cells = list(zip(headings, row[sheet.grouped :], strict=True))
        short = [f"{h} {v}".replace("\n", ", ") for h, v in cells if h in sheet.unbroken and v]
        prose = [(h, v) for h, v in cells if h not in sheet.unbroken and v]
        out += ["", *_segments(short, width)]
        label = max((cell_len(h) for h, _ in prose), default=0)
        for heading, value in prose:
            if label + 4 <= width // 2:
                text = wrap(value, width - label - 4)
                out.append(f"  {_pad(heading, label)}  {text[0]}")
                out += [" " * (label + 4) + more for more in text[1:]]
            else:
                out.append(f"  {heading}")
                out += [f"    {more}" for more in wrap(value, width - 4)]
    return out


def _segments(segments: Sequence[str], width: int) -> list[str]:
    """Short values on as few lines as fit, each kept whole, separated by a middle dot."""
    lines: list[str] = []
    for segment in segments:
        if lines and cell_len(lines[-1]) + 3 + cell_len(segment) <= width:
            lines[-1] += f" · {segment}"
        else:
            lines += wrap(segment, width)
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))
