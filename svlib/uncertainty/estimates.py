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
from svlib.core.frames import column_values, records
from svlib.uncertainty.deflators import INDICATIVE_BELOW, Prior, survey_distributions
from svlib.uncertainty.distributions import ParameterDistribution, range_means, range_quantiles
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


RANGE_KINDS: tuple[str, ...] = ("uniform", "triangular", "pert")
"""The shapes a typed range may take (blank means PERT)."""

QUANTILES = np.array([0.05, 0.95])
"""The probabilities of the table's ``p5`` and ``p95``."""


def _figures(impact_map: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A column of figures as floats, which cells are blank (:func:`is_blank`) and which hold
    something that is not a number (NaN in the values; refused where it is used). A map
    without the column is blank throughout."""
    n = len(impact_map)
    if name not in impact_map:
        return np.full(n, math.nan), np.ones(n, bool), np.zeros(n, bool)
    column = impact_map[name]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiub":
        values = column.to_numpy(float)
        return values, np.isnan(values), np.zeros(n, bool)
    cells = column_values(impact_map, name)
    blank = np.fromiter((is_blank(v) for v in cells), bool, n)
    values, bad = np.full(n, math.nan), np.zeros(n, bool)
    for i, (cell, empty) in enumerate(zip(cells, blank)):
        if not empty:
            try:
                values[i] = float(cell)
            except (TypeError, ValueError):
                bad[i] = True
    return values, blank, bad


def _shapes(impact_map: pd.DataFrame, name: str) -> list[str]:
    """A ``<p>_dist`` column as the shape each cell names, trimmed and in lower case."""
    if name not in impact_map:
        return [""] * len(impact_map)
    return [str(v or "").strip().lower() for v in column_values(impact_map, name)]


@dataclass
class _Column:
    """One parameter's rows of the table (every field one entry per outcome), and the
    outcomes whose figure is refused (:func:`_refuse` says why)."""

    level: np.ndarray
    written: np.ndarray
    central: np.ndarray
    p5: np.ndarray
    p95: np.ndarray
    kind: np.ndarray
    low: np.ndarray
    most_likely: np.ndarray
    high: np.ndarray
    description: np.ndarray
    evidence: np.ndarray
    n_answers: np.ndarray
    survey_mean: np.ndarray
    note: np.ndarray
    distribution: np.ndarray
    refused: np.ndarray
    unfigured: np.ndarray


def _parameter(impact_map: pd.DataFrame, parameter: str, ids: list[str], from_survey: dict,
               priors: dict) -> _Column:
    """The rule of evidence for one parameter of every outcome, column-wise (module notes)."""
    n = len(ids)
    leakage = parameter == "leakage"
    written, blank, bad = _figures(impact_map, parameter)
    answers = [from_survey.get((oid, parameter)) for oid in ids] if from_survey else [None] * n
    stated = [priors.get((oid, parameter)) for oid in ids] if priors else [None] * n
    asked = np.fromiter((a is not None for a in answers), bool, n) if from_survey else np.zeros(n, bool)
    surveyed = (np.fromiter((a is not None and a["n_answers"] >= ENOUGH_ANSWERS for a in answers), bool, n)
                if from_survey else np.zeros(n, bool))
    unwritten = ~surveyed & blank & (not leakage)  # no figure: a stated prior, or refused
    prior = unwritten & np.fromiter((p is not None for p in stated), bool, n) if priors else np.zeros(n, bool)
    unfigured = unwritten & ~prior
    mapped = ~surveyed & ~unwritten  # the map's figure, with its range if one is given
    central = np.where(blank, 0.0, written)  # a blank leakage is 0
    low, low_blank, low_bad = _figures(impact_map, f"{parameter}_low")
    high, high_blank, high_bad = _figures(impact_map, f"{parameter}_high")
    shapes = np.array(_shapes(impact_map, f"{parameter}_dist"), dtype=object)
    ranged = mapped & ~low_blank & ~high_blank & (shapes != "fixed")
    kinds = np.where(shapes == "", "pert", shapes)
    finite = np.isfinite(central)
    refused = mapped & ~ranged & ~finite
    with np.errstate(invalid="ignore"):
        refused |= ranged & (~np.isin(kinds, RANGE_KINDS) | low_bad | high_bad | bad | ~finite | ~np.isfinite(low)
                             | ~np.isfinite(high) | ~(low <= central) | ~(central <= high))
    refused |= unfigured | bad  # a figure that is no number is refused wherever it is read
    ok = ~refused
    varying = ranged & ok & (low != high)  # a zero-width range is the fixed figure

    level = np.full(n, "figure", dtype=object)
    kind = np.full(n, "fixed", dtype=object)
    out_low, out_mode, out_high = central.copy(), central.copy(), central.copy()
    mean, p5, p95 = central.copy(), central.copy(), central.copy()
    description = np.empty(n, dtype=object)
    evidence = np.full(n, "central value (no range)", dtype=object)
    note = np.full(n, "", dtype=object)
    distribution = np.empty(n, dtype=object)
    few = f"; the survey's answers (fewer than {ENOUGH_ANSWERS}) are shown as indicative and not used"
    note[asked & ~surveyed] = few.lstrip("; ")

    # the map's figures, fixed (no range, a zero-width range or shape "fixed")
    fixed = np.flatnonzero(mapped & ok & ~varying)
    made: dict[int, ParameterDistribution] = {}
    bits = central.view(np.int64).tolist()  # one object per figure, to the last bit (0.0 is not -0.0)
    for i in fixed[~ranged[fixed]].tolist():
        dist = made.get(bits[i])
        if dist is None:
            dist = made[bits[i]] = ParameterDistribution.fixed(float(central[i]), evidence="central value (no range)")
        distribution[i] = dist
    for i in fixed[ranged[fixed]].tolist():  # a zero-width range keeps its ends and its words
        distribution[i] = dist = ParameterDistribution(str(kinds[i]), float(low[i]), float(central[i]),
                                                       float(high[i]), evidence=f"range {low[i]:g} to {high[i]:g} "
                                                                                f"({kinds[i]})")
        out_low[i], out_high[i], evidence[i] = dist.low, dist.high, dist.evidence
    description[fixed] = [f"fixed at {v:g}" for v in central[fixed].tolist()]

    # typed ranges: the mean and exact percentiles of each shape, column-wise
    for shape in RANGE_KINDS:
        rows = np.flatnonzero(varying & (kinds == shape))
        if not len(rows):
            continue
        a, c, b = low[rows], central[rows], high[rows]
        level[rows], kind[rows] = "range", shape
        out_low[rows], out_mode[rows], out_high[rows] = a, c, b
        mean[rows] = range_means(shape, a, c, b)
        quantiles = range_quantiles(shape, a, c, b, QUANTILES)
        p5[rows], p95[rows] = quantiles[:, 0], quantiles[:, 1]
        words = {"uniform": "uniform", "triangular": "triangular", "pert": "PERT"}[shape]
        likely = shape != "uniform"
        triples = list(zip(a.tolist(), c.tolist(), b.tolist()))
        shown = [(f"{lo:g}", f"{mo:g}", f"{hi:g}") for lo, mo, hi in triples]  # each figure written once
        said = [f"range {lo} to {hi} ({shape})" for lo, _, hi in shown]
        evidence[rows] = said
        description[rows] = [f"{words} from {lo} to {hi}" + (f", most likely {mo}" if likely else "")
                             for lo, mo, hi in shown]
        distribution[rows] = [ParameterDistribution(shape, lo, mo, hi, evidence=given)
                              for (lo, mo, hi), given in zip(triples, said)]
        note[rows] = [f"the mean of the range given is used ({f'most likely {mo}, ' if likely else ''}from {lo} "
                      f"to {hi}), so the headline is the expected value of the estimate"
                      + (few if asked[i] else "") for (lo, mo, hi), i in zip(shown, rows.tolist())]

    # survey means and stated priors: few, each from its own distribution
    for i in np.flatnonzero(surveyed | prior).tolist():
        if surveyed[i]:
            found = answers[i]
            dist = found["distribution"]
            if dist.kind == "fixed":  # a prior of weight 1
                level[i] = found["prior_label"]
                note[i] = f"the stated {found['prior_label']} is given full weight over the survey"
            else:
                level[i] = "survey"
                note[i] = (f"the mean of {found['n_answers']} survey answers is used: answers from people who "
                           "know the outcome are stronger evidence than one written figure")
        else:
            given = stated[i]
            dist = ParameterDistribution.fixed(given.value, evidence=f"{given.label} {given.value:.1%}"
                                               + (f" ({given.source})" if given.source else ""))
            level[i], note[i] = given.label, f"no figure was given, so the {given.label} is used"
        distribution[i], kind[i], description[i], evidence[i] = dist, dist.kind, dist.describe(), dist.evidence
        out_low[i], out_mode[i], out_high[i], mean[i] = dist.low, dist.mode, dist.high, float(dist.mean())
        p5[i], p95[i] = (float(v) for v in dist.quantile(QUANTILES))

    n_answers = np.zeros(n, np.int64)
    survey_mean = np.full(n, math.nan)
    for i in np.flatnonzero(asked).tolist():
        n_answers[i], survey_mean[i] = int(answers[i]["n_answers"]), float(answers[i]["mean"])
    return _Column(level=level, written=np.where(blank, 0.0 if leakage else math.nan, written), central=mean,
                   p5=p5, p95=p95, kind=kind, low=out_low, most_likely=out_mode, high=out_high,
                   description=description, evidence=evidence, n_answers=n_answers, survey_mean=survey_mean,
                   note=note, distribution=distribution, refused=refused, unfigured=unfigured)


def _refuse(impact_map: pd.DataFrame, ids: list[str], columns: list[_Column]) -> None:
    """Raise for the first refused figure in map order then ``PARAMETERS`` order (the
    order a reader meets them): no figure and nothing else, or a range that is no
    distribution (:meth:`ParameterDistribution.from_row` says why)."""
    refused = np.stack([c.refused for c in columns], axis=1)
    for i, j in zip(*np.nonzero(refused)):
        parameter = PARAMETERS[j]
        if columns[j].unfigured[i]:
            raise ValueError(f"outcome {ids[i]}: {parameter} has no figure, no range and no survey; "
                             "give a figure (nothing is guessed)")
        ParameterDistribution.from_row(records(impact_map.iloc[[i]])[0], parameter)


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

    Notes
    -----
    The rule is applied column by column (one parameter of every outcome at once), each
    figure exactly as :class:`svlib.uncertainty.distributions.ParameterDistribution` gives
    its mean and percentiles; a refused figure is reported at the first outcome, in map
    order, then the first parameter in ``PARAMETERS`` order.
    """
    from_survey, warnings = _survey_rows(impact_map, survey, priors)
    ids = [str(v) for v in column_values(impact_map, "outcome_id")] if len(impact_map) else []
    if not ids:
        table = pd.DataFrame.from_records([], columns=list(COLUMNS))
        return Estimates(written=impact_map, table=table, warnings=tuple(warnings))
    given = dict(priors or {})
    columns = [_parameter(impact_map, p, ids, from_survey, given) for p in PARAMETERS]
    if any(c.refused.any() for c in columns):
        _refuse(impact_map, ids, columns)
    width = len(PARAMETERS)
    table = pd.DataFrame({
        "outcome_id": np.repeat(np.array(ids, dtype=object), width),
        "parameter": np.tile(np.array(PARAMETERS, dtype=object), len(ids)),
        **{name: np.stack([getattr(c, name) for c in columns], axis=1).reshape(-1) for name in COLUMNS[2:]},
    }, columns=list(COLUMNS))
    return Estimates(written=impact_map, table=table, warnings=tuple(warnings))


def estimates_of(impact_map: pd.DataFrame, survey: pd.DataFrame | None = None,
                 priors: Mapping[tuple[str, str], Prior] | None = None,
                 estimated: Estimates | None = None) -> Estimates:
    """:func:`estimates` of ``impact_map``, or ``estimated`` when the caller has them already.

    ``estimated`` must have been worked out from this very map (``estimated.written is
    impact_map``); ``survey`` and ``priors`` are then not read again: they are the ones
    ``estimated`` was worked out with.

    Raises
    ------
    ValueError
        ``estimated`` was worked out from another map: its figures would silently be that map's.
    """
    if estimated is None:
        return estimates(impact_map, survey, priors)
    if estimated.written is not impact_map:
        raise ValueError("estimated= holds the estimates of another impact map: pass the estimates of this map "
                         "(estimates(impact_map, survey, priors)), or none")
    return estimated


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
