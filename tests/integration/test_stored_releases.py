"""Databases written by earlier releases are read by this code, and give the answers they gave then.

Each ``tests/fixtures/scrutiny-VERSION-NAME.db`` was written by release VERSION, and its
``.expected.json`` holds that release's reports of it, keyed by report and options
(``"overdue as_of 2024-06-30"``). The committed files are never opened in place: each test
works on a copy.

A row is compared field by field over the fields the old row had: a later version may add
fields to a row, but may not change or drop the ones there. Rows are matched by what they
are about (an item; an item's obligation; a position in the log), and must come in the same
order, except where the old release's order was wrong (see ``ORDER_NOT_KEPT``). Where an old
release's answer was wrong, the mend is named (``REWORDED``, ``MENDED``).
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
WRITTEN = [*RELEASE_0_1_0, *(f"scrutiny-0.1.0+{commit}-{name}.db" for commit in ("d9bbc65", "0729cb1")
                             for name in ("demo", "every-event"))]  # fmt: skip
"""Every database committed here: none may go missing."""

IDENTITY = {"tracker": ("body", "ref"), "overdue": ("body", "ref", "reason", "due"), "audit": ("position",)}
"""The fields that say what a row is about, in each report."""

ORDER_NOT_KEPT = {"0.1.0": ("tracker", "as_known_at"), "0.1.0+d9bbc65": ("tracker", "as_known_at")}
"""Reports whose rows a release put in the wrong order (the report, and the option it was asked with):
only the rows are compared, not their order.

0.1.0 orders the tracker as known at a moment by the meeting dates known today, not those known
then: after a later correction of a meeting date, two items of one meeting come in today's order.
Commit d9bbc65 still does.
"""


AGGREGATES = {"scrutiny_es.domain.model:Body": Body, "scrutiny_es.domain.model:Recommendation": Recommendation}
"""The aggregate each topic a stored first event names as its ``originator_topic`` is."""

EVENTS = {
    f"scrutiny_es.domain.model:{aggregate.__name__}.{name}": getattr(aggregate, name)
    for aggregate, names in [
        (Body, ["Registered", "MeetingScheduled", "MeetingCancelled", "Renamed", "Dissolved", "ItemTakenOver"]),
        (Recommendation, ["Made", "Referred", "ResponseRecorded", "ResponseDeadlineExtended", "ClosureProposed",
                          "ProgressReported", "ReminderSent", "TargetDateRevised", "Deferred", "Reaffirmed",
                          "Escalated", "Closed", "Reopened", "Corrected", "Retracted", "Transferred",
                          "AddresseeAdded", "AddresseeRemoved", "AddresseeReplaced"]),
    ]
    for name in names
}  # fmt: skip
"""The event class each topic a stored event may carry names: the topic stays its class's for as long as the log."""

REWORDED = {"ProgressReported", "Escalated", "Closed", "Corrected"}
"""Audit entries whose sentence 0.2 says more in (DESIGN 5.1: a progress report's gives its note, an escalation's
says "escalated", a closure's gives its note, a correction's the old value and the new): their ``summary`` is
checked to hold the new words instead of being compared."""


MENDED = {"awaiting": [], "response_due": None}
"""Tracker fields earlier releases gave wrongly on a closed item, and what they are now: closing an item ends the
wait (docs/reports.md), as the overdue list always had it, so a closed item awaits no one and has no response due.
On every other row they are compared."""


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
        answers = json.loads(committed.with_suffix(".expected.json").read_text(encoding="utf-8"))
        self.seal: dict[str, Any] | None = answers.pop("verify", None)
        """What the release's ``verify`` said (events, position, digest), where it had a seal."""
        self.expected: dict[str, list[dict[str, Any]]] = answers

    def open(self) -> Scrutiny:
        return Scrutiny(f"sqlite:///{self.copy}", clock=WrittenAt(self.written_at))

    @property
    def written_at(self) -> datetime:
        """When the release answered: the last recording time in its audit trail. A tracker row's ``overdue``
        (added after 0.1.0) is of the row's day, else today: the day the release's reports were asked."""
        return max(datetime.fromisoformat(row["recorded_at"]) for row in self.expected["audit"])


