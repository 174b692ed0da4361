"""Properties of the projections over random command sequences a board could produce.

- Applied incrementally, in batches of any size, each caught up on its own or with the others, the read
  models equal a full rebuild.
- The tracker and the overdue list as of a date equal what the facts effective by then give.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrutiny_es import Scrutiny, ScrutinyError
from scrutiny_es.domain.history import ItemHistory
from scrutiny_es.domain.model import Recommendation, recommendation_id
from scrutiny_es.projections.items import fold, overdue_rows, tracker_row
from tests import parts
from tests.conftest import FixedClock, NewDatabase, command, make, register

START = date(2024, 1, 8)
TODAY = date(2024, 4, 1)
REFS = ["R1", "R2", "R3"]
ADDRESSEES = [
    {"name": "Cabinet", "kind": "executive"},
    {"name": "Director of Housing", "kind": "officer"},
    {"name": "Police", "kind": "partner"},
]


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


NEWCOMERS = [{"name": "NHS Trust", "kind": "nhs"}, {"name": "Director of Homes", "kind": "officer"}]
"""Who may be added to an item, or succeed one of its addressees."""

days = st.integers(min_value=0, max_value=120)
refs = st.sampled_from(REFS)
names = st.sampled_from([a["name"] for a in ADDRESSEES])
everyone = st.sampled_from([a["name"] for a in [*ADDRESSEES, *NEWCOMERS]])
maybe_minute = st.none() | st.sampled_from(["12/24", "31/24"])
positions = st.integers(min_value=2, max_value=45)

made = st.tuples(
    *(
        st.builds(
            lambda ref, d, t: make(
                ref, meeting_date=day(d), addressees=ADDRESSEES, target_date=None if t is None else day(d + t)
            ),
            st.just(ref),
            st.integers(0, 40),
            st.none() | st.integers(0, 90),
        )
        for ref in REFS
    )
)
step = st.one_of(
    st.builds(lambda ref, who, d: command("refer", ref=ref, addressee=who, received_on=day(d)), refs, everyone, days),
    st.builds(lambda ref, who, verdict, d, t: command("record_response", ref=ref, addressee=who, decision=verdict,
                                                      text=f"{who} says {verdict}", responded_on=day(d),
                                                      responded_by=who, target_date=None if t is None else day(d + t)),
              refs, names, st.sampled_from(["accepted", "partially_accepted", "rejected", "noted"]), days,
              st.none() | st.integers(0, 60)),
    st.builds(lambda ref, d, rag: command("report_progress", ref=ref, note=f"Update on day {d}", reported_on=day(d),
                                          reported_by="Officer", rag=rag),
              refs, days, st.none() | st.sampled_from(["green", "amber", "red"])),
    st.builds(lambda ref, d, t: command("revise_target_date", ref=ref, target_date=day(d + t), reason="Slipped",
                                        decided_by="Cabinet member", decided_on=day(d)),
              refs, days, st.integers(0, 60)),
    st.builds(lambda ref, d, u, m: command("defer", ref=ref, until=None if u is None else day(d + u), reason="Wait",
                                           decided_on=day(d), minute=m),
              refs, days, st.none() | st.integers(0, 30), maybe_minute),
    st.builds(lambda ref, d: command("reaffirm", ref=ref, decided_on=day(d)), refs, days),
    st.builds(lambda ref, d: command("escalate", ref=ref, action="Call in the cabinet member", decided_on=day(d)),
              refs, days),
    st.builds(lambda ref, d, outcome: command("close", ref=ref, outcome=outcome, decided_on=day(d)),
              refs, days, st.sampled_from(["implemented", "withdrawn", "no_longer_monitored"])),
    st.builds(lambda ref, d: command("reopen", ref=ref, reason="Back", decided_on=day(d)), refs, days),
    st.builds(lambda ref, text: command("correct", ref=ref, field="text", value=text, reason="Typo"),
              refs, st.sampled_from(["Corrected wording", "Another wording"])),
    st.builds(lambda ref, who: command("correct", ref=ref, field="response.text", value="Amended", reason="Letter",
                                       addressee=who), refs, names),
    # Who an item is for, changing: a name may come and go more than once, and the rules refuse what cannot be.
    st.builds(lambda ref, who, d: command("add_addressee", ref=ref, addressee=who, decided_on=day(d)),
              refs, st.sampled_from(NEWCOMERS), days),
    st.builds(lambda ref, who, d: command("remove_addressee", ref=ref, addressee=who, reason="Not theirs",
                                          decided_on=day(d)), refs, everyone, days),
    st.builds(lambda ref, who, successor, d: command("replace_addressee", ref=ref, addressee=who, successor=successor,
                                                     reason="Left", decided_on=day(d)),
              refs, everyone, st.sampled_from(NEWCOMERS), days),
    # Facts named by their position in the audit trail: many a position is not a fact of the item, and is refused.
    st.builds(lambda ref, p: command("retract", ref=ref, position=p, reason="Recorded in error"), refs, positions),
    st.builds(lambda ref, p: command("correct", ref=ref, field="progress.note", value="Corrected note", reason="Typo",
                                     position=p), refs, positions),
    st.builds(lambda ref, p, d: command("correct", ref=ref, field="decision.decided_on", value=day(d), reason="Date",
                                        position=p), refs, positions, days),
    st.builds(lambda ref, p, rag: command("correct", ref=ref, field="progress.rag", value=rag, reason="RAG",
                                          position=p), refs, positions, st.none() | st.sampled_from(["green", "red"])),
)  # fmt: skip

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


def run(steps: list[dict[str, Any]], url: str, catch_up_after: list[tuple[str, ...]] | None = None) -> Scrutiny:
    """Records the steps, catching up after each the projections ``catch_up_after`` names for it, in turn."""
    app = Scrutiny(url, clock=FixedClock(), catch_up=False)
    app.execute(register())
    for n, cmd in enumerate(steps):
        try:
            app.execute(cmd)
        except ScrutinyError:
            continue  # a board would not record this; the sequence goes on without it
        if catch_up_after and catch_up_after[n % len(catch_up_after)]:
            parts.read_models_of(app).catch_up(catch_up_after[n % len(catch_up_after)])
    return app


# After a step: no catch-up, all three, or one of the two that share their items' histories.
catch_ups = st.sampled_from([(), ("tracker", "overdue", "audit"), ("tracker",), ("overdue",)])


@PROPERTY
@given(
    items=made,
    steps=st.lists(step, min_size=8, max_size=40),
    batch=st.integers(1, 7),
    pauses=st.lists(catch_ups, min_size=1),
)
def test_incremental_equals_a_full_rebuild(
    new_database: NewDatabase, items: tuple[dict[str, Any], ...], steps: list[dict[str, Any]], batch: int,
    pauses: list[tuple[str, ...]],
) -> None:  # fmt: skip
    with new_database() as url:
        app = run([*items, *steps], url, pauses)
        try:
            parts.read_models_of(app).runner.BATCH = batch
            parts.read_models_of(app).catch_up()
            days_to_check = [START + timedelta(days=n) for n in range(0, 200, 9)]
            incremental = (parts.read_models_of(app).tracker(TODAY), [parts.read_models_of(app).overdue(d) for d in days_to_check],
                           parts.read_models_of(app).audit())  # fmt: skip
            parts.read_models_of(app).runner.CHECKPOINT = batch
            parts.read_models_of(app).rebuild()
            rebuilt = (parts.read_models_of(app).tracker(TODAY), [parts.read_models_of(app).overdue(d) for d in days_to_check],
                       parts.read_models_of(app).audit())  # fmt: skip
            assert rebuilt == incremental
            assert incremental[0] == tracker_rows(folded(app), TODAY)
            assert incremental[1] == [overdue_rows(folded(app), d) for d in days_to_check]
            assert [e.position for e in rebuilt[2]] == list(range(1, parts.read_models_of(app).log.head() + 1))
        finally:
            app.close()


@PROPERTY
@given(items=made, steps=st.lists(step, min_size=8, max_size=40), on=days)
def test_as_of_a_date_equals_the_facts_effective_by_then(
    new_database: NewDatabase, items: tuple[dict[str, Any], ...], steps: list[dict[str, Any]], on: int
) -> None:
    as_of = START + timedelta(days=on)
    with new_database() as url:
        app = run([*items, *steps], url)
        try:  # closed on a failure too: hypothesis runs a failing example many times over while it shrinks it
            histories = folded(app, as_of)
            assert app.tracker(as_of=as_of) == tracker_rows(histories, as_of)
            assert app.overdue(as_of=as_of) == overdue_rows(histories, as_of)
        finally:
            app.close()


def folded(app: Scrutiny, effective_by: date | None = None) -> list[ItemHistory]:
    """Each item's history folded straight from its events: those effective by a date, or all. A fact whose
    date was corrected takes effect on the corrected date (``Corrected.fact_date``, the last correction's)."""
    histories = []
    for ref in REFS:
        history: ItemHistory | None = None
        events = list(parts.store_of(app).events(recommendation_id("BCSB", ref)))
        corrected = {e.version: e.fact_date for e in events if type(e) is Recommendation.Corrected and e.version}
        for event in events:
            on = corrected.get(event.originator_version, event.effective_on)  # type: ignore[attr-defined]
            if effective_by is None or on <= effective_by:
                history = fold(history, event)
        if history is not None:
            histories.append(history)
    return histories


def tracker_rows(histories: list[ItemHistory], day: date) -> list[Any]:
    rows = (tracker_row(h, day=day) for h in histories)
    return sorted((r for r in rows if r is not None), key=lambda r: (r.meeting_date, r.ref))


def test_a_decision_whose_date_is_corrected_earlier_is_in_force_as_of_the_corrected_date(db_url: str) -> None:
    app = run([make("R1", meeting_date=day(0), addressees=ADDRESSEES),
               command("revise_target_date", ref="R1", target_date=day(1), reason="Slipped",
                       decided_by="Cabinet member", decided_on=day(1)),
               command("correct", ref="R1", field="decision.decided_on", value=day(0), reason="Date", position=3)],
              db_url)  # fmt: skip
    try:
        (row,) = app.tracker(as_of=START)
        assert (row.target_date, row.target_date_revisions) == (START + timedelta(days=1), 1)
        assert [row] == tracker_rows(folded(app, START), START)
    finally:
        app.close()
