"""Every page of a real run, checked for accessibility in the browser a reader uses.

axe-core (Deque's open rules engine, the checker public-sector accessibility audits use;
bundled by ``axe-playwright-python``) runs inside headless Chromium on each page: no
violation of any impact (missing alternative text, empty table headers, contrast too low,
headings out of order, content outside landmarks...) is allowed.
"""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")]
BLOCKING = ("minor", "moderate", "serious", "critical")


@pytest.fixture(scope="module")
def checked(report_run):
    """Each page's violations: ``{page: [(rule, impact, help, html)]}``."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    result, raw, root = report_run
    out = root / "out"
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        axe = Axe()
        for page_path in sorted(out.rglob("*.html")):
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                       else route.abort())  # the pages are self-contained: nothing from the network
            page.goto(page_path.as_uri(), wait_until="load")
            violations = axe.run(page).response["violations"]
            found[page_path.relative_to(out).as_posix()] = [
                (v["id"], v["impact"], v["help"], v["nodes"][0]["html"][:160]) for v in violations
                if v["impact"] in BLOCKING]
            page.close()
        browser.close()
    return found


def test_every_page_was_checked(checked, report_run):
    result, raw, root = report_run
    assert "index.html" in checked
    for record in result.run["notebooks"]:
        if record["status"] == "ok":
            assert record["html"] in checked


def test_no_page_has_an_accessibility_violation(checked):
    assert {page: found for page, found in checked.items() if found} == {}


def test_the_checker_finds_what_it_should(tmp_path):
    # the same checker on a page with a chart without words and a table without headers must fail,
    # so a clean result above means the pages are clean, not that nothing was checked
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang='en'><head><title>Bad</title></head><body><h1>Bad</h1>"
                   "<img src='data:image/png;base64,iVBORw0KGgo='><input type='text'></body></html>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(bad.as_uri())
        rules = {v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING}
        browser.close()
    assert {"image-alt", "label"} <= rules
