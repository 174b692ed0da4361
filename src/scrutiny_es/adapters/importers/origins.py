"""A successor's table: rows whose Origin names the body that made the item, before it was transferred in.

When a council changes its committees, the new committee's tracker carries its predecessors' open items
with an Origin code (``CSMC``). Such an item is the predecessor's: the import makes it there (or finds it
there, made by the predecessor's own table) and transfers it to the table's body, so that it is one item,
counted once under the body that made it (``impact --by current-body`` counts it under the table's). The
transfer takes effect on the day the predecessor was dissolved, if it was after the meeting, else on the
tracker's date (``--as-of``). Every other command of the row names the table's body, with the ``origin``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from scrutiny_es.adapters.importers.changes import Changes
from scrutiny_es.adapters.importers.ids import MAX_COMMAND_ID
from scrutiny_es.adapters.importers.plan import ImportPlan
from scrutiny_es.adapters.importers.problems import RowProblem, RowRef
from scrutiny_es.domain.errors import BodyNotFound, RecommendationNotFound
from scrutiny_es.projections.rows import BodyRow, TrackerRow
from scrutiny_es.projections.views import ItemView


class Record(Protocol):
    """What the import reads of the record (a ``ScrutinyService``)."""

    def body(self, code: str) -> BodyRow: ...

    def recommendation(self, body: str, ref: str) -> ItemView: ...

    def tracker(self, *, body: str, exempt: bool = ...) -> list[TrackerRow]: ...


def origins(
    plan: ImportPlan, record: Record, body: str, recorded: Sequence[TrackerRow]
) -> dict[RowRef, list[TrackerRow]]:
    """Each row whose Origin names another body, with the items it may be (those that body made: with ``body``, or
    still with their maker); a row naming a body not registered, or an item now with a third body, is a problem."""
    found: dict[RowRef, list[TrackerRow]] = {}
    makes = {at: command for at, command in plan.commands if command["command"] == "make_recommendation"}
    kept: dict[str, list[TrackerRow]] = {}
    for at, cells in plan.cells.items():
        origin = cells.get("origin", "").strip()
        if not origin or origin == body or at not in makes:
            continue
        try:
            record.body(origin)
        except BodyNotFound:
            rule = "in the origin column is not a registered body: register the body that made the item first"
            plan.errors.append(RowProblem(at, None, origin, rule))
            continue
        ref = makes[at]["ref"]
        try:
            view = record.recommendation(origin, ref)
        except RecommendationNotFound:
            view = None
        if view is not None and view.body not in (body, origin):
            rule = f"made {ref}, which is with {view.body} now, not {body}: import it with {view.body}'s table"
            plan.errors.append(RowProblem(at, None, origin, rule))
            continue
        if view is not None and view.body == body:  # taken over already: the row of the body it last came from
            came = view.transfers[-1][1]
            found[at] = [r for r in recorded if r.ref == ref and r.taken_over_from == came]
        else:  # still with its maker, or not recorded: any of the maker's own (a row without a Ref, by its text)
            own = kept.get(origin)
            if own is None:
                own = kept[origin] = [r for r in record.tracker(body=origin, exempt=True) if r.taken_over_from is None]
            found[at] = [r for r in recorded if r.taken_over_from == origin] + own
    return found


def transfer_in(
    plan: ImportPlan, record: Record, body: str, source: str, rows: dict[RowRef, list[TrackerRow]], changes: Changes,
    as_of: date, actor: Mapping[str, str],
) -> None:  # fmt: skip
    """Rewrites the commands of each row in ``rows`` (see ``origins``): its item made by the body of its Origin,
    transferred to ``body`` where it is not with it yet, and every other command naming ``body`` and the origin."""
    groups: dict[RowRef, list[dict[str, Any]]] = {}
    for at, command in plan.commands:
        groups.setdefault(at, []).append(command)
    out: list[tuple[RowRef, dict[str, Any]]] = []
    for at in dict.fromkeys([*plan.cells, *groups]):
        commands = groups.get(at, [])
        if at not in rows:
            out.extend((at, command) for command in commands)
            continue
        origin = plan.cells[at]["origin"].strip()
        item = changes.items.get(at)
        if item is None:  # a new item: made by its maker, then moved here
            made, commands = commands[0], commands[1:]
            meeting = date.fromisoformat(made["meeting_date"])
            out.append((at, made | {"body": origin}))
            out.append((at, _transfer(record, actor, origin, body, made["ref"], meeting, as_of, source, at)))
        elif item.body != body and item.status == "closed":
            plan.warnings.append(f"{at}: {item.ref} of {origin} is closed there, so it is not transferred; left out")
            continue
        elif item.body != body:  # its maker holds it still (recorded from the maker's own table): moved here
            out.append((at, _transfer(record, actor, origin, body, item.ref, item.meeting_date, as_of, source, at)))
        out.extend((at, command | {"origin": origin}) for command in commands)
    plan.commands = out


def _transfer(
    record: Record, actor: Mapping[str, str], origin: str, body: str, ref: str, meeting: date, as_of: date, source: str,
    at: RowRef,
) -> dict[str, Any]:  # fmt: skip
    """The transfer of the row's item from its maker to ``body``: on the maker's dissolution, else the tracker's date
    (recorded by ``actor``, who records the import)."""
    ended = record.body(origin).dissolved_on
    on = ended if ended is not None and meeting <= ended <= as_of else as_of
    key = f"import:{body}:{source}:{at}:transfer"
    if len(key) > MAX_COMMAND_ID:
        key = f"import:{body}:~{hashlib.sha256(key.encode()).hexdigest()[:16]}:transfer"
    return {"command": "transfer", "command_id": key, "actor": dict(actor), "body": origin, "ref": ref,
            "to_body": body, "decided_on": on.isoformat()}  # fmt: skip
