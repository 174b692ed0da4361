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


_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200d\u2028\u2029\u2060-\u2064\ufeff]")
"""Characters that show nothing, or break a line where a plain-text reader expects none: the soft hyphen,
the Arabic letter mark (a bidi control), zero-width spaces and joiners, the word joiner and invisible
operators, the byte-order mark, and the Unicode line and paragraph separators."""


def plain(text: str) -> str:
    """``visible``, and for plain text (a terminal's table, CSV, Markdown) each invisible character shown as its
    escape too: a name with a zero-width space in it must not pass for the name without."""
    return _INVISIBLE.sub(lambda found: f"\\u{ord(found[0]):04x}", visible(text))
