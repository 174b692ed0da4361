"""The live tracker's rows as read back from the tracker table are exactly the rows the fold makes of the same
histories, on any day: what the table keeps of each (its JSON, status, RAG, addressees) loses nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bench.generate import commands

from scrutiny_es.bootstrap import in_memory
from scrutiny_es.projections.items import obligations, tracker_from_json, tracker_record, tracker_row
from tests import parts
from tests.conftest import FixedClock, command, make


def test_a_row_read_back_from_the_table_is_the_row_the_fold_makes() -> None:
    app = in_memory(FixedClock(datetime(2024, 12, 2, 9, 30, tzinfo=UTC)))
    app.execute_many(list(commands(2, 150)))
    still_open = next(row.ref for row in app.tracker(body="B000") if row.status != "closed")
    app.execute(command("defer", body="B000", ref=still_open, until=None, reason="Later", decided_on="2024-11-01"))
    app.execute(make("NEW", body="B001", meeting_date="2024-11-20"))
    app.catch_up()
    histories = list(parts.read_models_of(app).histories())
    assert len(histories) == 301
    kinds: set[Any] = set()
    for day in (date(2022, 6, 1), date(2024, 12, 2)):
        for history in histories:
            record = tracker_record(history, obligations(history))
            assert record is not None
            fast = tracker_from_json(record.row, day)
            assert fast == tracker_row(history, None, day)
            assert (record.status, record.rag, record.addressees) == (fast.status, fast.rag, fast.addressees)
            kinds |= {fast.status, fast.rag, type(fast.deferred_until), bool(fast.overdue), fast.escalated_on is None}
    assert kinds >= {"made", "awaiting_response", "responded", "closed", "red", "amber", "green", None, date, str}
    assert {True, False} <= kinds
