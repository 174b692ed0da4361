"""A tracker kept as a table in a Word document: each table's rows as the page shows them.

Tracked changes read accepted, text boxes left out; a row, a cell or a whole table inside a
content control is read as any other, a table inside a cell as the cell's lines, and a number
Word's own list numbering shows is read as shown (``numbering``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.limits import MAX_COLUMNS, MAX_ROWS
from scrutiny_es.adapters.importers.numbering import Label, ListNumbers, W
from scrutiny_es.adapters.importers.source import SourceTable, Unreadable, cell_text, damaged, rows_of


def read_docx(path: Path) -> list[SourceTable]:
    import docx

    try:
        document = docx.Document(str(path))
        labels = _list_labels(document)
        tables = []
        for number, tbl in enumerate(document.element.body.xpath(_TABLES), start=1):
            numbered: list[int] = []
            rows = rows_of(_word_rows(tbl, f"{escaped(path.name)}: table {number}", labels, numbered))
            tables.append(SourceTable(f"table {number}", "table", rows, _renumbered(f"table {number}", numbered)))
        return tables
    except CannotImport:
        raise
    except Exception as e:  # a damaged document can make python-docx or lxml raise almost anything
        raise CannotImport(damaged(escaped(path.name), "a Word document", e)) from None


def _list_labels(document: Any) -> dict[Any, Label]:
    """What Word shows before each paragraph of a list, counted through the whole document in its order."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part  # its parts looked up, not asked for: python-docx adds an empty one it does not find
    numbers = ListNumbers(_related(part, RT.NUMBERING), _related(part, RT.STYLES))
    if not numbers.any:
        return {}
    labels = {}
    for paragraph in document.element.body.xpath(".//w:p[not(ancestor::w:txbxContent)]"):
        label = numbers.label(paragraph)
        if label is not None:
            labels[paragraph] = label
    return labels


def _related(part: Any, kind: str) -> Any:
    for rel in part.rels.values():
        if rel.reltype == kind and not rel.is_external:
            return getattr(rel.target_part, "element", None)
    return None


_TABLES = ".//w:tbl[not(ancestor::w:tbl or ancestor::w:txbxContent)]"
"""Every table of the body, in a content control or not; not one inside another's cell (that is the cell's text),
nor in a text box."""
_WRAPPERS = {f"{W}sdt": f"{W}sdtContent", f"{W}customXml": None}
"""What may wrap a table's rows, a row's cells or a cell's paragraphs: a content control (a repeating section, a
plain text control over a cell), custom XML."""


def _within(element: Any, tag: str) -> Iterator[Any]:
    """The children of ``element`` with ``tag``, those inside content controls and custom XML too, in order."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            content = child if _WRAPPERS[child.tag] is None else child.find(_WRAPPERS[child.tag])
            if content is not None:
                yield from _within(content, tag)


def _renumbered(table: str, numbered: list[int]) -> tuple[str, ...]:
    if not numbered:
        return ()
    rows = f"rows {numbered[0]} and others hold" if len(numbered) > 1 else f"row {numbered[0]} holds"
    return (f"{table}: {rows} only a number Word's list "
            "numbering makes, read as Word shows it; Word renumbers the list when a row is added or taken out, so a "
            "Ref made so may name another item next time: type the refs as text",)  # fmt: skip


def _word_rows(
    tbl: Any, where: str, labels: dict[Any, Label], numbered: list[int]
) -> Iterator[tuple[int, list[str | Unreadable]]]:
    """Rows of a Word table, one text per grid column: a cell spanning columns gives its text to the first.
    ``numbered`` is given the rows with a cell holding nothing but a number of Word's list numbering."""
    rows = list(_within(tbl, f"{W}tr"))
    if len(rows) > MAX_ROWS:
        msg = f"{where} has {len(rows):,} rows; the import reads tables of at most {MAX_ROWS:,}"
        raise CannotImport(msg)
    for number, tr in enumerate(rows, start=1):
        tcs = list(_within(tr, f"{W}tc"))
        width = tr.grid_before + sum(tc.grid_span for tc in tcs)
        if width > MAX_COLUMNS:
            msg = f"{where} row {number} spans {width:,} columns; the import reads tables of at most {MAX_COLUMNS}"
            raise CannotImport(msg)
        cells: list[str | Unreadable] = [""] * tr.grid_before
        for tc in tcs:
            cells.append("" if tc.vMerge == "continue" else _word_cell(tc, len(cells), labels))
            cells.extend([""] * (tc.grid_span - 1))
            if labels and _only_a_number(tc, labels) and (not numbered or numbered[-1] != number):
                numbered.append(number)
        yield number, cells


def _only_a_number(tc: Any, labels: dict[Any, Label]) -> bool:
    """Whether the cell shows nothing but a number of Word's list numbering, as a Ref column numbered so does."""
    paragraphs = list(_cell_paragraphs(tc))
    found = [labels.get(p) for p in paragraphs]
    return sum(label is not None and label.kind == "number" for label in found) == 1 and not any(
        _word_paragraph_text(p).strip() for p in paragraphs
    )


def _cell_paragraphs(element: Any) -> Iterator[Any]:
    """A cell's paragraphs as the page shows them, in order: those of a table inside it too, a line a cell."""
    for child in element:
        if child.tag == f"{W}p":
            yield child
        elif child.tag == f"{W}tbl":
            for tr in _within(child, f"{W}tr"):
                for tc in _within(tr, f"{W}tc"):
                    yield from _cell_paragraphs(tc)
        elif child.tag in _WRAPPERS:
            content = child if _WRAPPERS[child.tag] is None else child.find(_WRAPPERS[child.tag])
            if content is not None:
                yield from _cell_paragraphs(content)


_RUN_PARTS = (
    ".//w:r[not(ancestor::w:txbxContent or ancestor::w:del or ancestor::w:moveFrom)]"
    "/*[self::w:t or self::w:tab or self::w:cr or self::w:br or self::w:noBreakHyphen]"
)
"""The text of a paragraph as it reads on the page: insertions of tracked changes in, deletions and text boxes out;
a break of any kind parts lines, and Word's non-breaking hyphen ("2023-24", "re-opening") is a hyphen."""


_MARKS = {"tab": "\t", "noBreakHyphen": "-"}


def _word_cell(tc: Any, index: int, labels: dict[Any, Label]) -> str | Unreadable:
    """A cell's text as the page shows it: a list's number before its paragraph ("1."), a bullet left out."""
    lines, unread = [], ""
    for p in _cell_paragraphs(tc):
        text, label = _word_paragraph_text(p), labels.get(p)
        if label is not None and label.kind == "number":
            text = f"{label.text} {text}" if text.strip() else label.text
        elif label is not None and label.kind == "unread":
            unread = unread or label.why
        lines.append(text)
    if unread:
        rule = f"is a list number Word makes ({unread}), which the import does not read: type the number as text"
        return Unreadable(index, cell_text("\n".join(lines)), rule)
    return "\n".join(lines)


def _word_paragraph_text(p: Any) -> str:
    parts = []
    for part in p.xpath(_RUN_PARTS):
        tag = part.tag.rpartition("}")[2]
        parts.append((part.text or "") if tag == "t" else _MARKS.get(tag, "\n"))
    return "".join(parts)
