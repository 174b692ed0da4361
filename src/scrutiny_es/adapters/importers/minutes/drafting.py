"""A draft of what a meeting's minutes ask the record to hold: each resolution, what it became, and why.

A draft is never written silently: each part of each resolution is listed with what it
became (a recommendation, an action, a deferral, a re-affirmation; or procedural, noted, not
understood) and the phrase that decided it (``phrases``). Refs follow the meeting's numbering
(``MEETINGDATE/N``, N counting the items the minutes make, in minute order), and each command's
``command_id`` is made of the body, the meeting, the minute, the part and the words, so drafting
and applying the same minutes again, from any of their files, records nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport, escaped
from scrutiny_es.adapters.importers.minutes import phrases as p
from scrutiny_es.adapters.importers.minutes.parsing import Minute, Minutes, Part, day_in, find_minutes
from scrutiny_es.adapters.importers.minutes.reading import read_minutes
from scrutiny_es.domain.errors import ScrutinyError


class KnownItem(Protocol):
    """An item the record holds, as ``Scrutiny.tracker(body=...)`` gives its rows."""

    @property
    def ref(self) -> str: ...
    @property
    def meeting_date(self) -> date: ...
    @property
    def item(self) -> str: ...
    @property
    def minute(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Drafted:
    """One part of a resolution: what it became, the phrase that decided it, and the commands drafted for it."""

    minute: str | None
    title: str
    part: str | None
    text: str
    became: str
    """``recommendation``, ``action``, ``deferral``, ``re-affirmation``; or ``procedural``, ``noted``, ``not
    understood``."""
    phrase: str
    """The words of the text that decided it (empty when nothing did)."""
    commands: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    """What the clerk should know: already in the record, not found in the record, no addressee named."""

    @property
    def where(self) -> str:
        return f"{self.minute or 'minute'}" + (f"({self.part.strip('().')})" if self.part else "")


@dataclass(frozen=True)
class Draft:
    """What a meeting's minutes became: every part of every resolution, in the minutes' order."""

    body: str
    meeting_date: date
    source: str
    """The file's name as a message shows it (a control character in it escaped)."""
    resolutions: tuple[Drafted, ...]
    without: tuple[str, ...]
    """The minutes that hold no resolution ("15/24 Apologies for Absence"), so a clerk sees none was missed."""

    @property
    def commands(self) -> list[dict[str, Any]]:
        return [command for drafted in self.resolutions for command in drafted.commands]

    def jsonl(self) -> str:
        """The commands as JSON lines, each under a comment naming the part of the minutes it comes from."""
        import json

        lines = []
        for drafted in self.resolutions:
            for command in drafted.commands:
                lines.append(f"# {drafted.where} {drafted.title}: {drafted.became}\n")
                lines.append(json.dumps(command, ensure_ascii=False) + "\n")
        return "".join(lines)

    def report(self) -> str:
        """The draft as the clerk reads it: each resolution, what it became, and the phrase that decided it."""
        count = len(self.commands)
        lines = [f"Minutes of {self.meeting_date:%-d %B %Y} ({self.source}) for {self.body}: "
                 f"{len(self.resolutions)} resolution{'s' * (len(self.resolutions) != 1)}, "
                 f"{count} command{'s' * (count != 1)} drafted"]  # fmt: skip
        for drafted in self.resolutions:
            made = "; ".join(_said(command) for command in drafted.commands)
            decided = f' (decided by "{drafted.phrase}")' if drafted.phrase else ""
            title = f" {drafted.title}" if drafted.title else ""
            lines.append(f"{drafted.where}{title}: {drafted.became}{' -> ' + made if made else ''}{decided}")
            lines.append(f"    {_short(drafted.text)}")
            lines.extend(f"    {note}" for note in drafted.notes)
        if self.without:
            lines.append("No resolution: " + "; ".join(self.without))
        return "\n".join(lines) + "\n"


