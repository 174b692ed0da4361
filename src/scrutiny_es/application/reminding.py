"""Reminding: who must act next, and a message to each, recorded so that nobody is reminded twice in a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from scrutiny_es.application.ports import Mailer
from scrutiny_es.application.reading import Reading
from scrutiny_es.application.recording import Recording
from scrutiny_es.domain.errors import InvalidCommand
from scrutiny_es.domain.policy import Policy
from scrutiny_es.projections.reminders import Reminder, reminders


class Reminding:
    """Works out reminders from the reports, and records each one sent through the recorder."""

    def __init__(self, *, reading: Reading, recording: Recording, policy: Policy) -> None:
        self._reading = reading
        self._recording = recording
        self._policy = policy

    def reminders(
        self,
        body: str | None,
        on: date | None,
        within: int,
        contacts: Mapping[str, str] | None,
        unless_reminded_on: date | None = None,
    ) -> list[Reminder]:
        if within < 0:
            raise InvalidCommand([("within", f"must be 0 or more days, not {within}")])
        if body is not None:
            self._reading.body(body)
        histories = self._reading.histories(body, None, None)
        return reminders(
            histories, on=on or self._reading.today(), within=within, calendars=self._reading.calendars(None),
            contacts=contacts, unless_reminded_on=unless_reminded_on,
        )  # fmt: skip

    def send(
        self,
        mailer: Mailer,
        actor: Mapping[str, str],
        body: str | None,
        on: date | None,
        within: int,
        contacts: Mapping[str, str] | None,
    ) -> list[Reminder]:
        self._policy.check(actor["name"], actor["role"], "record_reminder")  # before anything is sent
        today = self._reading.today()
        sent = []
        for reminder in self.reminders(body, on, within, contacts, today):
            if reminder.email is None:
                continue
            mailer.send(reminder)
            self._recording.execute_many([
                {"command": "record_reminder", "actor": dict(actor), "body": code, "ref": ref,
                 "person": reminder.person, "sent_on": today.isoformat(),
                 "about": [{"reason": o.reason, "due": o.due.isoformat()} for o in about]}
                for (code, ref), about in reminder.about().items()
            ])  # fmt: skip
            sent.append(reminder)
        return sent
