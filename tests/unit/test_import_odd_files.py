"""Odd files a clerk may bring: a file's name with control characters in it, list numbers Word makes, formulas
no program calculated. Each is read as the clerk sees it, or refused naming the row, the column and the rule."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from scrutiny_es.adapters.importers import CannotImport, read_tables
from scrutiny_es.adapters.importers.minutes import draft_minutes
from tests.unit.import_plans import errors, made
from tests.unit.import_plans import plan as planned
from tests.unit.test_minutes import convert
from tests.unit.tracker_files import word_document

HEADER = ["Ref", "Date", "Item", "Recommendation/Action", "Responsible Person", "Notes"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_a_files_name_with_a_newline_or_an_escape_is_shown_escaped_in_a_refusal(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tracker\x1b[2J\nline{suffix}"
    path.write_bytes(b"")

    with pytest.raises(CannotImport) as refused:
        read_tables(path)

    assert str(refused.value) == f"tracker\\x1b[2J\\nline{suffix} is empty"


def test_a_workbooks_name_with_an_escape_is_shown_escaped_when_it_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "\x1b]0;owned\x07tracker.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip")

    with pytest.raises(CannotImport, match=r"^\\x1b\]0;owned\\x07tracker\.xlsx is damaged"):
        read_tables(path)


def test_minutes_whose_files_name_holds_control_characters_name_it_escaped(tmp_path: Path) -> None:
    path = tmp_path / "minutes\r\x1b[1A.txt"
    path.write_text("Minutes of the meeting held on 9 January 2024\n\n236. Parks\n\n"
                    "RESOLVED that the Head of Parks reports on tree planting.\n", encoding="utf-8")  # fmt: skip

    assert draft_minutes(path, "BC").source == "minutes\\x0d\\x1b[1A.txt"
    empty = tmp_path / "empty\n.md"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CannotImport, match=r"^empty\\n\.md is empty$"):
        draft_minutes(empty, "BC")


# Excel: formulas


def formula_workbook(path: Path) -> Path:
    """A tracker whose refs and item are formulas, saved by openpyxl: a program that stores formulas uncalculated."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["R1", "23/02/2023", "Parks", "That parks open late.", "Cllr Padda", "Survey under way."])
    sheet.append(['="R"&(ROW()-1)', "23/02/2023", "=C2", "That pools open early.", "Cllr Padda", ""])
    book.save(path)
    return path


def test_a_formula_no_program_calculated_is_refused_naming_its_row_column_and_what_to_do(tmp_path: Path) -> None:
    result = planned(*read_tables(formula_workbook(tmp_path / "tracker.xlsx")))

    assert errors(result) == [
        'sheet "Sheet" row 3, column "Item": "=C2" is a formula whose value the file does not hold: it was saved by '
        "a program that does not calculate formulas; open it in Excel or LibreOffice and save it again",
        'sheet "Sheet" row 3, column "Ref": "="R"&(ROW()-1)" is a formula whose value the file does not hold: '
        "it was saved by a program that does not calculate formulas; open it in Excel or LibreOffice and save it again",
    ]
    assert [c["ref"] for c in made(result)] == ["R1"]


def test_a_formula_with_its_value_stored_reads_as_the_value_and_a_calculated_blank_as_blank(tmp_path: Path) -> None:
    path = formula_workbook(tmp_path / "tracker.xlsx")
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<c r="A3"><f>', '<c r="A3" t="str"><f>').replace("</f><v></v>", "</f><v>R2</v>", 1)
    sheet = sheet.replace('<c r="D3"', '<c r="G3" t="str"><f>IF(A1="x","x","")</f><v></v></c><c r="D3"')
    assert sheet.count("<v>R2</v>") == 1 and sheet.count("<v></v>") == 2
    with zipfile.ZipFile(path, "w") as target:  # as Excel saves it: each formula's value stored beside it
        for name, data in parts.items():
            target.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else data)

    [table] = read_tables(path)

    assert table.rows[2].cells == ("R2", "23/02/2023", "", "That pools open early.", "Cllr Padda")
    assert [(u.index, u.value) for u in table.rows[2].unreadable] == [(2, "=C2")]  # still uncalculated: said


