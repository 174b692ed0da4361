"""The overdue list as the database gives it: the rows the fold makes, read quickly."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event

from scrutiny_es import Scrutiny
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import recommendation_id
from scrutiny_es.projections.items import fold, overdue_rows
from tests import parts
from tests.conftest import FixedClock, command, make, register

ON = date(2024, 5, 1)
ADDRESSEES = [{"name": "Cabinet", "kind": "executive"}, {"name": 'Director of "Housing" & Lakes', "kind": "officer"}]
NAMES = ["Cabinet", 'Director of "Housing" & Lakes']


def record_items(app: Scrutiny) -> None:
    """Three items owing the same things on the same days, and one in another body."""
    app.execute(register())
    app.execute(register("OSMB", name="Overview and Scrutiny Management Board"))
    for body, ref in [("BCSB", "R1"), ("BCSB", "R2"), ("BCSB", "R3"), ("OSMB", "R1")]:
        app.execute(make(ref, body, addressees=ADDRESSEES, target_date="2024-03-01"))
        app.execute(command("refer", body, ref=ref, addressee="Cabinet", received_on="2024-02-20"))
    parts.read_models_of(app).catch_up()


def history(app: Scrutiny, body: str, ref: str) -> ItemHistory:
    folded: ItemHistory | None = None
    for e in parts.store_of(app).events(recommendation_id(body, ref)):
        folded = fold(folded, e)
    assert folded is not None
    return folded


def test_the_overdue_list_holds_the_rows_the_fold_makes_each_with_its_own_list_of_names(app: Scrutiny) -> None:
    record_items(app)
    rows = parts.read_models_of(app).overdue(ON)
    items = [("BCSB", "R1"), ("BCSB", "R2"), ("BCSB", "R3"), ("OSMB", "R1")]
    assert rows == overdue_rows([history(app, *item) for item in items], ON)
    assert [(r.body, r.ref, r.reason, r.due, r.days_overdue, r.responsible) for r in rows[:5]] == [
        ("BCSB", "R1", "target_date", date(2024, 3, 1), 61, NAMES),
        ("BCSB", "R2", "target_date", date(2024, 3, 1), 61, NAMES),
        ("BCSB", "R3", "target_date", date(2024, 3, 1), 61, NAMES),
        ("OSMB", "R1", "target_date", date(2024, 3, 1), 61, NAMES),
        ("BCSB", "R1", "response", date(2024, 4, 19), 12, ["Cabinet"]),
    ]
    assert all(type(r.due) is date and type(r.days_overdue) is int for r in rows)
    rows[0].responsible.append("Someone else")
    assert [r.responsible for r in rows[1:4]] == [NAMES, NAMES, NAMES]


def test_the_overdue_list_of_one_body_or_one_item(app: Scrutiny) -> None:
    record_items(app)
    rows = parts.read_models_of(app).overdue(ON)
    assert parts.read_models_of(app).overdue(ON, body="OSMB") == [r for r in rows if r.body == "OSMB"]
    assert parts.read_models_of(app).overdue(ON, ref="R2") == [r for r in rows if r.ref == "R2"]
    assert parts.read_models_of(app).overdue(ON, body="OSMB", ref="R2") == []
    assert parts.read_models_of(app).overdue(date(2024, 3, 1)) == []  # the last permitted day is not yet overdue


def test_on_sqlite_open_obligations_are_read_from_their_index_alone_and_in_order(tmp_path: Path) -> None:
    app = Scrutiny(f"sqlite:///{tmp_path / 'scrutiny.db'}", clock=FixedClock())
    record_items(app)
    sent: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(parts.read_models_of(app).engine, "before_cursor_execute", remember)
    assert parts.read_models_of(app).overdue(ON)
    event.remove(parts.read_models_of(app).engine, "before_cursor_execute", remember)
    (statement, parameters), *_ = [(s, p) for s, p in sent if "FROM obligation_" in s]
    with parts.read_models_of(app).engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    not_met, met_later = [step for step in plan if step.startswith(("SEARCH", "SCAN")) and "obligation_" in step]
    assert [step for step in plan if "overdue_item_" in step and "(item_id=?)" not in step] == []  # item by key
    assert not_met.startswith("SEARCH") and "COVERING INDEX" in not_met, plan
    assert met_later.startswith("SEARCH"), plan
    assert [step for step in plan if "TEMP B-TREE" in step] == ["USE TEMP B-TREE FOR ORDER BY"], plan  # met later only
    app.close()


def test_responses_due_the_same_day_come_in_the_order_the_addressees_were_referred(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make("R1", addressees=[*reversed(ADDRESSEES), {"name": "Audit Committee", "kind": "other"}]))
    for name in ['Director of "Housing" & Lakes', "Audit Committee", "Cabinet"]:
        app.execute(command("refer", ref="R1", addressee=name, received_on="2024-02-20", response_due="2024-04-19"))
    parts.read_models_of(app).catch_up()
    rows = parts.read_models_of(app).overdue(ON)
    assert rows == overdue_rows([history(app, "BCSB", "R1")], ON)
    assert [r.responsible for r in rows] == [['Director of "Housing" & Lakes'], ["Audit Committee"], ["Cabinet"]]


def test_on_sqlite_a_public_list_counts_its_exempt_items_without_walking_every_item(tmp_path: Path) -> None:
    app = Scrutiny(f"sqlite:///{tmp_path / 'scrutiny.db'}", clock=FixedClock())
    record_items(app)
    engine = parts.read_models_of(app).engine
    sent: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    whole, page = app.overdue(), app.overdue(limit=2)  # live, on the clock's day
    event.remove(engine, "before_cursor_execute", remember)
    assert (len(whole) > 2, whole.withheld, page.withheld, page) == (True, 0, 0, whole[:2])
    asked = [(s, p) for s, p in sent if "FROM obligation_" in s or "FROM tracker_" in s]
    assert [s.split("FROM ")[1].split("_")[0] for s, _ in asked] == ["obligation", "tracker", "obligation"]
    (statement, parameters) = asked[1]  # the page's: is any item exempt?
    with engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert len(plan) == 1 and "USING INDEX ix_tracker_1_exempt" in plan[0], plan
    app.close()
