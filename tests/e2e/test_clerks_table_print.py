"""The clerk's table in Word as LibreOffice prints it: a clerk circulates it as it is, or edits it and imports it."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from docx import Document

from scrutiny_es.adapters.formats.clerks_table import render_clerks_table
from scrutiny_es.projections.rows import TrackerRow
from tests.e2e.test_documents_render import docx_text, page_sizes, pdf_pages, split_words, tool, vocabulary

LONG = ("That the Director of Borough Economy considers the following amendments to the draft Sandwell Angling Code "
        "of Conduct:- a. detailing set times for fishing; b. allowing angling at Swan Pool on Saturdays & Sundays; "
        'c. the "catch and release" rule applies to fish < 2kg.')  # fmt: skip


def row(ref: str, item: str, text: str, names: list[str], **fields: object) -> TrackerRow:
    return TrackerRow(**{"body": "SNAC", "ref": ref, "kind": "recommendation", "meeting_date": date(2024, 1, 17),
                         "item": item, "minute": None, "text": text, "addressees": names, "status": "made",
                         "response": None, "response_due": None, "target_date": None, "rag": None,
                         "deferred_until": None, "outcome": None, "notes": None, "last_changed_on": date(2024, 1, 17),
                         "awaiting": [], "overdue": [], "escalated_on": None, "closure_note": None,
                         "original_target_date": None, "target_date_revisions": 0} | fields)  # type: ignore[arg-type]  # fmt: skip


def test_the_word_table_prints_on_a4_landscape_with_no_word_broken_and_reads_back(tmp_path: Path) -> None:
    rows = [
        row("2024-01-17/1", "Implementation of 3 Boroughwide Public Space Protection Orders", LONG,
            ["Alice Davey", "Matt Huggins"], status="awaiting_response", target_date=date(2024, 3, 1),
            notes="Noted to feed into the Sandwell Valley consultation."),
        row("2024-01-17/2", "Heritage Strategy", "That the Director works with Gwenllïan ap Rhys and Małgorzata "
            "Wiśniewska.", ["Dafydd ap Gruffydd"], status="responded", response="partially_accepted"),
    ]  # fmt: skip
    data = render_clerks_table(rows, "docx", "Safer Neighbourhoods and Active Communities Scrutiny Board")
    document = tmp_path / "tracker.docx"
    document.write_bytes(data)
    subprocess.run([tool("soffice", "libreoffice-writer-nogui"), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(document)],
                   capture_output=True, timeout=180, check=True)  # fmt: skip
    pdf = tmp_path / "tracker.pdf"
    pages = pdf_pages(pdf)
    assert not split_words(pages, vocabulary(docx_text(data)))
    assert [(round(w), round(h)) for w, h in page_sizes(pdf)] == [(842, 595)] * len(pages)
    assert "Recommendation/Action" in pages[0] and "2024-01-17" in pages[0]
    table = Document(str(document)).tables[0]
    assert [c.text for c in table.rows[1].cells][:4] == ["2024-01-17/1", "2024-01-17",
                                                          "Implementation of 3 Boroughwide Public Space Protection "
                                                          "Orders", LONG]  # fmt: skip
