"""Commands on an item transferred to another body name the body it is with now, on SQLite and on PostgreSQL: the
body it left is told where it went, a body holding two items with one ref is told which by ``origin``, and a
long-running process sees what another recorded (a transfer, a new name, a dissolution)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scrutiny_es import BatchRejected, Reminder, Scrutiny
from scrutiny_es.domain.bodies import BodyLifecycle
from scrutiny_es.errors import (
    AmbiguousRef,
    BodyDissolved,
    BodyNotFound,
    CannotCorrect,
    CommandIdReused,
    ItemTransferred,
    RecommendationNotFound,
)
from tests.conftest import CLERK, FixedClock, command, make, register
from tests.fixtures.release_sessions import LATER_SESSIONS

REFERRED = "bcsb-2024-09-16-cabinet"
"""A key the release of commit d9bbc65 recorded, with its command's digest."""

PROGRESS = {"note": "Costed options to the July Cabinet", "reported_on": "2024-06-03", "reported_by": "Director"}


def transferred(app: Scrutiny, ref: str = "R1", to: str = "RES") -> None:
    """BCSB's item, referred to the Cabinet on 20 March 2024, goes to another body on 1 Jun 2024."""
    app.execute(make(ref, meeting_date="2024-03-14"))
    app.execute(command("refer", ref=ref, addressee="Cabinet", received_on="2024-03-20"))
    app.execute(command("transfer", ref=ref, to_body=to, decided_on="2024-06-01", minute="AM/7"))


@pytest.fixture
def bodies(app: Scrutiny) -> Scrutiny:
    for code, name in [("BCSB", "Budget Scrutiny Board"), ("HASC", "Health Scrutiny Board"),
                       ("RES", "Resources Committee"), ("PEOPLE", "People Committee")]:  # fmt: skip
        app.execute(register(code, name=name))
    return app


def test_a_command_naming_the_body_the_item_went_to_reaches_it_and_its_receipt_says_so(bodies: Scrutiny) -> None:
    app = bodies
    app.execute(make("R1", meeting_date="2024-03-14"))
    moved = app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-06-01", minute="AM/7"))
    assert moved.events == ("ItemTakenOver", "Transferred")  # the body that took it over records it too
    done = app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))
    assert (done.body, done.ref, done.events, done.already_recorded) == ("RES", "R1", ("ProgressReported",), False)
    closed = app.execute(command("close", body="RES", ref="R1", outcome="implemented", decided_on="2024-06-04"))
    assert closed.events == ("Closed",)
    (row,) = app.tracker(body="RES")
    assert (row.ref, row.taken_over_from, row.status, row.notes) == ("R1", "BCSB", "closed", PROGRESS["note"])
    assert [(e.event, e.decided_by) for e in app.audit(body="BCSB", ref="R1")][-2:] == [
        ("ProgressReported", None), ("Closed", "Resources Committee")]  # fmt: skip
    (taken,) = [e for e in app.audit(body="RES") if e.event == "ItemTakenOver"]  # a body's entry: no ref
    assert (taken.event, taken.position) == ("ItemTakenOver", moved.position - 1)
    assert taken.summary == "Jo Clerk recorded that the body took over R1 from BCSB on 1 Jun 2024."
    audit = app.audit()
    app.rebuild()
    assert app.audit() == audit


def test_a_command_naming_the_body_the_item_left_is_refused_saying_where_it_went(bodies: Scrutiny) -> None:
    app = bodies
    transferred(app)
    before = len(app.audit())
    with pytest.raises(ItemTransferred) as refused:
        app.execute(command("report_progress", ref="R1", **PROGRESS))
    assert str(refused.value) == "R1 was transferred to RES on 1 Jun 2024; send it to RES"
    assert refused.value.field == "body"
    with pytest.raises(ItemTransferred, match="send it to RES"):  # a correction too, whatever its position
        app.execute(command("retract", ref="R1", position=2, reason="Recorded in error"))
    assert len(app.audit()) == before


def test_what_was_recorded_before_the_transfer_sent_again_is_recognised_whichever_body_it_names(
    bodies: Scrutiny,
) -> None:
    app = bodies
    app.execute(make("R1", meeting_date="2024-03-14"))
    first = app.execute(command("report_progress", ref="R1", **PROGRESS))
    keyed = app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-03-20", command_id="k-1"))
    app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-06-01"))
    again = app.execute(command("report_progress", ref="R1", **PROGRESS))  # the same file, applied again
    assert again.already_recorded and again.position == first.position
    assert app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-03-20",
                               command_id="k-1")) == keyed._replace(already_recorded=True)  # fmt: skip
    assert app.execute(command("transfer", ref="R1", to_body="RES",
                               decided_on="2024-06-01")).already_recorded  # fmt: skip
    after = app.execute(command("report_progress", body="RES", ref="R1", command_id="k-2",
                                **PROGRESS | {"note": "Options costed"}))  # fmt: skip
    assert app.execute(command("report_progress", body="RES", ref="R1", command_id="k-2",
                               **PROGRESS | {"note": "Options costed"})) == after._replace(already_recorded=True)  # fmt: skip
    assert app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS | {"note": "Options costed"})) == (
        after._replace(already_recorded=True)
    )
    assert app.execute(make("R1", meeting_date="2024-03-14")).already_recorded


