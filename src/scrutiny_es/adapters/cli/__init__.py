"""The ``scrutiny-es`` command line: a parser, and one module per command, loaded when it runs.

User errors never print a traceback: each is one line on standard error. The command line
is given the means to open a record (``open``); ``scrutiny_es.__main__`` gives it the
database URL's, so nothing here names a concrete adapter.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import date, datetime, time
from functools import partial
from importlib import import_module
from typing import Any, NoReturn, get_args

from scrutiny_es.adapters.database import (
    DEFAULT_URL,
    UnsupportedDatabase,
    council_schema,
    database_problem,
    missing_council,
    sqlite_file,
)
from scrutiny_es.adapters.formats import FORMATS
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.domain.dates import FIRST_DAY, LAST_DAY, UK
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.domain.history import Rag
from scrutiny_es.projections.reports import READ_MODELS, REPORTS
from scrutiny_es.projections.rows import ItemStatus, OverdueReason

Opener = Callable[..., Any]
"""Opens the record at a database URL: ``open(url, catch_up=...)`` gives a ``ScrutinyService``."""


def main(argv: Sequence[str] | None = None, *, open: Opener, migrate_store: Callable[[str], int] | None = None) -> int:
    """Runs the command line; returns the exit status. Whatever goes wrong is said in one line, never a traceback.

    ``migrate_store(url)`` moves a record to the event store a host's session shares (``migrate-store``).
    """
    args = parser().parse_args(argv)
    opened: list[Any] = []
    opening = partial(open, policy=args.policy, **({"read_url": args.read_db} if args.read_db else {}))

    def open_kept(*given: Any, **options: Any) -> Any:
        opened.append(opening(*given, **options))
        return opened[-1]

    args.open = open_kept
    args.migrate_store = migrate_store
    module, name = args.run
    try:
        council_schema(args.db)  # before saying a database was made: a URL it cannot use makes none
    except UnsupportedDatabase as e:
        print(f"scrutiny-es: {e}", file=sys.stderr)
        return 1
    missing = _missing_file(args.db)
    if missing is not None and module not in CREATING:
        print(f"scrutiny-es: no database at {missing} (give --db or set SCRUTINY_DB)", file=sys.stderr)
        return 2
    if missing is not None and module != "demo":
        print(f"scrutiny-es: created a new database at {missing}", file=sys.stderr)
    council = missing_council(args.db) if module != "demo" else None
    if council is not None and module not in CREATING:
        print(f"scrutiny-es: no council with the schema {council} in this database (give --db or set SCRUTINY_DB)",
              file=sys.stderr)  # fmt: skip
        return 2
    if council is not None:
        print(f"scrutiny-es: started the council schema {council}", file=sys.stderr)
    try:
        code = int(getattr(import_module(f"scrutiny_es.adapters.cli.{module}"), name)(args))
        if module in REPORTING and name != "run":
            for app in opened:  # the items a newer release's event blocks: the rest reported, these named
                for line in app.unreadable():
                    print(f"scrutiny-es: {line}", file=sys.stderr)
        return code
    except ScrutinyError as e:
        print(f"scrutiny-es: {visible(str(e))}", file=sys.stderr)  # it may quote a file's words
        return 1
    except KeyboardInterrupt:
        print("scrutiny-es: stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _reader_gone()
        return 141
    except Exception as e:
        problem = database_problem(e)
        if problem is not None:
            print(f"scrutiny-es: {problem}", file=sys.stderr)
            return 1
        if isinstance(e, OSError) and e.filename is not None:  # a file given that cannot be read or written
            print(f"scrutiny-es: {e.filename}: {e.strerror}", file=sys.stderr)
            return 1
        if os.environ.get("SCRUTINY_DEBUG"):
            raise
        print(f"scrutiny-es: unexpected {type(e).__name__}: {e} (a fault of scrutiny-es: report it)", file=sys.stderr)
        return 70
    finally:
        _close(opened)


def _reader_gone() -> None:
    """Standard output's reader has gone (``| head`` has all it wanted): what is left unsaid goes nowhere, rather
    than failing again as the interpreter flushes it at the exit; 141 is the status of a process ended by SIGPIPE."""
    with suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _close(opened: list[Any]) -> None:
    """Closes the records the command opened, rather than leaving their connections to the exit (which may not
    look for them: see ``scrutiny_es.__main__``); one that cannot close (its server gone) is let go."""
    for app in opened:
        with suppress(Exception):
            app.close()


REPORTING = {"reports", "pack", "impact", "verify", "projections", "reminders"}
"""The commands that report: each names, after its report, any item it shows as it stood before an event that a
newer release wrote (``application/unreadable.py``)."""

CREATING = {"apply", "tracker_import", "demo"}
"""The commands that may make a new database: the others, given a file that is not there, would make an empty
one and show it ("nothing overdue")."""


def _missing_file(url: str) -> str | None:
    """The path of a SQLite URL whose file does not exist, or None."""
    if not url.startswith("sqlite:///"):
        return None
    path = sqlite_file(url).path
    return None if not path or os.path.exists(path) else path


class _Parser(argparse.ArgumentParser):
    """Refuses a bad option in one line naming the option and the rule, as every other refusal is, rather than
    after the whole usage (``--help`` gives it); each command's parser is one too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scrutiny-es",
        description="Record and report a scrutiny board's recommendations and actions.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("SCRUTINY_DB", DEFAULT_URL),
        help=f"database URL (default: $SCRUTINY_DB, else {DEFAULT_URL})",
    )
    parser.add_argument(
        "--read-db",
        default=os.environ.get("SCRUTINY_READ_DB") or None,
        metavar="URL",
        help="read reports from this PostgreSQL hot standby of --db (default: $SCRUTINY_READ_DB, else --db)",
    )
    parser.add_argument(
        "--policy",
        default=os.environ.get("SCRUTINY_POLICY") or None,
        metavar="FILE",
        help="who may record what: a TOML file (default: $SCRUTINY_POLICY, else the built-in policy)",
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
    _actor_options(apply)
    apply.set_defaults(run=("apply", "apply"))

    bring = commands.add_parser("import", help="bring a council's tracker in: a .csv, .xlsx or .docx file")
    bring.add_argument("file", metavar="FILE")
    bring.add_argument("--body", required=True, help="the body the tracker is of (registered already)")
    bring.add_argument("--sheet", help="the spreadsheet's sheet (default: every sheet)")
    bring.add_argument("--columns", metavar='"Header=field,..."', help="what a column means, where it is not plain")
    bring.add_argument("--as-of", type=_day, metavar="DATE", help="the tracker's date (default: today)")
    bring.add_argument("--dry-run", action="store_true", help="say what would be recorded, and write nothing")
    bring.add_argument("-o", "--output", metavar="FILE.jsonl", help="write the commands to review, and record nothing")
    bring.add_argument("--keep-going", action="store_true", help="record the rows that can be read")
    bring.add_argument("--notes", choices=("progress", "response"), default="progress",
                       help="a changed note is progress, or the response of an item awaiting one")  # fmt: skip
    bring.add_argument("--names", choices=("one", "split"),
                       help="a names cell whose commas, /, and, & may be in a title: one name, or split")  # fmt: skip
    _actor_options(bring)
    bring.set_defaults(run=("tracker_import", "tracker_import"))

    minutes = commands.add_parser("minutes", help="draft the recommendations and decisions of a meeting's minutes")
    minutes.add_argument("file", metavar="FILE", help="the minutes: a .txt, .md, .docx or .pdf file")
    minutes.add_argument("--body", required=True, help="the body the minutes are of (registered already)")
    minutes.add_argument("--meeting-date", type=_day, metavar="DATE", help="the meeting, where the heading lacks it")
    minutes.add_argument("-o", "--output", metavar="FILE.jsonl", help="write the drafted commands to check and apply")
    minutes.add_argument("--apply", action="store_true", help="record the drafted commands")
    minutes.add_argument("--people", metavar="FILE.csv", help="who holds each role the minutes name: role,name")
    _actor_options(minutes)
    minutes.set_defaults(run=("minutes", "minutes"))

    for kind in REPORTS.values():
        report = commands.add_parser(kind.name, help=kind.description)
        report.add_argument("--body", help="only this body (its code)")
        report.add_argument("--ref", help="only this item (with --body)")
        report.add_argument("--as-of", type=_day, metavar="DATE", help="facts effective on or before this date")
        report.add_argument(
            "--as-known-at",
            type=_moment,
            metavar="TIMESTAMP",
            help="facts recorded by then (UK time unless it says otherwise; a date alone means the end of that day)",
        )
        _page_options(report, kind.name)
        editing = ("xlsx", "docx") if kind.name == "tracker" else ()  # the clerk's table, to edit and import back
        report.add_argument("--format", choices=FORMATS + editing, default="table")
        report.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
        report.set_defaults(run=("reports", "report"), report=kind.name)

    projections = commands.add_parser("projections", help="the read models: status, rebuild, run")
    actions = projections.add_subparsers(required=True, metavar="ACTION")
    status = actions.add_parser("status", help="each projection's position against the head of the log")
    status.set_defaults(run=("projections", "status"))
    rebuild = actions.add_parser("rebuild", help="rebuild from the first event, swapped in when complete")
    rebuild.add_argument("name", nargs="?", choices=READ_MODELS, help="one projection (default: all)")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.add_argument("--stop-with-parent", action="store_true", help=argparse.SUPPRESS)
    rebuild.add_argument("--beside", action="store_true", help=argparse.SUPPRESS)  # the audit trail and the seal
    rebuild.add_argument(
        "--reseal", action="store_true", help="seal the log as it now stands though it no longer matches its seal"
    )
    rebuild.add_argument("--reason", help="why the seal is reset (recorded, with who reset it: --actor-...)")
    _actor_options(rebuild)
    rebuild.set_defaults(run=("projections", "rebuild"))
    run = actions.add_parser("run", help="keep the projections up to date until stopped (Ctrl-C, SIGTERM)")
    run.add_argument("--poll", type=float, default=1.0, metavar="SECONDS", help="how often to look for new events")
    run.set_defaults(run=("projections", "run"))

    pack = commands.add_parser("pack", help="the standing item of a meeting: responses, progress, the tracker")
    pack.add_argument("--body", required=True, help="the body (its code)")
    pack.add_argument("--meeting", required=True, type=_day, metavar="DATE", help="the meeting's date")
    pack.add_argument("--since", type=_day, metavar="DATE", help="the last meeting (default: the calendar's)")
    pack.add_argument(
        "--year", type=_municipal_year, metavar="2023/24", help="only the items made in this municipal year of the body"
    )
    pack.add_argument("--published", "--as-known-at", dest="as_known_at", type=_moment, metavar="TIMESTAMP",
                      help="the agenda's publication: what was known then (default: now)")  # fmt: skip
    pack.add_argument("--template", metavar="FILE.toml", help="the council's report furniture (director, contact...)")
    pack.add_argument("--with-seal-note", action="store_true", help="end with the clerk's note of the seal's digest")
    pack.add_argument("--exempt", action="store_true",
                      help="Part B: the exempt items alone (Schedule 12A), each marked with its paragraph")  # fmt: skip
    pack.add_argument("--format", choices=("json", "md", "html", "docx"), default="md")
    pack.add_argument("-o", "--output", metavar="FILE", help="write to FILE (a Word document must go to a file)")
    pack.set_defaults(run=("pack", "pack"))

    impact = commands.add_parser("impact", help="what scrutiny achieved: responses and outcomes, per group")
    impact.add_argument("--body", help="only this body (its code)")
    impact.add_argument("--from", dest="from_", type=_day, metavar="DATE", help="items made on or after this date")
    impact.add_argument(
        "--to",
        type=_day,
        metavar="DATE",
        help="items made on or before this date, as they stood that day (default: today)",
    )
    impact.add_argument(
        "--by", choices=("body", "addressee", "addressee_kind", "year", "current_body"), default="body",
        type=lambda by: by.replace("-", "_"),
        help="one row per body that made the items (default), addressee, kind of addressee, municipal year, or "
        "body the items are with now (current-body)",
    )  # fmt: skip
    impact.add_argument(
        "--year", type=_municipal_year, metavar="2023/24", help="items made in this municipal year (of --body)"
    )
    impact.add_argument(
        "--as-known-at",
        type=_moment,
        metavar="TIMESTAMP",
        help="facts recorded by then (UK time unless it says otherwise)",
    )
    _exempt_option(impact, "items in the figures")
    impact.add_argument("--format", choices=FORMATS, default="table")
    impact.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    impact.set_defaults(run=("impact", "impact"))

    remind = commands.add_parser("reminders", help="who must act next: what falls due soon and what is overdue")
    remind.add_argument("--body", help="only this body (its code)")
    remind.add_argument("--on", type=_day, metavar="DATE", help="as of this day (default: today)")
    remind.add_argument("--within", type=_days, default=14, metavar="DAYS", help="due within DAYS (default: 14)")
    remind.add_argument("--contacts", metavar="FILE.csv", help="names and addresses: a CSV file with name,email")
    remind.add_argument("--send", action="store_true", help="mail each person with an address, and record it")
    remind.add_argument("--smtp", metavar="HOST:PORT", help="the SMTP server to send through")
    remind.add_argument("--from", dest="sender", metavar="ADDRESS", help="the address the reminders come from")
    remind.add_argument("--format", choices=("table", "json", "md"), default="table")
    remind.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    _actor_options(remind)
    remind.set_defaults(run=("reminders", "reminders"))

    verify = commands.add_parser("verify", help="recompute the seal over every stored event: was anything changed?")
    verify.add_argument("--at", type=_positive, metavar="POSITION", help="a position whose digest was published")
    verify.add_argument("--digest", metavar="HEX", help="the digest published for that position")
    verify.set_defaults(run=("verify", "verify"))

    move = commands.add_parser(
        "migrate-store", help="move the events to the store a host's SQLAlchemy session shares (once; nothing lost)"
    )
    move.set_defaults(run=("migrate", "migrate_store"))

    demo = commands.add_parser("demo", help="load the bundled demo data into a fresh file and show what it gives")
    demo.add_argument("--dir", default=".", help="where to write scrutiny-demo.db and the HTML tracker")
    demo.set_defaults(run=("demo", "demo"))
    return parser


def _page_options(report: argparse.ArgumentParser, name: str) -> None:
    """A page of a list, as ``Scrutiny.tracker``, ``overdue`` and ``audit`` take it (``PAGE_OPTIONS``)."""
    if name in ("tracker", "overdue"):
        who = "the items naming this addressee" if name == "tracker" else "what this person or body owes"
        report.add_argument("--addressee", metavar="NAME", help=f"only {who}")
        report.add_argument("--status", choices=get_args(ItemStatus), help="only items of this status")
        report.add_argument("--rag", choices=get_args(Rag), help="only items whose latest RAG is this")
    if name == "tracker":
        report.add_argument(
            "--year", type=_municipal_year, metavar="2023/24", help="only items made in this municipal year (of --body)"
        )
        report.add_argument("--open", dest="open_only", action="store_true", help="only items not closed")
        report.add_argument(
            "--overdue", dest="overdue_only", action="store_true", help="only items with anything overdue"
        )
    if name == "overdue":
        report.add_argument("--reason", choices=get_args(OverdueReason), help="only what is owed for this")
    if name in ("tracker", "overdue"):
        _exempt_option(report)
    if name == "audit":
        report.add_argument("--after", type=_positive, metavar="POSITION", help="only entries after this position")
    if name in PAGE_OPTIONS:
        report.add_argument("--limit", type=_count, metavar="N", help="at most N rows")
    if name in ("tracker", "overdue"):
        report.add_argument("--offset", type=_count, metavar="N", help="skip the first N rows (with --limit: a page)")


PAGE_OPTIONS = {
    "tracker": ("addressee", "status", "rag", "open_only", "overdue_only", "limit", "offset", "year", "exempt"),
    "overdue": ("addressee", "reason", "status", "rag", "limit", "offset", "exempt"),
    "audit": ("after", "limit"),
}
"""The options of each report that choose a page of it, by the names its method takes."""


def _exempt_option(command: argparse.ArgumentParser, what: str = "items") -> None:
    command.add_argument(
        "--exempt", action="store_true",
        help=f"hold the exempt {what} (Schedule 12A), marked with their paragraph; without, they are left out and "
        "counted",
    )  # fmt: skip


def _count(text: str) -> int:
    if text.isdigit():
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")


def _actor_options(command: argparse.ArgumentParser) -> None:
    for who in ("id", "name", "role"):
        command.add_argument(f"--actor-{who}", metavar=who.upper(), help=f"the {who} of whoever records it")


def _positive(text: str) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")


def _days(text: str) -> int:
    if text.isdigit() and int(text) <= 3660:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 0 to 3660")


def _day(text: str) -> date:
    try:
        if len(text) == 10:
            return _in_range(date.fromisoformat(text), text)
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
    _in_range(moment.date(), text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UK)


def _in_range(day: date, text: str) -> date:
    """A day the record can hold (DESIGN 5.0): one far outside it would overflow the sums of dates and times the
    reports make."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"{text!r} is not between {FIRST_DAY} and {LAST_DAY}")
    return day


def _municipal_year(text: str) -> str:
    """A year written ``2023/24``, as the body's own reading takes it, whose days the record can hold."""
    begins = text.strip()[:4]
    if begins.isdigit() and not FIRST_DAY.year <= int(begins) < LAST_DAY.year:
        raise argparse.ArgumentTypeError(f"year {text!r} is not between {FIRST_DAY.year}/01 and 2198/99")
    return text


def write(text: str, output: str | None) -> None:
    """Prints ``text``, or writes it to the file ``output`` and says so."""
    if output is None:
        sys.stdout.write(text)
        return
    with open(output, "w", encoding="utf-8") as file:
        file.write(text)
    print(f"wrote {output}", file=sys.stderr)
