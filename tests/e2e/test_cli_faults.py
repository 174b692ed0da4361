"""Faults never break the record: a poisoned event, a full disk, a read-only file, a lost server, a killed rebuild."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.domain.model import Actor
from tests import parts
from tests.conftest import CLERK, FixedClock, command, make, register
from tests.e2e.cli import SCRIPT, jsonl, run

POISONED = Actor("c", "Jo\u0000", "clerk")


def record_a_nul_as_an_earlier_version_did(db: str) -> None:
    """Events holding NUL characters, written straight to the store as versions before the limits could."""
    app = Scrutiny(db, clock=FixedClock(), catch_up=False)
    app.execute(register("PG"))
    from scrutiny_es.domain.model import Addressee, Recommendation, body_id

    body = parts.store_of(app).load(body_id("PG"))
    at = FixedClock().now()

    item = Recommendation.make(
        body=body, ref="R\u00001", kind="action", meeting_date=date(2024, 1, 10), item="Parks", minute="1/\u000024",
        text="Report back", addressees=[Addressee("Director", "officer")], target_date=date(2024, 2, 1),
        actor=POISONED, at=at,
    )  # fmt: skip
    item.report_progress(note="n\u0000", reported_on=date(2024, 2, 1), reported_by="x", rag=None, actor=POISONED, at=at)
    parts.store_of(app).recorder.insert_events(
        [parts.store_of(app).mapper.to_stored_event(e) for e in item.collect_events()]
    )
    app.close()


def test_a_database_already_holding_a_nul_keeps_every_report_working(db_url: str) -> None:
    record_a_nul_as_an_earlier_version_did(db_url)
    for report in ("tracker", "overdue", "audit"):
        result = run(report, "--format", "json", db=db_url)
        assert result.returncode == 0, result.stderr
    (row,) = json.loads(run("tracker", "--format", "json", db=db_url).stdout)
    assert (row["ref"], row["minute"], row["notes"]) == ("R␀1", "1/␀24", "n␀")
    trail = json.loads(run("audit", "--format", "json", db=db_url).stdout)
    assert trail[-1]["actor"] == "Jo␀ (clerk)"
    assert run("projections", "rebuild", "--quiet", db=db_url).returncode == 0
    assert json.loads(run("tracker", "--format", "json", db=db_url).stdout) == [row]
    shown = run("tracker", db=db_url).stdout  # as typed, and harmless on a terminal
    assert "\u0000" not in shown and "R␀1" in shown


def test_the_event_itself_keeps_the_nul_it_was_recorded_with(db_url: str) -> None:
    record_a_nul_as_an_earlier_version_did(db_url)
    app = Scrutiny(db_url)
    assert app.recommendation("PG", "R\u00001").minute == "1/\u000024"


def fsize_limit(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_full_disk_is_one_line_and_leaves_nothing_partly_written(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'full.db'}"
    lines = jsonl(register(), *(make(f"R{n}", text="A long recommendation. " * 80) for n in range(2_000)))
    result = subprocess.run(
        [str(SCRIPT), "--db", db, "apply", "-"], input=lines, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: fsize_limit(1_500_000),  # the files may not grow past 1.5 MB, as on a full disk
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    created, said = result.stderr.splitlines()
    assert created.startswith("scrutiny-es: created a new database at ")
    assert said.startswith("scrutiny-es: the database could not be written (disk I/O error")
    applied = int(result.stdout.split()[1])
    assert 0 < applied < 2_001 and result.stdout.endswith(", and then stopped\n")
    app = Scrutiny(db)  # with room again: exactly what was reported applied is there, and answers
    assert parts.read_models_of(app).log.count() == applied
    assert len(app.tracker()) == applied - 1


def read_only(path: Path) -> list[str]:
    """The command prefix that runs a program unable to write ``path``: root is denied it only without its
    capability to override file permissions."""
    path.chmod(0o444)
    if os.geteuid() != 0:
        return []
    assert shutil.which("setpriv"), "setpriv (util-linux) runs the read-only test as root"
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def test_a_read_only_database_still_answers_and_says_how_far_behind_it_is(tmp_path: Path) -> None:
    path = tmp_path / "read-only.db"
    db = f"sqlite:///{path}"
    app = Scrutiny(db, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    app.tracker()  # the read models are up to date here
    app.close()
    app = Scrutiny(db, clock=FixedClock(), catch_up=False)
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.close()
    prefix = read_only(path)
    for report in ("tracker", "overdue", "audit"):
        result = subprocess.run(
            [*prefix, str(SCRIPT), "--db", db, report, "--format", "json"], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == (
            "scrutiny-es: the database is read-only, so this shows the read models as last brought up to date, "
            "1 event behind the log\n"
        )
    tracker = subprocess.run([*prefix, str(SCRIPT), "--db", db, "tracker", "--format", "json"], capture_output=True)
    assert [row["status"] for row in json.loads(tracker.stdout)] == ["made"]
    status = subprocess.run([*prefix, str(SCRIPT), "--db", db, "projections", "status"], capture_output=True, text=True)
    assert status.stdout.splitlines()[0] == "audit    at 2 of 3 (lag 1)"
    refused = subprocess.run(
        [*prefix, str(SCRIPT), "--db", db, "apply", "-"], input=jsonl(make("R2")), capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == "scrutiny-es: the database is read-only, so nothing can be recorded in it"


def test_a_lost_postgresql_server_is_one_line_and_nothing_partly_written(own_postgres: tuple[str, Path]) -> None:
    url, base = own_postgres
    assert run("apply", "-", db=url, stdin=jsonl(register(), make())).returncode == 0
    stopped = subprocess.run(
        ["pg_ctl", "-D", str(base / "data"), "-m", "immediate", "stop"] if os.geteuid() else
        ["runuser", "-u", _owner(base), "--", _pg_ctl(), "-D", str(base / "data"), "-m", "immediate", "stop"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr
    for args in (("tracker",), ("apply", "-")):
        result = run(*args, db=url, stdin=jsonl(make("R2")))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[-1].startswith("scrutiny-es: the connection to the database failed")


def _owner(base: Path) -> str:
    import pwd

    return pwd.getpwuid(base.stat().st_uid).pw_name


def _pg_ctl() -> str:
    from tests.pgserver import find_postgres_bin

    found = find_postgres_bin()
    assert found is not None
    return str(found / "pg_ctl")


def many_events(db: str, items: int = 3_000) -> None:
    lines = [register()] + [make(f"R{n}") for n in range(items)]
    lines += [command("refer", ref=f"R{n}", addressee="Cabinet", received_on="2024-02-20") for n in range(items)]
    result = run("apply", "--batch", "1000", "-", db=db, stdin=jsonl(*lines))
    assert result.returncode == 0, result.stderr


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_killing_a_rebuild_leaves_no_process_behind_and_a_rerun_finishes_it(tmp_path: Path, how: int) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.fail("the parallel rebuild needs two cores, as CI has")
    db = f"sqlite:///{tmp_path / 'rebuild.db'}"
    many_events(db)
    parent = subprocess.Popen([str(SCRIPT), "--db", db, "projections", "rebuild", "--quiet"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (children := children_of(parent.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert children, "the audit trail's rebuild did not start"
    parent.send_signal(how)
    parent.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(_alive(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(child) for child in children)
    rerun = run("projections", "rebuild", "--quiet", db=db)
    assert rerun.returncode == 0, rerun.stderr
    status = run("projections", "status", db=db).stdout.splitlines()
    assert all(line.endswith("(lag 0)") for line in status), status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


@pytest.mark.parametrize(
    "asked",
    [
        ["tracker", "--format", "html"],
        ["tracker", "--body", "BCSB", "--format", "xlsx"],
        ["pack", "--body", "BCSB", "--meeting", "2024-03-14", "--format", "docx"],
        ["impact"],
        ["import", "{tracker}", "--body", "BCSB", "--as-of", "2024-03-14"],
        ["minutes", "{minutes}", "--body", "BCSB"],
    ],
)
def test_an_output_that_cannot_be_written_is_one_line_naming_it_and_records_nothing(
    tmp_path: Path, asked: list[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'council.db'}"
    assert run("apply", "-", db=db, stdin=jsonl(register(), make())).returncode == 0
    tracker, minutes = tmp_path / "tracker.csv", tmp_path / "minutes.txt"
    tracker.write_text("Ref,Date,Item,Recommendation,Lead Officer\nR2,15/02/2024,Parks,Open the gates,Cabinet\n")
    minutes.write_text("Minutes of the Board\n\nThursday 15 February 2024\n\n4 Parks\n\nResolved that the Cabinet "
                       "opens the gates.\n")  # fmt: skip
    given = [part.format(tracker=tracker, minutes=minutes) for part in asked]
    locked = tmp_path / "locked"
    locked.mkdir()
    for output, prefix in [(tmp_path, []), (tmp_path / "none" / "out", []), (locked / "out", read_only(locked))]:
        result = subprocess.run(
            [*prefix, str(SCRIPT), "--db", db, *given, "-o", str(output)], capture_output=True, text=True, timeout=60,
            env={**os.environ, "SCRUTINY_ACTOR": json.dumps(CLERK)},
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        reason = {tmp_path: "Is a directory", locked / "out": "Permission denied"}.get(output, "No such file")
        assert result.stderr.startswith(f"scrutiny-es: {output}: {reason}"), result.stderr
        assert result.stderr.count("\n") == 1 + result.stderr.count("warning: ")
    assert not list(locked.iterdir())
    app = Scrutiny(db)
    assert parts.read_models_of(app).log.count() == 2


def test_a_reader_that_stops_reading_ends_the_report_quietly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'council.db'}"
    assert run("apply", "-", db=db, stdin=jsonl(register(), make())).returncode == 0
    report = subprocess.Popen([str(SCRIPT), "--db", db, "audit", "--format", "json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)  # fmt: skip
    assert report.stdout is not None and report.stderr is not None
    report.stdout.close()  # as `| head -0` does: it wants nothing, and goes before the report is written
    said = report.stderr.read().decode()
    assert report.wait(timeout=60) == 141
    assert said == ""