def _said(command: dict[str, Any]) -> str:
    said = f"{command['command']} {command['ref']}"
    names = [a["name"] for a in command.get("addressees", ())]
    if names:
        said += " to " + " and ".join(names)
    if command.get("target_date"):
        said += f" by {command['target_date']}"
    if command["command"] == "defer":
        said += f" until {command['until'] or 'a future meeting'}"
    return said


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def read_people(path: Path) -> dict[str, str]:
    """Roles and the names of who holds them, from a CSV file with the columns ``role`` and ``name``."""
    name = escaped(path.name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        line, byte = e.object[: e.start].count(b"\n") + 1, e.object[e.start]
        msg = f"{name} line {line}: not UTF-8 text (byte 0x{byte:02X}): save it as CSV UTF-8"
        raise CannotImport(msg) from None
    except OSError as e:
        raise CannotImport(f"{name}: cannot be read ({e.strerror or e})") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader]  # each with the line it ends on: blank lines are left out
    except csv.Error as e:  # a cell of more than 131,072 characters
        raise CannotImport(f"{name} line {reader.reader.line_num}: cannot be read as CSV ({e})") from None
    if not rows or not {"role", "name"} <= {(h or "").strip().lower() for h in rows[0][1]}:
        raise CannotImport(f"{name}: a people file is CSV with a header row naming the columns role and name")
    people: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, row in rows:
        if None in row:
            msg = f"{name} line {number}: more cells than the header names (put a role with commas in quotes)"
            raise CannotImport(msg)
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        if not cells.get("role") or not cells.get("name"):
            raise CannotImport(f"{name} line {number}: both role and name are needed")
        role = _key(cells["role"])
        if people.get(role, cells["name"]) != cells["name"]:  # else the last would silently win
            msg = f"{name} line {number}: {cells['role']} is held by {people[role]} on line {lines[role]}"
            raise CannotImport(msg + ": one name a role")
        people[role] = cells["name"]
        lines.setdefault(role, number)
    return people


def draft_minutes(
    path: Path | str,
    body: str,
    meeting_date: date | None = None,
    people: Mapping[str, str] | None = None,
    known: Iterable[KnownItem] = (),
    actor: Mapping[str, str] | None = None,
) -> Draft:
    """Drafts the commands a meeting's minutes ask for; records nothing.

    ``people`` maps roles as the minutes name them to who holds them; ``known`` is the body's items in
    the record (``Scrutiny.tracker(body=...)``), where re-affirmed and deferred items are looked for;
    ``actor`` is who will record the commands (left out of them when not given: ``apply`` adds it).
    Raises ``CannotImport`` with one sentence for a file that cannot be read or holds no resolution.
    """
    path = Path(path)
    name = escaped(path.name)
    found = find_minutes(read_minutes(path), name, meeting_date)
    drafting = _Drafting(body, found, {_key(k): v for k, v in (people or {}).items()}, list(known), actor)
    resolutions = tuple(drafting.run())
    if not resolutions:
        msg = (
            f"no resolution found in {name}'s minutes of {found.meeting_date:%-d %B %Y} "
            "(looked for Resolved, RECOMMENDED, it was agreed, ACTION: and the like): nothing was drafted"
        )
        raise CannotImport(msg)
    without = tuple(f"{m.number} {m.title}".strip() for m in found.minutes if not m.resolutions and m.number)
    return Draft(body, found.meeting_date, name, resolutions, without)


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^the\s+", "", text.strip(), flags=re.I)).casefold()


def _same_text(a: str, b: str) -> bool:
    def plain(text: str) -> str:
        text = re.sub(r"[\s\u00a0]+", " ", text.replace("’", "'")).strip().casefold()
        return re.sub(r"^that\s+", "", text).rstrip(" .;:-")

    return plain(a) == plain(b)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.casefold())}


