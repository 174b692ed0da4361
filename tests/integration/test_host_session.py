"""A host application hands over its SQLAlchemy session: our writes and its writes share one transaction."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select
from sqlalchemy.orm import scoped_session, sessionmaker

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.database import UnsupportedDatabase
from scrutiny_es.domain.errors import BodyNotFound, NotAnAddressee
from scrutiny_es.domain.model import recommendation_id
from tests import parts
from tests.conftest import FixedClock, command, make, register

CASES = Table("host_case", MetaData(), Column("id", Integer, primary_key=True), Column("note", String(100)))


def test_the_host_commits_or_rolls_back_its_writes_and_ours_together(db_url: str) -> None:
    engine = create_engine(db_url)
    CASES.metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    app = Scrutiny(session=session, clock=FixedClock())

    session.execute(insert(CASES).values(note="case opened"))
    app.execute(register())
    app.execute(make())
    session.rollback()
    assert session.execute(select(func.count()).select_from(CASES)).scalar_one() == 0
    assert app.tracker() == []
    session.rollback()

    session.execute(insert(CASES).values(note="case opened"))
    app.execute(register())
    app.execute(make())
    session.commit()
    assert session.execute(select(func.count()).select_from(CASES)).scalar_one() == 1
    session.rollback()
    assert [row.ref for row in app.tracker()] == ["R1"]
    assert [entry.event for entry in app.audit()] == ["Registered", "Made"]
    session.remove()
    app.close()


def test_nothing_the_host_rolled_back_is_taken_as_recorded(db_url: str) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    app = Scrutiny(session=session, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    session.rollback()
    with pytest.raises(BodyNotFound):
        app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    with pytest.raises(BodyNotFound):
        app.execute(make("R2"))
    session.rollback()
    assert app.audit() == []
    session.remove()
    app.close()


def test_a_plain_scrutiny_opens_a_database_written_through_a_host_session(db_url: str) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    host_app = Scrutiny(session=session, clock=FixedClock())
    host_app.execute(register())
    host_app.execute(make())
    session.commit()
    worker_app = Scrutiny(db_url)  # as the command line or a worker opens it
    assert worker_app.recommendation("BCSB", "R1").item == "Fishing Policy"
    assert [row.ref for row in worker_app.tracker()] == ["R1"]
    session.remove()


def test_a_host_session_cannot_take_over_a_database_written_without_one(db_url: str) -> None:
    Scrutiny(db_url).execute(register())
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    with pytest.raises(UnsupportedDatabase, match="cannot be shared with a host's session"):
        Scrutiny(session=session)


def test_the_command_line_writing_to_a_host_database_keeps_positions_and_command_ids(db_url: str) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    host_app = Scrutiny(session=session, clock=FixedClock())
    host_app.execute(register())
    session.commit()
    worker_app = Scrutiny(db_url, clock=FixedClock())  # the shared store, without a session
    first = worker_app.execute(make(command_id="minute-12"))
    assert worker_app.execute(make(command_id="minute-12")).position == first.position == 2
    host_app.execute(make("R2"))
    session.commit()
    assert [(entry.position, entry.ref) for entry in worker_app.audit()] == [(1, None), (2, "R1"), (3, "R2")]
    assert worker_app.verify().ok
    assert worker_app.verify().events == 3
    session.remove()
    worker_app.close()


def test_a_batch_stamped_before_the_log_leaves_nothing_behind_in_the_host_session(db_url: str) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    behind = Scrutiny(session=session, clock=FixedClock(datetime(2024, 12, 2, 9, 0, tzinfo=UTC)))
    behind.execute(register())
    session.commit()
    ahead = Scrutiny(session=session, clock=FixedClock(datetime(2024, 12, 2, 10, 0, tzinfo=UTC)))
    ahead.execute(make("R1"))
    session.commit()
    behind.execute(make("R2"))  # stamped 9:00, after the log's 10:00: refused by the store, stamped again
    session.commit()
    entries = behind.audit()
    assert [(entry.event, entry.ref) for entry in entries] == [("Registered", None), ("Made", "R1"), ("Made", "R2")]
    assert entries[2].recorded_at == entries[1].recorded_at
    assert behind.verify().events == 3
    session.remove()
    behind.close()
    ahead.close()


POSTERS = 8


def test_eight_form_posts_at_once_to_one_item_are_all_recorded_with_the_hosts_own_writes(db_url: str) -> None:
    engine = create_engine(db_url)
    CASES.metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    app = Scrutiny(session=session, clock=FixedClock())
    app.unit_of_work(lambda: [app.execute(register()), app.execute(make())])
    start = threading.Barrier(POSTERS)
    tries: list[int] = []

    def post(n: int) -> None:
        def work() -> None:
            tries.append(n)
            session.execute(select(func.count()).select_from(CASES)).scalar_one()  # a host reads first, as forms do
            session.execute(insert(CASES).values(note=f"progress form {n}"))
            app.execute(command("report_progress", ref="R1", note=f"Post {n}", reported_on="2024-03-01",
                                reported_by="Officer"))  # fmt: skip

        start.wait()
        try:
            app.unit_of_work(work)
        finally:
            session.remove()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(POSTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    notes = sorted(e.note for e in parts.store_of(app).events(recommendation_id("BCSB", "R1")) if hasattr(e, "note"))
    assert notes == sorted(f"Post {n}" for n in range(POSTERS))
    with engine.connect() as conn:
        cases = conn.execute(select(CASES.c.note)).scalars().all()
    assert sorted(cases) == sorted(f"progress form {n}" for n in range(POSTERS))  # none twice, none lost
    assert [e.position for e in app.audit()] == list(range(1, 3 + POSTERS))
    assert len(tries) >= POSTERS
    session.remove()
    app.close()


def test_a_unit_of_work_that_fails_is_rolled_back_whole(db_url: str) -> None:
    engine = create_engine(db_url)
    CASES.metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    app = Scrutiny(session=session, clock=FixedClock())
    app.unit_of_work(lambda: app.execute(register()))

    def work() -> None:
        session.execute(insert(CASES).values(note="case opened"))
        app.execute(make())
        app.execute(command("refer", ref="R1", addressee="Nobody", received_on="2024-02-20"))

    with pytest.raises(NotAnAddressee):
        app.unit_of_work(work)
    assert session.execute(select(func.count()).select_from(CASES)).scalar_one() == 0
    assert [e.event for e in app.audit()] == ["Registered"]
    session.remove()
    app.close()


def test_a_form_posted_twice_in_the_hosts_transaction_is_recorded_once(db_url: str) -> None:
    engine = create_engine(db_url)
    CASES.metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    app = Scrutiny(session=session, clock=FixedClock())
    app.unit_of_work(lambda: [app.execute(register()), app.execute(make())])
    form = command("report_progress", ref="R1", note="Survey done", reported_on="2024-03-01", reported_by="Officer")

    def post() -> Any:
        session.execute(insert(CASES).values(note="form posted"))  # the host writes first, holding SQLite's lock
        return app.execute(form)

    first = app.unit_of_work(post)
    again = app.unit_of_work(post)
    assert (first.already_recorded, again.already_recorded) == (False, True)
    assert again.events == ("ProgressReported",)
    assert [e.event for e in app.audit()] == ["Registered", "Made", "ProgressReported"]
    session.remove()
    app.close()


def test_a_batch_in_the_hosts_transaction_making_an_item_made_before_is_told_it_is_already_recorded(
    db_url: str,
) -> None:
    session = scoped_session(sessionmaker(bind=create_engine(db_url)))
    app = Scrutiny(session=session, clock=FixedClock())
    app.unit_of_work(lambda: [app.execute(register()), app.execute(make("R1"))])
    # Not "another writer changed the same item" on every try: the transaction cannot be tried again part way.
    again = app.unit_of_work(lambda: app.execute_many([make("R1"), make("R2")]))
    assert [(r.ref, r.already_recorded) for r in again] == [("R1", True), ("R2", False)]
    assert [e.event for e in app.audit()] == ["Registered", "Made", "Made"]
    session.remove()
