"""The clerk's table of a body that took items over, round and round: the Origin column names the body that made
each, so a table exported, edited and imported again reaches each item, even where one ref names three."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run
from tests.e2e.test_cli_import import CLERK

NEXT = "2024-07-18"
HEADINGS = ["Ref", "Origin", "Date", "Item", "Recommendation/Action", "Responsible Person", "Response", "Notes",
            "Status", "Target date"]  # fmt: skip


def committee(db: str) -> None:
    """PEOPLE holds three items R1 (its own, CSMC's and HASC's, taken over when they were dissolved), its own R2,
    and BCSB's R3, which went to RES first: its Origin is BCSB, the body that made it, not RES."""
    app = Scrutiny(db, clock=FixedClock(datetime(2024, 7, 1, 9, 0, tzinfo=UTC)))
    for code in ("BCSB", "CSMC", "HASC", "RES", "PEOPLE"):
        app.execute(register(code, name=f"{code} Committee"))
    for code in ("CSMC", "HASC"):
        app.execute(make("R1", body=code, meeting_date="2024-03-14", item=f"{code}'s libraries",
                         text=f"That the Cabinet keeps {code}'s libraries open."))  # fmt: skip
        app.execute(command("refer", body=code, ref="R1", addressee="Cabinet", received_on="2024-03-20"))
        app.execute(command("transfer", body=code, ref="R1", to_body="PEOPLE", decided_on="2024-06-01"))
    app.execute(make("R3", body="BCSB", meeting_date="2024-02-15", item="Fishing Policy"))
    app.execute(command("transfer", body="BCSB", ref="R3", to_body="RES", decided_on="2024-05-01"))
    app.execute(command("transfer", body="RES", ref="R3", to_body="PEOPLE", decided_on="2024-06-01"))
    app.execute(make("R1", body="PEOPLE", meeting_date="2024-06-20", item="Leisure", text="That the pool reopens."))
    app.execute(make("R2", body="PEOPLE", meeting_date="2024-06-20", item="Parks", text="That the parks stay open."))
    app.close()


def exported(tmp_path: Path, db: str, fmt: str) -> Path:
    out = tmp_path / f"people.{fmt}"
    result = run("tracker", "--body", "PEOPLE", "--format", fmt, "-o", str(out), db=db)
    assert result.returncode == 0, result.stderr
    return out


