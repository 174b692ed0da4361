"""Bodies change: their regimes' clocks, municipal years, names over time, dissolution and transfers, in memory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from scrutiny_es.application.service import ScrutinyService
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.bodies import municipal_year, year_days
from scrutiny_es.domain.deadlines import REGIMES, Period
from scrutiny_es.domain.errors import (
    BodyDissolved,
    BodyNotFound,
    BodyUnchanged,
    CannotTransfer,
    InvalidCommand,
    InvalidQuery,
    ItemClosed,
)
from scrutiny_es.domain.model import Body
from tests.conftest import FixedClock, command, make, register

NOW = datetime(2024, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app() -> ScrutinyService:
    return in_memory(FixedClock(NOW))


def refer(app: ScrutinyService, body: str, ref: str, addressee: str, received_on: str) -> date | None:
    app.execute(command("refer", body=body, ref=ref, addressee=addressee, received_on=received_on))
    return app.recommendation(body, ref).referrals[addressee].response_due


def test_a_period_of_a_day_counts_from_the_next_day_where_beginning_with_counts_the_day_itself() -> None:
    sent = date(2024, 3, 1)
    assert Period.parse("56 days after").last_day(sent) == date(2024, 4, 26)  # 56 days *of* 1 March
    assert Period.parse("56 days").last_day(sent) == date(2024, 4, 25)  # 56 days *beginning with* 1 March
    assert str(Period.parse("56 days after")) == "56 days after"
    assert str(Period(1, "months", after=True)) == "1 month after"


def test_every_regime_gives_every_kind_of_addressee_a_period_but_council_scrutiny_its_statutory_ones() -> None:
    assert {kind: str(p) for kind, p in REGIMES["coroner-pfd"].items()} == dict.fromkeys(
        ("executive", "officer", "nhs", "partner", "other"), "56 days after"
    )
    assert set(map(str, REGIMES["public-inquiry"].values())) == {"6 months"}
    assert set(map(str, REGIMES["select-committee"].values())) == {"2 months"}
    assert REGIMES["council-scrutiny"]["partner"] is None


def test_a_coroners_report_is_answered_within_56_days_of_being_sent_and_overdue_after(app: ScrutinyService) -> None:
    app.execute(register("PFD", name="HM Senior Coroner for the Area", council="Coroner's court", regime="coroner-pfd"))
    trust = [{"name": "Hospital Trust", "kind": "nhs"}, {"name": "Care Home Ltd", "kind": "partner"}]
    app.execute(make("2024-0101", body="PFD", meeting_date="2024-03-01", addressees=trust))
    assert refer(app, "PFD", "2024-0101", "Hospital Trust", "2024-03-01") == date(2024, 4, 26)
    assert refer(app, "PFD", "2024-0101", "Care Home Ltd", "2024-03-01") == date(2024, 4, 26)
    app.execute(command("record_response", body="PFD", ref="2024-0101", addressee="Hospital Trust", decision="accepted",
                        text="New checks on the ward", responded_on="2024-04-26", responded_by="Chief Executive"))  # fmt: skip
    assert app.overdue(body="PFD", as_of=date(2024, 4, 26)) == []
    late = app.overdue(body="PFD", as_of=date(2024, 4, 27))
    assert [(r.responsible, r.due, r.days_overdue) for r in late] == [(["Care Home Ltd"], date(2024, 4, 26), 1)]


def test_a_public_inquiry_gives_six_months_and_a_select_committee_two(app: ScrutinyService) -> None:
    app.execute(register("INQ", name="The Inquiry", council="Inquiry", regime="public-inquiry"))
    app.execute(register("HCSC", name="Health and Social Care Committee", council="House of Commons",
                         regime="select-committee"))  # fmt: skip
    department = [{"name": "Department of Health", "kind": "executive"}, {"name": "NHS England", "kind": "nhs"}]
    for body in ("INQ", "HCSC"):
        app.execute(make("R1", body=body, meeting_date="2024-01-31", addressees=department))
    assert refer(app, "INQ", "R1", "NHS England", "2024-01-31") == date(2024, 7, 30)
    assert refer(app, "HCSC", "R1", "NHS England", "2024-01-31") == date(2024, 3, 30)
    assert refer(app, "HCSC", "R1", "Department of Health", "2024-02-01") == date(2024, 3, 31)
    assert [r.ref for r in app.overdue(body="INQ", as_of=date(2024, 7, 31))] == ["R1"]
    assert app.overdue(body="INQ", as_of=date(2024, 7, 30)) == []


def test_a_bodys_own_deadlines_override_its_regime(app: ScrutinyService) -> None:
    app.execute(register("PFD", name="Coroner", regime="coroner-pfd", deadlines={"other": "28 days"}))
    assert app.body("PFD").deadlines["other"] == "28 days"
    assert app.body("PFD").deadlines["nhs"] == "56 days after"
    assert app.body("PFD").regime == "coroner-pfd"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"regime": "ombudsman"}, "regime"), ({"municipal_year_starts": "02-29"}, "municipal_year_starts"),
     ({"municipal_year_starts": "5 May"}, "municipal_year_starts")],
)  # fmt: skip
def test_an_unknown_regime_or_a_year_start_that_is_not_a_day_of_every_year_is_refused(
    app: ScrutinyService, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidCommand) as refused:
        app.execute(register(**fields))
    assert refused.value.field == field
    assert app.audit() == []


def test_a_municipal_year_runs_from_the_day_the_body_says_and_is_written_2023_24() -> None:
    assert municipal_year("05-01", date(2024, 4, 30)) == "2023/24"
    assert municipal_year("05-01", date(2024, 5, 1)) == "2024/25"
    assert municipal_year("04-01", date(1999, 4, 1)) == "1999/00"
    assert year_days("05-01", "2023/24") == (date(2023, 5, 1), date(2024, 4, 30))
    assert year_days("09-01", "2023/24") == (date(2023, 9, 1), date(2024, 8, 31))
    for wrong in ("2023/25", "2023-24", "23/24"):
        with pytest.raises(InvalidQuery, match="write it as 2023/24"):
            year_days("05-01", wrong)


def test_the_tracker_pack_and_impact_take_a_municipal_year_of_the_body(app: ScrutinyService) -> None:
    app.execute(register(municipal_year_starts="06-01"))
    app.execute(make("R1", meeting_date="2023-05-20"))  # 2022/23 for this body: its year starts in June
    app.execute(make("R2", meeting_date="2023-06-01"))
    app.execute(make("R3", meeting_date="2024-05-31"))
    app.execute(make("R4", meeting_date="2024-06-01"))
    assert [r.ref for r in app.tracker(body="BCSB", year="2023/24")] == ["R2", "R3"]
    assert [r.ref for r in app.tracker(body="BCSB", as_of=date(2024, 11, 1), year="2023/24")] == ["R2", "R3"]
    assert [row.made for row in app.impact(body="BCSB", year="2023/24")] == [2]
    pack = app.meeting_pack("BCSB", date(2024, 11, 1), year="2022/23")
    assert [row["ref"] for row in pack["tracker"]] == ["R1"]
    with pytest.raises(InvalidQuery, match="not both"):
        app.impact(body="BCSB", year="2023/24", from_=date(2023, 6, 1))


def test_a_renamed_body_shows_the_name_in_force_on_each_day_and_the_audit_trail_both(app: ScrutinyService) -> None:
    app.execute(register("SNAC", name="Safer Neighbourhoods Board"))
    app.execute(command("rename_body", body="SNAC", name="Safer Neighbourhoods and Active Communities Board",
                        **{"from": "2022-05-19"}))  # fmt: skip
    app.execute(command("schedule_meeting", body="SNAC", meeting_date="2022-04-07"))
    app.execute(command("schedule_meeting", body="SNAC", meeting_date="2022-06-09"))
    assert app.meeting_pack("SNAC", date(2022, 4, 7))["body_name"] == "Safer Neighbourhoods Board"
    assert (
        app.meeting_pack("SNAC", date(2022, 6, 9))["body_name"] == "Safer Neighbourhoods and Active Communities Board"
    )
    assert app.body("SNAC").name == "Safer Neighbourhoods and Active Communities Board"
    renamed = [e for e in app.audit(body="SNAC") if e.event == "Renamed"]
    assert [(e.effective_on, e.summary) for e in renamed] == [(date(2022, 5, 19), (
        "Jo Clerk recorded that Safer Neighbourhoods Board is called Safer Neighbourhoods and Active Communities "
        "Board from 19 May 2022."))]  # fmt: skip
    app.execute(make("R1", body="SNAC", meeting_date="2022-04-07"))
    app.execute(make("R2", body="SNAC", meeting_date="2022-06-09"))
    made = {e.ref: e.summary for e in app.audit(body="SNAC") if e.event == "Made"}
    assert made["R1"].startswith("Safer Neighbourhoods Board made")
    assert made["R2"].startswith("Safer Neighbourhoods and Active Communities Board made")


def test_a_renaming_to_the_name_in_force_is_refused_and_one_sent_twice_is_recorded_once(app: ScrutinyService) -> None:
    app.execute(register())
    with pytest.raises(BodyUnchanged):
        app.execute(command("rename_body", name="Budget and Corporate Scrutiny Board", **{"from": "2024-05-01"}))
    rename = command("rename_body", name="Resources Board", **{"from": "2024-05-01"})
    first, again = app.execute(rename), app.execute(rename)
    assert again.already_recorded and again.position == first.position
    with pytest.raises(InvalidCommand, match="from: is required"):
        app.execute(command("rename_body", name="Another"))


def test_a_dissolved_body_takes_no_new_item_after_its_end_and_names_a_registered_successor(
    app: ScrutinyService,
) -> None:
    app.execute(register())
    with pytest.raises(BodyNotFound) as missing:
        app.execute(command("dissolve_body", decided_on="2024-05-20", successor="NOPE"))
    assert missing.value.field == "successor"
    app.execute(register("RES", name="Resources Committee"))
    app.execute(command("dissolve_body", decided_on="2024-05-20", successor="RES"))
    assert (app.body("BCSB").dissolved_on, app.body("BCSB").successor) == (date(2024, 5, 20), "RES")
    app.execute(make("R1", meeting_date="2024-05-20"))  # its last meeting, recorded late
    with pytest.raises(BodyDissolved, match="dissolved on 20 May 2024; its successor is RES"):
        app.execute(make("R2", meeting_date="2024-05-21"))
    with pytest.raises(BodyDissolved):
        app.execute(command("rename_body", name="Another", **{"from": "2024-06-01"}))
    summary = [e.summary for e in app.audit(body="BCSB") if e.event == "Dissolved"]
    assert summary == ["Jo Clerk recorded that the body was dissolved on 20 May 2024; its successor is RES."]


def transferred_board(app: ScrutinyService) -> None:
    """BCSB's R1, referred to the Cabinet on 20 March 2024 (due 19 May), goes to the Resources Committee on 1 May."""
    app.execute(register())
    app.execute(register("RES", name="Resources Committee"))
    app.execute(make("R1", meeting_date="2024-03-14"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-03-20"))
    app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-05-01", minute="5/24",
                        reason="The committee system begins"))  # fmt: skip


