"""The event store as the application uses it: commands saved, read back, rejected ones leaving no trace."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from freezegun import freeze_time

from scrutiny_es import Scrutiny, ScrutinyError
from scrutiny_es.application import BatchRejected
from scrutiny_es.domain.commands import Refer
from scrutiny_es.domain.errors import (
    BodyAlreadyRegistered,
    BodyNotFound,
    DuplicateRecommendation,
    ItemClosed,
    MeetingAlreadyScheduled,
    RecommendationNotFound,
)
from scrutiny_es.domain.model import Recommendation
from tests import parts
from tests.conftest import CLERK, FixedClock, command, make, register


def log(app: Scrutiny) -> list[tuple[int, str, int]]:
    """Every stored event: its position, its topic and its version."""
    return [
        (n.id, n.topic, n.originator_version)
        for n in parts.store_of(app).recorder.select_notifications(start=None, limit=10_000)
    ]


def test_records_a_command_and_returns_a_receipt(app: Scrutiny) -> None:
    app.execute(register())
    receipt = app.execute(make())
    assert (receipt.body, receipt.ref, receipt.events, receipt.position) == ("BCSB", "R1", ("Made",), 2)
    assert app.recommendation("BCSB", "R1").text.startswith("That the Cabinet")


def test_takes_a_command_model_as_well_as_its_json_form(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make())
    cmd = Refer.model_validate(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    assert app.execute(cmd).events == ("Referred",)
    assert app.recommendation("BCSB", "R1").referrals["Cabinet"].response_due == date(2024, 4, 19)


def test_the_body_policy_sets_the_response_deadline(app: Scrutiny) -> None:
    app.execute(register(deadlines={"executive": "6 weeks"}))
    app.execute(make())
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    assert app.recommendation("BCSB", "R1").referrals["Cabinet"].response_due == date(2024, 4, 1)


def test_rejects_an_unknown_body(app: Scrutiny) -> None:
    with pytest.raises(BodyNotFound, match="no body is registered with the code XYZ"):
        app.execute(make(body="XYZ"))


def test_rejects_an_unknown_ref(app: Scrutiny) -> None:
    app.execute(register())
    with pytest.raises(RecommendationNotFound, match="BCSB has no recommendation or action with the reference R9"):
        app.execute(command("refer", ref="R9", addressee="Cabinet", received_on="2024-02-20"))


def test_rejects_a_duplicate_ref_in_a_body_but_not_in_another(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(register("HSC", name="Health Scrutiny"))
    app.execute(make())
    with pytest.raises(DuplicateRecommendation, match="BCSB already has an item with the reference R1"):
        app.execute(make(text="Another text"))
    app.execute(make(body="HSC"))


def test_rejects_registering_a_body_twice(app: Scrutiny) -> None:
    app.execute(register())
    with pytest.raises(BodyAlreadyRegistered):
        app.execute(register(name="Another name"))


@pytest.mark.parametrize(
    "bad",
    [
        make(text="Another text"),  # a duplicate ref (the same command again would be taken as recorded)
        command("refer", ref="R1", addressee="Police", received_on="2024-02-20"),  # not an addressee
        command(
            "record_response",
            ref="R1",
            addressee="Cabinet",
            decision="accepted",
            text="t",
            responded_on="2024-02-10",
            responded_by="x",
        ),  # before the meeting
        command("reopen", ref="R1", reason="r", decided_on="2024-03-01"),  # not closed
        command("correct", ref="R1", field="status", value="closed", reason="r"),
        command("close", ref="R1", outcome="done", decided_on="2024-03-01"),  # invalid shape
    ],
)
def test_a_rejected_command_leaves_the_store_unchanged(app: Scrutiny, bad: dict[str, object]) -> None:
    app.execute(register())
    app.execute(make())
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    before = log(app)
    with pytest.raises(ScrutinyError):
        app.execute(bad)
    assert log(app) == before
    assert app.execute(command("reaffirm", ref="R1", decided_on="2024-03-14")).position == before[-1][0] + 1


def test_a_body_registered_in_a_rejected_batch_stays_unregistered(app: Scrutiny) -> None:
    unknown_item = command("close", body="BOSC", ref="R9", outcome="withdrawn", decided_on="2024-03-14")
    with pytest.raises(BatchRejected):
        app.execute_many([register("BOSC"), make("R1", body="BOSC"), unknown_item])
    with pytest.raises(BodyNotFound):
        app.execute(make("R2", body="BOSC"))
    assert log(app) == []


def test_a_batch_builds_on_the_last_saved_one_and_not_on_a_rejected_one(app: Scrutiny) -> None:
    app.execute_many([register(), make()])
    refer = command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20")
    with pytest.raises(BatchRejected):
        app.execute_many([refer, command("reopen", ref="R1", reason="r", decided_on="2024-03-01")])
    app.execute_many([refer])
    with pytest.raises(BatchRejected, match="already referred"):  # (the same referral again is taken as recorded)
        app.execute_many([command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-21")])
    assert [topic.rpartition(".")[2] for _, topic, _ in log(app)] == ["Registered", "Made", "Referred"]


def test_a_batch_sees_what_another_writer_saved_since_the_last_batch(db_url: str) -> None:
    app, other = Scrutiny(db_url, clock=FixedClock()), Scrutiny(db_url, clock=FixedClock())
    app.execute_many([register(), make()])
    other.execute(command("close", ref="R1", outcome="withdrawn", decided_on="2024-03-14"))
    with pytest.raises(ItemClosed):
        app.execute(command("report_progress", ref="R1", note="n", reported_on="2024-03-20", reported_by="Officer"))
    app.close()
    other.close()


def test_a_closed_item_rejects_a_response_and_writes_nothing(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make())
    app.execute(command("close", ref="R1", outcome="withdrawn", decided_on="2024-03-14"))
    before = log(app)
    with pytest.raises(ItemClosed):
        app.execute(
            command(
                "record_response",
                ref="R1",
                addressee="Cabinet",
                decision="noted",
                text="t",
                responded_on="2024-03-20",
                responded_by="x",
            )
        )
    assert log(app) == before


def test_another_process_reads_what_one_process_wrote(db_url: str) -> None:
    writer = Scrutiny(db_url, clock=FixedClock())
    writer.execute(register())
    writer.execute(make(minute="12/24"))
    reader = f"""
