"""An honest, replayable record of a scrutiny board's recommendations and actions."""

from scrutiny_es.application import Receipt, Scrutiny
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.rows import AuditRow, OverdueRow, TrackerRow

__all__ = ["AuditRow", "OverdueRow", "Receipt", "Scrutiny", "ScrutinyError", "TrackerRow"]
