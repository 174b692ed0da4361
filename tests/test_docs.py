"""Every Python code block in the README and docs/ runs, in a fresh folder of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[str, str]]:
    return [(f"{doc.name}#{n}", code) for doc in DOCS for n, code in enumerate(BLOCK.findall(doc.read_text()), 1)]


@pytest.mark.parametrize(("where", "code"), python_blocks())
def test_the_code_block_runs(where: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(code, where, "exec"), {"__name__": "__docs__"})  # noqa: S102


def test_the_readme_opens_with_the_two_commands() -> None:
    first_block = (ROOT / "README.md").read_text().split("```")[1]
    assert [line.split()[:2] for line in first_block.splitlines()[1:3]] == [["make", "demo"], ["make", "test"]]
