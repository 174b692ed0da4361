"""Runs ``scrutiny-es`` as a user does: the installed console script, in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).with_name("scrutiny-es")


def run(*args: str, db: str, stdin: str | bytes | None = None, **options: Any) -> subprocess.CompletedProcess[str]:
    """The console script's run; ``stdin`` as text, or as bytes exactly (a file a clerk's editor wrote)."""
    env = {**os.environ, "COLUMNS": "220", **options.pop("env", {})}  # a wide terminal: cells are not folded
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [str(SCRIPT), "--db", db, *args], input=data, capture_output=True, timeout=300, check=False, env=env, **options
    )
    said = done.stderr.decode(errors="replace")
    created = said.startswith("scrutiny-es: created a new database at ")
    result = subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(errors="replace"), said.partition("\n")[2] if created else said
    )
    result.created = created  # type: ignore[attr-defined]  (said on a first apply: the tests that mean it check it)
    return result


def jsonl(*commands: dict[str, Any] | str) -> str:
    """Lines of a commands file; a string stands as it is (a comment, or a bad line)."""
    return "".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in commands)
