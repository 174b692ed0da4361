"""Bad input never breaks the record: each mistake is one sentence naming the line and the field, and writes nothing."""

from __future__ import annotations

import json

import pytest

from scrutiny_es import Scrutiny
from tests import parts
from tests.conftest import command, make, register
from tests.e2e.cli import jsonl, run


def events(db: str) -> int:
    app = Scrutiny(db, catch_up=False)
    try:
        return parts.read_models_of(app).log.count()
    finally:
        app.close()


def apply(db: str, text: str | bytes) -> tuple[int, str, str]:
    result = run("apply", "-", db=db, stdin=text)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def recorded(db_url: str) -> str:
    code, _, err = apply(db_url, jsonl(register(), make()))
    assert code == 0, err
    return db_url


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (command("refer", ref="R1", addressee="Cabinet", received_on="9999-12-20"), "received_on: must be between"),
        (make("R2", meeting_date="0001-01-01"), "meeting_date: must be between 1900-01-01 and 2199-12-31"),
        (command("correct", ref="R1", field="meeting_date", value="9999-11-15", reason="typo"), "must be between"),
        (make("R\u00002"), "ref: must not contain a NUL character"),
        (make("R2", minute="12/\u000024"), "minute: must not contain a NUL character"),
        (make("R2", actor={"id": "c", "name": "Jo\u0000", "role": "c"}), "actor.name: must not contain a NUL"),
        (make("R2", text="Red \u001b[31malert"), "text: must not contain control characters (U+001B"),
        (make("R2", item="x" * 20_001), "item: must be at most 20,000 characters, not 20,001"),
        (make("R" * 201), "ref: must be at most 200 characters"),
        (make("R2", addressees=[{"name": f"Officer {n}", "kind": "officer"} for n in range(101)]), "at most 100"),
        (command("x" * 100_000), "is not a command"),
    ],
)
def test_a_bad_value_is_a_sentence_naming_the_field_and_writes_nothing(
    recorded: str, bad: object, message: str
) -> None:
    before = events(recorded)
    code, out, err = apply(recorded, jsonl(bad))  # type: ignore[arg-type]
    assert code == 1
    assert err.startswith("line 1: ") and message in err, err
    assert len(err) < 500  # a megabyte typed by mistake is not echoed back
    assert out == "applied 0 commands from standard input; 1 rejected, stopped at the first\n"
    assert events(recorded) == before


def test_a_text_of_twenty_thousand_characters_and_a_ref_of_two_hundred_are_accepted(recorded: str) -> None:
    code, _, err = apply(recorded, jsonl(make("R" * 200, text="x" * 20_000)))
    assert code == 0, err
    (row,) = [r for r in Scrutiny(recorded).tracker() if r.ref.startswith("RR")]
    assert (len(row.ref), len(row.text)) == (200, 20_000)


def test_json_nested_a_hundred_thousand_deep_is_refused_without_exhausting_the_stack(recorded: str) -> None:
    code, _, err = apply(recorded, "[" * 100_000 + "]" * 100_000 + "\n")
    assert code == 1
    assert err == "line 1: JSON nests 100000 levels deep; a command needs no more than 20\n"


