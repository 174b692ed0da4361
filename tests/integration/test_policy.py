"""Who may record what: the built-in policy, a deployment's own, and what a refused command leaves (nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.domain.policy import NotPermitted
from tests.conftest import CLERK, FixedClock, command, make, register
from tests.e2e.cli import jsonl, run

PUBLIC = {"id": "p1", "name": "A Resident", "role": "member of the public"}
DIRECTOR = {"id": "Director of Housing", "name": "Sam Patel", "role": "Officer "}  # as a host might spell it


def item(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make())
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))


def test_a_member_of_the_public_may_record_nothing(app: Scrutiny) -> None:
    attempts = [
        register("XSB", actor=PUBLIC),
        make("R2", actor=PUBLIC),
        command("refer", ref="R1", addressee="Director of Housing", received_on="2024-02-20", actor=PUBLIC),
        command("record_response", ref="R1", addressee="Cabinet", decision="rejected", text="No",
                responded_on="2024-03-01", responded_by="Cabinet", actor=PUBLIC),
        command("revise_target_date", ref="R1", target_date="2024-12-01", reason="r", decided_by="Cabinet",
                decided_on="2024-03-01", actor=PUBLIC),
        command("report_progress", ref="R1", note="n", reported_on="2024-03-01", reported_by="x", actor=PUBLIC),
        command("close", ref="R1", outcome="implemented", decided_on="2024-03-01", actor=PUBLIC),
        command("correct", ref="R1", field="text", value="Other", reason="r", actor=PUBLIC),
    ]  # fmt: skip
    item(app)
    before = app.audit()
    for attempt in attempts:
        with pytest.raises(NotPermitted, match=r"A Resident \(member of the public\) may not "):
            app.execute(attempt)
    assert app.audit() == before


def test_an_officer_records_progress_and_their_own_response_only_on_items_naming_them(app: Scrutiny) -> None:
    item(app)
    app.execute(command("report_progress", ref="R1", note="Begun", reported_on="2024-03-01",
                        reported_by="Director of Housing", actor=DIRECTOR))  # fmt: skip
    app.execute(command("record_response", ref="R1", addressee="Director of Housing", decision="accepted",
                        text="Agreed", responded_on="2024-03-01", responded_by="Director of Housing", actor=DIRECTOR))  # fmt: skip
    with pytest.raises(NotPermitted, match="may not record a response for Cabinet"):
        app.execute(command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Yes",
                            responded_on="2024-03-01", responded_by="Cabinet", actor=DIRECTOR))  # fmt: skip
    with pytest.raises(NotPermitted, match=r"Sam Patel \(Officer \) may not close"):
        app.execute(command("close", ref="R1", outcome="implemented", decided_on="2024-03-02", actor=DIRECTOR))
    app.execute(make("R2", addressees=[{"name": "Cabinet", "kind": "executive"}]))
    with pytest.raises(NotPermitted, match="on an item that does not name them"):
        app.execute(command("report_progress", ref="R2", note="n", reported_on="2024-03-01", reported_by="x",
                            actor=DIRECTOR))  # fmt: skip
    assert [e.actor for e in app.audit(ref="R1")][-2:] == ["Sam Patel (Officer )"] * 2


POLICY = """
[roles."Scrutiny Officer"]
may = ["*"]

