"""The service layer: ``ScrutinyService`` records commands and answers queries against the ports."""

from scrutiny_es.application.service import BatchRejected, ProjectionsBehind, Receipt, ScrutinyService

__all__ = ["BatchRejected", "ProjectionsBehind", "Receipt", "ScrutinyService"]
