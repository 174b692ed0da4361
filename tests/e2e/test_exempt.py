"""Exempt items (Schedule 12A): left out of every public report and export, counted; held, marked, when asked for.

A board takes an item in private under a paragraph of Schedule 12A to the Local Government Act
1972. The public tracker, overdue list, pack and impact figures leave it out and say how many
items they left out; asked for exempt items (``--exempt``), they hold them, each marked with its
paragraph, and the pack becomes Part B, which holds the exempt items alone.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document

from scrutiny_es import Scrutiny
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.errors import CannotCorrect, InvalidCommand
from scrutiny_es.projections.filters import Filters
from scrutiny_es.projections.rows import json_values
from tests import parts
from tests.conftest import FixedClock, command, make, register
from tests.e2e.cli import jsonl, run

PUBLIC, PERSONAL, FINANCIAL = "R1", "R2", "R3"
SAID = "2 items are exempt under Schedule 12A to the Local Government Act 1972 and are not shown."
ONE = "1 item is exempt under Schedule 12A to the Local Government Act 1972 and is not shown."
RECORDED = datetime(2024, 12, 2, 9, 30, tzinfo=UTC)


def board(app: Scrutiny) -> None:
    """A public item awaiting a response; one exempt under paragraph 1 (responded, then rated red); one under
    paragraph 3 past its target date."""
    app.execute(register())
    for day in ("2024-01-17", "2024-03-14"):
        app.execute(command("schedule_meeting", meeting_date=day))
    app.execute(make(PUBLIC, meeting_date="2024-01-17", item="Parks"))
    app.execute(make(PERSONAL, meeting_date="2024-01-17", item="Staff case", exempt="1"))
    app.execute(make(FINANCIAL, meeting_date="2024-01-17", item="Leisure contract", target_date="2024-02-28",
                     exempt="3"))  # fmt: skip
    for ref in (PUBLIC, PERSONAL):
        app.execute(command("refer", ref=ref, addressee="Cabinet", received_on="2024-01-20"))
    app.execute(command("record_response", ref=PERSONAL, addressee="Cabinet", decision="accepted", text="Agreed",
                        responded_on="2024-02-20", responded_by="Cabinet"))  # fmt: skip
    app.execute(command("report_progress", ref=PERSONAL, note="Settlement delayed", reported_on="2024-03-01",
                        reported_by="Director of Housing", rag="red"))  # fmt: skip


@pytest.fixture
def recorded(app: Scrutiny) -> Scrutiny:
    board(app)
    return app


def refs(rows: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return [(row.ref, row.exempt) for row in rows]


def test_the_public_tracker_leaves_exempt_items_out_and_says_how_many(recorded: Scrutiny) -> None:
    for when in ({}, {"as_of": date(2024, 4, 1)}, {"as_known_at": RECORDED}):
        public = recorded.tracker(**when)  # type: ignore[arg-type]
        assert (refs(public), public.withheld) == ([(PUBLIC, None)], 2), when
        held = recorded.tracker(exempt=True, **when)  # type: ignore[arg-type]
        assert (refs(held), held.withheld) == ([(PUBLIC, None), (PERSONAL, "1"), (FINANCIAL, "3")], 0), when
    page = recorded.tracker(limit=1, offset=1)
    assert (refs(page), page.withheld) == ([], 2)  # the count is of the whole list, not the page
    awaiting = recorded.tracker(status="awaiting_response")
    assert (refs(awaiting), awaiting.withheld) == ([(PUBLIC, None)], 0)  # R2 responded, R3 was never referred
    assert recorded.recommendation("BCSB", FINANCIAL).exempt == "3"
    every = parts.read_models_of(recorded).tracker(date(2024, 12, 2))  # the port's default: every row
    assert [row.ref for row in every] == [PUBLIC, PERSONAL, FINANCIAL]


def test_the_public_overdue_list_leaves_exempt_items_out_and_counts_items_not_rows(recorded: Scrutiny) -> None:
    for when in ({}, {"as_of": date(2024, 4, 1)}, {"as_known_at": RECORDED}):
        public = recorded.overdue(**when)  # type: ignore[arg-type]
        assert ([(r.ref, r.reason) for r in public], public.withheld) == ([(PUBLIC, "response")], 1), when
        held = recorded.overdue(exempt=True, **when)  # type: ignore[arg-type]
        assert [(r.ref, r.reason, r.exempt) for r in held] == [
            (FINANCIAL, "target_date", "3"), (PUBLIC, "response", None)
        ], when  # fmt: skip
        assert held.withheld == 0
    assert recorded.overdue(reason="response").withheld == 0


def test_a_page_counts_what_the_whole_list_withheld_and_the_exempt_items_alone_come_in_the_trackers_order(
    recorded: Scrutiny,
) -> None:
    recorded.execute(make("R0", meeting_date="2024-03-14", item="Land sale", exempt="3"))  # a later meeting, first ref
    whole = recorded.tracker(exempt=True)
    assert [row.ref for row in whole] == [PUBLIC, PERSONAL, FINANCIAL, "R0"]
    pages = [recorded.tracker(limit=1, offset=offset) for offset in (0, 1)]
    assert [(refs(page), page.withheld) for page in pages] == [([(PUBLIC, None)], 3), ([], 3)]
    overdue = recorded.overdue(limit=1)
    assert ([row.ref for row in overdue], overdue.withheld) == ([PUBLIC], 1)
    exempt_only = Filters(exempt=True, exempt_only=True, limit=2, offset=1)
    page = parts.read_models_of(recorded).tracker(date(2024, 12, 2), filters=exempt_only)
    assert refs(page) == [(FINANCIAL, "3"), ("R0", "3")]


def test_a_correction_makes_an_item_public_and_exempt_again_and_a_rebuild_gives_the_same(recorded: Scrutiny) -> None:
    recorded.execute(command("correct", ref=FINANCIAL, field="exempt", value=None, reason="Contract signed"))
    public = recorded.tracker()
    assert (refs(public), public.withheld) == ([(PUBLIC, None), (FINANCIAL, None)], 1)
    assert [r.ref for r in recorded.overdue()] == [FINANCIAL, PUBLIC]
    (entry,) = [e for e in recorded.audit(ref=FINANCIAL) if e.event == "Corrected"]
    assert "corrected the exempt paragraph (Schedule 12A) from “3” to nothing: Contract signed" in entry.summary
    recorded.execute(command("correct", ref=FINANCIAL, field="exempt", value="7", reason="Police investigation"))
    again = recorded.tracker(exempt=True)
    assert (refs(again), recorded.tracker().withheld) == ([(PUBLIC, None), (PERSONAL, "1"), (FINANCIAL, "7")], 2)
    assert refs(recorded.tracker(as_known_at=RECORDED, exempt=True))[2] == (FINANCIAL, "7")  # the clock never moved
    before = [json_values(r) for r in recorded.tracker(exempt=True)], [json_values(r) for r in recorded.overdue()]
    recorded.rebuild()
    after = [json_values(r) for r in recorded.tracker(exempt=True)], [json_values(r) for r in recorded.overdue()]
    assert after == before
    assert (recorded.tracker().withheld, recorded.overdue().withheld) == (2, 1)


def test_a_paragraph_that_is_not_one_of_schedule_12a_is_refused_and_nothing_is_written(recorded: Scrutiny) -> None:
    with pytest.raises(InvalidCommand, match="exempt"):
        recorded.execute(make("R4", exempt="8"))
    with pytest.raises(CannotCorrect, match="exempt must be one of 1, 2, 3, 4, 5, 6, 7, not '9'"):
        recorded.execute(command("correct", ref=PUBLIC, field="exempt", value="9", reason="Typo"))
    assert [r.ref for r in recorded.tracker(exempt=True)] == [PUBLIC, PERSONAL, FINANCIAL]


def test_the_public_pack_withholds_exempt_items_and_part_b_holds_them_alone(recorded: Scrutiny) -> None:
    public = recorded.meeting_pack("BCSB", date(2024, 3, 14), as_known_at=RECORDED)
    assert (public["exempt"], public["withheld"]) == (False, 2)
    named = {e["ref"] for name in ("responses", "progress", "unsatisfactory", "tracker") for e in public[name]}
    assert named == {PUBLIC}
    part_b = recorded.meeting_pack("BCSB", date(2024, 3, 14), as_known_at=RECORDED, exempt=True)
    assert (part_b["exempt"], part_b["withheld"], part_b["since"]) == (True, 0, public["since"])
    assert [r["ref"] for r in part_b["progress"]] == [PERSONAL]
    assert [(u["ref"], u["why"]) for u in part_b["unsatisfactory"]] == [
        (PERSONAL, ["red"]),
        (FINANCIAL, ["target_date"]),
    ]
    assert [(r["ref"], r["exempt"]) for r in part_b["tracker"]] == [(PERSONAL, "1"), (FINANCIAL, "3")]
    assert recorded.meeting_pack("BCSB", date(2024, 3, 14), as_known_at=RECORDED, exempt=True) == part_b


def test_the_impact_figures_leave_exempt_items_out_and_say_how_many(recorded: Scrutiny) -> None:
    (public,) = recorded.impact()
    assert (public.made, public.referred, recorded.impact().withheld) == (1, 1, 2)
    (every,) = recorded.impact(exempt=True)
    assert (every.made, every.referred, every.responded, recorded.impact(exempt=True).withheld) == (3, 2, 1, 0)
    assert recorded.impact(from_=date(2024, 2, 1)).withheld == 0  # none of them made in those days


def test_the_read_models_in_memory_withhold_the_same_items() -> None:
    app = in_memory(FixedClock())
    board(app)  # type: ignore[arg-type]
    assert (refs(app.tracker()), app.tracker().withheld) == ([(PUBLIC, None)], 2)
    assert ([r.ref for r in app.overdue()], app.overdue().withheld) == ([PUBLIC], 1)
    assert refs(app.overdue(exempt=True)) == [(FINANCIAL, "3"), (PUBLIC, None)]


# The command line, in every format


@pytest.fixture
def db(db_url: str) -> str:
    app = Scrutiny(db_url, clock=FixedClock())
    board(app)
    app.close()
    return db_url


def test_every_text_format_of_the_tracker_says_how_many_items_were_withheld(db: str) -> None:
    for fmt in ("table", "md", "html"):
        public = run("tracker", "--format", fmt, db=db)
        assert public.returncode == 0, public.stderr
        assert SAID in public.stdout and "Staff case" not in public.stdout and "Parks" in public.stdout, fmt
        held = run("tracker", "--format", fmt, "--exempt", db=db)
        assert "Staff case" in held.stdout and "not shown" not in held.stdout, fmt
        assert "Exempt:" in held.stdout and ("paragraph 3" in held.stdout or fmt == "table"), fmt  # a cell wraps
    overdue = run("overdue", "--format", "md", db=db)
    assert ONE in overdue.stdout and "Leisure contract" not in overdue.stdout
    assert "Leisure contract<br>Exempt: Schedule 12A, paragraph 3" in run("overdue", "--format", "md", "--exempt",
                                                                         db=db).stdout  # fmt: skip


def test_json_and_csv_hold_rows_alone_and_say_the_count_on_standard_error(db: str) -> None:
    public = run("tracker", "--format", "json", db=db)
    assert [(r["ref"], r["exempt"]) for r in json.loads(public.stdout)] == [(PUBLIC, None)]
    assert public.stderr == f"scrutiny-es: {SAID[:-1]}; --exempt holds them\n"
    held = run("tracker", "--format", "json", "--exempt", db=db)
    assert [(r["ref"], r["exempt"]) for r in json.loads(held.stdout)] == [(PUBLIC, None), (PERSONAL, "1"),
                                                                         (FINANCIAL, "3")]  # fmt: skip
    assert held.stderr == ""
    csv = run("overdue", "--format", "csv", db=db)
    assert csv.stdout.splitlines()[1:] == [line for line in csv.stdout.splitlines()[1:] if ",R1," in line] != []
    assert "1 item is exempt" in csv.stderr
    assert run("overdue", "--format", "csv", "--exempt", db=db).stdout.splitlines()[1].endswith(",3")


def test_the_clerks_table_says_what_it_withheld_and_comes_back_recording_nothing(tmp_path: Path, db: str) -> None:
    from openpyxl import load_workbook

    word, excel = tmp_path / "tracker.docx", tmp_path / "tracker.xlsx"
    for out in (word, excel):
        assert run("tracker", "--body", "BCSB", "--format", out.suffix[1:], "-o", str(out), db=db).returncode == 0
    assert SAID in [p.text for p in Document(str(word)).paragraphs]
    book = load_workbook(excel)
    assert [r[0] for r in book["Tracker"].iter_rows(min_row=2, values_only=True)] == [PUBLIC]
    assert book["Withheld"]["A1"].value == SAID
    before = len(Scrutiny(db).audit())
    clerk = ("--actor-id", "u1", "--actor-name", "Jo Clerk", "--actor-role", "scrutiny officer")
    for path in (word, excel):
        back = run("import", str(path), "--body", "BCSB", "--as-of", "2024-12-02", *clerk, db=db)
        assert back.returncode == 0 and back.stdout.startswith(f"imported 0 commands from {path.name}"), back
    assert len(Scrutiny(db).audit()) == before
    held = tmp_path / "part-b.xlsx"
    run("tracker", "--body", "BCSB", "--format", "xlsx", "--exempt", "-o", str(held), db=db)
    sheet = load_workbook(held)["Tracker"]
    assert [(r[0], r[-1]) for r in sheet.iter_rows(values_only=True)] == [
        ("Ref", "Exempt"), (PUBLIC, None), (PERSONAL, "Exempt: Schedule 12A, paragraph 1"),
        (FINANCIAL, "Exempt: Schedule 12A, paragraph 3"),
    ]  # fmt: skip


def test_the_pack_is_part_a_without_exempt_items_and_part_b_with_them_alone(tmp_path: Path, db: str) -> None:
    published = ("--body", "BCSB", "--meeting", "2024-03-14", "--published", "2024-12-02T12:00")
    public = json.loads(run("pack", *published, "--format", "json", db=db).stdout)
    assert (public["withheld"], [r["ref"] for r in public["tracker"]]) == (2, [PUBLIC])
    md = run("pack", *published, db=db).stdout
    assert f"{SAID} They are reported in Part B." in md and "Staff case" not in md
    html = run("pack", *published, "--format", "html", "--exempt", db=db).stdout
    assert "<title>Part B: exempt information – Tracking and Monitoring" in html and "Parks" not in html
    out = tmp_path / "part-b.docx"
    assert run("pack", *published, "--format", "docx", "--exempt", "-o", str(out), db=db).returncode == 0
    document = Document(str(out))
    assert document.core_properties.title.startswith("Part B: exempt information")
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Not for publication: paragraphs 1, 3 of Part 1 of Schedule 12A" in text
    assert "Exempt: Schedule 12A, paragraph 1" in text and "Parks" not in text
    assert any(p.text.startswith("Appendix 1") and "(Part B: exempt information)" in p.text
               for p in document.paragraphs)  # fmt: skip


def test_the_impact_report_says_how_many_items_its_figures_leave_out(db: str) -> None:
    assert "2 items are exempt" in run("impact", "--format", "md", db=db).stdout
    assert SAID in run("impact", "--format", "html", db=db).stdout
    figures = run("impact", "--format", "json", db=db)
    assert json.loads(figures.stdout)[0]["made"] == 1 and "2 items are exempt" in figures.stderr
    assert json.loads(run("impact", "--format", "json", "--exempt", db=db).stdout)[0]["made"] == 3


def test_an_exempt_item_comes_in_from_a_commands_file(tmp_path: Path, db_url: str) -> None:
    lines = jsonl(register(), make("R9", exempt="5"), command("correct", ref="R9", field="exempt", value=None,
                                                              reason="Advice published"))  # fmt: skip
    applied = run("apply", "-", db=db_url, stdin=lines)
    assert applied.returncode == 0, applied.stderr
    shown = json.loads(run("tracker", "--format", "json", db=db_url).stdout)
    assert [(r["ref"], r["exempt"]) for r in shown] == [("R9", None)]
    assert io.StringIO(run("audit", "--format", "csv", db=db_url).stdout).read().count("Schedule 12A") == 2


def test_tables_of_the_layout_before_exempt_items_are_rebuilt_from_the_log_when_first_opened(db: str) -> None:
    from sqlalchemy import text

    earlier = Scrutiny(db, clock=FixedClock())
    earlier.tracker()
    with parts.read_models_of(earlier).engine.begin() as conn:  # as the release before left them: layout 3
        conn.execute(text("DROP INDEX ix_tracker_1_exempt"))
        conn.execute(text("ALTER TABLE tracker_1 DROP COLUMN exempt"))
        conn.execute(text("ALTER TABLE overdue_item_1 DROP COLUMN exempt"))
        conn.execute(text("UPDATE projection_layout SET layout = 3 WHERE name IN ('tracker', 'overdue')"))
    earlier.close()
    app = Scrutiny(db, clock=FixedClock())
    assert (refs(app.tracker()), app.tracker().withheld) == ([(PUBLIC, None)], 2)
    assert refs(app.overdue(exempt=True)) == [(FINANCIAL, "3"), (PUBLIC, None)]
    assert [(s.name, s.lag) for s in app.projection_status()] == [(n, 0) for n in ("audit", "overdue", "seal",
                                                                                   "tracker")]  # fmt: skip
    app.close()
