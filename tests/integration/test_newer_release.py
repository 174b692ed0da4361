"""An event a newer scrutiny_es wrote (a kind this code does not know, or a class version above those it upcasts)
blocks only its own item: every report of the council goes on, and names the item in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from scrutiny_es import EventTooNew, Scrutiny, ScrutinyError
from scrutiny_es.__main__ import main
from scrutiny_es.adapters.store import mapper
from scrutiny_es.domain.model import Recommendation, recommendation_id
from tests import parts
from tests.conftest import FixedClock, command, make, register

REFERRED = "scrutiny_es.domain.model:Recommendation.Referred"
NEWER = {
    "class_version": (REFERRED, b'{"class_version":9,"timestamp":"2024-12-02T09:30:00+00:00","nudged":true}'),
    "kind": ("scrutiny_es.domain.model:Recommendation.Nudged", b'{"timestamp":"2024-12-02T09:30:00+00:00"}'),
}


def write_by_hand(app: Scrutiny, ref: str, version: int, topic: str, state: bytes) -> int:
    """Appends one stored event to the store as another release would, past the library's own checks."""
    recorder = parts.store_of(app).recorder
    (position,) = recorder.insert_events([StoredEvent(recommendation_id("BCSB", ref), version, topic, state)])
    return int(position)


def referral_state(app: Scrutiny) -> bytes:
    """R1's referral as stored: a readable event to write for R2 by hand."""
    rows = parts.store_of(app).log.stored(0, 100)
    return bytes(next(state for _, _, _, topic, state in rows if topic == REFERRED))


@pytest.fixture(params=sorted(NEWER))
def council(request: pytest.FixtureRequest, db_url: str) -> Iterator[tuple[Scrutiny, int]]:
    """Two items; R2 then holds an event of a newer release (at the returned position); R1 goes on after it."""
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    assert len(app.audit()) == 4  # the read models caught up before the newer event arrives
    position = write_by_hand(app, "R2", 2, *NEWER[request.param])
    app.execute(command("refer", ref="R1", addressee="Director of Housing", received_on="2024-02-21"))
    yield app, position
    app.close()


def test_the_tracker_and_the_overdue_list_report_every_other_item_and_name_the_blocked_one(
    council: tuple[Scrutiny, int],
) -> None:
    app, position = council
    rows = {row.ref: row for row in app.tracker()}
    assert rows["R1"].addressees == ["Cabinet", "Director of Housing"]
    assert rows["R1"].status == "awaiting_response"
    assert rows["R2"].status == "made"  # as it stood before the newer event
    assert {(row.ref, row.reason) for row in app.overdue(as_of=date(2024, 6, 1))} == {("R1", "response")}
    (line,) = app.unreadable()
    assert line.startswith(f"BCSB/R2 holds an event from a newer scrutiny_es (position {position}: Recommendation.")
    assert "upgrade to read it" in line


def test_the_audit_trail_keeps_the_log_s_positions_around_the_blocked_event(council: tuple[Scrutiny, int]) -> None:
    app, position = council
    entries = app.audit()
    assert [entry.ref for entry in entries] == [None, "R1", "R2", "R1", "R1"]
    assert position not in {entry.position for entry in entries}
    assert entries[-1].position == position + 1
    assert app.verify().ok and app.verify().events == 6  # the seal holds every event, the newer one too


def test_reports_as_of_a_date_and_as_known_at_a_time_go_on(council: tuple[Scrutiny, int]) -> None:
    app, _ = council
    for rows in (
        app.tracker(as_of=date(2024, 6, 1)),
        app.tracker(as_known_at=datetime(2024, 12, 3, tzinfo=UTC)),
        app.overdue(as_known_at=datetime(2024, 12, 3, tzinfo=UTC)),
    ):
        assert {row.ref for row in rows} >= {"R1"}
    as_known = {row.ref: row for row in app.tracker(as_known_at=datetime(2024, 12, 3, tzinfo=UTC))}
    assert as_known["R2"].status == "made"
    assert [fact.event for fact in app.item("BCSB", "R2")] == ["Made"]
    assert app.recommendation("BCSB", "R2").referrals == {}
    pack = app.meeting_pack("BCSB", date(2024, 12, 10))
    assert {row["ref"] for row in pack["tracker"]} == {"R1", "R2"}


def test_a_rebuild_goes_on_and_leaves_the_blocked_item_as_it_stood(council: tuple[Scrutiny, int]) -> None:
    app, _ = council
    before = app.tracker()
    app.rebuild()
    assert app.tracker() == before
    assert [entry.position for entry in app.audit()] == [1, 2, 3, 4, 6]
    assert len(app.unreadable()) == 1


