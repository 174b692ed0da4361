"""Councils' existing trackers in: a .csv, .xlsx or .docx file read into the library's JSON commands.

Reading (``read_tables``) and planning (``plan_import``) do no more than that: the commands
are returned, with the row each comes from, for a caller to show (``--dry-run``) or apply.
"""

from scrutiny_es.adapters.importers.columns import FIELDS, HEADERS, TrackerField, parse_columns
from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport
from scrutiny_es.adapters.importers.ids import command_id
from scrutiny_es.adapters.importers.plan import ImportPlan, plan_import
from scrutiny_es.adapters.importers.problems import RowProblem, RowRef
from scrutiny_es.adapters.importers.tables import SourceRow, SourceTable, read_tables

__all__ = [
    "FIELDS",
    "HEADERS",
    "CannotImport",
    "ImportPlan",
    "NotADate",
    "RowProblem",
    "RowRef",
    "SourceRow",
    "SourceTable",
    "TrackerField",
    "command_id",
    "parse_columns",
    "plan_import",
    "read_date",
    "read_tables",
]
