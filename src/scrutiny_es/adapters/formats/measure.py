"""How wide text is set in Arial, so that a Word table's columns can be made wide enough for their longest word.

A Word table has fixed column widths: a word longer than its column is broken mid-word
("Implementat|ion"). The widths here are Arial's (the same as Liberation Sans, which LibreOffice
sets Arial in), in thousandths of the type size, so no font file is needed to measure.
"""

from __future__ import annotations

_CHARS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~–—‘’“”£€é…•"
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
    556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
    556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, 334, 260, 334, 584, 556, 1000, 222, 222, 333, 333, 556, 556, 556, 1000, 350,
)  # fmt: skip
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722,
    611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556,
    611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778,
    556, 556, 500, 389, 280, 389, 584, 556, 1000, 278, 278, 500, 500, 556, 556, 556, 1000, 350,
)  # fmt: skip
_WIDTHS = {False: dict(zip(_CHARS, _REGULAR, strict=True)), True: dict(zip(_CHARS, _BOLD, strict=True))}
_WIDE = 1000
"""A character not in the table (a letter of another alphabet, a symbol) is taken to be as wide as an M or wider."""


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in points, set in Arial of ``size`` points."""
    widths = _WIDTHS[bold]
    return sum(widths.get(char, _WIDE) for char in text) * size / 1000


def widest_word(text: str, size: float, bold: bool = False) -> float:
    """The width in points of the widest word of ``text``: the least a column may be without breaking one."""
    return max((text_width(word, size, bold) for word in text.split()), default=0.0)
