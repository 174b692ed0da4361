"""The write side's own index of positions: kept by the append transaction, numbered as the audit trail numbers,
and filled in for databases written before it was kept (gaps in PostgreSQL's ids and all)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from sqlalchemy import String, bindparam, create_engine, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.store.commands import KEYS_LOOKUP
from scrutiny_es.application.ports import Recorded
from scrutiny_es.bootstrap import migrate_store
from scrutiny_es.domain.model import body_id, recommendation_id
from tests.conftest import FixedClock, command, fresh_postgres_database, make, register
from tests.parts import store_of

RELEASE_0_1_0 = sorted((Path(__file__).parent.parent / "fixtures").glob("scrutiny-0.1.0-*.db"))


def every_fact(app: Any) -> list[tuple[Any, int] | None]:
    store = store_of(app)
    return [store.fact_at(position) for position in range(1, len(app.audit()) + 2)]


def audit_facts(app: Any) -> list[tuple[Any, int] | None]:
    """What the audit trail's positions hold, worked out from the trail and each aggregate's events."""
    store = store_of(app)
    facts: list[tuple[Any, int] | None] = []
    seen: dict[Any, int] = {}
    for entry in app.audit():
        key = body_id(entry.body) if entry.ref is None else recommendation_id(entry.body, entry.ref)
        seen[key] = seen.get(key, 0) + 1
        facts.append((key, seen[key]))
        assert entry.position == len(facts)
        assert store.positions(key)[seen[key]] == entry.position
    return [*facts, None]


@pytest.mark.parametrize("fixture", RELEASE_0_1_0, ids=lambda path: path.stem)
@pytest.mark.parametrize("shared", [False, True], ids=["native", "moved to the shared store"])
def test_a_release_0_1_0_database_gets_the_positions_its_audit_trail_shows(
    fixture: Path, shared: bool, tmp_path: Path
) -> None:
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    url = f"sqlite:///{copy}"
    if shared:
        migrate_store(url)
    app = Scrutiny(url, clock=FixedClock())
    facts = every_fact(app)
    assert len(facts) > 40
    assert facts == audit_facts(app)
    receipt = app.execute(register("NEWB"))
    assert receipt.position == len(facts)
    assert store_of(app).fact_at(receipt.position) == (body_id("NEWB"), 1)
    app.close()


@pytest.mark.parametrize("shared", [False, True], ids=["native", "shared"])
def test_positions_never_kept_are_numbered_in_log_order_whatever_gaps_the_ids_have(db_url: str, shared: bool) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url))) if shared else None
    app = Scrutiny(db_url, clock=FixedClock(), session=session)
    app.execute(register())
    app.execute(make("R1"))
    if session is not None:
        session.commit()
    if db_url.startswith("postgresql"):  # ids a rolled-back append took: a gap in the log's ids
        column = "id" if shared else "notification_id"
        with create_engine(db_url).begin() as conn:
            conn.execute(text(f"SELECT nextval(pg_get_serial_sequence('scrutiny_events', '{column}'))"))
            conn.execute(text(f"SELECT nextval(pg_get_serial_sequence('scrutiny_events', '{column}'))"))
    app.execute(make("R2"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    if session is not None:
        session.commit()
    kept = every_fact(app)
    if session is not None:
        session.rollback()  # its reads hold the table
    app.close()
    with create_engine(db_url).begin() as conn:  # as a database written before the positions were kept
        conn.execute(text("DROP TABLE scrutiny_positions"))

    reopened = Scrutiny(db_url, clock=FixedClock(), session=session)
    assert every_fact(reopened) == kept == audit_facts(reopened)
    r1 = recommendation_id("BCSB", "R1")
    assert kept == [(body_id("BCSB"), 1), (r1, 1), (recommendation_id("BCSB", "R2"), 1), (r1, 2), None]
    assert reopened.execute(make("R3")).position == 5
    assert store_of(reopened).fact_at(5) == (recommendation_id("BCSB", "R3"), 1)
    if session is not None:
        session.commit()
        session.remove()
    reopened.close()


def test_a_host_transaction_names_its_own_uncommitted_events_by_position(db_url: str) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    app = Scrutiny(session=session, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    store = store_of(app)
    assert store.fact_at(2) == (recommendation_id("BCSB", "R1"), 1)
    assert store.positions(recommendation_id("BCSB", "R1")) == {1: 2}
    session.rollback()
    assert store.fact_at(2) is None
    assert store.positions(recommendation_id("BCSB", "R1")) == {}
    app.execute(register())
    session.commit()
    assert store.fact_at(1) == (body_id("BCSB"), 1)
    session.remove()
    app.close()


def test_writers_appending_at_once_each_get_their_own_positions_and_the_index_agrees_with_the_trail(
    db_url: str,
) -> None:
    Scrutiny(db_url, clock=FixedClock()).execute(register())
    writers = [Scrutiny(db_url, clock=FixedClock()) for _ in range(4)]
    receipts: list[int] = []

    def write(n: int) -> None:
        for i in range(8):
            receipts.append(writers[n].execute(make(f"W{n}-{i}")).position)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(receipts) == list(range(2, 34))
    assert every_fact(writers[0]) == audit_facts(writers[0])
    for writer in writers:
        writer.close()


def test_a_process_that_only_records_corrects_and_repeats_without_writing_a_read_model_row(db_url: str) -> None:
    writer = Scrutiny(db_url, clock=FixedClock(), catch_up=False)
    writer.execute(register())
    writer.execute(make())
    referred = writer.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    corrected = writer.execute(command("correct", ref="R1", field="referral.received_on", value="2024-02-21",
                                       addressee="Cabinet", position=referred.position, reason="typed wrong"))  # fmt: skip
    again = writer.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    progress = writer.execute(command("report_progress", ref="R1", note="Typed twice", reported_on="2024-03-01",
                                      reported_by="Director of Housing"))  # fmt: skip
    retracted = writer.execute(command("retract", ref="R1", position=progress.position, reason="typed twice"))
    assert again == referred._replace(already_recorded=True)  # answered by the store, not the audit trail
    assert [s.position for s in writer.projection_status()] == [0, 0, 0, 0]  # no read model was caught up
    reader = Scrutiny(db_url, clock=FixedClock())
    assert [e.event for e in reader.audit()][-3:] == ["Corrected", "ProgressReported", "Retracted"]
    assert retracted.position == progress.position + 1 == corrected.position + 2


def test_each_council_s_schema_keeps_its_own_positions(postgres_server: str) -> None:
    with fresh_postgres_database(postgres_server) as url:
        haringey = Scrutiny(f"{url}?schema=haringey", clock=FixedClock())
        camden = Scrutiny(f"{url}?schema=camden", clock=FixedClock())
        haringey.execute(register("HASC"))
        camden.execute(register("CASC"))
        camden.execute(make("R1", body="CASC"))
        assert store_of(haringey).fact_at(1) == (body_id("HASC"), 1)
        assert store_of(haringey).fact_at(2) is None
        assert store_of(camden).fact_at(2) == (recommendation_id("CASC", "R1"), 1)
        with create_engine(url).connect() as conn:
            kept = conn.execute(
                text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'scrutiny_positions'")
            ).scalars()
            assert sorted(kept) == ["camden", "haringey"]
        haringey.close()
        camden.close()


def test_a_batch_of_thousands_of_keyed_commands_is_planned_below_the_cost_that_sets_postgresql_compiling(
    postgres_server: str,
) -> None:
    # Compiling the append (PostgreSQL's JIT, past ``jit_above_cost``) took longer than running it.
    count = 5_000
    with fresh_postgres_database(postgres_server) as url:
        app = Scrutiny(url, clock=FixedClock())
        app.execute(register("BCSB"))
        recorder = store_of(app).recorder
        numbered = {
            "count": count, "unchanged": [body_id("BCSB")], "ids": [uuid4() for _ in range(count)],
            "versions": [1] * count, "times": list(range(count)), "keys": [f"key-{n}" for n in range(count)],
            "digests": ["0" * 64] * count, "last": list(range(1, count + 1)), "names": ["Made"] * count,
        }  # fmt: skip
        with psycopg.connect(url.replace("+psycopg", "")) as connection, connection.transaction(force_rollback=True):
            (plan,) = connection.execute(f"EXPLAIN (FORMAT JSON) {recorder._append_to_log}", numbered).fetchone()
            (limit,) = connection.execute("SELECT current_setting('jit_above_cost')::float").fetchone()
        assert plan[0]["Plan"]["Total Cost"] < limit / 10
        app.close()


def test_commands_keys_are_looked_up_in_their_index_however_many_and_however_few_the_keys_kept(
    postgres_server: str,
) -> None:
    # Asked for the keys as ``= ANY(array)``, PostgreSQL read the whole table until it held hundreds of thousands.
    with fresh_postgres_database(postgres_server) as url:
        Scrutiny(url, clock=FixedClock()).close()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO scrutiny_commands (command_id, digest, position, events) "
                    "SELECT 'kept-' || n, repeat('0', 64), n, 'Made' FROM generate_series(1, 20000) AS n"
                )
            )
            conn.execute(text("ANALYZE scrutiny_commands"))
        for keys in ([f"new-{n}" for n in range(1000)], ["kept-7"]):
            with engine.connect() as conn:
                explained = text(f"EXPLAIN {KEYS_LOOKUP.text}").bindparams(bindparam("keys", keys, ARRAY(String)))
                plan = "\n".join(conn.execute(explained).scalars())
                assert "Index Scan using scrutiny_commands_pkey" in plan
                assert "Seq Scan on scrutiny_commands" not in plan
        engine.dispose()
        app = Scrutiny(url, clock=FixedClock())
        assert store_of(app).recorded(["kept-7", "new-1"]) == {"kept-7": Recorded("0" * 64, 7, ("Made",))}
        app.close()
