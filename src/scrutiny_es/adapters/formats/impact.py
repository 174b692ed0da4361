"""Impact figures (DESIGN 5.5) as a terminal table, Markdown, or an HTML page with bar charts.

Input is the rows as ``impact --format json`` gives them: one dict per group with the contract's
fields. The page draws its charts as inline SVG, so it needs no script, no file beside it and no
network, prints as it shows, and every bar carries its count and its legend in words.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scrutiny_es.adapters.formats.html import esc, page
from scrutiny_es.adapters.formats.markdown import cell as md_cell
from scrutiny_es.adapters.formats.table import Sheet, lay_out
from scrutiny_es.adapters.formats.text import visible

ImpactRow = Mapping[str, Any]
"""One group's figures: ``group``, ``made``, ``referred``, ``responded``, ``responded_on_time``, ``awaiting``,
``awaiting_overdue``, ``median_days_to_respond``, ``accepted``, ``partially_accepted``, ``rejected``, ``noted``,
``acceptance_rate``, ``closed``, ``implemented``, ``partially_implemented``, ``not_implemented``,
``implementation_rate``, ``open``, ``overdue``, ``revised``, ``revisions``."""

RESPONSES = (
    ("made", "Made"), ("referred", "Referred"), ("responded", "Responded"), ("responded_on_time", "On time"),
    ("awaiting", "Awaiting"), ("awaiting_overdue", "Awaiting, overdue"), ("median_days_to_respond", "Median days"),
    ("accepted", "Accepted"), ("partially_accepted", "Partially accepted"), ("rejected", "Rejected"),
    ("noted", "Noted"), ("acceptance_rate", "Acceptance rate"),
)  # fmt: skip
"""The figures about recommendations and the responses to them, with their headings."""

OUTCOMES = (
    ("closed", "Closed"), ("implemented", "Implemented"), ("partially_implemented", "Partially implemented"),
    ("not_implemented", "Not implemented"), ("implementation_rate", "Implementation rate"), ("open", "Open"),
    ("overdue", "Overdue"), ("revised", "Target date revised"), ("revisions", "Revisions"),
)  # fmt: skip
"""The figures about what became of them."""

_RATES = {"acceptance_rate", "implementation_rate"}

DECISIONS = (("accepted", "Accepted", "#2e7d32"), ("partially_accepted", "Partially accepted", "#9ccc65"),
             ("rejected", "Rejected", "#c62828"), ("noted", "Noted", "#5c6bc0"),
             ("awaiting", "Awaiting a response", "#bdbdbd"))  # fmt: skip
"""The responses chart's bars: each group's referrals by decision, and those still awaited."""

ENDS = (("implemented", "Implemented", "#2e7d32"), ("partially_implemented", "Partially implemented", "#9ccc65"),
        ("not_implemented", "Not implemented", "#c62828"), ("closed_otherwise", "Closed otherwise", "#8d6e63"),
        ("open", "Open", "#bdbdbd"))  # fmt: skip
"""The outcomes chart's bars; "closed otherwise" is the closed ones superseded, withdrawn or no longer monitored."""

_DARK = {"#2e7d32", "#c62828", "#5c6bc0", "#8d6e63"}


def figure(row: ImpactRow, field: str) -> str:
    """A figure as a reader takes it: a rate as a percentage, a missing one (nothing to divide by) as a dash."""
    value = row.get(field)
    if value is None:
        return "–"
    if field in _RATES:
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _sheets(rows: Sequence[ImpactRow]) -> list[tuple[str, list[str], list[list[str]]]]:
    return [
        (name, ["Group", *(h for _, h in figures)],
         [[visible(str(row["group"])), *(figure(row, f) for f, _ in figures)] for row in rows])
        for name, figures in (("Responses", RESPONSES), ("Outcomes", OUTCOMES))
    ]  # fmt: skip


def impact_table(rows: Sequence[ImpactRow], title: str, width: int = 160) -> str:
    """The figures for a terminal: a table of responses and one of outcomes, or a card per group when narrow."""
    unbroken = frozenset(h for _, h in (*RESPONSES, *OUTCOMES))
    return "\n".join(
        lay_out([visible(title), name], Sheet(headings, grid, unbroken, grouped=1), width)
        for name, headings, grid in _sheets(rows)
    )


