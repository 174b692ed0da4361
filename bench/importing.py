"""Benchmarks of ``scrutiny-es import``: a clerk's table of 10,000 rows, run as a clerk runs it (one process each).

    python bench/importing.py [--rows 10000] [--backend sqlite|postgresql|both]

runs these alone; ``bench/run.py`` runs them with the others. Each figure is set beside a baseline measured in the
same run: ``apply --batch 1000`` of the commands the import records, or the first import of the same table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.results import Result  # noqa: E402
from scrutiny_es import Scrutiny  # noqa: E402

CLERK = ["--actor-id", "c1", "--actor-name", "Clerk", "--actor-role", "scrutiny officer"]
BOARD = {"command": "register_body", "actor": {"id": "b", "name": "Bench", "role": "clerk"}, "body": "HASC",
         "name": "Health and Adult Social Care", "council": "Bench"}  # fmt: skip


def clerks_table(rows: int, *, worded: bool = False) -> list[list[str]]:
    """A tracker as a council keeps one: a ref, a meeting date, a topic, the words, who to, a response, a RAG, a note.
    ``worded``: every other response in the executive's own words, not a decision word."""
    header = ["No.", "Meeting date", "Topic", "Resolution", "Recommendation made to", "Response", "RAG", "Update"]
    responses = ("Accepted", "Agreed: the service will report on matter {} by March." if worded else "Noted")
    return [header] + [
        [f"R{n}", f"{1 + n % 28:02d}/{1 + n // 28 % 12:02d}/{2021 + n // 336 % 3}", f"Topic {n // 4}",
         f"That the service reports on matter {n}.", "Cabinet Member for Housing", responses[n % 2].format(n),
         ("Green", "Amber", "")[n % 3], f"Update {n}."]
        for n in range(rows)
    ]  # fmt: skip


def cli(db: str, *words: str) -> float:
    """Seconds for ``scrutiny-es --db DB WORDS...`` in a process of its own."""
    script = str(Path(sys.executable).with_name("scrutiny-es"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    subprocess.run([script, "--db", db, *words], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def with_board(db: str) -> str:
    app = Scrutiny(db)
    app.execute(BOARD)
    app.close()
    return db


def show(result: Result, baseline: str) -> None:
    print(f"  {result.name:55} {result.value:12,.2f} s          {baseline}  ratio {result.ratio:5.2f}  "
          f"target {result.target:22} {'met' if result.met else 'MISSED'}", flush=True)  # fmt: skip


def tracker_import(folder: Path, rows: int = 10_000) -> list[Result]:
    """``scrutiny-es import`` of a CSV tracker beside ``apply --batch 1000`` of the commands it plans."""
    from tests.unit.tracker_files import csv_file

    table = clerks_table(rows)
    path = csv_file(folder / "tracker.csv", table)
    planned, imported, applied = (f"sqlite:///{folder / name}.db" for name in ("planned", "imported", "applied"))
    commands_file = str(folder / "tracker.jsonl")
    for db in (planned, imported, applied):
        with_board(db)
    cli(planned, "import", str(path), "--body", "HASC", "--as-of", "2024-03-20", "-o", commands_file, *CLERK)
    apply_seconds = cli(applied, "apply", commands_file, "--batch", "1000")
    import_seconds = cli(imported, "import", str(path), "--body", "HASC", "--as-of", "2024-03-20", *CLERK)
    speed = apply_seconds / import_seconds
    result = Result(f"sqlite: import of {rows:,} CSV rows", round(import_seconds, 3), "s", round(apply_seconds, 3),
                    round(speed, 3), "ratio >= 0.5 of apply --batch 1000", speed >= 0.5)  # fmt: skip
    print("import:", flush=True)
    show(result, f"apply --batch 1000 {apply_seconds:8.2f} s")
    return [result, reimport(folder, table, imported)]


def reimport(folder: Path, table: list[list[str]], imported: str) -> Result:
    """The clerk's table back with a tenth of its rows changed (their Update cell): its import against
    ``apply --batch 1000`` of just the commands it records, each on a copy of the same record."""
    from tests.unit.tracker_files import csv_file

    edited = [table[0]] + [
        [*row[:-1], f"{row[-1]} Revised."] if n % 10 == 0 else row for n, row in enumerate(table[1:])
    ]
    path = csv_file(folder / "tracker-edited.csv", edited)
    source = Path(imported.removeprefix("sqlite:///"))
    copies = {name: folder / f"{name}.db" for name in ("replanned", "reapplied")}
    for copy in copies.values():
        shutil.copyfile(source, copy)
    changes = str(folder / "changes.jsonl")
    cli(f"sqlite:///{copies['replanned']}", "import", str(path), "--body", "HASC", "--as-of", "2024-04-20", "-o",
        changes, *CLERK)  # fmt: skip
    apply_seconds = cli(f"sqlite:///{copies['reapplied']}", "apply", changes, "--batch", "1000")
    import_seconds = cli(imported, "import", str(path), "--body", "HASC", "--as-of", "2024-04-20", *CLERK)
    lines = Path(changes).read_text(encoding="utf-8").splitlines()
    changed = sum(not line.startswith("#") for line in lines)  # each command follows a "# line N" comment
    speed = apply_seconds / import_seconds
    result = Result(f"sqlite: re-import, a tenth changed ({changed:,} commands)", round(import_seconds, 3), "s",
                    round(apply_seconds, 3), round(speed, 3), "ratio >= 0.5 of applying the changes",
                    speed >= 0.5)  # fmt: skip
    show(result, f"apply of the changes {apply_seconds:6.2f} s")
    return result


def renamed_import(backend: str, db: str, folder: Path, rows: int = 10_000) -> Result:
    """The same table imported again under a new file name (the clerk saved it again): against its first import,
    into the empty record ``db``. Half its responses are in the executive's words, which no decision word settles."""
    from tests.unit.tracker_files import csv_file

    table = clerks_table(rows, worded=True)
    first, again = (csv_file(folder / name, table) for name in ("March tracker.csv", "March tracker (2).csv"))
    with_board(db)
    first_seconds = cli(db, "import", str(first), "--body", "HASC", "--as-of", "2024-03-20", *CLERK)
    again_seconds = cli(db, "import", str(again), "--body", "HASC", "--as-of", "2024-03-20", *CLERK)
    ratio = first_seconds / again_seconds
    result = Result(f"{backend}: the same {rows:,} rows under a new file name", round(again_seconds, 3), "s",
                    round(first_seconds, 3), round(ratio, 3), "<= 1.5 x the first (>= 0.67)",
                    again_seconds <= 1.5 * first_seconds)  # fmt: skip
    show(result, f"first import {first_seconds:10.2f} s")
    return result


@contextmanager
def postgres_database(folder: Path) -> Iterator[str]:
    """An empty database on a throwaway PostgreSQL server."""
    from tests.conftest import fresh_postgres_database
    from tests.pgserver import throwaway_postgres

    with throwaway_postgres(folder) as server, fresh_postgres_database(server) as url:
        yield url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="scrutiny-bench-import-"))
    try:
        tracker_import(folder, args.rows)
        if args.backend != "postgresql":
            renamed_import("sqlite", f"sqlite:///{folder / 'renamed.db'}", folder, args.rows)
        if args.backend != "sqlite":
            server_folder = Path(tempfile.mkdtemp(prefix="scrutiny-bench-postgres-"))  # for the server's user
            try:
                with postgres_database(server_folder) as url:
                    renamed_import("postgresql", url, folder, args.rows)
            finally:
                shutil.rmtree(server_folder, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
