"""What a clerk typed, made safe to show: nothing in it may act on a terminal or reorder a line."""

from __future__ import annotations

import re

_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
"""Characters that would act rather than show: control characters (a terminal's escape sequences
begin with one) but tab and newline, and the marks that reorder text right to left; and those no
file can carry (a lone surrogate cannot be written as UTF-8, U+FFFE and U+FFFF not in a Word document)."""


def visible(text: str) -> str:
    """Text as typed, with each character that would act shown as its escape (``\\u001b``) instead."""
    return _UNSEEN.sub(lambda found: f"\\u{ord(found[0]):04x}", text)
