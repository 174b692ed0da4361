"""How batches of events change each read model's tables: a writer per read model.

A writer first *absorbs* events into state it keeps in memory, reading from its tables
only what it does not hold, then *prepares* the rows that changed, and then *flushes*
them; the runner commits the flush together with the projection's position, so every
event is applied exactly once. What is folded, and what a row shows, is the pure logic of
``scrutiny_es.projections``; a writer only keeps it in SQL. The tracker and the overdue
list share their items' histories (``histories``).
"""

from __future__ import annotations

from scrutiny_es.adapters.sql.writers.audit import AuditWriter
from scrutiny_es.adapters.sql.writers.base import TableWriter
from scrutiny_es.adapters.sql.writers.histories import Calendars, Histories
from scrutiny_es.adapters.sql.writers.overdue import OverdueWriter
from scrutiny_es.adapters.sql.writers.seal import SealWriter
from scrutiny_es.adapters.sql.writers.tracker import TrackerWriter
from scrutiny_es.application.ports import EventLog

__all__ = [
    "AuditWriter",
    "Calendars",
    "Histories",
    "OverdueWriter",
    "SealWriter",
    "TableWriter",
    "TrackerWriter",
    "writers",
]


def writers(log: EventLog | None = None) -> dict[str, TableWriter]:
    """The read models, the tracker and the overdue list sharing their items' histories; the seal reads ``log``."""
    histories = Histories()
    made = (TrackerWriter(histories), OverdueWriter(histories), AuditWriter(), SealWriter(log))
    return {p.name: p for p in made}
