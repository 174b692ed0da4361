"""A SQLite file opened read-only, as its URL says: reports answer from the read models as they stand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import UnsupportedDatabase, sqlite_file
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import jsonl, run


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
