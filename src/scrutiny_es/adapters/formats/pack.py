"""The meeting pack's standing item, "Tracking and Monitoring of Scrutiny Recommendations", laid out once.

Input is the pack in its JSON form (DESIGN 5.3). ``standing_item`` words it the way Sandwell's
report of 14 March 2024 does: a heading with the body and the meeting, the four things the board is
asked to do (note the responses, note progress, determine action where progress is unsatisfactory,
decide what no longer needs monitoring), each with its table or "None.", then "Appendix 1 – Action
Tracker" in the council's columns, then the line an auditor checks the pack against. Markdown, HTML
and Word (``formats.word``) lay out the same ``StandingItem``, so the three cannot say different things.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from scrutiny_es.adapters.extras import need
from scrutiny_es.adapters.formats import in_runs, municipal_year
from scrutiny_es.adapters.formats.html import esc, page
from scrutiny_es.adapters.formats.markdown import cell as md_cell
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.domain.dates import long_date
from scrutiny_es.projections.reports import target_date_words, tracker_notes, tracker_status
from scrutiny_es.projections.rows import TrackerRow

if TYPE_CHECKING:
    from pydantic import TypeAdapter

Pack = Mapping[str, Any]
"""A meeting pack in its JSON form: ``body``, ``body_name``, ``council``, ``meeting``, ``since``,
``responses``, ``progress``, ``unsatisfactory``, ``for_closure``, ``tracker`` (tracker rows as
``tracker --format json`` gives them) and ``built_from`` (``position``, ``digest``)."""

PackFormat = Literal["md", "html", "docx"]

Mark = Literal["", "strong", "ref", "rag-green", "rag-amber", "rag-red"]

SUBJECT = "Tracking and Monitoring of Scrutiny Recommendations"
APPENDIX = "Appendix 1 – Action Tracker"
APPENDIX_COLUMNS = ("Date", "Item", "Recommendation/ Action", "Responsible Person", "Notes")
"""The columns of the council's own tracker, as the agenda pack writes them."""


@dataclass(frozen=True)
class Line:
    """A line of a cell, and how it stands out: the decision of a response, a ref, a RAG rating."""

    text: str
    mark: Mark = ""


Cell = tuple[Line, ...]


@dataclass(frozen=True)
class Table:
    """A table of the report; its first ``merged`` columns are written once for a run of rows alike in them."""

    headings: tuple[str, ...]
    rows: list[list[Cell]]
    widths: tuple[int, ...]
    """Each column's share of the page width, in per cent."""
    merged: int = 0

    def span(self, index: int, column: int) -> int:
        """The rows a merged cell covers from ``index``: 0 where the run began above."""
        key = [self.rows[index][j] for j in range(column + 1)]
        if index and [self.rows[index - 1][j] for j in range(column + 1)] == key:
            return 0
        span = 1
        while index + span < len(self.rows) and [self.rows[index + span][j] for j in range(column + 1)] == key:
            span += 1
        return span


@dataclass(frozen=True)
class Part:
    """One of the four things the board is asked to do, with what it has before it (None: nothing)."""

    number: int
    heading: str
    asks: str
    table: Table | None


@dataclass(frozen=True)
class StandingItem:
    """The standing-item report of one meeting, worded and ready to lay out."""

    council: str
    body_name: str
    meeting: date
    period: str
    parts: list[Part]
    appendix: Table
    built_from: str

    @property
    def title(self) -> str:
        return f"{SUBJECT}: {self.body_name}, {full_date(self.meeting)}"


def render_pack(pack: Pack, fmt: PackFormat) -> str | bytes:
    """The pack as Markdown or HTML text, or a Word document's bytes."""
    item = standing_item(pack)
    if fmt == "md":
        return pack_markdown(item)
    if fmt == "html":
        return pack_html(item)
    need("office", "docx")
    from scrutiny_es.adapters.formats.word import pack_docx

    return pack_docx(item)


