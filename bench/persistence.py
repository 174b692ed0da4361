"""Which eventsourcing persistence module should keep the events? Measured, not guessed.

    python bench/persistence.py [--quick]

For SQLite and PostgreSQL, each module (eventsourcing's native ``sqlite``/``postgres``
and ``eventsourcing_sqlalchemy``) runs the same work through ``Scrutiny``: commands one by
one, commands in batches, and reading and decoding the whole log. The table it prints
is the one in docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.generate import commands  # noqa: E402
from scrutiny_es.adapters.clock import SystemClock  # noqa: E402
from scrutiny_es.adapters.database import event_store_env  # noqa: E402
from scrutiny_es.adapters.sql.engine import read_model_engine  # noqa: E402
from scrutiny_es.adapters.sql.readmodels import SqlReadModels  # noqa: E402
from scrutiny_es.adapters.store.eventstore import EventsourcingStore  # noqa: E402
from scrutiny_es.application import ScrutinyService  # noqa: E402


def wired(url: str, store: str) -> ScrutinyService:
    """The service with the event store named (``bootstrap.Scrutiny`` would pick the one the database holds)."""
    events = EventsourcingStore(event_store_env(url, store))
    events.create_table()
    models = SqlReadModels(read_model_engine(url), events.log)
    return ScrutinyService(store=events, read_models=models, clock=SystemClock(), catch_up=False)


def measure(url: str, store: str, stream: list[dict[str, Any]], one_by_one: int) -> dict[str, float]:
    app = wired(url, store)
    started = time.perf_counter()
    for command in stream[:one_by_one]:
        app.execute(command)
    single = one_by_one / (time.perf_counter() - started)
    rest = stream[one_by_one:]
    started = time.perf_counter()
    for start in range(0, len(rest), 1000):
        app.execute_many(rest[start : start + 1000])
    bulk = len(rest) / (time.perf_counter() - started)
    started = time.perf_counter()
    position = count = 0
    while events := app._read_models.log.read(position, 2000):
        position, count = events[-1][0], count + len(events)
    read = count / (time.perf_counter() - started)
    app.close()
    return {"commands/s one by one": single, "commands/s in batches": bulk, "events/s read and decoded": read}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    stream = list(commands(10, 500 if args.quick else 3000))
    one_by_one = 1000 if args.quick else 3000
    folder = Path(tempfile.mkdtemp(prefix="scrutiny-persistence-"))
    server_folder = Path(tempfile.mkdtemp(prefix="scrutiny-persistence-postgres-"))
    from tests.conftest import fresh_postgres_database
    from tests.pgserver import throwaway_postgres

    try:
        with throwaway_postgres(server_folder) as server:
            for backend in ("sqlite", "postgresql"):
                for store in ("native", "sqlalchemy"):
                    if backend == "sqlite":
                        figures = measure(f"sqlite:///{folder / (store + '.db')}", store, stream, one_by_one)
                    else:
                        with fresh_postgres_database(server) as url:
                            figures = measure(url, store, stream, one_by_one)
                    shown = "  ".join(f"{name} {value:9,.0f}" for name, value in figures.items())
                    print(f"{backend:10} {store:10} {shown}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(server_folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