def impact_markdown(rows: Sequence[ImpactRow], title: str) -> str:
    """The figures as two plain Markdown tables."""
    out = [f"# {md_cell(title)}", ""]
    for name, headings, grid in _sheets(rows):
        out += [f"## {name}", "", "| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
        out += ["| " + " | ".join(md_cell(c) for c in line) + " |" for line in grid]
        out.append("")
    return "\n".join(out)


IMPACT_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; margin: 0 auto; max-width: 273mm;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 15pt; margin: 0 0 8pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; }
th { background: #d9d9d9; text-align: left; }
tbody th { background: none; font-weight: normal; }
td.n { text-align: right; white-space: nowrap; }
figure { margin: 8pt 0 14pt; page-break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: 4pt; }
svg { display: block; max-width: 100%; height: auto; }
p.empty { font-style: italic; }
"""


def impact_html(rows: Sequence[ImpactRow], title: str, said: str = "") -> str:
    """One page: the figures in two tables, and bar charts of responses and outcomes per group; ``said``: a
    closing sentence (how many exempt items the figures leave out)."""
    closing = f'\n<p class="withheld">{esc(said, False)}</p>' if said else ""
    if not rows:
        empty = f'<h1>{esc(title, False)}</h1>\n<p class="empty">Nothing to show.</p>'
        return page(title, empty + closing, IMPACT_CSS)
    parts = [f"<h1>{esc(title, False)}</h1>"]
    parts.append(_chart("Responses by decision, per group", rows, DECISIONS, lambda r, f: int(r.get(f) or 0)))
    parts.append(_chart("Outcomes, per group", rows, ENDS, _outcome))
    for name, headings, grid in _sheets(rows):
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headings)
        body = "".join(
            f'<tr><th scope="row">{esc(line[0], False)}</th>'
            + "".join(f'<td class="n">{c}</td>' for c in line[1:])
            + "</tr>\n"
            for line in grid
        )
        parts.append(f"<h2>{name}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>")
    return page(title, "\n".join(parts) + closing, IMPACT_CSS)


def _outcome(row: ImpactRow, field: str) -> int:
    if field == "closed_otherwise":
        ended = sum(int(row.get(f) or 0) for f in ("implemented", "partially_implemented", "not_implemented"))
        return max(int(row.get("closed") or 0) - ended, 0)
    return int(row.get(field) or 0)


_WIDTH, _LABEL, _BAR, _GAP = 760, 16, 20, 12
"""The chart's width and each group's label line, bar height and gap, in SVG units."""


def _chart(
    caption: str,
    rows: Sequence[ImpactRow],
    series: Sequence[tuple[str, str, str]],
    count: Callable[[ImpactRow, str], int],
) -> str:
    """A horizontal stacked bar per group, on one scale, each part with its count, and a legend in words."""
    values = [[count(row, field) for field, _, _ in series] for row in rows]
    longest = max((sum(v) for v in values), default=0) or 1
    scale = (_WIDTH - 60) / longest
    step = _LABEL + _BAR + _GAP
    legend_y = len(rows) * step + 6
    height = legend_y + 22
    shapes = []
    for i, (row, counts) in enumerate(zip(rows, values, strict=True)):
        top = i * step
        label = visible(str(row["group"]))
        shown = label if len(label) <= 100 else label[:99] + "…"
        shapes.append(f'<text x="0" y="{top + 12}" font-size="12">{html.escape(shown)}</text>')
        x = 0.0
        for (_, name, colour), n in zip(series, counts, strict=True):
            if not n:
                continue
            w = n * scale
            shapes.append(
                f'<rect x="{x:.1f}" y="{top + _LABEL}" width="{w:.1f}" height="{_BAR}" fill="{colour}">'
                f"<title>{html.escape(label)}: {name} {n}</title></rect>"
            )
            if w >= 18:
                ink = "#fff" if colour in _DARK else "#000"
                shapes.append(f'<text x="{x + w / 2:.1f}" y="{top + _LABEL + 14}" font-size="11" fill="{ink}" '
                              f'text-anchor="middle">{n}</text>')  # fmt: skip
            x += w
        total = sum(counts) or "none"
        shapes.append(f'<text x="{x + 6:.1f}" y="{top + _LABEL + 14}" font-size="11">{total}</text>')
    x = 0
    for _, name, colour in series:
        shapes.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{colour}"/>')
        shapes.append(f'<text x="{x + 16}" y="{legend_y + 10}" font-size="11">{name}</text>')
        x += 28 + 7 * len(name)
    names = ", ".join(name for _, name, _ in series)
    return (
        f"<figure>\n<figcaption>{html.escape(caption)}</figcaption>\n"
        f'<svg viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" '
        f'height="{height}" role="img" aria-label="{html.escape(caption)}: {names}">\n'
        + "\n".join(shapes)
        + "\n</svg>\n</figure>"
    )
