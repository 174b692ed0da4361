"""Recording times only move forward along the log, and days are the UK's: "as known at" is then honest."""

from __future__ import annotations

from datetime import UTC, date, datetime

from freezegun import freeze_time

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, make, register


def test_a_clock_behind_the_log_records_at_the_logs_time_not_before_it(db_url: str) -> None:
    ahead = Scrutiny(db_url, clock=FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC)))
    ahead.execute(register())
    behind = Scrutiny(db_url, clock=FixedClock(datetime(2025, 1, 1, tzinfo=UTC)))  # after the meeting it records
    behind.execute(make())
    times = [entry.recorded_at for entry in behind.audit()]
    assert times == [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)] * 2
    assert behind.tracker(as_known_at=datetime(2021, 1, 1, tzinfo=UTC)) == []
    assert behind.audit(as_known_at=datetime(2021, 1, 1, tzinfo=UTC)) == []


def test_every_batch_of_a_clock_behind_the_log_follows_the_last_event(db_url: str) -> None:
    clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    app = Scrutiny(db_url, clock=clock)
    app.execute(register())
    clock.time = datetime(2025, 1, 1, tzinfo=UTC)
    app.execute(make("R1"))
    other = Scrutiny(db_url, clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))
    other.execute(make("R2"))
    app.execute(make("R3"))  # its clock is behind the other writer's event too
    times = [entry.recorded_at for entry in app.audit()]
    assert times == sorted(times)
    assert times[-1] == datetime(2026, 3, 2, tzinfo=UTC)


def test_a_body_registered_at_half_past_midnight_bst_was_registered_that_uk_day(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock(datetime(2024, 7, 1, 23, 30, tzinfo=UTC)))  # 00:30 BST on 2 July
    app.execute(register())
    (entry,) = app.audit()
    assert entry.effective_on == date(2024, 7, 2)


@freeze_time("2024-07-01 23:30:00")
def test_a_frozen_system_clock_gives_the_uk_day_too(db_url: str) -> None:
    app = Scrutiny(db_url)
    app.execute(register())
    assert app.today() == date(2024, 7, 2)
    assert app.audit()[0].effective_on == date(2024, 7, 2)
