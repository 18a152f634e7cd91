"""Each partner's results as a workbook, beside its report (``partners/<partner_id>.xlsx``),
for a partner or commissioner who wants the figures in a spreadsheet.

Sheets: "About" (the partner, its period, the price year, seed, draws, svlib version and
the SHA-256 of each input the run read), "Impact map" (the valued map: each outcome's
inputs and each step of its arithmetic), "By theme", "By stakeholder", "By year",
"Headline" (the ratio with its likely range, as the report states it) and "Conventions".

Every figure is the report's own: the sheets are read from the same
:class:`svlib.reporting.partner_report.PartnerReport` the report notebook displays
(:attr:`~svlib.reporting.partner_report.PartnerReport.arithmetic`, its valuation and
headline), so the present values add up to the report's headline. Values are numbers with
number formats, never formulas (:mod:`svlib.reporting.sheets`); partner text is made
spreadsheet-safe. The disclosure rules are the HTML report's: the report's tables are
already redacted (no names or contact details); for an outcome of fewer than 5 people the
quantity is "<5" and every figure of one person is "withheld"
(:meth:`~svlib.reporting.partner_report.PartnerReport.withhold`); case studies and
testimony are left out altogether.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, 2nd edition, stages 4-5.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from svlib import __version__
from svlib.analysis.evidence import redact
from svlib.core.files import write_atomic
from svlib.reporting.partner_report import PartnerReport
from svlib.reporting.sheets import (
    FACTOR,
    MONEY,
    MONEY_PENCE,
    RATIO,
    SHARE,
    new_workbook,
    workbook_bytes,
    write_facts,
    write_table,
)
from svlib.uncertainty.estimates import RULE_TEXT
from svlib.uncertainty.scenarios import from_dict

SHEETS = ("About", "Impact map", "By theme", "By stakeholder", "By year", "Headline", "Conventions")

HEADERS: dict[str, str] = {
    "item": "Item", "value": "Value", "outcome_id": "Outcome id", "stakeholder": "Stakeholder", "outcome": "Outcome",
    "theme": "County Durham Pound theme", "quantity": "Quantity (people or units)",
    "proxy_value": "Proxy value a year (£)", "deadweight": "Deadweight", "displacement": "Displacement",
    "attribution": "Attribution", "leakage": "Leakage",
    "impact_year1": "Year-1 value (£) = quantity × proxy × (1 − deadweight) × (1 − displacement) × "
                    "(1 − attribution) × (1 − leakage)",
    "drop_off": "Drop-off a year", "duration": "Years it lasts", "start_year": "First analysis year",
    "present_value_factor": "Present value factor (drop-off and discounting over its years)",
    "present_value": "Present value (£)", "share_of_value": "Share of the present value",
    "total_impact": "Value over its years, undiscounted (£)", "year": "Analysis year",
    "impact": "Value in the year, undiscounted (£)", "discount_factor": "Discount factor",
    "cumulative_present_value": "Running total of present value (£)",
}
"""Each column's header as a reader sees it."""

FORMATS: dict[str, str] = {
    "proxy_value": MONEY_PENCE, "deadweight": SHARE, "displacement": SHARE, "attribution": SHARE, "leakage": SHARE,
    "drop_off": SHARE, "impact_year1": MONEY_PENCE, "present_value_factor": FACTOR, "present_value": MONEY_PENCE,
    "total_impact": MONEY_PENCE, "share_of_value": SHARE, "impact": MONEY_PENCE, "discount_factor": FACTOR,
    "cumulative_present_value": MONEY_PENCE,
}
"""Each column's number format (the cell keeps every digit; the format only rounds what is shown)."""

MAP_COLUMNS = ("outcome_id", "stakeholder", "outcome", "theme", "quantity", "proxy_value", "deadweight",
               "displacement", "attribution", "leakage", "impact_year1", "drop_off", "duration", "start_year",
               "present_value_factor", "present_value", "share_of_value")
"""The impact map sheet's columns: each outcome's inputs, then its arithmetic, left to right."""

ONE_PERSON = ("quantity", "proxy_value", "deadweight", "displacement", "attribution", "leakage", "drop_off",
              "duration", "start_year", "present_value_factor")
"""The figures withheld for an outcome of fewer than 5 people (with its value, any of them
helps give the count away); its year-1 and present values stay, so the rows add up."""


def impact_map(report: PartnerReport) -> pd.DataFrame:
    """The valued impact map: :attr:`PartnerReport.arithmetic` with the figures of one
    person of a small outcome withheld."""
    return report.withhold(report.arithmetic[list(MAP_COLUMNS)], list(ONE_PERSON))


def headline(report: PartnerReport) -> list[tuple[str, Any]]:
    """The headline figures as (what, value) rows, and the report's own sentence."""
    h, v = report.headline, report.valuation
    return [
        ("In words (as the report states it)", report.headline_text()),
        ("SROI ratio (present value ÷ investment), at the central values", h["sroi_ratio"]),
        ("Likely range, low (5th percentile of the simulated ratios)", h["p5"]),
        ("Likely range, middle (50th percentile)", h["p50"]),
        ("Likely range, high (95th percentile)", h["p95"]),
        ("Chance the ratio is below 1:1", h["prob_ratio_below_1"]),
        ("Present value of the outcomes (£)", h["present_value"]),
        ("Of which negative outcomes, harms and costs (£)", h["negative_present_value"]),
        ("Of which fiscal, savings to the public purse (£)", h["fiscal_present_value"]),
        ("Investment (£)", h["investment"]),
        ("Investment, present value (£), the ratio's denominator", h["investment_pv"]),
        ("Net present value (£) = present value − investment", v.npv),
        ("Net SROI ratio = (present value − investment) ÷ investment", v.net_sroi_ratio),
        ("Payback (months) = investment ÷ (year-1 value ÷ 12)",
         v.payback_months if pd.notna(v.payback_months) and v.payback_months != float("inf") else "not reached"),
        ("Monte Carlo draws", report.draws),
        ("Monte Carlo standard error of the mean ratio", h["monte_carlo_se"]),
    ]


