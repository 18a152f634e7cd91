"""The forum's pages opened in a real browser (headless Chromium, Debian's package, driven
by Playwright): no console errors, headline numbers visible, every link resolves, and a
partner named like an HTML attack shows as text with no dialog firing."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from urllib.parse import urljoin

import pytest

from svlib.reporting.report_text import ratio
from tests.conftest import XSS_NAME

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(report_run):
    result, raw, root = report_run
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "out"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield result, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser, url):
    page = browser.new_page()
    events = {"errors": [], "dialogs": []}
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    return page, events


def test_index_shows_headlines_and_every_link_resolves(site, browser):
    result, base = site
    page, events = open_page(browser, base + "index.html")
    body = page.inner_text("body")
    for record in result.run["notebooks"]:
        if record["status"] == "ok" and record["kind"] == "partner":
            assert ratio(record["sroi_ratio"]) in body
            assert f"{ratio(record['p5'])} to {ratio(record['p95'])}" in body
    assert XSS_NAME in body  # shown as text
    assert page.locator("img").count() == 0  # and never turned into an element
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == (sum(r["status"] == "ok" for r in result.run["notebooks"])
                          + sum(bool(r.get("pdf")) for r in result.run["notebooks"])
                          + sum(bool(r.get("workbook")) for r in result.run["notebooks"]) + bool(result.run.get("workbook")))
    for href in hrefs:
        assert page.request.get(urljoin(base, href)).status == 200, href
    assert events["errors"] == [] and events["dialogs"] == []
    page.close()


def test_every_report_opens_cleanly_and_partners_show_their_numbers(site, browser):
    result, base = site
    for record in result.run["notebooks"]:
        if record["status"] != "ok":
            continue
        page, events = open_page(browser, base + record["html"])
        body = page.inner_text("body")
        if record["kind"] == "partner":
            assert ratio(record["sroi_ratio"]) in body
            assert "Assurance checklist" in body and "Provenance" in body
            assert page.locator("img").count() >= 3  # figures render
        assert events["errors"] == [], events["errors"]
        assert events["dialogs"] == []
        if record["key"] == "partner/xss-test":
            assert XSS_NAME in body
        page.close()
