"""The report as one self-contained HTML page, laid out for printing on A4 landscape.

The tracker looks as the agenda appendix does: the council and the municipal year in the heading,
Date written once per meeting and Item once per item (cells spanning their rows), overdue and
closed rows marked in words as well as shading, RAG as a coloured cell with its word.
"""

from __future__ import annotations

import html
import re

from scrutiny_es.adapters.formats.report import Report
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.projections.reports import UNBROKEN
from scrutiny_es.projections.rows import Row, TrackerRow

CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; margin: 0 auto; max-width: 290mm;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 12pt; font-weight: normal; margin: 0 0 2pt; }
p.council { font-size: 11pt; font-weight: bold; margin: 0 0 2pt; }
p.year, p.key { margin: 0 0 8pt; }
section { margin-bottom: 18pt; }
section + section { page-break-before: always; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; }
th { background: #d9d9d9; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.nowrap { white-space: nowrap; }
td.rag-green { background: #92d050; } td.rag-amber { background: #ffc000; } td.rag-red { background: #ff5050; }
tr.overdue td { background: #fde9e7; } tr.overdue td.group { background: #fff; }
tr.closed td { color: #555; background: #f2f2f2; } tr.closed td.group { color: #000; background: #fff; }
tr.overdue td.rag-red, tr.closed td.rag-red { background: #ff5050; }
tr.overdue td.rag-amber, tr.closed td.rag-amber { background: #ffc000; }
tr.overdue td.rag-green, tr.closed td.rag-green { background: #92d050; }
span.mark { display: inline-block; margin-top: 2pt; padding: 0 3pt; font-size: 8pt; font-weight: bold;
            border: 1px solid #000; letter-spacing: 0.5pt; }
tr.overdue span.mark { background: #c00000; color: #fff; border-color: #c00000; }
p.empty { font-style: italic; }
footer { font-size: 8pt; color: #444; margin-top: 6pt; }
"""

_WIDTHS = {"Item": "11%", "Recommendation/Action": "27%", "Notes": "19%", "Status": "12%", "What happened": "40%"}
"""Shares of the page for the columns of prose, so that the browser does not squeeze the notes to a word a line."""

_DATE = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})\b")


def esc(text: str, dates_whole: bool = True) -> str:
    """What a clerk typed, for HTML: escaped, shown as typed, lines kept, a date never broken over two lines."""
    escaped = html.escape(visible(text))
    if not dates_whole:
        return escaped.replace("\n", "<br>")
    return _DATE.sub(r'<span class="nowrap">\g<0></span>', escaped).replace("\n", "<br>")


def page(title: str, body: str, css: str = CSS, head: str = "") -> str:
    """A whole HTML page: no scripts, no files beside it, nothing fetched; ``head``: more of its head (metadata)."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title, dates_whole=False)}</title>\n{head}<style>{css}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def render_html(report: Report) -> str:
    sections = report.by_body() or [(code, []) for code in report.bodies] or [("", [])]
    parts = [_section(report, code, rows) for code, rows in sections]
    names = ", ".join(report.bodies.values())
    withheld = f'<p class="withheld">{esc(report.withheld_sentence)}</p>\n' if report.withheld else ""
    footer = withheld + (
        f"<footer>{len(report.rows)} row{'s' * (len(report.rows) != 1)}. "
        "Produced by scrutiny_es from the recorded events.</footer>"
    )
    return page(f"{names}: {report.title}" if names else report.title, "\n".join(parts) + "\n" + footer)


def _section(report: Report, code: str, rows: list[Row]) -> str:
    council = report.councils.get(code)
    heading = (f'<p class="council">{esc(council, False)}</p>\n' if council else "") + (
        f"<h1>{esc(report.bodies.get(code, code), False)}</h1>\n<h2>{esc(report.title, False)}</h2>"
    )
    if report.municipal_year:
        heading += f'\n<p class="year">Municipal year {report.municipal_year}</p>'
    if not rows:
        return f'<section>\n{heading}\n<p class="empty">Nothing to show.</p>\n</section>'
    if any(isinstance(row, TrackerRow) for row in rows):
        heading += (
            '\n<p class="key">Rows marked <span class="mark">OVERDUE</span> have a response, target date or '
            'deferral past its date; rows marked <span class="mark">CLOSED</span> no longer need monitoring.</p>'
        )
    headings = [h for h, _ in report.kind.columns]
    head = "".join(f'<th scope="col"{_nowrap(h)}{_width(h)}>{esc(h)}</th>' for h in headings)
    grid = report.grid(rows)
    cells = [c for _, c in grid]
    body = []
    for index, (row, row_cells) in enumerate(grid):
        marks = _marks(row)
        tds = []
        for j, (heading_j, text) in enumerate(zip(headings, row_cells, strict=True)):
            if j < report.grouped:
                span = _span(cells, index, j)
                if span == 0:
                    continue  # written once, above, for the whole run
                shown = esc(text, dates_whole=heading_j not in UNBROKEN)
                tds.append(f'<td class="group{_nowrap(heading_j, inner=True)}" rowspan="{span}">{shown}</td>')
            else:
                tds.append(_cell(heading_j, text, marks if heading_j == "Ref" else []))
        css = f' class="{" ".join(marks)}"' if marks else ""
        body.append(f"<tr{css}>" + "".join(tds) + "</tr>\n")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>\n{''.join(body)}</tbody></table>"
    return f"<section>\n{heading}\n{table}\n</section>"


def _span(cells: list[list[str]], index: int, column: int) -> int:
    """The rows a grouped cell spans: 0 where the row above already began the run."""
    key = cells[index][: column + 1]
    if index and cells[index - 1][: column + 1] == key:
        return 0
    span = 1
    while index + span < len(cells) and cells[index + span][: column + 1] == key:
        span += 1
    return span


def _marks(row: Row) -> list[str]:
    if not isinstance(row, TrackerRow):
        return []
    return (["overdue"] if row.overdue else []) + (["closed"] if row.status == "closed" else [])


def _width(heading: str) -> str:
    return f' style="width: {_WIDTHS[heading]}"' if heading in _WIDTHS else ""


def _nowrap(heading: str, inner: bool = False) -> str:
    if heading not in UNBROKEN:
        return ""
    return " nowrap" if inner else ' class="nowrap"'


def _cell(heading: str, text: str, marks: list[str]) -> str:
    classes = [f"rag-{text.lower()}"] if heading == "RAG" and text.lower() in ("green", "amber", "red") else []
    if heading in UNBROKEN:
        classes.append("nowrap")
    css = f' class="{" ".join(classes)}"' if classes else ""
    flags = "".join(f'<br><span class="mark">{mark.upper()}</span>' for mark in marks)
    return f"<td{css}>{esc(text, dates_whole=heading not in UNBROKEN)}{flags}</td>"
