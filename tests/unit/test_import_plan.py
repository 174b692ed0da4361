"""Each row of a tracker becomes the commands its cells call for; a cell that cannot be read is named, never guessed.

Here: rows (merged cells, refs), cells that cannot be read, headers, command ids. What each cell says: test_import_cells.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrutiny_es.adapters.importers import (
    CannotImport,
    RowProblem,
    RowRef,
    command_id,
    plan_import,
    read_tables,
)
from tests.unit.import_plans import AS_OF, HEADER, errors, made, plan, table
from tests.unit.tracker_files import CLERK, csv_file

# Merged cells and refs


def test_a_blank_date_or_item_continues_the_row_above() -> None:
    result = plan(
        table(
            HEADER,
            ["23 FEB 23", "Trees", "A", "", ""],
            ["", "", "B", "", ""],
            ["", "Valley", "C", "", ""],
            ["18 DEC 23", "", "D", "", ""],
        )
    )
    assert [(c["meeting_date"], c["item"], c["text"]) for c in made(result)] == [
        ("2023-02-23", "Trees", "A"),
        ("2023-02-23", "Trees", "B"),
        ("2023-02-23", "Valley", "C"),
        ("2023-12-18", "Valley", "D"),
    ]


def test_a_minute_continues_with_its_item_and_only_with_it() -> None:
    header = ["Date", "Minute", "Item", "Action"]
    result = plan(table(header, ["23 Feb 2023", "12/23", "Trees", "A"], ["", "", "", "B"], ["", "", "Valley", "C"]))
    assert [c.get("minute") for c in made(result)] == ["12/23", "12/23", None]


def test_refs_are_numbered_by_meeting_in_table_order_across_the_file() -> None:
    first = table(
        HEADER, ["23 FEB 23", "Trees", "A", "", ""], ["18 DEC 23", "Valley", "B", "", ""], ["", "", "C", "", ""]
    )
    second = table(HEADER, ["23 Feb 2023", "Trees", "D", "", ""], name="table 2")
    assert [c["ref"] for c in made(plan(first, second))] == [
        "2023-02-23/1",
        "2023-12-18/1",
        "2023-12-18/2",
        "2023-02-23/2",
    ]


def test_a_ref_column_gives_the_ref_as_written_on_one_line() -> None:
    result = plan(table(["Ref", "Date", "Action"], ["SN 1", "23 Feb 2023", "A"], ["SN\n2", "23 Feb 2023", "B"]))
    assert [c["ref"] for c in made(result)] == ["SN 1", "SN 2"]


def test_a_ref_used_twice_is_an_error_naming_the_row_that_has_it() -> None:
    result = plan(table(["Ref", "Date", "Action"], ["1", "23 Feb 2023", "A"], ["1", "23 Feb 2023", "B"]))
    assert errors(result) == ['table 1 row 3, column "Ref": "1" is already the ref of table 1 row 2']
    assert [c["text"] for c in made(result)] == ["A"]


def test_a_ref_may_come_once_for_each_body_that_made_an_item_of_a_table_that_says_its_origin() -> None:
    header = ["Ref", "Origin", "Date", "Action"]
    rows = [["R1", "CSMC", "14 Mar 2024", "A"], ["R1", "HASC", "14 Mar 2024", "B"], ["R1", "", "13 Mar 2024", "C"]]
    assert [c["text"] for c in made(plan(table(header, *rows)))] == ["A", "B", "C"]
    again = plan(table(header, *rows, ["R1", "HASC", "14 Mar 2024", "D"], ["R1", "SNAC", "13 Mar 2024", "E"]))
    assert errors(again) == [
        'table 1 row 5, column "Ref": "R1" is already the ref of table 1 row 3',  # HASC's R1 twice
        'table 1 row 6, column "Ref": "R1" is already the ref of table 1 row 4',  # the table's body's: blank or its code
    ]


def test_a_ref_made_for_a_row_that_another_row_already_has_is_an_error() -> None:
    result = plan(table(["Ref", "Date", "Action"], ["2023-02-23/2", "23 Feb 2023", "A"], ["", "23 Feb 2023", "B"]))
    assert errors(result) == ['table 1 row 3: the ref made for it, "2023-02-23/2", is already the ref of table 1 row 2']


def test_a_header_repeated_on_a_later_page_is_not_an_item() -> None:
    result = plan(table(HEADER, ["23 Feb 2023", "Trees", "A", "", ""], HEADER, ["", "", "B", "", ""]))
    assert [c["text"] for c in made(result)] == ["A", "B"]


def test_a_row_without_text_carries_its_date_and_item_down_and_says_so_if_it_held_more() -> None:
    result = plan(
        table(
            HEADER, ["23 Feb 2023", "Trees", "", "", ""], ["", "", "A", "", ""], ["", "", "", "Matt Huggins", "Noted"]
        )
    )
    assert [(c["meeting_date"], c["item"]) for c in made(result)] == [("2023-02-23", "Trees")]
    assert result.warnings == [
        'table 1 row 4: column "Recommendation/ Action" is blank, so the row is not an item; left out'
    ]


def test_a_heading_row_that_is_not_a_date_stops_the_date_above_from_continuing() -> None:
    result = plan(
        table(HEADER, ["23 Feb 2023", "Trees", "A", "", ""], ["2023/24", "", "", "", ""], ["", "", "B", "", ""])
    )
    assert errors(result) == [
        'table 1 row 4, column "Date": is blank, and the date it continues (table 1 row 3) cannot be read'
    ]


# Cells that cannot be read


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2023", 'table 1 row 2, column "Date": "31/02/2023" is not a date'),
        ("End of May", 'table 1 row 2, column "Date": "End of May" is not a date'),
        ("September 2023", 'table 1 row 2, column "Date": "September 2023" is a month, not the day of a meeting'),
        ("1 Jan 1899", 'table 1 row 2, column "Date": "1 Jan 1899" is not between 1900 and 2199'),
        (
            "15 March 2024",
            'table 1 row 2, column "Date": "15 March 2024" is after the date of the tracker (14 Mar 2024, the as-of date)',
        ),
        ("", 'table 1 row 2, column "Date": is blank, and no row above gives the meeting date'),
    ],
)
def test_a_meeting_date_that_cannot_be_read_is_an_error_naming_row_column_and_value(value: str, message: str) -> None:
    result = plan(table(HEADER, [value, "Trees", "A", "Matt Huggins", "Noted"]))
    assert errors(result) == [message]
    assert result.commands == []


def test_an_error_is_a_problem_with_its_parts_named() -> None:
    [problem] = plan(table(HEADER, ["23 Feb 2023", "Trees", "A", "", ""], ["31/02/2023", "", "B", "", ""])).errors
    assert problem == RowProblem(RowRef("table 1", 3), "Date", "31/02/2023", "is not a date")


def test_a_row_with_an_error_gives_no_command_and_the_rows_below_it_still_do() -> None:
    result = plan(
        table(
            HEADER,
            ["23 Feb 2023", "Trees", "A", "", ""],
            ["31/02/2023", "", "B", "", "Noted"],
            ["23 Feb 2023", "", "C", "", ""],
        )
    )
    assert [c["text"] for c in made(result)] == ["A", "C"]
    assert [c["ref"] for c in made(result)] == ["2023-02-23/1", "2023-02-23/2"]


def test_a_blank_item_with_nothing_above_it_is_an_error() -> None:
    assert errors(plan(table(HEADER, ["23 Feb 2023", "", "A", "", ""]))) == [
        'table 1 row 2, column "Item": is blank, and no row above gives the item'
    ]


def test_a_cell_longer_than_any_command_takes_is_an_error_naming_its_row_and_column() -> None:
    result = plan(table(HEADER, ["23 Feb 2023", "Trees", "A" * 20_001, "", ""]))
    assert errors(result) == [
        'table 1 row 2, column "Recommendation/ Action": "' + "A" * 50 + '…" (20,001 characters) '
        "is longer than 20,000 characters"
    ]


def test_a_cell_of_exactly_twenty_thousand_characters_is_read() -> None:
    assert [len(c["text"]) for c in made(plan(table(HEADER, ["23 Feb 2023", "Trees", "A" * 20_000, "", ""])))] == [
        20_000
    ]


def test_a_control_character_in_a_cell_is_an_error_and_is_shown_escaped() -> None:
    assert errors(plan(table(HEADER, ["23 Feb 2023", "Trees", "A\x1b[31m", "", ""]))) == [
        'table 1 row 2, column "Recommendation/ Action": "A\\x1b[31m" holds a control character (U+001B) at character 2'
    ]


def test_a_control_character_in_an_item_carried_down_to_the_rows_below_is_an_error_of_its_own_row() -> None:
    merged = table(
        HEADER, ["23 Feb 2023", "Trees\x1b", "", "", ""], ["", "", "That the Director considers it.", "", ""]
    )
    assert errors(plan(merged)) == [
        'table 1 row 2, column "Item": "Trees\\x1b" holds a control character (U+001B) at character 6'
    ]


def test_a_name_or_ref_too_long_for_the_record_is_an_error() -> None:
    result = plan(table(["Ref", "Date", "Action", "Lead Officer"], ["R" * 201, "23 Feb 2023", "A", "N" * 201]))
    assert [(e.column, e.rule) for e in result.errors] == [
        ("Ref", "is longer than 200 characters"),
        ("Lead Officer", "is a name longer than 200 characters"),
    ]


def test_a_csv_row_is_named_by_its_line() -> None:
    result = plan(table(HEADER, ["31/02/2023", "Trees", "A", "", ""], name="t.csv", kind="csv"), source="t.csv")
    assert errors(result) == ['line 2, column "Date": "31/02/2023" is not a date']


def test_a_sheet_row_is_named_by_its_sheet() -> None:
    result = plan(table(HEADER, ["31/02/2023", "Trees", "A", "", ""], name="2023-24", kind="sheet"), source="t.xlsx")
    assert errors(result) == ['sheet "2023-24" row 2, column "Date": "31/02/2023" is not a date']


def test_a_tracker_table_with_no_meeting_date_column_is_an_error() -> None:
    assert errors(plan(table(["Item", "Action"], ["Trees", "A"]))) == [
        "table 1 row 1: no column gives the meeting date (Date, Meeting date, Date of meeting, Date agreed, Date made); "
        '--columns "Header=meeting_date" can name it'
    ]


def test_a_file_with_no_tracker_table_cannot_be_imported() -> None:
    with pytest.raises(
        CannotImport, match=r'^t.docx: no table has a header row .* table 1 begins "Meeting Date", "Item"'
    ):
        plan(table(["Meeting Date", "Item", "Presented by"], ["11 July 2023", "Borough of Sanctuary", "x"]))
    with pytest.raises(CannotImport, match=r"^t.docx has no table with anything in it$"):
        plan()


def test_a_tracker_with_nothing_below_its_header_plans_nothing_and_says_so() -> None:
    result = plan(table(HEADER))
    assert (result.commands, result.errors, result.warnings) == ([], [], ["table 1: nothing below the header row"])


# Headers and --columns


def test_an_unknown_header_is_left_out_with_a_warning() -> None:
    result = plan(table(["Date", "Item", "Action", "Presented by"], ["23 Feb 2023", "Trees", "A", "Ben Percival"]))
    assert result.warnings == [
        'table 1: column "Presented by" is not one the import reads; left out (--columns "Presented by=FIELD" says what it holds)'
    ]
    assert made(result)[0]["addressees"] == []


def test_a_column_with_cells_but_no_header_is_said_rather_than_dropped_unawares() -> None:
    result = plan(table(["Date", "Item", "Action", ""], ["23 Feb 2023", "Trees", "A", "Plant 40 oaks", "and 10 ash"]))
    assert result.warnings == [
        'table 1: column 4 has no header, so it is left out (table 1 row 2 holds "Plant 40 oaks"; give it a header '
        "the import reads)",
        'table 1: column 5 has no header, so it is left out (table 1 row 2 holds "and 10 ash"; give it a header '
        "the import reads)",
    ]
    assert made(result)[0]["text"] == "A"


def test_columns_overrides_change_what_a_header_means() -> None:
    rows = (["Meeting date", "Action", "Date", "Lead"], ["23 Feb 2023", "A", "30 Sep 2023", "Matt Huggins"])
    [item] = made(plan(table(*rows), overrides={"Date": "target_date", "Lead": "addressees"}))
    assert (item["meeting_date"], item["target_date"], item["addressees"][0]["name"]) == (
        "2023-02-23",
        "2023-09-30",
        "Matt Huggins",
    )


def test_a_columns_override_for_a_header_no_table_has_is_a_warning() -> None:
    result = plan(table(["Date", "Item", "Action"], ["23 Feb 2023", "Trees", "A"]), overrides={"Lead": "addressees"})
    assert result.warnings == ['--columns: no tracker table has a column "Lead"']


def test_a_columns_override_to_a_field_that_does_not_exist_cannot_be_imported() -> None:
    with pytest.raises(CannotImport, match=r"^--columns: \"Lead=who\": 'who' is not a field"):
        plan(table(["Date", "Action"], ["23 Feb 2023", "A"]), overrides={"Lead": "who"})


# Command ids


def test_a_command_id_names_the_body_file_table_row_and_fact() -> None:
    sheet, document, text = (
        table(name="2023-24", kind="sheet"),
        table(name="table 2"),
        table(name="t.csv", kind="csv"),
    )
    assert command_id("SNAC", "t.xlsx", sheet, 7, "response") == "import:SNAC:t.xlsx:2023-24:row 7:response"
    assert command_id("SNAC", "t.docx", document, 7, "response") == "import:SNAC:t.docx:table 2:row 7:response"
    assert command_id("SNAC", "t.csv", text, 7, "close") == "import:SNAC:t.csv:line 7:close"


def test_a_command_id_is_at_most_200_characters_and_still_tells_files_apart() -> None:
    document = table(name="table 1")
    long_a, long_b = "a" * 250 + ".docx", "a" * 249 + "b.docx"
    ids = {command_id("SNAC", name, document, 12345, "recommendation") for name in (long_a, long_b)}
    assert len(ids) == 2
    assert all(len(i) == 200 and i.endswith(":row 12345:recommendation") for i in ids)


def test_ten_thousand_csv_rows_are_planned_one_item_each(tmp_path: Path) -> None:
    header = ["Ref", "Date", "Item", "Recommendation", "Lead Officer", "Cabinet Member", "Response", "Status", "Notes"]
    rows = [header] + [
        [f"R{n}", f"{1 + n % 28}/0{1 + n % 9}/2023", f"Item {n % 50}", f"That item {n} is done.", "Alice Davey; Dean Epton",
         "Cllr Padda", ["Agreed", "No", "In part"][n % 3], ["Green", "Amber", "Ongoing"][n % 3], f"Update on {n}"]
        for n in range(10_000)
    ]  # fmt: skip
    tables = read_tables(csv_file(tmp_path / "big.csv", rows))
    result = plan_import(tables, body="SNAC", source="big.csv", as_of=AS_OF, actor=CLERK)
    assert (len(made(result)), result.errors) == (10_000, [])  # its speed: bench/importing.py, against apply


CELLS = st.one_of(
    st.sampled_from(
        ["", " ", "23 FEB 23", "31/02/2023", "September 2023", "End of May", "15 March 2024", "Agreed", "In part",
         "Noted", "Green", "Red", "Ongoing", "Cabinet", "Alice Davey; Matt Huggins\nalice davey", "-", "2023-02-23/1",
         "That the Director considers it.", "x" * 20_001, "R" * 201, "\x00", "tab\there", "\u2028"]
    ),
    st.text(max_size=12),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=11), max_size=6))
def test_whatever_the_cells_hold_every_command_planned_is_one_the_command_model_takes(rows: list[list[str]]) -> None:
    header = ["Ref", "Date", "Item", "Minute", "Recommendation/ Action", "Responsible Person", "Cabinet Member"]
    header += ["Response", "Status", "Timetable", "Notes"]
    result = plan(table(header, *rows))  # plan() checks each command with parse_command
    assert len({c["command_id"] for _, c in result.commands}) == len(result.commands)
    assert all(len(c["command_id"]) <= 200 for _, c in result.commands)
