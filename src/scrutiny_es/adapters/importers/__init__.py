"""Councils' existing trackers in: a .csv, .xlsx or .docx file read into the library's JSON commands."""

from scrutiny_es.adapters.importers.columns import FIELDS, HEADERS, TrackerField, parse_columns
from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport

__all__ = ["FIELDS", "HEADERS", "CannotImport", "NotADate", "TrackerField", "parse_columns", "read_date"]