class WrittenAt:
    """The clock of the day a release's reports were asked, so "today" means what it meant then."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


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
        if name == "tracker" and want["status"] == "closed":
            assert {field: got[field] for field in MENDED} == MENDED, f"{key}: {row_id}"
            want = {field: value for field, value in want.items() if field not in MENDED}
        shown = {field: comparable(field, got.get(field, MISSING)) for field in want}
        assert shown == {field: comparable(field, value) for field, value in want.items()}, f"{key}: {row_id}"
    wrong_order = ORDER_NOT_KEPT.get(stored.release)
    if wrong_order is None or wrong_order[0] != name or wrong_order[1] not in options:
        assert [about(row) for row in rows] == [about(row) for row in expected], f"{key}: rows in another order"


def test_every_release_fixture_is_there_with_its_answers() -> None:
    assert {path.name for path in STORED} >= set(WRITTEN)
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


def test_a_stored_release_s_bodies_are_named_by_its_read_models_as_by_their_events(app: Scrutiny) -> None:
    """Its tracker's tables were made before they kept the bodies' names: opened, they are rebuilt with them."""
    codes = [body.body for body in app.bodies()]
    assert len(codes) >= 2
    for code, named in app.body_names(codes).items():
        body = app.body(code)
        assert (named.council, named.names) == (body.council, tuple(body.names or [(date.min, body.name)]))
        assert named.name_on(None) == body.name
        assert parts.read_models_of(app).body_names([code]) == {code: named}


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
    keys = [body_id(body.body) for body in app.bodies()]  # a dissolved body's too, which holds no item
    # An item is named by the body that made it, wherever it went.
    keys += [
        recommendation_id(row.get("taken_over_from") or row["body"], row["ref"]) for row in stored.expected["tracker"]
    ]
    replayed = [store.load(key) for key in keys]
    assert {aggregate.id: aggregate.version for aggregate in replayed} == versions


def test_a_stored_release_moved_by_migrate_store_gives_the_reports_it_gave(stored: Stored) -> None:
    url = f"sqlite:///{stored.copy}"
    before = stored.open()
    digest = before.verify().digest
    before.close()
    assert migrate_store(url) == len(stored.expected["audit"])
    moved = Scrutiny(url, clock=WrittenAt(stored.written_at))
    assert type(parts.store_of(moved).recorder).__name__ == "SharedEventRecorder"  # the store a host session shares
    assert moved.verify().digest == digest
    for key in stored.expected:
        assert_same_rows(stored, key, report(moved, key))
    moved.close()


SEALED = [path for path in STORED if "verify" in json.loads(path.with_suffix(".expected.json").read_text("utf-8"))]
"""The stored releases that sealed their log, and kept what their ``verify`` said."""


@pytest.mark.parametrize("committed", SEALED, ids=lambda path: path.stem)
def test_a_stored_release_that_sealed_its_log_verifies_with_the_digest_it_gave(committed: Path, tmp_path: Path) -> None:
    stored = Stored(committed, tmp_path)
    app = stored.open()
    found = app.verify()
    app.close()
    assert stored.seal is not None
    assert found.ok, found.fault
    assert (found.events, found.position, found.digest) == (
        stored.seal["events"], stored.seal["position"], stored.seal["digest"]
    )  # fmt: skip


def test_the_releases_since_the_seal_are_among_the_stored_ones() -> None:
    assert {path.name for path in SEALED} >= set(WRITTEN) - set(RELEASE_0_1_0)


def test_a_stored_release_once_opened_keeps_a_position_for_each_event_as_its_audit_trail_numbered_them(
    stored: Stored, app: Scrutiny
) -> None:
    with sqlite3.connect(stored.copy) as db:
        # The rowid is the notification id: the order the events were recorded in.
        events = db.execute("SELECT originator_id, originator_version FROM stored_events ORDER BY rowid").fetchall()
        positions = db.execute(
            "SELECT position, originator_id, originator_version FROM scrutiny_positions ORDER BY position"
        ).fetchall()
    db.close()
    assert [row["position"] for row in stored.expected["audit"]] == list(range(1, len(events) + 1))
    assert [p for p, _, _ in positions] == list(range(1, len(events) + 1))
    assert [(str(key).replace("-", ""), version) for _, key, version in positions] == [
        (str(key).replace("-", ""), version) for key, version in events
    ]


def test_a_fact_of_a_stored_release_is_retracted_by_the_position_its_audit_trail_gave(
    stored: Stored, app: Scrutiny
) -> None:
    audit = stored.expected["audit"]
    fact = [row for row in audit if row["event"] == "ResponseRecorded"][-1]
    receipt = app.execute({
        "command": "retract", "actor": {"id": "jclerk", "name": "Jo Clerk", "role": "scrutiny officer"},
        "body": fact["body"], "ref": fact["ref"], "position": fact["position"], "reason": "Recorded on the wrong item.",
    })  # fmt: skip
    assert receipt.events == ("Retracted",)
    assert receipt.position == len(audit) + 1
    card = {row.position: row for row in app.item(fact["body"], fact["ref"])}
    assert card[fact["position"]].event == "ResponseRecorded"
    assert card[fact["position"]].status == "retracted"
