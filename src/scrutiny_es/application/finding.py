"""Which item a command names: the one with its ref that its body holds now, made there or taken over.

An item's identity is its making body's code and its ref (``domain/ids.py``), yet a clerk names the
body an item is with. So a command naming a body and a ref is looked for among the item the body
made and the items it took over with that ref (the body's own aggregate keeps them: ``Body.ItemTakenOver``),
never in a read model. A body holding two with one ref is told which by ``origin``; a command naming
the body an item left is told where it went, and one naming the body a transfer retracted was to is told it does
not hold the item (the body keeps what it took over, so a command recorded there before is still recognised).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from scrutiny_es.domain.dates import long_date
from scrutiny_es.domain.errors import AmbiguousRef, ItemTransferred, RecommendationNotFound
from scrutiny_es.domain.model import Body, Recommendation, recommendation_id

Load = Callable[[UUID], "Recommendation | None"]
"""An item as the batch sees it (None: no such item)."""


def find_item(
    body: str, ref: str, origin: str | None, *, load: Load, holder: Callable[[str, str], Body]
) -> tuple[Recommendation, ItemTransferred | None]:
    """The item ``body`` holds with ``ref`` (``origin``: the body that made it), and None; or an item that has left
    ``body``, with the error saying where it went (the recorder still recognises a command recorded before).

    ``holder(code, field)`` is the registered body with a code, or ``BodyNotFound`` naming the field."""
    if origin is not None:
        item = load(recommendation_id(origin, ref))
        if item is None:
            holder(origin, "origin")
            msg = f"{origin} made no recommendation or action with the reference {ref}"
            raise RecommendationNotFound(msg, field="ref")
        return item, None if item.history.body == body else _gone(item, body, holder)
    held = holder(body, "body").holding(ref)  # each once (``body`` too, for its own item transferred back)
    own = load(recommendation_id(body, ref))
    if not held and own is not None and own.history.body == body:
        return own, None  # the usual case, without the search among the items taken over
    items = [] if own is None else [own]
    items += [found for maker in held if maker != body and (found := load(recommendation_id(maker, ref))) is not None]
    here = [item for item in items if item.history.body == body]
    if len(here) > 1:
        made = " and ".join(item.history.made_by for item in here)
        msg = (
            f"{body} holds {len(here)} items with the reference {ref}, made by {made}: "
            'say which with "origin", the code of the body that made it'
        )
        raise AmbiguousRef(msg, field="origin")
    if here:
        return here[0], None
    if not items:
        msg = f"{body} has no recommendation or action with the reference {ref}"
        raise RecommendationNotFound(msg, field="ref")
    return items[0], _gone(items[0], body, holder)


def _gone(item: Recommendation, body: str, holder: Callable[[str, str], Body]) -> ItemTransferred | None:
    """Where an item that is not with ``body`` went; None for a command naming the body that made an item
    transferred before the bodies recorded what they took over (``Body.ItemTakenOver``), named by it as then."""
    history = item.history
    if body == history.made_by and history.made_by not in holder(history.body, "body").holding(history.ref):
        return None
    return gone(item, body)


def gone(item: Recommendation, body: str) -> ItemTransferred:
    """Where an item that is not with ``body`` went, for a command that named ``body``."""
    history = item.history
    now = history.body
    left = next((t for t in reversed(history.transfers) if t.from_body == body), None)
    undone = next((t for t in reversed(history.retracted_transfers) if t.to_body == body), None)
    if left is None and undone is not None:
        msg = (
            f"the transfer of {history.ref} to {body} was retracted, so {body} does not hold it: it is with {now}; "
            f"send it to {now}"
        )
    elif left is None:
        msg = f"{history.ref} made by {history.made_by} is with {now}, not {body}; send it to {now}"
    else:
        then = "" if left.to_body == now else f", and is now with {now}"
        msg = f"{history.ref} was transferred to {left.to_body} on {long_date(left.on)}{then}; send it to {now}"
    return ItemTransferred(msg, field="body")


def taken_over(body: Body, ref: str, load: Load) -> UUID | None:
    """For a read naming the body an item is with: the item with ``ref`` that ``body`` took over and holds now (None:
    none; two: ``AmbiguousRef``, the body that made the one meant names it)."""
    items = [found for maker in body.holding(ref) if (found := load(recommendation_id(maker, ref))) is not None]
    here = [item for item in items if item.history.body == body.code]
    if len(here) > 1:
        made = " and ".join(item.history.made_by for item in here)
        msg = (
            f"{body.code} holds {len(here)} items with the reference {ref}, made by {made}: name the body that made it"
        )
        raise AmbiguousRef(msg, field="body")
    return here[0].id if here else None
