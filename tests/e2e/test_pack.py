"""The board's calendar, extensions and proposals, and the meeting pack: the same pack whenever it is made again."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document

from scrutiny_es import Scrutiny
from scrutiny_es.domain.errors import CannotExtend, MeetingNotScheduled
from scrutiny_es.domain.policy import NotPermitted
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import run

OFFICER = {"id": "Director of Housing", "name": "Director of Housing", "role": "officer"}
MEETINGS = ["2024-01-17", "2024-02-15", "2024-03-14", "2024-04-11"]


def board(app: Scrutiny) -> None:
    app.execute(register(name="Safer Neighbourhoods and Active Communities Scrutiny Board", council="Sandwell"))
    for day in MEETINGS:
        app.execute(command("schedule_meeting", meeting_date=day))
    app.execute(make("R1", meeting_date="2024-01-17", item="BBQ areas", target_date="2024-03-01"))
    app.execute(make("R2", meeting_date="2024-01-17", item="Fishing Policy"))
    app.execute(make("R3", meeting_date="2024-01-17", item="Housing Regulatory Framework"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-01-20"))
    app.execute(command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Agreed",
                        responded_on="2024-02-20", responded_by="Cabinet"))  # fmt: skip
    app.execute(command("report_progress", ref="R2", note="Red: no funding", reported_on="2024-03-01",
                        reported_by="Director of Housing", rag="red"))  # fmt: skip
    app.execute(command("defer", ref="R3", until=None, reason="Awaiting the regulator", decided_on="2024-02-15"))
    app.execute(command("propose_closure", ref="R2", outcome="not_implemented", proposed_by="Director of Housing",
                        proposed_on="2024-03-05", actor=OFFICER))  # fmt: skip


def test_a_deferral_to_a_future_meeting_falls_due_at_the_next_one_scheduled(app: Scrutiny) -> None:
    board(app)
    (row,) = app.tracker(ref="R3", as_of=date(2024, 3, 1))
    assert (row.deferred_until, row.overdue) == (date(2024, 3, 14), [])
    late = [o for o in app.overdue(as_of=date(2024, 3, 15)) if o.ref == "R3"]
    board_name = "Safer Neighbourhoods and Active Communities Scrutiny Board"
    assert [(o.reason, o.due, o.responsible) for o in late] == [("deferral", date(2024, 3, 14), [board_name])]
    app.execute(command("cancel_meeting", meeting_date="2024-03-14", reason="Purdah"))
    (moved,) = app.tracker(ref="R3", as_of=date(2024, 3, 15))
    assert (moved.deferred_until, moved.overdue) == (date(2024, 4, 11), [])
    with pytest.raises(MeetingNotScheduled, match="scheduled: 17 Jan 2024, 15 Feb 2024, 11 Apr 2024"):
        app.execute(command("cancel_meeting", meeting_date="2024-03-14", reason="Again"))


def test_an_agreed_extension_is_not_an_overdue_response_and_keeps_the_first_deadline(app: Scrutiny) -> None:
    board(app)
    app.execute(command("refer", ref="R2", addressee="Cabinet", received_on="2024-01-20"))
    app.execute(command("extend_response_deadline", ref="R2", addressee="Cabinet", response_due="2024-05-31",
                        reason="Budget setting", agreed_by="Chair", decided_on="2024-03-01"))  # fmt: skip
    (row,) = app.tracker(ref="R2", as_of=date(2024, 4, 1))
    assert (row.response_due, "response" in row.overdue) == (date(2024, 5, 31), False)
    (late,) = [o for o in app.overdue(as_of=date(2024, 6, 1)) if o.reason == "response" and o.ref == "R2"]
    assert (late.due, late.original_due) == (date(2024, 5, 31), date(2024, 3, 19))
    with pytest.raises(CannotExtend, match="must be later than the one in force"):
        app.execute(command("extend_response_deadline", ref="R2", addressee="Cabinet", response_due="2024-05-01",
                            reason="r", agreed_by="Chair", decided_on="2024-03-02"))  # fmt: skip


def test_a_closure_proposed_stands_until_the_board_decides(app: Scrutiny) -> None:
    board(app)
    (row,) = app.tracker(ref="R2")
    assert row.closure_proposed == "not_implemented"
    with pytest.raises(NotPermitted):
        app.execute(command("close", ref="R2", outcome="not_implemented", decided_on="2024-03-14", actor=OFFICER))
    app.execute(command("reaffirm", ref="R2", decided_on="2024-03-14"))
    assert app.tracker(ref="R2")[0].closure_proposed is None


def test_the_pack_of_a_meeting_has_the_four_sections_and_the_tracker(app: Scrutiny) -> None:
    board(app)
    pack = app.meeting_pack("BCSB", date(2024, 3, 14))
    assert (pack["body_name"], pack["council"], pack["meeting"], pack["since"]) == (
        "Safer Neighbourhoods and Active Communities Scrutiny Board", "Sandwell", "2024-03-14", "2024-02-15",
    )  # fmt: skip
    assert [(r["ref"], r["decision"], r["on_time"]) for r in pack["responses"]] == [("R1", "accepted", True)]
    assert [(p["ref"], p["rag"]) for p in pack["progress"]] == [("R2", "red")]
    assert pack["unsatisfactory"] == [
        {"ref": "R1", "item": "BBQ areas", "why": ["target_date"]},
        {"ref": "R2", "item": "Fishing Policy", "why": ["red"]},
    ]
    assert pack["for_closure"] == [
        {"ref": "R2", "item": "Fishing Policy", "why": ["proposed"], "outcome": "not_implemented"}
    ]
    assert [row["ref"] for row in pack["tracker"]] == ["R1", "R2", "R3"]
    assert pack["built_from"]["position"] == len(app.audit())
    assert app.verify(at=pack["built_from"]["position"], digest=pack["built_from"]["digest"]).ok


def test_the_pack_as_known_at_the_agendas_publication_is_the_same_ever_after(db_url: str, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2024, 3, 7, 9, 0, tzinfo=UTC))
    app = Scrutiny(db_url, clock=clock)
    board(app)
    published = "2024-03-07T17:00"

    def made() -> tuple[str, str, str]:
        args = ("pack", "--body", "BCSB", "--meeting", "2024-03-14", "--as-known-at", published)
        as_json = run(*args, "--format", "json", db=db_url).stdout
        as_html = run(*args, "--format", "html", db=db_url).stdout
        word = tmp_path / f"pack-{len(list(tmp_path.iterdir()))}.docx"
        assert run(*args, "--format", "docx", "-o", str(word), db=db_url).returncode == 0
        text = "\n".join(p.text for p in Document(io.BytesIO(word.read_bytes())).paragraphs)
        return as_json, as_html, text

    before = made()
    clock.time = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)  # after the meeting, the record goes on
    app.execute(command("refer", ref="R2", addressee="Cabinet", received_on="2024-03-01"))
    app.execute(command("correct", ref="R1", field="response.text", value="Agreed in full", reason="Letter",
                        addressee="Cabinet"))  # fmt: skip
    progress = next(e.position for e in app.audit() if e.event == "ProgressReported")
    app.execute(command("retract", ref="R2", position=progress, reason="Wrong item"))
    assert made() == before
    pack = json.loads(before[0])
    checked = run("verify", "--at", str(pack["built_from"]["position"]), "--digest", pack["built_from"]["digest"],
                  db=db_url)  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    assert "Appendix 1" in before[2] and "Tracking and Monitoring" in before[1] + before[2]
