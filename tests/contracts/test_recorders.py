"""eventsourcing's own recorder contract, run against this library's three recorders, on SQLite and PostgreSQL.

As eventsourcing-sqlalchemy proves its recorders (its ``tests/test_recorders.py``): each case subclasses
eventsourcing's ``ApplicationRecorderTestCase`` and only says how to make a bare recorder, whose
``create_table`` must make every table its inserts use. What the positions deliberately change is one
thing: ``insert_events`` returns the events' positions in the log (1, 2, 3... gapless), where eventsourcing
returns the database's ids. On a fresh database those are the same numbers, so the inherited tests stand
as written; ``test_returns_positions_where_the_ids_have_gaps`` adds the case where they differ.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import make_url

from scrutiny_es.adapters.store.postgres import PostgresEventRecorder
from scrutiny_es.adapters.store.shared import SharedEventRecorder
from scrutiny_es.adapters.store.sqlite import SQLiteEventRecorder
from scrutiny_es.application.ports import Outdated
from tests.conftest import fresh_postgres_database

EVENTS = "stored_events"


class RecorderCase(ApplicationRecorderTestCase[ApplicationRecorder]):
    """A bare recorder on a database of its own for each test; subclasses say which."""

    __test__ = False
    server: str | None = None

    @pytest.fixture(autouse=True)
    def _database(self, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
        self.tmp_path = tmp_path
        self.request = request
        before = set(threading.enumerate())
        with ExitStack() as self.cleanup:
            yield
            # eventsourcing's test_concurrent_no_conflicts stops its reader threads without joining them:
            # closing the datastore under a reader still in SQLite's C code crashes the process.
            for thread in set(threading.enumerate()) - before:
                if not thread.daemon:  # a connection pool's workers are daemons, and live as long as the pool
                    thread.join(timeout=60)

    def postgres_url(self) -> str:
        return self.cleanup.enter_context(fresh_postgres_database(self.request.getfixturevalue("postgres_server")))

    def make(self) -> ApplicationRecorder:
        raise NotImplementedError

    def create_recorder(self) -> ApplicationRecorder:
        recorder = self.make()
        recorder.create_table()
        return recorder

    def make_gap(self, recorder: Any) -> None:
        """Takes ids as a rolled-back append would (only PostgreSQL's sequences leave gaps)."""
        raise NotImplementedError

    def test_returns_positions_where_the_ids_have_gaps(self) -> None:
        recorder = self.create_recorder()
        first = StoredEvent(uuid4(), 1, "topic", b"state")
        assert recorder.insert_events([first]) == [1]
        self.make_gap(recorder)
        second = [StoredEvent(uuid4(), 1, "topic", b"state"), StoredEvent(uuid4(), 1, "topic", b"state")]
        assert recorder.insert_events(second) == [2, 3], "positions, not the database's ids"
        assert [n.id for n in recorder.select_notifications(start=None, limit=10)] == [1, 4, 5]

    def test_keeps_every_byte_of_a_state_and_every_character_of_a_topic_as_given(self) -> None:
        # PostgreSQL's append sends its rows in binary; sent as text, each field would be quoted and escaped.
        recorder = self.create_recorder()
        states = [bytes(range(256)), b'{"text":"a \\"quoted\\" ( , ) {brace} \\\\ back\\u0000slash"}', b""]
        topics = ["scrutiny_es.domain.model:Recommendation.Made", 'topic with "quotes", (commas) and \\ ⁂', "t"]
        key = uuid4()
        given = list(zip(topics, states, strict=True))
        assert recorder.insert_events([StoredEvent(key, n + 1, t, s) for n, (t, s) in enumerate(given)]) == [1, 2, 3]
        assert [(e.topic, bytes(e.state)) for e in recorder.select_events(key)] == given

    def test_refuses_a_batch_when_an_aggregate_it_read_unchanged_has_changed_and_writes_nothing(self) -> None:
        recorder = self.create_recorder()
        body, other = uuid4(), uuid4()
        assert recorder.insert_events([StoredEvent(body, 1, "topic", b"registered")]) == [1]
        item = StoredEvent(uuid4(), 1, "topic", b"made")
        for read in ({body: 0}, {body: 2}, {body: 1, other: 1}):
            with pytest.raises(Outdated) as refused:
                recorder.insert_events([item], unchanged=read)
            assert refused.value.keys == [key for key in read if (key, read[key]) != (body, 1)]
        assert [n.id for n in recorder.select_notifications(start=None, limit=10)] == [1]
        assert recorder.insert_events([item], unchanged={body: 1, other: 0}) == [2]


class TestSQLiteEventRecorder(RecorderCase):
    __test__ = True

    def make(self) -> ApplicationRecorder:
        datastore = SQLiteDatastore(str(self.tmp_path / f"{uuid4().hex}.db"))
        self.cleanup.callback(datastore.close)
        return SQLiteEventRecorder(datastore, events_table_name=EVENTS)

    def test_returns_positions_where_the_ids_have_gaps(self) -> None:  # SQLite's rowids leave no gaps
        recorder = self.create_recorder()
        assert recorder.insert_events([StoredEvent(uuid4(), 1, "topic", b"state")]) == [1]


class TestPostgresEventRecorder(RecorderCase):
    __test__ = True

    def make(self) -> ApplicationRecorder:
        url = make_url(self.postgres_url())
        datastore = PostgresDatastore(
            url.database or "", url.host or "", url.port or 5432, url.username or "", url.password or "",
            pool_size=10, max_overflow=10,
        )  # fmt: skip
        self.cleanup.callback(datastore.close)
        return PostgresEventRecorder(datastore, events_table_name=EVENTS)

    def test_refuses_eventsourcing_s_insert_function_which_would_skip_the_positions(self) -> None:
        url = make_url(self.postgres_url())
        datastore = PostgresDatastore(
            url.database or "", url.host or "", url.port or 5432, url.username or "", url.password or "",
            enable_db_functions=True,
        )  # fmt: skip
        self.cleanup.callback(datastore.close)
        with pytest.raises(ValueError, match="POSTGRES_ENABLE_DB_FUNCTIONS must be off"):
            PostgresEventRecorder(datastore, events_table_name=EVENTS)

    def make_gap(self, recorder: Any) -> None:
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(f"SELECT nextval(pg_get_serial_sequence('{EVENTS}', 'notification_id'))")
            curs.execute(f"SELECT nextval(pg_get_serial_sequence('{EVENTS}', 'notification_id'))")


class SharedCase(RecorderCase):
    def make(self) -> ApplicationRecorder:
        datastore = SQLAlchemyDatastore(url=self.url())
        self.cleanup.callback(lambda: datastore.engine.dispose() if datastore.engine else None)
        return SharedEventRecorder(datastore, events_table_name=EVENTS)

    def create_recorder(self) -> ApplicationRecorder:
        """As the library opens a store (its engine sets SQLite's WAL as it connects): eventsourcing-sqlalchemy
        otherwise sets WAL in the first transaction, and four threads starting at once find the file locked."""
        recorder = super().create_recorder()
        recorder.datastore.init_sqlite_wal_mode()  # type: ignore[attr-defined]
        return recorder

    def url(self) -> str:
        raise NotImplementedError


class TestSharedEventRecorderOnSQLite(SharedCase):
    __test__ = True

    def url(self) -> str:
        return f"sqlite:///{self.tmp_path / f'{uuid4().hex}.db'}"

    def test_returns_positions_where_the_ids_have_gaps(self) -> None:  # SQLite's rowids leave no gaps
        recorder = self.create_recorder()
        assert recorder.insert_events([StoredEvent(uuid4(), 1, "topic", b"state")]) == [1]


class TestSharedEventRecorderOnPostgres(SharedCase):
    __test__ = True

    def url(self) -> str:
        return self.postgres_url()

    def make_gap(self, recorder: Any) -> None:
        from sqlalchemy import text

        with recorder.datastore.engine.begin() as conn:
            conn.execute(text(f"SELECT nextval(pg_get_serial_sequence('{EVENTS}', 'id'))"))
            conn.execute(text(f"SELECT nextval(pg_get_serial_sequence('{EVENTS}', 'id'))"))
