"""``scrutiny-es impact`` as a user runs it: every format, the page in a browser, and bad questions refused."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from pathlib import Path

from scrutiny_es import Scrutiny
from scrutiny_es.projections.impact import ImpactRow
from tests.conftest import FixedClock
from tests.e2e.browser import browser
from tests.e2e.cli import run
from tests.unit.test_impact import (
    BCSB,
    CABINET_FIGURES,
    FINANCE_FIGURES,
    HOUSING_FIGURES,
    POLICE_FIGURES,
    RECORD,
    RECORDED,
    SCB,
    TRUST_FIGURES,
)

PERIOD = ("--from", "2023-05-01", "--to", "2024-04-30")


def recorded(url: str) -> str:
    app = Scrutiny(url, clock=FixedClock(RECORDED))
    for line in RECORD:
        app.execute(line)
    app.close()
    return url


def sqlite_record(tmp_path: Path) -> str:
    return recorded(f"sqlite:///{tmp_path / 'impact.db'}")


def test_json_gives_every_figure_by_body_and_by_addressee_on_either_database(db_url: str) -> None:
    recorded(db_url)
    by_body = run("impact", *PERIOD, "--format", "json", db=db_url)
    assert by_body.returncode == 0, by_body.stderr
    assert json.loads(by_body.stdout) == [BCSB, SCB]
    by_addressee = run("impact", *PERIOD, "--by", "addressee", "--format", "json", db=db_url)
    assert json.loads(by_addressee.stdout) == [
        CABINET_FIGURES, FINANCE_FIGURES, HOUSING_FIGURES, TRUST_FIGURES, POLICE_FIGURES,
    ]  # fmt: skip
    one = run("impact", "--body", "SCB", *PERIOD, "--format", "json", db=db_url)
    assert json.loads(one.stdout) == [SCB]


def test_as_known_at_a_moment_before_anything_was_recorded_there_is_nothing(tmp_path: Path) -> None:
    db = sqlite_record(tmp_path)
    result = run("impact", *PERIOD, "--as-known-at", "2024-05-31", "--format", "json", db=db)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    later = run("impact", *PERIOD, "--as-known-at", "2024-06-01T12:00", "--format", "json", db=db)
    assert json.loads(later.stdout) == [BCSB, SCB]


def test_csv_has_a_column_per_field_under_the_contract_names(tmp_path: Path) -> None:
    result = run("impact", *PERIOD, "--by", "year", "--format", "csv", db=sqlite_record(tmp_path))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [f.name for f in fields(ImpactRow)]
    (year,) = rows
    assert (year["group"], year["made"], year["acceptance_rate"], year["median_days_to_respond"]) == (
        "2023/24", "5", "0.75", "48.0",
    )  # fmt: skip
    assert year["implementation_rate"] == "1.0"


def test_the_table_and_markdown_say_whose_figures_for_when(tmp_path: Path) -> None:
    db = sqlite_record(tmp_path)
    table = run("impact", *PERIOD, db=db).stdout
    title = ("Impact of scrutiny, every body: recommendations and actions made in the municipal year 2023/24, "
             "as on 30 Apr 2024, by body")  # fmt: skip
    assert table.startswith(title)
    assert "66.7%" in table and "BCSB" in table and "SCB" in table
    md = run("impact", "--body", "BCSB", "--to", "2024-04-30", "--by", "addressee_kind", "--format", "md", db=db)
    lines = md.stdout.splitlines()
    assert lines[0] == ("# Impact of scrutiny, Budget and Corporate Scrutiny Board: recommendations and actions "
                        "made up to 30 Apr 2024, as on 30 Apr 2024, by kind of addressee")  # fmt: skip
    assert "| officer | 2 | 2 | 2 | 1 | 0 | 0 | 45.5 | 0 | 1 | 0 | 1 | 100.0% |" in lines


def test_the_html_page_shows_the_figures_and_its_charts_in_a_browser(tmp_path: Path) -> None:
    db = sqlite_record(tmp_path)
    page = tmp_path / "impact.html"
    result = run("impact", *PERIOD, "--by", "addressee", "--format", "html", "-o", str(page), db=db)
    assert result.returncode == 0 and result.stderr == f"wrote {page}\n"
    dom, console = browser(page, "--dump-dom")
    assert console == []
    assert dom.count("<svg") == 2
    for text in ("Responses by decision, per group", "Outcomes, per group", "Director of Housing",
                 "Sandwell and West Birmingham NHS Trust", "Cabinet: Accepted 1", "Cabinet: Rejected 1",
                 "West Midlands Police: Partially implemented 1", "53.5", "50.0%"):  # fmt: skip
        assert text in dom, text


def test_bad_questions_are_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    db = sqlite_record(tmp_path)
    backwards = run("impact", "--from", "2024-05-01", "--to", "2024-04-30", db=db)
    assert backwards.returncode == 1
    assert backwards.stderr == "scrutiny-es: from: 1 May 2024 is after to (30 Apr 2024): give from on or before to\n"
    nobody = run("impact", "--body", "NOPE", db=db)
    assert (nobody.returncode, nobody.stderr) == (1, "scrutiny-es: no body is registered with the code NOPE\n")
    bad_date = run("impact", "--to", "30/04/2024", db=db)
    assert bad_date.returncode == 2 and "is not a date written YYYY-MM-DD" in bad_date.stderr
    bad_by = run("impact", "--by", "party", db=db)
    assert bad_by.returncode == 2 and "invalid choice: 'party'" in bad_by.stderr
    missing = run("impact", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.returncode == 2 and "no database at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
