"""The seal shows any change to history: stored events changed, removed, put in or reordered after they were sealed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.sql.schema import SEAL_BLOCK
from scrutiny_es.adapters.store.eventstore import LogDamaged
from scrutiny_es.projections.seal import ZERO, seal
from tests import parts
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run
from tests.integration.tampering import postgres, sealed_record, sql


@pytest.fixture
def sealed(db_url: str) -> Iterator[Scrutiny]:
    app = sealed_record(db_url)
    yield app
    app.close()


def test_an_untouched_log_verifies_and_gives_the_digest_of_its_last_position(sealed: Scrutiny) -> None:
    found = sealed.verify()
    rows = parts.store_of(sealed).log.stored(0, 100)
    digests = [ZERO]
    for row in rows:
        digests.append(seal(digests[-1], row))
    assert (found.events, found.position, found.digest, found.fault) == (8, 8, digests[8].hex(), None)
    assert sealed.verify(at=3, digest=digests[3].hex()).ok


def test_a_changed_event_is_named_by_its_position(sealed: Scrutiny) -> None:
    sql(
        sealed, "UPDATE scrutiny_events SET state = :state WHERE ID = 5", state=json.dumps({"x": 1}).encode()
    )  # fmt: skip  (the first response, rewritten)
    assert sealed.verify().fault == "position 5: changed"


def test_a_response_forged_by_changing_its_decision_is_caught(sealed: Scrutiny) -> None:
    (state,) = sql(sealed, "SELECT state FROM scrutiny_events WHERE ID = 5")[0]
    forged = bytes(state).replace(b'"accepted"', b'"rejected"')
    sql(sealed, "UPDATE scrutiny_events SET state = :state WHERE ID = 5", state=forged)
    assert sealed.verify().fault == "position 5: changed"
    result = run("verify", db=sealed.url)
    assert result.returncode == 3
    assert result.stdout.splitlines()[0] == "position 5: changed"


def test_a_removed_event_is_missing_and_its_item_refuses_to_be_written(sealed: Scrutiny) -> None:
    sql(sealed, "DELETE FROM scrutiny_events WHERE ID = 4")
    assert sealed.verify().fault == "position 4: missing"
    reopened = Scrutiny(sealed.url)
    with pytest.raises(LogDamaged, match="not in sequence"):
        reopened.execute(command("reopen", ref="R1", reason="r", decided_on="2024-05-01"))


def test_an_event_put_in_before_the_others_is_not_sealed(sealed: Scrutiny) -> None:
    (row,) = sql(sealed, "SELECT originator_id, topic, state FROM scrutiny_events WHERE ID = 7")
    sql(sealed, "INSERT INTO scrutiny_events (ID, originator_id, originator_version, topic, state) "
                "VALUES (0, :who, 99, :topic, :state)", who=row[0], topic=row[1], state=row[2])  # fmt: skip
    assert sealed.verify().fault == "position 1: not sealed"


def test_two_events_swapped_are_caught(sealed: Scrutiny) -> None:
    (five,), (six,) = sql(sealed, "SELECT state FROM scrutiny_events WHERE ID IN (5, 6) ORDER BY ID")
    sql(sealed, "UPDATE scrutiny_events SET state = :state WHERE ID = 5", state=six)
    sql(sealed, "UPDATE scrutiny_events SET state = :state WHERE ID = 6", state=five)
    assert sealed.verify().fault == "position 5: changed"


def test_the_last_event_removed_and_a_new_command_recorded_is_caught(sealed: Scrutiny) -> None:
    sql(sealed, "DELETE FROM scrutiny_events WHERE ID = 8")
    Scrutiny(sealed.url, clock=FixedClock()).execute(register("XSB"))  # another writer, where the closure was
    fault = sealed.verify().fault
    assert fault in ("position 8: changed", "position 8: missing")  # SQLite takes the row's place again; PostgreSQL not


def test_a_digest_published_earlier_is_checked(sealed: Scrutiny) -> None:
    published = sealed.verify()
    sealed.execute(command("reopen", ref="R1", reason="Not done", decided_on="2024-05-01"))
    assert sealed.verify(at=published.position, digest=published.digest).ok
    wrong = sealed.verify(at=published.position, digest="ab" * 32)
    assert wrong.fault == f"position 8: its digest is {published.digest}, not the one published"
    result = run("verify", "--at", "8", "--digest", "ab" * 32, db=sealed.url)
    assert result.returncode == 3
    ok = run("verify", "--at", "8", "--digest", published.digest, db=sealed.url)
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[-1].startswith("verified 9 events; position 9 digest ")


def test_a_long_log_caught_up_in_batches_of_every_size_is_sealed_as_the_chain_says(db_url: str) -> None:
    """The seal's table holds a row for every SEAL_BLOCK positions, filled as catch-ups come: each position
    is read back with its own digest, from any position, in a later process and after a rebuild."""
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    made = 1
    for size in (1, 98, 1, 1, 150, 7, 99, 100):  # catch-ups end just before, at and after a row's end
        app.execute_many([make(f"R{made + n}") for n in range(size)])
        made += size
        parts.read_models_of(app).catch_up(["seal"])
    rows = parts.store_of(app).log.stored(0, 1000)
    digests = [ZERO]
    for row in rows:
        digests.append(seal(digests[-1], row))
    expected = [(position, row[0], digests[position]) for position, row in enumerate(rows, start=1)]
    assert len(expected) == made == SEAL_BLOCK * 4 + 58
    assert [tuple(s) for s in parts.read_models_of(app).sealed(0, 1000)] == expected
    for after, limit in ((0, 1), (99, 1), (99, 2), (100, 100), (150, 250), (457, 5), (458, 5)):
        assert [tuple(s) for s in parts.read_models_of(app).sealed(after, limit)] == expected[after : after + limit]
    app.rebuild(["seal"])
    again = Scrutiny(db_url, catch_up=False)
    assert [tuple(s) for s in parts.read_models_of(again).sealed(0, 1000)] == expected
    assert again.verify().digest == digests[-1].hex()
    again.close()
    app.close()


def test_a_changed_layout_row_is_reported_by_verify_which_rebuilds_nothing(sealed: Scrutiny) -> None:
    generations = sql(sealed, "SELECT name, generation FROM projection ORDER BY name")
    sql(sealed, "UPDATE projection_layout SET layout = 1 WHERE name = 'seal'")
    fault = "the seal's own rows were changed: its layout row says 1, but the seal is kept in layout 2"

    verified = run("verify", db=sealed.url)
    assert (verified.returncode, verified.stdout) == (3, fault + "\n")
    assert run("tracker", db=sealed.url).returncode == 0  # the other read models go on
    rebuilt = run("projections", "rebuild", "seal", db=sealed.url)
    assert (
        rebuilt.returncode,
        rebuilt.stderr.startswith(f"scrutiny-es: the log no longer matches its seal: {fault}."),
    ) == (3, True)
    assert sql(sealed, "SELECT name, generation FROM projection ORDER BY name") == generations
    assert sql(sealed, "SELECT layout FROM projection_layout WHERE name = 'seal'") == [(1,)]

    sql(sealed, "DELETE FROM projection WHERE name = 'seal'")  # its position row
    assert run("verify", db=sealed.url).stdout == fault.replace("says 1", "says 0") + "\n"
    sql(sealed, "DELETE FROM projection_layout WHERE name = 'seal'")  # and its layout row
    assert Scrutiny(sealed.url).verify().fault == fault.replace("says 1", "says None")

    reset = run("projections", "rebuild", "seal", "--quiet", "--reseal", "--reason", "Layout row lost in a restore",
                "--actor-id", "u7", "--actor-name", "Ann Clerk", "--actor-role", "clerk", db=sealed.url)  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert run("verify", db=sealed.url).returncode == 0
    assert sql(sealed, "SELECT layout FROM projection_layout WHERE name = 'seal'") == [(2,)]


STORED_FORMS = {
    "sqlite": {
        "text": "state = CAST(state AS TEXT)",
        "text edited": "state = replace(state, 'Yes', 'No')",
        "blob of another encoding": "state = :latin",
        "text of another encoding": "state = CAST(:latin AS TEXT)",
        "a number": "state = 12",
        "null in every column": "originator_id = NULL, originator_version = NULL, topic = NULL, state = NULL",
        "an id of the wrong length, a version as text": "originator_id = 'x', originator_version = '4'",
    },
    "postgresql": {
        "bytes of another encoding": "state = :latin",
        "no bytes": "state = ''::bytea",
        "text functions": "state = convert_to(replace(convert_from(state, 'UTF8'), 'Yes', 'No'), 'UTF8')",
        "another topic": "topic = 'scrutiny_es.nowhere:Nothing'",
    },
}
"""What an attacker may leave in an event's columns: SQLite takes a value of any type in any column."""