def shown(rows: list[Any]) -> list[tuple[str, str, str | None, str | None]]:
    return [(r.body, r.ref, r.taken_over_from, r.transferred_to) for r in rows]


def test_a_transferred_item_keeps_its_ref_history_and_running_deadline_under_its_new_body(
    app: ScrutinyService,
) -> None:
    transferred_board(app)
    (row,) = app.tracker(body="RES")
    assert (row.ref, row.taken_over_from, row.transferred_on, row.response_due) == (
        "R1", "BCSB", date(2024, 5, 1), date(2024, 5, 19))  # fmt: skip
    assert app.tracker(body="BCSB") == []
    assert [(r.body, r.ref, r.due) for r in app.overdue(body="RES")] == [("RES", "R1", date(2024, 5, 19))]
    assert app.overdue(body="BCSB") == []
    app.execute(command("record_response", body="RES", ref="R1", addressee="Cabinet", decision="accepted",
                        text="Agreed", responded_on="2024-05-10", responded_by="Leader"))  # fmt: skip
    assert app.tracker(body="RES")[0].status == "responded"
    (entry,) = [e for e in app.audit(body="BCSB", ref="R1") if e.event == "Transferred"]
    assert entry.summary == (
        "Budget and Corporate Scrutiny Board transferred the recommendation to RES (Resources Committee) on "
        "1 May 2024 (minute 5/24): The committee system begins"
    )


