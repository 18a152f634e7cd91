"""The forum's index page: one table linking every report, with headline figures and
failures. The page comes from a Jinja2 template with autoescaping
(``svlib/templates/site/index.html.j2``), so every piece of partner text is escaped; the
page has no scripts."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

import jinja2

from svlib import paths
from svlib.contract.cells import HIDDEN_CONTROLS
from svlib.core.problems import WITHHELD
from svlib.reporting.report_display import percent
from svlib.reporting.report_text import ratio

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef4fa}.failed{color:#a00000}
.scenario{border:3px solid #b06000;background:#fff4e5;padding:.6em 1em;margin:1em 0}.note{color:#555;font-size:.9em}ul.problems{margin:.2em 0;padding-left:1.2em;font-size:.85em}
"""

REPORT_FOLDERS = ("forum", "partners", "comparisons", "research", "themes")
"""The sub-folders of a run's output folder, each holding pages (.html) and notebooks (.ipynb)."""

PROBLEMS_SHOWN = 50
"""Problems listed for one failed partner; the rest are counted."""


def _shown(value: Any) -> Any:
    """What the template prints for a value: text without hidden control characters
    (:data:`svlib.contract.cells.HIDDEN_CONTROLS`); Jinja2 then escapes it."""
    if hasattr(value, "__html__"):  # markup made by the template itself
        return value
    return HIDDEN_CONTROLS.sub("", "" if value is None else str(value))


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.PACKAGE_DIR / "templates" / "site"),
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=_shown, keep_trailing_newline=True)
    return environment.get_template("index.html.j2")


_PAGE = re.compile(rf"(?:{'|'.join(REPORT_FOLDERS)})/[a-z0-9][a-z0-9-]*\.html")
"""A link the index may carry: a page of the run's own folders (``partners/food-network.html``),
so no other address (``javascript:``, another site, a parent folder) can become a link."""

_PDF = re.compile(_PAGE.pattern.removesuffix("html") + "pdf")
"""A page's PDF, in the same folders (``partners/food-network.pdf``)."""


_WORKBOOK = re.compile(r"partners/[a-z0-9][a-z0-9-]*\.xlsx")
"""A partner workbook's link (``partners/food-network.xlsx``), beside its report."""


def _figure(value: Any, show: Callable[[float], str]) -> str:
    """A headline figure as text; "n/a" when the report published none."""
    return "n/a" if value is None else show(value)


def _row(record: dict[str, Any], scenario: dict[str, Any] | None = None) -> dict[str, Any]:
    """One notebook's record as the template shows it (for a scenario run, with the
    official run's figures for the partner, ``base``)."""
    ok = record["status"] == "ok"
    problems = list(record.get("problems") or [])
    href, pdf = str(record.get("html") or ""), str(record.get("pdf") or "")
    row = {"ok": ok, "href": href if _PAGE.fullmatch(href) else "", "pdf": pdf if _PDF.fullmatch(pdf) else "",
           "pdf_error": record.get("pdf_error") or "",
           "title": record.get("title") or record.get("key"), "kind": record["kind"],
           "error": record.get("error") or "no reason was recorded", "problems": problems[:PROBLEMS_SHOWN],
           "more": max(0, len(problems) - PROBLEMS_SHOWN)}
    if ok and record["kind"] == "partner":
        base = (scenario or {}).get("base", {}).get(str(record["key"]).removeprefix("partner/"))
        if scenario is not None:  # what the official run published for the partner, beside the scenario's
            row["base"] = (f"{_figure(base.get('sroi_ratio'), ratio)} (likely {_figure(base.get('p5'), ratio)} to "
                           f"{_figure(base.get('p95'), ratio)})") if isinstance(base, dict) else "not in the official run"
        workbook = str(record.get("workbook") or "")
        row.update(workbook=workbook if _WORKBOOK.fullmatch(workbook) else "",
                   ratio=_figure(record.get("sroi_ratio"), ratio), p5=_figure(record.get("p5"), ratio),
                   p95=_figure(record.get("p95"), ratio),
                   below_one=_figure(record.get("prob_ratio_below_1"), lambda v: percent(v, 1)))
    return row


def render_index(run: dict[str, Any]) -> str:
    """The index page for a run (``run.json`` content)."""
    records = run["notebooks"]
    partners = sorted((r for r in records if r["kind"] == "partner"),
                      key=lambda r: str(r.get("title") or r["key"]).lower())
    scenario = run.get("scenario") if isinstance(run.get("scenario"), dict) else None
    return _template().render(
        collection=run["collection"], run_id=run.get("run_id", ""), style=STYLE, scenario=scenario,
        partners=[_row(r, scenario) for r in partners], forum=[_row(r) for r in records if r["kind"] == "forum"],
        others=[_row(r) for r in records if r["kind"] not in ("partner", "forum")],
        workbook=run.get("workbook"), pdf_unavailable=run.get("pdf_unavailable") or "",
        ready=sum(r["status"] == "ok" for r in partners), failed=sum(r["status"] != "ok" for r in records),
        seed=run["seed"], draws=f"{int(run['draws']):,}", version=run["svlib_version"],
        any_problems=any(r.get("problems") for r in partners), withheld=WITHHELD)
