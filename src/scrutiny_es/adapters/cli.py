"""The ``scrutiny-es`` command line.

``apply`` reads commands, one JSON object a line (blank lines and lines starting with
``#`` are skipped, so a file can say where its facts came from). Each command is applied
on its own; a bad line is reported as ``line N: field: reason`` and nothing of it is
written. User errors never print a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TextIO

from scrutiny_es.adapters.persistence import DEFAULT_URL
from scrutiny_es.application import Scrutiny
from scrutiny_es.domain.errors import InvalidCommand, ScrutinyError


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ScrutinyError as e:
        print(f"scrutiny-es: {e}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scrutiny-es",
        description="Record and report a scrutiny board's recommendations and actions.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("SCRUTINY_DB", DEFAULT_URL),
        help=f"database URL (default: $SCRUTINY_DB, else {DEFAULT_URL})",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    apply = commands.add_parser("apply", help="apply commands from a .jsonl file, or - for standard input")
    apply.add_argument("file", metavar="FILE.jsonl|-")
    apply.add_argument("--keep-going", action="store_true", help="report every bad line and apply the rest")
    apply.set_defaults(run=_apply)

    demo = commands.add_parser("demo", help="load the bundled demo data and show what it gives")
    demo.set_defaults(run=_demo)
    return parser


def _demo(_: argparse.Namespace) -> int:
    print("The demo data and its tracker arrive with the projections; for now, see `scrutiny-es apply --help`.")
    return 0


def _apply(args: argparse.Namespace) -> int:
    app = Scrutiny(args.db)
    applied = rejected = 0
    with _open(args.file) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            problems = _apply_line(app, line)
            if not problems:
                applied += 1
                continue
            rejected += 1
            for problem in problems:
                print(f"line {number}: {problem}", file=sys.stderr)
            if not args.keep_going:
                break
    name = "standard input" if args.file == "-" else args.file
    summary = f"applied {applied} command{'s' * (applied != 1)} from {name}"
    if rejected:
        summary += f"; {rejected} rejected" + ("" if args.keep_going else ", stopped at the first")
    print(summary)
    return 1 if rejected else 0


def _apply_line(app: Scrutiny, line: str) -> list[str]:
    """Applies one line; returns what was wrong with it, or nothing."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        return [f"not valid JSON: {e.msg} at column {e.colno}"]
    if not isinstance(data, dict):
        return ["a command is a JSON object: {...}"]
    try:
        app.execute(data)
    except InvalidCommand as e:
        return [f"{field}: {reason}" for field, reason in e.problems]
    except ScrutinyError as e:
        return [str(e)]
    return []


@contextmanager
def _open(path: str) -> Iterator[TextIO | IO[str]]:
    if path == "-":
        yield sys.stdin
        return
    try:
        file = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        raise ScrutinyError(f"{path}: {e.strerror}") from None
    with file:
        yield file


if __name__ == "__main__":
    sys.exit(main())
