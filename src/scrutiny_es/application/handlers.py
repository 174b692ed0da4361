"""Each item command's decision, in one typed table: the command class to the item method it calls.

An entry names every field it passes, so mypy checks each command's fields against its
method's parameters, and a renamed parameter fails the type check, not a clerk's import.
The steps every item command shares (finding the item, the policy, a fact named by its
position, a command sent twice) are the recorder's (``recording.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from scrutiny_es.domain.model import Actor, Body, Recommendation

if TYPE_CHECKING:  # loaded by the first command: a process that only reports does without pydantic's models
    from scrutiny_es.domain import commands as c


class Bodies(Protocol):
    """Where a decision finds a body (its deadline policy), as the batch being recorded sees it."""

    def body_aggregate(self, code: str) -> Body: ...

    def changing(self, code: str, field: str) -> Body:
        """The body, read afresh, for a command that records an event of it too (``field`` names its code)."""


ItemDecision = Callable[[Recommendation, Any, Actor, datetime, Bodies], None]
"""Records a command's event on its item: the item, the command, who records it, when, and the bodies."""

C = TypeVar("C")


def _entry(
    command: type[C], decide: Callable[[Recommendation, C, Actor, datetime, Bodies], None]
) -> tuple[type[C], ItemDecision]:
    """A row of the table: ``decide`` is checked against ``command``'s own fields."""
    return command, decide


