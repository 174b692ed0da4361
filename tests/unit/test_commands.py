"""Commands are checked for shape at the edge: every problem names the field and the rule."""

from __future__ import annotations

from typing import Any

import pytest

from scrutiny_es.domain.commands import MakeRecommendation, RegisterBody, parse_command
from scrutiny_es.domain.errors import InvalidCommand, ScrutinyError
from tests.conftest import command, make, register


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidCommand) as e:
        parse_command(data)
    assert isinstance(e.value, ScrutinyError)
    return e.value.problems


def test_reads_the_json_form_into_the_command_model() -> None:
    cmd = parse_command(make(target_date="2024-09-30", minute="12/24"))
    assert isinstance(cmd, MakeRecommendation)
    assert str(cmd.target_date) == "2024-09-30"
    assert [a.kind for a in cmd.addressees] == ["executive", "officer"]


def test_accepts_a_command_model_checked_again_as_an_equal_one() -> None:
    cmd = RegisterBody(actor={"id": "a", "name": "b", "role": "c"}, body="X", name="N", council="C")  # type: ignore[arg-type]
    assert parse_command(cmd) == cmd


def test_reads_local_deadline_periods_and_writes_them_the_same_way() -> None:
    cmd = parse_command(register(deadlines={"executive": "8 weeks", "nhs": None, "officer": "1 month"}))
    assert isinstance(cmd, RegisterBody)
    assert cmd.deadlines == {"executive": "8 weeks", "nhs": None, "officer": "1 month"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"actor": {}}, [("command", "is required; the commands are: add_addressee, cancel_meeting, close, correct")]),
        (command("vote"), [("command", "'vote' is not a command")]),
        (make(colour="red"), [("colour", "is not a field of this command")]),
        (make(kind="motion"), [("kind", "must be recommendation or action")]),
        (make(meeting_date="15/02/2024"), [("meeting_date", "must be a date written YYYY-MM-DD, not '15/02/2024'")]),
        (make(meeting_date="2024-02-30"), [("meeting_date", "'2024-02-30' is not a date in the calendar")]),
        (make(meeting_date="2024-02-15T10:00:00"), [("meeting_date", "must be a date written YYYY-MM-DD")]),
        (make(meeting_date=20240215), [("meeting_date", "must be a date written YYYY-MM-DD, not 20240215")]),
        (make(item="   "), [("item", "must not be blank")]),
        (make(ref=" R1"), [("ref", "must not start or end with spaces")]),
        (make(addressees={}), [("addressees", "Input should be a valid list")]),
        (make(addressees=[{"name": "Cabinet", "kind": "mayor"}]), [("addressees[0].kind", "must be executive, nhs")]),
        (make(addressees=[{"name": "Cabinet", "kind": "executive"}] * 2), [("", "Cabinet is named more than once")]),
        (
            command(
                "record_response",
                ref="R1",
                addressee="Cabinet",
                decision="maybe",
                text="t",
                responded_on="2024-03-01",
                responded_by="x",
            ),
            [("decision", "must be accepted, partially_accepted")],
        ),
        (
            command("report_progress", ref="R1", note="n", reported_on="2024-03-01", reported_by="x", rag="blue"),
            [("rag", "must be green, amber or red")],
        ),
        (command("close", ref="R1", outcome="done", decided_on="2024-03-01"), [("outcome", "must be implemented")]),
        (
            command("correct", ref="R1", field=[], value="v", reason="Typo"),
            [("field", "Input should be a valid string")],
        ),
        (command("defer", ref="R1", decided_on="2024-03-01", reason=""), [("reason", "must not be blank")]),
        (
            command("revise_target_date", ref="R1", target_date="2024-09-01", decided_by="x", decided_on="2024-03-01"),
            [("reason", "is required")],
        ),
        (register(deadlines={"executive": "two months"}), [("deadlines.executive", '"two months" is not a period')]),
        (register(deadlines={"mayor": "2 months"}), [("deadlines.mayor", "must be executive")]),
        (
            command("reopen", ref="R1", reason="r", decided_on="2024-03-01", actor={"id": "u", "name": ""}),
            [("actor.name", "must not be blank"), ("actor.role", "is required")],
        ),
    ],
)
def test_names_the_field_and_the_rule(data: Any, expected: list[tuple[str, str]]) -> None:
    found = problems(data)
    assert len(found) == len(expected), found
    for (field, reason), (want_field, want_reason) in zip(found, expected, strict=True):
        assert want_field in field
        assert want_reason in reason, reason


def test_json_text_with_curly_quotes_is_explained_by_the_public_parse_command() -> None:
    import scrutiny_es

    with pytest.raises(InvalidCommand) as refused:
        scrutiny_es.parse_command("{“command”: “register_body”}")
    assert refused.value.problems == [
        ("", 'curly quotes (“) at column 2: JSON needs straight double quotes (") around names and text')
    ]