class _Drafting:
    def __init__(self, body: str, found: Minutes, people: dict[str, str], known: list[KnownItem],
                 actor: Mapping[str, str] | None) -> None:  # fmt: skip
        self.body = body
        self.meeting = found.meeting_date
        self.found = found
        self.people = people
        self.known = known
        self.actor = dict(actor) if actor else None
        self.numbered = 0
        self.exempt: tuple[str | None, str] | None = None
        """After the public were excluded: the paragraph of Schedule 12A (None: not said) and the minute."""

    def run(self) -> Iterable[Drafted]:
        for minute in self.found.minutes:
            title = minute.title or self.found.heading or f"Minutes of {self.meeting:%-d %B %Y}"
            for resolution in minute.resolutions:
                action_lead = bool(p.ACTION_LEAD.match(resolution.lead))
                for part in resolution.parts:
                    yield self.part(minute, title, part, action_lead, resolution.lead)

    def part(self, minute: Minute, title: str, part: Part, action_lead: bool, lead: str) -> Drafted:
        text = part.text.strip()
        text = text[:1].upper() + text[1:]
        base = Drafted(minute.number, title, part.mark, text, "not understood", "")
        if found := p.first_match(p.PROCEDURAL, text):
            if p.EXCLUSION.search(text):
                paragraph = p.EXEMPT_PARAGRAPH.search(text)
                self.exempt = (paragraph["paragraph"] if paragraph else None, base.where)
            return _with(base, became="procedural", phrase=found[0])
        if found := p.first_match(p.DEFERRED, text):
            return self.deferral(base, found[0])
        if found := p.first_match(p.REAFFIRMED, text):
            return self.reaffirmation(base, found[0])
        subject = _subject(text)
        if subject is not None:
            names, phrase, kind = subject
            if action_lead:
                kind = "action"
            elif re.match(r"\s*r\s?e\s?c\s?o\s?m\s?m\s?e\s?n\s?d\s?e\s?d", lead, re.I):
                kind = "recommendation"
            return self.made(base, kind, phrase, [self.addressee(name) for name in names])
        if found := p.first_match(p.ACTIONS, text):
            kind = "recommendation" if p.RECOMMENDATION_WORDS.search(found[0]) else "action"
            asked = _subject(
                text[found.end() :].strip()
            )  # "asks the Director of Housing to ...", "recommends to Cabinet"
            names = asked[0] if asked else []
            return self.made(base, "action" if action_lead else kind, found[0], [self.addressee(n) for n in names])
        if found := p.first_match(p.NOTED, text):
            return _with(base, became="noted", phrase=found[0])
        return base

    def addressee(self, role: str) -> dict[str, str]:
        role = role.rstrip(" ,")
        kind = next((k for k, pattern in p.ADDRESSEE_KINDS if re.search(pattern, role, re.I)), "other")
        named = p.APPOSITION.fullmatch(role)
        if named and kind != "other" and not any(re.search(k, named["name"], re.I) for _, k in p.ADDRESSEE_KINDS):
            return {"name": named["name"], "role": named["role"], "kind": kind}  # "Jo Bloggs, Head of Libraries"
        person = self.people.get(_key(role))
        return {"name": person, "role": role, "kind": kind} if person else {"name": role, "kind": kind}

    def private(self, command: dict[str, Any], notes: list[str]) -> None:
        """Marks an item made after the public were excluded as exempt, as the exclusion says (DESIGN 6.2)."""
        if self.exempt is None:
            return
        paragraph, where = self.exempt
        if paragraph is None:
            notes.append(f"the public were excluded at {where}, naming no paragraph of Schedule 12A: add "
                         '"exempt" (its paragraph, "1" to "7") before applying')  # fmt: skip
            return
        command["exempt"] = paragraph
        notes.append(f"exempt under paragraph {paragraph} of Schedule 12A: the public were excluded at {where}")

    def next_ref(self) -> str:
        self.numbered += 1
        return f"{self.meeting.isoformat()}/{self.numbered}"

    def made(self, base: Drafted, kind: str, phrase: str, addressees: list[dict[str, str]]) -> Drafted:
        ref = self.next_ref()
        command: dict[str, Any] = {
            "command": "make_recommendation", "body": self.body, "ref": ref, "kind": kind,
            "meeting_date": self.meeting.isoformat(), "item": base.title, "minute": base.minute, "text": base.text,
            "addressees": addressees,
        }  # fmt: skip
        target = _target_date(base.text)
        if target is not None:
            command["target_date"] = target.isoformat()
        notes = [] if addressees else ["no one is named to act: add the addressee before applying, if there is one"]
        self.private(command, notes)
        held = self.held(base.text)
        if held is not None:
            return _with(base, became=kind, phrase=phrase, notes=(f"already in the record as {held.ref}",))
        taken = next((item for item in self.known if item.ref == ref), None)
        if taken is not None:
            notes.append(f"the ref {ref} is another item's in the record ({_short(taken.text, 60)}): change it")
        return _with(base, became=kind, phrase=phrase, commands=(self.command(base, command),), notes=tuple(notes))

    def held(self, text: str) -> KnownItem | None:
        return next((i for i in self.known if i.meeting_date == self.meeting and _same_text(i.text, text)), None)

    def deferral(self, base: Drafted, phrase: str) -> Drafted:
        until_text = p.DEFERRED_UNTIL.search(base.text)
        until = day_in(until_text["date"]) if until_text else None
        ref = self.next_ref()
        commands = []
        notes: list[str] = []
        earlier = [i for i in self.known if _key(i.item) == _key(base.title) and i.status != "closed"]
        held = self.held(base.text)
        if held is not None or earlier:
            item = held or max(earlier, key=lambda i: (i.meeting_date, i.ref))
            ref = item.ref
            notes.append(f"the deferred item is {ref} in the record")
        else:
            made: dict[str, Any] = {
                "command": "make_recommendation", "body": self.body, "ref": ref, "kind": "action",
                "meeting_date": self.meeting.isoformat(), "item": base.title, "minute": base.minute,
                "text": base.text, "addressees": [],
            }  # fmt: skip
            self.private(made, notes)
            commands.append(self.command(base, made))
        commands.append(self.command(base, {
            "command": "defer", "body": self.body, "ref": ref, "until": until.isoformat() if until else None,
            "reason": base.text, "decided_on": self.meeting.isoformat(), "minute": base.minute,
        }))  # fmt: skip
        return _with(base, became="deferral", phrase=phrase, commands=tuple(commands), notes=tuple(notes))

    def reaffirmation(self, base: Drafted, phrase: str) -> Drafted:
        on = p.EARLIER_MEETING.search(base.text)
        day = day_in(on["date"]) if on else None
        named = p.EARLIER_MINUTE.search(base.text)
        minute = named["minute"] if named else None
        if day is None:
            note = "it names no earlier meeting by its date: find the item and record reaffirm by hand"
            return _with(base, became="not understood", phrase=phrase, notes=(note,))
        that_day = [i for i in self.known if i.meeting_date == day]
        candidates = [i for i in that_day if minute and i.minute == minute] or [i for i in that_day if not i.minute]
        said = f"the meeting on {day:%-d %B %Y}" + (f", minute {minute}" if minute else "")
        item = _closest(candidates, base.text)
        if item is None:
            if len(candidates) > 1:
                refs = ", ".join(i.ref for i in candidates)
                note = f"{said} made several items in the record ({refs}): record reaffirm on the one it means"
            else:
                note = f"not found in the record: no item of {said}; nothing drafted"
            return _with(base, became="re-affirmation", phrase=phrase, notes=(note,))
        cut = re.split(r"\s*\(\s*minute\b", base.text, maxsplit=1, flags=re.I)[0].rstrip(" ,;")
        note_text = cut if cut.endswith(".") else cut + "."
        command = {"command": "reaffirm", "body": self.body, "ref": item.ref, "decided_on": self.meeting.isoformat(),
                   "minute": base.minute, "note": note_text}  # fmt: skip
        return _with(base, became="re-affirmation", phrase=phrase, commands=(self.command(base, command),))

    def command(self, base: Drafted, command: dict[str, Any]) -> dict[str, Any]:
        """The command with its key and actor, checked as ``apply`` will check it."""
        from scrutiny_es.domain.commands import parse_command

        command = {k: v for k, v in command.items() if v is not None or k == "until"}
        words = "|".join([self.body, self.meeting.isoformat(), base.minute or "", base.part or "",
                          command["command"], re.sub(r"\s+", " ", base.text).strip()])  # fmt: skip
        command["command_id"] = f"minutes:{hashlib.sha256(words.encode()).hexdigest()[:32]}"
        stand_in = {"id": "-", "name": "-", "role": "-"}
        try:
            parse_command({**command, "actor": self.actor or stand_in})
        except ScrutinyError as e:
            raise CannotImport(
                f"{base.where} {base.title}: the drafted {command['command']} is not valid: {e}"
            ) from None
        return {"command": command.pop("command"), **({"actor": self.actor} if self.actor else {}), **command}


