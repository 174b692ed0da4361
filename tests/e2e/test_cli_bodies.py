"""``--year`` of tracker, pack and impact, and ``--by current-body``, as a clerk runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scrutiny_es import BodyNotFound, Scrutiny
from tests import parts
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A board whose municipal year starts on 1 June, items of two years, one moved to the Resources Committee."""
    url = f"sqlite:///{tmp_path / 'bodies.db'}"
    app = Scrutiny(url, clock=FixedClock())
    app.execute(register(municipal_year_starts="06-01"))
    app.execute(register("RES", name="Resources Committee"))
    for ref, meeting in [("R1", "2023-05-20"), ("R2", "2023-06-01"), ("R3", "2024-05-31"), ("R4", "2024-06-01")]:
        app.execute(make(ref, meeting_date=meeting))
    app.execute(command("transfer", ref="R3", to_body="RES", decided_on="2024-06-05"))
    app.close()
    return url


def test_the_tracker_of_a_municipal_year_holds_the_items_the_body_made_in_it(db: str) -> None:
    done = run("tracker", "--body", "BCSB", "--year", "2023/24", "--as-of", "2024-06-04", "--format", "json", db=db)
    assert done.returncode == 0, done.stderr
    assert [row["ref"] for row in json.loads(done.stdout)] == ["R2", "R3"]
    live = run("tracker", "--body", "RES", "--year", "2024/25", "--format", "json", db=db)  # RES: from 1 May
    assert [(row["ref"], row["taken_over_from"]) for row in json.loads(live.stdout)] == [("R3", "BCSB")]


def test_impact_of_a_year_and_by_the_body_an_item_is_with_now(db: str) -> None:
    year = run("impact", "--body", "BCSB", "--year", "2023/24", "--format", "json", db=db)
    assert year.returncode == 0, year.stderr
    assert [(row["group"], row["made"]) for row in json.loads(year.stdout)] == [("BCSB", 2)]
    now = run("impact", "--by", "current-body", "--format", "json", db=db)
    assert [(row["group"], row["made"]) for row in json.loads(now.stdout)] == [("BCSB", 3), ("RES", 1)]


def test_the_pack_of_a_year_lists_that_years_items(db: str) -> None:
    done = run("pack", "--body", "BCSB", "--meeting", "2024-05-31", "--year", "2022/23", "--format", "json", db=db)
    assert done.returncode == 0, done.stderr
    assert [row["ref"] for row in json.loads(done.stdout)["tracker"]] == ["R1"]


def test_a_year_not_written_as_councils_write_it_is_refused_in_one_line(db: str) -> None:
    done = run("tracker", "--body", "BCSB", "--year", "2023-24", db=db)
    assert done.returncode == 1
    assert "write it as 2023/24" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_tracker_is_headed_by_the_name_in_force_on_its_day_and_the_year_asked_for(db: str) -> None:
    app = Scrutiny(db, clock=FixedClock())
    app.execute(command("rename_body", name="Resources Scrutiny Board", **{"from": "2024-06-01"}))
    app.close()
    then = run("tracker", "--body", "BCSB", "--as-of", "2024-05-31", "--format", "md", db=db)
    assert "Budget and Corporate Scrutiny Board" in then.stdout and "Resources Scrutiny Board" not in then.stdout
    year = run("tracker", "--body", "BCSB", "--year", "2024/25", "--as-of", "2024-07-01", "--format", "md", db=db)
    assert year.returncode == 0, year.stderr
    assert "Resources Scrutiny Board" in year.stdout and "municipal year 2024/25" in year.stdout


def test_a_live_report_is_headed_by_names_its_read_models_keep_without_reading_the_bodies_events(db: str) -> None:
    """Decoding a body's events loads pydantic, a fifth of a report's start-up: the heading of a live report is
    read from the read models, which keep each body's names as it is renamed (here caught up by a process of its
    own, after another had caught them up to the body's registration)."""
    app = Scrutiny(db, clock=FixedClock())
    app.tracker()
    app.close()
    app = Scrutiny(db, clock=FixedClock())
    app.execute(command("rename_body", name="Resources Scrutiny Board", **{"from": "2024-06-01"}))
    app.tracker()  # caught up: the report's process has no event to decode
    app.close()
    script = (
        "import sys; from scrutiny_es.__main__ import main; done = main(sys.argv[1:]); "
        "print('pydantic', 'pydantic' in sys.modules, file=sys.stderr); sys.exit(done)"
    )
    env = {**os.environ, "COLUMNS": "220"}
    shown = {}
    for body in ([], ["--body", "BCSB"]):
        argv = [sys.executable, "-c", script, "--db", db, "tracker", *body]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stderr.endswith("pydantic False\n"), done.stderr
        assert "Resources Scrutiny Board" in done.stdout and "Budget and Corporate" not in done.stdout
        shown[" ".join(body)] = done.stdout
    assert "Resources Committee" in shown[""] and "Resources Committee" not in shown["--body BCSB"]
    unknown = run("tracker", "--body", "NOPE", db=db)
    assert unknown.returncode != 0 and "no body is registered with the code NOPE" in unknown.stderr


def test_a_body_its_read_models_do_not_hold_yet_is_named_from_its_events(db: str) -> None:
    """Read models a worker keeps (``catch_up=False``) may be behind the log: a body registered and renamed since is
    named all the same, from its events, and a code no body has is refused."""
    app = Scrutiny(db, clock=FixedClock(), catch_up=False)
    app.execute(register("NEW", name="New Board"))
    app.execute(command("rename_body", body="NEW", name="Newer Board", **{"from": "2024-01-01"}))
    assert parts.read_models_of(app).body_names(["NEW"]) == {}
    named = app.body_names(["NEW"])["NEW"]
    assert (named.council, [name for _, name in named.names]) == ("Sandwell", ["New Board", "Newer Board"])
    assert named.name_on(date(2023, 12, 31)) == "New Board" and named.name_on(None) == "Newer Board"
    with pytest.raises(BodyNotFound):
        app.body_names(["NEW", "NOPE"])
    app.close()
