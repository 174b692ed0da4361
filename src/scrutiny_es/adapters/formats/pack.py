"""The meeting pack's standing item, "Tracking and Monitoring of Scrutiny Recommendations", worded once.

Input is the pack in its JSON form (DESIGN 6.2) and the council's report furniture
(``formats.furniture``). ``standing_item`` words it the way Sandwell's report of 14 March 2024 does:
the heading with the Director and Contact Officer, the Recommendations (1.1 to 1.4), the Reasons,
the Context with what the board has before it (responses received, progress reported, where progress
is unsatisfactory, what returns to it at this meeting, the candidates for closure), the Implications
table, the Appendices and the Background Papers; then "Appendix 1" in the council's tracker columns.
Markdown (``formats.pack_markdown``), HTML (``formats.pack_html``) and Word (``formats.word``) lay out
the same ``StandingItem`` (``formats.pack_render`` picks one), so the three cannot say different things.
The seal's digest is for the clerk, not the councillors: it goes in the document's properties, and in
the text only as a clerk's note when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, timedelta
from typing import Any, Literal

from scrutiny_es.adapters.formats.furniture import Furniture
from scrutiny_es.adapters.formats.report import in_runs
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.domain.dates import long_date, municipal_year
from scrutiny_es.domain.exempt import marked, withheld_sentence
from scrutiny_es.projections.rows import TrackerRow

Pack = Mapping[str, Any]
"""A meeting pack in its JSON form: ``body``, ``body_name``, ``council``, ``meeting``, ``since``, ``published``,
``responses``, ``progress``, ``unsatisfactory``, ``returning``, ``for_closure``, ``tracker`` (tracker rows as
``tracker --format json`` gives them) and ``built_from`` (``position``, ``digest``)."""

PackFormat = Literal["md", "html", "docx"]

Mark = Literal["", "strong", "ref", "rag-green", "rag-amber", "rag-red"]

SUBJECT = "Tracking and Monitoring of Scrutiny Recommendations"
PART_B = "Part B: exempt information"

NO_ITEMS = "None."
"""What an appendix with no rows says, in place of a table of headings alone, as an empty part of the report does
(a Part A whose items are all exempt says so above, a Part B holds only exempt items)."""
APPENDIX_COLUMNS = ("Date", "Item", "Recommendation/ Action", "Responsible Person", "Notes", "Status")
"""The columns of the council's own tracker, as the agenda pack writes them, and where each item stands."""


@dataclass(frozen=True)
class Line:
    """A line of a cell, and how it stands out; ``whole``: a date or ref, never wrapped."""

    text: str
    mark: Mark = ""
    whole: bool = False


Cell = tuple[Line, ...]


@dataclass(frozen=True)
class Table:
    """A table of the report; its first ``merged`` columns are written once for a run of rows alike in them."""

    headings: tuple[str, ...]
    rows: list[list[Cell]]
    widths: tuple[int, ...]
    """Each column's share of the page width, in per cent, as the writer would have it (a layout that must
    keep words whole may widen a column)."""
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
class Para:
    """A numbered paragraph (``number`` may be empty)."""

    number: str
    text: str


@dataclass(frozen=True)
class Part:
    """What the board has before it under one head: a table, or ``None.``"""

    number: str
    heading: str
    lead: str
    table: Table | None


@dataclass(frozen=True)
class Pairs:
    """A table of headings and their text, without a header row: the Implications, the Corporate Plan."""

    rows: tuple[tuple[str, str], ...]


Block = Para | Part | Pairs


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    blocks: list[Block]


