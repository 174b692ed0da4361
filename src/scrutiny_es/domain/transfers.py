"""Where an item lives: the body that made it, and the bodies it is transferred to.

Committees are replaced and their outstanding recommendations referred to the new ones; an
item keeps its ref, its history and its running deadlines, and goes on under the body it was
transferred to from the day decided. Its identity stays that of the body that made it (``ids.py``);
the body it goes to records that it took it over (``Body.ItemTakenOver``), so commands name the body
the item is with and its ref, as a clerk does. The events (``Recommendation.Made``,
``Recommendation.Transferred``) are nested on ``Recommendation`` in ``scrutiny_es.domain.model``.

A transfer recorded in error is retracted like any fact (``Recommendation.TransferRetracted``, a retraction
that names the bodies): the item is with the body it came from again, as if the transfer had never been
recorded. Only the latest transfer is retracted; an earlier one waits for those after it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.errors import CannotTransfer, LaterTransfer
from scrutiny_es.domain.guards import ItemGuards, not_before, not_future
from scrutiny_es.domain.history import TransferFact
from scrutiny_es.domain.ids import recommendation_id
from scrutiny_es.domain.values import Actor, Addressee, Kind


class Receiving(Protocol):
    """What a transfer reads of the body an item goes to (a ``Body``)."""

    code: str

    def name_on(self, day: date | None) -> str: ...

    def still_sitting(self, field: str = "body", day: date | None = None) -> None: ...

    def take_over(
        self, *, ref: str, made_by: str, from_body: str, decided_on: date, actor: Any, at: datetime
    ) -> None: ...


class ItemPlacement(ItemGuards):
    """Making an item, and moving it to another body. A base of ``scrutiny_es.domain.model.Recommendation``."""

    if TYPE_CHECKING:  # the events, nested on Recommendation, where their stored topics stay
        Made: ClassVar[type[Any]]
        Transferred: ClassVar[type[Any]]

        @classmethod
        def create_fast(cls, event_class: Any, **kwargs: Any) -> Any: ...

    @classmethod
    def make(
        cls,
        *,
        body: Any,
        ref: str,
        kind: Kind,
        meeting_date: date,
        item: str,
        minute: str | None,
        text: str,
        addressees: list[Addressee],
        target_date: date | None,
        actor: Actor,
        at: datetime,
        exempt: str | None = None,
    ) -> Self:
        """A recommendation or action the body (a ``Body``) made at a meeting."""
        body.still_sitting("body", meeting_date)
        not_future(meeting_date, at, "the meeting date", "meeting_date")
        if target_date is not None:
            not_before(target_date, meeting_date, "the target date", "the meeting", "target_date")
        made: Self = cls.create_fast(
            cls.Made, id=recommendation_id(body.code, ref), timestamp=at, actor=actor, body=body.code, ref=ref,
            kind=kind, meeting_date=meeting_date, item=item, minute=minute, text=text, addressees=list(addressees),
            target_date=target_date, decided_by=body.name_on(meeting_date), exempt=exempt,
        )  # fmt: skip
        return made

    def transfer(
        self,
        *,
        to_body: str,
        decided_on: date,
        minute: str | None,
        reason: str | None,
        body: Receiving,
        actor: Actor,
        at: datetime,
        board: str | None = None,
    ) -> None:
        """Moves an open item to ``body`` (whose code is ``to_body``) from the day decided; it keeps its ref,
        history and running deadlines, and the body it leaves shows it as transferred up to that day (``board``: the
        name of the body it leaves, as on the day)."""
        self._open()
        history = self.history
        if to_body == history.body:
            msg = f"{self.ref} is already with {to_body}"
            raise CannotTransfer(msg, field="to_body")
        body.still_sitting("to_body", decided_on)
        came = history.came_from(None)
        since, what = (came.on, "its transfer to " + history.body) if came else (self.meeting_date, "the meeting")
        if decided_on < since:
            msg = f"the date of the transfer ({long_date(decided_on)}) is before {what} ({long_date(since)})"
            raise CannotTransfer(msg, field="decided_on")
        not_future(decided_on, at, "the date of the transfer", "decided_on")
        made_by = history.made_by
        body.take_over(ref=self.ref, made_by=made_by, from_body=history.body, decided_on=decided_on, actor=actor, at=at)
        self.trigger_event(
            self.Transferred, timestamp=at, actor=actor, from_body=history.body, to_body=to_body,
            to_board=body.name_on(decided_on), decided_by=board or history.board, decided_on=decided_on, minute=minute,
            reason=reason,
        )  # fmt: skip


def transfer_retractable(transfers: list[TransferFact], fact: TransferFact, ref: str, position: int) -> None:
    """Refuses the retraction of a transfer the item was transferred on from since (``LaterTransfer``, which the
    recorder tells the clerk with the later transfer's position): the latest is retracted first."""
    later = transfers[-1]
    if later is fact:
        return
    head = (
        f"position {position} transferred {ref} to {fact.to_body}, which transferred it on to {later.to_body} on "
        f"{long_date(later.on)}"
    )
    raise LaterTransfer(head, later=later.seq)
