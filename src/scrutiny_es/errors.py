"""Every error a user can cause, under one name: ``scrutiny_es.errors.X``.

Each is a ``ScrutinyError``, whose message is for the user and whose ``field`` names the
command's field that broke the rule. They are defined beside the rule they guard and
loaded from there when first named, so that naming one does not load the database
libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

_DOMAIN = (
    "AlreadyReferred AlreadyReminded AlreadyResponded AmbiguousRef BodyAlreadyRegistered BodyDissolved BodyNotFound "
    "BodyUnchanged CannotChangeAddressees CannotCorrect CannotExtend CannotTransfer "
    "CommandIdReused ConcurrentChange DateOutOfOrder DuplicateRecommendation EventTooNew InvalidCommand InvalidQuery "
    "ItemClosed ItemNotClosed ItemTransferred LaterTransfer MeetingAlreadyScheduled MeetingNotScheduled NotAnAddressee "
    "RecommendationNotFound ScrutinyError"
)
WHERE = {
    **dict.fromkeys(_DOMAIN.split(), "scrutiny_es.domain.errors"),
    "NotPermitted": "scrutiny_es.domain.policy",
    "BatchRejected": "scrutiny_es.application.recording",
    "ClockNotTrusted": "scrutiny_es.application.times",
    "ProjectionsBehind": "scrutiny_es.application.upkeep",
    "SealBroken": "scrutiny_es.application.upkeep",
    "SealDamaged": "scrutiny_es.projections.seal",
    "UnsupportedDatabase": "scrutiny_es.adapters.database",
    "ExtraNotInstalled": "scrutiny_es.adapters.extras",
    "CannotImport": "scrutiny_es.adapters.importers.errors",
    "MailNotSent": "scrutiny_es.adapters.mail",
    "RebuildUnderWay": "scrutiny_es.adapters.sql.runner",
    "StandbyBehind": "scrutiny_es.adapters.sql.standby",
    "LogDamaged": "scrutiny_es.adapters.store.eventstore",
    "DatabaseUnavailable": "scrutiny_es.adapters.store.reconnect",
    "EventUnreadable": "scrutiny_es.adapters.store.mapper",
    "CannotMigrate": "scrutiny_es.adapters.store.migrate",
}
"""Where each error is defined."""

__all__ = sorted(WHERE)


def __getattr__(name: str) -> Any:
    module = WHERE.get(name)
    if module is None:
        msg = f"module 'scrutiny_es.errors' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
