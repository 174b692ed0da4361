"""A command's id as the import makes it: the body, the file's name, the table, the row and the fact.

The same file imported again (from any folder: its name, not its path) gives the same ids, so the record
knows its commands for those it recorded before.
"""

from __future__ import annotations

import hashlib

from scrutiny_es.adapters.importers.tables import SourceTable

MAX_COMMAND_ID = 200


def command_id(body: str, source: str, table: SourceTable, row: int, fact: str) -> str:
    """``import:BODY:FILE:TABLE:row N:FACT``; past 200 characters, the head is cut short and a digest added."""
    return with_tail(id_head(body, source, table), table, row, fact)


def id_head(body: str, source: str, table: SourceTable) -> str:
    """``import:BODY:FILE:TABLE``, the same for every row of a table (a planner makes it once a table)."""
    return f"import:{body}:{source}" + ("" if table.kind == "csv" else f":{table.name}")


def with_tail(head: str, table: SourceTable, row: int, fact: str) -> str:
    tail = f"{table.unit} {row}:{fact}"
    if len(head) + 1 + len(tail) <= MAX_COMMAND_ID:
        return f"{head}:{tail}"
    digest = hashlib.sha256(head.encode()).hexdigest()[:12]
    return f"{head[: MAX_COMMAND_ID - len(tail) - len(digest) - 2]}~{digest}:{tail}"
