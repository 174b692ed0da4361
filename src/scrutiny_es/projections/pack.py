"""The meeting pack: the standing item "Tracking and Monitoring of Scrutiny Recommendations", from the record.

At each meeting a board notes the responses received since its last meeting (1.1) and the
progress reported (1.2), determines action where progress is unsatisfactory (1.3) and decides
which items no longer need monitoring (1.4), with the tracker as its appendix. A pack is
published about a week before its meeting, so it holds what was known at its publication and
dated before the meeting day: what the board decides at the meeting belongs to the next pack.
Made again for the same publication moment, the same pack comes out, byte for byte, however much
is recorded later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.errors import InvalidQuery
from scrutiny_es.domain.history import DecisionFact, ItemHistory, closure, known
from scrutiny_es.projections.items import Meetings, tracker_row
from scrutiny_es.projections.rows import TrackerRow, json_values

REASONS = ("red", "response", "target_date", "deferral")
"""Why an item is unsatisfactory, in the order a pack lists them."""

REPORT_BACK = ("escalated", "reaffirmed")

"""Board decisions that ask for a report back at the next meeting."""

DayTest = Callable[[date], bool]


def since_default(meeting: date, meetings: Meetings, histories: Iterable[ItemHistory]) -> date | None:
    """The last meeting before ``meeting``: of the calendar, else of the items made, else None."""
    before = [day for day in meetings if day < meeting]
    if before:
        return before[-1]
    made = [h.meeting_date for h in histories if h.meeting_date < meeting]
    return max(made) if made else None


def meeting_pack(
    *,
    body: str,
    body_name: str,
    council: str,
    meeting: date,
    since: date | None,
    histories: Sequence[ItemHistory],
    meetings: Meetings,
    published: datetime,
    position: int,
    digest: str,
) -> dict[str, Any]:
    """The pack in its JSON form (DESIGN 5.3 as 6.2 changes it), every list ordered by ref.

    ``histories`` and ``meetings`` are as known at ``published``; ``since`` (None: the last meeting before
    ``meeting``) starts the period, and the day before the meeting ends it.
    """
    if since is not None and since >= meeting:
        raise InvalidQuery(
            f"since ({long_date(since)}) must be before the meeting ({long_date(meeting)}): the last meeting's day",
            field="since",
        )
    histories = sorted(histories, key=lambda h: h.ref)
    if since is None:
        since = since_default(meeting, meetings, histories)
    eve = meeting - timedelta(days=1)

    def fresh(day: date) -> bool:
        """Dated on or after the last meeting day and before this meeting's."""
        return (since is None or since <= day) and day < meeting

    def falls_due(day: date) -> bool:
        """Falling due after the last meeting, by this one."""
        return (since is None or since < day) and day <= meeting

    responses, progress, unsatisfactory, for_closure, returning, tracker = [], [], [], [], [], []
    for history in histories:
        if history.meeting_date > eve:
            continue
        decisions = known(history.decisions, eve)
        closed = closure(decisions)
        for addressee, fact in sorted(history.responses.items(), key=lambda pair: pair[1].order()):
            if fresh(fact.on):
                referral = history.referral_of(addressee) or history.referrals.get(addressee)
                due = referral.due_on(fact.on) if referral is not None and referral.on <= eve else None
                responses.append({
                    "ref": history.ref, "item": history.item, "addressee": addressee, "decision": fact.decision,
                    "text": fact.text, "responded_on": fact.on.isoformat(), "responded_by": fact.responded_by,
                    "due": None if due is None else due.isoformat(), "on_time": None if due is None else fact.on <= due,
                })  # fmt: skip
        for report in known(history.progress, eve):
            if fresh(report.on):
                progress.append({
                    "ref": history.ref, "item": history.item, "note": report.note, "reported_on": report.on.isoformat(),
                    "reported_by": report.reported_by, "rag": report.rag,
                })  # fmt: skip
        if closed is not None and not fresh(closed.on):
            continue  # closed before the period: in none of the pack's lists (most of a long record's items)
        row = tracker_row(history, eve, eve, meetings, body) or _left(history, body, meetings, fresh)
        if row is None:
            continue
        if row.status != "closed" and row.transferred_to is None:
            why = (["red"] if row.rag == "red" else []) + [r for r in REASONS[1:] if r in row.overdue]
            if why:
                unsatisfactory.append({"ref": history.ref, "item": history.item, "why": why})
            closing = (["proposed"] if row.closure_proposed else []) + (["green"] if row.rag == "green" else [])
            if closing:
                proposal = decisions[-1] if row.closure_proposed else None
                for_closure.append({
                    "ref": history.ref, "item": history.item, "why": closing, "outcome": row.closure_proposed,
                    "proposed_by": proposal.decided_by if proposal else None,
                    "proposed_on": proposal.on.isoformat() if proposal else None,
                })  # fmt: skip
            returning += _returning(history, row, decisions, fresh, falls_due)
        tracker.append(json_values(row))  # open, or closed or transferred away in the period
    return {
        "body": body,
        "body_name": body_name,
        "council": council,
        "meeting": meeting.isoformat(),
        "since": None if since is None else since.isoformat(),
        "published": published.isoformat(),
        "responses": responses,
        "progress": progress,
        "unsatisfactory": unsatisfactory,
        "returning": returning,
        "for_closure": for_closure,
        "tracker": tracker,
        "built_from": {"position": position, "digest": digest},
    }


def _left(history: ItemHistory, body: str, meetings: Meetings, fresh: DayTest) -> TrackerRow | None:
    """The row of an item transferred away from ``body`` in the period, as it stood the day it left: the board is
    told where it went, as of an item closed in the period (None: it left before, or was never with ``body``)."""
    gone = [t for t in history.transfers if t.from_body == body and fresh(t.on)]
    return tracker_row(history, gone[-1].on, gone[-1].on, meetings, body) if gone else None


def _returning(
    history: ItemHistory, row: TrackerRow, decisions: list[DecisionFact], fresh: DayTest, falls_due: DayTest
) -> list[dict[str, Any]]:
    """What the board is to return to on an open item at this meeting: a deferral due (its date falls after the
    last meeting and by this one, or "a future meeting" with none scheduled before), and a report back (a target
    date falling due then, or an escalation or re-affirmation since the last meeting)."""
    found: list[dict[str, Any]] = []
    until = row.deferred_until
    if until == "future meeting" or (isinstance(until, date) and falls_due(until)):
        deferral = [f for f in decisions if f.what == "deferred"][-1]
        found.append({
            "ref": history.ref, "item": history.item, "why": "deferred",
            "due": until.isoformat() if isinstance(until, date) else None,
            "decided_on": deferral.on.isoformat(), "words": deferral.reason,
        })  # fmt: skip
    asked = [f for f in decisions if f.what in REPORT_BACK and fresh(f.on)]
    target = row.target_date if row.target_date is not None and falls_due(row.target_date) else None
    if asked or target:
        last = asked[-1] if asked else None
        found.append({
            "ref": history.ref, "item": history.item, "why": "report_back",
            "due": target.isoformat() if target else None,
            "decided_on": last.on.isoformat() if last else None,
            "words": (last.action if last.what == "escalated" else last.note) if last else None,
        })  # fmt: skip
    return found
