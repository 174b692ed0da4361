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

import zipfile
from pathlib import Path

from scrutiny_es.adapters.importers.csvtext import other_kind, read_csv
from scrutiny_es.adapters.importers.documents import read_docx
from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.limits import check_parts, check_zip
from scrutiny_es.adapters.importers.source import SourceRow, SourceTable, TableKind, Unreadable, rows_of
from scrutiny_es.adapters.importers.workbooks import read_xlsx

__all__ = ["SourceRow", "SourceTable", "TableKind", "Unreadable", "read_tables"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of an Office file that is encrypted, or in the old .xls/.doc format."""


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
            rows = rows_of(read_csv(path, path.stat().st_size))
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
        return read_xlsx(path, sheet)
    return read_docx(path)


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
        other = other_kind(head, suffix)
        raise CannotImport(f"{name} is not a {suffix} file" + (f": {other}" if other else " (its content is not an "
                                                                                      "Office document)"))  # fmt: skip
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
