"""One central estimate per parameter, chosen by a stated rule of evidence.

Every figure svlib publishes for a partner (the headline ratio, the Monte Carlo range,
the tornado, the switching values, the per-outcome arithmetic) starts from the table this
module builds: for each outcome and each parameter, the evidence used, its distribution and
its **central value, which is the mean of that distribution**. The headline is the map
valued at the central values; the simulation draws from the same distributions, so the
mean of each parameter's draws is its central value and the headline sits inside its own
likely range.

Notes
-----
The rule of evidence, applied to each parameter of each outcome, first match wins:

1. ``survey``: deadweight, displacement, attribution and drop-off with at least
   ``ENOUGH_ANSWERS`` (5) survey answers for that outcome: the distribution of the survey
   mean (a beta matched to the mean and its standard error,
   :func:`svlib.uncertainty.deflators.mean_distribution`), blended with a stated prior if
   one is given. Fewer answers are shown as indicative and not used: a mean of four
   answers is too fragile to overrule the partner's own figure.
2. ``range``: a range the partner typed (``<p>_low``, ``<p>_high``, shape ``<p>_dist``,
   PERT when blank) around the written figure as the most likely value. The central value
   is the range's mean, e.g. PERT ``(low + 4 × most likely + high) / 6`` (Vose 2008), so a
   lopsided range moves the central value towards its longer side.
3. ``figure``: the partner's written figure, fixed.
4. ``benchmark`` (or ``judgement``): where the partner wrote no figure, a stated
   :class:`svlib.uncertainty.deflators.Prior`, fixed at its value. With no figure and no
   prior the parameter is refused: nothing is guessed.

A prior of weight 1 given for a survey-estimated deflator fixes it at the prior (level
``benchmark`` or ``judgement``), as :func:`svlib.uncertainty.deflators.mean_distribution`.

Why the mean: the SROI at the means of independent factors is the mean of the SROI for
everything but drop-off (a product of independent factors has the product of their means;
present value sums over outcomes), so the headline is the expected value of the partner's
evidence rather than a corner of it. Drop-off enters through the present value factor,
which is convex in drop-off, so there the headline is slightly below the simulated mean.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 4 (evidence for
deflators) and stage 5 (sensitivity).
Vose, D. (2008) Risk Analysis, 3rd edition, Wiley, ch. 9 (PERT mean).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from svlib.contract.cells import is_blank
from svlib.contract.tables import PARAMETERS
from svlib.core.frames import records
from svlib.uncertainty.deflators import INDICATIVE_BELOW, Prior, survey_distributions
from svlib.uncertainty.distributions import ParameterDistribution
from svlib.valuation.sroi import Conventions, Investment, Valuation, value_map

ENOUGH_ANSWERS: int = INDICATIVE_BELOW
"""Survey answers for one outcome and deflator needed before the survey mean is used (5)."""

LEVELS: dict[str, str] = {
    "survey": "survey answers",
    "range": "the partner's range",
    "figure": "the partner's figure",
    "benchmark": "a labelled benchmark",
    "judgement": "a stated judgement",
}
"""The evidence levels, in the order the rule tries them, in plain words."""

COLUMNS: tuple[str, ...] = (
    "outcome_id", "parameter", "level", "written", "central", "p5", "p95", "kind", "low", "most_likely", "high",
    "description", "evidence", "n_answers", "survey_mean", "note", "distribution",
)

RULE_TEXT: str = (
    "Each deadweight, displacement, attribution and drop-off comes from survey answers when at least "
    f"{ENOUGH_ANSWERS} people answered for that outcome, otherwise from a range the partner gave, otherwise from "
    "the partner's own figure (a labelled benchmark only where the partner gave none); quantities and proxies "
    "come from a range where one is given, otherwise from the figure. The central value is the mean of the "
    "evidence's distribution: the headline ratio is computed at the central values, and the simulation's draws "
    "of each figure average to it."
)
"""The rule in words, for the assumptions list and the reports."""


@dataclass(frozen=True)
class Estimates:
    """The evidence, distribution and central value of every parameter of one map.

    Attributes
    ----------
    written : pandas.DataFrame
        The impact map as the partner wrote it (with its ranges).
    table : pandas.DataFrame
        One row per outcome and parameter, in map order then ``PARAMETERS`` order:
        ``outcome_id, parameter, level`` (a key of :data:`LEVELS`), ``written`` (the map's
        figure, NaN if blank), ``central`` (the distribution's exact mean), ``p5, p95``
        (its exact 5th and 95th percentiles), ``kind, low, most_likely, high,
        description, evidence``, ``n_answers`` and ``survey_mean`` (the survey for that
        deflator, used or not; 0 and NaN without one), ``note`` (why the level was
        chosen, when it is not the partner's figure) and ``distribution``.
    warnings : tuple of str
        Survey answers for outcomes not in the map (ignored).
    """

    written: pd.DataFrame
    table: pd.DataFrame
    warnings: tuple[str, ...] = ()
    _central: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # central_map, once

    @property
    def uncertain(self) -> pd.DataFrame:
        """The rows of parameters that vary in the simulation."""
        return self.table[self.table["kind"] != "fixed"].reset_index(drop=True)

    def central_map(self) -> pd.DataFrame:
        """The map with every parameter at its central value (what the headline values).

        The ranges are dropped: this map is for valuation only, and building estimates from
        it again would centre a range on a mean rather than on the partner's most likely
        value.
        """
        if "map" in self._central:  # built once: the headline and the simulation both value it
            return self._central["map"].copy(deep=False)
        uncertainty = {f"{p}_{end}" for p in PARAMETERS for end in ("low", "high", "dist")}
        kept = [c for c in self.written.columns if c not in uncertainty and c not in PARAMETERS]
        out = self.written[kept].copy()
        # the table holds one row per outcome and parameter, in map order then PARAMETERS order
        central = self.table["central"].to_numpy(float).reshape(len(self.written), len(PARAMETERS))
        for j, p in enumerate(PARAMETERS):
            out[p] = central[:, j]
        order = [c for c in self.written.columns if c not in uncertainty]  # the map's own column order
        out = out[order + [p for p in PARAMETERS if p not in order]]
        out.attrs = dict(self.written.attrs)
        self._central["map"] = out
        return out.copy(deep=False)

    def differences(self) -> pd.DataFrame:
        """The parameters whose central value is not the partner's written figure:
        ``outcome_id, parameter, level, written, central, low, note``."""
        table = self.table
        moved = ~np.isclose(table["written"].to_numpy(float), table["central"].to_numpy(float), rtol=0, atol=1e-12)
        columns = ["outcome_id", "parameter", "level", "written", "central", "low", "note"]
        return table.loc[moved, columns].reset_index(drop=True)


def _survey_rows(impact_map: pd.DataFrame, survey: pd.DataFrame | None,
                 priors: Mapping[tuple[str, str], Prior] | None) -> tuple[dict[tuple[str, str], dict], list[str]]:
    """Each (outcome, factor) with survey answers: its summary row and distribution."""
    if survey is None or not len(survey):
        return {}, []
    known = set(str(v) for v in impact_map["outcome_id"])
    found, warnings = {}, []
    for row in records(survey_distributions(survey, priors)):
        if str(row["outcome_id"]) not in known:
            warnings.append(f"survey answers for outcome '{row['outcome_id']}', which is not in the impact map, "
                            "are ignored")
            continue
        found[(str(row["outcome_id"]), row["factor"])] = row
    return found, warnings


def _choose(row: Mapping, parameter: str, answers: dict | None,
            prior: Prior | None) -> tuple[str, ParameterDistribution, str]:
    """``(level, distribution, note)`` for one parameter of one map row, by the rule."""
    oid = row["outcome_id"]
    if answers is not None and answers["n_answers"] >= ENOUGH_ANSWERS:
        dist = answers["distribution"]
        if dist.kind == "fixed":  # a prior of weight 1
            return answers["prior_label"], dist, (f"the stated {answers['prior_label']} is given full weight over "
                                                  f"the survey")
        note = (f"the mean of {answers['n_answers']} survey answers is used: answers from people who know the "
                "outcome are stronger evidence than one written figure")
        return "survey", dist, note
    few = ""
    if answers is not None:
        few = (f"; the survey's answers (fewer than {ENOUGH_ANSWERS}) are shown as indicative and not used")
    written = row.get(parameter)
    has_range = not is_blank(row.get(f"{parameter}_low")) and not is_blank(row.get(f"{parameter}_high"))
    if is_blank(written) and parameter != "leakage":
        if prior is None:
            raise ValueError(f"outcome {oid}: {parameter} has no figure, no range and no survey; "
                             "give a figure (nothing is guessed)")
        return prior.label, ParameterDistribution.fixed(prior.value, evidence=f"{prior.label} {prior.value:.1%}"
                                                         + (f" ({prior.source})" if prior.source else "")), (
            f"no figure was given, so the {prior.label} is used")
    dist = ParameterDistribution.from_row(row, parameter)
    if has_range and dist.kind != "fixed":
        likely = "" if dist.kind == "uniform" else f"most likely {dist.mode:g}, "
        note = (f"the mean of the range given is used ({likely}from {dist.low:g} to {dist.high:g}), "
                "so the headline is the expected value of the estimate" + few)
        return "range", dist, note
    return "figure", dist, few.lstrip("; ")


def estimates(
    impact_map: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    priors: Mapping[tuple[str, str], Prior] | None = None,
) -> Estimates:
    """The evidence and central value of every parameter of a map, by the rule of evidence
    (module notes).

    Parameters
    ----------
    impact_map : pandas.DataFrame
        A resolved impact map (:func:`svlib.validate.impact_map.load_impact_map`), as written,
        with optional ``<p>_low``, ``<p>_high``, ``<p>_dist``.
    survey : pandas.DataFrame, optional
        Deflator survey answers (``respondent_ref, outcome_id, factor, answer``).
    priors : mapping of (outcome_id, factor) to Prior, optional
        Stated figures: blended with a survey mean, or used where the map has no figure.

    Returns
    -------
    Estimates
    """
    from_survey, warnings = _survey_rows(impact_map, survey, priors)
    priors = dict(priors or {})
    rows = []
    for row in records(impact_map):
        oid = str(row["outcome_id"])
        for p in PARAMETERS:
            answers = from_survey.get((oid, p))
            level, dist, note = _choose(row, p, answers, priors.get((oid, p)))
            written = row.get(p)
            p5, p95 = (float(v) for v in dist.quantile(np.array([0.05, 0.95])))
            rows.append({
                "outcome_id": oid, "parameter": p, "level": level,
                "written": float(written) if not is_blank(written) else (0.0 if p == "leakage" else math.nan),
                "central": float(dist.mean()), "p5": p5, "p95": p95, "kind": dist.kind, "low": dist.low,
                "most_likely": dist.mode, "high": dist.high, "description": dist.describe(),
                "evidence": dist.evidence,
                "n_answers": int(answers["n_answers"]) if answers else 0,
                "survey_mean": float(answers["mean"]) if answers else math.nan,
                "note": note, "distribution": dist,
            })
    table = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return Estimates(written=impact_map, table=table, warnings=tuple(warnings))


def central_valuation(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    survey: pd.DataFrame | None = None,
    priors: Mapping[tuple[str, str], Prior] | None = None,
) -> Valuation:
    """The headline: ``impact_map`` valued at the central values of its evidence
    (:func:`estimates`), as every report, page and command states it.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        A resolved impact map as written.
    investment : float
        GBP.
    conventions : Conventions
    survey, priors : optional
        As for :func:`estimates`.

    Returns
    -------
    Valuation
    """
    return value_map(estimates(impact_map, survey, priors).central_map(), investment, conventions)
