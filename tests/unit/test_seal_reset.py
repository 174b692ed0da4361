"""The reset of the seal, in the service with no database: refused unasked, recorded as an event when a person asks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrutiny_es.bootstrap import in_memory
from scrutiny_es.errors import SealBroken
from scrutiny_es.projections.seal import Sealed
from tests import parts
from tests.conftest import FixedClock, make, register

CLERK = {"id": "u7", "name": "Ann Clerk", "role": "clerk"}


def test_a_seal_that_disagrees_with_the_log_is_reset_only_by_a_person_and_the_reset_is_sealed() -> None:
    app = in_memory(FixedClock(datetime(2024, 12, 9, 14, 5, tzinfo=UTC)))
    app.execute(register())
    app.execute(make())
    assert app.verify().ok
    seals = parts.read_models_of(app).seals
    seals[1] = Sealed(2, seals[1].stored_at, bytes(32))  # the seal no longer what the log gives

    with pytest.raises(SealBroken, match="position 2: changed") as refused:
        app.rebuild()
    assert refused.value.fault == "position 2: changed"
    assert [e.event for e in app.audit()] == ["Registered", "Made"]  # nothing recorded

    app.rebuild(reseal_reason="Seal table restored from a stale copy", actor=CLERK)
    found = app.verify()
    assert (found.ok, found.events) == (True, 3)
    reset = app.audit()[-1]
    assert (reset.position, reset.event, reset.body, reset.actor) == (3, "Reset", "", "Ann Clerk (clerk)")
    assert reset.summary.startswith(
        "Ann Clerk reset the seal after finding position 2: changed: Seal table restored from a stale copy "
        "(the seal had held position 2 with the digest 0000"
    )
    app.rebuild()  # a routine rebuild after the reset passes, and records nothing more
    assert len(app.audit()) == 3
