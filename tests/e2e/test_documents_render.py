"""The documents as their readers' programs show them: the HTML in Chromium, the Word pack in LibreOffice.

A page that a browser cannot lay out, or a .docx that LibreOffice cannot open, fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from PIL import Image

from scrutiny_es.adapters.formats import render
from scrutiny_es.adapters.formats.impact import impact_html
from scrutiny_es.adapters.formats.pack import render_pack
from tests.e2e.browser import browser
from tests.sandwell import impact_rows, meeting_pack, tracker_report, tracker_rows

CHROMIUM_FLAGS = ["--no-pdf-header-footer"]


def dark_pixels(png: Path) -> int:
    """Pixels of text and rules: a blank page has none."""
    return sum(Image.open(png).convert("L").histogram()[:100])


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is needed for this test: apt-get install {package} (make test installs it)"
    return found


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points, as poppler reads the PDF."""
    info = subprocess.run([tool("pdfinfo", "poppler-utils"), "-f", "1", "-l", "99", str(pdf)], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


def pixels(png: Path) -> list[tuple[int, int, int]]:
    data = Image.open(png).convert("RGB").tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def test_the_tracker_page_shows_council_year_groups_and_marks_in_a_browser(tmp_path: Path) -> None:
    rows = tracker_rows()
    rows[2] = rows[2] | {"status": "closed", "outcome": "implemented", "closure_note": "Consultation done."}
    page = tmp_path / "tracker.html"
    page.write_text(render(tracker_report(rows), "html"), encoding="utf-8")
    dom, console = browser(page, "--dump-dom")
    assert console == []
    for text in ("Sandwell Metropolitan Borough Council", "Municipal year 2023/24", "Action Tracker as of 14 Mar 2024",
                 '<span class="mark">OVERDUE</span>', '<span class="mark">CLOSED</span>', "On closing: Consultation done.",
                 'rowspan="4"', "Sandwell’s green spaces"):  # fmt: skip
        assert text in dom
    shot = tmp_path / "tracker.png"
    browser(page, f"--screenshot={shot}", "--window-size=1400,1000")
    assert dark_pixels(shot) > 5000
    red = sum(1 for r, g, b in pixels(shot) if r > 240 and 70 < g < 90 and 70 < b < 90)
    assert red > 200  # the RAG cell of the first item, shaded red


def test_the_pack_page_renders_and_prints_on_a4_portrait_then_landscape(tmp_path: Path) -> None:
    page = tmp_path / "pack.html"
    html = render_pack(meeting_pack(), "html")
    assert isinstance(html, str)
    page.write_text(html, encoding="utf-8")
    dom, console = browser(page, "--dump-dom")
    assert console == []
    for text in ("Report to Safer Neighbourhoods and Active Communities Scrutiny Board", "14 March 2024",
                 "1. Responses received since the last meeting", "4. Proposed for closure",
                 "Appendix 1 – Action Tracker", "Recommendation/ Action", "scrutiny-es verify --at 58 --digest"):  # fmt: skip
        assert text in dom
    shot = tmp_path / "pack.png"
    browser(page, f"--screenshot={shot}", "--window-size=1100,1400")
    assert dark_pixels(shot) > 5000
    pdf = tmp_path / "pack.pdf"
    browser(page, f"--print-to-pdf={pdf}", *CHROMIUM_FLAGS)
    sizes = page_sizes(pdf)
    assert len(sizes) >= 2
    assert [round(w) for w, _ in sizes[:1]] == [595] and sizes[0][1] > sizes[0][0]  # A4 portrait
    assert sizes[-1][0] > sizes[-1][1] and round(sizes[-1][0]) == 842  # the appendix: A4 landscape


def test_the_impact_page_draws_its_charts_in_a_browser(tmp_path: Path) -> None:
    page = tmp_path / "impact.html"
    page.write_text(impact_html(impact_rows(), "Impact of scrutiny, 2023/24"), encoding="utf-8")
    dom, console = browser(page, "--dump-dom")
    assert console == []
    assert dom.count("<svg") == 2 and "Responses by decision, per group" in dom and "80.0%" in dom
    shot = tmp_path / "impact.png"
    browser(page, f"--screenshot={shot}", "--window-size=1100,900")
    colours = pixels(shot)
    green = colours.count((0x2E, 0x7D, 0x32))
    grey = colours.count((0xBD, 0xBD, 0xBD))
    assert green > 500 and grey > 500  # accepted and implemented bars; awaiting and open ones
    assert dark_pixels(shot) > 3000


def test_the_word_pack_opens_in_libreoffice_and_its_first_page_is_not_blank(tmp_path: Path) -> None:
    document = tmp_path / "pack.docx"
    data = render_pack(meeting_pack(), "docx")
    assert isinstance(data, bytes)
    document.write_bytes(data)
    soffice = tool("soffice", "libreoffice-writer-nogui")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(document)],
                   capture_output=True, timeout=180, check=True)  # fmt: skip
    pdf = tmp_path / "pack.pdf"
    assert pdf.exists(), "LibreOffice could not convert the document"
    text = subprocess.run([tool("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    for words in ("Report to Safer Neighbourhoods and Active Communities Scrutiny Board", "Appendix 1 – Action Tracker",
                  "3. Where progress is unsatisfactory", "Briefing note to be circulated"):  # fmt: skip
        assert words in text
    sizes = page_sizes(pdf)
    assert sizes[0][1] > sizes[0][0] and sizes[-1][0] > sizes[-1][1]
    subprocess.run([tool("pdftoppm", "poppler-utils"), "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(tmp_path / "page1")], check=True)  # fmt: skip
    assert dark_pixels(tmp_path / "page1.png") > 3000
