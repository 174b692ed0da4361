"""The service layer: commands in, events saved, queries out.

Each command is validated, checked against the rules by its aggregate and saved in one
transaction; a command that fails writes nothing. The service works against the ports of
``scrutiny_es.application.ports``; ``scrutiny_es.bootstrap`` gives it a database's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from hashlib import sha256
from time import monotonic, sleep
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from uuid import UUID

from scrutiny_es.application.collector import collector_paused
from scrutiny_es.application.ports import (
    Clock,
    Conflict,
    EventStore,
    Keyed,
    LogIsAhead,
    Mailer,
    Progress,
    ProjectionStatus,
    ReadModels,
    Recorded,
)
from scrutiny_es.domain.dates import long_date, uk_day
from scrutiny_es.domain.errors import (
    BodyAlreadyRegistered,
    BodyNotFound,
    CannotCorrect,
    CommandIdReused,
    ConcurrentChange,
    DuplicateRecommendation,
    InvalidCommand,
    RecommendationNotFound,
    ScrutinyError,
)
from scrutiny_es.domain.fastpath import replay
from scrutiny_es.domain.history import ItemHistory, Rag
from scrutiny_es.domain.model import Actor, Addressee, Body, Recommendation, body_id, recommendation_id
from scrutiny_es.domain.policy import BUILT_IN, Policy
from scrutiny_es.projections import pack
from scrutiny_es.projections.card import fact_status, fact_text
from scrutiny_es.projections.filters import MAX_LIMIT, Filters, check_count, chosen_items
from scrutiny_es.projections.impact import GROUPINGS, Grouping, ImpactRow, impact_rows
from scrutiny_es.projections.items import fold, overdue_rows, tracker_row
from scrutiny_es.projections.reminders import WITHIN, Reminder, reminders
from scrutiny_es.projections.rows import AuditRow, BodyRow, FactRow, ItemStatus, OverdueReason, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import ZERO, Verification, chunked, verify

if TYPE_CHECKING:  # loaded by the first command: a process that only reports does without pydantic's models
    from scrutiny_es.domain import commands as c


class Receipt(NamedTuple):
    """What a command recorded: its events, and the log position of the last one.

    A named tuple, not a frozen dataclass: a bulk apply makes one per command, and a frozen
    dataclass costs several times as much to make.
    """

    body: str
    ref: str | None
    events: tuple[str, ...]
    position: int | None
    """The audit trail's position of the command's last event (1, 2, 3... in the order recorded)."""
    already_recorded: bool = False
    """The command had been recorded before (the same ``command_id``, or the same command in force): this is
    the earlier command's receipt, and nothing was written."""


@dataclass
class Batch:
    """Commands being recorded together: the aggregates they changed, not yet saved."""

    changed: dict[UUID, Body | Recommendation]
    check_new: bool
    """Whether new items are looked up in the store first. A bulk batch skips it on its first try:
    the store's uniqueness rejects a duplicate, and the retry then names it."""
    saved: dict[UUID, Body | Recommendation]
    """What the previous batch saved, each taken up once instead of replayed from the store (so a
    retry replays it). Should another writer have changed one since, this batch's events clash
    with theirs in the store, and the batch is tried again."""


class ProjectionsBehind(ScrutinyError):
    """The read models did not catch up in time: is ``scrutiny-es projections run`` running?"""


class BatchRejected(ScrutinyError):
    """A command of a batch broke a rule, so nothing of the batch was written."""

    def __init__(self, index: int, error: ScrutinyError) -> None:
        self.index = index
        self.error = error
        super().__init__(f"command {index + 1} of the batch: {error}", field=error.field)


def _actor(given: c.Actor, actors: dict[tuple[str, str, str], Actor]) -> Actor:
    """The domain's actor for a command's, one for every command of a batch by the same person."""
    key = (given.id, given.name, given.role)
    return actors.get(key) or actors.setdefault(key, Actor(*key))


@dataclass(frozen=True)
class Earlier:
    """A command found recorded already: by its key, or as the same command by the same actor, still in force."""

    receipt: Receipt | None
    """Its receipt; None for a command sent twice in one batch (the first one's, once saved)."""
    same_as: int | None = None
    """That first command's index in the batch."""


