"""Tables are read out of the files councils keep their trackers in; a file that is not one says so plainly."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from scrutiny_es.adapters.importers import CannotImport, SourceRow, SourceTable, read_tables
from scrutiny_es.domain.errors import ScrutinyError
from tests.unit.tracker_files import MERGED, csv_file, word_document, workbook

HEADER = ["No.", "Meeting date", "Topic", "Resolution"]


def cells(table: SourceTable) -> list[tuple[int, tuple[str, ...]]]:
    return [(row.number, row.cells) for row in table.rows]


# CSV


def test_reads_csv_saved_as_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "t.csv",
        [HEADER, ["1", "14/11/2023", "Winter", "That the ICB’s plan costs £2.5m"]],
        encoding="utf-8-sig",
    )
    [table] = read_tables(path)
    assert table == SourceTable(
        "t.csv",
        "csv",
        (SourceRow(1, tuple(HEADER)), SourceRow(2, ("1", "14/11/2023", "Winter", "That the ICB’s plan costs £2.5m"))),
    )


def test_reads_csv_saved_as_windows_1252(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "t.csv",
        [HEADER, ["1", "14/11/2023", "Winter", "The “Safer Streets” bid: £40,000"]],
        encoding="cp1252",
    )
    assert path.read_bytes().count(b"\xa3") == 1
    [table] = read_tables(path)
    assert table.rows[1].cells[3] == "The “Safer Streets” bid: £40,000"


def test_reads_csv_saved_as_utf16_unicode_text(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "t.csv", [HEADER, ["1", "14/11/2023", "Winter", "£"]], encoding="utf-16", delimiter="\t")
    assert read_tables(path)[0].rows[1].cells == ("1", "14/11/2023", "Winter", "£")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_finds_the_delimiter_even_where_the_text_holds_the_others(tmp_path: Path, delimiter: str) -> None:
    rows = [
        HEADER,
        *[[str(n), "14/11/2023", "Winter; spring, summer", f"That, for {n}; the plan\tis shown"] for n in range(5)],
    ]
    [table] = read_tables(csv_file(tmp_path / "t.csv", rows, delimiter=delimiter))
    assert [row.cells for row in table.rows] == [tuple(r) for r in rows]


def test_numbers_csv_rows_by_the_line_they_start_on_and_leaves_out_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('No.,Resolution\r\n1,"That the plan\r\nis shown"\r\n\r\n2,That\r\n', encoding="utf-8")
    [table] = read_tables(path)
    assert cells(table) == [(1, ("No.", "Resolution")), (2, ("1", "That the plan\nis shown")), (5, ("2", "That"))]


def test_a_csv_file_neither_utf8_nor_windows_1252_is_refused_with_its_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"No.,Resolution\n1,caf\xc3\xa9\n2,\x81\n")
    with pytest.raises(CannotImport, match=r"^t.csv line 3: not UTF-8 or Windows-1252 text \(byte 0x81\)$"):
        read_tables(path)


def test_a_csv_file_mixing_utf8_and_windows_1252_is_refused_rather_than_garbled(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"No.,Resolution\n1,Open the caf\xe9\n2,Publish \xe2\x80\x93 then review\n")
    message = "t.csv mixes two encodings: line 3 holds '\u2013' written in UTF-8, but line 2 byte 0xE9, which is not"
    with pytest.raises(CannotImport, match="^" + message):
        read_tables(path)


def test_a_workbook_saved_with_a_csv_name_is_refused(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx", {"Sheet1": [HEADER]})
    path = tmp_path / "tracker.csv"
    path.write_bytes(book.read_bytes())
    with pytest.raises(CannotImport, match=r"^tracker.csv is not CSV text: it looks like an Excel or Word file"):
        read_tables(path)


def test_a_cell_too_long_for_the_csv_reader_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("No.,Resolution\n1,short\n2," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(
        CannotImport, match=r"^t.csv line 3: a cell is longer than 131,072 characters \(at most 20,000\)$"
    ):
        read_tables(path)


# Excel


def test_reads_every_sheet_with_the_row_numbers_excel_shows(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        {
            "Adults": [["Tracker"], [], ["Ref", "Date agreed", "Recommendation"], ["A1", datetime(2011, 3, 8), "That"]],
            "Lists": [["Green"], ["Amber"]],
        },
    )
    adults, lists = read_tables(path)
    assert (adults.name, adults.kind, adults.label, adults.unit) == ("Adults", "sheet", 'sheet "Adults"', "row")
    assert cells(adults) == [
        (1, ("Tracker",)),
        (3, ("Ref", "Date agreed", "Recommendation")),
        (4, ("A1", "2011-03-08", "That")),
    ]
    assert cells(lists) == [(1, ("Green",)), (2, ("Amber",))]


def test_reads_only_the_sheet_asked_for(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"One": [["a"]], "Two": [["b"]]})
    assert [t.name for t in read_tables(path, sheet="Two")] == ["Two"]
    assert [t.name for t in read_tables(path, sheet="two")] == ["Two"]
    with pytest.raises(CannotImport, match=r'^t.xlsx has no sheet "Three"; its sheets are "One", "Two"$'):
        read_tables(path, sheet="Three")


def test_gives_excel_values_as_a_clerk_sees_them(tmp_path: Path) -> None:
    values = [3, 3.0, 2.5, datetime(2023, 2, 23), datetime(2023, 2, 23, 18, 30), date(2024, 1, 1), True, "  spaced  "]
    [table] = read_tables(workbook(tmp_path / "t.xlsx", {"S": [values]}))
    assert table.rows[0].cells == ("3", "3", "2.5", "2023-02-23", "2023-02-23 18:30", "2024-01-01", "TRUE", "spaced")


def test_a_merged_spreadsheet_cell_gives_its_value_to_the_top_left_cell_only(tmp_path: Path) -> None:
    rows = [["Date", "Action"], ["23 Feb 2023", "A"], [None, "B"]]
    [table] = read_tables(workbook(tmp_path / "t.xlsx", {"S": rows}, merged={"S": ["A2:A3"]}))
    assert cells(table)[1:] == [(2, ("23 Feb 2023", "A")), (3, ("", "B"))]


def test_a_sheet_option_for_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "t.csv", [HEADER])
    with pytest.raises(CannotImport, match=r"^t.csv: --sheet picks a sheet of an .xlsx workbook; this is a .csv file$"):
        read_tables(path, sheet="One")


# Word


def test_reads_every_word_table_numbering_rows_from_the_first_as_1(tmp_path: Path) -> None:
    path = word_document(
        tmp_path / "t.docx",
        [["Resources:", "None"]],
        [
            ["Date", "Item", "Recommendation/ Action"],
            ["23 FEB 23", "Trees", ["Checkpoint reports", "a. first;", "b. second;"]],
        ],
    )
    layout, tracker = read_tables(path)
    assert (layout.name, layout.kind, layout.label) == ("table 1", "table", "table 1")
    assert cells(tracker) == [
        (1, ("Date", "Item", "Recommendation/ Action")),
        (2, ("23 FEB 23", "Trees", "Checkpoint reports\na. first;\nb. second;")),
    ]


def test_a_cell_continuing_a_vertical_merge_in_word_reads_blank(tmp_path: Path) -> None:
    path = word_document(
        tmp_path / "t.docx",
        [["Date", "Item", "Action"], ["23 FEB 23", "Trees", "A"], [MERGED, MERGED, "B"], [MERGED, "Other", "C"]],
    )
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert 'w:vMerge w:val="restart"' in xml
    assert "<w:vMerge/>" in xml or 'w:vMerge w:val="continue"' in xml
    [table] = read_tables(path)
    assert cells(table)[1:] == [(2, ("23 FEB 23", "Trees", "A")), (3, ("", "", "B")), (4, ("", "Other", "C"))]


def test_a_word_cell_spanning_columns_gives_its_text_to_the_first(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["Date", "Item", "Action"]):
        table.cell(0, c).text = text
    table.cell(1, 0).merge(table.cell(1, 2)).text = "2023/24"
    document.save(str(tmp_path / "t.docx"))
    [read] = read_tables(tmp_path / "t.docx")
    assert read.rows[1].cells == ("2023/24", "", "")


def test_a_word_cell_reads_as_the_page_shows_it_with_tracked_changes_accepted(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    paragraph = table.cell(0, 0).paragraphs[0]
    paragraph.add_run("Briefing ")
    inserted = paragraph._p.makeelement(
        docx.oxml.ns.qn("w:ins"), {docx.oxml.ns.qn("w:id"): "1", docx.oxml.ns.qn("w:author"): "x"}
    )
    inserted.append(paragraph.add_run("note")._r)
    paragraph._p.append(inserted)
    deleted = paragraph._p.makeelement(
        docx.oxml.ns.qn("w:del"), {docx.oxml.ns.qn("w:id"): "2", docx.oxml.ns.qn("w:author"): "x"}
    )
    run = paragraph.add_run("")._r
    text = run.makeelement(docx.oxml.ns.qn("w:delText"), {})
    text.text = " paper"
    run.append(text)
    deleted.append(run)
    paragraph._p.append(deleted)
    tabbed = paragraph.add_run("\tto follow")
    tabbed.add_break()
    tabbed.add_text("in September")
    document.save(str(tmp_path / "t.docx"))
    [read] = read_tables(tmp_path / "t.docx")
    assert read.rows[0].cells == ("Briefing note\tto follow\nin September",)


def test_a_word_cell_keeps_its_non_breaking_hyphens_and_parts_lines_at_a_page_break(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0]
    for text in ("Report in 2023", "24 on the re", "opening"):
        run = paragraph.add_run(text)
        if text != "opening":
            run._r.append(run._r.makeelement(docx.oxml.ns.qn("w:noBreakHyphen"), {}))
    paragraph.add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    paragraph.add_run("of the library")
    document.save(str(tmp_path / "t.docx"))
    [read] = read_tables(tmp_path / "t.docx")
    assert read.rows[0].cells == ("Report in 2023-24 on the re-opening\nof the library",)


# Files that are not what their names say


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.xlsx", b"", "t.xlsx is empty"),
        ("t.docx", b"", "t.docx is empty"),
        ("t.csv", b"\r\n \r\n", "t.csv is empty"),
        ("t.xlsx", b"Ref,Date\n1,2\n", "t.xlsx is not a .xlsx file (its content is not an Office document)"),
        ("t.docx", b"%PDF-1.7\n", "t.docx is not a .docx file: it is a PDF document"),
        ("t.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "t.xlsx is password-protected (encrypted)"),
        ("t.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "t.docx is password-protected (encrypted)"),
        ("t.docx", b"PK\x03\x04" + b"\x00" * 100, "t.docx is damaged: it is not a complete .docx file"),
        ("t.pdf", b"%PDF", "t.pdf: the import reads .csv, .xlsx and .docx files, not .pdf"),
        ("t.xls", b"x", "t.xls: the import reads .csv, .xlsx and .docx files, not .xls (save it as .xlsx)"),
        ("t.csv", b"No.,Resolution\n1,\x00\n", "t.csv is not CSV text (a NUL byte on line 2)"),
    ],
)
def test_a_file_that_is_not_a_tracker_file_is_refused_plainly(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CannotImport) as e:
        read_tables(path)
    assert str(e.value).startswith(message)
    assert isinstance(e.value, ScrutinyError)


def test_a_truncated_workbook_or_document_is_refused_as_damaged(tmp_path: Path) -> None:
    book = workbook(tmp_path / "whole.xlsx", {"S": [HEADER]}).read_bytes()
    (tmp_path / "t.xlsx").write_bytes(book[: len(book) // 2])
    with pytest.raises(CannotImport, match=r"^t.xlsx is damaged: it is not a complete .xlsx file$"):
        read_tables(tmp_path / "t.xlsx")
    document = word_document(tmp_path / "whole.docx", [HEADER]).read_bytes()
    (tmp_path / "t.docx").write_bytes(document[: len(document) // 2])
    with pytest.raises(CannotImport, match=r"^t.docx is damaged"):
        read_tables(tmp_path / "t.docx")


def test_a_zip_of_a_kind_python_cannot_open_is_refused_as_damaged(tmp_path: Path) -> None:
    book = bytearray(workbook(tmp_path / "whole.xlsx", {"S": [HEADER]}).read_bytes())
    at = book.find(b"PK\x01\x02")  # the first entry of the central directory
    book[at + 6 : at + 8] = b"\xff\x00"  # "version needed to extract": 25.5, which zipfile does not implement
    (tmp_path / "t.xlsx").write_bytes(bytes(book))
    with pytest.raises(CannotImport, match=r"^t.xlsx is damaged: it is not a complete .xlsx file$"):
        read_tables(tmp_path / "t.xlsx")


def test_a_zip_with_damaged_content_is_refused_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    with pytest.raises(
        CannotImport, match=r"^t.docx cannot be read as a Word document: the file is damaged or is not one"
    ):
        read_tables(path)


def test_a_word_document_saved_with_an_xlsx_name_is_refused_and_the_reverse(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(word_document(tmp_path / "w.docx", [HEADER]).read_bytes())
    with pytest.raises(CannotImport, match=r"^a.xlsx is a Word document, not an Excel workbook: give it a .docx name$"):
        read_tables(tmp_path / "a.xlsx")
    (tmp_path / "a.docx").write_bytes(workbook(tmp_path / "w.xlsx", {"S": [HEADER]}).read_bytes())
    with pytest.raises(
        CannotImport, match=r"^a.docx is an Excel workbook, not a Word document: give it an .xlsx name$"
    ):
        read_tables(tmp_path / "a.docx")


def test_a_file_that_does_not_exist_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(CannotImport, match=r"^t.csv: No such file or directory$"):
        read_tables(tmp_path / "t.csv")
