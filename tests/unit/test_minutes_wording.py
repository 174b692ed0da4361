"""How minutes are written, beyond the seeds: other councils' wording and numbering, and Word's own numbering."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scrutiny_es.adapters.importers import CannotImport
from scrutiny_es.adapters.importers.minutes import Draft, draft_minutes


def drafted(tmp_path: Path, text: str, **options: Any) -> Draft:
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(text, encoding="utf-8")
    return draft_minutes(minutes, "BC", **options)


def summary(draft: Draft) -> list[tuple[str, str, str]]:
    return [(d.where, d.became, d.phrase) for d in draft.resolutions]


def test_recommended_that_letter_spaced_it_was_agreed_and_action_open_resolutions(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Health Scrutiny Committee held on Tuesday 9 January 2024

236. Hospital Discharge

RECOMMENDED – T H A T the Integrated Care Board reports to the Committee by 30 April 2024 on delayed discharges.

237. Library Opening Hours

It was agreed that the Cabinet Member for Culture be asked to publish the opening hours of each branch.

Item 238: Parks

ACTION: Head of Parks to circulate the tree survey to members.
""",
    )

    assert draft.meeting_date == date(2024, 1, 9)
    assert summary(draft) == [
        ("236", "recommendation", "That the Integrated Care Board reports"),
        ("237", "action", "That the Cabinet Member for Culture be asked"),
        ("238", "action", "Head of Parks to circulate"),
    ]
    first, second, third = draft.commands
    assert (
        first["text"]
        == "That the Integrated Care Board reports to the Committee by 30 April 2024 on delayed discharges."
    )
    assert first["addressees"] == [{"name": "Integrated Care Board", "kind": "nhs"}]
    assert first["target_date"] == "2024-04-30"
    assert second["text"] == ("That the Cabinet Member for Culture be asked to publish the opening hours of each "
                              "branch.")  # fmt: skip
    assert second["addressees"] == [{"name": "Cabinet Member for Culture", "kind": "executive"}]
    assert third["addressees"] == [{"name": "Head of Parks", "kind": "officer"}]
    assert [c["item"] for c in draft.commands] == ["Hospital Discharge", "Library Opening Hours", "Parks"]


def test_a_deferral_to_a_dated_meeting_defers_until_that_day(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes - 15 February 2024

20/24 Housing Regulatory Framework

Resolved that consideration of the report be deferred to the meeting on 14 March 2024.
""",
    )

    make, defer = draft.commands
    assert (make["command"], make["ref"], make["addressees"]) == ("make_recommendation", "2024-02-15/1", [])
    assert (defer["command"], defer["ref"], defer["until"]) == ("defer", "2024-02-15/1", "2024-03-14")


def test_procedural_and_noted_resolutions_record_nothing_and_say_why(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Board, 4 June 2024

1/24 Appointment of Vice-Chair

Resolved that Councillor Webb is appointed Vice-Chair for the municipal year.

2/24 Work Programme

Resolved that the work programme for 2024/25 is approved.

3/24 Budget Monitoring

Resolved that the report is noted.

4/24 Waste Collection

Resolved that the waste collection service be improved greatly.
""",
    )

    assert summary(draft) == [
        ("1/24", "procedural", "is appointed"),
        ("2/24", "procedural", "work programme for 2024/25 is approved"),
        ("3/24", "noted", "noted"),
        ("4/24", "not understood", ""),
    ]
    assert draft.commands == []
    assert "4/24 Waste Collection: not understood\n    That the waste collection service be improved greatly." in (
        draft.report()
    )


