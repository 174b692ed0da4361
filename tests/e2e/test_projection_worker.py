"""``scrutiny-es projections run``: a worker process keeps the read models up to date, and resumes after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import SCRIPT


@contextmanager
def worker(db_url: str) -> Iterator[subprocess.Popen[str]]:
    # PostgreSQL wakes the worker with NOTIFY, so its poll is long; SQLite is polled.
    poll = "60" if db_url.startswith("postgresql") else "0.2"
    process = subprocess.Popen(
        [str(SCRIPT), "--db", db_url, "projections", "run", "--poll", poll],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert process.stderr is not None
        assert "keeping the projections up to date" in process.stderr.readline()
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def test_a_worker_keeps_the_read_models_up_to_date_and_resumes_after_a_kill(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock(), catch_up=False)  # reads only what the worker wrote
    with worker(db_url) as first:
        app.execute(register())
        receipt = app.execute(make())
        app.wait_for(receipt, timeout=30)
        assert [row.status for row in app.tracker()] == ["made"]
        first.send_signal(signal.SIGKILL)
    receipts = [
        app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20")),
        app.execute(make("R2")),
    ]
    assert [row.ref for row in app.tracker()] == ["R1"]  # nobody is keeping the tables up to date
    with worker(db_url) as second:
        app.wait_for(receipts[-1], timeout=30)
        assert [(row.ref, row.status) for row in app.tracker()] == [("R1", "awaiting_response"), ("R2", "made")]
        assert [entry.position for entry in app.audit()] == [1, 2, 3, 4]
        second.send_signal(signal.SIGTERM)
        _, errors = second.communicate(timeout=30)
        assert second.returncode == 0
        assert errors.splitlines()[-1] == "stopped"
