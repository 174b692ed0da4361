"""Keeping the read models in SQL up to date: catching up, rebuilding into new generations, positions.

Each projection writes its rows and its position in the event log in the same
transaction, so every event is applied exactly once, after a crash too. A rebuild fills
a new generation of tables while readers use the current one; one transaction then
points the projection at the new generation, so readers never see a half-built table.

This runner is the library's own rather than eventsourcing's ``ProjectionRunner``, which
cannot subscribe on SQLite, tracks its position per event (a transaction each), and has
no rebuild into a new generation beside the one being read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, inspect, select, text, update

from scrutiny_es.adapters.database import is_read_only
from scrutiny_es.adapters.sql import blocked
from scrutiny_es.adapters.sql.schema import CODE_LENGTH, layout_table, metadata, projection_table
from scrutiny_es.adapters.sql.writers import SealWriter, writers
from scrutiny_es.application.collector import collector_paused
from scrutiny_es.application.ports import EventLog, Progress, ProjectionStatus, RebuildGate
from scrutiny_es.application.unreadable import TooNew, readable
from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.projections.seal import SealDamaged

SETUP_LOCK = 5_172_071
"""Any constant: the PostgreSQL advisory lock under which processes starting together create the tables."""


class RebuildUnderWay(ScrutinyError):
    """Another process is rebuilding the same projection."""


Target = tuple[str, int, int]
"""A projection, the generation of its tables to write, and the position they have reached."""


class ProjectionRunner:
    """The projections in one database: catching them up and rebuilding them."""

    BATCH = 2000
    """Events read at a time."""
    CHECKPOINT = 50_000
    """Events a rebuild applies between commits: fewer commits, fewer rewrites of busy items."""

    def __init__(self, engine: Engine, log: EventLog) -> None:
        self.engine = engine
        self.log = log
        self.writers = writers(log)
        self._ready = False
        self.read_only = False
        """Whether the last catch-up found the database read-only (the read models then answer as they stand)."""
        self.keeps_blocked = False
        """Whether the database holds the table of items blocked by a newer release's event (a read-only one made
        by an earlier release does not: those met are then left out of this process's folds only)."""
        self.seal_fault: str | None = None
        """Why the seal's tables cannot be trusted (its layout or position row was changed): it is then neither
        caught up nor read, and only a rebuild a person asks for (``projections rebuild --reseal``) makes it anew."""

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A transaction that writes; on SQLite it takes the write lock at once, so catch-ups queue.

        If it fails, what the projections hold in memory is no longer what the tables hold.
        """
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(writing=True)
                with conn.begin():
                    yield conn
        except BaseException:
            self._forget()
            raise

    def _forget(self) -> None:
        """What the projections hold in memory is no longer known to match their tables."""
        for projection in self.writers.values():
            projection.forget()

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Held while creating tables: on PostgreSQL, processes starting together would collide."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})
                conn.commit()

    @contextmanager
    def _setting_up(self) -> Iterator[Connection]:
        """A transaction that writes, holding the lock under which tables are made (released at its end): on the
        one connection, so a command-line process holds no second one for the lock."""
        with self._writing() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
            yield conn

    def setup(self) -> None:
        """Creates the position table and each projection's first generation, if missing, and rebuilds the
        projections whose tables an earlier version made (their layout is not the writer's)."""
        if self._ready:
            return
        if not self._set_up():
            with self._setting_up() as conn:
                self._widen_codes(conn)
                metadata.create_all(conn, tables=[projection_table, layout_table])
                known = set(conn.execute(select(projection_table.c.name)).scalars())
                laid_out = set(conn.execute(select(layout_table.c.name)).scalars())
                for name, writer in self.writers.items():
                    if name not in known:
                        metadata.create_all(conn, tables=writer.tables(1))
                        conn.execute(insert(projection_table).values(name=name, generation=1, position=0))
                        if name in laid_out:  # its position row was removed: its tables are not what they were
                            self._set_layout(conn, name, layout=0)  # a read model is rebuilt; the seal says so
                        else:
                            conn.execute(insert(layout_table).values(name=name, layout=writer.layout))
        self._ready = True
        outdated = self._outdated()
        if "seal" in outdated:  # never rebuilt unasked: a rebuild would seal whatever the log now holds
            outdated.remove("seal")
            self.seal_fault = self._seal_layout_fault()
        if outdated:
            try:
                self.rebuild(outdated)
            except Exception as e:
                if not is_read_only(e):
                    raise
                msg = (
                    f"the {', '.join(outdated)} tables were made by an earlier version and must be rebuilt, "
                    "but the database is read-only: open it once where it can be written"
                )
                raise ScrutinyError(msg) from None
        self._check_blocked()

    def _check_blocked(self) -> None:
        """Makes the table of blocked items if missing; if this code can now read what blocked some (it was
        upgraded), they are unblocked and the read models rebuilt, so they hold those items' later events."""
        try:
            if not blocked.has_table(self.engine):
                with self._setting_up() as conn:
                    metadata.create_all(conn, tables=[blocked.blocked_table])
            with self.engine.connect() as conn:
                unblocked = blocked.readable_now(conn, self.log)
            if unblocked:
                with self._writing() as conn:
                    blocked.unblock(conn, unblocked)
        except Exception as e:
            if not is_read_only(e):
                raise
            return
        self.keeps_blocked = True
        if unblocked:
            self.rebuild([name for name in self.writers if name != "seal"])

    def _set_up(self) -> bool:
        """Whether every projection has its tables already (found without a write, which a read-only file refuses)."""
        with self.engine.connect() as conn:
            tables = inspect(conn)
            if not (tables.has_table(projection_table.name) and tables.has_table(layout_table.name)):
                return False
            known = set(conn.execute(select(projection_table.c.name)).scalars())
            return known >= set(self.writers) and not _narrow_codes(conn)

    def _seal_layout_fault(self) -> str:
        with self.engine.connect() as conn:
            query = select(layout_table.c.layout).where(layout_table.c.name == "seal")
            said = conn.execute(query).scalar_one_or_none()
        layout = self.writers["seal"].layout
        return f"the seal's own rows were changed: its layout row says {said}, but the seal is kept in layout {layout}"

    def _outdated(self) -> list[str]:
        with self.engine.connect() as conn:
            layouts = dict(conn.execute(select(layout_table.c.name, layout_table.c.layout)).tuples().all())
        return sorted(name for name, writer in self.writers.items() if layouts.get(name) != writer.layout)

    def _widen_codes(self, conn: Connection) -> None:
        """Gives tables made before codes could take ``CODE_LENGTH`` characters their new width (PostgreSQL
        enforces a column's length: a longer ref would stop the projection). Widening is quick in PostgreSQL."""
        for table, column, collation in _narrow_codes(conn):
            collate = f' COLLATE "{collation}"' if collation else ""
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({CODE_LENGTH}){collate}')

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        """Applies every event not yet applied; returns how many events were read.

        On a read-only database nothing can be applied: the read models stay as they were last
        brought up to date, and ``read_only`` says so (``status`` tells how far behind they are).
        """
        self.setup()
        names = sorted(set(names or self.writers) - ({"seal"} if self.seal_fault else set()))
        if not names:
            return 0
        read = 0
        with collector_paused():
            while True:
                head = self.log.head()
                if min(self._positions(names)) >= head:
                    return read
                try:
                    with self._writing() as conn:
                        targets = [(r["name"], r["generation"], r["position"]) for r in self._lock(conn, names)]
                        done, _ = self._advance(conn, targets, "position", self.BATCH)
                        read += done
                except SealDamaged as e:  # the seal's own row was changed: the others go on, verify tells
                    self.seal_fault = str(e)
                    names.remove("seal")
                    if not names:
                        return read
                except Exception as e:
                    if not is_read_only(e):
                        raise
                    self.read_only = True
                    return read

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None, gate: RebuildGate | None = None
    ) -> None:
        """Rebuilds projections from the first event into fresh generations, then swaps them in.

        Several projections are rebuilt in one pass over the log. Events are read and folded
        outside any write transaction, and the work is committed with its position every
        ``CHECKPOINT`` events: other writers (another rebuild in another process, say) wait
        only for the writing, and a rebuild that is stopped resumes where it was when run
        again, while readers go on using the complete generation. The ``gate`` is told each event the new
        seal holds and, once the log is read to its end, may stop the rebuild before the swap.
        """
        self.setup()
        names = sorted(names or self.writers)
        seal = self.writers["seal"]
        if isinstance(seal, SealWriter):
            seal.gate = gate
        try:
            with collector_paused():
                self._rebuild(names, progress, gate)
        finally:
            if isinstance(seal, SealWriter):
                seal.gate = None

    def _rebuild(self, names: list[str], progress: Progress | None, gate: RebuildGate | None) -> None:
        with self._writing() as conn:
            rebuilding = dict(conn.execute(select(layout_table.c.name, layout_table.c.rebuild_layout)).tuples().all())
            for row in self._lock(conn, names):
                writer = self.writers[row["name"]]
                if row["rebuild_generation"] is None or rebuilding.get(row["name"]) != writer.layout:
                    generation = row["generation"] + 1  # a rebuild an earlier version left half done starts again
                    tables = writer.tables(generation)
                    metadata.drop_all(conn, tables=tables)
                    metadata.create_all(conn, tables=tables)
                    self._set(conn, row["name"], rebuild_generation=generation, rebuild_position=0)
                    self._set_layout(conn, row["name"], rebuild_layout=writer.layout)
        while True:
            try:
                with self.engine.connect() as conn, conn.begin():
                    query = select(projection_table).where(projection_table.c.name.in_(names))
                    rows = conn.execute(query.order_by(projection_table.c.name)).mappings()
                    targets = [(r["name"], r["rebuild_generation"], r["rebuild_position"]) for r in rows]
                    positions, _, finished = self._absorb(conn, targets, self.CHECKPOINT, progress)
                for name, generation, _ in targets:  # before the write lock, which the other writers wait for
                    self.writers[name].prepare(generation, self.engine.dialect.name)
                if finished and gate is not None:
                    gate.finish()
            except BaseException:
                self._forget()
                raise
            with self._writing() as conn:
                for row, (name, generation, position) in zip(self._lock(conn, names), targets, strict=True):
                    if (row["rebuild_generation"], row["rebuild_position"]) != (generation, position):
                        msg = f"the {name} projection is being rebuilt by another process; let that rebuild finish"
                        raise RebuildUnderWay(msg)
                self._flush(conn, targets, positions, "rebuild_position")
                if finished:
                    for row in self._lock(conn, names):  # the new generations are complete: swap them in
                        self._analyse(conn, self.writers[row["name"]].tables(row["rebuild_generation"]))
                        new = {"generation": row["rebuild_generation"], "position": row["rebuild_position"]}
                        self._set(conn, row["name"], **new, rebuild_generation=None, rebuild_position=None)
                        self._set_layout(
                            conn, row["name"], layout=self.writers[row["name"]].layout, rebuild_layout=None
                        )
                        metadata.drop_all(conn, tables=self.writers[row["name"]].tables(row["generation"]))
                    if "seal" in names:
                        self.seal_fault = None
                    return

    def _analyse(self, conn: Connection, tables: list[Table]) -> None:
        """Gives PostgreSQL's planner the statistics of freshly filled tables, rather than have it
        guess until autovacuum comes by (the overdue list read a whole table meanwhile)."""
        if conn.dialect.name == "postgresql":
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table.name}")

    def _advance(self, conn: Connection, targets: list[Target], column: str, limit: int) -> tuple[int, bool]:
        """Applies up to ``limit`` events to each target and records where each got to.

        Returns how many events were read, and whether the log was read to its end.
        """
        positions, read, finished = self._absorb(conn, targets, limit)
        self._flush(conn, targets, positions, column)
        return read, finished

    def _absorb(
        self, conn: Connection, targets: list[Target], limit: int, progress: Progress | None = None
    ) -> tuple[dict[str, int], int, bool]:
        """Folds up to ``limit`` events into each target's state in memory.

        Returns where each target got to, how many events were read, and whether the log was read to its end.
        """
        positions = {name: position for name, _, position in targets}
        read, finished = 0, False
        held = blocked.blocked(conn) if self.keeps_blocked else {}
        known = set(held)
        stored = all(self.writers[name].reads_stored for name, _, _ in targets)
        while read < limit:
            start = min(positions.values())
            events: Any = (self.log.stored if stored else self.log.read)(start, min(self.BATCH, limit - read))
            if not events:
                finished = True
                break
            # Mostly no item is blocked and no event too new: then every event is kept, with no look at each.
            every = not stored and not held and not any(type(event) is TooNew for _, event in events)
            for name, generation, _ in targets:
                todo = events if positions[name] == start else [(p, e) for p, e in events if p > positions[name]]
                if todo:
                    writer = self.writers[name]
                    # The seal seals every event; the others leave out those of an item a newer release blocks.
                    kept = todo if writer.reads_stored or every else readable(todo, held, places=writer.keeps_places)
                    if kept:
                        writer.absorb(conn, generation, positions[name], kept)
                    positions[name] = todo[-1][0]
            read += len(events)
            if progress:
                progress(events[-1][0], self.log.head())
        if self.keeps_blocked and len(held) > len(known):
            blocked.keep(conn, [item for key, item in held.items() if key not in known])
        return positions, read, finished

    def _flush(self, conn: Connection, targets: list[Target], positions: dict[str, int], column: str) -> None:
        """Writes what each target absorbed, with the position it reached, in the caller's transaction."""
        for name, generation, position in targets:
            if positions[name] != position:
                self.writers[name].flush(conn, generation)
                self._set(conn, name, **{column: positions[name]})

    def _positions(self, names: Iterable[str]) -> list[int]:
        with self.engine.connect() as conn:
            query = select(projection_table.c.position).where(projection_table.c.name.in_(list(names)))
            return list(conn.execute(query).scalars())

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        """Each projection's position, the head of the log, how many events it has yet to apply, and any rebuild."""
        self.setup()
        head = self.log.head()
        with self.engine.connect() as conn:
            query = select(projection_table).where(projection_table.c.name.in_(list(names or self.writers)))
            rows = list(conn.execute(query.order_by(projection_table.c.name)).mappings())
        positions = {0, *(r["position"] for r in rows), *(r["rebuild_position"] or 0 for r in rows)}
        lags = {position: self.log.count(position) for position in positions}
        return [
            ProjectionStatus(
                r["name"], r["position"], head, r["rebuild_position"], lags[r["position"]], lags[0],
                None if r["rebuild_position"] is None else lags[r["rebuild_position"]],
            )
            for r in rows
        ]  # fmt: skip

    def _lock(self, conn: Connection, names: list[str]) -> list[Any]:
        query = select(projection_table).where(projection_table.c.name.in_(names)).order_by(projection_table.c.name)
        return list(conn.execute(query.with_for_update()).mappings())

    def _set_layout(self, conn: Connection, name: str, **values: Any) -> None:
        found = conn.execute(update(layout_table).where(layout_table.c.name == name).values(**values))
        if not found.rowcount:  # tables made before layouts were kept
            conn.execute(insert(layout_table).values({"name": name, "layout": 0, **values}))

    def _set(self, conn: Connection, name: str, **values: Any) -> None:
        conn.execute(update(projection_table).where(projection_table.c.name == name).values(**values))


def _narrow_codes(conn: Connection) -> list[tuple[str, str, str | None]]:
    """The code columns (body, ref) of PostgreSQL tables narrower than ``CODE_LENGTH``, with their collations."""
    if conn.dialect.name != "postgresql":
        return []
    query = text(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name IN ('body', 'ref') "
        "AND character_maximum_length < :length"
    )
    return [(row[0], row[1], row[2]) for row in conn.execute(query, {"length": CODE_LENGTH})]
