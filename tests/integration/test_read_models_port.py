"""One suite for the ``ReadModels`` port, run once on each backend: in memory, SQLite and PostgreSQL.

The same commands are recorded on each, in three sittings, caught up after each; then every query
must give the answer the log calls for: each item's events folded by ``projections`` (the one fold
every backend keeps), the audit entries and the seal's chain made from the log as stored. So every
backend gives the same answer, and a backend that keeps, chooses, orders or pages a row differently
fails here, named.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scrutiny_es import Scrutiny
from scrutiny_es.application.ports import ReadModels
from scrutiny_es.application.service import ScrutinyService
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Body, body_id, recommendation_id
from scrutiny_es.projections.audit import AuditedItem, audit_entry
from scrutiny_es.projections.filters import AuditQuery, Filters
from scrutiny_es.projections.items import Meetings, fold, overdue_rows, tracker_row
from scrutiny_es.projections.rows import AuditRow, BodyNames, OverdueRow, TrackerRow
from scrutiny_es.projections.seal import ZERO, Sealed, seal
from tests import parts
from tests.conftest import FixedClock, command, fresh_postgres_database, make, register
from tests.integration.test_pages import OVERDUE_PAGES, TRACKER_PAGES, keeps, paged, record_board

FIRST = datetime(2024, 12, 2, 9, 30, tzinfo=UTC)
SECOND = FIRST + timedelta(days=1)
THIRD = FIRST + timedelta(days=2)
"""The three sittings at which the commands are recorded."""

BODIES = ["BCSB", "EMPTY", "HASC"]
ITEMS = [*(("BCSB", f"R{n:02}") for n in range(1, 13)), ("HASC", "R01"), ("HASC", "R02")]
DAYS = [date(2024, 4, 20), date(2024, 12, 2), date(2025, 3, 1)]
"""Days the live lists are asked for: before most responses were due, the day of recording, after the meetings."""
CHOICES: list[tuple[str | None, str | None]] = [(None, None), ("BCSB", None), ("HASC", None), ("BCSB", "R05"),
                                                ("HASC", "R01"), (None, "R01"), ("EMPTY", None), ("BCSB", "R99")]  # fmt: skip
"""Bodies and refs asked for: all, a body's, an item, a ref in any body, none."""


def record(app: ScrutinyService, clock: FixedClock) -> None:
    """Two bodies' items of every status, RAG and addressee, a body with none, calendars that change; the read
    models caught up after each sitting, so what the suite reads was applied a sitting at a time."""
    clock.time = FIRST
    record_board(app)
    parts.read_models_of(app).catch_up()
    clock.time = SECOND
    app.execute(register("HASC", name="Health and Adult Social Care Scrutiny Board"))
    nhs = [{"name": "NHS Trust", "kind": "nhs"}, {"name": "Cabinet", "kind": "executive"}]
    app.execute(make("R01", body="HASC", meeting_date="2024-03-14", addressees=nhs, target_date="2024-10-31"))
    app.execute(command("refer", body="HASC", ref="R01", addressee="NHS Trust", received_on="2024-03-20"))
    app.execute(make("R02", body="HASC", meeting_date="2024-03-14", addressees=nhs))
    app.execute(command("defer", body="HASC", ref="R02", until=None, reason="Awaiting the regulator",
                        decided_on="2024-06-01"))  # fmt: skip
    app.execute(command("defer", ref="R05", until=None, reason="Awaiting costs", decided_on="2024-10-01"))
    parts.read_models_of(app).catch_up(["audit", "tracker"])
    clock.time = THIRD
    app.execute(command("schedule_meeting", body="HASC", meeting_date="2025-02-20"))
    parts.read_models_of(app).catch_up(["overdue"])  # R02 waits for that meeting, on the overdue list alone as yet
    app.execute(command("cancel_meeting", body="HASC", meeting_date="2025-02-20", reason="Inquorate"))
    app.execute(command("schedule_meeting", meeting_date="2025-02-13"))
    app.execute(command("cancel_meeting", meeting_date="2025-01-16", reason="Purdah"))
    app.execute(command("correct", ref="R02", field="text", value="Corrected wording", reason="Typo"))
    app.execute(command("reopen", ref="R07", reason="Not done after all", decided_on="2024-11-01"))
    app.execute(command("transfer", ref="R08", to_body="HASC", decided_on="2024-11-15", minute="HASC/9"))
    app.execute(command("record_response", body="HASC", ref="R01", addressee="NHS Trust", decision="rejected",
                        text="Not funded", responded_on="2024-05-30", responded_by="Chief Executive"))  # fmt: skip
    app.execute(command("rename_body", body="HASC", name="Health Scrutiny Board", **{"from": "2024-11-01"}))
    parts.read_models_of(app).catch_up()
    # The item transferred changes again in a catch-up of its own: its rows are written anew, where it came from too.
    # A renaming from an earlier day comes before the one already kept.
    app.execute(command("report_progress", "HASC", ref="R08", note="Taken up by HASC", reported_on="2024-11-20",
                        reported_by="Director"))  # fmt: skip
    app.execute(command("rename_body", body="HASC", name="Adult Social Care Board", **{"from": "2024-09-01"}))
    parts.read_models_of(app).catch_up()


