"""Dates in councils' trackers are read as a clerk wrote them, and nothing that is not a date becomes one."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from scrutiny_es.adapters.importers import NotADate, read_date


@pytest.mark.parametrize(
    "text",
    [
        "23 FEB 23",
        "23 Feb 2023",
        "23 February 2023",
        "23rd February 2023",
        "Thursday 23rd February, 2023",
        "23-Feb-2023",
        "February 23, 2023",
        "23/02/2023",
        "23/2/23",
        "23.02.2023",
        "23-02-2023",
        "2023-02-23",
        "2023-02-23 18:30",
        "  23 Feb 2023 ",
    ],
)
def test_reads_the_ways_councils_write_a_day(text: str) -> None:
    assert read_date(text) == date(2023, 2, 23)


def test_reads_numbers_day_first_as_in_the_uk() -> None:
    assert read_date("12.06.2018") == date(2018, 6, 12)
    assert read_date("01/02/2024") == date(2024, 2, 1)


def test_reads_a_two_digit_year_as_strptime_does() -> None:
    assert read_date("1 Mar 68") == date(2068, 3, 1)
    assert read_date("1 Mar 69") == date(1969, 3, 1)
    assert read_date("1/3/99") == date(1999, 3, 1)


def test_takes_a_date_cell_of_a_spreadsheet_as_its_day() -> None:
    assert read_date(datetime(2023, 2, 23, 0, 0)) == date(2023, 2, 23)
    assert read_date(date(2023, 2, 23)) == date(2023, 2, 23)


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("September 2023", date(2023, 9, 30)),
        ("Sept 2023", date(2023, 9, 30)),
        ("Sep 23", date(2023, 9, 30)),
        ("Sep-23", date(2023, 9, 30)),
        ("February 2024", date(2024, 2, 29)),
        ("december, 2011", date(2011, 12, 31)),
    ],
)
def test_reads_a_month_alone_as_its_last_day(text: str, last_day: date) -> None:
    assert read_date(text) == last_day


def test_does_not_take_a_month_alone_for_the_day_of_a_meeting() -> None:
    with pytest.raises(NotADate, match="is a month, not the day of a meeting"):
        read_date("September 2023", month_alone=False)
    assert read_date("23 September 2023", month_alone=False) == date(2023, 9, 23)


@pytest.mark.parametrize(
    "text",
    [
        "End of May",
        "During 2009/10",
        "Ongoing",
        "2023",
        "Spring 2024",
        "Q3 2023",
        "23 Feb",
        "31/02/2023",
        "30 February 2024",
        "2023-13-01",
        "23 Febtember 2023",
        "",
        "44980",
    ],
)
def test_never_guesses_a_date_from_text_that_is_not_one(text: str) -> None:
    with pytest.raises(NotADate, match=r"^is not a date$"):
        read_date(text)


@pytest.mark.parametrize("value", ["31 Dec 1899", "1 Jan 2200", "2300-01-01", datetime(1899, 12, 31)])
def test_refuses_a_date_the_library_cannot_record(value: str | datetime) -> None:
    with pytest.raises(NotADate, match="is not between 1900 and 2199"):
        read_date(value)


def test_the_first_and_last_days_the_library_records_are_dates() -> None:
    assert read_date("1 Jan 1900") == date(1900, 1, 1)
    assert read_date("31/12/2199") == date(2199, 12, 31)
