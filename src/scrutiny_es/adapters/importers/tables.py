"""Tables out of the files councils keep their trackers in: CSV text, Excel workbooks, Word documents.

Each reader gives every table of the file as rows of stripped cell texts, each row with the
number a clerk would see: the line of a CSV file, the row of a sheet, the row of a Word table
counting its first row as 1. What the columns mean is not decided here (see ``columns``).
Merged cells read as openpyxl gives them (the value in the top-left cell, the others
blank); in Word, a cell that continues a vertical merge reads blank too, so the blank
continues the row above just as a merged spreadsheet cell does. A file that is not what its
name says, is encrypted, damaged or empty raises :class:`CannotImport`, never a library's
traceback.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from scrutiny_es.adapters.importers.csvtext import other_kind, read_csv
from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.limits import MAX_COLUMNS, MAX_ROWS, check_parts, check_zip
from scrutiny_es.adapters.importers.numbering import Label, ListNumbers, W

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

TableKind = Literal["csv", "sheet", "table"]
"""Where a table comes from: a CSV file (its only table), a sheet of a workbook, or a table of a Word document."""

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of an Office file that is encrypted, or in the old .xls/.doc format."""
_LINE_BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})


@dataclass(frozen=True)
class Unreadable:
    """A cell whose value the file does not hold as the clerk sees it (a formula no program calculated, a list
    number Word makes in a way not read here): its place in the row, what it holds, and the rule it breaks."""

    index: int
    value: str
    rule: str


@dataclass(frozen=True)
class SourceRow:
    """One row of a table: the number a clerk would see, and its cells' texts, stripped."""

    number: int
    cells: tuple[str, ...]
    unreadable: tuple[Unreadable, ...] = ()
    """Cells that read blank here but are not blank to the clerk: a row with one records nothing."""


@dataclass(frozen=True)
class SourceTable:
    """A table of a file: a CSV file's only table, a sheet, or a Word table ("table 2")."""

    name: str
    kind: TableKind
    rows: tuple[SourceRow, ...]
    """Rows with any text; blank rows are left out, their numbers with them."""

    @property
    def label(self) -> str:
        """How a message names the table: 'sheet "Tracker"', 'table 2', or nothing for a CSV file."""
        if self.kind == "sheet":
            return f'sheet "{self.name}"'
        return "" if self.kind == "csv" else self.name

    @property
    def unit(self) -> str:
        """What a row is called: a "line" of a CSV file, else a "row"."""
        return "line" if self.kind == "csv" else "row"


def read_tables(path: Path, sheet: str | None = None) -> list[SourceTable]:
    """Every table of a ``.csv``, ``.xlsx`` or ``.docx`` file; ``sheet`` picks one sheet of a workbook."""
    suffix, name = path.suffix.lower(), escaped(path.name)
    if suffix not in (".csv", ".xlsx", ".docx"):
        hint = {".xls": " (save it as .xlsx)", ".doc": " (save it as .docx)", ".xlsm": " (save it as .xlsx)"}
        what = escaped(suffix) or "a file with no extension"
        msg = f"{name}: the import reads .csv, .xlsx and .docx files, not {what}"
        raise CannotImport(msg + hint.get(suffix, ""))
    if sheet is not None and suffix != ".xlsx":
        msg = f"{name}: --sheet picks a sheet of an .xlsx workbook; this is a {escaped(suffix)} file"
        raise CannotImport(msg)
    try:
        with path.open("rb") as file:
            head = file.read(64)
        if suffix == ".csv":
            rows = _rows(read_csv(path, path.stat().st_size))
    except OSError as e:
        msg = f"{name}: {e.strerror or e}"
        raise CannotImport(msg) from None
    if not head or (suffix == ".csv" and not rows):
        msg = f"{name} is empty"
        raise CannotImport(msg)
    if suffix == ".csv":
        return [SourceTable(path.name, "csv", rows)]  # the name is not shown: a CSV file's only table has no label
    _check_office_file(path, head, suffix)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    return _read_docx(path)