# Word: list numbers in a table


def listed_document(path: Path, way: str = "decimal") -> Path:
    """Three tables whose Ref cells are numbered by Word, not typed: a numbered paragraph before them in the style
    "List Number"; then two lists of one definition (a level "%1", a sub-level "%1.%2"), the second counting on
    from the first, and a third restarting at 7 (Word's "Set numbering value")."""
    document = docx.Document()
    document.add_paragraph("Recommendations of the Board", style="List Number")
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:multiLevelType w:val="hybridMultilevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{way}"/><w:lvlText w:val="%1"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2"/></w:lvl>'
        "</w:abstractNum>"
    ))  # fmt: skip
    for num, restart in (("91", ""), ("92", ""), ("93", '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/>'
                                                         "</w:lvlOverride>")):  # fmt: skip
        numbering.append(
            parse_xml(f'<w:num {nsdecls("w")} w:numId="{num}"><w:abstractNumId w:val="90"/>{restart}</w:num>')
        )
    for num, levels in ((None, [0, 0]), ("91", [0, 0, 1, 1, 0]), ("93", [0, 0])):
        table = document.add_table(rows=len(levels) + 1, cols=3)
        for c, header in enumerate(["Ref", "Date", "Recommendation"]):
            table.cell(0, c).text = header
        for r, level in enumerate(levels, start=1):
            ref = table.cell(r, 0).paragraphs[0]
            if num is None:
                ref.style = document.styles["List Number"]
            else:
                ref._p.get_or_add_pPr().insert(0, parse_xml(
                    f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'
                ))  # fmt: skip
            table.cell(r, 1).text = "23/02/2023"
            table.cell(r, 2).text = f"That the Board hears item {num} {r}."
        document.add_paragraph("")
    document.save(str(path))
    return path


def test_refs_numbered_by_word_read_as_word_and_libreoffice_show_them(tmp_path: Path) -> None:
    path = listed_document(tmp_path / "tracker.docx")

    refs = [row.cells[0] for table in read_tables(path) for row in table.rows[1:]]

    assert refs == ["2.", "3.", "1", "2", "2.a", "2.b", "3", "7", "8"]
    lines = [line.strip() for line in convert(path, "txt", tmp_path).read_text(encoding="utf-8-sig").splitlines()]
    lone = [line for line in lines if line and " " not in line and "/" not in line]  # each cell is a line
    assert [line for line in lone if line not in ("Ref", "Date", "Recommendation")] == refs  # as LibreOffice shows
    result = planned(*read_tables(path))
    assert errors(result) == []
    assert [c["ref"] for c in made(result)] == refs
    assert [warning for warning in result.warnings if "list numbering" in warning] == [
        f"table {n}: rows 2 and others hold only a number Word's list numbering makes, read as Word shows it; Word "
        "renumbers the list when a row is added or taken out, so a Ref made so may name another item next time: type "
        "the refs as text"
        for n in (1, 2, 3)
    ]


def test_a_ref_numbered_by_word_in_a_way_not_read_is_refused_naming_its_row_column_and_what_to_do(
    tmp_path: Path,
) -> None:
    result = planned(*read_tables(listed_document(tmp_path / "tracker.docx", way="ordinal")))

    assert errors(result)[0] == (
        'table 2 row 2, column "Ref": is a list number Word makes (written as "ordinal"), which the import does not '
        "read: type the number as text"
    )
    assert len(errors(result)) == 7
    assert [c["ref"] for c in made(result)] == ["2.", "3."]


# Word: content controls and tables in cells


ROWS = [
    ["Ref", "Date", "Item", "Recommendation", "Lead Officer"],
    ["R1", "23/02/2023", "Parks", "That parks open.", "Jo Li"],
    ["R2", "23/02/2023", "Pools", "That pools open.", "Jo Li"],
]


def wrapped(element: Any) -> None:
    """``element`` put inside a content control, as Word's Developer tab or a council's template puts it."""
    control = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:tag w:val="x"/></w:sdtPr><w:sdtContent/></w:sdt>')
    element.addprevious(control)
    control[1].append(element)


