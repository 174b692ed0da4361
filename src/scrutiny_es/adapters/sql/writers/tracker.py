"""The tracker's writer: a row per item, with its history."""

from __future__ import annotations

from sqlalchemy import Table

from scrutiny_es.adapters.sql.bulk import Values
from scrutiny_es.adapters.sql.schema import addressee_list, tracker_table
from scrutiny_es.adapters.sql.writers.items import ItemsWriter
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.projections.items import tracker_record


class TrackerWriter(ItemsWriter):
    """The tracker: one row per item, as ``projections.items.tracker_row`` shows it."""

    name = "tracker"
    layout = 4  # 4: the exempt column

    def item_tables(self, generation: int) -> list[Table]:
        return [tracker_table(generation)]

    def state_table(self, generation: int) -> Table:
        return tracker_table(generation)

    def rows(self, generation: int, histories: list[tuple[str, ItemHistory]]) -> list[tuple[Table, list[Values]]]:
        rows: list[Values] = []
        text = self.histories.text
        for key, history in histories:
            shown = tracker_record(history, self.histories.owed(key, history), self.histories.calendar_of(history))
            if shown is not None:
                row, status, rag, names = shown
                values = (key, history.body, history.ref, history.meeting_date, row, text(key, history), status, rag)
                rows.append((*values, addressee_list(names), history.exempt))
        return [(tracker_table(generation), rows)]
