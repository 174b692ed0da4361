"""The baselines the benchmarks' figures are set against: eventsourcing as it comes, and the least work a figure's
own work contains (the same events inserted as they are, the log read and decoded)."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import event_store_env
from scrutiny_es.adapters.sql.runner import ProjectionRunner
from scrutiny_es.application.collector import collector_paused


class BareItem(Aggregate):
    """The baseline's aggregate: the same get-append-save work, no rules, no projections."""

    @event("Made")
    def __init__(self, body: str, ref: str, state: dict[str, Any]) -> None:
        self.state = state

    @event("Changed")
    def change(self, state: dict[str, Any]) -> None:
        self.state = state


class BareApplication(Application[Any]):
    """eventsourcing as it comes, on the same database."""


def eventsourcing_alone(url: str) -> BareApplication:
    """eventsourcing's own application on its own store (its native module), on the database at ``url``."""
    native = "eventsourcing.sqlite" if url.startswith("sqlite") else "eventsourcing.postgres"
    return BareApplication(env=event_store_env(url) | {"PERSISTENCE_MODULE": native})


def bare_loop(url: str, stream: list[dict[str, Any]]) -> None:
    app = eventsourcing_alone(url)
    ids: dict[tuple[str, str], Any] = {}
    with collector_paused():  # as execute does: the ratio then compares the work, not the collector
        _bare_commands(app, ids, stream)
    app.close()


def _bare_commands(app: BareApplication, ids: dict[tuple[str, str], Any], stream: list[dict[str, Any]]) -> None:
    for command in stream:
        key = (command["body"], command.get("ref", ""))
        state = {k: v for k, v in command.items() if k not in ("actor",)}
        if key not in ids:
            item = BareItem(key[0], key[1], state)
            ids[key] = item.id
        else:
            try:
                item = app.repository.get(ids[key])
            except AggregateNotFoundError:
                continue
            item.change(state)
        app.save(item)


def raw_inserts(url: str, stream_events: list[Any]) -> None:
    """The floor for bulk apply: the same stored events, inserted as they are."""
    app = Scrutiny(url, catch_up=False)
    _insert(app._store.recorder, _stored(app, stream_events))
    app.close()


def read_and_decode(url: str) -> int:
    """The floor for a rebuild: the log read and decoded as a rebuild reads it (collector paused too), nothing else."""
    app = Scrutiny(url, catch_up=False)
    position = count = 0
    with collector_paused():
        while events := app._read_models.log.read(position, ProjectionRunner.BATCH):
            position, count = events[-1][0], count + len(events)
    app.close()
    return count


def eventsourcing_inserts(url: str, stream_events: list[Any]) -> None:
    """The same stored events inserted by eventsourcing's own recorder, as it comes: what bulk apply costs against
    eventsourcing alone, whatever this library's recorder adds or saves."""
    app = Scrutiny(url, catch_up=False)  # its mapper, for the same stored events
    stored = _stored(app, stream_events)
    app.close()
    bare = eventsourcing_alone(url)
    _insert(bare.recorder, stored)
    bare.close()


def _stored(app: Scrutiny, events: list[Any]) -> list[Any]:
    return [app._store.mapper.to_stored_event(e) for e in events]


def _insert(recorder: Any, stored: list[Any]) -> None:
    """In batches of a thousand, as bulk apply appends them."""
    for start in range(0, len(stored), 1000):
        recorder.insert_events(stored[start : start + 1000])
