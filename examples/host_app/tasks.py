"""Every task a clerk or an officer does, each a form: its fields, in the board's words, and its command.

One table says what each form asks and which command it sends; the policy (``POLICY``, given to the
record too) decides who is offered which, so a form is shown only to those who may use it, and a
refusal says who may.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from examples.host_app.words import ADDRESSEE_KINDS, DECISIONS, KINDS, OUTCOMES, RAGS, plain, read_date
from scrutiny_es import InvalidCommand, NotPermitted, Policy, Role, ScrutinyError

POLICY = Policy(
    {
        **{n: Role(frozenset({"*"})) for n in ("scrutiny officer", "democratic services officer", "clerk")},
        **{n: Role(frozenset({"record_response", "report_progress", "propose_closure"}), own_items=True)
           for n in ("officer", "addressee")},
    }
)  # fmt: skip
"""Who may record what: the library's own rules, in one place the host reads too (a council may load its own)."""


@dataclass(frozen=True)
class Field:
    """One question on a form."""

    name: str
    label: str
    kind: str = "text"  # text, textarea, date, select, radios, number
    required: bool = True
    hint: str = ""
    options: Mapping[str, str] | None = None  # value -> words; None for the item's addressees


@dataclass(frozen=True)
class Task:
    """A form and the command it records."""

    key: str
    command: str
    title: str
    doing: str  # "record progress": what a refusal says only some may do
    button: str
    fields: tuple[Field, ...]
    on_item: bool = True
    fixed: Mapping[str, Any] = field(default_factory=dict)
    people: tuple[str, ...] = ()  # "successor": its fields successor_name, _kind, _role make one person


ADDRESSEE = Field("addressee", "Who", "select", options=None)
DECIDED_ON = Field("decided_on", "Date of the decision", "date", hint="For example, 27 3 2024")
MINUTE = Field("minute", "Minute number", required=False, hint="If the minutes number it, for example 45")
REASON = Field("reason", "Reason", "textarea")


def person(group: str, label: str, hint: str) -> tuple[Field, ...]:
    """The questions about someone an item is to be for: who, what kind, and the post they hold."""
    return (
        Field(f"{group}_name", label, hint=hint),
        Field(f"{group}_kind", "What kind of body or person they are", "radios", options=ADDRESSEE_KINDS),
        Field(f"{group}_role", "Their job title", required=False,
              hint="If the minutes name a person, the post they hold, for example Director of Communities"),
    )  # fmt: skip


CORRECTABLE = {
    "item": "The item's title", "text": "The recommendation's words", "minute": "The minute number",
    "meeting_date": "The date of the meeting", "kind": "Recommendation or action",
    "referral.received_on": "The date a referral was received", "referral.response_due": "A response's due date",
    "response.decision": "A response's decision", "response.text": "A response's words",
    "response.responded_on": "The date of a response", "response.responded_by": "Who responded",
    "response.target_date": "A response's target date", "progress.note": "A progress update's words",
    "progress.reported_on": "The date of a progress update", "progress.reported_by": "Who reported progress",
    "progress.rag": "A progress update's RAG rating", "decision.decided_on": "The date of a decision",
    "decision.minute": "A decision's minute number", "decision.reason": "A decision's reason",
    "decision.until": "The date a deferral runs to", "decision.action": "An escalation's action",
    "decision.outcome": "A closure's outcome", "decision.note": "A decision's note",
    "decision.target_date": "A revised target date",
}  # fmt: skip