def test_every_stored_form_of_an_event_is_reported_as_changed_never_a_crash(sealed: Scrutiny) -> None:
    columns = "originator_id, originator_version, topic, state"
    original = sql(sealed, f"SELECT {columns} FROM scrutiny_events WHERE ID = 5")[0]  # noqa: S608
    (state,) = sql(sealed, "SELECT state FROM scrutiny_events WHERE ID = 5")[0]
    latin = bytes(state).decode().replace("Yes", "Oui, été").encode("latin-1")
    for form, assignment in STORED_FORMS["postgresql" if postgres(sealed) else "sqlite"].items():
        sql(sealed, f"UPDATE scrutiny_events SET {assignment} WHERE ID = 5", latin=latin)  # noqa: S608
        verified = run("verify", db=sealed.url)
        assert (verified.returncode, verified.stdout.splitlines()[:1]) == (3, ["position 5: changed"]), form
        rebuilt = run("projections", "rebuild", "seal", db=sealed.url)
        assert (rebuilt.returncode, "position 5: changed" in rebuilt.stderr) == (3, True), (form, rebuilt.stderr)
        item = run("item", "--body", "BCSB", "--ref", "R1", db=sealed.url)
        assert item.returncode in (0, 1), (form, item.stderr)  # a sentence, never a fault of the library (70)
        restore = dict(zip(("i", "v", "t", "s"), original, strict=True))
        sql(sealed, "UPDATE scrutiny_events SET originator_id = :i, originator_version = :v, topic = :t, state = :s "
                    "WHERE ID = 5", **restore)  # fmt: skip
        assert sealed.verify().ok, form


