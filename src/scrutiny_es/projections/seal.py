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

from scrutiny_es.domain.errors import ScrutinyError

ZERO = bytes(32)


class SealDamaged(ScrutinyError):
    """The seal itself was changed (its layout row, a row of its table): it cannot vouch for the log."""

    def __init__(self, message: str, position: int = 1) -> None:
        super().__init__(message)
        self.position = position
        """The first position the seal can no longer vouch for."""


StoredRow = tuple[int, Any, int, str, bytes]
"""An event as the store holds it: its place in the store (an id), aggregate id, version, topic, JSON."""


class Sealed(NamedTuple):
    """A sealed event: its position (1, 2, 3... in the order recorded), its place in the store, its digest."""

    position: int
    stored_at: int | None
    """None where the seal's own row was changed so that its places cannot be read."""
    digest: bytes


def seal(previous: bytes, row: StoredRow) -> bytes:
    """The digest of the chain up to ``row``, following ``previous``.

    Written for speed, as a rebuild seals every event: the topic's bytes are kept, and SQLite's
    32 hex digits (and a PostgreSQL UUID's) are hyphenated by slicing, as ``str(UUID)`` would write them,
    rather than parsed.
    A column holding what the store never writes (a state turned TEXT, a version written as text, an id
    that is no UUID) is sealed in a form no written event has (``_odd``): it reads as changed, never as a fault.
    """
    _, originator_id, version, topic, state = row
    name: bytes | None
    if topic.__class__ is not str:
        name = _odd(topic)
    elif (name := _TOPICS.get(topic)) is None:
        name = _TOPICS[topic] = topic.encode(errors="surrogatepass")
    if state.__class__ is not bytes:
        state = _odd(state)
    identity = _IDENTITIES.get(originator_id)  # an item's events follow each other closely
    if identity is None:
        identity = _identity(originator_id)
    if version.__class__ is int:
        event = b"%b\n%d\n%b\n%b" % (identity, version, name, state)
    else:
        event = b"%b\n%b\n%b\n%b" % (identity, _odd(version), name, state)
    return sha256(previous + event).digest()


def _identity(originator_id: Any) -> bytes:
    """An aggregate's id as the chain writes it, kept for its next events (at most ``_KEPT_IDS`` at a time) when it
    is one the store writes."""
    if originator_id.__class__ is str and len(originator_id) == 32 and originator_id.islower():
        i = originator_id.encode(errors="surrogatepass")
    elif originator_id.__class__ is UUID:  # PostgreSQL's: its number's 32 hex digits, hyphenated alike
        i = b"%032x" % originator_id.int
    else:
        try:
            return str(UUID(str(originator_id))).encode()
        except ValueError:
            return _odd(originator_id)
    if len(_IDENTITIES) >= _KEPT_IDS:
        _IDENTITIES.clear()
    identity = _IDENTITIES[originator_id] = b"%b-%b-%b-%b-%b" % (i[:8], i[8:12], i[12:16], i[16:20], i[20:])
    return identity


_IDENTITIES: dict[str | UUID, bytes] = {}
_KEPT_IDS = 50_000


def _odd(value: Any) -> bytes:
    """A column's value the store never writes, as bytes no written event holds: a NUL, its type, its repr."""
    return b"\0%b\0%b" % (type(value).__name__.encode(), repr(value).encode("utf-8", "backslashreplace"))


_TOPICS: dict[str, bytes] = {}


@dataclass(frozen=True)
class Verification:
    """What recomputing the chain found: how many events, the last position and its digest, or the first fault."""

    events: int
    position: int
    digest: str
    fault: str | None = None
    """The first position that fails, and how: ``position 17: changed`` / ``missing`` / ``not sealed``."""
    at: int | None = None
    """A position asked about (``verify --at``) whose digest was found: then ``at_digest``, its digest."""
    at_digest: str | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None


def verify(
    log: Iterable[StoredRow], sealed: Iterable[Sealed], at: int | None = None, *, sealed_only: bool = False
) -> tuple[Verification, bytes | None]:
    """Recomputes the chain of ``log`` against what was ``sealed``; also the digest at position ``at``.

    With ``sealed_only``, events after
    the last one sealed are not yet sealed rather than a fault (a rebuild's check: catching up seals them).
    """
    stored, seals = iter(log), iter(sealed)
    row, kept = next(stored, None), next(seals, None)
    digest, position, at_digest = ZERO, 0, None
    while row is not None or kept is not None:
        if sealed_only and kept is None:
            break
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


def fault_at(row: StoredRow | None, kept: Sealed, position: int, digest: bytes) -> str | None:
    """What ``verify`` finds at one position: the event as stored (None: the log has no more), what the seal
    kept there, and the digest the chain gives the event."""
    return _fault(row, kept, position) or (None if digest == kept.digest else f"position {position}: changed")


def _fault(row: StoredRow | None, kept: Sealed | None, position: int) -> str | None:
    if kept is None or (row is not None and kept.stored_at is not None and row[0] < kept.stored_at):
        return f"position {position}: not sealed"
    if row is None or (kept.stored_at is not None and row[0] > kept.stored_at):
        return f"position {position}: missing"
    return None


def chunked(read: Any, after: int = 0, size: int = 5_000) -> Iterator[Any]:
    """Every row ``read(after, limit)`` gives, a chunk at a time, by the rows' first field."""
    while rows := read(after, size):
        yield from rows
        after = rows[-1][0]
