"""Real councils' trackers, in their own layouts, become exactly the commands a clerk would have typed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrutiny_es.adapters.importers import ImportPlan, plan_import, read_tables
from scrutiny_es.domain.commands import parse_command
from tests.unit.tracker_files import CLERK, MERGED, csv_file, word_document, workbook


def commands(plan: ImportPlan) -> list[dict[str, Any]]:
    """The plan's commands, each checked by the command model as it stands (which does not know command_id yet)."""
    for _, command in plan.commands:
        parse_command({k: v for k, v in command.items() if k != "command_id"})
    return [command for _, command in plan.commands]


def command(name: str, command_id: str, body: str, **fields: Any) -> dict[str, Any]:
    return {"command": name, "command_id": command_id, "actor": CLERK, "body": body, **fields}


# Sandwell: Safer Neighbourhoods and Active Communities Scrutiny Board, Appendix 1 Action Tracker, 14 March 2024

SANDWELL_HEADER = ["Date", "Item", "Recommendation/ Action", "Responsible Person", "Notes"]
BOARD = "the Safer Neighbourhoods and Active Communities Scrutiny Board"
TREES = "Tree Strategy and Implementation Plan 2023- 2028"
VALLEY = "Sandwell Valley Master Plan and 10-Year Business Plan"
HERITAGE = "Heritage Strategy Update"
PSPO = (
    "Implementation of 3 Boroughwide Public Space Protection Orders "
    "relating to Alcohol Consumption, Dog Fouling and BBQs/ Fires"
)
TENANTS = "Tenant Satisfaction Survey Outcomes"
FISHING = "Fishing Policy"
ALICE_MATT = ["Alice Davey", "Matt Huggins"]
ALICE_DAWN = ["Alice Davey", "Dawn Winter"]
CHECKPOINTS = (
    f"Checkpoint reports throughout the first 18 months of the {TREES} are provided to the Safer "
    "Neighbourhoods and Active Communities Scrutiny Board"
)
FEEDBACK = (
    "Feedback from the survey of trees, to include impact on light to habitable rooms is provided to the "
    "Safer Neighbourhoods and Active Communities Scrutiny Board"
)
SAILING = (
    "That the Director of Borough Economy considers the expansion of the existing sailing club building, "
    "located in Sandwell Valley, into a multi-use facility to accommodate all users."
)
SEATING = (
    "That the Director of Borough Economy considers the provision of additional seating areas throughout "
    "Sandwell Valley, especially in the proximity of play areas."
)
ENDORSE = f"That {BOARD} endorse the proposals for the development of a Cultural Strategy."
PARTNERSHIP = (
    "That the Director of Borough Economy work in partnership with the Community and Voluntary Sector and "
    "other Council services including the Equality, Diversity and Inclusion team and Communities Team when "
    "developing the Cultural Strategy."
)
ALIGNED = (
    "That the Director of Borough Economy ensure that the development of a Cultural Strategy is aligned with "
    "the Sandwell Valley Masterplan to further develop the Cultural portfolio of Sandwell."
)
BBQ = (
    "That the Director of Borough Economy considers the feasibility of providing, fixed and fire-safe "
    f"designated BBQ areas in Sandwell’s green spaces and that {BOARD} is consulted as part of the consideration."
)
ASSETS = (
    "That the Director of Housing ensure that when reviewing and procuring an Asset Management System it links "
    "with other systems including procurement and operational systems to help build intelligence."
)
STOCK = (
    "That the Director of Housing provide an update on stock condition surveys and any issues experienced "
    f"around them to {BOARD}."
)
ANGLING = [
    "That the Assistant Director Borough Economy (Green Spaces, Green Services, Events) considers the following "
    "amendments to the draft Sandwell Angling Code of Conduct, to provide clarity:-",
    "a. detailing set times for fishing to take place at waterbodies;",
    "b. allowing angling at Swan Pool on Saturdays and Sundays;",
]
ANGLERS = [
    "That the Assistant Director Borough Economy (Green Spaces, Green Services, Events) considers the following "
    "in relation to the draft Sandwell Angling Code of Conduct:-",
    "a. explores options to sell animal feed at sites where angling is permitted;",
    "b. works with schools in the locality of Council waterbodies to inform residents of approved angling practices;",
    "c. undertakes to improve access to waterbodies for those with mobility and access issues;",
]
BRIEFING = "Briefing note to be circulated September 2023"

