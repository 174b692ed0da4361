"""``bench/floor.py``, which docs/performance.md cites, measures the database it is given."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.generate import commands

from scrutiny_es import Scrutiny

ROOT = Path(__file__).parent.parent


def test_the_floor_of_a_rebuild_counts_every_row_of_each_projection(tmp_path: Path) -> None:
    path = tmp_path / "floor.db"
    app = Scrutiny(f"sqlite:///{path}")
    app.execute_many(list(commands(2, 30)))
    items, entries = len(app.tracker()), len(app.audit())
    app.close()

    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "floor.py"), str(path)], capture_output=True, text=True, check=True
    ).stdout

    rows = {name: int(count.replace(",", "")) for name, count in re.findall(r"the (\w+) rows: ([\d,]+) rows", out)}
    bodies = 2
    assert rows["tracker"] == items + bodies == 62  # each item's row, and each body's calendar
    assert rows["audit"] == entries + items + bodies  # an entry per event, and each item's or body's row
    assert rows["overdue"] > items
    assert "reading and decoding the log" in out
