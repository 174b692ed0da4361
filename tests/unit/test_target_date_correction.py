"""The item's own target date, set when it was made, is a fact like any other: a clerk can put it right."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scrutiny_es.application.service import ScrutinyService
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.errors import DateOutOfOrder
from tests.conftest import FixedClock, command, make, register


def made_with_a_wrong_target() -> tuple[FixedClock, ScrutinyService]:
    clock = FixedClock(datetime(2024, 3, 1, 9, tzinfo=UTC))
    app = in_memory(clock)
    app.execute(register())
    app.execute(make(target_date="2024-09-03"))  # the minutes say 30 September
    clock.time = datetime(2024, 3, 5, 9, tzinfo=UTC)
    return clock, app


def correct_target(value: str | None) -> dict[str, object]:
    return command("correct", ref="R1", field="target_date", value=value, reason="The minutes say 30 September")


def test_the_target_date_an_item_was_made_with_can_be_corrected_and_the_trail_says_so() -> None:
    _, app = made_with_a_wrong_target()
    app.execute(correct_target("2024-09-30"))
    (row,) = app.tracker()
    assert (row.target_date, row.original_target_date) == (date(2024, 9, 30), date(2024, 9, 30))
    assert "target date from" in app.audit()[-1].summary
    assert next(f.status for f in app.item("BCSB", "R1")) == "corrected"
    (before,) = app.tracker(as_known_at=datetime(2024, 3, 2, tzinfo=UTC))  # as it stood before it was put right
    assert before.target_date == date(2024, 9, 3)


def test_a_target_date_corrected_to_before_the_meeting_is_refused_and_to_none_clears_it() -> None:
    _, app = made_with_a_wrong_target()
    with pytest.raises(DateOutOfOrder, match="the target date"):
        app.execute(correct_target("2023-12-31"))
    app.execute(correct_target(None))
    assert [row.target_date for row in app.tracker()] == [None]


def test_a_revision_agreed_since_still_stands_over_a_corrected_original() -> None:
    _, app = made_with_a_wrong_target()
    app.execute(command("revise_target_date", ref="R1", target_date="2024-12-31", reason="Survey delayed",
                        decided_by="Board", decided_on="2024-03-04"))  # fmt: skip
    app.execute(correct_target("2024-09-30"))
    (row,) = app.tracker()
    assert (row.target_date, row.original_target_date) == (date(2024, 12, 31), date(2024, 9, 30))
