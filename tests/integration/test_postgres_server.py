"""The throwaway PostgreSQL server the tests start for themselves: it takes writes, and they are shared."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.postgres_server import throwaway_postgres


def plain(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_postgres(tmp_path_factory.mktemp("postgres")) as url:
        yield plain(url)


def test_a_table_takes_rows_and_gives_them_back(server_url: str) -> None:
    with psycopg.connect(server_url) as conn:
        conn.execute("CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)")
        conn.execute("INSERT INTO notes (text) VALUES (%s), (%s)", ("first", "second – ünïcode"))
        rows = conn.execute("SELECT id, text FROM notes ORDER BY id").fetchall()
    assert rows == [(1, "first"), (2, "second – ünïcode")]


def test_two_connections_see_each_others_committed_writes(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as one, psycopg.connect(server_url, autocommit=True) as two:
        one.execute("CREATE TABLE shared (n int)")
        one.execute("INSERT INTO shared VALUES (1)")
        assert two.execute("SELECT n FROM shared").fetchall() == [(1,)]
        two.execute("INSERT INTO shared VALUES (2)")
        assert one.execute("SELECT n FROM shared ORDER BY n").fetchall() == [(1,), (2,)]


def test_two_servers_run_at_once_and_stop_on_exit(tmp_path_factory: pytest.TempPathFactory) -> None:
    with (
        throwaway_postgres(tmp_path_factory.mktemp("first")) as first,
        throwaway_postgres(tmp_path_factory.mktemp("second")) as second,
    ):
        assert first != second
        for url in (first, second):
            with psycopg.connect(plain(url)) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(plain(first), connect_timeout=2)