def _receipts(
    commands: Sequence[Any],
    ends: Sequence[int],
    events: Sequence[Any],
    positions: Sequence[int],
    earlier: dict[int, Earlier],
) -> list[Receipt]:
    """What each command recorded: its events and the position of its last one (they were saved in order)."""
    receipts: list[Receipt] = []
    start = 0
    for index, (cmd, end) in enumerate(zip(commands, ends, strict=True)):
        found = earlier.get(index)
        if found is not None:
            receipt = found.receipt or receipts[found.same_as]._replace(already_recorded=True)  # type: ignore[index]
        else:
            names = tuple([type(e).__name__ for e in events[start:end]])
            receipt = Receipt(cmd.body, getattr(cmd, "ref", None), names, positions[end - 1] if positions else None)
        receipts.append(receipt)
        start = end
    return receipts


def _digest(command: Any) -> str:
    """A command's content, field for field, as a digest (its key left out)."""
    return sha256(command.model_dump_json(exclude={"command_id"}).encode()).hexdigest()


_BODY_ENVELOPE = {"command", "actor", "body", "command_id"}

_BEFORE_ANYTHING = datetime.min.replace(tzinfo=UTC)

Done = TypeVar("Done")

FOLLOWED = 500
"""Audit entries ``follow`` reads at a time."""

MAX_ATTEMPTS = 20
"""How many times a command is tried when another writer changes the same item first."""