def test_a_body_holding_two_items_with_one_ref_is_told_which_by_origin(bodies: Scrutiny) -> None:
    app = bodies
    for board in ("BCSB", "HASC"):
        app.execute(make("R2", body=board, meeting_date="2024-03-14"))
        app.execute(command("transfer", body=board, ref="R2", to_body="PEOPLE", decided_on="2024-06-01"))
    before = len(app.audit())
    with pytest.raises(AmbiguousRef) as refused:
        app.execute(command("report_progress", body="PEOPLE", ref="R2", **PROGRESS))
    assert str(refused.value) == (
        'PEOPLE holds 2 items with the reference R2, made by BCSB and HASC: say which with "origin", '
        "the code of the body that made it"
    )
    assert refused.value.field == "origin"
    with pytest.raises(BodyNotFound) as unknown:
        app.execute(command("report_progress", body="PEOPLE", ref="R2", origin="NOPE", **PROGRESS))
    assert unknown.value.field == "origin"
    with pytest.raises(RecommendationNotFound, match="RES made no recommendation or action with the reference R2"):
        app.execute(command("report_progress", body="PEOPLE", ref="R2", origin="RES", **PROGRESS))
    assert len(app.audit()) == before
    done = app.execute(command("report_progress", body="PEOPLE", ref="R2", origin="HASC", **PROGRESS))
    assert (done.body, done.ref) == ("PEOPLE", "R2")
    notes = {(r.taken_over_from, r.notes) for r in app.tracker(body="PEOPLE")}
    assert notes == {("BCSB", None), ("HASC", PROGRESS["note"])}
    app.execute(make("R2", body="PEOPLE", meeting_date="2024-06-20"))  # its own R2 as well: three now
    with pytest.raises(AmbiguousRef, match="PEOPLE holds 3 items with the reference R2, made by PEOPLE and BCSB and"):
        app.execute(command("report_progress", body="PEOPLE", ref="R2", **PROGRESS))
    later = PROGRESS | {"reported_on": "2024-06-21"}
    assert app.execute(command("report_progress", body="PEOPLE", ref="R2", origin="PEOPLE", **later)).body == "PEOPLE"


def test_an_item_moved_twice_is_reached_under_its_latest_body_and_the_others_say_where_it_is(bodies: Scrutiny) -> None:
    app = bodies
    transferred(app, to="RES")
    app.execute(command("transfer", body="RES", ref="R1", to_body="PEOPLE", decided_on="2024-07-01"))
    app.execute(command("report_progress", body="PEOPLE", ref="R1", **PROGRESS))
    new = PROGRESS | {"note": "A new note"}
    with pytest.raises(ItemTransferred, match=r"^R1 was transferred to PEOPLE on 1 Jul 2024; send it to PEOPLE$"):
        app.execute(command("report_progress", body="RES", ref="R1", **new))
    with pytest.raises(ItemTransferred) as refused:
        app.execute(command("report_progress", body="BCSB", ref="R1", **new))
    assert str(refused.value) == "R1 was transferred to RES on 1 Jun 2024, and is now with PEOPLE; send it to PEOPLE"
    with pytest.raises(ItemTransferred, match=r"^R1 made by BCSB is with PEOPLE, not HASC; send it to PEOPLE$"):
        app.execute(command("report_progress", body="HASC", ref="R1", origin="BCSB", **new))
    assert app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS)).already_recorded  # a repeat
    app.execute(command("transfer", body="PEOPLE", ref="R1", to_body="BCSB", decided_on="2024-08-01"))  # home again
    assert app.execute(command("report_progress", body="BCSB", ref="R1", **PROGRESS | {"note": "Back"})).body == "BCSB"


def test_a_transfer_in_a_batch_refused_leaves_nothing_behind_in_the_body_it_was_to_go_to(bodies: Scrutiny) -> None:
    app = bodies
    app.execute(make("R1", meeting_date="2024-03-14"))
    app.execute(command("schedule_meeting", body="RES", meeting_date="2024-06-20"))  # RES read, and kept
    with pytest.raises(BatchRejected):
        app.execute_many([command("transfer", ref="R1", to_body="RES", decided_on="2024-06-01"),
                          command("close", ref="R7", outcome="implemented", decided_on="2024-06-01")])  # fmt: skip
    with pytest.raises(RecommendationNotFound):
        app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))
    assert app.execute(command("report_progress", ref="R1", **PROGRESS)).body == "BCSB"
    app.execute(command("transfer", ref="R1", to_body="RES", decided_on="2024-06-01"))
    assert app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS | {"note": "Moved"})).body == "RES"


