"""Upkeep of the read models and of the proof that nothing was changed: catch-up, rebuild, status, follow,
wait, verify. For the command line, a projection worker and a host's scripts. Nothing here records but the reset
of a seal a person asks for, and nothing rebuilds the seal over a log that no longer matches it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from time import monotonic, sleep

from scrutiny_es.application.collector import collector_paused
from scrutiny_es.application.ports import Clock, EventLog, EventStore, Progress, ProjectionStatus, ReadModels
from scrutiny_es.application.reading import Reading
from scrutiny_es.application.recording import Receipt
from scrutiny_es.domain.dates import shown
from scrutiny_es.domain.errors import InvalidCommand, InvalidQuery, ScrutinyError, check_count
from scrutiny_es.domain.policy import BUILT_IN, Policy
from scrutiny_es.domain.seal import Seal
from scrutiny_es.domain.values import Actor
from scrutiny_es.projections.filters import AuditQuery
from scrutiny_es.projections.rows import AuditRow
from scrutiny_es.projections.seal import (
    SealDamaged,
    Sealed,
    StoredRow,
    Verification,
    chunked,
    fault_at,
    seal,
    verify,
)

FOLLOWED = 500
"""Audit entries ``follow`` reads at a time."""


class ProjectionsBehind(ScrutinyError):
    """The read models did not catch up in time: is ``scrutiny-es projections run`` running?"""


class SealBroken(ScrutinyError):
    """A rebuild of the seal found the log changed since it was sealed: only a person, saying why, may reseal it."""

    def __init__(self, message: str, fault: str) -> None:
        super().__init__(message)
        self.fault = fault
        """The first position that fails, and how: ``position 5: changed``."""


class Upkeep:
    """Keeps the read models and the seal, and waits on them."""

    def __init__(
        self,
        *,
        store: EventStore,
        read_models: ReadModels,
        reading: Reading,
        catch_up: bool,
        clock: Clock,
        policy: Policy = BUILT_IN,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._read_models = read_models
        self._reading = reading
        self._woken_by_store = catch_up and store.signals_events
        """Whether ``follow`` is woken by the store (the read models caught up by each read)."""

    @property
    def projections(self) -> tuple[str, ...]:
        return self._read_models.names

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        return self._read_models.catch_up(None if names is None else self._chosen(names))

    def _chosen(self, names: Iterable[str]) -> list[str]:
        """The read models a host named, each one of them; a name alone is refused, not read as its letters."""
        known = self._read_models.names
        if isinstance(names, str | bytes) or not isinstance(names, Iterable):
            msg = f"names must be a list of read models ({', '.join(known)}), not {shown(names)}"
            raise InvalidQuery(msg, field="names")
        chosen = list(names)
        for name in chosen:
            if name not in known:
                msg = f"names: {shown(name)} is not a read model; they are {', '.join(known)}"
                raise InvalidQuery(msg, field="names")
        return chosen

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        progress: Progress | None = None,
        *,
        reseal_reason: str | None = None,
        actor: Actor | Mapping[str, str] | None = None,
        before_swap: Callable[[], object] | None = None,
    ) -> None:
        """Rebuilds the read models; the seal's check of the log is made in the rebuild's own read of it, and a
        changed log stops the rebuild (``SealBroken``) before anything is swapped in. Only a reset, asked for
        or left unfinished, checks the whole log first: the reset must be recorded before the seal is made."""
        for name, given in (("progress", progress), ("before_swap", before_swap)):
            if given is not None and not callable(given):
                raise InvalidQuery(f"{name} must be a function to call, not {shown(given)}", field=name)
        chosen = sorted((None if names is None else self._chosen(names)) or self._read_models.names)
        if "seal" in chosen and (reseal_reason is not None or self._reset_last()):
            if self.keep_seal(reseal_reason, actor) is not None and len(chosen) > 1:
                self._read_models.rebuild(["seal"], progress)  # first and alone: it reads no event decoded
                chosen.remove("seal")
            self._read_models.rebuild(chosen, progress, _Gate(None, self._store.log, before_swap))
            return
        if "seal" not in chosen:
            self._read_models.rebuild(chosen, progress, _Gate(None, self._store.log, before_swap))
            return
        try:
            self._read_models.rebuild(chosen, progress, _Gate(self._read_models.sealed, self._store.log, before_swap))
        except SealBroken:
            raise
        except ScrutinyError:  # an event that cannot be read, say: if the log was changed, that is what is said
            found, _, _ = self._seal_check()
            if not found.ok:
                raise _refusal(found.fault or "") from None
            raise

    def _reset_last(self) -> bool:
        """Whether the last event in the log is a reset of the seal (whose rebuild may have been stopped)."""
        try:
            last = self._store.log.read(self._store.log.head() - 1, 1)
        except ScrutinyError:  # the last event cannot be read: no reset of this code's
            return False
        return bool(last) and type(last[-1][1]) is Seal.Reset

    def keep_seal(self, reseal_reason: str | None = None, actor: Actor | Mapping[str, str] | None = None) -> str | None:
        """Checks the log against the seal before the seal is made anew; returns what a reset is recorded for.

        A changed log is sealed again only when a person says why (``reseal_reason``, with the ``actor`` who
        resets it, whom the policy must let record every command): the reset is then recorded as an event,
        which the new seal holds. A reset recorded last in the log, for the same fault, lets a rebuild that
        was stopped finish.
        """
        found, sealed_until, sealed_digest = self._seal_check()
        if found.ok:
            return None
        try:
            last = self._store.log.read(self._store.log.head() - 1, 1)
        except ScrutinyError:  # the last event cannot be read: no reset of this code's
            last = []
        if last and type(last[-1][1]) is Seal.Reset and last[-1][1].found == found.fault:
            return found.fault  # reset already: a rebuild that was stopped is finishing
        if reseal_reason is not None and actor is None:
            raise InvalidCommand([("actor", "say who resets the seal: the reset records who, when and why")])
        if reseal_reason is None or actor is None:
            raise _refusal(found.fault or "")
        who = _actor(actor)
        self._policy.check(who.name, who.role, "reseal")
        now, latest = self._clock.now(), self._store.latest()
        reset = Seal.reset(
            after=self._store.log.head(), actor=who, at=max(now, latest) if latest else now, reason=reseal_reason,
            found=found.fault or "", sealed_until=sealed_until, sealed_digest=sealed_digest,
        )  # fmt: skip
        self._store.append(reset.collect_events())
        self._store.commit()
        return found.fault

    def _seal_check(self) -> tuple[Verification, int, str]:
        """The log checked against the seal as far as the seal reaches, and the seal's last position and digest."""
        found = self._recomputed(sealed_only=True)
        last = None
        try:
            for kept in chunked(self._read_models.sealed):
                if kept.stored_at is None:
                    break
                last = kept
        except SealDamaged:
            pass
        return found, (last.position if last else 0), (last.digest.hex() if last else "")

    def _recomputed(self, at: int | None = None, *, sealed_only: bool = False) -> Verification:
        """The seal's chain recomputed from the log as stored (``verify``), the seal first caught up.

        With the cycle collector paused, as a rebuild's read of the log is: the rows read are freed as they are
        sealed, and the collector, woken by their number, would walk every object the process holds (a host's,
        a script's) again and again, which took verify from 0.9 to 1.6 times the read of the log."""
        try:
            self._read_models.catch_up(["seal"])
            log = chunked(self._store.log.stored, after=-(2**63))  # every row: one put in before the first too
            with collector_paused():
                found, digest_at = verify(log, chunked(self._read_models.sealed), at, sealed_only=sealed_only)
        except SealDamaged as e:
            return Verification(e.position - 1, e.position - 1, "", str(e))
        if digest_at is not None:
            return replace(found, at=at, at_digest=digest_at.hex())
        return found

    def projection_status(self) -> list[ProjectionStatus]:
        return self._read_models.status()

    @property
    def read_only(self) -> bool:
        return self._read_models.read_only

    def wait_for_events(self, timeout: float) -> bool:
        _check_seconds("timeout", timeout)
        return self._store.wait_for_events(timeout)

    def verify(self, at: int | None = None, digest: str | None = None) -> Verification:
        check_count("at", at, 1, 2**62, optional=True)
        if digest is not None and not isinstance(digest, str):
            raise InvalidQuery(f"digest must be the digest published, as text, not {shown(digest)}", field="digest")
        found = self._recomputed(at)
        if at is None or found.at != at:
            if found.ok and at is not None:
                return replace(found, fault=f"position {at}: not in the log (it holds {found.events} events)")
            return found
        if found.at_digest != (digest or "").strip().lower():
            fault = f"position {at}: its digest is {found.at_digest}, not the one published"
            return replace(found, events=at, position=at, digest=found.at_digest or "", fault=fault)
        return found

    def follow(self, after: int = 0, timeout: float = 10.0, *, poll: float = 0.2) -> Iterator[AuditRow]:
        check_count("after", after, 0, 2**62)
        _check_seconds("timeout", timeout)
        _check_seconds("poll", poll)
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
        if not isinstance(receipt, Receipt):
            msg = f"receipt must be a Receipt that execute returned, not {shown(receipt)}"
            raise InvalidQuery(msg, field="receipt")
        _check_seconds("timeout", timeout)
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


