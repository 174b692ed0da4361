"""``scrutiny-es projections status|rebuild``: the read models rebuilt from the log, and where they stand."""

from __future__ import annotations

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run


def test_status_and_a_full_rebuild_that_changes_nothing_but_the_tables(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock(), catch_up=False)
    app.execute(register())
    app.execute(make())
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.execute(command("defer", ref="R1", until="2024-04-11", reason="Awaiting data", decided_on="2024-03-14"))

    status = run("projections", "status", db=db_url)
    assert status.stdout.splitlines() == [
        "audit    at 0 of 4 (lag 4)",
        "overdue  at 0 of 4 (lag 4)",
        "seal     at 0 of 4 (lag 4)",
        "tracker  at 0 of 4 (lag 4)",
    ]
    before = reports(db_url)

    rebuilt = run("projections", "rebuild", db=db_url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout == "rebuilt tracker, overdue, seal, audit\n"
    assert "events/s" in rebuilt.stderr  # the progress bar
    assert run("projections", "status", db=db_url).stdout.splitlines()[0] == "audit    at 4 of 4 (lag 0)"
    assert reports(db_url) == before

    one = run("projections", "rebuild", "overdue", "--quiet", db=db_url)
    assert (one.returncode, one.stdout) == (0, "")
    assert reports(db_url) == before


def reports(db_url: str) -> list[str]:
    """What the live tables say: the tracker, today's overdue list, the audit trail."""
    return [run(report, "--format", "json", db=db_url).stdout for report in ("tracker", "overdue", "audit")]
