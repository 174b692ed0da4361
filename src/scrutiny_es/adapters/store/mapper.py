"""Events as stored: JSON written and read by pydantic, field by field as each event class declares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import TopicError, get_topic, resolve_topic

from scrutiny_es.adapters.store import microseconds
from scrutiny_es.domain.errors import EventTooNew, ScrutinyError

if TYPE_CHECKING:  # pydantic is loaded by the first event read or written: a live report needs neither
    from pydantic import TypeAdapter


class EventUnreadable(ScrutinyError):
    """A stored event is not as the library writes events (its JSON, its type, its topic): changed after it was
    recorded, it is refused rather than read."""


class EventMapper(Mapper[UUID]):
    """Stores each event as JSON written and read by pydantic, field by field as its class declares.

    An event's state is its fields but its identity and version, which the store keeps in
    columns of their own. Reading validates every field again, so a stored event that
    no longer fits its class fails loudly instead of passing on a wrong value. Events of a
    class with ``class_version`` above 1 carry it, and older ones are upcast with the
    class's ``upcast_vN_vN+1`` methods, as eventsourcing does. Test clocks (freezegun)
    hand out subclasses of ``datetime``; they are written as the real thing.
    """

    def __init__(self) -> None:
        super().__init__(transcoder=_NO_TRANSCODER)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        codec = _codec(type(domain_event))
        state = codec.adapter.serializer.to_json(domain_event, exclude=_IDENTITY)
        if codec.current is not None:
            state = codec.current + state[1:]
        # By position: passing a frozen dataclass its fields by name costs half as much again.
        return StoredEvent(domain_event.originator_id, domain_event.originator_version, codec.topic, state)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode(
            stored_event.originator_id, stored_event.originator_version, stored_event.topic, stored_event.state
        )

    def recorded_at(self, state: bytes | str) -> int | None:
        """When a stored event was recorded, in microseconds since 1970 began (UTC), read from its JSON without
        decoding the rest (the event's ``timestamp`` leads it); None if it has none. Only databases written
        before the store kept the time beside each event need it (see ``commands.fill``)."""
        if isinstance(state, str):  # edited with SQLite's text functions, it became TEXT: the seal tells it changed
            state = state.encode(errors="surrogatepass")
        start = state.find(_TIMESTAMP)
        if start < 0:
            return None
        start += len(_TIMESTAMP)
        try:
            return microseconds(datetime.fromisoformat(state[start : state.index(b'"', start)].decode()))
        except ValueError:
            return None

    def decode(self, originator_id: UUID | str, originator_version: int, topic: str, state: bytes) -> Any:
        """The domain event stored with these columns (the log is read straight from them)."""
        try:
            codec = _BY_TOPIC.get(topic)
            if codec is None:
                codec = _BY_TOPIC[topic] = _codec(resolve_topic(topic))
            if codec.version > 1 or state.startswith(b'{"class_version"'):
                if codec.current is None or not state.startswith(codec.current):
                    return _upcast(codec, originator_id, originator_version, state)
                state = b"{" + state[len(codec.current) :]  # written by this version: read as it is, in one pass
            key = str(originator_id).encode()
            identity = b'{"originator_id":"%s","originator_version":%d,' % (key, originator_version)
            return codec.adapter.validator.validate_json(identity + state[1:])
        except (ValueError, TypeError, AttributeError, LookupError, TopicError) as e:  # ValidationError: a ValueError
            if isinstance(e, TopicError) and topic.startswith("scrutiny_es."):  # a kind of event added since
                name = topic.rpartition(":")[2]
                msg = (
                    f"a stored {name} event (of {originator_id}, version {originator_version}) is of a kind this code "
                    "does not know: upgrade scrutiny_es to read it"
                )
                raise EventTooNew(msg, f"{name}, a kind of event this code does not know") from None
            what = type(e).__name__
            from pydantic import ValidationError

            if isinstance(e, ValidationError):
                what = "its " + ", ".join(sorted({".".join(map(str, error["loc"])) for error in e.errors()}))
            msg = (
                f"a stored event (of {originator_id}, version {originator_version}) is not as this library wrote it, "
                f"so it cannot be read ({what}): was it changed? scrutiny-es verify names its position"
            )
            raise EventUnreadable(msg) from None


_TIMESTAMP = b'"timestamp":"'

_IDENTITY = {"originator_id", "originator_version"}

_BY_TOPIC: dict[str, _Codec] = {}
"""The codecs by topic, for reading (``_codec`` finds them by class, for writing)."""


class _NoTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError


_NO_TRANSCODER = _NoTranscoder()


@dataclass(frozen=True)
class _Codec:
    """What writing and reading one event class takes, worked out once.

    The adapter's core serializer and validator are called directly: the adapter's own
    methods cost as much again per event as the work itself.
    """

    cls: type
    topic: str
    version: int
    adapter: TypeAdapter[Any]
    current: bytes | None
    """How the JSON of an event of this class's version opens (None for version 1, which does not say it)."""


_CODECS: dict[int, _Codec] = {}


def _codec(cls: type) -> _Codec:
    # Keyed by id: hashing an event class goes through eventsourcing's metaclass, which is slow.
    codec = _CODECS.get(id(cls))
    if codec is None:
        from pydantic import TypeAdapter

        version = getattr(cls, "class_version", 1)
        current = b'{"class_version":%d,' % version if version > 1 else None
        codec = _CODECS[id(cls)] = _Codec(cls, get_topic(cls), version, TypeAdapter(cls), current)
    return codec


def _upcast(codec: _Codec, originator_id: UUID | str, originator_version: int, stored: bytes) -> Any:
    from pydantic_core import from_json

    state = from_json(stored)
    version = state.pop("class_version", 1)
    if version > codec.version:
        name = codec.topic.rpartition(":")[2]
        msg = (
            f"a stored {name} event (of {originator_id}, version {originator_version}) is of class version "
            f"{version}, but this code knows version {codec.version} of it: upgrade scrutiny_es to read it"
        )
        raise EventTooNew(msg, f"{name} of class version {version}, where this code knows up to {codec.version}")
    while version < codec.version:
        getattr(codec.cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    state.update(originator_id=originator_id, originator_version=originator_version)
    return codec.adapter.validator.validate_python(state)
