"""What each cell of a tracker row says: who the item is for, what it is, its target, its response, status and notes."""

from __future__ import annotations

import pytest

from tests.unit.import_plans import HEADER, made, only, plan, table
from tests.unit.tracker_files import CLERK

# Addressees


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Cabinet", "executive"),
        ("Leader of the Council", "executive"),
        ("Cabinet Member for Housing and Built Environment", "executive"),
        ("Portfolio Holder for Adult Social Care", "executive"),
        ("Black Country ICB", "nhs"),
        ("NHS England", "nhs"),
        ("The Dudley Group NHS Foundation Trust", "nhs"),
        ("West Midlands Police", "partner"),
        ("PCC", "partner"),
        ("West Midlands Fire Service", "partner"),
        ("Director of Housing", "officer"),
        ("Matt Huggins", "officer"),
    ],
)
def test_each_addressee_has_the_kind_its_name_suggests(name: str, kind: str) -> None:
    [item] = made(plan(table(HEADER, ["23 Feb 2023", "Trees", "A", name, ""])))
    assert item["addressees"] == [{"name": name, "kind": kind}]


def test_a_name_under_a_cabinet_member_or_portfolio_holder_header_is_the_executive() -> None:
    header = ["Date", "Action", "Lead Officer", "Cabinet Member", "Portfolio Holder"]
    [item] = made(plan(table(header, ["23 Feb 2023", "A", "Alice Davey", "Cllr Padda", "Cllr Rollins"])))
    assert [(a["name"], a["kind"]) for a in item["addressees"]] == [
        ("Alice Davey", "officer"),
        ("Cllr Padda", "executive"),
        ("Cllr Rollins", "executive"),
    ]


def test_names_are_one_a_line_or_separated_by_semicolons_each_once() -> None:
    header = ["Date", "Action", "Responsible Person", "Lead Officer"]
    cell = "Alice Davey; Matt Huggins\n• matt  huggins\n-\nN/A\nTBC"
    [item] = made(plan(table(header, ["23 Feb 2023", "A", cell, "Alice Davey\nDean Epton"])))
    assert [a["name"] for a in item["addressees"]] == ["Alice Davey", "Matt Huggins", "Dean Epton"]


def test_a_name_cell_with_a_comma_inside_a_title_is_reported_and_nothing_of_its_row_is_written() -> None:
    cell = "Alice Davey, Director of Borough Economy\nCabinet Member for Leisure and Tourism"
    doubted = plan(table(HEADER, ["23 Feb 2023", "Trees", "A", cell, "Under way"]))
    assert made(doubted) == [] and doubted.commands == []
    assert any("row" in w and "--names one" in w and "Alice Davey, Director" in w for w in doubted.warnings)
    [item] = made(plan(table(HEADER, ["23 Feb 2023", "Trees", "A", cell, ""]), names="one"))
    assert [a["name"] for a in item["addressees"]] == [
        "Alice Davey, Director of Borough Economy",
        "Cabinet Member for Leisure and Tourism",
    ]
    [item] = made(plan(table(HEADER, ["23 Feb 2023", "Trees", "A", cell, ""]), names="split"))
    assert [a["name"] for a in item["addressees"]][:2] == ["Alice Davey", "Director of Borough Economy"]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Alice Davey, Matt Huggins", ["Alice Davey", "Matt Huggins"]),
        ("Alice Davey / Matt Huggins", ["Alice Davey", "Matt Huggins"]),
        ("Alice Davey and Dawn Winter", ["Alice Davey", "Dawn Winter"]),
        ("Alice Davey & Dawn Winter; Dean Epton", ["Alice Davey", "Dawn Winter", "Dean Epton"]),
        ("Police and Crime Commissioner", ["Police and Crime Commissioner"]),
        ("Cabinet Member for Leisure and Tourism", ["Cabinet Member for Leisure and Tourism"]),
    ],
)
def test_names_in_one_cell_are_read_as_a_clerk_writes_them(cell: str, names: list[str]) -> None:
    [item] = made(plan(table(HEADER, ["23 Feb 2023", "Trees", "A", cell, ""])))
    assert [a["name"] for a in item["addressees"]] == names


# What an item is


