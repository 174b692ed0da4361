"""A tracker's header row says which column holds what, however the council spelt it."""

from __future__ import annotations

import pytest

from scrutiny_es.adapters.importers import HEADERS, CannotImport, parse_columns
from scrutiny_es.adapters.importers.columns import find_header, meaning, override_keys


@pytest.mark.parametrize(("field", "header"), [(f, h) for f, headers in HEADERS.items() for h in headers])
def test_knows_every_header_of_the_contract(field: str, header: str) -> None:
    assert meaning(header, {}) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Recommendation/ Action", "text"),
        ("RECOMMENDATION / ACTION", "text"),
        ("Responsible\nPerson", "addressees"),
        ("Lead officer", "addressees"),
        ("Cabinet member", "addressees"),
        ("No", "ref"),
        ("Date of meeting:", "meeting_date"),
        ("To be completed by...", "target_date"),
    ],
)
def test_compares_headers_ignoring_case_spaces_and_punctuation(header: str, field: str) -> None:
    assert meaning(header, {}) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Agreed (Yes/No/In part)", "response"),
        ("Executive response / Agreed (Yes/No/In part)", "response"),
        ("Status/Outcome", "status"),
        ("Action taken / Progress", "notes"),
        ("Target date [if set]", "target_date"),
    ],
)
def test_reads_a_header_without_brackets_or_as_slashed_names_of_one_field(header: str, field: str) -> None:
    assert meaning(header, {}) == field


@pytest.mark.parametrize("header", ["Date/Item", "Presented by", "Lead", "", "   ", "Recommendation tracker 2023/24"])
def test_gives_no_meaning_to_a_header_it_does_not_know(header: str) -> None:
    assert meaning(header, {}) is None


def test_an_override_changes_a_headers_meaning_or_gives_one_to_an_unknown_header() -> None:
    overrides = override_keys(parse_columns("Date=target_date, Lead=addressees,Presented by=ignore"))
    assert meaning("DATE", overrides) == "target_date"
    assert meaning("Lead", overrides) == "addressees"
    assert meaning("Presented  by", overrides) == "ignore"
    assert meaning("Meeting date", overrides) == "meeting_date"


def test_reads_the_columns_option_into_headers_as_written_and_their_fields() -> None:
    assert parse_columns("Date=target_date,Agreed (Yes/No/In part)=response,") == {
        "Date": "target_date",
        "Agreed (Yes/No/In part)": "response",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Date", '--columns: "Date" is not Header=field (for example "Date=target_date")'),
        ("=text", '--columns: "=text" is not Header=field'),
        ("Date=when", "--columns: \"Date=when\": 'when' is not a field; the fields are meeting_date, item, text"),
        ("Date=target_date,date=meeting_date", '--columns: "date" is given twice, as target_date and as meeting_date'),
    ],
)
def test_a_columns_option_it_cannot_read_is_refused_with_what_to_write(text: str, message: str) -> None:
    with pytest.raises(CannotImport, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_columns(text)


def test_finds_the_header_row_below_a_title_and_lists_what_it_does_not_know() -> None:
    rows = [
        ["Scrutiny Review of Adult Mental Health: recommendations tracker"],
        ["Reference", "Date agreed", "Recommendation", "Lead officer", "Cabinet member", "Presented by"],
        ["AMH1", "8 March 2011", "That the Cabinet Member ...", "David Watts", "Cllr Sandra Samuels", "x"],
    ]
    header = find_header(rows, {})
    assert header is not None
    assert header.position == 1
    assert [(c.index, c.field) for c in header.columns] == [
        (0, "ref"),
        (1, "meeting_date"),
        (2, "text"),
        (3, "addressees"),
        (4, "addressees"),
    ]
    assert header.unknown == ("Presented by",)


def test_several_addressee_columns_are_all_read_but_a_second_date_column_is_not() -> None:
    header = find_header([["Date", "Date made", "Action", "Lead Officer", "Portfolio Holder", "Notes", "Comments"]], {})
    assert header is not None
    assert [c.header for c in header.every("addressees")] == ["Lead Officer", "Portfolio Holder"]
    assert [c.header for c in header.every("notes")] == ["Notes", "Comments"]
    assert [c.header for c in header.repeated] == ["Date made"]


def test_a_table_with_no_column_for_the_recommendations_text_is_not_a_tracker() -> None:
    work_programme = [["Meeting Date", "Item", "Presented by"], ["11 July 2023", "Borough of Sanctuary", "Louis Bebb"]]
    assert find_header(work_programme, {}) is None


def test_a_layout_table_that_names_one_known_column_is_not_a_tracker() -> None:
    assert find_header([["Recommendations", "That the Board notes the report."], ["Resources:", "None"]], {}) is None


def test_an_override_can_make_a_table_a_tracker() -> None:
    rows = [["Meeting Date", "Proposal", "Presented by"]]
    assert find_header(rows, {}) is None
    header = find_header(rows, override_keys({"Proposal": "text"}))
    assert header is not None
    assert [c.field for c in header.columns] == ["meeting_date", "text"]
