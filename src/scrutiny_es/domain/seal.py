"""A reset of the seal, recorded in the log it seals: only a person, saying why, may seal a changed log anew.

The seal shows a stored event changed after it was sealed. Sealing the changed log again would
hide that, so a rebuild refuses unless a person says why; the reset is then an event of the record,
sealed with it and shown by the audit trail, naming who reset the seal, when, why, what had changed
and the digest the seal held before. Being an event, it stays however often the read models are
rebuilt, and removing it later breaks the new chain.
"""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import Aggregate

from scrutiny_es.domain.dates import uk_day
from scrutiny_es.domain.errors import InvalidCommand
from scrutiny_es.domain.fastpath import uuid5
from scrutiny_es.domain.ids import NAMESPACE
from scrutiny_es.domain.values import Actor

REASON_LENGTH = 2000
"""The longest reason a reset takes, in characters."""


class Seal(Aggregate):
    """One reset of the seal: each is an aggregate of its own, named by the length of the log it followed."""

    class Reset(Aggregate.Created):
        class_version = 1
        actor: Actor
        reset_on: date
        reason: str
        found: str
        """What the check found: ``position 5: changed``, say."""
        sealed_until: int
        """The last position the old seal held."""
        sealed_digest: str
        """The old seal's digest at that position (hex), as an auditor may have it published."""

        @property
        def effective_on(self) -> date:
            return self.reset_on

    def __init__(self, reason: str, found: str, sealed_until: int, sealed_digest: str) -> None:
        self.reason = reason
        self.found = found
        self.sealed_until = sealed_until
        self.sealed_digest = sealed_digest

    @classmethod
    def reset(
        cls, *, after: int, actor: Actor, at: datetime, reason: str, found: str, sealed_until: int, sealed_digest: str
    ) -> Seal:
        """The seal reset by ``actor`` for ``reason``, following a log of ``after`` events."""
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidCommand([("reason", "say why the seal is reset: the reason must not be blank")])
        if len(reason) > REASON_LENGTH or not reason.isprintable():
            msg = f"the reason must be printable text of at most {REASON_LENGTH} characters"
            raise InvalidCommand([("reason", msg)])
        return cls._create(
            cls.Reset, id=uuid5(NAMESPACE, f"seal-reset:{after}"), timestamp=at, actor=actor, reset_on=uk_day(at),
            reason=reason, found=found, sealed_until=sealed_until, sealed_digest=sealed_digest,
        )  # fmt: skip
