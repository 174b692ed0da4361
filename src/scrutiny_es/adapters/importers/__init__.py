"""Councils' existing trackers in: a .csv, .xlsx or .docx file read into the library's JSON commands."""

from scrutiny_es.adapters.importers.columns import FIELDS, HEADERS, TrackerField, parse_columns
from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport
from scrutiny_es.adapters.importers.tables import SourceRow, SourceTable, read_tables

__all__ = [
    "FIELDS",
    "HEADERS",
    "CannotImport",
    "NotADate",
    "SourceRow",
    "SourceTable",
    "TrackerField",
    "parse_columns",
    "read_date",
    "read_tables",
]
