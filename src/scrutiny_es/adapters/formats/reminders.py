"""Reminders as JSON, a terminal table or Markdown, and as the message each person is sent (text and HTML).

A reminder lists, for one person, what is overdue (oldest first) and then what falls due soon,
each with its item and its body, in the words of the tracker: a response, the target date, a
return to a deferred item. An item the body took over from another is named with the body that made it,
"R1 (from CSMC)": a body may hold two items with one ref. What a clerk typed is shown as typed and safely,
as in every report.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from scrutiny_es.adapters.formats.markdown import cell as md_cell
from scrutiny_es.adapters.formats.table import Sheet, lay_out
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.domain.dates import long_date
from scrutiny_es.projections.reminders import DueSoon, Overdue, Reminder

_OWED = {"response": "Response", "target_date": "Target date", "deferral": "Return to a deferred item"}

HEADINGS = ["When", "Body", "Ref", "Item", "What is owed", "Due"]
_UNBROKEN = frozenset({"When", "Body", "Ref", "Due"})

_JSON: TypeAdapter[list[Reminder]] = TypeAdapter(list[Reminder])


def reminders_json(reminders: Sequence[Reminder]) -> str:
    """Every field under its contract name: ``person``, ``email``, ``due_soon``, ``overdue``."""
    return json.dumps(as_dicts(reminders), indent=2, ensure_ascii=False) + "\n"


def _when(days: int, overdue: bool) -> str:
    if overdue:
        return f"Overdue {days} day{'s' * (days != 1)}"
    return "Due today" if days == 0 else f"Due in {days} day{'s' * (days != 1)}"


def ref(owed: Overdue | DueSoon) -> str:
    """The item's ref, and where the body took it over from another, the body that made it: "R1 (from CSMC)"."""
    return f"{owed.ref} (from {owed.origin})" if owed.origin else owed.ref


def lines(reminder: Reminder) -> list[list[str]]:
    """The reminder's obligations, overdue first, as cells: when, body, ref, item, what is owed, the last day."""
    rows = [[_when(o.days_overdue, True), o.body, ref(o), o.item, _OWED[o.reason], long_date(o.due)]
            for o in reminder.overdue]  # fmt: skip
    rows += [[_when(o.days_left, False), o.body, ref(o), o.item, _OWED[o.reason], long_date(o.due)]
             for o in reminder.due_soon]  # fmt: skip
    return [[visible(cell) for cell in row] for row in rows]


def title(on: date, within: int) -> str:
    return f"Reminders as of {long_date(on)}: overdue, and due within {within} day{'s' * (within != 1)}"


def _who(reminder: Reminder) -> str:
    return f"{reminder.person} <{reminder.email}>" if reminder.email else f"{reminder.person} (no address)"


def reminders_table(reminders: Sequence[Reminder], heading: str, width: int) -> str:
    if not reminders:
        return f"{visible(heading)}\n\nNobody owes anything.\n"
    parts = [visible(heading), ""]
    for reminder in reminders:
        parts.append(lay_out([visible(_who(reminder))], Sheet(HEADINGS, lines(reminder), _UNBROKEN), width))
    return "\n".join(parts)


def reminders_markdown(reminders: Sequence[Reminder], heading: str) -> str:
    out = [f"# {md_cell(heading)}", ""]
    if not reminders:
        out += ["Nobody owes anything.", ""]
    for reminder in reminders:
        out += [f"## {md_cell(_who(reminder))}", "", "| " + " | ".join(HEADINGS) + " |", "|" + "---|" * len(HEADINGS)]
        out += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in lines(reminder)]
        out.append("")
    return "\n".join(out)


def subject(reminder: Reminder) -> str:
    late, soon = len(reminder.overdue), len(reminder.due_soon)
    parts = [f"{late} overdue"] if late else []
    parts += [f"{soon} due soon"] if soon else []
    return visible(f"Scrutiny recommendations and actions: {' and '.join(parts)}")


def message_text(reminder: Reminder, on: date) -> str:
    """The plain-text message: a line per obligation, and where it comes from."""
    out = [visible(f"Dear {reminder.person},"), "",
           f"As of {long_date(on)}, the scrutiny record shows you responsible for the following:", ""]  # fmt: skip
    for when, body, ref, item, owed, due in lines(reminder):
        out += [f"- {when}: {owed} (last day {due})", f"  {body} {ref}: {item}"]
    out += ["", "Please send your response or an update to the scrutiny officer before the board's next meeting.",
            "", "This reminder was made from the board's record of recommendations and actions."]  # fmt: skip
    return "\n".join(out) + "\n"


def message_html(reminder: Reminder, on: date) -> str:
    """The same message as HTML: a table of the obligations; everything escaped."""
    head = "".join(f"<th>{h}</th>" for h in HEADINGS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n" for row in lines(reminder))
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject(reminder))}</title></head>\n<body>\n"
        f"<p>Dear {html.escape(visible(reminder.person))},</p>\n"
        f"<p>As of {long_date(on)}, the scrutiny record shows you responsible for the following:</p>\n"
        f'<table border="1" cellpadding="4" cellspacing="0">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}'
        "</tbody></table>\n<p>Please send your response or an update to the scrutiny officer before the board's "
        "next meeting.</p>\n</body></html>\n"
    )


def as_dicts(reminders: Sequence[Reminder]) -> list[dict[str, Any]]:
    """The reminders as JSON-ready values."""
    return _JSON.dump_python(list(reminders), mode="json")  # type: ignore[no-any-return]
