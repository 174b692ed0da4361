"""The standing item as a Word document an agenda pack can take (python-docx).

It looks as a council's own report does: the report on A4 portrait, the appendix on A4 landscape with
Date and Item merged down an item's rows; every page's foot gives the body, the meeting and "Page n of
m"; a table's heading row repeats on each page, no row is split over two pages and a short table is kept
on one; each column is at least as wide as its longest word (measured in the font), so no word is broken.
The same pack gives the same bytes: the document carries no time of making (no created or modified date,
no thumbnail) and every part of the file is stamped with one fixed date, so a pack made again years later
can be compared byte for byte with the one the board was given.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.table import Table as WordTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from scrutiny_es.adapters.formats.measure import text_width, widest_word
from scrutiny_es.adapters.formats.pack import NO_ITEMS, SUBJECT, Cell, Pairs, Para, Part, StandingItem, Table, full_date

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""The date every part of the file is stamped with: the earliest a zip file can hold."""

_SHADE = {"rag-green": "92D050", "rag-amber": "FFC000", "rag-red": "FF5050"}
_HIGHLIGHT = {"rag-green": WD_COLOR_INDEX.BRIGHT_GREEN, "rag-amber": WD_COLOR_INDEX.YELLOW,
              "rag-red": WD_COLOR_INDEX.RED}  # fmt: skip

TEXT, REF = 10.0, 8.5
"""The type size of a table's text and of a ref, in points."""
_PADDING = 11.52 + 3
"""A cell's left and right margins (Word's 0.08 inch each) and a little to spare, in points."""
_SHORT = 8
"""A table of at most this many rows is kept on one page."""
_PAGE_OF_ROW = 400.0
"""The height in points a row may have and still be kept whole: a landscape page's text (186 mm, 527 points) less
its head, foot and table heading, with room for the estimate's error."""
_DATE = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
"""A date in a cell, kept on one line (its spaces made no-break)."""
_PORTRAIT, _LANDSCAPE = (Mm(210), Mm(297), Mm(18)), (Mm(297), Mm(210), Mm(12))


def pack_docx(item: StandingItem) -> bytes:
    """The standing item as the bytes of a .docx file, the same for the same pack."""
    document = Document()
    _styles(document)
    portrait = document.sections[0]
    _page(portrait, *_PORTRAIT)
    _header_and_footer(portrait, item)
    width = Mm(210 - 2 * 18)

    if item.council:
        _paragraph(document, item.council, bold=True)
    _paragraph(document, f"Report to {item.body_name}", bold=True, size=14)
    _paragraph(document, full_date(item.meeting), bold=True, size=12)
    _pairs(document, [(h, "\n".join(lines)) for h, lines in item.particulars], width, lines=True)
    for section in item.sections:
        document.add_heading(f"{section.number} {section.heading}", level=1)
        for block in section.blocks:
            if isinstance(block, Para):
                _numbered(document, block)
            elif isinstance(block, Part):
                document.add_heading(f"{block.number} {block.heading}", level=2)
                _paragraph(document, block.lead).paragraph_format.keep_with_next = True
                if block.table:
                    _table(document, block.table, width)
                else:
                    _paragraph(document, "None.")
            elif isinstance(block, Pairs):
                _pairs(document, list(block.rows), width)
    _keep_the_end_together(document)

    landscape = document.add_section(WD_SECTION.NEW_PAGE)
    _page(landscape, *_LANDSCAPE)
    landscape.orientation = WD_ORIENT.LANDSCAPE
    document.add_heading(item.appendix_title, level=1)
    if item.appendix:
        _table(document, item.appendix, Mm(297 - 2 * 12))
    else:
        _paragraph(document, NO_ITEMS)
    if item.seal_note:
        _paragraph(document, f"Clerk's note: {item.seal}", size=8)

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
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Heading 1", 12.5), ("Heading 2", 11)):
        heading = styles[name]
        heading.font.name = "Arial"
        fonts = heading.element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over the name
        heading.font.size = Pt(size)
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.keep_with_next = True


def _page(section: Section, width: Length, height: Length, margin: Length) -> None:
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin
    section.header_distance = section.footer_distance = Mm(8)


