"""Minutes read into a draft: the seeds' minutes give exactly what a clerk would record, in any of their files.

The expected lists are written by hand from the minutes' text: Sandwell's Safer Neighbourhoods and
Active Communities Scrutiny Board, 15 February 2024 (in its agenda pack of 14 March 2024), and
Wolverhampton's Adults and Safer City Scrutiny Panel, 10 April 2018 (in its pack of 12 June 2018).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfWriter

from scrutiny_es.adapters.importers import CannotImport
from scrutiny_es.adapters.importers.minutes import Draft, draft_minutes, read_people

FIXTURES = Path(__file__).parent.parent / "fixtures" / "minutes"
SANDWELL = FIXTURES / "sandwell-pack-2024-03-14.txt"
WOLVERHAMPTON = FIXTURES / "wolverhampton-pack-2018-06-12.txt"

FISHING = "Fishing Policy (Sandwell Angling Code of Conduct)"
GREEN_SPACES = "Assistant Director Borough Economy (Green Spaces, Green Services, Events)"
DEFERRAL = "That consideration of the Housing Regulatory Framework is deferred to a future meeting of the Board."
STRATEGY = "Black Country Reducing Reoffending Strategy"


@dataclass(frozen=True)
class Item:
    """An item as the tracker's rows give it."""

    ref: str
    meeting_date: date
    item: str
    minute: str | None
    text: str
    status: str = "awaiting_response"


BBQ = Item("2024-01-17/4", date(2024, 1, 17),
           "Implementation of 3 Boroughwide Public Space Protection Orders relating to Alcohol Consumption, "
           "Dog Fouling and BBQs/ Fires", "6/24",
           "That the Director of Borough Economy considers the feasibility of providing, fixed and fire-safe "
           "designated BBQ areas in Sandwell’s green spaces and that the Safer Neighbourhoods and Active "
           "Communities Scrutiny Board is consulted as part of the consideration.")  # fmt: skip


def sandwell_commands(reaffirmed: str | None = "2024-01-17/4") -> list[dict[str, Any]]:
    made = {"command": "make_recommendation", "body": "SNAC", "kind": "recommendation", "meeting_date": "2024-02-15",
            "item": FISHING, "minute": "19/24", "addressees": [{"name": GREEN_SPACES, "kind": "officer"}]}  # fmt: skip
    reaffirm = [
        {"command": "reaffirm", "body": "SNAC", "ref": reaffirmed, "decided_on": "2024-02-15", "minute": "19/24",
         "note": "The Board re- affirmed its recommendation made at its meeting on 17 January 2024 in relation to the "
                 "feasibility of providing fixed and fire-safe designated BBQ areas in Sandwell's green spaces."},
    ]  # fmt: skip
    return [
        *(reaffirm if reaffirmed else []),
        {**made, "ref": "2024-02-15/1",
         "text": "That the Assistant Director Borough Economy (Green Spaces, Green Services, Events) considers the "
                 "following amendments to the draft Sandwell Angling Code of Conduct, to provide clarity:- a. "
                 "detailing set times for fishing to take place at waterbodies; b. allowing angling at Swan Pool on "
                 "Saturdays and Sundays;"},
        {**made, "ref": "2024-02-15/2",
         "text": "That the Assistant Director Borough Economy (Green Spaces, Green Services, Events) considers the "
                 "following in relation to the draft Sandwell Angling Code of Conduct:- a. explores options to sell "
                 "animal feed at sites where angling is permitted; b. works with schools in the locality of Council "
                 "waterbodies to inform residents of approved angling practices; c. undertakes to improve access to "
                 "waterbodies for those with mobility and access issues;"},
        {"command": "make_recommendation", "body": "SNAC", "ref": "2024-02-15/3", "kind": "action",
         "meeting_date": "2024-02-15", "item": "Housing Regulatory Framework", "minute": "20/24", "text": DEFERRAL,
         "addressees": []},
        {"command": "defer", "body": "SNAC", "ref": "2024-02-15/3", "until": None, "reason": DEFERRAL,
         "decided_on": "2024-02-15", "minute": "20/24"},
    ]  # fmt: skip


SANDWELL_BECAME = [
    ("17/24", "procedural", "correct record"),
    ("19/24", "re-affirmation", "re- affirmed"),
    ("19/24(1)", "recommendation", f"That the {GREEN_SPACES} considers"),
    ("19/24(2)", "recommendation", f"That the {GREEN_SPACES} considers"),
    ("20/24", "deferral", "deferred"),
    ("21/24", "noted", "noted"),
    ("22/24", "noted", "noted"),
]


