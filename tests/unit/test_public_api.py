"""What a host imports from ``scrutiny_es``, and the field each error names for the host's form."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import scrutiny_es
from scrutiny_es import (
    BatchRejected,
    BodyNotFound,
    DateOutOfOrder,
    InvalidCommand,
    InvalidQuery,
    NotAnAddressee,
    NotPermitted,
    RecommendationNotFound,
    ReportProgress,
    ScrutinyError,
)
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain import commands, errors
from tests.conftest import CLERK, FixedClock, command, make, register


def test_every_public_name_is_there_and_nothing_else_is_promised() -> None:
    assert scrutiny_es.__all__ == sorted([*scrutiny_es._WHERE, "__version__"])
    for name in scrutiny_es.__all__:
        assert getattr(scrutiny_es, name) is not None
    for cls in [*commands.ITEM_COMMANDS, commands.RegisterBody, commands.ScheduleMeeting, commands.CancelMeeting]:
        assert getattr(scrutiny_es, cls.__name__) is cls
    for name, value in vars(errors).items():
        if isinstance(value, type) and issubclass(value, ScrutinyError):
            assert getattr(scrutiny_es, name) is value
    with pytest.raises(AttributeError, match="no attribute 'ScrutinyService'"):
        _ = scrutiny_es.ScrutinyService


def test_importing_the_package_loads_no_database_library() -> None:
    code = "import scrutiny_es, sys; print(sorted(m for m in ('sqlalchemy', 'pydantic', 'eventsourcing') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


@pytest.fixture
def service():  # type: ignore[no-untyped-def]
    app = in_memory(FixedClock(datetime(2024, 12, 2, 9, 30, tzinfo=UTC)))
    app.execute(register())
    app.execute(make())
    return app


@pytest.mark.parametrize(
    ("sent", "error", "field"),
    [
        (command("refer", ref="R1", addressee="Cabinet", received_on="2024-01-01"), DateOutOfOrder, "received_on"),
        (command("refer", ref="R1", addressee="Cabinet", received_on="2025-01-01"), DateOutOfOrder, "received_on"),
        (command("refer", ref="R1", addressee="Nobody", received_on="2024-02-20"), NotAnAddressee, "addressee"),
        (command("refer", ref="R9", addressee="Cabinet", received_on="2024-02-20"), RecommendationNotFound, "ref"),
        (command("refer", body="XX", ref="R1", addressee="Cabinet", received_on="2024-02-20"), BodyNotFound, "body"),
        (command("refer", ref="R1", addressee="Cabinet", received_on="20/02/2024"), InvalidCommand, "received_on"),
        (command("close", ref="R1", outcome="done", decided_on="2024-03-01"), InvalidCommand, "outcome"),
        (command("defer", ref="R1", until="2024-02-01", reason="Later", decided_on="2024-03-01"), DateOutOfOrder,
         "until"),
        (command("correct", ref="R1", field="meeting_date", value="2023-13-01", reason="typo"), Exception, "value"),
        (command("report_progress", ref="R1", note="n", reported_on="2024-03-01", reported_by="X")
         | {"actor": CLERK | {"role": "member"}}, NotPermitted, "actor.role"),
    ],
)  # fmt: skip
def test_a_broken_rule_names_the_field_whose_value_broke_it(service, sent, error, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as raised:
        service.execute(sent)
    assert raised.value.field == field
    with pytest.raises(BatchRejected) as batch:
        service.execute_many([sent])
    assert batch.value.field == field


def test_an_invalid_command_lists_every_problem_by_field(service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidCommand) as raised:
        service.execute(command("report_progress", ref="R1", reported_on="yesterday", rag="purple"))
    fields = [field for field, _ in raised.value.problems]
    assert fields == ["note", "reported_on", "rag", "reported_by"]
    assert raised.value.field == "note"


def test_a_command_built_from_the_public_classes_is_recorded(service) -> None:  # type: ignore[no-untyped-def]
    sent = ReportProgress(
        actor=scrutiny_es.Actor(**CLERK), body="BCSB", ref="R1", note="On track", reported_on="2024-03-01",
        reported_by="Director of Housing", rag="green",
    )  # fmt: skip
    assert service.execute(sent).events == ("ProgressReported",)
    assert [row.rag for row in service.tracker()] == ["green"]


NAIVE = datetime(2024, 3, 1, 12, 0)  # no zone: which moment it is cannot be said


@pytest.mark.parametrize(
    ("ask", "field"),
    [
        (lambda app: app.body(5), "body"),
        (lambda app: app.body({"code": "BCSB"}), "body"),
        (lambda app: app.body(None), "body"),
        (lambda app: app.recommendation(None, "R1"), "body"),
        (lambda app: app.recommendation("BCSB", ["R1"]), "ref"),
        (lambda app: app.recommendations(b"BCSB"), "body"),
        (lambda app: app.recommendations("BCSB", 5), "refs"),
        (lambda app: app.recommendations("BCSB", "R1"), "refs"),
        (lambda app: app.body_names("BCSB"), "codes"),
        (lambda app: app.body_names([1.5]), "codes"),
        (lambda app: app.tracker(body=True), "body"),
        (lambda app: app.tracker(ref="R\ud800"), "ref"),
        (lambda app: app.tracker(addressee="Cab\udc80inet"), "addressee"),
        (lambda app: app.tracker(as_of="2024-03-01"), "as_of"),
        (lambda app: app.tracker(as_of=NAIVE), "as_of"),
        (lambda app: app.tracker(as_known_at=NAIVE), "as_known_at"),
        (lambda app: app.tracker(as_known_at=date(2024, 3, 1)), "as_known_at"),
        (lambda app: app.tracker(as_known_at=datetime.min.replace(tzinfo=UTC)), "as_known_at"),
        (lambda app: app.tracker(year=2023), "year"),
        (lambda app: app.tracker(year="9999/00"), "year"),
        (lambda app: app.overdue(as_of=date.min), "as_of"),
        (lambda app: app.overdue(as_known_at=NAIVE), "as_known_at"),
        (lambda app: app.audit(body=5), "body"),
        (lambda app: app.audit(as_known_at=NAIVE), "as_known_at"),
        (lambda app: app.item("BCSB", 1), "ref"),
        (lambda app: app.item("BCSB", "R1", as_known_at=NAIVE), "as_known_at"),
        (lambda app: app.meeting_pack("BCSB", None), "meeting"),
        (lambda app: app.meeting_pack("BCSB", date.min), "meeting"),
        (lambda app: app.meeting_pack("BCSB", date(2024, 3, 1), since=NAIVE), "since"),
        (lambda app: app.meeting_pack("BCSB", date(2024, 3, 1), exempt="no"), "exempt"),
        (lambda app: app.impact(from_=NAIVE), "from"),
        (lambda app: app.impact(to="2024-12-01"), "to"),
        (lambda app: app.impact(as_known_at=NAIVE), "as_known_at"),
        (lambda app: app.reminders(on=date.max), "on"),
        (lambda app: app.report_day(as_known_at=NAIVE), "as_known_at"),
        (lambda app: app.year_days("BCSB", "0000/01"), "year"),
    ],
)  # fmt: skip
def test_a_report_asked_with_a_value_of_the_wrong_kind_is_refused_naming_the_argument(service, ask, field) -> None:  # type: ignore[no-untyped-def]
    before = service.audit()
    with pytest.raises(InvalidQuery) as raised:
        ask(service)
    assert raised.value.field == field
    assert str(raised.value).startswith(field)  # the message names it too
    assert service.audit() == before


def test_a_date_outside_the_record_s_years_is_refused_saying_it_as_written(service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidQuery, match=r"^as_of must be a date from 1 Jan 1900 to 31 Dec 2199, not 1850-01-01$"):
        service.tracker(as_of=date(1850, 1, 1))
    with pytest.raises(InvalidQuery, match=r"^year '2199/00' is not one a record holds: from 1900/01 to 2198/99$"):
        service.tracker(year="2199/00")


@pytest.mark.parametrize("within", [10**30, "14", None, 1.5, True])
def test_reminders_looking_ahead_a_number_of_days_that_is_not_one_are_refused(service, within) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidCommand, match="within: must be 0 or more days"):
        service.reminders(within=within)


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        (lambda sent: sent.model_copy(update={"note": "Two sites\x00chosen"}), "note"),
        (lambda sent: sent.model_copy(update={"reported_on": "last week"}), "reported_on"),
        (lambda sent: sent.model_copy(update={"actor": {"id": 5}}), "actor.id"),
        (lambda sent: ReportProgress.model_construct(**dict(sent) | {"ref": 7}), "ref"),
        (lambda sent: scrutiny_es.AddAddressee.model_construct(
            actor=sent.actor, body="BCSB", ref="R1", addressee=5, decided_on="2024-03-01", reason="r"), "addressee"),
    ],
)  # fmt: skip
def test_a_command_object_changed_unchecked_by_model_copy_or_model_construct_is_checked_and_nothing_written(  # type: ignore[no-untyped-def]
    service, changed, field
) -> None:
    sent = ReportProgress(actor=scrutiny_es.Actor(**CLERK), body="BCSB", ref="R1", note="On track",
                          reported_on="2024-03-01", reported_by="Director of Housing")  # fmt: skip
    before = service.audit()
    with pytest.raises(InvalidCommand) as raised:
        service.execute(changed(sent))
    assert raised.value.field == field
    assert service.audit() == before


@pytest.mark.parametrize("batch", [None, 5, "[]", b"[]", make("R2")])
def test_execute_many_given_one_command_or_no_collection_of_them_refuses_it_saying_what_it_takes(
    service, batch
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidCommand, match="execute_many takes a list of commands"):
        service.execute_many(batch)
    assert [row.ref for row in service.tracker()] == ["R1"]


def test_a_command_in_bytes_that_are_not_utf8_is_refused_as_apply_refuses_such_a_line(tmp_path: Path) -> None:
    app = scrutiny_es.Scrutiny(f"sqlite:///{tmp_path / 'record.db'}", clock=FixedClock())
    app.execute(register())
    with pytest.raises(InvalidCommand, match=r"not UTF-8 text \(byte 0xFF at column 13\)"):
        app.execute(b'{"command":"\xff"}')
    with pytest.raises(BatchRejected, match="not UTF-8 text"):
        app.execute_many([make(), b'{"command":"\xff"}'])
    assert [entry.event for entry in app.audit()] == ["Registered"]
    app.close()


@pytest.mark.parametrize(
    ("ask", "error", "field"),
    [
        (lambda app: app.catch_up("audit"), InvalidQuery, "names"),
        (lambda app: app.catch_up(["tracker", "overdues"]), InvalidQuery, "names"),
        (lambda app: app.rebuild(["nope"]), InvalidQuery, "names"),
        (lambda app: app.rebuild(["audit"], progress=5), InvalidQuery, "progress"),
        (lambda app: app.verify(at=0), InvalidQuery, "at"),
        (lambda app: app.verify(at=True), InvalidQuery, "at"),
        (lambda app: app.verify(at=1, digest=5), InvalidQuery, "digest"),
        (lambda app: list(app.follow(timeout=float("nan"))), InvalidQuery, "timeout"),
        (lambda app: list(app.follow(timeout=0.1, poll=-1)), InvalidQuery, "poll"),
        (lambda app: app.wait_for(None), InvalidQuery, "receipt"),
        (lambda app: app.wait_for(app.execute(make("R2")), timeout="10"), InvalidQuery, "timeout"),
        (lambda app: app.wait_for_events(-1), InvalidQuery, "timeout"),
        (lambda app: app.unit_of_work(5), InvalidQuery, "work"),
        (lambda app: app.reminders(contacts=["Cabinet"]), InvalidCommand, "contacts"),
        (lambda app: app.send_reminders(None, CLERK, contacts={"Cabinet": "c@example.gov.uk"}), InvalidCommand, "mailer"),
        (lambda app: app.send_reminders(Outbox(), "dem-01", contacts={"Cabinet": "c@example.gov.uk"}), InvalidCommand,
         "actor"),
    ],
)  # fmt: skip
def test_the_upkeep_and_reminders_asked_with_a_value_of_the_wrong_kind_refuse_it_naming_the_argument(  # type: ignore[no-untyped-def]
    service, ask, error, field
) -> None:
    service.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    before = [entry.event for entry in service.audit()]
    with pytest.raises(error) as raised:
        ask(service)
    assert raised.value.field == field
    assert [entry.event for entry in service.audit()] in (before, [*before, "Made"])  # a reminder is not recorded


class Outbox:
    def send(self, reminder: scrutiny_es.Reminder) -> None:
        pass


@pytest.mark.parametrize(
    ("opening", "error", "field"),
    [
        (lambda folder: {"url": 5}, scrutiny_es.UnsupportedDatabase, "url"),
        (lambda folder: {"url": f"sqlite:///{folder}/record.db".encode()}, scrutiny_es.UnsupportedDatabase, "url"),
        (lambda folder: {"url": "sqlite:///:memory:"}, scrutiny_es.UnsupportedDatabase, None),
        (lambda folder: {"url": f"sqlite:///{folder}/no/such/folder/record.db"}, scrutiny_es.UnsupportedDatabase, None),
        (lambda folder: {"url": f"sqlite:///{folder}/record.db", "read_url": 5}, scrutiny_es.UnsupportedDatabase,
         "read_url"),
        (lambda folder: {"session": "sqlite:///record.db"}, scrutiny_es.UnsupportedDatabase, "session"),
        (lambda folder: {"url": f"sqlite:///{folder}/record.db", "policy": 5}, ScrutinyError, "policy"),
        (lambda folder: {"url": f"sqlite:///{folder}/record.db", "catch_up": "no"}, ScrutinyError, "catch_up"),
        (lambda folder: {"url": f"sqlite:///{folder}/record.db", "clock": 5}, scrutiny_es.ClockNotTrusted, None),
    ],
)  # fmt: skip
def test_opening_the_record_with_a_value_of_the_wrong_kind_is_refused_naming_it_and_makes_no_file(  # type: ignore[no-untyped-def]
    tmp_path: Path, opening, error, field
) -> None:
    with pytest.raises(error) as raised:
        scrutiny_es.Scrutiny(**opening(tmp_path))
    assert raised.value.field == field
    assert list(tmp_path.iterdir()) == []


def test_json_values_gives_an_item_s_view_as_json_and_refuses_a_whole_list_of_rows(service) -> None:  # type: ignore[no-untyped-def]
    service.execute(command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"))
    view = scrutiny_es.json_values(service.recommendation("BCSB", "R1"))  # type: ignore[arg-type]
    assert view["referrals"] == {"Cabinet": {"received_on": "2024-02-20", "response_due": "2024-04-19"}}
    assert (view["responses"], view["meeting_date"]) == ({}, "2024-02-15")
    with pytest.raises(InvalidQuery, match=r"json_values takes one row: \[json_values\(row\) for row in rows\]"):
        scrutiny_es.json_values(service.tracker())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bring_in", "field"),
    [
        (lambda app, file: app.import_tracker(5, body="BCSB", actor=CLERK), "path"),
        (lambda app, file: app.import_tracker(file, body="BCSB", actor="dem-01"), "actor"),
        (lambda app, file: app.import_tracker(file, body="BCSB", actor=None), "actor"),
        (lambda app, file: app.import_tracker(file, body="BCSB", actor=CLERK, as_of="2024-03-01"), "as_of"),
        (lambda app, file: app.import_tracker(file, body="BCSB", actor=CLERK, columns=5), "columns"),
        (lambda app, file: app.import_tracker(file, body="BCSB", actor=CLERK, notes="notes"), "notes"),
        (lambda app, file: app.draft_minutes(None, body="BCSB"), "path"),
        (lambda app, file: app.draft_minutes(file, body="BCSB", meeting_date="2024-03-01"), "meeting_date"),
        (lambda app, file: app.draft_minutes(file, body="BCSB", people=5), "people"),
    ],
)  # fmt: skip
def test_a_file_brought_in_with_an_argument_of_the_wrong_kind_is_refused_naming_it(  # type: ignore[no-untyped-def]
    tmp_path: Path, bring_in, field
) -> None:
    app = scrutiny_es.Scrutiny(f"sqlite:///{tmp_path / 'record.db'}", clock=FixedClock())
    app.execute(register())
    file = tmp_path / "tracker.csv"
    file.write_text("Ref,Recommendation,Meeting date\n1,Do it,2024-02-15\n")
    with pytest.raises(ScrutinyError) as raised:
        bring_in(app, file)
    assert raised.value.field == field
    assert [entry.event for entry in app.audit()] == ["Registered"]
    app.close()


def test_a_record_used_after_close_says_it_was_closed_and_close_may_be_called_again(tmp_path: Path) -> None:
    app = scrutiny_es.Scrutiny(f"sqlite:///{tmp_path / 'record.db'}", clock=FixedClock())
    app.execute(register())
    app.close()
    app.close()
    for use in (app.tracker, app.audit, lambda: app.execute(make()), app.projection_status):
        with pytest.raises(ScrutinyError, match=r"^the record was closed \(close\(\)\): open it again to use it$"):
            use()
    again = scrutiny_es.Scrutiny(f"sqlite:///{tmp_path / 'record.db'}", clock=FixedClock())
    assert [entry.event for entry in again.audit()] == ["Registered"]
    again.close()


def test_docs_api_describes_every_public_name() -> None:
    described = (Path(__file__).parent.parent.parent / "docs" / "api.md").read_text()
    assert [name for name in scrutiny_es.__all__ if f"`{name}`" not in described] == []


def test_a_live_report_of_a_sqlite_file_loads_no_postgresql_library_and_leaves_no_connection_open(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    app = scrutiny_es.Scrutiny(url, clock=FixedClock())
    app.execute(register())
    app.execute(make())
    app.close()
    code = (
        "import sys; from scrutiny_es.__main__ import main; sys.argv[1:] = ['--db', sys.argv[1], 'tracker'];"
        "code = main(); print(code, sorted(m for m in sys.modules if m.startswith(('sqlalchemy.dialects.postgresql',"
        "'psycopg'))))"
    )
    done = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    assert (done.stdout.splitlines()[-1], done.stderr) == ("0 []", "")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["record.db"]  # its write-ahead log closed, not left


@pytest.mark.parametrize("report", ["tracker", "overdue", "audit", "recommendations"])
def test_a_report_of_a_body_no_one_registered_is_refused_as_the_command_line_refuses_it(service, report: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BodyNotFound, match="no body is registered with the code bcsb") as refused:
        getattr(service, report)(body="bcsb")  # the code mistyped
    assert refused.value.field == "body"
    service.execute(register("EMPTY"))
    assert len(getattr(service, report)(body="EMPTY")) == (1 if report == "audit" else 0)  # its registration alone


@pytest.mark.parametrize("report", ["tracker", "overdue", "audit"])
@pytest.mark.parametrize("body", [None, "BCSB"])
def test_a_report_of_a_ref_no_item_ever_had_is_refused_as_the_command_line_refuses_it(  # type: ignore[no-untyped-def]
    service, report: str, body: str | None
) -> None:
    for as_of in (None, date(2024, 6, 1)):
        asked = {"as_of": as_of} if as_of and report != "audit" else {}
        with pytest.raises(
            RecommendationNotFound, match=r"(has no|no body has a) recommendation or action with the reference R9"
        ) as refused:
            getattr(service, report)(body=body, ref="R9", **asked)  # the ref mistyped
        assert refused.value.field == "ref"
        # an item that has nothing to show on the day is not refused
        assert getattr(service, report)(body=body, ref="R1", as_of=date(2024, 1, 1)) == []
