"""A tracker's tables as the readers give them, planned as the import plans them, for the planner's tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from scrutiny_es.adapters.importers import ImportPlan, SourceRow, SourceTable, plan_import
from scrutiny_es.domain.commands import parse_command
from tests.unit.tracker_files import CLERK

AS_OF = date(2024, 3, 14)
HEADER = ["Date", "Item", "Recommendation/ Action", "Responsible Person", "Notes"]


def table(*rows: Sequence[str], name: str = "table 1", kind: str = "table") -> SourceTable:
    return SourceTable(name, kind, tuple(SourceRow(n, tuple(r)) for n, r in enumerate(rows, start=1)))  # type: ignore[arg-type]


def plan(*tables: SourceTable, **options: Any) -> ImportPlan:
    result = plan_import(
        tables, body="SNAC", source=options.pop("source", "t.docx"), as_of=AS_OF, actor=CLERK, **options
    )
    for _, command in [] if result.errors else result.commands:  # a plan with errors is never applied
        parse_command({k: v for k, v in command.items() if k != "command_id"})
    return result


def made(result: ImportPlan) -> list[dict[str, Any]]:
    return [c for _, c in result.commands if c["command"] == "make_recommendation"]


def only(result: ImportPlan, name: str) -> list[dict[str, Any]]:
    return [c for _, c in result.commands if c["command"] == name]


def errors(result: ImportPlan) -> list[str]:
    return [str(e) for e in result.errors]
