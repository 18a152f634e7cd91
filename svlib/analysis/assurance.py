"""An assurance checklist against the SROI principles, for one partner's analysis.

Each check says what was looked at, whether it needs attention, and why, in words a
partner can act on. The checks follow the seven SROI principles (Social Value UK): involve
stakeholders, understand what changes, value the things that matter, only include what is
material, do not over-claim, be transparent, verify the result.
"""

from __future__ import annotations

import pandas as pd

from svlib.analysis.disclosure import suppress_value
from svlib.analysis.evidence import counted_outcome_ids
from svlib.contract.cells import is_blank
from svlib.contract.tables import SURVEY_FACTORS

CHECK_COLUMNS = ["principle", "check", "status", "detail"]
STALE_YEARS = 5
LONG_DURATION = 5
DOMINANT_SHARE = 0.5


def checklist(
    impact_map: pd.DataFrame,
    by_outcome: pd.DataFrame,
    survey_summary: pd.DataFrame,
    case_studies: pd.DataFrame,
    price_year: int,
) -> pd.DataFrame:
    """Run every check.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        The resolved map (``proxy_price_year``, ``price_year_stated``, ``evidence``).
    by_outcome : pandas.DataFrame
        ``Valuation.by_outcome`` (``share_of_value``).
    survey_summary : pandas.DataFrame
        :func:`svlib.uncertainty.deflators.summarise_survey` output (may be empty).
    case_studies : pandas.DataFrame
        The partner's case studies (``outcome_ids``, and ``accepted_outcome_ids``, which
        replace them when written), may be empty.
    price_year : int
        Analysis price year.

    Returns
    -------
    pandas.DataFrame
        ``principle, check, status ("ok" or "attention"), detail``.
    """
    rows: list[dict[str, str]] = []

    def add(principle: str, check: str, problems: list[str], ok_text: str) -> None:
        rows.append({"principle": principle, "check": check, "status": "attention" if problems else "ok",
                     "detail": "; ".join(problems) if problems else ok_text})

    surveyed = set(zip(survey_summary.get("outcome_id", []), survey_summary.get("factor", [])))
    # a blank evidence cell is NaN once read back from a processed table: it is no evidence
    evidence = {str(o): "" if is_blank(e) else str(e).strip() for o, e in zip(impact_map["outcome_id"], impact_map.get(
        "evidence", pd.Series([""] * len(impact_map))))}
    cased = {i for ids in counted_outcome_ids(case_studies) for i in ids} if "outcome_ids" in case_studies else set()

    zero = [f"{o}: {f.replace('_', '-')} is 0% with no survey or stated evidence"
            for o, row in zip(impact_map["outcome_id"], impact_map.to_dict("records"))
            for f in SURVEY_FACTORS[:3] if row[f] == 0 and (o, f) not in surveyed and not evidence.get(str(o))]
    add("Do not over-claim", "A deflator of zero has evidence", zero, "every zero deflator has evidence or survey answers")

    long = [f"{o}: {int(d)} years" for o, d in zip(impact_map["outcome_id"], impact_map["duration"]) if d > LONG_DURATION]
    add("Do not over-claim", f"Durations of {LONG_DURATION} years or less", long,
        f"no outcome is claimed for more than {LONG_DURATION} years")

    stale, unknown = [], []
    for o, year, stated in zip(impact_map["outcome_id"], impact_map["proxy_price_year"], impact_map["price_year_stated"]):
        if stated != "yes":
            unknown.append(f"{o}: price year not stated by the source")
        elif pd.notna(year) and price_year - int(year) > STALE_YEARS:
            stale.append(f"{o}: prices of {int(year)}")
    add("Value the things that matter", f"Proxies less than {STALE_YEARS} years old", stale,
        "every proxy's price year is recent")
    add("Be transparent", "Every proxy has a known price year", unknown, "every proxy states its price year")

    dominant = [f"{o}: {s:.0%} of all value" for o, s in zip(by_outcome["outcome_id"], by_outcome["share_of_value"])
                if s > DOMINANT_SHARE]
    add("Only include what is material", "No single outcome carries over half the value", dominant,
        "value is spread across outcomes")

    unheard = [str(o) for o in impact_map["outcome_id"]
               if not any((o, f) in surveyed for f in SURVEY_FACTORS) and str(o) not in cased]
    add("Involve stakeholders", "Stakeholder evidence for every outcome",
        [f"{o}: no survey answers or case studies" for o in unheard],
        "every outcome has survey answers or a case study")

    small = [f"{o} {f.replace('_', '-')}: {suppress_value(n)} answers" for o, f, n in zip(
        survey_summary.get("outcome_id", []), survey_summary.get("factor", []), survey_summary.get("n_answers", []))
        if n < 5]
    add("Verify the result", "At least 5 survey answers behind each surveyed deflator", small,
        "every surveyed deflator has 5 or more answers")
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