from scrutiny_es import Scrutiny, ScrutinyError
from scrutiny_es.application import BatchRejected
item = Scrutiny({db_url!r}).recommendation("BCSB", "R1")
print(item.minute, item.meeting_date, item.addressees[1].name, item.referrals == {{}})
"""
    out = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["12/24", "2024-02-15", "Director", "of", "Housing", "True"]
    writer.close()


def test_a_frozen_clock_time_survives_a_round_trip(db_url: str) -> None:
    with freeze_time("2024-03-14 18:45:12"):
        app = Scrutiny(db_url)  # the real system clock, frozen by freezegun
        app.execute(register())
        app.execute(make())
    reader = Scrutiny(db_url)
    (made,) = list(parts.store_of(reader).events(Recommendation.create_id("BCSB", "R1")))
    assert made.timestamp == datetime(2024, 3, 14, 18, 45, 12, tzinfo=UTC)
    assert type(made.timestamp) is datetime
    assert made.actor.name == CLERK["name"]  # type: ignore[attr-defined]


def test_the_log_read_from_its_columns_is_eventsourcings_notification_log(app: Scrutiny) -> None:
    app.execute(register())
    for ref in ("R1", "R2"):
        app.execute(make(ref))
        app.execute(command("refer", ref=ref, addressee="Cabinet", received_on="2024-02-20"))
    notifications = parts.store_of(app).recorder.select_notifications(start=None, limit=100)
    expected = [(n.id, parts.store_of(app).mapper.to_domain_event(n)) for n in notifications]
    assert parts.read_models_of(app).log.read(0, 100) == expected
    assert parts.read_models_of(app).log.read(2, 2) == expected[2:4]
    assert parts.read_models_of(app).log.read(expected[-1][0], 100) == []


def test_the_stored_rows_are_those_of_the_store_whether_or_not_a_read_just_fetched_them(app: Scrutiny) -> None:
    app.execute(register())
    app.execute(make("R1"))
    log = parts.read_models_of(app).log
    notifications = parts.store_of(app).recorder.select_notifications(start=None, limit=100)
    expected = [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]

    def as_recorded(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        return [(p, UUID(str(i)), v, t, bytes(s)) for p, i, v, t, s in rows]

    log.read(0, 100)
    assert as_recorded(log.stored(0, 100)) == expected
    assert as_recorded(log.stored(expected[0][0], 1)) == expected[1:2]
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    assert len(log.stored(0, 100)) == len(expected) + 1  # more than the read fetched: the store is asked again


def test_a_body_s_commands_sent_again_are_already_recorded(app: Scrutiny) -> None:
    first = app.execute(register())
    scheduled = app.execute(command("schedule_meeting", meeting_date="2024-03-14", name="Budget"))
    cancelled = app.execute(command("cancel_meeting", meeting_date="2024-03-14", reason="Purdah"))
    again = [
        app.execute(register()),
        app.execute(command("cancel_meeting", meeting_date="2024-03-14", reason="Purdah")),
    ]
    assert again == [first._replace(already_recorded=True), cancelled._replace(already_recorded=True)]
    assert scheduled.events == ("MeetingScheduled",) and first.events == ("Registered",)
    rescheduled = app.execute(command("schedule_meeting", meeting_date="2024-03-14", name="Budget"))
    assert not rescheduled.already_recorded  # scheduled again after the cancellation: a new fact
    assert app.execute(command("schedule_meeting", meeting_date="2024-03-14", name="Budget")).already_recorded
    assert [e.event for e in app.audit()] == ["Registered", "MeetingScheduled", "MeetingCancelled",
                                              "MeetingScheduled"]  # fmt: skip
    with pytest.raises(BodyAlreadyRegistered):
        app.execute(register(name="Another name"))
    with pytest.raises(MeetingAlreadyScheduled):
        app.execute(command("schedule_meeting", meeting_date="2024-03-14", name="Another name"))
    someone_else = CLERK | {"id": "u2", "name": "Another Clerk"}
    with pytest.raises(BodyAlreadyRegistered):
        app.execute(register() | {"actor": someone_else})
