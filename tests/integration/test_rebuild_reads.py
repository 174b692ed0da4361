"""A rebuild of the seal checks the log against the seal it replaces in its own read of the log: the log is read
from the database once, not once to check and once more to rebuild, and a change found on the way stops the
rebuild before anything is swapped in."""

from __future__ import annotations

from typing import Any

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.store import log
from scrutiny_es.errors import SealBroken
from scrutiny_es.projections.seal import chunked
from tests.conftest import make
from tests.integration.tampering import sealed_record, sql

BATCH = 16
"""Events read at a time, here: the log below takes a few batches."""


def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many stored events each query of the log fetched, from now on."""
    fetched: list[int] = []
    reading = log.stored_notifications

    def counted(recorder: Any, after: int, limit: int) -> list[Any]:
        rows = reading(recorder, after, limit)
        fetched.append(len(rows))
        return rows

    monkeypatch.setattr(log, "stored_notifications", counted)
    return fetched


def test_a_rebuild_of_every_read_model_reads_the_log_once_checking_the_seal_as_it_goes(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = sealed_record(db_url)
    app.execute_many([make(f"R{n}") for n in range(2, 40)])
    app.catch_up()
    events = app.verify().events
    monkeypatch.setattr("scrutiny_es.adapters.sql.runner.ProjectionRunner.BATCH", BATCH)
    monkeypatch.setattr(chunked, "__defaults__", (0, BATCH))  # the seal's reads too
    fetched = rows_read(monkeypatch)
    app.rebuild()
    # Every event once; the first batch again, where the seal looks for events put in before the first; and the
    # last event, which would be a reset of the seal if a reset's rebuild had been stopped.
    assert sum(fetched) == events + BATCH + 1
    assert app.verify().ok
    app.close()


def test_a_change_found_half_way_through_the_read_stops_the_rebuild_before_the_swap(db_url: str) -> None:
    app = sealed_record(db_url)
    app.execute_many([make(f"R{n}") for n in range(2, 40)])
    app.catch_up()
    generations = sql(app, "SELECT name, generation FROM projection ORDER BY name")
    sql(app, "DELETE FROM scrutiny_events WHERE ID = 30")
    with pytest.raises(SealBroken) as refused:
        app.rebuild()
    assert refused.value.fault == "position 30: missing"
    assert sql(app, "SELECT name, generation FROM projection ORDER BY name") == generations
    assert app.verify().fault == "position 30: missing"
    app.close()


def test_events_the_old_seal_holds_past_the_end_of_the_log_stop_the_rebuild(db_url: str) -> None:
    app = sealed_record(db_url)
    sql(app, "DELETE FROM scrutiny_events WHERE ID = 8")
    with pytest.raises(SealBroken, match="position 8: missing"):
        Scrutiny(db_url, catch_up=False).rebuild(["seal"])
    app.close()
