"""Councils side by side: many councils in one PostgreSQL database, a schema each (``make bench-scale``).

Run by hand, not in CI: the full run loads 100 councils of about 10,000 events (a million events).
Each figure is a ratio measured in this one run, so a busy machine moves both sides alike:

- one council's rebuild with the others present, against the same council alone in a database of its own;
- one council's tracker page and meeting pack, the same way;
- appends from 8 councils at once (a process each, each in its own schema) against one council appending
  alone: the throughput of each council. The processes share this machine's cores, so the figure is also
  given against what those cores could give each (``cores / 8`` of one council alone).

The first council is recorded through ``execute_many`` (the rules and all); the others are copies of its
events made in SQL (their own schema, tables, positions and read models), which loads a million events
in minutes instead of hours and gives every council the same shape. By default each copy's read models are
rebuilt from its events; ``--copy-read-models`` copies them from council 0 in SQL too (every table of its
schema), which loads ten million events (``--councils 1000``) in minutes, and checks that the council
measured reports exactly what council 0 does, with nothing to catch up.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.conftest import FixedClock, fresh_postgres_database  # noqa: E402

from bench.generate import CLERK, commands  # noqa: E402
from scrutiny_es import Scrutiny  # noqa: E402

STORE_TABLES = ("scrutiny_log_length", "scrutiny_positions", "scrutiny_commands")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # after every generated fact


def council_url(url: str, n: int) -> str:
    return f"{url}?schema=council{n:03d}"


def record_first(url: str, items_per_body: int) -> tuple[int, str]:
    """Council 0, recorded through the rules; its event count and its first body's code."""
    app = Scrutiny(council_url(url, 0), catch_up=False, clock=FixedClock(NOW))
    stream = list(commands(4, items_per_body))
    for start in range(0, len(stream), 1000):
        app.execute_many(stream[start : start + 1000])
    app.rebuild()
    events = app.projection_status()[0].events
    app.close()
    return events, stream[0]["body"]


def copy_council(url: str, n: int, *, read_models: bool = False) -> None:
    """Council ``n``: council 0's events, positions and keys in a schema of its own, its read models rebuilt.

    With ``read_models`` nothing is rebuilt: every table of council 0's schema is copied in SQL, its read models'
    tables of their current generations and the projections' positions and layouts too (a rebuild would make
    the same rows), so a council loads in a fraction of a second and ten million events load in minutes.
    """
    schema = f"council{n:03d}"
    Scrutiny(council_url(url, n), catch_up=False, clock=FixedClock(NOW)).close()  # its tables, empty
    with psycopg.connect(_plain(url), autocommit=True) as conn, conn.transaction():
        tables = [name for (name,) in conn.execute(_TABLES, ("council000",))]
        present = {name for (name,) in conn.execute(_TABLES, (schema,))}
        events = next(name for name in tables if name.endswith("events"))
        for table in tables if read_models else (events, *STORE_TABLES):
            if table in present:
                conn.execute(f"DELETE FROM {schema}.{table}")  # noqa: S608
            else:
                conn.execute(f"CREATE TABLE {schema}.{table} (LIKE council000.{table} INCLUDING ALL)")
            conn.execute(f"INSERT INTO {schema}.{table} SELECT * FROM council000.{table}")  # noqa: S608
        if shared := conn.execute(_SHARED_DEFAULTS, (schema,)).fetchall():
            raise SystemExit(f"{schema}: a copied column still draws on council000's sequence: {shared}")
        sequence = f"pg_get_serial_sequence('{schema}.{events}', 'notification_id')"
        conn.execute(f"SELECT setval({sequence}, (SELECT max(notification_id) FROM {schema}.{events}))")  # noqa: S608
    if not read_models:
        app = Scrutiny(council_url(url, n), catch_up=False, clock=FixedClock(NOW))
        app.rebuild()
        app.close()


_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename"
# A table copied with LIKE keeps its column defaults: a serial column's would go on drawing council 0's numbers.
_SHARED_DEFAULTS = (
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s "
    "AND column_default LIKE '%%council000.%%'"
)


