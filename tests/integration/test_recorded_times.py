"""Recording times only move forward along the log, and days are the UK's: "as known at" is then honest."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from freezegun import freeze_time

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.store import microseconds, moment
from scrutiny_es.application.ports import LogIsAhead
from tests.conftest import FixedClock, make, register
from tests.parts import store_of


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


RELEASE_0_1_0 = sorted((Path(__file__).parent.parent / "fixtures").glob("scrutiny-0.1.0-*.db"))


@pytest.mark.parametrize("fixture", RELEASE_0_1_0, ids=lambda path: path.stem)
def test_a_database_of_release_0_1_0_keeps_each_event_s_time_beside_it_and_a_clock_behind_it_follows(
    fixture: Path, tmp_path: Path
) -> None:
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    app = Scrutiny(f"sqlite:///{copy}", clock=FixedClock(datetime(2020, 1, 1, tzinfo=UTC)))
    entries = app.audit()
    with sqlite3.connect(copy) as db:
        kept = db.execute("SELECT position, recorded_at FROM scrutiny_positions ORDER BY position").fetchall()
    assert [(position, moment(time)) for position, time in kept] == [(e.position, e.recorded_at) for e in entries]
    receipt = app.execute(register("NEWB"))
    assert app.audit()[-1].position == receipt.position
    assert app.audit()[-1].recorded_at == entries[-1].recorded_at, "the log's time, not the clock's"
    app.close()


def test_the_recorder_refuses_a_batch_stamped_before_the_log_without_reading_the_events(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC)))
    app.execute(register())
    recorder = store_of(app).recorder
    later = datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC)
    stored = StoredEvent(uuid4(), 1, "not.an:Event", b"not JSON at all")
    with pytest.raises(LogIsAhead) as refused:
        recorder.insert_events([stored], recorded_at=[microseconds(datetime(2026, 2, 1, tzinfo=UTC))])
    assert refused.value.latest == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert recorder.insert_events([stored], recorded_at=[microseconds(later)]) == [2]
    assert store_of(app).latest() == later
    app.close()
