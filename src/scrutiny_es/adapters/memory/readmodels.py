"""The read models held in memory, folded from the log by the same pure logic as the SQL ones.

For the service's tests (wired with eventsourcing's in-memory event store, nothing touches
a database) and for scripts that replay a log they hold. A rebuild is a fold from the start.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from uuid import UUID

from scrutiny_es.application.ports import EventLog, Progress, ProjectionStatus, RebuildGate
from scrutiny_es.application.unreadable import Blocked, TooNew, readable
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body
from scrutiny_es.projections.audit import AuditedItem, audit_entry
from scrutiny_es.projections.filters import EVERY_ENTRY, EVERY_ROW, AuditQuery, Filters, chosen_items
from scrutiny_es.projections.items import fold, overdue_rows, tracker_row
from scrutiny_es.projections.rows import AuditRow, BodyNames, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import ZERO, Sealed, seal


class MemoryReadModels:
    """The tracker, the overdue list and the audit trail as dicts and lists; all three move on together."""

    names = ("audit", "overdue", "seal", "tracker")
    read_only = False

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.position = 0
        self.items: dict[UUID, ItemHistory] = {}
        self.bodies: dict[UUID, Body] = {}
        """The bodies, for their calendars."""
        self.audited: dict[UUID, AuditedItem] = {}
        self.entries: list[AuditRow] = []
        self.seals: list[Sealed] = []
        """Each entry's aggregate (its id's hex) and event version, by position less one."""
        self.skipped = 0
        """Events left out of the audit trail, whose places it keeps."""
        self.held: dict[str, Blocked] = {}
        """The items left at an event a newer release wrote."""

    def blocked(self) -> list[Blocked]:
        return sorted(self.held.values(), key=lambda item: item.position)

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        read = 0
        while events := self.log.read(start := self.position, 1000):
            for _, event in readable(events, self.held, places=True):
                if type(event) is TooNew:  # its place in the audit trail kept
                    self.skipped += 1
                    continue
                if isinstance(event, Body.Event | Body.Registered):
                    self.bodies[event.originator_id] = event.mutate(self.bodies.get(event.originator_id))  # type: ignore[assignment]
                history = fold(self.items.get(event.originator_id), event)
                if history is not None:
                    self.items[event.originator_id] = history
                item, entry = audit_entry(
                    self.audited.get(event.originator_id), event, len(self.entries) + self.skipped + 1
                )
                if item is not None:
                    self.audited[event.originator_id] = item
                if entry is not None:
                    self.entries.append(entry)
            self.position = events[-1][0]
            for row in self.log.stored(start, len(events)):
                last = self.seals[-1] if self.seals else Sealed(0, 0, ZERO)
                self.seals.append(Sealed(last.position + 1, row[0], seal(last.digest, row)))
            read += len(events)
        return read

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None, gate: RebuildGate | None = None
    ) -> None:
        if gate is not None:  # the new chain made and shown to the gate before anything is dropped
            digest, first, after = ZERO, 1, -(2**63)
            while rows := self.log.stored(after, 5_000):
                digests = [digest := seal(digest, row) for row in rows]
                gate.sealed(first, rows, digests)
                first, after = first + len(rows), rows[-1][0]
            gate.finish()
        self.position = 0
        self.items.clear()
        self.bodies.clear()
        self.audited.clear()
        self.entries.clear()
        self.seals.clear()
        self.held.clear()
        self.skipped = 0
        self.catch_up()
        if progress is not None:
            progress(self.position, self.log.head())

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        head, lag, events = self.log.head(), self.log.count(self.position), self.log.count()
        return [ProjectionStatus(name, self.position, head, None, lag, events) for name in names or self.names]

    def _histories(self, body: str | None, ref: str | None, ever: bool = False) -> list[ItemHistory]:
        chosen = [h for h in self.items.values() if ref in (None, h.ref) and (body in (None, h.body) or (ever and any(
            body in (t.from_body, t.to_body) for t in h.transfers)))]  # fmt: skip
        return sorted(chosen, key=lambda h: (h.body, h.meeting_date, h.ref))

    def tracker(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[TrackerRow]:
        calendars = self._calendars()
        rows = (tracker_row(h, day=on, meetings=calendars.get(h.body, ())) for h in self._histories(body, ref))
        return filters.page([row for row in rows if row is not None and filters.keeps(row)])

    def overdue(
        self, on: date, body: str | None = None, ref: str | None = None, filters: Filters = EVERY_ROW
    ) -> list[OverdueRow]:
        calendars = self._calendars()
        histories = chosen_items(self._histories(body, ref), filters, on, None, calendars)
        return filters.page([r for r in overdue_rows(histories, on, calendars=calendars) if filters.keeps_overdue(r)])

    def _calendars(self) -> dict[str, list[date]]:
        return {b.code: sorted(b.meetings) for b in self.bodies.values()}

    def audit(self, query: AuditQuery = EVERY_ENTRY) -> list[AuditRow]:
        return [entry for entry in self.entries[query.after :] if query.keeps(entry)][: query.limit]

    def histories(
        self, body: str | None = None, ref: str | None = None, *, ever: bool = False
    ) -> Iterator[ItemHistory]:
        return iter(self._histories(body, ref, ever))

    def item_ids(self, body: str | None = None, ref: str | None = None, *, ever: bool = False) -> list[UUID]:
        return [h.item_id for h in self._histories(body, ref, ever)]

    def body_names(self, codes: Iterable[str]) -> dict[str, BodyNames]:
        wanted = set(codes)
        return {b.code: BodyNames(b.council, tuple(b.names)) for b in self.bodies.values() if b.code in wanted}

    def body_codes(self) -> list[str]:
        return sorted(body.code for body in self.bodies.values())

    def last_position(self, as_known_at: datetime | None = None) -> int:
        known = [e for e in self.entries if as_known_at is None or e.recorded_at <= as_known_at]
        return known[-1].position if known else 0

    def sealed(self, after: int, limit: int) -> list[Sealed]:
        return self.seals[after : after + limit]

    def close(self) -> None:
        pass
