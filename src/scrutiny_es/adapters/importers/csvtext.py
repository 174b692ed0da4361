"""A tracker saved as CSV text, read a line at a time.

UTF-8 (with or without its byte-order mark), else Windows-1252, as Excel saves it; UTF-16
as Excel's "Unicode text" saves it. The file is never held whole: its lines are decoded as
they are read (a file that turns out not to be UTF-8 is read again from the start as
Windows-1252), within the limits of ``limits``. A quote that opens a cell and never closes
is named with its line, rather than swallowing the rows after it into one cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.limits import MAX_CELLS, MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS, megabytes

MAX_CELL = 20_000
"""Characters in one cell (the longest text a command takes)."""

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")
_OTHER_KINDS = (
    ((b"%pdf-",), "a PDF document", "give the tracker's Word, Excel or CSV file"),
    ((b"{\\rtf",), "an RTF document", "open it in Word and save it as .docx"),
    ((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta"), "a web page (HTML) or XML", ""),
)
"""Files that reach a council named .csv, .xlsx or .docx though they are something else: a "download to Excel" of
a web system is often a web page."""


def other_kind(head: bytes, suffix: str) -> str | None:
    """What a file that is not CSV text nor an Office document is, by its first bytes, and what to do with it."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()[:16].lower()  # compared with marks in lower case
    for marks, what, todo in _OTHER_KINDS:
        if start.startswith(marks):
            office = "Word and save it as .docx" if suffix == ".docx" else "Excel and save it as .xlsx or CSV UTF-8"
            return f"it is {what}; {todo or 'open it in ' + office}"
    return None


class _NotThisEncoding(Exception):
    def __init__(self, line: int, byte: int) -> None:
        self.line = line
        self.byte = byte


def read_csv(path: Path, size: int) -> list[tuple[int, list[str]]]:
    """The records of a CSV file, each with the line it starts on."""
    name = escaped(path.name)
    if size > MAX_CSV_BYTES:
        msg = f"{name} is {megabytes(size)}; the import reads CSV files of at most {megabytes(MAX_CSV_BYTES)}"
        raise CannotImport(msg)
    with path.open("rb") as file:
        head = file.read(65536)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _records(name, _utf16_lines(file, name))
        if head.startswith((_ZIP, _OLE)):
            msg = f"{name} is not CSV text: it looks like an Excel or Word file; give it its .xlsx or .docx name"
            raise CannotImport(msg)
        if other := other_kind(head, ".csv"):
            raise CannotImport(f"{name} is not CSV text: {other}")
        if head.startswith(codecs.BOM_UTF8):
            return _decoded(file, name, "utf-8", "UTF-8 text (it starts with UTF-8's mark)", len(codecs.BOM_UTF8))
        try:
            return _decoded(file, name, "utf-8", "", 0)
        except _NotThisEncoding as not_utf8:
            return _decoded(file, name, "cp1252", "UTF-8 or Windows-1252 text", 0, not_utf8)


def _decoded(
    file: BinaryIO, name: str, encoding: str, what: str, skip: int, not_utf8: _NotThisEncoding | None = None
) -> list[tuple[int, list[str]]]:
    """The records, with the lines decoded as ``encoding``; a line that is not: ``_NotThisEncoding`` if ``what``
    is empty (another encoding is to be tried), else the clerk's message."""
    file.seek(skip)
    try:
        return _records(name, _lines(file, name, encoding, not_utf8))
    except _NotThisEncoding as e:
        if not what:
            raise
        msg = f"{name} line {e.line}: not {what} (byte 0x{e.byte:02X})"
        raise CannotImport(msg) from None


