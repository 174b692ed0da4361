"""A body's calendar: the meetings it schedules and cancels.

A deferral "to a future meeting" falls due at the first meeting scheduled after it, so the
calendar is part of the record: each change is an event of the body (``Body.MeetingScheduled``,
``Body.MeetingCancelled`` in ``scrutiny_es.domain.model``, where their stored topics stay).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from scrutiny_es.domain.dates import long_date, uk_day
from scrutiny_es.domain.errors import MeetingAlreadyScheduled, MeetingNotScheduled
from scrutiny_es.domain.values import Actor


class BodyCalendar:
    """The commands that change a body's calendar. A base of ``scrutiny_es.domain.model.Body``."""

    if TYPE_CHECKING:  # given by Body and eventsourcing's Aggregate
        code: str
        meetings: dict[date, str | None]
        MeetingScheduled: ClassVar[type[Any]]
        MeetingCancelled: ClassVar[type[Any]]

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    def schedule_meeting(self, *, meeting_date: date, name: str | None, actor: Actor, at: datetime) -> None:
        """Puts a meeting in the body's calendar (it may be in the future)."""
        if meeting_date in self.meetings:
            msg = f"{self.code} already has a meeting scheduled on {long_date(meeting_date)}"
            raise MeetingAlreadyScheduled(msg, field="meeting_date")
        self.trigger_event(
            self.MeetingScheduled, timestamp=at, actor=actor, meeting_date=meeting_date, name=name,
            scheduled_on=uk_day(at),
        )  # fmt: skip

    def cancel_meeting(self, *, meeting_date: date, reason: str, actor: Actor, at: datetime) -> None:
        """Takes a meeting out of the calendar; what was deferred to it falls due at the next."""
        if meeting_date not in self.meetings:
            scheduled = ", ".join(long_date(day) for day in sorted(self.meetings)) or "none"
            msg = f"{self.code} has no meeting scheduled on {long_date(meeting_date)} (scheduled: {scheduled})"
            raise MeetingNotScheduled(msg, field="meeting_date")
        self.trigger_event(
            self.MeetingCancelled, timestamp=at, actor=actor, meeting_date=meeting_date, reason=reason,
            cancelled_on=uk_day(at),
        )  # fmt: skip
