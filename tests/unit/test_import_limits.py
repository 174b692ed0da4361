"""A small file that would expand to gigabytes is refused with one sentence, at once, before it is read in full.

Each bomb is built here, a few kilobytes on disk; each refusal must come within seconds.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scrutiny_es.adapters.importers import CannotImport, read_tables
from scrutiny_es.adapters.importers.limits import MAX_SHOWN, capped
from tests.unit.tracker_files import csv_file, word_document, workbook

HEADER = ["No.", "Meeting date", "Topic", "Resolution"]
ROW = ["1", "14/11/2023", "Winter", "That the plan is published."]


@contextmanager
def quickly(seconds: float = 5.0) -> Iterator[None]:
    started = time.perf_counter()
    yield
    assert time.perf_counter() - started < seconds


def rezipped(path: Path, parts: dict[str, bytes]) -> Path:
    """The same Office file with some of its parts replaced (or added), written compressed."""
    with zipfile.ZipFile(path) as source:
        kept = {info.filename: source.read(info) for info in source.infolist() if info.filename not in parts}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in {**kept, **parts}.items():
            target.writestr(name, data)
    assert path.stat().st_size < 1_000_000  # small on disk
    return path


def sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        f'main"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def refusal(path: Path) -> str:
    with quickly(), pytest.raises(CannotImport) as refused:
        read_tables(path)
    return str(refused.value)


# Excel


def test_a_workbook_with_a_value_at_column_xfd_in_every_row_is_refused_at_its_first_row(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{n}">{text_cell(f"A{n}", "x")}{text_cell(f"XFD{n}", "far")}</row>' for n in range(1, 20_001)
    )
    path = rezipped(workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}), {"xl/worksheets/sheet1.xml": sheet_xml(rows)})
    assert refusal(path) == (
        't.xlsx: sheet "Sheet1" row 1 has a value in column XFD (16,384); the import reads the first 200 columns '
        "(A to GR) only: clear or move what lies beyond"
    )


def test_empty_cells_far_to_the_right_are_passed_over_without_widening_the_rows(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{n}">{text_cell(f"A{n}", str(n))}<c r="XFD{n}" s="0"/></row>' for n in range(1, 20_001))
    path = rezipped(workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}), {"xl/worksheets/sheet1.xml": sheet_xml(rows)})
    with quickly():
        [table] = read_tables(path)
    assert len(table.rows) == 20_000
    assert {len(row.cells) for row in table.rows} == {1}


def test_a_workbook_expanding_past_fifty_megabytes_is_refused_before_it_is_unzipped(tmp_path: Path) -> None:
    padding = b" " * 60_000_000  # the whitespace bomb: a sheet of spaces
    path = rezipped(
        workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}),
        {"xl/worksheets/sheet1.xml": sheet_xml("").replace(b"<sheetData>", b"<sheetData>" + padding)},
    )
    message = refusal(path)
    assert message.startswith("t.xlsx holds 60.0 MB once unzipped; the import reads workbooks of at most 50.0 MB")


def test_a_workbook_of_a_million_shared_texts_is_refused_before_they_are_read(tmp_path: Path) -> None:
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t/></si>" * 1_000_001
    path = rezipped(workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}), {"xl/sharedStrings.xml": strings + b"</sst>"})
    assert refusal(path) == "t.xlsx holds more than 1,000,000 texts; the import reads workbooks of at most that many"


def test_a_sheet_of_more_than_a_million_cells_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    rows = f"<row>{'<c/>' * 10_000}</row>" * 100 + "<row><c/></row>"
    path = rezipped(workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}), {"xl/worksheets/sheet1.xml": sheet_xml(rows)})
    assert (
        refusal(path) == "t.xlsx: sheet 1 holds more than 1,000,000 cells; the import reads sheets of at most that many"
    )


def test_a_sheet_with_rows_past_the_hundred_thousandth_is_refused(tmp_path: Path) -> None:
    rows = f'<row r="1">{text_cell("A1", "No.")}</row><row r="100001">{text_cell("A100001", "x")}</row>'
    path = rezipped(workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}), {"xl/worksheets/sheet1.xml": sheet_xml(rows)})
    assert refusal(path) == 't.xlsx: sheet "Sheet1" has rows past row 100,000; the import reads no further'


# Word


def test_a_document_of_millions_of_empty_paragraphs_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = word_document(tmp_path / "t.docx", [HEADER, ROW])
    with zipfile.ZipFile(path) as source:
        body = source.read("word/document.xml")
    bomb = body.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 2_000_001, 1)
    assert refusal(rezipped(path, {"word/document.xml": bomb})).startswith(
        "t.docx holds more than 2,000,000 paragraphs, runs and cells; the import reads Word documents of at most"
    )


def test_a_word_cell_spanning_a_hundred_million_columns_is_refused(tmp_path: Path) -> None:
    path = word_document(tmp_path / "t.docx", [HEADER, ROW])
    with zipfile.ZipFile(path) as source:
        body = source.read("word/document.xml")
    first_cell = body.index(b"<w:tcPr>") + len(b"<w:tcPr>")
    bomb = body[:first_cell] + b'<w:gridSpan w:val="100000000"/>' + body[first_cell:]
    assert refusal(rezipped(path, {"word/document.xml": bomb})) == (
        "t.docx: table 1 row 1 spans 100,000,003 columns; the import reads tables of at most 200"
    )


# CSV


def test_a_quote_that_never_closes_is_named_with_its_line_rather_than_swallowing_the_rows_after_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.csv"
    path.write_text('No.,Topic\n1,Winter\n2,"Summer\n3,Autumn\n4,Spring\n', encoding="utf-8")
    assert refusal(path) == (
        't.csv line 3: a quote (") opens a cell that is never closed, so every line after it would be read into '
        'that cell; close it, or write a quote inside a cell as ""'
    )


def test_a_quoted_cell_over_several_lines_and_quotes_written_twice_are_read_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('No.,Topic\n1,"Winter\nand ""spring"""\n2,Sum"mer\n', encoding="utf-8")
    [table] = read_tables(path)
    assert [row.cells for row in table.rows][1:] == [("1", 'Winter\nand "spring"'), ("2", 'Sum"mer')]


