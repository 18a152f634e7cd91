"""Which estimates matter: tornado, switching values, Sobol indices and survey effort.

Every figure here is an SROI ratio (GBP of social value per GBP invested) computed with
:class:`svlib.valuation.sroi.ValueModel`, the engine behind
:func:`svlib.valuation.sroi.value_map` and the Monte Carlo, on the map at the central values
of :func:`svlib.uncertainty.estimates.estimates`; all of them cover the parameters the
Monte Carlo varies (survey-estimated deflators and typed ranges), so they tell one story.

Notes
-----
Tornado: one uncertain parameter of one outcome at a time, from the 5th to the 95th
percentile of its own distribution, with everything else at its central value;
``swing = |ratio_at_p95 − ratio_at_p5|``, beside the parameter's exact first-order share of
the ratio's variance.

Switching values (Cabinet Office 2012, stage 5: "how much would a figure have to change
for the ratio to fall to 1:1"), solved in closed form where present value is linear in
the figure. For outcome ``i`` with present value ``PV_i`` and ``PV_rest = PV − PV_i``::

    deflator f (deadweight, displacement, attribution, leakage):
        PV_i(f) = B_i (1 − f),  B_i = PV_i at f = 0   ->  f* = 1 − (T − PV_rest) / B_i
    quantity or proxy x:
        PV_i(x) = C_i x,        C_i = PV_i at x = 1   ->  x* = (T − PV_rest) / C_i
    drop-off: PV_i = I_i Σ_m c_m (1 − d)^m falls monotonically with drop-off d; the
        root of that polynomial in [0, 1], by bisection (it is monotone there).

with ``T = target × investment``. "All outcomes" sets a deflator or drop-off to the same
value in every outcome (``f* = 1 − T / Σ B_i``); for quantity and proxy, whose units
differ between outcomes, it scales every outcome's figure by one multiplier
(``k* = T / PV``). A value outside the valid range (fractions 0-1, quantities >= 0; a proxy may be
negative, a harm) is reported as "not reachable". A negative outcome (a negative proxy)
has ``B_i, C_i < 0``: the same closed forms hold.

Sobol indices: variance-based, first-order ``S1`` and total-order ``ST`` for groups of
parameters, estimated with SALib (Saltelli 2002 sampling on a scrambled Sobol sequence;
Jansen 1999 / Saltelli et al. 2010 estimators), ``n × (groups + 2)`` model runs, with
bootstrap 95% confidence intervals. Each uncertain parameter is sampled on [0, 1] and
mapped through its own distribution's inverse (:mod:`svlib.uncertainty.distributions`); parameters
without a range stay fixed; groups without an uncertain parameter are omitted.

Exact indices (``method="exact"``). Present value is a sum over outcomes of products of
independent factors, ``PV = Σ_i Π_k X_ik`` (quantity, proxy, ``1 −`` each deflator and
leakage, and the present value factor of drop-off; :func:`svlib.uncertainty.montecarlo.factor_moments`),
and the ratio is ``PV / investment``. For such a model the variances in Sobol indices
have a closed form (Sobol' 1993; Saltelli et al. 2008, ch. 4). With ``μ = E[X]``,
``v = Var X``, and for a group ``G`` of factors ``W_i = Var(Π_{k in G} X_ik)
= Π_{k in G} (μ² + v) − Π_{k in G} μ²``::

    V     = Σ_i Var(Π_k X_ik)                                (variance of PV)
    S1_G  = Σ_i Π_{k not in G} μ_ik²        × W_i / V        (Var E[PV | X_G])
    ST_G  = Σ_i Π_{k not in G} (μ_ik² + v_ik) × W_i / V      (E Var[PV | X_not G])

Products of ``1 + v/μ²`` go through ``expm1``/``log1p`` so narrow ranges keep their
precision. The moments are those of the 4,096 equally likely values
:func:`svlib.uncertainty.montecarlo.simulate` draws from, so these are the indices of the simulated
model with no sampling error; a test checks them against SALib's estimates. As in the
SALib path, a single group holding every uncertain factor has ``S1 = ST = 1``; with no
variance at all every share is 0.

References
----------
Sobol', I.M. (1993) Sensitivity estimates for nonlinear mathematical models, Mathematical
Modelling and Computational Experiments 1, 407-414.
Cabinet Office (2012) A guide to Social Return on Investment, stage 5 (sensitivity analysis).
Saltelli, A. et al. (2008) Global Sensitivity Analysis: The Primer, Wiley.
Saltelli, A. et al. (2010) Variance based sensitivity analysis of model output, Computer
Physics Communications 181, 259-270.
Herman, J. and Usher, W. (2017) SALib: an open-source Python library for sensitivity
analysis, Journal of Open Source Software 2(9), 97.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import pandas as pd

from svlib.contract.tables import FRACTION_PARAMETERS, PARAMETERS
from svlib.core.frames import records
from svlib.uncertainty.deflators import Prior
from svlib.uncertainty.estimates import LEVELS, Estimates, estimates_of
from svlib.uncertainty.montecarlo import factor_moments
from svlib.valuation.sroi import (
    Conventions,
    Investment,
    ValueModel,
    present_value_factor_coefficients,
    year_one_impact,
)

GROUP_NAMES: dict[str, str] = {
    "deadweight": "deadweights",
    "displacement": "displacements",
    "attribution": "attributions",
    "drop_off": "drop-offs",
    "proxy_value": "proxies",
    "quantity": "quantities",
    "leakage": "leakages",
}
"""Sobol group of each parameter (all outcomes together)."""

PLAIN_NAMES: dict[str, str] = {
    "quantity": "quantity",
    "proxy_value": "proxy value",
    "deadweight": "deadweight",
    "displacement": "displacement",
    "attribution": "attribution",
    "drop_off": "drop-off",
    "leakage": "leakage",
}

ALL_OUTCOMES = "all outcomes"


def _sums_without_each(values: np.ndarray) -> np.ndarray:
    """For each element, the sum of all the others (prefix and suffix sums, so no total
    is subtracted from: no cancellation when one element dominates)."""
    before = np.concatenate(([0.0], np.cumsum(values)[:-1]))
    after = np.concatenate((np.cumsum(values[::-1])[::-1][1:], [0.0]))
    return before + after


def tornado(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    survey: pd.DataFrame | None = None,
    priors: Mapping[tuple[str, str], Prior] | None = None,
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of the SROI ratio to every uncertain parameter.

    The parameters are those the Monte Carlo varies (:func:`svlib.uncertainty.estimates.estimates`:
    survey-estimated deflators, typed ranges). Each moves from the 5th to the 95th
    percentile of its own distribution with everything else at its central value, so
    every bar spans the same 90% of its evidence and a small change looks small.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        A resolved impact map as written.
    investment : float
        GBP.
    conventions : Conventions
    survey, priors, estimated : optional
        As for :func:`svlib.uncertainty.montecarlo.simulate` (``estimated``: this map's
        estimates when the caller has them, not worked out again; survey and priors are then
        not read: :func:`~svlib.uncertainty.estimates.estimates_of`).

    Returns
    -------
    pandas.DataFrame
        ``parameter, outcome_id, level, low_value, high_value`` (the parameter's p5 and
        p95), ``ratio_at_low, ratio_at_high``, ``change_at_low, change_at_high`` (minus the
        base ratio, in ratio units), ``swing = |ratio_at_high − ratio_at_low|``, ``share``
        (the share of the ratio's variance this parameter explains alone: its exact
        first-order Sobol index) and ``label``, largest swing first.
        ``attrs["base_ratio"]`` is the headline ratio (the map at its central values).
    """
    return _tornado(estimates_of(impact_map, survey, priors, estimated), investment, conventions)


