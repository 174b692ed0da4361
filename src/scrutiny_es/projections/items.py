"""What the tracker and the overdue list show of an item's history, as of any date.

The history (``scrutiny_es.domain.history``) keeps every dated fact, with corrections
applied to the fact they correct, so the same history answers "now" and "as of any
date": :func:`tracker_row` and :func:`obligations` look only at facts effective on or
before ``as_of``. The live read models store this history per item; "as of" replays fold
it in memory. Either way it is one fold, so a rebuild equals the incremental result by
construction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from scrutiny_es.domain.history import (
    RETURNING,
    DecisionFact,
    ItemHistory,
    Outcome,
    Rag,
    ResponseFact,
    agreed_target_dates,
    closure,
    known,
)
from scrutiny_es.domain.model import Recommendation
from scrutiny_es.projections.rows import ItemStatus, Obligation, OverdueReason, OverdueRow, TrackerRow

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter  # when first needed: a live report reads its rows without pydantic

    return TypeAdapter(kind)


def stored(history: ItemHistory) -> str:
    """The history as JSON, as the read models keep it."""
    return _adapter(ItemHistory).dump_json(history).decode()


def from_stored(text: str | bytes) -> ItemHistory:
    return _adapter(ItemHistory).validate_json(text)  # type: ignore[no-any-return]


def fold(history: ItemHistory | None, event: Any) -> ItemHistory | None:
    """The history after one more event (events of other aggregates leave it as it is)."""
    if history is None:
        return event.history() if type(event) is Recommendation.Made else None
    step = getattr(event, "fold", None)  # a body's events have none
    if step is not None:
        step(history)
    return history


Meetings = Sequence[date]
"""A body's calendar: the days of its meetings scheduled and not cancelled, in order."""


def tracker_row(
    history: ItemHistory,
    as_of: date | None = None,
    day: date | None = None,
    meetings: Meetings = (),
    body: str | None = None,
) -> TrackerRow | None:
    """The item's tracker row as of a date (``None``: everything recorded); no row before its meeting.

    ``overdue`` says what is overdue on ``day``: the as-of date, else the day given (today). ``body``: the
    body whose tracker is shown; a body the item left on the as-of day shows it as transferred, that day.
    """
    fields = tracker_fields(history, as_of, meetings)
    if fields is None:
        return None
    if body is not None and body != fields["body"]:
        left = None if as_of is None else history.left_on(body, as_of)
        if left is None:
            return None
        fields.update(body=body, taken_over_from=None, transferred_to=left.to_body, transferred_on=left.on)
    on = as_of or day
    owed = obligations(history, as_of, meetings)
    overdue = [] if on is None else list(dict.fromkeys(o.reason for o in owed if o.overdue_on(on)))
    return TrackerRow(**fields, overdue=overdue)


def shown_in(history: ItemHistory, body: str | None, as_of: date | None) -> bool:
    """Whether the item is in ``body``'s reports of the day (None: every body's; a live report: the item's body)."""
    return body is None or (history.held_by(body, as_of) if history.transfers else history.body == body)


class TrackerRecord(NamedTuple):
    """An item's live tracker row as the tracker table keeps it: as JSON, every field but ``overdue``, which
    changes with the day, and instead the item's obligations to work it out when asked; and the fields a page
    of the tracker is chosen by."""

    row: str
    status: ItemStatus
    rag: Rag | None
    addressees: list[str]


def tracker_record(history: ItemHistory, owed: list[Obligation], meetings: Meetings = ()) -> TrackerRecord | None:
    """What the tracker table keeps of an item (None before it is made)."""
    fields = tracker_fields(history, None, meetings)
    if fields is None:
        return None
    fields["owed"] = [(o.reason, o.due, o.met_on) for o in owed]
    row = _adapter(dict[str, Any]).dump_json(fields).decode()
    return TrackerRecord(row, fields["status"], fields["rag"], fields["addressees"])


