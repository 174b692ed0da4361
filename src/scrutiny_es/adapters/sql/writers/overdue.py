"""The overdue list's writer: each item's history, and its obligations with their due dates."""

from __future__ import annotations

from sqlalchemy import Table

from scrutiny_es.adapters.sql.bulk import Values
from scrutiny_es.adapters.sql.schema import obligation_table, overdue_item_table
from scrutiny_es.adapters.sql.writers.items import ItemsWriter
from scrutiny_es.domain.history import ItemHistory


class OverdueWriter(ItemsWriter):
    """The overdue list: obligations with their due dates; "overdue on D" is a query."""

    name = "overdue"
    layout = 7
    """4: the exempt column of its items; 5: each body's council and names beside its calendar; 6: each referral's
    extensions in its history, with the day each was agreed (as-of reports show the deadline in force then); 7: each
    transfer in its history keeps the name the item's body had before, and the transfers retracted are kept apart
    (a retracted transfer gives the item back to its body, under that name: the deferrals it owes)."""

    def item_tables(self, generation: int) -> list[Table]:
        return [overdue_item_table(generation), obligation_table(generation)]

    def state_table(self, generation: int) -> Table:
        return overdue_item_table(generation)

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        text = self.histories.text
        states: list[Values] = [(key, h.body, text(key, h), h.item, h.text, h.exempt) for key, h in histories]
        owed: list[Values] = [
            (key, n, o.body, o.ref, o.reason, o.responsible, o.due, o.met_on, o.original_due)
            for key, h in histories
            for n, o in enumerate(self.histories.owed(key, h))
        ]
        return [(overdue_item_table(generation), states), (obligation_table(generation), owed)]
