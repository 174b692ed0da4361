"""One ``Scrutiny`` shared by a web server's threads: writers and readers at once lose nothing and see no
half-applied state."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from scrutiny_es import Scrutiny
from scrutiny_es.domain.model import Recommendation, recommendation_id
from tests import parts
from tests.conftest import FixedClock, command, make, register

WRITERS = 4
READERS = 3
POSTS = 10


def test_writers_and_readers_sharing_one_scrutiny_lose_nothing(db_url: str) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    writing = threading.Event()
    writing.set()
    failures: list[BaseException] = []
    seen: list[int] = []

    def write(writer: int) -> None:
        try:
            for n in range(POSTS):
                day = date(2024, 3, 1) + timedelta(days=writer * POSTS + n)
                app.execute(command("report_progress", ref=f"R{n % 2 + 1}", note=f"writer {writer} post {n}",
                                    reported_on=day.isoformat(), reported_by="Officer"))  # fmt: skip
        except BaseException as e:
            failures.append(e)

    def read() -> None:
        try:
            while writing.is_set():
                trail = app.audit()
                assert [e.position for e in trail] == list(range(1, len(trail) + 1))
                assert [row.ref for row in app.tracker()] == ["R1", "R2"]
                assert [row.ref for row in app.tracker(limit=1, offset=1)] == ["R2"]
                app.overdue()
                seen.append(len(trail))
        except BaseException as e:
            failures.append(e)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    for thread in readers:
        thread.join()

    assert failures == []
    assert seen  # the readers read while the writers wrote
    sent = {f"writer {w} post {n}" for w in range(WRITERS) for n in range(POSTS)}
    notes = {e.note for ref in ("R1", "R2") for e in parts.store_of(app).events(recommendation_id("BCSB", ref))
             if isinstance(e, Recommendation.ProgressReported)}  # fmt: skip
    assert notes == sent
    assert [e.position for e in app.audit()] == list(range(1, 4 + len(sent)))
    assert app.tracker() == app.tracker(as_known_at=datetime(2100, 1, 1, tzinfo=UTC), as_of=app.today())
    app.close()