def test_rows_cells_and_tables_inside_content_controls_are_read_as_word_and_libreoffice_show_them(
    tmp_path: Path,
) -> None:
    path = word_document(tmp_path / "tracker.docx", ROWS, ROWS)
    document = docx.Document(str(path))
    first, second = (table._tbl for table in document.tables)
    wrapped(first.tr_lst[2])  # a repeating section: the row R2
    wrapped(first.tr_lst[1].tc_lst[3])  # a text control over R1's recommendation
    wrapped(second)  # the whole second table
    document.save(str(path))

    tables = read_tables(path)

    assert [[row.cells for row in table.rows] for table in tables] == [[tuple(row) for row in ROWS]] * 2
    shown = convert(path, "txt", tmp_path).read_text(encoding="utf-8-sig").split("\n")
    assert [line for line in shown if line in ("That parks open.", "That pools open.")] == [ROWS[1][3], ROWS[2][3]] * 2


def test_a_table_inside_a_cell_is_read_as_the_cells_lines_not_left_out(tmp_path: Path) -> None:
    path = word_document(tmp_path / "tracker.docx", ROWS)
    document = docx.Document(str(path))
    inner = document.tables[0].cell(1, 4).add_table(rows=2, cols=1)
    inner.cell(0, 0).text, inner.cell(1, 0).text = "Matt Huggins", "Dawn Winter"
    document.save(str(path))

    [table] = read_tables(path)
    result = planned(table)

    assert table.rows[1].cells[4] == "Jo Li\nMatt Huggins\nDawn Winter"
    assert [a["name"] for a in made(result)[0]["addressees"]] == ["Jo Li", "Matt Huggins", "Dawn Winter"]
    assert len(read_tables(path)) == 1  # the table in the cell is no table of its own


def test_an_error_excel_shows_where_a_value_should_be_is_refused_not_read_as_words(tmp_path: Path) -> None:
    path = formula_workbook(tmp_path / "tracker.xlsx")
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()  # as Excel saves a ref whose row was deleted: #REF!
    sheet = sheet.replace('<c r="A3"><f>', '<c r="A3" t="e"><f>').replace("</f><v></v>", "</f><v>#REF!</v>", 1)
    sheet = sheet.replace('<c r="C3"><f>C2</f><v></v>', '<c r="C3" t="str"><f>C2</f><v>Parks</v>')
    sheet = sheet.replace('<c r="F3"', '<c r="F3" t="e"><v>#N/A</v></c><c r="G3"')
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else data)

    result = planned(*read_tables(path))

    assert errors(result) == [
        'sheet "Sheet" row 3, column "Ref": "#REF!" is an error Excel shows where a value should be: put its '
        "formula right, or type the value",
        'sheet "Sheet" row 3, column "Notes": "#N/A" is an error Excel shows where a value should be: put its '
        "formula right, or type the value",
    ]


