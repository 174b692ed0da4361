"""The clerk's table, round and round: exported for editing, edited as a clerk does, imported back once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scrutiny_es import Scrutiny
from tests.e2e.cli import jsonl, run
from tests.e2e.test_cli_import import CLERK, board
from tests.unit.test_import_trackers import IMPLICATIONS, SANDWELL_ROWS
from tests.unit.tracker_files import csv_file, word_document

SEEDED = "2024-03-14"
NEXT = "2024-04-18"


def seeded(tmp_path: Path, db: str) -> None:
    """The board's Sandwell table of 14 March 2024, imported as the clerk first brought it in."""
    board(db)
    path = word_document(tmp_path / "SNACSB tracker.docx", IMPLICATIONS, SANDWELL_ROWS)
    first = run("import", str(path), "--body", "SNAC", "--as-of", SEEDED, *CLERK, db=db)
    assert first.returncode == 0, first.stderr


def exported(tmp_path: Path, db: str, fmt: str) -> Path:
    out = tmp_path / f"tracker.{fmt}"
    result = run("tracker", "--body", "SNAC", "--format", fmt, "-o", str(out), db=db)
    assert result.returncode == 0, result.stderr
    return out


def audit_count(db: str) -> int:
    return len(Scrutiny(db).audit())


def test_the_tracker_is_written_as_the_clerks_own_table_in_excel(tmp_path: Path, db_url: str) -> None:
    from openpyxl import load_workbook

    seeded(tmp_path, db_url)
    sheet = load_workbook(exported(tmp_path, db_url, "xlsx")).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("Ref", "Date", "Item", "Recommendation/Action", "Responsible Person", "Response", "Notes",
                        "Status", "Target date")  # fmt: skip
    assert lines[1][0] == "2023-02-23/1" and lines[1][6] == "Briefing note to be circulated September 2023"
    assert len(lines) == 1 + len(Scrutiny(db_url).tracker(body="SNAC"))
    refused = run("tracker", "--format", "xlsx", "-o", str(tmp_path / "all.xlsx"), db=db_url)
    assert refused.returncode != 0 and "give --body CODE and -o FILE" in refused.stderr
    assert not (tmp_path / "all.xlsx").exists()


def test_the_table_brought_back_unedited_records_nothing(tmp_path: Path, db_url: str) -> None:
    seeded(tmp_path, db_url)
    for fmt in ("xlsx", "docx"):
        before = audit_count(db_url)
        back = run("import", str(exported(tmp_path, db_url, fmt)), "--body", "SNAC", "--as-of", NEXT, *CLERK, db=db_url)
        assert back.returncode == 0, back.stderr
        assert back.stdout.startswith(f"imported 0 commands from tracker.{fmt}"), back.stdout
        assert audit_count(db_url) == before


