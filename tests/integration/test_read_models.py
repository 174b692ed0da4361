"""The read models in SQL: applied exactly once, rebuilt without readers seeing a half-built table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, text

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.sql.readmodels import SqlReadModels
from scrutiny_es.adapters.sql.runner import ProjectionRunner, RebuildUnderWay
from scrutiny_es.adapters.sql.writers import AuditWriter, TrackerWriter, writers
from tests import parts
from tests.conftest import FixedClock, command, fresh_postgres_database, make, register


class Crash(Exception):
    """Stands for the process dying in the middle of a batch."""


def record_history(app: Scrutiny, items: int = 4) -> None:
    app.execute(register())
    for n in range(1, items + 1):
        ref = f"R{n}"
        app.execute(make(ref))
        app.execute(command("refer", ref=ref, addressee="Cabinet", received_on="2024-02-20"))
        app.execute(command("report_progress", ref=ref, note=f"Progress {n}", reported_on="2024-03-14",
                            reported_by="Director", rag="amber"))  # fmt: skip
        if n % 2:
            app.execute(command("record_response", ref=ref, addressee="Cabinet", decision="accepted", text="Yes",
                                responded_on="2024-04-25", responded_by="Cabinet"))  # fmt: skip


def snapshot(app: Scrutiny) -> tuple[Any, ...]:
    on = date(2024, 5, 1)
    return (app.tracker(), parts.read_models_of(app).overdue(on), app.audit())


def crash_on(monkeypatch: pytest.MonkeyPatch, projection: type[Any], call: int) -> None:
    original = projection.flush
    calls = 0

    def flush(self: Any, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == call:
            raise Crash
        original(self, *args)

    monkeypatch.setattr(projection, "flush", flush)


def test_queries_show_a_command_as_soon_as_execute_returns(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make())
    assert [r.status for r in app.tracker()] == ["made"]
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    assert [r.status for r in app.tracker()] == ["awaiting_response"]


def test_a_crash_between_batches_leaves_every_event_applied_exactly_once(
    db_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Scrutiny(db_url, clock=clock, catch_up=False)
    record_history(app)
    parts.read_models_of(app).runner.BATCH = 5
    crash_on(monkeypatch, AuditWriter, call=3)
    with pytest.raises(Crash):
        parts.read_models_of(app).catch_up()
    assert {s.name: s.position for s in parts.read_models_of(app).status()} == {
        "audit": 10,
        "overdue": 10,
        "seal": 10,
        "tracker": 10,
    }
    monkeypatch.undo()

    restarted = Scrutiny(db_url)
    parts.read_models_of(restarted).runner.BATCH = 5
    tracker, overdue, audit = snapshot(restarted)
    assert [entry.position for entry in audit] == list(range(1, parts.read_models_of(restarted).log.head() + 1))
    fresh = Scrutiny(db_url)
    parts.read_models_of(fresh).rebuild()
    assert snapshot(fresh) == (tracker, overdue, audit)


def test_a_rebuild_stopped_part_way_resumes_and_readers_see_the_old_tables_meanwhile(
    app: Scrutiny, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_history(app)
    before = snapshot(app)
    read_models = SqlReadModels(parts.read_models_of(app).engine, parts.read_models_of(app).log)
    read_models.runner.BATCH = read_models.runner.CHECKPOINT = 4
    crash_on(monkeypatch, TrackerWriter, call=3)
    with pytest.raises(Crash):
        read_models.rebuild(["tracker"])
    (status,) = read_models.status(["tracker"])
    assert status.rebuilding_at == 8
    assert snapshot(app) == before  # readers still use the complete generation
    monkeypatch.undo()

    app.execute(command("reaffirm", ref="R2", decided_on="2024-05-09"))  # the live generation keeps up meanwhile
    read_models.rebuild(["tracker"])
    (status,) = read_models.status(["tracker"])
    assert (status.position, status.rebuilding_at) == (read_models.log.head(), None)
    assert app.tracker() == app.tracker(as_known_at=datetime(2100, 1, 1, tzinfo=UTC))  # the same as a replay
    assert [r.last_changed_on for r in app.tracker(ref="R2")] == [date(2024, 5, 9)]
    tables = set(inspect(parts.read_models_of(app).engine).get_table_names())
    assert {t for t in tables if t.startswith("tracker_")} == {"tracker_2", "tracker_body_2", "tracker_calendar_2"}


def test_status_shows_each_projection_against_the_head_of_the_log(db_url: str, clock: FixedClock) -> None:
    app = Scrutiny(db_url, clock=clock, catch_up=False)
    record_history(app, items=1)
    assert [(s.name, s.position, s.head, s.lag) for s in parts.read_models_of(app).status()] == [
        ("audit", 0, 5, 5),
        ("overdue", 0, 5, 5),
        ("seal", 0, 5, 5),
        ("tracker", 0, 5, 5),
    ]
    parts.read_models_of(app).catch_up(["audit"])
    assert [s.lag for s in parts.read_models_of(app).status()] == [0, 5, 5, 5]


def test_a_second_rebuild_of_the_same_projection_is_refused(app: Scrutiny, monkeypatch: pytest.MonkeyPatch) -> None:
    record_history(app)
    first = ProjectionRunner(parts.read_models_of(app).engine, parts.read_models_of(app).log)
    second = ProjectionRunner(parts.read_models_of(app).engine, parts.read_models_of(app).log)
    absorb = first._absorb

    def absorb_while_another_rebuilds(*args: Any, **kwargs: Any) -> Any:
        done = absorb(*args, **kwargs)
        second.rebuild(["tracker"])  # another process finishes a rebuild meanwhile
        return done

    monkeypatch.setattr(first, "_absorb", absorb_while_another_rebuilds)
    with pytest.raises(RebuildUnderWay, match="the tracker projection is being rebuilt by another process"):
        first.rebuild(["tracker"])
    assert app.tracker() == app.tracker(as_known_at=datetime(2100, 1, 1, tzinfo=UTC))


def test_a_resumed_rebuild_beside_a_fresh_one_gives_each_projection_its_full_history(
    app: Scrutiny, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.execute(register())
    refs = [f"R{n}" for n in range(1, 7)]
    for ref in refs:  # every item has events all through the log
        app.execute(make(ref))
    for ref in refs:
        app.execute(command("refer", ref=ref, addressee="Cabinet", received_on="2024-02-20"))
    for ref in refs:
        app.execute(command("record_response", ref=ref, addressee="Cabinet", decision="accepted", text="Yes",
                            responded_on="2024-04-25", responded_by="Cabinet"))  # fmt: skip
    read_models = SqlReadModels(parts.read_models_of(app).engine, parts.read_models_of(app).log)
    read_models.runner.BATCH = read_models.runner.CHECKPOINT = 4
    crash_on(monkeypatch, TrackerWriter, call=3)
    with pytest.raises(Crash):
        read_models.rebuild(["tracker"])
    monkeypatch.undo()

    # The tracker resumes from position 8 while the overdue list starts from 0, several batches to a checkpoint.
    read_models.runner.BATCH, read_models.runner.CHECKPOINT = 3, 12
    read_models.rebuild(["tracker", "overdue"])
    replayed_at = datetime(2100, 1, 1, tzinfo=UTC)
    assert app.tracker() == app.tracker(as_known_at=replayed_at)
    on = date(2024, 4, 22)  # the responses are due on 19 April and come on the 25th
    overdue = parts.read_models_of(app).overdue(on)
    assert [row.ref for row in overdue] == refs
    assert overdue == app.overdue(as_of=on)


def test_a_rebuild_on_postgresql_leaves_the_planner_statistics_of_its_new_tables(postgres_server: str) -> None:
    with fresh_postgres_database(postgres_server) as url:
        app = Scrutiny(url)
        record_history(app)
        parts.read_models_of(app).rebuild()
        with parts.read_models_of(app).engine.connect() as conn:
            generations = dict(conn.execute(text("SELECT name, generation FROM projection")).tuples().all())
            analysed = set(conn.execute(text("SELECT DISTINCT tablename FROM pg_stats")).scalars())
            tables = {t.name for name, writer in writers().items() for t in writer.tables(generations[name])}
            # ANALYZE keeps no statistics of a table with no rows (no item here was transferred: tracker_body).
            filled = {t for t in tables if conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar()}  # noqa: S608
        app.close()
    assert generations == {"tracker": 2, "overdue": 2, "audit": 2, "seal": 2}
    assert tables - filled == {f"tracker_body_{generations['tracker']}"}
    assert filled <= analysed


AWKWARD = 'Line one,\tthen a tab\nand a second line; a back\\slash, "quotes", \\N, £ and “curly” ones.'
"""Text the database drivers must escape (PostgreSQL's COPY reads tabs, newlines, backslashes and \\N itself)."""


def test_what_a_clerk_typed_comes_back_from_every_read_model_as_typed(app: Scrutiny) -> None:
    addressees = [{"name": "Director of \\Housing", "kind": "officer"}]
    app.execute(register())
    app.execute(make("R\\1", text=AWKWARD, addressees=addressees, target_date="2024-03-01"))
    app.execute(command("report_progress", ref="R\\1", note=AWKWARD, reported_on="2024-03-14", reported_by="Director"))

    (row,) = app.tracker()
    (owed,) = parts.read_models_of(app).overdue(date(2024, 5, 1))
    trail = app.audit(ref="R\\1")
    assert (row.ref, row.text, row.notes, row.addressees) == ("R\\1", AWKWARD, AWKWARD, ["Director of \\Housing"])
    assert (owed.ref, owed.responsible) == ("R\\1", ["Director of \\Housing"])
    assert [entry.ref for entry in trail] == ["R\\1", "R\\1"]
    parts.read_models_of(app).rebuild()
    assert (app.tracker(), parts.read_models_of(app).overdue(date(2024, 5, 1)), app.audit(ref="R\\1")) == (
        [row],
        [owed],
        trail,
    )


def test_the_live_tracker_and_overdue_list_follow_the_boards_calendar(db_url: str, clock: Any) -> None:
    clock.time = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    app = Scrutiny(db_url, clock=clock)
    app.execute(register())
    app.execute(register("HASC", name="Health and Adult Social Care Scrutiny Board"))
    for body in ("BCSB", "HASC"):
        app.execute(make("R1", body=body, meeting_date="2024-01-17"))
        app.execute(command("defer", body=body, ref="R1", until=None, reason="Awaiting the regulator",
                            decided_on="2024-02-15"))  # fmt: skip
    app.execute(make("R2", meeting_date="2024-01-17"))
    assert [r.deferred_until for r in app.tracker(body="BCSB")] == ["future meeting", None]

    app.execute(command("schedule_meeting", meeting_date="2024-03-14"))
    app.execute(command("schedule_meeting", meeting_date="2024-04-11"))
    assert [r.deferred_until for r in app.tracker()] == [date(2024, 3, 14), None, "future meeting"]
    app.close()

    clock.time = datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
    app = Scrutiny(db_url, clock=clock)  # a new process: the calendar is read back from the tables
    late = [(o.body, o.ref, o.reason, o.due) for o in app.overdue()]
    assert late == [("BCSB", "R1", "deferral", date(2024, 3, 14))]
    assert app.tracker(body="BCSB", ref="R1")[0].overdue == ["deferral"]

    app.execute(command("cancel_meeting", meeting_date="2024-03-14", reason="Purdah"))
    assert app.overdue() == []
    (moved,) = app.tracker(body="BCSB", ref="R1")
    assert (moved.deferred_until, moved.overdue) == (date(2024, 4, 11), [])
    live = (app.tracker(), app.overdue(as_of=None))
    assert live == (app.tracker(as_of=date(2024, 3, 15)), app.overdue(as_of=date(2024, 3, 15)))
    app.rebuild()
    assert (app.tracker(), app.overdue()) == live
    app.close()
