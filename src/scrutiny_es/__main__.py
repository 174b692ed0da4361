"""``scrutiny-es`` and ``python -m scrutiny_es``: the command line, given the means to open a database.

The record's modules (the database libraries among them) load only once a command needs
them, so ``scrutiny-es --help`` answers at once.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any


def open_record(url: str, *, own_process: bool = False, **options: Any) -> Any:
    """Opens the record, the cycle collector paused while its modules load (``_loading``)."""
    with _loading(freeze=own_process):
        from scrutiny_es.bootstrap import Scrutiny

        return Scrutiny(url, **options)


@contextmanager
def _loading(*, freeze: bool) -> Iterator[None]:
    """The cycle collector paused while the record's modules load and it opens; then, in a process of the
    command line's own, what they made frozen out of it.

    Loading the database libraries makes hundreds of thousands of objects, none of them garbage: their number
    sets off collections that walk them all, again and again, and once more as the process exits (together a
    sixth of a report's start-up). Frozen, they are left out of every collection; the record itself is closed
    and let go by the command line, not left to the exit. A caller running commands in its own process (a
    test) freezes nothing of its own.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def migrate_store(url: str) -> int:
    from scrutiny_es.bootstrap import migrate_store

    return migrate_store(url)


def main(argv: Sequence[str] | None = None) -> int:
    from scrutiny_es.adapters.extras import ExtraNotInstalled, need

    try:
        need("cli", "rich")
    except ExtraNotInstalled as e:
        print(f"scrutiny-es: {e}", file=sys.stderr)
        return 2
    from scrutiny_es.adapters import cli

    opening = partial(open_record, own_process=argv is None)  # None: the process runs the command line alone
    return cli.main(argv, open=opening, migrate_store=migrate_store)


if __name__ == "__main__":
    sys.exit(main())
