"""The error of a file the import cannot read at all, as against one bad cell (a ``RowProblem``)."""

from __future__ import annotations

from scrutiny_es.domain.errors import ScrutinyError


class CannotImport(ScrutinyError):
    """The file cannot be read as a tracker: not what its name says, encrypted, damaged, empty, or with no tracker."""
