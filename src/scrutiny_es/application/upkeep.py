"""Upkeep of the read models and of the proof that nothing was changed: catch-up, rebuild, status, follow,
wait, verify. For the command line, a projection worker and a host's scripts; nothing here records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from time import monotonic, sleep

from scrutiny_es.application.ports import EventStore, Progress, ProjectionStatus, ReadModels
from scrutiny_es.application.reading import Reading
from scrutiny_es.application.recording import Receipt
from scrutiny_es.domain.errors import ScrutinyError, check_count
from scrutiny_es.projections.filters import AuditQuery
from scrutiny_es.projections.rows import AuditRow
from scrutiny_es.projections.seal import Verification, chunked, verify

FOLLOWED = 500
"""Audit entries ``follow`` reads at a time."""


class ProjectionsBehind(ScrutinyError):
    """The read models did not catch up in time: is ``scrutiny-es projections run`` running?"""


class Upkeep:
    """Keeps the read models and the seal, and waits on them."""

    def __init__(self, *, store: EventStore, read_models: ReadModels, reading: Reading, catch_up: bool) -> None:
        self._store = store
        self._read_models = read_models
        self._reading = reading
        self._woken_by_store = catch_up and store.signals_events
        """Whether ``follow`` is woken by the store (the read models caught up by each read)."""

    @property
    def projections(self) -> tuple[str, ...]:
        return self._read_models.names

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        return self._read_models.catch_up(names)

    def rebuild(self, names: Iterable[str] | None = None, progress: Progress | None = None) -> None:
        self._read_models.rebuild(names, progress)

    def projection_status(self) -> list[ProjectionStatus]:
        return self._read_models.status()

    @property
    def read_only(self) -> bool:
        return self._read_models.read_only

    def wait_for_events(self, timeout: float) -> bool:
        return self._store.wait_for_events(timeout)

    def verify(self, at: int | None = None, digest: str | None = None) -> Verification:
        self._read_models.catch_up(["seal"])
        log = chunked(self._store.log.stored, after=-(2**63))  # every row: one put in before the first too
        sealed = chunked(lambda after, limit: self._read_models.sealed(after, limit))
        found, digest_at = verify(log, sealed, at)
        if found.ok and at is not None:
            if digest_at is None:
                return replace(found, fault=f"position {at}: not in the log (it holds {found.events} events)")
            if digest_at.hex() != (digest or "").strip().lower():
                return replace(found, fault=f"position {at}: its digest is {digest_at.hex()}, not the one published")
        return found

    def follow(self, after: int = 0, timeout: float = 10.0, *, poll: float = 0.2) -> Iterator[AuditRow]:
        check_count("after", after, 0, 2**62)
        woken = self._woken_by_store
        if woken:
            self._store.wait_for_events(0)  # listening before the first read: nothing recorded after it is missed
        deadline = monotonic() + timeout
        while True:
            entries = self._reading.audit(AuditQuery(after=after, limit=FOLLOWED))
            if entries:
                yield from entries
                after = entries[-1].position
                deadline = monotonic() + timeout
                continue
            left = deadline - monotonic()
            if left <= 0:
                return
            self._store.wait_for_events(left if woken else min(left, poll))

    def wait_for(self, receipt: Receipt, timeout: float = 10.0) -> None:
        deadline = monotonic() + timeout
        pause = 0.005
        while receipt.position is not None:
            if min(s.applied for s in self._read_models.status()) >= receipt.position:
                return
            if monotonic() > deadline:
                msg = f"the read models had not caught up with position {receipt.position} after {timeout} s"
                raise ProjectionsBehind(msg)
            sleep(pause)
            pause = min(pause * 2, 0.1)
