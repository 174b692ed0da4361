"""Recording: commands in, events saved, in one transaction, or nothing.

Each command is validated, checked against the rules by its aggregate and appended with
the others of its batch; a command that breaks a rule writes nothing of the batch. The
recorder reads only the event store, never a read model: a fact named by its position and a
command recorded before are found in the store's own index of positions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from time import sleep
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast
from uuid import UUID

from scrutiny_es.application import handlers
from scrutiny_es.application.collector import collector_paused
from scrutiny_es.application.finding import find_item
from scrutiny_es.application.ports import Clock, Conflict, EventStore, Keyed, LogIsAhead, Outdated, Recorded
from scrutiny_es.application.receipts import Earlier, receipts
from scrutiny_es.application.receipts import Receipt as Receipt  # where its users import it from
from scrutiny_es.application.repeats import body_repeat, command_digest, same_making
from scrutiny_es.application.times import RecordingTime
from scrutiny_es.domain.dates import shown
from scrutiny_es.domain.errors import (
    BodyAlreadyRegistered,
    BodyNotFound,
    CannotCorrect,
    CommandIdReused,
    ConcurrentChange,
    DuplicateRecommendation,
    EventTooNew,
    InvalidCommand,
    InvalidQuery,
    LaterTransfer,
    ScrutinyError,
    check_count,
)
from scrutiny_es.domain.model import Actor, Addressee, Body, Recommendation, body_id
from scrutiny_es.domain.policy import Policy

if TYPE_CHECKING:  # loaded by the first command: a process that only reports does without pydantic's models
    from scrutiny_es.domain import commands as c
    from scrutiny_es.domain import fields


class BatchRejected(ScrutinyError):
    """A command of a batch broke a rule, so nothing of the batch was written."""

    def __init__(self, index: int, error: ScrutinyError) -> None:
        self.index = index
        self.error = error
        super().__init__(f"command {index + 1} of the batch: {error}", field=error.field)


@dataclass
class Batch:
    """Commands being recorded together: the aggregates they changed, not yet saved."""

    changed: dict[UUID, Body | Recommendation]
    check_new: bool
    """Whether new items are looked up in the store first. A bulk batch skips it on its first try:
    the store's uniqueness rejects a duplicate, and the retry then names it. A batch in a host's transaction
    cannot be tried again (the clash fails the transaction), so it always looks."""
    saved: dict[UUID, Body | Recommendation]
    """What the previous batch saved, each taken up once instead of replayed from the store (so a
    retry replays it). Should another writer have changed one since, this batch's events clash
    with theirs in the store, and the batch is tried again."""
    kept: dict[UUID, int] = field(default_factory=dict)
    """The bodies taken from those kept from earlier batches, each by the version kept (see ``body_aggregate``)."""
    alongside: list[Body] = field(default_factory=list)
    """Bodies the command being handled changed besides its own aggregate (the body an item is transferred to)."""
    named: dict[str, Body] = field(default_factory=dict)
    """The bodies found so far in the batch or the keeping, by code: the same object ``body_aggregate`` would find
    again (one changed is changed in place), without working out its id and looking it up each time it is named."""


Done = TypeVar("Done")

MAX_ATTEMPTS = 20
"""How many times a command is tried when another writer changes the same item first."""

BACK_OFF = 0.003
"""Seconds: the longest wait after a first clash; after the n-th, n times as long."""


class Recording:
    """Records commands against the event store, under the policy, at the clock's time."""

    def __init__(self, *, store: EventStore, clock: Clock, policy: Policy, host_transaction: bool) -> None:
        """``host_transaction``: commands are written in a host's transaction, which may yet be rolled back,
        and which cannot be tried again here when another writer clashes with it."""
        self._store = store
        self._clock = clock
        self._policy = policy
        self._host_transaction = host_transaction
        self._bodies: dict[UUID, Body] = {}
        self._saved: dict[UUID, Body | Recommendation] = {}
        """The aggregates the last batch saved (see ``Batch.saved``)."""
        self._time = RecordingTime(clock, store.latest)

    def execute_many(self, commands: Sequence[c.AnyCommand | dict[str, Any] | str]) -> list[Receipt]:
        """Records several commands in one transaction, in order: all of them, or none.

        A command that breaks a rule raises ``BatchRejected`` with its index, and nothing of
        the batch is written. When another writer changes an item first, the batch is tried
        again from the start, up to ``MAX_ATTEMPTS`` times.
        """
        with collector_paused():
            return self._record_batch(batch_of(commands))

    def unit_of_work(self, work: Callable[[], Done], *, attempts: int = MAX_ATTEMPTS) -> Done:
        """Runs a host's unit of work (its own writes and the commands it records) and commits it; when another
        writer changed the same item first (``ConcurrentChange``), rolls it back and runs it again, up to
        ``attempts`` times in all. Returns what ``work`` returned.

        With a host's session (``Scrutiny(session=...)``) the work is one transaction of the session,
        committed here, or rolled back if it raises. ``work`` must therefore do all of its writing again
        when run again: read the form, not what an earlier try left. Without a session each command is a
        transaction of its own, tried again by ``execute`` itself; the work then simply runs once.
        """
        check_count("attempts", attempts, 1, 1000)
        if not callable(work):
            raise InvalidQuery(f"work must be a function to run, not {shown(work)}", field="work")
        tried = 0
        while True:
            tried += 1
            try:
                done = work()
                self._store.commit()
            except ConcurrentChange:
                self._store.rollback()
                if tried == attempts:
                    raise
                _back_off(tried)
            except BaseException:
                self._store.rollback()
                raise
            else:
                return done

    def body_aggregate(self, code: str, batch: Batch) -> Body:
        """The registered body with this code: kept once read. One kept is not read again: the store checks, as it
        appends the batch, that no other process changed it since (renamed, dissolved, given an item), and a
        batch refused is looked at again (see ``_outdated``)."""
        found: Any = batch.named.get(code)
        if found is not None:
            return found  # type: ignore[no-any-return]
        key = body_id(code)
        found = batch.changed.get(key)
        if found is None:
            found = self._bodies.get(key)
            if found is not None:
                batch.kept[key] = found.version
            else:  # not remembered by code: found again, it is then taken from the keeping, as kept (see ``kept``)
                found = self._store.load(key)
                if isinstance(found, Body) and not self._host_transaction:
                    # Only once committed: a batch that registers it, or a host's transaction, may yet be rolled back.
                    self._bodies[key] = found
                if isinstance(found, Body):
                    return found
        if not isinstance(found, Body):
            raise BodyNotFound.of(code)
        batch.named[code] = found
        return found

    def _outdated(self, batch: Batch) -> bool:
        """Whether a body the batch took from the keeping was changed by another process since; those are forgotten.
        Asked where the store does not check it: when the batch is refused, or writes nothing."""
        changed = [key for key, version in batch.kept.items() if self._store.version(key) != version]
        self._forget(changed)
        return bool(changed)

    def _forget(self, keys: Iterable[UUID]) -> None:
        for key in keys:
            self._bodies.pop(key, None)

    def _record_batch(self, commands: Sequence[c.AnyCommand | dict[str, Any] | str]) -> list[Receipt]:
        from scrutiny_es.domain.commands import parse_command

        parsed = []
        for index, command in enumerate(commands):
            try:
                parsed.append(parse_command(command))
            except ScrutinyError as e:
                raise BatchRejected(index, e) from None
        saved, self._saved = self._saved, {}  # a batch rejected part way leaves its aggregates changed
        actors: dict[tuple[str, str, str], Actor] = {}
        digests = {i: command_digest(cmd) for i, cmd in enumerate(parsed) if cmd.command_id is not None}
        check, now, handle = self._policy.check, self._time.now, self._handle  # looked up once, not per command
        for attempt in range(MAX_ATTEMPTS):
            check_new = attempt > 0 or len(parsed) == 1 or self._host_transaction
            batch = Batch({}, check_new=check_new, saved=saved)
            tools = _BatchTools(
                partial(self._recorded_item, batch=batch),
                partial(self._body_named, batch=batch),
                _BatchBodies(self, batch),
            )  # once a batch; not kept by it, which would make a cycle
            recorded = self._store.recorded([parsed[i].command_id or "" for i in digests]) if digests else {}
            events: list[Any] = []
            ends = []  # where each command's events end in `events`
            earlier: dict[int, Earlier] = {}
            keyed: list[Keyed] = []  # the commands with a key, for the store to keep
            keys_here: dict[str, int] = {}
            for index, cmd in enumerate(parsed):
                try:
                    actor = _actor(cmd.actor, actors)
                    check(actor.name, actor.role, cmd.command)  # before anything says what exists
                    key = cmd.command_id
                    before = None if key is None else _recorded_before(index, cmd, digests, recorded, keys_here)
                    if before is None:
                        real, stamp = now()
                        found = handle(cmd, actor, real, batch, tools)
                    else:
                        found = before
                except ScrutinyError as e:
                    if self._outdated(batch):
                        break
                    raise BatchRejected(index, e) from None
                if isinstance(found, Earlier):
                    earlier[index] = found
                    if before is None and key is not None and found.receipt and found.receipt.position is not None:
                        # the same command in force, recorded without this key: the key is kept, naming it
                        names = ",".join(found.receipt.events)
                        keyed.append((key, digests[index], -found.receipt.position, names))
                        keys_here[key] = index
                else:
                    batch.changed[found.id] = found
                    new = found.collect_events()
                    if batch.alongside:  # a transfer's receiving body: its event first, the item's last
                        new = [e for body in batch.alongside for e in body.collect_events()] + [*new]
                        batch.alongside.clear()
                    if stamp is not real:  # the log ran ahead of the clock: the events follow it, the rules do not
                        new = [replace(cast(Any, event), timestamp=stamp) for event in new]
                    events += new
                    if key is not None:
                        names = ",".join([type(e).__name__ for e in new])
                        keyed.append((key, digests[index], len(events) - 1, names))
                        keys_here[key] = index
                ends.append(len(events))
            if len(ends) < len(parsed) or (not events and self._outdated(batch)):
                continue  # judged on a body changed since (refused, or found recorded before): judged again
            try:
                positions = self._store.append(events, keyed, batch.kept)
            except LogIsAhead as e:
                self._time.follow(e.latest)  # another process recorded later meanwhile: the batch follows it
                continue
            except Outdated as e:
                self._forget(e.keys)
                continue
            except Conflict:
                self._forget(batch.kept)  # perhaps changed too
                if self._host_transaction:  # it failed with the clash: the host must roll back
                    msg = "another writer changed the same item; roll back and try again"
                    raise ConcurrentChange(msg) from None
                _back_off(attempt + 1)
                continue
            if not self._host_transaction:  # a host's transaction may yet be rolled back
                self._saved = batch.changed
                self._bodies.update((key, body) for key, body in batch.changed.items() if type(body) is Body)
            if events:
                self._time.follow(events[-1].timestamp)
            return receipts(parsed, ends, events, positions, earlier)
        msg = f"the items were changed by someone else {MAX_ATTEMPTS} times while this was being recorded; try again"
        raise ConcurrentChange(msg)

    def _earlier(self, item: Recommendation, version: int) -> Earlier:
        """The receipt of the item's event ``version``, recorded before by the same command.

        Its position is the store's; in a host's transaction not yet committed the store's index is read in
        that transaction, so an earlier command of the same transaction is found too.
        """
        position = self._store.positions(item.id).get(version)
        name = type(item.recorded[version]).__name__
        return Earlier(Receipt(item.history.body, item.history.ref, (name,), position, True))

    def _fact_version(self, item: Recommendation, position: int) -> int:
        """The item's event at the log's ``position``: corrections and retractions name facts by it."""
        found = self._store.fact_at(position)
        if found is None or found[0] != item.id:
            msg = f"position {position} of the audit trail is not a fact of {item.history.ref}"
            raise CannotCorrect(msg, field="position")
        return found[1]

    def _recorded_item(self, key: UUID, *, batch: Batch) -> Recommendation | None:
        return batch.changed.get(key) or batch.saved.pop(key, None) or self._store.load(key)  # type: ignore[return-value]

    def _body_named(self, code: str, field: str, *, batch: Batch) -> Body:
        """The registered body a command names in ``field``."""
        try:
            return self.body_aggregate(code, batch)
        except BodyNotFound:
            raise BodyNotFound.of(code, field) from None

    def _exists(self, key: UUID, batch: Batch) -> bool:
        """Whether a new aggregate's identity is taken (see ``Batch.check_new``)."""
        return key in batch.changed or key in batch.saved or (batch.check_new and self._store.load(key) is not None)

    @staticmethod
    def _may_exist(key: UUID, batch: Batch) -> bool:
        """Whether a new aggregate's identity is to be looked for (see ``Batch.check_new``): loaded once, by the
        caller, rather than once to ask and again to read."""
        return key in batch.changed or key in batch.saved or batch.check_new

    def _handle(
        self, cmd: Any, actor: Actor, at: datetime, batch: Batch, tools: _BatchTools
    ) -> Body | Recommendation | Earlier:
        """The aggregate the command changed, its new events pending; or the same command recorded before."""
        kind = handlers.path(cmd.__class__)
        if kind == handlers.ON_ITEM:
            return self._change(cmd, actor, at, batch, tools)  # its role checked, and its own items with the item
        if kind == handlers.MAKING:
            return self._make_recommendation(cmd, actor, at, batch)
        from scrutiny_es.domain import commands as c

        key = body_id(cmd.body)
        if key not in batch.changed:
            events = self._store.events(key)  # a body's are few: a command sent again is recognised
            version = body_repeat(cmd, actor, events)
            if version is not None:
                name = type(events[version - 1]).__name__
                position = self._store.positions(key).get(version)
                return Earlier(Receipt(cmd.body, None, (name,), position, True))
        if isinstance(cmd, c.RegisterBody):
            return self._register_body(cmd, actor, at, batch)
        body = self._calendar(cmd.body, batch)
        if isinstance(cmd, c.ScheduleMeeting):
            body.schedule_meeting(meeting_date=cmd.meeting_date, name=cmd.name, actor=actor, at=at)
        elif isinstance(cmd, c.CancelMeeting):
            body.cancel_meeting(meeting_date=cmd.meeting_date, reason=cmd.reason, actor=actor, at=at)
        elif isinstance(cmd, c.RenameBody):
            body.rename(name=cmd.name, from_=cmd.from_, actor=actor, at=at)
        elif isinstance(cmd, c.DissolveBody):
            if cmd.successor is not None:
                self._successor(cmd.successor, batch)
            body.dissolve(decided_on=cmd.decided_on, successor=cmd.successor, actor=actor, at=at)
        else:  # a command of the contract with no handler here is a fault of the library, not of the caller
            msg = f"no handler records the command {cmd.command!r}"
            raise TypeError(msg)
        return body

    def _register_body(self, cmd: c.RegisterBody, actor: Actor, at: datetime, batch: Batch) -> Body:
        if self._exists(body_id(cmd.body), batch):
            msg = f"a body with the code {cmd.body} is already registered"
            raise BodyAlreadyRegistered(msg, field="body")
        return Body.register(
            code=cmd.body, name=cmd.name, council=cmd.council, deadlines=cmd.deadlines, actor=actor, at=at,
            regime=cmd.regime, municipal_year_starts=cmd.municipal_year_starts,
        )  # fmt: skip

    def _make_recommendation(
        self, cmd: c.MakeRecommendation, actor: Actor, at: datetime, batch: Batch
    ) -> Recommendation | Earlier:
        made = Recommendation.make(
            body=self.body_aggregate(cmd.body, batch),
            ref=cmd.ref,
            kind=cmd.kind,
            meeting_date=cmd.meeting_date,
            item=cmd.item,
            minute=cmd.minute,
            text=cmd.text,
            addressees=[Addressee(a.name, a.kind, a.role) for a in cmd.addressees],
            target_date=cmd.target_date,
            actor=actor,
            at=at,
            exempt=cmd.exempt,
        )
        existing = self._recorded_item(made.id, batch=batch) if self._may_exist(made.id, batch) else None
        if existing is not None:
            if same_making(existing.recorded[1], made.recorded[1]):
                return self._earlier(existing, 1)
            msg = f"{cmd.body} already has an item with the reference {cmd.ref}; choose another reference"
            raise DuplicateRecommendation(msg, field="ref")
        return made

    def _successor(self, code: str, batch: Batch) -> None:
        """A dissolved body's successor is registered and still sits."""
        self._body_named(code, "successor", batch=batch).still_sitting("successor")

    def _calendar(self, code: str, batch: Batch, field: str = "body") -> Body:
        """A body a command changes: the latest (see ``body_aggregate``), out of the keeping until the batch is
        saved (a batch refused, or tried again, leaves nothing of its changes in what is kept)."""
        body = self._body_named(code, field, batch=batch)
        self._bodies.pop(body.id, None)
        return body

    def _change(
        self, cmd: c.ItemCommand, actor: Actor, at: datetime, batch: Batch, tools: _BatchTools
    ) -> Recommendation | Earlier:
        """A command on an existing item, through its row of ``handlers``.

        A fact named by its position in the log is found as the item's event ``version``; a command the same
        actor already recorded on the item, and still in force, is not recorded again.
        """
        try:
            item, gone = find_item(cmd.body, cmd.ref, cmd.origin, load=tools.load, holder=tools.holder)
        except EventTooNew as e:  # said of the item the clerk named, not of its id
            msg = f"{cmd.body}/{cmd.ref} holds an event from a newer scrutiny_es ({e.reason}): upgrade to record on it"
            raise EventTooNew(msg, e.reason) from None
        name: str = cmd.command  # type: ignore[attr-defined]
        given = cmd.__dict__  # a model_dump of the fields the method takes, at a fraction of its cost
        fields = {key: given[key] for key in handlers.method_fields(type(cmd))}
        addressees = [a.name for a in item.addressees]
        named = getattr(fields.get("addressee"), "name", fields.get("addressee"))  # add_addressee's is an Addressee
        self._policy.check_item(actor.name, actor.role, name, addressees, named, actor_id=actor.id)
        try:
            if name == "retract":
                retracted = fields["version"] = self._fact_version(item, fields["position"])
            elif name == "correct":
                position = fields["position"]
                corrected = fields["version"] = None if position is None else self._fact_version(item, position)
        except CannotCorrect:
            if gone is not None:  # an item gone elsewhere: say where first
                raise gone from None
            raise
        same = item.identical(name, fields, actor)
        if same is not None:
            return self._earlier(item, same)
        if gone is not None:
            raise gone
        if name == "retract":
            try:
                handlers.retract(item, cmd, retracted, actor, at)  # type: ignore[arg-type]
            except LaterTransfer as e:  # the clerk is told the later transfer by its position
                raise e.naming(self._store.positions(item.id).get(e.later)) from None
        elif name == "correct":
            handlers.correct(item, cmd, corrected, actor, at)  # type: ignore[arg-type]
        else:
            handlers.item_decisions()[type(cmd)](item, cmd, actor, at, tools.bodies)
        return item


