"""``scrutiny-es projections status|rebuild|run``: where the read models stand, rebuilding them, keeping them."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from threading import Event, Thread
from time import monotonic
from typing import IO

from scrutiny_es.adapters import worker
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
    split = not args.beside and args.name is None and (os.cpu_count() or 1) > 1
    # The child starts at once, its interpreter's start-up beside this one's opening of the record; after a reset
    # is recorded, though, where it must find it.
    beside = _start_beside(args) if split and not args.reseal else None
    try:
        return _rebuild(args, told, split, beside)
    finally:
        _stop(beside)


def _rebuild(args: argparse.Namespace, told: Event | None, split: bool, beside: _Beside | None) -> int:
    app: ScrutinyService = args.open(args.db, catch_up=False)
    names = list(BESIDE) if args.beside else [args.name] if args.name else list(READ_MODELS)
    actor = None
    if args.reseal:
        from scrutiny_es.adapters.cli.apply import default_actor  # here: it loads the commands' models

        actor = default_actor(args)
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
    if args.beside:
        return _rebuild_beside(app, told)
    if split:
        beside = beside or _start_beside(args)
        names = [name for name in names if name not in BESIDE]
    try:
        try:
            before_swap = None if beside is None else beside.sealed
            if args.quiet:
                app.rebuild(names, before_swap=before_swap)
            else:
                _rebuild_showing_progress(app, names, before_swap)
        except SealBroken as e:
            print(f"scrutiny-es: {e}", file=sys.stderr)
            return TAMPERED
        except _BesideFailed as e:
            if e.code == TAMPERED:  # the child found the log changed: its refusal is the answer
                print(e.errors.strip(), file=sys.stderr)
                return TAMPERED
            raise ScrutinyError(f"rebuilding the audit trail and the seal failed: {e.errors.strip()}") from None
        except ScrutinyError:
            if beside is None:
                raise
            # An event that cannot be read, say: if the log was changed, that is what is said (the child checks
            # the seal as it goes, but this process may meet the event first).
            try:
                app.check_seal()
            except SealBroken as e:
                print(f"scrutiny-es: {e}", file=sys.stderr)
                return TAMPERED
            raise
        if beside is not None:
            beside.swap()
            names += ["seal", "audit"]
    finally:
        _stop(beside)
    if not args.quiet:
        print("rebuilt " + ", ".join(names))
    return 0


def _start_beside(args: argparse.Namespace) -> _Beside:
    """With a second core, the audit trail and the seal are rebuilt beside the tracker and the overdue list (the two
    halves take about as long), by a child that ends with this process however it ends (killed too: its stdin
    closes). The child checks the log against the seal as it rebuilds it, and says so before it swaps anything in;
    this process swaps its tables in only then, and then tells the child to swap in its own."""
    command = [sys.executable, "-m", "scrutiny_es", "--db", args.db, "projections", "rebuild"]
    # A file, not a pipe: a child saying much while this process waits for its word would block. Closed by stop().
    errors = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [*command, "--quiet", "--stop-with-parent", "--beside"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
    )  # fmt: skip
    return _Beside(process, errors)


def _stop(beside: _Beside | None) -> None:
    if beside is not None:
        beside.stop()


BESIDE = ("audit", "seal")
"""What the child rebuilds beside the parent's tracker and overdue list: about half the work, with the seal's check."""

SEALED = b"sealed\n"
"""The child's word that the log matched its seal."""


class _BesideFailed(Exception):
    """The child rebuilding the audit trail and the seal ended without saying the log matched its seal."""

    def __init__(self, code: int, errors: str) -> None:
        super().__init__(errors)
        self.code = code
        self.errors = errors


@dataclass
class _Beside:
    """The child rebuilding the audit trail and the seal, and what it said on its standard error."""

    process: subprocess.Popen[bytes]
    errors: IO[bytes]

    def sealed(self) -> None:
        """Waits for the child's word that the log matched its seal (its tables are then ready to swap in)."""
        said = self.process.stdout.readline() if self.process.stdout is not None else b""
        if said != SEALED:
            raise _BesideFailed(self.process.wait(), self._said())

    def swap(self) -> None:
        """Tells the child this process's tables are in, so it may swap its own in, and waits for it."""
        if self.process.stdin is not None:
            with suppress(BrokenPipeError):  # the child has ended: what it said is read below
                self.process.stdin.write(b"swap\n")
                self.process.stdin.flush()
        if self.process.wait() != 0:
            raise ScrutinyError(f"rebuilding the audit trail and the seal failed: {self._said().strip()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        self.errors.close()

    def _said(self) -> str:
        self.errors.seek(0)
        return self.errors.read().decode(errors="replace")


def _rebuild_beside(app: ScrutinyService, told: Event | None) -> int:
    """The child's part: the audit trail and the seal, the log checked against the seal as it is read. Once it
    matched, the child says so on its standard output and swaps its tables in when the parent has swapped its own."""

    def sealed() -> None:
        os.write(1, SEALED)
        if told is not None:
            told.wait()

    try:
        app.rebuild(list(BESIDE), before_swap=sealed)
    except SealBroken as e:
        print(f"scrutiny-es: {e}", file=sys.stderr)
        return TAMPERED
    return 0


def _stop_when_stdin_closes() -> Event:
    """Ends this process when its parent does: the parent holds the other end of stdin until it is done. Returns
    what is set when the parent writes a line (that it swapped its tables in, for ``--beside``)."""
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
    from rich.console import Console as RichConsole  # here: a rebuild run --quiet (the child) does without
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

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