def _tornado(found: Estimates, investment: float | Investment, conventions: Conventions) -> pd.DataFrame:
    model = ValueModel(found.central_map(), investment, conventions)
    columns = ["parameter", "outcome_id", "level", "low_value", "high_value", "ratio_at_low", "ratio_at_high",
               "change_at_low", "change_at_high", "swing", "share", "label"]
    ranges = found.uncertain
    base = float(model.ratios()[0])
    frame = pd.DataFrame(columns=columns)
    frame.attrs.update(base_ratio=base, investment=model.investment)  # its present value, the denominator
    if ranges.empty:
        return frame
    # An outcome's present value depends on its own parameters only, so moving one of them
    # changes the total by that outcome's change: for each parameter, every outcome's value
    # at the low and at the high end of its own range (two scenarios, not two per range),
    # added to the others' total (memory and time in proportion to the outcomes).
    outcome_pv = model.outcome_values()[0][:, 0]
    others = _sums_without_each(outcome_pv)
    row_of = {oid: i for i, oid in enumerate(model.outcome_ids)}
    rows = np.array([row_of[o] for o in ranges["outcome_id"]], np.intp)
    ratios = np.empty((len(ranges), 2))
    for p in dict.fromkeys(ranges["parameter"]):
        at = np.flatnonzero(ranges["parameter"].to_numpy() == p)
        ends = np.repeat(model.central[p][:, None], 2, axis=1)
        ends[rows[at], 0] = ranges["p5"].to_numpy(float)[at]
        ends[rows[at], 1] = ranges["p95"].to_numpy(float)[at]
        moved = model.outcome_values({p: ends})[0][rows[at]]
        ratios[at] = (others[rows[at], None] + moved) / model.investment
    shares = _exact_shares(model, found.table, lambda o, p: (o, p))
    frame = pd.DataFrame({
        "parameter": ranges["parameter"],
        "outcome_id": ranges["outcome_id"],
        "level": ranges["level"],
        "low_value": ranges["p5"],
        "high_value": ranges["p95"],
        "ratio_at_low": ratios[:, 0],
        "ratio_at_high": ratios[:, 1],
        "change_at_low": ratios[:, 0] - base,
        "change_at_high": ratios[:, 1] - base,
    })
    frame["swing"] = (frame["ratio_at_high"] - frame["ratio_at_low"]).abs()
    first = dict(zip(shares["group"], shares["S1"]))
    frame["share"] = [first.get((o, p), 0.0) for o, p in zip(frame["outcome_id"], frame["parameter"])]
    frame["label"] = [f"{oid} {PLAIN_NAMES[p]} ({_show(p, lo)} to {_show(p, hi)}, {LEVELS[level]})"
                      for oid, p, lo, hi, level in zip(frame["outcome_id"], frame["parameter"], frame["low_value"],
                                                       frame["high_value"], frame["level"])]
    frame = frame.sort_values("swing", ascending=False, kind="mergesort").reset_index(drop=True)
    frame.attrs.update(base_ratio=base, investment=model.investment)  # its present value, the denominator
    return frame