SANDWELL_ROWS = [
    SANDWELL_HEADER,
    ["23 FEB 23", TREES, CHECKPOINTS, "Matt Huggins", BRIEFING],
    [MERGED, MERGED, FEEDBACK, "Matt Huggins", BRIEFING],
    ["18 DEC 23", VALLEY, SAILING, ALICE_MATT, "Noted to feed into the Sandwell Valley consultation."],
    [
        MERGED,
        MERGED,
        SEATING,
        ALICE_MATT,
        "Noted for consideration as part of the service planning 2024/ 25 and Sandwell Valley master planning.",
    ],
    [
        "17 JAN 24",
        HERITAGE,
        ENDORSE,
        ALICE_DAWN,
        "Noted – the cultural strategy will move into the development stage now",
    ],
    [
        MERGED,
        MERGED,
        PARTNERSHIP,
        ALICE_DAWN,
        "Noted this engagement will form a part of the development of the cultural strategy along with other "
        "partners and stakeholders",
    ],
    [
        MERGED,
        MERGED,
        ALIGNED,
        ALICE_DAWN,
        "Noted this alignment will be considered within the scope of the cultural strategy development",
    ],
    [MERGED, PSPO, BBQ, ALICE_MATT, ""],
    ["29 JAN 24", TENANTS, ASSETS, "Dean Epton", ""],
    [MERGED, MERGED, STOCK, "Dean Epton", ""],
    ["15 FEB 24", FISHING, ANGLING, "Matt Huggins", ""],
    [MERGED, MERGED, ANGLERS, "Matt Huggins", ""],
]
IMPLICATIONS = [
    ["Resources:", "Any resources implications arising from scrutiny activity are considered as required."],
    ["Legal and Governance:", "The duty to undertake overview and scrutiny is set out in Part 1A Section 9."],
]


def test_sandwells_action_tracker_in_word_becomes_its_recommendations_actions_and_progress(tmp_path: Path) -> None:
    path = word_document(tmp_path / "SNACSB tracker.docx", IMPLICATIONS, SANDWELL_ROWS)
    plan = plan_import(read_tables(path), body="SNAC", source=path.name, as_of=date(2024, 3, 14), actor=CLERK)

    def made(row: int, ref: str, kind: str, meeting: str, item: str, text: str, names: list[str]) -> dict[str, Any]:
        addressees = [{"name": name, "kind": "officer"} for name in names]
        fields = {"ref": ref, "kind": kind, "meeting_date": meeting, "item": item, "text": text}
        return command(
            "make_recommendation", sandwell_id(row, "recommendation"), "SNAC", **fields, addressees=addressees
        )

    def progress(row: int, ref: str, note: str, by: str) -> dict[str, Any]:
        fields = {"ref": ref, "note": note, "reported_on": "2024-03-14", "reported_by": by}
        return command("report_progress", sandwell_id(row, "progress"), "SNAC", **fields)

    assert commands(plan) == [
        made(2, "2023-02-23/1", "action", "2023-02-23", TREES, CHECKPOINTS, ["Matt Huggins"]),
        progress(2, "2023-02-23/1", BRIEFING, "Matt Huggins"),
        made(3, "2023-02-23/2", "action", "2023-02-23", TREES, FEEDBACK, ["Matt Huggins"]),
        progress(3, "2023-02-23/2", BRIEFING, "Matt Huggins"),
        made(4, "2023-12-18/1", "recommendation", "2023-12-18", VALLEY, SAILING, ALICE_MATT),
        progress(4, "2023-12-18/1", "Noted to feed into the Sandwell Valley consultation.", "Alice Davey"),
        made(5, "2023-12-18/2", "recommendation", "2023-12-18", VALLEY, SEATING, ALICE_MATT),
        progress(
            5,
            "2023-12-18/2",
            "Noted for consideration as part of the service planning 2024/ 25 and Sandwell Valley master planning.",
            "Alice Davey",
        ),
        made(6, "2024-01-17/1", "recommendation", "2024-01-17", HERITAGE, ENDORSE, ALICE_DAWN),
        progress(
            6, "2024-01-17/1", "Noted – the cultural strategy will move into the development stage now", "Alice Davey"
        ),
        made(7, "2024-01-17/2", "recommendation", "2024-01-17", HERITAGE, PARTNERSHIP, ALICE_DAWN),
        progress(
            7,
            "2024-01-17/2",
            "Noted this engagement will form a part of the development of the cultural strategy along with other "
            "partners and stakeholders",
            "Alice Davey",
        ),
        made(8, "2024-01-17/3", "recommendation", "2024-01-17", HERITAGE, ALIGNED, ALICE_DAWN),
        progress(
            8,
            "2024-01-17/3",
            "Noted this alignment will be considered within the scope of the cultural strategy development",
            "Alice Davey",
        ),
        made(9, "2024-01-17/4", "recommendation", "2024-01-17", PSPO, BBQ, ALICE_MATT),
        made(10, "2024-01-29/1", "recommendation", "2024-01-29", TENANTS, ASSETS, ["Dean Epton"]),
        made(11, "2024-01-29/2", "recommendation", "2024-01-29", TENANTS, STOCK, ["Dean Epton"]),
        made(12, "2024-02-15/1", "recommendation", "2024-02-15", FISHING, "\n".join(ANGLING), ["Matt Huggins"]),
        made(13, "2024-02-15/2", "recommendation", "2024-02-15", FISHING, "\n".join(ANGLERS), ["Matt Huggins"]),
    ]
    assert [str(at) for at, _ in plan.commands][:3] == ["table 2 row 2", "table 2 row 2", "table 2 row 3"]
    assert plan.warnings == ["table 1: no header row naming the recommendation and another known column; left out"]
    assert plan.errors == []


