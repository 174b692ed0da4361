"""What the service layer needs of the world, as small protocols: a clock, an event store, read models.

``scrutiny_es.bootstrap`` plugs in the real ones (a database URL's); a test can plug in
in-memory ones. Nothing here names a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from uuid import UUID

if TYPE_CHECKING:  # named in annotations only: the write side's ports lead to no read model
    from scrutiny_es.application.unreadable import Blocked
    from scrutiny_es.domain.history import ItemHistory
    from scrutiny_es.domain.model import Body, Recommendation
    from scrutiny_es.projections.filters import AuditQuery, Filters
    from scrutiny_es.projections.reminders import Reminder
    from scrutiny_es.projections.rows import AuditRow, BodyNames, OverdueRow, TrackerRow
    from scrutiny_es.projections.seal import Sealed


class Clock(Protocol):
    """Tells the time at which an event is recorded (timezone-aware)."""

    def now(self) -> datetime: ...


class Mailer(Protocol):
    """Sends one person their reminder (an SMTP server's, or a host's own way of sending mail)."""

    def send(self, reminder: Reminder) -> None:
        """Sends ``reminder`` to its ``email``; raises if it could not be sent."""


class Conflict(Exception):
    """Another writer appended to the same aggregate first."""


class Outdated(Exception):
    """Aggregates the batch read from memory, kept from an earlier batch, were changed by another writer since."""

    def __init__(self, keys: list[UUID]) -> None:
        super().__init__(f"changed since they were read: {', '.join(map(str, keys))}")
        self.keys = keys


class LogIsAhead(Exception):
    """The last event in the log was recorded later than the batch being appended: stamp it again."""

    def __init__(self, latest: datetime) -> None:
        super().__init__(f"the log's last event was recorded at {latest.isoformat()}")
        self.latest = latest


class Recorded(NamedTuple):
    """A command recorded before under its key: the digest of its content, its last event's position, its
    events' names."""

    digest: str
    position: int
    events: tuple[str, ...]


Keyed = tuple[str, str, int, str]
"""A command with a key, for the store to keep: the key, the digest of the command, the index of its last event
in the batch (from 0), and its events' names (comma-separated). A command found recorded before as the same
command still in force, without this key, wrote no event: its index is then minus the position of that earlier
command's last event, so that its key is kept too and names what the command was answered."""


class EventLog(Protocol):
    """The log of every event, in the order recorded, read from a position."""

    def head(self) -> int:
        """The position of the last event recorded (0 when there is none)."""

    def read(self, after: int, limit: int) -> list[tuple[int, Any]]:
        """Up to ``limit`` events after ``after``, with their positions."""

    def count(self, after: int = 0) -> int:
        """How many events were recorded after position ``after`` (positions may have gaps)."""

    def stored(self, after: int, limit: int) -> list[tuple[int, Any, int, str, bytes]]:
        """Up to ``limit`` events after ``after`` exactly as stored: position, aggregate id, version, topic, JSON."""


