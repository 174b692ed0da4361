"""The report as CSV: every field of its rows under the contract's names, a list as "a; b"."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

from scrutiny_es.adapters.formats import Report
from scrutiny_es.adapters.formats.text import visible
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
    return visible(value) if isinstance(value, str) else value
