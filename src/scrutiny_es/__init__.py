"""An honest, replayable record of a scrutiny board's recommendations and actions."""

from scrutiny_es.application import Receipt, Scrutiny
from scrutiny_es.domain.errors import ScrutinyError

__all__ = ["Receipt", "Scrutiny", "ScrutinyError"]