def _check_seconds(name: str, value: object) -> None:
    """``InvalidQuery`` unless ``value`` is a number of seconds to wait: 0 or more, and finite."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
        raise InvalidQuery(f"{name} must be a number of seconds, 0 or more, not {shown(value)}", field=name)


class _Gate:
    """A rebuild's check of the log against the seal it replaces, made as the new seal is made: each event against
    what the old seal kept at the same position, as far as that reaches (later events were not yet sealed), then,
    once the log is read to its end, those recorded meanwhile and any the old seal holds beyond them. The first
    fault stops the rebuild before its tables are swapped in; then ``before_swap`` has its say."""

    def __init__(
        self,
        old_seal: Callable[[int, int], list[Sealed]] | None,
        log: EventLog,
        before_swap: Callable[[], object] | None,
    ) -> None:
        self._old_seal = old_seal
        """The old seal's entries after a position (None: the seal is not rebuilt, and nothing is checked)."""
        self._log = log
        self._before_swap = before_swap
        self._kept: list[Sealed] = []
        """What the old seal kept from the next position asked about on, as far as read."""
        self._done = old_seal is None
        self._last: tuple[int, StoredRow, bytes] | None = None

    def sealed(self, first: int, rows: Sequence[StoredRow], digests: Sequence[bytes]) -> None:
        if not rows:
            return
        self._last = (first + len(rows) - 1, rows[-1], digests[-1])
        if self._done:
            return
        kept = self._take(first, len(rows))
        # Mostly all match: checked in one pass, and only a run that does not is gone through event by event.
        if len(kept) == len(rows) and all(
            k.digest == digest and k.stored_at == row[0] for k, row, digest in zip(kept, rows, digests, strict=True)
        ):
            return
        for n, (row, digest) in enumerate(zip(rows, digests, strict=True)):
            if n == len(kept):  # the old seal ends here: what follows was not yet sealed
                self._done = True
                return
            if (fault := fault_at(row, kept[n], first + n, digest)) is not None:
                raise _refusal(fault)

    def finish(self) -> None:
        if not self._done and self._last is not None:
            position, row, digest = self._last
            rows = chunked(self._log.stored, after=row[0])
            while kept := self._take(position + 1, 1):
                position += 1
                found = next(rows, None)
                digest = digest if found is None else seal(digest, found)
                if (fault := fault_at(found, kept[0], position, digest)) is not None:
                    raise _refusal(fault)
            self._done = True
        if self._before_swap is not None:
            self._before_swap()

    def _take(self, first: int, count: int) -> list[Sealed]:
        """What the old seal kept at ``first`` and the ``count - 1`` positions after it (fewer where it ends);
        asked in order, each run starting where the last ended."""
        if self._old_seal is None:
            return []
        try:
            while len(self._kept) < count:
                more = self._old_seal(self._kept[-1].position if self._kept else first - 1, max(count, _OLD_SEAL_READ))
                if not more:
                    break
                self._kept.extend(more)
        except SealDamaged as e:
            raise _refusal(str(e)) from None
        taken, self._kept = self._kept[:count], self._kept[count:]
        return taken


_OLD_SEAL_READ = 5_000
"""Entries of the old seal read at a time."""


def _refusal(fault: str) -> SealBroken:
    msg = (
        f"the log no longer matches its seal: {fault}. The seal was kept as it is; to seal the log "
        'as it now stands, a person must say why: projections rebuild --reseal --reason "..." '
        "(with --actor-id, --actor-name and --actor-role)"
    )
    return SealBroken(msg, fault)


def _actor(given: Actor | Mapping[str, str]) -> Actor:
    """Who resets the seal, checked as a command's actor is."""
    from pydantic import ValidationError  # here: a process that only reports does without pydantic

    from scrutiny_es.domain.fields import Actor as ActorFields

    if isinstance(given, Actor):
        given = {"id": given.id, "name": given.name, "role": given.role}
    try:
        actor = ActorFields.model_validate(given)
    except ValidationError as e:
        fields = [("actor." + ".".join(str(part) for part in error["loc"]), error["msg"]) for error in e.errors()]
        raise InvalidCommand(fields) from None
    return Actor(actor.id, actor.name, actor.role)
