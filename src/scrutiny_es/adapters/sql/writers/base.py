"""What every writer is, and what they share: the cache of items' state between batches."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Container, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from scrutiny_es.domain.model import Body, Recommendation


class StateCache(OrderedDict[str, Any]):
    """Items' state kept in memory between batches, so what was just written is not read back.

    It is valid only at the position where it was left: at any other (another process
    moved the projection on, or a transaction was rolled back) it is emptied. Trimmed to
    the ``SIZE`` items changed last.
    """

    SIZE = 5_000

    def __init__(self) -> None:
        super().__init__()
        self.at: Any = None

    def trim(self) -> None:
        while len(self) > self.SIZE:
            self.popitem(last=False)


Events = Sequence[tuple[int, Any]]
"""Events with their positions in the log."""


class TableWriter:
    """A read model kept in SQL tables."""

    name: str
    layout: int
    """The shape of its tables and rows: raised with every change, so that tables an earlier version made are
    rebuilt (1: release 0.1.0; 3: the calendars, and the tracker's columns a page is chosen by)."""

    reads_stored = False
    """Whether it folds the events as stored (rows of columns) rather than decoded: the runner, catching up
    only such writers, hands them the rows, so an event that can no longer be decoded does not stop them."""

    keeps_places = False
    """Whether it numbers every event (the audit trail): an event it cannot fold is then given it as ``TooNew``."""

    def tables(self, generation: int) -> list[Table]:
        raise NotImplementedError

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        """Folds events that follow position ``after`` into the state held in memory."""
        raise NotImplementedError

    def prepare(self, generation: int, dialect: str) -> None:
        """Makes the rows the absorbed events call for, ready for the driver, without touching the database."""
        raise NotImplementedError

    def flush(self, conn: Connection, generation: int) -> None:
        """Writes what the absorbed events changed (the caller commits it with the position)."""
        raise NotImplementedError

    def forget(self) -> None:
        """Drops what is held in memory: it may no longer be what the tables hold."""
        raise NotImplementedError


def stored_elsewhere(keyed: list[tuple[str, Any]], held: Container[str]) -> list[str]:
    """The items of a batch whose state is to be read from the tables: not held, and not created in it."""
    first: dict[str, Any] = {}
    for key, event in keyed:
        first.setdefault(key, event)
    return [key for key, event in first.items() if key not in held and type(event) not in _CREATED]


_CREATED = {Recommendation.Made, Body.Registered}
"""The first event of every aggregate: what follows it in the same batch cannot be in the tables yet."""
