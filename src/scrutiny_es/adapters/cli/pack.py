"""``scrutiny-es pack``: a meeting's standing item, in JSON, Markdown, HTML or as a Word document."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrutiny_es.adapters.cli import write
from scrutiny_es.adapters.formats.furniture import load_furniture
from scrutiny_es.adapters.formats.pack_render import render_pack
from scrutiny_es.application import ScrutinyService
from scrutiny_es.domain.errors import ScrutinyError


def pack(args: argparse.Namespace) -> int:
    if args.format == "docx" and not args.output:
        raise ScrutinyError("a Word document goes to a file: give -o FILE.docx")
    furniture = load_furniture(args.template, args.body)  # a bad template is said before the record is opened
    app: ScrutinyService = args.open(args.db)
    made = app.meeting_pack(args.body, args.meeting, args.since, args.as_known_at, year=args.year, exempt=args.exempt)
    if args.format == "json":
        write(json.dumps(made, indent=2, ensure_ascii=False) + "\n", args.output)
        return 0
    shown = render_pack(made, args.format, furniture, args.with_seal_note)
    if isinstance(shown, bytes):
        Path(args.output).write_bytes(shown)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        write(shown, args.output)
    return 0