def same_as_first(url: str, n: int) -> str:
    """Checks that council ``n`` reports what council 0 does (its tracker, overdue list, audit trail and seal)
    with nothing to catch up; returns what was checked, or stops the run naming what differs."""
    first, copy = (Scrutiny(council_url(url, k), catch_up=False, clock=FixedClock(NOW)) for k in (0, n))
    try:
        lagging = [status.name for status in copy.projection_status() if status.lag or status.rebuilding_at]
        if lagging:
            raise SystemExit(f"council{n:03d}: read models left to catch up: {', '.join(lagging)}")
        reports: dict[str, Callable[[Scrutiny], object]] = {
            "tracker": lambda app: list(app.tracker()),
            "overdue list": lambda app: list(app.overdue()),
            "audit trail": lambda app: app.audit(),
            "verify()": lambda app: app.verify(),
        }
        shown: dict[str, Any] = {}
        for name, report in reports.items():
            shown[name] = report(first)
            if shown[name] != report(copy):
                raise SystemExit(f"council{n:03d}: its {name} is not council000's")
        rows = [len(shown[name]) for name in ("tracker", "overdue list", "audit trail")]
        return (
            f"council{n:03d} reports as council000 does ({rows[0]:,} tracker rows, {rows[1]:,} overdue, "
            f"{rows[2]:,} audit entries, the seal verified alike), with nothing to catch up"
        )
    finally:
        first.close()
        copy.close()


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def best(work: Callable[[], Any], times: int = 3) -> float:
    """The best of ``times`` runs, in seconds: the run least disturbed by the machine's other work."""
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def reads(url: str, body: str) -> dict[str, float]:
    """One council's rebuild, tracker page and meeting pack, each the best of several runs."""
    app = Scrutiny(url, catch_up=False, clock=FixedClock(NOW))
    meeting = date(2023, 6, 15)
    figures = {
        "rebuild": best(app.rebuild),
        "tracker page": best(lambda: app.tracker(body=body, limit=50), times=30),
        "meeting pack": best(lambda: app.meeting_pack(body, meeting), times=10),
    }
    app.close()
    return figures


