"""Several processes recording against the same items at once lose nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import make_url

from scrutiny_es import Scrutiny
from scrutiny_es.domain.model import Recommendation, recommendation_id
from tests import parts
from tests.conftest import FixedClock, NewDatabase, make, register

WRITERS = 4
COMMANDS = 25
WRITER = """
import sys
from datetime import date, timedelta
from scrutiny_es import Scrutiny
url, writer, commands = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = Scrutiny(url, catch_up=False)
actor = {"id": f"writer-{writer}", "name": f"Writer {writer}", "role": "clerk"}
for n in range(commands):
    app.execute({"command": "report_progress", "actor": actor, "body": "BCSB", "ref": f"R{n % 2 + 1}",
                 "note": f"writer {writer} note {n}", "reported_on": (date(2024, 3, 1) + timedelta(days=writer * 100 + n)).isoformat(),
                 "reported_by": "Officer"})
"""


def test_four_writers_on_the_same_items_lose_nothing(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, db_url, str(w), str(COMMANDS)], stderr=subprocess.PIPE, text=True
        )
        for w in range(WRITERS)
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=300)
        assert writer.returncode == 0, errors

    sent = {(w, n) for w in range(WRITERS) for n in range(COMMANDS)}
    assert len(parts.read_models_of(app).log.read(0, 10_000)) == 3 + len(sent)  # positions may have gaps on PostgreSQL
    recorded = set()
    for ref in ("R1", "R2"):
        for event in parts.store_of(app).events(recommendation_id("BCSB", ref)):
            if isinstance(event, Recommendation.ProgressReported):
                writer, note = event.note.removeprefix("writer ").split(" note ")
                assert ref == f"R{int(note) % 2 + 1}"
                recorded.add((int(writer), int(note)))
    assert recorded == sent

    audit = app.audit()
    assert [entry.position for entry in audit] == list(range(1, 4 + len(sent)))
    progress = [entry for entry in audit if entry.event == "ProgressReported"]
    assert sorted(entry.actor for entry in progress) == sorted(f"Writer {w} (clerk)" for w, _ in sent)
    latest = {ref: max(n for n in range(COMMANDS) if f"R{n % 2 + 1}" == ref) for ref in ("R1", "R2")}
    last_day = {ref: date(2024, 3, 1) + timedelta(days=(WRITERS - 1) * 100 + n) for ref, n in latest.items()}
    assert [(row.ref, row.notes, row.last_changed_on) for row in app.tracker()] == [
        (ref, f"writer {WRITERS - 1} note {latest[ref]}", last_day[ref]) for ref in ("R1", "R2")
    ]


SMALL_WRITER = WRITER.replace("writer * 100", "writer * 10")
"""Sixteen writers' days, all in the past."""


@pytest.mark.parametrize("new_database", ["postgresql"], indirect=True)
def test_sixteen_writer_processes_fit_in_a_default_server_s_hundred_connections(new_database: NewDatabase) -> None:
    with new_database() as url:
        app = Scrutiny(url, clock=FixedClock())
        app.execute(register())
        app.execute(make("R1"))
        app.execute(make("R2"))
        u = make_url(url)
        most = 0
        with psycopg.connect(host=str(u.host), port=u.port or 5432, dbname=u.database, user=u.username,
                             autocommit=True) as admin:  # fmt: skip
            writers = [
                subprocess.Popen(
                    [sys.executable, "-c", SMALL_WRITER, url, str(w), "4"], stderr=subprocess.PIPE, text=True
                )
                for w in range(16)
            ]
            while any(writer.poll() is None for writer in writers):
                found = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
                most = max(most, int((found.fetchone() or (0,))[0]))
                time.sleep(0.05)
            for writer in writers:
                _, errors = writer.communicate(timeout=300)
                assert writer.returncode == 0, errors
        assert 16 < most <= 97  # a default server: max_connections 100, three kept for superusers
        assert len(app.audit()) == 3 + 16 * 4
        app.close()
