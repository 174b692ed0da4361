"""An auditor's questions on the command line, and each nonsense way of asking them refused in one line that names
the option and its rule: never the whole usage, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrutiny_es import Scrutiny
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> str:
    """R1 made on 15 Feb 2024 and referred to the Cabinet, then transferred to the Resources Committee."""
    url = f"sqlite:///{tmp_path_factory.mktemp('auditor') / 'record.db'}"
    app = Scrutiny(url, clock=FixedClock())
    for given in (
        register(),
        register("RES", name="Resources Committee"),
        make("R1"),
        command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"),
        command("transfer", ref="R1", to_body="RES", decided_on="2024-03-14", reason="The remit moved"),
    ):
        app.execute(given)  # fmt: skip
    app.close()
    return url


REFUSED = [
    (["tracker", "--as-of", "1899-12-31"], 2, "--as-of: '1899-12-31' is not between 1900-01-01 and 2199-12-31"),
    (["audit", "--as-of", "14/03/2024"], 2, "--as-of: '14/03/2024' is not a date written YYYY-MM-DD"),
    (["item", "--body", "RES", "--ref", "R1", "--as-of", "2024-02-30"], 2, "--as-of: '2024-02-30' is not a date"),
    (["audit", "--as-known-at", "2024-03-14T25:00Z"], 2, "--as-known-at: '2024-03-14T25:00Z' is not a timestamp"),
    (["overdue", "--as-known-at", "1899-03-14T09:20Z"], 2, "--as-known-at: '1899-03-14T09:20Z' is not between"),
    (["item", "--ref", "R1"], 1, "item shows one item: give --body and --ref"),
    (["item", "--body", "RES"], 1, "item shows one item: give --body and --ref"),
    (["item", "--body", "RES", "--ref", "R9"], 1, "RES has no recommendation or action with the reference R9"),
    (["audit", "--body", "NOPE"], 1, "no body is registered with the code NOPE"),
    (["audit", "--ref", "R9"], 1, "no body has a recommendation or action with the reference R9"),
    (["audit", "--limit", "many"], 2, "--limit: 'many' is not a whole number of 0 or more"),
    (["item", "--body", "RES", "--ref", "R1", "--format", "docx"], 2, "--format: invalid choice: 'docx'"),
    (["verify", "--at", "3"], 2, "give --at and --digest together"),
    (["verify", "--at", "0", "--digest", "00"], 2, "--at: '0' is not a whole number of 1 or more"),
]


@pytest.mark.parametrize(("asked", "status", "said"), REFUSED, ids=[" ".join(a) for a, _, _ in REFUSED])
def test_a_report_asked_for_in_a_way_that_makes_no_sense_is_refused_in_one_line(
    recorded: str, asked: list[str], status: int, said: str
) -> None:
    result = run(*asked, db=recorded)
    assert (result.returncode, result.stdout) == (status, "")
    (line,) = result.stderr.splitlines()
    assert line.startswith("scrutiny-es") and said in line, line


def test_the_trail_of_an_item_taken_over_is_asked_for_by_the_body_that_holds_it(recorded: str, tmp_path: Path) -> None:
    held = run("audit", "--body", "RES", "--ref", "R1", "--format", "csv", db=recorded)
    made = run("audit", "--body", "BCSB", "--ref", "R1", "--format", "csv", db=recorded)
    assert held.returncode == 0 and held.stdout == made.stdout
    assert "transferred the recommendation to RES (Resources Committee) on 14 Mar 2024: The remit moved" in held.stdout
    card = run("item", "--body", "RES", "--ref", "R1", "--as-known-at", "2024-12-02T09:30Z", "--format", "md",
               db=recorded)  # fmt: skip
    assert card.returncode == 0 and "The remit moved | In force |" in card.stdout
    assert card.stdout.splitlines()[0] == "# Budget and Corporate Scrutiny Board"  # the body that made it, by name
    assert run("audit", "--body", "RES", "--ref", "R1", "--format", "md", db=recorded).stdout.startswith(
        "# Budget and Corporate Scrutiny Board\n\nSandwell · Audit trail"
    )
