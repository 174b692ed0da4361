"""An officer's daily use: every fact can be put right, nothing is recorded twice, reports say everything."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.domain.errors import CannotCorrect, CommandIdReused, DateOutOfOrder
from tests.conftest import CLERK, FixedClock, command, make, register
from tests.e2e.cli import jsonl, run

PROGRESS = command("report_progress", ref="R1", note="Sites found", reported_on="2024-04-11", reported_by="Officer")


def record(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make(target_date="2024-09-30"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.execute(command("refer", ref="R1", addressee="Director of Housing", received_on="2024-02-20"))


def position_of(app: Scrutiny, event: str, nth: int = 0) -> int:
    return [e.position for e in app.audit(ref="R1") if e.event == event][nth]


def test_a_report_of_a_missing_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "scrutiny.db"
    for report in ("tracker", "overdue", "audit"):
        result = run(report, db=f"sqlite:///{path}")
        assert (result.returncode, result.stderr) == (
            2,
            f"scrutiny-es: no database at {path} (give --db or set SCRUTINY_DB)\n",
        )
    assert run("projections", "status", db=f"sqlite:///{path}").returncode == 2
    assert not path.exists()
    made = run("apply", "-", db=f"sqlite:///{path}", stdin=jsonl(register()))
    assert made.returncode == 0 and made.created  # type: ignore[attr-defined]


def test_a_report_of_a_body_or_item_that_does_not_exist_says_so(db_url: str) -> None:
    record(Scrutiny(db_url, clock=FixedClock()))
    body = run("tracker", "--body", "NOPE", db=db_url)
    assert (body.returncode, body.stderr) == (1, "scrutiny-es: no body is registered with the code NOPE\n")
    for report in ("tracker", "overdue", "audit", "item"):
        item = run(report, "--body", "BCSB", "--ref", "R9", db=db_url)
        assert item.returncode == 1
        assert item.stderr == "scrutiny-es: BCSB has no recommendation or action with the reference R9\n"


def test_a_fact_cannot_take_effect_in_the_future(app: Scrutiny) -> None:
    record(app)
    with pytest.raises(DateOutOfOrder, match=r"the progress report date \(1 Sep 2105\) is after today \(2 Dec 2024\)"):
        app.execute({**PROGRESS, "reported_on": "2105-09-01"})
    with pytest.raises(DateOutOfOrder, match="the closure date"):
        app.execute(command("close", ref="R1", outcome="implemented", decided_on="2030-01-01"))
    app.execute(
        command(
            "revise_target_date",
            ref="R1",
            target_date="2030-01-01",
            reason="Long job",
            decided_by="Cabinet",
            decided_on="2024-05-01",
        )
    )  # fmt: skip  (a target date may be later)


def test_a_progress_report_and_a_decision_are_put_right_by_their_position(app: Scrutiny) -> None:
    record(app)
    app.execute(PROGRESS)
    app.execute(command("close", ref="R1", outcome="implemented", decided_on="2024-06-01", note="Done"))
    app.execute(command("correct", ref="R1", field="progress.note", value="Sites found in 3 parks", reason="Typo",
                        position=position_of(app, "ProgressReported")))  # fmt: skip
    app.execute(command("correct", ref="R1", field="decision.decided_on", value="2024-06-06", reason="Minutes",
                        position=position_of(app, "Closed")))  # fmt: skip
    (row,) = app.tracker()
    assert (row.notes, row.closure_note, row.last_changed_on) == ("Sites found in 3 parks", "Done", date(2024, 6, 6))
    summaries = [e.summary for e in app.audit() if e.event == "Corrected"]
    assert summaries[0].endswith("from “Sites found” to “Sites found in 3 parks”: Typo")
    assert "from “1 Jun 2024” to “6 Jun 2024”" in summaries[1]
    with pytest.raises(CannotCorrect, match=r"decision\.action is not part of a decision that closed"):
        app.execute(command("correct", ref="R1", field="decision.action", value="x", reason="r",
                            position=position_of(app, "Closed")))  # fmt: skip
    with pytest.raises(CannotCorrect, match="must name the fact by its position"):
        app.execute(command("correct", ref="R1", field="progress.rag", value="red", reason="r"))


def test_a_fact_recorded_in_error_is_retracted_and_still_shown_as_known_before(
    app: Scrutiny, clock: FixedClock
) -> None:
    record(app)
    app.execute(PROGRESS)
    app.execute({**PROGRESS, "note": "Sites found (typed again)"})
    before = clock.time
    clock.time = datetime(2024, 12, 3, 10, 0, tzinfo=UTC)
    typed_twice = position_of(app, "ProgressReported", 1)
    app.execute(command("retract", ref="R1", position=typed_twice, reason="Typed twice"))
    assert [r.notes for r in app.tracker()] == ["Sites found"]
    assert [r.notes for r in app.tracker(as_known_at=before)] == ["Sites found (typed again)"]
    card = {row.position: row for row in app.item("BCSB", "R1")}
    assert (card[typed_twice].status, card[typed_twice].text) == ("retracted", "Sites found (typed again)")
    with pytest.raises(CannotCorrect, match="already retracted"):
        app.execute(command("retract", ref="R1", position=typed_twice, reason="Again, differently"))
    with pytest.raises(CannotCorrect, match="cannot be retracted; close it as withdrawn"):
        app.execute(command("retract", ref="R1", position=position_of(app, "Made"), reason="Wrong item"))
    with pytest.raises(CannotCorrect, match="is not a fact of R1"):
        app.execute(command("retract", ref="R1", position=1, reason="The body's registration"))


def test_rerunning_a_file_after_fixing_its_bad_line_records_nothing_twice(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "tracker.jsonl"
    bad = {**PROGRESS, "ref": "R1", "reported_on": "2024-13-01"}
    file.write_text(jsonl(register(), make(), PROGRESS, bad))
    assert run("apply", str(file), db=db_url).returncode == 1
    file.write_text(jsonl(register(name="Budget and Corporate Scrutiny Board"), make(), PROGRESS,
                          {**bad, "reported_on": "2024-05-01"}))  # fmt: skip
    again = run("apply", "--keep-going", str(file), db=db_url)
    assert again.stderr.splitlines() == [  # the body's registration too: the same command, recorded before
        "line 1: already recorded (position 1)",
        "line 2: already recorded (position 2)",
        "line 3: already recorded (position 3)",
    ]
    assert again.stdout.endswith("applied 1 command from " + str(file) + "; 3 already recorded\n")
    app = Scrutiny(db_url)
    assert [e.event for e in app.audit()].count("ProgressReported") == 2


def test_a_command_id_is_recorded_once_and_names_one_command(app: Scrutiny, clock: FixedClock) -> None:
    record(app)
    first = app.execute({**PROGRESS, "command_id": "minutes-2024-04-11/3"})
    again = app.execute({**PROGRESS, "command_id": "minutes-2024-04-11/3"})
    assert again == first._replace(already_recorded=True)
    with pytest.raises(CommandIdReused, match="already used for a different command"):
        app.execute({**PROGRESS, "note": "Something else", "command_id": "minutes-2024-04-11/3"})
    reopened = Scrutiny(app.url, clock=clock)  # another process, after a restart
    assert reopened.execute({**PROGRESS, "command_id": "minutes-2024-04-11/3"}).already_recorded
    assert [e.event for e in app.audit()].count("ProgressReported") == 1


def test_a_command_id_first_sent_with_a_command_recorded_before_without_one_names_that_command_from_then_on(
    app: Scrutiny, clock: FixedClock
) -> None:
    record(app)
    unkeyed = app.execute(PROGRESS)
    keyed = {**PROGRESS, "command_id": "form-1"}
    first = app.execute(keyed)  # the same command, in force: nothing new, and its key now names it
    assert (first.already_recorded, first.position) == (True, unkeyed.position)
    with pytest.raises(CommandIdReused, match="already used for a different command"):
        app.execute({**PROGRESS, "note": "Something else", "command_id": "form-1"})
    app.execute(command("retract", ref="R1", position=unkeyed.position, reason="typed twice"))
    reopened = Scrutiny(app.url, clock=clock)  # the host's form posted again, after a restart
    assert reopened.execute(keyed) == first
    assert [e.event for e in app.audit()].count("ProgressReported") == 1


def test_a_batch_of_keyed_commands_keeps_each_key_with_its_own_position(app: Scrutiny, clock: FixedClock) -> None:
    record(app)
    batch = [{**PROGRESS, "note": f"Update {n}", "command_id": f"minutes-2024-04-11/{n}"} for n in range(1, 4)]
    first = app.execute_many(batch)
    assert len({r.position for r in first}) == 3
    reopened = Scrutiny(app.url, clock=clock)  # another process, after a restart
    again = reopened.execute_many(batch)
    assert again == [r._replace(already_recorded=True) for r in first]
    assert [e.event for e in app.audit()].count("ProgressReported") == 3


def test_writers_sending_one_command_id_at_once_record_it_once(db_url: str) -> None:
    record(Scrutiny(db_url, clock=FixedClock()))
    results: list[Any] = []

    def send(n: int) -> None:
        app = Scrutiny(db_url, clock=FixedClock())
        results.append(app.execute({**PROGRESS, "command_id": "the-same", "actor": CLERK}))
        app.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.already_recorded for r in results) == [False, True, True, True]
    assert len({r.position for r in results}) == 1
    assert [e.event for e in Scrutiny(db_url).audit()].count("ProgressReported") == 1


def test_tracker_rows_say_who_is_awaited_what_is_overdue_and_what_the_board_did(app: Scrutiny) -> None:
    record(app)
    app.execute(command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Agreed",
                        responded_on="2024-03-01", responded_by="Cabinet"))  # fmt: skip
    app.execute(command("escalate", ref="R1", action="Call in the cabinet member", decided_on="2024-05-09"))
    app.execute(command("revise_target_date", ref="R1", target_date="2024-12-31", reason="Delay", decided_by="Cabinet",
                        decided_on="2024-05-09"))  # fmt: skip
    (row,) = app.tracker(as_of=date(2024, 5, 10))
    assert (row.status, row.response, row.awaiting) == ("awaiting_response", "accepted", ["Director of Housing"])
    assert (row.overdue, row.escalated_on) == (["response"], date(2024, 5, 9))
    assert (row.original_target_date, row.target_date, row.target_date_revisions) == (
        date(2024, 9, 30), date(2024, 12, 31), 1,
    )  # fmt: skip
    (live,) = app.tracker()
    assert live.overdue == ["response"]  # today, 2 Dec 2024
    (late,) = app.overdue(as_of=date(2024, 5, 10))
    assert (late.item, late.text, late.original_due) == ("Fishing Policy", row.text, date(2024, 4, 19))


def test_the_item_card_shows_every_fact_in_its_own_words(app: Scrutiny) -> None:
    record(app)
    app.execute(PROGRESS)
    app.execute(command("correct", ref="R1", field="progress.note", value="Sites found in 3 parks", reason="Typo",
                        position=position_of(app, "ProgressReported")))  # fmt: skip
    app.execute(command("close", ref="R1", outcome="implemented", decided_on="2024-06-01", note="All three open"))
    card = app.item("BCSB", "R1")
    assert [(r.event, r.status, r.text) for r in card] == [
        ("Made", "in force", "That the Cabinet adopts a fishing policy for council lakes."),
        ("Referred", "in force", None),
        ("Referred", "in force", None),
        ("ProgressReported", "corrected", "Sites found"),
        ("Corrected", "in force", "Typo"),
        ("Closed", "in force", "All three open"),
    ]
    assert [r.effective_on for r in card] == sorted(r.effective_on for r in card)


def test_the_item_card_on_the_command_line(db_url: str) -> None:
    record(Scrutiny(db_url, clock=FixedClock()))
    card = json.loads(run("item", "--body", "BCSB", "--ref", "R1", "--format", "json", db=db_url).stdout)
    assert [row["event"] for row in card] == ["Made", "Referred", "Referred"]
    assert set(card[0]) == {"body", "ref", "position", "event", "effective_on", "recorded_at", "actor", "decided_by",
                            "summary", "text", "status"}  # fmt: skip
    assert (
        run("item", "--body", "BCSB", db=db_url).stderr == "scrutiny-es: item shows one item: give --body and --ref\n"
    )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            '{"command": "report_progress", "note": "two\nlines"}',
            "a raw newline inside a JSON string at column 44: write it as \\n",
        ),
        ("{“command”: “register_body”}", "curly quotes (“) at column 2: JSON needs straight double quotes"),
        (json.dumps({**PROGRESS, "reported_on": "2024–04–11"}), "reported_on: '2024–04–11' is written with dashes"),
    ],
)
def test_the_mistakes_of_word_and_windows_are_named(db_url: str, line: str, said: str) -> None:
    result = run("apply", "-", db=db_url, stdin=line + "\n")
    assert result.returncode == 1 and said in result.stderr, result.stderr


def test_a_csv_file_is_pointed_to_import(tmp_path: Path, db_url: str) -> None:
    file = tmp_path / "tracker.csv"
    file.write_text(
        "Date,Item,Recommendation/Action,Responsible Person,Notes\n23 FEB 23,Trees,Checkpoint reports,Matt,\n"
    )
    result = run("apply", str(file), db=db_url)
    assert result.returncode == 1
    assert "looks like a CSV file" in result.stderr and "scrutiny-es import FILE --body CODE" in result.stderr


def test_lines_without_an_actor_take_the_one_given(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = jsonl(*({k: v for k, v in c.items() if k != "actor"} for c in (register(), make())))
    given = run("apply", "--actor-id", "d1", "--actor-name", "Dem Services", "--actor-role", "clerk", "-", db=db_url,
                stdin=lines)  # fmt: skip
    assert given.returncode == 0, given.stderr
    from_env = run("apply", "-", db=db_url, stdin=jsonl({k: v for k, v in PROGRESS.items() if k != "actor"}),
                   env={"SCRUTINY_ACTOR": json.dumps({"id": "Director of Housing", "name": "Director of Housing", "role": "officer"})})  # fmt: skip
    assert from_env.returncode == 0, from_env.stderr
    assert [e.actor for e in Scrutiny(db_url).audit()] == ["Dem Services (clerk)"] * 2 + [
        "Director of Housing (officer)"
    ]
