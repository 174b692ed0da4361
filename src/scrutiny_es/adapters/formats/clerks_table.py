"""The tracker as the clerk's own table, in Excel or Word, to edit for the next meeting and import back.

The columns are the council's (Date, Item, Recommendation/Action, Responsible Person, Notes) with the
Ref kept, so that ``scrutiny-es import`` matches each row back to its item and records only what the
clerk changed (DESIGN 6.3). Every cell is written as the import reads it: an unchanged cell reads back
as what the record holds. Where the body took items over from others, an Origin column beside the Ref
names the body that made each (blank: the body's own), as a successor committee's tracker does: a ref
alone may then name two items.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from scrutiny_es.adapters.formats.measure import text_width, widest_word
from scrutiny_es.domain.exempt import marked, withheld_sentence
from scrutiny_es.projections.rows import TrackerRow
from scrutiny_es.projections.views import ItemView

EDITING_FORMATS = ("xlsx", "docx")
EditingFormat = Literal["xlsx", "docx"]

COLUMNS = (
    "Ref",
    "Date",
    "Item",
    "Recommendation/Action",
    "Responsible Person",
    "Response",
    "Notes",
    "Status",
    "Target date",
)

STATUS_WORDS = {
    "made": "Made",
    "awaiting_response": "Awaiting response",
    "responded": "Responded",
    "closed": "Closed",
}
"""The status as the clerk's table says it (none of them a word the import reads as a change)."""

RESPONSE_WORDS = {
    "accepted": "Accepted",
    "partially_accepted": "Partially accepted",
    "rejected": "Rejected",
    "noted": "Noted",
    "mixed": "Mixed",
}


def status_word(row: TrackerRow) -> str:
    """The Status cell of a row: its status, and for a closed item its outcome."""
    word = STATUS_WORDS[row.status]
    if row.status == "closed" and row.outcome:
        return f"{word}: {row.outcome.replace('_', ' ')}"
    return word


def response_word(row: TrackerRow) -> str:
    return RESPONSE_WORDS.get(row.response, "") if row.response else ""


def names_cell(row: TrackerRow) -> str:
    """The addressees, one a line (the one separator that can never be doubted)."""
    return "\n".join(row.addressees)


def cells(row: TrackerRow) -> list[str]:
    """A row's cells as text, in the order of ``COLUMNS``."""
    return [
        row.ref,
        row.meeting_date.isoformat(),
        row.item,
        row.text,
        names_cell(row),
        response_word(row),
        row.notes or "",
        status_word(row),
        row.target_date.isoformat() if row.target_date else "",
    ]


ORIGIN = "Origin"
"""The heading of the column naming the body that made an item taken over (the import reads it back)."""

EXEMPT = "Exempt"
"""The heading of the column giving an exempt row's paragraph of Schedule 12A."""


def origins(rows: Sequence[TrackerRow], held: Iterable[ItemView], body: str) -> list[str]:
    """Each row's Origin cell: the code of the body that made its item where that is not ``body`` (blank: its own).

    A tracker row says which body the item came from (``taken_over_from``), which for an item moved twice is not
    the one that made it; ``held``, the items ``body`` holds, say who made each. An item they do not settle (two
    alike, or one no longer held) is named by the body it came from."""
    makers: dict[tuple[str, str | None], list[ItemView]] = {}
    for view in held:
        makers.setdefault((view.ref, view.transfers[-1][1] if view.transfers else None), []).append(view)
    cells = []
    for row in rows:
        if row.taken_over_from is None:
            cells.append("")
            continue
        found = makers.get((row.ref, row.taken_over_from), [])
        if len(found) > 1:
            found = [v for v in found if (v.meeting_date, v.item, v.text) == (row.meeting_date, row.item, row.text)]
        made_by = found[0].made_by if len(found) == 1 and found[0].made_by else row.taken_over_from
        cells.append("" if made_by == body else made_by)
    return cells