class EventStore(Protocol):
    """Where aggregates' events are kept."""

    @property
    def log(self) -> EventLog:
        """The store's log, for the read models."""

    def load(self, key: UUID) -> Body | Recommendation | None:
        """The aggregate replayed from its events, or None."""

    def events(self, key: UUID, *, readable: bool = False) -> list[Any]:
        """Every event of one aggregate, in order; ``readable``: those before the first a newer release wrote."""

    def version(self, key: UUID) -> int:
        """The version of one aggregate's last event as stored now (0: none): whether one held in memory is
        still the latest, for the price of one indexed row."""

    def append(
        self, events: Sequence[Any], keyed: Sequence[Keyed] = (), unchanged: Mapping[UUID, int] | None = None
    ) -> Sequence[int]:
        """Appends events in one transaction, with the keys of the commands that recorded them, and returns
        their positions (1, 2, 3... in the order recorded); raises ``Conflict`` if another writer appended to
        one of the aggregates, or recorded one of the keys, first, ``LogIsAhead`` if the batch is stamped
        too early, ``Outdated`` if one of the ``unchanged`` aggregates (each with the version the batch read)
        has a later event. Nothing is written when it raises."""

    def recorded(self, keys: list[str]) -> dict[str, Recorded]:
        """The commands already recorded under these keys."""

    def fact_at(self, position: int) -> tuple[UUID, int] | None:
        """The aggregate's id and the event's version at ``position`` of the log (1, 2, 3... in the order
        recorded, the audit trail's numbering), or None if no event has that position. Kept by the append
        transaction itself: no read model is consulted, and a host's transaction sees its own appends."""

    def positions(self, key: UUID) -> dict[int, int]:
        """The log position of each of one aggregate's events, by version (empty if it has none); like
        ``fact_at``, kept by the append transaction."""

    def commit(self) -> None:
        """Commits the host's transaction that events were appended in (nothing to do without a host's)."""

    def rollback(self) -> None:
        """Rolls back the host's transaction (nothing to do without a host's)."""

    def latest(self) -> datetime | None:
        """When the last event in the log was recorded (None: the log is empty)."""

    @property
    def signals_events(self) -> bool:
        """Whether ``wait_for_events`` is woken when events are recorded (else it waits out its time)."""

    def wait_for_events(self, timeout: float) -> bool:
        """Waits at most ``timeout`` seconds for a signal that events were recorded; says whether one came
        (a database without such signals, SQLite, waits out the time and says no)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class ProjectionStatus:
    """Where a projection stands against the head of the log: log positions, and the events between them."""

    name: str
    position: int
    head: int
    rebuilding_at: int | None
    lag: int
    """How many events the projection has yet to apply."""
    events: int
    """How many events the log holds."""
    rebuild_lag: int | None = None
    """How many events a rebuild under way has yet to apply."""

    @property
    def applied(self) -> int:
        """How many events the projection has applied: its place in the log as users count, 1, 2, 3..."""
        return self.events - self.lag


Progress = Callable[[int, int], None]
"""Told the position reached and the head of the log, after each batch of a rebuild."""


class RebuildGate(Protocol):
    """What a rebuild passes on its way, and may be stopped by before its new tables are swapped in: the seal's
    check of the log against the seal it replaces, made in the rebuild's own read of the log."""

    def sealed(self, first: int, rows: Sequence[tuple[int, Any, int, str, bytes]], digests: Sequence[bytes]) -> None:
        """Told each run of events the new seal holds, as stored, from position ``first`` on, with their digests
        (a rebuild of the seal); raises to stop the rebuild."""

    def finish(self) -> None:
        """Told the log was read to its end, before the new tables are swapped in; raises to stop the rebuild."""


class ReadModels(Protocol):
    """The tracker, the overdue list and the audit trail, kept up to date from the log."""

    @property
    def names(self) -> tuple[str, ...]:
        """The read models' names."""

    @property
    def read_only(self) -> bool:
        """Whether the last catch-up found the database read-only (the read models then answer as they stand)."""

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        """Applies every event not yet applied; returns how many were read."""

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None, gate: RebuildGate | None = None
    ) -> None:
        """Rebuilds projections from the first event, swapped in when complete (and when ``gate`` lets them)."""

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]: ...

    def tracker(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = ...
    ) -> list[TrackerRow]:
        """The live tracker, with what is overdue on day ``on``: the rows ``filters`` keep, one page of them."""

    def overdue(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = ...
    ) -> list[OverdueRow]:
        """What is overdue on day ``on``: the rows ``filters`` keep, one page of them."""

    def audit(self, query: AuditQuery = ...) -> list[AuditRow]:
        """The audit trail's entries the query asks for, in the order recorded."""

    def histories(
        self, body: str | None = None, ref: str | None = None, *, ever: bool = False
    ) -> Iterator[ItemHistory]:
        """Each item's history as the tracker holds it, in tracker order; with ``ever``, a body's are also the
        items it once held or was given (transferred away, or to it)."""

    def item_ids(self, body: str | None = None, ref: str | None = None, *, ever: bool = False) -> list[UUID]:
        """The items the tracker knows, in tracker order (``ever`` as for ``histories``)."""

    def body_names(self, codes: Iterable[str]) -> dict[str, BodyNames]:
        """The council and names of each body of ``codes`` they know, by code (a report's heading shows them)."""

    def body_codes(self) -> list[str]:
        """The codes of the bodies registered, in order."""

    def last_position(self, as_known_at: datetime | None = None) -> int:
        """The position of the last event in the audit trail (recorded by ``as_known_at``); 0 if none."""

    def sealed(self, after: int, limit: int) -> list[Sealed]:
        """Up to ``limit`` sealed events after position ``after``, in order."""

    def blocked(self) -> list[Blocked]:
        """The items left at an event a newer release wrote (``application/unreadable.py``), in log order."""

    def close(self) -> None: ...
