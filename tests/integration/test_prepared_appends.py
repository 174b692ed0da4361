"""PostgreSQL's store runs its append statements prepared, and keeps recording whatever becomes of what a
connection prepared: a transaction rolled back in its first pipeline, statements the server dropped behind
the driver's back, a connection killed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from scrutiny_es import Scrutiny
from scrutiny_es.domain.model import recommendation_id
from tests.conftest import FixedClock, command, fresh_postgres_database, make, register
from tests.parts import store_of


@pytest.fixture
def url(postgres_server: str) -> Iterator[str]:
    with fresh_postgres_database(postgres_server) as made:
        yield made


def prepared(app: Scrutiny) -> list[str]:
    """The statements the server holds prepared on the store's connections (a pool of one, or two once one was
    replaced: handed out in turn)."""
    held = []
    for _ in range(2):
        with store_of(app).recorder.datastore.get_connection() as connection:
            held += [row["statement"] for row in connection.execute("SELECT statement FROM pg_prepared_statements")]
    return held


def connection_of(app: Scrutiny) -> Any:
    with store_of(app).recorder.datastore.get_connection() as connection:
        return connection


def progress(n: int) -> dict[str, Any]:
    return command("report_progress", ref="R1", note=f"step {n}", reported_on=f"2024-03-{n:02d}", reported_by="Officer")


def test_the_append_statements_are_prepared_on_the_store_s_connection(url: str) -> None:
    app = Scrutiny(url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    held = prepared(app)
    assert any("scrutiny_log_length" in statement for statement in held)
    assert any(statement.lstrip().startswith("INSERT INTO") and "scrutiny_events" in statement for statement in held)
    app.close()


@pytest.mark.parametrize("clash", ["key", "version"])
def test_commands_are_recorded_after_a_clash_rolled_back_the_first_pipeline_of_a_connection(
    url: str, clash: str
) -> None:
    first = Scrutiny(url, clock=FixedClock())
    first.execute(register())
    first.execute({**make("R1"), "command_id": "made-R1"})
    second = Scrutiny(url, clock=FixedClock())  # a connection of its own, nothing prepared on it yet
    recorder = store_of(second).recorder
    (made,) = recorder.select_events(recommendation_id("BCSB", "R1"))
    if clash == "key":  # refused by the store's own statement: eventsourcing's insert after it never runs
        again, keyed = replace(made, originator_id=uuid4()), [("made-R1", "0" * 64, 0, "Made")]
    else:  # refused by eventsourcing's insert, the last statement
        again, keyed = made, []
    with pytest.raises(IntegrityError):
        recorder.insert_events([again], commands=keyed)
    receipts = [second.execute(progress(n)) for n in range(1, 8)]  # the same connection, its statements by name
    assert [r.position for r in receipts] == list(range(3, 10))
    assert [e.event for e in Scrutiny(url, clock=FixedClock()).audit()][-7:] == ["ProgressReported"] * 7
    first.close()
    second.close()


def test_statements_the_server_dropped_behind_the_driver_s_back_are_prepared_again_on_a_new_connection(
    url: str,
) -> None:
    app = Scrutiny(url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(progress(1))
    before = connection_of(app)
    with store_of(app).recorder.datastore.get_connection() as connection:
        connection.pgconn.exec_(b"DEALLOCATE ALL")  # psycopg still takes them as prepared
    assert prepared(app) == []
    receipt = app.execute(progress(2))
    assert receipt.position == 4
    assert connection_of(app) is not before
    assert app.execute(progress(3)).position == 5
    assert any("scrutiny_log_length" in statement for statement in prepared(app))
    app.close()


def test_commands_are_recorded_and_their_statements_prepared_again_after_the_connection_is_killed(url: str) -> None:
    app = Scrutiny(url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(progress(1))
    with store_of(app).recorder.datastore.get_connection() as connection:
        (pid,) = connection.execute("SELECT pg_backend_pid()").fetchone().values()
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert [app.execute(progress(n)).position for n in (2, 3, 4)] == [4, 5, 6]
    assert any("scrutiny_log_length" in statement for statement in prepared(app))
    app.close()
