"""The parts a ``Scrutiny`` is wired from, for the tests that test a part itself (the event store, the read
models). Every other test uses only the public API; this is the one place that reaches inside."""

from __future__ import annotations

from typing import Any

from scrutiny_es.application import ScrutinyService


def store_of(app: ScrutinyService) -> Any:
    """The record's event store (``adapters/store/eventstore.py``)."""
    return app._store


def read_models_of(app: ScrutinyService) -> Any:
    """The record's read models (``adapters/sql`` or ``adapters/memory``)."""
    return app._read_models