def _show(parameter: str, value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if parameter == "proxy_value":
        return f"{'-' if value < 0 else ''}£{abs(value):,.2f}"  # a harm: -£500.00
    if parameter == "quantity":
        return f"{value:,.4g}"
    return f"{value:.1%}"


def _unit(parameter: str, scope: str) -> str:
    if parameter in ("quantity", "proxy_value") and scope == ALL_OUTCOMES:
        return "multiplier of every outcome's figure"
    return {"quantity": "people or units", "proxy_value": "GBP per unit per year"}.get(parameter, "fraction")


def switching_values(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    target: float = 1.0,
    survey: pd.DataFrame | None = None,
    priors: Mapping[tuple[str, str], Prior] | None = None,
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """The value of each deflator, drop-off, proxy and quantity that brings the ratio to
    ``target`` (1.0 means 1:1), per outcome and for all outcomes at once, from the
    headline (every parameter at its central value, :mod:`svlib.uncertainty.estimates`).

    Parameters
    ----------
    impact_map : pandas.DataFrame
        A resolved impact map as written.
    investment : float
        GBP.
    conventions : Conventions
    target : float
        The ratio to reach (GBP of value per GBP invested).
    survey, priors, estimated : optional
        As for :func:`svlib.uncertainty.montecarlo.simulate` (``estimated``: this map's
        estimates when the caller has them, not worked out again; survey and priors are then
        not read: :func:`~svlib.uncertainty.estimates.estimates_of`).

    Returns
    -------
    pandas.DataFrame
        ``parameter, outcome_id, level, uncertain, current_value, switching_value,
        change, reachable, result, unit, explanation``; ``current_value`` is the central
        value, ``level`` its evidence (:data:`svlib.uncertainty.estimates.LEVELS`; blank
        for "all outcomes" rows) and ``uncertain`` whether the simulation varies it. ``switching_value`` is NaN and ``result`` "not reachable" when
        no valid value reaches the target. For "all outcomes" rows of a deflator or
        drop-off, ``current_value`` is the average of the outcomes' current values; for
        quantity and proxy it is the multiplier 1.
    """
    if not target > 0:
        raise ValueError("the target ratio must be positive")
    found = estimates_of(impact_map, survey, priors, estimated)
    model = ValueModel(found.central_map(), investment, conventions)
    evidence = {(o, p): (level, kind != "fixed") for o, p, level, kind in
                zip(found.table["outcome_id"], found.table["parameter"], found.table["level"], found.table["kind"])}
    goal = target * model.investment
    outcome_pv = model.outcome_values()[0][:, 0]
    total = float(model.total(outcome_pv[:, None])[0])
    rest = total - outcome_pv
    size = model.size
    rows: list[dict] = []

    def add(parameter: str, outcome: str, current: float, value: float | None) -> None:
        reachable = value is not None and bool(np.isfinite(value))
        multiplier = parameter in ("quantity", "proxy_value") and outcome == ALL_OUTCOMES
        if not reachable:
            value, result = None, "not reachable"
        else:
            result = f"× {value:.4g}" if multiplier else _show(parameter, value)
        level, uncertain = evidence.get((outcome, parameter), ("", False))
        rows.append({
            "parameter": parameter, "outcome_id": outcome, "level": level, "uncertain": uncertain,
            "current_value": current,
            "switching_value": float(value) if reachable else np.nan,
            "change": float(value) - current if reachable else np.nan,
            "reachable": reachable,
            "result": result,
            "unit": _unit(parameter, outcome),
            "explanation": _explain(parameter, outcome, current, value, target, total / model.investment),
        })

    for p in PARAMETERS:
        current = model.central[p]
        if p in ("deadweight", "displacement", "attribution", "leakage"):
            at_zero = model.outcome_values({p: np.zeros(size)})[0][:, 0]   # B_i
            for i in range(size):  # B_i < 0 for a negative outcome: the same line, falling the other way
                value = 1.0 - (goal - rest[i]) / at_zero[i] if at_zero[i] != 0 else None
                add(p, model.outcome_ids[i], float(current[i]), value if value is not None and 0 <= value <= 1 else None)
            whole = float(model.total(at_zero[:, None])[0])
            value = 1.0 - goal / whole if whole > 0 else None
            add(p, ALL_OUTCOMES, float(np.mean(current)), value if value is not None and 0 <= value <= 1 else None)
        elif p in ("quantity", "proxy_value"):
            per_unit = model.outcome_values({p: np.ones(size)})[0][:, 0]    # C_i
            for i in range(size):  # C_i < 0 for a negative proxy; a quantity stays >= 0, a proxy may take any sign
                value = (goal - rest[i]) / per_unit[i] if per_unit[i] != 0 else None
                valid = value is not None and (value >= 0 or p == "proxy_value")
                add(p, model.outcome_ids[i], float(current[i]), value if valid else None)
            add(p, ALL_OUTCOMES, 1.0, goal / total if total > 0 else None)
        else:  # drop_off: PV_i is a polynomial in keep = 1 − drop-off with non-negative coefficients
            c = model.columns()
            impact = year_one_impact(c["quantity"], c["proxy_value"], c["deadweight"], c["displacement"],
                                     c["attribution"], c["leakage"])
            polynomials = impact * present_value_factor_coefficients(
                model.duration, model.start_year, model.outcome_factors, model.conventions.dropoff_from)
            for i in range(size):
                gap = polynomials[i].copy()
                gap[0] += rest[i] - goal
                add(p, model.outcome_ids[i], float(current[i]), _dropoff_root(gap))
            gap = polynomials.sum(axis=0)
            gap[0] -= goal
            add(p, ALL_OUTCOMES, float(np.mean(current)), _dropoff_root(gap))
    frame = pd.DataFrame(rows)
    frame.attrs["base_ratio"] = total / model.investment
    frame.attrs["target"] = target
    return frame


def _dropoff_root(gap: np.ndarray) -> float | None:
    """The drop-off in [0, 1] where ``Σ_m gap[m] (1 − drop_off)^m`` is zero, or None if it
    does not change sign there. For one outcome the terms ``gap[1:]`` share the sign of its
    impact (all >= 0, or all <= 0 for a negative outcome), so the polynomial is monotone
    in ``keep = 1 − drop_off`` and bisection on ``keep`` finds the root to the last bit
    (about 60 halvings); with every outcome at once a sign change still brackets a root.
    Values within ``1e-12`` of the scale of the terms count as zero, so a target equal to
    the current ratio is reached at drop-off 0."""
    gap = np.asarray(gap, float)
    if np.polynomial.Polynomial(gap)(0.0) > 0:  # falling as keep rises (a negative outcome): turn it round
        gap = -gap
    poly = np.polynomial.Polynomial(gap)
    tolerance = 1e-12 * float(np.sum(np.abs(gap)))
    at_zero, at_one = poly(0.0), poly(1.0)  # keep = 0 is drop-off 1; keep = 1 is drop-off 0
    if abs(at_one) <= tolerance:
        return 0.0
    if abs(at_zero) <= tolerance:
        return 1.0
    if at_zero * at_one > 0:
        return None
    low, high = 0.0, 1.0  # poly(low) < 0 < poly(high)
    while True:
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        if poly(middle) < 0:
            low = middle
        else:
            high = middle
    keep = low if abs(poly(low)) <= abs(poly(high)) else high
    return 1.0 - keep


def _explain(parameter: str, outcome: str, current: float, value: float | None, target: float, base: float) -> str:
    name = PLAIN_NAMES[parameter]
    where = "every outcome" if outcome == ALL_OUTCOMES else outcome
    goal = f"{target:g}:1"
    if value is None:
        direction = "above" if base > target else "below"
        valid = {"quantity": "of zero or more", "proxy_value": ""}.get(parameter, "between 0% and 100%")
        return f"No {name}{' ' + valid if valid else ''} for {where} brings the ratio to {goal}; it stays {direction} {goal}."
    if parameter in ("quantity", "proxy_value") and outcome == ALL_OUTCOMES:
        return (f"The ratio reaches {goal} if every outcome's {name} is multiplied by {value:.4g} "
                f"({value - 1:+.1%}).")
    now = "the average now" if outcome == ALL_OUTCOMES else "now"
    return (f"The ratio reaches {goal} if the {name} for {where} is {_show(parameter, value)} "
            f"({now}: {_show(parameter, current)}).")


# --- Sobol indices --------------------------------------------------------------------
def _sobol(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions,
    group_of: Callable[[str, str], str],
    n: int,
    seed: int,
    survey: pd.DataFrame | None,
    priors: Mapping[tuple[str, str], Prior] | None,
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """Grouped Sobol indices of the SROI ratio; one row per group with an uncertain parameter."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if n < 2 or n & (n - 1):
        raise ValueError("n must be a power of two (the Sobol sequence's balance properties need it)")
    columns = ["group", "parameters", "S1", "S1_conf", "ST", "ST_conf"]
    found = estimates_of(impact_map, survey, priors, estimated)
    model = ValueModel(found.central_map(), investment, conventions)
    uncertain = found.uncertain
    if uncertain.empty:
        return pd.DataFrame(columns=columns)
    groups = [group_of(o, p) for o, p in zip(uncertain["outcome_id"], uncertain["parameter"])]
    names = [f"{o}:{p}" for o, p in zip(uncertain["outcome_id"], uncertain["parameter"])]
    order = list(pd.unique(np.array(groups, dtype=object)))
    counts = pd.Series(groups).value_counts()
    if len(order) == 1:  # everything uncertain is in one group: it explains all the variance
        frame = pd.DataFrame({"group": order, "parameters": [int(counts[order[0]])], "S1": [1.0], "S1_conf": [0.0],
                              "ST": [1.0], "ST_conf": [0.0]})
        frame.attrs.update(n=n, seed=seed, evaluations=0)
        return frame
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names), "groups": groups}
    unit = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    runs = len(unit)
    index = {oid: i for i, oid in enumerate(model.outcome_ids)}
    values: dict[str, np.ndarray] = {}
    for j, row in enumerate(uncertain.itertuples(index=False)):
        if row.parameter not in values:
            values[row.parameter] = np.repeat(model.central[row.parameter][:, None], runs, axis=1)
        values[row.parameter][index[row.outcome_id]] = row.distribution.from_uniform(unit[:, j])
    ratio = model.ratios(values)
    # SALib reads a seed of 0 as "no seed" (``if seed:``) and bootstraps the confidence
    # intervals unseeded; a SeedSequence is always taken, and gives the generator
    # ``default_rng(seed)`` gives for every other seed, so seed 0 is as reproducible
    indices = sobol_analyze.analyze(problem, ratio, calc_second_order=False, num_resamples=100, conf_level=0.95,
                                    print_to_console=False, seed=np.random.SeedSequence(seed))
    frame = pd.DataFrame({
        "group": order,
        "parameters": [int(counts[g]) for g in order],
        "S1": np.asarray(indices["S1"], float),
        "S1_conf": np.asarray(indices["S1_conf"], float),
        "ST": np.asarray(indices["ST"], float),
        "ST_conf": np.asarray(indices["ST_conf"], float),
    })
    frame.attrs.update(n=n, seed=seed, evaluations=runs, ratio_variance=float(np.var(ratio, ddof=1)))
    return frame


def _exact_sobol(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions,
    group_of: Callable[[str, str], object],
    survey: pd.DataFrame | None,
    priors: Mapping[tuple[str, str], Prior] | None,
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """Grouped Sobol indices of the SROI ratio computed exactly from each factor's mean
    and variance (see the module notes, "Exact indices"); ``*_conf`` are 0."""
    found = estimates_of(impact_map, survey, priors, estimated)
    return _exact_shares(ValueModel(found.central_map(), investment, conventions), found.table, group_of)


def _exact_shares(model: ValueModel, table: pd.DataFrame, group_of: Callable[[str, str], object]) -> pd.DataFrame:
    """:func:`_exact_sobol` for a model at the central values and its estimates table."""
    uncertain = table[table["kind"] != "fixed"]
    columns = ["group", "parameters", "S1", "S1_conf", "ST", "ST_conf"]
    if uncertain.empty:
        frame = pd.DataFrame(columns=columns)
        frame.attrs.update(method="exact", evaluations=0, ratio_variance=0.0)
        return frame
    mean, variance = factor_moments(model, table)
    mean_square = mean * mean
    column = {p: j for j, p in enumerate(PARAMETERS)}
    row = {oid: i for i, oid in enumerate(model.outcome_ids)}
    members: dict[str, list[tuple[int, int]]] = {}
    for oid, p in zip(uncertain["outcome_id"], uncertain["parameter"]):
        members.setdefault(group_of(oid, p), []).append((row[oid], column[p]))
    total = float(np.sum(_product_variance(mean_square, variance, np.ones(mean.shape, bool))))
    rows = []
    for group, cells in members.items():
        # only the group's own outcomes: every other outcome's share of it is zero (so the
        # work is in proportion to the group's size, not to the map's)
        at, local = np.unique(np.array(cells)[:, 0], return_inverse=True)
        chosen = np.zeros((len(at), mean.shape[1]), bool)
        chosen[local, np.array(cells)[:, 1]] = True
        square, spread = mean_square[at], variance[at]
        inside = _product_variance(square, spread, chosen)  # Var of the group's product, per outcome
        outside_mean = np.prod(np.where(chosen, 1.0, square), axis=1)
        outside_square = np.prod(np.where(chosen, 1.0, square + spread), axis=1)
        if len(members) == 1:
            first = whole = 1.0  # one group holds every uncertain factor (as the SALib path reports)
        elif total > 0:
            first = float(np.sum(outside_mean * inside)) / total
            whole = float(np.sum(outside_square * inside)) / total
        else:
            first = whole = 0.0  # no variance to share out (every uncertain factor multiplied by zero)
        rows.append({"group": group, "parameters": len(cells), "S1": first, "S1_conf": 0.0, "ST": whole,
                     "ST_conf": 0.0})
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update(method="exact", evaluations=0, ratio_variance=total / model.investment**2)
    return frame


def _product_variance(mean_square: np.ndarray, variance: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Per outcome (row), the variance of the product of its independent factors marked in
    ``chosen``: ``Π (μ² + v) − Π μ²``, computed as ``Π μ² × expm1(Σ log1p(v / μ²))`` when
    no chosen mean is zero, so that narrow ranges do not cancel."""
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(chosen, variance / mean_square, 0.0)
        scale = np.prod(np.where(chosen, mean_square, 1.0), axis=1)
        direct = np.prod(np.where(chosen, mean_square + variance, 1.0), axis=1) - scale
        stable = scale * np.expm1(np.sum(np.log1p(relative), axis=1))
    any_zero = np.any(chosen & (mean_square == 0.0), axis=1)
    return np.where(any_zero, direct, stable)


SOBOL_METHODS: tuple[str, ...] = ("exact", "saltelli")
"""``exact``: closed form from each factor's moments; ``saltelli``: SALib's estimates."""


def _grouped_sobol(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions,
    group_of: Callable[[str, str], str],
    n: int,
    seed: int,
    survey: pd.DataFrame | None,
    priors: Mapping[tuple[str, str], Prior] | None,
    method: str,
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """Grouped Sobol indices by ``method`` (``SOBOL_METHODS``), labelled in ``attrs["method"]``."""
    if method not in SOBOL_METHODS:
        raise ValueError(f"method must be one of: {', '.join(SOBOL_METHODS)}")
    if method == "exact":
        return _exact_sobol(impact_map, investment, conventions, group_of, survey, priors, estimated)
    frame = _sobol(impact_map, investment, conventions, group_of, n, seed, survey, priors, estimated)
    frame.attrs["method"] = "saltelli"
    return frame


def sobol_indices(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    n: int = 1024,
    seed: int = 0,
    survey: pd.DataFrame | None = None,
    priors: Mapping[tuple[str, str], Prior] | None = None,
    method: str = "saltelli",
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices of the SROI ratio for groups of parameters:
    deadweights, displacements, attributions, drop-offs, proxies, quantities, leakages
    (each group: that parameter in every outcome).

    Parameters
    ----------
    impact_map : pandas.DataFrame
    investment : float
        GBP.
    conventions : Conventions
    n : int
        Base sample size (a power of two); the model runs ``n × (groups + 2)`` times.
    seed : int
        Seeds the scrambled Sobol sequence and the bootstrap.
    survey, priors, estimated : optional
        As for :func:`svlib.uncertainty.montecarlo.simulate` (``estimated``: this map's
        estimates when the caller has them, not worked out again; survey and priors are then
        not read: :func:`~svlib.uncertainty.estimates.estimates_of`).
    method : {"saltelli", "exact"}
        ``saltelli``: SALib's sampling estimates (``n`` and ``seed`` used); ``exact``: the
        closed form for this model (module notes), with no sampling error.

    Returns
    -------
    pandas.DataFrame
        ``group, parameters, S1, S1_conf, ST, ST_conf`` (``*_conf``: half-width of the
        bootstrap 95% interval; 0 for ``exact``), largest ``ST`` first; groups with no
        uncertain parameter are omitted. ``S1`` is the share of the ratio's variance a
        group explains alone; ``ST`` includes its interactions with other groups.
        ``attrs["method"]`` names the method.
    """
    frame = _grouped_sobol(impact_map, investment, conventions, lambda o, p: GROUP_NAMES[p], n, seed, survey, priors,
                           method, estimated)
    return frame.sort_values("ST", ascending=False, kind="mergesort").reset_index(drop=True) if len(frame) else frame


def survey_effort(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    n: int = 1024,
    seed: int = 0,
    survey: pd.DataFrame | None = None,
    priors: Mapping[tuple[str, str], Prior] | None = None,
    method: str = "saltelli",
    estimated: Estimates | None = None,
) -> pd.DataFrame:
    """Where more survey answers would narrow the SROI ratio most.

    Method: grouped Sobol indices with one group per outcome holding that outcome's
    deflators (deadweight, displacement, attribution, drop-off, leakage), and one group
    holding every other uncertain parameter (quantities and proxies). An outcome's
    **total-order index** ``ST`` is the share of the ratio's variance that would
    disappear, on average, if its deflators were known exactly (Saltelli et al. 2008,
    section 1.2.15, "factor fixing"): the most that better evidence on them could gain.

    Returns
    -------
    pandas.DataFrame
        ``rank, outcome_id, outcome, deflator_share`` (= ``ST``), ``deflator_share_conf``,
        ``S1``, ``advice`` (plain English); outcomes without an uncertain deflator come
        last with share 0.
    """
    others = "quantities and proxies"
    frame = _grouped_sobol(impact_map, investment, conventions,
                           lambda o, p: o if p in FRACTION_PARAMETERS else others, n, seed, survey, priors, method,
                           estimated)
    shares = {g: r for g, r in zip(frame.get("group", []), records(frame))}
    outcomes = impact_map["outcome"] if "outcome" in impact_map else pd.Series([""] * len(impact_map))
    rows = []
    for oid, text in zip(impact_map["outcome_id"].astype(str), outcomes):
        found = shares.get(oid)
        rows.append({
            "outcome_id": oid,
            "outcome": text,
            "deflator_share": float(found["ST"]) if found else 0.0,
            "deflator_share_conf": float(found["ST_conf"]) if found else 0.0,
            "S1": float(found["S1"]) if found else 0.0,
            "uncertain": found is not None,
        })
    result = pd.DataFrame(rows).sort_values(["uncertain", "deflator_share"], ascending=[False, False], kind="mergesort")
    result = result.reset_index(drop=True)
    result.insert(0, "rank", np.arange(1, len(result) + 1))
    result["advice"] = [_advice(r) for r in records(result)]
    result.attrs.update(frame.attrs)
    result.attrs["method"] = ("grouped Sobol total-order index of each outcome's deflators "
                              f"({'exact' if method == 'exact' else 'SALib estimate'})")
    return result.drop(columns="uncertain")


def _advice(row: dict) -> str:
    share, oid = row["deflator_share"], row["outcome_id"]
    if not row["uncertain"]:
        return (f"No range or survey is given for {oid}'s deflators, so the model shows no uncertainty there; "
                "check that their central values are evidenced.")
    size = f"about {share:.0%}" if share >= 0.005 else "less than 1%"
    if row["rank"] == 1 and share >= 0.1:
        lead = "More survey answers here would narrow the result most."
    elif share >= 0.1:
        lead = "More survey answers here would noticeably narrow the result."
    else:
        lead = "Little to gain from more survey answers here."
    return f"{lead} Uncertainty in {oid}'s deflators accounts for {size} of the spread in the SROI ratio."