TASKS: dict[str, Task] = {t.key: t for t in (
    Task("register-body", "register_body", "Register a body", "register a body", "Register the body", (
        Field("body", "Code", hint="A short code used in refs and files, for example BCSB"),
        Field("name", "Name", hint="For example, Budget and Corporate Scrutiny Board"),
        Field("council", "Council")), on_item=False),
    Task("schedule-meeting", "schedule_meeting", "Schedule a meeting", "schedule a meeting", "Schedule the meeting", (
        Field("meeting_date", "Date of the meeting", "date", hint="For example, 27 3 2024"),
        Field("name", "Name of the meeting", required=False)), on_item=False),
    Task("make-recommendation", "make_recommendation", "Make a recommendation", "make a recommendation",
         "Record the recommendation", (
        Field("ref", "Ref", hint="As the tracker names it, for example 2024-03-27/4"),
        Field("kind", "Recommendation or action", "radios", options=KINDS),
        Field("meeting_date", "Date of the meeting", "date", hint="For example, 27 3 2024"),
        Field("item", "Item", hint="The agenda item's title"),
        MINUTE,
        Field("text", "The recommendation, in the board's words", "textarea"),
        Field("addressee_1", "Who it is for"),
        Field("addressee_1_kind", "What kind of body or person they are", "select", options=ADDRESSEE_KINDS),
        Field("addressee_2", "Also for (optional)", required=False),
        Field("addressee_2_kind", "What kind of body or person they are", "select", required=False,
              options=ADDRESSEE_KINDS),
        Field("target_date", "Target date", "date", required=False, hint="If the board set one")), on_item=False),
    Task("refer", "refer", "Refer it", "refer an item", "Record the referral", (
        ADDRESSEE,
        Field("received_on", "Date it was received", "date", hint="For example, 20 2 2024"),
        Field("response_due", "Date a response is due", "date", required=False,
              hint="Leave blank to use the body's deadline"))),
    Task("respond", "record_response", "Record a response", "record a response", "Record the response", (
        Field("addressee", "Who responded for", "select", options=None),
        Field("decision", "Their decision", "radios", options=DECISIONS),
        Field("text", "Their response", "textarea"),
        Field("responded_on", "Date of the response", "date", hint="For example, 2 4 2024"),
        Field("responded_by", "Responded by", hint="The person who signed it, for example Cllr Smith"),
        Field("target_date", "Target date, if they agreed one", "date", required=False))),
    Task("progress", "report_progress", "Record progress", "record progress", "Record progress", (
        Field("note", "What has been done", "textarea"),
        Field("reported_on", "Date of the update", "date", hint="For example, 14 3 2024"),
        Field("reported_by", "Reported by", hint="The officer responsible, who gave the update"),
        Field("rag", "RAG rating", "radios", required=False, options=RAGS))),
    Task("extend", "extend_response_deadline", "Extend the response deadline", "extend a response deadline",
         "Extend the deadline", (
        ADDRESSEE,
        Field("response_due", "New date a response is due", "date"),
        REASON,
        Field("agreed_by", "Agreed by"),
        DECIDED_ON)),
    Task("revise-target", "revise_target_date", "Revise the target date", "revise a target date",
         "Revise the target date", (
        Field("target_date", "New target date", "date"),
        REASON,
        Field("decided_by", "Decided by", hint="For example, the board, or the chair"),
        DECIDED_ON)),
    Task("defer", "defer", "Defer it", "defer an item", "Defer the item", (
        Field("until", "Date to return to it", "date", required=False, hint="Leave blank for a future meeting"),
        REASON, DECIDED_ON, MINUTE)),
    Task("reaffirm", "reaffirm", "Re-affirm it", "re-affirm an item", "Re-affirm the item", (
        DECIDED_ON, MINUTE, Field("note", "Note", "textarea", required=False))),
    Task("escalate", "escalate", "Escalate it", "escalate an item", "Escalate the item", (
        Field("action", "What the board will do", "textarea", hint="For example, call the Cabinet member in"),
        DECIDED_ON, MINUTE)),
    Task("propose-closure", "propose_closure", "Propose closing it", "propose closing an item",
         "Propose closure", (
        Field("outcome", "Outcome", "radios", options=OUTCOMES),
        Field("proposed_by", "Proposed by"),
        Field("proposed_on", "Date of the proposal", "date"),
        Field("note", "Note", "textarea", required=False))),
    Task("close", "close", "Close it", "close an item", "Close the item", (
        Field("outcome", "Outcome", "radios", options=OUTCOMES),
        DECIDED_ON, MINUTE, Field("note", "Note", "textarea", required=False))),
    Task("reopen", "reopen", "Reopen it", "reopen an item", "Reopen the item", (REASON, DECIDED_ON, MINUTE)),
    Task("add-addressee", "add_addressee", "Add someone responsible", "add someone responsible for an item",
         "Add them", (
        *person("addressee", "Who is to be responsible too",
                "As the board named them, for example West Midlands Police"),
        DECIDED_ON, Field("reason", "Reason", "textarea", required=False)), people=("addressee",)),
    Task("remove-addressee", "remove_addressee", "Take someone off it", "take someone off an item",
         "Take them off", (
        Field("addressee", "Who is no longer responsible", "select", options=None),
        REASON, DECIDED_ON)),
    Task("replace-addressee", "replace_addressee", "Pass someone's part to another", "pass someone's part to another",
         "Pass their part on", (
        Field("addressee", "Whose part passes on", "select", options=None),
        *person("successor", "Who takes it over",
                "As the board named them: they take over the referral and its deadline"),
        REASON, DECIDED_ON), people=("successor",)),
    Task("correct", "correct", "Correct a fact", "correct a fact", "Record the correction", (
        Field("field", "What to correct", "select", options=CORRECTABLE),
        Field("value", "The right value", required=False,
              hint="A date as 2024-03-27; leave blank to clear an optional value"),
        REASON,
        Field("addressee", "Whose referral or response", "select", required=False, options=None),
        Field("position", "Number of the fact on the card", "number", required=False,
              hint="For a progress update or a decision: the # column of the card"))),
    Task("retract", "retract", "Retract a fact", "retract a fact", "Retract the fact", (
        Field("position", "Number of the fact on the card", "number", hint="The # column of the card"),
        REASON)),
)}  # fmt: skip


