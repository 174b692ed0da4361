"""The event store: eventsourcing's own recorders, each with the log's one rule of time.

An event is never recorded with a time earlier than the event before it in the log, or
"as known at" would not be a moment in the log's history. The recorders check it in the
transaction that appends, after taking the log's write lock, so two writers cannot slip
past each other; a batch stamped before the last event is refused with ``LogIsAhead``
and stamped again with the log's time (the service does that). The times compared are
those the positions table keeps (``commands.positions.recorded_at``), which the store hands
the recorder beside the events (``recorded_at=``, microseconds since 1970 began, UTC): the
recorder never reads inside an event's stored state.

Where eventsourcing's recorders are extended (``sqlite.py``, ``postgres.py``, ``shared.py``), the SQLite and
shared recorders override ``_insert_events``, the one hook eventsourcing and eventsourcing-sqlalchemy give for
writing in the transaction that appends events (their own process recorders override it to keep their tracking
records): it has a leading underscore but no public counterpart, so the pin on eventsourcing (``>=9.5.6,<9.6``)
stays, and ``tests/contracts`` runs eventsourcing's own recorder test cases against each recorder. The
PostgreSQL recorder overrides the public ``insert_events`` instead, with eventsourcing's public lock statements
(``lock_table_statements``) and an insert of its own into eventsourcing's events table (the same columns, sent as
arrays in binary: eventsourcing's composite type goes as text, at half an append's time), so that an append's
statements go to the server together, and its commit with the notice to those following the log. Everything
else they use is public: ``create_table``, ``insert_events``, the create-table statements,
``datastore.transaction``.

One more reaches past eventsourcing's public surface, for a reason it offers no other way to meet:
``log.py`` turns off the SQLite cursor's row factory (``sqlite_cursor``), since the log read as plain
tuples is what makes a rebuild of a million events affordable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from scrutiny_es.application.ports import LogIsAhead, Outdated

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def microseconds(moment: datetime) -> int:
    """A recording time as the store keeps it: microseconds since 1970 began, UTC (exact, and ordered in SQL)."""
    return (moment - _EPOCH) // _MICROSECOND


def moment(kept: int) -> datetime:
    """A recording time the store kept (``microseconds``), as a time in UTC."""
    return _EPOCH + timedelta(microseconds=kept)


def check_follows(previous: int | None, first: int | None) -> None:
    """Refuses a batch whose first event was recorded (``first``) before the event before it (``previous``);
    either unknown (None: the log is empty, or a time was not given) passes."""
    if previous is not None and first is not None and first < previous:
        raise LogIsAhead(moment(previous))


def check_unchanged(latest: Iterable[tuple[Any, int]], unchanged: Mapping[UUID, int]) -> None:
    """Refuses a batch that read an aggregate, at the version given in ``unchanged``, which has a later event
    now (``latest``: each aggregate's last version as stored, its id as the driver reads it)."""
    now = {key if isinstance(key, UUID) else UUID(str(key)): version for key, version in latest}
    changed = [key for key, version in unchanged.items() if now.get(key, 0) != version]
    if changed:
        raise Outdated(changed)