def render_clerks_table(
    rows: Sequence[TrackerRow], fmt: EditingFormat, title: str, withheld: int = 0, origins: Sequence[str] = ()
) -> bytes:
    """The rows (in ref order, as given) as an Excel workbook or a Word document with one table.

    ``origins``, one a row where given, fills an Origin column after the Ref, there only where some row has one.
    Exempt rows (asked for) have a last column, Exempt, with their paragraph of Schedule 12A (the import
    leaves a column it does not know alone); ``withheld`` exempt items left out are said in a sentence: below
    the Word table, on a sheet of its own in the workbook.
    """
    made_by = list(origins) or [""] * len(rows)
    if len(made_by) != len(rows):
        raise ValueError(f"{len(made_by)} origins for {len(rows)} rows")
    columns = list(COLUMNS)
    if any(made_by):
        columns.insert(1, ORIGIN)
    if any(row.exempt for row in rows):
        columns.append(EXEMPT)
    lines = [_line(row, origin, columns) for row, origin in zip(rows, made_by, strict=True)]
    said = withheld_sentence(withheld)
    return _xlsx(lines, title, columns, said) if fmt == "xlsx" else _docx(lines, title, columns, said)


Cell = str | date
"""A cell's value: text, or (in the workbook) a date, so that Excel shows and sorts it as one."""


def _line(row: TrackerRow, origin: str, columns: Sequence[str]) -> list[Cell]:
    """A row's cells in the order of ``columns``: the dates as dates."""
    by_heading: dict[str, Cell] = dict(zip(COLUMNS, cells(row), strict=True))
    by_heading["Date"] = row.meeting_date
    by_heading["Target date"] = row.target_date or ""
    by_heading[ORIGIN] = origin
    by_heading[EXEMPT] = marked(row.exempt) if row.exempt else ""
    return [by_heading[heading] for heading in columns]


_WIDTHS = {"Ref": 14, ORIGIN: 10, "Date": 12, "Item": 30, "Recommendation/Action": 60, "Responsible Person": 28,
           "Response": 16, "Notes": 50, "Status": 20, "Target date": 12, EXEMPT: 36}  # fmt: skip
_DATES = ("Date", "Target date")


def _xlsx(lines: Sequence[list[Cell]], title: str, columns: Sequence[str], said: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet("Tracker")
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(list(line))
    wrap = Alignment(wrap_text=True, vertical="top")
    dated = [columns.index(heading) for heading in _DATES]
    for cells_ in sheet.iter_rows(min_row=2):
        for cell in cells_:
            cell.alignment = wrap
            if cell.data_type == "f":  # words a clerk typed that begin with "=": shown as typed, never worked out
                cell.data_type = "s"
        for at in dated:
            cells_[at].number_format = "yyyy-mm-dd"
    for at, heading in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(at)].width = _WIDTHS[heading]
    sheet.freeze_panes = "A2"
    if said:
        book.create_sheet("Withheld").append([said])
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_DOCX_SIZE = 9.0
"""The Word table's type size: nine columns across a landscape page."""

_DOCX_PADDING = 11.52 + 3
"""A cell's left and right margins in points (Word's default 0.08 inch each), and a little to spare."""


def _docx(lines: Sequence[list[Cell]], title: str, columns: Sequence[str], said: str) -> bytes:
    """The table on A4 landscape pages, its columns in the workbook's shares of the page but each at least as
    wide as its longest word (a date: whole) in Arial, so that no word is broken; the heading row repeated."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Emu, Mm, Pt

    from scrutiny_es.adapters.formats.word import fit_widths

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(_DOCX_SIZE)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(12.7)
    document.add_heading(title, level=1)
    texts = [[value.isoformat() if isinstance(value, date) else value for value in line] for line in lines]
    least = [widest_word(heading, _DOCX_SIZE, bold=True) + _DOCX_PADDING for heading in columns]
    for line in texts:
        for j, (heading, text) in enumerate(zip(columns, line, strict=True)):
            wide = text_width(text, _DOCX_SIZE) if heading in _DATES else widest_word(text, _DOCX_SIZE)
            least[j] = max(least[j], wide + _DOCX_PADDING)
    room = (Mm(297) - 2 * Mm(12.7)) / Pt(1)
    widths = [Emu(int(Pt(w))) for w in fit_widths([_WIDTHS[h] for h in columns], least, room)]
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, header, width in zip(table.rows[0].cells, columns, widths, strict=True):
        cell.text, cell.width = header, width
        for run in cell.paragraphs[0].runs:
            run.bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for line in texts:
        row = table.add_row().cells
        for cell, value, width in zip(row, line, widths, strict=True):
            cell.text, cell.width = value, width
    if said:
        document.add_paragraph(said)
    document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
