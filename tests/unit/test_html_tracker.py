"""The HTML tracker as the agenda appendix looks: grouped rows, council and year, marked rows, RAG cells."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from scrutiny_es.adapters.formats import Report, render
from scrutiny_es.projections.reports import REPORTS
from scrutiny_es.projections.rows import AuditRow
from tests.sandwell import tracker_report, tracker_rows


def rows_of(page: str) -> list[str]:
    return re.findall(r"<tr[ >].*?</tr>", page.split("<tbody>")[1])


def test_the_heading_names_the_council_the_body_and_the_municipal_year() -> None:
    page = render(tracker_report(), "html")
    assert '<p class="council">Sandwell Metropolitan Borough Council</p>' in page
    assert "<h1>Safer Neighbourhoods and Active Communities Scrutiny Board</h1>" in page
    assert "<h2>Action Tracker as of 14 Mar 2024</h2>" in page
    assert "Municipal year 2023/24" in page


def test_date_is_written_once_per_meeting_and_item_once_per_item() -> None:
    rows = rows_of(render(tracker_report(), "html"))
    assert len(rows) == 13
    assert rows[4].startswith('<tr><td class="group nowrap" rowspan="4">17 Jan 2024</td>')
    assert '<td class="group" rowspan="3">Heritage Strategy Update</td>' in rows[4]
    assert "17 Jan 2024" not in "".join(rows[5:8])
    assert '<td class="group" rowspan="1">Implementation of 3 Boroughwide' in rows[7]
    assert "Heritage Strategy Update" not in "".join(rows[5:8])


def test_rows_of_one_item_come_together_even_when_refs_interleave() -> None:
    first, second, third = tracker_rows()[4:7]
    interleaved = [first, tracker_rows()[7] | {"meeting_date": "2024-01-17"}, second, third]
    rows = rows_of(render(tracker_report(interleaved), "html"))
    assert ['rowspan="3">Heritage' in row for row in rows] == [True, False, False, False]
    assert [re.findall(r"2024-01-17/\d", row)[0] for row in rows] == ["2024-01-17/1", "2024-01-17/2",
                                                                     "2024-01-17/3", "2024-01-17/4"]  # fmt: skip


def test_overdue_and_closed_rows_are_marked_in_words_and_shading() -> None:
    rows = tracker_rows()
    rows[2] = rows[2] | {"status": "closed", "outcome": "implemented"}
    shown = rows_of(render(tracker_report(rows), "html"))
    assert shown[0].startswith('<tr class="overdue">') and '<span class="mark">OVERDUE</span>' in shown[0]
    assert shown[2].startswith('<tr class="closed">') and '<span class="mark">CLOSED</span>' in shown[2]
    assert "Closed: implemented" in shown[2]
    assert not shown[3].startswith('<tr class="')


def test_rag_is_a_coloured_cell_with_its_word() -> None:
    (first, *_) = rows_of(render(tracker_report(), "html"))
    assert '<td class="rag-red nowrap">Red</td>' in first


def test_date_and_ref_never_wrap() -> None:
    page = render(tracker_report(), "html")
    assert '<th scope="col" class="nowrap">Date</th>' in page and '<th scope="col" class="nowrap">Ref</th>' in page
    assert '<td class="nowrap">2023-02-23/1' in page
    assert ".nowrap { white-space: nowrap; }" in page
    assert 'Deferred to <span class="nowrap">14 Mar 2024</span>' in page  # dates inside prose stay whole too


def test_what_a_clerk_typed_cannot_add_a_class_or_markup() -> None:
    rows = tracker_rows()
    rows[0] = rows[0] | {"item": '<b class="rag-green">x</b>', "notes": "a\x1b[2Jb"}
    page = render(tracker_report(rows), "html")
    assert "<b class" not in page and "&lt;b class=&quot;rag-green&quot;&gt;x&lt;/b&gt;" in page
    assert "\x1b" not in page and "a\\u001b[2Jb" in page


def test_other_reports_keep_their_columns_with_the_council_in_the_heading() -> None:
    entry = AuditRow(body="SNAC", ref="R1", position=3, event="Referred", effective_on=date(2024, 2, 20),
                     recorded_at=datetime(2024, 3, 20, 9, 30, tzinfo=UTC),
                     actor="Jo Clerk (clerk)", decided_by=None, summary="Cabinet received it.")  # fmt: skip
    page = render(Report(REPORTS["audit"], [entry], {"SNAC": "Board"}, None, councils={"SNAC": "Sandwell"}), "html")
    assert '<p class="council">Sandwell</p>' in page and "Municipal year" not in page
    assert "OVERDUE" not in page and "rowspan" not in page
    assert '<td class="nowrap">20 Mar 2024 09:30 GMT</td>' in page
