"""The one object a host holds: the record's commands, reports, upkeep and reminders, each done by its own part.

``Recording`` records (``recording.py``), ``Reading`` reports (``reading.py``), ``Upkeep`` keeps the read
models and the seal (``upkeep.py``), ``Reminding`` reminds (``reminding.py``). The service only hands each
call to its part; what it holds is private, so a host cannot reach past the rules.
``scrutiny_es.bootstrap`` gives it a database's ports.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from scrutiny_es.application.ports import Clock, EventStore, Mailer, Progress, ProjectionStatus, ReadModels
from scrutiny_es.application.reading import Reading
from scrutiny_es.application.recording import MAX_ATTEMPTS, BatchRejected, Done, Receipt, Recording
from scrutiny_es.application.reminding import Reminding, SentReminders
from scrutiny_es.application.times import trusted
from scrutiny_es.application.upkeep import Upkeep
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.domain.history import Rag
from scrutiny_es.domain.policy import BUILT_IN, Policy
from scrutiny_es.domain.values import Actor
from scrutiny_es.projections.filters import AuditQuery, Filters, Shown, check_arguments, checked_codes
from scrutiny_es.projections.impact import Grouping, ImpactRow
from scrutiny_es.projections.reminders import WITHIN, Reminder
from scrutiny_es.projections.rows import (
    AuditRow,
    BodyNames,
    BodyRow,
    FactRow,
    ItemStatus,
    OverdueReason,
    OverdueRow,
    TrackerRow,
)
from scrutiny_es.projections.seal import Verification
from scrutiny_es.projections.views import ItemView
from scrutiny_es.projections.withheld import Rows

if TYPE_CHECKING:  # loaded by the first command: a process that only reports does without pydantic's models
    from scrutiny_es.domain import commands as c


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
        read_store: EventStore | None = None,
    ) -> None:
        """``catch_up``: every report first applies the events its read model has not seen, so it shows what
        was recorded before it (without, a ``scrutiny-es projections run`` worker keeps them).
        ``host_transaction``: commands are written in a host's transaction, which may yet be rolled back.
        ``policy``: who may record what (``scrutiny_es.domain.policy``).
        ``read_store``: where reports read an item's or a body's events (a standby's copy of ``store``)."""
        # A clock that gives no timezone-aware time (or has no now) is refused here, not at the first command.
        trusted(clock.now() if callable(getattr(clock, "now", None)) else None)
        self._store = store
        self._read_models = read_models
        self._recording = Recording(store=store, clock=clock, policy=policy, host_transaction=host_transaction)
        self._read_store = read_store
        self._reading = Reading(store=read_store or store, read_models=read_models, clock=clock, catch_up=catch_up)
        self._upkeep = Upkeep(
            store=store, read_models=read_models, reading=self._reading, catch_up=catch_up, clock=clock, policy=policy
        )
        self._reminding = Reminding(reading=self._reading, recording=self._recording, policy=policy)

    def close(self) -> None:
        """Lets go of the database's connections; the record is then used no more (a call says it was closed)."""
        if isinstance(self._store, _Closed):
            return
        self._store.close()
        if self._read_store is not None:
            self._read_store.close()
        self._read_models.close()
        closed: Any = _Closed()
        self._store = self._read_models = self._read_store = closed
        self._recording = self._reading = self._upkeep = self._reminding = closed

    # Recording

    def execute(self, command: c.AnyCommand | dict[str, Any] | str) -> Receipt:
        """Validates and records one command; raises a ``ScrutinyError`` and writes nothing if it breaks a rule."""
        try:
            (receipt,) = self.execute_many([command])  # as the façade reads a batch (see ``Scrutiny``)
        except BatchRejected as e:
            raise e.error from None
        return receipt

    def execute_many(self, commands: Sequence[c.AnyCommand | dict[str, Any] | str]) -> list[Receipt]:
        """Records several commands in one transaction, in order: all of them, or none.

        A command that breaks a rule raises ``BatchRejected`` with its index, and nothing of
        the batch is written. When another writer changes an item first, the batch is tried
        again from the start, up to ``MAX_ATTEMPTS`` times.
        """
        return self._recording.execute_many(commands)

    def unit_of_work(self, work: Callable[[], Done], *, attempts: int = MAX_ATTEMPTS) -> Done:
        """Runs a host's unit of work (its own writes and the commands it records) and commits it; when another
        writer changed the same item first (``ConcurrentChange``), rolls it back and runs it again, up to
        ``attempts`` times in all. Returns what ``work`` returned.

        With a host's session (``Scrutiny(session=...)``) the work is one transaction of the session,
        committed here, or rolled back if it raises. ``work`` must therefore do all of its writing again
        when run again: read the form, not what an earlier try left. Without a session each command is a
        transaction of its own, tried again by ``execute`` itself; the work then simply runs once.
        """
        return self._recording.unit_of_work(work, attempts=attempts)

    # Reports: values only, never the write side

    def today(self) -> date:
        """Today's date in the UK, by the application's clock."""
        return self._reading.today()

    def year_days(self, body: str | None, year: str) -> tuple[date, date]:
        """The first and last day of the body's municipal year written ``2023/24`` (1 May to 30 April without a
        body, or unless the body was registered with another ``municipal_year_starts``)."""
        check_arguments(("year",), body=body, year=year)
        first, last = self._reading.year_days(body, year)
        return first, last  # type: ignore[return-value]

    def report_day(self, as_of: date | None = None, as_known_at: datetime | None = None) -> date:
        """The day a report shows: ``as_of``, else the UK day of ``as_known_at``, else today."""
        check_arguments(as_of=as_of, as_known_at=as_known_at)
        return self._reading.report_day(as_of, as_known_at)

    def body(self, code: str) -> BodyRow:
        """The registered body with this code: its name, council, response periods and calendar."""
        check_arguments(("body",), body=code)
        return self._reading.body(code)

    def bodies(self) -> list[BodyRow]:
        """Every body registered, with or without items, by code: its name, council, response periods and
        calendar."""
        return self._reading.bodies()

    def body_names(self, codes: Iterable[str]) -> dict[str, BodyNames]:
        """Each body's council and names over time (``name_on(day)``: the name in force on a day), by code, as a
        report's heading names it: read from the read models, not the bodies' events. A code no body has is
        refused as ``body`` refuses it."""
        return self._reading.body_names(checked_codes("codes", codes))

    def recommendation(self, body: str, ref: str) -> ItemView:
        """The recommendation or action ``ref`` of body ``body``, as recorded: its referrals (with the response
        due), responses, progress and decisions in force."""
        check_arguments(("body", "ref"), body=body, ref=ref)
        return self._reading.recommendation(body, ref)

    def recommendations(self, body: str, refs: Collection[str] | None = None) -> list[ItemView]:
        """The recommendations and actions ``body`` holds now, or those of them with ``refs``, each as
        ``recommendation`` gives it, read together (an import compares a whole table with them)."""
        check_arguments(("body",), body=body)
        return self._reading.recommendations(body, None if refs is None else checked_codes("refs", refs))

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
        year: str | None = None,
        exempt: bool = False,
    ) -> Rows[TrackerRow]:
        """The tracker: one row per item, as it stands, as of a date, or as known at a time.

        A page of it: the items naming ``addressee``, of ``status`` and ``rag``, open only, with anything
        overdue only; then ``offset`` rows skipped and at most ``limit`` shown, in the tracker's order (body,
        meeting date, ref). The live tracker is chosen in SQL, the others as they are made; an unknown value
        raises ``InvalidQuery`` naming its field. ``year`` (``2023/24``): only the items made in that municipal
        year of the body (of 1 May to 30 April, without a body).

        Exempt items (Schedule 12A) are left out, and the list's ``withheld`` says how many; with ``exempt``
        they are held, each row's ``exempt`` giving its paragraph.
        """
        check_arguments(body=body, ref=ref, as_of=as_of, as_known_at=as_known_at, year=year)
        made = self._reading.year_days(body, year)
        filters = Filters(addressee, status, rag, open_only, overdue_only, None, limit, offset, *made, exempt=exempt)
        read = partial(self._reading.tracker, body, ref, as_of, as_known_at)
        return self._withholding(read, filters, as_of, as_known_at)

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
        exempt: bool = False,
    ) -> Rows[OverdueRow]:
        """What is overdue on ``as_of`` (default: the day of ``as_known_at``, else today), oldest first.

        A page of it: what ``addressee`` is responsible for, owed for ``reason``, on items of ``status`` and
        ``rag`` that day; then ``offset`` rows skipped and at most ``limit`` shown. (Everything overdue is on
        an open item, so the tracker's ``open_only`` and ``overdue_only`` have no place here.) Exempt items
        are left out, and ``withheld`` says how many items were; ``exempt``: held, marked.
        """
        check_arguments(body=body, ref=ref, as_of=as_of, as_known_at=as_known_at)
        filters = Filters(addressee, status, rag, reason=reason, limit=limit, offset=offset, exempt=exempt)
        read = partial(self._reading.overdue, body, ref, as_of, as_known_at)
        return self._withholding(read, filters, as_of, as_known_at)

    def _withholding(
        self, read: Callable[[Filters], list[Shown]], filters: Filters, as_of: date | None, as_known_at: datetime | None
    ) -> Rows[Shown]:
        """The list ``filters`` choose, less its exempt items unless they are asked for, and how many items it left
        out. A whole list is read once, with every item, and split: the exempt rows are few, and counting them
        costs no second query. A page of a live list is chosen in SQL, and asked again for the exempt items only
        where the tracker's index of them finds any."""
        if filters.exempt:
            return Rows(read(filters))
        if (as_of is None and as_known_at is None) and (filters.limit is not None or filters.offset):
            if not self._reading.tracker(None, None, None, None, Filters(exempt=True, exempt_only=True, limit=1)):
                return Rows(read(filters))
            return Rows(read(filters), _items(read(filters.withheld())))
        every = read(replace(filters, exempt=True, limit=None, offset=0))
        shown = filters.page([row for row in every if row.exempt is None])
        return Rows(shown, _items([row for row in every if row.exempt is not None]))

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
        check_arguments(body=body, ref=ref, as_of=as_of, as_known_at=as_known_at)
        return self._reading.audit(AuditQuery(body, ref, as_of, as_known_at, after, limit))

    def item(
        self, body: str, ref: str, as_of: date | None = None, as_known_at: datetime | None = None
    ) -> list[FactRow]:
        """The item's card: every fact of it in the order it took effect, with its own words, and whether it
        still stands (``corrected``: put right since; ``retracted``: withdrawn as recorded in error)."""
        check_arguments(("body", "ref"), body=body, ref=ref, as_of=as_of, as_known_at=as_known_at)
        return self._reading.item(body, ref, as_of, as_known_at)

    def meeting_pack(
        self,
        body: str,
        meeting: date,
        since: date | None = None,
        as_known_at: datetime | None = None,
        year: str | None = None,
        exempt: bool = False,
    ) -> dict[str, Any]:
        """The standing item of a meeting, in its JSON form (DESIGN 6.2): what was known at its publication
        (``as_known_at``, default now) and dated before the meeting day, and ``built_from``: the last position
        it reflects and the seal's digest there, for ``verify --at --digest``.

        Made ``as_known_at`` a moment, it is the same whenever it is made again. ``year`` (``2023/24``): only
        the items the body made in that municipal year.

        It is the public pack (Part A): exempt items (Schedule 12A) are left out, and ``withheld`` says how
        many were. With ``exempt`` it is Part B: the exempt items alone, each marked with its paragraph.
        """
        check_arguments(("body", "meeting"), body=body, meeting=meeting, since=since, as_known_at=as_known_at)
        check_arguments(year=year, exempt=exempt)
        return self._reading.meeting_pack(body, meeting, since, as_known_at, year, exempt)

    def impact(
        self,
        body: str | None = None,
        from_: date | None = None,
        to: date | None = None,
        by: Grouping = "body",
        as_known_at: datetime | None = None,
        year: str | None = None,
        exempt: bool = False,
    ) -> Rows[ImpactRow]:
        """What scrutiny achieved (DESIGN 5.5): for the items made from ``from_`` to ``to`` (both included), the
        counts and rates of responses and outcomes as they stood on ``to`` (default: the day of ``as_known_at``,
        else today), one row per body, addressee, addressee kind or municipal year (``by``). ``year``
        (``2023/24``, instead of ``from_`` and ``to``): the items made in that municipal year of the body,
        measured on its last day (or today, while it runs). A transferred item counts once, under the body that
        made it (``by="current_body"``: under the body it is with on ``to``). Exempt items are left out of the
        figures (``withheld`` says how many), unless ``exempt``."""
        check_arguments(body=body, from_=from_, to=to, as_known_at=as_known_at, year=year, exempt=exempt)
        return self._reading.impact(body, from_, to, by, as_known_at, year, exempt)

    # Reminders

    def reminders(
        self,
        body: str | None = None,
        on: date | None = None,
        within: int = WITHIN,
        contacts: Mapping[str, str] | None = None,
    ) -> list[Reminder]:
        """Who must act next: for each person responsible, what falls due within ``within`` days of ``on``
        (default: today) and what is overdue then, with their address from ``contacts`` (name -> email)."""
        check_arguments(body=body, on=on)
        return self._reminding.reminders(body, on, within, contacts)

    def send_reminders(
        self,
        mailer: Mailer,
        actor: Mapping[str, str],
        body: str | None = None,
        on: date | None = None,
        within: int = WITHIN,
        contacts: Mapping[str, str] | None = None,
    ) -> SentReminders:
        """Mails each person with an address one message, recording first a ``record_reminder`` of each item it
        is about, by ``actor`` (``{"id", "name", "role"}``), in one transaction per person. Nobody is reminded of
        an item twice in a day: what they were reminded of today is left out, a person left with nothing gets no
        message, and two runs at once mail each person once. A mail that does not go has its record retracted
        and is listed in ``not_sent`` with why; the run goes on to the others. Returns the reminders sent."""
        check_arguments(body=body, on=on)
        return self._reminding.send(mailer, actor, body, on, within, contacts)

    # The read models' and the seal's upkeep, for the command line, a worker and a host's scripts

    def verify(self, at: int | None = None, digest: str | None = None) -> Verification:
        """Recomputes the seal's hash chain from the events as stored: how many, the last position and its digest,
        or the first position where a stored event was changed, removed or put in after it was sealed.

        With ``at`` and ``digest`` (published earlier, in a meeting pack say), the chain up to position ``at``
        must also have that digest.
        """
        return self._upkeep.verify(at, digest)

    @property
    def projections(self) -> tuple[str, ...]:
        """The read models' names."""
        return self._upkeep.projections

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        """Applies to the read models every event they have not seen; returns how many were read."""
        return self._upkeep.catch_up(names)

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        progress: Progress | None = None,
        *,
        reseal_reason: str | None = None,
        actor: Actor | Mapping[str, str] | None = None,
        before_swap: Callable[[], object] | None = None,
    ) -> None:
        """Rebuilds read models from the first event into new tables, swapped in when complete.

        A rebuild of the seal checks the log against the seal as it reads it: a log changed since it was sealed
        raises ``SealBroken`` (naming the first position that fails) and nothing is swapped in, unless a person
        resets the seal, giving ``reseal_reason`` and who they are (``actor``, whom the policy lets record every
        command): the reset is recorded as an event of the record, which the new seal then holds.
        ``before_swap`` is called once the log is read, before the new tables are swapped in; raising there
        stops the rebuild (the command line's second process waits there for the first's check of the seal).
        """
        self._upkeep.rebuild(names, progress, reseal_reason=reseal_reason, actor=actor, before_swap=before_swap)

    def check_seal(
        self, reseal_reason: str | None = None, actor: Actor | Mapping[str, str] | None = None
    ) -> str | None:
        """What ``rebuild`` of the seal checks first (see there), for a caller that rebuilds in parts; returns the
        fault a reset was recorded for, or None where the log matches the seal."""
        return self._upkeep.keep_seal(reseal_reason, actor)

    def unreadable(self) -> list[str]:
        """One line for each item holding an event a newer scrutiny_es wrote: every report shows that item as it
        stood before the event, and commands on it are refused; the rest of the record reports as ever."""
        return self._reading.unreadable()

    def projection_status(self) -> list[ProjectionStatus]:
        """Each read model's position against the head of the log."""
        return self._upkeep.projection_status()

    def last_recorded(self) -> datetime | None:
        """When the log's last event was stamped (None: nothing recorded yet), for checking it against a real clock."""
        return self._store.latest()

    @property
    def read_only(self) -> bool:
        """Whether the database turned out read-only: the read models then answer as last brought up to date."""
        return self._upkeep.read_only

    def wait_for_events(self, timeout: float) -> bool:
        """Waits at most ``timeout`` seconds for a signal that events were recorded; says whether one came
        (SQLite gives none: a projection worker polls it)."""
        return self._upkeep.wait_for_events(timeout)

    def follow(self, after: int = 0, timeout: float = 10.0, *, poll: float = 0.2) -> Iterator[AuditRow]:
        """The audit trail's entries after position ``after``, in order, and then each new one as it is recorded;
        the iterator ends once nothing new has come for ``timeout`` seconds.

        A host's notifier keeps the position of the last entry it handled with its own writes, in its own
        transaction, and follows on from there (docs/api.md shows how). On PostgreSQL a new event wakes the
        wait at once (LISTEN/NOTIFY); on SQLite, or with the read models kept by a separate worker, the trail
        is looked at every ``poll`` seconds.
        """
        return self._upkeep.follow(after, timeout, poll=poll)

    def wait_for(self, receipt: Receipt, timeout: float = 10.0) -> None:
        """Returns when every read model shows ``receipt``'s command (read-your-writes with a worker)."""
        self._upkeep.wait_for(receipt, timeout)


class _Closed:
    """What a closed record's parts become: any use of them says so, not a connection pool's error from inside."""

    def __getattr__(self, name: str) -> Any:
        raise ScrutinyError("the record was closed (close()): open it again to use it")


def _items(rows: list[Shown]) -> int:
    """How many items the rows are of (an item may owe two things overdue)."""
    return len({(row.body, row.ref) for row in rows})