def _lines(file: BinaryIO, name: str, encoding: str, not_utf8: _NotThisEncoding | None = None) -> Iterator[str]:
    """The file's lines as text, split as CSV splits them (at CR LF, LF or a lone CR), each with its ending.

    Read as Windows-1252 for the byte ``not_utf8`` names, a file that holds UTF-8 text elsewhere is refused
    once read: it mixes the two (rows pasted from another file), and either reading would garble half of it.
    """
    number = 0
    mixed: tuple[int, str] | None = None
    for raw in file:
        if not_utf8 is not None and mixed is None and (found := _utf8_character(raw)) is not None:
            mixed = (number + raw[: found[0]].count(b"\r") + 1, found[1])
        if b"\x00" in raw:
            at = number + raw[: raw.index(b"\x00")].count(b"\r") + 1
            msg = f"{name} is not CSV text (a NUL byte on line {at})"
            raise CannotImport(msg)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            raise _NotThisEncoding(number + raw[: e.start].count(b"\r") + 1, raw[e.start]) from None
        for line in _LONE_CR.split(text) if "\r" in text else (text,):
            if line:
                number += 1
                yield line
    if mixed is not None and not_utf8 is not None:
        msg = (
            f"{name} mixes two encodings: line {mixed[0]} holds {mixed[1]!r} written in UTF-8, but line "
            f"{not_utf8.line} byte 0x{not_utf8.byte:02X}, which is not UTF-8; save it again as CSV UTF-8"
        )
        raise CannotImport(msg)


_UTF8_CHARACTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_character(raw: bytes) -> tuple[int, str] | None:
    """Where a character written in UTF-8 is in the line, and which, if one is."""
    for found in _UTF8_CHARACTER.finditer(raw):
        try:
            return found.start(), found[0].decode("utf-8")
        except UnicodeDecodeError:  # an overlong form or a surrogate: not UTF-8 after all
            continue
    return None


def _utf16_lines(file: BinaryIO, name: str) -> Iterator[str]:
    file.seek(0)
    try:
        yield from io.TextIOWrapper(file, encoding="utf-16", newline="")
    except UnicodeDecodeError:
        msg = f"{name}: starts as UTF-16 text but is not"
        raise CannotImport(msg) from None


def _records(name: str, lines: Iterator[str]) -> list[tuple[int, list[str]]]:
    first = list(itertools.islice(lines, 20))
    delimiter = _delimiter(first)
    pending: list[str] = []  # the lines of the record being read: the reader reads no further than its end

    def kept(lines: Iterator[str]) -> Iterator[str]:
        for text in lines:
            pending.append(text)
            yield text

    reader = csv.reader(kept(itertools.chain(first, lines)), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    last: list[str] = []
    line = 1
    cells = 0
    try:
        for record in reader:
            if len(records) == MAX_ROWS:
                msg = f"{name} has more than {MAX_ROWS:,} rows; the import reads at most {MAX_ROWS:,} (split the file)"
                raise CannotImport(msg)
            if len(record) > MAX_COLUMNS:
                msg = f"{name} line {line}: {len(record):,} cells; the import reads at most {MAX_COLUMNS} columns"
                raise CannotImport(msg)
            cells += len(record)
            if cells > MAX_CELLS:
                msg = f"{name} has more than {MAX_CELLS:,} cells; the import reads no more (split the file)"
                raise CannotImport(msg)
            records.append((line, record))
            line = reader.line_num + 1
            last = pending[:]
            pending.clear()
    except csv.Error as e:
        msg = f"{name} line {line}: cannot be read as CSV ({e})"
        if "field limit" in str(e):
            limit = csv.field_size_limit()
            msg = f"{name} line {line}: a cell is longer than {limit:,} characters (at most {MAX_CELL:,})"
            if _ends_in_quotes("".join(pending), delimiter):
                msg += f' (or a quote (") on line {line} opens a cell that is never closed)'
        raise CannotImport(msg) from None
    if records and _ends_in_quotes("".join(last), delimiter):
        msg = (
            f'{name} line {records[-1][0]}: a quote (") opens a cell that is never closed, so every line after it '
            'would be read into that cell; close it, or write a quote inside a cell as ""'
        )
        raise CannotImport(msg)
    return records


def _ends_in_quotes(text: str, delimiter: str) -> bool:
    """Whether a record's text ends inside a quoted cell, read as the csv module reads it (not strictly)."""
    quoted = False
    at_start = True
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text.startswith('"', i + 1):
                    i += 1  # a quote written twice, inside the cell
                else:
                    quoted = False
        elif at_start and char == '"':
            quoted = True
        at_start = not quoted and char in (delimiter, "\n", "\r")
        i += 1
    return quoted


def _delimiter(lines: list[str]) -> str:
    """Comma, semicolon or tab: the one that splits the first lines into the same number of cells, most often."""
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            widths = [len(record) for record in itertools.islice(csv.reader(lines, delimiter=delimiter), 20)]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best
