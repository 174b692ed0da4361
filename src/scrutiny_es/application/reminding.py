"""Reminding: who must act next, and a message to each, recorded so that nobody is reminded twice in a day.

Each person's reminder is recorded before it is mailed, in one transaction: a second run at the same time
then finds it recorded (``AlreadyReminded``) and sends nothing, so nobody gets the same mail twice. Should the
mail not go, the record of it is retracted, giving the reason, and the run goes on to the next person.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from scrutiny_es.application.ports import Mailer
from scrutiny_es.application.reading import Reading
from scrutiny_es.application.recording import BatchRejected, Receipt, Recording
from scrutiny_es.domain.dates import shown
from scrutiny_es.domain.errors import AlreadyReminded, InvalidCommand
from scrutiny_es.domain.policy import Policy
from scrutiny_es.projections.reminders import Owing, Reminder, reminders

MAX_WITHIN = 3660
"""Days ahead a reminder may look at the most: ten years; more is a mistake (and past the last date a record holds)."""


class NotSent(NamedTuple):
    """A reminder the mail did not take, and why (its record was retracted: the next run tries again)."""

    reminder: Reminder
    reason: str


class SentReminders(list[Reminder]):
    """The reminders sent, in order; ``not_sent``: those the mail refused."""

    def __init__(self) -> None:
        super().__init__()
        self.not_sent: list[NotSent] = []


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
        if contacts is not None and not (
            isinstance(contacts, Mapping) and all(isinstance(v, str) for v in [*contacts, *contacts.values()])
        ):
            raise InvalidCommand([("contacts", f"must map each name to an e-mail address, not {shown(contacts)}")])
        if not isinstance(within, int) or isinstance(within, bool) or not 0 <= within <= MAX_WITHIN:
            raise InvalidCommand([("within", f"must be 0 or more days, at most {MAX_WITHIN:,}, not {shown(within)}")])
        if body is not None:
            self._reading.body(body)
        day = on or self._reading.today()
        histories = self._reading.histories(body, None, None)  # with the items the body once held: left out here
        return reminders(
            (h for h in histories if body is None or h.body_on(day) == body), on=day, within=within,
            calendars=self._reading.calendars(None), contacts=contacts, unless_reminded_on=unless_reminded_on,
        )  # fmt: skip

    def send(
        self,
        mailer: Mailer,
        actor: Mapping[str, str],
        body: str | None,
        on: date | None,
        within: int,
        contacts: Mapping[str, str] | None,
    ) -> SentReminders:
        if not callable(getattr(mailer, "send", None)):
            raise InvalidCommand([("mailer", f"must have a send(reminder) method, not {shown(mailer)}")])
        if not (isinstance(actor, Mapping) and all(isinstance(actor.get(k), str) for k in ("id", "name", "role"))):
            raise InvalidCommand([("actor", f'must be who sends them, {{"id", "name", "role"}}, not {shown(actor)}')])
        for command in ("record_reminder", "retract"):  # before anything is recorded or sent
            self._policy.check(actor["name"], actor["role"], command)
        today = self._reading.today()
        sent = SentReminders()
        for reminder in self.reminders(body, on, within, contacts, today):
            if reminder.email is None:
                continue
            items = reminder.about()
            try:
                receipts = self._recording.execute_many([
                    {"command": "record_reminder", "actor": dict(actor), "body": code, "ref": ref,
                     "origin": origin, "person": reminder.person, "sent_on": today.isoformat(),
                     "about": [{"reason": o.reason, "due": o.due.isoformat()} for o in about]}
                    for (code, ref, origin), about in items.items()
                ])  # fmt: skip
            except BatchRejected as e:
                if isinstance(e.error, AlreadyReminded):  # another run reminded them meanwhile
                    continue
                raise
            reserved = list(zip(items, receipts, strict=True))
            if any(r.already_recorded for _, r in reserved):  # another run recorded the same reminder first: it mails
                self._release([(i, r) for i, r in reserved if not r.already_recorded], actor,
                              "another run was reminding them")  # fmt: skip
                continue
            try:
                mailer.send(reminder)
            except Exception as e:
                self._release(reserved, actor, f"the reminder could not be mailed: {e}")
                sent.not_sent.append(NotSent(reminder, str(e)))
                continue
            sent.append(reminder)
        return sent

    def _release(self, reserved: list[tuple[Owing, Receipt]], actor: Mapping[str, str], reason: str) -> None:
        """Retracts the reminders recorded for a mail that did not go."""
        self._recording.execute_many([
            {"command": "retract", "actor": dict(actor), "body": code, "ref": ref, "origin": origin,
             "position": r.position, "reason": reason[:1000]}
            for (code, ref, origin), r in reserved
        ])  # fmt: skip
