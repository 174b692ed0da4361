"""What each command of a batch recorded: its receipt (made once per command, so made cheaply)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple


class Receipt(NamedTuple):
    """What a command recorded: its events, and the log position of the last one.

    A named tuple, not a frozen dataclass: a bulk apply makes one per command, and a frozen
    dataclass costs several times as much to make.
    """

    body: str
    ref: str | None
    events: tuple[str, ...]
    position: int | None
    """The audit trail's position of the command's last event (1, 2, 3... in the order recorded)."""
    already_recorded: bool = False
    """The command had been recorded before (the same ``command_id``, or the same command in force): this is
    the earlier command's receipt, and nothing was written."""


@dataclass(frozen=True)
class Earlier:
    """A command found recorded already: by its key, or as the same command by the same actor, still in force."""

    receipt: Receipt | None
    """Its receipt; None for a command sent twice in one batch (the first one's, once saved)."""
    same_as: int | None = None
    """That first command's index in the batch."""


def receipts(
    commands: Sequence[Any],
    ends: Sequence[int],
    events: Sequence[Any],
    positions: Sequence[int],
    earlier: dict[int, Earlier],
) -> list[Receipt]:
    """What each command recorded: its events and the position of its last one (they were saved in order)."""
    made: list[Receipt] = []
    start = 0
    for index, (cmd, end) in enumerate(zip(commands, ends, strict=True)):
        found = earlier.get(index) if earlier else None
        if found is not None:
            receipt = found.receipt or made[found.same_as]._replace(already_recorded=True)  # type: ignore[index]
        else:
            if end - start == 1:  # most commands record one event
                names: tuple[str, ...] = (type(events[start]).__name__,)
            else:
                names = tuple([type(e).__name__ for e in events[start:end]])
            receipt = Receipt(cmd.body, getattr(cmd, "ref", None), names, positions[end - 1] if positions else None)
        made.append(receipt)
        start = end
    return made
