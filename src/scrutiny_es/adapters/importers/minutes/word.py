"""The paragraphs of a Word document, read from its XML, with Word's own numbering written in.

A resolution's parts are most often numbered by Word itself ("(1)", "a."), and such numbers
are not in the paragraphs' text: they are worked out here from the document's numbering
definitions (the paragraph's, or its style's), as Word shows them. Each part of the file is
unpacked only up to a limit, so a zip bomb is refused rather than unpacked, and XML that
declares entities is refused before it is parsed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

from scrutiny_es.adapters.importers.csvtext import other_kind
from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.numbering import ListNumbers

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {f"{_W}{tag}" for tag in ("del", "moveFrom", "txbxContent", "delText", "instrText")}
"""Deleted text of tracked changes, text boxes and field codes: not what the minutes say."""


def docx_text(path: Path, limit: int) -> str:
    """The document's paragraphs in order (tables' cells too), each a line with a blank line after it."""
    name = escaped(path.name)
    with path.open("rb") as file:
        head = file.read(64)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise CannotImport(f"{name} is password-protected, or an old .doc file renamed .docx: save it as .docx")
    if head.lower().startswith(b"%pdf-"):
        raise CannotImport(f"{name} is not a .docx file: it is a PDF document; give it a .pdf name")
    if not head.startswith(b"PK\x03\x04"):  # an RTF file or a web page given a .docx name, or neither
        other = other_kind(head, ".docx") or "its content is not a Word document"
        raise CannotImport(f"{name} is not a .docx file: {other}")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                kind = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
                if kind.startswith("application/vnd.oasis.opendocument."):
                    msg = f"{name} is an OpenDocument {kind.rpartition('.')[2]} (as LibreOffice saves by default), "
                    raise CannotImport(msg + "not a Word document: open it and save it as .docx (File, Save As)")
                raise CannotImport(f"{name} is not a Word document (it has no word/document.xml)")
            parts = {part: _unpacked(archive, part, limit, name) for part in
                     ("word/document.xml", "word/numbering.xml", "word/styles.xml") if part in names}  # fmt: skip
    except CannotImport:
        raise
    except Exception:  # zipfile raises BadZipFile, but also NotImplementedError, EOFError... on damaged bytes
        raise CannotImport(f"{name} is damaged: it is not a complete .docx file") from None
    numbering = ListNumbers(_parsed(parts.get("word/numbering.xml"), name), _parsed(parts.get("word/styles.xml"), name))
    document = _parsed(parts["word/document.xml"], name)
    lines: list[str] = []
    try:
        if document is not None:
            _paragraphs(document, lines, numbering)
    except RecursionError:  # Word nests a few levels (tables in tables, content controls); a file can nest thousands
        raise CannotImport(
            f"{name} is not a Word document as Word writes one (its content is nested too deeply)"
        ) from None
    return "\n".join(lines)


def _unpacked(archive: zipfile.ZipFile, part: str, limit: int, name: str) -> bytes:
    with archive.open(part) as file:
        xml = file.read(limit + 1)
    if len(xml) > limit:
        msg = f"{name} unpacks to more than {limit // 1_000_000} MB of text: it is not minutes (a zip bomb?)"
        raise CannotImport(msg)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise CannotImport(f"{name} is not a Word document as Word writes one (it declares XML entities)")
    return xml


def _parsed(xml: bytes | None, name: str) -> ElementTree.Element | None:
    if xml is None:
        return None
    try:
        return ElementTree.fromstring(xml)  # noqa: S314  (no DTD, so no entities: checked in _unpacked)
    except ElementTree.ParseError:
        raise CannotImport(f"{name} is damaged: its document cannot be read") from None


def _paragraphs(element: ElementTree.Element, lines: list[str], numbering: ListNumbers) -> None:
    for child in element:
        if child.tag in _SKIPPED:
            continue
        if child.tag == f"{_W}p":
            text = "".join(_run_text(child)).strip()
            found = numbering.label(child)  # a part's number as Word shows it; a bullet as a dash
            label = "" if found is None else "-" if found.kind == "bullet" else found.text
            lines.extend([f"{label} {text}" if label and text else text, ""])
        else:
            _paragraphs(child, lines, numbering)


def _run_text(element: ElementTree.Element) -> list[str]:
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":  # Word's non-breaking hyphen ("2023-24", "re-affirmed")
            parts.append("-")
        else:
            parts.extend(_run_text(child))
    return parts
