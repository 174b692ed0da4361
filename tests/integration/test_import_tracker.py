"""``Scrutiny.import_tracker``: a host brings a council's tracker in as the command line does, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny, ScrutinyError
from tests.conftest import CLERK, FixedClock, command, register
from tests.unit.test_import_trackers import IMPLICATIONS, SANDWELL_ROWS
from tests.unit.tracker_files import csv_file, word_document


def test_a_host_imports_the_sandwell_tracker_once_and_a_dry_run_records_nothing(tmp_path: Path, db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    path = word_document(tmp_path / "SNACSB tracker.docx", IMPLICATIONS, SANDWELL_ROWS)
    dry = app.import_tracker(path, body="SNAC", actor=CLERK, as_of=date(2024, 3, 14), dry_run=True)
    assert (len(dry.commands), dry.recorded, dry.written) == (19, 0, False)
    assert app.tracker() == []
    seen: list[tuple[int, int]] = []
    first = app.import_tracker(path, body="SNAC", actor=CLERK, as_of=date(2024, 3, 14),
                               progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert (first.recorded, first.already_recorded, first.written, seen) == (19, 0, True, [(19, 19)])
    again = app.import_tracker(path, body="SNAC", actor=CLERK, as_of=date(2024, 3, 14))
    assert (again.recorded, again.already_recorded, again.commands) == (0, 0, [])  # each row as recorded already
    assert [r.ref for r in app.tracker(body="SNAC", as_of=date(2024, 3, 14))][:2] == ["2023-02-23/1", "2023-02-23/2"]


def test_a_cell_that_cannot_be_read_is_in_the_plan_and_nothing_is_recorded(tmp_path: Path, db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    path = csv_file(tmp_path / "tracker.csv", [["Date", "Item", "Recommendation", "Lead Officer"],
                                               ["31/02/2023", "Parks", "That parks open late.", "Matt Huggins"],
                                               ["01/03/2023", "Pools", "That pools open early.", "Matt Huggins"]])  # fmt: skip
    done = app.import_tracker(path, body="SNAC", actor=CLERK)
    assert [str(p.at) for p in done.plan.errors] == ["line 2"]
    assert (done.written, app.tracker()) == (False, [])
    kept = app.import_tracker(path, body="SNAC", actor=CLERK, keep_going=True)
    assert kept.recorded > 0 and [r.item for r in app.tracker()] == ["Pools"]


def test_a_refused_row_is_named_by_its_line_and_nothing_of_its_batch_is_recorded(tmp_path: Path, db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC"))
    app.execute(command("dissolve_body", body="SNAC", decided_on="2023-01-31"))  # it takes no new items after
    path = csv_file(tmp_path / "tracker.csv", [["Ref", "Date", "Item", "Recommendation", "Lead Officer"],
                                               ["2023-02-01/1", "01/02/2023", "Parks", "That parks open late.", "Matt Huggins"],
                                               ["2023-03-01/1", "01/03/2023", "Pools", "That pools open early.", "Matt Huggins"]])  # fmt: skip
    with pytest.raises(ScrutinyError, match=r"^line 2: "):
        app.import_tracker(path, body="SNAC", actor=CLERK)
    assert app.tracker() == []


def test_importing_into_a_body_not_registered_says_so(tmp_path: Path, db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    path = csv_file(tmp_path / "tracker.csv", [["Recommendation"], ["That parks open late."]])
    with pytest.raises(ScrutinyError, match="no body is registered with the code SNAC"):
        app.import_tracker(path, body="SNAC", actor=CLERK)