class ScrutinyService:
    """A council's record of scrutiny recommendations and actions, kept as events.

    Hosts hold it as ``scrutiny_es.Scrutiny``, which opens one from a database URL.
    """

    def __init__(
        self,
        *,
        store: EventStore,
        read_models: ReadModels,
        clock: Clock,
        catch_up: bool = True,
        host_transaction: bool = False,
        policy: Policy = BUILT_IN,
    ) -> None:
        """``catch_up``: every query first applies the events its read model has not seen, so it shows what
        was recorded before it (without, a ``scrutiny-es projections run`` worker keeps them).
        ``host_transaction``: commands are written in a host's transaction, which may yet be rolled back,
        and which cannot be tried again here when another writer clashes with it."""
        self.store = store
        self.read_models = read_models
        self.clock = clock
        self.catch_up_on_query = catch_up
        self.host_transaction = host_transaction
        self.policy = policy
        """Who may record what (``scrutiny_es.domain.policy``)."""
        self._bodies: dict[UUID, Body] = {}
        self._saved: dict[UUID, Body | Recommendation] = {}
        """The aggregates the last batch saved (see ``Batch.saved``)."""
        self._latest: datetime | None = None
        """The time of the last event in the log, as last known here."""

    def close(self) -> None:
        self.store.close()
        self.read_models.close()

    def execute(self, command: c.AnyCommand | dict[str, Any] | str) -> Receipt:
        """Validates and records one command; raises a ``ScrutinyError`` and writes nothing if it breaks a rule."""
        try:
            (receipt,) = self.execute_many([command])
        except BatchRejected as e:
            raise e.error from None
        return receipt

    def execute_many(self, commands: Sequence[c.AnyCommand | dict[str, Any] | str]) -> list[Receipt]:
        """Records several commands in one transaction, in order: all of them, or none.

        A command that breaks a rule raises ``BatchRejected`` with its index, and nothing of
        the batch is written. When another writer changes an item first, the batch is tried
        again from the start, up to ``MAX_ATTEMPTS`` times.
        """
        with collector_paused():
            return self._record_batch(commands)

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
        digests = {i: _digest(cmd) for i, cmd in enumerate(parsed) if cmd.command_id is not None}
        for attempt in range(MAX_ATTEMPTS):
            batch = Batch({}, check_new=attempt > 0 or len(parsed) == 1, saved=saved)
            recorded = self.store.recorded([parsed[i].command_id or "" for i in digests]) if digests else {}
            events: list[Any] = []
            ends = []  # where each command's events end in `events`
            earlier: dict[int, Earlier] = {}
            keyed: list[Keyed] = []  # the commands with a key, for the store to keep
            keys_here: dict[str, int] = {}
            for index, cmd in enumerate(parsed):
                try:
                    before = self._recorded_before(index, cmd, digests, recorded, keys_here)
                    found = before or self._handle(cmd, _actor(cmd.actor, actors), self._now(), batch)
                except ScrutinyError as e:
                    raise BatchRejected(index, e) from None
                if isinstance(found, Earlier):
                    earlier[index] = found
                else:
                    batch.changed[found.id] = found
                    new = found.collect_events()
                    events += new
                    if cmd.command_id is not None:
                        names = ",".join(type(e).__name__ for e in new)
                        keyed.append((cmd.command_id, digests[index], len(events) - 1, names))
                        keys_here[cmd.command_id] = index
                ends.append(len(events))
            try:
                positions = self.store.append(events, keyed)
            except LogIsAhead as e:
                self._latest = e.latest  # the clock is behind the log: the batch takes the log's time
                continue
            except Conflict:
                if self.host_transaction:  # it failed with the clash: the host must roll back
                    msg = "another writer changed the same item; roll back and try again"
                    raise ConcurrentChange(msg) from None
                sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311  (spreads out writers that collided)
                continue
            if not self.host_transaction:  # a host's transaction may yet be rolled back
                self._saved = batch.changed
            return _receipts(parsed, ends, events, positions, earlier)
        msg = f"the items were changed by someone else {MAX_ATTEMPTS} times while this was being recorded; try again"
        raise ConcurrentChange(msg)

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
        tried = 0
        while True:
            tried += 1
            try:
                done = work()
                self.store.commit()
            except ConcurrentChange:
                self.store.rollback()
                if tried == attempts:
                    raise
                sleep(random.uniform(0, 0.005 * tried))  # noqa: S311  (spreads out writers that collided)
            except BaseException:
                self.store.rollback()
                raise
            else:
                return done

    def _recorded_before(
        self,
        index: int,
        cmd: Any,
        digests: dict[int, str],
        recorded: dict[str, Recorded],
        keys_here: dict[str, int],
    ) -> Earlier | None:
        """The command, by its key, recorded before (or earlier in this batch), or None."""
        if cmd.command_id is None:
            return None
        before = recorded.get(cmd.command_id)
        first = keys_here.get(cmd.command_id)
        digest = before.digest if before is not None else digests[first] if first is not None else None
        if digest is not None and digest != digests[index]:
            msg = f"the command_id {cmd.command_id!r} was already used for a different command; give this one its own"
            raise CommandIdReused(msg, field="command_id")
        if before is not None:
            return Earlier(Receipt(cmd.body, getattr(cmd, "ref", None), before.events, before.position, True))
        return None if first is None else Earlier(None, first)

    def _earlier(self, item: Recommendation, version: int) -> Earlier:
        """The receipt of the item's event ``version``, recorded before by the same command.

        In a host's transaction the audit trail is read as it stands: catching it up would wait for the
        host's own transaction to commit where the database lets one writer at a time (SQLite), and the
        earlier command may be in that transaction, not yet in the trail (its position is then None).
        """
        if not self.host_transaction:
            self.read_models.catch_up(["audit"])
        position = self.read_models.versions(item.id.hex).get(version)
        name = type(item.recorded[version]).__name__
        return Earlier(Receipt(item.history.body, item.history.ref, (name,), position, True))

    def _fact_version(self, item: Recommendation, position: int) -> int:
        """The item's event at the audit trail's ``position``: corrections and retractions name facts by it."""
        self.read_models.catch_up(["audit"])
        found = self.read_models.fact_at(position)
        if found is None or found[0] != item.id.hex:
            msg = f"position {position} of the audit trail is not a fact of {item.history.ref}"
            raise CannotCorrect(msg, field="position")
        return found[1]

    def _now(self) -> datetime:
        """The time to record an event at: the clock's, or the log's last where the clock is behind it.

        An event is never recorded before the one preceding it in the log, so "as known at" a
        moment is always a stretch of the log from its start; the event store checks it as it
        appends (``LogIsAhead``).
        """
        if self._latest is None:  # once: afterwards the store says when the log is ahead
            self._latest = self.store.latest() or _BEFORE_ANYTHING
        now = self.clock.now()
        return self._latest if now < self._latest else now

    def body(self, code: str, batch: Batch | None = None) -> Body:
        """The registered body with this code (kept once read: nothing changes a body after registration)."""
        key = body_id(code)
        found = (batch.changed.get(key) if batch else None) or self._bodies.get(key)
        if found is None:
            found = self.store.load(key)
            if isinstance(found, Body) and not self.host_transaction:
                # Only once committed: a batch that registers it, or a host's transaction, may yet be rolled back.
                self._bodies[key] = found
        if not isinstance(found, Body):
            msg = f"no body is registered with the code {code}"
            raise BodyNotFound(msg, field="body")
        return found

    def bodies(self) -> list[BodyRow]:
        """Every body registered, with or without items, by code: its name, council, response periods and
        calendar."""
        if self.catch_up_on_query:
            self.read_models.catch_up(["audit"])
        rows = []
        for code in self.read_models.body_codes():
            found = self.store.load(body_id(code))  # read afresh: the calendar may have changed
            if isinstance(found, Body):
                deadlines: dict[str, str | None] = {
                    k: None if p is None else str(p) for k, p in found.deadlines.items()
                }
                rows.append(BodyRow(body=code, name=found.name, council=found.council, deadlines=deadlines,
                                    meetings=sorted(found.meetings)))  # fmt: skip
        return rows

    def recommendation(self, body: str, ref: str, batch: Batch | None = None) -> Recommendation:
        """The recommendation or action ``ref`` of body ``body``."""
        key = recommendation_id(body, ref)
        found = None
        if batch is not None:
            found = batch.changed.get(key) or batch.saved.pop(key, None)
        found = found or self.store.load(key)
        if found is None:
            self.body(body, batch)
            msg = f"{body} has no recommendation or action with the reference {ref}"
            raise RecommendationNotFound(msg, field="ref")
        return found  # type: ignore[return-value]

    def _exists(self, key: UUID, batch: Batch) -> bool:
        """Whether a new aggregate's identity is taken (see ``Batch.check_new``)."""
        return key in batch.changed or key in batch.saved or (batch.check_new and self.store.load(key) is not None)

    def today(self) -> date:
        """Today's date in the UK, by the application's clock."""
        return uk_day(self.clock.now())

    def report_day(self, as_of: date | None = None, as_known_at: datetime | None = None) -> date:
        """The day a report shows: ``as_of``, else the UK day of ``as_known_at``, else today."""
        return as_of or (uk_day(as_known_at) if as_known_at else self.today())

    def tracker(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
        *,
        addressee: str | None = None,
        status: ItemStatus | None = None,
        rag: Rag | None = None,
        open_only: bool = False,
        overdue_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TrackerRow]:
        """The tracker: one row per item, as it stands, as of a date, or as known at a time.

        A page of it: the items naming ``addressee``, of ``status`` and ``rag``, open only, with anything
        overdue only; then ``offset`` rows skipped and at most ``limit`` shown, in the tracker's order (body,
        meeting date, ref). The live tracker is chosen in SQL, the others as they are made; an unknown value
        raises ``InvalidQuery`` naming its field.
        """
        filters = Filters(addressee, status, rag, open_only, overdue_only, None, limit, offset)
        self._catch_up()
        day = self.report_day(as_of, as_known_at)
        if as_of is None and as_known_at is None:
            return self.read_models.tracker(day, body, ref, filters)
        meetings = self._calendars(as_known_at)
        histories = self._histories(body, ref, as_known_at)
        rows = (tracker_row(history, as_of, day, meetings[history.body]) for history in histories)
        return filters.page([row for row in rows if row is not None and filters.keeps(row)])

    def overdue(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
        *,
        addressee: str | None = None,
        reason: OverdueReason | None = None,
        status: ItemStatus | None = None,
        rag: Rag | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[OverdueRow]:
        """What is overdue on ``as_of`` (default: the day of ``as_known_at``, else today), oldest first.

        A page of it: what ``addressee`` is responsible for, owed for ``reason``, on items of ``status`` and
        ``rag`` that day; then ``offset`` rows skipped and at most ``limit`` shown. (Everything overdue is on
        an open item, so the tracker's ``open_only`` and ``overdue_only`` have no place here.)
        """
        filters = Filters(addressee, status, rag, reason=reason, limit=limit, offset=offset)
        self._catch_up()
        on = self.report_day(as_of, as_known_at)
        if as_of is None and as_known_at is None:
            return self.read_models.overdue(on, body, ref, filters)
        calendars = self._calendars(as_known_at)
        histories = chosen_items(self._histories(body, ref, as_known_at), filters, on, on, calendars)
        return filters.page([r for r in overdue_rows(histories, on, on, calendars) if filters.keeps_overdue(r)])

    def audit(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[AuditRow]:
        """The audit trail: every event with who recorded it, who decided, and when, in the order recorded.

        ``after`` a position (the last one a host has seen, say), at most ``limit`` entries: a host reads the
        trail a page at a time, or picks up where it left off (see ``follow``).
        """
        check_count("after", after, 0, 2**62)
        check_count("limit", limit, 0, MAX_LIMIT, optional=True)
        self._catch_up()
        return self.read_models.audit(body, ref, as_of, as_known_at, after, limit)

    def item(
        self, body: str, ref: str, as_of: date | None = None, as_known_at: datetime | None = None
    ) -> list[FactRow]:
        """The item's card: every fact of it in the order it took effect, with its own words, and whether it
        still stands (``corrected``: put right since; ``retracted``: withdrawn as recorded in error)."""
        item = self.recommendation(body, ref)
        entries = self.audit(body, ref, as_of, as_known_at)
        known = {v: e for v, e in item.recorded.items() if as_known_at is None or e.timestamp <= as_known_at}
        version_at = {position: version for version, position in self.read_models.versions(item.id.hex).items()}
        rows = [
            FactRow(**asdict(entry), text=fact_text(known[version]), status=fact_status(known, version))
            for entry in entries
            if (version := version_at.get(entry.position)) in known
        ]
        return sorted(rows, key=lambda row: (row.effective_on, row.position))

    def meeting_pack(
        self, body: str, meeting: date, since: date | None = None, as_known_at: datetime | None = None
    ) -> dict[str, Any]:
        """The standing item of a meeting, in its JSON form (DESIGN 5.3): the responses and progress since the
        last meeting, what is unsatisfactory, what may be closed, the tracker, and ``built_from``: the last
        position it reflects and the seal's digest there, for ``verify --at --digest``.

        Made ``as_known_at`` a moment, it is the same whenever it is made again.
        """
        found = self.body(body)
        self._catch_up()
        meetings = self._calendars(as_known_at)[body]
        histories = list(self._histories(body, None, as_known_at))
        position = self.read_models.last_position(as_known_at)
        sealed = self.read_models.sealed(position - 1, 1) if position else []
        return pack.meeting_pack(
            body=body, body_name=found.name, council=found.council, meeting=meeting,
            since=since or pack.since_default(meeting, meetings, histories), histories=histories, meetings=meetings,
            position=position, digest=(sealed[0].digest if sealed else ZERO).hex(),
        )  # fmt: skip

    def impact(
        self,
        body: str | None = None,
        from_: date | None = None,
        to: date | None = None,
        by: Grouping = "body",
        as_known_at: datetime | None = None,
    ) -> list[ImpactRow]:
        """What scrutiny achieved (DESIGN 5.5): for the items made from ``from_`` to ``to`` (both included), the
        counts and rates of responses and outcomes as they stood on ``to`` (default: the day of ``as_known_at``,
        else today), one row per body, addressee, addressee kind or municipal year (``by``)."""
        if by not in GROUPINGS:
            raise InvalidCommand([("by", f"must be one of {', '.join(GROUPINGS)}, not {by!r}")])
        if body is not None:
            self.body(body)
        self._catch_up()
        to = to or self.report_day(None, as_known_at)
        if from_ is not None and from_ > to:
            raise InvalidCommand(
                [("from", f"{long_date(from_)} is after to ({long_date(to)}): give from on or before to")]
            )
        histories = self._histories(body, None, as_known_at)
        return impact_rows(histories, to=to, from_=from_, by=by, calendars=self._calendars(as_known_at))

    def reminders(
        self,
        body: str | None = None,
        on: date | None = None,
        within: int = WITHIN,
        contacts: Mapping[str, str] | None = None,
    ) -> list[Reminder]:
        """Who must act next: for each person responsible, what falls due within ``within`` days of ``on``
        (default: today) and what is overdue then, with their address from ``contacts`` (name -> email)."""
        return self._reminders(body, on, within, contacts, None)

    def send_reminders(
        self,
        mailer: Mailer,
        actor: Mapping[str, str],
        body: str | None = None,
        on: date | None = None,
        within: int = WITHIN,
        contacts: Mapping[str, str] | None = None,
    ) -> list[Reminder]:
        """Mails each person with an address one message, then records a ``record_reminder`` of each item it was
        about, by ``actor`` (``{"id", "name", "role"}``). Nobody is reminded of an item twice in a day: what they
        were reminded of today is left out, and a person left with nothing gets no message. Returns the
        reminders sent."""
        self.policy.check(actor["name"], actor["role"], "record_reminder")  # before anything is sent
        today = self.today()
        sent = []
        for reminder in self._reminders(body, on, within, contacts, today):
            if reminder.email is None:
                continue
            mailer.send(reminder)
            self.execute_many([
                {"command": "record_reminder", "actor": dict(actor), "body": code, "ref": ref,
                 "person": reminder.person, "sent_on": today.isoformat(),
                 "about": [{"reason": o.reason, "due": o.due.isoformat()} for o in about]}
                for (code, ref), about in reminder.about().items()
            ])  # fmt: skip
            sent.append(reminder)
        return sent

    def _reminders(
        self,
        body: str | None,
        on: date | None,
        within: int,
        contacts: Mapping[str, str] | None,
        unless_reminded_on: date | None,
    ) -> list[Reminder]:
        if within < 0:
            raise InvalidCommand([("within", f"must be 0 or more days, not {within}")])
        if body is not None:
            self.body(body)
        self._catch_up()
        histories = self._histories(body, None, None)
        return reminders(
            histories, on=on or self.today(), within=within, calendars=self._calendars(None), contacts=contacts,
            unless_reminded_on=unless_reminded_on,
        )  # fmt: skip

    def verify(self, at: int | None = None, digest: str | None = None) -> Verification:
        """Recomputes the seal's hash chain from the events as stored: how many, the last position and its digest,
        or the first position where a stored event was changed, removed or put in after it was sealed.

        With ``at`` and ``digest`` (published earlier, in a meeting pack say), the chain up to position ``at``
        must also have that digest.
        """
        self.read_models.catch_up(["seal"])
        log = chunked(self.store.log.stored, after=-(2**63))  # every row: one put in before the first too
        sealed = chunked(lambda after, limit: self.read_models.sealed(after, limit))
        found, digest_at = verify(log, sealed, at)
        if found.ok and at is not None:
            if digest_at is None:
                return replace(found, fault=f"position {at}: not in the log (it holds {found.events} events)")
            if digest_at.hex() != (digest or "").strip().lower():
                return replace(found, fault=f"position {at}: its digest is {digest_at.hex()}, not the one published")
        return found

    # The read models' upkeep, for the command line, a worker and a host's scripts.

    @property
    def projections(self) -> tuple[str, ...]:
        """The read models' names."""
        return self.read_models.names

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        """Applies to the read models every event they have not seen; returns how many were read."""
        return self.read_models.catch_up(names)

    def rebuild(self, names: Iterable[str] | None = None, progress: Progress | None = None) -> None:
        """Rebuilds read models from the first event into new tables, swapped in when complete."""
        self.read_models.rebuild(names, progress)

    def projection_status(self) -> list[ProjectionStatus]:
        """Each read model's position against the head of the log."""
        return self.read_models.status()

    @property
    def read_only(self) -> bool:
        """Whether the database turned out read-only: the read models then answer as last brought up to date."""
        return self.read_models.read_only

    def wait_for_events(self, timeout: float) -> bool:
        """Waits at most ``timeout`` seconds for a signal that events were recorded; says whether one came
        (SQLite gives none: a projection worker polls it)."""
        return self.store.wait_for_events(timeout)

    def follow(self, after: int = 0, timeout: float = 10.0, *, poll: float = 0.2) -> Iterator[AuditRow]:
        """The audit trail's entries after position ``after``, in order, and then each new one as it is recorded;
        the iterator ends once nothing new has come for ``timeout`` seconds.

        A host's notifier keeps the position of the last entry it handled with its own writes, in its own
        transaction, and follows on from there (docs/api.md shows how). On PostgreSQL a new event wakes the
        wait at once (LISTEN/NOTIFY); on SQLite, or with the read models kept by a separate worker, the trail
        is looked at every ``poll`` seconds.
        """
        check_count("after", after, 0, 2**62)
        woken = self.store.signals_events and self.catch_up_on_query
        if woken:
            self.store.wait_for_events(0)  # listening before the first read: nothing recorded after it is missed
        deadline = monotonic() + timeout
        while True:
            entries = self.audit(after=after, limit=FOLLOWED)
            if entries:
                yield from entries
                after = entries[-1].position
                deadline = monotonic() + timeout
                continue
            left = deadline - monotonic()
            if left <= 0:
                return
            self.store.wait_for_events(left if woken else min(left, poll))

    def wait_for(self, receipt: Receipt, timeout: float = 10.0) -> None:
        """Returns when every read model shows ``receipt``'s command (read-your-writes with a worker)."""
        deadline = monotonic() + timeout
        pause = 0.005
        while receipt.position is not None:
            if min(s.applied for s in self.read_models.status()) >= receipt.position:
                return
            if monotonic() > deadline:
                msg = f"the read models had not caught up with position {receipt.position} after {timeout} s"
                raise ProjectionsBehind(msg)
            sleep(pause)
            pause = min(pause * 2, 0.1)

    def _catch_up(self) -> None:
        if self.catch_up_on_query:
            self.read_models.catch_up()

    def _calendars(self, as_known_at: datetime | None) -> dict[str, list[date]]:
        """Each body's meetings scheduled and not cancelled (as known at a moment), read when first asked for."""
        store = self.store

        class Calendars(dict[str, list[date]]):
            def __missing__(self, code: str) -> list[date]:
                events = [e for e in store.events(body_id(code)) if as_known_at is None or e.timestamp <= as_known_at]
                found = replay(None, events) if events else None
                meetings = self[code] = sorted(found.meetings) if isinstance(found, Body) else []
                return meetings

        return Calendars()

    def _histories(self, body: str | None, ref: str | None, as_known_at: datetime | None) -> Iterator[ItemHistory]:
        """Each item's history, one item at a time, for a query as of a date or as known at a time.

        A history holds every fact with the date it took effect, so the tracker table's
        histories (the fold of every event) answer "as of" any date. "As known at" a time
        folds each item's events again, leaving out those recorded later.
        """
        self.read_models.catch_up(["tracker"])
        if as_known_at is None:
            yield from self.read_models.histories(body, ref)
            return
        for item_id in self.read_models.item_ids(body, ref):
            history: ItemHistory | None = None
            for event in self.store.events(item_id):
                if event.timestamp <= as_known_at:
                    history = fold(history, event)
            if history is not None:
                yield history

    # One handler per command: each returns the aggregate with its new events pending.

    def _handle(self, cmd: Any, actor: Actor, at: datetime, batch: Batch) -> Body | Recommendation | Earlier:
        handler = _handlers()[type(cmd)]
        if handler is not ScrutinyService._change:  # an item's own commands are checked with the item: see there
            self.policy.check(actor.name, actor.role, cmd.command)
        return handler(self, cmd, actor, at, batch)  # type: ignore[no-any-return]

    def _register_body(self, cmd: c.RegisterBody, actor: Actor, at: datetime, batch: Batch) -> Body:
        if self._exists(body_id(cmd.body), batch):
            msg = f"a body with the code {cmd.body} is already registered"
            raise BodyAlreadyRegistered(msg, field="body")
        return Body.register(
            code=cmd.body, name=cmd.name, council=cmd.council, deadlines=cmd.deadlines, actor=actor, at=at
        )

    def _make_recommendation(
        self, cmd: c.MakeRecommendation, actor: Actor, at: datetime, batch: Batch
    ) -> Recommendation | Earlier:
        body = self.body(cmd.body, batch)
        made = Recommendation.make(
            body=body,
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
        )
        if self._exists(made.id, batch):
            existing = self.recommendation(cmd.body, cmd.ref, batch)
            if _same_making(existing.recorded[1], made.recorded[1]):
                return self._earlier(existing, 1)
            msg = f"{cmd.body} already has an item with the reference {cmd.ref}; choose another reference"
            raise DuplicateRecommendation(msg, field="ref")
        return made

    def _body_change(self, cmd: Any, actor: Actor, at: datetime, batch: Batch) -> Body:
        """A command on a body's calendar: the body's method of the same name (read afresh: another process may
        have changed the calendar since)."""
        key = body_id(cmd.body)
        self._bodies.pop(key, None)
        body = batch.changed.get(key) or self.store.load(key)
        if not isinstance(body, Body):
            msg = f"no body is registered with the code {cmd.body}"
            raise BodyNotFound(msg, field="body")
        fields = {name: value for name, value in cmd.__dict__.items() if name not in _BODY_ENVELOPE}
        getattr(body, cmd.command)(**fields, actor=actor, at=at)
        return body

    def _change(self, cmd: c.ItemCommand, actor: Actor, at: datetime, batch: Batch) -> Recommendation | Earlier:
        """A command on an existing item: the item's method of the same name, given the command's fields.

        A fact named by its position in the audit trail is found as the item's event ``version``; a command
        the same actor already recorded on the item, and still in force, is not recorded again.
        """
        item = self.recommendation(cmd.body, cmd.ref, batch)
        name: str = cmd.command  # type: ignore[attr-defined]
        fields = dict(cmd.__dict__)  # a model_dump without the envelope, at a fraction of the cost
        for envelope in ("command", "actor", "body", "ref", "command_id"):  # which the method does not take
            del fields[envelope]
        addressees = [a.name for a in item.addressees]
        self.policy.check_item(actor.name, actor.role, name, addressees, fields.get("addressee"), actor_id=actor.id)
        if "position" in fields:
            position = fields["position"]
            fields["version"] = None if position is None else self._fact_version(item, position)
        version = item.identical(name, fields, actor)
        if version is not None:
            return self._earlier(item, version)
        if name == "refer":
            fields["body"] = self.body(cmd.body, batch)  # for its deadline policy
        getattr(item, name)(**fields, actor=actor, at=at)
        return item


@cache
def _handlers() -> dict[type, Any]:
    """The handler of each command: an item's own commands go to its method of the same name."""
    from scrutiny_es.domain import commands as c

    return {
        c.RegisterBody: ScrutinyService._register_body,
        c.ScheduleMeeting: ScrutinyService._body_change,
        c.CancelMeeting: ScrutinyService._body_change,
        c.MakeRecommendation: ScrutinyService._make_recommendation,
        **dict.fromkeys(c.ITEM_COMMANDS, ScrutinyService._change),
    }


def _same_making(earlier: Any, again: Any) -> bool:
    """Whether two ``Made`` events record the same item, made the same way by the same actor."""
    same = ("actor", "kind", "meeting_date", "item", "minute", "text", "addressees", "target_date", "decided_by")
    return all(getattr(earlier, name) == getattr(again, name) for name in same)
