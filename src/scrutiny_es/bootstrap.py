"""The composition root: a database URL (or a host's session), a clock, and the record wired to them.

This is the only module that names concrete adapters: the event store and the SQL read models
of the URL's database, the computer's clock. ``Scrutiny(url)`` is what a host, a script or the
command line holds; ``in_memory()`` wires the same service to in-memory parts, for tests.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from scrutiny_es.adapters.clock import SystemClock
from scrutiny_es.adapters.database import DEFAULT_URL, UnsupportedDatabase, council_schema, event_store_env
from scrutiny_es.adapters.memory.readmodels import MemoryReadModels
from scrutiny_es.adapters.policyfile import load_policy
from scrutiny_es.adapters.sql.engine import read_model_engine
from scrutiny_es.adapters.sql.readmodels import SqlReadModels
from scrutiny_es.adapters.store import migrate
from scrutiny_es.adapters.store.eventstore import EventsourcingStore
from scrutiny_es.adapters.store.migrate import event_store_in
from scrutiny_es.adapters.store.reconnect import reconnecting
from scrutiny_es.application import BatchRejected, Receipt, ScrutinyService
from scrutiny_es.application.ports import Clock
from scrutiny_es.application.recording import batch_of
from scrutiny_es.application.times import trusted
from scrutiny_es.domain.dates import shown
from scrutiny_es.domain.errors import InvalidCommand, ScrutinyError
from scrutiny_es.domain.policy import BUILT_IN, Policy
from scrutiny_es.projections.filters import check_arguments

if TYPE_CHECKING:  # the ORM is for a host's session only, and slow to import; the importers for imports only
    from collections.abc import Callable
    from datetime import date

    from sqlalchemy.orm import Session, scoped_session

    from scrutiny_es.adapters.importers.importing import Imported
    from scrutiny_es.adapters.importers.minutes import Draft
    from scrutiny_es.adapters.sql.standby import StandbyReadModels
    from scrutiny_es.domain.commands import AnyCommand


class Scrutiny(ScrutinyService):
    """A council's record of scrutiny recommendations and actions, kept as events in one database."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        clock: Clock | None = None,
        catch_up: bool = True,
        session: scoped_session[Session] | None = None,
        policy: Policy | str | Path | None = None,
        read_url: str | None = None,
    ) -> None:
        """Opens the record at ``url``.

        With ``catch_up`` (the default) every query first applies the events its read model
        has not seen, so a query always shows what was recorded before it. Without it the
        read models are kept by a separate ``scrutiny-es projections run`` worker.

        A host application that already uses SQLAlchemy can pass its ``session`` (a
        ``scoped_session``): commands are then written in the host's transaction, committed
        or rolled back with its own writes, and ``url`` is taken from the session's engine.

        ``policy`` says who may record what: a ``Policy``, or the path of its TOML file (the built-in
        one otherwise: see ``scrutiny_es.domain.policy``).

        ``read_url``: a PostgreSQL hot standby of ``url`` (streaming replication) that reports are read from,
        while commands and the read models' upkeep go to ``url``. The standby is a moment behind: a host that
        must show its own write first calls ``wait_for(receipt)``, which raises ``StandbyBehind`` on time-out.
        """
        _check_opening(url, session, policy, read_url, catch_up)
        if clock is not None:  # refused before any file is made
            trusted(clock.now() if callable(getattr(clock, "now", None)) else None)
        if session is not None:
            url = _session_url(session)
        self.url = url
        engine = read_model_engine(url)
        found = event_store_in(engine)
        kind = "sqlalchemy" if session is not None else found or "native"
        if found and found != kind:
            engine.dispose()
            msg = (
                f"{url} keeps its events with the {found} event store, so it cannot be shared with a host's "
                "session: move them to the shared store first with scrutiny-es migrate-store"
            )
            raise UnsupportedDatabase(msg)
        # One thread of the process at a time appends or catches up. A catch-up holds the database's write
        # lock while it reads the log through the event store's pool, and an append waiting for that lock
        # holds the pool's writer: between threads of one process the two would wait for each other. A host's
        # session appends in its own transaction, which a shared lock would hold up until it commits.
        lock = threading.RLock() if session is None else None
        store = EventsourcingStore(event_store_env(url, kind), engine=engine, session=session, lock=lock)
        read_models = SqlReadModels(engine, store.log, lock)
        with read_models.runner.schema_lock():
            store.create_table()
        if session is not None or read_url is not None:  # now: not in the host's transaction, not on the standby
            read_models.setup()
        lost_again = session is None and not url.startswith("sqlite:")  # a connection lost is made again
        if lost_again:
            store, read_models = reconnecting(store), reconnecting(read_models)
        self._standby = None if read_url is None else _standby(read_models, url, read_url, catch_up=catch_up)
        read_store = None
        if self._standby is not None and read_url is not None:  # an item's or a body's events: the standby's too
            read_store = EventsourcingStore(event_store_env(read_url), engine=self._standby.standby.engine)
            read_store = reconnecting(read_store) if lost_again else read_store
        super().__init__(
            store=store,
            read_models=read_models if self._standby is None else self._standby,
            clock=clock or SystemClock(),
            catch_up=catch_up,
            host_transaction=session is not None,
            policy=BUILT_IN if policy is None else policy if isinstance(policy, Policy) else load_policy(policy),
            read_store=read_store,
        )

    def wait_for(self, receipt: Receipt, timeout: float = 10.0) -> None:
        """``ScrutinyService.wait_for``; with a standby (``read_url``), returns once the standby holds ``receipt``'s
        position, and raises ``StandbyBehind``, naming how far behind it is, after ``timeout`` seconds."""
        if self._standby is None:
            super().wait_for(receipt, timeout)
        elif receipt.position is not None:
            self._standby.wait_for(receipt.position, timeout)

    def execute_many(self, commands: Sequence[AnyCommand | dict[str, Any] | str]) -> list[Receipt]:
        """``ScrutinyService.execute_many``, with commands given as JSON text read at the edge that reads JSON, so
        a mistake in the JSON itself (curly quotes, a key given twice) is said as ``scrutiny-es apply`` says it."""
        from scrutiny_es.adapters.jsonlines import read_command

        read: list[AnyCommand | dict[str, Any] | str] = []
        for index, command in enumerate(batch_of(commands)):
            try:
                read.append(read_command(command) if isinstance(command, str | bytes) else command)
            except ScrutinyError as e:
                raise BatchRejected(index, e) from None
        return super().execute_many(read)

    def import_tracker(
        self,
        path: str | Path,
        *,
        body: str,
        actor: Mapping[str, str],
        as_of: date | None = None,
        sheet: str | None = None,
        columns: str | None = None,
        dry_run: bool = False,
        keep_going: bool = False,
        notes: Literal["progress", "response"] = "progress",
        names: Literal["one", "split"] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Imported:
        """Brings a council's existing tracker (``.csv``, ``.xlsx``, ``.docx``) into ``body``'s record, as
        ``scrutiny-es import`` does (docs/import.md): every row becomes the commands that record what it says,
        each with a ``command_id`` made of the file's name, its row and the fact, so importing the same file
        again records nothing new. A cell that cannot be read is named in ``plan.errors`` and nothing is
        recorded unless ``keep_going``; ``dry_run`` records nothing. ``as_of`` dates what the file gives no date
        for (default: today); ``columns`` maps headers to fields (``"Lead Officer=addressees"``);
        ``progress(done, total)`` is called after each thousand commands. A row whose item is recorded
        already records only what changed (``notes="response"``: a changed note is the awaited response)."""
        from scrutiny_es.adapters.importers.importing import import_tracker

        _check_import(path, actor, as_of, notes, names, columns, progress)
        return import_tracker(
            self, path, body=body, actor=actor, as_of=as_of, sheet=sheet, columns=columns, dry_run=dry_run,
            keep_going=keep_going, notes=notes, names=names, progress=progress,
        )  # fmt: skip

    def draft_minutes(
        self,
        path: str | Path,
        *,
        body: str,
        meeting_date: date | None = None,
        people: Mapping[str, str] | str | Path | None = None,
        actor: Mapping[str, str] | None = None,
    ) -> Draft:
        """Drafts the commands a meeting's minutes (``.txt``, ``.md``, ``.docx``, ``.pdf``) ask for, as
        ``scrutiny-es minutes`` does (docs/minutes.md); records nothing: a host shows ``report()`` to the clerk
        and records ``commands`` with ``execute_many`` once checked. ``meeting_date`` where the heading gives
        none; ``people`` maps roles as the minutes name them to who holds them (or a CSV file of ``role,name``);
        re-affirmed and deferred items are looked for in ``body``'s record."""
        from scrutiny_es.adapters.importers.minutes import draft_minutes, read_people

        _check_reading(path, meeting_date=meeting_date)
        if actor is not None and not isinstance(actor, Mapping):
            raise InvalidCommand([("actor", f'must be who records it, {{"id", "name", "role"}}, not {shown(actor)}')])
        if not isinstance(people, Mapping | str | Path | None):
            raise InvalidCommand([("people", f"must map roles to names, or be a CSV file's path, not {shown(people)}")])
        self.body(body)  # the body must be registered first
        if isinstance(people, str | Path):
            people = read_people(Path(people))
        return draft_minutes(path, body, meeting_date, people, self.tracker(body=body, exempt=True), actor)


def _check_opening(url: object, session: object, policy: object, read_url: object, catch_up: object) -> None:
    """What a host passed to open the record, each of its kind: else a ``ScrutinyError`` naming it, not a Python error
    from deep in SQLAlchemy or pathlib."""
    for name, given in (("url", url), ("read_url", read_url)):
        if not isinstance(given, str) and (given is not None or name == "url"):
            msg = f"{name} must be a database URL, as text (sqlite:///path/to/file.db), not {shown(given)}"
            raise UnsupportedDatabase(msg, field=name)
    if session is not None and not callable(getattr(session, "get_bind", None)):
        msg = f"session must be a host's SQLAlchemy scoped_session, not {shown(session)}"
        raise UnsupportedDatabase(msg, field="session")
    if policy is not None and not isinstance(policy, Policy | str | Path):
        msg = f"policy must be a Policy or the path of its TOML file, not {shown(policy)}"
        raise ScrutinyError(msg, field="policy")
    if not isinstance(catch_up, bool):
        raise ScrutinyError(f"catch_up must be true or false, not {shown(catch_up)}", field="catch_up")


def _check_reading(path: object, **day: Any) -> None:
    """A file to read, as a host passed it, and the day it is of: else a ``ScrutinyError`` naming which."""
    if not isinstance(path, str | Path):
        raise InvalidCommand([("path", f"must be a file's path, not {shown(path)}")])
    check_arguments(**day)


def _check_import(
    path: object, actor: object, as_of: object, notes: object, names: object, columns: object, progress: object
) -> None:
    """``import_tracker``'s arguments as a host passed them: else ``InvalidCommand`` naming the one that is wrong."""
    _check_reading(path, as_of=as_of)
    wrong = [
        ("actor", actor, '{"id", "name", "role"}', not isinstance(actor, Mapping)),
        ("notes", notes, "progress or response", notes not in ("progress", "response")),
        ("names", names, "one, split or None", names not in ("one", "split", None)),
        ("columns", columns, "text (Lead Officer=addressees, say)", not isinstance(columns, str | None)),
        ("progress", progress, "a function", progress is not None and not callable(progress)),
    ]
    for name, given, rule, broken in wrong:
        if broken:
            raise InvalidCommand([(name, f"must be {rule}, not {shown(given)}")])


def _standby(primary: SqlReadModels, url: str, read_url: str, *, catch_up: bool) -> StandbyReadModels:
    """The read models read on the standby at ``read_url`` and kept on the primary."""
    from scrutiny_es.adapters.sql.standby import StandbyReadModels  # here: only a host with a standby loads it

    if not read_url.startswith("postgresql") or primary.engine.dialect.name != "postgresql":
        msg = f"{read_url}: reports are read from a hot standby of a PostgreSQL database only"
        raise UnsupportedDatabase(msg)
    if council_schema(read_url) != council_schema(url):
        msg = f"{read_url} names another council's schema than {url}: a standby is read in the same schema"
        raise UnsupportedDatabase(msg)
    standby = SqlReadModels(read_model_engine(read_url, standby=True), primary.log)
    return StandbyReadModels(primary, standby, catch_up=catch_up)


def _session_url(session: scoped_session[Session]) -> str:
    """The URL of a host's session's database; on PostgreSQL, with the council's schema its connections use.

    A host that keeps a council in a schema sets its engine's search path
    (``connect_args={"options": "-c search_path=haringey"}``): the record's own connections must use it too.
    """
    engine = session.get_bind().engine
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    from sqlalchemy import text

    with engine.connect() as conn:  # the first schema of its search path, made or not yet
        path = conn.execute(text("SELECT current_setting('search_path')")).scalar_one()
    schema = path.split(",")[0].strip().strip('"')
    if schema in {"public", "$user", ""}:
        return url
    return engine.url.update_query_dict({"schema": schema}).render_as_string(hide_password=False)


def migrate_store(url: str) -> int:
    """Moves a record the command line started to the event store a host's session shares; how many events moved."""
    engine = read_model_engine(url)
    try:
        return migrate.share_with_host_sessions(engine, url)
    finally:
        engine.dispose()


def in_memory(clock: Clock | None = None) -> ScrutinyService:
    """The record with no database: eventsourcing's in-memory event store and read models held in memory."""
    store = EventsourcingStore({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return ScrutinyService(store=store, read_models=MemoryReadModels(store.log), clock=clock or SystemClock())
