"""The meeting packs of two boards that passed items between them, read in LibreOffice as a councillor reads them.

An item taken over keeps the date of the meeting of the board that made it, so without a word in its Status the
appendix would seem to say that this board made it that day.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.formats.pack_render import render_pack
from tests.conftest import FixedClock, command, make, register
from tests.e2e.test_documents_render import tool

MEETINGS = ("2024-01-17", "2024-02-15", "2024-03-14")


def two_boards(app: Scrutiny, clock: FixedClock) -> int:
    """SNAC and HSB: H1 came to SNAC from HSB and R4 went from SNAC to HSB on 16 February 2024; R6 was moved to
    HSB on 1 March 2024 and the move retracted on 5 March 2024, as recorded in error. Returns R6's move's position."""
    clock.time = datetime(2024, 2, 25, 9, tzinfo=UTC)
    app.execute(register("SNAC", name="Safer Neighbourhoods and Active Communities Scrutiny Board"))
    app.execute(register("HSB", name="Housing Scrutiny Board"))
    for body in ("SNAC", "HSB"):
        for day in MEETINGS:
            app.execute(command("schedule_meeting", body, meeting_date=day))
    app.execute(make("R4", "SNAC", meeting_date="2024-01-17", item="Stock condition",
                     text="That the Director of Housing reports on stock condition surveys."))  # fmt: skip
    app.execute(make("R6", "SNAC", meeting_date="2024-01-17", item="Parks", text="That parks are reviewed."))
    app.execute(make("H1", "HSB", meeting_date="2024-01-17", item="Tenant Satisfaction",
                     text="That the asset system links with procurement."))  # fmt: skip
    app.execute(command("transfer", "SNAC", ref="R4", to_body="HSB", decided_on="2024-02-16", minute="12/24"))
    app.execute(command("transfer", "HSB", ref="H1", to_body="SNAC", decided_on="2024-02-16", minute="13/24"))
    clock.time = datetime(2024, 3, 1, 9, tzinfo=UTC)
    moved = app.execute(command("transfer", "SNAC", ref="R6", to_body="HSB", decided_on="2024-02-20"))
    clock.time = datetime(2024, 3, 5, 9, tzinfo=UTC)
    app.execute(command("retract", "HSB", ref="R6", position=moved.position, reason="Recorded in error"))
    return moved.position


def printed(pack: dict[str, Any], folder: Path) -> str:
    """The pack as Word writes it and LibreOffice prints it, in the words poppler reads, a cell after another."""
    folder.mkdir()
    document = folder / "pack.docx"
    data = render_pack(pack, "docx")
    assert isinstance(data, bytes)
    document.write_bytes(data)
    subprocess.run([tool("soffice", "libreoffice-writer-nogui"), f"-env:UserInstallation={(folder / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(document)],
                   capture_output=True, timeout=180, check=True)  # fmt: skip
    text = subprocess.run([tool("pdftotext", "poppler-utils"), str(folder / "pack.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return " ".join(text.split())


def test_an_item_taken_over_says_in_its_status_where_it_came_from_and_a_retracted_move_is_in_no_pack(
    app: Scrutiny, clock: FixedClock, tmp_path: Path
) -> None:
    two_boards(app, clock)
    march = date(2024, 3, 14)
    snac = printed(app.meeting_pack("SNAC", march, as_known_at=datetime(2024, 3, 7, 17, tzinfo=UTC)), tmp_path / "a")
    assert "Transferred from Housing Scrutiny Board on 16 Feb 2024" in snac
    assert "Transferred to Housing Scrutiny Board on 16 Feb 2024" in snac  # R4, passed to HSB since the last meeting
    assert snac.count("Transferred") == 2  # R6's move was retracted: it stayed with SNAC, as if never moved
    hsb_pack = app.meeting_pack("HSB", march, as_known_at=datetime(2024, 3, 7, 17, tzinfo=UTC))
    assert [row["ref"] for row in hsb_pack["tracker"]] == ["H1", "R4"]  # H1, passed to SNAC since the last meeting
    hsb = printed(hsb_pack, tmp_path / "b")
    assert "Transferred from Safer Neighbourhoods and Active Communities Scrutiny Board on 16 Feb 2024" in hsb
    assert "Transferred to Safer Neighbourhoods and Active Communities Scrutiny Board on 16 Feb 2024" in hsb
    assert hsb.count("Transferred") == 2
    before = app.meeting_pack("HSB", march, as_known_at=datetime(2024, 3, 2, 17, tzinfo=UTC))
    assert [row["ref"] for row in before["tracker"]] == ["H1", "R4", "R6"]
    assert "Transferred from Safer Neighbourhoods and Active Communities Scrutiny Board on 20 Feb 2024" in printed(
        before, tmp_path / "c"
    )  # as published before


def test_an_item_transferred_away_since_the_last_meeting_is_in_the_appendix_saying_where_it_went_and_nowhere_else(
    app: Scrutiny, clock: FixedClock
) -> None:
    """The board is told of the items it no longer monitors: those closed, and those passed to another board."""
    two_boards(app, clock)
    app.execute(command("report_progress", "HSB", ref="R4", note="Surveys begun", reported_on="2024-03-01",
                        reported_by="Director of Housing", rag="red"))  # fmt: skip
    pack = app.meeting_pack("SNAC", date(2024, 3, 14))
    rows = {row["ref"]: row for row in pack["tracker"]}
    assert (rows["R4"]["transferred_to"], rows["R4"]["transferred_on"]) == ("HSB", "2024-02-16")
    assert sorted(rows) == ["H1", "R4", "R6"]
    assert "R4" not in [entry["ref"] for part in ("unsatisfactory", "returning", "for_closure") for entry in pack[part]]
    text = render_pack(pack, "md")
    assert isinstance(text, str)
    assert "| Transferred to Housing Scrutiny Board on 16 Feb 2024 |" in text
