"""A log already ahead of the real clock (a server's clock once ran ahead) is said by ``verify`` and ``projections
status``, for every event recorded until the real clock reaches it is stamped with that time."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, make, register
from tests.e2e.cli import run

AHEAD = datetime(2150, 1, 1, 9, 0, tzinfo=UTC)


def test_verify_and_projections_status_say_the_log_is_ahead_of_the_real_clock(db_url: str) -> None:
    with freeze_time(AHEAD):  # the server's own clock was wrong too: the record could not know
        app = Scrutiny(db_url, clock=FixedClock(AHEAD))
        app.execute(register())
        app.execute(make())
        app.close()
    verify = run("verify", db=db_url)
    assert verify.returncode == 0, verify.stderr
    said = verify.stdout.splitlines()
    assert said[0].startswith(
        "the log is ahead of the real clock: its last event is stamped 2150-01-01T09:00:00+00:00, "
    )
    assert " days after this computer's clock (" in said[0]
    assert said[1].startswith("verified 2 events; position 2 digest ")
    status = run("projections", "status", db=db_url)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[-1].startswith("the log is ahead of the real clock: ")


def test_a_log_behind_the_real_clock_is_not_said_to_be_ahead(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.close()
    verify = run("verify", db=db_url)
    status = run("projections", "status", db=db_url)
    assert "ahead" not in verify.stdout + status.stdout
    assert verify.stdout.startswith("verified 1 events; position 1 digest ")
