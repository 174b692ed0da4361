"""Only a person can reset the seal: a rebuild never seals a changed log unasked, verify never rebuilds, and every
way of changing the stored events or the seal itself is reported, never a crash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.errors import EventUnreadable, InvalidCommand, NotPermitted, SealBroken
from tests.conftest import FixedClock
from tests.e2e.cli import run
from tests.integration.tampering import TAMPERING, postgres, sealed_record, sql

CLERK = {"id": "u7", "name": "Ann Clerk", "role": "clerk"}
AS_CLERK = ("--actor-id", "u7", "--actor-name", "Ann Clerk", "--actor-role", "clerk")
REASON = "Restored from the backup of 3 May after a disk fault"


@pytest.fixture
def sealed(db_url: str) -> Iterator[Scrutiny]:
    app = sealed_record(db_url)
    yield app
    app.close()


def generations(app: Scrutiny) -> list[tuple[str, int]]:
    return [tuple(row) for row in sql(app, "SELECT name, generation FROM projection ORDER BY name")]


@pytest.mark.parametrize("kind", TAMPERING)
def test_a_rebuild_refuses_to_seal_a_changed_log_and_verify_still_names_the_change(sealed: Scrutiny, kind: str) -> None:
    faults = TAMPERING[kind](sealed)
    before = generations(sealed)

    rebuilt = run("projections", "rebuild", "--quiet", db=sealed.url)
    assert rebuilt.returncode == 3, rebuilt.stderr
    said = rebuilt.stderr.splitlines()[0]
    assert any(said.startswith(f"scrutiny-es: the log no longer matches its seal: {f}. ") for f in faults), said
    assert '--reseal --reason "..."' in said
    assert generations(sealed) == before  # nothing rebuilt: not the audit trail, not the tracker

    with pytest.raises(SealBroken) as refused:
        Scrutiny(sealed.url, catch_up=False).rebuild(["seal"])
    assert refused.value.fault in faults

    verified = run("verify", db=sealed.url)
    assert (verified.returncode, verified.stdout.splitlines()[0] in faults) == (3, True), verified.stderr
    assert generations(sealed) == before


@pytest.mark.parametrize("kind", TAMPERING)
def test_a_person_resets_the_seal_saying_why_and_the_reset_is_an_entry_the_new_seal_holds(
    sealed: Scrutiny, kind: str
) -> None:
    faults = TAMPERING[kind](sealed)
    assert not sealed.verify().ok  # the seal caught up (events recorded since are sealed on the old chain)
    published = sealed_digest_at_end(sealed)
    later = Scrutiny(sealed.url, clock=FixedClock(datetime(2024, 12, 9, 14, 5, tzinfo=UTC)), catch_up=False)
    later.rebuild(["seal"], reseal_reason=REASON, actor=CLERK)

    found = later.verify()
    assert found.ok, found.fault
    later.catch_up(["audit"])
    reset = later.audit()[-1]
    assert (reset.event, reset.actor) == ("Reset", "Ann Clerk (clerk)")
    assert reset.recorded_at == datetime(2024, 12, 9, 14, 5, tzinfo=UTC)
    assert any(f"reset the seal after finding {f}: {REASON}" in reset.summary for f in faults), reset.summary
    assert f"with the digest {published}" in reset.summary

    if kind == "changed" or (kind == "edited_as_text" and not postgres(sealed)):
        with pytest.raises(EventUnreadable, match="not as this library wrote it"):  # the reports cannot be built
            later.rebuild()
    else:
        later.rebuild()  # the reports as the log now stands: the reset takes its position
        before_the_first = 1 if kind == "put_in" else 0  # sealed, but before the place every report reads from
        assert later.audit()[-1].position == found.events - before_the_first
    again = run("projections", "rebuild", "seal", "--quiet", db=sealed.url)  # a routine rebuild now passes
    assert again.returncode == 0, again.stderr
    assert run("verify", db=sealed.url).returncode == 0
    later.close()


def sealed_digest_at_end(app: Scrutiny) -> str:
    """The digest the seal holds at its last position (what the reset keeps of the old seal)."""
    return str(sql(app, "SELECT digests FROM seal_1 ORDER BY first_position DESC")[0][0][-32:].hex())


def test_the_command_line_resets_the_seal_naming_who_and_why_and_every_read_model_is_rebuilt(
    sealed: Scrutiny,
) -> None:
    TAMPERING["forged"](sealed)
    without_who = run("projections", "rebuild", "--reseal", "--reason", REASON, db=sealed.url)
    assert without_who.returncode == 2
    assert "--actor-id, --actor-name and --actor-role" in without_who.stderr
    without_why = run("projections", "rebuild", "--reseal", *AS_CLERK, db=sealed.url)
    assert without_why.returncode == 2

    reset = run("projections", "rebuild", "--quiet", "--reseal", "--reason", REASON, *AS_CLERK, db=sealed.url)
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout == "reset the seal after finding position 5: changed\n"
    verified = run("verify", db=sealed.url)
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.startswith("verified 9 events; position 9 digest ")
    audit = run("audit", "--format", "json", db=sealed.url)
    assert '"event": "Reset"' in audit.stdout
    assert '"decision": "rejected"' not in audit.stdout  # the forged response is in the record as it now stands
    tracker = run("tracker", "--format", "json", db=sealed.url)
    assert '"response": "mixed"' in tracker.stdout or '"response": "rejected"' in tracker.stdout


def test_a_reset_needs_a_reason_and_a_role_that_may_record_everything(sealed: Scrutiny) -> None:
    TAMPERING["changed"](sealed)
    with pytest.raises(InvalidCommand, match="reason"):
        sealed.rebuild(["seal"], reseal_reason="  ", actor=CLERK)
    with pytest.raises(NotPermitted, match=r"Val \(viewer\) may not reseal"):
        sealed.rebuild(["seal"], reseal_reason=REASON, actor={"id": "v", "name": "Val", "role": "viewer"})
    with pytest.raises(InvalidCommand, match="actor"):
        sealed.rebuild(["seal"], reseal_reason=REASON, actor={"id": "", "name": "Val", "role": "clerk"})
    assert sealed.verify().fault == "position 5: changed"  # nothing recorded, nothing rebuilt


def test_a_reset_on_an_untouched_log_records_nothing(sealed: Scrutiny) -> None:
    reset = run("projections", "rebuild", "seal", "--reseal", "--reason", REASON, *AS_CLERK, db=sealed.url)
    assert (reset.returncode, reset.stdout) == (0, "the log matches its seal: not reset\nrebuilt seal\n")
    assert sealed.verify().events == 8
