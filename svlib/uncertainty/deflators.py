"""Deflators from evidence: partners' survey answers, benchmarks, and stated judgement.

A partner estimates deadweight, displacement, attribution and drop-off for each outcome by
asking staff, volunteers or beneficiaries one anchored five-point question per factor
(``svlib/data/deflator_questions.csv``); answers 1-5 mean 0%, 25%, 50%, 75% and 100%. This
module turns those answers into

* a summary per outcome and factor (number of answers, mean, standard deviation,
  standard error, evidence level and a warning when there are few answers), and
* a distribution for the estimate of the **mean** (not for the spread of single
  answers), optionally blended with a stated prior (a benchmark or a judgement), for
  the Monte Carlo simulation in :mod:`svlib.uncertainty.montecarlo`.

Notes
-----
Distribution of the mean: a beta distribution on [0, 1] matched (method of moments) to
the survey mean ``m`` and its standard error ``se = sd / sqrt(n)``::

    ν = m (1 − m) / se² − 1 ,   alpha = m ν ,   beta = (1 − m) ν

When that is impossible or meaningless (one answer, every answer the same so ``se = 0``,
or ``se² >= m (1 − m)``), the standard error is taken as the largest a mean of ``n``
answers bounded in [0, 1] can have: a Bernoulli-like spread, ``se² = m (1 − m) / n``,
i.e. ``ν = n − 1`` (``ν = 1`` for a single answer, the widest proper beta). A mean of
exactly 0 or 1 is moved half an answer inwards, to ``0.5 / (n + 1)`` or
``1 − 0.5 / (n + 1)``, so that the distribution stays proper.

Blending with a stated prior ``p`` given weight ``w`` (0-1) treats the prior as a fixed
figure::

    blended mean = w × p + (1 − w) × m ,     blended sd = (1 − w) × sd_of_mean

and the beta is matched to those (its sd capped at the widest proper beta, ``ν = 1``).
The weight is reported with the result; choosing it is a judgement and must be stated.

Benchmarks (``svlib/data/deflator_benchmarks.csv``): rows recalled from guidance but not
checked against the source (``verified = recall``) are labelled ``unverified`` and are
never used as defaults or priors.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 4 (deadweight,
displacement, attribution, drop-off).
English Partnerships (2008) / Homes and Communities Agency (2014) Additionality Guide.
Vose, D. (2008) Risk Analysis, 3rd edition, ch. 8-9 (beta method of moments).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from svlib import paths
from svlib.contract import cells
from svlib.contract.questions import answer_to_fraction, load_questions
from svlib.contract.tables import SURVEY_FACTORS
from svlib.core.frames import records
from svlib.uncertainty.distributions import ParameterDistribution

FACTOR_HEADINGS: dict[str, str] = {
    "deadweight": "What would have happened anyway (deadweight)",
    "displacement": "Moving the benefit elsewhere (displacement)",
    "attribution": "Other people's contribution (attribution)",
    "drop_off": "Fading over time (drop-off)",
}

LARGE_SURVEY = 10
"""Answers needed for the evidence level "survey (10 or more answers)"."""

INDICATIVE_BELOW = 5
"""Fewer answers than this carry a warning."""

EVIDENCE_SURVEY = "survey (10 or more answers)"
EVIDENCE_SMALL_SURVEY = "small survey (fewer than 10)"
WARNING_FEW = "fewer than 5 answers: treat as indicative"
PRIOR_LABELS = ("benchmark", "judgement")


def printable_survey(outcomes: pd.DataFrame, title: str = "Deflator survey") -> str:
    """A survey to print or paste into a document, as Markdown.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Rows of an impact map (``outcome_id``, ``stakeholder``, ``outcome``).
    title : str

    Returns
    -------
    str
        One section per outcome with the four anchored questions and tick boxes.
    """
    questions = load_questions()
    lines = [
        f"# {title}",
        "",
        "For each outcome below, tick **one** answer to each question. There are no right answers: "
        "your honest best judgement is what we need. If you know a figure, write it as a percentage instead.",
        "",
        "Your reference (initials or a number, not your name): ____________",
        "",
    ]
    for row in records(outcomes):
        who = str(row.get("stakeholder", "") or "").strip()
        what = str(row.get("outcome", "") or "").strip()
        lines += [f"## {row['outcome_id']}: {what}" + (f" ({who})" if who else ""), ""]
        for q in records(questions):
            lines += [f"**{FACTOR_HEADINGS.get(q['factor'], q['factor'])}.** {q['question']}", ""]
            lines += [f"- [ ] {q[f'answer_{k}']}" for k in range(1, 6)]
            lines.append("")
    lines += [
        "---",
        "Entering the answers: one row per answer in the DeflatorSurvey sheet "
        "(respondent_ref, outcome_id, factor, answer), copying the ticked answer's words or the percentage.",
        "",
    ]
    return "\n".join(lines)


def _fractions(survey: pd.DataFrame) -> pd.DataFrame:
    """The survey with an ``answer_fraction`` column; a bad answer raises CellError naming its row."""
    missing = {"outcome_id", "factor", "answer"} - set(survey.columns)
    if missing:
        raise ValueError(f"the survey table lacks the column(s): {', '.join(sorted(missing))}")
    out = survey.copy()
    values = []
    for position, (answer, factor) in enumerate(zip(out["answer"], out["factor"])):
        if factor not in SURVEY_FACTORS:
            raise cells.CellError(f"survey row {position + 1}: unknown factor {cells.show(factor)}; "
                                  f"expected one of {', '.join(SURVEY_FACTORS)}")
        try:
            values.append(answer_to_fraction(answer))
        except cells.CellError as exc:
            raise cells.CellError(f"survey row {position + 1} ({out['outcome_id'].iloc[position]}, {factor}): {exc}") from exc
    out["answer_fraction"] = np.asarray(values, float)
    return out


def summarise_survey(survey: pd.DataFrame) -> pd.DataFrame:
    """Summary of survey answers per outcome and factor.

    Parameters
    ----------
    survey : pandas.DataFrame
        Columns ``respondent_ref, outcome_id, factor, answer`` (the DeflatorSurvey sheet).

    Returns
    -------
    pandas.DataFrame
        ``outcome_id, factor, n_answers, mean, sd, se, evidence, warning``: mean and sd
        (``ddof = 1``; blank for a single answer) of the answers as fractions,
        ``se = sd / sqrt(n)``; evidence ``"survey (10 or more answers)"`` or ``"small
        survey (fewer than 10)"``; warning ``"fewer than 5 answers: treat as indicative"``
        when ``n < 5`` (a warning, not a failure).
    """
    answers = _fractions(survey)
    columns = ["outcome_id", "factor", "n_answers", "mean", "sd", "se", "evidence", "warning"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    grouped = answers.groupby(["outcome_id", "factor"], sort=False)["answer_fraction"]
    summary = grouped.agg(n_answers="count", mean="mean", sd=_sample_sd)
    summary = summary.reset_index()
    summary["n_answers"] = summary["n_answers"].astype(int)
    summary["se"] = summary["sd"] / np.sqrt(summary["n_answers"])
    summary["evidence"] = np.where(summary["n_answers"] >= LARGE_SURVEY, EVIDENCE_SURVEY, EVIDENCE_SMALL_SURVEY)
    summary["warning"] = np.where(summary["n_answers"] < INDICATIVE_BELOW, WARNING_FEW, "")
    return summary[columns]


def _sample_sd(values: pd.Series) -> float:
    """Sample standard deviation (``ddof = 1``): NaN for one answer, exactly 0 when all agree."""
    if len(values) < 2:
        return np.nan
    return 0.0 if values.max() == values.min() else float(values.std(ddof=1))


@dataclass(frozen=True)
class Prior:
    """A stated figure to blend with survey answers.

    Parameters
    ----------
    value : float
        The figure as a fraction 0-1.
    weight : float
        Its weight 0-1 in the blend (0: survey only; 1: prior only).
    label : {"benchmark", "judgement"}
    source : str
        Where it comes from (a verified benchmark's source, or whose judgement).
    """

    value: float
    weight: float
    label: str
    source: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.value <= 1.0:
            raise ValueError(f"a prior deflator must be a fraction 0-1, got {self.value}")
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"a prior's weight must be between 0 and 1, got {self.weight}")
        if self.label not in PRIOR_LABELS:
            raise ValueError(f"a prior is a 'benchmark' or a 'judgement', got {self.label!r}")


def mean_distribution(mean: float, se: float, n: int, prior: Prior | None = None) -> ParameterDistribution:
    """The distribution of the estimate of a deflator's mean, from survey answers.

    Parameters
    ----------
    mean : float
        Mean answer (fraction 0-1).
    se : float
        Its standard error (``sd / sqrt(n)``; NaN or 0 uses the fallback in the module notes).
    n : int
        Number of answers (at least 1).
    prior : Prior, optional
        A stated figure blended in by weight.

    Returns
    -------
    ParameterDistribution
        A ``beta`` distribution on [0, 1] (``fixed`` when the prior has weight 1).
    """
    if n < 1:
        raise ValueError("a survey distribution needs at least one answer")
    if not 0.0 <= mean <= 1.0:
        raise ValueError(f"a mean answer must be a fraction 0-1, got {mean}")
    edge = 0.5 / (n + 1)
    m = min(max(mean, edge), 1.0 - edge)
    bound = m * (1.0 - m)
    se = float(se) if se is not None else math.nan
    if n > 1 and math.isfinite(se) and 0.0 < se and se * se < bound:
        variance, how = se * se, f"standard error {se:.3f} of {n} answers"
    else:
        nu = max(n - 1, 1)
        variance, how = bound / (nu + 1.0), f"Bernoulli-like spread for {n} answer{'s' if n != 1 else ''}"
    evidence = f"survey mean {mean:.1%} ({how})"
    sd = math.sqrt(variance)
    if prior is not None:
        if prior.weight >= 1.0:
            return ParameterDistribution.fixed(prior.value, evidence=f"{prior.label} {prior.value:.1%} (weight 1)")
        m = prior.weight * prior.value + (1.0 - prior.weight) * m
        sd = (1.0 - prior.weight) * sd
        m = min(max(m, edge), 1.0 - edge)
        sd = min(sd, math.sqrt(m * (1.0 - m) / 2.0) * (1.0 - 1e-9))
        evidence += f"; blended with {prior.label} {prior.value:.1%} at weight {prior.weight:g}"
    return ParameterDistribution.beta_from_moments(m, sd, 0.0, 1.0, evidence=evidence)


def survey_distributions(
    survey: pd.DataFrame,
    priors: Mapping[tuple[str, str], Prior] | None = None,
) -> pd.DataFrame:
    """The survey summary with the distribution of each mean, ready for simulation.

    Parameters
    ----------
    survey : pandas.DataFrame
        Columns ``respondent_ref, outcome_id, factor, answer``.
    priors : mapping of (outcome_id, factor) to Prior, optional

    Returns
    -------
    pandas.DataFrame
        :func:`summarise_survey` plus ``prior_value, prior_weight, prior_label,
        estimate_mean, estimate_sd`` and ``distribution`` (a ParameterDistribution).
    """
    summary = summarise_survey(survey)
    priors = dict(priors or {})
    distributions, prior_cols = [], []
    for row in records(summary):
        prior = priors.get((row["outcome_id"], row["factor"]))
        dist = mean_distribution(row["mean"], row["se"], row["n_answers"], prior)
        distributions.append(dist)
        prior_cols.append((prior.value, prior.weight, prior.label) if prior else (np.nan, 0.0, ""))
    summary["prior_value"] = [p[0] for p in prior_cols]
    summary["prior_weight"] = [p[1] for p in prior_cols]
    summary["prior_label"] = [p[2] for p in prior_cols]
    summary["estimate_mean"] = [d.mean() for d in distributions]
    summary["estimate_sd"] = [math.sqrt(d.variance()) for d in distributions]
    summary["distribution"] = pd.Series(distributions, index=summary.index, dtype=object)
    return summary


def load_benchmarks() -> pd.DataFrame:
    """Deflator benchmarks with a ``status`` column: ``verified`` when checked against
    the source text (``verified = yes``), else ``unverified`` (never used as a default)."""
    table = pd.read_csv(paths.package_data("deflator_benchmarks.csv"))
    checked = table["verified"].astype(str).str.strip().str.lower() == "yes"
    table["status"] = np.where(checked, "verified", "unverified")
    return table


def benchmark_prior(factor: str, level_or_intervention: str, weight: float) -> Prior:
    """A :class:`Prior` from a verified benchmark row; unverified rows are refused.

    Raises
    ------
    ValueError
        If no such row exists, it has no value, or it is unverified.
    """
    table = load_benchmarks()
    rows = table[(table["factor"] == factor) & (table["level_or_intervention"] == level_or_intervention)]
    if rows.empty:
        raise ValueError(f"no benchmark '{level_or_intervention}' for {factor}")
    row = rows.iloc[0]
    if row["status"] != "verified":
        raise ValueError(f"the benchmark '{level_or_intervention}' for {factor} is unverified "
                         "(recalled, not checked against its source) and cannot be used")
    if pd.isna(row["value_pct"]):
        raise ValueError(f"the benchmark '{level_or_intervention}' for {factor} has no value")
    return Prior(float(row["value_pct"]) / 100.0, weight, "benchmark", str(row["source"]))
