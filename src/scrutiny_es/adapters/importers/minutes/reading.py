"""The text of a meeting's minutes, from a .txt, .md, .docx or .pdf file, as lines.

Each reader gives the minutes' text as lines with a blank line between paragraphs, so the
same minutes read alike whatever they were saved as: a Word paragraph is a line, a PDF's
lines are read with their layout (pypdf), so the gaps between its paragraphs stay gaps. A file
that is too large, damaged, a zip bomb, encrypted, or a scan with no text is refused with one
sentence, before anything is drafted.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from scrutiny_es.adapters.extras import need
from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.minutes.phrases import PAGE_FURNITURE
from scrutiny_es.adapters.importers.minutes.word import docx_text

MAX_BYTES = 25_000_000
"""The largest file read: minutes, even a whole agenda pack as a PDF, are well under it."""
MAX_TEXT = 5_000_000
"""The most text (characters, or bytes of a Word document's XML) taken out of a file."""
MAX_PAGES = 2_000

SUFFIXES = (".txt", ".md", ".docx", ".pdf")
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a\u202f]+")
_EMPHASIS = re.compile(r"\*{1,3}(?=\S)|(?<=\S)\*{1,3}|^#{1,6}\s+|^>\s*")


def read_minutes(path: Path) -> list[str]:
    """The file's lines of text, stripped, markdown emphasis and page numbers left out; blank between paragraphs."""
    suffix, name = path.suffix.lower(), escaped(path.name)
    if suffix not in SUFFIXES:
        hint = {".doc": " (save it as .docx)", ".odt": " (save it as .docx)", ".rtf": " (save it as .docx)"}
        what = escaped(suffix) or "a file with no extension"
        msg = f"{name}: minutes are read from .txt, .md, .docx and .pdf files, not {what}"
        raise CannotImport(msg + hint.get(suffix, ""))
    try:
        size = path.stat().st_size
    except OSError as e:
        raise CannotImport(f"{name}: {e.strerror or e}") from None
    if size > MAX_BYTES:
        msg = (f"{name} is {size / 1_000_000:.1f} MB; minutes are read from files of up to "
               f"{MAX_BYTES // 1_000_000} MB: give the minutes on their own, not a whole pack of papers")  # fmt: skip
        raise CannotImport(msg)
    if size == 0:
        raise CannotImport(f"{name} is empty")
    if suffix == ".docx":
        text = docx_text(path, MAX_TEXT * 4)
    elif suffix == ".pdf":
        text = _pdf_text(path)
    else:
        text = _plain_text(path.read_bytes(), name)
    return [_clean(line) for line in text.splitlines()]


def _clean(line: str) -> str:
    line = _SPACES.sub(" ", line).strip()
    line = _EMPHASIS.sub("", line).strip()
    return "" if _is_page_number(line) else line


def _is_page_number(line: str) -> bool:
    return bool(PAGE_FURNITURE.match(line))


def _plain_text(data: bytes, name: str) -> str:
    if data.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise CannotImport(f"{name} is not plain text: it is a Word or PDF file; give it its .docx or .pdf name")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise CannotImport(f"{name}: starts as UTF-16 text but is not") from None
    if b"\x00" in data:
        raise CannotImport(f"{name} is not text (it holds NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_text(path: Path) -> str:
    """Each page's text as laid out, so a gap between paragraphs stays a blank line."""
    import logging

    need("office", "pypdf")
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns of every oddity of a file on the terminal
    name = escaped(path.name)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):  # a PDF locked only against editing opens with ""
            raise CannotImport(f"{name} is password-protected: save it again without a password")
        if len(reader.pages) > MAX_PAGES:
            raise CannotImport(f"{name} has {len(reader.pages):,} pages; minutes are read from at most {MAX_PAGES:,}")
        pages: list[str] = []
        size = 0
        for page in reader.pages:
            text = page.extract_text(extraction_mode="layout")
            size += len(text)
            if size > MAX_TEXT:
                raise CannotImport(f"{name} holds more than {MAX_TEXT:,} characters of text: it is not minutes")
            pages.append(text)
    except CannotImport:
        raise
    except Exception as e:  # a damaged PDF can make pypdf raise almost anything
        detail = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise CannotImport(f"{name} cannot be read as a PDF: the file is damaged or is not one ({detail})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        msg = f"{name} has no text to read: it is a scanned image; save the minutes from Word, or run it through OCR"
        raise CannotImport(msg)
    return text
