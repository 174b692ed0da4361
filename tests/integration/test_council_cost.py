"""One council's rebuild and tracker cost what its own events cost, not what the database holds: with many
councils in one PostgreSQL database (a schema each), counted in rows PostgreSQL read, not in seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, fresh_postgres_database, make, register

OTHERS_ITEMS = 300


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    with fresh_postgres_database(postgres_server) as url:
        yield url


def rows_read(url: str) -> dict[str, int]:
    """Rows read (by scans and index fetches) from each schema's tables since the database was made."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    time.sleep(0.2)  # a closed connection's counts reach the statistics as its server process ends
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        found = conn.execute(
            text(
                "SELECT schemaname, sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)) "
                "FROM pg_stat_user_tables GROUP BY schemaname"
            )
        ).tuples()
        counts = {schema: int(count) for schema, count in found}
    engine.dispose()
    return counts


def council_with_items(url: str, schema: str, items: int) -> int:
    """Records a council of ``items`` items; how many events it holds."""
    record = Scrutiny(f"{url}?schema={schema}", clock=FixedClock())
    record.execute(register("HASC"))
    record.execute_many([make(f"R{n}", body="HASC") for n in range(items)])
    record.close()
    return 1 + items


def test_a_councils_rebuild_and_tracker_read_nothing_of_another_councils_events(database: str) -> None:
    council_with_items(database, "camden", 5)
    council_with_items(database, "haringey", OTHERS_ITEMS)
    before = rows_read(database)

    camden = Scrutiny(f"{database}?schema=camden", clock=FixedClock())
    camden.rebuild()
    assert len(camden.tracker()) == 5
    assert len(camden.overdue()) == 0
    camden.close()
    after = rows_read(database)

    assert after.get("haringey", 0) == before.get("haringey", 0)
    camden_read = after["camden"] - before.get("camden", 0)
    assert 0 < camden_read < OTHERS_ITEMS  # its own six events and rows, a few times over: not the database's

    haringey = Scrutiny(f"{database}?schema=haringey", clock=FixedClock())  # the counts do count: its own rebuild
    haringey.rebuild()
    haringey.close()
    assert rows_read(database)["haringey"] - after["haringey"] >= OTHERS_ITEMS
    assert rows_read(database)["camden"] == after["camden"]
