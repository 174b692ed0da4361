"""The ``scrutiny-es`` command line.

``apply`` reads commands, one JSON object a line (blank lines and lines starting with
``#`` are skipped, so a file can say where its facts came from). Each command is applied
on its own; a bad line is reported as ``line N: field: reason`` and nothing of it is
written. User errors never print a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from importlib import resources
from itertools import islice
from pathlib import Path
from threading import Event, Thread
from time import monotonic
from typing import BinaryIO, NamedTuple

from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from scrutiny_es.adapters import worker
from scrutiny_es.adapters.formats import FORMATS, Report, render
from scrutiny_es.adapters.persistence import DEFAULT_URL, database_problem
from scrutiny_es.adapters.tables import PROJECTIONS
from scrutiny_es.application import BatchRejected, Scrutiny
from scrutiny_es.domain.commands import MAX_LINE
from scrutiny_es.domain.dates import UK
from scrutiny_es.domain.errors import InvalidCommand, ScrutinyError
from scrutiny_es.projections.rows import Row


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status. Whatever goes wrong is said in one line, never a traceback."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ScrutinyError as e:
        print(f"scrutiny-es: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("scrutiny-es: stopped", file=sys.stderr)
        return 130
    except Exception as e:
        problem = database_problem(e)
        if problem is not None:
            print(f"scrutiny-es: {problem}", file=sys.stderr)
            return 1
        if os.environ.get("SCRUTINY_DEBUG"):
            raise
        print(
            f"scrutiny-es: unexpected {type(e).__name__}: {e} (a fault of scrutiny-es: please report it)",
            file=sys.stderr,
        )
        return 70


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
    apply.add_argument(
        "--batch",
        type=_positive,
        default=1,
        metavar="N",
        help="save up to N commands in one transaction (for migrating a tracker); a bad line rejects its batch",
    )
    apply.set_defaults(run=_apply)

    for name, what in REPORTS.items():
        report = commands.add_parser(name, help=what)
        report.add_argument("--body", help="only this body (its code)")
        report.add_argument("--ref", help="only this item (with --body)")
        report.add_argument("--as-of", type=_day, metavar="DATE", help="facts effective on or before this date")
        report.add_argument(
            "--as-known-at",
            type=_moment,
            metavar="TIMESTAMP",
            help="facts recorded by then (UK time unless it says otherwise; a date alone means the end of that day)",
        )
        report.add_argument("--format", choices=FORMATS, default="table")
        report.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
        report.set_defaults(run=_report, report=name)

    projections = commands.add_parser("projections", help="the read models: status, rebuild, run")
    actions = projections.add_subparsers(required=True, metavar="ACTION")
    actions.add_parser("status", help="each projection's position against the head of the log").set_defaults(
        run=_status
    )
    rebuild = actions.add_parser("rebuild", help="rebuild from the first event, swapped in when complete")
    rebuild.add_argument("name", nargs="?", choices=list(PROJECTIONS), help="one projection (default: all)")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.add_argument("--stop-with-parent", action="store_true", help=argparse.SUPPRESS)
    rebuild.set_defaults(run=_rebuild)
    run = actions.add_parser("run", help="keep the projections up to date until stopped (Ctrl-C, SIGTERM)")
    run.add_argument("--poll", type=float, default=1.0, metavar="SECONDS", help="how often to look for new events")
    run.set_defaults(run=_run)

    demo = commands.add_parser("demo", help="load the bundled demo data into a fresh file and show what it gives")
    demo.add_argument("--dir", default=".", help="where to write scrutiny-demo.db and the HTML tracker")
    demo.set_defaults(run=_demo)
    return parser


REPORTS = {
    "tracker": "the tracker: one row per recommendation or action",
    "overdue": "responses, target dates and deferrals past their date",
    "audit": "every event: who recorded it, who decided, when",
}


def _positive(text: str) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")


def _day(text: str) -> date:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")


def _moment(text: str) -> datetime:
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.max)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a timestamp such as 2024-03-14T18:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UK)


def _report(args: argparse.Namespace) -> int:
    app = Scrutiny(args.db)
    query: Callable[..., Sequence[Row]] = getattr(app, args.report)
    rows = query(body=args.body, ref=args.ref, as_of=args.as_of, as_known_at=args.as_known_at)
    codes = [args.body] if args.body else sorted({row.body for row in rows})
    bodies = {code: app.body(code).name for code in codes}
    as_of = app.report_day(args.as_of, args.as_known_at)
    report = Report(args.report, rows, bodies, args.as_of if args.report == "audit" else as_of, args.as_known_at)
    _write(render(report, args.format, width=shutil.get_terminal_size((160, 40)).columns), args.output)
    _say_if_behind(app)
    return 0


def _say_if_behind(app: Scrutiny) -> None:
    """On a read-only database the read models answer as they stand: say how far behind the log they are."""
    if app.read_models.read_only:
        behind = max(s.lag for s in app.read_models.status())
        print(
            f"scrutiny-es: the database is read-only, so this shows the read models as last brought up to date, "
            f"{behind} event{'s' * (behind != 1)} behind the log",
            file=sys.stderr,
        )


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    with open(output, "w", encoding="utf-8") as file:
        file.write(text)
    print(f"wrote {output}", file=sys.stderr)


def _status(args: argparse.Namespace) -> int:
    app = Scrutiny(args.db)
    for s in app.read_models.status():
        rebuilding = (
            f", rebuild at {app.read_models.log.count(0) - app.read_models.log.count(s.rebuilding_at)}"
            if s.rebuilding_at is not None
            else ""
        )
        print(f"{s.name:8} at {s.applied} of {s.events} (lag {s.lag}){rebuilding}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    if args.stop_with_parent:
        _stop_when_stdin_closes()
    app = Scrutiny(args.db, catch_up=False)
    names = [args.name] if args.name else list(PROJECTIONS)
    audit_rebuild = None
    if len(names) > 1 and (os.cpu_count() or 1) > 1:
        # With a second core, the audit trail is rebuilt beside the tracker and the overdue list,
        # by a child that ends with this process however it ends (killed too: its stdin closes).
        names.remove("audit")
        command = [sys.executable, "-m", "scrutiny_es.adapters.cli", "--db", args.db, "projections", "rebuild"]
        audit_rebuild = subprocess.Popen(  # noqa: S603
            [*command, "audit", "--quiet", "--stop-with-parent"], stdin=subprocess.PIPE, stderr=subprocess.PIPE
        )
    try:
        if args.quiet:
            app.read_models.rebuild(names)
        else:
            _rebuild_showing_progress(app, names)
        if audit_rebuild is not None:
            errors = audit_rebuild.stderr.read().decode(errors="replace") if audit_rebuild.stderr else ""
            if audit_rebuild.wait() != 0:
                raise ScrutinyError(f"rebuilding the audit trail failed: {errors.strip()}")
            names.append("audit")
    finally:
        if audit_rebuild is not None and audit_rebuild.poll() is None:
            audit_rebuild.terminate()
            audit_rebuild.wait()
    if not args.quiet:
        print("rebuilt " + ", ".join(names))
    return 0


def _stop_when_stdin_closes() -> None:
    """Ends this process when its parent does: the parent holds the other end of stdin until it is done."""

    def watch() -> None:
        while os.read(0, 4096):  # the file descriptor itself: a buffered reader would hold a lock at exit
            pass
        os._exit(1)  # the transaction under way is rolled back by the database

    Thread(target=watch, daemon=True).start()


def _rebuild_showing_progress(app: Scrutiny, names: list[str]) -> None:
    columns = (TextColumn("rebuilding"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"))
    with Progress(*columns, console=RichConsole(stderr=True)) as bar:
        task = bar.add_task("rebuild", total=app.read_models.log.head(), rate="")
        started = monotonic()

        def show(position: int, head: int) -> None:
            rate = position / max(monotonic() - started, 1e-9)
            bar.update(task, completed=position, total=head, rate=f"{rate:,.0f} events/s")

        app.read_models.rebuild(names, progress=show)
        bar.update(task, completed=bar.tasks[task].total)


def _run(args: argparse.Namespace) -> int:
    app = Scrutiny(args.db, catch_up=False)
    stopping = Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print("keeping the projections up to date; Ctrl-C to stop", file=sys.stderr, flush=True)
    worker.run(app, stopping, args.poll, lambda read: print(f"applied {read} events", file=sys.stderr, flush=True))
    print("stopped", file=sys.stderr)
    app.close()
    return 0


DEMO_AS_OF = date(2024, 3, 14)
DEMO_BODY = "SNAC"
DEMO_ITEM = "2024-01-17/4"  # the BBQ areas recommendation, re-affirmed on 15 February 2024


def _demo(args: argparse.Namespace) -> int:
    """Loads the bundled demo data into a fresh file; shows the Sandwell tracker of 14 March 2024."""
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "scrutiny-demo.db"
    for stale in folder.glob("scrutiny-demo.db*"):
        stale.unlink()
    app = Scrutiny(f"sqlite:///{db}")
    data = resources.files("scrutiny_es.demo").joinpath("demo.jsonl").read_text(encoding="utf-8")
    commands = list(_commands(io.BytesIO(data.encode())))
    bad = _first_bad(app, commands)
    if bad is not None:
        raise ScrutinyError(f"demo data line {commands[bad[0]].number}: {'; '.join(bad[1])}")
    print(f"Loaded {len(commands)} commands of demo data into {db}\n")
    width = shutil.get_terminal_size((160, 40)).columns
    board = {DEMO_BODY: app.body(DEMO_BODY).name}
    for kind, rows in (
        ("tracker", app.tracker(body=DEMO_BODY, as_of=DEMO_AS_OF)),
        ("overdue", app.overdue(body=DEMO_BODY, as_of=DEMO_AS_OF)),
    ):
        print(render(Report(kind, rows, board, DEMO_AS_OF), "table", width))  # type: ignore[arg-type]
    trail = app.audit(body=DEMO_BODY, ref=DEMO_ITEM)
    print(render(Report("audit", trail, board, None), "table", width))
    everything = app.tracker(as_of=DEMO_AS_OF)
    bodies = {code: app.body(code).name for code in dict.fromkeys(row.body for row in everything)}
    page = folder / "scrutiny-demo-tracker.html"
    page.write_text(render(Report("tracker", everything, bodies, DEMO_AS_OF), "html"), encoding="utf-8")
    print(f"Every body's tracker as of {DEMO_AS_OF:%d %B %Y}, laid out for printing: {page}")
    return 0


def _apply(args: argparse.Namespace) -> int:
    app = Scrutiny(args.db, catch_up=False)
    applied = rejected = 0
    name = "standard input" if args.file == "-" else args.file

    def summary() -> str:
        said = f"applied {applied} command{'s' * (applied != 1)} from {name}"
        if rejected:
            said += f"; {rejected} rejected" + ("" if args.keep_going else ", stopped at the first")
        return said

    with _open(args.file) as file:
        try:
            for batch in _batches(_commands(file), args.batch):
                while batch:
                    bad = _first_bad(app, batch)
                    if bad is None:
                        applied += len(batch)
                        break
                    index, problems = bad
                    rejected += 1
                    for problem in problems:
                        print(f"line {batch[index].number}: {problem}", file=sys.stderr)
                    if not args.keep_going:
                        if len(batch) > 1:
                            print(f"lines {batch[0].number}-{batch[-1].number} were not written", file=sys.stderr)
                        break
                    del batch[index]  # and the rest of the batch is tried again without it
                if rejected and not args.keep_going:
                    break
            app.read_models.catch_up()
        except BaseException:
            print(summary() + ", and then stopped")  # what was recorded before the failure stays recorded
            raise
    print(summary())
    return 1 if rejected else 0


class Line(NamedTuple):
    """A command's line: its number, its JSON text, or why it cannot be read."""

    number: int
    text: str
    problem: str | None = None