def test_the_body_it_left_shows_it_up_to_the_transfer_day_as_transferred_and_the_other_from_that_day(
    app: ScrutinyService,
) -> None:
    transferred_board(app)
    before, day = date(2024, 4, 30), date(2024, 5, 1)
    assert shown(app.tracker(body="BCSB", as_of=before)) == [("BCSB", "R1", None, None)]
    assert app.tracker(body="RES", as_of=before) == []
    assert shown(app.tracker(body="BCSB", as_of=day)) == [("BCSB", "R1", None, "RES")]
    assert shown(app.tracker(body="RES", as_of=day)) == [("RES", "R1", "BCSB", None)]
    assert app.tracker(body="BCSB", as_of=date(2024, 5, 2)) == []
    assert shown(app.tracker(as_of=day)) == [("RES", "R1", "BCSB", None)]  # every body's: once
    assert [r.body for r in app.overdue(as_of=date(2024, 5, 20))] == ["RES"]


def test_as_known_before_the_transfer_was_recorded_the_item_is_where_it_was(app: ScrutinyService) -> None:
    clock = FixedClock(NOW)
    app = in_memory(clock)
    app.execute(register())
    app.execute(register("RES", name="Resources Committee"))
    app.execute(make("R1", meeting_date="2024-03-14"))
    clock.time = NOW.replace(hour=12)
    app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-05-01"))
    known = NOW.replace(hour=10)
    assert shown(app.tracker(body="BCSB", as_known_at=known)) == [("BCSB", "R1", None, None)]
    assert app.tracker(body="RES", as_known_at=known) == []
    assert shown(app.tracker(body="RES", as_known_at=clock.time)) == [("RES", "R1", "BCSB", None)]
    assert shown(app.tracker(body="BCSB", as_of=date(2024, 4, 30), as_known_at=clock.time)) == shown(
        app.tracker(body="BCSB", as_known_at=known)
    )


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [({"to_body": "BCSB"}, CannotTransfer, "to_body"), ({"to_body": "NOPE"}, BodyNotFound, "to_body"),
     ({"decided_on": "2024-03-13"}, CannotTransfer, "decided_on"), ({"to_body": "OLD"}, BodyDissolved, "to_body")],
)  # fmt: skip
def test_a_transfer_to_the_same_body_a_missing_or_dissolved_one_or_before_the_meeting_is_refused(
    app: ScrutinyService, fields: dict[str, Any], error: type[Exception], field: str
) -> None:
    app.execute(register())
    app.execute(register("RES", name="Resources Committee"))
    app.execute(register("OLD", name="Old Board"))
    app.execute(command("dissolve_body", body="OLD", decided_on="2024-02-01"))
    app.execute(make("R1", meeting_date="2024-03-14"))
    before = len(app.audit())
    with pytest.raises(error) as refused:
        app.execute(command("transfer", ref="R1", **({"to_body": "RES", "decided_on": "2024-05-01"} | fields)))
    assert refused.value.field == field  # type: ignore[attr-defined]
    assert len(app.audit()) == before


