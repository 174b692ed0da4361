"""Following the log: the audit trail read after a position, and each new entry as it is recorded; a host's
notifier that resumes where it left off handles every entry exactly once, in its own transaction."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert, select, update

from scrutiny_es import AuditRow, InvalidQuery, Scrutiny
from tests.conftest import FixedClock, command, make, register

NOTICES = MetaData()
notice_table = Table("host_notice", NOTICES, Column("position", Integer, primary_key=True), Column("text", String(500)))
notifier_table = Table(
    "host_notifier", NOTICES, Column("name", String(40), primary_key=True), Column("position", Integer, nullable=False)
)


def progress(ref: str = "R1", n: int = 1) -> dict[str, object]:
    return command("report_progress", ref=ref, note=f"Note {n}", reported_on="2024-03-01", reported_by="Officer")


@pytest.fixture
def recorded(db_url: str) -> Scrutiny:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    return app


def test_the_audit_trail_is_read_after_a_position_a_page_at_a_time(recorded: Scrutiny) -> None:
    for n in range(1, 6):
        recorded.execute(progress(n=n))
    everything = recorded.audit()
    assert [e.position for e in everything] == list(range(1, 9))
    assert recorded.audit(after=3, limit=2) == everything[3:5]
    assert recorded.audit(after=8) == []
    assert recorded.audit(limit=0) == []
    assert recorded.audit(ref="R2", after=1) == [everything[2]]
    with pytest.raises(InvalidQuery) as raised:
        recorded.audit(after=-1)
    assert raised.value.field == "after"


def test_following_gives_the_entries_after_a_position_and_ends_when_nothing_more_comes(recorded: Scrutiny) -> None:
    assert list(recorded.follow(after=1, timeout=0.05)) == recorded.audit()[1:]
    assert list(recorded.follow(after=3, timeout=0.05)) == []


@pytest.mark.parametrize("worker", [False, True], ids=["catching-up", "with-a-worker"])
def test_an_entry_recorded_elsewhere_is_delivered_to_a_waiting_follower(db_url: str, worker: bool) -> None:
    follower = Scrutiny(db_url, clock=FixedClock(), catch_up=not worker)
    writer = Scrutiny(db_url, clock=FixedClock())
    writer.execute(register())
    writer.execute(make("R1"))
    delivered: list[AuditRow] = []

    def write_later() -> None:
        time.sleep(0.3)  # most likely while the follower waits; if not, it finds the entry on its first read
        writer.execute(progress())
        if worker:  # the worker, here, is the writer applying what it wrote
            writer.catch_up()

    thread = threading.Thread(target=write_later)
    thread.start()
    for entry in follower.follow(after=2, timeout=60):
        delivered.append(entry)
        break
    thread.join()
    assert [(e.position, e.event) for e in delivered] == [(3, "ProgressReported")]
    follower.close()
    writer.close()


class Crash(Exception):
    """Stands for the notifier's process dying while it handles an entry."""


def notify(app: Scrutiny, engine: Engine, crash_at: int | None = None) -> int:
    """The host's notifier of docs/api.md: each entry's notice and the position reached, in one transaction."""
    with engine.begin() as conn:
        last = conn.execute(select(notifier_table.c.position).where(notifier_table.c.name == "mail")).scalar_one()
    handled = 0
    for entry in app.follow(after=last, timeout=0.05):
        with engine.begin() as conn:
            conn.execute(insert(notice_table).values(position=entry.position, text=entry.summary))
            if entry.position == crash_at:
                raise Crash
            moved = conn.execute(
                update(notifier_table)
                .where(notifier_table.c.name == "mail", notifier_table.c.position == last)
                .values(position=entry.position)
            )
            if moved.rowcount != 1:  # another notifier took it: this transaction is rolled back
                raise RuntimeError("another notifier handled this entry")
        last = entry.position
        handled += 1
    return handled


def test_a_notifier_that_resumes_where_it_left_off_handles_every_entry_once(recorded: Scrutiny, db_url: str) -> None:
    engine = create_engine(db_url)
    NOTICES.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(notifier_table).values(name="mail", position=0))
    for n in range(1, 4):
        recorded.execute(progress(n=n))

    with pytest.raises(Crash):
        notify(recorded, engine, crash_at=4)
    assert notify(recorded, engine) == 3  # 4, 5, 6: the crashed one again, as its notice was rolled back
    recorded.execute(progress(n=4))
    recorded.execute(progress("R2", n=5))
    assert notify(recorded, engine) == 2
    assert notify(recorded, engine) == 0

    with engine.connect() as conn:
        notices = conn.execute(select(notice_table.c.position).order_by(notice_table.c.position)).scalars().all()
        reached = conn.execute(select(notifier_table.c.position)).scalar_one()
    assert notices == [e.position for e in recorded.audit()] == list(range(1, 9))
    assert reached == 8
    engine.dispose()