def test_a_csv_file_over_fifty_megabytes_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with path.open("wb") as file:
        file.write(b"No.,Topic\n")
        file.truncate(60_000_000)  # sparse: nothing of it is on the disk
    assert refusal(path) == "t.csv is 60.0 MB; the import reads CSV files of at most 50.0 MB"


def test_a_csv_line_of_more_than_two_hundred_cells_is_refused_naming_it(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "t.csv", [HEADER, ROW, ["x"] * 201])
    assert refusal(path) == "t.csv line 3: 201 cells; the import reads at most 200 columns"


def test_a_csv_of_more_than_a_hundred_thousand_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("No.,Topic\n" + "1,x\n" * 100_000, encoding="utf-8")
    assert refusal(path) == "t.csv has more than 100,000 rows; the import reads at most 100,000 (split the file)"


def test_a_csv_that_is_not_utf8_late_in_the_file_is_read_again_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"No.,Topic\n" + b"1,x\n" * 10_000 + "2,Café £5\n".encode("cp1252"))
    [table] = read_tables(path)
    assert table.rows[-1].cells == ("2", "Café £5")


def test_problems_past_the_first_hundred_are_counted_not_shown() -> None:
    shown = capped(f"problem {n}" for n in range(90_000))
    assert len(shown) == MAX_SHOWN + 1
    assert shown[-1] == "and 89,900 more problems"
    assert capped(["one"]) == ["one"]


def test_a_row_of_more_cells_than_excel_writes_is_refused_before_openpyxl_holds_it(tmp_path: Path) -> None:
    path = rezipped(
        workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]}),
        {"xl/worksheets/sheet1.xml": sheet_xml(f"<row>{'<c/>' * 16_385}</row>")},
    )
    assert refusal(path) == "t.xlsx: sheet 1 has a row of more than 16,384 cells, which Excel never writes"
