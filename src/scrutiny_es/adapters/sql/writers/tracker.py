"""The tracker's writer: a row per item, with its history."""

from __future__ import annotations

from sqlalchemy import Table

from scrutiny_es.adapters.sql.bulk import Values
from scrutiny_es.adapters.sql.schema import addressee_list, tracker_body_table, tracker_table
from scrutiny_es.adapters.sql.writers.items import ItemsWriter
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.projections.items import tracker_record


class TrackerWriter(ItemsWriter):
    """The tracker: one row per item, as ``projections.items.tracker_row`` shows it, and the bodies each
    transferred item was with (a body's pack reads its own items, not every item's history), or was to be with by a
    transfer retracted since (a report "as known at" before the retraction shows it there)."""

    name = "tracker"
    layout = 9
    """4: the exempt column; 5: ``tracker_body``, the bodies of transferred items; 6: each body's council and
    names beside its calendar; 7: each referral's extensions in its history, with the day each was agreed (as-of
    reports show the deadline in force then); 8: a closed item awaits no one, and has no response due; 9: each
    transfer in its history keeps the name the item's body had before (a retracted transfer gives it back), and
    the transfers retracted are kept apart (``tracker_body`` keeps their bodies: "as known at" before, they held
    the item)."""

    def item_tables(self, generation: int) -> list[Table]:
        return [tracker_table(generation), tracker_body_table(generation)]

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
        held: list[Values] = [
            (key, body)
            for key, history in histories
            if history.transfers or history.retracted_transfers
            for body in sorted(
                {b for t in [*history.transfers, *history.retracted_transfers] for b in (t.from_body, t.to_body)}
            )
        ]
        return [(tracker_table(generation), rows), (tracker_body_table(generation), held)]
