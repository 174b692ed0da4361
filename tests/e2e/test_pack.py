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


def test_the_pack_of_a_meeting_has_the_four_sections_what_returns_and_the_tracker(app: Scrutiny) -> None:
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
    assert pack["returning"] == [
        {"ref": "R1", "item": "BBQ areas", "why": "report_back", "due": "2024-03-01", "decided_on": None,
         "words": None},
        {"ref": "R3", "item": "Housing Regulatory Framework", "why": "deferred", "due": "2024-03-14",
         "decided_on": "2024-02-15", "words": "Awaiting the regulator"},
    ]  # fmt: skip
    assert pack["for_closure"] == [
        {"ref": "R2", "item": "Fishing Policy", "why": ["proposed"], "outcome": "not_implemented",
         "proposed_by": "Director of Housing", "proposed_on": "2024-03-05"}
    ]  # fmt: skip
    assert [row["ref"] for row in pack["tracker"]] == ["R1", "R2", "R3"]
    assert pack["published"] == "2024-12-02T09:30:00+00:00"  # the record's clock: made now, it is published now
    assert pack["built_from"]["position"] == len(app.audit())
    assert app.verify(at=pack["built_from"]["position"], digest=pack["built_from"]["digest"]).ok


def at_the_meeting_of_11_april(app: Scrutiny) -> None:
    """The board's decisions of 11 April 2024, typed in on a later day."""
    app.execute(command("schedule_meeting", meeting_date="2024-06-20"))
    app.execute(command("close", ref="R1", outcome="implemented", decided_on="2024-04-11", note="Areas open"))
    app.execute(command("escalate", ref="R2", action="Report to Cabinet", decided_on="2024-04-11"))
    app.execute(command("defer", ref="R3", until=None, reason="The regulator's guidance is late",
                        decided_on="2024-04-11"))  # fmt: skip


def test_what_the_board_decides_at_a_meeting_is_in_the_next_meetings_pack_not_its_own(app: Scrutiny) -> None:
    board(app)
    at_the_meeting_of_11_april(app)
    april = app.meeting_pack("BCSB", date(2024, 4, 11))
    assert april["since"] == "2024-03-14"
    assert {row["ref"]: row["status"] for row in april["tracker"]} == {
        "R1": "responded", "R2": "made", "R3": "made"
    }  # fmt: skip
    assert [row["escalated_on"] for row in april["tracker"]] == [None, None, None]
    assert [(u["ref"], u["why"]) for u in april["unsatisfactory"]] == [
        ("R1", ["target_date"]), ("R2", ["red"]), ("R3", ["deferral"])
    ]  # fmt: skip
    assert [(c["ref"], c["proposed_by"]) for c in april["for_closure"]] == [("R2", "Director of Housing")]
    assert april["returning"] == []
    june = app.meeting_pack("BCSB", date(2024, 6, 20))
    assert june["since"] == "2024-04-11"
    assert [(row["ref"], row["status"], row["outcome"]) for row in june["tracker"]] == [
        ("R1", "closed", "implemented"), ("R2", "made", None), ("R3", "made", None)
    ]  # fmt: skip
    assert june["for_closure"] == [] and [u["ref"] for u in june["unsatisfactory"]] == ["R2"]
    assert [(r["ref"], r["why"], r["decided_on"], r["words"]) for r in june["returning"]] == [
        ("R2", "report_back", "2024-04-11", "Report to Cabinet"),
        ("R3", "deferred", "2024-04-11", "The regulator's guidance is late"),
    ]


def test_the_packs_before_and_after_a_meeting_are_the_same_byte_for_byte_later(db_url: str, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2024, 4, 1, 9, 0, tzinfo=UTC))
    app = Scrutiny(db_url, clock=clock)
    board(app)
    clock.time = datetime(2024, 4, 12, 9, 0, tzinfo=UTC)
    at_the_meeting_of_11_april(app)

    def made(meeting: str, published: str) -> list[bytes]:
        args = ("pack", "--body", "BCSB", "--meeting", meeting, "--published", published)
        word = tmp_path / f"pack-{len(list(tmp_path.iterdir()))}.docx"
        assert run(*args, "--format", "docx", "-o", str(word), db=db_url).returncode == 0
        return [run(*args, "--format", fmt, db=db_url).stdout.encode() for fmt in ("json", "html")] + [
            word.read_bytes()
        ]

    april, june = made("2024-04-11", "2024-04-04T17:00"), made("2024-06-20", "2024-06-13T17:00")
    assert json.loads(april[0])["returning"] == [] and len(json.loads(june[0])["returning"]) == 2
    clock.time = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    app.execute(command("reopen", ref="R1", reason="Areas closed again", decided_on="2024-06-30"))
    app.execute(command("report_progress", ref="R2", note="Cabinet agreed", reported_on="2024-04-20",
                        reported_by="Director of Housing", rag="green"))  # fmt: skip
    assert made("2024-04-11", "2024-04-04T17:00") == april
    assert made("2024-06-20", "2024-06-13T17:00") == june


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


def test_the_demo_writes_the_pack_of_14_march_2024_in_sandwells_own_report(tmp_path: Path) -> None:
    assert run("demo", "--dir", str(tmp_path), db="sqlite:///unused.db").returncode == 0
    document = Document(io.BytesIO((tmp_path / "scrutiny-demo-pack.docx").read_bytes()))
    particulars = ["\n".join(cell.text for cell in row.cells) for row in document.tables[0].rows]
    assert particulars == [
        "Subject\nTracking and Monitoring of Scrutiny Recommendations",
        "Director\nJames McLaughlin\nAssistant Chief Executive\nJames_McLaughlin@sandwell.gov.uk",
        "Contact Officer\nAlex Goddard\nScrutiny Lead Officer\nAlexander_Goddard@sandwell.gov.uk",
    ]
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["Sandwell Metropolitan Borough Council",
                         "Report to Safer Neighbourhoods and Active Communities Scrutiny Board", "14 March 2024"]  # fmt: skip
    assert "3 How does this deliver objectives of the Corporate Plan?" in texts
    implications = [row.cells[0].text for row in document.tables[-2].rows]
    assert implications[-1] == "Corporate Parenting" and "Legal and Governance" in implications


def test_a_pack_with_a_bad_template_is_one_line_naming_the_key_and_writes_nothing(app: Scrutiny, db_url: str,
                                                                                  tmp_path: Path) -> None:  # fmt: skip
    board(app)
    template = tmp_path / "council.toml"
    template.write_text('council = "Sandwell"\ndirecter = "James"\n', encoding="utf-8")
    out = tmp_path / "pack.docx"
    done = run("pack", "--body", "BCSB", "--meeting", "2024-03-14", "--template", str(template), "--format", "docx",
               "-o", str(out), db=db_url)  # fmt: skip
    assert done.returncode == 1 and not out.exists()
    assert done.stderr == f"scrutiny-es: template {template}: unknown key 'directer' (known: council, directorate, " \
        "reasons, context, background_papers, director, contact_officer, corporate_plan, implications, bodies)\n"  # fmt: skip
    noted = run("pack", "--body", "BCSB", "--meeting", "2024-03-14", "--with-seal-note", db=db_url).stdout
    assert "Clerk's note: Built from the record up to position" in noted


def test_a_last_meeting_on_or_after_the_meeting_is_refused_in_one_line(app: Scrutiny, db_url: str) -> None:
    board(app)
    done = run("pack", "--body", "BCSB", "--meeting", "2024-03-14", "--since", "2024-03-14", db=db_url)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "scrutiny-es: since (14 Mar 2024) must be before the meeting (14 Mar 2024): the last meeting's day\n"
    )
