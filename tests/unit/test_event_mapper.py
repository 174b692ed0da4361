"""Events as stored: JSON written and read field by field, older versions upcast."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from scrutiny_es.adapters.store.log import StoreLog
from scrutiny_es.adapters.store.mapper import EventMapper, EventUnreadable
from scrutiny_es.application.unreadable import TooNew
from scrutiny_es.domain.errors import EventTooNew, ScrutinyError
from scrutiny_es.domain.history import Owed
from scrutiny_es.domain.model import Actor, Addressee, Recommendation

MAPPER = EventMapper()
AT = datetime(2024, 3, 14, 18, 30, tzinfo=UTC)


class Minuted(Aggregate):
    """A stand-in for an event class whose payload changed: version 2 split ``minute`` from ``text``."""

    class Noted(Aggregate.Event):
        class_version = 2
        text: str
        minute: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            text, _, minute = state.pop("text").partition(" | minute ")
            state.update(text=text, minute=minute or None)


def test_an_event_reads_back_equal_to_what_was_written() -> None:
    made = Recommendation.Made(
        originator_id=uuid4(), originator_version=1, timestamp=AT, originator_topic="scrutiny_es.domain.model:Recommendation",
        actor=Actor("u1", "Jo Clerk", "scrutiny officer"), body="BCSB", ref="R1", kind="action", meeting_date=date(2024, 2, 15),
        item="Fishing Policy", minute="19/24", text="Text", addressees=[Addressee("Cabinet", "executive", "Cllr Padda")],
        target_date=None, decided_by="Board",
    )  # fmt: skip
    stored = MAPPER.to_stored_event(made)
    assert b'"originator_id"' not in stored.state  # kept in its own column
    assert MAPPER.to_domain_event(stored) == made


def test_a_reminder_is_stored_with_whom_and_what_about_and_no_address() -> None:
    reminded = Recommendation.ReminderSent(
        originator_id=UUID("6f1c1d52-5d0e-4b4e-9a51-2d8f3f0b7a11"), originator_version=3, timestamp=AT,
        actor=Actor("scrutiny-es", "scrutiny-es reminders", "system"), person="Cabinet", sent_on=date(2024, 3, 14),
        about=[Owed("response", date(2024, 4, 19)), Owed("target_date", date(2024, 3, 1))],
    )  # fmt: skip
    stored = MAPPER.to_stored_event(reminded)
    assert stored.topic == "scrutiny_es.domain.model:Recommendation.ReminderSent"
    assert stored.state == (
        b'{"timestamp":"2024-03-14T18:30:00Z","actor":{"id":"scrutiny-es","name":"scrutiny-es reminders",'
        b'"role":"system"},"person":"Cabinet","sent_on":"2024-03-14","about":[{"reason":"response",'
        b'"due":"2024-04-19"},{"reason":"target_date","due":"2024-03-01"}]}'
    )
    assert MAPPER.to_domain_event(stored) == reminded


def test_an_event_is_written_in_the_form_already_stored() -> None:
    referred = Recommendation.Referred(
        originator_id=UUID("6f1c1d52-5d0e-4b4e-9a51-2d8f3f0b7a11"), originator_version=2, timestamp=AT,
        actor=Actor("u1", "Jo Clerk", "scrutiny officer"), addressee="Cabinet", received_on=date(2024, 2, 20),
        response_due=date(2024, 4, 19), period="2 months",
    )  # fmt: skip
    stored = MAPPER.to_stored_event(referred)
    assert stored.topic == "scrutiny_es.domain.model:Recommendation.Referred"
    assert stored.state == (
        b'{"timestamp":"2024-03-14T18:30:00Z","actor":{"id":"u1","name":"Jo Clerk","role":"scrutiny officer"},'
        b'"addressee":"Cabinet","received_on":"2024-02-20","response_due":"2024-04-19","period":"2 months"}'
    )
    assert MAPPER.to_domain_event(stored) == referred


def test_an_older_version_is_upcast_when_read() -> None:
    identity = uuid4()
    old = StoredEvent(
        originator_id=identity, originator_version=2, topic="tests.unit.test_event_mapper:Minuted.Noted",
        state=b'{"timestamp":"2024-03-14T18:30:00Z","text":"Noted by the Board | minute 21/24"}',
    )  # fmt: skip
    event = MAPPER.to_domain_event(old)
    assert (event.text, event.minute, event.originator_id) == ("Noted by the Board", "21/24", identity)  # type: ignore[attr-defined]
    written = MAPPER.to_stored_event(event)
    assert written.state.startswith(b'{"class_version":2,')
    assert MAPPER.to_domain_event(written) == event


def test_a_stored_event_that_no_longer_fits_its_class_fails_loudly() -> None:
    bad = StoredEvent(originator_id=uuid4(), originator_version=1, topic="scrutiny_es.domain.model:Recommendation.Referred",
                      state=b'{"timestamp":"2024-03-14T18:30:00Z","actor":{"id":"a","name":"b","role":"c"},'
                            b'"addressee":"Cabinet","received_on":"14/03/2024","response_due":null,"period":null}')  # fmt: skip
    with pytest.raises(EventUnreadable, match=r"cannot be read \(its received_on\): was it changed\?"):
        MAPPER.to_domain_event(bad)


def test_a_correction_stored_by_release_0_1_0_reads_as_version_2() -> None:
    stored = StoredEvent(
        originator_id=UUID("6f1c1d52-5d0e-4b4e-9a51-2d8f3f0b7a11"),
        originator_version=5,
        topic="scrutiny_es.domain.model:Recommendation.Corrected",
        state=b'{"timestamp":"2024-03-14T18:30:00Z","actor":{"id":"u1","name":"Jo Clerk","role":"scrutiny officer"},'
        b'"field":"text","value":"New wording","reason":"Minutes","addressee":null,"fact_date":"2024-02-15"}',
    )  # fmt: skip  (as 0.1.0 wrote it: version 1, no class_version in the state)
    corrected = MAPPER.to_domain_event(stored)
    assert isinstance(corrected, Recommendation.Corrected)
    assert (corrected.value, corrected.previous, corrected.version, corrected.position) == (
        "New wording",
        None,
        None,
        None,
    )
    assert MAPPER.to_stored_event(corrected).state.startswith(b'{"class_version":2,')


def test_an_event_of_a_version_newer_than_the_code_knows_is_refused() -> None:
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=2,
        topic="scrutiny_es.domain.model:Recommendation.Referred",
        state=b'{"class_version":3,"timestamp":"2024-03-14T18:30:00Z"}',
    )
    with pytest.raises(ScrutinyError, match=r"Recommendation\.Referred.*version 3.*knows version 1"):
        MAPPER.to_domain_event(stored)


def test_an_item_made_before_items_could_be_exempt_reads_as_public() -> None:
    stored = StoredEvent(
        originator_id=UUID("6f1c1d52-5d0e-4b4e-9a51-2d8f3f0b7a11"),
        originator_version=1,
        topic="scrutiny_es.domain.model:Recommendation.Made",
        state=b'{"timestamp":"2024-03-14T18:30:00Z","originator_topic":"scrutiny_es.domain.model:Recommendation",'
        b'"actor":{"id":"u1","name":"Jo Clerk","role":"scrutiny officer"},"body":"BCSB","ref":"R1","kind":"action",'
        b'"meeting_date":"2024-02-15","item":"Fishing Policy","minute":null,"text":"Text","addressees":[],'
        b'"target_date":null,"decided_by":"Board"}',
    )  # fmt: skip  (as every release before exempt items wrote it: version 1, no class_version in the state)
    made = MAPPER.to_domain_event(stored)
    assert isinstance(made, Recommendation.Made)
    assert (made.exempt, made.history().exempt, made.ref) == (None, None, "R1")
    again = MAPPER.to_stored_event(made).state
    assert again.startswith(b'{"class_version":2,') and again.endswith(b'"exempt":null}')


@pytest.mark.parametrize("topic", ["scrutiny_es.domain.model:Recommendation.Nudged", "scrutiny_es.domain.later:Vote"])
def test_an_event_of_a_kind_the_code_does_not_know_is_refused_as_a_newer_release_s(topic: str) -> None:
    stored = StoredEvent(uuid4(), 2, topic, b'{"timestamp":"2024-03-14T18:30:00Z"}')
    with pytest.raises(EventTooNew, match="of a kind this code does not know: upgrade scrutiny_es to read it") as e:
        MAPPER.to_domain_event(stored)
    assert e.value.reason.endswith("a kind of event this code does not know")


def test_the_log_hands_on_a_newer_release_s_event_in_its_place_and_reads_the_rest() -> None:
    readable = MAPPER.to_stored_event(
        Recommendation.Reaffirmed(
            originator_id=uuid4(), originator_version=2, timestamp=AT, actor=Actor(id="c", name="C", role="clerk"),
            decided_on=date(2024, 3, 14), decided_by="Board", minute=None, note=None,
        )
    )  # fmt: skip
    newer = StoredEvent(readable.originator_id, 3, readable.topic, b'{"class_version":5,' + readable.state[1:])
    recorder = POPOApplicationRecorder()
    recorder.insert_events([readable, newer])
    (_, first), (_, second) = StoreLog(recorder, MAPPER).read(0, 10)
    assert type(first) is Recommendation.Reaffirmed
    assert second == TooNew(readable.originator_id, 3, "Recommendation.Reaffirmed of class version 5, where this "
                                                       "code knows up to 1")  # fmt: skip
