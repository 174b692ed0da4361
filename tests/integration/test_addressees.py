"""Who an item is for, as it changes, on SQLite and PostgreSQL: added, removed, replaced by a successor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from scrutiny_es import (
    AlreadyReferred,
    CannotChangeAddressees,
    CannotCorrect,
    DateOutOfOrder,
    InvalidCommand,
    ItemClosed,
    NotAnAddressee,
    Scrutiny,
    ScrutinyError,
)
from tests import parts
from tests.conftest import FixedClock, command, make, register

HOUSING = "Director of Housing"
HOMES = {"name": "Director of Homes", "kind": "officer", "role": "Interim"}
POLICE = {"name": "West Midlands Police", "kind": "partner"}


def referred(app: Scrutiny) -> None:
    """R1 for Cabinet and the Director of Housing, who received it on 20 Feb 2024: due by 19 Apr 2024."""
    app.execute(register())
    app.execute(make())
    app.execute(command("refer", ref="R1", addressee=HOUSING, received_on="2024-02-20"))


def replace(**fields: Any) -> dict[str, Any]:
    given = {
        "ref": "R1",
        "addressee": HOUSING,
        "successor": HOMES,
        "reason": "Post renamed",
        "decided_on": "2024-05-01",
    }
    return command("replace_addressee", **(given | fields))


def add(**fields: Any) -> dict[str, Any]:
    return command("add_addressee", **({"ref": "R1", "addressee": POLICE, "decided_on": "2024-03-14"} | fields))


def remove(**fields: Any) -> dict[str, Any]:
    given = {"ref": "R1", "addressee": HOUSING, "reason": "Not theirs to answer", "decided_on": "2024-03-14"}
    return command("remove_addressee", **(given | fields))


def test_a_successor_takes_over_the_referral_and_its_running_deadline(app: Scrutiny) -> None:
    referred(app)
    assert app.execute(replace()).events == ("AddresseeReplaced",)
    (row,) = app.tracker()
    assert row.addressees == ["Cabinet", "Director of Homes"]
    assert (row.status, row.awaiting, row.response_due) == (
        "awaiting_response",
        ["Director of Homes"],
        date(2024, 4, 19),
    )
    (late,) = app.overdue(as_of=date(2024, 6, 3))
    assert (late.reason, late.due, late.responsible) == ("response", date(2024, 4, 19), ["Director of Homes"])
    (earlier,) = app.overdue(as_of=date(2024, 4, 30))  # before the replacement: the director who left owed it
    assert earlier.responsible == [HOUSING]
    assert app.tracker(as_of=date(2024, 4, 30))[0].addressees == ["Cabinet", HOUSING]
    view = app.recommendation("BCSB", "R1")
    assert [a.name for a in view.addressees] == ["Cabinet", "Director of Homes"]
    assert view.referrals["Director of Homes"].received_on == date(2024, 2, 20)
    (change,) = view.addressee_changes
    assert (change.change, change.addressee.name, change.successor, change.reason) == (
        "replaced",
        HOUSING,
        view.addressees[1],
        "Post renamed",
    )
    with pytest.raises(AlreadyReferred):
        app.execute(command("refer", ref="R1", addressee="Director of Homes", received_on="2024-05-02"))
    with pytest.raises(NotAnAddressee):
        app.execute(command("record_response", ref="R1", addressee=HOUSING, decision="accepted", text="Yes",
                            responded_on="2024-05-02", responded_by=HOUSING))  # fmt: skip
    app.execute(command("record_response", ref="R1", addressee="Director of Homes", decision="accepted", text="Yes",
                        responded_on="2024-05-02", responded_by="Director of Homes"))  # fmt: skip
    assert app.overdue(as_of=date(2024, 6, 3)) == []
    assert app.tracker()[0].status == "responded"


def test_a_deadline_extended_for_the_successor_is_theirs(app: Scrutiny) -> None:
    referred(app)
    app.execute(replace())
    app.execute(command("extend_response_deadline", ref="R1", addressee="Director of Homes", response_due="2024-06-30",
                        reason="New in post", agreed_by="Chair", decided_on="2024-05-02"))  # fmt: skip
    assert app.tracker()[0].response_due == date(2024, 6, 30)
    assert app.overdue(as_of=date(2024, 6, 3)) == []


def test_a_removed_addressee_owes_nothing_from_the_day_of_the_removal(app: Scrutiny) -> None:
    referred(app)
    app.execute(remove(decided_on="2024-05-01"))
    (row,) = app.tracker()
    assert (row.addressees, row.status, row.response_due) == (["Cabinet"], "made", None)
    assert app.overdue(as_of=date(2024, 6, 3)) == []
    assert [r.responsible for r in app.overdue(as_of=date(2024, 4, 30))] == [[HOUSING]]  # overdue before it
    with pytest.raises(NotAnAddressee):
        app.execute(command("refer", ref="R1", addressee=HOUSING, received_on="2024-05-02"))


def test_an_added_addressee_is_referred_and_responds_like_the_others(app: Scrutiny) -> None:
    referred(app)
    assert app.execute(add(reason="The police patrol the lakes")).events == ("AddresseeAdded",)
    assert app.tracker()[0].addressees == ["Cabinet", HOUSING, "West Midlands Police"]
    assert app.tracker(as_of=date(2024, 3, 13))[0].addressees == ["Cabinet", HOUSING]
    app.execute(command("refer", ref="R1", addressee="West Midlands Police", received_on="2024-03-15",
                        response_due="2024-04-12"))  # fmt: skip
    assert app.tracker()[0].awaiting == [HOUSING, "West Midlands Police"]
    assert [(r.due, r.responsible) for r in app.overdue(as_of=date(2024, 4, 15))] == [
        (date(2024, 4, 12), ["West Midlands Police"])
    ]


def test_each_change_is_in_the_audit_trail_with_the_board_that_decided_it(app: Scrutiny) -> None:
    referred(app)
    app.execute(add())
    app.execute(remove(addressee="Cabinet", decided_on="2024-04-01"))
    app.execute(replace())
    entries = [e for e in app.audit() if e.event.startswith("Addressee")]
    board = "Budget and Corporate Scrutiny Board"
    assert [(e.event, e.effective_on, e.decided_by, e.summary) for e in entries] == [
        ("AddresseeAdded", date(2024, 3, 14), board,
         f"{board} added West Midlands Police as an addressee of the recommendation on 14 Mar 2024."),
        ("AddresseeRemoved", date(2024, 4, 1), board,
         f"{board} removed Cabinet from the addressees of the recommendation on 1 Apr 2024: Not theirs to answer"),
        ("AddresseeReplaced", date(2024, 5, 1), board,
         f"{board} passed Director of Housing's part in the recommendation to Director of Homes (Interim) on "
         "1 May 2024: Post renamed"),
    ]  # fmt: skip
    card = {fact.event: fact.text for fact in app.item("BCSB", "R1")}
    assert card["AddresseeReplaced"] == "Post renamed"


def test_the_same_change_sent_again_is_already_recorded(app: Scrutiny) -> None:
    referred(app)
    first = app.execute(replace())
    again = app.execute(replace())
    assert again.already_recorded and again.position == first.position
    assert app.execute(add(decided_on="2024-05-02")).already_recorded is False
    assert app.execute(add(decided_on="2024-05-02")).already_recorded


@pytest.mark.parametrize(
    ("sent", "error", "field", "words"),
    [
        (add(addressee={"name": "Cabinet", "kind": "executive"}), CannotChangeAddressees, "addressee.name",
         "Cabinet is already an addressee of R1"),
        (replace(successor={"name": "Cabinet", "kind": "executive"}), CannotChangeAddressees, "successor.name",
         "Cabinet is already an addressee of R1"),
        (remove(addressee="Nobody"), NotAnAddressee, "addressee", "Nobody is not an addressee of R1"),
        (replace(addressee="Nobody"), NotAnAddressee, "addressee", "Nobody is not an addressee of R1"),
        (add(decided_on="2024-02-14"), DateOutOfOrder, "decided_on",
         "the decision date (14 Feb 2024) is before the meeting (15 Feb 2024)"),
        (remove(decided_on="2024-02-14"), DateOutOfOrder, "decided_on", "before the meeting (15 Feb 2024)"),
        (replace(decided_on="2024-02-14"), DateOutOfOrder, "decided_on", "before the meeting (15 Feb 2024)"),
        (add(decided_on="2024-12-03"), DateOutOfOrder, "decided_on", "a fact cannot take effect in the future"),
        (add(addressee={"name": "Police"}), InvalidCommand, "addressee.kind", "required"),
        (replace(successor=None), InvalidCommand, "successor", "instance of Addressee, not None"),
        (remove(reason=" "), InvalidCommand, "reason", "must not be blank"),
        (command("correct", ref="R1", field="addressees", value=["Cabinet"], reason="Wrong"), InvalidCommand, "field",
         "use add_addressee, remove_addressee or replace_addressee"),
    ],
)  # fmt: skip
def test_a_change_that_breaks_a_rule_is_refused_naming_the_field_and_writes_nothing(
    app: Scrutiny, sent: dict[str, Any], error: type[ScrutinyError], field: str, words: str
) -> None:
    referred(app)
    before = len(app.audit())
    with pytest.raises(error) as refused:
        app.execute(sent)
    assert (refused.value.field, words in str(refused.value)) == (field, True), str(refused.value)
    assert len(app.audit()) == before


def test_the_only_addressee_is_not_removed_and_a_closed_item_takes_no_change(app: Scrutiny) -> None:
    referred(app)
    app.execute(remove(addressee="Cabinet"))
    with pytest.raises(CannotChangeAddressees, match=r"the only addressee of R1.*replace_addressee") as refused:
        app.execute(remove(decided_on="2024-03-15"))
    assert refused.value.field == "addressee"
    app.execute(command("close", ref="R1", outcome="withdrawn", decided_on="2024-04-01"))
    with pytest.raises(ItemClosed):
        app.execute(replace())


def test_a_change_is_dated_on_or_after_the_last_change_and_any_response_of_the_one_leaving(app: Scrutiny) -> None:
    referred(app)
    app.execute(add(decided_on="2024-04-01"))
    with pytest.raises(DateOutOfOrder, match="before the last change of addressees") as refused:
        app.execute(replace(decided_on="2024-03-31"))
    assert refused.value.field == "decided_on"
    app.execute(command("record_response", ref="R1", addressee=HOUSING, decision="accepted", text="Yes",
                        responded_on="2024-04-20", responded_by=HOUSING))  # fmt: skip
    with pytest.raises(DateOutOfOrder, match="Director of Housing's response"):
        app.execute(replace(decided_on="2024-04-10"))
    app.execute(replace(decided_on="2024-04-25"))  # answered: the response stays theirs, nothing passes on
    (row,) = app.tracker()
    assert (row.status, row.awaiting, row.response) == ("responded", [], "accepted")


def test_a_change_recorded_in_error_is_retracted_and_the_record_is_as_before(app: Scrutiny) -> None:
    referred(app)
    wrong = app.execute(replace())
    app.execute(command("retract", ref="R1", position=wrong.position, reason="Wrong item"))
    (row,) = app.tracker()
    assert (row.addressees, row.awaiting) == (["Cabinet", HOUSING], [HOUSING])
    added = app.execute(add())
    app.execute(command("refer", ref="R1", addressee="West Midlands Police", received_on="2024-03-15"))
    with pytest.raises(CannotChangeAddressees, match="retract that first") as refused:
        app.execute(command("retract", ref="R1", position=added.position, reason="Wrong item"))
    assert refused.value.field == "position"


def test_a_change_is_not_corrected_but_retracted(app: Scrutiny) -> None:
    referred(app)
    change = app.execute(add())
    with pytest.raises(CannotCorrect, match="a change of addressees, which is not corrected"):
        app.execute(command("correct", ref="R1", field="decision.decided_on", value="2024-03-15", reason="Typo",
                            position=change.position))  # fmt: skip
    with pytest.raises(InvalidCommand, match="use add_addressee, remove_addressee or replace_addressee"):
        app.execute(command("correct", ref="R1", field="addressees", value="Cabinet", reason="Wrong"))


def test_the_reports_as_known_at_a_time_and_a_rebuild_show_the_same(app: Scrutiny, clock: FixedClock) -> None:
    referred(app)
    clock.time = datetime(2024, 12, 3, 9, 0, tzinfo=UTC)
    app.execute(add())
    clock.time = datetime(2024, 12, 4, 9, 0, tzinfo=UTC)
    app.execute(replace())
    app.execute(remove(addressee="Cabinet", decided_on="2024-05-02"))
    known = app.tracker(as_known_at=datetime(2024, 12, 3, 12, 0, tzinfo=UTC))[0]
    assert known.addressees == ["Cabinet", HOUSING, "West Midlands Police"]
    on = date(2024, 6, 3)
    before = (app.tracker(), app.overdue(as_of=on), app.audit(), app.item("BCSB", "R1"))
    assert before[0][0].addressees == ["Director of Homes", "West Midlands Police"]
    parts.read_models_of(app).rebuild()
    assert (app.tracker(), app.overdue(as_of=on), app.audit(), app.item("BCSB", "R1")) == before
    assert app.tracker(as_of=on) == app.tracker(as_of=on, as_known_at=datetime(2024, 12, 5, tzinfo=UTC))


def test_a_newcomer_is_referred_and_responds_no_earlier_than_the_day_they_came_in(app: Scrutiny) -> None:
    referred(app)
    app.execute(add())
    with pytest.raises(DateOutOfOrder, match="West Midlands Police became an addressee") as refused:
        app.execute(command("refer", ref="R1", addressee="West Midlands Police", received_on="2024-03-13"))
    assert refused.value.field == "received_on"
    app.execute(replace(decided_on="2024-05-01"))
    with pytest.raises(DateOutOfOrder, match=r"before Director of Homes became an addressee \(1 May 2024\)") as late:
        app.execute(command("record_response", ref="R1", addressee="Director of Homes", decision="noted", text="Seen",
                            responded_on="2024-04-30", responded_by="Director of Homes"))  # fmt: skip
    assert late.value.field == "responded_on"


def test_impact_counts_a_taken_over_referral_as_the_successor_s_and_a_removed_one_as_awaited_by_nobody(
    app: Scrutiny,
) -> None:
    referred(app)
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    app.execute(replace(decided_on="2024-03-01"))
    app.execute(remove(addressee="Cabinet", decided_on="2024-03-02"))
    app.execute(command("record_response", ref="R1", addressee="Director of Homes", decision="accepted", text="Yes",
                        responded_on="2024-03-05", responded_by="Director of Homes"))  # fmt: skip
    figures = {r.group: (r.made, r.referred, r.responded, r.awaiting, r.median_days_to_respond)
               for r in app.impact(by="addressee", to=date(2024, 6, 1))}  # fmt: skip
    assert figures == {"Cabinet": (0, 1, 0, 0, None), "Director of Homes": (1, 1, 1, 0, 14.0)}
