"""``scrutiny-es apply``: commands from a file or standard input, bad lines named, nothing of them written."""

from __future__ import annotations

from pathlib import Path

from scrutiny_es import Scrutiny
from tests import parts
from tests.conftest import command, make, register
from tests.e2e.cli import jsonl, run

REFER = command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20")
BAD_RESPONSE = command(
    "record_response",
    ref="R1",
    addressee="Cabinet",
    decision="maybe",
    text="t",
    responded_on="2024-03-01",
    responded_by="Cabinet",
)


def positions(db: str) -> list[int]:
    app = Scrutiny(db)
    return [n.id for n in parts.store_of(app).recorder.select_notifications(start=None, limit=1000)]


def test_applies_a_file_and_prints_a_summary(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "tracker.jsonl"
    file.write_text(jsonl("# from the agenda pack of 14 March 2024", register(), "", make(), REFER))
    result = run("apply", str(file), db=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"applied 3 commands from {file}\n"
    assert result.stderr == ""
    assert Scrutiny(db_url).recommendation("BCSB", "R1").referrals["Cabinet"].response_due.isoformat() == "2024-04-19"


def test_stops_at_a_bad_third_line_naming_the_line_and_field(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "tracker.jsonl"
    file.write_text(jsonl(register(), make(), BAD_RESPONSE, REFER))
    result = run("apply", str(file), db=db_url)
    assert result.returncode == 1
    assert result.stderr == "line 3: decision: must be accepted, partially_accepted, rejected or noted\n"
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == f"applied 2 commands from {file}; 1 rejected, stopped at the first\n"
    assert positions(db_url) == [1, 2]


def test_reports_a_broken_domain_rule_with_its_line(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "tracker.jsonl"
    file.write_text(jsonl(register(), make(), command("refer", ref="R1", addressee="Police", received_on="2024-02-20")))
    result = run("apply", str(file), db=db_url)
    assert result.returncode == 1
    assert result.stderr == "line 3: Police is not an addressee of R1 (its addressees: Cabinet, Director of Housing)\n"


def test_keep_going_reports_every_bad_line_and_applies_the_rest(tmp_path: Path, db_url: str) -> None:
    stdin = jsonl(register(), '{"command": "make_recommendation", oops', make(), BAD_RESPONSE, REFER, "[1, 2]")
    result = run("apply", "--keep-going", "-", db=db_url, stdin=stdin)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "line 2: not valid JSON: Expecting property name enclosed in double quotes at column 36",
        "line 4: decision: must be accepted, partially_accepted, rejected or noted",
        "line 5: not applied, for line 4 of the same item was refused",
        "line 6: a command is a JSON object: {...}",
    ]
    assert result.stdout == (
        "applied 2 commands from standard input; 3 rejected; 1 held back (an earlier line of their item was "
        "refused: fix it and run the file again)\n"
    )
    assert positions(db_url) == [1, 2]


def test_keep_going_holds_back_an_item_s_later_lines_and_a_rerun_after_the_fix_applies_them_in_order(
    tmp_path: Path, db_url: str
) -> None:
    file = tmp_path / "minutes.jsonl"
    closing = command("close", ref="R1", outcome="implemented", decided_on="2024-06-01", note="Done")
    file.write_text(jsonl(register(), make(), REFER, BAD_RESPONSE, closing, make("R2")))
    first = run("apply", "--keep-going", str(file), db=db_url)
    assert first.returncode == 1
    assert first.stderr.splitlines()[1:] == ["line 5: not applied, for line 4 of the same item was refused"]
    assert [e.event for e in Scrutiny(db_url).audit()] == ["Registered", "Made", "Referred", "Made"]
    fixed = {**BAD_RESPONSE, "decision": "accepted"}
    file.write_text(jsonl(register(), make(), REFER, fixed, closing, make("R2")))
    again = run("apply", "--keep-going", str(file), db=db_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"applied 2 commands from {file}; 4 already recorded\n"
    events = [(e.ref, e.event) for e in Scrutiny(db_url).audit()]
    assert events[4:] == [("R1", "ResponseRecorded"), ("R1", "Closed")]  # the fixed line in its place, then the close


def test_reads_standard_input(db_url: str) -> None:
    result = run("apply", "-", db=db_url, stdin=jsonl(register(), make()))
    assert (result.returncode, result.stdout) == (0, "applied 2 commands from standard input\n")


def test_names_a_missing_file_without_a_traceback(tmp_path: Path, db_url: str) -> None:
    result = run("apply", str(tmp_path / "missing.jsonl"), db=db_url)
    assert result.returncode == 1
    assert result.stderr == f"scrutiny-es: {tmp_path / 'missing.jsonl'}: No such file or directory\n"


def test_names_a_database_url_it_cannot_use(tmp_path: Path) -> None:
    result = run("apply", "-", db="mysql://localhost/x", stdin="")
    assert result.returncode == 1
    assert "mysql://localhost/x is not a database this library can use" in result.stderr


def test_batch_writes_nothing_of_the_batch_with_a_bad_line(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "migration.jsonl"
    file.write_text(jsonl(register(), make(), REFER, make("R2"), BAD_RESPONSE, make("R3")))
    result = run("apply", "--batch", "3", str(file), db=db_url)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "line 5: decision: must be accepted, partially_accepted, rejected or noted",
        "lines 4-6 were not written",
    ]
    assert result.stdout == f"applied 3 commands from {file}; 1 rejected, stopped at the first\n"
    assert positions(db_url) == [1, 2, 3]


def test_batch_with_keep_going_applies_the_rest_of_the_batch(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "migration.jsonl"
    file.write_text(jsonl(register(), make(), "not json", REFER, make("R2"), BAD_RESPONSE, make("R3")))
    result = run("apply", "--batch", "4", "--keep-going", str(file), db=db_url)
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["line 3", "line 6"]
    assert result.stdout == f"applied 5 commands from {file}; 2 rejected\n"
    app = Scrutiny(db_url)
    assert [row.ref for row in app.tracker()] == ["R1", "R2", "R3"]
    assert [e.event for e in app.audit()] == ["Registered", "Made", "Referred", "Made", "Made"]


def test_batch_with_keep_going_applies_the_lines_of_an_item_before_its_refused_one_as_one_a_batch_does(
    tmp_path: Path, db_url: str
) -> None:
    file = tmp_path / "migration.jsonl"
    closing = command("close", ref="R1", outcome="implemented", decided_on="2024-06-01")
    file.write_text(jsonl(register(), make(), REFER, BAD_RESPONSE, closing, make("R2")))
    for batch in ("1", "6"):
        result = run("apply", "--batch", batch, "--keep-going", str(file), db=db_url)
        assert result.returncode == 1
        held = [line for line in result.stderr.splitlines() if "not applied" in line]
        assert held == ["line 5: not applied, for line 4 of the same item was refused"]
        assert [e.event for e in Scrutiny(db_url).audit()] == ["Registered", "Made", "Referred", "Made"]


def test_rejects_a_batch_size_that_is_not_a_positive_number(db_url: str) -> None:
    result = run("apply", "--batch", "0", "-", db=db_url, stdin="")
    assert result.returncode == 2
    assert "'0' is not a whole number of 1 or more" in result.stderr
