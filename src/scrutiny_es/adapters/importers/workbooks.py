"""A tracker kept in an Excel workbook: each sheet's rows as a clerk sees them.

Read with openpyxl's own parser, a row at a time, with the values Excel stored: a date as a date,
a whole number without ".0". A formula no program calculated and an error where a value should
be are kept aside as cells that cannot be read, never read as blank or as words.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.limits import MAX_COLUMNS, MAX_ROWS
from scrutiny_es.adapters.importers.source import SourceRow, SourceTable, Unreadable, damaged, rows_of

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet


def read_xlsx(path: Path, sheet: str | None) -> list[SourceTable]:
    # imported here, as python-docx below, so that commands other than import do not load them
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns of what it leaves out (data validation, styles): nothing a reader of cell values needs
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # a damaged workbook can make openpyxl raise almost anything: say so plainly
            raise CannotImport(damaged(escaped(path.name), "an Excel workbook", e)) from None
        return _read_sheets(workbook, path, sheet)


def _read_sheets(workbook: Workbook, path: Path, sheet: str | None) -> list[SourceTable]:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        sheets = [ws for ws in workbook.worksheets if isinstance(ws, ReadOnlyWorksheet)]
        if sheet is not None:
            chosen = [ws for ws in sheets if ws.title == sheet] or [
                ws for ws in sheets if ws.title.casefold() == sheet.strip().casefold()
            ]
            if not chosen:
                titles = ", ".join(f'"{escaped(ws.title)}"' for ws in sheets)
                msg = f'{escaped(path.name)} has no sheet "{escaped(sheet)}"; its sheets are {titles}'
                raise CannotImport(msg)
            sheets = chosen[:1]
        tables = []
        for ws in sheets:
            hidden: dict[str, set[int]] = {}
            rows = rows_of(_sheet_rows(ws, escaped(path.name), hidden))
            notes = _hidden(ws.title, ws.sheet_state != "visible", hidden, rows)
            tables.append(SourceTable(ws.title, "sheet", rows, notes))
        return tables
    except CannotImport:
        raise
    except Exception as e:  # as above: damage found while reading the sheets
        raise CannotImport(damaged(escaped(path.name), "an Excel workbook", e)) from None
    finally:
        workbook.close()


def _sheet_rows(
    ws: ReadOnlyWorksheet, name: str, hidden: dict[str, set[int]]
) -> Iterator[tuple[int, list[str | Unreadable]]]:
    """A sheet's rows as texts, a row at a time, each as wide as its last value; refused at the first row past
    ``MAX_ROWS`` or value past ``MAX_COLUMNS``. ``hidden`` is given the sheet's hidden rows and columns once read.

    Read with openpyxl's own parser of a read-only sheet, as ``iter_rows`` reads it, but without
    widening every row to the farthest cell of the sheet (one cell at column XFD would make each
    row 16,384 values) and without trusting the size the sheet declares.
    """
    from openpyxl.utils import get_column_letter

    book: Any = ws.parent  # openpyxl's read-only sheet reads with what the workbook found (not in its stubs)
    sheet: Any = ws
    with sheet._get_source() as source:
        parser = _formula_parser()(
            source,
            sheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            if number > MAX_ROWS:
                msg = f'{name}: sheet "{ws.title}" has rows past row {MAX_ROWS:,}; the import reads no further'
                raise CannotImport(msg)
            texts: list[str | Unreadable] = []
            for cell in cells:
                value = cell["value"]
                if (value is None or value == "") and "unreadable" not in cell:
                    continue
                column = cell["column"]
                if column > MAX_COLUMNS:
                    msg = (
                        f'{name}: sheet "{ws.title}" row {number} has a value in column {get_column_letter(column)} '
                        f"({column:,}); the import reads the first {MAX_COLUMNS} columns (A to "
                        f"{get_column_letter(MAX_COLUMNS)}) only: clear or move what lies beyond"
                    )
                    raise CannotImport(msg)
                if column > len(texts):
                    texts.extend([""] * (column - len(texts)))
                unreadable = cell.get("unreadable")
                texts[column - 1] = _excel_text(value) if unreadable is None else Unreadable(column - 1, *unreadable)
            yield number, texts
        hidden["rows"] = {int(r) for r, attrs in parser.row_dimensions.items() if _on(attrs.get("hidden"))}
        hidden["columns"] = {
            column
            for attrs in parser.column_dimensions.values()
            if _on(attrs.get("hidden"))
            for column in range(int(attrs.get("min", 0)), min(int(attrs.get("max", 0)), MAX_COLUMNS) + 1)
        }


def _on(flag: str | None) -> bool:
    return flag in ("1", "true")


def _hidden(title: str, sheet: bool, hidden: dict[str, set[int]], rows: tuple[SourceRow, ...]) -> tuple[str, ...]:
    """Warnings of a hidden sheet, and of hidden rows and columns that hold text: read as any other, but a clerk who
    hid them (or filtered them out) may not expect them to be."""
    from openpyxl.utils import get_column_letter

    notes = [f'sheet "{title}" is hidden in Excel; it is read as any other (--sheet NAME reads one sheet only)'] * sheet
    numbers = [row.number for row in rows if row.number in hidden.get("rows", ())]
    if numbers:
        first = [str(n) for n in numbers[:10]] + ([f"{len(numbers) - 10:,} more"] if len(numbers) > 10 else [])
        shown = " and ".join([", ".join(first[:-1]), first[-1]] if len(first) > 1 else first)
        many = len(numbers) > 1
        notes.append(f'sheet "{title}": {"rows" if many else "row"} {shown} {"are" if many else "is"} hidden in Excel '
                     f"(or filtered out), and read as any other: delete {'them' if many else 'it'} to leave "
                     f"{'them' if many else 'it'} out")  # fmt: skip
    columns = [c for c in sorted(hidden.get("columns", ())) if any(c <= len(row.cells) and row.cells[c - 1]
                                                                    for row in rows)]  # fmt: skip
    if columns:
        letters = ", ".join(get_column_letter(c) for c in columns)
        many = len(columns) > 1
        notes.append(f'sheet "{title}": {"columns" if many else "column"} {letters} {"are" if many else "is"} hidden '
                     "in Excel, and read as any other column")  # fmt: skip
    return tuple(notes)


_UNCALCULATED = (
    "is a formula whose value the file does not hold: it was saved by a program that does not calculate "
    "formulas; open it in Excel or LibreOffice and save it again"
)
_ERROR = "is an error Excel shows where a value should be: put its formula right, or type the value"


def _formula_parser() -> Any:
    """openpyxl's parser of a sheet, but a formula with no value stored (no program calculated it), or an error
    where a value should be ("#REF!"), is said rather than read as a blank cell or as words. A blank a formula gives
    is stored as an empty text (``t="str"``); an empty value of any other kind, as openpyxl writes every formula, is
    no value at all."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            stored = element.findtext(VALUE_TAG)
            if formula is not None and not stored and (stored is None or element.get("t") != "str"):
                shown = f"={formula.text}" if formula.text else ""  # a formula shared: its text is another cell's
                cell["unreadable"] = (shown, _UNCALCULATED)
            elif cell["data_type"] == "e":
                cell["unreadable"] = (str(cell["value"] or stored or ""), _ERROR)
            return cell

    return Parser


def _excel_text(value: Any) -> str:
    """A cell's value as text: a date as YYYY-MM-DD (and its time, if it has one), a whole number without ".0", a
    truth value as Excel shows it (TRUE)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
