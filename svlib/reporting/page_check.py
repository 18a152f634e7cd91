"""The finish check: does a shared page show anything a reader should not have to decode?

A page is read back as a reader sees it (the visible text of an HTML page, after the
browser would hide nothing), and each leftover of the code that made it is a finding:

``raw structure``
    a printed dict or list (``{'mean': 609600.0, ...}``, ``['a', 'b']``);
``timestamp``
    a date as the computer stores it (``2024-10-01 00:00:00``, ``2024-10-01T09:00``) or an
    ISO date in running text (dates read "1 October 2024");
``python value``
    ``True``, ``False``, ``None``, ``nan``, ``NaT`` or ``<NA>`` shown as a value (a table
    cell), or a missing or infinite value in running text or a chart's words;
``long decimal``
    a figure with more places than a reader needs: money beyond pence (``£8,311.0345``), a
    percentage beyond 2 decimals (``33.3333%``), a number alone in a table cell beyond 4
    (``0.366667``; a discount factor to 4 places is how the Green Book prints it), or a
    float's full length anywhere (6 places or more: ``3488.582375``);
``code name``
    a table header or heading in ``snake_case`` (``public_contract_value_gbp``);
``print out``
    text a notebook printed (a stream output): pages show tables, charts and sentences
    written for the reader, never a cell's print;
``empty table``
    a table with a header and no rows (an empty section says why it is empty);
``empty header``
    a column without a header (a screen reader announces nothing for its cells);
``chart without words``
    an image without alternative text (or nbconvert's placeholder for none).

A page must also have a title and exactly one ``h1``.

This checks what svlib writes; it does not read meaning. It is run on every page of a
run by the tests (``tests/reporting/test_page_check.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

PLACEHOLDER_ALT = "No description has been provided for this image"
"""nbconvert's alternative text for an image that has none."""

RAW_STRUCTURE = re.compile(r"\{\s*['\"][^'\"]{1,60}['\"]\s*:\s|\[\s*'[^']*'\s*,\s*'")
TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b")
LONG_DECIMAL = re.compile(r"(?<![\w.])(?:£[\d,]*\.\d{3,}|\d[\d,]*\.\d{3,}%|\d[\d,]*\.\d{6,})")
NUMBER_CELL = re.compile(r"^-?£?-?[\d,]*\.(\d{5,})$")
CODE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
PYTHON_CELL = frozenset({"True", "False", "None", "nan", "NaN", "NaT", "<NA>", "inf", "-inf"})
PYTHON_IN_TEXT = re.compile(r"(?<![\w'’-])(?:NaN|NaT|<NA>|nan|-?inf)(?![\w'’-])")
"""A missing or infinite value printed into running text or a chart's words. ``True`` and
``False`` are looked for only as a whole table cell: in running text they are as likely to
be a partner's own words ("True, I was lonely")."""
STREAM_MIME = ("application/vnd.jupyter.stdout", "application/vnd.jupyter.stderr")


@dataclass(frozen=True)
class Leftover:
    """One thing on a page that is not finished for a reader."""

    page: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind}: {self.text!r}"


def _visible(soup: BeautifulSoup) -> BeautifulSoup:
    for hidden in soup(["script", "style", "head", "template", "noscript"]):
        hidden.decompose()
    return soup


def page_leftovers(html: str, page: str = "") -> list[Leftover]:
    """Every leftover on one page (module notes), in page order.

    Parameters
    ----------
    html : str
        The page as written.
    page : str
        How findings name the page (its path in the run, say).

    Returns
    -------
    list of Leftover
    """
    soup = BeautifulSoup(html, "html.parser")
    found: list[Leftover] = []

    def add(kind: str, text: str) -> None:
        found.append(Leftover(page, kind, " ".join(text.split())[:160]))

    title = soup.find("title")
    if title is None or not title.get_text(strip=True):
        add("no title", "")
    if len(soup.find_all("h1")) != 1:
        add("headings", f"{len(soup.find_all('h1'))} top-level headings (one expected)")
    for image in soup.find_all("img"):
        alt = str(image.get("alt") or "").strip()
        if not alt or alt == PLACEHOLDER_ALT:
            add("chart without words", alt or "(no alternative text)")
        for kind, pattern in (("python value", PYTHON_IN_TEXT), ("long decimal", LONG_DECIMAL)):
            if pattern.search(alt):  # what a screen reader says is a page's text too
                add(kind, alt)
    for output in soup.select("[data-mime-type]"):
        if output.get("data-mime-type") in STREAM_MIME:
            add("print out", output.get_text(" "))
    body = _visible(soup).body or soup
    for table in body.find_all("table"):
        rows = [tr for tr in table.find_all("tr") if tr.find("td")]
        if not rows:
            add("empty table", table.get_text(" "))
        for cell in table.find_all(["th", "td"]):
            text = cell.get_text(" ", strip=True)
            if cell.name == "th" and CODE_NAME.match(text):
                add("code name", text)
            if cell.name == "th" and not text:
                add("empty header", table.get_text(" ")[:80])
            if text in PYTHON_CELL:
                add("python value", text)
            if NUMBER_CELL.match(text):
                add("long decimal", text)
    for heading in body.find_all(["h1", "h2", "h3", "h4"]):
        text = heading.get_text(" ", strip=True).rstrip("¶").strip()
        if CODE_NAME.match(text):
            add("code name", text)
    text = body.get_text(" ")
    for kind, pattern in (("raw structure", RAW_STRUCTURE), ("timestamp", TIMESTAMP),
                          ("long decimal", LONG_DECIMAL), ("python value", PYTHON_IN_TEXT)):
        for match in pattern.finditer(text):
            add(kind, text[max(0, match.start() - 40):match.end() + 40])
    return found


def run_leftovers(folder: str | Path) -> list[Leftover]:
    """:func:`page_leftovers` of every page of a run (paths relative to ``folder``)."""
    root = Path(folder)
    return [leftover for page in sorted(root.rglob("*.html"))
            for leftover in page_leftovers(page.read_text(encoding="utf-8"), str(page.relative_to(root)))]
