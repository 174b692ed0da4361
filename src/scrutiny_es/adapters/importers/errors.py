"""The error of a file the import cannot read at all, as against one bad cell (a ``RowProblem``)."""

from __future__ import annotations

import re

from scrutiny_es.domain.errors import ScrutinyError


class CannotImport(ScrutinyError):
    """The file cannot be read as a tracker: not what its name says, encrypted, damaged, empty, or with no tracker."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REORDERING = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escaped(value: str) -> str:
    """A value on one line, each control character (a newline, a terminal's escape) and mark that reorders a line
    written as its escape: a file's name in a message says which file, and does nothing to the terminal."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", value).replace("\n", "\\n").replace("\t", "\\t")
    return _REORDERING.sub(lambda m: f"\\u{ord(m[0]):04x}", shown)
