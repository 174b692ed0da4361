"""The clerk's table brought back: of each row whose item the record holds, only what the clerk changed (DESIGN 6.3).

A row is matched to its item by its ref, else by its meeting date and text. A cell equal to what the
record holds records nothing, so the same edited table imported again (under any file name) records
nothing. A changed Notes cell is one progress report (with ``notes="response"``, the response of the
addressee awaited, where one is); a changed text or item is a correction; a changed response, status or
target date is its command; a changed Responsible Person cell adds, removes or replaces addressees (on
the as-of day). Each such command's id carries a digest of what it records, so a file put right and
imported again records the fixed fact (as a correction, or a new note) and is never refused for
reusing an id. A row the record does not hold is planned as a new item, as before.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from scrutiny_es.adapters.importers.plan import BOARD, ImportPlan
from scrutiny_es.adapters.importers.problems import RowProblem, RowRef
from scrutiny_es.adapters.importers.words import CLOSING, DECISIONS, RAGS
from scrutiny_es.adapters.importers.words import words as _words
from scrutiny_es.projections.rows import TrackerRow
from scrutiny_es.projections.views import ItemView

NotesAre = Literal["progress", "response"]
Views = Callable[[set[str]], Sequence[ItemView]]
"""The items of these refs, as recorded (a ref may name several: the body's own and others taken over)."""


@dataclass
class Changes:
    """What comparing a table with the record found: rows matched, and of those how many said nothing new."""

    matched: int = 0
    unchanged: int = 0
    items: dict[RowRef, TrackerRow] = field(default_factory=dict)
    """Each matched row's item."""


def changes_only(
    plan: ImportPlan,
    recorded: Sequence[TrackerRow],
    *,
    as_of: date,
    notes: NotesAre = "progress",
    origins: Mapping[RowRef, Sequence[TrackerRow]] | None = None,
    views: Views | None = None,
) -> Changes:
    """Rewrites ``plan.commands`` in place: a row whose item is ``recorded`` gives only the commands of what
    changed; any other row keeps its commands (a new item). A row in ``origins`` (its Origin names the body
    that made it) is matched among its own items only (those that body made).

    A tracker row holds an item's decision and its latest words, not each response's words: where a row's
    response is in words the row cannot settle, ``views`` gives the items of those refs in full, asked once
    for them all."""
    groups: dict[RowRef, list[dict[str, Any]]] = {}
    for at, command in plan.commands:
        groups.setdefault(at, []).append(command)
    own = {at: c for at, c in groups.items() if at not in origins} if origins else groups
    taken: dict[RowRef, TrackerRow] = {}
    for at, items in (origins or {}).items():
        taken |= _match(plan, {at: groups[at]}, items) if at in groups else {}
    claimed = {id(item) for item in taken.values()}  # an item a row with an Origin took is no other row's
    unclaimed = [row for row in recorded if id(row) not in claimed]
    settled, refused = _shared_refs(plan, own, unclaimed)
    claimed |= {id(item) for item in settled.values()}
    rest = {at: c for at, c in own.items() if at not in settled and at not in refused}
    matches = _match(plan, rest, [row for row in unclaimed if id(row) not in claimed]) | settled | taken
    refs = {row.ref for row in recorded}
    shared = {ref for ref, n in Counter(row.ref for row in recorded).items() if n > 1}
    done = Changes()
    rows: list[tuple[RowRef, list[dict[str, Any]] | _Changed]] = []
    for at, commands in groups.items():
        if at in refused:
            continue
        item = matches.get(at)
        if item is None:
            rows.append((at, _new_item(commands, refs)))
            continue
        done.matched += 1
        done.items[at] = item
        planned = {c["command"]: c for c in commands[1:]}
        rows.append((at, _Changed(plan, at, commands[0], item, plan.cells.get(at, {}), as_of, notes, planned)))
    asked = {row.item.ref for _, row in rows if isinstance(row, _Changed) and row.needs_view()}
    found = {_came(view): view for view in views(asked)} if asked and views is not None else {}
    out: list[tuple[RowRef, dict[str, Any]]] = []
    for at, row in rows:
        if isinstance(row, _Changed):
            item = row.item
            changed = row.commands(found.get((item.ref, item.taken_over_from)))
            done.unchanged += not changed
            if item.ref in shared and item.taken_over_from is None and at not in taken:  # its own, named so
                changed = [command | {"origin": command["body"]} for command in changed]
            row = changed
        out.extend((at, command) for command in row)
    plan.commands = out
    return done


def _shared_refs(
    plan: ImportPlan, own: Mapping[RowRef, list[dict[str, Any]]], recorded: Sequence[TrackerRow]
) -> tuple[dict[RowRef, TrackerRow], set[RowRef]]:
    """The rows without an Origin whose Ref names several items the body holds (its own, and others taken over):
    in a table with an Origin column, a blank one is the body's own item; without the column, the row is refused
    (named in ``plan.errors``), never matched to whichever item comes first."""
    several: dict[str, list[TrackerRow]] = {}
    for row in recorded:
        several.setdefault(row.ref, []).append(row)
    settled: dict[RowRef, TrackerRow] = {}
    refused: set[RowRef] = set()
    for at, commands in own.items():
        make, cells = commands[0], plan.cells.get(at, {})
        items = several.get(make.get("ref", ""), [])
        if make["command"] != "make_recommendation" or not cells.get("ref") or len(items) < 2:
            continue
        mine = [row for row in items if row.taken_over_from is None]
        if "origin" in cells and len(mine) == 1:
            settled[at] = mine[0]
            continue
        came = sorted(row.taken_over_from for row in items if row.taken_over_from)
        kinds = ["its own"] * len(mine) + [f"one taken over from {code}" for code in came]
        rule = (f"is the ref of {len(items)} items {make['body']} holds ({', '.join(kinds)}): an Origin column "
                "naming the body that made each says which (export the table again to have one)")  # fmt: skip
        plan.errors.append(RowProblem(at, None, make["ref"], rule))
        refused.add(at)
    return settled, refused


def _came(view: ItemView) -> tuple[str, str | None]:
    """An item as its tracker row names it: its ref, and the body it came from (None: not taken over)."""
    return view.ref, view.transfers[-1][1] if view.transfers else None


def _match(
    plan: ImportPlan, groups: Mapping[RowRef, list[dict[str, Any]]], recorded: Sequence[TrackerRow]
) -> dict[RowRef, TrackerRow]:
    """Each row's item: by the Ref the row gives; else by meeting date and text; else by text alone (a meeting
    date put right); else, for an item no other row took, by the ref its place in the table makes (a text put
    right in a table without refs)."""
    by_ref: dict[str, TrackerRow] = {}
    for row in recorded:  # a ref the body's own item has is that item's
        if row.ref not in by_ref or by_ref[row.ref].taken_over_from is not None:
            by_ref[row.ref] = row
    by_text: dict[tuple[str, str], TrackerRow] = {}
    texts: dict[str, list[TrackerRow]] = {}
    found: dict[RowRef, TrackerRow] = {}
    for at, commands in groups.items():
        make = commands[0]
        if make["command"] != "make_recommendation":
            continue
        item = by_ref.get(make["ref"]) if plan.cells.get(at, {}).get("ref") else None
        if item is None:
            if not texts:  # made when a row first needs them: a table with refs rarely does
                by_text = {(row.meeting_date.isoformat(), _flat(row.text)): row for row in recorded}
                for row in recorded:
                    texts.setdefault(_flat(row.text), []).append(row)
            text = _flat(make["text"])  # a space doubled or a line broken: the same words
            same_text = texts.get(text, [])
            item = by_text.get((make["meeting_date"], text)) or (same_text[0] if len(same_text) == 1 else None)
        if item is not None:
            found[at] = item
    taken = {item.ref for item in found.values()}
    for at, commands in groups.items():
        make = commands[0]
        item = by_ref.get(make["ref"])
        if at not in found and make["command"] == "make_recommendation" and item and item.ref not in taken:
            found[at] = item
            taken.add(item.ref)
    return found


def _new_item(commands: list[dict[str, Any]], refs: set[str]) -> list[dict[str, Any]]:
    """A row of a new item: a place-made ref the record holds already is numbered on past its meeting's refs,
    and each id carries a digest of its command (the row's place may have held another item before)."""
    ref = commands[0].get("ref", "")
    head, _, number = ref.rpartition("/")
    if ref in refs and number.isdigit():
        numbers = (r.rpartition("/")[2] for r in refs if r.startswith(head + "/"))
        last = max(int(n) for n in numbers if n.isdigit())
        ref = f"{head}/{last + 1}"
        refs.add(ref)
    renamed = []
    for command in commands:
        command = command | {"ref": ref}
        facts = {k: v for k, v in command.items() if k not in ("command_id", "actor")}
        digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:12]
        renamed.append(command | {"command_id": f"{command['command_id']}:{digest}"})
    return renamed


