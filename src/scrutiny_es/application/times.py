"""The time a command is recorded at, and the time its events are stamped with: a clock the record can trust.

An event is never stamped before the one preceding it in the log, so "as known at" a moment is always a
stretch of the log from its start; the event store checks it as it appends (``LogIsAhead``). A fact's date
is judged against the clock's day, never against a log that ran ahead; and a clock more than ``TOLERANCE``
ahead of both the log and this computer is refused, so one bad clock cannot carry the log into the future.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from scrutiny_es.application.ports import Clock
from scrutiny_es.domain.errors import ScrutinyError

TOLERANCE = timedelta(minutes=5)
"""How far a clock may run ahead of both the log and the computer's own clock (servers' clocks drift apart)."""

_BEFORE_ANYTHING = datetime.min.replace(tzinfo=UTC)


class ClockNotTrusted(ScrutinyError):
    """The clock gave a time the record cannot take: not a timezone-aware time, or far ahead of the log and of
    the computer's own clock."""


def trusted(now: object) -> datetime:
    """The clock's time, if it is one the record can take (a timezone-aware ``datetime``)."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        msg = f"the clock gave {now!r}: a clock must give a timezone-aware datetime (datetime.now(UTC), say)"
        raise ClockNotTrusted(msg)
    return now


class RecordingTime:
    """The clock, held against the log's last time as known here."""

    def __init__(self, clock: Clock, latest: Callable[[], datetime | None]) -> None:
        """``latest``: the store's answer to when the log's last event was stamped (asked once)."""
        self._clock = clock
        self._latest_in_store = latest
        self._latest: datetime | None = None
        self._trusted_to = _BEFORE_ANYTHING
        """The log's last time and the tolerance: a clock at or before it is not looked at further."""

    def now(self) -> tuple[datetime, datetime]:
        """When a command is recorded (the clock's time, which the rules judge dates by), and the time to stamp
        its events with: the same, or the log's last where the clock is behind the log."""
        if self._latest is None:  # once: afterwards each append and the store say how far the log has come
            self.follow(self._latest_in_store() or _BEFORE_ANYTHING)
        latest: datetime = self._latest  # type: ignore[assignment]  # given by ``follow``
        real = trusted(self._clock.now())
        if real > self._trusted_to:
            computer = datetime.now(UTC)  # the application's one look at the computer's own clock
            if real > computer + TOLERANCE:
                msg = (
                    f"the clock reads {real.isoformat(timespec='seconds')}, more than 5 minutes ahead of the log's "
                    f"last event ({latest.isoformat(timespec='seconds')}) and of this computer's clock "
                    f"({computer.isoformat(timespec='seconds')}): nothing was recorded; put the clock right"
                )
                raise ClockNotTrusted(msg)
        return real, (latest if real < latest else real)

    def follow(self, stamped: datetime) -> None:
        """The log has an event stamped ``stamped`` (appended here, or found by the store)."""
        if self._latest is None or stamped > self._latest:
            self._latest = stamped
            self._trusted_to = stamped + TOLERANCE