HEADLINE_FORMATS = {"SROI": RATIO, "Likely": RATIO, "Chance": SHARE, "Present": MONEY, "Of which": MONEY,
                    "Investment": MONEY, "Net present": MONEY, "Net SROI": RATIO, "Payback": "0.0",
                    "Monte Carlo standard": "0.0000"}
"""Each headline row's number format, by how its label starts."""


def conventions(report: PartnerReport) -> list[tuple[str, Any]]:
    """The conventions in words: the valuation's (:meth:`svlib.valuation.sroi.Conventions.describe`),
    the rule of evidence, and the disclosure rules this workbook follows."""
    described = report.conventions.describe()
    rows: list[tuple[str, Any]] = [(k.replace("_", " ").replace("dropoff", "drop-off").replace("drop off", "drop-off"),
                                    v if isinstance(v, (int, float, str)) or v is None else str(v))
                                   for k, v in described.items()]
    rows += [
        ("money", f"GBP in {report.conventions.price_year} prices; each proxy restated in that year with the "
                  f"{'ONS Consumer Prices Index' if report.conventions.price_index == 'cpi' else 'GDP deflator'}"),
        ("present value formula", "present value = year-1 value × present value factor; the factor adds up, for each "
                                  "year k the outcome lasts, (1 − drop-off)^(k − 1) × the discount factor of its "
                                  "analysis year (sheet By year)"),
        ("rule of evidence", RULE_TEXT),
        ("figures as values", "Every cell holds a value computed by svlib, not a formula; the number formats round "
                              "what is shown, the cell keeps every digit."),
        ("small numbers", "For an outcome of fewer than 5 people the quantity shows <5 and every figure of one "
                          "person is withheld; its values stay in every total, as in the report."),
        ("left out", "Case studies and testimony, and people's names and contact details, are not in this workbook."),
    ]
    if report.scenario:
        scenario = from_dict(dict(report.scenario))
        rows.append(("scenario", redact(f"{scenario.name}: {'; '.join(scenario.changes())}")))
    return rows


def about(report: PartnerReport, input_hashes: Mapping[str, str] | None = None,
          run: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """Who and what the workbook is about, and what it was made from: ``input_hashes``
    (path: SHA-256) as the run records them, else the report's own provenance."""
    p = report.partner
    hashes = dict(input_hashes) if input_hashes is not None else {
        k: v["sha256"] for k, v in report.provenance()["inputs"].items()}
    rows: list[tuple[str, Any]] = [
        ("What", "One partner's social value: the valued impact map, each row's arithmetic, and the results by "
                 "theme, stakeholder and year, as its report shows them"),
        ("Partner", str(p["name"])), ("Partner id", str(p["partner_id"])), ("Kind", str(p.get("purpose") or "")),
        ("Period", f"{pd.Timestamp(p['period_start']):%d %B %Y} to {pd.Timestamp(p['period_end']):%d %B %Y}"),
        ("Price year", int(report.conventions.price_year)), ("Seed", report.seed), ("Monte Carlo draws", report.draws),
        ("svlib version", __version__),
        *((str(k), v) for k, v in (run or {}).items()),
    ]
    if report.raw_source:
        rows.append((f"raw workbook {redact(str(report.raw_source.get('file')))}",
                     f"sha256 {report.raw_source.get('sha256')}"))
    rows += [(f"input {redact(Path(k).name)}", f"sha256 {v}") for k, v in hashes.items()]
    return rows


def partner_workbook(report: PartnerReport, input_hashes: Mapping[str, str] | None = None,
                     run: Mapping[str, Any] | None = None) -> bytes:
    """The workbook's bytes, one sheet for each of :data:`SHEETS`.

    Parameters
    ----------
    report : PartnerReport
        As :func:`svlib.reporting.partner_report.prepare` returns it (the notebook's).
    input_hashes : mapping of str to str, optional
        Each input's SHA-256, as the run records it (default: the report's provenance).
    run : mapping, optional
        More "About" rows, such as the run id.
    """
    book, ws = new_workbook("About")
    write_facts(ws, about(report, input_hashes, run), HEADERS)
    v = report.valuation
    write_table(book.create_sheet("Impact map"), impact_map(report), FORMATS, HEADERS)
    write_table(book.create_sheet("By theme"), v.by_theme, FORMATS, HEADERS)
    write_table(book.create_sheet("By stakeholder"),
                v.by_stakeholder.sort_values("present_value", ascending=False), FORMATS, HEADERS)
    write_table(book.create_sheet("By year"), v.by_year, FORMATS, HEADERS)
    ws = book.create_sheet("Headline")
    write_facts(ws, headline(report), HEADERS)
    ws.column_dimensions["A"].width = 60
    for label, cell in ws.iter_rows(min_row=2, max_col=2):
        found = next((f for start, f in HEADLINE_FORMATS.items() if str(label.value).startswith(start)), None)
        if found and not isinstance(cell.value, str):
            cell.number_format = found
    write_facts(book.create_sheet("Conventions"), conventions(report), HEADERS)
    return workbook_bytes(book)


def write_partner_workbook(path: str | Path, report: PartnerReport, input_hashes: Mapping[str, str] | None = None,
                           run: Mapping[str, Any] | None = None) -> Path:
    """Write :func:`partner_workbook` to ``path`` atomically (nothing half-written)."""
    return write_atomic(path, partner_workbook(report, input_hashes, run))
