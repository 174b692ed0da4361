"""How much the import reads: limits that keep a small file from costing minutes and gigabytes.

A zipped workbook or document can expand a thousandfold, and one cell at column XFD makes
every row sixteen thousand cells wide. So the zip's declared sizes are checked before any
part of it is read (the zip reader never gives more than a part declares), the parts that a
reader would hold whole are counted as they stream past, and a sheet is read a row at a time
and refused at the first row or column past its limit. docs/operations.md lists each limit.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable

from scrutiny_es.adapters.importers.errors import CannotImport

MAX_EXPANDED = 50_000_000
"""Bytes a workbook or Word document may hold once unzipped (every part together): 50 MB."""
MAX_CSV_BYTES = 50_000_000
"""Bytes of a CSV file: 50 MB."""
MAX_ROWS = 100_000
"""Rows of a table (a sheet's row numbers, a CSV file's records, a Word table's rows)."""
MAX_COLUMNS = 200
"""Columns a table may use: a sheet's value in column GS (201) or a CSV record of 201 cells is refused."""
MAX_CELLS = 1_000_000
"""Cells of one sheet as stored (empty or not), cells of a CSV file, and texts in a workbook's shared strings."""
MAX_ELEMENTS = 2_000_000
"""XML elements of a Word document's text (each paragraph, run and cell counts): python-docx holds them all."""
MAX_SHOWN = 100
"""Problems shown for one file or one line; the rest are counted ("and 89,990 more")."""

_CHUNK = 1 << 20


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def check_zip(name: str, archive: zipfile.ZipFile, what: str) -> None:
    """Refuses a workbook or document whose parts, unzipped, would exceed ``MAX_EXPANDED``; nothing is unzipped."""
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_EXPANDED:
        msg = (
            f"{name} holds {megabytes(total)} once unzipped; the import reads {what} of at most "
            f"{megabytes(MAX_EXPANDED)} unzipped (split it, or save a copy without pictures and unused sheets)"
        )
        raise CannotImport(msg)


_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")
_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(c|row)[\s/>]")
_EXCEL_COLUMNS = 16_384
"""Cells a row of a sheet Excel wrote can hold (A to XFD)."""
_OPENING = re.compile(rb"<(?![/?!])")


def check_parts(name: str, archive: zipfile.ZipFile) -> None:
    """Counts, as they stream past, what the workbook's shared strings or the document's body would hold."""
    parts = set(archive.namelist())
    if "xl/sharedStrings.xml" in parts:
        count = _count(archive, "xl/sharedStrings.xml", _SHARED_STRING, MAX_CELLS)
        if count > MAX_CELLS:
            msg = f"{name} holds more than {MAX_CELLS:,} texts; the import reads workbooks of at most that many"
            raise CannotImport(msg)
    for part in sorted(p for p in parts if p.startswith("xl/worksheets/") and p.endswith(".xml")):
        _check_sheet(name, archive, part)
    if "word/document.xml" in parts:
        count = _count(archive, "word/document.xml", _OPENING, MAX_ELEMENTS)
        if count > MAX_ELEMENTS:
            msg = (
                f"{name} holds more than {MAX_ELEMENTS:,} paragraphs, runs and cells; the import reads Word documents "
                "of at most that many"
            )
            raise CannotImport(msg)


def _count(archive: zipfile.ZipFile, part: str, pattern: re.Pattern[bytes], limit: int) -> int:
    """How often ``pattern`` occurs in a part, read a megabyte at a time, stopping once past ``limit``.

    Each chunk's last bytes are read again with the next, so a match the cut falls in is counted once.
    """
    count = 0
    tail = b""
    with archive.open(part) as stream:
        while count <= limit and (chunk := stream.read(_CHUNK)):
            data = tail + chunk
            cut = max(0, len(data) - 16)
            count += len(pattern.findall(data)) - len(pattern.findall(data, cut))
            tail = data[cut:]
    return count + len(pattern.findall(tail))


def _check_sheet(name: str, archive: zipfile.ZipFile, part: str) -> None:
    """Counts a sheet's cells, and the cells of its widest row, as they stream past: openpyxl holds a row whole."""
    sheet = part.removeprefix("xl/worksheets/").removesuffix(".xml").replace("sheet", "sheet ")
    cells = in_row = 0
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = tail + chunk
            cut = max(0, len(data) - 16) if chunk else len(data)  # a tag the cut falls in is read with the next
            for found in _CELL_OR_ROW.finditer(data):
                if found.start() >= cut:
                    break
                if found[1] == b"row":
                    in_row = 0
                    continue
                cells += 1
                in_row += 1
                if in_row > _EXCEL_COLUMNS:
                    msg = f"{name}: {sheet} has a row of more than {_EXCEL_COLUMNS:,} cells, which Excel never writes"
                    raise CannotImport(msg)
                if cells > MAX_CELLS:
                    msg = f"{name}: {sheet} holds more than {MAX_CELLS:,} cells; the import reads sheets of at most"
                    raise CannotImport(f"{msg} that many")
            if not chunk:
                return
            tail = data[cut:]


def capped(problems: Iterable[str], what: str = "problems") -> list[str]:
    """At most ``MAX_SHOWN`` problems, and a last line saying how many more there were."""
    shown: list[str] = []
    more = 0
    for problem in problems:
        if len(shown) < MAX_SHOWN:
            shown.append(problem)
        else:
            more += 1
    if more:
        shown.append(f"and {more:,} more {what}")
    return shown
