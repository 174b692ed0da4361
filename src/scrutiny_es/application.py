"""The service layer: commands in, events saved, queries out.

``Scrutiny(url)`` is what a host application, a script or the command line holds. Each
command is validated, checked against the rules by its aggregate and saved in one
transaction; a command that fails writes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from time import monotonic, sleep
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import InfrastructureFactory, RecordConflictError
from eventsourcing.utils import Environment

from scrutiny_es.adapters.memory import collector_paused
from scrutiny_es.adapters.persistence import (
    DEFAULT_URL,
    EventMapper,
    UnsupportedDatabase,
    count_notifications,
    event_store_env,
    event_store_in,
    read_model_engine,
    stored_notifications,
    without_nul,
)
from scrutiny_es.adapters.readmodels import ReadModels
from scrutiny_es.adapters.store import LogIsAhead, last_recorded_at
from scrutiny_es.domain import commands as c
from scrutiny_es.domain.dates import uk_day
from scrutiny_es.domain.deadlines import Period
from scrutiny_es.domain.errors import (
    BodyAlreadyRegistered,
    BodyNotFound,
    ConcurrentChange,
    DuplicateRecommendation,
    RecommendationNotFound,
    ScrutinyError,
)
from scrutiny_es.domain.model import Actor, Addressee, Body, Recommendation, body_id, recommendation_id
from scrutiny_es.projections.items import ItemHistory, fold, obligations, overdue_rows, tracker_row
from scrutiny_es.projections.rows import AuditRow, OverdueRow, TrackerRow

if TYPE_CHECKING:  # the ORM is for a host's session only, and slow to import
    from sqlalchemy.orm import Session, scoped_session


class Clock(Protocol):
    """Tells the time at which an event is recorded (timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The computer's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class Receipt(NamedTuple):
    """What a command recorded: its events, and the log position of the last one.

    A named tuple, not a frozen dataclass: a bulk apply makes one per command, and a frozen
    dataclass costs several times as much to make.
    """

    body: str
    ref: str | None
    events: tuple[str, ...]
    position: int | None


class ApplicationLog:
    """The application's notification log as the read models read it: positions and domain events."""

    def __init__(self, app: Application[UUID], mapper: EventMapper) -> None:
        self.app = app
        self.mapper = mapper

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def read(self, after: int, limit: int) -> list[tuple[int, Any]]:
        decode = self.mapper.decode
        rows = stored_notifications(self.app.recorder, after, limit)
        return [(n, decode(i, v, t, without_nul(s))) for n, i, v, t, s in rows]

    def count(self, after: int = 0) -> int:
        return count_notifications(self.app.recorder, after)


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
        super().__init__(f"command {index + 1} of the batch: {error}")


def _mutate(aggregate: Any, events: Iterable[Any]) -> Any:
    """Replays events onto an aggregate (eventsourcing's own projector re-checks each event's type)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _actor(given: c.Actor, actors: dict[tuple[str, str, str], Actor]) -> Actor:
    """The domain's actor for a command's, one for every command of a batch by the same person."""
    key = (given.id, given.name, given.role)
    return actors.get(key) or actors.setdefault(key, Actor(*key))


def _receipts(
    commands: Sequence[Any], ends: Sequence[int], events: Sequence[Any], positions: Sequence[int]
) -> list[Receipt]:
    """What each command recorded: its events and the log position of its last one (they were saved in order)."""
    receipts = []
    start = 0
    for cmd, end in zip(commands, ends, strict=True):
        names = tuple([type(e).__name__ for e in events[start:end]])
        position = positions[end - 1] if positions and end > start else None
        receipts.append(Receipt(cmd.body, getattr(cmd, "ref", None), names, position))
        start = end
    return receipts


MAX_ATTEMPTS = 20
"""How many times a command is tried when another writer changes the same item first."""


class Scrutiny(Application[UUID]):
    """A council's record of scrutiny recommendations and actions, kept as events."""

    name = "scrutiny"

    EVENT_STORE = "native"
    """Which eventsourcing persistence module keeps the events (see ``event_store_env``)."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        clock: Clock | None = None,
        catch_up: bool = True,
        session: scoped_session[Session] | None = None,
    ) -> None:
        """Opens the record at ``url``.

        With ``catch_up`` (the default) every query first applies the events its read model
        has not seen, so a query always shows what was recorded before it. Without it the
        read models are kept by a separate ``scrutiny-es projections run`` worker.

        A host application that already uses SQLAlchemy can pass its ``session`` (a
        ``scoped_session``): commands are then written in the host's transaction, committed
        or rolled back with its own writes, and ``url`` is taken from the session's engine.
        """
        self._session = session
        if session is not None:
            url = session.get_bind().engine.url.render_as_string(hide_password=False)
        self.url = url
        self.clock: Clock = clock or SystemClock()
        self.catch_up = catch_up
        self._bodies: dict[UUID, Body] = {}
        self._saved: dict[UUID, Body | Recommendation] = {}
        """The aggregates the last batch saved (see ``Batch.saved``)."""
        self._latest: datetime | None = None
        """The time of the last event in the log, once a batch found the clock behind it."""
        engine = read_model_engine(url)
        found = event_store_in(engine)
        store = "sqlalchemy" if session is not None else found or self.EVENT_STORE
        if found and found != store:
            engine.dispose()
            msg = (
                f"{url} keeps its events with the {found} event store, so it cannot be shared with a host's "
                "session; a host that hands over its session must do so from the first command"
            )
            raise UnsupportedDatabase(msg)
        super().__init__(env=event_store_env(url, store) | {"CREATE_TABLE": "no"})
        self.read_models = ReadModels(engine, ApplicationLog(self, self.mapper))
        with self.read_models.schema_lock():
            self.recorder.create_table()  # type: ignore[attr-defined]

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        factory = super().construct_factory(env)
        if self._session is not None:
            factory.datastore.set_scoped_session(self._session)  # type: ignore[attr-defined]
        return factory

    def close(self) -> None:
        super().close()
        self.read_models.engine.dispose()

    mapper: EventMapper

    def construct_mapper(self) -> EventMapper:
        return EventMapper()

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
        parsed = []
        for index, command in enumerate(commands):
            try:
                parsed.append(c.parse_command(command))
            except ScrutinyError as e:
                raise BatchRejected(index, e) from None
        saved, self._saved = self._saved, {}  # a batch rejected part way leaves its aggregates changed
        actors: dict[tuple[str, str, str], Actor] = {}
        for attempt in range(MAX_ATTEMPTS):
            batch = Batch({}, check_new=attempt > 0 or len(parsed) == 1, saved=saved)
            events: list[Any] = []
            ends = []  # where each command's events end in `events`
            for index, cmd in enumerate(parsed):
                try:
                    aggregate = self._handle(cmd, _actor(cmd.actor, actors), self._now(), batch)
                except ScrutinyError as e:
                    raise BatchRejected(index, e) from None
                batch.changed[aggregate.id] = aggregate
                events += aggregate.collect_events()
                ends.append(len(events))
            try:
                # The recorder itself: the event store would wrap every event in two more objects.
                positions = self.recorder.insert_events([self.mapper.to_stored_event(e) for e in events]) or ()
            except LogIsAhead as e:
                self._latest = e.latest  # the clock is behind the log: the batch takes the log's time
                continue
            except RecordConflictError:
                if self._session is not None:  # the host's transaction failed with it: the host must roll back
                    msg = "another writer changed the same item; roll back and try again"
                    raise ConcurrentChange(msg) from None
                sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311  (spreads out writers that collided)
                continue
            if self._session is None:  # a host's transaction may yet be rolled back
                self._saved = batch.changed
            return _receipts(parsed, ends, events, positions)
        msg = f"the items were changed by someone else {MAX_ATTEMPTS} times while this was being recorded; try again"
        raise ConcurrentChange(msg)

    def _now(self) -> datetime:
        """The time to record an event at: the clock's, or the log's last where the clock is behind it.

        An event is never recorded before the one preceding it in the log, so "as known at" a
        moment is always a stretch of the log from its start. The event store checks it as it
        appends (``LogIsAhead``); a host's session, which eventsourcing-sqlalchemy writes, is
        checked against the last event read before the batch.
        """
        now = self.clock.now()
        if self._latest is None and self._session is not None:
            self._latest = last_recorded_at(self.recorder)
        if self._latest is not None and now < self._latest:
            return self._latest
        return now

    def body(self, code: str, batch: Batch | None = None) -> Body:
        """The registered body with this code (kept once read: nothing changes a body after registration)."""
        key = body_id(code)
        found = (batch.changed.get(key) if batch else None) or self._bodies.get(key)
        if found is None:
            found = self._get(key)
            if isinstance(found, Body) and self._session is None:
                # Only once committed: a batch that registers it, or a host's transaction, may yet be rolled back.
                self._bodies[key] = found
        if not isinstance(found, Body):
            msg = f"no body is registered with the code {code}"
            raise BodyNotFound(msg)
        return found

    def recommendation(self, body: str, ref: str, batch: Batch | None = None) -> Recommendation:
        """The recommendation or action ``ref`` of body ``body``."""
        key = recommendation_id(body, ref)
        found = None
        if batch is not None:
            found = batch.changed.get(key) or batch.saved.pop(key, None)
        found = found or self._get(key)
        if found is None:
            self.body(body, batch)
            msg = f"{body} has no recommendation or action with the reference {ref}"
            raise RecommendationNotFound(msg)
        return found  # type: ignore[return-value]

    def _exists(self, key: UUID, batch: Batch) -> bool:
        """Whether a new aggregate's identity is taken (see ``Batch.check_new``)."""
        return key in batch.changed or key in batch.saved or (batch.check_new and self._get(key) is not None)

    def _get(self, key: UUID) -> Body | Recommendation | None:
        """The aggregate replayed from its events, or None."""
        try:
            return self.repository.get(key, projector_func=_mutate)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

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
    ) -> list[TrackerRow]:
        """The tracker: one row per item, as it stands, as of a date, or as known at a time."""
        self._catch_up()
        if as_of is None and as_known_at is None:
            return self.read_models.tracker(body, ref)
        rows = (tracker_row(history, as_of) for history in self._histories(body, ref, as_known_at))
        return [row for row in rows if row is not None]

    def overdue(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
    ) -> list[OverdueRow]:
        """What is overdue on ``as_of`` (default: the day of ``as_known_at``, else today)."""
        self._catch_up()
        on = self.report_day(as_of, as_known_at)
        if as_of is None and as_known_at is None:
            return self.read_models.overdue(on, body, ref)
        owed = (o for history in self._histories(body, ref, as_known_at) for o in obligations(history, on))
        return overdue_rows(owed, on)

    def audit(
        self,
        body: str | None = None,
        ref: str | None = None,
        as_of: date | None = None,
        as_known_at: datetime | None = None,
    ) -> list[AuditRow]:
        """The audit trail: every event with who recorded it, who decided, and when."""
        self._catch_up()
        return self.read_models.audit(body, ref, as_of, as_known_at)

    def wait_for(self, receipt: Receipt, timeout: float = 10.0) -> None:
        """Returns when every read model shows ``receipt``'s command (read-your-writes with a worker)."""
        deadline = monotonic() + timeout
        pause = 0.005
        while receipt.position is not None:
            if min(s.position for s in self.read_models.status()) >= receipt.position:
                return
            if monotonic() > deadline:
                msg = f"the read models had not caught up with position {receipt.position} after {timeout} s"
                raise ProjectionsBehind(msg)
            sleep(pause)
            pause = min(pause * 2, 0.1)

    def _catch_up(self) -> None:
        if self.catch_up:
            self.read_models.catch_up()

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
            for event in self.events.get(item_id):
                if event.timestamp <= as_known_at:  # type: ignore[attr-defined]
                    history = fold(history, event)
            if history is not None:
                yield history

    # One handler per command: each returns the aggregate with its new events pending.

    def _handle(self, cmd: Any, actor: Actor, at: datetime, batch: Batch) -> Body | Recommendation:
        return HANDLERS[type(cmd)](self, cmd, actor, at, batch)  # type: ignore[no-any-return]

    def _register_body(self, cmd: c.RegisterBody, actor: Actor, at: datetime, batch: Batch) -> Body:
        if self._exists(body_id(cmd.body), batch):
            msg = f"a body with the code {cmd.body} is already registered"
            raise BodyAlreadyRegistered(msg)
        deadlines = {kind: None if p is None else Period.parse(p) for kind, p in cmd.deadlines.items()}
        return Body.register(code=cmd.body, name=cmd.name, council=cmd.council, deadlines=deadlines, actor=actor, at=at)

    def _make_recommendation(
        self, cmd: c.MakeRecommendation, actor: Actor, at: datetime, batch: Batch
    ) -> Recommendation:
        body = self.body(cmd.body, batch)
        if self._exists(recommendation_id(cmd.body, cmd.ref), batch):
            msg = f"{cmd.body} already has an item with the reference {cmd.ref}; choose another reference"
            raise DuplicateRecommendation(msg)
        return Recommendation.make(
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

    def _change(self, cmd: c.ItemCommand, actor: Actor, at: datetime, batch: Batch) -> Recommendation:
        """A command on an existing item: the item's method of the same name, given the command's fields."""
        item = self.recommendation(cmd.body, cmd.ref, batch)
        fields = dict(cmd.__dict__)  # a model_dump without the envelope, at a fraction of the cost
        for name in _ENVELOPE:
            del fields[name]
        if isinstance(cmd, c.Refer):
            fields["body"] = self.body(cmd.body, batch)  # for its deadline policy
        getattr(item, cmd.command)(**fields, actor=actor, at=at)  # type: ignore[attr-defined]
        return item


_ENVELOPE = {"command", "actor", "body", "ref"}
"""Fields every item command carries, which its aggregate method does not take."""


_ITEM_COMMANDS: list[type] = [
    c.Refer, c.RecordResponse, c.ReportProgress, c.ReviseTargetDate, c.Defer, c.Reaffirm, c.Escalate, c.Close,
    c.Reopen, c.Correct,
]  # fmt: skip
HANDLERS: dict[type, Any] = {
    c.RegisterBody: Scrutiny._register_body,
    c.MakeRecommendation: Scrutiny._make_recommendation,
    **dict.fromkeys(_ITEM_COMMANDS, Scrutiny._change),
}
"""The handler of each command."""
