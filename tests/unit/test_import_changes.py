"""A table set against the record: of a row whose item is recorded, only what changed is planned."""

from __future__ import annotations

from datetime import date
from typing import Any

from scrutiny_es.adapters.importers.changes import changes_only
from scrutiny_es.adapters.importers.plan import ImportPlan, plan_import
from scrutiny_es.adapters.importers.tables import SourceRow, SourceTable
from scrutiny_es.projections.rows import TrackerRow
from tests.sandwell import tracker_report, tracker_rows
from tests.unit.tracker_files import CLERK

HEADER = ("Ref", "Date", "Item", "Recommendation/Action", "Responsible Person", "Response", "Notes", "Status",
          "Target date")  # fmt: skip
AS_OF = date(2024, 4, 18)


def recorded() -> list[TrackerRow]:
    return list(tracker_report(tracker_rows()).rows)


def cells(row: TrackerRow, **changed: str) -> tuple[str, ...]:
    given = {"ref": row.ref, "date": row.meeting_date.isoformat(), "item": row.item, "text": row.text,
             "names": "\n".join(row.addressees), "response": (row.response or "").replace("_", " "),
             "notes": row.notes or "", "status": "", "target": row.target_date.isoformat() if row.target_date else ""}  # fmt: skip
    return tuple((given | changed).values())


def planned(*rows: tuple[str, ...], header: tuple[str, ...] = HEADER, **options: Any) -> ImportPlan:
    lines = (SourceRow(1, header), *(SourceRow(n, r) for n, r in enumerate(rows, 2)))
    table = SourceTable("Tracker", "sheet", lines)  # type: ignore[arg-type]
    plan = plan_import([table], body="SNAC", source="t.xlsx", as_of=AS_OF, actor=CLERK)
    changes_only(plan, recorded(), as_of=AS_OF, **options)
    return plan


def test_a_row_as_the_record_holds_it_plans_nothing() -> None:
    assert [planned(*(cells(row) for row in recorded())).commands] == [[]]


def test_a_changed_note_is_one_progress_report_by_the_first_addressee() -> None:
    row = recorded()[0]
    [(at, command)] = planned(cells(row, notes="Circulated in October.")).commands
    assert (str(at), command["command"], command["ref"]) == ('sheet "Tracker" row 2', "report_progress", row.ref)
    assert (command["note"], command["reported_by"], command["reported_on"]) == (
        "Circulated in October.",
        row.addressees[0],
        "2024-04-18",
    )


def test_one_name_put_for_another_in_the_names_cell_is_a_replacement_on_the_as_of_day() -> None:
    row = recorded()[0]  # Matt Huggins
    [(at, command)] = planned(cells(row, names="Dawn Winter")).commands
    assert (str(at), command["command"], command["ref"], command["addressee"]) == (
        'sheet "Tracker" row 2',
        "replace_addressee",
        row.ref,
        "Matt Huggins",
    )
    assert command["successor"] == {"name": "Dawn Winter", "kind": "officer"}
    assert command["decided_on"] == "2024-04-18"
    assert command["reason"] == 'sheet "Tracker" row 2 of the table names Dawn Winter instead of Matt Huggins'


def test_names_added_to_and_taken_from_the_names_cell_are_added_first_then_removed() -> None:
    row = recorded()[2]  # Alice Davey, Matt Huggins
    commands = [c for _, c in planned(cells(row, names="Matt Huggins / Dawn Winter / Cllr Ann Shackleton")).commands]
    assert [(c["command"], c["addressee"]) for c in commands] == [
        ("add_addressee", {"name": "Dawn Winter", "kind": "officer"}),
        ("add_addressee", {"name": "Cllr Ann Shackleton", "kind": "officer"}),
        ("remove_addressee", "Alice Davey"),
    ]
    assert {c["decided_on"] for c in commands} == {"2024-04-18"}


def test_the_same_names_however_written_or_a_blank_names_cell_plan_nothing() -> None:
    row = recorded()[2]
    assert planned(cells(row, names="matt huggins; ALICE DAVEY")).commands == []
    assert planned(cells(row, names="")).commands == []


def test_a_new_row_whose_place_made_ref_is_recorded_gets_the_next_number_of_its_meeting() -> None:
    row = recorded()[0]
    same_meeting = [r for r in recorded() if r.meeting_date == row.meeting_date]
    new = cells(row, text="That the board visits the arboretum.")[1:]  # a table without refs: the row put first
    commands = planned(new, *(cells(r)[1:] for r in same_meeting), header=HEADER[1:]).commands
    assert {str(at) for at, _ in commands} == {'sheet "Tracker" row 2'}  # the rows as recorded: nothing
    make = commands[0][1]
    assert make["ref"] == f"{row.meeting_date.isoformat()}/{len(same_meeting) + 1}"
    assert make["command_id"].startswith("import:SNAC:t.xlsx:Tracker:row 2:recommendation:")