def _header_and_footer(section: Section, item: StandingItem) -> None:
    """The council in each page's head; the body, the meeting and "Page n of m" at its foot (the landscape
    section keeps the same)."""
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    head.add_run(item.council).font.size = Pt(8)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run(f"{item.footer} – Page ").font.size = Pt(8)
    _field(foot, "PAGE", "1")
    foot.add_run(" of ").font.size = Pt(8)
    _field(foot, "NUMPAGES", "1")


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    properties.append(size)
    text = OxmlElement("w:t")
    text.text = shown
    run.append(properties)
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _paragraph(
    document: WordDocument, text: str, bold: bool = False, italic: bool = False, size: float = 0
) -> Paragraph:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    return paragraph


def _numbered(document: WordDocument, para: Para) -> None:
    """A numbered paragraph as a report has it: the number, then the text with a hanging indent."""
    paragraph = document.add_paragraph()
    if para.number:
        paragraph.paragraph_format.left_indent = Mm(12)
        paragraph.paragraph_format.first_line_indent = -Mm(12)
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(12))
        paragraph.add_run(f"{para.number}\t")
    paragraph.add_run(para.text)


def column_widths(table: Table, width: float) -> list[float]:
    """Each column's width in points: the table's shares of ``width``, but never narrower than the column's
    longest word (a date or ref: its whole line); what a column needs more is taken from those with room."""
    least = [widest_word(h, TEXT, bold=True) + _PADDING for h in table.headings]
    for row in table.rows:
        for j, cell in enumerate(row):
            for line in cell:
                size = REF if line.mark == "ref" else TEXT
                wide = (text_width if line.whole else widest_word)(line.text, size, line.mark == "strong")
                least[j] = max(least[j], wide + _PADDING)
    return fit_widths([width * share / sum(table.widths) for share in table.widths], least, width)


def fit_widths(wanted: Sequence[float], least: Sequence[float], width: float) -> list[float]:
    """Widths in ``wanted``'s shares of ``width``, none below its ``least``: what one needs more the others give."""
    if sum(least) >= width:  # words too long for any layout: as near to whole as the page allows
        return [width * w / sum(least) for w in least]
    fixed: dict[int, float] = {}
    while True:
        free = [j for j in range(len(wanted)) if j not in fixed]
        room = width - sum(fixed.values())
        share = sum(wanted[j] for j in free)
        widths = {j: room * wanted[j] / share for j in free}
        short = [j for j in free if widths[j] < least[j]]
        if not short:
            return [fixed[j] if j in fixed else widths[j] for j in range(len(wanted))]
        fixed.update((j, least[j]) for j in short)


def _table(document: WordDocument, table: Table, width: Length) -> None:
    """A Word table: the header row repeated on every page, no row split, merged cells down each run of the
    leading columns; a short table kept on one page."""
    word = document.add_table(rows=1 + len(table.rows), cols=len(table.headings))
    _grid(word)
    widths = [Emu(int(Pt(w))) for w in column_widths(table, width / Pt(1))]
    for column, column_width in zip(word.columns, widths, strict=True):
        column.width = column_width  # the grid LibreOffice lays out by; Word reads each cell's width
    header = word.rows[0]
    _row_properties(header, repeat=True)
    for cell, heading, cell_width in zip(header.cells, table.headings, widths, strict=True):
        _fill(cell, [(heading, "strong")], cell_width)
        _shade(cell, "D9D9D9")
    for index, row in enumerate(table.rows):
        cells = word.rows[index + 1].cells
        _row_properties(word.rows[index + 1], whole=_height(row, widths) <= _PAGE_OF_ROW)
        for j, (cell, content) in enumerate(zip(cells, row, strict=True)):
            if j < table.merged and table.span(index, j) == 0:
                _fill(cell, [], widths[j])
                continue
            marks = [line.mark for line in content if line.mark in _SHADE]
            shaded = len(content) == 1 and bool(marks)
            _fill(cell, [(line.text, line.mark) for line in content if line.text], widths[j], shaded)
            if shaded:
                _shade(cell, _SHADE[marks[0]])
    for index in range(len(table.rows)):
        for j in range(table.merged):
            span = table.span(index, j)
            if span > 1:
                word.cell(index + 1, j).merge(word.cell(index + span, j))
    _keep_together(word, len(table.rows) <= _SHORT)