_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def full_date(day: date) -> str:
    """A date as a report's heading writes it: 14 March 2024."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def _day(value: str | None) -> str:
    return long_date(date.fromisoformat(value)) if value else ""


def _words(value: str) -> str:
    return value.replace("_", " ")


_RAG: dict[str | None, Line] = {
    "green": Line("Green", "rag-green"),
    "amber": Line("Amber", "rag-amber"),
    "red": Line("Red", "rag-red"),
}


def _rag(rag: str | None) -> Line:
    return _RAG.get(rag, Line(""))


def _text(value: str | None, mark: Mark = "") -> Cell:
    """What was typed, made visible, a line per line typed."""
    return tuple(Line(line, mark) for line in visible(value or "").split("\n"))


def standing_item(pack: Pack) -> StandingItem:
    """The pack, worded: every value a clerk typed made visible, every date as a clerk reads it."""
    tracker = [_tracker_row(row) for row in pack["tracker"]]
    by_ref = {row.ref: row for row in tracker}
    meeting = date.fromisoformat(pack["meeting"])
    since = pack.get("since")
    period = (
        f"Responses and progress recorded after {full_date(date.fromisoformat(since))} and up to "
        f"{full_date(meeting)}; municipal year {municipal_year(meeting)}."
        if since
        else f"Responses and progress up to {full_date(meeting)} (no earlier meeting is recorded); "
        f"municipal year {municipal_year(meeting)}."
    )
    position, digest = pack["built_from"]["position"], visible(str(pack["built_from"]["digest"]))
    return StandingItem(
        council=visible(pack.get("council") or ""),
        body_name=visible(pack["body_name"]),
        meeting=meeting,
        period=period,
        parts=[
            Part(1, "Responses received since the last meeting",
                 "That the Board notes the responses on recommendations referred since its last meeting.",
                 _responses(pack["responses"])),
            Part(2, "Progress on implementation",
                 "That the Board notes the progress on implementation of the recommendations made.",
                 _progress(pack["progress"])),
            Part(3, "Where progress is unsatisfactory",
                 "That the Board determines what action it wishes to take where progress is unsatisfactory.",
                 _unsatisfactory(pack["unsatisfactory"], by_ref)),
            Part(4, "Proposed for closure",
                 "That the Board determines which actions/recommendations no longer require monitoring.",
                 _for_closure(pack["for_closure"])),
        ],
        appendix=_appendix(tracker),
        built_from=(
            f"Built from the record up to position {position}, seal digest {digest}. "
            f"To check it: scrutiny-es verify --at {position} --digest {digest}"
        ),
    )  # fmt: skip


def _tracker_row(row: Mapping[str, Any]) -> TrackerRow:
    """A tracker row of the pack, its ISO dates read as dates, so that the tracker's own wording applies."""
    return _tracker_rows().validate_python(row)


@cache
def _tracker_rows() -> TypeAdapter[TrackerRow]:
    from pydantic import TypeAdapter  # when first needed: pydantic takes a while to load

    return TypeAdapter(TrackerRow)


def _table(headings: tuple[str, ...], widths: tuple[int, ...], rows: list[list[Cell]]) -> Table | None:
    return Table(headings, rows, widths) if rows else None


def _responses(responses: Sequence[Mapping[str, Any]]) -> Table | None:
    def deadline(r: Mapping[str, Any]) -> Cell:
        if not r.get("due"):
            return (Line("None set"),)
        return (Line(_day(r["due"])), Line("on time") if r.get("on_time") else Line("late", "strong"))

    return _table(
        ("Ref", "Item", "Addressee", "Response", "Responded", "Deadline"),
        (14, 14, 15, 29, 14, 14),
        [
            [_text(r["ref"], "ref"), _text(r["item"]), _text(r["addressee"]),
             (Line(_words(r["decision"]).capitalize(), "strong"), *_text(r["text"])),
             (Line(_day(r["responded_on"])), *_text(f"by {r['responded_by']}" if r.get("responded_by") else "")),
             deadline(r)]
            for r in responses
        ],
    )  # fmt: skip


def _progress(progress: Sequence[Mapping[str, Any]]) -> Table | None:
    return _table(
        ("Ref", "Item", "Progress", "Reported", "RAG"),
        (15, 18, 41, 16, 10),
        [
            [_text(p["ref"], "ref"), _text(p["item"]), _text(p["note"]),
             (Line(_day(p["reported_on"])), *_text(f"by {p['reported_by']}" if p.get("reported_by") else "")),
             (_rag(p.get("rag")),)]
            for p in progress
        ],
    )  # fmt: skip


