"""Databases written by earlier releases are read by this code, and give the answers they gave then.

Each ``tests/fixtures/scrutiny-VERSION-NAME.db`` was written by release VERSION, and its
``.expected.json`` holds that release's reports of it, keyed by report and options
(``"overdue as_of 2024-06-30"``). The committed files are never opened in place: each test
works on a copy.

A row is compared field by field over the fields the old row had: a later version may add
fields to a row, but may not change or drop the ones there. Rows are matched by what they
are about (an item; an item's obligation; a position in the log), and must come in the same
order, except where the old release's order was wrong (see ``ORDER_NOT_KEPT``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

from scrutiny_es import Scrutiny
from scrutiny_es.bootstrap import migrate_store
from scrutiny_es.domain.model import Body, Recommendation, body_id, recommendation_id
from scrutiny_es.projections.rows import json_values
from tests import parts

FIXTURES = Path(__file__).parent.parent / "fixtures"
STORED = sorted(FIXTURES.glob("scrutiny-*.db"))
RELEASE_0_1_0 = ["scrutiny-0.1.0-demo.db", "scrutiny-0.1.0-every-event.db"]

IDENTITY = {"tracker": ("body", "ref"), "overdue": ("body", "ref", "reason", "due"), "audit": ("position",)}
"""The fields that say what a row is about, in each report."""

ORDER_NOT_KEPT = {"0.1.0": ("tracker", "as_known_at")}
"""Reports whose rows a release put in the wrong order (the report, and the option it was asked with):
only the rows are compared, not their order.

0.1.0 orders the tracker as known at a moment by the meeting dates known today, not those known
then: after a later correction of a meeting date, two items of one meeting come in today's order.
"""


AGGREGATES = {"scrutiny_es.domain.model:Body": Body, "scrutiny_es.domain.model:Recommendation": Recommendation}
"""The aggregate each topic a stored first event names as its ``originator_topic`` is."""

EVENTS = {
    f"scrutiny_es.domain.model:{aggregate.__name__}.{name}": getattr(aggregate, name)
    for aggregate, names in [
        (Body, ["Registered", "MeetingScheduled", "MeetingCancelled"]),
        (Recommendation, ["Made", "Referred", "ResponseRecorded", "ResponseDeadlineExtended", "ClosureProposed",
                          "ProgressReported", "ReminderSent", "TargetDateRevised", "Deferred", "Reaffirmed",
                          "Escalated", "Closed", "Reopened", "Corrected", "Retracted"]),
    ]
    for name in names
}  # fmt: skip
"""The event class each topic a stored event may carry names: the topic stays its class's for as long as the log."""

REWORDED = {"ProgressReported", "Escalated", "Closed", "Corrected"}
"""Audit entries whose sentence 0.2 says more in (DESIGN 5.1: a progress report's gives its note, an escalation's
says "escalated", a closure's gives its note, a correction's the old value and the new): their ``summary`` is
checked to hold the new words instead of being compared."""


class _Missing:
    def __repr__(self) -> str:
        return "<not in the row>"


MISSING = _Missing()


class Stored:
    """A stored release's database, copied where a test may change it, and what it must answer."""

    def __init__(self, committed: Path, folder: Path) -> None:
        self.release = committed.name.split("-")[1]
        self.copy = folder / committed.name
        shutil.copyfile(committed, self.copy)
        self.expected: dict[str, list[dict[str, Any]]] = json.loads(
            committed.with_suffix(".expected.json").read_text(encoding="utf-8")
        )

    def open(self) -> Scrutiny:
        return Scrutiny(f"sqlite:///{self.copy}")


@pytest.fixture(params=STORED, ids=lambda path: path.stem)
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Stored:
    return Stored(request.param, tmp_path)


@pytest.fixture
def app(stored: Stored) -> Iterator[Scrutiny]:
    app = stored.open()
    yield app
    app.close()


def report(app: Scrutiny, key: str) -> list[dict[str, Any]]:
    """The report a key names (``"tracker as_of 2024-03-14 as_known_at 2024-03-14T09:20:00+00:00"``), as JSON rows."""
    name, *options = key.split(" ")
    asked: dict[str, Any] = {}
    for option, value in zip(options[::2], options[1::2], strict=True):
        asked[option] = date.fromisoformat(value) if option == "as_of" else datetime.fromisoformat(value)
    rows = getattr(app, name)(**asked)
    return [json_values(row) for row in rows]


def comparable(field: str, value: Any) -> Any:
    """A moment is compared as a moment: a later version may give it in another zone."""
    if field == "recorded_at" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def reworded(entry: dict[str, Any]) -> bool:
    summary = entry["summary"]
    return {
        "ProgressReported": lambda: "reported progress on" in summary and ": " in summary,
        "Escalated": lambda: " escalated " in summary,
        "Closed": lambda: " closed " in summary,
        "Corrected": lambda: " corrected the " in summary and " from " in summary and " to " in summary,
    }[entry["event"]]()


