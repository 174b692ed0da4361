"""A SQLite file opened read-only, as its URL says: reports answer from the read models as they stand."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import UnsupportedDatabase, sqlite_file
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import jsonl, run

FIXTURES = Path(__file__).parent.parent / "fixtures"


def a_record_one_event_ahead_of_its_read_models(path: Path) -> None:
    db = f"sqlite:///{path}"
    app = Scrutiny(db, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    app.tracker()
    app.close()
    app = Scrutiny(db, clock=FixedClock(), catch_up=False)
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.close()


@pytest.mark.parametrize("form", ["{}?mode=ro", "{}?immutable=1", "file:{}?mode=ro&uri=true"])
def test_a_database_opened_read_only_answers_says_how_far_behind_and_records_nothing(tmp_path: Path, form: str) -> None:
    path = tmp_path / "council.db"
    a_record_one_event_ahead_of_its_read_models(path)
    before = path.read_bytes()
    db = "sqlite:///" + form.format(path)
    tracker = run("tracker", "--format", "json", db=db)
    assert tracker.returncode == 0, tracker.stderr
    assert [row["status"] for row in json.loads(tracker.stdout)] == ["made"]
    assert tracker.stderr == (
        "scrutiny-es: the database is read-only, so this shows the read models as last brought up to date, "
        "1 event behind the log\n"
    )
    refused = run("apply", "-", db=db, stdin=jsonl(make("R2")))
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == "scrutiny-es: the database is read-only, so nothing can be recorded in it"
    assert sorted(p.name for p in tmp_path.iterdir() if "?" in p.name) == []
    assert path.read_bytes() == before


def test_a_read_only_database_of_an_earlier_layout_asks_to_be_opened_once_for_writing(tmp_path: Path) -> None:
    """Commit 0729cb1's read models keep no body names: they must be rebuilt, which a read-only file cannot be.
    Its file, kept whole for the fixtures, has a rollback journal: that is said first."""
    path = tmp_path / "council.db"
    shutil.copyfile(FIXTURES / "scrutiny-0.1.0+0729cb1-demo.db", path)
    before = path.read_bytes()
    journal = run("tracker", "--format", "json", db=f"sqlite:///{path}?mode=ro")
    assert journal.returncode == 1 and journal.stderr == (
        f"scrutiny-es: {path} keeps a rollback journal, not the write-ahead log scrutiny-es keeps, and switching it "
        "back is a write, which a read-only file refuses: open it once where it can be written, or read it with "
        "immutable=1 if nothing changes it\n"
    )
    unchanging = run("tracker", "--format", "json", db=f"sqlite:///{path}?immutable=1")  # the journal untouched
    assert unchanging.returncode == 1 and "tables were made by an earlier version" in unchanging.stderr
    assert path.read_bytes() == before
    with closing(sqlite3.connect(path)) as conn:  # as the code left it in use
        conn.execute("PRAGMA journal_mode=WAL")
    before = path.read_bytes()
    refused = run("tracker", "--format", "json", db=f"sqlite:///{path}?mode=ro")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr == (
        "scrutiny-es: the overdue, tracker tables were made by an earlier version and must be rebuilt, but the "
        "database is read-only: open it once where it can be written\n"
    )
    assert path.read_bytes() == before
    opened = run("tracker", "--format", "json", db=f"sqlite:///{path}")
    assert opened.returncode == 0, opened.stderr
    again = run("tracker", "--format", "json", db=f"sqlite:///{path}?mode=ro")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(opened.stdout) != []


@pytest.mark.parametrize("query", ["mode=ro&cache=shared", "mode=readonly", "journal=off", "uri=true"])
def test_a_parameter_the_library_does_not_know_is_refused_and_no_file_is_made(tmp_path: Path, query: str) -> None:
    db = f"sqlite:///{tmp_path / 'council.db'}?{query}"
    refused = run("apply", "-", db=db, stdin=jsonl(register()))
    assert refused.returncode == 1
    assert "is not something a SQLite database URL can say" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UnsupportedDatabase):
        Scrutiny(db)
    assert list(tmp_path.iterdir()) == []


def test_a_writable_file_named_plainly_is_opened_for_writing() -> None:
    assert sqlite_file("sqlite:///council.db").store_name == "council.db"
    assert sqlite_file("sqlite:///council.db").sqlalchemy_url == "sqlite:///council.db"
    assert sqlite_file("sqlite:///a b.db?mode=ro").store_name == "file:a%20b.db?mode=ro"
