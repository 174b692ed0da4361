"""Reports read from a PostgreSQL hot standby (DESIGN 6.6): commands go to the primary, reports to the standby,
and a host that must see its own write waits for the standby to hold it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import UnsupportedDatabase
from scrutiny_es.errors import StandbyBehind
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run
from tests.pgserver import server_folder, throwaway_standby


@pytest.fixture(scope="module")
def replicated() -> Iterator[tuple[str, str, str]]:
    with server_folder("scrutiny-standby-") as base, throwaway_standby(base) as urls:
        yield urls


def standby_replay(admin: str, *, paused: bool) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def test_reports_are_read_from_the_standby_once_it_holds_the_receipt(replicated: tuple[str, str, str]) -> None:
    primary, standby, _ = replicated
    record = Scrutiny(f"{primary}?schema=haringey", read_url=f"{standby}?schema=haringey", clock=FixedClock())
    record.execute(register("HASC", name="Adults and Health Scrutiny Panel", council="Haringey"))
    receipt = record.execute(make("R1", body="HASC", item="Day opportunities"))

    record.wait_for(receipt, timeout=30)

    assert [(row.ref, row.item) for row in record.tracker()] == [("R1", "Day opportunities")]
    assert [entry.event for entry in record.audit()] == ["Registered", "Made"]
    engine = create_engine(standby)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True
    engine.dispose()
    record.close()


def test_a_standby_that_falls_behind_is_named_with_its_lag_and_caught_up_after(
    replicated: tuple[str, str, str],
) -> None:
    primary, standby, admin = replicated
    record = Scrutiny(f"{primary}?schema=camden", read_url=f"{standby}?schema=camden", clock=FixedClock())
    record.wait_for(record.execute(register("HASC", name="Health Scrutiny", council="Camden")), timeout=30)
    standby_replay(admin, paused=True)
    try:
        receipt = record.execute(make("R7", body="HASC", item="Hospital discharge"))
        with pytest.raises(StandbyBehind) as behind:
            record.wait_for(receipt, timeout=0.5)
        said = str(behind.value)
        assert f"1 events behind position {receipt.position}" in said
        assert "bytes of WAL behind the primary" in said
        assert "its replay is paused" in said
        assert record.tracker() == []  # the standby shows what it has replayed, and no more
    finally:
        standby_replay(admin, paused=False)

    record.wait_for(receipt, timeout=30)

    assert [(row.ref, row.item) for row in record.tracker()] == [("R7", "Hospital discharge")]
    record.close()


def test_an_items_card_its_as_of_tracker_and_its_body_are_read_from_the_standby_too(
    replicated: tuple[str, str, str],
) -> None:
    primary, standby, admin = replicated
    record = Scrutiny(f"{primary}?schema=brent", read_url=f"{standby}?schema=brent", clock=FixedClock())
    record.execute(register("HASC", name="Health Scrutiny", council="Brent"))
    record.wait_for(record.execute(make("R1", body="HASC", item="Day opportunities")), timeout=30)
    standby_replay(admin, paused=True)
    try:
        receipt = record.execute(command("refer", "HASC", ref="R1", addressee="Cabinet", received_on="2024-03-01"))
        renamed = record.execute(command("rename_body", "HASC", name="Adults Scrutiny", **{"from": "2024-04-01"}))
        # What the standby has replayed, and no more: the primary holds the referral and the new name.
        assert dict(record.recommendation("HASC", "R1").referrals) == {}
        as_of = record.tracker(body="HASC", as_of=date(2024, 11, 1))
        assert [row.response_due for row in as_of] == [None]
        assert record.body("HASC").name == "Health Scrutiny"
        assert record.body_names(["HASC"])["HASC"].name_on(None) == "Health Scrutiny"
    finally:
        standby_replay(admin, paused=False)

    record.wait_for(receipt, timeout=30)
    assert list(record.recommendation("HASC", "R1").referrals) == ["Cabinet"]
    assert record.body("HASC").name_on(date(2024, 5, 1)) == "Adults Scrutiny"
    record.wait_for(renamed, timeout=30)
    named = record.body_names(["HASC"])["HASC"]  # from the standby's replayed read models
    assert (named.council, named.name_on(date(2024, 3, 31)), named.name_on(None)) == (
        "Brent", "Health Scrutiny", "Adults Scrutiny"
    )  # fmt: skip
    record.close()


def test_a_report_before_the_standby_holds_the_councils_tables_says_so(replicated: tuple[str, str, str]) -> None:
    primary, standby, admin = replicated
    standby_replay(admin, paused=True)
    try:
        record = Scrutiny(f"{primary}?schema=ealing", read_url=f"{standby}?schema=ealing", clock=FixedClock())
        receipt = record.execute(register("HASC", name="Health Scrutiny", council="Ealing"))
        with pytest.raises(StandbyBehind, match="does not yet hold the read models' tables"):
            record.tracker()
    finally:
        standby_replay(admin, paused=False)
    record.wait_for(receipt, timeout=30)
    assert [body.body for body in record.bodies()] == ["HASC"]
    assert record.tracker() == []
    record.close()


def test_a_report_on_the_command_line_reads_the_standby(replicated: tuple[str, str, str], tmp_path: Path) -> None:
    primary, standby, admin = replicated
    record = Scrutiny(f"{primary}?schema=brent", read_url=f"{standby}?schema=brent", clock=FixedClock())
    record.wait_for(record.execute(register("HASC", name="Health Scrutiny", council="Brent")), timeout=30)
    record.wait_for(record.execute(make("R2", body="HASC", item="Care homes")), timeout=30)
    standby_replay(admin, paused=True)
    try:
        record.execute(make("R3", body="HASC", item="Not yet on the standby"))
        shown = run("--read-db", f"{standby}?schema=brent", "tracker", db=f"{primary}?schema=brent")
    finally:
        standby_replay(admin, paused=False)
    assert shown.returncode == 0, shown.stderr
    assert "Care homes" in shown.stdout
    assert "Not yet on the standby" not in shown.stdout
    record.close()


def test_a_standby_is_read_only_for_a_postgresql_primary_in_the_same_schema(
    replicated: tuple[str, str, str], tmp_path: Path
) -> None:
    primary, standby, _ = replicated
    with pytest.raises(UnsupportedDatabase, match="same schema"):
        Scrutiny(f"{primary}?schema=haringey", read_url=f"{standby}?schema=camden")
    with pytest.raises(UnsupportedDatabase, match="hot standby of a PostgreSQL database only"):
        Scrutiny(f"sqlite:///{tmp_path / 'a.db'}", read_url=standby)