def assert_same_rows(stored: Stored, key: str, rows: list[dict[str, Any]]) -> None:
    expected = stored.expected[key]
    name, *options = key.split(" ")
    identity = IDENTITY[name]

    def about(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row.get(field) for field in identity)

    old = {about(row): row for row in expected}
    new = {about(row): row for row in rows}
    assert len(old) == len(expected), f"{key}: the expected rows are not one per {identity}"
    assert len(new) == len(rows), f"{key}: more than one row for some {identity}"
    assert sorted(new, key=repr) == sorted(old, key=repr), f"{key}: not the same rows"
    for row_id, want in old.items():
        got = new[row_id]
        if name == "audit" and want["event"] in REWORDED:
            assert reworded(got), f"{key}: {row_id}: {got['summary']}"
            want = {field: value for field, value in want.items() if field != "summary"}
        shown = {field: comparable(field, got.get(field, MISSING)) for field in want}
        assert shown == {field: comparable(field, value) for field, value in want.items()}, f"{key}: {row_id}"
    wrong_order = ORDER_NOT_KEPT.get(stored.release)
    if wrong_order is None or wrong_order[0] != name or wrong_order[1] not in options:
        assert [about(row) for row in rows] == [about(row) for row in expected], f"{key}: rows in another order"


def test_every_release_fixture_is_there_with_its_answers() -> None:
    assert {path.name for path in STORED} >= set(RELEASE_0_1_0)
    for path in STORED:
        assert path.with_suffix(".expected.json").is_file(), f"{path.name} has no expected reports"
        assert not list(FIXTURES.glob(path.name + "-*")), f"{path.name} is not complete on its own"


def test_a_stored_release_gives_the_reports_it_gave(stored: Stored, app: Scrutiny) -> None:
    for key in stored.expected:
        assert_same_rows(stored, key, report(app, key))


def test_a_stored_release_gives_the_same_reports_once_its_read_models_are_rebuilt(
    stored: Stored, app: Scrutiny
) -> None:
    parts.read_models_of(app).rebuild()
    for key in stored.expected:
        assert_same_rows(stored, key, report(app, key))


def test_every_event_a_stored_release_wrote_is_read_back(stored: Stored, app: Scrutiny) -> None:
    head = parts.store_of(app).recorder.max_notification_id() or 0
    notifications = parts.store_of(app).recorder.select_notifications(start=1, limit=head + 1)
    events = [parts.store_of(app).mapper.to_domain_event(notification) for notification in notifications]
    assert [n.id for n in notifications] == list(range(1, head + 1))
    # The audit trail has one entry per event, so it names the class of every stored event in order.
    assert [type(event).__name__ for event in events] == [row["event"] for row in stored.expected["audit"]]


def test_every_topic_a_stored_release_wrote_resolves_to_the_class_its_record_expects(stored: Stored) -> None:
    with sqlite3.connect(stored.copy) as db:
        records = db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events"
            " ORDER BY originator_id, originator_version"
        ).fetchall()
    assert len(records) == len(stored.expected["audit"])
    aggregate_of: dict[str, type] = {}
    for originator_id, version, topic, state in records:
        event_class = resolve_topic(topic)
        assert event_class is EVENTS[topic], topic
        assert get_topic(event_class) == topic, f"{topic}: its class would now be stored as {get_topic(event_class)}"
        if version == 1:
            assert issubclass(event_class, Aggregate.Created), topic
            created = json.loads(state)["originator_topic"]
            aggregate_of[originator_id] = resolve_topic(created)
            assert aggregate_of[originator_id] is AGGREGATES[created], created
            assert get_topic(aggregate_of[originator_id]) == created
        assert getattr(aggregate_of[originator_id], topic.rpartition(".")[2]) is event_class, topic


def test_every_item_a_stored_release_wrote_replays_from_its_events(stored: Stored, app: Scrutiny) -> None:
    head = parts.store_of(app).recorder.max_notification_id() or 0
    versions = Counter(
        n.originator_id for n in parts.store_of(app).recorder.select_notifications(start=1, limit=head + 1)
    )
    store = parts.store_of(app)
    keys = [body_id(code) for code in sorted({row["body"] for row in stored.expected["tracker"]})]
    keys += [recommendation_id(row["body"], row["ref"]) for row in stored.expected["tracker"]]
    replayed = [store.load(key) for key in keys]
    assert {aggregate.id: aggregate.version for aggregate in replayed} == versions


def test_a_stored_release_moved_by_migrate_store_gives_the_reports_it_gave(stored: Stored) -> None:
    url = f"sqlite:///{stored.copy}"
    before = Scrutiny(url)
    digest = before.verify().digest
    before.close()
    assert migrate_store(url) == len(stored.expected["audit"])
    moved = Scrutiny(url)
    assert type(parts.store_of(moved).recorder).__name__ == "SharedEventRecorder"  # the store a host session shares
    assert moved.verify().digest == digest
    for key in stored.expected:
        assert_same_rows(stored, key, report(moved, key))
    moved.close()
