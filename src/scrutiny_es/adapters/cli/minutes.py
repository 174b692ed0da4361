"""``scrutiny-es minutes``: a meeting's minutes read into a draft of the commands they ask for.

Standard output lists each resolution with what it became and the phrase that decided it.
Nothing is recorded without ``--apply``; ``-o`` writes the drafted commands as JSON lines to
check, and ``apply`` records them later. Re-affirmed and deferred items are looked for in the
record, so the body must be registered first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrutiny_es.adapters.cli.apply import default_actor
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.application import BatchRejected
from scrutiny_es.domain.errors import ScrutinyError


def minutes(args: argparse.Namespace) -> int:
    actor = default_actor(args)
    if args.apply and actor is None:
        raise ScrutinyError("say who is recording: --actor-id, --actor-name and --actor-role (or SCRUTINY_ACTOR)")
    app: Any = args.open(args.db)
    try:
        draft = app.draft_minutes(Path(args.file), body=args.body, meeting_date=args.meeting_date,
                                  people=Path(args.people) if args.people else None, actor=actor)  # fmt: skip
    except ScrutinyError as e:
        if e.field == "meeting_date":  # the option that gives it here
            raise ScrutinyError(f"{e} (--meeting-date)") from None
        raise
    sys.stdout.write(visible(draft.report()))  # the minutes' words, and nothing in them that acts on a terminal
    commands = draft.commands
    if args.output:
        Path(args.output).write_text(draft.jsonl(), encoding="utf-8")
        print(f"wrote {len(commands)} commands to {args.output}: check them, then scrutiny-es apply", file=sys.stderr)
    if not args.apply:
        if not args.output:
            print("nothing was recorded: check the draft, then give -o FILE.jsonl to review it or --apply to record it")
        return 0
    if not commands:
        print("nothing to record")
        return 0
    try:
        receipts = app.execute_many(commands)
    except BatchRejected as e:
        drafted = [d for d in draft.resolutions for _ in d.commands][e.index]
        msg = f"{drafted.where} {drafted.title}: {e.error}; nothing of the minutes was recorded"
        raise ScrutinyError(msg) from None
    app.catch_up()
    already = sum(r.already_recorded for r in receipts)
    recorded = len(receipts) - already
    said = f"recorded {recorded} command{'s' * (recorded != 1)} from {draft.source}"
    print(said + (f"; {already} already recorded" if already else ""))
    return 0
