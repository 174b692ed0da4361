"""Odd files a clerk may bring: a file's name with control characters in it, list numbers Word makes, formulas
no program calculated. Each is read as the clerk sees it, or refused naming the row, the column and the rule."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from scrutiny_es.adapters.importers import CannotImport, read_tables
from scrutiny_es.adapters.importers.minutes import draft_minutes
from tests.unit.import_plans import errors, made
from tests.unit.import_plans import plan as planned

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
