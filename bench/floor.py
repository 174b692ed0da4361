"""The least a rebuild's tracker process could take, measured in parts: what docs/performance.md cites.

    python bench/floor.py path/to/rebuilt.db

On a SQLite database whose projections are built (``make bench`` leaves none behind: build
one with ``bench.generate`` and ``projections rebuild``), it times in one run: reading and
decoding the log as a rebuild does; folding it into items' histories, nothing written; and
SQLite alone inserting the finished rows of each projection's tables into empty copies
(one ``INSERT ... SELECT``, all of it in C). A rebuild's ratio of 0.5 needs everything
but the reading to fit in the time of the reading.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

from scrutiny_es import Scrutiny  # noqa: E402
from scrutiny_es.adapters.sql.writers import Calendars, Histories, writers  # noqa: E402
from scrutiny_es.application.collector import collector_paused  # noqa: E402
from scrutiny_es.domain.history import ItemHistory  # noqa: E402
from scrutiny_es.projections.reports import READ_MODELS  # noqa: E402


class NothingStored:
    """Tables with nothing in them: a fold from the start reads nothing back."""

    def histories(self, keys: list[str]) -> dict[str, ItemHistory]:
        return {}

    def items_of(self, body: str) -> list[str]:
        return []

    def calendars(self) -> Calendars:
        return {}


def read_and_fold(url: str) -> tuple[float, float]:
    app = Scrutiny(url, catch_up=False)
    with collector_paused():
        started, position, batches = time.perf_counter(), 0, []
        while events := app._read_models.log.read(position, app._read_models.runner.BATCH):
            batches.append(events)
            position = events[-1][0]
        read = time.perf_counter() - started
        histories, after = Histories(), 0
        started = time.perf_counter()
        for n, events in enumerate(batches, 1):
            after = histories.fold(after, events, NothingStored()).to
            if n % (app._read_models.runner.CHECKPOINT // app._read_models.runner.BATCH) == 0:
                histories.trim()
        fold = time.perf_counter() - started
    app.close()
    return read, fold


def sqlite_inserts(path: str, name: str) -> tuple[int, float]:
    """Rows of one projection's current tables, and the seconds SQLite takes to insert them into empty copies."""
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "secure_delete=FAST", "cache_size=-32768"):
        db.execute(f"PRAGMA {pragma}")
    (generation,) = db.execute("SELECT generation FROM projection WHERE name = ?", (name,)).fetchone()
    rows, seconds = 0, 0.0
    for table in writers()[name].tables(generation):
        copy = f"floor_{table.name}"
        db.execute(f"DROP TABLE IF EXISTS {copy}")
        schema = db.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table.name,))
        for _, sql in sorted(schema.fetchall(), key=lambda found: found[0] != "table"):  # the table, then its indexes
            db.execute(sql.replace(table.name, copy))
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        rows += db.execute(f"INSERT INTO {copy} SELECT * FROM {table.name}").rowcount  # noqa: S608
        db.execute("COMMIT")
        seconds += time.perf_counter() - started
        db.execute(f"DROP TABLE {copy}")
    db.close()
    return rows, seconds


def main() -> int:
    path = sys.argv[1]
    read, fold = read_and_fold(f"sqlite:///{path}")
    print(f"reading and decoding the log: {read:.2f} s; folding it into histories: {fold:.2f} s")
    for name in READ_MODELS:
        rows, seconds = sqlite_inserts(path, name)
        print(f"SQLite inserting the {name} rows: {rows:,} rows, {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