def test_an_item_transferred_before_bodies_recorded_what_they_took_over_is_still_named_by_its_maker(
    bodies: Scrutiny, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = bodies
    with monkeypatch.context() as then:  # the transfer as the release before this one recorded it: the item's alone
        then.setattr(BodyLifecycle, "take_over", lambda self, **_: None)
        transferred(app)
    assert [e.event for e in app.audit(body="RES")] == ["Registered"]
    done = app.execute(command("report_progress", ref="R1", **PROGRESS))
    assert (done.body, done.events) == ("BCSB", ("ProgressReported",))
    assert app.tracker(body="RES")[0].notes == PROGRESS["note"]
    with pytest.raises(RecommendationNotFound):  # the committee never recorded that it took it over
        app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS | {"note": "Moved"}))
    app.execute(command("transfer", ref="R1", to_body="PEOPLE", decided_on="2024-07-01"))  # onward: recorded now
    with pytest.raises(ItemTransferred, match="send it to PEOPLE"):
        app.execute(command("report_progress", ref="R1", **PROGRESS | {"note": "Moved"}))
    assert app.execute(command("report_progress", body="PEOPLE", ref="R1", **PROGRESS | {"note": "Moved"})).body == (
        "PEOPLE"
    )


def test_an_item_is_read_under_the_body_it_is_with_as_under_the_body_that_made_it(bodies: Scrutiny) -> None:
    app = bodies
    transferred(app)
    app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))
    view = app.recommendation("RES", "R1")
    assert (view.body, view.made_by, view.progress) == ("RES", "BCSB", app.recommendation("BCSB", "R1").progress)
    assert [f.event for f in app.item("RES", "R1")] == ["Made", "Referred", "Transferred", "ProgressReported"]
    assert app.item("RES", "R1") == app.item("BCSB", "R1")
    app.execute(make("R1", body="HASC", meeting_date="2024-03-14"))
    app.execute(command("transfer", body="HASC", ref="R1", to_body="RES", decided_on="2024-06-02"))
    with pytest.raises(AmbiguousRef, match="RES holds 2 items with the reference R1, made by BCSB and HASC"):
        app.recommendation("RES", "R1")
    assert app.recommendation("HASC", "R1").body == "RES"
    with pytest.raises(RecommendationNotFound):
        app.recommendation("RES", "R7")
    app.execute(make("R5", body="RES", meeting_date="2024-03-14"))  # RES's own R5 goes; BCSB's R5 comes
    app.execute(command("transfer", body="RES", ref="R5", to_body="PEOPLE", decided_on="2024-06-01"))
    app.execute(make("R5", meeting_date="2024-03-14"))
    app.execute(command("transfer", ref="R5", to_body="RES", decided_on="2024-06-01"))
    assert app.recommendation("RES", "R5").made_by == "BCSB"  # the one RES holds
    assert app.recommendation("PEOPLE", "R5").made_by == "RES"


class Outbox:
    """A mailer that keeps what it is given to send."""

    def __init__(self) -> None:
        self.sent: list[Reminder] = []

    def send(self, reminder: Reminder) -> None:
        self.sent.append(reminder)


def test_a_reminder_of_an_item_taken_over_is_recorded_on_it_under_the_body_it_is_with(bodies: Scrutiny) -> None:
    app = bodies
    transferred(app)  # Cabinet's response was due on 19 May 2024
    outbox = Outbox()
    sent = app.send_reminders(outbox, CLERK, body="RES", contacts={"Cabinet": "cabinet@sandwell.example"})
    assert [(r.person, [(o.body, o.ref) for o in r.overdue]) for r in sent] == [("Cabinet", [("RES", "R1")])]
    assert [e.event for e in app.audit(body="BCSB", ref="R1")][-1] == "ReminderSent"


@pytest.fixture
def other(db_url: str, clock: FixedClock) -> Iterator[Scrutiny]:
    """A second process on the same database (a host's worker, say), running all along."""
    app = Scrutiny(db_url, clock=clock)
    yield app
    app.close()


