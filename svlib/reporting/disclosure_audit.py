"""The disclosure check: could a reader of a run's shared files work out a count below 5?

A run's shared files (HTML pages, executed notebooks, ``run.json``, any ``.xlsx``) are read
back as a reader would, record by record: every row of every table, every paragraph or
line of text, every JSON object, every spreadsheet row. A record *names* an outcome of
fewer than 5 people (:func:`svlib.analysis.disclosure.is_small_outcome`) when it carries
the outcome's id and is about its partner (the partner's own page, or the record names the
partner). Such a record may show the outcome's value (it is public anyway, by subtraction
from the headline) but nothing from which, with that value, the count follows:

``count``
    the quantity itself, under a heading that counts (quantity, people, now...), or as a
    bare number on a line of plain text;
``proxy``
    the value of one person: the proxy as written, as published or as used (to the pound),
    or its library id (which gives the value);
``deflator``
    a deadweight, displacement, attribution, leakage or drop-off of the outcome, as used or
    as written (a non-zero one, to the places shown);
``evidence``
    the partner's own evidence text for the outcome (it often states the count).

And in any table of counts with a total row, a column with exactly one hidden count
(``"<5"``) and a shown total gives that count by subtraction (``subtraction``).

A person's name (``name``): no record of any shared file may show a name a partner listed
in its Names sheet or a name found in a partner's shareable free text
(:func:`svlib.analysis.evidence.name_rules`), outside a phrase a partner keeps.

This is a check of what svlib writes, not a proof of safety against every inference: it
looks for the figures that, with the outcome's value, give its count.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from svlib import paths
from svlib.analysis.comparison import paired_small_outcomes
from svlib.analysis.evidence import NameRules, redact
from svlib.contract.tables import SURVEY_FACTORS
from svlib.reference.proxies import ProxyLibrary, load_library
from svlib.uncertainty.estimates import estimates
from svlib.validate.impact_map import first_calendar_year, resolve_proxies
from svlib.valuation.sroi import Conventions

SHARED_SUFFIXES = (".html", ".ipynb", ".json", ".xlsx")
"""The files of a run a reader may be given."""

COUNT_HEADING = re.compile(r"quantit|people|count|number|now|beneficiar|participant", re.IGNORECASE)
"""A table heading under which a cell is a count of people."""

HIDDEN = {"<5", "[c]"}

NAME_ROUTE = "name"
"""The route of a finding that a person's name is shown."""

_NUMBER = re.compile(r"(?<![\w.])£?\s?(-?\d[\d,]*(?:\.\d+)?)(\s?%)?")


@dataclass(frozen=True)
class SmallOutcome:
    """What must not be shown beside one outcome of fewer than 5 people."""

    partner_id: str
    partner_name: str
    outcome_id: str
    quantity: float
    proxy_id: str
    proxy_values: tuple[float, ...]
    """One person's value: the proxy as written, as published in the library, as used (GBP)."""
    deflators: tuple[float, ...]
    """Non-zero deflators and drop-off, as written and as used (fractions)."""
    evidence: str


@dataclass(frozen=True)
class Finding:
    """A place in a shared file from which a small count could be worked out."""

    file: str
    where: str
    partner_id: str
    outcome_id: str
    route: str
    shown: str

    def __str__(self) -> str:
        if self.route == NAME_ROUTE:
            return f"{self.file}, {self.where}: a person's name is shown ({self.shown!r})"
        if not self.outcome_id:
            return f"{self.file}, {self.where}: one hidden count can be worked out from the total ({self.shown!r})"
        return (f"{self.file}, {self.where}: outcome {self.outcome_id} of {self.partner_id} counts fewer than 5 "
                f"people, and its {self.route} is shown ({self.shown!r})")


