"""``scrutiny-es import``: a council's tracker brought in from the files it keeps, once however often it is run."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from scrutiny_es import Scrutiny
from tests.conftest import command, make, register
from tests.e2e.cli import jsonl, run
from tests.unit.test_import_trackers import IMPLICATIONS, SANDWELL_ROWS
from tests.unit.tracker_files import csv_file, word_document

CLERK = ("--actor-id", "dem-01", "--actor-name", "Democratic Services", "--actor-role", "scrutiny officer")


def board(db: str) -> None:
    assert run("apply", "-", db=db, stdin=jsonl(register("SNAC"))).returncode == 0


def test_the_sandwell_action_tracker_in_word_is_brought_in_once(tmp_path: Path, db_url: str) -> None:
    board(db_url)
    path = word_document(tmp_path / "SNACSB tracker.docx", IMPLICATIONS, SANDWELL_ROWS)
    dry = run("import", str(path), "--body", "SNAC", "--as-of", "2024-03-14", "--dry-run", *CLERK, db=db_url)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == "would record 19 commands from SNACSB tracker.docx; nothing was written"
    assert Scrutiny(db_url).tracker() == []
    first = run("import", str(path), "--body", "SNAC", "--as-of", "2024-03-14", *CLERK, db=db_url)
    assert (first.returncode, first.stdout) == (0, "imported 19 commands from SNACSB tracker.docx\n"), first.stderr
    again = run("import", str(path), "--body", "SNAC", "--as-of", "2024-03-14", *CLERK, db=db_url)
    assert again.stdout == "imported 0 commands from SNACSB tracker.docx; 12 rows as recorded already\n"
    rows = Scrutiny(db_url).tracker(body="SNAC", as_of=date(2024, 3, 14))
    assert [r.ref for r in rows][:3] == ["2023-02-23/1", "2023-02-23/2", "2023-12-18/1"]
    assert rows[0].notes == "Briefing note to be circulated September 2023"


def test_a_cell_that_cannot_be_read_is_named_and_nothing_is_written(tmp_path: Path, db_url: str) -> None:
    board(db_url)
    path = csv_file(tmp_path / "tracker.csv", [["Date", "Item", "Recommendation", "Lead Officer"],
                                               ["31/02/2023", "Parks", "That parks open late.", "Matt Huggins"],
                                               ["01/03/2023", "Pools", "That pools open early.", "Matt Huggins"]],
                    encoding="cp1252")  # fmt: skip
    result = run("import", str(path), "--body", "SNAC", *CLERK, db=db_url)
    assert result.returncode == 1
    assert 'line 2, column "Date": "31/02/2023"' in result.stderr
    assert Scrutiny(db_url).tracker() == []
    kept = run("import", str(path), "--body", "SNAC", "--keep-going", *CLERK, db=db_url)
    assert kept.returncode == 1 and [r.item for r in Scrutiny(db_url).tracker()] == ["Pools"]


def test_the_commands_can_be_written_to_review_and_apply_later(tmp_path: Path, db_url: str) -> None:
    board(db_url)
    path = csv_file(tmp_path / "tracker.csv", [["Date", "Item", "Recommendation", "Lead Officer"],
                                               ["01/03/2023", "Pools", "That pools open early.", "Matt Huggins"]],
                    encoding="utf-8-sig")  # fmt: skip
    commands = tmp_path / "tracker.jsonl"
    written = run("import", str(path), "--body", "SNAC", "-o", str(commands), *CLERK, db=db_url)
    assert written.returncode == 0, written.stderr
    lines = [json.loads(line) for line in commands.read_text().splitlines() if line.startswith("{")]
    assert [line["command"] for line in lines] == ["make_recommendation"]
    assert run("apply", str(commands), db=db_url).returncode == 0
    assert [r.item for r in Scrutiny(db_url).tracker()] == ["Pools"]


def test_importing_needs_the_body_and_who_imports(tmp_path: Path, db_url: str) -> None:
    path = csv_file(tmp_path / "t.csv", [["Date", "Item", "Recommendation"], ["01/03/2023", "Pools", "That."]])
    nobody = run("import", str(path), "--body", "SNAC", db=db_url)
    assert "say who is importing" in nobody.stderr
    unregistered = run("import", str(path), "--body", "SNAC", *CLERK, db=db_url)
    assert unregistered.stderr.strip() == "scrutiny-es: no body is registered with the code SNAC"


def test_a_workbook_bomb_is_refused_in_one_sentence_and_nothing_is_written(tmp_path: Path, db_url: str) -> None:
    from tests.unit.test_import_limits import rezipped, sheet_xml, text_cell
    from tests.unit.tracker_files import workbook

    board(db_url)
    rows = "".join(
        f'<row r="{n}">{text_cell(f"A{n}", "x")}{text_cell(f"XFD{n}", "far")}</row>' for n in range(1, 20_001)
    )
    path = rezipped(
        workbook(tmp_path / "t.xlsx", {"Sheet1": [["Date"]]}), {"xl/worksheets/sheet1.xml": sheet_xml(rows)}
    )
    result = run("import", str(path), "--body", "SNAC", *CLERK, db=db_url)
    assert result.returncode == 1
    assert result.stderr == (
        'scrutiny-es: t.xlsx: sheet "Sheet1" row 1 has a value in column XFD (16,384); the import reads the first '
        "200 columns (A to GR) only: clear or move what lies beyond\n"
    )
    assert Scrutiny(db_url).tracker() == []


def test_a_file_of_many_bad_cells_names_the_first_hundred_and_counts_the_rest(tmp_path: Path, db_url: str) -> None:
    board(db_url)
    rows = [["Date", "Item", "Recommendation", "Lead Officer"]]
    rows += [["31/02/2023", f"Item {n}", "That parks open late.", "Matt Huggins"] for n in range(250)]
    path = csv_file(tmp_path / "tracker.csv", rows)
    result = run("import", str(path), "--body", "SNAC", *CLERK, db=db_url)
    assert result.returncode == 1
    said = result.stderr.splitlines()
    assert said[0].startswith('line 2, column "Date": "31/02/2023" is not a date')
    assert said[100:] == [
        "and 150 more problems",
        "nothing of tracker.csv was recorded: 250 cell(s) to put right first",
    ]
    assert Scrutiny(db_url).tracker() == []


def test_a_tracker_dated_after_today_is_refused_on_a_dry_run_too(tmp_path: Path, db_url: str) -> None:
    board(db_url)
    path = word_document(tmp_path / "SNACSB tracker.docx", IMPLICATIONS, SANDWELL_ROWS)
    for dry in (["--dry-run"], []):
        done = run("import", str(path), "--body", "SNAC", "--as-of", "2199-12-31", *dry, *CLERK, db=db_url)
        assert done.returncode == 1
        assert done.stderr.startswith("scrutiny-es: the tracker's date, 31 Dec 2199 (the as-of date), is after today")
        assert done.stdout == ""
    assert len(Scrutiny(db_url).audit()) == 1


def test_a_files_name_with_a_newline_and_an_escape_is_printed_escaped_in_the_summary(
    tmp_path: Path, db_url: str
) -> None:
    board(db_url)
    rows = [["Date", "Item", "Recommendation", "Lead Officer"], ["01/03/2023", "Pools", "That pools open.", "Jo Li"]]
    path = csv_file(tmp_path / "tracker\x1b[2J\nv2.csv", rows)

    dry = run("import", str(path), "--body", "SNAC", "--dry-run", *CLERK, db=db_url)
    done = run("import", str(path), "--body", "SNAC", *CLERK, db=db_url)

    assert dry.stdout.splitlines()[-1] == "would record 1 commands from tracker\\x1b[2J\\nv2.csv; nothing was written"
    assert done.stdout == "imported 1 command from tracker\\x1b[2J\\nv2.csv\n", done.stderr


def test_the_trackers_csv_export_edited_in_a_spreadsheet_comes_back_with_only_what_was_changed(
    tmp_path: Path, db_url: str
) -> None:
    recorded = [register("SNAC"), make("R1", body="SNAC"), make("R2", body="SNAC"),
                command("refer", body="SNAC", ref="R1", addressee="Cabinet", received_on="2024-02-20")]  # fmt: skip
    assert run("apply", "-", db=db_url, stdin=jsonl(*recorded)).returncode == 0
    exported = run("tracker", "--body", "SNAC", "--format", "csv", db=db_url).stdout
    path = tmp_path / "tracker.csv"
    path.write_text(exported, encoding="utf-8")
    same = run("import", str(path), "--body", "SNAC", "--as-of", "2024-03-14", *CLERK, db=db_url)
    assert (same.returncode, same.stdout, same.stderr) == (0, "imported 0 commands from tracker.csv; "
                                                               "2 rows as recorded already\n", "")  # fmt: skip
    rows = list(csv.reader(io.StringIO(exported)))
    header = rows[0]
    rows[1][header.index("notes")] = "On the Cabinet's April agenda."
    rows[2][header.index("rag")] = "Completed"  # a closing word, as in a council's Status column
    rows.append(["SNAC", "R3", "", "2024-02-15", "Parks", "", "That parks open late.", "Cabinet"])
    csv_file(path, rows)
    edited = run("import", str(path), "--body", "SNAC", "--as-of", "2024-03-14", *CLERK, db=db_url)
    assert (edited.returncode, edited.stdout) == (0, "imported 3 commands from tracker.csv\n"), edited.stderr
    tracker = {row.ref: row for row in Scrutiny(db_url).tracker(body="SNAC")}
    assert (tracker["R1"].notes, tracker["R2"].status, tracker["R3"].text) == (
        "On the Cabinet's April agenda.",
        "closed",
        "That parks open late.",
    )


def test_a_csv_export_of_every_body_imported_into_one_refuses_the_other_bodies_rows_and_records_nothing(
    tmp_path: Path, db_url: str
) -> None:
    recorded = [register("SNAC"), register("HOSC"), make("R1", body="SNAC"), make("R1", body="HOSC")]
    assert run("apply", "-", db=db_url, stdin=jsonl(*recorded)).returncode == 0
    path = tmp_path / "every body.csv"
    path.write_text(run("tracker", "--format", "csv", db=db_url).stdout, encoding="utf-8")
    refused = run("import", str(path), "--body", "SNAC", "--as-of", "2024-03-14", *CLERK, db=db_url)
    assert refused.returncode == 1
    assert 'line 2, column "body": "HOSC" is another body\'s item: import it with --body HOSC' in refused.stderr
    assert len(Scrutiny(db_url).audit()) == len(recorded)
