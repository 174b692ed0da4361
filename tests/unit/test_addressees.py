"""Who an item is for: given its history, when an addressee is added, removed or replaced, then events or an error."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from eventsourcing.utils import get_topic

from scrutiny_es.adapters.store.mapper import EventMapper
from scrutiny_es.domain.errors import CannotChangeAddressees, ItemClosed, NotAnAddressee
from scrutiny_es.domain.model import Addressee, Recommendation
from scrutiny_es.projections.items import obligations, tracker_row
from tests.unit.test_recommendation import AT, BOARD, CLERK, made, referred, then

HOMES = Addressee("Director of Homes", "officer", "Interim")


def replaced(item: Recommendation, on: date = date(2024, 5, 1)) -> Recommendation:
    item.replace_addressee(addressee="Director of Housing", successor=HOMES, reason="Post renamed", decided_on=on,
                           actor=CLERK, at=AT)  # fmt: skip
    return item


def test_the_events_are_nested_on_the_item_in_the_model_so_their_topics_never_move() -> None:
    for name in ("AddresseeAdded", "AddresseeRemoved", "AddresseeReplaced"):
        cls = getattr(Recommendation, name)
        assert get_topic(cls) == f"scrutiny_es.domain.model:Recommendation.{name}"
        assert cls.class_version == 1 and issubclass(cls, Recommendation.Event)


def test_a_stored_replacement_is_read_back_by_its_topic_in_a_process_that_never_made_one() -> None:
    event = replaced(referred(made(), "Director of Housing")).collect_events()[-1]
    stored = EventMapper().to_stored_event(event)
    assert stored.topic == "scrutiny_es.domain.model:Recommendation.AddresseeReplaced"
    assert stored.state.endswith(
        b'"addressee":"Director of Housing","successor":{"name":"Director of Homes","kind":"officer","role":"Interim"},'
        b'"reason":"Post renamed","decided_by":"Budget and Corporate Scrutiny Board","decided_on":"2024-05-01"}'
    )
    code = (
        "import sys; from uuid import UUID; from eventsourcing.persistence import StoredEvent;"
        "from scrutiny_es.adapters.store.mapper import EventMapper;"
        f"e = EventMapper().to_domain_event(StoredEvent(UUID('{stored.originator_id}'), 3, {stored.topic!r}, "
        f"{stored.state!r})); print(type(e).__qualname__, e.successor.name)"
    )
    read = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert read.stdout == "Recommendation.AddresseeReplaced Director of Homes\n"
    assert EventMapper().to_domain_event(stored) == event


def test_an_added_addressee_is_one_of_the_item_s_from_the_day_decided() -> None:
    item = made()
    item.add_addressee(addressee=Addressee("NHS Trust", "nhs"), decided_on=date(2024, 3, 14), reason=None,
                       actor=CLERK, at=AT)  # fmt: skip
    assert then(item) == ["AddresseeAdded"]
    assert [a.name for a in item.addressees] == ["Cabinet", "Director of Housing", "NHS Trust"]
    assert [a.name for a in item.history.addressees_on(date(2024, 3, 13))] == ["Cabinet", "Director of Housing"]
    item.refer(addressee="NHS Trust", received_on=date(2024, 3, 15), body=BOARD, response_due=None, actor=CLERK, at=AT)
    assert item.referrals["NHS Trust"].response_due == date(2024, 4, 11)  # the NHS's 28 days


def test_a_successor_holds_the_referral_and_its_deadline_and_the_history_before_names_who_left() -> None:
    item = replaced(referred(made(), "Director of Housing"))
    assert then(item) == ["AddresseeReplaced"]
    assert item.referrals["Director of Homes"].on == date(2024, 2, 20)
    assert "Director of Housing" not in item.referrals
    history = item.history
    assert [o.responsible for o in obligations(history)] == [["Director of Homes"]]
    assert [o.responsible for o in obligations(history, date(2024, 4, 30))] == [["Director of Housing"]]
    row = tracker_row(history, as_of=date(2024, 4, 30))
    assert row is not None and row.awaiting == ["Director of Housing"]


def test_a_removed_addressee_s_obligation_ends_on_the_day_of_the_removal() -> None:
    item = referred(made(), "Director of Housing")
    item.remove_addressee(addressee="Director of Housing", reason="Not theirs", decided_on=date(2024, 5, 1),
                          actor=CLERK, at=AT)  # fmt: skip
    (owed,) = obligations(item.history)
    assert (owed.responsible, owed.due, owed.met_on) == (["Director of Housing"], date(2024, 4, 19), date(2024, 5, 1))
    assert owed.overdue_on(date(2024, 4, 30)) and not owed.overdue_on(date(2024, 5, 2))
    with pytest.raises(NotAnAddressee):
        item.record_response(addressee="Director of Housing", decision="accepted", text="Yes",
                             responded_on=date(2024, 5, 2), responded_by="Director", target_date=None, actor=CLERK,
                             at=AT)  # fmt: skip


def test_the_commands_sent_again_are_seen_to_be_the_same() -> None:
    item = replaced(referred(made(), "Director of Housing"))
    version = item.version
    given = {"addressee": "Director of Housing", "successor": HOMES, "reason": "Post renamed",
             "decided_on": date(2024, 5, 1)}  # fmt: skip
    assert item.identical("replace_addressee", given, CLERK) == version
    assert item.identical("replace_addressee", given | {"reason": "Left"}, CLERK) is None


def test_the_rules_of_a_change_each_say_what_to_do() -> None:
    item = made()
    item.remove_addressee(addressee="Cabinet", reason="Not theirs", decided_on=date(2024, 3, 1), actor=CLERK, at=AT)
    with pytest.raises(CannotChangeAddressees, match="the only addressee of R1, so they cannot be removed"):
        item.remove_addressee(addressee="Director of Housing", reason="x", decided_on=date(2024, 3, 1), actor=CLERK,
                              at=AT)  # fmt: skip
    with pytest.raises(CannotChangeAddressees, match="Director of Homes is already an addressee of R1") as refused:
        replaced(item).add_addressee(addressee=HOMES, decided_on=date(2024, 5, 2), reason=None, actor=CLERK, at=AT)
    assert refused.value.field == "addressee.name"
    item.close(outcome="withdrawn", note=None, decided_on=date(2024, 5, 3), minute=None, actor=CLERK, at=AT)
    with pytest.raises(ItemClosed):
        item.add_addressee(addressee=Addressee("NHS Trust", "nhs"), decided_on=date(2024, 5, 3), reason=None,
                           actor=CLERK, at=AT)  # fmt: skip


def test_an_item_whose_addressees_never_changed_reads_them_as_made() -> None:
    history = made().history
    assert history.addressee_changes == []
    assert history.addressees_on(None) is history.addressees  # nothing changed: the list as made, not a copy