def _with(base: Drafted, **changes: Any) -> Drafted:
    from dataclasses import replace

    return replace(base, **changes)


def _closest(candidates: list[KnownItem], text: str) -> KnownItem | None:
    if len(candidates) == 1:
        return candidates[0]
    words = _words(text)
    scored = sorted(((len(words & _words(i.text)), i.ref, i) for i in candidates), key=lambda s: (-s[0], s[1]))
    if len(scored) >= 2 and scored[0][0] >= 3 and scored[0][0] > scored[1][0]:
        return scored[0][2]
    return None


_NOT_VERBS = {"is", "are", "be", "been", "was", "were", "being"}
_ASKED = ("asked", "requested", "invited", "recommended")
"""What a subject "be" is when the part asks it to act: "the Director be asked to", "Cabinet be recommended to"."""


def _subject(text: str) -> tuple[list[str], str, str] | None:
    """Who a part asks to act, as named ("that the Director of Housing considers", "X to report"), the words that
    said so, and whether it reads as a recommendation or an action; None when its subject is no one named."""
    rest = re.sub(r"^that\s+", "", text, flags=re.I)
    lead = len(text) - len(rest)
    words = re.findall(r"\([^()]*(?:\([^()]*\)[^()]*)*\)|[^\s()]+", rest)
    run: list[str] = []
    for word in words:
        joiner = word.casefold() in p.JOINERS and (bool(run) or word.casefold() == "the")
        if word.startswith("(") or word[:1].isupper() or joiner:
            run.append(word)
            continue
        break
    while run and run[-1].casefold() in p.JOINERS:
        run.pop()
    if not run:
        return None
    after = words[len(run) : len(run) + 2]
    asked = len(after) == 2 and after[0] in ("be", "is", "are") and after[1] in _ASKED
    if not after or not after[0][:1].islower() or (after[0] in _NOT_VERBS and not asked):
        return None
    named = " ".join(run)
    if not p.NAMED.match(named + " ") and not any(re.search(kind, named, re.I) for _, kind in p.ADDRESSEE_KINDS):
        return None
    names = [re.sub(r"^(?:the|a)\b\s*", "", n, flags=re.I) for n in re.split(r"\s+and\s+the\s+|,\s+the\s+", named)]
    names = [n for n in names if n and n[:1].isupper()]
    if not names or any(p.BODY_ITSELF.search(n) for n in names):
        return None
    recommended = asked and after[1] == "recommended"  # "That Cabinet be recommended to adopt ..."
    to_act = asked or (after[0] == "to" and len(after) > 1 and after[1][:1].islower())
    kind = "action" if to_act and not recommended else "recommendation"
    phrase = text[:lead] + " ".join([*run, *after[: 2 if to_act else 1]])
    return names, phrase, kind


def _target_date(text: str) -> date | None:
    found = p.first_match(p.TARGET_DATE, text)
    if found is None:
        return None
    groups = found.groupdict()
    if groups.get("month"):
        try:
            return read_date(groups["month"])
        except NotADate:
            return None
    return day_in(groups.get("date") or "")
