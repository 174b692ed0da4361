"""The standing item as a Word document an agenda pack can take (python-docx).

The report is on A4 portrait; the appendix, on A4 landscape, has the council's tracker columns with
Date and Item merged down an item's rows, as the agenda's Word tables have them. The same pack gives
the same bytes: the document carries no time of making (no created or modified date, no thumbnail) and
every part of the file is stamped with one fixed date, so a pack made again years later can be compared
byte for byte with the one the board was given.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.section import Section
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from scrutiny_es.adapters.formats.pack import APPENDIX, SUBJECT, Cell, StandingItem, Table, full_date

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""The date every part of the file is stamped with: the earliest a zip file can hold."""

_SHADE = {"rag-green": "92D050", "rag-amber": "FFC000", "rag-red": "FF5050"}
_HIGHLIGHT = {"rag-green": WD_COLOR_INDEX.BRIGHT_GREEN, "rag-amber": WD_COLOR_INDEX.YELLOW,
              "rag-red": WD_COLOR_INDEX.RED}  # fmt: skip


def pack_docx(item: StandingItem) -> bytes:
    """The standing item as the bytes of a .docx file, the same for the same pack."""
    document = Document()
    _styles(document)
    portrait = document.sections[0]
    _page(portrait, Mm(210), Mm(297), Mm(18))

    if item.council:
        _paragraph(document, item.council, bold=True)
    _paragraph(document, f"Report to {item.body_name}", bold=True, size=14)
    _paragraph(document, full_date(item.meeting), bold=True, size=12)
    _paragraph(document, f"Subject: {SUBJECT}")
    _paragraph(document, item.period)
    for part in item.parts:
        document.add_heading(f"{part.number}. {part.heading}", level=1)
        _paragraph(document, part.asks, italic=True).paragraph_format.keep_with_next = True
        if part.table:
            _table(document, part.table, Mm(210 - 2 * 18))
        else:
            _paragraph(document, "None.")

    landscape = document.add_section(WD_SECTION.NEW_PAGE)
    _page(landscape, Mm(297), Mm(210), Mm(12))
    landscape.orientation = WD_ORIENT.LANDSCAPE
    document.add_heading(APPENDIX, level=1)
    _table(document, item.appendix, Mm(297 - 2 * 12))
    _paragraph(document, item.built_from, size=8)

    _properties(document, item)
    out = io.BytesIO()
    document.save(out)
    return _fixed(out.getvalue())


def _styles(document: WordDocument) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")
    heading = styles["Heading 1"]
    heading.font.name = "Arial"
    fonts = heading.element.rPr.rFonts
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the name
    heading.font.size = Pt(12.5)
    heading.font.color.rgb = RGBColor(0, 0, 0)


def _page(section: Section, width: Length, height: Length, margin: Length) -> None:
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin


def _paragraph(
    document: WordDocument, text: str, bold: bool = False, italic: bool = False, size: float = 0
) -> Paragraph:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    return paragraph


def _table(document: WordDocument, table: Table, width: Length) -> None:
    """A Word table: the header row repeated on every page, merged cells down each run of the leading columns."""
    word = document.add_table(rows=1 + len(table.rows), cols=len(table.headings))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    widths = [int(width * share / sum(table.widths)) for share in table.widths]
    for column, column_width in zip(word.columns, widths, strict=True):
        column.width = Emu(column_width)  # the grid LibreOffice lays out by; Word reads each cell's width
    header = word.rows[0]
    _repeat_as_header(header._tr)
    for cell, heading, cell_width in zip(header.cells, table.headings, widths, strict=True):
        _fill(cell, [(heading, "strong")], cell_width)
        _shade(cell, "D9D9D9")
    for index, row in enumerate(table.rows):
        cells = word.rows[index + 1].cells
        for j, (cell, content) in enumerate(zip(cells, row, strict=True)):
            if j < table.merged and table.span(index, j) == 0:
                _fill(cell, [], widths[j])
                continue
            marks = [line.mark for line in content if line.mark in _SHADE]
            shaded = len(content) == 1 and bool(marks)
            _fill(cell, _lines(content), widths[j], shaded)
            if shaded:
                _shade(cell, _SHADE[marks[0]])
    for index in range(len(table.rows)):
        for j in range(table.merged):
            span = table.span(index, j)
            if span > 1:
                word.cell(index + 1, j).merge(word.cell(index + span, j))


def _lines(cell: Cell) -> list[tuple[str, str]]:
    return [(line.text, line.mark) for line in cell if line.text]


def _fill(cell: _Cell, lines: Iterable[tuple[str, str]], width: int, shaded: bool = False) -> None:
    """A cell's text, a paragraph a line, the marked ones standing out (a RAG word by its colour, unless the
    whole cell is shaded in it)."""
    cell.width = Emu(width)
    first = True
    for text, mark in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        run = paragraph.add_run(text)
        if mark == "strong":
            run.bold = True
        elif mark == "ref":
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
        elif mark in _HIGHLIGHT and not shaded:
            run.font.highlight_color = _HIGHLIGHT[mark]


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_as_header(row: CT_Row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row.get_or_add_trPr().append(header)


def _properties(document: WordDocument, item: StandingItem) -> None:
    """Core properties from the pack alone: a title and author, no time of making, no thumbnail."""
    properties = document.core_properties
    properties.title = item.title
    properties.subject = SUBJECT
    properties.author = item.council or item.body_name
    properties.comments = item.built_from
    properties.last_modified_by = ""
    properties.revision = 1
    core = properties._element
    for name in ("dcterms:created", "dcterms:modified", "cp:lastPrinted"):
        for element in core.findall(qn(name)):
            core.remove(element)
    package = document.part.package
    for key, relation in list(package.rels.items()):
        if relation.reltype.endswith("/metadata/thumbnail"):
            package.rels.pop(key)


def _fixed(docx: bytes) -> bytes:
    """The file again with every member stamped ``_FIXED_TIME``: zip stamps members with the time of writing."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(member.filename))
    return out.getvalue()
