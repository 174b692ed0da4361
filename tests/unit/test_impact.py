"""Impact figures (DESIGN 5.5), counted by hand from a small record: each field, each grouping.

The record, with the municipal year 2023/24 (1 May 2023 to 30 April 2024) in mind:

- BCSB R1, made 1 Jun 2023 to Cabinet (executive), the Director of Housing and the Director of
  Finance (both officers). Referred to Cabinet and Housing on 5 Jun (due 4 Aug: two months).
  Cabinet accepted on 5 Jul (30 days, on time); Housing partially accepted on 10 Aug (66 days,
  late). Closed as implemented on 10 Jan 2024.
- BCSB R2, made 1 Sep 2023 to Cabinet and an NHS Trust, target date 31 Mar 2024, revised twice
  (to 30 Jun and 30 Sep 2024). Both referred on 4 Sep: Cabinet due 3 Nov, extended to 1 Dec, and
  rejected on 20 Nov (77 days: on time by the extension); the Trust due 1 Oct (28 days), awaited.
- BCSB R3, made 1 Feb 2024 to Housing: referred 5 Feb, noted 1 Mar (25 days, on time), closed
  as not implemented on 10 Mar, reopened on 20 Mar.
- BCSB R4, made 10 Apr 2024 to Cabinet, target date 20 Apr 2024: never referred, overdue.
- BCSB R5, made 1 Mar 2023 (2022/23) to Cabinet; BCSB R6, made 15 May 2024 (2024/25).
- SCB S1, made 1 Jul 2023 to the Police (partner, no deadline): accepted on 1 Aug without a
  referral, closed as partially implemented on 1 Dec 2023.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import pytest

from scrutiny_es.application import ScrutinyService
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.errors import BodyNotFound, InvalidQuery
from scrutiny_es.projections.impact import ImpactRow
from tests.conftest import FixedClock, command, make, register

CABINET = {"name": "Cabinet", "kind": "executive"}
HOUSING = {"name": "Director of Housing", "kind": "officer"}
FINANCE = {"name": "Director of Finance", "kind": "officer"}
TRUST = {"name": "Sandwell and West Birmingham NHS Trust", "kind": "nhs"}
POLICE = {"name": "West Midlands Police", "kind": "partner"}

FROM, TO = date(2023, 5, 1), date(2024, 4, 30)
RECORDED = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


def item(body: str, ref: str, meeting: str, *addressees: dict[str, str], **fields: Any) -> dict[str, Any]:
    return make(ref, body, meeting_date=meeting, addressees=list(addressees), **fields)


def on(body: str, ref: str, name: str, **fields: Any) -> dict[str, Any]:
    return command(name, body, ref=ref, **fields)


def respond(ref: str, who: dict[str, str], decision: str, day: str, body: str = "BCSB") -> dict[str, Any]:
    return on(body, ref, "record_response", addressee=who["name"], decision=decision, text=f"{decision}.",
              responded_on=day, responded_by=who["name"])  # fmt: skip


def refer(ref: str, who: dict[str, str], day: str) -> dict[str, Any]:
    return on("BCSB", ref, "refer", addressee=who["name"], received_on=day)


RECORD = [
    register("BCSB"),
    register("SCB", name="Safer Communities Board"),
    item("BCSB", "R1", "2023-06-01", CABINET, HOUSING, FINANCE),
    refer("R1", CABINET, "2023-06-05"),
    refer("R1", HOUSING, "2023-06-05"),
    respond("R1", CABINET, "accepted", "2023-07-05"),
    respond("R1", HOUSING, "partially_accepted", "2023-08-10"),
    on("BCSB", "R1", "close", outcome="implemented", decided_on="2024-01-10"),
    item("BCSB", "R2", "2023-09-01", CABINET, TRUST, target_date="2024-03-31"),
    refer("R2", CABINET, "2023-09-04"),
    refer("R2", TRUST, "2023-09-04"),
    on(
        "BCSB",
        "R2",
        "extend_response_deadline",
        addressee="Cabinet",
        response_due="2023-12-01",
        reason="Cabinet meets on 28 November",
        agreed_by="Chair",
        decided_on="2023-10-20",
    ),
    respond("R2", CABINET, "rejected", "2023-11-20"),
    on(
        "BCSB",
        "R2",
        "revise_target_date",
        target_date="2024-06-30",
        reason="Procurement",
        decided_by="Chair",
        decided_on="2024-01-15",
    ),
    on(
        "BCSB",
        "R2",
        "revise_target_date",
        target_date="2024-09-30",
        reason="Consultation",
        decided_by="Chair",
        decided_on="2024-03-01",
    ),
    item("BCSB", "R3", "2024-02-01", HOUSING),
    refer("R3", HOUSING, "2024-02-05"),
    respond("R3", HOUSING, "noted", "2024-03-01"),
    on("BCSB", "R3", "close", outcome="not_implemented", decided_on="2024-03-10"),
    on("BCSB", "R3", "reopen", reason="The director asks for more time", decided_on="2024-03-20"),
    item("BCSB", "R4", "2024-04-10", CABINET, target_date="2024-04-20"),
    item("BCSB", "R5", "2023-03-01", CABINET),
    item("BCSB", "R6", "2024-05-15", CABINET),
    item("SCB", "S1", "2023-07-01", POLICE),
    respond("S1", POLICE, "accepted", "2023-08-01", body="SCB"),
    on("SCB", "S1", "close", outcome="partially_implemented", decided_on="2023-12-01"),
]

ZERO = {name: 0 for name in ImpactRow.__dataclass_fields__ if name != "group"} | {
    "median_days_to_respond": None, "acceptance_rate": None, "implementation_rate": None,
}  # fmt: skip


def figures(group: str, **given: Any) -> dict[str, Any]:
    return {"group": group, **ZERO, **given}


BCSB = figures(
    "BCSB", made=4, referred=5, responded=4, responded_on_time=3, awaiting=1, awaiting_overdue=1,
    median_days_to_respond=48.0, accepted=1, partially_accepted=1, rejected=1, noted=1, acceptance_rate=0.667,
    closed=1, implemented=1, implementation_rate=1.0, open=3, overdue=2, revised=1, revisions=2,
)  # fmt: skip
SCB = figures("SCB", made=1, responded=1, accepted=1, acceptance_rate=1.0, closed=1, partially_implemented=1,
              implementation_rate=1.0)  # fmt: skip
CABINET_FIGURES = figures(
    "Cabinet", made=3, referred=2, responded=2, responded_on_time=2, median_days_to_respond=53.5, accepted=1,
    rejected=1, acceptance_rate=0.5, closed=1, implemented=1, implementation_rate=1.0, open=2, overdue=2,
    revised=1, revisions=2,
)  # fmt: skip
HOUSING_FIGURES = figures(
    "Director of Housing", made=2, referred=2, responded=2, responded_on_time=1, median_days_to_respond=45.5,
    partially_accepted=1, noted=1, acceptance_rate=1.0, closed=1, implemented=1, implementation_rate=1.0, open=1,
)  # fmt: skip
FINANCE_FIGURES = figures("Director of Finance", made=1, closed=1, implemented=1, implementation_rate=1.0)
TRUST_FIGURES = figures(TRUST["name"], made=1, referred=1, awaiting=1, awaiting_overdue=1, open=1, overdue=1,
                        revised=1, revisions=2)  # fmt: skip
POLICE_FIGURES = SCB | {"group": POLICE["name"]}


@pytest.fixture(scope="module")
def record() -> ScrutinyService:
    clock = FixedClock(RECORDED)
    app = in_memory(clock)
    for line in RECORD:
        app.execute(line)
    clock.time = LATER  # the Trust's response of 15 April, recorded late
    app.execute(respond("R2", TRUST, "accepted", "2024-04-15"))
    return app


KNOWN_BEFORE = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
"""Before the Trust's response was recorded."""


