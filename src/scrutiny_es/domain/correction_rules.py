"""The rules of putting a fact right: which fact a correction or a retraction names, and that dates stay in order.

``corrections.py`` is how a correction is read and applied, by the item and the read models
alike; this is what the item checks before it records one: that the fact named is in force
and of the right kind, and that the corrected dates keep the item's order (none in the future,
none before the meeting or the fact they follow). A correction of a date of receipt whose
deadline was worked out from the body's period moves that deadline too, as a second event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from scrutiny_es.domain import corrections
from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.deadlines import Period
from scrutiny_es.domain.errors import CannotCorrect, DateOutOfOrder
from scrutiny_es.domain.guards import ItemGuards, not_before, not_future
from scrutiny_es.domain.history import AddresseeFact, DecisionFact, ProgressFact, TransferFact
from scrutiny_es.domain.transfers import transfer_retractable
from scrutiny_es.domain.values import Actor

FACT_DATES = {
    "meeting_date": "the meeting date",
    "referral.received_on": "the date of receipt",
    "response.responded_on": "the response date",
    "progress.reported_on": "the progress report date",
    "decision.decided_on": "the decision date",
    "transfer.decided_on": "the date of the transfer",
}
"""The corrected fields that are the day their fact took effect, and how a clerk calls each."""


def as_text(value: Any) -> str | None:
    """A corrected value as a ``Corrected`` event keeps it: a date as YYYY-MM-DD, text as it is."""
    return value.isoformat() if isinstance(value, date) else value


class ItemCorrections(ItemGuards):
    """The commands that put a recorded fact right (``correct``) or withdraw it (``retract``).

    A base of ``scrutiny_es.domain.model.Recommendation``.
    """

    if TYPE_CHECKING:  # the events, nested on Recommendation, where their stored topics stay; and its record
        Corrected: ClassVar[type[Any]]
        Retracted: ClassVar[type[Any]]
        TransferRetracted: ClassVar[type[Any]]
        recorded: dict[int, Any]

        def _addressee_change_retractable(self, fact: AddresseeFact, position: int) -> None: ...

    def correct(
        self,
        *,
        field: str,
        value: Any,
        reason: str,
        addressee: str | None,
        actor: Actor,
        at: datetime,
        version: int | None = None,
        position: int | None = None,
    ) -> None:
        """Puts a recorded fact right; a correction of a date of receipt moves a worked-out deadline too (not one
        agreed since by an extension, which stands).

        A referral or a response is named by its ``addressee``; a progress report or a decision by the
        item's event ``version`` that recorded it (the service finds it from the audit trail's ``position``).
        """
        value = corrections.read_value(field, value)
        fact = self._corrected_fact(field, addressee, version)
        previous = getattr(fact, corrections.attribute(field))
        fact_date = self._check_correction(field, value, fact, addressee, at)
        self.trigger_event(
            self.Corrected,
            timestamp=at,
            actor=actor,
            field=field,
            value=as_text(value),
            previous=as_text(previous),
            reason=reason,
            addressee=addressee,
            version=version,
            position=position,
            fact_date=fact_date,
        )
        if field == "referral.received_on" and fact.period is not None and fact.original_due is None:
            due = Period.parse(fact.period).last_day(value)
            self.trigger_event(
                self.Corrected,
                timestamp=at,
                actor=actor,
                field="referral.response_due",
                value=due.isoformat(),
                previous=as_text(fact.response_due),
                reason=f"{fact.period} from the corrected date of receipt",
                addressee=addressee,
                version=None,
                position=None,
                fact_date=value,
            )

    def _corrected_fact(self, field: str, addressee: str | None, version: int | None) -> Any:
        """The fact a correction names, in force; ``CannotCorrect`` says why there is none."""
        if field.startswith(("referral.", "response.")):
            if addressee is None:
                msg = f"a correction of {field} must name the addressee"
                raise CannotCorrect(msg, field="addressee")
            self._addressee(addressee)
        elif field.startswith(corrections.BY_POSITION):
            if version is None:
                msg = f"a correction of {field} must name the fact by its position in the audit trail"
                raise CannotCorrect(msg, field="position")
        elif addressee is not None or version is not None:
            msg = f"{field} is the item's own: a correction of it names no addressee and no position"
            raise CannotCorrect(msg, field="addressee" if addressee is not None else "position")
        fact = corrections.fact_of(self.history, field, addressee, version)
        if fact is None:
            what = {"referral": "been referred to", "response": "a response from"}.get(field.partition(".")[0])
            if what == "been referred to":
                msg = f"{self.ref} has not been referred to {addressee}, so there is no referral to correct"
            elif what:
                msg = f"{addressee} has not responded to {self.ref}, so there is no response to correct"
            elif isinstance(self.history.fact(version or 0), AddresseeFact):
                msg = (
                    "that position holds a change of addressees, which is not corrected: retract it and record it again"
                )
            else:
                kind = field.partition(".")[0]
                msg = f"that position holds no {kind} of {self.ref} in force (it may have been retracted)"
            raise CannotCorrect(msg, field="addressee" if what else "position")
        if isinstance(fact, DecisionFact):
            holders = corrections.DECISION_FIELDS.get(field)
            if holders is not None and fact.what not in holders:
                msg = f"{field} is not part of a decision that {fact.what.replace('_', ' ')}"
                raise CannotCorrect(msg, field="field")
        if isinstance(fact, ProgressFact | DecisionFact | TransferFact) == field.startswith(corrections.BY_POSITION):
            return fact
        msg = f"a correction of {field} names a {field.partition('.')[0]}, not that fact"
        raise CannotCorrect(msg, field="position")

    def _check_correction(self, field: str, value: Any, fact: Any, addressee: str | None, at: datetime) -> date:
        """Checks a correction keeps the item's dates in order; returns the corrected fact's date."""
        if field in FACT_DATES:
            not_future(value, at, FACT_DATES[field], "value")
        if field.startswith("referral."):
            if field == "referral.received_on":
                self._after_meeting(value, "the date of receipt", "value")
                response = self.responses.get(addressee or "")
                if response is not None:
                    not_before(response.on, value, "the response date", f"{addressee} received the item", "value")
                return value  # type: ignore[no-any-return]
            if value is not None:
                not_before(value, fact.on, "the response due date", "the date of receipt", "value")
            return fact.on  # type: ignore[no-any-return]
        if field.startswith("response."):
            if field == "response.responded_on":
                self._after_meeting(value, "the response date", "value")
                referral = self.referrals.get(addressee or "")
                if referral is not None:
                    not_before(value, referral.on, "the response date", f"{addressee} received the item", "value")
                return value  # type: ignore[no-any-return]
            if field == "response.target_date" and value is not None:
                self._after_meeting(value, "the target date", "value")
            return fact.on  # type: ignore[no-any-return]
        if field == "transfer.decided_on":
            self._after_meeting(value, FACT_DATES[field], "value")
            self._between_transfers(fact, value)
            return value  # type: ignore[no-any-return]
        if field.startswith(corrections.BY_POSITION):
            if field in ("progress.reported_on", "decision.decided_on"):
                self._after_meeting(value, FACT_DATES[field], "value")
                return value  # type: ignore[no-any-return]
            if field in ("decision.target_date", "decision.until") and value is not None:
                not_before(value, fact.on, f"the {field.partition('.')[2].replace('_', ' ')}", "the decision", "value")
            return fact.on  # type: ignore[no-any-return]
        if field == "target_date":  # the item's own, set when it was made: the meeting's fact
            if value is not None:
                self._after_meeting(value, "the target date", "value")
            return self.meeting_date
        if field == "meeting_date":
            history = self.history
            later = [f.on for f in [*history.referrals.values(), *history.responses.values()]]
            later += [f.on for f in [*history.progress, *history.decisions]]
            if self.target_date is not None:
                later.append(self.target_date)
            if later and value > min(later):
                msg = (
                    f"the meeting date {long_date(value)} would come after {long_date(min(later))}, "
                    f"a date already recorded for {self.ref}"
                )
                raise DateOutOfOrder(msg, field="value")
            return value  # type: ignore[no-any-return]
        return self.meeting_date

    def _between_transfers(self, fact: TransferFact, day: date) -> None:
        """A transfer's corrected date keeps the item's transfers in their order: on or after the one before it, on
        or before the one after it."""
        moves = self.history.transfers
        n = next(n for n, t in enumerate(moves) if t is fact)
        before, after = moves[n - 1] if n else None, moves[n + 1] if n + 1 < len(moves) else None
        if before is not None and day < before.on:
            msg = (
                f"the date of the transfer ({long_date(day)}) would come before the transfer to {before.to_body} "
                f"that it follows ({long_date(before.on)})"
            )
            raise DateOutOfOrder(msg, field="value")
        if after is not None and day > after.on:
            msg = (
                f"the date of the transfer ({long_date(day)}) would come after the transfer to {after.to_body} "
                f"that follows it ({long_date(after.on)})"
            )
            raise DateOutOfOrder(msg, field="value")

    def retract(self, *, version: int, position: int, reason: str, actor: Actor, at: datetime) -> None:
        """Withdraws a fact recorded in error (by the item's event ``version``; the clerk gave its ``position``)."""
        fact = self.history.fact(version)
        if fact is None:
            if version == 1:
                msg = f"position {position} made {self.ref}, which cannot be retracted; close it as withdrawn instead"
            elif self._retracted(version):
                msg = f"the fact at position {position} was already retracted"
            else:
                msg = self._not_retractable(version, position)
            raise CannotCorrect(msg, field="position")
        if isinstance(fact, AddresseeFact):
            self._addressee_change_retractable(fact, position)
        kind, bodies = self.Retracted, {}
        if isinstance(fact, TransferFact):  # the item goes back to the body it came from
            transfer_retractable(self.history.transfers, fact, self.ref, position)
            kind, bodies = self.TransferRetracted, {"from_body": fact.from_body, "to_body": fact.to_body}
        self.trigger_event(
            kind,
            timestamp=at,
            actor=actor,
            version=version,
            position=position,
            fact=type(self.recorded[version]).__name__,
            reason=reason,
            fact_date=fact.on,
            **bodies,
        )

    def _not_retractable(self, version: int, position: int) -> str:
        """Why the event at ``position`` cannot be retracted, and what to do instead."""
        event = self.recorded[version]
        if isinstance(event, self.Corrected):
            return f"position {position} corrected {self.ref}: a correction is put right by another correction"
        if isinstance(event, self.Retracted):
            return f"position {position} retracted a fact of {self.ref}, which cannot be undone; record it again"
        return f"position {position} holds no fact of {self.ref} that can be retracted"

    def _retracted(self, version: int) -> bool:
        """Whether the fact the item's event ``version`` recorded was retracted."""
        return any(isinstance(e, self.Retracted) and e.version == version for e in self.recorded.values())
