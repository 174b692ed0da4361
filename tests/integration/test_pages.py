"""A host's pages of the tracker and the overdue list: chosen in SQL when live, by the fold as of a date or as
known at a time, the same rows either way; and the bodies registered, with or without items."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from scrutiny_es import BodyRow, InvalidQuery, OverdueRow, Scrutiny, TrackerRow
from tests.conftest import FixedClock, command, make, register

TODAY = date(2024, 12, 2)


def record_board(app: Scrutiny) -> None:
    """Items of every status, RAG and addressee, some overdue today, and a body with no items."""
    app.execute(register("EMPTY", name="Health Scrutiny Panel"))
    app.execute(register())
    app.execute(command("schedule_meeting", meeting_date="2025-01-16"))
    odd = [{"name": "50%_Partner", "kind": "partner"}, {"name": "cabinet", "kind": "officer"}]
    for n in range(1, 13):
        ref = f"R{n:02}"
        addressees = [{"name": "Cabinet", "kind": "executive"}] if n % 3 else odd
        target = {"target_date": "2024-06-30"} if n in (3, 4, 8, 12) else {}
        app.execute(make(ref, meeting_date=f"2024-0{1 + n % 3}-15", addressees=addressees, **target))
        if n % 3:
            app.execute(command("refer", ref=ref, addressee="Cabinet", received_on="2024-04-01"))
        if n % 3 == 1:
            app.execute(command("record_response", ref=ref, addressee="Cabinet", decision="accepted", text="Agreed",
                                responded_on="2024-05-01", responded_by="Cabinet"))  # fmt: skip
        if n % 2:
            rag = ["red", "amber", "green"][n % 3]
            app.execute(command("report_progress", ref=ref, note=f"Note {n}", reported_on="2024-07-01",
                                reported_by="Officer", rag=rag))  # fmt: skip
        if n in (7, 12):
            app.execute(command("close", ref=ref, outcome="implemented", decided_on="2024-09-01"))


@pytest.fixture
def board(db_url: str) -> Scrutiny:
    app = Scrutiny(db_url, clock=FixedClock())
    record_board(app)
    return app


TRACKER_PAGES: list[dict[str, Any]] = [
    {},
    {"status": "awaiting_response"},
    {"status": "closed"},
    {"rag": "red"},
    {"rag": "green", "open_only": True},
    {"open_only": True},
    {"overdue_only": True},
    {"overdue_only": True, "open_only": True, "addressee": "Cabinet"},
    {"addressee": "Cabinet"},
    {"addressee": "cabinet"},
    {"addressee": "50%_Partner"},
    {"addressee": "50%"},
    {"addressee": "Nobody"},
    {"limit": 5},
    {"limit": 5, "offset": 5},
    {"limit": 5, "offset": 10},
    {"offset": 3},
    {"limit": 0},
    {"open_only": True, "limit": 3, "offset": 2},
]


def keeps(row: TrackerRow, page: dict[str, Any]) -> bool:
    """The page's rule written out plainly, to check both ways of choosing against."""
    return (
        page.get("status") in (None, row.status)
        and page.get("rag") in (None, row.rag)
        and not (page.get("open_only") and row.status == "closed")
        and not (page.get("overdue_only") and not row.overdue)
        and (page.get("addressee") is None or page["addressee"] in row.addressees)
    )


def paged(rows: list[Any], page: dict[str, Any]) -> list[Any]:
    start = page.get("offset", 0)
    return rows[start : None if page.get("limit") is None else start + page["limit"]]


@pytest.mark.parametrize("page", TRACKER_PAGES, ids=str)
def test_a_tracker_page_is_the_same_live_as_of_today_and_as_known_now(board: Scrutiny, page: dict[str, Any]) -> None:
    everything = board.tracker()
    assert len(everything) == 12
    expected = paged([row for row in everything if keeps(row, page)], page)
    assert board.tracker(**page) == expected
    assert board.tracker(as_of=TODAY, **page) == expected
    assert board.tracker(as_known_at=FixedClock().now(), **page) == expected
    assert board.tracker(body="BCSB", **page) == board.tracker(body="BCSB", as_of=TODAY, **page) == expected
    assert board.tracker(body="EMPTY", **page) == []