def _why_unsatisfactory(reason: str, row: TrackerRow | None) -> Line:
    if reason == "red":
        return Line("RAG red", "rag-red")
    if reason == "response":
        due = f" (due {long_date(row.response_due)})" if row and row.response_due else ""
        return Line(f"Response overdue{due}", "strong")
    if reason == "target_date":
        when = f" ({long_date(row.target_date)})" if row and row.target_date else ""
        return Line(f"Target date passed{when}", "strong")
    if reason == "deferral":
        until = row.deferred_until if row else None
        when = f" ({until if isinstance(until, str) else long_date(until)})" if until else ""
        return Line(f"Deferred, not yet returned to{when}", "strong")
    return Line(visible(_words(reason)))


def _unsatisfactory(items: Sequence[Mapping[str, Any]], by_ref: Mapping[str, TrackerRow]) -> Table | None:
    return _table(
        ("Ref", "Item", "Why", "Responsible Person"),
        (15, 30, 31, 24),
        [
            [_text(u["ref"], "ref"), _text(u["item"]),
             tuple(_why_unsatisfactory(reason, by_ref.get(u["ref"])) for reason in u["why"]),
             tuple(Line(visible(name)) for name in (by_ref[u["ref"]].addressees if u["ref"] in by_ref else []))]
            for u in items
        ],
    )  # fmt: skip


def _for_closure(items: Sequence[Mapping[str, Any]]) -> Table | None:
    why = {"proposed": Line("Closure proposed"), "green": Line("RAG green", "rag-green")}
    return _table(
        ("Ref", "Item", "Why", "Proposed outcome"),
        (15, 37, 24, 24),
        [
            [_text(c["ref"], "ref"), _text(c["item"]),
             tuple(why.get(reason, Line(visible(_words(reason)))) for reason in c["why"]),
             (Line(_words(c["outcome"]).capitalize() if c.get("outcome") else "None proposed"),)]
            for c in items
        ],
    )  # fmt: skip


def _notes(row: TrackerRow) -> Cell:
    """The Notes column: what was last said, then where the item stands, its dates and its RAG rating."""
    lines = [Line(line) for line in visible(tracker_notes(row)).split("\n") if line]
    lines += [Line(line, "strong" if line.startswith("Overdue") else "") for line in tracker_status(row).split("\n")]
    if row.response_due and row.status != "closed":
        lines.append(Line(f"Response due {long_date(row.response_due)}"))
    if row.target_date:
        lines.append(Line("Target date " + target_date_words(row).replace("\n", "; ")))
    if row.rag:
        lines.append(Line(f"RAG: {row.rag.capitalize()}", _rag(row.rag).mark))
    return tuple(lines)


def _appendix(tracker: Sequence[TrackerRow]) -> Table:
    ordered = sorted(tracker, key=lambda row: row.meeting_date)
    rows = [
        [(Line(long_date(row.meeting_date)),), _text(row.item), (Line(visible(row.ref), "ref"), *_text(row.text)),
         tuple(Line(visible(name)) for name in row.addressees), _notes(row)]
        for row in ordered
    ]  # fmt: skip
    order = in_runs([(row[0], row[1]) for row in rows])
    return Table(APPENDIX_COLUMNS, [rows[i] for i in order], (10, 15, 35, 14, 26), merged=2)


# Markdown


