"""A sealed record of eight events, and the ways an attacker with the database's password changes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from scrutiny_es import Scrutiny
from tests import parts
from tests.conftest import FixedClock, command, make, register


def sealed_record(db_url: str) -> Scrutiny:
    """Eight events, sealed: a body, an item, two referrals, two responses, a progress report, a closure."""
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    for who in ("Cabinet", "Director of Housing"):
        app.execute(command("refer", ref="R1", addressee=who, received_on="2024-02-20"))
    for who, verdict in (("Cabinet", "accepted"), ("Director of Housing", "noted")):
        app.execute(command("record_response", ref="R1", addressee=who, decision=verdict, text="Yes",
                            responded_on="2024-03-01", responded_by=who))  # fmt: skip
    app.execute(command("report_progress", ref="R1", note="n", reported_on="2024-03-14", reported_by="x"))
    app.execute(command("close", ref="R1", outcome="implemented", decided_on="2024-04-11"))
    assert app.verify().ok
    assert len(app.audit()) == 8  # every read model caught up
    return app


def postgres(app: Scrutiny) -> bool:
    return bool(parts.read_models_of(app).engine.dialect.name == "postgresql")


def sql(app: Scrutiny, statement: str, **values: Any) -> list[Any]:
    """Runs SQL as an attacker would: ``ID`` is the row's place in the store, ``scrutiny_events`` the events."""
    statement = statement.replace("ID", "notification_id" if postgres(app) else "rowid")
    statement = statement.replace("scrutiny_events", parts.store_of(app).recorder.events_table_name)
    with parts.read_models_of(app).engine.begin() as conn:
        result = conn.execute(text(statement), values)
        return list(result) if result.returns_rows else []


def changed(app: Scrutiny) -> set[str]:
    sql(app, "UPDATE scrutiny_events SET state = :state WHERE ID = 5", state=json.dumps({"x": 1}).encode())
    return {"position 5: changed"}


def forged(app: Scrutiny) -> set[str]:
    (state,) = sql(app, "SELECT state FROM scrutiny_events WHERE ID = 5")[0]
    sql(app, "UPDATE scrutiny_events SET state = :state WHERE ID = 5",
        state=bytes(state).replace(b'"accepted"', b'"rejected"'))  # fmt: skip
    return {"position 5: changed"}


def removed(app: Scrutiny) -> set[str]:
    sql(app, "DELETE FROM scrutiny_events WHERE ID = 4")
    return {"position 4: missing"}


def put_in(app: Scrutiny) -> set[str]:
    (row,) = sql(app, "SELECT originator_id, topic, state FROM scrutiny_events WHERE ID = 7")
    sql(app, "INSERT INTO scrutiny_events (ID, originator_id, originator_version, topic, state) "
             "VALUES (0, :who, 99, :topic, :state)", who=row[0], topic=row[1], state=row[2])  # fmt: skip
    return {"position 1: not sealed"}


def swapped(app: Scrutiny) -> set[str]:
    (five,), (six,) = sql(app, "SELECT state FROM scrutiny_events WHERE ID IN (5, 6) ORDER BY ID")
    sql(app, "UPDATE scrutiny_events SET state = :state WHERE ID = 5", state=six)
    sql(app, "UPDATE scrutiny_events SET state = :state WHERE ID = 6", state=five)
    return {"position 5: changed"}


def last_replaced(app: Scrutiny) -> set[str]:
    sql(app, "DELETE FROM scrutiny_events WHERE ID = 8")
    Scrutiny(app.url, clock=FixedClock()).execute(register("XSB"))  # another writer, where the closure was
    return {"position 8: changed", "position 8: missing"}  # SQLite takes the row's place again; PostgreSQL not


def edited_as_text(app: Scrutiny) -> set[str]:
    """The closure's outcome edited with the database's own text functions (on SQLite the state becomes TEXT)."""
    if postgres(app):
        edit = "convert_to(replace(convert_from(state, 'UTF8'), 'implemented', 'withdrawn'), 'UTF8')"
    else:
        edit = "replace(state, 'implemented', 'withdrawn')"
    sql(app, f"UPDATE scrutiny_events SET state = {edit} WHERE ID = 8")  # noqa: S608
    return {"position 8: changed"}


TAMPERING: dict[str, Callable[[Scrutiny], set[str]]] = {
    f.__name__: f for f in (changed, forged, removed, put_in, swapped, last_replaced, edited_as_text)
}
"""The seven kinds of tampering, each giving the faults ``verify`` may name for it."""
