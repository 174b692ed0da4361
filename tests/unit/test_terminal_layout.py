"""The tracker in a terminal: a card per item at 80 columns, one table at 200, never a word split over lines."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from rich.cells import cell_len

from scrutiny_es.adapters.formats import Report, in_runs, municipal_year, render
from scrutiny_es.adapters.formats.table import Sheet, lay_out, wrap
from scrutiny_es.projections.reports import REPORTS, TRACKER_COLUMNS
from scrutiny_es.projections.rows import OverdueRow
from tests.sandwell import COUNCIL, tracker_report, tracker_rows

_RULES = re.compile(r"[│┌┬┐╞╪╡├┼┤└┴┘─═·]")


def words_of(report: Report) -> set[str]:
    """Every word the report's cells and headings hold: a word of the output not among them was split."""
    texts = [h for h, _ in report.kind.columns] + [cell for _, cells in report.grid(report.rows) for cell in cells]
    texts += [report.title, COUNCIL, *report.bodies.values(), f"municipal year {report.municipal_year}"]
    return {word for text in texts for word in text.split()}


def assert_no_word_split(shown: str, report: Report) -> None:
    known = words_of(report)
    split = [word for line in shown.splitlines() for word in _RULES.sub(" ", line).split() if word not in known]
    assert split == []


def test_at_80_columns_the_tracker_is_a_card_per_item_a_fraction_of_the_old_length() -> None:
    report = tracker_report()
    shown = render(report, "table", width=80)
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "┌" not in shown  # cards, not a squeezed table
    assert len(lines) <= 160  # 13 items; the squeezed table of 0.1.0 took 626 lines for 14
    assert_no_word_split(shown, report)
    assert lines[:3] == [
        "Sandwell Metropolitan Borough Council",
        "Safer Neighbourhoods and Active Communities Scrutiny Board",
        "Action Tracker as of 14 Mar 2024 · municipal year 2023/24",
    ]


def test_a_card_gives_the_meeting_and_item_once_then_each_recommendation_with_its_facts() -> None:
    shown = render(tracker_report(), "table", width=80)
    assert shown.count("23 Feb 2023 · Tree Strategy and Implementation Plan 2023- 2028\n") == 1
    card = shown[shown.index("Ref 2023-02-23/1") : shown.index("Ref 2023-02-23/2")]
    assert card.splitlines()[0] == "Ref 2023-02-23/1 · RAG Red"
    assert "  Responsible Person     Matt Huggins\n" in card
    assert "  Status                 Response: noted\n                         Overdue: target date\n" in card
    assert "  Target date            30 Sep 2023\n" in card


def test_at_200_columns_the_tracker_is_one_table_with_date_and_item_written_once_per_group() -> None:
    report = tracker_report()
    shown = render(report, "table", width=200)
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= 200
    assert lines[3].startswith("┌") and lines[-1].startswith("└")
    assert_no_word_split(shown, report)
    assert shown.count("23 Feb 2023") == 1 and shown.count("17 Jan 2024") == 1
    assert shown.count("Heritage Strategy") == 1
    assert len(lines) <= 120


@pytest.mark.parametrize("width", [30, 40, 60, 80, 100, 120, 160, 200, 240])
def test_no_line_is_wider_than_the_terminal_and_no_date_is_broken(width: int) -> None:
    report = tracker_report()
    shown = render(report, "table", width=width)
    assert max(len(line) for line in shown.splitlines()) <= width
    assert_no_word_split(shown, report)
    assert re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s*(│\s*)?$", shown, re.M) is None


def test_wrap_breaks_between_words_keeps_dates_whole_and_cuts_only_a_word_wider_than_the_line() -> None:
    assert wrap("Recommendation made on 23 Feb 2023", 14) == ["Recommendation", "made on", "23 Feb 2023"]
    assert wrap("see https://example.org/a-very-long-path", 12) == [
        "see",
        "https://exam",
        "ple.org/a-ve",
        "ry-long-path",
    ]
    assert wrap("one\ntwo three", 20) == ["one", "two three"]


def test_wide_characters_count_as_two_cells_so_the_rules_line_up() -> None:
    shown = lay_out([], Sheet(["Item", "Notes"], [["公園の整備", "ok"]]), 40).splitlines()
    row = next(line for line in shown if "公園" in line)
    header = next(line for line in shown if "Item" in line)
    assert cell_len(row) == cell_len(header) == cell_len(shown[0])


def test_an_empty_report_says_so() -> None:
    empty = Report(REPORTS["overdue"], [], {"SNAC": "Board"}, date(2024, 3, 14))
    assert "Nothing to show." in render(empty, "table", width=80)


def test_the_overdue_list_shows_the_item_its_words_and_the_date_first_due() -> None:
    row = OverdueRow(body="SNAC", ref="2023-02-23/1", reason="target_date", due=date(2024, 1, 31), days_overdue=43,
                     responsible=["Matt Huggins"], item="Tree Strategy", text="Checkpoint reports are provided",
                     original_due=date(2023, 9, 30))  # fmt: skip
    shown = render(Report(REPORTS["overdue"], [row], {"SNAC": "Board"}, date(2024, 3, 14)), "table", width=200)
    assert "Tree Strategy" in shown and "Checkpoint reports are provided" in shown
    assert "31 Jan 2024" in shown and "was 30 Sep 2023" in shown


def test_municipal_years_run_from_1_may_to_30_april() -> None:
    assert municipal_year(date(2024, 3, 14)) == "2023/24"
    assert municipal_year(date(2024, 4, 30)) == "2023/24"
    assert municipal_year(date(2024, 5, 1)) == "2024/25"
    assert municipal_year(date(1999, 6, 1)) == "1999/00"


def test_rows_alike_in_their_leading_keys_are_brought_together_where_the_first_was() -> None:
    keys = [("15 Feb", "Fishing"), ("17 Jan", "Heritage"), ("15 Feb", "Housing"), ("15 Feb", "Fishing")]
    assert in_runs(keys) == [0, 3, 2, 1]


def cells(**changes: Any) -> dict[str, str]:
    (row,) = tracker_report([tracker_rows()[0] | changes]).rows
    return {heading: cell(row) for heading, cell in TRACKER_COLUMNS}


def test_status_says_who_responded_and_who_is_awaited_never_one_for_the_other() -> None:
    status = cells(status="awaiting_response", response="accepted", awaiting=["Black Country ICB"], overdue=[])
    assert status["Status"] == "Response: accepted\nAwaiting response: Black Country ICB"


def test_status_shows_overdue_escalation_deferral_and_a_proposed_closure() -> None:
    status = cells(overdue=["response", "deferral"], escalated_on="2024-03-14", deferred_until="future meeting",
                   closure_proposed="partially_implemented")["Status"]  # fmt: skip
    assert status.splitlines() == [
        "Response: noted", "Deferred to a future meeting", "Escalated 14 Mar 2024",
        "Proposed for closure: partially implemented", "Overdue: response, deferral",
    ]  # fmt: skip


def test_a_closed_item_shows_its_outcome_and_the_boards_closing_note() -> None:
    shown = cells(status="closed", outcome="implemented", closure_note="Report received in full.", overdue=[])
    assert shown["Status"] == "Closed: implemented"
    assert shown["Notes"] == "Briefing note to be circulated September 2023\nOn closing: Report received in full."


def test_a_revised_target_date_shows_how_often_it_moved_and_where_it_began() -> None:
    shown = cells(target_date="2024-06-30", original_target_date="2023-09-30", target_date_revisions=2)
    assert shown["Target date"] == "30 Jun 2024\nrevised twice, first agreed 30 Sep 2023"
