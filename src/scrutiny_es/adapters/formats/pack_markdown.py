"""The standing item as Markdown: the report's text, its tables as Markdown tables.

A Markdown table can merge no cells, so the appendix's Date and Item are left blank below the first
row of their run, as the agenda's text does.
"""

from __future__ import annotations

from scrutiny_es.adapters.formats.markdown import cell as md_cell
from scrutiny_es.adapters.formats.pack import NO_ITEMS, Cell, Para, Part, StandingItem, Table, full_date


def pack_markdown(item: StandingItem) -> str:
    """The standing item as Markdown text."""
    out = [md_cell(item.council), ""] if item.council else []
    out += [f"# Report to {md_cell(item.body_name)}", "", f"**{full_date(item.meeting)}**", ""]
    out += [f"{heading}: {md_cell(', '.join(lines))}  " for heading, lines in item.particulars] + [""]
    for section in item.sections:
        out += [f"## {section.number} {section.heading}", ""]
        for block in section.blocks:
            if isinstance(block, Para):
                out += [f"{block.number} {md_cell(block.text)}".strip(), ""]
            elif isinstance(block, Part):
                out += [f"### {block.number} {block.heading}", "", md_cell(block.lead), ""]
                out += [*_md_table(block.table), ""] if block.table else ["None.", ""]
            else:
                for heading, text in block.rows:
                    paragraphs = [md_cell(p) for p in text.split("\n\n")]
                    if "\n" in heading:  # a list (the Corporate Plan's objectives), then the text
                        out += [*(f"- {md_cell(line)}" for line in heading.split("\n")), "", *paragraphs, ""]
                    else:
                        out += [f"**{md_cell(heading)}** " + " ".join(paragraphs), ""]
    out += [f"## {md_cell(item.appendix_title)}", "", *(_md_table(item.appendix) if item.appendix else [NO_ITEMS]), ""]
    if item.seal_note:
        out += [f"Clerk's note: {md_cell(item.seal)}", ""]
    return "\n".join(out)


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.headings) + " |", "|" + "---|" * len(table.headings)]
    for index, row in enumerate(table.rows):
        cells = ["" if j < table.merged and table.span(index, j) == 0 else _md(c) for j, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _md(cell: Cell) -> str:
    return "<br>".join(f"**{md_cell(line.text)}**" if line.mark == "strong" else md_cell(line.text) for line in cell
                       if line.text)  # fmt: skip
