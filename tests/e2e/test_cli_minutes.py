"""``scrutiny-es minutes`` as a clerk runs it: a draft, checked, then applied; a second run records nothing new."""

from __future__ import annotations

import json
from pathlib import Path

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, register
from tests.e2e.cli import jsonl, run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "minutes"
SANDWELL = FIXTURES / "sandwell-pack-2024-03-14.txt"
JO = ["--actor-id", "jo", "--actor-name", "Jo Patel", "--actor-role", "scrutiny officer"]
CLERK = {"id": "jo", "name": "Jo Patel", "role": "scrutiny officer"}


def board(tmp_path: Path) -> str:
    """A record holding the Board and its recommendation of 17 January 2024 (minute 6/24)."""
    db = f"sqlite:///{tmp_path / 'council.db'}"
    done = run("apply", "-", db=db, stdin=jsonl(
        {"command": "register_body", "actor": CLERK, "body": "SNAC", "council": "Sandwell",
         "name": "Safer Neighbourhoods and Active Communities Scrutiny Board"},
        {"command": "make_recommendation", "actor": CLERK, "body": "SNAC", "ref": "2024-01-17/4",
         "kind": "recommendation", "meeting_date": "2024-01-17", "minute": "6/24",
         "item": "Implementation of 3 Boroughwide Public Space Protection Orders",
         "text": "That the Director of Borough Economy considers the feasibility of providing, fixed and fire-safe "
                 "designated BBQ areas in Sandwell’s green spaces.",
         "addressees": [{"name": "Alice Davey", "kind": "officer"}]},
    ))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return db


def test_the_draft_lists_each_resolution_and_records_nothing(tmp_path: Path) -> None:
    db = board(tmp_path)

    done = run("minutes", str(SANDWELL), "--body", "SNAC", db=db)

    assert done.returncode == 0, done.stderr
    assert (
        "19/24 Fishing Policy (Sandwell Angling Code of Conduct): re-affirmation -> reaffirm 2024-01-17/4"
        in done.stdout
    )
    assert "20/24 Housing Regulatory Framework: deferral -> make_recommendation 2024-02-15/3; defer" in done.stdout
    assert done.stdout.endswith("nothing was recorded: check the draft, then give -o FILE.jsonl to review it or "
                                "--apply to record it\n")  # fmt: skip
    tracker = json.loads(run("tracker", "--body", "SNAC", "--format", "json", db=db).stdout)
    assert [row["ref"] for row in tracker] == ["2024-01-17/4"]


def test_the_written_draft_applies_and_the_minutes_applied_again_record_nothing_new(tmp_path: Path) -> None:
    db = board(tmp_path)
    draft = tmp_path / "draft.jsonl"

    written = run("minutes", str(SANDWELL), "--body", "SNAC", "-o", str(draft), db=db)
    applied = run("apply", str(draft), *JO, db=db)
    again = run("minutes", str(SANDWELL), "--body", "SNAC", "--apply", *JO, db=db)

    assert written.stderr == f"wrote 5 commands to {draft}: check them, then scrutiny-es apply\n"
    assert draft.read_text(encoding="utf-8").startswith("# 19/24 Fishing Policy (Sandwell Angling Code of Conduct): "
                                                        "re-affirmation\n")  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout == f"applied 5 commands from {draft}\n"
    assert again.returncode == 0, again.stderr
    assert "already in the record as 2024-02-15/1" in again.stdout
    assert again.stdout.endswith("recorded 0 commands from sandwell-pack-2024-03-14.txt; 2 already recorded\n")
    tracker = {
        row["ref"]: row for row in json.loads(run("tracker", "--body", "SNAC", "--format", "json", db=db).stdout)
    }
    assert sorted(tracker) == ["2024-01-17/4", "2024-02-15/1", "2024-02-15/2", "2024-02-15/3"]
    assert tracker["2024-02-15/3"]["deferred_until"] == "future meeting"
    assert tracker["2024-02-15/1"]["addressees"] == [
        "Assistant Director Borough Economy (Green Spaces, Green Services, Events)"
    ]


def test_apply_with_a_people_file_records_the_names(tmp_path: Path) -> None:
    db = board(tmp_path)
    people = tmp_path / "people.csv"
    people.write_text('role,name\n"Assistant Director Borough Economy (Green Spaces, Green Services, Events)",'
                      "Matt Huggins\n", encoding="utf-8")  # fmt: skip

    done = run("minutes", str(SANDWELL), "--body", "SNAC", "--people", str(people), "--apply", *JO, db=db)

    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("recorded 5 commands from sandwell-pack-2024-03-14.txt\n")
    tracker = {
        row["ref"]: row for row in json.loads(run("tracker", "--body", "SNAC", "--format", "json", db=db).stdout)
    }
    assert tracker["2024-02-15/2"]["addressees"] == ["Matt Huggins"]