def read_table(path: Path) -> list[list[str]]:
    """The table's cells as text, its header first, from the workbook or the Word document."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path).active
        assert sheet is not None
        return [["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in line]
                for line in sheet.iter_rows(values_only=True)]  # fmt: skip
    from docx import Document

    (table,) = Document(str(path)).tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def edited(path: Path, changes: dict[tuple[str, str], dict[str, str]]) -> Path:
    """The table with the cells of the rows (Ref, Origin) given put as the clerk types them, saved under a new name."""
    out = path.with_name(f"July {path.name}")
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        sheet = book.active
        assert sheet is not None
        header = [cell.value for cell in sheet[1]]
        for line in sheet.iter_rows(min_row=2):
            for heading, text in changes.get((line[0].value, line[1].value or ""), {}).items():
                line[header.index(heading)].value = text
        book.save(out)
        return out
    from docx import Document

    document = Document(str(path))
    (table,) = document.tables
    header = [cell.text for cell in table.rows[0].cells]
    for row in table.rows[1:]:
        cells = row.cells
        for heading, text in changes.get((cells[0].text, cells[1].text), {}).items():
            cells[header.index(heading)].text = text
    document.save(str(out))
    return out


def imported(path: Path, db: str) -> str:
    done = run("import", str(path), "--body", "PEOPLE", "--as-of", NEXT, *CLERK, db=db)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_table_of_items_taken_over_round_trips_each_to_its_item_by_its_origin(
    fmt: str, tmp_path: Path, db_url: str
) -> None:
    committee(db_url)
    path = exported(tmp_path, db_url, fmt)
    table = read_table(path)
    assert table[0] == HEADINGS
    assert [(line[0], line[1], line[3]) for line in table[1:]] == [
        ("R3", "BCSB", "Fishing Policy"), ("R1", "CSMC", "CSMC's libraries"), ("R1", "HASC", "HASC's libraries"),
        ("R1", "", "Leisure"), ("R2", "", "Parks")]  # fmt: skip
    before = len(Scrutiny(db_url).audit())
    assert imported(path, db_url).startswith(f"imported 0 commands from people.{fmt}")  # unedited: nothing
    assert len(Scrutiny(db_url).audit()) == before

    july = edited(path, {
        ("R1", "CSMC"): {"Notes": "Opening hours posted at every branch"},
        ("R1", "HASC"): {"Status": "Completed"},
        ("R1", ""): {"Notes": "Pool contractor appointed", "Target date": "2024-09-30"},
        ("R3", "BCSB"): {"Notes": "Policy drafted"},
    })  # fmt: skip
    said = imported(july, db_url)
    assert said.startswith(f"imported 5 commands from July people.{fmt}"), said
    app = Scrutiny(db_url)
    rows = {(r.ref, r.taken_over_from): r for r in app.tracker(body="PEOPLE")}
    assert rows["R1", "CSMC"].notes == "Opening hours posted at every branch" and rows["R1", "CSMC"].status != "closed"
    assert (rows["R1", "HASC"].status, rows["R1", "HASC"].outcome, rows["R1", "HASC"].notes) == (
        "closed", "implemented", None)  # fmt: skip
    assert rows["R1", None].notes == "Pool contractor appointed" and str(rows["R1", None].target_date) == "2024-09-30"
    assert rows["R2", None].notes is None and rows["R3", "RES"].notes == "Policy drafted"
    recorded = [(e.body, e.ref, e.event) for e in app.audit()[before:]]
    assert sorted(recorded) == [
        ("BCSB", "R3", "ProgressReported"), ("CSMC", "R1", "ProgressReported"), ("HASC", "R1", "Closed"),
        ("PEOPLE", "R1", "ProgressReported"), ("PEOPLE", "R1", "TargetDateRevised")]  # fmt: skip
    assert len(app.tracker(body="PEOPLE")) == 5  # no item made twice
    app.close()
    after = len(Scrutiny(db_url).audit())
    assert imported(july, db_url).startswith(f"imported 0 commands from July people.{fmt}")  # again: nothing
    assert imported(exported(tmp_path, db_url, fmt), db_url).startswith("imported 0 commands")
    assert len(Scrutiny(db_url).audit()) == after


def test_the_origin_column_is_there_only_while_the_body_holds_an_item_another_body_made(
    tmp_path: Path, db_url: str
) -> None:
    committee(db_url)
    app = Scrutiny(db_url)
    app.execute(make("R9", body="BCSB", meeting_date="2024-06-27", item="Waste", text="That bins are emptied weekly."))
    out = tmp_path / "bcsb.xlsx"
    assert run("tracker", "--body", "BCSB", "--format", "xlsx", "-o", str(out), db=db_url).returncode == 0
    assert read_table(out) == [[h for h in HEADINGS if h != "Origin"],
                               ["R9", "2024-06-27", "Waste", "That bins are emptied weekly.", "Cabinet\nDirector of Housing",
                                "", "", "Made", ""]]  # fmt: skip
    app.execute(command("transfer", body="PEOPLE", ref="R2", to_body="BCSB", decided_on="2024-07-01"))
    app.close()
    assert run("tracker", "--body", "BCSB", "--format", "xlsx", "-o", str(out), db=db_url).returncode == 0
    assert [line[:2] for line in read_table(out)] == [["Ref", "Origin"], ["R2", "PEOPLE"], ["R9", ""]]
    done = run("import", str(out), "--body", "BCSB", "--as-of", NEXT, *CLERK, db=db_url)
    assert done.stdout.startswith("imported 0 commands from bcsb.xlsx"), done.stdout + done.stderr


def test_a_table_without_the_origin_column_is_refused_where_a_ref_names_several_items_and_nothing_is_written(
    tmp_path: Path, db_url: str
) -> None:
    from openpyxl import load_workbook

    committee(db_url)
    path = exported(tmp_path, db_url, "xlsx")
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.delete_cols(2)  # the Origin column, taken out as an older table lacked it
    sheet["G3"] = "Opening hours posted at every branch"  # CSMC's R1: a note that must not reach PEOPLE's own
    book.save(tmp_path / "older.xlsx")
    before = len(Scrutiny(db_url).audit())
    done = run("import", str(tmp_path / "older.xlsx"), "--body", "PEOPLE", "--as-of", NEXT, *CLERK, db=db_url)
    assert done.returncode == 1
    said = "is the ref of 3 items PEOPLE holds (its own, one taken over from CSMC, one taken over from HASC): an Origin"
    assert f'sheet "Tracker" row 3: "R1" {said}' in done.stderr, done.stderr
    assert 'sheet "Tracker" row 4, column "Ref": "R1" is already the ref of sheet "Tracker" row 3' in done.stderr
    assert len(Scrutiny(db_url).audit()) == before
