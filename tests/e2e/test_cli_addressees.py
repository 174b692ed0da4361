"""Who an item is for, changed from the command line and shown in every format a clerk reads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import command, make, register
from tests.e2e.cli import jsonl, run

CHANGES = [
    register(),
    make(),
    command("refer", ref="R1", addressee="Director of Housing", received_on="2024-02-20"),
    command("add_addressee", ref="R1", addressee={"name": "West Midlands Police", "kind": "partner"},
            decided_on="2024-03-14", reason="The police patrol the lakes"),
    command("remove_addressee", ref="R1", addressee="Cabinet", reason="Not the executive's to answer",
            decided_on="2024-03-14"),
    command("replace_addressee", ref="R1", addressee="Director of Housing",
            successor={"name": "Director of Homes", "kind": "officer"}, reason="Post renamed", decided_on="2024-05-01"),
]  # fmt: skip
REPLACED = "passed Director of Housing's part in the recommendation to Director of Homes on 1 May 2024: Post renamed"


def applied(tmp_path: Path, db: str) -> None:
    file = tmp_path / "changes.jsonl"
    file.write_text(jsonl(*CHANGES))
    done = run("apply", str(file), db=db)
    assert done.returncode == 0, done.stderr


def test_the_changes_are_applied_and_every_format_of_the_audit_trail_says_them(tmp_path: Path, db_url: str) -> None:
    applied(tmp_path, db_url)
    for fmt in ("table", "md", "csv", "html"):
        shown = run("audit", "--ref", "R1", "--format", fmt, db=db_url)
        assert shown.returncode == 0, shown.stderr
        assert "removed Cabinet from the addressees" in shown.stdout, fmt
        assert "passed Director of Housing" in shown.stdout, fmt
        assert fmt == "table" or "added West Midlands Police as an addressee" in shown.stdout, fmt  # a table folds it
    entries = json.loads(run("audit", "--ref", "R1", "--format", "json", db=db_url).stdout)
    assert [e["event"] for e in entries][-3:] == ["AddresseeAdded", "AddresseeRemoved", "AddresseeReplaced"]
    assert entries[-1]["summary"].endswith(REPLACED)
    assert entries[-1]["decided_by"] == "Budget and Corporate Scrutiny Board"
    rows = list(csv.DictReader(io.StringIO(run("audit", "--ref", "R1", "--format", "csv", db=db_url).stdout)))
    assert rows[-1]["summary"].endswith(REPLACED)


def test_the_tracker_and_overdue_list_name_the_successor_in_every_format(tmp_path: Path, db_url: str) -> None:
    applied(tmp_path, db_url)
    (row,) = json.loads(run("tracker", "--format", "json", db=db_url).stdout)
    assert (row["addressees"], row["status"], row["response_due"]) == (
        ["Director of Homes", "West Midlands Police"],
        "awaiting_response",
        "2024-04-19",
    )
    (late,) = json.loads(run("overdue", "--as-of", "2024-06-03", "--format", "json", db=db_url).stdout)
    assert (late["due"], late["responsible"]) == ("2024-04-19", ["Director of Homes"])
    (then,) = json.loads(run("overdue", "--as-of", "2024-04-30", "--format", "json", db=db_url).stdout)
    assert then["responsible"] == ["Director of Housing"]
    for fmt in ("table", "md", "csv"):
        shown = run("overdue", "--as-of", "2024-06-03", "--format", fmt, db=db_url)
        assert "Director of Homes" in shown.stdout and "Director of Housing" not in shown.stdout, fmt
        tracked = run("tracker", "--format", fmt, db=db_url)
        assert "West Midlands" in tracked.stdout and "Director of Housing" not in tracked.stdout, fmt


def test_a_correction_of_the_addressees_is_refused_naming_its_line_and_the_commands(
    tmp_path: Path, db_url: str
) -> None:
    applied(tmp_path, db_url)
    file = tmp_path / "wrong.jsonl"
    file.write_text(jsonl(command("correct", ref="R1", field="addressees", value=["Cabinet"], reason="Wrong")))
    refused = run("apply", str(file), db=db_url)
    assert refused.returncode != 0
    assert (
        "line 1: field: the addressees are not corrected: use add_addressee, remove_addressee or replace_addressee"
        in (refused.stderr)
    )
    assert "Traceback" not in refused.stderr