class Expected:
    """What the log calls for, made without any read model: the store's events folded by ``projections``."""

    def __init__(self, app: ScrutinyService) -> None:
        self.histories: list[ItemHistory] = []
        for body, ref in ITEMS:
            history: ItemHistory | None = None
            for event in parts.store_of(app).events(recommendation_id(body, ref)):
                history = fold(history, event)
            assert history is not None, (body, ref)
            self.histories.append(history)
        self.histories.sort(key=lambda h: (h.body, h.meeting_date, h.ref))
        self.calendars: dict[str, Meetings] = {}
        self.names: dict[str, BodyNames] = {}
        for code in BODIES:
            found = parts.store_of(app).load(body_id(code))
            assert isinstance(found, Body)
            self.calendars[code] = sorted(found.meetings)
            self.names[code] = BodyNames(found.council, tuple(found.names))
        log = parts.store_of(app).log
        self.audit: list[AuditRow] = []
        items: dict[Any, AuditedItem] = {}
        for _, event in log.read(0, log.count() + 1):
            item, entry = audit_entry(items.get(event.originator_id), event, len(self.audit) + 1)
            if item is not None:
                items[event.originator_id] = item
            if entry is not None:
                self.audit.append(entry)
        self.sealed: list[Sealed] = []
        digest = ZERO
        for n, row in enumerate(log.stored(0, log.count() + 1), start=1):
            digest = seal(digest, row)
            self.sealed.append(Sealed(n, row[0], digest))

    def items(self, body: str | None, ref: str | None, ever: bool = False) -> list[ItemHistory]:
        """The items of a body (and ref); ``ever``: also those it gave away or took over."""
        return [h for h in self.histories if ref in (None, h.ref) and (body in (None, h.body) or (ever and any(
            body in (t.from_body, t.to_body) for t in h.transfers)))]  # fmt: skip

    def tracker(self, on: date, body: str | None, ref: str | None) -> list[TrackerRow]:
        rows = (tracker_row(h, day=on, meetings=self.calendars[h.body]) for h in self.items(body, ref))
        return [row for row in rows if row is not None]

    def overdue(self, on: date, body: str | None, ref: str | None) -> list[OverdueRow]:
        return overdue_rows(self.items(body, ref), on, calendars=self.calendars)


