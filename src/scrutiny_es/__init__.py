"""An honest, replayable record of a scrutiny board's recommendations and actions.

The names below are what a host application may use; nothing else is promised (docs/api.md
describes each). They are loaded when first used, so that ``scrutiny-es --help`` does not
wait for the database libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from scrutiny_es.errors import WHERE as ERRORS

if TYPE_CHECKING:
    from scrutiny_es.adapters.jsonlines import parse_command
    from scrutiny_es.adapters.mail import SmtpMailer
    from scrutiny_es.application import Receipt
    from scrutiny_es.application.ports import Mailer, ProjectionStatus
    from scrutiny_es.bootstrap import Scrutiny
    from scrutiny_es.domain.commands import (
        AddAddressee,
        AnyCommand,
        CancelMeeting,
        Close,
        Command,
        Correct,
        Defer,
        DissolveBody,
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
        RemoveAddressee,
        RenameBody,
        Reopen,
        ReplaceAddressee,
        ReportProgress,
        Retract,
        ReviseTargetDate,
        ScheduleMeeting,
        Transfer,
    )
    from scrutiny_es.domain.fields import Actor, Addressee
    from scrutiny_es.domain.policy import Policy, Role
    from scrutiny_es.errors import (
        AlreadyReferred,
        AlreadyReminded,
        AlreadyResponded,
        AmbiguousRef,
        BatchRejected,
        BodyAlreadyRegistered,
        BodyDissolved,
        BodyNotFound,
        BodyUnchanged,
        CannotChangeAddressees,
        CannotCorrect,
        CannotExtend,
        CannotImport,
        CannotMigrate,
        CannotTransfer,
        ClockNotTrusted,
        CommandIdReused,
        ConcurrentChange,
        DatabaseUnavailable,
        DateOutOfOrder,
        DuplicateRecommendation,
        EventTooNew,
        EventUnreadable,
        ExtraNotInstalled,
        InvalidCommand,
        InvalidQuery,
        ItemClosed,
        ItemNotClosed,
        ItemTransferred,
        LaterTransfer,
        LogDamaged,
        MailNotSent,
        MeetingAlreadyScheduled,
        MeetingNotScheduled,
        NotAnAddressee,
        NotPermitted,
        ProjectionsBehind,
        RebuildUnderWay,
        RecommendationNotFound,
        ScrutinyError,
        SealBroken,
        SealDamaged,
        StandbyBehind,
        UnsupportedDatabase,
    )
    from scrutiny_es.projections.impact import ImpactRow
    from scrutiny_es.projections.reminders import DueSoon, Reminder
    from scrutiny_es.projections.rows import (
        AuditRow,
        BodyNames,
        BodyRow,
        FactRow,
        OverdueRow,
        TrackerRow,
        json_values,
    )
    from scrutiny_es.projections.seal import Verification
    from scrutiny_es.projections.views import (
        AddresseeChangeView,
        DecisionView,
        ItemView,
        ProgressView,
        ReferralView,
        ResponseView,
    )

_COMMANDS = (
    "AnyCommand CancelMeeting Close Command Correct Defer Escalate ExtendResponseDeadline ItemCommand "
    "MakeRecommendation ProposeClosure Reaffirm RecordReminder RecordResponse Refer RegisterBody Reopen ReportProgress "
    "Retract ReviseTargetDate ScheduleMeeting RenameBody DissolveBody Transfer AddAddressee RemoveAddressee "
    "ReplaceAddressee"
)
_WHERE = {
    "Scrutiny": "scrutiny_es.bootstrap",
    "Receipt": "scrutiny_es.application",
    "parse_command": "scrutiny_es.adapters.jsonlines",
    "SmtpMailer": "scrutiny_es.adapters.mail",
    **dict.fromkeys(["Mailer", "ProjectionStatus"], "scrutiny_es.application.ports"),
    "ImpactRow": "scrutiny_es.projections.impact",
    **dict.fromkeys(["DueSoon", "Reminder"], "scrutiny_es.projections.reminders"),
    **dict.fromkeys(_COMMANDS.split(), "scrutiny_es.domain.commands"),
    **dict.fromkeys(["Actor", "Addressee"], "scrutiny_es.domain.fields"),
    **dict.fromkeys(ERRORS, "scrutiny_es.errors"),
    **dict.fromkeys(["Policy", "Role"], "scrutiny_es.domain.policy"),
    **dict.fromkeys(
        ["AddresseeChangeView", "DecisionView", "ItemView", "ProgressView", "ReferralView", "ResponseView"],
        "scrutiny_es.projections.views",
    ),
    **dict.fromkeys(
        ["AuditRow", "BodyNames", "BodyRow", "FactRow", "OverdueRow", "TrackerRow", "json_values"],
        "scrutiny_es.projections.rows",
    ),
    "Verification": "scrutiny_es.projections.seal",
}

__all__ = [
    "Actor",
    "AddAddressee",
    "Addressee",
    "AddresseeChangeView",
    "AlreadyReferred",
    "AlreadyReminded",
    "AlreadyResponded",
    "AmbiguousRef",
    "AnyCommand",
    "AuditRow",
    "BatchRejected",
    "BodyAlreadyRegistered",
    "BodyDissolved",
    "BodyNames",
    "BodyNotFound",
    "BodyRow",
    "BodyUnchanged",
    "CancelMeeting",
    "CannotChangeAddressees",
    "CannotCorrect",
    "CannotExtend",
    "CannotImport",
    "CannotMigrate",
    "CannotTransfer",
    "ClockNotTrusted",
    "Close",
    "Command",
    "CommandIdReused",
    "ConcurrentChange",
    "Correct",
    "DatabaseUnavailable",
    "DateOutOfOrder",
    "DecisionView",
    "Defer",
    "DissolveBody",
    "DueSoon",
    "DuplicateRecommendation",
    "Escalate",
    "EventTooNew",
    "EventUnreadable",
    "ExtendResponseDeadline",
    "ExtraNotInstalled",
    "FactRow",
    "ImpactRow",
    "InvalidCommand",
    "InvalidQuery",
    "ItemClosed",
    "ItemCommand",
    "ItemNotClosed",
    "ItemTransferred",
    "ItemView",
    "LaterTransfer",
    "LogDamaged",
    "MailNotSent",
    "Mailer",
    "MakeRecommendation",
    "MeetingAlreadyScheduled",
    "MeetingNotScheduled",
    "NotAnAddressee",
    "NotPermitted",
    "OverdueRow",
    "Policy",
    "ProgressView",
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
    "ReferralView",
    "RegisterBody",
    "Reminder",
    "RemoveAddressee",
    "RenameBody",
    "Reopen",
    "ReplaceAddressee",
    "ReportProgress",
    "ResponseView",
    "Retract",
    "ReviseTargetDate",
    "Role",
    "ScheduleMeeting",
    "Scrutiny",
    "ScrutinyError",
    "SealBroken",
    "SealDamaged",
    "SmtpMailer",
    "StandbyBehind",
    "TrackerRow",
    "Transfer",
    "UnsupportedDatabase",
    "Verification",
    "__version__",
    "json_values",
    "parse_command",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        value = globals()[name] = version("scrutiny-es")
        return value
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'scrutiny_es' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
