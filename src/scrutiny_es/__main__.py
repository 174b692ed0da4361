"""``scrutiny-es`` and ``python -m scrutiny_es``: the command line, given the means to open a database.

The record's modules (the database libraries among them) load only once a command needs
them, so ``scrutiny-es --help`` answers at once.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any


def open_record(url: str, **options: Any) -> Any:
    with _loading():
        from scrutiny_es.bootstrap import Scrutiny

        return Scrutiny(url, **options)


@contextmanager
def _loading() -> Iterator[None]:
    """The cycle collector paused while the record's modules load and it opens, then those objects frozen.

    Loading the database libraries makes hundreds of thousands of objects, none of them garbage: their number
    sets off collections that walk them all again and again (a sixth of a report's start-up). Frozen, they are
    left out of every later collection too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
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

    return cli.main(argv, open=open_record, migrate_store=migrate_store)


if __name__ == "__main__":
    sys.exit(main())
