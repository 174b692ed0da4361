"""The pack as a clerk would send it unchanged: grammar that follows the count, tables a screen reader can follow."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
import pytest
from docx.oxml.ns import qn

from scrutiny_es.adapters.formats import render
from scrutiny_es.adapters.formats.impact import impact_html
from scrutiny_es.adapters.formats.pack_render import render_pack
from tests.sandwell import impact_rows, meeting_pack, tracker_report


@pytest.mark.parametrize(
    ("withheld", "said"),
    [
        (1, "1 item is exempt under Schedule 12A to the Local Government Act 1972 and is not shown. "
            "It is reported in Part B."),
        (2, "2 items are exempt under Schedule 12A to the Local Government Act 1972 and are not shown. "
            "They are reported in Part B."),
    ],
)  # fmt: skip
def test_the_public_pack_says_the_items_it_withheld_are_in_part_b_in_the_number_it_withheld(
    withheld: int, said: str
) -> None:
    text = render_pack(meeting_pack() | {"exempt": False, "withheld": withheld}, "md")
    assert isinstance(text, str)
    assert said in text


class Headings(HTMLParser):
    """Each heading cell of a table with the scope it declares."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str | None, bool]] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("thead", "tbody"):
            self.in_head = tag == "thead"
        elif tag == "th":
            self.found.append((dict(attrs).get("scope"), self.in_head))


@pytest.mark.parametrize("page", ["pack", "tracker", "impact"])
def test_a_screen_reader_is_told_each_heading_cell_heads_its_column_or_its_row(page: str) -> None:
    """Read cell by cell, a row's merged Date and Item are announced with their column's heading, and each
    impact figure with its column's and its group's."""
    shown = {
        "pack": lambda: render_pack(meeting_pack(), "html"),
        "tracker": lambda: render(tracker_report(), "html"),
        "impact": lambda: impact_html(impact_rows(), "Impact of scrutiny"),
    }[page]()
    assert isinstance(shown, str)
    parser = Headings()
    parser.feed(shown)
    assert parser.found and all(scope == ("col" if in_head else "row") for scope, in_head in parser.found)
    if page == "impact":
        assert sum(not in_head for _, in_head in parser.found) == len(impact_rows()) * 2  # a group a row, two tables


def test_a_recommendation_longer_than_a_page_may_run_on_to_the_next_and_every_other_row_is_kept_whole() -> None:
    """Word cuts off at the page's foot a row that must not break yet is taller than the page."""
    pack = meeting_pack()
    pack["tracker"][0] = pack["tracker"][0] | {"text": "That the Director " + " ".join(["considers"] * 900) + "."}
    data = render_pack(pack, "docx")
    assert isinstance(data, bytes)
    appendix = docx.Document(io.BytesIO(data)).tables[-1]
    whole = [row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in appendix.rows]
    long = [i for i, row in enumerate(appendix.rows) if "considers considers" in row.cells[2].text]
    assert len(long) == 1 and not whole[long[0]]
    assert all(whole[: long[0]]) and all(whole[long[0] + 1 :])


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_an_appendix_with_no_items_says_so_instead_of_a_table_of_headings_alone(fmt: str) -> None:
    empty = meeting_pack() | {"responses": [], "progress": [], "unsatisfactory": [], "returning": [],
                              "for_closure": [], "tracker": []}  # fmt: skip
    said = "None."
    shown = render_pack(empty, fmt)  # type: ignore[arg-type]
    if isinstance(shown, bytes):
        document = docx.Document(io.BytesIO(shown))
        assert document.paragraphs[-1].text == said and document.tables[-1].rows[0].cells[0].text != "Date"
    else:
        appendix = shown.rpartition("Action Tracker")[2]
        assert said in appendix and "Recommendation/ Action" not in appendix