def test_the_pages_chose_rows_of_every_kind(board: Scrutiny) -> None:
    """The board above has rows that each page keeps and rows it leaves out: the pages test something."""
    rows = board.tracker()
    assert {row.status for row in rows} == {"made", "awaiting_response", "responded", "closed"}
    assert {row.rag for row in rows} == {None, "red", "amber", "green"}
    assert 0 < sum(1 for row in rows if row.overdue) < len(rows)
    assert {tuple(row.overdue) for row in rows} >= {("response",), ("target_date",)}
    assert [row.ref for row in board.tracker(addressee="cabinet")] == ["R03", "R06", "R09", "R12"]
    assert board.tracker(addressee="50%") == []  # a name is matched whole, its % and _ as written


def test_a_page_as_of_an_earlier_date_is_chosen_on_that_day(board: Scrutiny) -> None:
    earlier = board.tracker(as_of=date(2024, 4, 20))
    assert board.tracker(as_of=date(2024, 4, 20), overdue_only=True) == [row for row in earlier if row.overdue]
    assert board.tracker(as_of=date(2024, 4, 20), status="awaiting_response") == [
        row for row in earlier if row.status == "awaiting_response"
    ]
    assert board.tracker(as_of=date(2024, 4, 20), overdue_only=True) != board.tracker(overdue_only=True)


OVERDUE_PAGES: list[dict[str, Any]] = [
    {},
    {"addressee": "Cabinet"},
    {"addressee": "cabinet"},
    {"addressee": "50%_Partner"},
    {"reason": "response"},
    {"reason": "target_date", "addressee": "Cabinet"},
    {"status": "awaiting_response"},
    {"status": "responded"},
    {"status": "closed"},
    {"rag": "red"},
    {"rag": "amber", "reason": "target_date"},
    {"limit": 2},
    {"limit": 2, "offset": 2},
    {"offset": 1, "addressee": "Cabinet"},
]


@pytest.mark.parametrize("page", OVERDUE_PAGES, ids=str)
def test_an_overdue_page_is_the_same_live_and_by_the_fold(board: Scrutiny, page: dict[str, Any]) -> None:
    everything = board.overdue()
    tracker = {row.ref: row for row in board.tracker()}

    def owed(row: OverdueRow) -> bool:
        item = tracker[row.ref]
        return (
            (page.get("addressee") is None or page["addressee"] in row.responsible)
            and page.get("reason") in (None, row.reason)
            and page.get("status") in (None, item.status)
            and page.get("rag") in (None, item.rag)
        )

    expected = paged([row for row in everything if owed(row)], page)
    assert board.overdue(**page) == expected
    assert board.overdue(as_of=TODAY, **page) == expected
    assert board.overdue(as_known_at=FixedClock().now(), **page) == expected


def test_the_overdue_pages_chose_rows_of_every_kind(board: Scrutiny) -> None:
    rows = board.overdue()
    assert {row.reason for row in rows} == {"response", "target_date"}
    assert {tuple(row.responsible) for row in rows} == {("Cabinet",), ("50%_Partner", "cabinet")}
    assert board.overdue(status="responded") != []
    assert board.overdue(status="awaiting_response") != []


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ({"status": "open"}, "status"),
        ({"rag": "Red"}, "rag"),
        ({"limit": -1}, "limit"),
        ({"limit": "10"}, "limit"),
        ({"offset": -5}, "offset"),
        ({"addressee": " "}, "addressee"),
        ({"open_only": "yes"}, "open_only"),
    ],
)
def test_an_unknown_value_is_refused_naming_its_field(board: Scrutiny, page: dict[str, Any], field: str) -> None:
    for as_of in (None, TODAY):
        with pytest.raises(InvalidQuery) as raised:
            board.tracker(as_of=as_of, **page)
        assert raised.value.field == field
        assert field in str(raised.value)
    with pytest.raises(InvalidQuery, match="reason must be one of response, target_date, deferral, not 'late'"):
        board.overdue(reason="late")  # type: ignore[arg-type]


def test_the_bodies_are_listed_by_code_with_or_without_items(board: Scrutiny) -> None:
    assert board.bodies() == [
        BodyRow(
            body="BCSB", name="Budget and Corporate Scrutiny Board", council="Sandwell",
            deadlines={"executive": "2 months", "nhs": "28 days", "partner": None, "officer": "2 months",
                       "other": None},
            meetings=[date(2025, 1, 16)],
        ),
        BodyRow(
            body="EMPTY", name="Health Scrutiny Panel", council="Sandwell",
            deadlines={"executive": "2 months", "nhs": "28 days", "partner": None, "officer": "2 months",
                       "other": None},
            meetings=[],
        ),
    ]  # fmt: skip
