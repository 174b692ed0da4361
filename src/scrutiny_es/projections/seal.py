"""The seal: every stored event in a hash chain, so that a change to history after it was sealed shows.

``digest(n) = SHA-256(digest(n-1) + event n as stored)``, ``digest(0)`` being 32 zero bytes. An event
as stored is its aggregate's id (hyphenated, whatever the database keeps), its version, its topic
and its JSON, exactly as written. Publishing the digest at a position (in a meeting's minutes,
say) fixes everything up to it: an auditor recomputes the chain from the log and compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, NamedTuple
from uuid import UUID

ZERO = bytes(32)

StoredRow = tuple[int, Any, int, str, bytes]
"""An event as the store holds it: its place in the store (an id), aggregate id, version, topic, JSON."""


class Sealed(NamedTuple):
    """A sealed event: its position (1, 2, 3... in the order recorded), its place in the store, its digest."""

    position: int
    stored_at: int
    digest: bytes


def seal(previous: bytes, row: StoredRow) -> bytes:
    """The digest of the chain up to ``row``, following ``previous``.

    Written for speed, as a rebuild seals every event: the topic's bytes are kept, and SQLite's
    32 hex digits are hyphenated by slicing, as ``str(UUID)`` would write them, rather than parsed.
    """
    _, originator_id, version, topic, state = row
    name = _TOPICS.get(topic)
    if name is None:
        name = _TOPICS[topic] = topic.encode()
    if originator_id.__class__ is str and len(originator_id) == 32 and originator_id.islower():
        i = originator_id.encode()
        event = b"%b-%b-%b-%b-%b\n%d\n%b\n%b" % (i[:8], i[8:12], i[12:16], i[16:20], i[20:], version, name, state)
    else:
        event = b"%b\n%d\n%b\n%b" % (str(UUID(str(originator_id))).encode(), version, name, state)
    return sha256(previous + event).digest()


_TOPICS: dict[str, bytes] = {}


@dataclass(frozen=True)
class Verification:
    """What recomputing the chain found: how many events, the last position and its digest, or the first fault."""

    events: int
    position: int
    digest: str
    fault: str | None = None
    """The first position that fails, and how: ``position 17: changed`` / ``missing`` / ``not sealed``."""

    @property
    def ok(self) -> bool:
        return self.fault is None


def verify(
    log: Iterable[StoredRow], sealed: Iterable[Sealed], at: int | None = None
) -> tuple[Verification, bytes | None]:
    """Recomputes the chain of ``log`` against what was ``sealed``; also the digest at position ``at``."""
    stored, seals = iter(log), iter(sealed)
    row, kept = next(stored, None), next(seals, None)
    digest, position, at_digest = ZERO, 0, None
    while row is not None or kept is not None:
        position += 1
        fault = _fault(row, kept, position)
        if fault is not None or row is None or kept is None:
            return Verification(position - 1, position - 1, digest.hex(), fault), at_digest
        digest = seal(digest, row)
        if digest != kept.digest:
            return Verification(position - 1, position - 1, digest.hex(), f"position {position}: changed"), at_digest
        if position == at:
            at_digest = digest
        row, kept = next(stored, None), next(seals, None)
    return Verification(position, position, digest.hex()), at_digest


def _fault(row: StoredRow | None, kept: Sealed | None, position: int) -> str | None:
    if kept is None or (row is not None and row[0] < kept.stored_at):
        return f"position {position}: not sealed"
    if row is None or row[0] > kept.stored_at:
        return f"position {position}: missing"
    return None


def chunked(read: Any, after: int = 0, size: int = 5_000) -> Iterator[Any]:
    """Every row ``read(after, limit)`` gives, a chunk at a time, by the rows' first field."""
    while rows := read(after, size):
        yield from rows
        after = rows[-1][0]