def sandwell_id(row: int, fact: str) -> str:
    return f"import:SNAC:SNACSB tracker.docx:table 2:row {row}:{fact}"


# Another council's review tracker: a workbook, one sheet per scrutiny review

REVIEW_HEADER = [
    "Reference",
    "Date agreed",
    "Recommendation",
    "Executive response",
    "Agreed (Yes/No/In part)",
    "Lead officer",
    "Cabinet member",
    "Timetable",
    "Action taken / Progress",
    "Status/Outcome",
    "Comments",
]
ACCESS = "That a single point of access to adult mental health services is established."
CARERS = "That carers are involved in reviewing the care plans of those they care for."
BEDS = "That crisis beds are kept open at weekends."
WAITING = "That the panel receives a report on waiting times for assessment."
DISCHARGE = "That Sandwell and West Birmingham NHS Trust reviews its discharge planning."
AGREES = "The Cabinet Member agrees: a single point of access will open in the autumn."
DECLINES = "The Cabinet does not support this recommendation: the funding has been withdrawn."
PROTOCOL = "A draft protocol has been agreed with the Black Country Partnership NHS Foundation Trust."
NHS_TRUST = "Sandwell and West Birmingham NHS Trust"
REVIEW_ROWS = [
    ["Scrutiny Review of Adult Mental Health Commissioning – tracking of recommendations"],
    [],
    REVIEW_HEADER,
    ["AMH1", datetime(2011, 3, 8), ACCESS, AGREES, "Yes", "David Watts", "Cllr Sandra Samuels", "September 2011",
     "Procurement of the access service is under way.", "Amber", None],
    ["AMH2", None, CARERS, None, "In part", "Karen Samuels", "Cllr Sandra Samuels", "End of May", PROTOCOL, "Ongoing",
     "Chased in April."],
    ["AMH3", None, BEDS, DECLINES, "No", "David Watts", "Cllr Sandra Samuels", None, None, "Red", None],
    ["AMH4", "08/03/2011", WAITING, None, "Yes", "David Watts", None, "Completed", "Report to the panel in March 2012.",
     "Green", None],
    ["AMH5", datetime(2011, 3, 8), DISCHARGE, None, None, NHS_TRUST, None, "31.12.2011", None, "Completed", None],
]  # fmt: skip


