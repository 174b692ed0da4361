"""Many councils in one PostgreSQL database, a schema each: the same body code, and never each other's records."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import UnsupportedDatabase, council_schema, event_store_env, postgres_url
from scrutiny_es.domain.errors import RecommendationNotFound
from tests import parts
from tests.conftest import FixedClock, command, fresh_postgres_database, make, register
from tests.e2e.cli import jsonl, run


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    with fresh_postgres_database(postgres_server) as url:
        yield url


def council(url: str, schema: str) -> str:
    return f"{url}?schema={schema}"


def test_two_councils_keep_the_same_body_code_apart(database: str) -> None:
    haringey = Scrutiny(council(database, "haringey"), clock=FixedClock())
    camden = Scrutiny(council(database, "camden"), clock=FixedClock())
    haringey.execute(register("HASC", name="Adults and Health Scrutiny Panel", council="Haringey"))
    camden.execute(register("HASC", name="Health and Adult Social Care Scrutiny", council="Camden"))
    haringey.execute(make("R1", body="HASC", item="Day opportunities"))
    haringey.execute(command("refer", body="HASC", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    camden.execute(make("R7", body="HASC", item="Hospital discharge"))

    assert [(row.ref, row.item) for row in haringey.tracker()] == [("R1", "Day opportunities")]
    assert [(row.ref, row.item) for row in camden.tracker(body="HASC")] == [("R7", "Hospital discharge")]
    assert [entry.event for entry in haringey.audit()] == ["Registered", "Made", "Referred"]
    assert [(entry.position, entry.event) for entry in camden.audit()] == [(1, "Registered"), (2, "Made")]
    assert haringey.body("HASC").council == "Haringey"
    with pytest.raises(RecommendationNotFound):
        camden.recommendation("HASC", "R1")
    assert haringey.overdue(as_of=date(2024, 5, 1))[0].ref == "R1"
    assert camden.overdue(as_of=date(2024, 5, 1)) == []
    assert (haringey.verify().events, camden.verify().events) == (3, 2)
    assert haringey.verify().ok
    assert camden.verify().ok
    assert haringey.verify().digest != camden.verify().digest
    haringey.close()
    camden.close()

    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        tables = set(
            conn.execute(
                text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'scrutiny_events'")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert tables == {"haringey", "camden"}, "each council's events are in its own schema, none in public"


def test_a_council_given_to_the_command_line_reports_only_its_own_record(database: str) -> None:
    for name in ("haringey", "camden"):
        lines = jsonl(register("HASC", council=name.title()), make(f"{name.upper()}-1", body="HASC"))
        applied = run("apply", "-", db=council(database, name), stdin=lines)
        assert applied.returncode == 0, applied.stderr
        assert f"scrutiny-es: started the council schema {name}" in applied.stderr
    tracker = run("tracker", "--format", "json", db=council(database, "camden"))
    assert tracker.returncode == 0, tracker.stderr
    assert [row["ref"] for row in json.loads(tracker.stdout)] == ["CAMDEN-1"]
    verified = run("verify", db=council(database, "haringey"))
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip().splitlines()[-1].startswith("verified 2 events; position 2 digest ")


def test_a_host_session_on_a_councils_search_path_keeps_to_that_council(database: str) -> None:
    Scrutiny(council(database, "camden"), clock=FixedClock()).execute(register("HASC", council="Camden"))
    url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, connect_args={"options": "-c search_path=haringey"})
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA haringey"))
    session = scoped_session(sessionmaker(bind=engine))
    host = Scrutiny(session=session, clock=FixedClock())
    host.execute(register("HASC", council="Haringey"))
    host.execute(make("R1", body="HASC"))
    session.commit()
    assert host.body("HASC").council == "Haringey"
    assert [row.ref for row in host.tracker()] == ["R1"]
    session.remove()
    host.close()
    assert [row.ref for row in Scrutiny(council(database, "camden")).tracker()] == []
    assert [row.ref for row in Scrutiny(council(database, "haringey")).tracker()] == ["R1"]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///haringey.db?schema=haringey", "SQLite database takes no ?schema="),
        ("postgresql://localhost/scrutiny?schema=Haringey", "lower-case letters, digits and _"),
        ("postgresql://localhost/scrutiny?schema=pg_catalog", "not starting with a digit or pg_"),
        ("postgresql://localhost/scrutiny?schema=a;drop", "is not a council's schema name"),
    ],
)
def test_refuses_a_schema_it_cannot_keep_a_council_in(url: str, says: str) -> None:
    with pytest.raises(UnsupportedDatabase, match=says.replace("?", r"\?")):
        Scrutiny(url)


def test_the_command_line_refuses_a_schema_on_sqlite_and_creates_nothing(tmp_path: Path) -> None:
    path = f"{tmp_path}/haringey.db"
    done = run("apply", "-", db=f"sqlite:///{path}?schema=haringey", stdin=jsonl(register()))
    assert done.returncode == 1
    assert not done.created  # type: ignore[attr-defined]
    assert "a SQLite database takes no ?schema=" in done.stderr
    assert not Path(path).exists()


def test_migrate_store_moves_one_council_and_leaves_the_other_as_it_was(database: str) -> None:
    for name in ("haringey", "camden"):
        assert (
            run("apply", "-", db=council(database, name), stdin=jsonl(register("HASC"), make(body="HASC"))).returncode
            == 0
        )
    before = run("verify", db=council(database, "haringey")).stdout
    assert run("migrate-store", db=council(database, "haringey")).returncode == 0
    assert run("verify", db=council(database, "haringey")).stdout == before
    url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    session = scoped_session(sessionmaker(bind=create_engine(url, connect_args={"options": "-c search_path=haringey"})))
    host = Scrutiny(session=session, clock=FixedClock())
    follower = Scrutiny(council(database, "haringey"))
    assert parts.store_of(follower).recorder.channel_name == "haringey_scrutiny_events"

    def record_later() -> None:
        time.sleep(0.5)
        host.unit_of_work(lambda: host.execute(make("R2", body="HASC")))
        session.remove()

    writer = threading.Thread(target=record_later)
    writer.start()
    heard = list(islice(follower.follow(after=2, timeout=20), 1))  # woken by the council's own NOTIFY
    writer.join()
    follower.close()
    assert [(entry.position, entry.ref) for entry in heard] == [(3, "R2")]
    assert [row.ref for row in host.tracker()] == ["R1", "R2"]
    session.remove()
    host.close()
    assert [
        row["ref"] for row in json.loads(run("tracker", "--format", "json", db=council(database, "camden")).stdout)
    ] == ["R1"]
    camden = run("migrate-store", db=council(database, "camden"))
    assert camden.returncode == 0, camden.stderr


def test_a_report_on_a_council_not_yet_started_is_refused_and_starts_nothing(database: str) -> None:
    for report in ("tracker", "overdue", "audit", "verify", "migrate-store"):
        done = run(report, db=council(database, "hackney"))
        assert done.returncode == 2, (report, done.stderr)
        assert (
            done.stderr
            == "scrutiny-es: no council with the schema hackney in this database (give --db or set SCRUTINY_DB)\n"
        )
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = 'hackney'")).scalar_one() == 0
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "schema", "options"),
    [
        (
            "postgresql+psycopg://clerk@/scrutiny?host=/run/postgresql&schema=haringey",
            "haringey",
            "-c search_path=haringey",
        ),
        ("postgresql://clerk:pw@db:5433/scrutiny?schema=camden_2", "camden_2", "-c search_path=camden_2"),
        (
            "postgresql://clerk@db/scrutiny?options=-c%20statement_timeout%3D5000&schema=ealing",
            "ealing",
            "-c statement_timeout=5000 -c search_path=ealing",
        ),
        ("postgresql://clerk@db/scrutiny", None, None),
    ],
)
def test_the_schema_is_taken_out_of_the_url_and_given_to_every_connection(
    url: str, schema: str | None, options: str | None
) -> None:
    assert council_schema(url) == schema
    given = postgres_url(url)
    assert "schema" not in given.query
    assert given.query.get("options") == options
    assert event_store_env(url)["POSTGRES_SCHEMA"] == (schema or "")
