"""``scrutiny-es import``: a council's existing tracker (CSV, Excel, Word) brought into the record.

The file is read and planned first, entirely; a cell that cannot be read is named (row, column,
value) and nothing of the file is recorded unless ``--keep-going``. ``--dry-run`` says what would
be recorded, ``-o`` writes the commands as a .jsonl file to review and ``apply`` later. Every
command carries a ``command_id`` made of the file's name, its row and the fact, so importing the
same file again records nothing new. The work is ``Scrutiny.import_tracker``'s; this prints it.
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
from scrutiny_es.adapters.importers.errors import escaped
from scrutiny_es.domain.errors import ScrutinyError


def tracker_import(args: argparse.Namespace) -> int:
    actor = default_actor(args)
    if actor is None:
        raise ScrutinyError("say who is importing: --actor-id, --actor-name and --actor-role (or SCRUTINY_ACTOR)")
    app = args.open(args.db, catch_up=False)
    path = Path(args.file)
    name = escaped(path.name)  # a newline or a terminal's escape in it shown, not acted on
    planning = bool(args.output or args.dry_run)
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task("import", total=None)
        done = app.import_tracker(
            path, body=args.body, actor=actor, as_of=args.as_of, sheet=args.sheet, columns=args.columns,
            dry_run=planning, keep_going=args.keep_going, notes=args.notes, names=args.names,
            progress=lambda at, total: bar.update(task, completed=at, total=total),
        )  # fmt: skip
    plan = done.plan
    for line in plan.said():
        print(line, file=sys.stderr)
    if plan.errors and not args.keep_going:
        print(f"nothing of {name} was recorded: {len(plan.errors)} cell(s) to put right first", file=sys.stderr)
        return 1
    if args.output:
        lines = [f"# {at}\n{json.dumps(command, ensure_ascii=False)}\n" for at, command in plan.commands]
        Path(args.output).write_text("".join(lines), encoding="utf-8")
        print(f"wrote {len(done.commands)} commands to {args.output}: review them, then scrutiny-es apply",
              file=sys.stderr)  # fmt: skip
        return 1 if plan.errors else 0
    if args.dry_run:
        for at, command in plan.commands:
            print(f"{at}: {_said(command)}")
        print(f"would record {len(done.commands)} commands from {name}; nothing was written")
        return 1 if plan.errors else 0
    app.catch_up()
    said = f"imported {done.recorded} command{'s' * (done.recorded != 1)} from {name}"
    said += f"; {done.already_recorded} already recorded" if done.already_recorded else ""
    print(said + (f"; {done.unchanged} row{'s' * (done.unchanged != 1)} as recorded already" if done.unchanged else ""))
    return 1 if plan.errors else 0


def _said(command: dict[str, Any]) -> str:
    facts = {k: v for k, v in command.items() if k not in ("command", "actor", "body", "command_id")}
    return f"{command['command']} " + json.dumps(facts, ensure_ascii=False)