def _check_office_file(path: Path, head: bytes, suffix: str) -> None:
    """An .xlsx or .docx file is a zip holding a workbook or a document; say plainly what else it is."""
    name = escaped(path.name)
    if head.startswith(_OLE):
        msg = (
            f"{name} is password-protected (encrypted), or an old-format Office file renamed {suffix}: "
            f"open it and save it as {suffix} without a password"
        )
        raise CannotImport(msg)
    if not head.startswith(_ZIP):
        other = other_kind(head)
        msg = f"{name} is not a {suffix} file" + (f": it is {other[0]}; {other[1]}" if other else "")
        raise CannotImport(msg + ("" if other else " (its content is not an Office document)"))
    what = "workbooks" if suffix == ".xlsx" else "Word documents"
    try:
        with zipfile.ZipFile(path) as archive:
            parts = set(archive.namelist())
            check_zip(name, archive, what)
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in parts else ""
            check_parts(name, archive)
    except CannotImport:
        raise
    except Exception:  # zipfile raises BadZipFile, but also NotImplementedError, EOFError... on damaged bytes
        msg = f"{name} is damaged: it is not a complete {suffix} file"
        raise CannotImport(msg) from None
    if mimetype.startswith("application/vnd.oasis.opendocument."):  # LibreOffice's own, renamed
        kind = mimetype.rpartition(".")[2]
        office = "an Excel workbook" if suffix == ".xlsx" else "a Word document"
        msg = f"{name} is an OpenDocument {kind} (as LibreOffice saves by default), not {office}: "
        raise CannotImport(msg + f"open it and save it as {suffix} (File, Save As)")
    if suffix == ".xlsx" and "word/document.xml" in parts:
        msg = f"{name} is a Word document, not an Excel workbook: give it a .docx name"
        raise CannotImport(msg)
    if suffix == ".docx" and "xl/workbook.xml" in parts:
        msg = f"{name} is an Excel workbook, not a Word document: give it an .xlsx name"
        raise CannotImport(msg)


def _cell_text(text: str) -> str:
    if text.isprintable():  # as most cells are: no line break of any kind to make a new line of
        return text.strip()
    return text.replace("\r\n", "\n").translate(_LINE_BREAKS).strip()


def _rows(numbered: Iterable[tuple[int, Sequence[str | Unreadable]]]) -> tuple[SourceRow, ...]:
    rows = []
    for number, cells in numbered:
        texts = tuple("" if isinstance(cell, Unreadable) else _cell_text(cell) for cell in cells)
        unreadable = tuple(cell for cell in cells if isinstance(cell, Unreadable))
        if any(texts) or unreadable:
            rows.append(SourceRow(number, texts, unreadable))
    return tuple(rows)


# Excel


def _read_xlsx(path: Path, sheet: str | None) -> list[SourceTable]:
    # imported here, as python-docx below, so that commands other than import do not load them
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns of what it leaves out (data validation, styles): nothing a reader of cell values needs
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # a damaged workbook can make openpyxl raise almost anything: say so plainly
            raise CannotImport(_damaged(escaped(path.name), "an Excel workbook", e)) from None
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
            tables.append(SourceTable(ws.title, "sheet", _rows(_sheet_rows(ws, escaped(path.name)))))
        return tables
    except CannotImport:
        raise
    except Exception as e:  # as above: damage found while reading the sheets
        raise CannotImport(_damaged(escaped(path.name), "an Excel workbook", e)) from None
    finally:
        workbook.close()


def _sheet_rows(ws: ReadOnlyWorksheet, name: str) -> Iterator[tuple[int, list[str | Unreadable]]]:
    """A sheet's rows as texts, a row at a time, each as wide as its last value; refused at the first row past
    ``MAX_ROWS`` or value past ``MAX_COLUMNS``.

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
    """A cell's value as text: a date as YYYY-MM-DD (and its time, if it has one), a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# Word


def _read_docx(path: Path) -> list[SourceTable]:
    import docx

    try:
        document = docx.Document(str(path))
        labels = _list_labels(document)
        return [
            SourceTable(
                f"table {number}", "table", _rows(_word_rows(tbl, f"{escaped(path.name)}: table {number}", labels))
            )
            for number, tbl in enumerate(document.element.body.xpath(_TABLES), start=1)
        ]
    except CannotImport:
        raise
    except Exception as e:  # a damaged document can make python-docx or lxml raise almost anything
        raise CannotImport(_damaged(escaped(path.name), "a Word document", e)) from None