@dataclass(frozen=True)
class StandingItem:
    """The standing-item report of one meeting, worded and ready to lay out."""

    council: str
    body_name: str
    meeting: date
    period: str
    particulars: list[tuple[str, tuple[str, ...]]]
    """The heading's table: Subject, Directorate, Director, Contact Officer, each with its lines."""
    sections: list[Section]
    appendix_title: str
    appendix: Table | None
    """The tracker's rows (None: there are none, and the appendix says ``NO_ITEMS``)."""
    seal: str
    """What the pack was built from, for ``verify``: the document's properties, and a clerk's note if asked."""
    seal_note: bool = False
    part_b: bool = False
    """Part B of the agenda: the exempt items alone (Schedule 12A), not for publication."""

    @property
    def title(self) -> str:
        part = f"{PART_B} – " if self.part_b else ""
        return f"{part}{SUBJECT}: {self.body_name}, {full_date(self.meeting)}"

    @property
    def footer(self) -> str:
        return f"{self.body_name} – {full_date(self.meeting)}" + (f" – {PART_B}" if self.part_b else "")

    @property
    def parts(self) -> list[Part]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Part)]


_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def full_date(day: date) -> str:
    """A date as a report's heading writes it: 14 March 2024."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def _day(value: str | None) -> str:
    return long_date(date.fromisoformat(value)) if value else ""


def _when(value: str | None) -> Line:
    return Line(_day(value), whole=True)


def _words(value: str) -> str:
    return value.replace("_", " ")


_RAG: dict[str | None, Line] = {
    "green": Line("Green", "rag-green"),
    "amber": Line("Amber", "rag-amber"),
    "red": Line("Red", "rag-red"),
}


def _text(value: str | None, mark: Mark = "") -> Cell:
    """What was typed, made visible, a line per line typed."""
    return tuple(Line(line, mark, whole=mark == "ref") for line in visible(value or "").split("\n"))


def _by(name: str | None) -> Cell:
    return _text(f"by {name}") if name else ()


def standing_item(pack: Pack, furniture: Furniture | None = None, seal_note: bool = False) -> StandingItem:
    """The pack, worded: every value a clerk typed made visible, every date as a clerk reads it."""
    furniture = furniture or Furniture()
    tracker = [_tracker_row(row) for row in pack["tracker"]]
    by_ref = {row.ref: row for row in tracker}
    meeting = date.fromisoformat(pack["meeting"])
    eve = full_date(meeting - timedelta(days=1))
    since = pack.get("since")
    body_name = visible(pack["body_name"])
    period = (
        f"Responses and progress dated since the last meeting on {full_date(date.fromisoformat(since))}, up to "
        f"{eve}; municipal year {municipal_year(meeting)}."
        if since
        else f"Responses and progress dated up to {eve} (no earlier meeting is recorded); municipal year "
        f"{municipal_year(meeting)}."
    )
    position, digest = pack["built_from"]["position"], visible(str(pack["built_from"]["digest"]))
    sections = _sections(pack, furniture, by_ref, body_name, period)
    particulars: list[tuple[str, tuple[str, ...]]] = [("Subject", (SUBJECT,))]
    if furniture.directorate:
        particulars.append(("Directorate", (visible(furniture.directorate),)))
    for heading, officer in (("Director", furniture.director), ("Contact Officer", furniture.contact_officer)):
        if officer is not None:
            particulars.append((heading, tuple(visible(line) for line in officer.lines())))
    if pack.get("exempt"):
        paragraphs = sorted({row.exempt for row in tracker if row.exempt}, key=int)
        which = f"paragraph{'s' * (len(paragraphs) > 1)} {', '.join(paragraphs)} of " if paragraphs else ""
        particulars.insert(0, (PART_B, (f"Not for publication: {which}Part 1 of Schedule 12A to the Local "
                                        "Government Act 1972",)))  # fmt: skip
    return StandingItem(
        council=visible(furniture.council or pack.get("council") or ""),
        body_name=body_name,
        meeting=meeting,
        period=period,
        particulars=particulars,
        sections=sections,
        appendix_title=f"Appendix 1 – {body_name} Action Tracker" + (f" ({PART_B})" if pack.get("exempt") else ""),
        appendix=_appendix(tracker, pack.get("boards", {})),
        seal=(
            f"Built from the record up to position {position}, seal digest {digest}. "
            f"To check it: scrutiny-es verify --at {position} --digest {digest}"
        ),
        seal_note=seal_note,
        part_b=bool(pack.get("exempt")),
    )


def _sections(
    pack: Pack, furniture: Furniture, by_ref: Mapping[str, TrackerRow], body_name: str, period: str
) -> list[Section]:
    plan = furniture.corporate_plan
    context = 4 if plan else 3
    first = len(furniture.context) + 2  # the context's paragraphs, then the period, then the parts
    n = [f"{context}.{first + i}" for i in range(5)]
    asks = [
        f"That the Board notes the responses on recommendations referred since the Board's last meeting ({n[0]}).",
        f"That the Board notes the progress on implementation of the recommendations made ({n[1]}).",
        f"That the Board determines what action it wishes to take where progress is unsatisfactory ({n[2]}) and "
        f"on the items returning to it at this meeting ({n[3]}).",
        f"That the Board determines which actions/recommendations no longer require monitoring ({n[4]}).",
    ]
    sections = [
        Section(1, "Recommendations", [Para(f"1.{i}", ask) for i, ask in enumerate(asks, 1)]),
        Section(2, "Reasons for Recommendations",
                [Para(f"2.{i}", visible(text)) for i, text in enumerate(furniture.reasons, 1)]),
    ]  # fmt: skip
    if plan:
        objectives, text = plan
        sections.append(Section(3, "How does this deliver objectives of the Corporate Plan?",
                                [Pairs((("\n".join(visible(o) for o in objectives), visible(text)),))]))  # fmt: skip
    paragraphs: list[Block] = [Para(f"{context}.{i}", visible(text)) for i, text in enumerate(furniture.context, 1)]
    paragraphs.append(Para(f"{context}.{first - 1}", period))
    if pack.get("exempt"):
        paragraphs.append(Para("", "This part holds only the items exempt under Schedule 12A to the Local Government "
                                   "Act 1972; the others are in the public report."))  # fmt: skip
    elif pack.get("withheld"):
        where = "It is" if pack["withheld"] == 1 else "They are"
        paragraphs.append(Para("", f"{withheld_sentence(pack['withheld'])} {where} reported in Part B."))
    parts = [
        Part(n[0], "Responses received since the last meeting",
             "The responses to the Board's recommendations dated since its last meeting.",
             _responses(pack["responses"])),
        Part(n[1], "Progress reported",
             "Progress on implementation reported since the last meeting, in the words of those reporting it.",
             _progress(pack["progress"])),
        Part(n[2], "Where progress is unsatisfactory",
             "Open items with a red rating, or a response, target date or deferral past its date.",
             _unsatisfactory(pack["unsatisfactory"], by_ref)),
        Part(n[3], "Returning to the Board at this meeting",
             "Items deferred to this meeting, and items on which the Board asked for a report back or whose "
             "target date falls due by this meeting.",
             _returning(pack.get("returning", []), by_ref)),
        Part(n[4], "Candidates for closure",
             "Open items an officer has proposed for closure, or rated green; the Board decides which no longer "
             "require monitoring.",
             _for_closure(pack["for_closure"])),
    ]  # fmt: skip
    papers: list[Block] = [Para("", visible(p)) for p in furniture.background_papers] or [Para("", "None.")]
    return [
        *sections,
        Section(context, "Context and Key Issues", [*paragraphs, *parts]),
        Section(context + 1, "Implications",
                [Pairs(tuple((visible(h), visible(t)) for h, t in furniture.implications))]),
        Section(context + 2, "Appendices", [Para("", f"Appendix 1 – {body_name} Action Tracker")]),
        Section(context + 3, "Background Papers", papers),
    ]  # fmt: skip


def _tracker_row(row: Mapping[str, Any]) -> TrackerRow:
    """A tracker row of the pack, its ISO dates read as dates, so that the tracker's own wording applies."""
    fields = {name: row[name] for name in _ROW_FIELDS if name in row}
    for name in _ROW_DATES:
        if fields.get(name) and fields[name] != "future meeting":
            fields[name] = date.fromisoformat(fields[name])
    return TrackerRow(**fields)


