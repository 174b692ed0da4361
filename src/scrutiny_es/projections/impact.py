"""What scrutiny achieved: the counts and rates of an annual scrutiny report (DESIGN 5.5), per group.

The figures are worked out from the items' histories in one pass, each item as of the day the
report measures on (``to``), as the tracker as of a date is; a group keeps only its counts (and
the days taken to respond, counted by how many days), so memory does not grow with the record.

Every figure is either of items (``made``, ``closed``, the outcomes, ``open``, ``overdue``,
``revised``, ``revisions``) or of referrals and responses (the others): grouped by addressee or
addressee kind, an item counts in the group of each of its addressees (once per group), and a
referral or a response only in its own addressee's. docs/reports.md defines each one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from scrutiny_es.domain.dates import municipal_year
from scrutiny_es.domain.history import ItemHistory, closure, known
from scrutiny_es.projections.items import Meetings, obligations

Grouping = Literal["body", "addressee", "addressee_kind", "year", "current_body"]
"""``body``: the body that made the item (a transferred item counts once, there); ``current_body``: the one it is
with on the day measured."""
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)

NO_ADDRESSEE = "(no addressee)"
"""The group, by addressee or kind, of an item made with no addressee."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImpactRow:
    """One group's figures, under the contract's names (``impact --format json`` prints them)."""

    group: str
    made: int
    referred: int
    responded: int
    responded_on_time: int
    awaiting: int
    awaiting_overdue: int
    median_days_to_respond: float | None
    accepted: int
    partially_accepted: int
    rejected: int
    noted: int
    acceptance_rate: float | None
    closed: int
    implemented: int
    partially_implemented: int
    not_implemented: int
    implementation_rate: float | None
    open: int
    overdue: int
    revised: int
    revisions: int


_ITEM_COUNTS = ("made", "closed", "implemented", "partially_implemented", "not_implemented", "open", "overdue",
                "revised", "revisions")  # fmt: skip
_REFERRAL_COUNTS = ("referred", "responded", "responded_on_time", "awaiting", "awaiting_overdue", "accepted",
                    "partially_accepted", "rejected", "noted")  # fmt: skip


@dataclass(slots=True)
class _Tally:
    counts: Counter[str] = field(default_factory=Counter)
    days: Counter[int] = field(default_factory=Counter)
    """How many responses took each number of days."""

    def row(self, group: str) -> ImpactRow:
        n = self.counts
        accepted = n["accepted"] + n["partially_accepted"]
        implemented = n["implemented"] + n["partially_implemented"]
        return ImpactRow(
            group=group,
            **{name: n[name] for name in (*_ITEM_COUNTS, *_REFERRAL_COUNTS)},
            median_days_to_respond=_median(self.days),
            acceptance_rate=_rate(accepted, accepted + n["rejected"]),
            implementation_rate=_rate(implemented, implemented + n["not_implemented"]),
        )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _median(days: Counter[int]) -> float | None:
    """The median of the days counted: the middle one, or the mean of the middle two."""
    total = sum(days.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2  # the middle places, counting from 0
    found: list[int] = []
    seen = 0
    for value in sorted(days):
        seen += days[value]
        found += [value] * ((seen > low) - len(found) + (seen > high))
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def impact_rows(
    histories: Iterable[ItemHistory],
    *,
    to: date,
    from_: date | None = None,
    by: Grouping = "body",
    calendars: Mapping[str, Meetings] | None = None,
) -> list[ImpactRow]:
    """The figures of the items made from ``from_`` to ``to`` (both included), as they stood on ``to``, one
    row per group in the group's order (``calendars``: each body's meetings, for deferrals to "a future
    meeting")."""
    tallies: dict[str, _Tally] = {}

    def tally(group: str) -> _Tally:
        found = tallies.get(group)
        if found is None:
            found = tallies[group] = _Tally()
        return found

    for history in histories:
        if history.meeting_date > to or (from_ is not None and history.meeting_date < from_):
            continue
        _count(history, to, by, () if calendars is None else calendars[history.body], tally)
    return [tallies[group].row(group) for group in sorted(tallies)]


def _count(history: ItemHistory, to: date, by: Grouping, meetings: Meetings, tally: Callable[[str], _Tally]) -> None:
    """Adds one item's figures, as they stood on ``to``, to its groups' tallies."""
    held = history.held(to)  # by who holds each referral on ``to``: a successor, the one they took over
    referrals = {a: h.referral for a, h in held.items()}
    responses = {a: f for a, f in history.responses.items() if f.on <= to}
    decisions = known(history.decisions, to)
    closed = closure(decisions)
    revisions = sum(1 for f in decisions if f.what == "target_date_revised")
    overdue = any(o.overdue_on(to) for o in obligations(history, to, meetings))
    kinds = {a.name: a.kind for a in history.addressees_on(to)}
    ever = {a.name: a.kind for f in history.addressee_changes for a in (f.addressee, f.successor) if a is not None}
    ever = {a.name: a.kind for a in history.addressees} | ever | kinds  # the referred and responding, gone or not
    if by == "body":
        groups = [history.made_by]
    elif by == "current_body":
        groups = [history.body_on(to)]
    elif by == "year":
        groups = [municipal_year(history.meeting_date)]
    elif by == "addressee":
        groups = list(kinds) or [NO_ADDRESSEE]
    else:
        groups = list(dict.fromkeys(kinds.values())) or [NO_ADDRESSEE]
    for group in groups:
        n = tally(group).counts
        n["made"] += 1
        if closed is None:
            n["open"] += 1
        else:
            n["closed"] += 1
            if closed.outcome in ("implemented", "partially_implemented", "not_implemented"):
                n[closed.outcome] += 1
        n["overdue"] += overdue
        n["revised"] += revisions > 0
        n["revisions"] += revisions
    for name in ever:
        referral, response = referrals.get(name), responses.get(name)
        if referral is None and response is None:
            continue
        own = tally(name if by == "addressee" else ever[name] if by == "addressee_kind" else groups[0])
        n = own.counts
        due = None if referral is None else referral.due_on(response.on if response is not None else to)
        if referral is not None:
            n["referred"] += 1
        if response is not None:
            n["responded"] += 1
            n[response.decision] += 1
            if due is not None and response.on <= due:
                n["responded_on_time"] += 1
            if referral is not None:
                own.days[(response.on - referral.on).days] += 1
        elif closed is None and held[name].ended_on is None:  # a removed addressee owes nothing
            n["awaiting"] += 1
            n["awaiting_overdue"] += due is not None and due < to
