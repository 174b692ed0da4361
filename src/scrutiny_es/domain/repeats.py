"""A command sent twice is recorded once: which event a repeated command already recorded.

Each event keeps what its command was given (``Recommendation.Event.arguments``), and the
item keeps the versions of the events each command recorded, by the command and who sent
it (``given``). A command that matches one of those, field for field, and whose fact was not
retracted, was recorded already: the service answers with the earlier receipt.
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import TYPE_CHECKING, Any

from scrutiny_es.domain import corrections
from scrutiny_es.domain.correction_rules import as_text
from scrutiny_es.domain.errors import CannotCorrect
from scrutiny_es.domain.values import Actor


@cache
def command_fields(aggregate: type, command: str) -> tuple[str, ...]:
    """The arguments an aggregate's method takes from its command (not who records it, when, nor the body and its
    name, which the recorder gives)."""
    taken = inspect.signature(getattr(aggregate, command)).parameters
    return tuple(name for name in taken if name not in ("self", "actor", "at", "body", "board"))


class ItemRepeats:
    """What an item answers of a command sent again. A base of ``scrutiny_es.domain.model.Recommendation``."""

    if TYPE_CHECKING:  # given by Recommendation (and correction_rules.ItemCorrections)
        recorded: dict[int, Any]
        given: dict[tuple[str, Actor], list[int]]

        def _retracted(self, version: int) -> bool: ...

    def identical(self, command: str, arguments: dict[str, Any], actor: Actor) -> int | None:
        """The version of the event in force that the same command, with the same arguments and by the same
        actor, recorded; None if there is none (a command sent twice is recorded once)."""
        if command == "correct" and arguments.get("field") in corrections.CORRECTABLE:
            try:
                value = corrections.read_value(arguments["field"], arguments["value"])
            except CannotCorrect:
                return None
            arguments = {**arguments, "value": as_text(value)}
        same = self.given.get((command, actor))
        if not same:
            return None
        for version in same:
            if self.recorded[version].arguments() == arguments and not self._retracted(version):
                return version
        return None