def test_json_text_repeating_a_key_is_refused_by_the_public_parse_command() -> None:
    import json

    import scrutiny_es

    text = json.dumps(register())[:-1] + ', "name": "Again"}'
    with pytest.raises(InvalidCommand) as refused:
        scrutiny_es.parse_command(text)
    assert refused.value.problems == [("name", "is given more than once in the same object")]


def test_the_domain_reads_json_text_for_its_shape_alone_and_refuses_what_is_not_json() -> None:
    assert problems("{}") == [("command", problems({})[0][1])]
    with pytest.raises(InvalidCommand) as refused:
        parse_command("[1")
    ((field, reason),) = refused.value.problems
    assert (field, reason.startswith("not valid JSON: ")) == ("", True)
    assert problems('{"command": "vote"}') == problems(command("vote"))


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (make(text=10**5000), ("text", "Input should be a valid string, not a number of about 5,000 digits")),
        (make(actor={"id": 10**5000, "name": "x", "role": "clerk"}), ("actor.id", "not a number of about 5,000")),
        (command("retract", ref="R1", position=10**5000, reason="r"), ("position", "less than or equal to")),
        (register(deadlines={"executive": "2 months\ud800"}), ("deadlines.executive", "U+D800 at character 9 is half")),
        (
            make(text="Agreed\udfff."),
            ("text", "must be text: U+DFFF at character 7 is half of a pair, not a character"),
        ),
        (make(addressees=nested(1000)), ("addressees[0]", "not a list of 1 entry")),
        (make(text=nested(1000)), ("text", "Input should be a valid string, not a list of 1 entry")),
        ({**make(), "colour\x1b[31m": "red"}, ("colour\\x1b[31m", "is not a field of this command")),
    ],
)
def test_an_oversized_or_odd_value_is_refused_naming_its_field_not_with_a_crash(
    data: Any, expected: tuple[str, str]
) -> None:
    import json

    import scrutiny_es

    ((field, reason),) = problems(data)
    assert field == expected[0] and expected[1] in reason, (field, reason)
    try:
        text = json.dumps(data)
    except (ValueError, RecursionError):
        return  # Python will not write it as JSON text either
    with pytest.raises(InvalidCommand) as refused:
        scrutiny_es.parse_command(text)
    assert refused.value.problems[0][0] in (expected[0], ""), refused.value.problems


def test_json_text_with_an_integer_of_five_thousand_digits_names_the_field() -> None:
    import json

    import scrutiny_es

    text = json.dumps(make()).replace('"text": "', '"text": 1' + "0" * 5000 + ', "x": "', 1)
    with pytest.raises(InvalidCommand) as refused:
        scrutiny_es.parse_command(text)
    assert refused.value.problems[0] == ("text", "Input should be a valid string, not a number of about 5,000 digits")


def test_ninety_thousand_unknown_fields_give_ten_problems_and_a_count_of_the_rest() -> None:
    import json

    import scrutiny_es

    data = {**make(), **{f"k{n}": 0 for n in range(90_000)}}
    found = problems(data)
    assert len(found) == 11
    assert found[0] == ("k0", "is not a field of this command")
    assert found[-1] == ("", "and 89,990 more problems")
    with pytest.raises(InvalidCommand) as refused:
        scrutiny_es.parse_command(json.dumps(data, separators=(",", ":")))
    assert refused.value.problems[-1] == ("", "and 89,990 more problems")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (make(body=b"BCSB"), "body"),
        (make(ref=b"R1"), "ref"),
        (make(text=b"Report back."), "text"),
        (make(addressees=[{"name": b"Cabinet", "kind": "executive"}]), "addressees[0].name"),
        (make() | {"actor": {"id": b"u1", "name": "Jo Clerk", "role": "scrutiny officer"}}, "actor.id"),
        (make(command_id=b"form-1"), "command_id"),
        (register(deadlines={"officer": b"6 weeks"}), "deadlines.officer"),
        (command("correct", ref="R1", field="text", value=b"Report back soon.", reason="typo"), "value"),
    ],
)  # fmt: skip
def test_text_given_as_bytes_is_refused_naming_the_field_rather_than_decoded_on_the_quiet(
    data: Any, field: str
) -> None:
    assert [name for name, _ in problems(data)] == [field]


def test_a_command_a_host_builds_from_its_class_with_a_value_that_breaks_a_rule_is_refused_naming_each_field() -> None:
    from scrutiny_es import Actor, Addressee

    with pytest.raises(InvalidCommand) as raised:
        MakeRecommendation(  # type: ignore[call-arg]
            actor={"id": 5, "name": "Jo Clerk", "role": "scrutiny officer"}, body="BCSB", ref="R1\x00", kind="action",
            meeting_date="2024-02-15", text="Report back.", addressees=[{"name": "Cabinet", "kind": "executive"}],
        )  # fmt: skip
    assert [field for field, _ in raised.value.problems] == ["actor.id", "ref", "item"]
    with pytest.raises(InvalidCommand, match="kind: must be executive, nhs, partner, officer or other"):
        Addressee(name="Cabinet", kind="cabinet")  # type: ignore[arg-type]
    assert Actor(id="u1", name="Jo Clerk", role="scrutiny officer").id == "u1"
