"""The identities of bodies and items, derived from their natural keys.

A body's id is ``uuid5`` of its code, an item's of its body's code and its ref, so the
event store itself refuses a second body with the same code or a second item with the same
ref. Every stored event carries these ids: the namespace and the names never change.
"""

from __future__ import annotations

from functools import cache, lru_cache
from uuid import NAMESPACE_URL, UUID
from uuid import uuid5 as standard_uuid5

from scrutiny_es.domain.fastpath import uuid5

NAMESPACE = standard_uuid5(NAMESPACE_URL, "https://scrutiny-es.uk/ids")
"""The namespace of every id the record derives."""


@cache
def body_id(code: str) -> UUID:
    """The identity of a body: derived from its code, so a code is registered once."""
    return uuid5(NAMESPACE, f"body:{code}")


@lru_cache(maxsize=100_000)
def recommendation_id(body: str, ref: str) -> UUID:
    """The identity of an item: derived from body code and ref, so a ref is used once."""
    return uuid5(NAMESPACE, f"recommendation:{len(body)}:{body}:{ref}")  # the length keeps body and ref apart
