"""A successor committee's table brought in with an Origin column, on SQLite and on PostgreSQL: each item its
predecessor made is that body's, transferred in (made there first where the record lacks it), counted once
under the body that made it, and under the committee with ``by="current_body"``; a second import records nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from tests.conftest import CLERK, FixedClock, command, register
from tests.unit.tracker_files import csv_file

HEADER = ["Ref", "Date", "Item", "Recommendation", "Lead Officer", "Executive response", "Notes"]
PREDECESSOR = [
    HEADER,
    ["R1", "14/03/2024", "Libraries", "That the opening hours are published on every branch door.", "Cabinet",
     "Agreed", ""],
    ["R2", "14/03/2024", "Libraries", "That the mobile library's use is reported each quarter.", "Cabinet", "", ""],
]  # fmt: skip
SUCCESSOR = [
    [*HEADER[:2], "Origin", *HEADER[2:]],
    ["R1", "14/03/2024", "CSMC", "Libraries", "That the opening hours are published on every branch door.",
     "Cabinet", "Agreed", "Posters printed; half the branches done"],
    ["R2", "14/03/2024", "CSMC", "Libraries", "That the mobile library's use is reported each quarter.", "Cabinet",
     "", ""],
    ["R3", "18/04/2024", "CSMC", "Parks", "That the park wardens' hours are restored.", "Cabinet", "", ""],
    ["P1", "10/06/2024", "", "Leisure", "That the leisure centre's pool reopens by September.", "Cabinet", "", ""],
]  # fmt: skip
JUNE = date(2024, 6, 20)


@pytest.fixture
def councils(db_url: str) -> Scrutiny:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("CSMC", name="Communities Scrutiny and Management Committee"))
    app.execute(register("PEOPLE", name="People Committee"))
    app.execute(command("dissolve_body", body="CSMC", decided_on="2024-05-22", successor="PEOPLE"))
    return app


def test_the_successors_table_transfers_in_the_items_its_predecessor_made_and_counts_each_once(
    councils: Scrutiny, tmp_path: Path
) -> None:
    app = councils
    app.import_tracker(csv_file(tmp_path / "csmc.csv", PREDECESSOR), body="CSMC", actor=CLERK, as_of=date(2024, 4, 30))
    table = csv_file(tmp_path / "people.csv", SUCCESSOR)
    done = app.import_tracker(table, body="PEOPLE", actor=CLERK, as_of=JUNE)
    assert [(c["command"], c["body"], c.get("origin")) for c in done.commands] == [
        ("transfer", "CSMC", None), ("report_progress", "PEOPLE", "CSMC"),  # R1: moved, and its new note
        ("transfer", "CSMC", None),  # R2: moved, nothing else new
        ("make_recommendation", "CSMC", None), ("transfer", "CSMC", None),  # R3: not in CSMC's table
        ("make_recommendation", "PEOPLE", None),  # P1: the committee's own
    ]  # fmt: skip
    assert {c["decided_on"] for c in done.commands if c["command"] == "transfer"} == {"2024-05-22"}  # the dissolution
    rows = [(r.ref, r.taken_over_from, r.transferred_on, r.notes) for r in app.tracker(body="PEOPLE")]
    assert rows == [
        ("R1", "CSMC", date(2024, 5, 22), "Posters printed; half the branches done"),
        ("R2", "CSMC", date(2024, 5, 22), None), ("R3", "CSMC", date(2024, 5, 22), None), ("P1", None, None, None),
    ]  # fmt: skip
    assert app.tracker(body="CSMC") == []
    assert {r.group: r.made for r in app.impact(to=JUNE)} == {"CSMC": 3, "PEOPLE": 1}
    assert {r.group: r.made for r in app.impact(to=JUNE, by="current_body")} == {"PEOPLE": 4}
    again = app.import_tracker(table, body="PEOPLE", actor=CLERK, as_of=JUNE)
    assert (again.commands, again.matched, again.unchanged) == ([], 4, 4)


def test_a_successors_table_alone_makes_each_item_under_its_predecessor_and_a_dry_run_says_so(
    councils: Scrutiny, tmp_path: Path
) -> None:
    app = councils
    table = csv_file(tmp_path / "people.csv", SUCCESSOR[:2])
    dry = app.import_tracker(table, body="PEOPLE", actor=CLERK, as_of=JUNE, dry_run=True)
    assert [(c["command"], c["body"], c.get("origin"), c.get("to_body")) for c in dry.commands] == [
        ("make_recommendation", "CSMC", None, None), ("transfer", "CSMC", None, "PEOPLE"),
        ("record_response", "PEOPLE", "CSMC", None), ("report_progress", "PEOPLE", "CSMC", None),
    ]  # fmt: skip
    assert app.tracker() == []
    app.import_tracker(table, body="PEOPLE", actor=CLERK, as_of=JUNE)
    (row,) = app.tracker(body="PEOPLE")
    assert (row.ref, row.taken_over_from, row.response) == ("R1", "CSMC", "accepted")
    assert app.recommendation("CSMC", "R1").made_by == "CSMC"
    assert app.import_tracker(table, body="PEOPLE", actor=CLERK, as_of=JUNE).commands == []


def test_an_origin_that_is_not_a_registered_body_is_named_and_nothing_is_recorded(
    councils: Scrutiny, tmp_path: Path
) -> None:
    rows = [SUCCESSOR[0], [*SUCCESSOR[1][:2], "CSM", *SUCCESSOR[1][3:]]]
    done = councils.import_tracker(csv_file(tmp_path / "people.csv", rows), body="PEOPLE", actor=CLERK, as_of=JUNE)
    assert [str(p) for p in done.plan.errors] == [
        'line 2: "CSM" in the origin column is not a registered body: register the body that made the item first'
    ]
    assert (done.written, councils.tracker()) == (False, [])