def pack_markdown(item: StandingItem) -> str:
    """The standing item as Markdown: a table can merge no cells, so Date and Item are left blank below
    the first row of their run, as the agenda's text does."""
    out = [md_cell(item.council), ""] if item.council else []
    out += [f"# Report to {md_cell(item.body_name)}", "", f"**{full_date(item.meeting)}**", "",
            f"Subject: {SUBJECT}", "", md_cell(item.period), ""]  # fmt: skip
    for part in item.parts:
        out += [f"## {part.number}. {part.heading}", "", f"*{part.asks}*", ""]
        out += [*_md_table(part.table), ""] if part.table else ["None.", ""]
    out += [f"## {APPENDIX}", "", *_md_table(item.appendix), "", md_cell(item.built_from), ""]
    return "\n".join(out)


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.headings) + " |", "|" + "---|" * len(table.headings)]
    for index, row in enumerate(table.rows):
        cells = ["" if j < table.merged and table.span(index, j) == 0 else _md(c) for j, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _md(cell: Cell) -> str:
    return "<br>".join(f"**{md_cell(line.text)}**" if line.mark == "strong" else md_cell(line.text) for line in cell
                       if line.text)  # fmt: skip


# HTML

PACK_CSS = """
@page { size: A4 portrait; margin: 18mm 16mm; }
@page appendix { size: A4 landscape; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #000; margin: 0 auto; max-width: 273mm;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
p.council { font-weight: bold; margin: 0 0 4pt; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 12.5pt; margin: 16pt 0 4pt; }
p.meeting { font-size: 12pt; font-weight: bold; margin: 0 0 4pt; }
p.asks { font-style: italic; margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; }
th { background: #d9d9d9; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.nowrap, span.ref { white-space: nowrap; }
span.ref { font-size: 8.5pt; color: #333; }
.rag-green { background: #92d050; } .rag-amber { background: #ffc000; } .rag-red { background: #ff5050; }
span.rag-green, span.rag-amber, span.rag-red { padding: 0 3pt; }
section.appendix { page: appendix; page-break-before: always; }
p.built-from { font-size: 8.5pt; margin-top: 10pt; word-break: break-all; }
@media screen { section.appendix { margin-top: 24pt; } }
"""


def pack_html(item: StandingItem) -> str:
    """The standing item as one HTML page: A4 portrait for the report, the appendix on landscape pages."""
    out = [f'<p class="council">{esc(item.council, False)}</p>'] if item.council else []
    out += [f"<h1>Report to {esc(item.body_name, False)}</h1>",
            f'<p class="meeting">{full_date(item.meeting)}</p>',
            f"<p>Subject: {SUBJECT}</p>", f"<p>{esc(item.period, False)}</p>"]  # fmt: skip
    for part in item.parts:
        out += [f"<section>\n<h2>{part.number}. {part.heading}</h2>", f'<p class="asks">{html.escape(part.asks)}</p>']
        out += [_html_table(part.table) if part.table else "<p>None.</p>", "</section>"]
    out += [f'<section class="appendix">\n<h2>{html.escape(APPENDIX)}</h2>', _html_table(item.appendix),
            f'<p class="built-from">{esc(item.built_from, False)}</p>\n</section>']  # fmt: skip
    return page(item.title, "\n".join(out), PACK_CSS)


_NOWRAP = ' class="nowrap"'


def _html_table(table: Table) -> str:
    head = "".join(
        f'<th style="width: {w}%"{_NOWRAP if h in ("Ref", "Date") else ""}>{html.escape(h)}</th>'
        for h, w in zip(table.headings, table.widths, strict=True)
    )
    rows = []
    for index, row in enumerate(table.rows):
        cells = []
        for j, cell in enumerate(row):
            span = table.span(index, j) if j < table.merged else 1
            if span == 0:
                continue
            rowspan = f' rowspan="{span}"' if j < table.merged else ""
            rag = [line.mark for line in cell if line.mark.startswith("rag-")]
            css = f' class="{rag[0]}"' if len(cell) == 1 and rag else (_NOWRAP if j == 0 else "")
            shown = _html_cell(cell, whole=len(cell) == 1 and bool(rag), nowrap=css == _NOWRAP)
            cells.append(f"<td{rowspan}{css}>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>\n")
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{''.join(rows)}</tbody></table>"


def _html_cell(cell: Cell, whole: bool, nowrap: bool) -> str:
    """A cell's lines; ``whole``: the cell is shaded in its one RAG line; ``nowrap``: no line of it wraps."""

    def line(part: Line) -> str:
        text = esc(part.text, dates_whole=not nowrap)
        if part.mark == "strong":
            return f"<strong>{text}</strong>"
        if part.mark == "ref" or (part.mark.startswith("rag-") and not whole):
            return f'<span class="{part.mark}">{text}</span>'
        return text

    return "<br>".join(line(part) for part in cell if part.text)
