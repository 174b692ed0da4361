"""The seal shows any change to history: stored events changed, removed, put in or reordered after they were sealed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.sql.schema import SEAL_BLOCK
from scrutiny_es.adapters.store.eventstore import LogDamaged
from scrutiny_es.projections.seal import ZERO, seal
from tests import parts
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run


@pytest.fixture
def sealed(db_url: str) -> Iterator[Scrutiny]:
    """Eight events, sealed: a body, an item, two referrals, two responses, a progress report, a closure."""
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    for who in ("Cabinet", "Director of Housing"):
        app.execute(command("refer", ref="R1", addressee=who, received_on="2024-02-20"))
    for who, verdict in (("Cabinet", "accepted"), ("Director of Housing", "noted")):
        app.execute(command("record_response", ref="R1", addressee=who, decision=verdict, text="Yes",
                            responded_on="2024-03-01", responded_by=who))  # fmt: skip
    app.execute(command("report_progress", ref="R1", note="n", reported_on="2024-03-14", reported_by="x"))
    app.execute(command("close", ref="R1", outcome="implemented", decided_on="2024-04-11"))
    assert app.verify().ok
    yield app
    app.close()


def sql(app: Scrutiny, statement: str, **values: Any) -> list[Any]:
    postgres = parts.read_models_of(app).engine.dialect.name == "postgresql"
    statement = statement.replace("ID", "notification_id" if postgres else "rowid")
    statement = statement.replace("scrutiny_events", parts.store_of(app).recorder.events_table_name)
    with parts.read_models_of(app).engine.begin() as conn:
        result = conn.execute(text(statement), values)
        return list(result) if result.returns_rows else []


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
