"""``scrutiny-es apply``: commands from a .jsonl file, one JSON object a line.

Blank lines and lines starting with ``#`` are skipped, so a file can say where its facts
came from. Each command is applied on its own (or ``--batch`` N together); a bad line is
reported as ``line N: field: reason`` and nothing of it is written.
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from typing import BinaryIO, NamedTuple

from scrutiny_es.adapters.jsonlines import json_object, read_command
from scrutiny_es.application import BatchRejected, Receipt, ScrutinyService
from scrutiny_es.domain.commands import AnyCommand
from scrutiny_es.domain.errors import InvalidCommand, ScrutinyError
from scrutiny_es.domain.fields import MAX_LINE

BOM = codecs.BOM_UTF8.decode("utf-8")
"""A byte order mark, as a line read as text begins with it."""


def apply(args: argparse.Namespace) -> int:
    app = args.open(args.db, catch_up=False)
    applied = rejected = already = held = 0
    refused: dict[tuple[str, str | None], int] = {}  # items (body, ref; a body's own: None) with a refused line
    name = "standard input" if args.file == "-" else args.file
    actor = default_actor(args)

    def summary() -> str:
        said = f"applied {applied} command{'s' * (applied != 1)} from {name}"
        if already:
            said += f"; {already} already recorded"
        if rejected:
            said += f"; {rejected} rejected" + ("" if args.keep_going else ", stopped at the first")
        if held:
            said += f"; {held} held back (an earlier line of their item was refused: fix it and run the file again)"
        return said

    def held_back(batch: list[Line]) -> list[Line]:
        """The batch without the lines of an item an earlier line of which was refused (said, and counted); its
        lines before that one are applied, whatever the batch they share."""
        nonlocal held
        kept = []
        for line in batch:
            earlier = next((refused[k] for k in _items_of(line) if refused.get(k, line.number) < line.number), None)
            if earlier is None:
                kept.append(line)
                continue
            held += 1
            print(f"line {line.number}: not applied, for line {earlier} of the same item was refused", file=sys.stderr)
        return kept

    with _open(args.file) as file:
        try:
            for lines in _batches(_not_csv(commands(file, actor), name), args.batch):
                batch = held_back(lines)
                while batch:
                    bad = first_bad(app, batch)
                    if isinstance(bad, list):
                        for line, receipt in zip(batch, bad, strict=True):
                            if receipt.already_recorded:
                                print(f"line {line.number}: already recorded (position {receipt.position})",
                                      file=sys.stderr)  # fmt: skip
                        already += sum(receipt.already_recorded for receipt in bad)
                        applied += sum(not receipt.already_recorded for receipt in bad)
                        break
                    index, problems = bad
                    rejected += 1
                    for problem in problems:
                        print(f"line {batch[index].number}: {problem}", file=sys.stderr)
                    if not args.keep_going:
                        if len(batch) > 1:
                            print(f"lines {batch[0].number}-{batch[-1].number} were not written", file=sys.stderr)
                        break
                    # A later line of the same item is not applied without it: a re-run after the fix then applies
                    # the fixed line in its place, and the lines after it in their order.
                    for item in _items_of(batch[index]):  # its first refused line: the lines after it wait for it
                        refused[item] = min(refused.get(item, batch[index].number), batch[index].number)
                    del batch[index]
                    batch = held_back(batch)  # and the rest of the batch is tried again without them
                if rejected and not args.keep_going:
                    break
            app.catch_up()
        except BaseException:
            print(summary() + ", and then stopped")  # what was recorded before the failure stays recorded
            raise
    print(summary())
    return 1 if rejected or held else 0


class Line(NamedTuple):
    """A command's line: its number, its JSON text, or why it cannot be read."""

    number: int
    text: str
    problem: str | None = None


def commands(file: BinaryIO, actor: dict[str, str] | None = None) -> Iterator[Line]:
    """The commands of a .jsonl file with their line numbers; blank lines and # comments skipped.

    Lines are read at most ``MAX_LINE`` at a time, so a bad byte or a line of a hundred
    megabytes is one bad line like any other, not the end of the file. A line ends with a
    newline, a carriage return and newline (Windows) or a carriage return alone (an old Mac
    editor's), which no JSON string may hold raw.
    """
    number = 0
    text = io.TextIOWrapper(file, encoding="utf-8", errors="surrogateescape", newline=None)  # each byte kept
    try:
        while read := text.readline(MAX_LINE + 1):
            number += 1
            if len(read) > MAX_LINE and not read.endswith("\n"):
                while (rest := text.readline(MAX_LINE)) and not rest.endswith("\n"):
                    pass
                yield Line(number, "", f"longer than the {MAX_LINE:,} bytes a command may take")
                continue
            line = _line(number, read, actor)
            if line is not None:
                yield line
    finally:
        with suppress(ValueError):  # already closed by its opener, where the reading stopped early
            text.detach()  # the file is its opener's to close


