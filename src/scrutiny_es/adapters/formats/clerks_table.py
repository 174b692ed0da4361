"""The tracker as the clerk's own table, in Excel or Word, to edit for the next meeting and import back.

The columns are the council's (Date, Item, Recommendation/Action, Responsible Person, Notes) with the
Ref kept, so that ``scrutiny-es import`` matches each row back to its item and records only what the
clerk changed (DESIGN 6.3). Every cell is written as the import reads it: an unchanged cell reads back
as what the record holds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

from scrutiny_es.domain.exempt import marked, withheld_sentence
from scrutiny_es.projections.rows import TrackerRow

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


def render_clerks_table(rows: Sequence[TrackerRow], fmt: EditingFormat, title: str, withheld: int = 0) -> bytes:
    """The rows (in ref order, as given) as an Excel workbook or a Word document with one table.

    Exempt rows (asked for) have a last column, Exempt, with their paragraph of Schedule 12A (the import
    leaves a column it does not know alone); ``withheld`` exempt items left out are said in a sentence: below
    the Word table, on a sheet of its own in the workbook.
    """
    columns = (*COLUMNS, EXEMPT) if any(row.exempt for row in rows) else COLUMNS
    said = withheld_sentence(withheld)
    return _xlsx(rows, title, columns, said) if fmt == "xlsx" else _docx(rows, title, columns, said)


EXEMPT = "Exempt"
"""The heading of the column giving an exempt row's paragraph of Schedule 12A."""


def _cells(row: TrackerRow, columns: Sequence[str]) -> list[str]:
    return cells(row) + ([marked(row.exempt) if row.exempt else ""] if len(columns) > len(COLUMNS) else [])


def _xlsx(rows: Sequence[TrackerRow], title: str, columns: Sequence[str], said: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet("Tracker")
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values: list[object] = list(_cells(row, columns))
        values[1] = row.meeting_date
        values[8] = row.target_date or ""
        sheet.append(values)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
        line[1].number_format = line[8].number_format = "yyyy-mm-dd"
    widths = (14, 12, 30, 60, 28, 16, 50, 20, 12, 36)
    for letter, width in zip("ABCDEFGHIJ", widths, strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    if said:
        book.create_sheet("Withheld").append([said])
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx(rows: Sequence[TrackerRow], title: str, columns: Sequence[str], said: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(title, level=1)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, columns, strict=True):
        cell.text = header
    for row in rows:
        line = table.add_row().cells
        for cell, text in zip(line, _cells(row, columns), strict=True):
            cell.text = text
    if said:
        document.add_paragraph(said)
    document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