def small_outcome_facts(tables: Mapping[str, pd.DataFrame], library: ProxyLibrary | None = None
                        ) -> list[SmallOutcome]:
    """Every outcome of fewer than 5 people in the processed tables, with the figures of
    one person that a shared file must not show beside it.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (Partner, ImpactMap, DeflatorSurvey).
    library : ProxyLibrary, optional
        The proxy library (default the shipped one).
    """
    impact = tables["ImpactMap"]
    small = paired_small_outcomes(tables)  # a forecast/evaluation pair shares its small outcomes
    if not small:
        return []
    library = library or load_library()
    partners = tables["Partner"].set_index("partner_id")
    facts = []
    for pid in sorted({p for p, _ in small}):
        rows = impact[impact["partner_id"].astype(str) == pid].drop(columns="partner_id").reset_index(drop=True)
        year = int(partners.loc[pid, "price_year"])
        resolved, _ = resolve_proxies(rows, library, year, Conventions(price_year=year).price_index,
                                      first_year=first_calendar_year(partners.loc[pid, "period_start"]))
        survey = tables["DeflatorSurvey"]
        survey = survey[survey["partner_id"].astype(str) == pid].drop(columns="partner_id")
        try:
            table = estimates(resolved, survey if len(survey) else None).table
            central = dict(zip(zip(table["outcome_id"].astype(str), table["parameter"]), table["central"]))
        except ValueError:  # a map its report will refuse (its own failure): check the written figures alone
            central = {}
        for row in resolved.to_dict("records"):
            oid = str(row["outcome_id"])
            if (pid, oid) not in small:
                continue
            proxy_id = row.get("proxy_id") if isinstance(row.get("proxy_id"), str) else ""
            values = [row.get("proxy_value"), row.get("proxy_value_as_published"), central.get((oid, "proxy_value"))]
            deflators = [row.get(f) for f in SURVEY_FACTORS] + [central.get((oid, f)) for f in SURVEY_FACTORS]
            evidence = row.get("evidence") if isinstance(row.get("evidence"), str) else ""
            facts.append(SmallOutcome(
                partner_id=pid, partner_name=str(partners.loc[pid, "name"]), outcome_id=oid,
                quantity=float(row["quantity"]), proxy_id=proxy_id.strip(),
                proxy_values=tuple(sorted({round(abs(float(v)), 4) for v in values if _finite(v) and abs(float(v)) >= 10})),
                deflators=tuple(sorted({round(float(d), 10) for d in deflators if _finite(d) and float(d) > 0})),
                evidence=redact(evidence.strip()),
            ))
    return facts


def _finite(value: Any) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


# --- reading shared files back as records -----------------------------------------------

Record = tuple[str, list[tuple[str, str]]]
"""Where in the file, and the record's cells as (heading, text)."""


