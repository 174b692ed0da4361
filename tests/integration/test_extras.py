"""The core works with only its own dependencies; a part whose extra is missing names the extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

WITHOUT_EXTRAS = """
import importlib.abc, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    # As if only the core's dependencies were installed: the extras' libraries cannot be found.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"rich", "openpyxl", "docx", "psycopg", "psycopg_pool", "psycopg_binary"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
"""


def run_without_extras(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "host.py"
    script.write_text(WITHOUT_EXTRAS + textwrap.dedent(code), encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, check=False)


def test_a_host_records_and_reports_on_sqlite_with_the_core_alone(tmp_path: Path) -> None:
    done = run_without_extras(
        """
        from scrutiny_es import Scrutiny
        clerk = {"id": "u1", "name": "Jo Clerk", "role": "scrutiny officer"}
        app = Scrutiny("sqlite:///core.db")
        app.execute({"command": "register_body", "actor": clerk, "body": "BCSB", "name": "Budget", "council": "Sandwell"})
        app.execute({"command": "make_recommendation", "actor": clerk, "body": "BCSB", "ref": "R1", "kind": "action",
                     "meeting_date": "2024-02-15", "item": "Parks", "text": "Open late.",
                     "addressees": [{"name": "Cabinet", "kind": "executive"}]})
        print([row.ref for row in app.tracker()], app.recommendation("BCSB", "R1").text, len(app.audit()))
        print(app.verify().ok, sorted(m for m in ("rich", "openpyxl", "docx", "psycopg") if m in sys.modules))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['R1'] Open late. 2\nTrue []\n"


def test_each_part_whose_extra_is_missing_names_the_extra(tmp_path: Path) -> None:
    (tmp_path / "tracker.xlsx").write_bytes(b"PK\x03\x04")
    done = run_without_extras(
        """
        from scrutiny_es import ExtraNotInstalled, Scrutiny
        from scrutiny_es.__main__ import main
        try:
            Scrutiny("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
        except ExtraNotInstalled as e:
            print(e)
        app = Scrutiny("sqlite:///core.db")
        clerk = {"id": "u1", "name": "Jo Clerk", "role": "scrutiny officer"}
        app.execute({"command": "register_body", "actor": clerk, "body": "BCSB", "name": "Budget", "council": "Sandwell"})
        try:
            app.import_tracker("tracker.xlsx", body="BCSB", actor=clerk)
        except ExtraNotInstalled as e:
            print(e)
        print(main(["tracker"]))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "to use a PostgreSQL database, install the library's 'postgres' extra: pip install 'scrutiny-es[postgres]' "
        "(no module 'psycopg' here)",
        "to read or write Word and Excel files, install the library's 'office' extra: "
        "pip install 'scrutiny-es[office]' (no module 'openpyxl' here)",
        "2",
    ]
    assert done.stderr == (
        "scrutiny-es: to run the scrutiny-es command, install the library's 'cli' extra: "
        "pip install 'scrutiny-es[cli]' (no module 'rich' here)\n"
    )
