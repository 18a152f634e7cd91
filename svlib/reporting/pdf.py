"""Report pages printed to PDF: each written page opened in headless Chromium (Debian's
``chromium`` package, driven by Playwright) and printed on A4 beside itself.

One browser serves a whole run: it starts once, prints a few pages at a time, and stops.
Printing is offline: the page is read from its file and every other request (a script,
font or image from anywhere but the page itself and ``data:`` addresses) is refused, so
a PDF holds exactly what the page holds and no third party sees it being made.

The page's print stylesheet (``svlib/templates/svlib_report/index.html.j2``) fits every
table to the page width. Before printing, a table whose columns would not fit unless
words were broken is marked ``data-svlib-stacked``, each of its cells labelled with its
column's header (``data-label``): the stylesheet then prints each of its rows as a block of
"header: value" lines. The marks are made in the browser only; the HTML file is unchanged.

Nothing here raises for a page: a page that cannot be printed gets a reason, and a
missing browser is one reason for every page (:class:`Printed`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

CHROMIUM_VARIABLE = "SVLIB_CHROMIUM"
"""Environment variable naming the Chromium to print with (a path, or a command on the
``PATH``); unset, ``chromium`` or ``chromium-browser`` is looked up on the ``PATH``."""

FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync")
"""Chromium's switches for a headless print with no calls home (as the browser tests use)."""

PAGE_WIDTH_MM, MARGIN_MM = 210.0, (14.0, 12.0)
"""A4's width, and the page margins (top and bottom, left and right) the print stylesheet
sets with ``@page``."""

TIMEOUT = 120.0
"""Seconds one page may take to open and print before it is given up."""

AT_ONCE = 4
"""Pages printed at the same time in the one browser."""

NOT_FOUND = "Chromium not found: install the chromium package"

_MARK_WIDE_TABLES = """(SLACK) => {
  const root = document.documentElement;
  root.classList.add("svlib-measuring");
  const wide = [...document.querySelectorAll("table")].filter(
    t => t.parentElement && t.getBoundingClientRect().width > SLACK * t.parentElement.getBoundingClientRect().width);
  root.classList.remove("svlib-measuring");
  let marked = 0;
  for (const table of wide) {
    const head = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    if (!head || [...head.cells].some(c => c.colSpan > 1)) continue;
    const labels = [...head.cells].map(c => c.textContent.replace(/\\s+/g, " ").trim());
    const rows = [...table.tBodies].flatMap(b => [...b.rows]);
    if (rows.some(r => r.cells.length !== labels.length)) continue;
    for (const row of rows) [...row.cells].forEach((cell, i) => cell.setAttribute("data-label", labels[i]));
    table.setAttribute("data-svlib-stacked", "");
    marked += 1;
  }
  return marked;
}"""
"""Mark each table more than :data:`SLACK` times as wide as its place when no word may be
broken (measured with the class ``svlib-measuring``, which turns in-word breaks off) for
printing as stacked rows."""

SLACK = 1.15
"""How much wider than the page a table may be before it prints as stacked rows: one a little
wider keeps its columns, a few long words (``commissioning_engagement``) broken to fit."""


@dataclass
class Printed:
    """What a print of a run's pages did.

    Attributes
    ----------
    written : list of Path
        The PDFs written, each beside its page.
    failed : dict
        Page path to the reason its PDF was not written (a page that would not open or
        print in time, or broke the browser), in words fit for a shared page.
    unavailable : str or None
        Why no PDF was written at all (no Chromium, or no Playwright), or None.
    details : dict
        Page path (or ``"browser"``) to the error as raised, for the researcher's log only:
        it may name local folders.
    """

    written: list[Path] = field(default_factory=list)
    failed: dict[Path, str] = field(default_factory=dict)
    unavailable: str | None = None
    details: dict[Path | str, str] = field(default_factory=dict)


def find_chromium(chromium: str | None = None) -> tuple[str | None, str | None]:
    """The Chromium executable to print with, and None; or None and why there is none.

    ``chromium`` (or else the environment variable :data:`CHROMIUM_VARIABLE`) names a path or
    a command; without either, ``chromium`` then ``chromium-browser`` is looked up on the
    ``PATH``.
    """
    named = chromium or os.environ.get(CHROMIUM_VARIABLE)
    if named:
        found = shutil.which(named)
        # the name is left out of the reason, which shared pages show: it may be a local folder
        return (found, None) if found else (None, f"{NOT_FOUND} ({CHROMIUM_VARIABLE} names no program)")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return (found, None) if found else (None, NOT_FOUND)


