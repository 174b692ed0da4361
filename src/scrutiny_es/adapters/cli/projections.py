"""``scrutiny-es projections status|rebuild|run``: where the read models stand, rebuilding them, keeping them."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from contextlib import suppress
from threading import Event, Thread
from time import monotonic

from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from scrutiny_es.adapters import worker
from scrutiny_es.adapters.cli.apply import default_actor
from scrutiny_es.adapters.cli.verify import TAMPERED, log_ahead
from scrutiny_es.application import ScrutinyService
from scrutiny_es.application.upkeep import SealBroken
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.reports import READ_MODELS


def status(args: argparse.Namespace) -> int:
    app: ScrutinyService = args.open(args.db)
    for s in app.projection_status():
        rebuilding = "" if s.rebuild_lag is None else f", rebuild at {s.events - s.rebuild_lag}"
        print(f"{s.name:8} at {s.applied} of {s.events} (lag {s.lag}){rebuilding}")
    ahead = log_ahead(app)
    if ahead is not None:
        print(ahead)
    return 0


def rebuild(args: argparse.Namespace) -> int:
    told = _stop_when_stdin_closes() if args.stop_with_parent else None
    if args.reseal != (args.reason is not None):
        print('scrutiny-es: give --reseal and --reason "..." together', file=sys.stderr)
        return 2
    app: ScrutinyService = args.open(args.db, catch_up=False)
    names = [args.name] if args.name else list(READ_MODELS)
    actor = default_actor(args) if args.reseal else None
    if args.reseal and actor is None:
        print("scrutiny-es: --reseal records who reset the seal: give --actor-id, --actor-name and --actor-role "
              "(or set SCRUTINY_ACTOR)", file=sys.stderr)  # fmt: skip
        return 2
    if "seal" in names and args.reseal:  # the reset is recorded before anything is rebuilt, for the new seal to hold
        try:
            resealed = app.check_seal(args.reason, actor)
        except SealBroken as e:
            print(f"scrutiny-es: {e}", file=sys.stderr)
            return TAMPERED
        print(f"reset the seal after finding {resealed}" if resealed else "the log matches its seal: not reset")
    audit_rebuild = None
    if len(names) > 1 and (os.cpu_count() or 1) > 1:
        # With a second core, the audit trail is rebuilt beside the tracker and the overdue list,
        # by a child that ends with this process however it ends (killed too: its stdin closes). The seal's
        # check of the log is made here, as the seal is rebuilt: the child swaps its tables in when told.
        names.remove("audit")
        command = [sys.executable, "-m", "scrutiny_es", "--db", args.db, "projections", "rebuild"]
        audit_rebuild = subprocess.Popen(  # noqa: S603
            [*command, "audit", "--quiet", "--stop-with-parent", *(["--swap-when-told"] if "seal" in names else [])],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
    before_swap = None
    if told is not None and args.swap_when_told:
        before_swap = told.wait  # for the parent's word that the log matched its seal
    try:
        try:
            if args.quiet:
                app.rebuild(names, before_swap=before_swap)
            else:
                _rebuild_showing_progress(app, names, before_swap)
        except SealBroken as e:
            print(f"scrutiny-es: {e}", file=sys.stderr)
            return TAMPERED
        if audit_rebuild is not None:
            if audit_rebuild.stdin is not None:  # the log matched its seal: the audit trail may be swapped in
                with suppress(BrokenPipeError):  # the child has ended: what it said is read below
                    audit_rebuild.stdin.write(b"swap\n")
                    audit_rebuild.stdin.flush()
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


def _stop_when_stdin_closes() -> Event:
    """Ends this process when its parent does: the parent holds the other end of stdin until it is done. Returns
    what is set when the parent writes a line (that the log matched its seal, for ``--swap-when-told``)."""
    told = Event()

    def watch() -> None:
        while said := os.read(0, 4096):  # the file descriptor itself: a buffered reader would hold a lock at exit
            if b"\n" in said:
                told.set()
        os._exit(1)  # the transaction under way is rolled back by the database

    Thread(target=watch, daemon=True).start()
    return told


def _rebuild_showing_progress(
    app: ScrutinyService, names: list[str], before_swap: Callable[[], object] | None = None
) -> None:
    columns = (TextColumn("rebuilding"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"))
    with Progress(*columns, console=RichConsole(stderr=True)) as bar:
        task = bar.add_task("rebuild", total=None, rate="")
        started = monotonic()

        def show(position: int, head: int) -> None:
            rate = position / max(monotonic() - started, 1e-9)
            bar.update(task, completed=position, total=head, rate=f"{rate:,.0f} events/s")

        try:
            app.rebuild(names, progress=show, before_swap=before_swap)
        except SealBroken:
            bar.console.quiet = True  # the refusal alone is said, the bar left as it was
            raise
        bar.update(task, completed=bar.tasks[task].total)


def run(args: argparse.Namespace) -> int:
    app: ScrutinyService = args.open(args.db, catch_up=False)
    stopping = Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print("keeping the projections up to date; Ctrl-C to stop", file=sys.stderr, flush=True)
    worker.run(
        app,
        stopping,
        args.poll,
        lambda read: print(f"applied {read} events", file=sys.stderr, flush=True),
        lambda why: print(f"scrutiny-es: {why}; trying again", file=sys.stderr, flush=True),
    )
    print("stopped", file=sys.stderr)
    app.close()
    return 0