def test_a_key_given_twice_is_refused_rather_than_the_last_one_winning(recorded: str) -> None:
    line = json.dumps(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    code, _, err = apply(recorded, line[:-1] + ', "received_on": "2024-03-20"}\n')
    assert code == 1
    assert err == "line 1: received_on: is given more than once in the same object\n"


def test_a_line_over_a_megabyte_is_one_bad_line_and_the_next_is_read(recorded: str) -> None:
    huge = json.dumps(make("R2", text="x" * 2_000_000))
    result = run("apply", "--keep-going", "-", db=recorded, stdin=jsonl(huge, make("R3")))
    assert result.returncode == 1
    assert result.stderr == "line 1: longer than the 1,000,000 bytes a command may take\n"
    assert result.stdout == "applied 1 command from standard input; 1 rejected\n"


def test_a_byte_that_is_not_utf8_names_its_line_and_column(recorded: str) -> None:
    code, _, err = apply(recorded, b"\xff{}\n")
    assert (code, err) == (1, "line 1: not UTF-8 text (byte 0xFF at column 1)\n")


def test_a_bad_byte_at_line_101_stops_there_and_says_what_was_recorded_before_it(db_url: str) -> None:
    lines = [register()] + [make(f"R{n}") for n in range(1, 100)]
    text = jsonl(*lines).encode() + b'{"command": "refer", "ref": "caf\xe9"}\n' + jsonl(make("R100")).encode()
    code, out, err = apply(db_url, text)
    assert code == 1
    assert err == "line 101: not UTF-8 text (byte 0xE9 at column 33)\n"
    assert out.startswith("applied 100 commands from ") and out.endswith("1 rejected, stopped at the first\n")
    assert events(db_url) == 100


def test_a_utf8_byte_order_mark_is_accepted(db_url: str) -> None:
    code, _, err = apply(db_url, b"\xef\xbb\xbf" + jsonl(register()).encode())
    assert code == 0, err


def test_the_byte_order_mark_of_a_file_joined_on_is_accepted_too(db_url: str) -> None:
    joined = b"\xef\xbb\xbf" + jsonl(register()).encode() + b"\xef\xbb\xbf" + jsonl(make()).encode()
    code, out, err = apply(db_url, joined)
    assert (code, out) == (0, "applied 2 commands from standard input\n"), err


def test_two_hundred_thousand_addressees_are_refused_by_the_limit_not_compared_in_pairs() -> None:
    from scrutiny_es.domain.commands import parse_command
    from scrutiny_es.domain.errors import InvalidCommand

    many = make(addressees=[{"name": f"Officer {n}", "kind": "officer"} for n in range(200_000)])
    with pytest.raises(InvalidCommand) as refused:
        parse_command(many)
    assert refused.value.problems == [("addressees", "must have at most 100 entries, not 200,000")]


def test_a_host_passing_json_text_hears_what_apply_says_of_it(recorded: str) -> None:
    from scrutiny_es import InvalidCommand

    line = json.dumps(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app = Scrutiny(recorded)
    try:
        with pytest.raises(InvalidCommand) as refused:
            app.execute(line[:-1] + ', "received_on": "2024-03-20"}')
        assert refused.value.problems == [("received_on", "is given more than once in the same object")]
        with pytest.raises(InvalidCommand) as curly:
            app.execute("{“command”: “refer”}")
        assert curly.value.problems[0][1].startswith("curly quotes (“) at column 2")
    finally:
        app.close()
    assert events(recorded) == 2


def test_a_line_of_ninety_thousand_unknown_keys_prints_ten_problems_and_a_count(recorded: str) -> None:
    data = {
        **command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"),
        **{f"k{n}": 0 for n in range(90_000)},
    }
    code, _, err = apply(recorded, json.dumps(data, separators=(",", ":")) + "\n")
    assert code == 1
    assert err.splitlines()[0] == "line 1: k0: is not a field of this command"
    assert err.splitlines()[-1] == "line 1: and 89,990 more problems"
    assert len(err.splitlines()) == 11


def test_odd_values_through_the_api_are_refused_as_invalid_commands_and_write_nothing(recorded: str) -> None:
    from scrutiny_es import InvalidCommand

    deep: list[object] = []
    for _ in range(1000):
        deep = [deep]
    app = Scrutiny(recorded)
    try:
        for bad, field in [
            (register("B2", deadlines={"executive": "2 months\ud800"}), "deadlines.executive"),
            (make("R2", text=10**5000), "text"),
            (make("R2", addressees=deep), "addressees[0]"),
            (make("R2", item="Parks\ud83d"), "item"),
        ]:
            with pytest.raises(InvalidCommand) as refused:
                app.execute(bad)
            assert refused.value.problems[0][0] == field
    finally:
        app.close()
    assert events(recorded) == 2


def test_lines_ending_in_a_carriage_return_alone_are_read_one_command_a_line(db_url: str) -> None:
    text = jsonl(register(), make("R1"), make("R2")).replace("\n", "\r").encode() + b"\xff{}\r"
    code, out, err = apply(db_url, text)
    assert code == 1
    assert err == "line 4: not UTF-8 text (byte 0xFF at column 1)\n"
    assert out == "applied 3 commands from standard input; 1 rejected, stopped at the first\n"
    assert events(db_url) == 3


def test_a_number_of_five_thousand_digits_is_refused_by_its_field_when_the_actor_is_given_apart(
    recorded: str,
) -> None:
    line = json.dumps({k: v for k, v in make("R2").items() if k != "actor"})
    line = line.replace('"item": "Fishing Policy"', '"item": ' + "9" * 5_000)
    clerk = ["--actor-id", "c", "--actor-name", "Jo", "--actor-role", "clerk"]
    result = run("apply", "-", *clerk, db=recorded, stdin=line + "\n")
    assert result.returncode == 1
    assert result.stderr == "line 1: item: Input should be a valid string, not a number of about 4,999 digits\n"
    assert events(recorded) == 2


def test_an_item_called_actor_is_given_the_actor_of_the_command_line(recorded: str) -> None:
    line = json.dumps({k: v for k, v in make("R2", item="actor").items() if k != "actor"})
    clerk = ["--actor-id", "c", "--actor-name", "Jo", "--actor-role", "clerk"]
    result = run("apply", "-", *clerk, db=recorded, stdin=line + "\n")
    assert result.returncode == 0, result.stderr
    assert [row.item for row in Scrutiny(recorded).tracker() if row.ref == "R2"] == ["actor"]
