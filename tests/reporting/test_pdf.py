"""Report pages printed to PDF (svlib.reporting.pdf): beside each page, A4, every column of the
widest table in its text, nothing fetched; without Chromium the pages still publish and the
run says why."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

from svlib.reporting.pdf import CHROMIUM_VARIABLE, NOT_FOUND, find_chromium, print_pages

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = [pytest.mark.slow,
                  pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")]
A4 = (595.28, 841.89)
"""A4 in PDF points (210 x 297 mm)."""


def squeezed(text: str) -> str:
    """Text with its whitespace removed: a PDF breaks lines, and cells, where it must."""
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def impact_map(page: Path) -> tuple[list[str], list[str]]:
    """The impact map's column headers and its last column's values, as the page shows them
    (svlib.reporting.report_display.impact_map_table: a caption, then the table)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    caption = soup.find("strong", string="Impact map")
    table = caption.find_parent("p").find_next_sibling("table")
    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    last = [row.find_all("td")[-1].get_text(" ", strip=True) for row in table.tbody.find_all("tr")]
    return headers, [value for value in last if value]


class TestWithoutChromium:
    def test_a_browser_that_is_not_there_is_reported_and_nothing_is_written(self, tmp_path, monkeypatch):
        page = tmp_path / "page.html"
        page.write_text("<!DOCTYPE html><title>t</title><p>text</p>", encoding="utf-8")
        monkeypatch.setenv(CHROMIUM_VARIABLE, str(tmp_path / "no-such-browser"))
        assert find_chromium() == (None, f"{NOT_FOUND} ({CHROMIUM_VARIABLE} names no program)")
        printed = print_pages([page])
        assert printed.unavailable.startswith(NOT_FOUND) and printed.written == []
        assert str(tmp_path) not in printed.unavailable  # shared pages show it: no local folder named
        assert list(tmp_path.iterdir()) == [page]

    @pytest.mark.slow
    def test_a_run_without_chromium_publishes_its_pages_and_says_why_once(self, tmp_path, monkeypatch):
        from svlib import paths
        from svlib.reporting.reports import run_reports

        monkeypatch.setenv(CHROMIUM_VARIABLE, str(tmp_path / "no-such-browser"))
        result = run_reports(paths.raw_collection("example"), tmp_path / "out", partners=["food-network"],
                             draws=500, processed=tmp_path / "processed", progress=False, research=False)
        record = next(r for r in result.run["notebooks"] if r["key"] == "partner/food-network")
        assert record["status"] == "ok" and result.path(record).is_file()
        assert record["pdf"] is None and not list((tmp_path / "out").rglob("*.pdf"))
        assert result.run["pdf_unavailable"].startswith(NOT_FOUND)
        saved = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
        assert saved["pdf_unavailable"] == result.run["pdf_unavailable"]
        index = result.index.read_text(encoding="utf-8")
        assert index.count("No PDFs were written: Chromium not found: install the chromium package") == 1
        assert ">PDF</a>" not in index
        assert "no PDFs were written" in result.log.read_text(encoding="utf-8")


class TestPartnerPdf:
    pytestmark = needs_chromium

    def test_beside_its_page_a4_with_every_column_of_the_impact_map(self, report_run):
        from pypdf import PdfReader

        result, raw, root = report_run
        record = next(r for r in result.run["notebooks"] if r["key"] == "partner/food-network")
        page, pdf = result.path(record), result.path(record, "pdf")
        assert record["pdf"] == "partners/food-network.pdf" and pdf == page.with_suffix(".pdf")
        reader = PdfReader(pdf)
        assert len(reader.pages) > 3
        for sheet in reader.pages:
            size = sorted((float(sheet.mediabox.width), float(sheet.mediabox.height)))
            assert size == pytest.approx(sorted(A4), abs=2)
        text = squeezed(pdf_text(pdf))
        headers, last = impact_map(page)
        assert len(headers) >= 15 and len(last) >= 4
        for header in headers:  # a column cut off by printing would be missing
            assert squeezed(header) in text, header
        for value in last:
            assert squeezed(value) in text, value

    def test_every_published_page_has_its_pdf_listed_and_linked(self, report_run):
        result, raw, root = report_run
        index = result.index.read_text(encoding="utf-8")
        assert result.run.get("pdf_unavailable") is None
        for record in result.run["notebooks"]:
            if record["status"] == "ok":
                assert result.path(record, "pdf").is_file(), record["key"]
                assert f'href="{record["pdf"]}">PDF</a>' in index
            else:
                assert not record.get("pdf")
        pdfs = {p.relative_to(result.out_dir).as_posix() for p in result.out_dir.rglob("*.pdf")}
        assert pdfs == {r["pdf"] for r in result.run["notebooks"] if r.get("pdf")}


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_printing_fetches_nothing_but_the_page(tmp_path):
    asked: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            asked.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        there = f"http://127.0.0.1:{server.server_address[1]}"
        page = tmp_path / "page.html"
        page.write_text(f'<!DOCTYPE html><title>t</title><link rel="stylesheet" href="{there}/style.css">'
                        f'<p>text</p><img src="{there}/image.png"><script src="{there}/script.js"></script>',
                        encoding="utf-8")
        printed = print_pages([page])
    finally:
        server.shutdown()
    assert printed.written == [page.with_suffix(".pdf")] and printed.failed == {}
    assert asked == []
    assert "text" in pdf_text(page.with_suffix(".pdf"))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_printing_reads_no_other_local_file_and_writes_a_pdf_others_may_read(tmp_path):
    import os
    import stat

    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-FILE-CONTENT", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(f'<!DOCTYPE html><title>t</title><p>page text</p><iframe src="{secret.as_uri()}"></iframe>'
                    f'<object data="{secret.as_uri()}"></object>', encoding="utf-8")
    printed = print_pages([page])
    assert printed.written == [page.with_suffix(".pdf")]
    text = pdf_text(page.with_suffix(".pdf"))
    assert "page text" in text and "LOCAL-FILE-CONTENT" not in text
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(page.with_suffix(".pdf").stat().st_mode) == 0o666 & ~umask  # as its HTML page is
