"""``apply`` reads a .jsonl file's lines with every byte kept: a byte that is not UTF-8 is named with its column
counted in characters, after a byte order mark and after letters that are UTF-8."""

from __future__ import annotations

import io

from scrutiny_es.adapters.cli.apply import commands


def lines(data: bytes) -> list[tuple[int, str, str | None]]:
    return [(line.number, line.text, line.problem) for line in commands(io.BytesIO(data))]


def test_a_byte_that_is_not_utf8_is_named_by_its_column_in_characters_after_a_bom_and_letters_that_are() -> None:
    data = b'\xef\xbb\xbf{"ref": "caf\xc3\xa9 \xe9"}\r\n# a comment\n\n\xef\xbb\xbf{"ref": "R\xc3\xa9"}\r{"ref": "\xed\xa0\x80"}'
    assert lines(data) == [
        (1, "", "not UTF-8 text (byte 0xE9 at column 15)"),
        (4, '{"ref": "Ré"}\n', None),
        (5, "", "not UTF-8 text (byte 0xED at column 10)"),  # a surrogate's bytes are not UTF-8
    ]
