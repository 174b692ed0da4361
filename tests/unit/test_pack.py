"""The standing item of a meeting in Markdown, HTML and Word: the four sections, the appendix, the proof line."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from freezegun import freeze_time

from scrutiny_es.adapters.formats.pack import APPENDIX_COLUMNS, render_pack, standing_item
from tests.sandwell import BRIEFING, meeting_pack

HEADINGS = [
    "1. Responses received since the last meeting",
    "2. Progress on implementation",
    "3. Where progress is unsatisfactory",
    "4. Proposed for closure",
    "Appendix 1 – Action Tracker",
]
DIGEST = meeting_pack()["built_from"]["digest"]
HOSTILE = "<script>alert(1)</script> \x1b[31mred\x1b[0m \u202etxet [x](http://x) **b**"


def word(pack: dict[str, Any]) -> Any:
    data = render_pack(pack, "docx")
    assert isinstance(data, bytes)
    return docx.Document(io.BytesIO(data))


def cell_text(cell: Any) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def test_the_report_has_the_heading_the_four_sections_and_the_appendix_in_the_sandwell_order() -> None:
    document = word(meeting_pack())
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:4] == [
        "Sandwell Metropolitan Borough Council",
        "Report to Safer Neighbourhoods and Active Communities Scrutiny Board",
        "14 March 2024",
        "Subject: Tracking and Monitoring of Scrutiny Recommendations",
    ]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    assert "That the Board determines what action it wishes to take where progress is unsatisfactory." in paragraphs
    assert "Responses and progress recorded after 15 February 2024 and up to 14 March 2024" in paragraphs[4]


def test_each_section_is_a_table_with_its_headers_and_the_appendix_has_the_councils_columns() -> None:
    tables = word(meeting_pack()).tables
    assert [tuple(c.text for c in t.rows[0].cells) for t in tables] == [
        ("Ref", "Item", "Addressee", "Response", "Responded", "Deadline"),
        ("Ref", "Item", "Progress", "Reported", "RAG"),
        ("Ref", "Item", "Why", "Responsible Person"),
        ("Ref", "Item", "Why", "Proposed outcome"),
        APPENDIX_COLUMNS,
    ]
    responses, progress, unsatisfactory, closure, appendix = tables
    assert len(responses.rows) == 4 and len(appendix.rows) == 14
    assert cell_text(responses.cell(1, 3)).startswith("Noted\nNoted – the cultural strategy will move")
    assert cell_text(responses.cell(1, 5)) == "21 Mar 2024\non time"
    assert cell_text(progress.cell(1, 4)) == "Red"
    assert cell_text(unsatisfactory.cell(1, 2)) == "RAG red\nTarget date passed (30 Sep 2023)"
    assert cell_text(closure.cell(1, 3)) == "Implemented"


def test_date_and_item_are_merged_down_an_items_rows_as_the_agenda_has_them() -> None:
    appendix = word(meeting_pack()).tables[-1]
    column = [appendix.cell(r, 0) for r in range(1, 14)]
    items = [appendix.cell(r, 1) for r in range(1, 14)]
    assert column[0]._tc is column[1]._tc  # 23 Feb 2023: the two Tree Strategy actions
    assert column[4]._tc is column[7]._tc  # 17 Jan 2024: Heritage (3) and the PSPO item (1)
    assert items[4]._tc is items[6]._tc and items[6]._tc is not items[7]._tc
    dates = [cell_text(c) for i, c in enumerate(column) if i == 0 or c._tc is not column[i - 1]._tc]
    assert dates == ["23 Feb 2023", "18 Dec 2023", "17 Jan 2024", "29 Jan 2024", "15 Feb 2024"]
    restart = appendix._tbl.xpath(".//w:vMerge[@w:val='restart']")
    merged = appendix._tbl.xpath(".//w:vMerge[not(@w:val) or @w:val='continue']")
    assert (len(restart), len(merged)) == (5 + 5, (13 - 5) + (13 - 7))  # 5 meetings, 7 items, 5 with several rows


def test_a_row_of_the_appendix_gives_the_ref_the_words_the_names_and_the_notes() -> None:
    appendix = word(meeting_pack()).tables[-1]
    assert cell_text(appendix.cell(1, 2)).startswith("2023-02-23/1\nCheckpoint reports throughout the first 18")
    assert cell_text(appendix.cell(3, 3)) == "Alice Davey\nMatt Huggins"
    assert cell_text(appendix.cell(1, 4)) == (
        f"{BRIEFING}\nResponse: noted\nOverdue: target date\nTarget date 30 Sep 2023\nRAG: Red"
    )


def test_the_appendix_is_on_landscape_pages_and_the_report_on_portrait() -> None:
    portrait, landscape = word(meeting_pack()).sections
    assert portrait.page_width < portrait.page_height
    assert landscape.orientation == WD_ORIENT.LANDSCAPE and landscape.page_width > landscape.page_height


def test_the_last_line_says_what_the_pack_was_built_from_so_an_auditor_can_check_it() -> None:
    last = word(meeting_pack()).paragraphs[-1].text
    assert last == (
        f"Built from the record up to position 58, seal digest {DIGEST}. "
        f"To check it: scrutiny-es verify --at 58 --digest {DIGEST}"
    )


def test_a_section_with_nothing_in_it_says_none() -> None:
    document = word(meeting_pack(responses=[], progress=[], unsatisfactory=[], for_closure=[]))
    assert len(document.tables) == 1
    texts = [p.text for p in document.paragraphs]
    assert [texts[texts.index(h) + 2] for h in HEADINGS[:4]] == ["None."] * 4


def test_the_same_pack_gives_the_same_bytes_whenever_it_is_made() -> None:
    with freeze_time("2024-03-06 17:00:00"):
        first = render_pack(meeting_pack(), "docx")
    with freeze_time("2031-11-30 08:15:42"):
        again = render_pack(meeting_pack(), "docx")
    assert first == again


def test_the_document_carries_no_time_of_making() -> None:
    properties = word(meeting_pack()).core_properties
    assert (properties.created, properties.modified, properties.last_printed) == (None, None, None)
    assert properties.title == (
        "Tracking and Monitoring of Scrutiny Recommendations: "
        "Safer Neighbourhoods and Active Communities Scrutiny Board, 14 March 2024"
    )
    assert properties.author == "Sandwell Metropolitan Borough Council"


def hostile_pack() -> dict[str, Any]:
    pack = meeting_pack()
    pack["tracker"][0] = pack["tracker"][0] | {"text": HOSTILE, "notes": "a\x00b\ud800c"}
    pack["progress"][0] = pack["progress"][0] | {"note": HOSTILE}
    return pack


def test_what_a_clerk_typed_reaches_word_shown_as_typed_and_safely() -> None:
    document = word(hostile_pack())
    progress = cell_text(document.tables[1].cell(1, 2))
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
    appendix = md[md.index("## Appendix 1 – Action Tracker") :].splitlines()
    assert appendix[2] == "| Date | Item | Recommendation/ Action | Responsible Person | Notes |"
    assert appendix[4].startswith("| 23 Feb 2023 | Tree Strategy and Implementation Plan 2023- 2028 | 2023-02-23/1<br>")
    assert appendix[5].startswith("|  |  | 2023-02-23/2<br>Feedback from the survey of trees")
    assert md.count("\nNone.\n") == 0 and md.rstrip().endswith(f"--digest {DIGEST}")


def test_html_has_the_sections_merged_appendix_cells_and_print_pages() -> None:
    page = render_pack(meeting_pack(), "html")
    assert isinstance(page, str)
    assert [re.sub("<.*?>", "", h) for h in re.findall(r"<h2>.*?</h2>", page)] == HEADINGS
    assert '<td rowspan="2" class="nowrap">23 Feb 2023</td><td rowspan="2">Tree Strategy' in page
    assert '<td rowspan="4" class="nowrap">17 Jan 2024</td><td rowspan="3">Heritage Strategy Update</td>' in page
    assert "@page { size: A4 portrait;" in page and "@page appendix { size: A4 landscape;" in page
    assert '<td class="rag-red">Red</td>' in page
    assert "<script" not in page


def test_without_an_earlier_meeting_the_pack_says_so() -> None:
    item = standing_item(meeting_pack(since=None))
    assert item.period.startswith("Responses and progress up to 14 March 2024 (no earlier meeting is recorded)")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_same_pack_gives_the_same_text(fmt: str) -> None:
    assert render_pack(meeting_pack(), fmt) == render_pack(meeting_pack(), fmt)  # type: ignore[arg-type]
