"""Every default, convention and shipped figure, with its source, in one readable list.

``svlib assumptions`` prints it; ``docs/assumptions.md`` is this output, kept in step by a
test. Reports say which of these they used.
"""

from __future__ import annotations

import pandas as pd

from svlib import paths
from svlib.analysis.proxy_research import library_counts, library_summary
from svlib.reference.discounting import GREEN_BOOK_OPTIONS, GREEN_BOOK_SCHEDULES, green_book_bands
from svlib.reference.proxies import CARBON_SERIES, DATASETS, OLD_AFTER_YEARS, load_gaps, load_library, load_price_index
from svlib.uncertainty.estimates import RULE_TEXT
from svlib.valuation.sroi import Conventions

DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("Discount rate", "3.5% a year, constant", "HM Treasury Green Book social time preference rate, years 0-30"),
    ("Discounting from", "year 1 discounted once (option: year 1 undiscounted)", "Cabinet Office (2012) SROI guide, stage 5"),
    ("Declining schedule (option)", "3.5% years 0-30, 3.0% 31-75, 2.5% 76-125, 2.0% 126-200, 1.5% 201-300, 1.0% after",
     "HM Treasury Green Book (2003; retained 2018-2022), Annex 6 Table 6.1"),
    ("Drop-off", "applies from year 2 (option: from year 1)", "Cabinet Office (2012) SROI guide, stage 4"),
    ("Year-1 impact", "quantity × proxy × (1 − deadweight)(1 − displacement)(1 − attribution)(1 − leakage)",
     "Cabinet Office (2012) SROI guide, stage 4; English Partnerships (2008) Additionality Guide"),
    ("Payback", "investment / (year-1 total impact / 12) months", "Cabinet Office (2012) SROI guide, stage 5"),
    ("Start year", "1 when blank", "svlib convention"),
    ("Leakage", "0 when blank or absent", "svlib convention; a blank deadweight, displacement, attribution or drop-off is an error, never 0"),
    ("Fractions", "0.25 or 25%; a bare number above 1 is refused, never divided by 100", "svlib convention"),
    ("Price index", "ONS CPI D7BT annual average (option: GDP deflator YBGB)", "ONS"),
    ("Price year", "the analysis price year given; else the latest year of the index", "svlib convention"),
    ("Proxy price year", "library proxies rebased from their source's price year; a blank one must be supplied (proxy_year); "
     "a proxy_value without proxy_year is taken as already in the analysis price year and flagged", "svlib convention"),
    ("Shipped proxies", "only rows checked in the source text (verified = yes), built from the cited reference files "
     "by svlib.tools.reference_data; HACT and National TOMs values are never shipped",
     "licence terms of HACT (CC BY-NC-ND, no bundling) and Social Value Portal"),
    ("Old values", f"a value rebased across more than {OLD_AFTER_YEARS} years is flagged old wherever it is shown",
     "svlib convention"),
    ("Fiscal values", "a fiscal value is a saving to the public purse, shown and totalled apart from economic and "
     "social value; a value its source marks as a transfer payment is warned against",
     "GMCA Unit Cost Database v1.4; HM Treasury Green Book (transfers)"),
    ("Carbon", f"an outcome valued with {CARBON_SERIES} takes the central DESNZ carbon value of each calendar year "
     "its outcome years fall in (the year holding the middle of each), the low and high series as its range",
     "DESNZ (2023) Valuation of greenhouse gas emissions for appraisal, Table 3"),
    ("Deflator survey answers", "five anchored answers map to 0%, 25%, 50%, 75%, 100%; fewer than 5 answers for an "
     "outcome's deflator are shown as indicative and not used",
     "svlib question bank (svlib/data/deflator_questions.csv)"),
    ("Deflator uncertainty from a survey", "a beta distribution for the estimate of the mean (its standard error), "
     "not the spread of single answers", "svlib.uncertainty.deflators"),
    ("Ranges without a shape", "PERT (lambda 4) between <p>_low and <p>_high around the central value",
     "Vose (2008) Risk Analysis"),
    ("Monte Carlo streams", "one random stream per (seed, outcome_id, parameter)", "svlib.uncertainty.montecarlo"),
    ("Monte Carlo draws", "each distribution sampled as 4,096 equally likely values (its inverse at the cell "
     "midpoints); the mean is kept, the variance to within about 1e-4", "svlib.uncertainty.distributions"),
    ("Sobol indices in reports", "exact closed form for a sum of products of independent factors, from the "
     "simulated values' means and variances (SALib's estimates available as a cross-check)",
     "Sobol' (1993); svlib.uncertainty.sensitivity"),
    ("Central value of each figure", RULE_TEXT, "svlib.uncertainty.estimates; Cabinet Office (2012) SROI guide, "
     "stages 4-5"),
    ("Headline ratio", "the map at the central values; the range is p5 to p95 of the simulation, which draws each "
     "uncertain figure around the same central value", "svlib.uncertainty.estimates"),
    ("Tornado", "each figure the simulation varies, one at a time, from its 5th to its 95th percentile; the others "
     "at their central values", "Cabinet Office (2012) SROI guide, stage 5; svlib.uncertainty.sensitivity"),
    ("Small numbers", "counts of people from 1 to 4 shown as \"<5\"; a second cell hidden ([c]) where a total would "
     "reveal it; impact-map quantities are shown as claimed so the ratio can be recomputed",
     "ONS / GSS statistical disclosure control practice"),
    ("Case studies shared", "only with consent = yes and anonymised = yes; emails, phone numbers, postcodes and named "
     "people removed", "UK GDPR; svlib convention"),
    ("Distance travelled", "first to latest reading per person and area; Wilcoxon signed-rank with zero differences "
     "left out (zero_method wilcox); a star whose scores never exceed 5 is on a 1-5 scale",
     "Wilcoxon (1945); Triangle Consulting Outcomes Star"),
    ("Readiness score", "100 × the weighted average of six components (equal weights by default, shown in the report)",
     "svlib.analysis.scoping"),
)