class ReadModelsContract:
    """The suite: a backend's test class names it, and says how to open a record on that backend (``open``)."""

    @classmethod
    def open(cls, request: pytest.FixtureRequest, clock: FixedClock) -> AbstractContextManager[ScrutinyService]:
        """A new, empty record whose read models are the backend's, caught up only when asked."""
        raise NotImplementedError

    @pytest.fixture(scope="class")
    @classmethod
    def recorded(cls, request: pytest.FixtureRequest) -> Iterator[tuple[ReadModels, Expected]]:
        clock = FixedClock()
        with cls.open(request, clock) as app:
            record(app, clock)
            yield parts.read_models_of(app), Expected(app)

    def test_the_board_has_what_each_query_chooses_among(self, recorded: tuple[ReadModels, Expected]) -> None:
        """The record above holds rows each choice keeps and rows it leaves out: the suite tests something."""
        read_models, expected = recorded
        rows = expected.tracker(DAYS[1], None, None)
        assert {row.status for row in rows} == {"made", "awaiting_response", "responded", "closed"}
        assert {row.rag for row in rows} == {None, "red", "amber", "green"}
        assert {row.deferred_until for row in rows} >= {None, "future meeting", date(2025, 2, 13)}
        assert {row.reason for row in expected.overdue(DAYS[1], None, None)} == {"response", "target_date"}
        assert {e.recorded_at for e in expected.audit} == {FIRST, SECOND, THIRD}
        assert len(expected.sealed) == len(expected.audit) == read_models.last_position()

    @pytest.mark.parametrize("on", DAYS, ids=str)
    def test_each_tracker_page_holds_the_items_rows_by_the_fold(
        self, recorded: tuple[ReadModels, Expected], on: date
    ) -> None:
        read_models, expected = recorded
        for body, ref in CHOICES:
            rows = expected.tracker(on, body, ref)
            assert read_models.tracker(on, body, ref) == rows, (body, ref)
            for page in TRACKER_PAGES:
                kept = paged([row for row in rows if keeps(row, page)], page)
                assert read_models.tracker(on, body, ref, Filters(**page)) == kept, (body, ref, page)

    @pytest.mark.parametrize("made", [(date(2024, 2, 1), date(2024, 3, 14)), (date(2024, 3, 14), None)], ids=str)
    def test_a_tracker_page_of_the_items_made_in_some_days_holds_them_alone(
        self, recorded: tuple[ReadModels, Expected], made: tuple[date, date | None]
    ) -> None:
        read_models, expected = recorded
        first, last = made
        for body, ref in CHOICES:
            rows = expected.tracker(DAYS[1], body, ref)
            kept = [row for row in rows if first <= row.meeting_date <= (last or row.meeting_date)]
            chosen = Filters(made_from=first, made_to=last)
            assert read_models.tracker(DAYS[1], body, ref, chosen) == kept, (body, ref)
            assert read_models.overdue(DAYS[1], body, ref, chosen) == [
                row
                for row in expected.overdue(DAYS[1], body, ref)
                if (row.body, row.ref) in {(r.body, r.ref) for r in kept}
            ], (body, ref)

    def test_an_item_transferred_is_shown_under_the_body_it_went_to_with_where_it_came_from(
        self, recorded: tuple[ReadModels, Expected]
    ) -> None:
        read_models, _ = recorded
        (row,) = read_models.tracker(DAYS[1], "HASC", "R08")
        assert (row.taken_over_from, row.transferred_on, row.response_due) == ("BCSB", date(2024, 11, 15),
                                                                              date(2024, 5, 31))  # fmt: skip
        assert read_models.tracker(DAYS[1], "BCSB", "R08") == []
        assert {row.body for row in read_models.overdue(DAYS[1], None, "R08")} == {"HASC"}

    @pytest.mark.parametrize("on", DAYS, ids=str)
    def test_each_overdue_page_holds_what_the_fold_finds_overdue(
        self, recorded: tuple[ReadModels, Expected], on: date
    ) -> None:
        read_models, expected = recorded
        for body, ref in CHOICES:
            rows = expected.overdue(on, body, ref)
            assert read_models.overdue(on, body, ref) == rows, (body, ref)
            items = {(row.body, row.ref): row for row in expected.tracker(on, body, ref)}
            for page in OVERDUE_PAGES:
                kept = paged([row for row in rows if owed(row, items[row.body, row.ref], page)], page)
                assert read_models.overdue(on, body, ref, Filters(**page)) == kept, (body, ref, page)

    def test_the_audit_trail_holds_every_event_in_the_order_recorded(
        self, recorded: tuple[ReadModels, Expected]
    ) -> None:
        read_models, expected = recorded
        assert read_models.audit() == expected.audit
        assert [entry.position for entry in expected.audit] == list(range(1, len(expected.audit) + 1))

    @pytest.mark.parametrize(
        "query",
        [
            {"body": "HASC"}, {"body": "EMPTY"}, {"body": "BCSB", "ref": "R02"}, {"ref": "R01"},
            {"as_of": date(2024, 5, 1)}, {"as_of": date(2024, 1, 31), "body": "BCSB"},
            {"as_known_at": FIRST}, {"as_known_at": SECOND + timedelta(hours=1)}, {"as_known_at": FIRST.replace(year=2023)},
            {"after": 5}, {"after": 5, "limit": 4}, {"limit": 0}, {"limit": 3, "ref": "R01"},
            {"after": 10_000}, {"body": "HASC", "as_of": date(2024, 6, 1), "as_known_at": SECOND, "after": 3, "limit": 2},
        ],
        ids=str,
    )  # fmt: skip
    def test_each_audit_parameter_chooses_the_entries_it_names(
        self, recorded: tuple[ReadModels, Expected], query: dict[str, Any]
    ) -> None:
        read_models, expected = recorded
        asked = AuditQuery(**query)
        chosen = [
            e for e in expected.audit
            if query.get("body") in (None, e.body) and query.get("ref") in (None, e.ref)
            and e.effective_on <= query.get("as_of", e.effective_on)
            and e.recorded_at <= query.get("as_known_at", e.recorded_at) and e.position > query.get("after", 0)
        ]  # fmt: skip
        assert read_models.audit(asked) == chosen[: query.get("limit")]

    def test_the_histories_and_item_ids_are_the_items_in_tracker_order(
        self, recorded: tuple[ReadModels, Expected]
    ) -> None:
        read_models, expected = recorded
        for body, ref in CHOICES:
            histories = expected.items(body, ref)
            assert list(read_models.histories(body, ref)) == histories, (body, ref)
            assert read_models.item_ids(body, ref) == [h.item_id for h in histories], (body, ref)
            ever = expected.items(body, ref, ever=True)
            assert list(read_models.histories(body, ref, ever=True)) == ever, (body, ref)
            assert read_models.item_ids(body, ref, ever=True) == [h.item_id for h in ever], (body, ref)
        gave, took = expected.items("BCSB", "R08", ever=True), expected.items("HASC", "R08", ever=True)
        assert [(h.made_by, h.body, len(h.progress)) for h in (*gave, *took)] == [("BCSB", "HASC", 1)] * 2
        assert expected.items("BCSB", "R08") == []  # the item is with HASC now: only ``ever`` finds it in BCSB
        assert sorted(h.item_id for h in expected.histories) == sorted(recommendation_id(*item) for item in ITEMS)

    def test_a_body_ref_or_addressee_holding_a_nul_matches_nothing(self, recorded: tuple[ReadModels, Expected]) -> None:
        """No code, ref or name holds a NUL (commands refuse them), and PostgreSQL's text cannot: a host passing one
        on gets an empty answer, as from every other database, not the driver's error."""
        read_models, _ = recorded
        on = DAYS[1]
        for body, ref in [("BCSB\x00", None), (None, "R01\x00"), ("BCSB", "R\x0001"), ("\x00", "\x00")]:
            assert read_models.tracker(on, body, ref) == [], (body, ref)
            assert read_models.overdue(on, body, ref) == [], (body, ref)
            assert read_models.audit(AuditQuery(body=body, ref=ref)) == [], (body, ref)
            assert read_models.item_ids(body, ref, ever=True) == [], (body, ref)
            assert list(read_models.histories(body, ref, ever=True)) == [], (body, ref)
        chosen = Filters(addressee="Cabinet\x00")
        assert read_models.tracker(on, None, None, chosen) == read_models.overdue(on, None, None, chosen) == []

    def test_the_body_codes_are_every_body_registered_with_items_or_none(
        self, recorded: tuple[ReadModels, Expected]
    ) -> None:
        read_models, _ = recorded
        assert read_models.body_codes() == BODIES

    def test_the_body_names_are_each_body_s_council_and_names_from_the_day_each_took_effect(
        self, recorded: tuple[ReadModels, Expected]
    ) -> None:
        read_models, expected = recorded
        assert read_models.body_names([*BODIES, "NONE"]) == expected.names
        assert read_models.body_names(["HASC"]) == {"HASC": expected.names["HASC"]}
        hasc = expected.names["HASC"]
        assert [name for _, name in hasc.names] == [
            "Health and Adult Social Care Scrutiny Board", "Adult Social Care Board", "Health Scrutiny Board"
        ]  # fmt: skip
        assert hasc.name_on(date(2024, 10, 1)) == "Adult Social Care Board"
        assert read_models.body_names([]) == {}
        assert read_models.body_names(["HASC\x00", "\x00"]) == {}  # no body's code holds one

    def test_the_last_position_is_the_last_entry_recorded_by_then(self, recorded: tuple[ReadModels, Expected]) -> None:
        read_models, expected = recorded
        for known_at in (None, FIRST - timedelta(seconds=1), FIRST, SECOND, THIRD, THIRD + timedelta(days=1)):
            known = [e.position for e in expected.audit if known_at is None or e.recorded_at <= known_at]
            assert read_models.last_position(known_at) == max(known, default=0), known_at
        assert 0 < read_models.last_position(FIRST) < read_models.last_position(SECOND) < read_models.last_position()

    def test_the_seal_is_the_chain_of_the_events_as_stored(self, recorded: tuple[ReadModels, Expected]) -> None:
        read_models, expected = recorded
        last = len(expected.sealed)
        assert read_models.sealed(0, last + 5) == expected.sealed
        for after, limit in [(0, 1), (3, 4), (last - 2, 10), (last, 10), (0, 0), (99, 250)]:
            assert read_models.sealed(after, limit) == expected.sealed[after : after + limit], (after, limit)

    def test_a_rebuild_gives_every_answer_the_catch_ups_gave(self, recorded: tuple[ReadModels, Expected]) -> None:
        read_models, _ = recorded

        def answers() -> list[Any]:
            return [
                *(read_models.tracker(on) for on in DAYS), *(read_models.overdue(on) for on in DAYS),
                read_models.audit(), list(read_models.histories()), read_models.item_ids(), read_models.body_codes(),
                read_models.body_names(BODIES),
                *(read_models.item_ids(body, None, ever=True) for body in BODIES),
                read_models.last_position(SECOND), read_models.sealed(0, 1000),
            ]  # fmt: skip

        incremental = answers()
        told: list[tuple[int, int]] = []
        read_models.rebuild(progress=lambda position, head: told.append((position, head)))
        assert answers() == incremental
        head = read_models.status()[0].head
        assert told[-1] == (head, head)
        assert [(s.position, s.lag, s.rebuilding_at) for s in read_models.status()] == [(head, 0, None)] * 4

    def test_the_status_shows_each_read_model_against_the_log_and_a_catch_up_brings_it_there(
        self, request: pytest.FixtureRequest
    ) -> None:
        clock = FixedClock()
        with self.open(request, clock) as app:
            read_models = parts.read_models_of(app)
            assert read_models.names == ("audit", "overdue", "seal", "tracker")
            app.execute(register())
            app.execute(make("R1"))
            app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
            (status, *_) = read_models.status()
            assert [(s.name, s.position, s.lag, s.events) for s in read_models.status()] == [
                (name, 0, 3, 3) for name in read_models.names
            ]
            assert status.applied == 0
            assert read_models.catch_up(["audit"]) == 3
            (audit,) = read_models.status(["audit"])
            assert (audit.position, audit.head, audit.lag, audit.applied) == (status.head, status.head, 0, 3)
            read_models.catch_up()
            assert [(s.position, s.lag, s.rebuilding_at) for s in read_models.status()] == [(status.head, 0, None)] * 4
            assert read_models.catch_up() == 0
            assert not read_models.read_only