def test_a_seal_row_changed_out_of_shape_is_a_changed_position(sealed: Scrutiny) -> None:
    sql(sealed, "UPDATE seal_1 SET digests = :short", short=b"\0" * 31)
    verified = run("verify", db=sealed.url)
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (3, "position 1: changed"), verified.stderr

    later = Scrutiny(sealed.url, clock=FixedClock())
    later.execute(command("reopen", ref="R1", reason="Not done", decided_on="2024-05-01"))
    assert [row.status for row in later.tracker()] == ["responded"]  # reopened: the other read models go on
    assert later.verify().fault == "position 1: changed (the seal's own row)"
    assert run("verify", db=sealed.url).stdout.splitlines() == ["position 1: changed (the seal's own row)"]
    later.close()


def test_a_digest_asked_about_counts_the_events_checked_up_to_its_position(sealed: Scrutiny) -> None:
    at_five = sealed.verify(at=5, digest="00" * 32)
    assert at_five.fault is not None and at_five.fault.startswith("position 5: its digest is ")
    assert (at_five.events, at_five.position, at_five.at) == (5, 5, 5)
    result = run("verify", "--at", "5", "--digest", "00" * 32, db=sealed.url)
    assert result.returncode == 3
    assert result.stdout.splitlines()[1] == f"verified 5 events up to it; position 5 digest {at_five.at_digest}"

    good = run("verify", "--at", "5", "--digest", str(at_five.at_digest), db=sealed.url)
    assert good.stdout.splitlines() == [
        "position 5 has the digest published",
        f"verified 8 events; position 8 digest {sealed.verify().digest}",
    ]

    sql(sealed, "UPDATE scrutiny_events SET state = :state WHERE ID = 3", state=b"{}")
    changed_before = run("verify", "--at", "5", "--digest", str(at_five.at_digest), db=sealed.url)
    assert changed_before.stdout.splitlines()[:1] == ["position 3: changed"]
    assert changed_before.stdout.splitlines()[1].startswith("verified 2 events before it; position 2 digest ")
