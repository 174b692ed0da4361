"""The meeting pack: the standing item "Tracking and Monitoring of Scrutiny Recommendations", from the record.

At each meeting a board notes the responses received since its last meeting (1.1) and the
progress reported (1.2), determines action where progress is unsatisfactory (1.3) and decides
which items no longer need monitoring (1.4), with the tracker as its appendix. Everything here
is worked out from the items' histories as of the meeting day; made "as known at" a moment, the
same pack comes out, byte for byte, however much is recorded later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from scrutiny_es.domain.history import ItemHistory, known
from scrutiny_es.projections.items import Meetings, tracker_row
from scrutiny_es.projections.rows import json_values

REASONS = ("red", "response", "target_date", "deferral")
"""Why an item is unsatisfactory, in the order a pack lists them."""


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
    position: int,
    digest: str,
) -> dict[str, Any]:
    """The pack in its JSON form (DESIGN 5.3), every list ordered by ref."""
    histories = sorted(histories, key=lambda h: h.ref)

    def fresh(day: date) -> bool:
        return (since is None or since < day) and day <= meeting

    responses, progress, unsatisfactory, for_closure, tracker = [], [], [], [], []
    for history in histories:
        row = tracker_row(history, meeting, meeting, meetings)
        if row is None:
            continue
        for addressee, fact in sorted(history.responses.items(), key=lambda pair: pair[1].order()):
            if fresh(fact.on):
                referral = history.referrals.get(addressee)
                due = referral.response_due if referral is not None and referral.on <= meeting else None
                responses.append({
                    "ref": history.ref, "item": history.item, "addressee": addressee, "decision": fact.decision,
                    "text": fact.text, "responded_on": fact.on.isoformat(), "responded_by": fact.responded_by,
                    "due": None if due is None else due.isoformat(), "on_time": None if due is None else fact.on <= due,
                })  # fmt: skip
        for report in known(history.progress, meeting):
            if fresh(report.on):
                progress.append({
                    "ref": history.ref, "item": history.item, "note": report.note, "reported_on": report.on.isoformat(),
                    "reported_by": report.reported_by, "rag": report.rag,
                })  # fmt: skip
        if row.status != "closed":
            why = (["red"] if row.rag == "red" else []) + [r for r in REASONS[1:] if r in row.overdue]
            if why:
                unsatisfactory.append({"ref": history.ref, "item": history.item, "why": why})
            closing = (["proposed"] if row.closure_proposed else []) + (["green"] if row.rag == "green" else [])
            if closing:
                for_closure.append({"ref": history.ref, "item": history.item, "why": closing,
                                    "outcome": row.closure_proposed})  # fmt: skip
        closed_on = max((f.on for f in known(history.decisions, meeting) if f.what == "closed"), default=None)
        if row.status != "closed" or (closed_on is not None and fresh(closed_on)):
            tracker.append(json_values(row))
    return {
        "body": body,
        "body_name": body_name,
        "council": council,
        "meeting": meeting.isoformat(),
        "since": None if since is None else since.isoformat(),
        "responses": responses,
        "progress": progress,
        "unsatisfactory": unsatisfactory,
        "for_closure": for_closure,
        "tracker": tracker,
        "built_from": {"position": position, "digest": digest},
    }
