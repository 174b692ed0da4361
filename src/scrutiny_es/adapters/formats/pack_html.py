"""The standing item as one printable HTML page: A4 portrait for the report, A4 landscape for the appendix.

Printed, each page's foot gives the body, the meeting and the page number, the table headings repeat
on every page and no row is split; a column is never narrower than its longest word, so words are kept
whole. The seal's digest is in the page's metadata, not its text (unless a clerk's note is asked for).
"""

from __future__ import annotations

import html

from scrutiny_es.adapters.formats.html import esc, page
from scrutiny_es.adapters.formats.pack import NO_ITEMS, Cell, Line, Pairs, Para, Part, StandingItem, Table, full_date

PACK_CSS = """
@page { size: A4 portrait; margin: 18mm 16mm 20mm;
        @bottom-left { content: FOOTER; font: 8.5pt Arial, Helvetica, sans-serif; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8.5pt Arial, sans-serif; } }
@page appendix { size: A4 landscape; margin: 12mm 12mm 16mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #000; margin: 0 auto; max-width: 273mm;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
p.council { font-weight: bold; margin: 0 0 4pt; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 12.5pt; margin: 16pt 0 4pt; break-after: avoid; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; break-after: avoid; }
p.meeting { font-size: 12pt; font-weight: bold; margin: 0 0 8pt; }
p.lead { margin: 0 0 6pt; break-after: avoid; }
p.numbered { margin: 0 0 6pt 3em; text-indent: -3em; }
p.numbered span.number { display: inline-block; width: 3em; text-indent: 0; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; table-layout: auto; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left;
         overflow-wrap: normal; word-break: normal; hyphens: manual; }
th { background: #d9d9d9; }
table.pairs th { background: none; width: 28%; }
table.pairs td p, table.pairs th p { margin: 0 0 4pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.short, table.pairs tr { break-inside: avoid; } tr.end { break-before: avoid; }
.nowrap, span.ref { white-space: nowrap; }
span.ref { font-size: 8.5pt; color: #333; }
.rag-green { background: #92d050; } .rag-amber { background: #ffc000; } .rag-red { background: #ff5050; }
span.rag-green, span.rag-amber, span.rag-red { padding: 0 3pt; }
section.appendix { page: appendix; break-before: page; }
p.clerk { font-size: 8.5pt; margin-top: 10pt; overflow-wrap: anywhere; }
@media screen { section.appendix { margin-top: 24pt; } }
"""


def pack_html(item: StandingItem) -> str:
    """The standing item as one HTML page."""
    out = [f'<p class="council">{esc(item.council, False)}</p>'] if item.council else []
    out += [f"<h1>Report to {esc(item.body_name, False)}</h1>", f'<p class="meeting">{full_date(item.meeting)}</p>']
    out.append(_pairs(Pairs(tuple((h, "\n".join(lines)) for h, lines in item.particulars)), lines=True))
    for section in item.sections:
        out.append(f"<section>\n<h2>{section.number} {html.escape(section.heading)}</h2>")
        for block in section.blocks:
            if isinstance(block, Para):
                number = f'<span class="number">{block.number}</span> ' if block.number else ""
                out.append(f'<p class="numbered">{number}{esc(block.text, False)}</p>')
            elif isinstance(block, Part):
                out += [f"<h3>{block.number} {html.escape(block.heading)}</h3>",
                        f'<p class="lead">{html.escape(block.lead)}</p>',
                        _table(block.table) if block.table else "<p>None.</p>"]  # fmt: skip
            else:
                out.append(_pairs(block))
        out.append("</section>")
    shown = _table(item.appendix) if item.appendix else f"<p>{NO_ITEMS}</p>"
    out += [f'<section class="appendix">\n<h2>{esc(item.appendix_title, False)}</h2>', shown]
    if item.seal_note:
        out.append(f'<p class="clerk">Clerk\'s note: {esc(item.seal, False)}</p>')
    out.append("</section>")
    css = PACK_CSS.replace("FOOTER", f'"{_css_text(item.footer)}"')
    head = f'<meta name="built-from" content="{html.escape(item.seal)}">\n'
    return page(item.title, "\n".join(out), css, head)


def _css_text(text: str) -> str:
    """Text for a CSS string: quotes and backslashes escaped, nothing that could end the style element."""
    return "".join(c if c.isalnum() or c in " –-,.'()/&" else f"\\{ord(c):x} " for c in text)


def _pairs(pairs: Pairs, lines: bool = False) -> str:
    """A table of headings and text; ``lines``: each line of the text is a line (else each blank-line
    separated paragraph is a paragraph)."""
    rows = []
    for heading, text in pairs.rows:
        if lines:
            shown = "<br>".join(esc(line, False) for line in text.split("\n"))
        else:
            shown = "".join(f"<p>{esc(p, False)}</p>" for p in text.split("\n\n"))
        rows.append(f'<tr><th scope="row">{esc(heading, False)}</th><td>{shown}</td></tr>')
    return '<table class="pairs"><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


_NOWRAP = ' class="nowrap"'
SHORT = 8
"""A table of at most this many rows is kept on one page; a longer one keeps its last two rows together."""


def _table(table: Table) -> str:
    head = "".join(
        f'<th scope="col" style="width: {w}%"{_NOWRAP if h in ("Ref", "Date") else ""}>{html.escape(h)}</th>'
        for h, w in zip(table.headings, table.widths, strict=True)
    )
    rows = []
    for index, row in enumerate(table.rows):
        cells = []
        for j, cell in enumerate(row):
            span = table.span(index, j) if j < table.merged else 1
            if span == 0:
                continue
            rowspan = f' rowspan="{span}"' if j < table.merged else ""
            rag = [line.mark for line in cell if line.mark.startswith("rag-")]
            css = f' class="{rag[0]}"' if len(cell) == 1 and rag else ""
            cells.append(f"<td{rowspan}{css}>{_cell(cell, whole=len(cell) == 1 and bool(rag))}</td>")
        end = ' class="end"' if index >= len(table.rows) - 2 and len(table.rows) > SHORT else ""
        rows.append(f"<tr{end}>" + "".join(cells) + "</tr>\n")
    short = ' class="short"' if len(table.rows) <= SHORT else ""
    return f"<table{short}><thead><tr>{head}</tr></thead><tbody>\n{''.join(rows)}</tbody></table>"


def _cell(cell: Cell, whole: bool) -> str:
    """A cell's lines; ``whole``: the cell is shaded in its one RAG line."""

    def line(part: Line) -> str:
        text = esc(part.text, dates_whole=not part.whole)
        if part.mark == "strong":
            text = f"<strong>{text}</strong>"
        elif part.mark == "ref" or (part.mark.startswith("rag-") and not whole):
            return f'<span class="{part.mark}">{text}</span>'
        return f'<span class="nowrap">{text}</span>' if part.whole else text

    return "<br>".join(line(part) for part in cell if part.text)
