"""The errors a clerk sees when a command breaks a rule.

Every rule the domain enforces raises a subclass of :class:`ScrutinyError`, with a
message that says, in the board's words, what was wrong and what to do instead, and
``field``: the command's field whose value broke the rule, so that a host's form can show
the message beside it.
"""

from __future__ import annotations

from typing import Any


class ScrutinyError(Exception):
    """Base of every error a user can cause; the message is for the user.

    ``field`` names the command's field (``received_on``, ``addressee``, ``actor.role``...) whose
    value broke the rule, or is None where the command as a whole did (an item closed, a clash).
    """

    __module__ = "scrutiny_es.errors"

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Every error a user can cause is public under one name, ``scrutiny_es.errors.X``, wherever it is raised
        (its reprs and tracebacks say so; ``scrutiny_es.errors`` finds each)."""
        super().__init_subclass__(**kwargs)
        cls.__module__ = "scrutiny_es.errors"


class InvalidCommand(ScrutinyError):
    """A command's shape is wrong: a missing field, an unknown value, a bad date.

    ``problems`` lists every one as (field, reason), the field written as in the JSON form
    (``addressees[0].kind``; ``command`` for the command's name, ``""`` for the line as a
    whole); ``field`` is the first problem's field.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        first = problems[0][0] if problems else ""
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems), field=first or None)


class InvalidQuery(ScrutinyError):
    """A report was asked for with a value it does not know (a status, a RAG, a negative limit)."""


class BodyNotFound(ScrutinyError):
    """No body has been registered with this code."""

    @classmethod
    def of(cls, code: str, field: str = "body") -> BodyNotFound:
        """What a command or a report naming the code in ``field`` is told."""
        return cls(f"no body is registered with the code {code}", field=field)


class BodyAlreadyRegistered(ScrutinyError):
    """A body code is registered once."""


class RecommendationNotFound(ScrutinyError):
    """No recommendation or action has this reference in this body."""


class DuplicateRecommendation(ScrutinyError):
    """A reference is used once within a body."""


class DateOutOfOrder(ScrutinyError):
    """A date comes before the meeting, or before the event it follows."""


class NotAnAddressee(ScrutinyError):
    """Referrals and responses must name one of the item's addressees."""


class AlreadyReferred(ScrutinyError):
    """An addressee is referred once; a wrong referral is fixed with ``correct``."""


class AlreadyResponded(ScrutinyError):
    """An addressee responds once; a wrong response is fixed with ``correct``."""


class AlreadyReminded(ScrutinyError):
    """Someone is reminded of an item once a day at most."""


class ItemClosed(ScrutinyError):
    """A closed item takes only ``reopen`` and ``correct``."""


class ItemNotClosed(ScrutinyError):
    """Only a closed item can be reopened."""


class CannotCorrect(ScrutinyError):
    """The field named in a correction cannot be corrected, or the value does not fit."""


class LaterTransfer(CannotCorrect):
    """A transfer the item was transferred on from since cannot be retracted before that later one.

    ``head`` says which transfer was named and where the item went next; ``later`` is the item's event that
    recorded the later transfer, and ``position`` its place in the audit trail (None: not known yet).
    """

    def __init__(self, head: str, *, later: int, position: int | None = None) -> None:
        named = "" if position is None else f" (position {position})"
        super().__init__(f"{head}: retract that later transfer{named} first", field="position")
        self.head, self.later = head, later

    def naming(self, position: int | None) -> LaterTransfer:
        """The same refusal, naming the later transfer by its ``position`` in the audit trail."""
        return LaterTransfer(self.head, later=self.later, position=position)


class ConcurrentChange(ScrutinyError):
    """Someone else changed the item at the same moment, too many times in a row."""


class CommandIdReused(ScrutinyError):
    """A ``command_id`` already recorded came with a different command: a key names one command only."""


class CannotExtend(ScrutinyError):
    """A response deadline is extended only while the response is awaited, and only to a later day."""


class MeetingAlreadyScheduled(ScrutinyError):
    """A body has one meeting a day in its calendar."""


class MeetingNotScheduled(ScrutinyError):
    """Only a meeting in the calendar can be cancelled."""


class BodyDissolved(ScrutinyError):
    """A dissolved body takes no new items, names, meetings or transfers; its successor does."""


class BodyUnchanged(ScrutinyError):
    """A renaming must change the name in force, and a body is not its own successor."""


class CannotTransfer(ScrutinyError):
    """An item is transferred only while open, to another registered body that still sits, on or after the day
    it came to the body it is leaving."""


class EventTooNew(ScrutinyError):
    """A stored event was written by a later version of the library than this one: it is not read as the old shape."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        """What this code does not know, in a few words (``Recommendation.Referred of class version 3``)."""


class CannotChangeAddressees(ScrutinyError):
    """An addressee is added once, only one the item has is removed or replaced, and an item keeps one at least."""


class ItemTransferred(ScrutinyError):
    """An item transferred to another body takes its commands there: a command naming the body it left is refused
    (one recorded before, sent again, is still recognised)."""


class AmbiguousRef(ScrutinyError):
    """A body holding two items with one ref (its own and one it took over, or two it took over) is told which by
    ``origin``, the code of the body that made it."""


def check_count(name: str, value: Any, least: int, most: int, *, optional: bool = False) -> None:
    """``InvalidQuery`` unless ``value`` is a whole number from ``least`` to ``most`` (or None, if optional)."""
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        msg = f"{name} must be a whole number from {least} to {most:,}, not {value!r}"
        raise InvalidQuery(msg, field=name)
