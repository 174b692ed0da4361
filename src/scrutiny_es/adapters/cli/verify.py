"""``scrutiny-es verify``: the seal's hash chain recomputed from the events as stored.

Exit 0 and ``verified N events; position P digest HEX`` when every stored event is as it was
sealed (and, with ``--at P --digest D``, the log up to P has the digest published); exit 3 and the
first position that fails, and how, when not. A log whose last event is stamped ahead of this computer's
clock (a clock that ran ahead recorded it) is said too, for every later event then carries that time.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from scrutiny_es.application import ScrutinyService
from scrutiny_es.application.times import TOLERANCE

TAMPERED = 3


def verify(args: argparse.Namespace) -> int:
    if (args.at is None) != (args.digest is None):
        print("scrutiny-es: give --at and --digest together", file=sys.stderr)
        return 2
    app: ScrutinyService = args.open(args.db)
    found = app.verify(at=args.at, digest=args.digest)
    ahead = log_ahead(app)
    if ahead is not None:
        print(ahead)
    if not found.ok:
        print(found.fault)
        if found.digest:  # else the seal itself could not be read
            up_to = "up to it" if (found.fault or "").endswith("not the one published") else "before it"
            print(f"verified {found.events} events {up_to}; position {found.position} digest {found.digest}")
        return TAMPERED
    if found.at is not None:
        print(f"position {found.at} has the digest published")
    print(f"verified {found.events} events; position {found.position} digest {found.digest}")
    return 0


def log_ahead(app: ScrutinyService) -> str | None:
    """A sentence if the log's last event is stamped more than ``TOLERANCE`` ahead of this computer's clock."""
    last = app.last_recorded()
    now = datetime.now(UTC)
    if last is None or last <= now + TOLERANCE:
        return None
    return (
        f"the log is ahead of the real clock: its last event is stamped {last.isoformat(timespec='seconds')}, "
        f"{_span(last - now)} after this computer's clock ({now.isoformat(timespec='seconds')}); a clock that ran "
        "ahead recorded it, and every event recorded before that time is stamped with it"
    )


def _span(gap: timedelta) -> str:
    days, minutes = gap.days, gap.seconds // 60
    if days:
        return f"{days} day{'s' * (days != 1)}"
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
