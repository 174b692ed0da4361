"""Fuzzing the edge: whatever arrives, the result is a recorded command or one ScrutinyError, and a rejected
command changes nothing. ``make test`` runs a few dozen examples of each; ``make fuzz`` runs thousands."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrutiny_es import Scrutiny, ScrutinyError
from scrutiny_es.__main__ import main
from tests import parts
from tests.conftest import CLERK, FixedClock, command, make, register

EXAMPLES = int(os.environ.get("SCRUTINY_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID: list[dict[str, Any]] = [
    register("FZ"),
    make("R1", body="FZ", target_date="2024-09-30"),
    command("refer", "FZ", ref="R1", addressee="Cabinet", received_on="2024-02-20"),
    command(
        "record_response",
        "FZ",
        ref="R1",
        addressee="Cabinet",
        decision="accepted",
        text="Agreed.",
        responded_on="2024-03-01",
        responded_by="Cabinet",
    ),
    command(
        "report_progress",
        "FZ",
        ref="R1",
        note="Started.",
        reported_on="2024-03-14",
        reported_by="Director",
        rag="amber",
    ),
    command(
        "revise_target_date",
        "FZ",
        ref="R1",
        target_date="2024-12-31",
        reason="Late data",
        decided_by="Cabinet",
        decided_on="2024-03-14",
    ),
    command("defer", "FZ", ref="R1", until=None, reason="Awaiting report", decided_on="2024-03-14"),
    command("reaffirm", "FZ", ref="R1", decided_on="2024-03-15", note="As made."),
    command("escalate", "FZ", ref="R1", action="Call in the cabinet member", decided_on="2024-03-15"),
    command("correct", "FZ", ref="R1", field="text", value="Corrected text.", reason="Typo"),
    command("close", "FZ", ref="R1", outcome="implemented", decided_on="2024-04-01"),
    command("reopen", "FZ", ref="R1", reason="Not done after all", decided_on="2024-04-02"),
]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\u0000", "R\u00001", "\x1b[31m", "\u202e", "9999-12-20", "2024-02-30", "0001-01-01", " ", "x" * 20_001, "'--",
     "2 months\ud800", "\udfff", "Parks\ud83d"]
)  # fmt: skip


def nested(depth: int) -> list[Any]:
    """A list nested ``depth`` deep, as a host's bug might pass one."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


ODD = st.sampled_from([10**5000, -(10**400), 2**63, 1e308, float("inf")]) | st.builds(nested, st.integers(100, 1000))


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid command, changed a little: a field dropped, replaced, added, or given awkward text."""
    data: dict[str, Any] = json.loads(json.dumps(draw(st.sampled_from(VALID))))
    key = draw(st.sampled_from(sorted(data)))
    change = draw(st.sampled_from(["drop", "json", "text", "extra", "actor", "odd", "deadline"]))
    if change == "drop":
        del data[key]
    elif change == "json":
        data[key] = draw(JSON)
    elif change == "text":
        data[key] = draw(TEXT)
    elif change == "odd":
        data[key] = draw(ODD)
    elif change == "deadline":
        data["deadlines"] = {draw(st.sampled_from(["executive", "nhs", "officer"])): draw(TEXT | ODD)}
    elif change == "extra":
        data[draw(st.text(max_size=12))] = draw(JSON)
    else:
        data["actor"] = {**CLERK, draw(st.sampled_from(["id", "name", "role"])): draw(TEXT)}
    return data


def snapshot(app: Scrutiny) -> tuple[Any, ...]:
    return (
        parts.read_models_of(app).log.count(),
        app.tracker(),
        app.overdue(as_of=date(2024, 6, 1)),
        parts.read_models_of(app).overdue(date(2024, 6, 1)),
        app.audit(),
    )


@pytest.fixture
def fuzzed(db_url: str) -> Iterator[Scrutiny]:
    app = Scrutiny(db_url, clock=FixedClock(datetime(2026, 12, 1, tzinfo=UTC)))
    for valid in VALID[:5]:
        app.execute(valid)
    yield app
    app.close()


def execute_or_refuse(app: Scrutiny, data: Any) -> None:
    before = snapshot(app)
    try:
        app.execute(data)
    except ScrutinyError:
        assert snapshot(app) == before  # a rejected command writes nothing, and every read model still answers
    else:
        snapshot(app)


@FUZZ
@given(data=mutated())
def test_a_mutated_command_is_recorded_or_refused_with_a_scrutiny_error(fuzzed: Scrutiny, data: Any) -> None:
    execute_or_refuse(fuzzed, data)


@FUZZ
@given(data=JSON)
def test_arbitrary_json_is_refused_with_a_scrutiny_error(fuzzed: Scrutiny, data: Any) -> None:
    execute_or_refuse(fuzzed, json.dumps(data))


@FUZZ
@given(data=st.binary(max_size=200) | st.builds(lambda valid, noise: json.dumps(valid).encode()[: len(noise)] + noise,
                                                 st.sampled_from(VALID), st.binary(max_size=60)))  # fmt: skip
def test_apply_of_arbitrary_bytes_says_what_is_wrong_and_never_fails_with_a_traceback(
    fuzzed: Scrutiny, data: bytes, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "commands.jsonl"
    path.write_bytes(data)
    before = snapshot(fuzzed)
    capsys.readouterr()
    code = main(["--db", fuzzed.url, "apply", "--keep-going", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert all(line.startswith(("line ", "scrutiny-es: ")) for line in err.splitlines()), err
    assert "unexpected" not in err and "Traceback" not in err
    if code == 1 and out.startswith("applied 0 commands"):
        assert snapshot(fuzzed) == before


def test_the_fuzz_corpus_of_valid_commands_is_valid(tmp_path: Path) -> None:
    app = Scrutiny(f"sqlite:///{tmp_path / 'valid.db'}", clock=FixedClock(datetime(2026, 12, 1, tzinfo=UTC)))
    for valid in VALID:
        app.execute(valid)
    assert app.tracker()[0].status == "responded"


def test_a_text_corrected_to_words_that_only_look_like_a_date_reads_in_the_audit_trail(tmp_path: Path) -> None:
    app = Scrutiny(f"sqlite:///{tmp_path / 'date.db'}", clock=FixedClock(datetime(2026, 12, 1, tzinfo=UTC)))
    for valid in [*VALID[:2], command("correct", "FZ", ref="R1", field="text", value="2024-02-30", reason="Typo")]:
        app.execute(valid)
    assert app.audit()[-1].summary.endswith("to “2024-02-30”: Typo")
    app.close()
