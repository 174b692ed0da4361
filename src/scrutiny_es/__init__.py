"""An honest, replayable record of a scrutiny board's recommendations and actions.

The names below are what a host application may use; nothing else is promised (docs/api.md
describes each). They are loaded when first used, so that ``scrutiny-es --help`` does not
wait for the database libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrutiny_es.adapters.database import UnsupportedDatabase
    from scrutiny_es.adapters.importers.errors import CannotImport
    from scrutiny_es.adapters.jsonlines import parse_command
    from scrutiny_es.adapters.sql.runner import RebuildUnderWay
    from scrutiny_es.adapters.store.eventstore import LogDamaged
    from scrutiny_es.adapters.store.mapper import EventTooNew
    from scrutiny_es.application.ports import Mailer, ProjectionStatus
    from scrutiny_es.application.service import BatchRejected, ProjectionsBehind, Receipt
    from scrutiny_es.bootstrap import Scrutiny
    from scrutiny_es.domain.commands import (
        Actor,
        Addressee,
        AnyCommand,
        CancelMeeting,
        Close,
        Command,
        Correct,
        Defer,
        Escalate,
        ExtendResponseDeadline,
        ItemCommand,
        MakeRecommendation,
        ProposeClosure,
        Reaffirm,
        RecordReminder,
        RecordResponse,
        Refer,
        RegisterBody,
        Reopen,
        ReportProgress,
        Retract,
        ReviseTargetDate,
        ScheduleMeeting,
    )
    from scrutiny_es.domain.errors import (
        AlreadyReferred,
        AlreadyReminded,
        AlreadyResponded,
        BodyAlreadyRegistered,
        BodyNotFound,
        CannotCorrect,
        CannotExtend,
        CommandIdReused,
        ConcurrentChange,
        DateOutOfOrder,
        DuplicateRecommendation,
        InvalidCommand,
        InvalidQuery,
        ItemClosed,
        ItemNotClosed,
        MeetingAlreadyScheduled,
        MeetingNotScheduled,
        NotAnAddressee,
        RecommendationNotFound,
        ScrutinyError,
    )
    from scrutiny_es.domain.policy import NotPermitted, Policy, Role
    from scrutiny_es.projections.impact import ImpactRow
    from scrutiny_es.projections.reminders import DueSoon, Reminder
    from scrutiny_es.projections.rows import AuditRow, BodyRow, FactRow, OverdueRow, TrackerRow, json_values
    from scrutiny_es.projections.seal import Verification

_COMMANDS = (
    "Actor Addressee AnyCommand CancelMeeting Close Command Correct Defer Escalate ExtendResponseDeadline ItemCommand "
    "MakeRecommendation ProposeClosure Reaffirm RecordReminder RecordResponse Refer RegisterBody Reopen ReportProgress "
    "Retract ReviseTargetDate ScheduleMeeting"
)
_ERRORS = (
    "AlreadyReferred AlreadyReminded AlreadyResponded BodyAlreadyRegistered BodyNotFound CannotCorrect CannotExtend "
    "CommandIdReused ConcurrentChange DateOutOfOrder DuplicateRecommendation InvalidCommand InvalidQuery ItemClosed "
    "ItemNotClosed MeetingAlreadyScheduled MeetingNotScheduled NotAnAddressee RecommendationNotFound ScrutinyError"
)
_WHERE = {
    "Scrutiny": "scrutiny_es.bootstrap",
    **dict.fromkeys(["BatchRejected", "ProjectionsBehind", "Receipt"], "scrutiny_es.application.service"),
    **dict.fromkeys(["Mailer", "ProjectionStatus"], "scrutiny_es.application.ports"),
    "ImpactRow": "scrutiny_es.projections.impact",
    **dict.fromkeys(["DueSoon", "Reminder"], "scrutiny_es.projections.reminders"),
    **dict.fromkeys(_COMMANDS.split(), "scrutiny_es.domain.commands"),
    **dict.fromkeys(_ERRORS.split(), "scrutiny_es.domain.errors"),
    **dict.fromkeys(["NotPermitted", "Policy", "Role"], "scrutiny_es.domain.policy"),
    "UnsupportedDatabase": "scrutiny_es.adapters.database",
    "CannotImport": "scrutiny_es.adapters.importers.errors",
    "parse_command": "scrutiny_es.adapters.jsonlines",
    "RebuildUnderWay": "scrutiny_es.adapters.sql.runner",
    "LogDamaged": "scrutiny_es.adapters.store.eventstore",
    "EventTooNew": "scrutiny_es.adapters.store.mapper",
    **dict.fromkeys(
        ["AuditRow", "BodyRow", "FactRow", "OverdueRow", "TrackerRow", "json_values"], "scrutiny_es.projections.rows"
    ),
    "Verification": "scrutiny_es.projections.seal",
}

__all__ = [
    "Actor",
    "Addressee",
    "AlreadyReferred",
    "AlreadyReminded",
    "AlreadyResponded",
    "AnyCommand",
    "AuditRow",
    "BatchRejected",
    "BodyAlreadyRegistered",
    "BodyNotFound",
    "BodyRow",
    "CancelMeeting",
    "CannotCorrect",
    "CannotExtend",
    "CannotImport",
    "Close",
    "Command",
    "CommandIdReused",
    "ConcurrentChange",
    "Correct",
    "DateOutOfOrder",
    "Defer",
    "DueSoon",
    "DuplicateRecommendation",
    "Escalate",
    "EventTooNew",
    "ExtendResponseDeadline",
    "FactRow",
    "ImpactRow",
    "InvalidCommand",
    "InvalidQuery",
    "ItemClosed",
    "ItemCommand",
    "ItemNotClosed",
    "LogDamaged",
    "Mailer",
    "MakeRecommendation",
    "MeetingAlreadyScheduled",
    "MeetingNotScheduled",
    "NotAnAddressee",
    "NotPermitted",
    "OverdueRow",
    "Policy",
    "ProjectionStatus",
    "ProjectionsBehind",
    "ProposeClosure",
    "Reaffirm",
    "RebuildUnderWay",
    "Receipt",
    "RecommendationNotFound",
    "RecordReminder",
    "RecordResponse",
    "Refer",
    "RegisterBody",
    "Reminder",
    "Reopen",
    "ReportProgress",
    "Retract",
    "ReviseTargetDate",
    "Role",
    "ScheduleMeeting",
    "Scrutiny",
    "ScrutinyError",
    "TrackerRow",
    "UnsupportedDatabase",
    "Verification",
    "json_values",
    "parse_command",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'scrutiny_es' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