def test_a_command_on_the_blocked_item_is_refused_and_writes_nothing(council: tuple[Scrutiny, int]) -> None:
    app, _ = council
    head = parts.store_of(app).log.head()
    with pytest.raises(
        EventTooNew, match=r"^BCSB/R2 holds an event from a newer scrutiny_es \(Recommendation\..*\): upgrade"
    ):
        app.execute(command("refer", ref="R2", addressee="Cabinet", received_on="2024-02-20"))
    assert parts.store_of(app).log.head() == head
    app.execute(command("report_progress", ref="R1", note="Started.", reported_on="2024-03-14", reported_by="x"))


def test_a_readable_event_after_the_newer_one_is_left_out_with_it(council: tuple[Scrutiny, int]) -> None:
    """The newer release went on recording on the item: what this code could read of it would be read out of
    its place, so the item stays as it stood before the first event this code cannot read."""
    app, _ = council
    write_by_hand(app, "R2", 3, REFERRED, referral_state(app))
    app.execute(command("report_progress", ref="R1", note="Started.", reported_on="2024-03-14", reported_by="x"))
    rows = {row.ref: row.status for row in app.tracker()}
    assert rows == {"R1": "awaiting_response", "R2": "made"}
    assert [entry.ref for entry in app.audit()][-1] == "R1"
    assert len(app.audit()) == 6  # 8 events, the newer one and the one after it left out
    assert app.audit()[-1].position == 8
    other = Scrutiny(app.url, clock=FixedClock())  # another process: the blocked item is kept in the database
    assert other.tracker() == app.tracker() and other.unreadable() == app.unreadable()
    other.rebuild()
    assert other.tracker() == app.tracker()
    other.close()


def test_the_command_line_reports_and_says_which_item_cannot_be_read(
    council: tuple[Scrutiny, int], capsys: pytest.CaptureFixture[str]
) -> None:
    app, _ = council
    for args in (
        ["tracker", "--format", "json"],
        ["overdue", "--as-of", "2024-06-01"],
        ["audit"],
        ["tracker", "--as-of", "2024-06-01"],
        ["item", "--body", "BCSB", "--ref", "R2"],
        ["pack", "--body", "BCSB", "--meeting", "2024-12-10", "--format", "json"],
        ["projections", "rebuild"],
        ["verify"],
    ):
        capsys.readouterr()
        assert main(["--db", app.url, *args]) == 0, args
        err = capsys.readouterr().err
        said = [line for line in err.splitlines() if "newer scrutiny_es" in line]
        assert said == [f"scrutiny-es: {app.unreadable()[0]}"], (args, err)
        assert "Traceback" not in err and "unexpected" not in err
    assert {row["ref"] for row in json.loads(_run(app, capsys, "tracker", "--format", "json"))} == {"R1", "R2"}


def _run(app: Scrutiny, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["--db", app.url, *args]) == 0
    return capsys.readouterr().out


def test_once_upgraded_the_read_models_are_rebuilt_with_the_item_s_events(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    app.execute(make("R2"))
    app.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    state = referral_state(app)
    write_by_hand(app, "R2", 2, REFERRED, b'{"class_version":2,' + state[1:])
    assert {row.ref: row.status for row in app.tracker()} == {"R1": "awaiting_response", "R2": "made"}
    assert len(app.unreadable()) == 1
    app.close()

    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """The upgrade's: version 2 of a referral reads as version 1."""

    monkeypatch.setattr(Recommendation.Referred, "class_version", 2, raising=False)
    monkeypatch.setattr(Recommendation.Referred, "upcast_v1_v2", staticmethod(upcast_v1_v2), raising=False)
    monkeypatch.setattr(mapper, "_CODECS", {})
    monkeypatch.setattr(mapper, "_BY_TOPIC", {})
    upgraded = Scrutiny(db_url, clock=FixedClock())
    assert upgraded.unreadable() == []
    assert {row.ref: row.status for row in upgraded.tracker()} == {"R1": "awaiting_response", "R2": "awaiting_response"}
    assert [entry.position for entry in upgraded.audit()] == [1, 2, 3, 4, 5]
    upgraded.close()


def test_an_unknown_kind_of_event_outside_the_library_is_still_refused_as_changed(db_url: str) -> None:
    """Only topics in scrutiny_es can be a newer release's; any other was written by someone else."""
    app = Scrutiny(db_url, clock=FixedClock())
    app.execute(register())
    app.execute(make("R1"))
    write_by_hand(app, "R1", 2, "elsewhere.model:Recommendation.Nudged", b'{"timestamp":"2024-12-02T09:30:00+00:00"}')
    with pytest.raises(ScrutinyError, match="was it changed"):
        app.tracker()
    app.close()