def test_a_review_tracker_workbook_in_another_councils_layout_becomes_responses_progress_and_closures(
    tmp_path: Path,
) -> None:
    path = workbook(
        tmp_path / "reviews.xlsx", {"Adult Mental Health": REVIEW_ROWS}, merged={"Adult Mental Health": ["B4:B6"]}
    )
    plan = plan_import(read_tables(path), body="ASC", source=path.name, as_of=date(2012, 3, 20), actor=CLERK)

    def cid(row: int, fact: str) -> str:
        return f"import:ASC:reviews.xlsx:Adult Mental Health:row {row}:{fact}"

    def made(row: int, ref: str, text: str, addressees: list[tuple[str, str]], **extra: str) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "ref": ref,
            "kind": "recommendation",
            "meeting_date": "2011-03-08",
            "item": "Adult Mental Health",
            "text": text,
            "addressees": [{"name": name, "kind": kind} for name, kind in addressees],
        }
        return command("make_recommendation", cid(row, "recommendation"), "ASC", **fields, **extra)

    def response(row: int, ref: str, by: str, decision: str, text: str) -> dict[str, Any]:
        fields = {"ref": ref, "addressee": by, "decision": decision, "text": text, "responded_on": "2012-03-20"}
        return command("record_response", cid(row, "response"), "ASC", **fields, responded_by=by)

    def progress(row: int, ref: str, note: str, by: str, rag: str | None = None) -> dict[str, Any]:
        fields: dict[str, Any] = {"ref": ref, "note": note, "reported_on": "2012-03-20"}
        if rag:
            fields["rag"] = rag
        return command("report_progress", cid(row, "progress"), "ASC", **fields, reported_by=by)

    def close(row: int, ref: str) -> dict[str, Any]:
        return command("close", cid(row, "close"), "ASC", ref=ref, outcome="implemented", decided_on="2012-03-20")

    officer_and_member = [("David Watts", "officer"), ("Cllr Sandra Samuels", "executive")]
    assert commands(plan) == [
        made(4, "AMH1", ACCESS, officer_and_member, target_date="2011-09-30"),
        response(4, "AMH1", "Cllr Sandra Samuels", "accepted", AGREES),
        progress(4, "AMH1", "Procurement of the access service is under way.", "David Watts", "amber"),
        made(5, "AMH2", CARERS, [("Karen Samuels", "officer"), ("Cllr Sandra Samuels", "executive")]),
        response(5, "AMH2", "Cllr Sandra Samuels", "partially_accepted", "In part"),
        progress(
            5, "AMH2", f"{PROTOCOL}\nChased in April.\nTimetable: End of May\nStatus/Outcome: Ongoing", "Karen Samuels"
        ),
        made(6, "AMH3", BEDS, officer_and_member),
        response(6, "AMH3", "Cllr Sandra Samuels", "rejected", DECLINES),
        progress(6, "AMH3", "Status/Outcome: Red", "David Watts", "red"),
        made(7, "AMH4", WAITING, [("David Watts", "officer")]),
        response(7, "AMH4", "David Watts", "accepted", "Yes"),
        progress(7, "AMH4", "Report to the panel in March 2012.\nTimetable: Completed", "David Watts"),
        close(7, "AMH4"),
        made(8, "AMH5", DISCHARGE, [(NHS_TRUST, "nhs")], target_date="2011-12-31"),
        close(8, "AMH5"),
    ]
    assert plan.warnings == [
        'sheet "Adult Mental Health": no Item column: each row\'s item is "Adult Mental Health"',
        'sheet "Adult Mental Health" row 5, column "Timetable": "End of May" is not a date; kept in the progress note',
        'sheet "Adult Mental Health" row 7, column "Timetable": "Completed" is not a date; kept in the progress note',
    ]
    assert plan.errors == []


# A health scrutiny committee's tracker, saved as CSV: UTF-8 from one machine, Windows-1252 from another

HEALTH_HEADER = ["No.", "Meeting date", "Topic", "Resolution", "Recommendation made to", "Response", "RAG", "Update"]
WINTER = "That the Black Country ICB publishes its winter plan, and its £2.5m cost, to the committee."
STREETS = "That West Midlands Police reports to the committee on the “Safer Streets” scheme."
DENTAL = "That the Cabinet Member for Public Health writes to NHS England about access to dentists."
WROTE = "The Cabinet Member wrote to NHS England’s regional director on 2 February."
HEALTH_ROWS = [
    HEALTH_HEADER,
    ["HS1", "14/11/2023", "Winter pressures", WINTER, "Black Country ICB; The Dudley Group NHS Foundation Trust",
     "Accepted", "Green", "The plan was published on 1 December 2023."],
    ["HS2", "14/11/2023", "Winter pressures", STREETS, "West Midlands Police\nPolice and Crime Commissioner", "Noted",
     "Amber", "The report is due at the committee’s January meeting."],
    ["HS3", "23 January 2024", "Dental access", DENTAL, "Cabinet Member for Public Health", WROTE, "", ""],
]  # fmt: skip


