"""Real tracker files, written as councils' clerks write them: Word tables, workbooks and CSV text.

Nothing binary is committed: each test writes its file with python-docx, openpyxl or csv.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl

MERGED = object()
"""In a Word table's rows: this cell continues the vertical merge of the cell above."""

CLERK = {"id": "u1", "name": "Jo Clerk", "role": "scrutiny officer"}

Cell = str | list[str] | object


def word_document(path: Path, *tables: Sequence[Sequence[Cell]], before: str = "Appendix 1") -> Path:
    """A Word document with these tables; a cell given as a list is one paragraph an item, MERGED continues above."""
    document = docx.Document()
    document.add_paragraph(before)
    for rows in tables:
        width = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for c in range(width):
            r = 0
            while r < len(rows):
                end = r
                while end + 1 < len(rows) and c < len(rows[end + 1]) and rows[end + 1][c] is MERGED:
                    end += 1
                if end > r:
                    table.cell(r, c).merge(table.cell(end, c))
                r = end + 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is MERGED:
                    continue
                paragraphs = value if isinstance(value, list) else [value]
                cell = table.cell(r, c)
                cell.text = str(paragraphs[0])
                for paragraph in paragraphs[1:]:
                    cell.add_paragraph(str(paragraph))
        document.add_paragraph("")
    document.save(str(path))
    return path


def workbook(
    path: Path, sheets: dict[str, Sequence[Sequence[Any]]], merged: dict[str, list[str]] | None = None
) -> Path:
    """A workbook with these sheets of values (dates and numbers as Excel keeps them); ``merged`` ranges per sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        for cells in (merged or {}).get(title, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def csv_file(path: Path, rows: Sequence[Sequence[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV file as Excel saves one: ``utf-8-sig`` for "CSV UTF-8", ``cp1252`` for plain "CSV" on Windows."""
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def day(text: str) -> date:
    return date.fromisoformat(text)
