"""What a public report leaves out: the exempt items (Schedule 12A), and how many it left out.

A list a report returns is a ``Rows``: a plain list of its rows that also says how many exempt
items were withheld from it (``withheld``), so a host that only reads the rows reads them as
before. The tracker and the overdue list choose their items by ``Filters`` (``exempt``,
``exempt_only``); the impact figures, made from histories, by ``Withholding``; the pack by ``parts``.
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


def parts(histories: Iterable[ItemHistory], part_b: bool) -> tuple[list[ItemHistory], list[ItemHistory]]:
    """The items a meeting pack shows, and the exempt ones it withholds: the public pack (Part A) shows the public
    items and withholds the exempt ones; Part B shows the exempt items alone and withholds nothing (the public
    items are not withheld from it: they are Part A's)."""
    public: list[ItemHistory] = []
    private: list[ItemHistory] = []
    for history in histories:
        (public if history.exempt is None else private).append(history)
    return (private, []) if part_b else (public, private)


class Withholding:
    """Keeps the items a report shows as they stream past (a report of every item need not hold them all), and
    the exempt ones it leaves out (few: a board takes little in private)."""

    def __init__(self, exempt: bool) -> None:
        self.exempt = exempt
        self.left_out: list[ItemHistory] = []

    def keeps(self, history: ItemHistory) -> bool:
        if self.exempt or history.exempt is None:
            return True
        self.left_out.append(history)
        return False


def items_in_pack(pack: dict[str, Any]) -> int:
    """How many items a meeting pack names, in any of its lists."""
    return len({entry["ref"] for name in PACK_LISTS for entry in pack[name]})
