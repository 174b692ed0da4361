"""Importing a council's tracker: read, plan, and record what the plan holds, a thousand commands at a time.

The use case a host and the command line share (``Scrutiny.import_tracker``; ``scrutiny-es import`` only
prints what it returns). Nothing of a file with a cell that cannot be read is recorded unless
``keep_going``; a dry run records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scrutiny_es.adapters.extras import need
from scrutiny_es.adapters.importers.changes import NotesAre, changes_only
from scrutiny_es.adapters.importers.columns import parse_columns
from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.origins import origins, transfer_in
from scrutiny_es.adapters.importers.plan import ImportPlan, plan_import
from scrutiny_es.adapters.importers.tables import read_tables
from scrutiny_es.adapters.importers.words import NamesAre
from scrutiny_es.application import BatchRejected, ScrutinyService
from scrutiny_es.application.collector import collector_paused
from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.views import ItemView

OFFICE = {".xlsx": "openpyxl", ".docx": "docx"}
"""The files read with the ``office`` extra's libraries."""

BATCH = 1000
"""Commands recorded in one transaction."""


@dataclass
class Imported:
    """What importing a tracker did: the plan (its commands with their rows, warnings and unreadable cells),
    and how many of its commands were recorded now and how many had been recorded before."""

    plan: ImportPlan
    recorded: int = 0
    already_recorded: int = 0
    written: bool = False
    """Whether anything of the file was sent to the record (not for a dry run, nor a file with errors)."""
    commands: list[dict[str, Any]] = field(default_factory=list)
    """The plan's commands, as JSON commands."""
    matched: int = 0
    """Rows whose item the record already holds (by ref, else by meeting date and text)."""
    unchanged: int = 0
    """Of those, the rows that say nothing the record does not hold already."""


def import_tracker(
    record: ScrutinyService,
    path: str | Path,
    *,
    body: str,
    actor: Mapping[str, str],
    as_of: date | None = None,
    sheet: str | None = None,
    columns: str | None = None,
    dry_run: bool = False,
    keep_going: bool = False,
    notes: NotesAre = "progress",
    names: NamesAre | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Imported:
    """Reads the tracker at ``path`` into commands for ``body`` and, unless ``dry_run`` (or a cell cannot be
    read and not ``keep_going``), records them as ``actor``; ``as_of`` dates facts the file gives no date for
    (default: today). A row whose item the record holds records only what changed; ``notes="response"``
    records a changed note on an item awaiting a response as that response; ``names`` reads every doubtful
    names cell as one name, or split. ``progress(done, total)`` is
    called after each batch."""
    record.body(body)  # the body must be registered first
    if as_of is not None and as_of > record.today():  # said before any file is read, and on a dry run too
        msg = f"the tracker's date, {long_date(as_of)} (the as-of date), is after today ({long_date(record.today())}): "
        raise CannotImport(msg + "give the date of the agenda it was published in")
    path = Path(path)
    if path.suffix.lower() in OFFICE:
        need("office", OFFICE[path.suffix.lower()])
    with collector_paused():  # tens of thousands of cells, rows and commands: no cycles among them to look for
        tables = read_tables(path, sheet)
        overrides = parse_columns(columns) if columns else None
        source = escaped(path.name)  # in command ids and messages: no control character a command refuses
        plan = plan_import(tables, body=body, source=source, as_of=as_of or record.today(), actor=actor,
                           overrides=overrides, names=names)  # fmt: skip
        record.catch_up()  # every item recorded, not the tracker as a process killed left it behind
        recorded = record.tracker(body=body, exempt=True)  # every item recorded, exempt or not
        taken = origins(plan, record, body, recorded)  # rows of items another body made
        found = None
        if recorded or taken:

            def views(refs: set[str]) -> list[ItemView]:
                return record.recommendations(body, refs)

            found = changes_only(plan, recorded, as_of=as_of or record.today(), notes=notes, origins=taken, views=views)
    if taken and found is not None:
        transfer_in(plan, record, body, source, taken, found, as_of or record.today(), actor)
    done = Imported(plan, commands=[command for _, command in plan.commands])
    if found is not None:
        done.matched, done.unchanged = found.matched, found.unchanged
    if dry_run or (plan.errors and not keep_going):
        return done
    done.written = True
    rows = [at for at, _ in plan.commands]
    for start in range(0, len(done.commands), BATCH):
        try:
            receipts = record.execute_many(done.commands[start : start + BATCH])
        except BatchRejected as e:
            raise ScrutinyError(f"{rows[start + e.index]}: {e.error}", field=e.error.field) from None
        done.already_recorded += sum(r.already_recorded for r in receipts)
        done.recorded += sum(not r.already_recorded for r in receipts)
        if progress is not None:
            progress(start + len(receipts), len(done.commands))
    return done
