"""What a public report leaves out: the exempt items (Schedule 12A), and how many it left out.

A list a report returns is a ``Rows``: a plain list of its rows that also says how many exempt
items were withheld from it (``withheld``), so a host that only reads the rows reads them as
before. The tracker and the overdue list choose their items by ``Filters`` (``exempt``,
``exempt_only``); the pack and the impact figures, made from histories, by ``split``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from scrutiny_es.domain.history import ItemHistory

R = TypeVar("R")

PACK_LISTS = ("responses", "progress", "unsatisfactory", "returning", "for_closure", "tracker")
"""The lists of a meeting pack that name items."""


class Rows(list[R]):
    """A report's rows, and how many exempt items were left out of it (0 where exempt items were asked for)."""

    withheld: int

    def __init__(self, rows: Iterable[R] = (), withheld: int = 0) -> None:
        super().__init__(rows)
        self.withheld = withheld


def split(
    histories: Iterable[ItemHistory], exempt: bool, part_b: bool = False
) -> tuple[list[ItemHistory], list[ItemHistory]]:
    """The items a report shows, and the exempt ones it leaves out: without ``exempt``, the public items; with
    it, every item, or (``part_b``: the pack's Part B) the exempt items alone, the public ones being Part A's."""
    public: list[ItemHistory] = []
    private: list[ItemHistory] = []
    for history in histories:
        (public if history.exempt is None else private).append(history)
    if exempt:
        return (private if part_b else public + private), []
    return public, private


def items_in_pack(pack: dict[str, Any]) -> int:
    """How many items a meeting pack names, in any of its lists."""
    return len({entry["ref"] for name in PACK_LISTS for entry in pack[name]})
