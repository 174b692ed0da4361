"""``scrutiny-es demo``: the Sandwell tracker of 14 March 2024, its overdue list, an audit trail, an HTML page."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from datetime import date
from pathlib import Path

from scrutiny_es import Scrutiny
from tests.e2e.cli import SCRIPT, run


def test_the_demo_loads_the_documents_and_shows_the_tracker_of_14_march_2024(tmp_path: Path) -> None:
    result = run("demo", "--dir", str(tmp_path), db="sqlite:///unused.db")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"Loaded 55 commands of demo data into {tmp_path / 'scrutiny-demo.db'}")
    assert "Safer Neighbourhoods and Active Communities Scrutiny Board" in out
    assert "Action Tracker as of 14 Mar 2024" in out
    assert "Fishing Policy" in out
    assert "Overdue list as of 14 Mar 2024" in out
    assert "Audit trail" in out
    page = (tmp_path / "scrutiny-demo-tracker.html").read_text()
    assert "Adults and Safer City Scrutiny Panel" in page
    assert "Black Country Reducing Reoffending Strategy" in page


def test_the_demo_data_records_every_row_of_the_sandwell_tracker(tmp_path: Path) -> None:
    run("demo", "--dir", str(tmp_path), db="sqlite:///unused.db")
    app = Scrutiny(f"sqlite:///{tmp_path / 'scrutiny-demo.db'}")
    rows = app.tracker(body="SNAC", as_of=date(2024, 3, 14))
    assert [r.item for r in rows].count("Heritage Strategy Update") == 3
    assert len(rows) == 13
    overdue = json.loads(run("overdue", "--body", "SNAC", "--as-of", "2024-03-14", "--format", "json",
                             db=f"sqlite:///{tmp_path / 'scrutiny-demo.db'}").stdout)  # fmt: skip
    assert [(o["ref"], o["reason"], o["days_overdue"]) for o in overdue] == [
        ("2023-02-23/1", "target_date", 166),
        ("2023-02-23/2", "target_date", 166),
    ]
    trail = [entry.summary for entry in app.audit(body="SNAC", ref="2024-01-17/4")]
    assert trail[-1].endswith("re-affirmed the recommendation on 15 Feb 2024 (minute 19/24).")
    (deferred,) = app.tracker(body="SNAC", ref="2024-02-15/HRF", as_of=date(2024, 3, 1))
    assert deferred.deferred_until == date(2024, 3, 14)  # "a future meeting": the Board's next, in its calendar
    assert (tmp_path / "scrutiny-demo-pack.docx").stat().st_size > 0
    assert "Tracking and Monitoring" in (tmp_path / "scrutiny-demo-pack.html").read_text()


def test_the_demo_prints_what_the_sandwell_boards_recommendations_of_2023_24_achieved(tmp_path: Path) -> None:
    out = run("demo", "--dir", str(tmp_path), db="sqlite:///unused.db").stdout
    words = out[out.index("What the Board's recommendations and actions of 2023/24 achieved") :]
    assert ("Impact of scrutiny, Safer Neighbourhoods and Active Communities Scrutiny Board: recommendations and "
            "actions made in the municipal year 2023/24, as on 30 Apr 2024, by body") in " ".join(words.split())  # fmt: skip
    assert "Implementation rate" in words and "SNAC" in words
    page = (tmp_path / "scrutiny-demo-impact.html").read_text()
    assert page.count("<svg ") == 2 and "SNAC: Noted 5" in page and "SNAC: Awaiting a response 5" in page
    (snac,) = json.loads(run("impact", "--body", "SNAC", "--from", "2023-05-01", "--to", "2024-04-30", "--format",
                             "json", db=f"sqlite:///{tmp_path / 'scrutiny-demo.db'}").stdout)  # fmt: skip
    # 11 items made from 18 Dec 2023 to 15 Feb 2024, 10 of them referred; 5 noted, each within its two months;
    # 5 awaited on 30 Apr 2024, all past their deadline; the deferred Housing Regulatory Framework overdue too.
    assert {k: v for k, v in snac.items() if v} == {
        "group": "SNAC", "made": 11, "referred": 10, "responded": 5, "responded_on_time": 5, "awaiting": 5,
        "awaiting_overdue": 5, "median_days_to_respond": 18.0, "noted": 5, "open": 11, "overdue": 6,
    }  # fmt: skip


def test_the_readme_examples_run_as_written_after_the_demo(tmp_path: Path) -> None:
    assert run("demo", "--dir", str(tmp_path), db="sqlite:///unused.db").returncode == 0
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = next(b for b in readme.split("```sh\n")[1:] if b.startswith("export SCRUTINY_DB"))
    lines = block.split("```")[0].splitlines()
    database = lines[0].split("=", 1)[1]
    assert database == "sqlite:///scrutiny-demo.db"
    for line in lines[1:]:
        *_, words = line.partition("scrutiny-es ")
        result = subprocess.run([str(SCRIPT), *shlex.split(words)], cwd=tmp_path, capture_output=True, text=True,
                                env={**os.environ, "SCRUTINY_DB": database}, timeout=120, check=False)  # fmt: skip
        assert result.returncode == 0, (line, result.stderr)
        assert result.stdout or (tmp_path / "tracker.html").exists(), line