def test_a_closed_item_is_not_transferred_and_a_transfer_sent_twice_is_recorded_once(app: ScrutinyService) -> None:
    transferred_board(app)
    again = app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-05-01", minute="5/24",
                                reason="The committee system begins"))  # fmt: skip
    assert again.already_recorded
    app.execute(command("close", body="RES", ref="R1", outcome="implemented", decided_on="2024-06-01"))
    with pytest.raises(ItemClosed):
        app.execute(command("transfer", body="RES", ref="R1", to_body="BCSB", decided_on="2024-06-02"))


def test_impact_counts_a_transferred_item_once_under_the_body_that_made_it_unless_asked_by_current_body(
    app: ScrutinyService,
) -> None:
    transferred_board(app)
    app.execute(make("R2", body="RES", meeting_date="2024-06-01"))
    assert [(r.group, r.made) for r in app.impact()] == [("BCSB", 1), ("RES", 1)]
    assert [(r.group, r.made) for r in app.impact(by="current_body")] == [("RES", 2)]
    assert [(r.group, r.made) for r in app.impact(body="BCSB")] == [("BCSB", 1)]
    assert [(r.group, r.made) for r in app.impact(body="RES", by="current_body")] == [("RES", 2)]


def test_a_body_registered_before_regimes_reads_as_council_scrutiny_with_years_from_may() -> None:
    state: dict[str, Any] = {"code": "B"}
    Body.Registered.upcast_v1_v2(state)
    assert state == {"code": "B", "regime": "council-scrutiny", "municipal_year_starts": "05-01"}


def test_a_renamed_board_decides_under_the_name_in_force_on_the_day_it_decided(app: ScrutinyService) -> None:
    app.execute(register())
    app.execute(make("R1", meeting_date="2024-03-14"))
    app.execute(command("rename_body", name="Resources Scrutiny Board", **{"from": "2024-05-20"}))
    app.execute(command("reaffirm", ref="R1", decided_on="2024-05-19"))
    app.execute(command("defer", ref="R1", until=None, reason="Awaiting costs", decided_on="2024-06-01"))
    decided = [(e.event, e.decided_by) for e in app.audit(body="BCSB", ref="R1")]
    assert decided == [("Made", "Budget and Corporate Scrutiny Board"),
                       ("Reaffirmed", "Budget and Corporate Scrutiny Board"), ("Deferred", "Resources Scrutiny Board")]  # fmt: skip


def test_the_items_view_says_which_body_made_it_and_where_it_went(app: ScrutinyService) -> None:
    transferred_board(app)
    view = app.recommendation("BCSB", "R1")
    assert (view.body, view.made_by, view.transfers) == ("RES", "BCSB", ((date(2024, 5, 1), "BCSB", "RES"),))