def owed(row: OverdueRow, item: TrackerRow, page: dict[str, Any]) -> bool:
    """An overdue page's rule written out plainly: by the row's names and reason, and its item's tracker row."""
    return (
        (page.get("addressee") is None or page["addressee"] in row.responsible)
        and page.get("reason") in (None, row.reason)
        and page.get("status") in (None, item.status)
        and page.get("rag") in (None, item.rag)
    )


class TestMemoryReadModels(ReadModelsContract):
    @classmethod
    @contextmanager
    def open(cls, request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[ScrutinyService]:
        app = in_memory(clock)
        try:
            yield app
        finally:
            app.close()


class TestSqliteReadModels(ReadModelsContract):
    @classmethod
    @contextmanager
    def open(cls, request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[ScrutinyService]:
        folder: Path = request.getfixturevalue("tmp_path_factory").mktemp("read-models")
        app = Scrutiny(f"sqlite:///{folder / 'scrutiny.db'}", clock=clock, catch_up=False)
        try:
            yield app
        finally:
            app.close()


class TestPostgresReadModels(ReadModelsContract):
    @classmethod
    @contextmanager
    def open(cls, request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[ScrutinyService]:
        with fresh_postgres_database(request.getfixturevalue("postgres_server")) as url:
            app = Scrutiny(url, clock=clock, catch_up=False)
            try:
                yield app
            finally:
                app.close()