def wolverhampton_commands(director: dict[str, str] | None = None) -> list[dict[str, Any]]:
    action = {"command": "make_recommendation", "body": "ASCSP", "kind": "action", "meeting_date": "2018-04-10",
              "item": STRATEGY, "minute": "6"}  # fmt: skip
    return [
        {**action, "ref": "2018-04-10/1", "addressees": [],
         "text": "The panel comments on the draft Black Country Re-offending Strategy to be included in the "
                 "consultation response."},
        {**action, "ref": "2018-04-10/2", "kind": "recommendation", "addressees": [],
         "text": "The panel approved the draft strategy proposal but would welcome a response to the suggestion to "
                 "develop outcomes and performance measures for Wolverhampton."},
        {**action, "ref": "2018-04-10/3",
         "addressees": [director or {"name": "Director of Adult Services", "kind": "officer"}],
         "text": "The Director of Adult Services to report to a future meeting about the implications of the "
                 "Homelessness Reduction Act with reference to Council response to meeting the housing needs of "
                 "ex-offenders."},
        {**action, "ref": "2018-04-10/4", "addressees": [{"name": "Community Safety Manager", "kind": "officer"}],
         "text": "The Community Safety Manager to provide the panel to receive a report on the response to "
                 "consultation document from the Community Safety Board meeting in June 2018 before it is approved."},
        {**action, "ref": "2018-04-10/5", "addressees": [], "target_date": "2018-09-27",
         "text": "The panel agreed to receive a final draft of the Black Country Re-Offending Strategy report at the "
                 "panel meeting on 27 September 2018."},
    ]  # fmt: skip


WOLVERHAMPTON_BECAME = [
    ("3", "procedural", "correct record"),
    ("6(1)", "action", "to be included"),
    ("6(2)", "recommendation", "would welcome a response"),
    ("6(3)", "action", "The Director of Adult Services to report"),
    ("6(4)", "action", "The Community Safety Manager to provide"),
    ("6(5)", "action", "agreed to receive"),
]


def without_ids(draft: Draft) -> list[dict[str, Any]]:
    return [{k: v for k, v in command.items() if k != "command_id"} for command in draft.commands]


def became(draft: Draft) -> list[tuple[str, str, str]]:
    return [(d.where, d.became, d.phrase) for d in draft.resolutions]


def test_sandwell_minutes_give_the_two_recommendations_the_deferral_and_the_reaffirmation() -> None:
    draft = draft_minutes(SANDWELL, "SNAC", known=[BBQ])

    assert draft.meeting_date == date(2024, 2, 15)
    assert became(draft) == SANDWELL_BECAME
    assert without_ids(draft) == sandwell_commands()
    assert draft.without == ("15/24 Apologies for Absence", "16/24 Declarations of Interest",
                             "18/24 Additional Items of Business")  # fmt: skip


def test_a_reaffirmation_of_an_item_the_record_does_not_hold_is_said_and_drafts_nothing() -> None:
    draft = draft_minutes(SANDWELL, "SNAC")

    assert without_ids(draft) == sandwell_commands(reaffirmed=None)
    (reaffirmation,) = [d for d in draft.resolutions if d.became == "re-affirmation"]
    assert reaffirmation.notes == (
        "not found in the record: no item of the meeting on 17 January 2024, minute 6/24; nothing drafted",
    )
    assert "not found in the record" in draft.report()


def test_wolverhampton_minutes_give_the_five_actions_with_the_role_named_and_the_report_back_date() -> None:
    draft = draft_minutes(WOLVERHAMPTON, "ASCSP")

    assert draft.meeting_date == date(2018, 4, 10)
    assert became(draft) == WOLVERHAMPTON_BECAME
    assert without_ids(draft) == wolverhampton_commands()