[roles.auditor]
may = ["report_progress"]
"""


def test_a_deployments_policy_replaces_the_built_in_one(db_url: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    app = Scrutiny(db_url, clock=FixedClock(), policy=policy)
    item(app)
    auditor = {"id": "a1", "name": "Audit", "role": "AUDITOR"}
    app.execute(
        command("report_progress", ref="R1", note="n", reported_on="2024-03-01", reported_by="x", actor=auditor)
    )
    with pytest.raises(NotPermitted):
        app.execute(command("reaffirm", ref="R1", decided_on="2024-03-01", actor=auditor))
    with pytest.raises(NotPermitted, match=r"Jo Clerk \(clerk\) may not register_body"):
        app.execute(register("X2", actor={**CLERK, "role": "clerk"}))


def test_a_policy_file_saved_with_a_byte_order_mark_is_read(db_url: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_bytes(b"\xef\xbb\xbf" + POLICY.encode())
    app = Scrutiny(db_url, clock=FixedClock(), policy=policy)
    item(app)
    auditor = {"id": "a1", "name": "Audit", "role": "auditor"}
    with pytest.raises(NotPermitted):
        app.execute(command("reaffirm", ref="R1", decided_on="2024-03-01", actor=auditor))


def test_the_command_line_names_the_refused_line_and_reads_a_policy_file(db_url: str, tmp_path: Path) -> None:
    refused = run("apply", "-", db=db_url, stdin=jsonl(register(), make(actor=PUBLIC)))
    assert refused.returncode == 1
    assert refused.stderr == "line 2: A Resident (member of the public) may not make_recommendation\n"
    policy = tmp_path / "policy.toml"
    policy.write_text('[roles."member of the public"]\nmay = ["make_recommendation"]\n')
    allowed = run("--policy", str(policy), "apply", "-", db=db_url, stdin=jsonl(make(actor=PUBLIC)))
    assert allowed.returncode == 0, allowed.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[roles.x]\nmay = 3\n")
    said = run("tracker", db=db_url, env={"SCRUTINY_POLICY": str(broken)})
    assert said.returncode == 1 and "needs may = " in said.stderr


def test_an_officer_named_cabinet_may_not_record_cabinets_response(app: Scrutiny) -> None:
    item(app)
    impostor = {"id": "d1", "name": "Cabinet", "role": "officer"}
    with pytest.raises(NotPermitted, match=r"Cabinet \(officer\) may not record_response on an item that does not"):
        app.execute(command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Yes",
                            responded_on="2024-03-01", responded_by="Cabinet", actor=impostor))  # fmt: skip
    assert [e.event for e in app.audit(ref="R1")][-1] != "ResponseRecorded"


def test_a_policy_says_which_addressees_an_actor_answers_for_by_their_id(db_url: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[roles."scrutiny officer"]\nmay = ["*"]\n[roles.officer]\nmay = ["record_response", "report_progress"]\nown_items = true\n'
        '[addressees]\n"u-42" = ["Cabinet"]\n'
    )
    app = Scrutiny(db_url, clock=FixedClock(), policy=policy)
    item(app)
    leader = {"id": "u-42", "name": "Cllr Jo Bloggs", "role": "officer"}
    app.execute(command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Agreed",
                        responded_on="2024-03-01", responded_by="Cabinet", actor=leader))  # fmt: skip
    with pytest.raises(NotPermitted, match="may not record a response for Director of Housing"):
        app.execute(command("record_response", ref="R1", addressee="Director of Housing", decision="accepted",
                            text="Agreed", responded_on="2024-03-01", responded_by="x", actor=leader))  # fmt: skip
    app.close()


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            '[roles."Scrutiny Officer"]\nmay = ["*"]\n[roles."scrutiny  officer "]\nmay = []\n',
            '[roles."Scrutiny Officer"] and [roles."scrutiny  officer "] are the same role (role names are compared '
            "ignoring case and spacing): give it one section",
        ),
        (
            '[roles.officer]\nmay = ["report_progres", "record_response"]\n',
            "[roles.\"officer\"] may 'report_progres', which is not a command; the commands are: add_addressee, cancel_meeting,",
        ),
        ("[roles.x]\nmay = [" + "[" * 50_000 + "]" * 50_000 + "]\n", "nests its arrays or tables too deeply"),
        ('[roles.x]\nmay = []\n[addressees]\nu1 = "Cabinet"\n', "[addressees] lists the addressees each actor"),
    ],
)
def test_a_policy_file_that_cannot_mean_one_thing_is_refused_naming_what_is_wrong(
    tmp_path: Path, written: str, said: str
) -> None:
    from scrutiny_es import ScrutinyError
    from scrutiny_es.adapters.policyfile import load_policy

    policy = tmp_path / "policy.toml"
    policy.write_text(written)
    with pytest.raises(ScrutinyError) as refused:
        load_policy(policy)
    assert said in str(refused.value), str(refused.value)


def test_a_hosts_policy_object_keys_its_roles_as_they_are_compared() -> None:
    from scrutiny_es import Policy, Role, ScrutinyError

    policy = Policy({" Scrutiny  Officer": Role(frozenset({"*"}))})
    assert policy.check("Jo", "scrutiny officer", "close") == Role(frozenset({"*"}))
    with pytest.raises(ScrutinyError, match="names a role twice"):
        Policy({"Clerk": Role(frozenset({"*"})), "clerk ": Role(frozenset())})


def test_a_role_that_may_not_record_learns_nothing_of_what_exists(app: Scrutiny) -> None:
    app.execute(register())
    recorded = app.execute(make() | {"command_id": "minutes-2024-02-15/1"})
    member = CLERK | {"role": "member"}
    said = set()
    for sent in (
        make() | {"actor": member, "command_id": "minutes-2024-02-15/1"},  # a key recorded
        make() | {"actor": member, "command_id": "never-used"},
        command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20") | {"actor": member},  # exists
        command("refer", ref="R9", addressee="Cabinet", received_on="2024-02-20") | {"actor": member},  # does not
        command("refer", body="NOPE", ref="R1", addressee="Cabinet", received_on="2024-02-20") | {"actor": member},
    ):
        with pytest.raises(NotPermitted) as refused:
            app.execute(sent)
        said.add(str(refused.value).replace(sent["command"], "COMMAND"))
    assert said == {"Jo Clerk (member) may not COMMAND"}  # the same words, whatever exists
    assert [e.position for e in app.audit()] == [1, recorded.position]
