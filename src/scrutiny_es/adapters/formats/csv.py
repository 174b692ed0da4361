"""The report as CSV: every field of its rows under the contract's names, a list as "a; b".

A spreadsheet opening the file must never run what a clerk typed: a cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written after an apostrophe, as
OWASP advises (``=HYPERLINK(...)`` shows as text), and every character that would act or
hide is shown as its escape (see ``plain``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

from scrutiny_es.adapters.formats.report import Report
from scrutiny_es.adapters.formats.text import plain
from scrutiny_es.projections.rows import json_values


def render_csv(report: Report) -> str:
    out = io.StringIO()
    fields = [field.name for field in dataclasses.fields(report.kind.row_type)]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        writer.writerow({k: _csv_value(v) for k, v in json_values(row).items()})
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(value)
    return csv_cell(value)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV file the library writes holds it: text made plain, and never read as a formula."""
    if not isinstance(value, str):
        return value
    text = plain(value)
    return "'" + text if text.startswith(_FORMULA) else text
