"""A PostgreSQL restart under a follower and a projection worker: both carry on from their position."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import SCRIPT
from tests.e2e.test_cli_faults import _owner, _pg_ctl


def restart(base: Path) -> None:
    pg_ctl = ["pg_ctl"] if os.geteuid() else ["runuser", "-u", _owner(base), "--", _pg_ctl()]
    log = str(base / "server.log")  # the server's output there: a pipe of ours would be held open by it
    done = subprocess.run([*pg_ctl, "-D", str(base / "data"), "-l", log, "-m", "fast", "-w", "restart"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_follow_carries_on_from_its_position_after_the_server_restarts(own_postgres: tuple[str, Path]) -> None:
    url, base = own_postgres
    app = Scrutiny(url, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    followed: list[int] = []
    failures: list[BaseException] = []
    two_seen = threading.Event()

    def follow() -> None:
        try:
            for entry in app.follow(after=0, timeout=20):
                followed.append(entry.position)
                if entry.position == 2:
                    two_seen.set()
                if entry.position == 3:
                    return
        except BaseException as e:
            failures.append(e)

    follower = threading.Thread(target=follow)
    follower.start()
    assert two_seen.wait(30)
    restart(base)
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    follower.join(60)
    assert failures == []
    assert followed == [1, 2, 3]
    app.close()


def test_a_projection_worker_carries_on_after_the_server_restarts(own_postgres: tuple[str, Path]) -> None:
    url, base = own_postgres
    writer = Scrutiny(url, clock=FixedClock(), catch_up=False)
    writer.execute(register())
    worker = subprocess.Popen([str(SCRIPT), "--db", url, "projections", "run", "--poll", "0.5"],
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        writer.wait_for(writer.execute(make()), timeout=30)
        restart(base)
        receipt = writer.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
        writer.wait_for(receipt, timeout=60)
        assert worker.poll() is None  # still running
        assert [e.event for e in writer.audit()] == ["Registered", "Made", "Referred"]
    finally:
        worker.terminate()
        _, said = worker.communicate(timeout=60)
    assert "Traceback" not in said
    writer.close()