def _commands(file: BinaryIO) -> Iterator[Line]:
    """The commands of a .jsonl file with their line numbers; blank lines and # comments skipped.

    Lines are read as bytes, at most ``MAX_LINE`` at a time, so a bad byte or a line of a
    hundred megabytes is one bad line like any other, not the end of the file.
    """
    number = 0
    while raw := file.readline(MAX_LINE + 1):
        number += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            while (rest := file.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
            yield Line(number, "", f"longer than the {MAX_LINE:,} bytes a command may take")
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            column = len(raw[: e.start].decode("utf-8", "replace")) + 1
            yield Line(number, "", f"not UTF-8 text (byte 0x{raw[e.start]:02X} at column {column})")
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            yield Line(number, line)


def _batches(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    while batch := list(islice(lines, size)):
        yield batch


def _first_bad(app: Scrutiny, batch: list[Line]) -> tuple[int, list[str]] | None:
    """Applies the batch in one transaction; or says which line was wrong, and why, having written nothing."""
    for index, line in enumerate(batch):
        if line.problem is not None:
            return index, [line.problem]
    try:
        app.execute_many([line.text for line in batch])
    except BatchRejected as e:
        return e.index, _problems(e.error)
    return None


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


if __name__ == "__main__":
    sys.exit(main())