# Files that are not what their names say


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("t.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "t.csv is not CSV text: it is a PDF document; give the "
         "tracker's Word, Excel or CSV file"),
        ("t.csv", b"\xef\xbb\xbf<!DOCTYPE html><html><table><tr><td>Ref</td></tr></table>", "t.csv is not CSV text: "
         "it is a web page (HTML) or XML; open it in Excel and save it as .xlsx or CSV UTF-8"),
        ("t.xlsx", b"  <html><body><table><tr><td>Ref</td></tr></table>", "t.xlsx is not a .xlsx file: it is a web "
         "page (HTML) or XML; open it in Excel and save it as .xlsx or CSV UTF-8"),
        ("t.docx", b"<html><body><table><tr><td>Ref</td></tr></table>", "t.docx is not a .docx file: it is a web "
         "page (HTML) or XML; open it in Word and save it as .docx"),
        ("t.docx", b"{\\rtf1\\ansi Ref", "t.docx is not a .docx file: it is an RTF document; open it in Word and save "
         "it as .docx"),
    ],
)  # fmt: skip
def test_a_pdf_web_page_or_rtf_file_given_a_trackers_name_is_said_to_be_what_it_is(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    (tmp_path / name).write_bytes(content)

    with pytest.raises(CannotImport) as refused:
        read_tables(tmp_path / name)

    assert str(refused.value) == said


def test_a_libreoffice_document_renamed_docx_is_said_to_be_one(tmp_path: Path) -> None:
    odt = convert(word_document(tmp_path / "tracker.docx", ROWS), "odt", tmp_path)
    renamed = odt.rename(tmp_path / "renamed.docx")

    with pytest.raises(CannotImport) as refused:
        read_tables(renamed)

    assert str(refused.value) == (
        "renamed.docx is an OpenDocument text (as LibreOffice saves by default), not a Word document: open it and "
        "save it as .docx (File, Save As)"
    )


# Excel: what a clerk hid


def test_rows_columns_and_sheets_hidden_in_excel_are_read_and_said_to_be(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for n in range(1, 5):
        sheet.append([f"R{n}", "23/02/2023", "Parks", f"That parks open {n}.", "Cllr Padda", f"Note {n}"])
    sheet.row_dimensions[3].hidden = sheet.row_dimensions[5].hidden = True  # as a filter hides them
    sheet.column_dimensions["F"].hidden = True
    sheet.column_dimensions["H"].hidden = True  # nothing in it: nothing to say
    old = book.create_sheet("Old")
    old.append(HEADER)
    old.append(["R9", "23/02/2022", "Pools", "That pools open.", "Cllr Padda", ""])
    old.sheet_state = "hidden"
    book.save(tmp_path / "tracker.xlsx")

    result = planned(*read_tables(tmp_path / "tracker.xlsx"))

    assert [c["ref"] for c in made(result)] == ["R1", "R2", "R3", "R4", "R9"]
    assert result.warnings == [
        'sheet "Sheet": rows 3 and 5 are hidden in Excel (or filtered out), and read as any other: delete them to leave '
        "them out",
        'sheet "Sheet": column F is hidden in Excel, and read as any other column',
        'sheet "Old" is hidden in Excel; it is read as any other (--sheet NAME reads one sheet only)',
    ]


# Word: what no program that writes Word documents writes


def rewritten(path: Path, part: str, change: Any) -> Path:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_content_nested_thousands_deep_is_refused_in_one_sentence_by_both_readers(tmp_path: Path) -> None:
    deep = (
        b"<w:sdt><w:sdtContent>" * 20_000
        + b"<w:p><w:r><w:t>Minutes</w:t></w:r></w:p>"
        + b"</w:sdtContent></w:sdt>" * 20_000
    )
    path = rewritten(word_document(tmp_path / "t.docx", ROWS), "word/document.xml",
                     lambda xml: xml.replace(b"<w:body>", b"<w:body>" + deep))  # fmt: skip

    with pytest.raises(CannotImport, match=r"^t\.docx is not a Word document as Office writes one \(its content is "
                       r"nested too deeply\)$"):  # fmt: skip
        read_tables(path)
    with pytest.raises(CannotImport, match=r"^t\.docx is not a Word document as Word writes one"):
        draft_minutes(path, "BC")


def test_a_list_level_or_start_no_program_writes_is_refused_or_read_not_a_traceback(tmp_path: Path) -> None:
    path = listed_document(tmp_path / "t.docx")
    rewritten(path, "word/numbering.xml", lambda xml: xml.replace(
        b'<w:lvl w:ilvl="1"><w:start w:val="1"/>', b'<w:lvl w:ilvl="1"><w:start w:val="99999999999999"/>'
    ))  # fmt: skip
    rewritten(path, "word/document.xml", lambda xml: xml.replace(b'<w:ilvl w:val="0"/><w:numId w:val="93"/>',
                                                                  b'<w:ilvl w:val="12"/><w:numId w:val="93"/>'))  # fmt: skip

    result = planned(*read_tables(path))
    drafted = draft_minutes(path, "BC", meeting_date=date(2024, 2, 23))

    assert [c["ref"] for c in made(result)] == ["2.", "3.", "1", "2", "2.a", "2.b", "3"]
    assert errors(result) == [
        f'table 3 row {n}, column "Ref": is a list number Word makes (of a level its list does not define), which the '
        "import does not read: type the number as text"
        for n in (2, 3)
    ]
    assert drafted.meeting_date == date(2024, 2, 23)
