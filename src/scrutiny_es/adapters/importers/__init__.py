"""Councils' existing trackers in: a .csv, .xlsx or .docx file read into the library's JSON commands."""

from scrutiny_es.adapters.importers.dates import NotADate, read_date
from scrutiny_es.adapters.importers.errors import CannotImport

__all__ = ["CannotImport", "NotADate", "read_date"]