def test_an_edited_excel_table_records_exactly_the_changes_once(tmp_path: Path, db_url: str) -> None:
    from openpyxl import load_workbook

    seeded(tmp_path, db_url)
    path = exported(tmp_path, db_url, "xlsx")
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    rows = {line[0].value: line for line in sheet.iter_rows(min_row=2)}
    rows["2023-02-23/1"][6].value = "Briefing note circulated in October 2023."  # a new note
    rows["2023-02-23/2"][7].value = "Completed"  # the status: done
    rows["2024-01-29/1"][8].value = date(2024, 9, 30)  # a target date
    rows["2024-02-15/1"][3].value = rows["2024-02-15/1"][3].value + " (typo put right)"  # the text corrected
    book.save(tmp_path / "April tracker.xlsx")
    before = audit_count(db_url)
    first = run("import", str(tmp_path / "April tracker.xlsx"), "--body", "SNAC", "--as-of", NEXT, *CLERK, db=db_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 4 commands from April tracker.xlsx"), first.stdout
    trail = Scrutiny(db_url).audit()[before:]
    assert sorted((entry.ref, entry.event) for entry in trail) == sorted([
        ("2023-02-23/1", "ProgressReported"), ("2023-02-23/2", "Closed"), ("2024-01-29/1", "TargetDateRevised"),
        ("2024-02-15/1", "Corrected"),
    ])  # fmt: skip
    app = Scrutiny(db_url)
    assert app.recommendation("SNAC", "2023-02-23/1").progress[-1].note == "Briefing note circulated in October 2023."
    rows_now = {r.ref: r for r in app.tracker(body="SNAC")}
    assert rows_now["2023-02-23/2"].status == "closed"
    assert rows_now["2024-01-29/1"].target_date == date(2024, 9, 30)
    assert rows_now["2024-02-15/1"].text.endswith("(typo put right)")
    book.save(tmp_path / "May tracker.xlsx")  # the same edited table, under a new name
    again = run("import", str(tmp_path / "May tracker.xlsx"), "--body", "SNAC", "--as-of", "2024-05-16", *CLERK,
                db=db_url)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("imported 0 commands from May tracker.xlsx"), again.stdout
    assert len(Scrutiny(db_url).audit()) == before + 4


def test_a_csv_put_right_and_imported_again_records_the_fixed_facts_as_corrections(tmp_path: Path, db_url: str) -> None:
    board(db_url)
    header = ["Date", "Item", "Recommendation", "Lead Officer", "Notes"]
    typed = [header,
             ["01/03/2023", "Pools", "That pools open early.", "Matt Huggins", ""],
             ["11/03/2023", "Pools", "That pools open late.", "Matt Huggins", ""],
             ["12/03/2023", "Parks", "That parks open lte.", "Dawn Winter", "Under way"]]  # fmt: skip
    path = tmp_path / "typed.csv"
    first = run("import", str(csv_file(path, typed)), "--body", "SNAC", "--as-of", "2023-06-01", *CLERK, db=db_url)
    assert first.returncode == 0, first.stderr
    before = audit_count(db_url)
    fixed = [
        *typed[:2],
        ["01/03/2023", *typed[2][1:]],
        ["12/03/2023", "Parks", "That parks open late.", "Dawn Winter", "Under way"],
    ]
    again = run("import", str(csv_file(path, fixed)), "--body", "SNAC", "--as-of", "2023-06-01", *CLERK, db=db_url)
    assert again.returncode == 0, again.stderr
    assert "already used" not in again.stderr
    assert again.stdout == "imported 2 commands from typed.csv; 1 row as recorded already\n"
    [late] = Scrutiny(db_url).tracker(body="SNAC", ref="2023-03-11/1")
    assert late.meeting_date == date(2023, 3, 1)
    assert Scrutiny(db_url).tracker(body="SNAC", ref="2023-03-12/1")[0].text == "That parks open late."
    assert [e.event for e in Scrutiny(db_url).audit()[before:]] == ["Corrected", "Corrected"]
    inserted = [*fixed[:2], ["01/03/2023", "Pools", "That pools are heated.", "Matt Huggins", ""], *fixed[2:]]
    third = run("import", str(csv_file(path, inserted)), "--body", "SNAC", "--as-of", "2023-06-01", *CLERK, db=db_url)
    assert third.returncode == 0, third.stderr
    refs = {r.text: r.ref for r in Scrutiny(db_url).tracker(body="SNAC")}
    assert refs == {"That pools open early.": "2023-03-01/1", "That pools open late.": "2023-03-11/1",
                    "That pools are heated.": "2023-03-01/2", "That parks open late.": "2023-03-12/1"}  # fmt: skip
    assert run("import", str(path), "--body", "SNAC", "--as-of", "2023-06-01", *CLERK, db=db_url).stdout == (
        "imported 0 commands from typed.csv; 4 rows as recorded already\n"
    )


def test_with_notes_as_responses_a_changed_note_is_the_awaited_response(tmp_path: Path, db_url: str) -> None:
    seeded(tmp_path, db_url)
    refer = {"command": "refer", "actor": {"id": "dem-01", "name": "Democratic Services", "role": "scrutiny officer"},
             "body": "SNAC", "ref": "2024-01-29/1", "addressee": "Dean Epton", "received_on": "2024-02-01"}  # fmt: skip
    assert run("apply", "-", db=db_url, stdin=jsonl(refer)).returncode == 0
    path = exported(tmp_path, db_url, "docx")
    from docx import Document

    document = Document(str(path))
    [table] = document.tables
    [line] = [row for row in table.rows if row.cells[0].text == "2024-01-29/1"]
    line.cells[6].text = "Accepted: the assets will be reviewed by June."
    document.save(str(tmp_path / "April tracker.docx"))
    first = run("import", str(tmp_path / "April tracker.docx"), "--body", "SNAC", "--as-of", NEXT, "--notes",
                "response", *CLERK, db=db_url)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 1 command from April tracker.docx"), first.stdout
    item = Scrutiny(db_url).tracker(body="SNAC", ref="2024-01-29/1")[0]
    assert (item.status, item.awaiting, item.notes) == (
        "responded",
        [],
        "Accepted: the assets will be reviewed by June.",
    )
    again = run("import", str(tmp_path / "April tracker.docx"), "--body", "SNAC", "--as-of", NEXT, "--notes",
                "response", *CLERK, db=db_url)  # fmt: skip
    assert again.stdout.startswith("imported 0 commands"), again.stdout


def test_a_changed_responsible_person_cell_records_who_the_item_is_for_now_once(tmp_path: Path, db_url: str) -> None:
    from openpyxl import load_workbook

    seeded(tmp_path, db_url)
    path = exported(tmp_path, db_url, "xlsx")
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    rows = {line[0].value: line for line in sheet.iter_rows(min_row=2)}
    assert rows["2023-02-23/1"][4].value == "Matt Huggins"
    rows["2023-02-23/1"][4].value = "Dawn Winter"  # one for another: a replacement
    rows["2023-12-18/1"][4].value = "Alice Davey\nMatt Huggins\nCllr Ann Shackleton"  # one more
    rows["2024-01-17/1"][4].value = "Dawn Winter"  # Alice Davey gone
    book.save(tmp_path / "April tracker.xlsx")
    before = audit_count(db_url)
    first = run("import", str(tmp_path / "April tracker.xlsx"), "--body", "SNAC", "--as-of", NEXT, *CLERK, db=db_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 3 commands from April tracker.xlsx"), first.stdout
    trail = Scrutiny(db_url).audit()[before:]
    assert sorted((entry.ref, entry.event, entry.effective_on) for entry in trail) == [
        ("2023-02-23/1", "AddresseeReplaced", date(2024, 4, 18)),
        ("2023-12-18/1", "AddresseeAdded", date(2024, 4, 18)),
        ("2024-01-17/1", "AddresseeRemoved", date(2024, 4, 18)),
    ]
    replaced = next(entry for entry in trail if entry.event == "AddresseeReplaced")
    assert "passed Matt Huggins's part in the action to Dawn Winter on 18 Apr 2024" in replaced.summary
    now = {r.ref: r.addressees for r in Scrutiny(db_url).tracker(body="SNAC")}
    assert now["2023-02-23/1"] == ["Dawn Winter"]
    assert now["2023-12-18/1"] == ["Alice Davey", "Matt Huggins", "Cllr Ann Shackleton"]
    assert now["2024-01-17/1"] == ["Dawn Winter"]
    before_then = {r.ref: r.addressees for r in Scrutiny(db_url).tracker(body="SNAC", as_of=date(2024, 4, 17))}
    assert before_then["2023-02-23/1"] == ["Matt Huggins"]
    book.save(tmp_path / "May tracker.xlsx")  # the same edited table, under a new name
    again = run("import", str(tmp_path / "May tracker.xlsx"), "--body", "SNAC", "--as-of", "2024-05-16", *CLERK,
                db=db_url)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("imported 0 commands from May tracker.xlsx"), again.stdout
    assert len(Scrutiny(db_url).audit()) == before + 3


def test_words_beginning_with_an_equals_sign_go_into_excel_as_typed_not_as_formulas(
    tmp_path: Path, db_url: str
) -> None:
    from openpyxl import load_workbook

    from tests.conftest import make

    board(db_url)
    typed = make("F1", body="SNAC", item="=1+2", text='=HYPERLINK("http://example.org","Report")',
                 addressees=[{"name": "@Parks", "kind": "officer"}])  # fmt: skip
    assert run("apply", "-", db=db_url, stdin=jsonl(typed)).returncode == 0
    sheet = load_workbook(exported(tmp_path, db_url, "xlsx")).active
    assert sheet is not None
    [line] = list(sheet.iter_rows(min_row=2))
    assert [cell.data_type for cell in line[2:5]] == ["s", "s", "s"]
    assert [cell.value for cell in line[2:5]] == ["=1+2", '=HYPERLINK("http://example.org","Report")', "@Parks"]
    back = run("import", str(tmp_path / "tracker.xlsx"), "--body", "SNAC", "--as-of", NEXT, *CLERK, db=db_url)
    assert back.stdout.startswith("imported 0 commands from tracker.xlsx; 1 row as recorded already"), back.stderr
