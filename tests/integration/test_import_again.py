"""A council's own table imported again, under another name and on a later day: what the record holds records nothing.

A tracker row holds an item's decision and its latest words, not each response's words; a response in the
executive's own words is set against the item's recorded responses, asked for once for the whole table.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx

from scrutiny_es import Scrutiny
from tests.conftest import CLERK, FixedClock, command, register
from tests.unit.tracker_files import csv_file, workbook

HEADER = ["Ref", "Meeting date", "Item", "Recommendation", "Cabinet Member", "Response", "Status", "Notes"]
ROWS = [
    ["R1", "23/02/2023", "Parks", "That parks open late.", "Cllr Padda",
     "Agreed: the service will report back by March.", "Ongoing", "Survey under way."],
    ["R2", "23/02/2023", "Pools", "That pools open early.", "Cllr Padda",
     "Not agreed, as the budget does not allow it.", "Amber", ""],
    ["R3", "23/02/2023", "Trees", "That trees are planted.", "Cllr Padda", "", "", "Awaiting the Cabinet."],
    ["R4", "23/02/2023", "Bins", "That bins are emptied weekly.", "Cllr Padda", "Accepted", "Completed", "Done."],
]  # fmt: skip


def test_a_table_with_responses_in_words_imported_again_under_a_new_name_a_month_later_records_nothing(
    tmp_path: Path, db_url: str
) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    first = app.import_tracker(csv_file(tmp_path / "March.csv", [HEADER, *ROWS]), body="SNAC", actor=CLERK,
                               as_of=date(2024, 3, 14))  # fmt: skip
    assert (first.recorded, first.already_recorded) == (12, 0)
    trail = len(app.audit())
    again = app.import_tracker(csv_file(tmp_path / "March (2).csv", [HEADER, *ROWS]), body="SNAC", actor=CLERK,
                               as_of=date(2024, 4, 18))  # fmt: skip
    assert (again.commands, again.recorded, again.already_recorded, again.unchanged) == ([], 0, 0, 4)
    assert len(app.audit()) == trail
    rows = [row.copy() for row in ROWS]
    rows[1][5] = "Not agreed this year; to be looked at again for 2025."
    other_words = app.import_tracker(csv_file(tmp_path / "April.csv", [HEADER, *rows]), body="SNAC", actor=CLERK,
                                     as_of=date(2024, 4, 18))  # fmt: skip
    assert [(c["command"], c["ref"], c["field"], c["addressee"], c["value"]) for c in other_words.commands] == [
        ("correct", "R2", "response.text", "Cllr Padda", "Not agreed this year; to be looked at again for 2025.")
    ], "the executive responded once: the table puts the words right, the words first recorded kept in the trail"
    assert other_words.recorded == 1
    assert app.recommendation("SNAC", "R2").responses["Cllr Padda"].text == rows[1][5]
    again = app.import_tracker(csv_file(tmp_path / "April (2).csv", [HEADER, *rows]), body="SNAC", actor=CLERK,
                               as_of=date(2024, 4, 25))  # fmt: skip
    assert (again.commands, again.recorded) == ([], 0)
    rows[1][5] = "Rejected"
    decided = app.import_tracker(csv_file(tmp_path / "May.csv", [HEADER, *rows]), body="SNAC", actor=CLERK,
                                 as_of=date(2024, 5, 16))  # fmt: skip
    assert [(c["field"], c["value"]) for c in decided.commands] == [
        ("response.decision", "rejected"),
        ("response.text", "Rejected"),
    ]
    response = app.recommendation("SNAC", "R2").responses["Cllr Padda"]
    assert (response.decision, response.text, decided.recorded) == ("rejected", "Rejected", 2)
    app.close()


def test_a_note_older_than_the_items_latest_response_is_the_items_latest_progress_and_records_nothing(
    tmp_path: Path, db_url: str
) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    row = ["R1", "23/02/2023", "Parks", "That parks open late.", "Cllr Padda", "", "", "Survey under way."]
    app.import_tracker(csv_file(tmp_path / "March.csv", [HEADER, row]), body="SNAC", actor=CLERK,
                       as_of=date(2024, 3, 14))  # fmt: skip
    app.execute(command("record_response", "SNAC", ref="R1", addressee="Cllr Padda", decision="noted",
                        text="We will take this forward.", responded_on="2024-03-20", responded_by="Cllr Padda"))  # fmt: skip
    assert app.tracker(body="SNAC")[0].notes == "We will take this forward."  # the latest words: the response's
    trail = len(app.audit())
    unchanged = app.import_tracker(csv_file(tmp_path / "March (2).csv", [HEADER, row]), body="SNAC", actor=CLERK,
                                   as_of=date(2024, 4, 4))  # fmt: skip
    assert (unchanged.commands, len(app.audit())) == ([], trail), "the clerk's own table, its Response still blank"
    row[5] = "We will take this forward."
    again = app.import_tracker(csv_file(tmp_path / "April.csv", [HEADER, row]), body="SNAC", actor=CLERK,
                               as_of=date(2024, 4, 18))  # fmt: skip
    assert (again.commands, again.recorded, again.unchanged, len(app.audit())) == ([], 0, 1, trail)
    row[5], row[7] = "We will take this forward with the partners.", "Survey finished."
    changed = app.import_tracker(csv_file(tmp_path / "May.csv", [HEADER, row]), body="SNAC", actor=CLERK,
                                 as_of=date(2024, 5, 16), dry_run=True)  # fmt: skip
    assert [(c["command"], c.get("value") or c.get("note")) for c in changed.commands] == [
        ("correct", "We will take this forward with the partners."),  # Cllr Padda responded once, in other words
        ("report_progress", "Survey finished."),
    ]
    app.close()


def test_the_items_a_table_is_set_against_are_read_together_as_each_is_alone(tmp_path: Path, db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    app.import_tracker(csv_file(tmp_path / "March.csv", [HEADER, *ROWS]), body="SNAC", actor=CLERK,
                       as_of=date(2024, 3, 14))  # fmt: skip
    assert app.recommendations("SNAC", {"R2", "R4"}) == [app.recommendation("SNAC", r) for r in ("R2", "R4")]
    assert [view.ref for view in app.recommendations("SNAC")] == ["R1", "R2", "R3", "R4"]
    assert app.recommendations("SNAC", {"R9"}) == []
    app.close()


def test_a_table_imported_again_after_a_process_left_the_tracker_behind_is_set_against_every_item_recorded(
    tmp_path: Path, db_url: str
) -> None:
    first = Scrutiny(db_url, clock=FixedClock(), catch_up=False)  # as the command line opens it
    first.execute(register("SNAC"))
    first.import_tracker(csv_file(tmp_path / "March.csv", [HEADER, *ROWS]), body="SNAC", actor=CLERK,
                         as_of=date(2024, 3, 14))  # fmt: skip
    first.close()  # killed before it brought the read models up to date
    again = Scrutiny(db_url, clock=FixedClock(), catch_up=False)
    done = again.import_tracker(csv_file(tmp_path / "March (2).csv", [HEADER, *ROWS]), body="SNAC", actor=CLERK,
                                as_of=date(2024, 3, 14))  # fmt: skip
    assert (done.commands, done.recorded, done.already_recorded, done.matched) == ([], 0, 0, 4)
    again.close()


def test_spaces_a_clerk_added_or_took_out_record_nothing_but_a_changed_word_is_corrected_as_typed(
    tmp_path: Path, db_url: str
) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    app.import_tracker(csv_file(tmp_path / "March.csv", [HEADER, *ROWS]), body="SNAC", actor=CLERK,
                       as_of=date(2024, 3, 14))  # fmt: skip
    trail = len(app.audit())
    spaced = [row.copy() for row in ROWS]
    spaced[0][3] = "That parks  open late. "  # a double space, and one at the end
    spaced[1][2] = "Pools\u00a0"
    spaced[2][3] = "That trees\nare planted."  # a line broken where it was a space
    spaced[2][7] = "Awaiting  the Cabinet."
    spaced[3][3] = "That bins are  emptied fortnightly."  # a word changed, a space doubled
    book = workbook(tmp_path / "April.xlsx", {"Tracker": [HEADER, *spaced]})

    again = app.import_tracker(book, body="SNAC", actor=CLERK, as_of=date(2024, 4, 18))

    assert [(c["command"], c["ref"], c.get("field"), c.get("value")) for c in again.commands] == [
        ("correct", "R4", "text", "That bins are  emptied fortnightly.")
    ]
    assert (again.recorded, again.unchanged, len(app.audit())) == (1, 3, trail + 1)
    assert app.recommendation("SNAC", "R1").text == "That parks open late."
    unreffed = [row[1:] for row in [HEADER, *spaced]]  # matched by meeting date and text, not taken for new items
    without_refs = app.import_tracker(csv_file(tmp_path / "May.csv", unreffed), body="SNAC", actor=CLERK,
                                      as_of=date(2024, 5, 16))  # fmt: skip
    assert (without_refs.commands, without_refs.matched, len(app.audit())) == ([], 4, trail + 1)
    app.close()


def numbered_notes_document(path: Path, notes: list[str]) -> Path:
    """The table of ``ROWS`` as Word, R1's Notes written as a list Word numbers ("1.", "2.")."""
    document = docx.Document()
    table = document.add_table(rows=len(ROWS) + 1, cols=len(HEADER))
    for r, row in enumerate([HEADER, *ROWS]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    cell = table.cell(1, HEADER.index("Notes"))
    cell.paragraphs[0].text = notes[0]
    cell.paragraphs[0].style = document.styles["List Number"]
    for note in notes[1:]:
        cell.add_paragraph(note, style="List Number")
    document.save(str(path))
    return path


def test_notes_word_numbers_as_a_list_are_the_notes_recorded_without_the_numbers_and_record_nothing(
    tmp_path: Path, db_url: str
) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    rows = [row.copy() for row in ROWS]
    rows[0][7] = "Survey under way.\nReport due in May."  # as a release that left Word's list numbers out read it
    app.import_tracker(csv_file(tmp_path / "March.csv", [HEADER, *rows]), body="SNAC", actor=CLERK,
                       as_of=date(2024, 3, 14))  # fmt: skip
    trail = len(app.audit())
    same = numbered_notes_document(tmp_path / "April.docx", ["Survey under way.", "Report due in May."])
    again = app.import_tracker(same, body="SNAC", actor=CLERK, as_of=date(2024, 4, 18))
    assert (again.commands, again.unchanged, len(app.audit())) == ([], 4, trail)
    changed = numbered_notes_document(tmp_path / "May.docx", ["Survey under way.", "Report due in June."])
    later = app.import_tracker(changed, body="SNAC", actor=CLERK, as_of=date(2024, 5, 16))
    assert [(c["command"], c["ref"], c.get("note")) for c in later.commands] == [
        ("report_progress", "R1", "1. Survey under way.\n2. Report due in June.")
    ]
    app.close()
