"""Runs ``scrutiny-es`` as a user does: the installed console script, in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).with_name("scrutiny-es")


def run(*args: str, db: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "220"}  # a wide terminal, so table cells are not folded
    return subprocess.run(
        [str(SCRIPT), "--db", db, *args], input=stdin, capture_output=True, text=True, timeout=300, check=False, env=env
    )


def jsonl(*commands: dict[str, Any] | str) -> str:
    """Lines of a commands file; a string stands as it is (a comment, or a bad line)."""
    return "".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in commands)