def shown(rows: list[ImpactRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def test_by_body_each_figure_as_counted_by_hand(record: ScrutinyService) -> None:
    rows = record.impact(from_=FROM, to=TO, as_known_at=KNOWN_BEFORE)
    assert shown(rows) == [BCSB, SCB]


def test_one_body_only(record: ScrutinyService) -> None:
    assert shown(record.impact(body="SCB", from_=FROM, to=TO, as_known_at=KNOWN_BEFORE)) == [SCB]


def test_by_addressee_an_item_counts_for_each_addressee_and_a_referral_for_its_own(record: ScrutinyService) -> None:
    rows = record.impact(from_=FROM, to=TO, by="addressee", as_known_at=KNOWN_BEFORE)
    assert shown(rows) == [CABINET_FIGURES, FINANCE_FIGURES, HOUSING_FIGURES, TRUST_FIGURES, POLICE_FIGURES]


def test_by_addressee_kind_an_item_counts_once_in_a_kind_however_many_of_its_addressees_are_of_it(
    record: ScrutinyService,
) -> None:
    rows = record.impact(from_=FROM, to=TO, by="addressee_kind", as_known_at=KNOWN_BEFORE)
    officers = HOUSING_FIGURES | {"group": "officer"}  # R1 once, though made to two officers
    assert shown(rows) == [
        CABINET_FIGURES | {"group": "executive"},
        TRUST_FIGURES | {"group": "nhs"},
        officers,
        POLICE_FIGURES | {"group": "partner"},
    ]


def test_by_municipal_year_from_1_may_to_30_april(record: ScrutinyService) -> None:
    rows = record.impact(to=TO, by="year", as_known_at=KNOWN_BEFORE)
    assert shown(rows) == [
        figures("2022/23", made=1, open=1),
        figures(
            "2023/24", made=5, referred=5, responded=5, responded_on_time=3, awaiting=1, awaiting_overdue=1,
            median_days_to_respond=48.0, accepted=2, partially_accepted=1, rejected=1, noted=1, acceptance_rate=0.75,
            closed=2, implemented=1, partially_implemented=1, implementation_rate=1.0, open=3, overdue=2, revised=1,
            revisions=2,
        ),
    ]  # fmt: skip
    assert [r.group for r in record.impact(to=date(2024, 6, 1), by="year", as_known_at=KNOWN_BEFORE)][-1] == "2024/25"


def test_measured_on_to_a_closure_later_reopened_counts_as_closed_before_the_reopening(
    record: ScrutinyService,
) -> None:
    (bcsb,) = record.impact(body="BCSB", from_=FROM, to=date(2024, 3, 15))
    assert (bcsb.made, bcsb.closed, bcsb.not_implemented, bcsb.implementation_rate, bcsb.open) == (3, 2, 1, 0.5, 1)
    (later,) = record.impact(body="BCSB", from_=FROM, to=date(2024, 3, 20))
    assert (later.closed, later.not_implemented, later.open) == (1, 0, 2)


def test_without_an_extension_the_response_would_have_been_late(record: ScrutinyService) -> None:
    (cabinet,) = [r for r in record.impact(by="addressee", to=TO) if r.group == "Cabinet"]
    assert cabinet.responded_on_time == 2  # R1 on 5 Jul (due 4 Aug); R2 on 20 Nov, due 3 Nov extended to 1 Dec


def test_as_known_at_leaves_out_what_was_recorded_later(record: ScrutinyService) -> None:
    (trust,) = [r for r in record.impact(by="addressee", from_=FROM, to=TO) if r.group == TRUST["name"]]
    assert (trust.responded, trust.responded_on_time, trust.awaiting, trust.awaiting_overdue) == (1, 0, 0, 0)
    assert (trust.accepted, trust.acceptance_rate, trust.median_days_to_respond) == (1, 1.0, 224.0)  # 4 Sep - 15 Apr
    assert trust.overdue == 0


def test_to_defaults_to_today_and_as_known_at_to_its_day(record: ScrutinyService) -> None:
    today = {r.group: r.made for r in record.impact(by="year")}
    assert today == {"2022/23": 1, "2023/24": 5, "2024/25": 1}  # today is 1 July 2024: R6 is counted
    known = {r.group: r.made for r in record.impact(by="year", as_known_at=datetime(2024, 5, 1, 12, tzinfo=UTC))}
    assert known == {}  # nothing had been recorded by then


def test_nothing_made_in_the_period_gives_no_rows(record: ScrutinyService) -> None:
    assert record.impact(from_=date(2020, 1, 1), to=date(2020, 12, 31)) == []


def test_bad_questions_are_refused_with_the_rule(record: ScrutinyService) -> None:
    with pytest.raises(InvalidQuery, match=r"from: 1 May 2024 is after to \(30 Apr 2024\)"):
        record.impact(from_=date(2024, 5, 1), to=TO)
    with pytest.raises(InvalidQuery, match="by: must be one of body, addressee, addressee_kind, year"):
        record.impact(by="party")  # type: ignore[arg-type]
    with pytest.raises(BodyNotFound):
        record.impact(body="NOPE")


def test_a_municipal_year_not_begun_is_refused_naming_the_year_not_a_from_never_given(record: ScrutinyService) -> None:
    with pytest.raises(
        InvalidQuery, match=r"^year 2025/26 has not begun by 30 Jun 2024: it begins on 1 May 2025$"
    ) as e:
        record.impact(body="BCSB", year="2025/26", as_known_at=KNOWN_BEFORE)
    assert e.value.field == "year"


def test_an_item_made_to_nobody_is_in_the_group_no_addressee() -> None:
    app = in_memory(FixedClock(RECORDED))
    app.execute(register("BCSB"))
    app.execute(item("BCSB", "H1", "2024-02-15"))
    app.execute(on("BCSB", "H1", "defer", until="2024-03-14", reason="Awaiting the regulator", decided_on="2024-02-15"))
    for by in ("addressee", "addressee_kind"):
        (row,) = app.impact(to=TO, by=by)  # type: ignore[arg-type]
        assert asdict(row) == figures("(no addressee)", made=1, open=1, overdue=1)  # the board's return is overdue
