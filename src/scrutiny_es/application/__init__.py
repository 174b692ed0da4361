"""The service layer: ``ScrutinyService`` records commands and answers queries against the ports."""

from scrutiny_es.application.recording import BatchRejected, Receipt
from scrutiny_es.application.service import ScrutinyService
from scrutiny_es.application.upkeep import ProjectionsBehind

__all__ = ["BatchRejected", "ProjectionsBehind", "Receipt", "ScrutinyService"]