class _Changed:
    """One row of the table set against the item the record holds."""

    def __init__(
        self,
        plan: ImportPlan,
        at: RowRef,
        make: dict[str, Any],
        item: TrackerRow,
        cells: Mapping[str, str],
        as_of: date,
        notes: NotesAre,
        planned: Mapping[str, dict[str, Any]],
    ):
        self.plan, self.at, self.make, self.item, self.cells = plan, at, make, item, cells
        self.as_of, self.notes_are, self.planned = as_of.isoformat(), notes, planned
        self.head = make["command_id"].rpartition(":")[0]
        self.out: list[dict[str, Any]] = []
        self.view: ItemView | None = None
        self.settled_response = self._settled_response()
        self.note_changed = self._note_changed()

    def needs_view(self) -> bool:
        """Whether the tracker row cannot tell if the row's response, or its note, is the record's: a response in
        words (the row holds only the decision), or a note when the row's latest words are its response's."""
        item = self.item
        if item.status == "closed" or item.response is None:  # a closed item takes only corrections
            return False
        response = self.planned.get("record_response")
        if response is not None and not self.settled_response:
            return True
        if response is None:  # a blank Response cell: the latest words may be a response recorded elsewhere since
            return self.note_changed
        return self.note_changed and _flat(item.notes or "") == _flat(response["text"])

    def commands(self, view: ItemView | None = None) -> list[dict[str, Any]]:
        """The commands of what changed; ``view``: the item in full, where ``needs_view`` asked for it."""
        make, item, planned = self.make, self.item, self.planned
        self.view = view
        if make["meeting_date"] != item.meeting_date.isoformat():
            fields = {"field": "meeting_date", "value": make["meeting_date"]}
            self.add("correct", fields | {"reason": f"{self.at} of the table says so"})
        for name in ("item", "text"):  # spaces added or taken out are no correction; the words as typed are
            if make[name] != getattr(item, name) and _flat(make[name]) != _flat(getattr(item, name)):
                self.add("correct", {"field": name, "value": make[name], "reason": f"{self.at} of the table says so"})
        self.addressees()  # first: a response or a closure of the same row may rest on who the item is for now
        self.target_date()
        self.response(planned.get("record_response"))
        rag, closes = self.status()
        self.note(rag)
        if closes:
            self.add("close", {"outcome": "implemented", "decided_on": self.as_of})
        if item.status == "closed":
            kept = [c for c in self.out if c["command"] == "correct"]
            if len(kept) < len(self.out):
                self.plan.warnings.append(f"{self.at}: {item.ref} is closed, so only corrections of it are recorded "
                                          "(reopen it first to record more)")  # fmt: skip
            self.out = kept
        return self.out

    def add(self, name: str, fields: dict[str, Any]) -> None:
        """The command, with an id made of the row's and a digest of what it records."""
        digest = hashlib.sha256(json.dumps([name, fields], sort_keys=True).encode()).hexdigest()[:12]
        base = {k: self.make[k] for k in ("actor", "body")}
        self.out.append({"command": name, "command_id": f"{self.head}:{name}:{digest}", **base,
                         "ref": self.item.ref, **fields})  # fmt: skip

    def changed(self, name: str, recorded: str) -> bool:
        cell = self.cells.get(name, "")
        return cell != recorded and _words(cell) != _words(recorded) and _flat(cell) != _flat(recorded)

    def target_date(self) -> None:
        target, recorded = self.make.get("target_date"), self.item.target_date
        if target is None or target == (recorded.isoformat() if recorded else None):
            return
        self.add("revise_target_date", {"target_date": target, "reason": f"{self.at} of the table gives it",
                                        "decided_by": BOARD, "decided_on": self.as_of})  # fmt: skip

    def _settled_response(self) -> bool:
        """Whether the tracker row alone says the row's response is the record's: the same decision word."""
        recorded = (self.item.response or "").replace("_", " ")
        if not self.changed("response", recorded):
            return True
        return DECISIONS.get(_words(self.cells.get("response", ""))) == self.item.response  # "Agreed": as recorded

    def response(self, planned: dict[str, Any] | None) -> None:
        if planned is None or self.settled_response:
            return
        fields = {k: v for k, v in planned.items() if k not in ("command", "command_id", "actor", "body", "ref")}
        if self.view is not None:  # the same words with the same decision, whoever gave them and whenever
            same = (_flat(fields["text"]), fields["decision"])
            if any((_flat(r.text), r.decision) == same for r in self.view.responses.values()):
                return
            given = self.view.responses.get(fields["addressee"])
            if given is not None:  # they responded in other words: the table puts their response right
                reason = f"{self.at} of the table says so"
                for name, before in (("decision", given.decision), ("text", _flat(given.text))):
                    if (_flat(fields[name]) if name == "text" else fields[name]) != before:
                        self.add("correct", {"field": f"response.{name}", "value": fields[name],
                                             "addressee": fields["addressee"], "reason": reason})  # fmt: skip
                return
        self.add("record_response", fields)

    def status(self) -> tuple[str | None, bool]:
        """The RAG a changed Status cell gives, and whether it closes the item."""
        word = _words(self.cells.get("status", ""))
        if not word:
            return None, False
        if word in CLOSING:
            return None, self.item.status != "closed"
        if word in RAGS:
            return (RAGS[word] if RAGS[word] != self.item.rag else None), False
        return None, False

    def _note_changed(self) -> bool:
        """Whether the Notes cell differs from the record's latest words: the cell as written, or the progress note
        the import makes of the row (its other cells kept with it: "Status: Ongoing")."""
        text = self.cells.get("notes", "")
        if not text or text == self.item.notes:
            return False
        latest = self.item.notes or ""
        if _same_note(text, latest):
            return False
        planned = self.planned.get("report_progress")
        return planned is None or not _same_note(planned["note"], latest)

    def note(self, rag: str | None) -> None:
        text = self.cells.get("notes", "")
        changed = self.note_changed
        if changed and self.view is not None and self.view.progress:  # the latest words were a response's
            latest = _flat(self.view.progress[-1].note)
            planned = self.planned.get("report_progress")
            changed = latest not in (_flat(text), _flat(planned["note"]) if planned else None)
        if not changed:
            if rag is not None:
                self.progress(f"Status: {rag.capitalize()}", rag)
            return
        awaited = self.item.awaiting
        if self.notes_are == "response" and awaited:
            decision = DECISIONS.get(_words(text), "noted")
            self.add("record_response", {"addressee": awaited[0], "decision": decision, "text": text,
                                         "responded_on": self.as_of, "responded_by": awaited[0]})  # fmt: skip
            return
        self.progress(text, rag)

    def progress(self, text: str, rag: str | None) -> None:
        by = self.item.addressees[0] if self.item.addressees else BOARD
        fields: dict[str, Any] = {"note": text, "reported_on": self.as_of, "reported_by": by}
        if rag is not None:
            fields["rag"] = rag
        self.add("report_progress", fields)

    def addressees(self) -> None:
        """A changed Responsible Person cell: one name for another is a replacement (the successor takes over the
        referral); otherwise the names added and those gone, added first (an item keeps one addressee at least)."""
        named = self.make.get("addressees", [])
        if not named or [a["name"] for a in named] == self.item.addressees:  # blank: says nothing of who it is for
            return
        given = {a["name"].casefold(): a for a in named}
        held = {name.casefold(): name for name in self.item.addressees}
        added = [a for key, a in given.items() if key not in held]
        gone = [name for key, name in held.items() if key not in given]
        if len(added) == 1 and len(gone) == 1:
            reason = f"{self.at} of the table names {added[0]['name']} instead of {gone[0]}"
            fields = {"addressee": gone[0], "successor": added[0], "reason": reason, "decided_on": self.as_of}
            self.add("replace_addressee", fields)
            return
        for addressee in added:
            reason = f"{self.at} of the table names them"
            self.add("add_addressee", {"addressee": addressee, "decided_on": self.as_of, "reason": reason})
        for name in gone:
            reason = f"{self.at} of the table no longer names them"
            self.add("remove_addressee", {"addressee": name, "reason": reason, "decided_on": self.as_of})


def _flat(text: str) -> str:
    """Text as compared with the record: a clerk's spaces, doubled, at an end or a line's break, are no change."""
    return " ".join(text.split())


def _same_note(text: str, recorded: str) -> bool:
    return _flat(text) == _flat(recorded) or _unlisted(text) == _unlisted(recorded)


def _unlisted(text: str) -> str:
    """Notes as compared with the record without the numbers of Word's lists ("1.", "a)", "2.b."), which Word keeps
    apart from the words and an earlier release read without: a note recorded so is the same note."""
    return _flat("\n".join(_LIST_NUMBER.sub("", line) for line in text.splitlines()))


_LIST_NUMBER = re.compile(r"^\s*\(?(?:[0-9]+|[A-Za-z]|[ivxlcdmIVXLCDM]+)(?:\.(?:[0-9]+|[A-Za-z]|[ivxlcdm]+))*[.)]\s+")