def _list_labels(document: Any) -> dict[Any, Label]:
    """What Word shows before each paragraph of a list, counted through the whole document in its order."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part  # its parts looked up, not asked for: python-docx adds an empty one it does not find
    numbers = ListNumbers(_related(part, RT.NUMBERING), _related(part, RT.STYLES))
    if not numbers.any:
        return {}
    labels = {}
    for paragraph in document.element.body.xpath(".//w:p[not(ancestor::w:txbxContent)]"):
        label = numbers.label(paragraph)
        if label is not None:
            labels[paragraph] = label
    return labels


def _related(part: Any, kind: str) -> Any:
    for rel in part.rels.values():
        if rel.reltype == kind and not rel.is_external:
            return getattr(rel.target_part, "element", None)
    return None


_TABLES = ".//w:tbl[not(ancestor::w:tbl or ancestor::w:txbxContent)]"
"""Every table of the body, in a content control or not; not one inside another's cell (that is the cell's text),
nor in a text box."""
_WRAPPERS = {f"{W}sdt": f"{W}sdtContent", f"{W}customXml": None}
"""What may wrap a table's rows, a row's cells or a cell's paragraphs: a content control (a repeating section, a
plain text control over a cell), custom XML."""


def _within(element: Any, tag: str) -> Iterator[Any]:
    """The children of ``element`` with ``tag``, those inside content controls and custom XML too, in order."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            content = child if _WRAPPERS[child.tag] is None else child.find(_WRAPPERS[child.tag])
            if content is not None:
                yield from _within(content, tag)


def _word_rows(tbl: Any, where: str, labels: dict[Any, Label]) -> Iterator[tuple[int, list[str | Unreadable]]]:
    """Rows of a Word table, one text per grid column: a cell spanning columns gives its text to the first."""
    rows = list(_within(tbl, f"{W}tr"))
    if len(rows) > MAX_ROWS:
        msg = f"{where} has {len(rows):,} rows; the import reads tables of at most {MAX_ROWS:,}"
        raise CannotImport(msg)
    for number, tr in enumerate(rows, start=1):
        tcs = list(_within(tr, f"{W}tc"))
        width = tr.grid_before + sum(tc.grid_span for tc in tcs)
        if width > MAX_COLUMNS:
            msg = f"{where} row {number} spans {width:,} columns; the import reads tables of at most {MAX_COLUMNS}"
            raise CannotImport(msg)
        cells: list[str | Unreadable] = [""] * tr.grid_before
        for tc in tcs:
            cells.append("" if tc.vMerge == "continue" else _word_cell(tc, len(cells), labels))
            cells.extend([""] * (tc.grid_span - 1))
        yield number, cells


def _cell_paragraphs(element: Any) -> Iterator[Any]:
    """A cell's paragraphs as the page shows them, in order: those of a table inside it too, a line a cell."""
    for child in element:
        if child.tag == f"{W}p":
            yield child
        elif child.tag == f"{W}tbl":
            for tr in _within(child, f"{W}tr"):
                for tc in _within(tr, f"{W}tc"):
                    yield from _cell_paragraphs(tc)
        elif child.tag in _WRAPPERS:
            content = child if _WRAPPERS[child.tag] is None else child.find(_WRAPPERS[child.tag])
            if content is not None:
                yield from _cell_paragraphs(content)


_RUN_PARTS = (
    ".//w:r[not(ancestor::w:txbxContent or ancestor::w:del or ancestor::w:moveFrom)]"
    "/*[self::w:t or self::w:tab or self::w:cr or self::w:br or self::w:noBreakHyphen]"
)
"""The text of a paragraph as it reads on the page: insertions of tracked changes in, deletions and text boxes out;
a break of any kind parts lines, and Word's non-breaking hyphen ("2023-24", "re-opening") is a hyphen."""


_MARKS = {"tab": "\t", "noBreakHyphen": "-"}


def _word_cell(tc: Any, index: int, labels: dict[Any, Label]) -> str | Unreadable:
    """A cell's text as the page shows it: a list's number before its paragraph ("1."), a bullet left out."""
    lines, unread = [], ""
    for p in _cell_paragraphs(tc):
        text, label = _word_paragraph_text(p), labels.get(p)
        if label is not None and label.kind == "number":
            text = f"{label.text} {text}" if text.strip() else label.text
        elif label is not None and label.kind == "unread":
            unread = unread or label.way
        lines.append(text)
    if unread:
        rule = (f'is a list number Word makes (written as "{unread}"), which the import does not read: '
                "type the number as text")  # fmt: skip
        return Unreadable(index, _cell_text("\n".join(lines)), rule)
    return "\n".join(lines)


def _word_paragraph_text(p: Any) -> str:
    parts = []
    for part in p.xpath(_RUN_PARTS):
        tag = part.tag.rpartition("}")[2]
        parts.append((part.text or "") if tag == "t" else _MARKS.get(tag, "\n"))
    return "".join(parts)


def _damaged(name: str, what: str, error: Exception) -> str:
    if isinstance(error, zipfile.BadZipFile):
        return f"{name} cannot be read as {what}: the file is damaged (not a complete zip archive)"
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
    return f"{name} cannot be read as {what}: the file is damaged or is not one ({detail})"
