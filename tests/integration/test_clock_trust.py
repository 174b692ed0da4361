"""A clock the record can trust: one far ahead cannot carry the log into the future, nor a naive one into it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from scrutiny_es import ClockNotTrusted, DateOutOfOrder, Scrutiny
from tests.conftest import FixedClock, command, make, register

NOW = datetime(2024, 3, 14, 10, 0, tzinfo=UTC)


def test_a_clock_far_ahead_of_the_log_and_the_computer_is_refused_and_writes_nothing(db_url: str) -> None:
    clock = FixedClock(NOW)
    with freeze_time(NOW):
        app = Scrutiny(db_url, clock=clock)
        app.execute(register())
        clock.time = datetime(2150, 1, 1, tzinfo=UTC)  # a host's clock gone wrong
        with pytest.raises(ClockNotTrusted, match=r"the clock reads 2150-01-01T00:00:00\+00:00, more than 5 minutes"):
            app.execute(make())
        assert app.tracker() == []
        clock.time = NOW + timedelta(minutes=4)  # servers' clocks drift a little: that is taken
        app.execute(make())
        assert [e.recorded_at for e in app.audit()] == [NOW, NOW + timedelta(minutes=4)]


def test_a_clock_that_gives_no_timezone_aware_time_is_refused_when_the_record_is_opened(db_url: str) -> None:
    naive = FixedClock(datetime(2024, 3, 14, 10, 0))
    with pytest.raises(ClockNotTrusted, match="must give a timezone-aware datetime"):
        Scrutiny(db_url, clock=naive)

    class Wrong:
        def now(self) -> object:
            return "2024-03-14"

    with pytest.raises(ClockNotTrusted, match="the clock gave '2024-03-14'"):
        Scrutiny(db_url, clock=Wrong())  # type: ignore[arg-type]


def test_a_log_that_ran_ahead_is_followed_in_order_but_dates_are_judged_by_the_real_day(db_url: str) -> None:
    ahead = datetime(2150, 1, 1, tzinfo=UTC)
    with freeze_time(ahead):  # a server whose own clock was wrong: the record could not know
        skewed = Scrutiny(db_url, clock=FixedClock(ahead))
        skewed.execute(register())
        skewed.execute(make())
        skewed.close()
    with freeze_time(NOW):
        honest = Scrutiny(db_url, clock=FixedClock(NOW))
        with pytest.raises(DateOutOfOrder, match="is after today"):
            honest.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2140-01-01"))
        honest.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
        (referral,) = [e for e in honest.audit() if e.event == "Referred"]
        assert referral.recorded_at == ahead  # the log's order holds: "as known at" stays a stretch of the log
        assert referral.effective_on == date(2024, 2, 20)