_ROW_FIELDS = tuple(f.name for f in dataclass_fields(TrackerRow))
_ROW_DATES = tuple(f.name for f in dataclass_fields(TrackerRow) if "date" in str(f.type).split(" | "))


def _table(headings: tuple[str, ...], widths: tuple[int, ...], rows: list[list[Cell]]) -> Table | None:
    return Table(headings, rows, widths) if rows else None


def _responses(responses: Sequence[Mapping[str, Any]]) -> Table | None:
    def deadline(r: Mapping[str, Any]) -> Cell:
        if not r.get("due"):
            return (Line("None set"),)
        return (_when(r["due"]), Line("on time") if r.get("on_time") else Line("late", "strong"))

    return _table(
        ("Ref", "Item", "Addressee", "Response", "Responded", "Deadline"),
        (13, 15, 14, 30, 14, 14),
        [
            [_text(r["ref"], "ref"), _text(r["item"]), _text(r["addressee"]),
             (Line(_words(r["decision"]).capitalize(), "strong"), *_text(r["text"])),
             (_when(r["responded_on"]), *_by(r.get("responded_by"))), deadline(r)]
            for r in responses
        ],
    )  # fmt: skip


def _progress(progress: Sequence[Mapping[str, Any]]) -> Table | None:
    return _table(
        ("Ref", "Item", "Progress", "Reported", "RAG"),
        (14, 18, 42, 16, 10),
        [
            [_text(p["ref"], "ref"), _text(p["item"]), _text(p["note"]),
             (_when(p["reported_on"]), *_by(p.get("reported_by"))), (_RAG.get(p.get("rag"), Line("")),)]
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


def _people(ref: str, by_ref: Mapping[str, TrackerRow]) -> Cell:
    return tuple(Line(visible(name)) for name in (by_ref[ref].addressees if ref in by_ref else []))


def _unsatisfactory(items: Sequence[Mapping[str, Any]], by_ref: Mapping[str, TrackerRow]) -> Table | None:
    return _table(
        ("Ref", "Item", "Why", "Responsible Person"),
        (14, 31, 31, 24),
        [[_text(u["ref"], "ref"), _text(u["item"]),
          tuple(_why_unsatisfactory(reason, by_ref.get(u["ref"])) for reason in u["why"]), _people(u["ref"], by_ref)]
         for u in items],
    )  # fmt: skip


def _why_returning(entry: Mapping[str, Any]) -> Cell:
    if entry["why"] == "deferred":
        to = f"to {_day(entry['due'])}" if entry.get("due") else "to a future meeting"
        lines = [Line(f"Deferred on {_day(entry['decided_on'])} {to}" if entry.get("decided_on") else f"Deferred {to}")]
    else:
        lines = [Line(f"Report back asked for on {_day(entry['decided_on'])}")] if entry.get("decided_on") else []
        if entry.get("due"):
            lines.append(Line(f"Target date {_day(entry['due'])}"))
    return (*lines, *(_text(entry["words"]) if entry.get("words") else ()))


def _returning(items: Sequence[Mapping[str, Any]], by_ref: Mapping[str, TrackerRow]) -> Table | None:
    return _table(
        ("Ref", "Item", "Returning because", "Responsible Person"),
        (14, 31, 31, 24),
        [[_text(r["ref"], "ref"), _text(r["item"]), _why_returning(r), _people(r["ref"], by_ref)] for r in items],
    )


def _for_closure(items: Sequence[Mapping[str, Any]]) -> Table | None:
    def why(c: Mapping[str, Any]) -> Cell:
        lines = []
        if "proposed" in c["why"]:
            by = f" by {visible(c['proposed_by'])}" if c.get("proposed_by") else ""
            on = f" on {_day(c['proposed_on'])}" if c.get("proposed_on") else ""
            lines.append(Line(f"Proposed{by}{on}"))
        if "green" in c["why"]:
            lines.append(Line("RAG green" if lines else "RAG green: not yet proposed", "rag-green"))
        return tuple(lines)

    return _table(
        ("Ref", "Item", "Why", "Proposed outcome"),
        (14, 36, 30, 20),
        [[_text(c["ref"], "ref"), _text(c["item"]), why(c),
          (Line(_words(c["outcome"]).capitalize() if c.get("outcome") else ""),)] for c in items],
    )  # fmt: skip


def _notes(row: TrackerRow) -> Cell:
    """The Notes column: only what people wrote, the latest response or progress note and the closing note."""
    return tuple(Line(line) for text in (row.notes, row.closure_note) if text for line in visible(text).split("\n"))


def _status(row: TrackerRow, boards: Mapping[str, str]) -> Cell:
    """Where the item stands, a short plain line a fact: what is awaited or overdue and by when, the RAG; another
    board by its name (``boards``, by code), else its code."""
    lines: list[Line] = [Line(marked(row.exempt), "strong")] if row.exempt else []
    if row.transferred_to and row.transferred_on:
        to = visible(boards.get(row.transferred_to, row.transferred_to))
        return (*lines, Line(f"Transferred to {to} on {long_date(row.transferred_on)}"))
    if row.taken_over_from and row.transferred_on:
        came = visible(boards.get(row.taken_over_from, row.taken_over_from))
        lines.append(Line(f"Transferred from {came} on {long_date(row.transferred_on)}"))
    if row.status == "closed":
        return (*lines, Line(f"Closed: {_words(row.outcome)}" if row.outcome else "Closed"))
    if row.awaiting:
        who = "" if row.awaiting == row.addressees else " from " + ", ".join(visible(a) for a in row.awaiting)
        due = f", due {long_date(row.response_due)}" if row.response_due else ""
        overdue = "response" in row.overdue
        lines.append(Line(f"Response {'overdue' if overdue else 'awaited'}{who}{due}", "strong" if overdue else ""))
    if row.deferred_until:
        until = "a future meeting" if isinstance(row.deferred_until, str) else long_date(row.deferred_until)
        late = "deferral" in row.overdue
        lines.append(Line(f"Deferred to {until}" + (", not yet returned to" if late else ""), "strong" if late else ""))
    if row.escalated_on:
        lines.append(Line(f"Escalated {long_date(row.escalated_on)}"))
    if row.closure_proposed:
        lines.append(Line(f"Closure proposed: {_words(row.closure_proposed)}"))
    if row.target_date:
        revised = {0: "", 1: " (revised once)", 2: " (revised twice)"}.get(
            row.target_date_revisions, f" (revised {row.target_date_revisions} times)"
        )
        late = "target_date" in row.overdue
        lines.append(Line(f"Target date {long_date(row.target_date)}{', passed' if late else ''}{revised}",
                          "strong" if late else ""))  # fmt: skip
    if row.rag:
        lines.append(Line(f"RAG {row.rag}", _RAG[row.rag].mark))
    return tuple(lines)


def _appendix(tracker: Sequence[TrackerRow], boards: Mapping[str, str]) -> Table | None:
    if not tracker:
        return None
    ordered = sorted(tracker, key=lambda row: row.meeting_date)
    rows = [
        [(Line(long_date(row.meeting_date), whole=True),), _text(row.item),
         (Line(visible(row.ref), "ref", whole=True), *_text(row.text)),
         tuple(Line(visible(name)) for name in row.addressees), _notes(row), _status(row, boards)]
        for row in ordered
    ]  # fmt: skip
    order = in_runs([(row[0], row[1]) for row in rows])
    return Table(APPENDIX_COLUMNS, [rows[i] for i in order], (9, 14, 31, 12, 20, 14), merged=2)
