"""Odd files a clerk may bring: a file's name with control characters in it, list numbers Word makes, formulas
no program calculated. Each is read as the clerk sees it, or refused naming the row, the column and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrutiny_es.adapters.importers import CannotImport, read_tables
from scrutiny_es.adapters.importers.minutes import draft_minutes


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_a_files_name_with_a_newline_or_an_escape_is_shown_escaped_in_a_refusal(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tracker\x1b[2J\nline{suffix}"
    path.write_bytes(b"")

    with pytest.raises(CannotImport) as refused:
        read_tables(path)

    assert str(refused.value) == f"tracker\\x1b[2J\\nline{suffix} is empty"


def test_a_workbooks_name_with_an_escape_is_shown_escaped_when_it_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "\x1b]0;owned\x07tracker.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip")

    with pytest.raises(CannotImport, match=r"^\\x1b\]0;owned\\x07tracker\.xlsx is damaged"):
        read_tables(path)


def test_minutes_whose_files_name_holds_control_characters_name_it_escaped(tmp_path: Path) -> None:
    path = tmp_path / "minutes\r\x1b[1A.txt"
    path.write_text("Minutes of the meeting held on 9 January 2024\n\n236. Parks\n\n"
                    "RESOLVED that the Head of Parks reports on tree planting.\n", encoding="utf-8")  # fmt: skip

    assert draft_minutes(path, "BC").source == "minutes\\x0d\\x1b[1A.txt"
    empty = tmp_path / "empty\n.md"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CannotImport, match=r"^empty\\n\.md is empty$"):
        draft_minutes(empty, "BC")
