"""The documents as their readers' programs show them: the HTML in Chromium, the Word pack in LibreOffice.

A page that a browser cannot lay out, or a .docx that LibreOffice cannot open, fails here.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from pathlib import Path

from docx import Document
from PIL import Image

from scrutiny_es.adapters.formats import render
from scrutiny_es.adapters.formats.furniture import load_furniture
from scrutiny_es.adapters.formats.impact import impact_html
from scrutiny_es.adapters.formats.pack_render import render_pack
from tests.e2e.browser import browser
from tests.sandwell import impact_rows, meeting_pack, tracker_report, tracker_rows

CHROMIUM_FLAGS = ["--no-pdf-header-footer"]
SANDWELL = Path(__file__).parents[2] / "src" / "scrutiny_es" / "demo" / "sandwell.toml"


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


def test_the_pack_page_prints_on_a4_portrait_then_landscape_with_the_foot_of_each_page(tmp_path: Path) -> None:
    page = tmp_path / "pack.html"
    html = render_pack(meeting_pack(), "html", load_furniture(SANDWELL, "SNAC"))
    assert isinstance(html, str)
    page.write_text(html, encoding="utf-8")
    dom, console = browser(page, "--dump-dom")
    assert console == []
    for text in ("Report to Safer Neighbourhoods and Active Communities Scrutiny Board", "14 March 2024",
                 "4.3 Responses received since the last meeting", "4.7 Candidates for closure",
                 "Appendix 1 – Safer Neighbourhoods", "Recommendation/ Action", "Alexander_Goddard@sandwell.gov.uk"):  # fmt: skip
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
    pages = pdf_pages(pdf)
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text, text[-300:]
        assert "Safer Neighbourhoods and Active Communities Scrutiny Board – 14 March 2024" in text
        content = [line for line in text.splitlines() if line.strip() and "Page " not in line]
        assert len(content) >= 5, f"page {number} holds only {len(content)} lines: {content}"
    assert not split_words(pages, vocabulary(html_text(html)))


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


def test_the_word_pack_of_14_march_2024_reads_in_libreoffice_as_the_councils_own(tmp_path: Path) -> None:
    """As a clerk would check it: opened in LibreOffice and printed, no word is broken over two lines, no page
    holds a stub, each page has its foot, the report is on portrait pages and the appendix on landscape ones."""
    document = tmp_path / "pack.docx"
    data = render_pack(meeting_pack(), "docx", load_furniture(SANDWELL, "SNAC"))
    assert isinstance(data, bytes)
    document.write_bytes(data)
    soffice = tool("soffice", "libreoffice-writer-nogui")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(document)],
                   capture_output=True, timeout=180, check=True)  # fmt: skip
    pdf = tmp_path / "pack.pdf"
    assert pdf.exists(), "LibreOffice could not convert the document"
    pages = pdf_pages(pdf)
    text = "\n".join(pages)
    for words in ("Report to Safer Neighbourhoods and Active Communities Scrutiny Board", "Appendix 1 – Safer",
                  "4.5 Where progress is unsatisfactory", "Briefing note to be circulated", "Contact Officer",
                  "Legal and Governance", "Boroughwide"):  # fmt: skip
        assert words in text
    assert not split_words(pages, vocabulary(docx_text(data)))
    furniture = (
        "Sandwell Metropolitan Borough Council",
        "Safer Neighbourhoods and Active Communities Scrutiny Board –",
    )
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        content = [line for line in page.splitlines() if line.strip() and not line.strip().startswith(furniture)]
        assert len(content) >= 5, f"page {number} holds only {len(content)} lines: {content}"
    sizes = page_sizes(pdf)
    landscape = [w > h for w, h in sizes]
    assert landscape[0] is False and landscape[-1] is True and landscape == sorted(landscape)
    images = sorted_pages(pdf, tmp_path / "page")
    for number, (png, (w, h)) in enumerate(zip(images, sizes, strict=True), 1):
        image = Image.open(png).convert("L")
        assert image.width > image.height if w > h else image.width < image.height
        assert dark_pixels(png) > 500, f"page {number} is blank"
        foot = image.crop((0, int(image.height * 0.93), image.width, image.height))
        assert sum(foot.histogram()[:200]) > 50, f"page {number} has no foot"
        edge = image.crop((image.width - int(image.width * 0.03), 0, image.width, image.height))
        assert sum(edge.histogram()[:200]) == 0, f"something on page {number} runs off its right edge"
    reds = [sum(1 for r, g, b in pixels(png) if r > 240 and g < 110 and b < 110) for png in images]
    assert reds[1] > 20 and reds[-2] > 20  # the red RAG of the progress reported and of the appendix's first item


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text as poppler reads it, laid out as printed."""
    text = subprocess.run([tool("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return text.split("\f")[:-1]


def sorted_pages(pdf: Path, prefix: Path) -> list[Path]:
    subprocess.run([tool("pdftoppm", "poppler-utils"), "-png", "-r", "40", str(pdf), str(prefix)], check=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"), key=lambda p: int(p.stem.rpartition("-")[2]))


def vocabulary(text: str) -> set[str]:
    """The document's words, and the parts of a hyphenated one a line may end and begin with ("10-", "Year")."""
    words = set(text.split()) | {str(n) for n in range(1, 100)} | {"Page", "of", "–"}
    return words | {part for word in words for part in re.findall(r"[^-]+-|[^-]+$", word)}


def split_words(pages: list[str], words: set[str]) -> list[str]:
    """The pieces of text a printed page shows that are no word of the document: a word broken over two lines
    shows as two such pieces ("Implementat", "ion")."""
    return [piece for page in pages for piece in page.split() if piece not in words]


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    feet = [p.text for s in document.sections for p in (*s.header.paragraphs, *s.footer.paragraphs)]
    return "\n".join([p.text for p in document.paragraphs] + cells + feet)


def html_text(page: str) -> str:
    between = re.sub(r"<br>|</?(p|td|th|tr|h\d|section|table|thead|tbody|title|style)\b[^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", "", between))
