import gc
from datetime import UTC, date, datetime

import pytest

from scrutiny_es.application.collector import collector_paused
from scrutiny_es.bootstrap import in_memory
from tests.conftest import FixedClock, command, make, register


@pytest.fixture
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pauses_the_collector_and_restarts_it_after(collector_enabled):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restarts_the_collector_after_an_error(collector_enabled):
    with pytest.raises(ValueError, match="boom"), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_leaves_a_collector_paused_by_the_host_paused(collector_enabled):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
    gc.enable()


@pytest.fixture
def collections_counted(collector_enabled):
    """Every collection the cycle collector starts, with it set to start one at almost every allocation."""
    started: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    gc.callbacks.append(count)
    yield started
    gc.callbacks.remove(count)
    gc.set_threshold(*thresholds)


def test_a_report_that_folds_every_items_history_sets_off_no_collection_as_it_goes(collections_counted):
    # In a process holding a million objects, one full collection in the middle of an as-of tracker made it five
    # times as slow: those reports make a history for each item and drop it, with no cycles among them. Set to
    # start a collection at almost every allocation, the collector starts one for each item or more without the
    # pause (731 to 2,921 here for 40 items); paused, only around the report (about a dozen, whatever the items).
    app = in_memory(FixedClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC)))
    app.execute(register())
    app.execute_many([make(f"R{n}") for n in range(1, 41)])
    app.execute(command("schedule_meeting", meeting_date="2024-04-18", name="Board"))
    reports = {
        "tracker as of a date": lambda: app.tracker(body="BCSB", as_of=date(2024, 2, 29)),
        "overdue list as of a date": lambda: app.overdue(body="BCSB", as_of=date(2024, 6, 1)),
        "meeting pack": lambda: app.meeting_pack("BCSB", date(2024, 4, 18)),
        "impact": lambda: app.impact(body="BCSB", to=date(2024, 6, 1)),
    }
    for name, report in reports.items():
        collections_counted.clear()
        report()
        assert len(collections_counted) < 40, name
    assert len(app.tracker(body="BCSB", as_of=date(2024, 2, 29))) == 40
    collections_counted.clear()
    app.execute(make("R41"))  # outside them the collector runs as before
    assert collections_counted != []
