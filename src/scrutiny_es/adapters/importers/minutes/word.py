"""The paragraphs of a Word document, read from its XML, with Word's own numbering written in.

A resolution's parts are most often numbered by Word itself ("(1)", "a."), and such numbers
are not in the paragraphs' text: they are worked out here from the document's numbering
definitions (the paragraph's, or its style's), as Word shows them. Each part of the file is
unpacked only up to a limit, so a zip bomb is refused rather than unpacked, and XML that
declares entities is refused before it is parsed.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from scrutiny_es.adapters.importers.errors import CannotImport, escaped

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {f"{_W}{tag}" for tag in ("del", "moveFrom", "txbxContent", "delText", "instrText")}
"""Deleted text of tracked changes, text boxes and field codes: not what the minutes say."""


def docx_text(path: Path, limit: int) -> str:
    """The document's paragraphs in order (tables' cells too), each a line with a blank line after it."""
    name = escaped(path.name)
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise CannotImport(f"{name} is password-protected, or an old .doc file renamed .docx: save it as .docx")
    if not head.startswith(b"PK\x03\x04"):
        raise CannotImport(f"{name} is not a .docx file (its content is not a Word document)")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise CannotImport(f"{name} is not a Word document (it has no word/document.xml)")
            parts = {part: _unpacked(archive, part, limit, name) for part in
                     ("word/document.xml", "word/numbering.xml", "word/styles.xml") if part in names}  # fmt: skip
    except CannotImport:
        raise
    except Exception:  # zipfile raises BadZipFile, but also NotImplementedError, EOFError... on damaged bytes
        raise CannotImport(f"{name} is damaged: it is not a complete .docx file") from None
    numbering = _Numbering(_parsed(parts.get("word/numbering.xml"), name), _parsed(parts.get("word/styles.xml"), name))
    document = _parsed(parts["word/document.xml"], name)
    lines: list[str] = []
    if document is not None:
        _paragraphs(document, lines, numbering)
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


@dataclass
class _Numbering:
    """Word's lists: each list's levels (format and text, as "(%1)"), and how far each has counted."""

    numbering: ElementTree.Element | None
    styles: ElementTree.Element | None
    counted: dict[str, list[int]] = field(default_factory=dict)

    def label(self, paragraph: ElementTree.Element) -> str:
        """The number Word shows before the paragraph ("(2)", "b.", "-" for a bullet), or ""."""
        num_id, level = self._list_of(paragraph)
        if num_id is None or num_id == "0":
            return ""
        levels = self._levels(num_id)
        if level not in levels:
            return ""
        counts = self.counted.setdefault(num_id, [0] * 9)
        if not 0 <= level < 9:
            return ""
        counts[level] += 1
        counts[level + 1 :] = [0] * (8 - level)
        fmt, text, _ = levels[level]
        if fmt == "bullet":
            return "-"
        for n in range(level + 1):
            shown = _formatted(levels.get(n, ("decimal", "", 1))[0], counts[n] + levels.get(n, ("", "", 1))[2] - 1)
            text = text.replace(f"%{n + 1}", shown)
        return text.strip()

    def _list_of(self, paragraph: ElementTree.Element) -> tuple[str | None, int]:
        num_pr = paragraph.find(f"{_W}pPr/{_W}numPr")
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        seen = 0
        while num_pr is None and style is not None and self.styles is not None and seen < 10:
            seen += 1
            found = next((s for s in self.styles.iter(f"{_W}style") if s.get(f"{_W}styleId") == style.get(f"{_W}val")),
                         None)  # fmt: skip
            if found is None:
                break
            num_pr = found.find(f"{_W}pPr/{_W}numPr")
            style = found.find(f"{_W}basedOn")
        if num_pr is None:
            return None, 0
        num_id = num_pr.find(f"{_W}numId")
        level = num_pr.find(f"{_W}ilvl")
        ilvl = level.get(f"{_W}val", "0") if level is not None else "0"
        return (num_id.get(f"{_W}val") if num_id is not None else None), int(ilvl) if ilvl.isdigit() else 0

    def _levels(self, num_id: str) -> dict[int, tuple[str, str, int]]:
        if self.numbering is None:
            return {}
        num = next((n for n in self.numbering.iter(f"{_W}num") if n.get(f"{_W}numId") == num_id), None)
        abstract_id = num.find(f"{_W}abstractNumId") if num is not None else None
        if abstract_id is None:
            return {}
        wanted = abstract_id.get(f"{_W}val")
        abstract = next((a for a in self.numbering.iter(f"{_W}abstractNum") if a.get(f"{_W}abstractNumId") == wanted),
                        None)  # fmt: skip
        levels = {}
        for lvl in abstract.iter(f"{_W}lvl") if abstract is not None else ():
            ilvl = lvl.get(f"{_W}ilvl", "0")
            fmt, text, start = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText"), lvl.find(f"{_W}start")
            first = start.get(f"{_W}val", "1") if start is not None else "1"
            levels[int(ilvl) if ilvl.isdigit() else 0] = (
                fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                text.get(f"{_W}val", "") if text is not None else "",
                int(first) if first.isdigit() else 1,
            )
        return levels


def _formatted(fmt: str, n: int) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):  # fmt: skip
        while n >= value:
            out += digits
            n -= value
    return out


def _paragraphs(element: ElementTree.Element, lines: list[str], numbering: _Numbering) -> None:
    for child in element:
        if child.tag in _SKIPPED:
            continue
        if child.tag == f"{_W}p":
            text = "".join(_run_text(child)).strip()
            label = numbering.label(child)
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
