"""Headless Chromium on a local page, as the HTML tests read what a browser makes of it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def browser(page: Path, *args: str) -> tuple[str, list[str]]:
    """Headless Chromium on a local file: what it printed, and any console messages from the page."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed for this test: apt-get install chromium (make test installs it)"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={page.parent / 'chromium-profile'}", "--enable-logging=stderr", "--v=0"]  # fmt: skip
    result = subprocess.run([chromium, *flags, *args, page.as_uri()], capture_output=True, text=True, timeout=120,
                            check=True)  # fmt: skip
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return result.stdout, console