def _keep_together(word: WordTable, whole: bool) -> None:
    """Each row's lines kept with the next row's: the heading row and the first row always, every row of a
    short table, and the last two rows of a long one, so that no page holds a stub of a table."""
    rows = list(word.rows)
    kept = range(len(rows) - 1) if whole else [0, 1, len(rows) - 3, len(rows) - 2]
    for index in sorted({i for i in kept if 0 <= i < len(rows) - 1}):
        for paragraph in rows[index]._tr.iter(qn("w:p")):
            Paragraph(paragraph, word).paragraph_format.keep_with_next = True


def _keep_the_end_together(document: WordDocument) -> None:
    """The paragraphs after the report's last table kept with that table's last row, so that its closing
    headings (Appendices, Background Papers) never stand alone on a page."""
    body = document.element.body
    tables = body.findall(qn("w:tbl"))
    if not tables:
        return
    last = tables[-1]
    paragraphs = [*last.findall(qn("w:tr"))[-1].iter(qn("w:p")), *last.itersiblings(qn("w:p"))]
    for paragraph in paragraphs[:-1]:
        Paragraph(paragraph, document._body).paragraph_format.keep_with_next = True


def _grid(word: WordTable) -> None:
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False


def _pairs(document: WordDocument, rows: list[tuple[str, str]], width: Length, lines: bool = False) -> None:
    """A table of headings and their text, with no header row: paragraphs apart by a blank line (``lines``:
    each line a paragraph)."""
    word = document.add_table(rows=len(rows), cols=2)
    _grid(word)
    widths = [Emu(int(width * 0.28)), Emu(int(width * 0.72))]
    for column, column_width in zip(word.columns, widths, strict=True):
        column.width = column_width
    for row, (heading, text) in zip(word.rows, rows, strict=True):
        _row_properties(row)
        _fill(row.cells[0], [(heading, "strong")], widths[0], size=10.5)
        texts = text.split("\n") if lines else text.split("\n\n")
        _fill(row.cells[1], [(t, "") for t in texts], widths[1], size=10.5)
    document.add_paragraph()


def _height(row: Sequence[Cell], widths: Sequence[int]) -> float:
    """About how tall a row is set, in points: its tallest cell's lines (each 1.2 times its type size, and the
    space after each paragraph), the lines a paragraph takes worked out from its width in Arial."""
    tallest = 0.0
    for content, width in zip(row, widths, strict=True):
        room = max(width / Pt(1) - _PADDING, 1.0)
        height = 0.0
        for line in content:
            size = REF if line.mark == "ref" else TEXT
            height += math.ceil(max(text_width(line.text, size), 1.0) / room) * size * 1.2 + 2
        tallest = max(tallest, height)
    return tallest


def _row_properties(row: _Row, repeat: bool = False, whole: bool = True) -> None:
    """A row never split over two pages, unless taller than a page (``whole`` false: Word would cut it off at
    the page's foot); the heading row repeated at the top of each page."""
    properties = row._tr.get_or_add_trPr()
    if whole:
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        properties.append(cant_split)
    if repeat:
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        properties.append(header)


def _fill(cell: _Cell, lines: Iterable[tuple[str, str]], width: int, shaded: bool = False, size: float = TEXT) -> None:
    """A cell's text, a paragraph a line, the marked ones standing out (a RAG word by its colour, unless the
    whole cell is shaded in it)."""
    cell.width = Emu(width)
    first = True
    for text, mark in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        first = False
        run = paragraph.add_run(_DATE.sub(lambda date: date[0].replace(" ", "\u00a0"), text))
        run.font.size = Pt(size)
        if mark == "strong":
            run.bold = True
        elif mark == "ref":
            run.font.size = Pt(REF)
            run.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
        elif mark in _HIGHLIGHT and not shaded:
            run.font.highlight_color = _HIGHLIGHT[mark]


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _properties(document: WordDocument, item: StandingItem) -> None:
    """Core properties from the pack alone: a title and author, what it was built from (the seal's digest, for
    the clerk), no time of making, no thumbnail."""
    properties = document.core_properties
    properties.title = item.title
    properties.subject = SUBJECT
    properties.author = item.council or item.body_name
    properties.comments = item.seal
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
