"""Shared fixtures: a fixed clock, a fresh database, and commands written as a clerk would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scrutiny_es import Scrutiny

CLERK = {"id": "u1", "name": "Jo Clerk", "role": "scrutiny officer"}


class FixedClock:
    """A clock that says what the test tells it to."""

    def __init__(self, now: datetime = datetime(2024, 3, 20, 9, 30, tzinfo=UTC)) -> None:
        self.time = now

    def now(self) -> datetime:
        return self.time


def command(command: str, body: str = "BCSB", **fields: Any) -> dict[str, Any]:
    """A command in its JSON form, recorded by the test clerk."""
    return {"command": command, "actor": CLERK, "body": body, **fields}


def register(body: str = "BCSB", **fields: Any) -> dict[str, Any]:
    return command(
        "register_body", body, **({"name": "Budget and Corporate Scrutiny Board", "council": "Sandwell"} | fields)
    )


def make(ref: str = "R1", body: str = "BCSB", **fields: Any) -> dict[str, Any]:
    defaults = {
        "ref": ref,
        "kind": "recommendation",
        "meeting_date": "2024-02-15",
        "item": "Fishing Policy",
        "text": "That the Cabinet adopts a fishing policy for council lakes.",
        "addressees": [{"name": "Cabinet", "kind": "executive"}, {"name": "Director of Housing", "kind": "officer"}],
    }
    return command("make_recommendation", body, **(defaults | fields))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'scrutiny.db'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def app(db_url: str, clock: FixedClock) -> Iterator[Scrutiny]:
    app = Scrutiny(db_url, clock=clock)
    yield app
    app.close()
