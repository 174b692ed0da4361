"""The seal's writer: each event's digest in the hash chain, a row for every ``SEAL_BLOCK`` positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import takewhile

from sqlalchemy import Connection, Table, delete, select

from scrutiny_es.adapters.sql.bulk import Inserts, for_driver, insert_prepared
from scrutiny_es.adapters.sql.schema import SEAL_BLOCK, packed_places, seal_table, sealed_block
from scrutiny_es.adapters.sql.writers.base import Events, TableWriter
from scrutiny_es.application.ports import EventLog, RebuildGate
from scrutiny_es.projections.seal import ZERO, SealDamaged, chunked, seal


@dataclass
class SealBlock:
    """One row of the seal's table, as it is being filled: from ``first``, each event's place and digest."""

    first: int
    stored_at: list[int] = field(default_factory=list)
    digests: list[bytes] = field(default_factory=list)


class SealWriter(TableWriter):
    """The seal: each event's digest in the hash chain (``projections.seal``), kept like any read model, a
    row for every ``SEAL_BLOCK`` positions."""

    name = "seal"
    layout = 2
    reads_stored = True
    """2: a row for every ``SEAL_BLOCK`` positions, not for each."""

    def __init__(self, log: EventLog | None) -> None:
        self.log = log
        """Where the events are read as stored: the seal is of the bytes written, not of the events decoded."""
        self.at: tuple[int, int] | None = None
        self.last: SealBlock | None = None
        """The table's last row, which the next events go on filling."""
        self.changed: list[SealBlock] = []
        """The rows to write, in order: the last row as it stood, then new ones."""
        self.ready: tuple[int, Inserts] | None = None
        self.gate: RebuildGate | None = None
        """Told each event sealed, during a rebuild that checks the log against the seal it replaces."""

    def tables(self, generation: int) -> list[Table]:
        return [seal_table(generation)]

    def forget(self) -> None:
        self.at = self.last = self.ready = None
        self.changed.clear()

    def absorb(self, conn: Connection, generation: int, after: int, events: Events) -> None:
        if self.log is None:
            raise RuntimeError("the seal reads the log as stored: give writers() the log")
        self.ready = None
        if self.at != (generation, after):
            self.forget()
            table = seal_table(generation)
            query = select(table.c.first_position, table.c.stored_at, table.c.digests)
            found = conn.execute(query.order_by(table.c.first_position.desc()).limit(1)).first()
            if found is not None:
                kept = sealed_block(*found)
                if kept[0].stored_at is None:
                    msg = f"position {found[0]}: changed (the seal's own row)"
                    raise SealDamaged(msg, found[0])
                self.last = SealBlock(found[0], [s.stored_at for s in kept if s.stored_at is not None],
                                      [s.digest for s in kept])  # fmt: skip
        block = self.last or SealBlock(1)
        digest = block.digests[-1] if block.digests else ZERO
        if block.digests and len(block.digests) < SEAL_BLOCK and not (self.changed and self.changed[-1] is block):
            self.changed.append(block)
        rows = events if len(events[0]) == 5 else self.log.stored(after, len(events))  # given as stored, or not
        if after == 0 and not block.digests:  # a chain begun: rows put in before the log's first place are sealed too
            rows = [*takewhile(lambda row: row[0] <= 0, chunked(self.log.stored, after=-(2**63))), *rows]
        first, made = block.first + len(block.digests), []
        for row in rows:
            if len(block.digests) == SEAL_BLOCK:
                block = SealBlock(block.first + SEAL_BLOCK)
            if not block.digests:
                self.changed.append(block)
            digest = seal(digest, row)
            block.stored_at.append(row[0])
            block.digests.append(digest)
            made.append(digest)
        if self.gate is not None:
            self.gate.sealed(first, rows, made)
        self.last = block
        self.at = (generation, events[-1][0])

    def prepare(self, generation: int, dialect: str) -> None:
        if self.ready is None and self.changed:
            rows = [(b.first, packed_places(b.stored_at), b"".join(b.digests)) for b in self.changed]
            self.ready = (self.changed[0].first, for_driver(seal_table(generation), dialect, rows))

    def flush(self, conn: Connection, generation: int) -> None:
        self.prepare(generation, conn.dialect.name)
        if self.ready is not None:
            first, inserts = self.ready
            table = seal_table(generation)
            conn.execute(delete(table).where(table.c.first_position >= first))  # the last row, as it stood
            insert_prepared(conn, [inserts])
        self.ready = None
        self.changed.clear()
