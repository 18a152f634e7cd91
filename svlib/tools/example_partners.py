"""Six fictional County Durham VCSE partners: the example collection of partner workbooks.

Every organisation, person, quantity and deflator here is **illustrative and fictional**,
chosen to be plausible and internally consistent and to exercise every sheet of the partner
workbook, every County Durham Pound theme and both purposes (evaluative and forecast). The
proxies are real rows of the svlib proxy library (``svlib/data/proxies.csv``).

The fixed facts (partner fields, inputs, value maps, baselines, calendars, quality marks and
case studies) are data, in ``example_partners.json`` beside this module. The seeded parts (survey answers and star
readings) come from :func:`numpy.random.default_rng`, one stream per partner and purpose
derived from ``(seed, partner number, stream number)``, so the same seed always gives the same
content and changing one partner does not change another's random draws.

Regenerate the bundled collection with::

    python -m svlib.tools.example_partners data/raw/example

References
----------
docs/design.md, "Partner workbook (contract)"; :mod:`svlib.io.template` for the layout.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svlib.contract.questions import anchored_answers
from svlib.core.files import write_atomic
from svlib.io.template import write_workbook

DEFAULT_SEED = 20251125
"""The seed of the bundled collection."""

PERIOD_START = dt.date(2024, 4, 1)
PERIOD_END = dt.date(2025, 3, 31)
PRICE_YEAR = 2024

NON_CONSENTED_PHRASE = "hid the allotment key under the red plant pot"
"""A distinctive phrase that appears only in a case study without consent (for leak tests)."""

TESTIMONY_EMAIL = "a.reader@example.org"
TESTIMONY_PHONE = "07700 900461"
"""Contact details inside one consented testimony (for redaction tests); both are in ranges
reserved for fiction (example.org, Ofcom's 07700 900xxx drama numbers)."""

LISTED_NAME = "Sparky"
"""A nickname in one consented, anonymised testimony that the name check cannot know, listed
in that partner's Names sheet (for the test that a listed name reaches no shared file)."""

UNLISTED_NAME = "Harold"
"""A first name in another consented, anonymised testimony, listed nowhere (for the test that
a name found by the check reaches no shared file)."""

SURVEY_POOL = 15
"""Respondents per partner survey (R01 .. R15); each (outcome, factor) asks 3 to 15 of them."""

_STREAM_SURVEY, _STREAM_STARS = 1, 2

# --------------------------------------------------------------------------------------
# The partners, as data (example_partners.json beside this file)
# --------------------------------------------------------------------------------------

DEFINITIONS = Path(__file__).with_name("example_partners.json")
"""The six partners' fixed facts. Each partner: ``partner`` (Partner fields other than the
period and price year), ``inputs``, ``impact_map`` (rows; ``ranges: false`` skips the default
deadweight and attribution ranges, ``dist`` sets their shape), ``survey`` (outcome_id to the
factors asked), optionally ``exactly_three`` (an [outcome_id, factor] asked of exactly three
respondents), ``baseline``, ``calendar`` (funder, report, frequency, first due date, how many),
``quality_marks`` (mark, awarded, expiry or null), ``case_studies``, optionally ``names`` (the
Names sheet's rows) and ``star``
(star, areas, [lowest, highest] score)."""


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def load_partners(path: Path = DEFINITIONS) -> tuple[dict[str, Any], ...]:
    """The partner definitions, with dates as dates."""
    partners = json.loads(path.read_text(encoding="utf-8"))["partners"]
    for definition in partners:
        definition["calendar"] = [(c["funder"], c["report"], c["frequency"], _day(c["first_due"]), c["count"])
                                  for c in definition["calendar"]]
        definition["quality_marks"] = [(q["mark"], _day(q["awarded_date"]), _day(q["expiry_date"]))
                                       for q in definition["quality_marks"]]
        if "exactly_three" in definition:
            definition["exactly_three"] = tuple(definition["exactly_three"])
    return tuple(partners)


PARTNERS: tuple[dict[str, Any], ...] = load_partners()
"""The seven example workbooks (:data:`DEFINITIONS`): six partners, the food network's forecast last
(so the others' seeded draws are those they had before it was added)."""


# --------------------------------------------------------------------------------------
# Generation, one small step per sheet
# --------------------------------------------------------------------------------------

def _rng(seed: int, partner_number: int, stream: int) -> np.random.Generator:
    """An independent random stream for one partner and one purpose."""
    return np.random.default_rng([seed, partner_number, stream])


def partner_fields(definition: dict[str, Any]) -> dict[str, Any]:
    """The Partner sheet: the definition's fields plus the shared period and price year."""
    return {**definition["partner"], "period_start": PERIOD_START, "period_end": PERIOD_END,
            "price_year": PRICE_YEAR}


def impact_map_frame(definition: dict[str, Any]) -> pd.DataFrame:
    """The ImpactMap sheet, with deadweight and attribution ranges (central ± 0.10,
    clipped to 0-1) on every row not marked ``ranges: False``."""
    rows = []
    for given in definition["impact_map"]:
        row = {k: v for k, v in given.items() if k not in ("ranges", "dist")}
        row.setdefault("start_year", 1)
        row.setdefault("leakage", 0.0)
        if given.get("ranges", True):
            for factor in ("deadweight", "attribution"):
                central = float(row[factor])
                row[f"{factor}_low"] = round(max(0.0, central - 0.10), 2)
                row[f"{factor}_high"] = round(min(1.0, central + 0.10), 2)
                row[f"{factor}_dist"] = given.get("dist", "pert")
        rows.append(row)
    return pd.DataFrame(rows)


def reporting_calendar_frame(definition: dict[str, Any]) -> pd.DataFrame:
    """The ReportingCalendar sheet: each recurring report expanded into its due dates."""
    step = {"monthly": 1, "quarterly": 3, "annual": 12, "one-off": 0}
    rows = []
    for funder, report, frequency, first_due, count in definition["calendar"]:
        for k in range(count):
            rows.append({"funder": funder, "report": report, "due_date": _add_months(first_due, step[frequency] * k),
                         "frequency": frequency})
    return pd.DataFrame(rows).sort_values(["due_date", "funder"], kind="stable").reset_index(drop=True)


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quality_marks_frame(definition: dict[str, Any]) -> pd.DataFrame:
    """The QualityMarks sheet."""
    return pd.DataFrame([{"mark": m, "awarded_date": a, "expiry_date": e} for m, a, e in definition["quality_marks"]])


def _survey_answer(central: float, factor: str, rng: np.random.Generator) -> str:
    """One respondent's answer near the map's central value: usually an anchored answer
    (answer k of five means (k - 1) x 25%), sometimes a typed percentage."""
    belief = float(np.clip(central + rng.normal(0.0, 0.12), 0.0, 1.0))
    if rng.random() < 0.2:
        return f"{int(round(belief * 20)) * 5}%"
    return anchored_answers(factor)[int(round(belief * 4))]


def deflator_survey_frame(definition: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """The DeflatorSurvey sheet: for each (outcome, factor) asked, 3 to 15 respondents
    from the partner's pool R01..R15 (exactly three for ``exactly_three``)."""
    centrals = {row["outcome_id"]: row for row in definition["impact_map"]}
    rows = []
    for outcome_id, factors in definition["survey"].items():
        for factor in factors:
            count = 3 if definition.get("exactly_three") == (outcome_id, factor) else int(rng.integers(4, SURVEY_POOL + 1))
            chosen = np.sort(rng.choice(SURVEY_POOL, size=count, replace=False)) + 1
            for number in chosen:
                rows.append({"respondent_ref": f"R{number:02d}", "outcome_id": outcome_id, "factor": factor,
                             "answer": _survey_answer(float(centrals[outcome_id][factor]), factor, rng)})
    return pd.DataFrame(rows)


def star_readings_frame(definition: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame | None:
    """The StarReadings sheet (None for a partner without a star): 20 to 60 people, 2 to 4
    readings each, 8 to 17 weeks apart, scores starting low and tending to improve."""
    star = definition.get("star")
    if star is None:
        return None
    lowest, highest = star["scale"]
    span = highest - lowest
    rows = []
    for person in range(1, int(rng.integers(20, 61)) + 1):
        readings = int(rng.integers(2, 5))
        first = PERIOD_START + dt.timedelta(days=int(rng.integers(0, 180)))
        dates = [first]
        for _ in range(readings - 1):
            dates.append(dates[-1] + dt.timedelta(days=int(rng.integers(56, 120))))
        for area in star["areas"]:
            level = lowest + span * rng.normal(0.3, 0.12)
            for number, day in enumerate(dates, start=1):
                score = int(np.clip(round(level), lowest, highest))
                rows.append({"person_ref": f"P{person:03d}", "star": star["star"], "area": area,
                             "reading_number": number, "reading_date": day, "score": score})
                level += span * rng.normal(0.10, 0.08)
    return pd.DataFrame(rows)


def partner_workbook_data(definition: dict[str, Any], seed: int, partner_number: int
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Partner fields and every other sheet of one partner's workbook.

    Returns
    -------
    (dict, dict)
        Partner fields, and sheet name to a DataFrame (``"Baseline"``: a dict of fields).
    """
    tables: dict[str, Any] = {
        "Inputs": pd.DataFrame(definition["inputs"]),
        "ImpactMap": impact_map_frame(definition),
        "Baseline": dict(definition["baseline"]),
        "ReportingCalendar": reporting_calendar_frame(definition),
        "QualityMarks": quality_marks_frame(definition),
        "DeflatorSurvey": deflator_survey_frame(definition, _rng(seed, partner_number, _STREAM_SURVEY)),
        "CaseStudies": pd.DataFrame(definition["case_studies"]),
    }
    if definition.get("names"):
        tables["Names"] = pd.DataFrame(definition["names"])
    stars = star_readings_frame(definition, _rng(seed, partner_number, _STREAM_STARS))
    if stars is not None:
        tables["StarReadings"] = stars
    return partner_fields(definition), tables


def example_collection(seed: int = DEFAULT_SEED) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every example partner's data, keyed by partner_id, without writing files."""
    return {d["partner"]["partner_id"]: partner_workbook_data(d, seed, number)
            for number, d in enumerate(PARTNERS, start=1)}


README = """# Example collection (illustrative, fictional)

These seven partner workbooks describe six **fictional** County Durham VCSE organisations. The
organisations, people, quantities, deflators, survey answers, star readings, quality marks and
case studies are **illustrative and made up**: plausible and internally consistent, chosen to
exercise every sheet of the partner workbook, every County Durham Pound theme (Jobs, Growth,
Social, Environment, Innovation) and both purposes (evaluative and forecast). They are not
evidence about any real organisation, and the names of funders and places are used only to make
the examples realistic. The proxies are real, cited rows of the svlib proxy library.

The food network appears twice: `food-network-forecast` is its forecast for the year, made before
it began, and `food-network` the evaluation of the same year, which names the forecast in its
Partner sheet (`forecast`). The reports set the two side by side, outcome by outcome
(`comparisons/food-network.html`).

| partner_id | organisation | area | purpose |
|---|---|---|---|
{table}

The files are generated, not edited by hand: the partners' facts are in
`svlib/tools/example_partners.json`. Regenerate them (same seed, same content) with:

    python -m svlib.tools.example_partners data/raw/example

(seed {seed}; `--seed N` gives another draw of the survey answers and star readings).
"""


def write_example_collection(folder: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the six example partner workbooks and a README into ``folder``.

    Parameters
    ----------
    folder : path
        Created if needed. Files are written atomically; other files are left alone.
    seed : int
        Seed for the survey answers and star readings.

    Returns
    -------
    list of Path
        ``<partner_id>.xlsx`` for each partner (in :data:`PARTNERS` order), then ``README.md``.
    """
    folder = Path(folder)
    written = []
    for partner_id, (partner, tables) in example_collection(seed).items():
        written.append(write_workbook(folder / f"{partner_id}.xlsx", partner, tables))
    lines = "\n".join(f"| {d['partner']['partner_id']} | {d['partner']['name']} | {d['partner']['area']} | "
                      f"{d['partner']['purpose']} |" for d in PARTNERS)
    written.append(write_atomic(folder / "README.md", README.format(table=lines, seed=seed)))
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m svlib.tools.example_partners FOLDER [--seed N]``."""
    parser = argparse.ArgumentParser(prog="python -m svlib.tools.example_partners",
                                     description="write the example collection of partner workbooks")
    parser.add_argument("folder", type=Path, help="folder to write the workbooks and README.md into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed of the survey answers and star readings (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in write_example_collection(args.folder, seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
