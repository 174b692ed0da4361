"""The computer's clock, for the service's ``Clock`` port (tests give a fixed one)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The computer's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