def _html_records(text: str, where: str = "") -> Iterator[Record]:
    from bs4 import BeautifulSoup  # local: only the check parses pages

    soup = BeautifulSoup(text, "html.parser")
    for t, table in enumerate(soup.find_all("table"), 1):
        headings: list[str] = []
        for r, tr in enumerate(table.find_all("tr"), 1):
            cells = [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
            if not tr.find("td"):  # a heading row: the first gives the headings
                headings = headings or cells
                continue
            yield f"{where}table {t}, row {r}", list(zip(headings + [""] * (len(cells) - len(headings)), cells))
        table.decompose()
    for b, block in enumerate(soup.find_all(["p", "li", "pre", "h1", "h2", "h3", "h4", "figcaption"]), 1):
        yield f"{where}text block {b}", [("", block.get_text(" ", strip=True))]
    for i, image in enumerate(soup.find_all("img"), 1):
        if image.get("alt"):
            yield f"{where}image {i} description", [("", str(image["alt"]))]


def _text_records(text: str, where: str) -> Iterator[Record]:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield f"{where}line {n}", [("", line)]


def _json_records(value: Any, where: str = "") -> Iterator[Record]:
    if isinstance(value, dict):
        scalars = [(str(k), "" if v is None else str(v)) for k, v in value.items() if not isinstance(v, (dict, list))]
        if scalars:
            yield where or "top level", scalars
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                yield from _json_records(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                yield from _json_records(v, f"{where}[{i}]")
            else:
                yield f"{where}[{i}]", [("", str(v))]


def _notebook_records(notebook: Mapping[str, Any]) -> Iterator[Record]:
    for c, cell in enumerate(notebook.get("cells", []), 1):
        for o, output in enumerate(cell.get("outputs", []), 1):
            where = f"cell {c}, output {o}, "
            data = output.get("data", {})
            if "text/html" in data:
                yield from _html_records(_joined(data["text/html"]), where)
            for kind in ("text/plain", "text/markdown"):
                if kind in data:
                    yield from _text_records(_joined(data[kind]), where)
            if "text" in output:
                yield from _text_records(_joined(output["text"]), where)
            if output.get("metadata"):
                yield from _json_records(output["metadata"], f"{where}metadata")
        if cell.get("cell_type") == "markdown":
            yield from _text_records(_joined(cell.get("source", "")), f"cell {c}, ")


def _joined(text: str | list[str]) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def _xlsx_records(path: Path) -> Iterator[Record]:
    from openpyxl import load_workbook  # local: only the check opens workbooks

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            headings: list[str] = []
            for r, row in enumerate(sheet.iter_rows(values_only=True), 1):
                cells = ["" if v is None else str(v) for v in row]
                if r == 1:
                    headings = cells
                    continue
                yield f"sheet {sheet.title}, row {r}", list(zip(headings + [""] * (len(cells) - len(headings)), cells))
    finally:
        book.close()


def records(path: str | Path) -> Iterator[Record]:
    """Every record of one shared file (see the module notes)."""
    path = Path(path)
    if path.suffix == ".html":
        yield from _html_records(path.read_text(encoding="utf-8"))
    elif path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        yield from _notebook_records(notebook)
        yield from _json_records(notebook.get("metadata", {}), "notebook metadata")
    elif path.suffix == ".json":
        yield from _json_records(json.loads(path.read_text(encoding="utf-8")))
    elif path.suffix == ".xlsx":
        yield from _xlsx_records(path)


# --- the check --------------------------------------------------------------------------

def _numbers(text: str) -> Iterator[tuple[float, int, bool]]:
    """Each number in ``text``: its value, its decimal places and whether it is a percentage."""
    for found in _NUMBER.finditer(text):
        digits = found.group(1).replace(",", "")
        places = len(digits.split(".", 1)[1]) if "." in digits else 0
        yield float(digits), places, bool(found.group(2))


def _token(text: str, token: str) -> bool:
    return bool(token) and re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def _names(cells: list[tuple[str, str]], fact: SmallOutcome, own_page: bool) -> bool:
    texts = [text for _, text in cells]
    if any(_token(t, f"{fact.partner_id}:{fact.outcome_id}") for t in texts):
        return True
    if not any(_token(t, fact.outcome_id) for t in texts):
        return False
    return own_page or any(_token(t, fact.partner_id) or (fact.partner_name and fact.partner_name in t) for t in texts)


def _routes(cells: list[tuple[str, str]], fact: SmallOutcome) -> Iterator[tuple[str, str]]:
    plain = all(not heading for heading, _ in cells)
    q = int(fact.quantity) if float(fact.quantity).is_integer() else None
    for heading, text in cells:
        if not text or text in HIDDEN:
            continue
        for value, places, is_percent in _numbers(text):
            if q is not None and not is_percent and value == q and places == 0 and (
                    COUNT_HEADING.search(heading) or plain):
                yield "count", text
            if not is_percent and any(abs(abs(value) - v) <= 0.5 for v in fact.proxy_values):  # a harm's too
                yield "value of one person (its proxy)", text
            if is_percent and value and any(abs(value - 100 * d) <= 0.5 * 10 ** -places + 1e-9 for d in fact.deflators):
                yield "deflator", text
        if fact.proxy_id and _token(text, fact.proxy_id):
            yield "proxy id (which gives the value of one person)", text
        if len(fact.evidence) >= 12 and fact.evidence in text:
            yield "evidence text (which may state the count)", text


def _subtraction(found: list[Record]) -> Iterator[tuple[str, str]]:
    """Where a table of counts (its rows among ``found``: records ``"…, row n"`` of one
    table or sheet) has a total row and exactly one "<5" in a column: ``(where, total)``."""
    tables: dict[str, list[list[str]]] = {}
    for where, cells in found:
        if ", row " in where:
            tables.setdefault(where.rsplit(", row ", 1)[0], []).append([text for _, text in cells])
    for name, rows in tables.items():
        totals = [r for r in rows if r and re.match(r"(total|all)\b", r[0], re.IGNORECASE)]
        body = [r for r in rows if r and r not in totals]
        for total in totals:
            for j, cell in enumerate(total):
                column = [r[j] for r in body if j < len(r)]
                if column.count("<5") == 1 and re.fullmatch(r"[\d,]+", cell) and all(
                        re.fullmatch(r"[\d,]+", c) or c == "<5" for c in column):
                    yield f"{name}, column {j + 1}", cell


def audit_file(path: str | Path, facts: Iterable[SmallOutcome], label: str | None = None,
               names: NameRules | None = None) -> list[Finding]:
    """Every place in one shared file from which a small count could be worked out, or
    that shows a person's name of ``names`` (the collection's, from
    :func:`svlib.analysis.evidence.collection_name_rules`).

    ``label`` names the file in the findings (default its name).
    """
    path = Path(path)
    facts = list(facts)
    name = label or path.name
    own = {f.partner_id for f in facts if path.stem == f.partner_id}
    read = list(records(path))
    found: list[Finding] = []
    for where, cells in read:
        if names is not None:
            found += [Finding(name, where, "", "", NAME_ROUTE, text) for _, text in cells if names.names_in(text)]
        for fact in facts:
            if _names(cells, fact, fact.partner_id in own):
                found += [Finding(name, where, fact.partner_id, fact.outcome_id, route, shown)
                          for route, shown in _routes(cells, fact)]
    found += [Finding(name, where, "", "", "count, by subtraction from the total", total)
              for where, total in _subtraction(read)]
    return found


def shared_files(folder: str | Path) -> list[Path]:
    """The files of a run folder a reader may be given (:data:`SHARED_SUFFIXES`)."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix in SHARED_SUFFIXES)


def audit_folder(folder: str | Path, facts: Iterable[SmallOutcome], names: NameRules | None = None) -> list[Finding]:
    """:func:`audit_file` over every shared file of a run folder; findings name each file
    by its path inside the folder."""
    folder, facts = Path(folder), list(facts)
    return [f for path in shared_files(folder)
            for f in audit_file(path, facts, path.relative_to(folder).as_posix(), names)]


_CAPITALISED = re.compile(r"\b[^\W\d_][^\W\d_]+\b")


@cache
def svlib_words() -> frozenset[str]:
    """The capitalised words svlib itself may write on a page: in the string literals of its
    code (not docstrings), its reference tables and templates, and its notebooks ("Monte
    Carlo", "Having a Job", "Green Book"). A single word found as a name in partner text is
    removed from that text all the same; the check only does not refuse a page for showing
    one of these words (:attr:`svlib.analysis.evidence.NameRules.ordinary`). The example
    partners' generator (``svlib/tools``) is partner data, not svlib's words."""
    texts: list[str] = []
    for source in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        if "tools" in source.relative_to(paths.PACKAGE_DIR).parts:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        texts += [node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]
    data = [*paths.PACKAGE_DATA_DIR.glob("*.csv"), *paths.PACKAGE_DATA_DIR.glob("*.md"),
            *(paths.PACKAGE_DIR / "templates").rglob("*"), *paths.NOTEBOOKS_DIR.glob("*.ipynb")]
    texts += [p.read_text(encoding="utf-8") for p in data if p.is_file() and p.name != "person_names.csv"]
    return frozenset(w for t in texts for w in _CAPITALISED.findall(t) if w[0].isupper())
