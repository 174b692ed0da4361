"""Whatever a host does to what a read returned, the next command records what a fresh process would."""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import scrutiny_es
from scrutiny_es import Scrutiny, ScrutinyError
from scrutiny_es import errors as public_errors
from scrutiny_es.domain import errors as domain_errors
from tests.conftest import FixedClock, command, make, register

AT = datetime(2024, 3, 14, 10, 0, tzinfo=UTC)


def vandalise(value: Any, depth: int = 0) -> None:
    """Changes everything in ``value`` that can be changed, as a careless host might."""
    if depth > 4:
        return
    if isinstance(value, dict):
        for key in list(value):
            vandalise(value[key], depth + 1)
            value[key] = None
        value.clear()
    elif isinstance(value, list):
        for part in value:
            vandalise(part, depth + 1)
        value.clear()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            part = getattr(value, field.name)
            vandalise(part, depth + 1)
            with contextlib.suppress(AttributeError, TypeError):
                object.__setattr__(value, field.name, None)
    elif isinstance(value, tuple):
        for part in value:
            vandalise(part, depth + 1)


def every_read(app: Scrutiny) -> Iterator[Any]:
    """What each public read returns, for the same record."""
    yield app.body("BCSB")
    yield app.bodies()
    yield app.recommendation("BCSB", "R1")
    yield app.tracker()
    yield app.tracker(as_of=date(2024, 3, 1))
    yield app.tracker(as_known_at=AT)
    yield app.overdue(as_of=date(2024, 6, 1))
    yield app.audit()
    yield app.item("BCSB", "R1")
    yield app.meeting_pack("BCSB", date(2024, 3, 14))
    yield app.impact()
    yield app.reminders(on=date(2024, 3, 14))
    yield app.projection_status()


def recorded_deadlines(app: Scrutiny, ref: str) -> dict[str, Any]:
    return {name: r.response_due for name, r in app.recommendation("BCSB", ref).referrals.items()}


def test_changing_what_any_read_returned_changes_nothing_recorded_next(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    app = Scrutiny(url, clock=FixedClock(AT))
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    for value in every_read(app):
        vandalise(value)
    app.body("BCSB").deadlines["executive"] = None  # type: ignore[index]
    app.execute(command("refer", ref="R2", addressee="Cabinet", received_on="2024-02-20"))
    fresh = Scrutiny(url, clock=FixedClock(AT))
    fresh_deadline = recorded_deadlines(fresh, "R2")
    assert fresh_deadline == {"Cabinet": date(2024, 4, 19)}  # two months, beginning with the day of receipt
    assert recorded_deadlines(app, "R2") == fresh_deadline
    assert app.tracker() == fresh.tracker()
    assert app.audit() == fresh.audit()


def test_no_public_read_returns_an_eventsourcing_object(tmp_path: Path) -> None:
    app = Scrutiny(f"sqlite:///{tmp_path / 'record.db'}", clock=FixedClock(AT))
    app.execute(register())
    app.execute(make("R1"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))

    def modules(value: Any, depth: int = 0) -> set[str]:
        found = {type(value).__module__}
        if depth > 4:
            return found
        parts: list[Any] = []
        if isinstance(value, dict):
            parts = [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set | frozenset):
            parts = list(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            parts = [getattr(value, f.name) for f in dataclasses.fields(value)]
        elif hasattr(value, "items") and callable(value.items):  # a read-only mapping
            parts = [*value.keys(), *value.values()]
        for part in parts:
            found |= modules(part, depth + 1)
        return found

    for value in every_read(app):
        assert not [m for m in modules(value) if m.startswith(("eventsourcing", "scrutiny_es.domain.model"))]
    view = app.recommendation("BCSB", "R1")
    for name in ("refer", "close", "trigger_event", "collect_events"):
        assert not hasattr(view, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.text = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        view.referrals["Cabinet"] = None  # type: ignore[index]
    assert view.referrals["Cabinet"].response_due == date(2024, 4, 19)


def test_the_record_s_parts_are_not_public_attributes(tmp_path: Path) -> None:
    app = Scrutiny(f"sqlite:///{tmp_path / 'record.db'}", clock=FixedClock(AT))
    for name in ("store", "read_models", "clock", "policy", "catch_up_on_query", "host_transaction"):
        assert not hasattr(app, name), name


def test_every_public_error_is_named_in_one_module_and_is_a_scrutiny_error() -> None:
    assert scrutiny_es.__version__ == "0.1.0"
    for name in public_errors.__all__:
        error = getattr(public_errors, name)
        assert issubclass(error, ScrutinyError)
        assert error.__module__ == "scrutiny_es.errors"
        assert getattr(scrutiny_es, name) is error
        assert str(error) == f"<class 'scrutiny_es.errors.{name}'>"
    for name, value in vars(domain_errors).items():
        if isinstance(value, type) and issubclass(value, ScrutinyError):
            assert getattr(public_errors, name) is value
    raised = pickle.loads(pickle.dumps(public_errors.MailNotSent("no mail")))  # noqa: S301  (our own bytes)
    assert type(raised) is public_errors.MailNotSent
    assert str(raised) == "no mail"
    with pytest.raises(AttributeError):
        _ = public_errors.NotAnError