def append(url: str, count: int, ready: Any, go: Any, out: Any) -> None:
    """Appends ``count`` commands one by one (a new item each, then its referral) once ``go`` is set."""
    app = Scrutiny(url, clock=FixedClock(NOW))
    app.execute({"command": "register_body", "actor": CLERK, "body": "APP", "name": "Appending Board",
                 "council": "Bench"})  # fmt: skip
    ready.set()
    go.wait()
    started = time.perf_counter()
    for n in range(count // 2):
        app.execute({"command": "make_recommendation", "actor": CLERK, "body": "APP", "ref": f"A{n}",
                     "kind": "action", "meeting_date": "2024-05-01", "item": "Item", "text": "Text",
                     "addressees": [{"name": "Cabinet", "kind": "executive"}]})  # fmt: skip
        app.execute({"command": "refer", "actor": CLERK, "body": "APP", "ref": f"A{n}", "addressee": "Cabinet",
                     "received_on": "2024-05-02"})  # fmt: skip
    out.put(count / (time.perf_counter() - started))
    app.close()


def appends(url: str, first: int, councils: int, count: int) -> list[float]:
    """Commands per second of each of ``councils`` councils appending at once, each in a fresh schema."""
    context = multiprocessing.get_context("spawn")
    go, out = context.Event(), context.Queue()
    readies = [context.Event() for _ in range(councils)]
    workers = [
        context.Process(target=append, args=(council_url(url, first + n), count, readies[n], go, out))
        for n in range(councils)
    ]
    for worker in workers:
        worker.start()
    for ready, worker in zip(readies, workers, strict=True):
        while not ready.wait(1):
            if not worker.is_alive():
                raise SystemExit(f"an appending council stopped before it began (exit code {worker.exitcode})")
    go.set()
    rates = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    return rates


def show(name: str, ratio: float, target: str, met: bool, detail: str) -> None:
    print(f"  {name:62} ratio {ratio:5.2f}  target {target:8} {'met' if met else 'MISSED':6}  {detail}", flush=True)


def load(url: str, alone_url: str, councils: int, items_per_body: int, read_models: bool) -> str:
    """Council 0 in both databases, its copies beside it in the first, analyzed; returns the body measured."""
    started = time.perf_counter()
    events, body = record_first(url, items_per_body)
    record_first(alone_url, items_per_body)
    print(f"council000 recorded through the rules, and alone in a database of its own: "
          f"{time.perf_counter() - started:,.0f} s", flush=True)  # fmt: skip
    for n in range(1, councils):
        copy_council(url, n, read_models=read_models)
        if n % 100 == 0:
            print(f"  {n + 1} councils loaded: {time.perf_counter() - started:,.0f} s; load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    loaded = time.perf_counter() - started
    measured = f"council{councils // 2:03d}"
    with psycopg.connect(_plain(url)) as conn:
        (size, one, log) = conn.execute(_SIZES, (measured, measured)).fetchone() or ("?", "?", "?")
    print(f"loaded {councils} councils of {events:,} events ({councils * events:,} in all) in {loaded:,.0f} s; "
          f"database {size}; {measured}'s schema {one}, of which its events table {log}", flush=True)  # fmt: skip
    if read_models and councils > 1:
        print(same_as_first(url, councils // 2), flush=True)
    started = time.perf_counter()
    for database in (url, alone_url):  # as autovacuum would have: the planner knows the tables
        with psycopg.connect(_plain(database), autocommit=True) as conn:
            conn.execute("ANALYZE")
    print(f"ANALYZE of both databases: {time.perf_counter() - started:,.0f} s; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    return body


_SIZES = (
    "SELECT pg_size_pretty(pg_database_size(current_database())), "
    "(SELECT pg_size_pretty(sum(pg_total_relation_size(format('%%I.%%I', schemaname, tablename)))) "
    "FROM pg_tables WHERE schemaname = %s), "
    "(SELECT pg_size_pretty(sum(pg_total_relation_size(format('%%I.%%I', schemaname, tablename)))) "
    "FROM pg_tables WHERE schemaname = %s AND tablename LIKE '%%events')"
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.{1 if seconds < 0.01 else 0}f} ms"


def run(server: str, councils: int, items_per_body: int, append_count: int, read_models: bool) -> None:
    with fresh_postgres_database(server) as alone_url, fresh_postgres_database(server) as url:
        body = load(url, alone_url, councils, items_per_body, read_models)
        among: dict[str, float] = {}
        alone: dict[str, float] = {}
        for _ in range(2):  # in turn, so that neither side has the machine or the server's cache to itself
            for figures, database in ((among, council_url(url, councils // 2)), (alone, council_url(alone_url, 0))):
                for name, seconds in reads(database, body).items():
                    figures[name] = min(seconds, figures.get(name, seconds))
        for name in among:
            ratio = among[name] / alone[name]
            show(f"one council's {name}, {councils - 1} others present / alone", ratio, "<= 1.2", ratio <= 1.2,
                 f"{ms(among[name])} against {ms(alone[name])}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip

        solo = statistics.median(appends(url, councils, 1, append_count))
        eight = appends(url, councils + 1, 8, append_count)
        per_council = statistics.median(eight) / solo
        cores = os.cpu_count() or 1
        show("appends: each of 8 councils at once / one alone", per_council, ">= 0.7", per_council >= 0.7,
             f"{statistics.median(eight):,.0f} against {solo:,.0f} commands/s")  # fmt: skip
        share = per_council / min(1.0, cores / 8)
        show(f"  the same, against the {cores} cores' share of one alone", share, ">= 0.7", share >= 0.7,
             f"8 processes on {cores} cores")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--councils", type=int, default=100)
    parser.add_argument("--items-per-body", type=int, default=440, help="4 bodies each: about 5.7 events an item")
    parser.add_argument("--appends", type=int, default=400, help="commands each appending council records")
    parser.add_argument("--quick", action="store_true", help="10 councils of about 2,000 events: a check of the script")
    parser.add_argument("--server", help="a PostgreSQL server URL (default: a throwaway server started here)")
    parser.add_argument("--copy-read-models", action="store_true",
                        help="copy each council's read models and positions from council 0 in SQL instead of "
                             "rebuilding them (ten million events: --councils 1000)")  # fmt: skip
    args = parser.parse_args()
    councils, items = (10, 50) if args.quick else (args.councils, args.items_per_body)
    print(f"scrutiny_es scale benchmark: {councils} councils, {os.cpu_count()} cores", flush=True)
    if args.server:
        run(args.server, councils, items, args.appends, args.copy_read_models)
        return 0
    from tests.pgserver import throwaway_postgres

    folder = Path(tempfile.mkdtemp(prefix="scrutiny-scale-"))
    try:
        with throwaway_postgres(folder) as server:
            run(server, councils, items, args.appends, args.copy_read_models)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