class _BatchTools(NamedTuple):
    """What a batch's item commands find their item and bodies with."""

    load: Callable[[UUID], Recommendation | None]
    holder: Callable[[str, str], Body]
    bodies: _BatchBodies


@dataclass(frozen=True, slots=True)
class _BatchBodies:
    """The bodies as a batch sees them (one it registers too), for a decision that needs one."""

    recording: Recording
    batch: Batch

    def body_aggregate(self, code: str) -> Body:
        return self.recording.body_aggregate(code, self.batch)

    def changing(self, code: str, field: str) -> Body:
        """The body, read afresh, whose events the command records beside its item's (before them)."""
        body = self.recording._calendar(code, self.batch, field)
        self.batch.changed[body.id] = body
        self.batch.alongside.append(body)
        return body


def batch_of(commands: Any) -> list[Any]:
    """The commands of a batch as a host passed them (a list, a tuple, a generator); one command, or anything else
    that is not a collection of them, is refused rather than read as its letters or its keys."""
    if isinstance(commands, str | bytes | Mapping) or not isinstance(commands, Iterable):
        msg = f"execute_many takes a list of commands (dicts, JSON text or command objects), not {shown(commands)}"
        raise InvalidCommand([("", msg)])
    return list(commands)


def _back_off(attempt: int) -> None:
    """The one retry policy, for a command and a host's unit of work alike: after a clash with another writer,
    wait a random moment that grows with each attempt, so writers that collided spread out."""
    sleep(random.uniform(0, BACK_OFF * attempt))  # noqa: S311


def _actor(given: fields.Actor, actors: dict[tuple[str, str, str], Actor]) -> Actor:
    """The domain's actor for a command's, one for every command of a batch by the same person."""
    key = (given.id, given.name, given.role)
    return actors.get(key) or actors.setdefault(key, Actor(*key))


def _recorded_before(
    index: int, cmd: Any, digests: dict[int, str], recorded: dict[str, Recorded], keys_here: dict[str, int]
) -> Earlier | None:
    """The command, by its key (it has one), recorded before (or earlier in this batch), or None."""
    before = recorded.get(cmd.command_id)
    first = keys_here.get(cmd.command_id)
    digest = before.digest if before is not None else digests[first] if first is not None else None
    if digest is not None and digest != digests[index]:
        msg = f"the command_id {cmd.command_id!r} was already used for a different command; give this one its own"
        raise CommandIdReused(msg, field="command_id")
    if before is not None:
        return Earlier(Receipt(cmd.body, getattr(cmd, "ref", None), before.events, before.position, True))
    return None if first is None else Earlier(None, first)
