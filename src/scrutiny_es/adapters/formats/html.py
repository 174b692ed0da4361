"""The report as one self-contained HTML page, laid out for printing on A4 landscape."""

from __future__ import annotations

import html

from scrutiny_es.adapters.formats import Report
from scrutiny_es.adapters.formats.text import visible

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; margin: 0 auto; max-width: 290mm; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 12pt; font-weight: normal; margin: 0 0 8pt; }
section { margin-bottom: 18pt; }
section + section { page-break-before: always; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; }
th { background: #d9d9d9; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
td.rag-green { background: #92d050; } td.rag-amber { background: #ffc000; } td.rag-red { background: #ff5050; }
p.empty { font-style: italic; }
footer { font-size: 8pt; color: #444; margin-top: 6pt; }
"""


def render_html(report: Report) -> str:
    def esc(text: str) -> str:
        return html.escape(visible(text))

    sections = report.by_body() or [(code, []) for code in report.bodies] or [("", [])]
    parts = []
    for code, rows in sections:
        head = "".join(f"<th>{esc(h)}</th>" for h, _ in report.kind.columns)
        body = "".join(
            "<tr>" + "".join(_html_cell(header, cell(row)) for header, cell in report.kind.columns) + "</tr>\n"
            for row in rows
        )
        table = (
            f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"
            if rows
            else '<p class="empty">Nothing to show.</p>'
        )
        heading = f"<h1>{esc(report.bodies.get(code, code))}</h1>\n<h2>{esc(report.title)}</h2>"
        parts.append(f"<section>\n{heading}\n{table}\n</section>")
    names = ", ".join(report.bodies.values())
    title = esc(f"{names}: {report.title}" if names else report.title)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + f"\n<footer>{len(report.rows)} row{'s' * (len(report.rows) != 1)}. "
        "Produced by scrutiny_es from the recorded events.</footer>\n"
        "</body>\n</html>\n"
    )


def _html_cell(header: str, text: str) -> str:
    css = f' class="rag-{text.lower()}"' if header == "RAG" and text else ""
    return f"<td{css}>{html.escape(visible(text)).replace(chr(10), '<br>')}</td>"