def tracker_from_json(text: str | bytes, day: date) -> TrackerRow:
    """A live tracker row from the tracker table, with what is overdue on ``day``.

    The JSON is what ``tracker_record`` wrote, so only its dates need reading back: a validator for the
    whole row would cost a command-line report a twentieth of a second to build, and every row as much again.
    """
    fields = json.loads(text)
    overdue, on = [], day.isoformat()
    for reason, due, met_on in fields.pop("owed"):
        if due < on and (met_on is None or met_on > on) and reason not in overdue:
            overdue.append(reason)
    for name in _ROW_DATES:  # a row kept before a field was added lacks it: the field's default stands
        if fields.get(name) is not None and fields[name] != "future meeting":
            fields[name] = date.fromisoformat(fields[name])
    return TrackerRow(**fields, overdue=overdue)


_ROW_DATES = tuple(f.name for f in dataclass_fields(TrackerRow) if "date" in str(f.type).split(" | "))
"""The tracker row's fields that may hold a date (``deferred_until`` may also say "future meeting")."""


def tracker_fields(history: ItemHistory, as_of: date | None = None, meetings: Meetings = ()) -> dict[str, Any] | None:
    """The fields of :func:`tracker_row` but ``overdue``, as a dict."""
    if as_of is not None and history.meeting_date > as_of:
        return None
    held = history.held(as_of)  # by who holds each referral on the day: a successor holds the one taken over
    referrals = {a: h.referral for a, h in held.items() if h.ended_on is None}
    responses = {a: f for a, f in history.responses.items() if as_of is None or f.on <= as_of}
    progress = known(history.progress, as_of)
    decisions = known(history.decisions, as_of)
    closed = closure(decisions)
    addressees = history.addressees_on(as_of)
    awaited = [] if closed else [a.name for a in addressees if a.name in referrals and a.name not in responses]
    status: ItemStatus
    if closed is not None:
        status = "closed"
    elif awaited:
        status = "awaiting_response"
    else:
        status = "responded" if responses else "made"
    verdicts = {f.decision for f in responses.values()}
    noted: list[tuple[tuple[date, int], str]] = [(f.order(), f.text) for f in responses.values()]
    noted += [(f.order(), f.note) for f in progress]
    rags = [f.rag for f in progress if f.rag is not None]
    escalations = [f.on for f in decisions if f.what == "escalated"]
    moves = known(history.transfers, as_of)
    changes = [history.meeting_date] + [
        f.on for f in [*referrals.values(), *responses.values(), *progress, *decisions, *moves]
    ]
    changes += [f.on for f in known(history.addressee_changes, as_of)] if history.addressee_changes else []
    targets = agreed_target_dates(history, responses, decisions)
    came = history.came_from(as_of)
    return dict(
        body=history.body_on(as_of),
        ref=history.ref,
        kind=history.kind,
        meeting_date=history.meeting_date,
        item=history.item,
        minute=history.minute,
        text=history.text,
        addressees=[a.name for a in addressees],
        status=status,
        response=None if not verdicts else verdicts.pop() if len(verdicts) == 1 else "mixed",
        response_due=min((d for a in awaited if (d := referrals[a].due_on(as_of)) is not None), default=None),
        target_date=targets[-1] if targets else None,
        rag=rags[-1] if rags else None,
        deferred_until=_deferred_until(decisions, responses, meetings),
        outcome=closed.outcome if closed else None,
        notes=max(noted)[1] if noted else None,
        last_changed_on=max(changes),
        awaiting=awaited,
        escalated_on=escalations[-1] if escalations else None,
        closure_note=closed.note if closed else None,
        original_target_date=targets[0] if targets else None,
        target_date_revisions=sum(1 for f in decisions if f.what == "target_date_revised"),
        closure_proposed=None if closed else _proposed(decisions),
        taken_over_from=came.from_body if came else None,
        transferred_to=None,
        transferred_on=came.on if came else None,
        exempt=history.exempt,
    )


def _proposed(decisions: list[DecisionFact]) -> Outcome | None:
    """The outcome of a closure proposal that stands: the board has taken no decision on the item since."""
    latest = decisions[-1] if decisions else None
    return latest.outcome if latest is not None and latest.what == "closure_proposed" else None


