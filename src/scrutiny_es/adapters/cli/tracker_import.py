"""``scrutiny-es import``: a council's existing tracker (CSV, Excel, Word) brought into the record.

The file is read and planned first, entirely; a cell that cannot be read is named (row, column,
value) and nothing of the file is recorded unless ``--keep-going``. ``--dry-run`` says what would
be recorded, ``-o`` writes the commands as a .jsonl file to review and ``apply`` later. Every
command carries a ``command_id`` made of the file's name, its row and the fact, so importing the
same file again records nothing new.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from scrutiny_es.adapters.cli.apply import default_actor
from scrutiny_es.adapters.importers import parse_columns, plan_import, read_tables
from scrutiny_es.application import BatchRejected, ScrutinyService
from scrutiny_es.domain.errors import ScrutinyError

BATCH = 1000


def tracker_import(args: argparse.Namespace) -> int:
    actor = default_actor(args)
    if actor is None:
        raise ScrutinyError("say who is importing: --actor-id, --actor-name and --actor-role (or SCRUTINY_ACTOR)")
    app: ScrutinyService = args.open(args.db, catch_up=False)
    app.body(args.body)  # the body must be registered first
    path = Path(args.file)
    tables = read_tables(path, args.sheet)
    overrides = parse_columns(args.columns) if args.columns else None
    plan = plan_import(tables, body=args.body, source=path.name, as_of=args.as_of or app.today(), actor=actor,
                       overrides=overrides)  # fmt: skip
    for line in plan.said():
        print(line, file=sys.stderr)
    if plan.errors and not args.keep_going:
        print(f"nothing of {path.name} was recorded: {len(plan.errors)} cell(s) to put right first", file=sys.stderr)
        return 1
    commands = [command for _, command in plan.commands]
    if args.output:
        lines = [f"# {at}\n{json.dumps(command, ensure_ascii=False)}\n" for at, command in plan.commands]
        Path(args.output).write_text("".join(lines), encoding="utf-8")
        print(f"wrote {len(commands)} commands to {args.output}: review them, then scrutiny-es apply", file=sys.stderr)
        return 1 if plan.errors else 0
    if args.dry_run:
        for at, command in plan.commands:
            print(f"{at}: {_said(command)}")
        print(f"would record {len(commands)} commands from {path.name}; nothing was written")
        return 1 if plan.errors else 0
    recorded, already = _record(app, commands)
    app.catch_up()
    said = f"imported {recorded} command{'s' * (recorded != 1)} from {path.name}"
    print(said + (f"; {already} already recorded" if already else ""))
    return 1 if plan.errors else 0


def _record(app: ScrutinyService, commands: list[dict[str, Any]]) -> tuple[int, int]:
    """Records the commands a thousand at a time, with a progress bar on a terminal for a large file."""
    recorded = already = 0
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
    show = len(commands) > BATCH and sys.stderr.isatty()
    with Progress(*columns, console=Console(stderr=True), disable=not show, transient=True) as bar:
        task = bar.add_task("import", total=len(commands))
        for start in range(0, len(commands), BATCH):
            try:
                receipts = app.execute_many(commands[start : start + BATCH])
            except BatchRejected as e:
                raise ScrutinyError(f"command {start + e.index + 1} of the file: {e.error}") from None
            already += sum(r.already_recorded for r in receipts)
            recorded += sum(not r.already_recorded for r in receipts)
            bar.advance(task, len(receipts))
    return recorded, already


def _said(command: dict[str, Any]) -> str:
    facts = {k: v for k, v in command.items() if k not in ("command", "actor", "body", "command_id")}
    return f"{command['command']} " + json.dumps(facts, ensure_ascii=False)
