"""Reading: every report, live or as of a date or as known at a time, as values.

A live report reads its read model; a report as of a date reads the histories the tracker's
read model keeps (each fact carries the date it took effect); a report as known at a time folds
each item's events again, leaving out those recorded later. Nothing here records, and nothing
returned is an aggregate: a host may do what it likes with it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from scrutiny_es.application.collector import collector_paused
from scrutiny_es.application.finding import taken_over
from scrutiny_es.application.ports import EventStore, ReadModels
from scrutiny_es.application.unreadable import sentence
from scrutiny_es.domain.bodies import DEFAULT_YEAR_STARTS, year_days
from scrutiny_es.domain.dates import long_date, uk_day
from scrutiny_es.domain.errors import BodyNotFound, InvalidQuery, RecommendationNotFound
from scrutiny_es.domain.fastpath import replay
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body, Recommendation, body_id, recommendation_id
from scrutiny_es.projections import pack, withheld
from scrutiny_es.projections.card import card_order, fact_status, fact_text, put_right
from scrutiny_es.projections.filters import AuditQuery, Filters, chosen_items
from scrutiny_es.projections.impact import GROUPINGS, Grouping, ImpactRow, impact_rows
from scrutiny_es.projections.items import fold, overdue_rows, shown_in, tracker_row
from scrutiny_es.projections.rows import AuditRow, BodyNames, BodyRow, FactRow, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import ZERO
from scrutiny_es.projections.views import ItemView, item_view

Calendars = dict[str, list[date]]

R = TypeVar("R")

_folding_histories = collector_paused()
"""For a report that makes a history for each item and drops it: the collector paused (see its module). One
decorator for them all: used as one, the context manager is made afresh for each call."""


class Reading:
    """Answers every report from the read models and, for time travel, the event store."""

    def __init__(self, *, store: EventStore, read_models: ReadModels, clock: Any, catch_up: bool) -> None:
        """``catch_up``: every report first applies the events its read model has not seen, so it shows what
        was recorded before it (without, a ``scrutiny-es projections run`` worker keeps them)."""
        self._store = store
        self._read_models = read_models
        self._clock = clock
        self._catch_up_first = catch_up

    def today(self) -> date:
        """Today's date in the UK, by the application's clock."""
        return uk_day(self._clock.now())

    def report_day(self, as_of: date | None = None, as_known_at: datetime | None = None) -> date:
        """The day a report shows: ``as_of``, else the UK day of ``as_known_at``, else today."""
        return as_of or (uk_day(as_known_at) if as_known_at else self.today())

    def unreadable(self) -> list[str]:
        """One line for each item (or body) holding an event a newer release wrote: reports show it as it stood
        before that event (``application/unreadable.py``)."""
        lines = []
        for item in self._read_models.blocked():
            first = self._store.events(UUID(item.key), readable=True)[:1]
            made = first[0] if first else None
            label = f"{made.body}/{made.ref}" if isinstance(made, Recommendation.Made) else f"the item {item.key}"
            if isinstance(made, Body.Registered):
                label = f"the body {made.code}"
            lines.append(sentence(label, item))
        return lines

    def body(self, code: str) -> BodyRow:
        """The registered body with this code: its name, council, response periods and calendar."""
        return _body_row(self._registered(code))

    def _registered(self, code: str) -> Body:
        events = self._store.events(body_id(code), readable=True)  # a newer release's event: the body before it
        found = replay(None, events) if events else None
        if not isinstance(found, Body):
            raise BodyNotFound.of(code)
        return found

    def _known(self, code: str | None) -> None:
        """Refuses a report of a body no one registered, as the command line does, rather than answer it with
        nothing (a code mistyped looks like a body with nothing to show); one indexed row of the store's."""
        if code is not None and self._store.version(body_id(code)) == 0:
            raise BodyNotFound.of(code)

    def body_names(self, codes: Iterable[str]) -> dict[str, BodyNames]:
        """Each body's council and names over time, by code, from the read models (caught up first), so a report's
        heading needs none of the bodies' events; a body they do not hold yet (a read-only database behind
        its log) is read as ``body`` reads it, and a code no body has is refused as ``body`` refuses it."""
        self._catch_up()
        codes = list(codes)
        found = self._read_models.body_names(codes)
        for code in codes:
            if code not in found:
                body = self._registered(code)
                found[code] = BodyNames(body.council, tuple(body.names))
        return {code: found[code] for code in codes}

    def bodies(self) -> list[BodyRow]:
        """Every body registered, with or without items, by code."""
        if self._catch_up_first:
            self._read_models.catch_up(["audit"])
        return [self.body(code) for code in self._read_models.body_codes()]

    def recommendation(self, body: str, ref: str) -> ItemView:
        """The recommendation or action ``ref`` of body ``body``, as recorded."""
        events = self._item_events(body, ref)
        history = events[0].history()  # its Made event's
        for event in events[1:]:
            fold(history, event)
        return item_view(history)

    def recommendations(self, body: str, refs: Collection[str] | None) -> list[ItemView]:
        """The items ``body`` holds now (those of ``refs``, else every one), as ``recommendation`` gives each: from
        the tracker's histories, read in one pass rather than an item at a time."""
        self._known(body)
        self._catch_up()
        wanted = None if refs is None else set(refs)
        histories = self._read_models.histories(body, None, ever=True)
        return [item_view(h) for h in histories if (wanted is None or h.ref in wanted) and h.body_on(None) == body]

    @_folding_histories
    def tracker(
        self,
        body: str | None,
        ref: str | None,
        as_of: date | None,
        as_known_at: datetime | None,
        filters: Filters,
    ) -> list[TrackerRow]:
        self._known(body)
        self._catch_up()
        day = self.report_day(as_of, as_known_at)
        if as_of is None and as_known_at is None:
            return self._found(self._read_models.tracker(day, body, ref, filters), body, ref)
        meetings = self.calendars(as_known_at)
        histories = self.histories(body, ref, as_known_at)
        rows = (tracker_row(history, as_of, day, meetings[history.body], body) for history in histories)
        kept = [row for row in rows if row is not None and filters.keeps(row)]
        return self._found(filters.page(sorted(kept, key=lambda row: (row.body, row.meeting_date, row.ref))), body, ref)

    @_folding_histories
    def overdue(
        self,
        body: str | None,
        ref: str | None,
        as_of: date | None,
        as_known_at: datetime | None,
        filters: Filters,
    ) -> list[OverdueRow]:
        self._known(body)
        self._catch_up()
        on = self.report_day(as_of, as_known_at)
        if as_of is None and as_known_at is None:
            return self._found(self._read_models.overdue(on, body, ref, filters), body, ref)
        calendars = self.calendars(as_known_at)
        histories = chosen_items(self.histories(body, ref, as_known_at), filters, on, on, calendars)
        rows = overdue_rows(histories, on, on, calendars)
        return self._found(
            filters.page([r for r in rows if body in (None, r.body) and filters.keeps_overdue(r)]), body, ref
        )

    def audit(self, query: AuditQuery) -> list[AuditRow]:
        self._known(query.body)
        self._catch_up()
        body, ref = query.body, query.ref
        if body is not None and ref is not None and self._store.version(recommendation_id(body, ref)) == 0:
            # no item of the body's own has the ref: the one it took over, in the trail of the body that made it
            query = replace(query, body=self._item_events(body, ref)[0].body)
        return self._found(self._read_models.audit(query), query.body, query.ref)

    def item(self, body: str, ref: str, as_of: date | None, as_known_at: datetime | None) -> list[FactRow]:
        events = self._item_events(body, ref)
        entries = self.audit(AuditQuery(events[0].body, ref, None, as_known_at))  # under the body that made it
        known = {e.originator_version: e for e in events if as_known_at is None or e.timestamp <= as_known_at}
        version_at = {position: version for version, position in self._store.positions(events[0].originator_id).items()}
        found = {version_at[entry.position]: entry for entry in entries if version_at.get(entry.position) in known}
        righted = put_right(known)
        order = card_order(righted, {version: entry.effective_on for version, entry in found.items()})
        shown = sorted((order[v], e.position, v) for v, e in found.items() if as_of is None or order[v][0] <= as_of)
        return [
            FactRow(**asdict(found[v]) | {"effective_on": day}, text=fact_text(known[v]),
                    status=fact_status(known, v, righted))
            for (day, _), _, v in shown
        ]  # fmt: skip

    @_folding_histories
    def meeting_pack(
        self,
        body: str,
        meeting: date,
        since: date | None,
        as_known_at: datetime | None,
        year: str | None = None,
        exempt: bool = False,
    ) -> dict[str, Any]:
        found = self.body(body)
        first, last = self.year_days(body, year)
        self._catch_up()
        published = as_known_at or self._clock.now()
        meetings = self.calendars(as_known_at)[body]
        eve = date.fromordinal(meeting.toordinal() - 1)
        held, left = [], []  # and the items it passed to another board before the meeting: the pack says where
        for h in self.histories(body, None, as_known_at):
            if first is not None and not first <= h.meeting_date <= last:  # type: ignore[operator]
                continue
            if shown_in(h, body, eve):
                held.append(h)
            elif any(t.from_body == body and t.on <= eve for t in h.transfers):
                left.append(h)
        position = self._read_models.last_position(as_known_at)
        sealed = self._read_models.sealed(position - 1, 1) if position else []
        if since is None:  # of every item: Part A and Part B are of the same period
            since = pack.since_default(meeting, meetings, held)
        histories = held + left  # the pack keeps those of the period
        shown, left_out = withheld.parts(histories, part_b=exempt)

        def pack_of(items: list[ItemHistory]) -> dict[str, Any]:
            return pack.meeting_pack(
                body=body, body_name=found.name_on(meeting), council=found.council, meeting=meeting, since=since,
                histories=items, meetings=meetings, published=published, position=position,
                digest=(sealed[0].digest if sealed else ZERO).hex(),
            )  # fmt: skip

        made = pack_of(shown)
        made.update(exempt=exempt, withheld=withheld.items_in_pack(pack_of(left_out)) if left_out else 0)
        others = {c for row in made["tracker"] for c in (row.get("transferred_to"), row.get("taken_over_from")) if c}
        names = self.body_names(sorted(others)) if others else {}
        made["boards"] = {code: name.name_on(meeting) for code, name in names.items()}  # where items came and went
        return made

    @_folding_histories
    def impact(
        self,
        body: str | None,
        from_: date | None,
        to: date | None,
        by: Grouping,
        as_known_at: datetime | None,
        year: str | None = None,
        exempt: bool = False,
    ) -> withheld.Rows[ImpactRow]:
        if by not in GROUPINGS:
            raise InvalidQuery(f"by: must be one of {', '.join(GROUPINGS)}, not {by!r}", field="by")
        if body is not None:
            self.body(body)
        if year is not None:
            if from_ is not None or to is not None:
                raise InvalidQuery("give year, or from and to, not both", field="year")
            from_, last = self.year_days(body, year)
            to = min(last, self.report_day(None, as_known_at))  # type: ignore[type-var]
            if from_ is not None and to is not None and from_ > to:  # said of the year asked for, not of a from
                msg = f"year {year} has not begun by {long_date(to)}: it begins on {long_date(from_)}"
                raise InvalidQuery(msg, field="year")
        self._catch_up()
        to = to or self.report_day(None, as_known_at)
        if from_ is not None and from_ > to:
            msg = f"from: {long_date(from_)} is after to ({long_date(to)}): give from on or before to"
            raise InvalidQuery(msg, field="from")
        histories = (
            h for h in self.histories(body, None, as_known_at)
            if body in (None, h.body_on(to) if by == "current_body" else h.made_by)
        )  # fmt: skip
        kept = withheld.Withholding(exempt)
        shown = (h for h in histories if kept.keeps(h))
        rows = impact_rows(shown, to=to, from_=from_, by=by, calendars=self.calendars(as_known_at))
        made = [h for h in kept.left_out if h.meeting_date <= to and (from_ is None or from_ <= h.meeting_date)]
        return withheld.Rows(rows, len(made))

    def year_days(self, body: str | None, year: str | None) -> tuple[date | None, date | None]:
        """The first and last day of the body's municipal year written ``2023/24`` (None: no year asked for); of
        1 May to 30 April without a body."""
        if year is None:
            return None, None
        starts = self.body(body).municipal_year_starts if body is not None else DEFAULT_YEAR_STARTS
        return year_days(starts, year)

    def calendars(self, as_known_at: datetime | None) -> Calendars:
        """Each body's meetings scheduled and not cancelled (as known at a moment), read when first asked for."""
        store = self._store

        class Found(dict[str, list[date]]):
            def __missing__(self, code: str) -> list[date]:
                events = [
                    e
                    for e in store.events(body_id(code), readable=True)
                    if as_known_at is None or e.timestamp <= as_known_at
                ]
                found = replay(None, events) if events else None
                meetings = self[code] = sorted(found.meetings) if isinstance(found, Body) else []
                return meetings

        return Found()

    def histories(self, body: str | None, ref: str | None, as_known_at: datetime | None) -> Iterator[ItemHistory]:
        """Each item's history, one item at a time, for a report as of a date or as known at a time.

        A history holds every fact with the date it took effect, so the tracker table's
        histories (the fold of every event) answer "as of" any date. "As known at" a time
        folds each item's events again, leaving out those recorded later. A body's are the items
        it made or was ever given: each report keeps those it shows on its day (``shown_in``).
        """
        self._read_models.catch_up(["tracker"])
        if as_known_at is None:
            yield from self._read_models.histories(body, ref, ever=True)
            return
        for item_id in self._read_models.item_ids(body, ref, ever=True):
            history: ItemHistory | None = None
            for event in self._store.events(item_id, readable=True):
                if event.timestamp <= as_known_at:
                    history = fold(history, event)
            if history is not None:
                yield history

    def _item_events(self, body: str, ref: str) -> list[Any]:
        """The item with ``ref`` that ``body`` holds, made there or taken over; else the one it made, wherever it
        went."""
        events = self._store.events(recommendation_id(body, ref), readable=True)
        moved = [e.to_body for e in events if type(e) is Recommendation.Transferred]
        if not events or moved[-1:] not in ([], [body]):
            holder = self._store.load(body_id(body))
            found = taken_over(holder, ref, self._store.load) if isinstance(holder, Body) else None  # type: ignore[arg-type]
            events = self._store.events(found, readable=True) if found else events
        if not events:
            self.body(body)
            msg = f"{body} has no recommendation or action with the reference {ref}"
            raise RecommendationNotFound(msg, field="ref")
        return events

    def _found(self, rows: list[R], body: str | None, ref: str | None) -> list[R]:
        """The rows of a report of one item, or ``RecommendationNotFound`` if no item ever had the ref (in the body
        given), rather than no rows, as if a mistyped ref were an item with nothing to show. Asked only of a report
        with no rows: of an item made after its day, or with nothing overdue, it says nothing."""
        if rows or ref is None:
            return rows
        if body is not None:
            self._item_events(body, ref)
        elif not self._read_models.item_ids(None, ref, ever=True):
            msg = f"no body has a recommendation or action with the reference {ref}"
            raise RecommendationNotFound(msg, field="ref")
        return rows

    def _catch_up(self) -> None:
        if self._catch_up_first:
            self._read_models.catch_up()


def _body_row(body: Body) -> BodyRow:
    deadlines: dict[str, str | None] = {
        kind: None if period is None else str(period) for kind, period in body.deadlines.items()
    }
    on, successor = body.dissolved or (None, None)
    names = list(body.names) if len(body.names) > 1 else None
    return BodyRow(body=body.code, name=body.name, council=body.council, deadlines=deadlines,
                   meetings=sorted(body.meetings), regime=body.regime,
                   municipal_year_starts=body.municipal_year_starts, names=names, dissolved_on=on,
                   successor=successor)  # fmt: skip
