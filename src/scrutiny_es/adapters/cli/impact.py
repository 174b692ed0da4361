"""``scrutiny-es impact``: what scrutiny achieved, per body, addressee, addressee kind or municipal year."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
from dataclasses import asdict, fields
from datetime import date, datetime

from scrutiny_es.adapters.cli import write
from scrutiny_es.adapters.cli.reports import say_if_behind, say_withheld
from scrutiny_es.adapters.formats.csv import csv_cell
from scrutiny_es.adapters.formats.impact import impact_html, impact_markdown, impact_table
from scrutiny_es.application import ScrutinyService
from scrutiny_es.domain.dates import long_date, municipal_year, uk_time
from scrutiny_es.domain.exempt import withheld_sentence
from scrutiny_es.projections.impact import ImpactRow

_BY = {"body": "body", "addressee": "addressee", "addressee_kind": "kind of addressee", "year": "municipal year",
       "current_body": "body it is with now"}  # fmt: skip


def impact(args: argparse.Namespace) -> int:
    app: ScrutinyService = args.open(args.db)
    to = args.to or app.report_day(None, args.as_known_at)
    if args.year:
        first, last = app.year_days(args.body, args.year)
        args.from_, to = first, min(last, to)
    rows = app.impact(
        body=args.body, from_=args.from_, to=to, by=args.by, as_known_at=args.as_known_at, exempt=args.exempt
    )
    said = withheld_sentence(rows.withheld)
    after = f"{said}\n" if said else ""  # in words, after the figures
    whose = app.body(args.body).name if args.body else "every body"
    title = heading(whose, args.from_, to, args.by, args.as_known_at)
    figures = [asdict(row) for row in rows]
    if args.format == "json":
        shown = json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(ImpactRow)], lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in figures)
        shown = out.getvalue()
    elif args.format == "md":
        shown = impact_markdown(figures, title) + after
    elif args.format == "html":
        shown = impact_html(figures, title, said)
    else:
        shown = impact_table(figures, title, shutil.get_terminal_size((160, 40)).columns) + "\n" + after
    write(shown, args.output)
    say_withheld(rows.withheld, args.format)
    say_if_behind(app)
    return 0


def heading(whose: str, from_: date | None, to: date, by: str, as_known_at: datetime | None) -> str:
    """What the figures are of: whose items, made when, measured on which day, grouped how, known when."""
    if from_ is not None and from_ == date(to.year - 1, 5, 1) and to == date(to.year, 4, 30):
        made = f"made in the municipal year {municipal_year(to)}"
    elif from_ is not None:
        made = f"made {long_date(from_)} to {long_date(to)}"
    else:
        made = f"made up to {long_date(to)}"
    known = f", as known at {uk_time(as_known_at)}" if as_known_at else ""
    return (
        f"Impact of scrutiny, {whose}: recommendations and actions {made}, as on {long_date(to)}, by {_BY[by]}{known}"
    )