@pytest.mark.parametrize(
    ("header", "text", "kind"),
    [
        ("Recommendation/ Action", "That the Director considers seating.", "recommendation"),
        ("Recommendation/ Action", "1. That the Director considers seating.", "recommendation"),
        ("Recommendation/ Action", "(a) that the Director considers seating.", "recommendation"),
        ("Recommendation/ Action", "Checkpoint reports are provided to the Board", "action"),
        ("Recommendation/ Action", "Thatcham visit to be arranged", "action"),
        ("Recommendation", "Checkpoint reports are provided to the Board", "recommendation"),
        ("Resolution", "Checkpoint reports are provided to the Board", "recommendation"),
        ("Action", "That the Director considers seating.", "action"),
    ],
)
def test_an_item_is_an_action_under_an_action_header_and_under_both_unless_worded_that(
    header: str, text: str, kind: str
) -> None:
    [item] = made(plan(table(["Date", "Item", header], ["23 Feb 2023", "Trees", text])))
    assert item["kind"] == kind


def test_without_an_item_column_the_sheet_or_file_names_the_item() -> None:
    sheet = table(["Date", "Recommendation"], ["23 Feb 2023", "A"], name="Dental access", kind="sheet")
    assert [c["item"] for c in made(plan(sheet, source="t.xlsx"))] == ["Dental access"]
    document = table(["Date", "Recommendation"], ["23 Feb 2023", "A"])
    result = plan(document, source="Winter pressures.docx")
    assert [c["item"] for c in made(result)] == ["Winter pressures"]
    assert result.warnings == ['table 1: no Item column: each row\'s item is "Winter pressures"']


# Target dates


@pytest.mark.parametrize(
    ("cell", "target"), [("September 2023", "2023-09-30"), ("Sep 23", "2023-09-30"), ("23 Feb 2023", "2023-02-23")]
)
def test_a_target_date_on_or_after_the_meeting_is_the_items_target(cell: str, target: str) -> None:
    [item] = made(plan(table(["Date", "Action", "Timetable"], ["23 Feb 2023", "A", cell])))
    assert item["target_date"] == target


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("End of May", "is not a date"),
        ("During 2009/10", "is not a date"),
        ("Ongoing", "is not a date"),
        ("1 Jan 2200", "is not between 1900 and 2199"),
        ("22 Feb 2023", "is before the meeting"),
    ],
)
def test_a_target_that_is_not_a_date_after_the_meeting_is_kept_in_the_progress_note(cell: str, why: str) -> None:
    result = plan(table(["Date", "Item", "Action", "Timetable"], ["23 Feb 2023", "Trees", "A", cell]))
    assert "target_date" not in made(result)[0]
    assert [c["note"] for c in only(result, "report_progress")] == [f"Timetable: {cell}"]
    assert result.warnings == [f'table 1 row 2, column "Timetable": "{cell}" {why}; kept in the progress note']


# Responses


@pytest.mark.parametrize(
    ("cell", "decision"),
    [
        ("Agreed", "accepted"),
        ("Accepted", "accepted"),
        ("Yes", "accepted"),
        ("YES.", "accepted"),
        ("In part", "partially_accepted"),
        ("Partially", "partially_accepted"),
        ("Partially agreed", "partially_accepted"),
        ("No", "rejected"),
        ("Rejected", "rejected"),
        ("Not agreed", "rejected"),
        ("Noted", "noted"),
        ("Agreed, subject to funding being found", "noted"),
    ],
)
def test_a_response_decides_by_its_words_and_keeps_them(cell: str, decision: str) -> None:
    result = plan(table(["Date", "Action", "Cabinet Member", "Response"], ["23 Feb 2023", "A", "Cllr Padda", cell]))
    assert only(result, "record_response") == [
        {
            "command": "record_response",
            "command_id": "import:SNAC:t.docx:table 1:row 2:response",
            "actor": CLERK,
            "body": "SNAC",
            "ref": "2023-02-23/1",
            "addressee": "Cllr Padda",
            "decision": decision,
            "text": cell,
            "responded_on": "2024-03-14",
            "responded_by": "Cllr Padda",
        }
    ]


