"""``scrutiny-es migrate-store``: a database the command line started, made ready to share with a host's session.

Every stored event is copied, in order, with its place in the log and its bytes, so the reports,
the positions and ``verify``'s digest are the same after as before. Run once, with the other
processes that use the database stopped; a second run is refused and changes nothing.
"""

from __future__ import annotations

import argparse
import sys


def migrate_store(args: argparse.Namespace) -> int:
    if args.migrate_store is None:
        print("scrutiny-es: migrate-store is not available here", file=sys.stderr)
        return 2
    moved = args.migrate_store(args.db)
    print(
        f"moved {moved} events to the event store a host's SQLAlchemy session shares; "
        "from now on a host may hand over its session (Scrutiny(session=...)), and the command line "
        "and workers open the database as before"
    )
    return 0
