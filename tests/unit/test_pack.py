"""The standing item of a meeting in Markdown, HTML and Word: the report a council sends, the appendix, the seal."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from freezegun import freeze_time

import scrutiny_es.domain.commands  # noqa: F401  (freezing the clock looks into every module: its models are built first)
from scrutiny_es.adapters.formats.furniture import Furniture, load_furniture
from scrutiny_es.adapters.formats.measure import text_width, widest_word
from scrutiny_es.adapters.formats.pack import APPENDIX_COLUMNS, standing_item
from scrutiny_es.adapters.formats.pack_render import render_pack
from scrutiny_es.adapters.formats.word import REF, TEXT, column_widths
from scrutiny_es.domain.errors import ScrutinyError
from tests.sandwell import BODY_NAME, BRIEFING, HERITAGE, meeting_pack

SANDWELL = Path(__file__).parents[2] / "src" / "scrutiny_es" / "demo" / "sandwell.toml"
APPENDIX = f"Appendix 1 – {BODY_NAME} Action Tracker"
DIGEST = meeting_pack()["built_from"]["digest"]
HOSTILE = "<script>alert(1)</script> \x1b[31mred\x1b[0m \u202etxet [x](http://x) **b**"


def word(pack: dict[str, Any], furniture: Furniture | None = None, seal_note: bool = False) -> Any:
    data = render_pack(pack, "docx", furniture or load_furniture(SANDWELL, "SNAC"), seal_note)
    assert isinstance(data, bytes)
    return docx.Document(io.BytesIO(data))


def cell_text(cell: Any) -> str:
    return "\n".join(p.text for p in cell.paragraphs).replace("\xa0", " ")


def everything(document: Any) -> str:
    """Every word of the document a councillor reads: paragraphs, tables, heads and feet of pages."""
    parts = [p.text for p in document.paragraphs]
    parts += [cell_text(c) for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in (*section.header.paragraphs, *section.footer.paragraphs)]
    return "\n".join(parts).replace("\xa0", " ")


def headings(document: Any, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def test_the_report_is_framed_as_the_councils_own_with_its_director_and_contact_officer() -> None:
    document = word(meeting_pack())
    assert [p.text for p in document.paragraphs][:3] == [
        "Sandwell Metropolitan Borough Council", f"Report to {BODY_NAME}", "14 March 2024"
    ]  # fmt: skip
    particulars = document.tables[0]
    assert [(cell_text(r.cells[0]), cell_text(r.cells[1])) for r in particulars.rows] == [
        ("Subject", "Tracking and Monitoring of Scrutiny Recommendations"),
        ("Director", "James McLaughlin\nAssistant Chief Executive\nJames_McLaughlin@sandwell.gov.uk"),
        ("Contact Officer", "Alex Goddard\nScrutiny Lead Officer\nAlexander_Goddard@sandwell.gov.uk"),
    ]
    assert headings(document, 1) == [
        "1 Recommendations", "2 Reasons for Recommendations", "3 How does this deliver objectives of the Corporate Plan?",
        "4 Context and Key Issues", "5 Implications", "6 Appendices", "7 Background Papers", APPENDIX,
    ]  # fmt: skip
    assert headings(document, 2) == [
        "4.3 Responses received since the last meeting", "4.4 Progress reported",
        "4.5 Where progress is unsatisfactory", "4.6 Returning to the Board at this meeting",
        "4.7 Candidates for closure",
    ]  # fmt: skip
    texts = [p.text for p in document.paragraphs]
    assert "1.3\tThat the Board determines what action it wishes to take where progress is unsatisfactory (4.5) and on " \
        "the items returning to it at this meeting (4.6)." in texts  # fmt: skip
    assert texts[texts.index("7 Background Papers") + 1] == "None."


def test_the_implications_table_is_the_councils_and_states_the_duties_to_respond() -> None:
    implications = word(meeting_pack()).tables[7]
    rows = [cell_text(r.cells[0]) for r in implications.rows]
    assert rows == ["Resources", "Legal and Governance", "Risk", "Equality", "Health and Wellbeing", "Social Value",
                    "Climate Change", "Corporate Parenting"]  # fmt: skip
    legal = cell_text(implications.rows[1].cells[1])
    assert "within two months of receiving them" in legal and "within 28 days of the request" in legal


def test_without_a_template_the_report_has_the_default_frame_with_the_statutory_duties() -> None:
    document = word(meeting_pack(), Furniture())
    assert [cell_text(r.cells[0]) for r in document.tables[0].rows] == ["Subject"]
    assert headings(document, 1)[:4] == [
        "1 Recommendations", "2 Reasons for Recommendations", "3 Context and Key Issues", "4 Implications"
    ]  # fmt: skip
    implications = document.tables[6]
    assert [cell_text(r.cells[0]) for r in implications.rows] == ["Resources", "Legal and Governance", "Risk",
                                                                 "Equality"]  # fmt: skip
    legal = cell_text(implications.rows[1].cells[1])
    assert "Section 9FE of the Local Government Act 2000" in legal and "within two months" in legal
    assert "Regulation 22" in legal and "within 28 days" in legal


def test_the_date_line_says_what_is_dated_since_the_last_meeting_never_recorded() -> None:
    item = standing_item(meeting_pack())
    assert item.period == (
        "Responses and progress dated since the last meeting on 15 February 2024, up to 13 March 2024; "
        "municipal year 2023/24."
    )
    assert "recorded" not in everything(word(meeting_pack()))
    assert standing_item(meeting_pack(since=None)).period.startswith(
        "Responses and progress dated up to 13 March 2024 (no earlier meeting is recorded)"
    )


def test_each_part_is_a_table_with_its_headers_and_the_appendix_has_the_councils_columns() -> None:
    tables = word(meeting_pack()).tables
    responses, progress, unsatisfactory, returning, closure, appendix = tables[2:7] + tables[-1:]
    assert [tuple(c.text for c in t.rows[0].cells) for t in (responses, progress, unsatisfactory, returning, closure,
                                                              appendix)] == [
        ("Ref", "Item", "Addressee", "Response", "Responded", "Deadline"),
        ("Ref", "Item", "Progress", "Reported", "RAG"),
        ("Ref", "Item", "Why", "Responsible Person"),
        ("Ref", "Item", "Returning because", "Responsible Person"),
        ("Ref", "Item", "Why", "Proposed outcome"),
        APPENDIX_COLUMNS,
    ]  # fmt: skip
    assert len(responses.rows) == 4 and len(appendix.rows) == 14
    assert cell_text(responses.cell(1, 3)).startswith("Noted\nNoted – the cultural strategy will move")
    assert cell_text(responses.cell(1, 5)) == "21 Mar 2024\non time"
    assert cell_text(progress.cell(1, 4)) == "Red"
    assert cell_text(unsatisfactory.cell(1, 2)) == "RAG red\nTarget date passed (30 Sep 2023)"


def test_what_returns_to_the_board_says_why_in_its_own_words() -> None:
    returning = word(meeting_pack()).tables[5]
    assert [cell_text(returning.cell(r, 0)) for r in (1, 2)] == ["2024-01-17/4", "2024-02-15/HRF"]
    assert cell_text(returning.cell(1, 2)).startswith(
        "Report back asked for on 15 Feb 2024\nThe Board re- affirmed its recommendation"
    )
    assert cell_text(returning.cell(2, 2)) == (
        "Deferred on 15 Feb 2024 to 14 Mar 2024\nResolved that consideration of the Housing Regulatory Framework is "
        "deferred to a future meeting of the Board."
    )


def test_a_candidate_for_closure_says_who_proposed_it_or_that_nobody_has_yet() -> None:
    green = {"ref": "2024-01-17/2", "item": HERITAGE, "why": ["green"], "outcome": None, "proposed_by": None,
             "proposed_on": None}  # fmt: skip
    pack = meeting_pack()
    document = word(pack | {"for_closure": [*pack["for_closure"], green]})
    closure = document.tables[6]
    assert [cell_text(c) for c in closure.rows[1].cells[2:]] == ["Proposed by Alice Davey on 4 Mar 2024", "Implemented"]
    assert [cell_text(c) for c in closure.rows[2].cells[2:]] == ["RAG green: not yet proposed", ""]
    assert "None proposed" not in everything(document)


def test_notes_hold_only_what_people_wrote_and_the_status_stands_in_its_own_column() -> None:
    document = word(meeting_pack())
    appendix = document.tables[-1]
    assert cell_text(appendix.cell(1, 4)) == BRIEFING
    assert cell_text(appendix.cell(1, 5)) == "Target date 30 Sep 2023, passed\nRAG red"
    statuses = [cell_text(appendix.cell(r, 5)) for r in range(1, 14)]
    assert statuses[7:] == [
        "Response awaited from Alice Davey, due 21 Mar 2024", "Response awaited, due 1 Apr 2024",
        "Response awaited, due 1 Apr 2024", "Response awaited, due 19 Apr 2024", "Response awaited, due 19 Apr 2024",
        "Deferred to 14 Mar 2024",
    ]  # fmt: skip
    notes = "\n".join(cell_text(appendix.cell(r, 4)) for r in range(1, 14))
    for machine in ("Made", "Response: ", "RAG: ", "Awaiting", "Overdue:", "On closing"):
        assert machine not in notes


def test_date_and_item_are_merged_down_an_items_rows_as_the_agenda_has_them() -> None:
    appendix = word(meeting_pack()).tables[-1]
    column = [appendix.cell(r, 0) for r in range(1, 14)]
    items = [appendix.cell(r, 1) for r in range(1, 14)]
    assert column[0]._tc is column[1]._tc  # 23 Feb 2023: the two Tree Strategy actions
    assert column[4]._tc is column[7]._tc  # 17 Jan 2024: Heritage (3) and the PSPO item (1)
    assert items[4]._tc is items[6]._tc and items[6]._tc is not items[7]._tc
    dates = [cell_text(c) for i, c in enumerate(column) if i == 0 or c._tc is not column[i - 1]._tc]
    assert dates == ["23 Feb 2023", "18 Dec 2023", "17 Jan 2024", "29 Jan 2024", "15 Feb 2024"]


def test_every_column_is_wide_enough_for_its_longest_word_in_the_font() -> None:
    item = standing_item(meeting_pack(), load_furniture(SANDWELL, "SNAC"))
    for table, width in [*((p.table, 493.2) for p in item.parts if p.table), (item.appendix, 807.9)]:
        widths = column_widths(table, width)
        assert sum(widths) == pytest.approx(width)
        for j, column_width in enumerate(widths):
            words = [widest_word(table.headings[j], TEXT, bold=True)]
            for row in table.rows:
                words += [text_width(line.text, REF if line.mark == "ref" else TEXT) if line.whole
                          else widest_word(line.text, TEXT, line.mark == "strong") for line in row[j]]  # fmt: skip
            assert column_width > max(words) + 11.5, (table.headings[j], column_width, max(words))
    assert widest_word("Implementation Boroughwide", TEXT) == pytest.approx(text_width("Implementation", TEXT))


def test_heading_rows_repeat_rows_are_never_split_and_every_page_has_its_foot() -> None:
    document = word(meeting_pack())
    for table in document.tables[2:]:
        rows = table._tbl.findall(qn("w:tr"))
        assert all(row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in rows)
    for table in (*document.tables[2:7], document.tables[-1]):
        assert table._tbl.findall(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:tblHeader')}")
    portrait, landscape = document.sections
    footer = portrait.footer._element
    assert [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]
    assert portrait.footer.paragraphs[0].text.startswith(f"{BODY_NAME} – 14 March 2024 – Page ")
    assert landscape.footer.is_linked_to_previous and portrait.header.paragraphs[0].text == (
        "Sandwell Metropolitan Borough Council"
    )


def test_the_appendix_is_on_landscape_pages_and_the_report_on_portrait() -> None:
    portrait, landscape = word(meeting_pack()).sections
    assert portrait.page_width < portrait.page_height
    assert landscape.orientation == WD_ORIENT.LANDSCAPE and landscape.page_width > landscape.page_height


def test_the_seal_is_in_the_documents_properties_and_in_the_text_only_as_a_clerks_note_when_asked() -> None:
    seal = f"Built from the record up to position 58, seal digest {DIGEST}. " \
        f"To check it: scrutiny-es verify --at 58 --digest {DIGEST}"  # fmt: skip
    plain = word(meeting_pack())
    assert DIGEST not in everything(plain) and plain.core_properties.comments == seal
    noted = word(meeting_pack(), seal_note=True)
    assert noted.paragraphs[-1].text == f"Clerk's note: {seal}"
    page = render_pack(meeting_pack(), "html")
    assert isinstance(page, str) and f'<meta name="built-from" content="{seal}">' in page
    assert page.count(DIGEST) == 2  # the metadata's two mentions, none in the page's text
    md = render_pack(meeting_pack(), "md", seal_note=True)
    assert isinstance(md, str) and md.rstrip().endswith(f"--digest {DIGEST}")
    assert DIGEST not in str(render_pack(meeting_pack(), "md"))


def test_the_same_pack_gives_the_same_bytes_whenever_it_is_made() -> None:
    with freeze_time("2024-03-06 17:00:00"):
        first = render_pack(meeting_pack(), "docx")
    with freeze_time("2031-11-30 08:15:42"):
        again = render_pack(meeting_pack(), "docx")
    assert first == again


def test_the_document_carries_no_time_of_making() -> None:
    properties = word(meeting_pack()).core_properties
    assert (properties.created, properties.modified, properties.last_printed) == (None, None, None)
    assert properties.title == f"Tracking and Monitoring of Scrutiny Recommendations: {BODY_NAME}, 14 March 2024"
    assert properties.author == "Sandwell Metropolitan Borough Council"


def hostile_pack() -> dict[str, Any]:
    pack = meeting_pack()
    pack["tracker"][0] = pack["tracker"][0] | {"text": HOSTILE, "notes": "a\x00b\ud800c"}
    pack["progress"][0] = pack["progress"][0] | {"note": HOSTILE}
    return pack


def test_what_a_clerk_typed_reaches_word_shown_as_typed_and_safely() -> None:
    document = word(hostile_pack())
    progress = cell_text(document.tables[3].cell(1, 2))
    assert progress == "<script>alert(1)</script> \\u001b[31mred\\u001b[0m \\u202etxet [x](http://x) **b**"
    assert cell_text(document.tables[-1].cell(1, 4)).startswith("a\\u0000b\\ud800c")


def test_what_a_clerk_typed_is_escaped_in_markdown_and_html() -> None:
    md = render_pack(hostile_pack(), "md")
    page = render_pack(hostile_pack(), "html")
    assert isinstance(md, str) and isinstance(page, str)
    for shown in (md, page):
        assert "<script>" not in shown and "&lt;script&gt;" in shown
        assert not {"\x1b", "\x00", "\u202e"} & set(shown)
    assert "\\[x\\](http://x) \\*\\*b\\*\\*" in md


def test_markdown_writes_date_and_item_once_for_a_run_of_rows() -> None:
    md = render_pack(meeting_pack(), "md")
    assert isinstance(md, str)
    appendix = md[md.index(f"## {APPENDIX}") :].splitlines()
    assert appendix[2] == "| Date | Item | Recommendation/ Action | Responsible Person | Notes | Status |"
    assert appendix[4].startswith("| 23 Feb 2023 | Tree Strategy and Implementation Plan 2023- 2028 | 2023-02-23/1<br>")
    assert appendix[5].startswith("|  |  | 2023-02-23/2<br>Feedback from the survey of trees")


def test_html_has_the_parts_merged_appendix_cells_feet_of_pages_and_print_pages() -> None:
    page = render_pack(meeting_pack(), "html", load_furniture(SANDWELL, "SNAC"))
    assert isinstance(page, str)
    assert [re.sub("<.*?>", "", h) for h in re.findall(r"<h3>.*?</h3>", page)] == [
        "4.3 Responses received since the last meeting", "4.4 Progress reported",
        "4.5 Where progress is unsatisfactory", "4.6 Returning to the Board at this meeting",
        "4.7 Candidates for closure",
    ]  # fmt: skip
    assert '<td rowspan="2"><span class="nowrap">23 Feb 2023</span></td><td rowspan="2">Tree Strategy' in page
    assert '<td rowspan="4"><span class="nowrap">17 Jan 2024</span></td><td rowspan="3">Heritage Strategy' in page
    assert "@page { size: A4 portrait;" in page and "@page appendix { size: A4 landscape;" in page
    assert 'counter(page) " of " counter(pages)' in page
    assert "Safer Neighbourhoods and Active Communities Scrutiny Board – 14 March 2024" in page
    assert '<td class="rag-red">Red</td>' in page and "<script" not in page
    assert "Alexander_Goddard@sandwell.gov.uk" in page


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_same_pack_gives_the_same_text(fmt: str) -> None:
    assert render_pack(meeting_pack(), fmt) == render_pack(meeting_pack(), fmt)  # type: ignore[arg-type]


def test_a_part_with_nothing_in_it_says_none() -> None:
    empty = meeting_pack(responses=[], progress=[], unsatisfactory=[], returning=[], for_closure=[])
    document = word(empty)
    texts = [p.text for p in document.paragraphs]
    assert [texts[texts.index(h) + 2] for h in headings(document, 2)] == ["None."] * 5


def test_a_body_of_the_template_has_its_own_contact_and_an_implication_can_be_left_out(tmp_path: Path) -> None:
    template = tmp_path / "council.toml"
    template.write_text(
        'council = "Sandwell Metropolitan Borough Council"\ndirectorate = "Assistant Chief Executive"\n'
        'background_papers = ["Scrutiny Protocol, 2023"]\n[implications]\nRisk = ""\n"Social Value" = "None."\n'
        '[bodies.SNAC]\ncontact_officer = { name = "Alex Goddard" }\n', encoding="utf-8"
    )  # fmt: skip
    snac, other = load_furniture(template, "SNAC"), load_furniture(template, "BCSB")
    assert snac.contact_officer is not None and snac.contact_officer.lines() == ("Alex Goddard",)
    assert other.contact_officer is None and other.directorate == "Assistant Chief Executive"
    assert [h for h, _ in snac.implications] == ["Resources", "Legal and Governance", "Equality", "Social Value"]
    texts = [p.text for p in word(meeting_pack(), snac).paragraphs]
    assert texts[texts.index("6 Background Papers") + 1] == "Scrutiny Protocol, 2023"


def test_a_template_saved_with_a_byte_order_mark_as_notepad_does_is_read(tmp_path: Path) -> None:
    template = tmp_path / "council.toml"
    template.write_text('council = "Sandwell Metropolitan Borough Council"\n', encoding="utf-8-sig")
    assert load_furniture(template, "SNAC").council == "Sandwell Metropolitan Borough Council"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('council = "S"\ndirecter = "X"\n', "unknown key 'directer'"),
        ('director = "James"\n', "director must be a table with name"),
        ("reasons = 2\n", "reasons must be a list of texts"),
        ('council = "S\n', "is not TOML"),
        ("reasons = " + "[" * 100_000 + "]" * 100_000, "nests its arrays or tables too deeply to be a template"),
        ('[bodies.SNAC]\nimplications = "x"\n', "[bodies.SNAC]: implications must be a table"),
    ],
)
def test_a_bad_template_is_one_error_naming_the_file_and_the_key(tmp_path: Path, text: str, said: str) -> None:
    template = tmp_path / "council.toml"
    template.write_text(text, encoding="utf-8")
    with pytest.raises(ScrutinyError) as raised:
        load_furniture(template, "SNAC")
    assert str(raised.value).startswith(f"template {template}") and said in str(raised.value)
