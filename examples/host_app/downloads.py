"""Files a clerk downloads: the meeting pack (Word or a web page) and the tracker (CSV or Excel).

The tracker's columns are the clerk's own table (Ref, Date, Item, Recommendation/Action, Responsible
Person, Response, Notes, Status, Target date), dates written "21 March 2024". A cell that a
spreadsheet would read as a formula (=, +, -, @) is kept as text, so recorded words never run.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from examples.host_app.words import DECISIONS, STATUSES, long_date, withheld

KINDS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = ["Ref", "Date", "Item", "Recommendation/Action", "Responsible Person", "Response", "Notes", "Status",
           "Target date"]  # fmt: skip


def pack_file(pack: dict[str, Any], fmt: str) -> bytes:
    """The meeting pack as the library renders it, Word or HTML."""
    from scrutiny_es.adapters.formats.pack_render import render_pack

    shown = render_pack(pack, "docx" if fmt == "docx" else "html")
    return shown if isinstance(shown, bytes) else shown.encode()


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def tracker_rows(rows: list[Any]) -> list[list[str]]:
    return [
        [_safe(str(cell)) for cell in (
            r.ref, long_date(r.meeting_date), r.item, r.text, ", ".join(r.addressees),
            DECISIONS.get(r.response or "", r.response or ""), r.notes or "", STATUSES[r.status],
            long_date(r.target_date))]
        for r in rows
    ]  # fmt: skip


def tracker_file(rows: list[Any], fmt: str, title: str) -> bytes:
    """The tracker as CSV or an Excel workbook (which says, below the table, how many exempt items it leaves out;
    the CSV file holds rows alone)."""
    table = tracker_rows(rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(table)
        return out.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 with the mark
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Tracker"
    sheet.append([title])
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(row)
    if withheld(rows):  # the exempt items the library left out, said below the table
        sheet.append([])
        sheet.append([withheld(rows)])
    for letter, width in zip("ABCDEFGHI", (14, 18, 24, 50, 24, 16, 40, 18, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()


def file_name(body: str, what: str, day: date, fmt: str) -> str:
    return f"{body}-{what}-{day.isoformat()}.{fmt}"


def download(content: bytes, fmt: str, name: str) -> Response:
    """The file as an attachment named ``name``. A body's code may hold any letter or a quote: the plain name keeps
    to ASCII (a header is Latin-1, and a quote would end it), the full one is said in UTF-8 (RFC 6266)."""
    plain_name = re.sub(r"[^A-Za-z0-9._-]+", "-", name)
    disposition = f"attachment; filename=\"{plain_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(content, media_type=KINDS[fmt], headers={"Content-Disposition": disposition})