def test_two_addressees_named_in_one_recommendation_are_both_named(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Board

Thursday 18 January 2024

5/24 Damp and Mould

Resolved that the Director of Housing and the Cabinet Member for Housing consider a survey of every flat.
""",
    )

    (command,) = draft.commands
    assert command["addressees"] == [
        {"name": "Director of Housing", "kind": "officer"},
        {"name": "Cabinet Member for Housing", "kind": "executive"},
    ]


def test_a_pack_with_the_minutes_of_two_meetings_needs_the_meeting_date(tmp_path: Path) -> None:
    text = """Minutes of the Board - 17 January 2024

1/24 Budget

Resolved that the Director of Finance reports on reserves.

Minutes of the Board - 29 January 2024

2/24 Housing

Resolved that the Director of Housing reports on voids.
"""
    with pytest.raises(
        CannotImport, match=r"several meetings \(17 January 2024, 29 January 2024\): give the meeting's date"
    ):
        drafted(tmp_path, text)

    draft = drafted(tmp_path, text, meeting_date=date(2024, 1, 29))

    assert [c["text"] for c in draft.commands] == ["That the Director of Housing reports on voids."]


def word_document(path: Path, paragraphs: list[tuple[int | None, str]]) -> None:
    """A Word document whose numbered paragraphs are numbered by Word: level 0 "(1)", level 1 "a."."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def paragraph(level: int | None, text: str) -> str:
        numbered = (
            "" if level is None else f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="3"/></w:numPr></w:pPr>'
        )
        return f'<w:p>{numbered}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'

    body = "".join(paragraph(level, text) for level, text in paragraphs)
    numbering = (f'<w:numbering {w}><w:abstractNum w:abstractNumId="7">'
                 '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="(%1)"/></w:lvl>'
                 '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2."/></w:lvl>'
                 '</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num></w:numbering>')  # fmt: skip
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {w}><w:body>{body}</w:body></w:document>")
        archive.writestr("word/numbering.xml", numbering)


def test_parts_numbered_by_word_itself_are_read_with_their_numbers(tmp_path: Path) -> None:
    minutes = tmp_path / "minutes.docx"
    word_document(minutes, [
        (None, "Minutes of Safer Neighbourhoods and Active Communities Scrutiny Board"),
        (None, "Thursday 15 February 2024 at 6.05pm"),
        (None, "19/24 Fishing Policy"),
        (None, "Resolved:-"),
        (0, "that the Assistant Director Green Spaces considers the following amendments:-"),
        (1, "detailing set times for fishing;"),
        (1, "allowing angling at Swan Pool on Saturdays and Sundays;"),
        (0, "that the Director of Housing reports on the lakes."),
    ])  # fmt: skip

    draft = draft_minutes(minutes, "SNAC")

    assert [(d.where, d.text) for d in draft.resolutions] == [
        ("19/24(1)", "That the Assistant Director Green Spaces considers the following amendments:- a. detailing set "
                     "times for fishing; b. allowing angling at Swan Pool on Saturdays and Sundays;"),
        ("19/24(2)", "That the Director of Housing reports on the lakes."),
    ]  # fmt: skip


def test_a_minute_called_minutes_is_not_taken_for_the_heading_of_another_meeting(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Board

Thursday 15 February 2024

17/24

Minutes

Resolved that the minutes of the meeting held on 17 January 2024 are confirmed as a correct record.
""",
    )

    assert draft.meeting_date == date(2024, 2, 15)
    assert summary(draft) == [("17/24", "procedural", "correct record")]


def test_a_board_that_recommends_or_asks_names_whom_it_asks(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Board

Thursday 18 January 2024

6/24 Allocations

Resolved that the Board recommends to Cabinet that the allocations policy is reviewed.

7/24 Voids

Resolved that the Board asks the Director of Housing to provide figures on empty homes.
""",
    )

    assert summary(draft) == [("6/24", "recommendation", "recommends to"), ("7/24", "action", "asks the")]
    assert [c["addressees"] for c in draft.commands] == [
        [{"name": "Cabinet", "kind": "executive"}],
        [{"name": "Director of Housing", "kind": "officer"}],
    ]


def test_parts_written_as_bullets_under_resolved_are_each_a_part(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Board

Thursday 18 January 2024

8/24 Leisure Centres

Resolved:

- that the Director of Leisure reports on opening hours;
- the Cabinet Member for Leisure to consider free swimming for carers.

The Chair thanked the officers.

- Members asked about parking.
""",
    )

    assert [(d.where, d.became, d.text) for d in draft.resolutions] == [
        ("8/24", "recommendation", "That the Director of Leisure reports on opening hours;"),
        ("8/24", "action", "The Cabinet Member for Leisure to consider free swimming for carers."),
    ]


def test_a_headings_date_in_a_year_no_record_takes_is_said_as_found_not_as_missing(tmp_path: Path) -> None:
    text = "Scrutiny Board\n\nMinutes of the meeting held on\nThursday 15 February 3024\n\n7. Parks\n\nRESOLVED that the Head of Parks reports.\n"

    with pytest.raises(CannotImport) as refused:
        drafted(tmp_path, text)

    assert str(refused.value) == (
        'minutes.txt line 4: the minutes\' heading gives the date "15 February 3024", which is not between 1900 '
        "and 2199: put the date right, or give the meeting's date"
    )
    assert refused.value.field == "meeting_date"
    assert drafted(tmp_path, text, meeting_date=date(2024, 2, 15)).meeting_date == date(2024, 2, 15)


def test_a_word_headings_date_in_a_year_no_record_takes_quotes_the_heading(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Minutes of the Scrutiny Board held on 15 February 3024", level=1)
    document.add_paragraph("RESOLVED that the Head of Parks reports.")
    document.save(str(tmp_path / "minutes.docx"))

    with pytest.raises(CannotImport, match=r'^minutes\.docx "Minutes of the Scrutiny Board held on 15 February '
                       r'3024": the minutes\' heading gives the date "15 February 3024", which is not between'):  # fmt: skip
        draft_minutes(tmp_path / "minutes.docx", "BC")


def test_minutes_of_two_meetings_one_dated_in_a_year_no_record_takes_are_both_said_and_kept_apart(
    tmp_path: Path,
) -> None:
    text = ("Minutes of the Scrutiny Board held on 15 February 2024\n\n7. Parks\n\n"
            "RESOLVED that the Head of Parks reports.\n\n"
            "Minutes of the Scrutiny Board held on 14 March 3024\n\n9. Pools\n\n"
            "RESOLVED that the Head of Leisure reports on pools.\n")  # fmt: skip

    with pytest.raises(CannotImport) as refused:
        drafted(tmp_path, text)
    draft = drafted(tmp_path, text, meeting_date=date(2024, 2, 15))

    assert str(refused.value) == (
        'minutes.txt holds the minutes of several meetings (15 February 2024, "14 March 3024" (line 7, which is not '
        "between 1900 and 2199)): give the meeting's date to choose one"
    )
    assert [c["text"] for c in draft.commands] == ["That the Head of Parks reports."]


def test_minutes_saved_as_pdf_or_by_libreoffice_but_named_docx_are_said_to_be_what_they_are(tmp_path: Path) -> None:
    import shutil
    import subprocess

    (tmp_path / "pdf.docx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    text = tmp_path / "minutes.txt"
    text.write_text("Minutes of the Board held on 15 February 2024\n\nRESOLVED that the Head of Parks reports.\n")
    soffice = shutil.which("soffice")
    assert soffice, "soffice is needed for this test: apt-get install libreoffice-writer-nogui (make test installs it)"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "odt", "--outdir", str(tmp_path), str(text)], check=True, capture_output=True, timeout=180)  # fmt: skip
    (tmp_path / "minutes.odt").rename(tmp_path / "odt.docx")

    with pytest.raises(CannotImport) as pdf:
        draft_minutes(tmp_path / "pdf.docx", "BC")
    with pytest.raises(CannotImport) as odt:
        draft_minutes(tmp_path / "odt.docx", "BC")

    assert str(pdf.value) == "pdf.docx is not a .docx file: it is a PDF document; give it a .pdf name"
    assert str(odt.value) == ("odt.docx is an OpenDocument text (as LibreOffice saves by default), not a Word document: "
                              "open it and save it as .docx (File, Save As)")  # fmt: skip
