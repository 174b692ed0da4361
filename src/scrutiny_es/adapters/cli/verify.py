"""``scrutiny-es verify``: the seal's hash chain recomputed from the events as stored.

Exit 0 and ``verified N events; position P digest HEX`` when every stored event is as it was
sealed (and, with ``--at P --digest D``, the log up to P has the digest published); exit 3 and the
first position that fails, and how, when not.
"""

from __future__ import annotations

import argparse
import sys

from scrutiny_es.application import ScrutinyService

TAMPERED = 3


def verify(args: argparse.Namespace) -> int:
    if (args.at is None) != (args.digest is None):
        print("scrutiny-es: give --at and --digest together", file=sys.stderr)
        return 2
    app: ScrutinyService = args.open(args.db)
    found = app.verify(at=args.at, digest=args.digest)
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
