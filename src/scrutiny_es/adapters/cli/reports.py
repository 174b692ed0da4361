"""``scrutiny-es tracker|overdue|audit``: a report of the registry, in any format, to the terminal or a file."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from scrutiny_es.adapters.cli import PAGE_OPTIONS, write
from scrutiny_es.adapters.formats import Report, render
from scrutiny_es.adapters.formats.clerks_table import EDITING_FORMATS, origins, render_clerks_table
from scrutiny_es.application import ScrutinyService
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.domain.exempt import withheld_sentence
from scrutiny_es.projections.reports import REPORTS


def report(args: argparse.Namespace) -> int:
    kind = REPORTS[args.report]
    if kind.one_item and not (args.body and args.ref):
        raise ScrutinyError(f"{kind.name} shows one item: give --body and --ref")
    app: ScrutinyService = args.open(args.db)
    # A body that does not exist is said so, not shown as an empty report.
    named = app.body_names([args.body]) if args.body else None
    page = {
        name: value for name in PAGE_OPTIONS.get(kind.name, ()) if (value := getattr(args, name)) not in (None, False)
    }
    rows = getattr(app, kind.name)(body=args.body, ref=args.ref, as_of=args.as_of, as_known_at=args.as_known_at, **page)
    codes = sorted({row.body for row in rows} - {""} - set(named or ()))  # "": the record's (a reset)
    found = (named or {}) | (app.body_names(codes) if codes else {})  # a taken-over item's under its maker
    day = app.report_day(args.as_of, args.as_known_at) if kind.dated else args.as_of
    bodies = {code: body.name_on(day) for code, body in found.items()}  # the name in force on the report's day
    councils = {code: body.council for code, body in found.items()}
    withheld = getattr(rows, "withheld", 0)
    if args.format in EDITING_FORMATS:
        return _clerks_table(app, args, rows, bodies, withheld)
    shown = Report(kind, rows, bodies, day, args.as_known_at, councils, getattr(args, "year", None), withheld)
    write(render(shown, args.format, width=shutil.get_terminal_size((160, 40)).columns), args.output)
    say_withheld(withheld, args.format)
    say_if_behind(app)
    return 0


def say_withheld(withheld: int, fmt: str) -> None:
    """JSON and CSV hold rows alone, for scripts: the exempt items they leave out are said on standard error."""
    if withheld and fmt in ("json", "csv"):
        print(f"scrutiny-es: {withheld_sentence(withheld).rstrip('.')}; --exempt holds them", file=sys.stderr)


def _clerks_table(
    app: ScrutinyService, args: argparse.Namespace, rows: list[Any], bodies: dict[str, str], withheld: int
) -> int:
    """``tracker --format xlsx|docx -o FILE``: the clerk's table, to edit and bring back with ``import``; an item
    taken over from another body is named by the body that made it, in an Origin column."""
    if not args.output or not args.body:
        raise ScrutinyError(f"--format {args.format} writes one body's table to a file: give --body CODE and -o FILE")
    title = " / ".join(bodies.values()) + " – Action Tracker"
    made_by = origins(rows, app.recommendations(args.body), args.body) if any(r.taken_over_from for r in rows) else []
    Path(args.output).write_bytes(render_clerks_table(rows, args.format, title, withheld, made_by))
    print(f"wrote {args.output}: edit it, then scrutiny-es import {args.output} --body {args.body}", file=sys.stderr)
    return 0


def say_if_behind(app: ScrutinyService) -> None:
    """On a read-only database the read models answer as they stand: say how far behind the log they are."""
    if app.read_only:
        behind = max(s.lag for s in app.projection_status())
        print(
            f"scrutiny-es: the database is read-only, so this shows the read models as last brought up to date, "
            f"{behind} event{'s' * (behind != 1)} behind the log",
            file=sys.stderr,
        )