def test_bad_minutes_get_one_sentence_and_nothing_is_written(tmp_path: Path) -> None:
    db = board(tmp_path)
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the Board\n\n15 February 2024\n\n1 Apologies\n\nNone.\n", encoding="utf-8")
    draft = tmp_path / "draft.jsonl"

    done = run("minutes", str(minutes), "--body", "SNAC", "-o", str(draft), "--apply", *JO, db=db)

    assert done.returncode == 1
    assert done.stderr.startswith("scrutiny-es: no resolution found in minutes.txt's minutes of 15 February 2024")
    assert "Traceback" not in done.stderr
    assert not draft.exists()


def test_minutes_whose_heading_gives_no_date_are_told_to_give_it_with_its_option(tmp_path: Path) -> None:
    db = board(tmp_path)
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the Board\n\n1 Apologies\n\nNone.\n", encoding="utf-8")

    done = run("minutes", str(minutes), "--body", "SNAC", db=db)

    assert done.returncode == 1
    assert done.stderr.endswith("gives the date: give the meeting's date (--meeting-date)\n")


def test_applying_needs_to_know_who_records(tmp_path: Path) -> None:
    db = board(tmp_path)

    done = run("minutes", str(SANDWELL), "--body", "SNAC", "--apply", db=db, env={"SCRUTINY_ACTOR": ""})

    assert done.returncode == 1
    assert (
        done.stderr
        == "scrutiny-es: say who is recording: --actor-id, --actor-name and --actor-role (or SCRUTINY_ACTOR)\n"
    )


def test_an_unregistered_body_is_said(tmp_path: Path) -> None:
    db = board(tmp_path)

    done = run("minutes", str(SANDWELL), "--body", "NOPE", db=db)

    assert done.returncode == 1
    assert "NOPE" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_demo_shows_the_draft_of_the_minutes_of_15_february_2024_beside_what_it_records(tmp_path: Path) -> None:
    out = run("demo", "--dir", str(tmp_path), db="sqlite:///unused.db").stdout

    assert "Minutes of 15 February 2024 (minutes-2024-02-15.txt) for SNAC: 7 resolutions, 2 commands drafted" in out
    assert "19/24 Fishing Policy (Sandwell Angling Code of Conduct): re-affirmation -> reaffirm 2024-01-17/4" in out
    assert "    already in the record as 2024-02-15/1\n" in out
    assert "20/24 Housing Regulatory Framework: deferral -> defer 2024-02-15/HRF until a future meeting" in out


def test_a_host_drafts_the_minutes_through_the_api_and_records_only_what_it_applies(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register("SNAC", name="Safer Neighbourhoods and Active Communities Scrutiny Board"))
    minutes = SANDWELL
    draft = app.draft_minutes(minutes, body="SNAC", actor=CLERK)
    assert app.tracker() == []  # a draft records nothing
    assert draft.commands and all(c["actor"] == CLERK for c in draft.commands)
    receipts = app.execute_many(draft.commands)
    assert not any(r.already_recorded for r in receipts)
    again = app.draft_minutes(minutes, body="SNAC", actor=CLERK)
    assert all(r.already_recorded for r in app.execute_many(again.commands))


def test_escape_codes_in_the_minutes_are_shown_as_escapes_not_sent_to_the_terminal(tmp_path: Path) -> None:
    db = board(tmp_path)
    noted, refused = tmp_path / "noted.txt", tmp_path / "refused.txt"
    heading = "Minutes of the Board\n\nThursday 15 February 2024\n\n"
    noted.write_text(heading + "19/24 Fishing\x1b[2J\n\nResolved that the report be noted \x1b]0;Board\x07 today.\n")
    refused.write_text(heading + "20/24 Parks\x1b[31m\n\nResolved that the Cabinet opens the gates.\n")

    drafted = run("minutes", str(noted), "--body", "SNAC", db=db)
    said = run("minutes", str(refused), "--body", "SNAC", db=db)

    assert "\x1b" not in drafted.stdout + drafted.stderr + said.stdout + said.stderr
    assert drafted.returncode == 0, drafted.stderr
    assert "19/24 Fishing\\u001b[2J: noted" in drafted.stdout
    assert "noted \\u001b]0;Board\\u0007 today." in drafted.stdout
    assert said.returncode == 1
    assert said.stderr.startswith("scrutiny-es: 20/24 Parks\\u001b[31m: ")