def test_a_people_file_turns_a_role_into_the_name_of_who_holds_it(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("role,name\nDirector of Adult Services,David Watts\n", encoding="utf-8")

    draft = draft_minutes(WOLVERHAMPTON, "ASCSP", people=read_people(people))

    director = {"name": "David Watts", "role": "Director of Adult Services", "kind": "officer"}
    assert without_ids(draft) == wolverhampton_commands(director)


def test_the_standard_output_says_what_each_resolution_became_and_the_phrase_that_decided_it() -> None:
    report = draft_minutes(SANDWELL, "SNAC", known=[BBQ]).report().splitlines()

    assert report[0] == ("Minutes of 15 February 2024 (sandwell-pack-2024-03-14.txt) for SNAC: 7 resolutions, "
                         "5 commands drafted")  # fmt: skip
    assert '17/24 Minutes: procedural (decided by "correct record")' in report
    assert f'19/24 {FISHING}: re-affirmation -> reaffirm 2024-01-17/4 (decided by "re- affirmed")' in report
    assert (f"19/24(1) {FISHING}: recommendation -> make_recommendation 2024-02-15/1 to {GREEN_SPACES} "
            f'(decided by "That the {GREEN_SPACES} considers")') in report  # fmt: skip
    assert ('20/24 Housing Regulatory Framework: deferral -> make_recommendation 2024-02-15/3; defer 2024-02-15/3 '
            'until a future meeting (decided by "deferred")') in report  # fmt: skip
    assert ("21/24 Safer Neighbourhoods and Active Communities Scrutiny Action Tracker: noted "
            '(decided by "noted")') in report  # fmt: skip


def test_items_the_record_holds_already_are_not_drafted_again_and_a_deferral_finds_its_item() -> None:
    first = draft_minutes(SANDWELL, "SNAC", known=[BBQ])
    held = [Item(c["ref"], date(2024, 2, 15), c["item"], c["minute"], c["text"])
            for c in first.commands if c["command"] == "make_recommendation"]  # fmt: skip

    again = draft_minutes(SANDWELL, "SNAC", known=[BBQ, *held])

    assert [c["command"] for c in again.commands] == ["reaffirm", "defer"]
    assert {c["command_id"] for c in again.commands} <= {c["command_id"] for c in first.commands}
    notes = [note for d in again.resolutions for note in d.notes]
    assert notes == ["already in the record as 2024-02-15/1", "already in the record as 2024-02-15/2",
                     "the deferred item is 2024-02-15/3 in the record"]  # fmt: skip


def test_command_ids_come_from_the_minutes_words_not_the_files_name(tmp_path: Path) -> None:
    renamed = tmp_path / "minutes-february.txt"
    shutil.copy(SANDWELL, renamed)

    ids = [c["command_id"] for c in draft_minutes(SANDWELL, "SNAC", known=[BBQ]).commands]

    assert ids == [c["command_id"] for c in draft_minutes(renamed, "SNAC", known=[BBQ]).commands]
    assert len(set(ids)) == len(ids)
    assert ids != [c["command_id"] for c in draft_minutes(renamed, "OTHER", known=[BBQ]).commands]


def test_an_actor_given_is_in_every_command() -> None:
    jo = {"id": "jo", "name": "Jo Patel", "role": "scrutiny officer"}

    draft = draft_minutes(WOLVERHAMPTON, "ASCSP", actor=jo)

    assert {c["actor"]["id"] for c in draft.commands} == {"jo"}
    assert [c["command"] for c in draft.commands] == ["make_recommendation"] * 5


def convert(source: Path, suffix: str, folder: Path) -> Path:
    soffice = shutil.which("soffice")
    assert soffice, "soffice is needed for this test: apt-get install libreoffice-writer-nogui (make test installs it)"
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", suffix, "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    return folder / f"{source.stem}.{suffix}"


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
@pytest.mark.parametrize(("minutes", "body"), [(SANDWELL, "SNAC"), (WOLVERHAMPTON, "ASCSP")])
def test_the_same_minutes_as_word_and_as_pdf_give_the_same_draft(
    minutes: Path, body: str, suffix: str, tmp_path: Path
) -> None:
    converted = convert(minutes, suffix, tmp_path)

    text, other = draft_minutes(minutes, body, known=[BBQ]), draft_minutes(converted, body, known=[BBQ])

    assert other.commands == text.commands
    assert became(other) == became(text)
    assert other.without == text.without


def test_a_meeting_date_given_picks_the_minutes_and_a_wrong_one_is_said(tmp_path: Path) -> None:
    assert draft_minutes(SANDWELL, "SNAC", meeting_date=date(2024, 2, 15)).meeting_date == date(2024, 2, 15)

    with pytest.raises(CannotImport, match=r"holds the minutes of 15 February 2024, not of 16 February 2024"):
        draft_minutes(SANDWELL, "SNAC", meeting_date=date(2024, 2, 16))


def test_minutes_with_no_heading_take_the_date_given(tmp_path: Path) -> None:
    minutes = tmp_path / "minutes.md"
    minutes.write_text("## 7 Libraries\n\nRESOLVED – T H A T the Director of Culture reports on opening hours "
                       "by 31 March 2024.\n", encoding="utf-8")  # fmt: skip

    with pytest.raises(CannotImport, match="gives the date: give the meeting's date") as refused:
        draft_minutes(minutes, "BC")
    assert refused.value.field == "meeting_date"  # a host says it beside its own box
    draft = draft_minutes(minutes, "BC", meeting_date=date(2024, 1, 9))

    assert without_ids(draft) == [
        {"command": "make_recommendation", "body": "BC", "ref": "2024-01-09/1", "kind": "recommendation",
         "meeting_date": "2024-01-09", "item": "Libraries", "minute": "7",
         "text": "That the Director of Culture reports on opening hours by 31 March 2024.",
         "addressees": [{"name": "Director of Culture", "kind": "officer"}], "target_date": "2024-03-31"},
    ]  # fmt: skip


def test_minutes_with_no_resolution_are_refused(tmp_path: Path) -> None:
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the Audit Committee\n\n15 February 2024\n\n1 Apologies\n\nNone.\n", encoding="utf-8")

    with pytest.raises(CannotImport, match=r"^no resolution found in minutes.txt's minutes of 15 February 2024"):
        draft_minutes(minutes, "AC")


def test_a_scanned_pdf_with_no_text_is_refused(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with scan.open("wb") as file:
        writer.write(file)

    with pytest.raises(CannotImport, match=r"^scan.pdf has no text to read: it is a scanned image"):
        draft_minutes(scan, "SNAC", meeting_date=date(2024, 2, 15))


def test_a_fifty_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "pack.pdf"
    with huge.open("wb") as file:
        file.truncate(50_000_000)

    with pytest.raises(CannotImport, match=r"^pack.pdf is 50.0 MB; minutes are read from files of up to 25 MB"):
        draft_minutes(huge, "SNAC")


def test_a_non_breaking_hyphen_in_word_minutes_stays_a_hyphen(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ("Minutes of the Safer Neighbourhoods Scrutiny Board", "Thursday 15 February 2024", "19/24 Budget",
                 "Resolved:"):  # fmt: skip
        document.add_paragraph(line)
    paragraph = document.add_paragraph("1. That the Director of Housing reports on the 2023")
    run = paragraph.add_run("")
    run._r.append(run._r.makeelement(docx.oxml.ns.qn("w:noBreakHyphen"), {}))
    paragraph.add_run("24 budget.")
    document.save(str(tmp_path / "minutes.docx"))
    [made] = draft_minutes(tmp_path / "minutes.docx", "SNAC").commands
    assert made["text"] == "That the Director of Housing reports on the 2023-24 budget."


def test_a_word_document_that_is_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "minutes.docx"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(30):
            part.write(b"<w:t>" + b"a" * 1_000_000)

    assert bomb.stat().st_size < 200_000
    with pytest.raises(CannotImport, match=r"^minutes.docx unpacks to more than 20 MB of text: it is not minutes"):
        draft_minutes(bomb, "SNAC")


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("minutes.doc", b"x", r"not \.doc \(save it as \.docx\)"),
        ("minutes.docx", b"not a zip", r"is not a \.docx file"),
        ("minutes.pdf", b"%PDF-1.4 broken", r"cannot be read as a PDF"),
        ("minutes.txt", b"", r"is empty"),
        ("minutes.txt", b"PK\x03\x04rest", r"is not plain text"),
    ],
)
def test_a_file_that_is_not_minutes_gets_one_sentence(tmp_path: Path, name: str, content: bytes, said: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CannotImport, match=said):
        draft_minutes(path, "SNAC", meeting_date=date(2024, 2, 15))


def test_a_people_file_with_a_role_not_in_quotes_is_refused(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("role,name\nHead of Parks (Green Spaces, Events),Matt Huggins\n", encoding="utf-8")

    with pytest.raises(CannotImport, match=r"^people.csv line 2: more cells than the header names"):
        read_people(people)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"role,name\n\nDirector of Housing,Ren\xe9e Watts\n", "people.csv line 3: not UTF-8 text (byte 0xE9)"),
        (b"role,name\nDirector of Housing,Alice Davey\n\nThe director of  housing,Dawn Winter\n",
         "people.csv line 4: The director of  housing is held by Alice Davey on line 2: one name a role"),
        (b"role,name\n\nDirector of Housing,\n", "people.csv line 3: both role and name are needed"),
        (b"role,name\nDirector of Housing," + b"x" * 200_000 + b"\n",
         "people.csv line 2: cannot be read as CSV (field larger than field limit (131072))"),
    ],
)  # fmt: skip
def test_a_people_file_it_cannot_take_is_refused_naming_the_line(tmp_path: Path, content: bytes, said: str) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(content)

    with pytest.raises(CannotImport, match="^" + re.escape(said)):
        read_people(people)


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="secret")
    with locked.open("wb") as file:
        writer.write(file)

    with pytest.raises(CannotImport, match=r"^locked.pdf is password-protected"):
        draft_minutes(locked, "SNAC", meeting_date=date(2024, 2, 15))