def health_commands(source: str) -> list[dict[str, Any]]:
    def cid(line: int, fact: str) -> str:
        return f"import:HASC:{source}:line {line}:{fact}"

    def made(
        line: int, ref: str, meeting: str, item: str, text: str, addressees: list[tuple[str, str]]
    ) -> dict[str, Any]:
        fields = {"ref": ref, "kind": "recommendation", "meeting_date": meeting, "item": item, "text": text}
        names = [{"name": name, "kind": kind} for name, kind in addressees]
        return command("make_recommendation", cid(line, "recommendation"), "HASC", **fields, addressees=names)

    def response(line: int, ref: str, by: str, decision: str, text: str) -> dict[str, Any]:
        fields = {"ref": ref, "addressee": by, "decision": decision, "text": text, "responded_on": "2024-03-20"}
        return command("record_response", cid(line, "response"), "HASC", **fields, responded_by=by)

    def progress(line: int, ref: str, note: str, by: str, **rag: str) -> dict[str, Any]:
        fields = {"ref": ref, "note": note, "reported_on": "2024-03-20", **rag}
        return command("report_progress", cid(line, "progress"), "HASC", **fields, reported_by=by)

    icb, police = "Black Country ICB", "West Midlands Police"
    return [
        made(2, "HS1", "2023-11-14", "Winter pressures", WINTER, [(icb, "nhs"), ("The Dudley Group NHS Foundation Trust", "nhs")]),
        response(2, "HS1", icb, "accepted", "Accepted"),
        progress(2, "HS1", "The plan was published on 1 December 2023.", icb),
        command("close", cid(2, "close"), "HASC", ref="HS1", outcome="implemented", decided_on="2024-03-20"),
        made(3, "HS2", "2023-11-14", "Winter pressures", STREETS, [(police, "partner"), ("Police and Crime Commissioner", "partner")]),
        response(3, "HS2", police, "noted", "Noted"),
        progress(3, "HS2", "The report is due at the committee’s January meeting.", police, rag="amber"),
        made(5, "HS3", "2024-01-23", "Dental access", DENTAL, [("Cabinet Member for Public Health", "executive")]),
        response(5, "HS3", "Cabinet Member for Public Health", "noted", WROTE),
    ]  # fmt: skip


def test_a_health_committees_csv_tracker_saved_as_utf8_with_a_byte_order_mark_is_read_in_full(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "health.csv", HEALTH_ROWS, encoding="utf-8-sig", delimiter=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfNo.;")
    plan = plan_import(read_tables(path), body="HASC", source=path.name, as_of=date(2024, 3, 20), actor=CLERK)
    assert commands(plan) == health_commands("health.csv")
    assert (plan.warnings, plan.errors) == ([], [])


def test_the_same_csv_tracker_saved_as_windows_1252_gives_the_same_commands(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "health-1252.csv", HEALTH_ROWS, encoding="cp1252")
    assert b"\xa32.5m" in path.read_bytes()
    assert b"\x93Safer Streets\x94" in path.read_bytes()
    plan = plan_import(read_tables(path), body="HASC", source=path.name, as_of=date(2024, 3, 20), actor=CLERK)
    assert commands(plan) == health_commands("health-1252.csv")
    assert (plan.warnings, plan.errors) == ([], [])


def test_importing_the_same_file_twice_gives_the_same_command_ids(tmp_path: Path) -> None:
    files = [
        word_document(tmp_path / "tracker.docx", IMPLICATIONS, SANDWELL_ROWS),
        workbook(tmp_path / "reviews.xlsx", {"Adult Mental Health": REVIEW_ROWS}),
        csv_file(tmp_path / "health.csv", HEALTH_ROWS),
    ]
    for path in files:
        first, again = (
            plan_import(read_tables(path), body="B", source=path.name, as_of=date(2024, 3, 20), actor=CLERK)
            for _ in range(2)
        )
        ids = [c["command_id"] for _, c in first.commands]
        assert ids == [c["command_id"] for _, c in again.commands]
        assert len(set(ids)) == len(ids)
        assert first.commands == again.commands
