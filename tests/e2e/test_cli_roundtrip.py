"""The clerk's table, round and round: exported for editing, edited as a clerk does, imported back once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scrutiny_es import Scrutiny
from tests.e2e.cli import run
from tests.e2e.test_cli_import import CLERK, board
from tests.unit.test_import_trackers import IMPLICATIONS, SANDWELL_ROWS
from tests.unit.tracker_files import word_document

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