def pdf_path(page: str | Path) -> Path:
    """Where a page's PDF goes: beside it, ``<name>.pdf``."""
    return Path(page).with_suffix(".pdf")


def print_pages(pages: Iterable[str | Path], chromium: str | None = None, timeout: float = TIMEOUT,
                at_once: int = AT_ONCE) -> Printed:
    """Print each HTML page to ``<name>.pdf`` beside it, A4, with one browser.

    Parameters
    ----------
    pages : iterable of path
        Written HTML pages (self-contained: nothing is fetched for them).
    chromium : str, optional
        The browser (see :func:`find_chromium`).
    timeout : float
        Seconds one page may take to open and print (s).
    at_once : int
        Pages printed at the same time.

    Returns
    -------
    Printed
        Never raises for a page or a missing browser: each PDF is written whole (a
        temporary file in the same folder, then renamed) or not at all, with the reason.
    """
    pages = [Path(p) for p in pages]
    executable, reason = find_chromium(chromium)
    if executable is None:
        return Printed(unavailable=reason)
    try:
        import playwright.async_api  # noqa: F401 - local: only a run that prints loads Playwright
    except ImportError:
        return Printed(unavailable="Playwright is not installed: pip install playwright")
    if not pages:
        return Printed()
    # a thread of its own: Playwright runs an event loop, and the caller may be inside one (a notebook)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, _print_all(pages, executable, timeout, max(1, at_once))).result()


async def _print_all(pages: list[Path], executable: str, timeout: float, at_once: int) -> Printed:
    from playwright.async_api import async_playwright  # local, as in print_pages

    printed = Printed()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=list(FLAGS),
                                                       timeout=timeout * 1000)
            try:
                context = await browser.new_context(offline=True, java_script_enabled=True, viewport={
                    "width": round((PAGE_WIDTH_MM - 2 * MARGIN_MM[1]) / 25.4 * 96), "height": 1000})
                slots = asyncio.Semaphore(at_once)

                async def one(page: Path) -> None:
                    async with slots:
                        try:
                            await asyncio.wait_for(_print_one(context, page), timeout)
                            printed.written.append(pdf_path(page))
                        except asyncio.TimeoutError:
                            printed.failed[page] = f"the PDF was not written: printing took over {timeout:g} s"
                        except Exception as exc:  # noqa: BLE001 - one page's failure; the others still print
                            printed.failed[page] = f"the PDF was not written: the browser raised {type(exc).__name__}"
                            printed.details[page] = f"{type(exc).__name__}: {exc}"

                await asyncio.gather(*(one(page) for page in pages))
            finally:
                await browser.close()
    except Exception as exc:  # noqa: BLE001 - a browser that would not start: the pages are still published
        printed.unavailable = f"Chromium did not start or stopped ({type(exc).__name__})"
        printed.details["browser"] = f"{type(exc).__name__}: {exc}"
        for page in pages:
            if pdf_path(page) not in printed.written:
                printed.failed.setdefault(page, "the PDF was not written: the browser stopped")
    printed.written.sort()
    return printed


def _only(page_uri: str):
    """A route handler that lets through the page's own file (``page_uri``, in the main
    frame) and ``data:`` addresses, and refuses every other request: no other local file
    (an iframe or object pointing at one), no network."""
    async def handler(route) -> None:
        request = route.request
        own = request.url == page_uri and request.is_navigation_request() and request.frame.parent_frame is None
        if request.url.startswith("data:") or own:
            await route.continue_()
        else:
            await route.abort()
    return handler


async def _print_one(context, page_path: Path) -> None:
    """Open one page, mark its wide tables, print it to a temporary PDF beside it and rename
    that into place."""
    page = await context.new_page()
    target = pdf_path(page_path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        await page.emulate_media(media="print")
        uri = page_path.resolve().as_uri()
        await page.route("**/*", _only(uri))
        await page.goto(uri, wait_until="load")
        await page.evaluate(_MARK_WIDE_TABLES, SLACK)
        top, side = (f"{m}mm" for m in MARGIN_MM)
        await page.pdf(path=temporary, format="A4", print_background=True, prefer_css_page_size=True,
                       margin={"top": top, "bottom": top, "left": side, "right": side})
        umask = os.umask(0)  # readable as the page beside it is (mkstemp makes a file only its owner can read)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
        await page.close()