def test_a_decision_column_and_a_response_column_make_one_response_in_the_responses_words() -> None:
    header = ["Date", "Action", "Lead Officer", "Executive response", "Agreed (Yes/No/In part)"]
    result = plan(table(header, ["23 Feb 2023", "A", "Alice Davey", "The service will pilot it.", "In part"]))
    [response] = only(result, "record_response")
    assert (response["decision"], response["text"]) == ("partially_accepted", "The service will pilot it.")


def test_a_response_is_the_first_executive_addressees_else_the_first_addressees() -> None:
    rows = [["Date", "Action", "Responsible Person", "Response"]]
    rows += [["23 Feb 2023", "A", "Alice Davey\nCabinet Member for Leisure", "Agreed"]]
    rows += [["23 Feb 2023", "B", "Alice Davey\nMatt Huggins", "Agreed"]]
    assert [c["addressee"] for c in only(plan(table(*rows)), "record_response")] == [
        "Cabinet Member for Leisure",
        "Alice Davey",
    ]


def test_a_response_with_nobody_to_give_it_is_kept_in_the_progress_note() -> None:
    result = plan(
        table(["Date", "Item", "Action", "Response", "Notes"], ["23 Feb 2023", "Trees", "A", "Agreed", "Under way"])
    )
    assert only(result, "record_response") == []
    [progress] = only(result, "report_progress")
    assert (progress["note"], progress["reported_by"]) == ("Under way\nResponse: Agreed", "the board")
    assert result.warnings == [
        'table 1 row 2, column "Response": "Agreed" is a response, but the row names nobody to give it; '
        "kept in the progress note"
    ]


# Statuses and notes


@pytest.mark.parametrize("status", ["Complete", "Completed", "Achieved", "Actioned", "Green", "GREEN", "complete."])
def test_a_status_of_done_closes_the_item_as_implemented_on_the_trackers_date(status: str) -> None:
    result = plan(table(["Date", "Action", "Status"], ["23 Feb 2023", "A", status]))
    assert [c["command"] for _, c in result.commands] == ["make_recommendation", "close"]
    assert only(result, "close")[0] | {"actor": None} == {
        "command": "close",
        "command_id": "import:SNAC:t.docx:table 1:row 2:close",
        "actor": None,
        "body": "SNAC",
        "ref": "2023-02-23/1",
        "outcome": "implemented",
        "decided_on": "2024-03-14",
    }


@pytest.mark.parametrize(("status", "rag"), [("Red", "red"), ("Amber", "amber"), ("AMBER", "amber")])
def test_a_red_or_amber_status_is_a_progress_reports_rag(status: str, rag: str) -> None:
    result = plan(
        table(["Date", "Action", "Lead Officer", "RAG", "Progress"], ["23 Feb 2023", "A", "Dean Epton", status, "Slow"])
    )
    [progress] = only(result, "report_progress")
    assert (progress["note"], progress["rag"], progress["reported_by"]) == ("Slow", rag, "Dean Epton")


def test_a_red_status_alone_is_reported_in_its_own_words() -> None:
    [progress] = only(plan(table(["Date", "Action", "RAG"], ["23 Feb 2023", "A", "Red"])), "report_progress")
    assert (progress["note"], progress["rag"]) == ("RAG: Red", "red")


@pytest.mark.parametrize("status", ["Ongoing", "Paused", "Pending", "On track", "Slipped"])
def test_any_other_status_is_part_of_the_progress_note(status: str) -> None:
    result = plan(
        table(["Date", "Action", "Progress update", "Status"], ["23 Feb 2023", "A", "Report drafted", status])
    )
    [progress] = only(result, "report_progress")
    assert progress["note"] == f"Report drafted\nStatus: {status}"
    assert "rag" not in progress
    assert only(result, "close") == []


def test_every_notes_column_goes_into_one_progress_note() -> None:
    header = ["Date", "Action", "Action taken", "Comments"]
    [progress] = only(plan(table(header, ["23 Feb 2023", "A", "Letter sent", "Reply awaited"])), "report_progress")
    assert progress["note"] == "Letter sent\nReply awaited"


def test_a_row_with_nothing_but_its_recommendation_is_made_and_nothing_more() -> None:
    result = plan(table(HEADER, ["23 Feb 2023", "Trees", "A", "Matt Huggins", ""]))
    assert [c["command"] for _, c in result.commands] == ["make_recommendation"]