def obligations(history: ItemHistory, as_of: date | None = None, meetings: Meetings = ()) -> list[Obligation]:
    """What is owed on the item and when each was met; a closure ends what is still open. A deferral "to a
    future meeting" is owed at the first of ``meetings`` after the decision to defer."""
    if as_of is not None and history.meeting_date > as_of:
        return []
    responses = {a: f for a, f in history.responses.items() if as_of is None or f.on <= as_of}
    decisions = known(history.decisions, as_of)
    closed = closure(decisions)
    closed_on = closed.on if closed else None
    owed: list[Obligation] = []
    held_by = history.body_on(as_of)

    def owe(reason: OverdueReason, responsible: list[str], due: date, met_on: date | None, original: date) -> None:
        owed.append(Obligation(held_by, history.ref, reason, responsible, due, met_on, original))

    for holder, (referral, ended_on) in history.held(as_of).items():  # a removed addressee owes nothing from then
        due = referral.due_on(as_of)
        if due is not None:
            response = responses.get(holder)
            ended = ended_on if closed_on is None or (ended_on is not None and ended_on < closed_on) else closed_on
            met_on = response.on if response else ended
            owe("response", [holder], due, met_on, referral.original_due or due)
    targets = agreed_target_dates(history, responses, decisions)
    if targets:
        owe("target_date", [a.name for a in history.addressees_on(as_of)], targets[-1], closed_on, targets[0])
    returns = sorted([f.order() for f in decisions if f.what in RETURNING] + [f.order() for f in responses.values()])
    for deferral in decisions:
        until = _deferred_to(deferral, meetings) if deferral.what == "deferred" else None
        if until is not None:
            later = [day for day, seq in returns if (day, seq) > deferral.order()]
            owe("deferral", [history.board], until, later[0] if later else None, until)
    return owed


def waits_for_a_meeting(history: ItemHistory) -> bool:
    """Whether the item was ever deferred "to a future meeting": what it shows then depends on the calendar."""
    return any(f.what == "deferred" and f.until is None for f in history.decisions)


def _deferred_to(deferral: DecisionFact, meetings: Meetings) -> date | None:
    """The day a deferral is owed: the date given, else the body's first meeting after the decision, if any."""
    if deferral.until is not None:
        return deferral.until
    return next((day for day in meetings if day > deferral.on), None)


OVERDUE_ORDER = ("due", "body", "ref", "reason")
"""The overdue list's order, oldest first; rows alike in these are one item's, in the order it owes them."""


def overdue_row(o: Obligation, item: str, text: str, on: date, exempt: str | None = None) -> OverdueRow:
    """An obligation's row in the overdue list of day ``on``, with the item it is owed on."""
    return OverdueRow(
        body=o.body, ref=o.ref, reason=o.reason, due=o.due, days_overdue=(on - o.due).days,
        responsible=o.responsible, item=item, text=text, original_due=o.original_due, exempt=exempt,
    )  # fmt: skip


def overdue_rows(
    histories: Iterable[ItemHistory],
    on: date,
    as_of: date | None = None,
    calendars: Mapping[str, Meetings] | None = None,
) -> list[OverdueRow]:
    """What the items owe, as of a date, that is overdue on a day, in the overdue list's order (``calendars``:
    each body's meetings, by code)."""
    rows = [
        overdue_row(o, history.item, history.text, on, history.exempt)
        for history in histories
        for o in obligations(history, as_of, () if calendars is None else calendars[history.body])
        if o.overdue_on(on)
    ]
    return sorted(rows, key=attrgetter(*OVERDUE_ORDER))


def _deferred_until(
    decisions: list[DecisionFact], responses: dict[str, ResponseFact], meetings: Meetings
) -> date | Literal["future meeting"] | None:
    deferrals = [f for f in decisions if f.what == "deferred"]
    if not deferrals:
        return None
    last = deferrals[-1]
    returned = any(f.order() > last.order() for f in decisions if f.what in RETURNING)
    if returned or any(f.order() > last.order() for f in responses.values()):
        return None
    return _deferred_to(last, meetings) or "future meeting"