def _table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = [
        "| " + " | ".join(str(v).replace("|", "/").replace("\n", " ") if pd.notna(v) else "" for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def assumptions_markdown() -> str:
    """The full list as Markdown."""
    defaults = Conventions()
    parts = [
        "# svlib assumptions",
        "",
        "Generated by `svlib assumptions` from the package itself; do not edit by hand.",
        "",
        "## Conventions and defaults",
        "",
        _table(pd.DataFrame(DEFAULTS, columns=["what", "default", "source"])),
        "",
        f"Default conventions object: `{defaults}`.",
        "",
        "## Green Book discount schedules",
        "",
        "`--green-book standard` (the default schedule), `health` (health and life values) and `reduced` "
        "(pure time preference set to 0), HM Treasury Green Book Annex A6; each rate applies to the years of "
        "its band, compounded year by year.",
        "",
        _table(pd.DataFrame(
            [(option, a, "" if b == float("inf") else int(b), f"{r:.2%}")
             for option, name in GREEN_BOOK_OPTIONS.items() for a, b, r in green_book_bands(GREEN_BOOK_SCHEDULES[name])],
            columns=["schedule", "from year", "to year", "rate"])),
        "",
        "## Price indices",
        "",
    ]
    for name in ("cpi", "gdp_deflator"):
        index = load_price_index(name)
        first, last = index.years
        parts += [f"- `{name}`: {first}-{last}. Source: {index.source}"]
    library = load_library().table.reset_index()
    verified = library[library["dataset"] == DATASETS["verified"]]
    carbon = library[library["series"] == CARBON_SERIES].pivot(index="series_year", columns="scenario",
                                                               values="value_gbp")
    parts += [
        "",
        "## Proxy library",
        "",
        f"svlib ships {library_summary()}",
        "",
        _table(library_counts().reset_index()),
        "",
        _table(library_counts(by="theme").reset_index()),
        "",
        "Every row is listed with its source and licence by `svlib proxies` (`--csv` for every column).",
        "",
        "### Verified proxies",
        "",
        _table(verified[["proxy_id", "theme", "value_gbp", "price_year", "unit", "outcome", "source", "licence"]]),
        "",
        f"### DESNZ carbon values ({CARBON_SERIES}, GBP per tCO2e, 2022 prices)",
        "",
        _table(carbon[["low", "central", "high"]].reset_index().rename(columns={"series_year": "year"})),
        "",
        "## Known gaps (no verified proxy shipped; made visible, never filled)",
        "",
        _table(load_gaps()[["proxy_id", "theme", "outcome", "source"]]),
        "",
        "## Deflator benchmarks",
        "",
        "Rows marked `recall` were recorded from memory, not checked in the source: svlib shows them only as",
        "\"unverified\" guidance and never uses them as a default.",
        "",
        _table(pd.read_csv(paths.package_data("deflator_benchmarks.csv"), keep_default_na=False)[
            ["factor", "level_or_intervention", "value_pct", "verified", "source"]]),
        "",
    ]
    return "\n".join(parts)
