"""``scrutiny-es demo``: the bundled demo data, from real agenda packs, loaded into a fresh file and shown."""

from __future__ import annotations

import argparse
import io
import shutil
from dataclasses import asdict
from datetime import date
from importlib import resources
from pathlib import Path

from scrutiny_es.adapters.cli.apply import commands, first_bad
from scrutiny_es.adapters.cli.impact import heading
from scrutiny_es.adapters.formats import Report, render
from scrutiny_es.adapters.formats.furniture import load_furniture
from scrutiny_es.adapters.formats.impact import impact_html, impact_table
from scrutiny_es.adapters.formats.pack_render import render_pack
from scrutiny_es.adapters.importers.minutes import draft_minutes
from scrutiny_es.application import ScrutinyService
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.reports import REPORTS

DEMO_AS_OF = date(2024, 3, 14)
DEMO_BODY = "SNAC"
DEMO_ITEM = "2024-01-17/4"  # the BBQ areas recommendation, re-affirmed on 15 February 2024
DEMO_YEAR = (date(2023, 5, 1), date(2024, 4, 30))  # the municipal year 2023/24
DEMO_TEMPLATE = "sandwell.toml"  # the report furniture of Sandwell's tracking report: Director, Contact Officer...


def demo(args: argparse.Namespace) -> int:
    """Loads the bundled demo data into a fresh file; shows the Sandwell tracker of 14 March 2024."""
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "scrutiny-demo.db"
    for stale in folder.glob("scrutiny-demo.db*"):
        stale.unlink()
    app: ScrutinyService = args.open(f"sqlite:///{db}")
    data = resources.files("scrutiny_es.demo").joinpath("demo.jsonl").read_text(encoding="utf-8")
    lines = list(commands(io.BytesIO(data.encode())))
    bad = first_bad(app, lines)
    if isinstance(bad, tuple):
        raise ScrutinyError(f"demo data line {lines[bad[0]].number}: {'; '.join(bad[1])}")
    print(f"Loaded {len(lines)} commands of demo data into {db}\n")
    width = shutil.get_terminal_size((160, 40)).columns
    board = {DEMO_BODY: app.body(DEMO_BODY).name}
    council = {DEMO_BODY: app.body(DEMO_BODY).council}
    for kind, rows in (
        (REPORTS["tracker"], app.tracker(body=DEMO_BODY, as_of=DEMO_AS_OF)),
        (REPORTS["overdue"], app.overdue(body=DEMO_BODY, as_of=DEMO_AS_OF)),
    ):
        print(render(Report(kind, rows, board, DEMO_AS_OF, councils=council), "table", width))
    trail = app.audit(body=DEMO_BODY, ref=DEMO_ITEM)
    print(render(Report(REPORTS["audit"], trail, board, None, councils=council), "table", width))
    with resources.as_file(resources.files("scrutiny_es.demo").joinpath("minutes-2024-02-15.txt")) as minutes:
        draft = draft_minutes(minutes, DEMO_BODY, known=app.tracker(body=DEMO_BODY, exempt=True))
    print("The minutes of 15 February 2024 as `scrutiny-es minutes` drafts them, beside what the demo records:\n")
    print(draft.report())
    everything = app.tracker(as_of=DEMO_AS_OF)
    codes = list(dict.fromkeys(row.body for row in everything))
    bodies = {code: app.body(code).name for code in codes}
    councils = {code: app.body(code).council for code in codes}
    page = folder / "scrutiny-demo-tracker.html"
    shown = Report(REPORTS["tracker"], everything, bodies, DEMO_AS_OF, councils=councils)
    page.write_text(render(shown, "html"), encoding="utf-8")
    print(f"Every body's tracker as of {DEMO_AS_OF:%d %B %Y}, laid out for printing: {page}")
    pack = app.meeting_pack(DEMO_BODY, DEMO_AS_OF)
    template = resources.files("scrutiny_es.demo").joinpath(DEMO_TEMPLATE)
    with resources.as_file(template) as path:
        furniture = load_furniture(path, DEMO_BODY)
    print(f"\nThe standing item of the Board's meeting of {DEMO_AS_OF:%d %B %Y}, in Sandwell's report ({template}):\n")
    print(render_pack(pack, "md", furniture))
    for suffix in ("html", "docx"):
        made = render_pack(pack, suffix, furniture)
        path = folder / f"scrutiny-demo-pack.{suffix}"
        if isinstance(made, bytes):
            path.write_bytes(made)
        else:
            path.write_text(made, encoding="utf-8")
        print(f"The pack as {'a Word document' if suffix == 'docx' else 'a web page'}: {path}")
    first, last = DEMO_YEAR
    impact = [asdict(row) for row in app.impact(body=DEMO_BODY, from_=first, to=last)]
    title = heading(board[DEMO_BODY], first, last, "body", None)
    print("\nWhat the Board's recommendations and actions of 2023/24 achieved:\n")
    print(impact_table(impact, title, width))
    page = folder / "scrutiny-demo-impact.html"
    page.write_text(impact_html(impact, title), encoding="utf-8")
    print(f"The same with charts, as a web page: {page}")
    return 0
