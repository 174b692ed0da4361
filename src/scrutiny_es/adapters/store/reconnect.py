"""A connection to PostgreSQL lost (a restart, a failover, a killed backend) is made again, not handed on.

The event store and the read models are reached through ``Reconnecting``: a call that fails because the
connection went away is tried again on a new one, for up to ``PATIENCE`` seconds, then raised as
``DatabaseUnavailable``, a ``ScrutinyError`` that names what happened; a driver's own error never reaches
a caller. Trying again is safe: every call is one transaction, and an append whose commit was in fact
done before the connection went is found a conflict, so the command is read again and found recorded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from time import monotonic, sleep
from typing import Any, TypeVar, cast

from scrutiny_es.domain.errors import ScrutinyError

PATIENCE = 60.0
"""Seconds a call waits for the database to come back (a PostgreSQL restart takes a few)."""

T = TypeVar("T")

_LOST_STATES = {"57P01", "57P02", "57P03"}
"""Administrator shutdown, crash shutdown, cannot connect now (besides class 08, connection exceptions)."""


class DatabaseUnavailable(ScrutinyError):
    """The connection to the database was lost and could not be made again in time."""


def lost_connection(error: BaseException) -> BaseException | None:
    """The driver's error in ``error``'s chain if it says the connection went away, else None."""
    import psycopg  # only PostgreSQL connections are lost: SQLite's file is never away

    found: BaseException | None = error
    seen = 0
    while found is not None and seen < 20:
        if isinstance(found, psycopg.OperationalError | psycopg.InterfaceError):
            state = found.sqlstate
            if state is None or state.startswith("08") or state in _LOST_STATES:
                return found
            return None
        if getattr(found, "connection_invalidated", False):
            return found
        found = getattr(found, "orig", None) or found.__cause__ or found.__context__
        seen += 1
    return None


def retrying(call: Callable[..., Any], patience: float = PATIENCE) -> Callable[..., Any]:
    """``call``, tried again while it fails for a lost connection, for up to ``patience`` seconds."""

    @functools.wraps(call)
    def again(*args: Any, **kwargs: Any) -> Any:
        until = monotonic() + patience
        pause = 0.05
        while True:
            try:
                return call(*args, **kwargs)
            except ScrutinyError:
                raise
            except Exception as e:
                lost = lost_connection(e)
                if lost is None:
                    raise
                if monotonic() + pause > until:
                    words = " ".join(str(lost).split())[:300]
                    msg = (
                        f"the connection to the database was lost and could not be made again in {patience:.0f} s "
                        f"({words}): is the server running?"
                    )
                    raise DatabaseUnavailable(msg) from None
                sleep(pause)
                pause = min(pause * 2, 2.0)

    return again


class Reconnecting:
    """Another object's methods, each tried again on a new connection when its connection is lost."""

    def __init__(self, inner: Any, patience: float = PATIENCE) -> None:
        self._inner = inner
        self._patience = patience

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if callable(found) and not name.startswith("__"):
            return retrying(found, self._patience)
        return found


def reconnecting(inner: T, patience: float = PATIENCE) -> T:
    """``inner``, each of whose methods is tried again on a new connection when its connection is lost."""
    return cast(T, Reconnecting(inner, patience))
