"""An honest, replayable record of a scrutiny board's recommendations and actions.

The names below are what a host application may use; nothing else is promised. They are
loaded when first used, so that ``scrutiny-es --help`` does not wait for the database
libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrutiny_es.application import Receipt
    from scrutiny_es.bootstrap import Scrutiny
    from scrutiny_es.domain.errors import ScrutinyError
    from scrutiny_es.projections.rows import AuditRow, OverdueRow, TrackerRow

_WHERE = {
    "AuditRow": "scrutiny_es.projections.rows",
    "OverdueRow": "scrutiny_es.projections.rows",
    "Receipt": "scrutiny_es.application",
    "Scrutiny": "scrutiny_es.bootstrap",
    "ScrutinyError": "scrutiny_es.domain.errors",
    "TrackerRow": "scrutiny_es.projections.rows",
}

__all__ = ["AuditRow", "OverdueRow", "Receipt", "Scrutiny", "ScrutinyError", "TrackerRow"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'scrutiny_es' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