def _refer(item: Recommendation, cmd: c.Refer, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.refer(addressee=cmd.addressee, received_on=cmd.received_on, response_due=cmd.response_due,
               body=bodies.body_aggregate(cmd.body), actor=actor, at=at)  # fmt: skip


def _record_response(item: Recommendation, cmd: c.RecordResponse, actor: Actor, at: datetime, _: Bodies) -> None:
    item.record_response(addressee=cmd.addressee, decision=cmd.decision, text=cmd.text, responded_on=cmd.responded_on,
                         responded_by=cmd.responded_by, target_date=cmd.target_date, actor=actor, at=at)  # fmt: skip


def _extend(item: Recommendation, cmd: c.ExtendResponseDeadline, actor: Actor, at: datetime, _: Bodies) -> None:
    item.extend_response_deadline(addressee=cmd.addressee, response_due=cmd.response_due, reason=cmd.reason,
                                  agreed_by=cmd.agreed_by, decided_on=cmd.decided_on, actor=actor, at=at)  # fmt: skip


def _propose_closure(item: Recommendation, cmd: c.ProposeClosure, actor: Actor, at: datetime, _: Bodies) -> None:
    item.propose_closure(outcome=cmd.outcome, proposed_by=cmd.proposed_by, proposed_on=cmd.proposed_on,
                         note=cmd.note, actor=actor, at=at)  # fmt: skip


def _report_progress(item: Recommendation, cmd: c.ReportProgress, actor: Actor, at: datetime, _: Bodies) -> None:
    item.report_progress(note=cmd.note, reported_on=cmd.reported_on, reported_by=cmd.reported_by, rag=cmd.rag,
                         actor=actor, at=at)  # fmt: skip


def _record_reminder(item: Recommendation, cmd: c.RecordReminder, actor: Actor, at: datetime, _: Bodies) -> None:
    # ``about`` holds the domain's ``Owed`` once validated (the command's AfterValidator), OwedBy by its type.
    item.record_reminder(person=cmd.person, sent_on=cmd.sent_on, about=cmd.about, actor=actor, at=at)  # type: ignore[arg-type]


def _revise(item: Recommendation, cmd: c.ReviseTargetDate, actor: Actor, at: datetime, _: Bodies) -> None:
    item.revise_target_date(target_date=cmd.target_date, reason=cmd.reason, decided_by=cmd.decided_by,
                            decided_on=cmd.decided_on, actor=actor, at=at)  # fmt: skip


def _board(item: Recommendation, bodies: Bodies, day: date) -> str:
    """The name of the body the item is with, as on the day its board decided."""
    return bodies.body_aggregate(item.history.body).name_on(day)


def _defer(item: Recommendation, cmd: c.Defer, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.defer(until=cmd.until, reason=cmd.reason, decided_on=cmd.decided_on, minute=cmd.minute, actor=actor, at=at,
               board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _reaffirm(item: Recommendation, cmd: c.Reaffirm, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.reaffirm(decided_on=cmd.decided_on, minute=cmd.minute, note=cmd.note, actor=actor, at=at,
                  board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _escalate(item: Recommendation, cmd: c.Escalate, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.escalate(action=cmd.action, decided_on=cmd.decided_on, minute=cmd.minute, actor=actor, at=at,
                  board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _close(item: Recommendation, cmd: c.Close, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.close(outcome=cmd.outcome, decided_on=cmd.decided_on, minute=cmd.minute, note=cmd.note, actor=actor, at=at,
               board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _reopen(item: Recommendation, cmd: c.Reopen, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.reopen(reason=cmd.reason, decided_on=cmd.decided_on, minute=cmd.minute, actor=actor, at=at,
                board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _transfer(item: Recommendation, cmd: c.Transfer, actor: Actor, at: datetime, bodies: Bodies) -> None:
    to = bodies.changing(cmd.to_body, "to_body")  # it records that it took the item over
    item.transfer(to_body=cmd.to_body, decided_on=cmd.decided_on, minute=cmd.minute, reason=cmd.reason, body=to,
                  actor=actor, at=at, board=_board(item, bodies, cmd.decided_on))  # fmt: skip


# ``addressee`` and ``successor`` hold the domain's ``Addressee`` once validated (the commands' AfterValidator).


def _add_addressee(item: Recommendation, cmd: c.AddAddressee, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.add_addressee(addressee=cmd.addressee, decided_on=cmd.decided_on, reason=cmd.reason,  # type: ignore[arg-type]
                       actor=actor, at=at, board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _remove_addressee(item: Recommendation, cmd: c.RemoveAddressee, actor: Actor, at: datetime, bodies: Bodies) -> None:
    item.remove_addressee(addressee=cmd.addressee, reason=cmd.reason, decided_on=cmd.decided_on, actor=actor, at=at,
                          board=_board(item, bodies, cmd.decided_on))  # fmt: skip


def _replace_addressee(item: Recommendation, cmd: c.ReplaceAddressee, actor: Actor, at: datetime, b: Bodies) -> None:
    item.replace_addressee(addressee=cmd.addressee, successor=cmd.successor, reason=cmd.reason,  # type: ignore[arg-type]
                           decided_on=cmd.decided_on, actor=actor, at=at,
                           board=_board(item, b, cmd.decided_on))  # fmt: skip


@cache
def item_decisions() -> dict[type, ItemDecision]:
    """The decision of each item command but ``correct`` and ``retract`` (which name a fact by position: the
    recorder finds its version first)."""
    from scrutiny_es.domain import commands as c

    entries: list[tuple[type, ItemDecision]] = [
        _entry(c.Refer, _refer),
        _entry(c.RecordResponse, _record_response),
        _entry(c.ExtendResponseDeadline, _extend),
        _entry(c.ProposeClosure, _propose_closure),
        _entry(c.ReportProgress, _report_progress),
        _entry(c.RecordReminder, _record_reminder),
        _entry(c.ReviseTargetDate, _revise),
        _entry(c.Defer, _defer),
        _entry(c.Reaffirm, _reaffirm),
        _entry(c.Escalate, _escalate),
        _entry(c.Close, _close),
        _entry(c.Reopen, _reopen),
        _entry(c.Transfer, _transfer),
        _entry(c.AddAddressee, _add_addressee),
        _entry(c.RemoveAddressee, _remove_addressee),
        _entry(c.ReplaceAddressee, _replace_addressee),
    ]
    return dict(entries)


def correct(item: Recommendation, cmd: c.Correct, version: int | None, actor: Actor, at: datetime) -> None:
    item.correct(field=cmd.field, value=cmd.value, reason=cmd.reason, addressee=cmd.addressee, version=version,
                 position=cmd.position, actor=actor, at=at)  # fmt: skip


def retract(item: Recommendation, cmd: c.Retract, version: int, actor: Actor, at: datetime) -> None:
    item.retract(version=version, position=cmd.position, reason=cmd.reason, actor=actor, at=at)


ON_ITEM, MAKING, ON_BODY = "on an item", "making an item", "on a body"


@cache
def path(command: type) -> str:
    """Which of the recorder's paths a command class takes (asked once a class, not once a command)."""
    from scrutiny_es.domain import commands as c

    if issubclass(command, c.MakeRecommendation):
        return MAKING
    return ON_ITEM if issubclass(command, c.ItemCommand) else ON_BODY


@cache
def method_fields(command: type) -> tuple[str, ...]:
    """An item command's fields that its item's method takes: all but the envelope."""
    from scrutiny_es.domain.commands import ENVELOPE

    return tuple(name for name in command.model_fields if name not in ENVELOPE)  # type: ignore[attr-defined]