def _line(number: int, line: str, actor: dict[str, str] | None) -> Line | None:
    """One line of the file, as read with each byte that is not UTF-8 kept as a lone surrogate; None for a blank
    line or a comment."""
    if line.startswith(BOM):  # the file's, or that of a file joined on (cat a.jsonl b.jsonl)
        line = line[len(BOM) :]
    if not line.isascii():
        try:
            line.encode("utf-8")  # fails at the first byte kept as a surrogate
        except UnicodeEncodeError as e:
            byte = ord(line[e.start]) - 0xDC00
            return Line(number, "", f"not UTF-8 text (byte 0x{byte:02X} at column {e.start + 1})")
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    return _with_actor(Line(number, line), actor) if actor else Line(number, line)


def _batches(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    while batch := list(islice(lines, size)):
        yield batch


def first_bad(app: ScrutinyService, batch: list[Line]) -> tuple[int, list[str]] | list[Receipt]:
    """Applies the batch in one transaction, giving its receipts; or says which line was wrong, and why, having
    written nothing."""
    commands: list[AnyCommand] = []
    for index, line in enumerate(batch):
        if line.problem is not None:
            return index, [line.problem]
        try:
            commands.append(read_command(line.text))
        except ScrutinyError as e:
            return index, _problems(e)
    try:
        return app.execute_many(commands)
    except BatchRejected as e:
        return e.index, _problems(e.error)


def default_actor(args: argparse.Namespace) -> dict[str, str] | None:
    """Who records the lines that do not say: ``--actor-id/--actor-name/--actor-role``, else ``$SCRUTINY_ACTOR``."""
    given = {"id": args.actor_id, "name": args.actor_name, "role": args.actor_role}
    if any(given.values()):
        if not all(given.values()):
            raise ScrutinyError("give all three of --actor-id, --actor-name and --actor-role")
        return given
    written = os.environ.get("SCRUTINY_ACTOR")
    if not written:
        return None
    try:
        actor = json.loads(written)
    except json.JSONDecodeError:
        actor = None
    if not isinstance(actor, dict) or set(actor) != {"id", "name", "role"}:
        raise ScrutinyError('SCRUTINY_ACTOR must be JSON: {"id": "...", "name": "...", "role": "..."}')
    return actor


def _items_of(line: Line) -> list[tuple[str, str | None]]:
    """What a line records on: its item (body, ref), or its body's own record (body, None); none if unreadable."""
    try:
        data = json_object(line.text)
    except InvalidCommand:
        return []
    body, ref = data.get("body"), data.get("ref")
    if not isinstance(body, str):
        return []
    return [(body, ref if isinstance(ref, str) else None)]


def _with_actor(line: Line, actor: dict[str, str]) -> Line:
    """The line with the actor put in first where it has none (an item called "actor" is not one), every other
    character kept as written: a value that could not be written back (a number of 5,000 digits) is then refused
    by its field like any other."""
    try:
        data = json_object(line.text)
    except InvalidCommand:
        return line  # as it is: applying it says what is wrong
    if "actor" in data:
        return line
    given = json.dumps({"actor": actor}, ensure_ascii=False)
    text = line.text.lstrip()
    return Line(line.number, given if not data else f"{given[:-1]}, {text[1:]}")


def _not_csv(lines: Iterator[Line], name: str) -> Iterator[Line]:
    """The lines, unless the first looks like a spreadsheet's: then one sentence instead of an error a line."""
    first = next(lines, None)
    if first is None:
        return
    text = first.text.strip()
    if first.problem is None and not text.startswith(("{", "[")) and ("," in text or ";" in text or "\t" in text):
        msg = f"{name} looks like a CSV file, not commands (one JSON object a line): bring a tracker in with "
        raise ScrutinyError(msg + "scrutiny-es import FILE --body CODE")
    yield first
    yield from lines


def _problems(error: ScrutinyError) -> list[str]:
    if isinstance(error, InvalidCommand):
        return [f"{field}: {reason}" if field else reason for field, reason in error.problems]
    return [str(error)]


@contextmanager
def _open(path: str) -> Iterator[BinaryIO]:
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        file = open(path, "rb")  # noqa: SIM115
    except OSError as e:
        raise ScrutinyError(f"{path}: {e.strerror}") from None
    with file:
        yield file
