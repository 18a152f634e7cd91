"""The forum workbook: every view of the forum summary as a sheet, for a researcher who
builds slides or a briefing from it (``outputs/<collection>/forum.xlsx``).

One sheet per view (:mod:`svlib.analysis.forum`), plus every partner's headline and range,
its present value by theme and by year, and an "About" sheet with the run's conventions,
seed, draws, version and the SHA-256 of every table the figures come from. Values are
written as numbers with number formats (pounds, ratios, shares), never as formulas a
reader could break; every text cell goes through
:func:`svlib.core.files.spreadsheet_safe`, so partner text that looks like a formula is
shown, never run (:mod:`svlib.reporting.sheets`, the writing every svlib workbook
shares). The same suppression as the HTML pages applies: the views are the same tables (counts of people from 1 to 4 already "<5"; no quantities, names or testimony).
Written to a temporary file and moved into place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from svlib import __version__
from svlib.analysis import forum
from svlib.analysis.deflator_study import deflator_sources
from svlib.core.files import write_atomic
from svlib.core.provenance import input_fingerprints
from svlib.reporting.sheets import MONEY, RATIO, SHARE, new_workbook, workbook_bytes, write_facts, write_table

FORMATS: dict[str, str] = {
    "investment": MONEY, "investment_pv": MONEY, "present_value": MONEY, "pv_p5": MONEY, "pv_p50": MONEY,
    "pv_p95": MONEY, "sroi_ratio": RATIO, "prob_ratio_below_1": SHARE, "share": SHARE,
}
"""Each column's number format; ``p5, p50, p95`` are ratios on the partner and totals
sheets and pounds on the theme sheet (:func:`_formats`)."""

HEADERS: dict[str, str] = {
    "group": "Kind (evaluative: achieved; forecast: planned)", "partners": "Partners", "name": "Partner",
    "purpose": "Kind", "investment": "Investment (£)", "investment_pv": "Investment, present value (£)",
    "present_value": "Present value (£)", "sroi_ratio": "SROI ratio (£ per £1)", "pv_p5": "Present value, p5 (£)",
    "pv_p50": "Present value, p50 (£)", "pv_p95": "Present value, p95 (£)", "p5": "p5", "p50": "p50", "p95": "p95",
    "prob_ratio_below_1": "Chance below 1:1", "theme": "Theme", "indicator": "Indicator", "outcomes": "Outcomes",
    "in_toms": "Counted by a National TOMs measure", "share": "Share", "on_the_list": "On the County Durham Pound list",
    "evidence": "Evidence beyond the partners' figures", "respondents": "People who answered the deflator survey",
    "people_with_readings": "People with distance-travelled readings",
    "case_studies": "Case studies cleared for sharing", "year": "Analysis year", "factor": "Deflator",
    "answers": "Survey answers behind the survey figures", "item": "Item", "value": "Value",
}
"""Each column's header as a reader sees it (a column not listed keeps its name)."""


def _formats(sheet: str, columns: Iterable[str]) -> dict[str, str]:
    found = {c: FORMATS[c] for c in columns if c in FORMATS}
    spread = MONEY if sheet == "By theme" else RATIO
    found.update({c: spread for c in ("p5", "p50", "p95") if c in columns})
    if sheet in ("Partner value by theme",):
        found.update({c: MONEY for c in columns if c not in ("name", "purpose")})
    return found


def views(results: list[forum.PartnerResult], tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each sheet's table, by sheet name, in order."""
    return {
        "Totals": forum.totals(results),
        "Partners": forum.partner_table(results).drop(columns="partner_id"),
        "By theme": forum.by_theme(results),
        "By indicator": forum.by_indicator(results),
        "Outside the TOMs": forum.outside_toms(results),
        "What VCSE could add": forum.stretch(results, tables),
        "Evidence": forum.evidence_gaps(results, tables),
        "How deflators were estimated": deflator_sources(results),
        "Partner value by theme": forum.value_by_partner_and_theme(results),
        "Partner value by year": forum.value_by_partner_and_year(results),
    }


def forum_workbook(results: list[forum.PartnerResult], tables: Mapping[str, pd.DataFrame], about: Mapping[str, Any],
                   inputs: Iterable[str | Path] = ()) -> bytes:
    """The workbook's bytes: an "About" sheet (``about`` key-value pairs, the conventions,
    the comparability warning and each input's SHA-256), then :func:`views`."""
    book, ws = new_workbook("About")
    facts = [("What", "The forum's findings: every partner's social value added up, with its uncertainty"),
             *about.items(),
             ("svlib version", __version__),
             ("Comparing partners", forum.COMPARABILITY_WARNING),
             ("Small numbers", "Counts of people from 1 to 4 are shown as <5, as on every shared page."),
             ("Totals", "Totals across partners are summed draw by draw; percentiles are never added.")]
    for name, fingerprint in input_fingerprints(inputs).items():
        facts.append((f"input {Path(name).name}", f"sha256 {fingerprint.get('sha256', '')}"))
    write_facts(ws, facts, HEADERS)
    for name, frame in views(results, tables).items():
        write_table(book.create_sheet(name), frame, _formats(name, frame.columns), HEADERS)
    return workbook_bytes(book)


def write_forum_workbook(path: str | Path, results: list[forum.PartnerResult], tables: Mapping[str, pd.DataFrame],
                         about: Mapping[str, Any], inputs: Iterable[str | Path] = ()) -> Path:
    """Write :func:`forum_workbook` to ``path`` atomically (nothing half-written)."""
    return write_atomic(path, forum_workbook(results, tables, about, inputs))