def test_a_long_running_process_finds_an_item_another_process_transferred_to_a_body_it_knows(
    bodies: Scrutiny, other: Scrutiny
) -> None:
    other.execute(make("R9", body="RES", meeting_date="2024-03-14"))  # it has read RES, and keeps it
    transferred(bodies, to="RES")
    done = other.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))
    assert (done.body, done.events) == ("RES", ("ProgressReported",))
    bodies.execute(make("R1", body="HASC", meeting_date="2024-03-14"))
    bodies.execute(command("transfer", body="HASC", ref="R1", to_body="RES", decided_on="2024-06-02"))
    with pytest.raises(AmbiguousRef):
        other.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))


def test_a_long_running_process_decides_under_a_name_another_process_gave_and_sees_a_dissolution(
    bodies: Scrutiny, other: Scrutiny, clock: FixedClock
) -> None:
    other.execute(make("R1", body="RES", meeting_date="2024-03-14"))
    other.execute(command("reaffirm", body="RES", ref="R1", decided_on="2024-05-01"))
    bodies.execute(command("rename_body", body="RES", name="Resources and Growth Committee", **{"from": "2024-05-20"}))
    other.execute(command("defer", body="RES", ref="R1", until=None, reason="Awaiting costs", decided_on="2024-06-01"))
    other.execute(make("R2", body="RES", meeting_date="2024-06-10"))
    decided = [(e.event, e.decided_by) for e in other.audit(body="RES", ref="R1")] + [
        (e.event, e.decided_by) for e in other.audit(body="RES", ref="R2")]  # fmt: skip
    assert decided == [("Made", "Resources Committee"), ("Reaffirmed", "Resources Committee"),
                       ("Deferred", "Resources and Growth Committee"), ("Made", "Resources and Growth Committee")]  # fmt: skip
    bodies.execute(command("dissolve_body", body="RES", decided_on="2024-06-30"))
    with pytest.raises(BodyDissolved, match="RES was dissolved on 30 Jun 2024"):
        other.execute(make("R3", body="RES", meeting_date="2024-07-01"))
    clock.time = datetime(2024, 12, 3, 9, 0, tzinfo=UTC)
    assert other.body("RES").dissolved_on == date(2024, 6, 30)


def test_a_key_a_stored_release_recorded_is_recognised_now_that_item_commands_may_name_an_origin(
    tmp_path: Path,
) -> None:
    """The digest a key is kept with leaves out an ``origin`` not given, as the commands of that release had none."""
    copy = tmp_path / "release.db"
    shutil.copyfile(Path(__file__).parent.parent / "fixtures" / "scrutiny-0.1.0+d9bbc65-every-event.db", copy)
    app = Scrutiny(f"sqlite:///{copy}", clock=FixedClock(datetime(2025, 1, 1, 9, 0, tzinfo=UTC)))
    try:
        (refer,) = [cmd for _, day in LATER_SESSIONS for cmd in day if cmd.get("command_id") == REFERRED]
        again = app.execute(refer)
        assert again.already_recorded and again.events == ("Referred",)
        with pytest.raises(CommandIdReused):  # the key still names that command only
            app.execute(refer | {"received_on": "2024-09-18"})
    finally:
        app.close()


def test_a_transfer_is_retracted_like_any_fact_and_a_correction_or_a_retraction_still_is_not(bodies: Scrutiny) -> None:
    app = bodies
    transferred(app, to="RES")
    moved = app.audit(ref="R1")[-1]
    assert moved.event == "Transferred"
    corrected = app.execute(command("correct", body="RES", ref="R1", field="minute", value="AM/8", reason="typo"))
    with pytest.raises(CannotCorrect, match=r"corrected R1: a correction is put right by another correction$"):
        app.execute(command("retract", body="RES", ref="R1", position=corrected.position, reason="Wrong"))
    reported = app.execute(command("report_progress", body="RES", ref="R1", **PROGRESS))
    retracted = app.execute(command("retract", body="RES", ref="R1", position=reported.position, reason="Wrong"))
    with pytest.raises(CannotCorrect, match=r"retracted a fact of R1, which cannot be undone; record it again$"):
        app.execute(command("retract", body="RES", ref="R1", position=retracted.position, reason="Wrong"))
    with pytest.raises(ItemTransferred, match="send it to RES"):  # named, as every item command, where it is
        app.execute(command("retract", ref="R1", position=moved.position, reason="Recorded in error"))
    undone = app.execute(command("retract", body="RES", ref="R1", position=moved.position, reason="Recorded in error"))
    assert undone.events == ("TransferRetracted",)
    assert [(row.body, row.taken_over_from) for row in app.tracker(ref="R1")] == [("BCSB", None)]
    assert app.audit(ref="R1")[-1].summary == (
        f"Jo Clerk retracted the transfer to RES at position {moved.position}: Recorded in error"
    )
    with pytest.raises(CannotCorrect, match=f"^the fact at position {moved.position} was already retracted$"):
        app.execute(command("retract", ref="R1", position=moved.position, reason="Twice"))