def role_of(who_role: str) -> Role | None:
    return POLICY.role(who_role)


def offered(task: Task, who_name: str, who_role: str, addressees: list[str] | None) -> bool:
    """Whether the policy lets this person use the form (on this item, for a task on an item)."""
    role = POLICY.role(who_role)
    if role is None or not ("*" in role.may or task.command in role.may):
        return False
    return not role.own_items or (task.on_item and addressees is not None and who_name in addressees)


def who_may(task: Task, addressee: str | None = None) -> str:
    """Plain words for who may do the task: "Only a scrutiny officer, a clerk or Cabinet may record ..."."""
    names = [name for name, role in POLICY.roles.items() if "*" in role.may or task.command in role.may]
    everyone = [f"a {n}" for n, r in POLICY.roles.items() if n in names and not r.own_items]
    if any(POLICY.roles[n].own_items for n in names):
        everyone.append(addressee if addressee else "the officer the item names")
    said = everyone[0] if len(everyone) == 1 else ", ".join(everyone[:-1]) + " or " + everyone[-1]
    doing = f"record {addressee}'s response" if addressee and task.command == "record_response" else task.doing
    return f"Only {said} may {doing}"


def command_from(task: Task, form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The command the form asks for, and each field's problem in words (nothing is sent while any remains)."""
    values: dict[str, Any] = dict(task.fixed)
    errors: dict[str, str] = {}
    for f in task.fields:
        label = f.label.lower().removesuffix(" (optional)")
        if f.kind == "date":
            value, problem = read_date(label, *(form.get(f"{f.name}-{p}", "") for p in ("day", "month", "year")))
            if problem:
                errors[f.name] = problem
        else:
            value = form.get(f.name, "").strip()
            if "\ufffd" in value:  # bytes that were not UTF-8, which the form's reading replaced: never recorded
                errors[f.name] = f"Some characters in “{f.label}” could not be read: type them again"
                continue
        if not value:
            if f.required and f.name not in errors:
                errors[f.name] = f"Select {label}" if f.kind in ("select", "radios") else f"Enter {label}"
            continue
        if f.kind == "number":
            if not re.fullmatch(r"[0-9]+", value):  # "²" is a digit to str.isdigit, not to int()
                errors[f.name] = f"The {label} must be a whole number, like 3"
                continue
            values[f.name] = int(value)
        else:
            values[f.name] = value
    if task.command == "register_body" and "/" in values.get("body", ""):  # /bodies/A/B would be another page
        errors["body"] = "The code must not contain a slash (/)"
    if task.command == "make_recommendation":
        addressees = []
        for n in (1, 2):
            name, kind = values.pop(f"addressee_{n}", None), values.pop(f"addressee_{n}_kind", None)
            if name:
                addressees.append({"name": name, "kind": kind or ""})
        values["addressees"] = addressees
    for group in task.people:
        said = {part: values.pop(f"{group}_{part}", None) for part in ("name", "kind", "role")}
        values[group] = {part: value for part, value in said.items() if value is not None}
    if task.command == "correct" and "value" not in values:
        values["value"] = None
    return values, errors


def field_of(task: Task, library_field: str | None) -> str | None:
    """The form's field a library error names (``addressees[1].kind`` -> ``addressee_2_kind``)."""
    if not library_field:
        return None
    if library_field.startswith("addressees"):
        n = int(library_field[11]) + 1 if library_field[10:11] == "[" else 1
        return f"addressee_{n}_kind" if library_field.endswith(".kind") else f"addressee_{n}"
    names = {f.name for f in task.fields}
    group, _, part = library_field.partition(".")
    if group in task.people:  # successor.kind -> successor_kind; the person as a whole -> their name
        library_field = f"{group}_{part if part in ('name', 'kind', 'role') else 'name'}"
    return library_field if library_field in names else None


def forms_named(reason: str) -> str:
    """A command a message names, said as the form that records it: "use replace_addressee" -> "use “Pass
    someone's part to another”" (only the commands whose names are not words anyway)."""
    for task in TASKS.values():
        if "_" in task.command:
            reason = re.sub(rf"\b{task.command}\b", f"“{task.title}”", reason)
    return reason


def beside_fields(task: Task, error: ScrutinyError, addressee: str | None) -> tuple[dict[str, str], str | None]:
    """Each message beside the form's field it names, in plain words; what names no field, above the form. A
    refusal says who may do it."""
    if isinstance(error, NotPermitted):
        return {}, who_may(task, addressee if error.field == "addressee" else None) + "."
    problems = error.problems if isinstance(error, InvalidCommand) else [(error.field or "", str(error))]
    errors: dict[str, str] = {}
    above = []
    for library_field, reason in problems:
        said = plain(forms_named(reason))
        said = said[:1].upper() + said[1:]
        mine = field_of(task, library_field)
        if mine:
            errors.setdefault(mine, said)
        else:
            above.append(said)
    return errors, " ".join(dict.fromkeys(above)) or None
