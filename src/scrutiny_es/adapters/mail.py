"""Reminders by mail: one message per person, plain text with an HTML alternative, through an SMTP server."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from scrutiny_es.adapters.formats.reminders import message_html, message_text, subject
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.reminders import Reminder


class MailNotSent(ScrutinyError):
    """The SMTP server could not be reached, or refused a message."""


def message(reminder: Reminder, sender: str, on: date) -> EmailMessage:
    """The message to one person: their reminder as text, and as HTML for a mail program that shows it."""
    mail = EmailMessage()
    mail["Subject"] = subject(reminder)
    mail["From"] = sender
    mail["To"] = reminder.email or ""
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(message_text(reminder, on))
    mail.add_alternative(message_html(reminder, on), subtype="html")
    return mail


@dataclass
class SmtpMailer:
    """Sends each reminder through an SMTP server (``host:port``), from ``sender``, as of day ``on``."""

    host: str
    port: int
    sender: str
    on: date
    timeout: float = 30.0

    def send(self, reminder: Reminder) -> None:
        if not reminder.email:
            return
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message(reminder, self.sender, self.on))
        except (OSError, smtplib.SMTPException) as e:
            server = f"{self.host}:{self.port}"
            msg = f"could not send the reminder to {reminder.person} <{reminder.email}> through {server}: {e}"
            raise MailNotSent(msg) from None
