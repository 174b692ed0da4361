"""The response deadline rule of LGA 2000 s9FE and the NHS 28 days, "beginning with" receipt."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrutiny_es.domain.deadlines import STATUTORY_DEADLINES, AddresseeKind, Period
from scrutiny_es.domain.model import Actor, Body

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@pytest.mark.parametrize(
    ("received", "period", "last_day"),
    [
        (date(2024, 2, 20), "2 months", date(2024, 4, 19)),  # the worked example of DESIGN section 2
        (date(2024, 3, 1), "28 days", date(2024, 3, 28)),
        (date(2023, 12, 31), "2 months", date(2024, 2, 29)),  # no 31 February: the month's last day
        (date(2022, 12, 31), "2 months", date(2023, 2, 28)),
        (date(2024, 1, 31), "1 month", date(2024, 2, 29)),
        (date(2024, 11, 15), "2 months", date(2025, 1, 14)),  # across the year end
        (date(2024, 3, 1), "8 weeks", date(2024, 4, 25)),
        (date(2024, 3, 1), "1 day", date(2024, 3, 1)),
    ],
)
def test_last_day_counts_the_day_of_receipt_as_day_one(received: date, period: str, last_day: date) -> None:
    assert Period.parse(period).last_day(received) == last_day


def due(policy: dict[AddresseeKind, Period | None], kind: AddresseeKind, received: date) -> date | None:
    period = policy[kind]
    return None if period is None else period.last_day(received)


def test_statutory_defaults_are_two_months_for_the_executive_and_officers_and_28_days_for_the_nhs() -> None:
    received = date(2024, 2, 20)
    assert due(STATUTORY_DEADLINES, "executive", received) == date(2024, 4, 19)
    assert due(STATUTORY_DEADLINES, "officer", received) == date(2024, 4, 19)
    assert due(STATUTORY_DEADLINES, "nhs", received) == date(2024, 3, 18)
    assert due(STATUTORY_DEADLINES, "partner", received) is None
    assert due(STATUTORY_DEADLINES, "other", received) is None


def test_a_body_policy_overrides_a_default() -> None:
    clerk = Actor("u1", "Jo Clerk", "scrutiny officer")
    at = datetime(2024, 3, 1, tzinfo=UTC)
    body = Body.register(code="B", name="Board", council="C", deadlines={"executive": "8 weeks", "nhs": None},
                         actor=clerk, at=at)  # fmt: skip
    assert due(body.deadlines, "executive", date(2024, 3, 1)) == date(2024, 4, 25)
    assert due(body.deadlines, "nhs", date(2024, 3, 1)) is None
    assert due(body.deadlines, "officer", date(2024, 3, 1)) == date(2024, 4, 30)


@pytest.mark.parametrize("text", ["", "two months", "0 days", "2 fortnights", "-1 weeks", "1000 days", "2 months ago"])
def test_rejects_a_period_that_is_not_n_days_weeks_or_months(text: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


@pytest.mark.parametrize(("text", "shown"), [("2 months", "2 months"), ("1 weeks", "1 week"), ("28 day", "28 days")])
def test_a_period_reads_back_as_written(text: str, shown: str) -> None:
    assert str(Period.parse(text)) == shown


@given(received=dates, months=st.integers(min_value=1, max_value=24))
def test_months_end_the_day_before_the_corresponding_date_or_on_the_last_day_of_a_short_month(
    received: date, months: int
) -> None:
    last = Period(months, "months").last_day(received)
    index = received.year * 12 + received.month - 1 + months
    year, month = index // 12, index % 12 + 1
    if received.day <= calendar.monthrange(year, month)[1]:
        assert last + timedelta(days=1) == date(year, month, received.day)
    else:
        assert (last.year, last.month) == (year, month)
        assert (last + timedelta(days=1)).day == 1


@given(received=dates, count=st.integers(min_value=1, max_value=400), unit=st.sampled_from(["days", "weeks"]))
def test_days_and_weeks_cover_exactly_that_many_days_including_the_day_of_receipt(
    received: date, count: int, unit: str
) -> None:
    last = Period(count, unit).last_day(received)  # type: ignore[arg-type]
    assert (last - received).days + 1 == count * (7 if unit == "weeks" else 1)
