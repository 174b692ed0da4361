"""``scrutiny-es migrate-store``: a record the command line started, later shared with a host's session, nothing lost."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from itertools import islice
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, NewDatabase, command, make, register
from tests.e2e.cli import SCRIPT, jsonl, run

STARTED = [
    register(),
    make("R1", command_id="m-1"),
    make("R2", item="Libraries", command_id="m-2"),
    command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20", command_id="m-3"),
    command("report_progress", ref="R2", note="Two branches reopened", reported_on="2024-03-01", reported_by="Head"),
]


def report(name: str, db: str) -> list[dict[str, object]]:
    done = run(name, "--format", "json", db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_record_started_on_the_command_line_is_shared_with_a_host_session_after_migrate_store(
    db_url: str,
) -> None:
    assert run("apply", "-", db=db_url, stdin=jsonl(*STARTED)).returncode == 0
    before = run("verify", db=db_url).stdout.strip().splitlines()[-1]
    tracker, audit = report("tracker", db_url), report("audit", db_url)

    moved = run("migrate-store", db=db_url)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("moved 5 events to the event store a host's SQLAlchemy session shares")
    assert run("verify", db=db_url).stdout.strip().splitlines()[-1] == before, "the same bytes, the same digest"
    assert report("tracker", db_url) == tracker
    assert report("audit", db_url) == audit

    session = scoped_session(sessionmaker(bind=create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))))
    host = Scrutiny(session=session, clock=FixedClock())
    again = host.execute(make("R1", command_id="m-1"))
    assert (again.already_recorded, again.position) == (True, 2), "the command ids came across too"
    host.execute(command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Agreed",
                         responded_on="2024-03-05", responded_by="Cabinet"))  # fmt: skip
    session.commit()
    assert [(row["ref"], row["status"]) for row in report("tracker", db_url)] == [("R1", "responded"), ("R2", "made")]
    assert [entry.position for entry in host.audit()] == [1, 2, 3, 4, 5, 6]
    assert host.audit()[-1].event == "ResponseRecorded"
    session.remove()
    host.close()

    applied = run("apply", "-", db=db_url, stdin=jsonl(make("R3", command_id="m-4")))  # the command line, as before
    assert applied.returncode == 0, applied.stderr
    digest = before.rpartition(" ")[2]
    verified = run("verify", "--at", "5", "--digest", digest, db=db_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.strip().splitlines()[-1].startswith("verified 7 events; position 7 digest ")


def test_migrate_store_twice_is_refused_and_changes_nothing(db_url: str) -> None:
    assert run("apply", "-", db=db_url, stdin=jsonl(*STARTED)).returncode == 0
    assert run("migrate-store", db=db_url).returncode == 0
    before = run("verify", db=db_url).stdout
    second = run("migrate-store", db=db_url)
    assert second.returncode == 1
    assert "is already kept by the event store a host's session shares: there is nothing to move" in second.stderr
    assert "Traceback" not in second.stderr
    assert run("verify", db=db_url).stdout == before


def test_migrate_store_refuses_a_database_that_holds_no_record(new_database: NewDatabase, tmp_path: Path) -> None:
    with new_database() as url:
        if url.startswith("sqlite:///"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                conn.execute("CREATE TABLE minutes (id INTEGER PRIMARY KEY, text TEXT)")
        done = run("migrate-store", db=url)
        assert done.returncode == 1
        assert "holds no scrutiny record (no events table): there is nothing to move" in done.stderr
    missing = run("migrate-store", db=f"sqlite:///{tmp_path / 'nowhere.db'}")
    assert missing.returncode == 2
    assert "no database at" in missing.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_after_migrate_store_a_follower_and_the_worker_hear_of_what_a_host_records(db_url: str) -> None:
    assert run("apply", "-", db=db_url, stdin=jsonl(*STARTED)).returncode == 0
    assert run("migrate-store", db=db_url).returncode == 0
    follower = Scrutiny(db_url)
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    host = Scrutiny(session=session, clock=FixedClock())

    def record_later() -> None:
        time.sleep(0.5)
        host.unit_of_work(lambda: host.execute(make("R3")))
        session.remove()

    writer = threading.Thread(target=record_later)
    writer.start()
    heard = list(islice(follower.follow(after=5, timeout=20), 1))
    writer.join()
    assert [(entry.position, entry.event, entry.ref) for entry in heard] == [(6, "Made", "R3")]
    follower.close()
    host.close()


def test_after_migrate_store_the_projection_worker_keeps_the_read_models(db_url: str) -> None:
    assert run("apply", "-", db=db_url, stdin=jsonl(*STARTED)).returncode == 0
    assert run("migrate-store", db=db_url).returncode == 0
    worker = subprocess.Popen([str(SCRIPT), "--db", db_url, "projections", "run", "--poll", "0.2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        session = scoped_session(sessionmaker(bind=create_engine(db_url)))
        host = Scrutiny(session=session, clock=FixedClock(), catch_up=False)
        receipt = host.unit_of_work(lambda: host.execute(make("R3")))
        host.wait_for(receipt, timeout=30)
        assert [row.ref for row in host.tracker()] == ["R1", "R2", "R3"]
        session.remove()
        host.close()
    finally:
        worker.send_signal(signal.SIGTERM)
        _, said = worker.communicate(timeout=30)
    assert worker.returncode == 0, said
