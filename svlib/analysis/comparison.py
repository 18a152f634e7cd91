"""Forecast against evaluation: one programme's forecast SROI and its later evaluation, side by side.

Outcomes are matched by ``outcome_id``. Each side is valued as its own report values it: the
map at the central values of its evidence (:func:`svlib.uncertainty.estimates.central_valuation`),
both in the evaluation's price year and under the same conventions, with its own inputs.

What explains the change in present value
-----------------------------------------
For an outcome on both sides, its present value is a function of nine figures,
``PV_i = f(quantity, proxy, deadweight, displacement, attribution, leakage, drop-off, duration,
start year)``. The change ``PV_i(evaluation) − PV_i(forecast)`` is shared among the figures by
their Shapley values: the contribution of figure ``j`` is the average, over every order in which
the figures could move from forecast to achieved, of the change in ``PV_i`` when ``j`` moves::

    φ_j = Σ_{S ⊆ N∖{j}} |S|! (n − |S| − 1)! / n! × [f(S ∪ {j}) − f(S)]

where ``f(S)`` is ``PV_i`` with the figures in ``S`` at their achieved values and the rest at their
forecast ones (Shapley 1953). The contributions of an outcome add up to its change exactly (by
construction, to rounding), do not depend on an arbitrary order, and a figure that did not change
contributes nothing. Figures that did not move are left out of the sums (``n`` counts those that
moved), which gives the same values at a fraction of the work. An outcome on one side only
contributes its whole present value (``parameter`` ``"outcome forecast only"`` or
``"outcome evaluated only"``). The contributions of every outcome add up to the change in the
total present value.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, "Forecast or evaluative SROI".
Shapley, L. S. (1953) A value for n-person games. Contributions to the Theory of Games II, 307-317.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from svlib.analysis.disclosure import small_outcomes
from svlib.contract.tables import PARAMETERS
from svlib.uncertainty.estimates import central_valuation, estimates
from svlib.uncertainty.montecarlo import simulate
from svlib.valuation.sroi import (
    Conventions,
    Investment,
    Valuation,
    present_value_factor,
    year_one_impact,
    yearly_profile,
)

FIGURES: tuple[str, ...] = (*PARAMETERS, "duration", "start_year")
"""The figures of an outcome whose change explains its change in present value."""

FORECAST_ONLY = "outcome forecast only"
EVALUATION_ONLY = "outcome evaluated only"
SMALL_PARTS = "all its figures (withheld: fewer than 5 people)"


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a partner's resolved impact map (proxies in the comparison's
    price year), its inputs and its deflator survey."""

    partner_id: str
    name: str
    purpose: str
    impact_map: pd.DataFrame
    investment: Investment
    survey: pd.DataFrame | None = None
    period: str = ""


@dataclass(frozen=True)
class Comparison:
    """A forecast and its evaluation, valued and set side by side (see the module notes)."""

    forecast: Side
    evaluation: Side
    conventions: Conventions
    forecast_value: Valuation = field(repr=False)
    evaluation_value: Valuation = field(repr=False)
    ranges: dict[str, dict[str, float]] = field(repr=False)
    outcomes: pd.DataFrame = field(repr=False)
    decomposition: pd.DataFrame = field(repr=False)

    @property
    def change_in_present_value(self) -> float:
        return self.evaluation_value.present_value - self.forecast_value.present_value

    @property
    def only_in_forecast(self) -> list[str]:
        return self.outcomes.loc[~self.outcomes["in_evaluation"], "outcome_id"].tolist()

    @property
    def only_in_evaluation(self) -> list[str]:
        return self.outcomes.loc[~self.outcomes["in_forecast"], "outcome_id"].tolist()

    @property
    def small_outcomes(self) -> set[str]:
        """Outcomes of fewer than 5 people on either side
        (:func:`svlib.analysis.disclosure.small_outcomes`)."""
        return {o for side in (self.forecast, self.evaluation) for _, o in small_outcomes(side.impact_map)}

    def shared_decomposition(self) -> pd.DataFrame:
        """The decomposition as a shared page may show it: each outcome of fewer than 5 people
        as one row, ``SMALL_PARTS``, its whole change (public anyway: the difference of two
        present values a page shows). Its per-figure shares, with its two present values, would
        be four equations for its count and value per person."""
        parts = self.decomposition
        whole = parts["parameter"].isin((FORECAST_ONLY, EVALUATION_ONLY))  # a present value alone: public
        hidden = parts["outcome_id"].isin(self.small_outcomes) & ~whole
        kept = parts[~hidden]
        merged = [{"outcome_id": o, "parameter": SMALL_PARTS,
                   "contribution": math.fsum(parts.loc[hidden & (parts["outcome_id"] == o), "contribution"])}
                  for o in dict.fromkeys(parts.loc[hidden, "outcome_id"])]
        return pd.concat([kept, pd.DataFrame(merged, columns=parts.columns)], ignore_index=True)

    def by_parameter(self, shared: bool = False) -> pd.DataFrame:
        """The decomposition added up by figure, largest change first (``shared``: from
        :meth:`shared_decomposition`)."""
        parts = self.shared_decomposition() if shared else self.decomposition
        table = parts.groupby("parameter", sort=False)["contribution"].apply(math.fsum).reset_index()
        return table.reindex(table["contribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)

    def headline_text(self) -> str:
        """Both ratios and the change, rounded, as one line (checked by nbval)."""
        f, e = self.forecast_value, self.evaluation_value
        change = self.change_in_present_value
        return (f"forecast {f.sroi_ratio:.2f} : 1, evaluation {e.sroi_ratio:.2f} : 1; change in present value "
                f"{'-' if change < 0 else ''}£{abs(change):,.0f}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the ``svlib compare --json`` contract)."""

        def side(name: str, s: Side, v: Valuation) -> dict[str, Any]:
            return {"partner_id": s.partner_id, "purpose": s.purpose, "period": s.period,
                    "present_value": v.present_value, "investment": v.investment, "investment_pv": v.investment_pv,
                    "sroi_ratio": v.sroi_ratio, **{k: self.ranges[name][k] for k in ("p5", "p95")}}

        return {
            "forecast": side("forecast", self.forecast, self.forecast_value),
            "evaluation": side("evaluation", self.evaluation, self.evaluation_value),
            "change_in_present_value": self.change_in_present_value,
            "decomposition": [{"outcome_id": str(o), "parameter": str(p), "contribution": float(c)}
                              for o, p, c in self.decomposition[["outcome_id", "parameter", "contribution"]]
                              .itertuples(index=False)],
            "only_in_forecast": self.only_in_forecast,
            "only_in_evaluation": self.only_in_evaluation,
            "outcomes": [{k: _plain(v) for k, v in row.items()} for row in self.outcomes.to_dict("records")],
            "conventions": {k: _plain(v) for k, v in self.conventions.describe().items()},
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def outcome_present_value(values: dict[str, np.ndarray], factors: np.ndarray, dropoff_from: int = 2) -> np.ndarray:
    """Present value of one outcome for each column of ``values`` (every figure of
    :data:`FIGURES` as a ``(1, scenarios)`` array), GBP: the engine's year-1 impact times its
    present value factor (:mod:`svlib.valuation.sroi`)."""
    impact = year_one_impact(values["quantity"], values["proxy_value"], values["deadweight"],
                             values["displacement"], values["attribution"], values["leakage"])
    duration = values["duration"].astype(int)
    start = values["start_year"].astype(int)
    return (impact * present_value_factor(values["drop_off"], duration, start, factors, dropoff_from))[0]


def shapley(before: dict[str, float], after: dict[str, float], factors: np.ndarray,
            dropoff_from: int = 2) -> dict[str, float]:
    """Each figure's Shapley share of one outcome's change in present value (module notes).

    Parameters
    ----------
    before, after : dict of str to float
        The outcome's figures (:data:`FIGURES`) as forecast and as achieved.
    factors : numpy.ndarray
        Discount factors of analysis years 1.. (long enough for both sides' years).

    Returns
    -------
    dict of str to float
        Per figure that moved, GBP; they add up to ``PV(after) − PV(before)``.
    """
    moved = [f for f in FIGURES if not _same(before[f], after[f])]
    n = len(moved)
    if not n:
        return {}
    subsets = [frozenset(c) for k in range(n + 1) for c in combinations(moved, k)]
    index = {s: i for i, s in enumerate(subsets)}
    values = {f: np.array([[after[f] if f in s else before[f] for s in subsets]], float) for f in FIGURES}
    pv = outcome_present_value(values, factors, dropoff_from)
    weights = [math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)]
    shares = {}
    for f in moved:
        terms = [weights[len(s)] * (pv[index[s | {f}]] - pv[index[s]]) for s in subsets if f not in s]
        shares[f] = math.fsum(terms)
    return shares


def _same(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def compare(forecast: Side, evaluation: Side, conventions: Conventions, draws: int = 2000,
            seed: int = 0) -> Comparison:
    """Set a forecast and its evaluation side by side (module notes).

    Parameters
    ----------
    forecast, evaluation : Side
        Resolved in the same price year (``conventions.price_year``).
    conventions : Conventions
        For both sides.
    draws, seed : int
        Monte Carlo draws for each side's likely range (:func:`svlib.uncertainty.montecarlo.simulate`).

    Returns
    -------
    Comparison
    """
    sides = (forecast, evaluation)
    central = [estimates(s.impact_map, s.survey).central_map() for s in sides]
    values = [central_valuation(s.impact_map, s.investment, conventions, s.survey) for s in sides]
    ranges = {}
    for name, s in zip(("forecast", "evaluation"), sides):  # by side: the two may share a partner_id
        summary = simulate(s.impact_map, s.investment, conventions, draws=draws, seed=seed, survey=s.survey).summary()
        ranges[name] = {"p5": summary["sroi_ratio"]["p5"], "p95": summary["sroi_ratio"]["p95"]}
    rows = [{c: r for c, r in row.items()} for row in central[0].to_dict("records")]
    before = {str(r["outcome_id"]): r for r in rows}
    after = {str(r["outcome_id"]): r for r in central[1].to_dict("records")}
    pv_before = dict(zip(map(str, values[0].impact_map["outcome_id"]), values[0].outcome_present_value))
    pv_after = dict(zip(map(str, values[1].impact_map["outcome_id"]), values[1].outcome_present_value))
    # a Shapley scenario may pair one side's start with the other's duration: years for both at their latest
    horizon = int(max((m["start_year"].fillna(1) if "start_year" in m else pd.Series([1])).max() for m in central)
                  + max(m["duration"].max() for m in central) - 1)
    factors = conventions.factors(horizon)
    # an outcome valued year by year (a yearly series: the carbon values) carries its years' values in its
    # factors, from the evaluation where it has them (the same as the forecast's when both start alike)
    yearly: dict[str, np.ndarray] = {}
    for m in central:
        for oid, profile in zip(map(str, m["outcome_id"]), yearly_profile(m, len(factors))):
            if (profile != 1.0).any():
                yearly[oid] = factors * profile
    order = list(before) + [o for o in after if o not in before]
    table, parts = [], []
    for oid in order:
        b, a = before.get(oid), after.get(oid)
        row: dict[str, Any] = {"outcome_id": oid, "outcome": (a or b).get("outcome", ""),
                               "in_forecast": b is not None, "in_evaluation": a is not None}
        for f in FIGURES:
            row[f"{f}_forecast"] = _figure(b, f)
            row[f"{f}_evaluation"] = _figure(a, f)
        row["present_value_forecast"] = pv_before.get(oid, 0.0)
        row["present_value_evaluation"] = pv_after.get(oid, 0.0)
        row["change"] = row["present_value_evaluation"] - row["present_value_forecast"]
        table.append(row)
        if b is not None and a is not None:
            shares = shapley({f: _figure(b, f) for f in FIGURES}, {f: _figure(a, f) for f in FIGURES},
                             yearly.get(oid, factors), conventions.dropoff_from)
            parts += [{"outcome_id": oid, "parameter": f, "contribution": v} for f, v in shares.items()]
        elif b is not None:
            parts.append({"outcome_id": oid, "parameter": FORECAST_ONLY, "contribution": -row["present_value_forecast"]})
        else:
            parts.append({"outcome_id": oid, "parameter": EVALUATION_ONLY, "contribution": row["present_value_evaluation"]})
    return Comparison(forecast, evaluation, conventions, values[0], values[1], ranges, pd.DataFrame(table),
                      pd.DataFrame(parts, columns=["outcome_id", "parameter", "contribution"]))


def _figure(row: dict[str, Any] | None, figure: str) -> float:
    """An outcome's figure as valued (leakage 0 and start year 1 when not given)."""
    if row is None:
        return math.nan
    value = row.get(figure)
    if value is None or pd.isna(value):
        return {"leakage": 0.0, "start_year": 1.0}.get(figure, math.nan)
    return float(value)


def forecast_pairs(partners: pd.DataFrame) -> list[tuple[str, str]]:
    """``(evaluation, forecast)`` partner ids of a collection's Partner table: each evaluative
    partner whose ``forecast`` names another partner of the table whose purpose is forecast.
    Any other ``forecast`` (itself, a missing or evaluative partner) pairs nothing
    (:func:`unpaired_forecasts` says why)."""
    if "forecast" not in partners:
        return []
    purpose = dict(zip(partners["partner_id"].astype(str), partners["purpose"].astype(str)))
    return [(str(e), str(f)) for e, f, p in zip(partners["partner_id"], partners["forecast"], partners["purpose"])
            if isinstance(f, str) and f.strip() and str(p) == "evaluative" and str(f) != str(e)
            and purpose.get(str(f)) == "forecast"]


def unpaired_forecasts(partners: pd.DataFrame) -> list[str]:
    """A sentence for each ``forecast`` of the Partner table that pairs nothing, and why."""
    if "forecast" not in partners:
        return []
    purpose = dict(zip(partners["partner_id"].astype(str), partners["purpose"].astype(str)))
    notes = []
    for e, f, p in zip(partners["partner_id"].astype(str), partners["forecast"], partners["purpose"].astype(str)):
        if not isinstance(f, str) or not f.strip():
            continue
        if f not in purpose:
            notes.append(f"{e} names the forecast {f}, which is not in this run: no comparison")
        elif p != "evaluative" or f == e or purpose[f] != "forecast":
            notes.append(f"{e} names {f} as its forecast, but a comparison sets a forecast beside a later evaluative "
                         f"SROI ({e} is {p}, {f} is {purpose[f]}): no comparison")
    return notes


def paired_small_outcomes(tables: dict[str, pd.DataFrame]) -> set[tuple[str, str]]:
    """``(partner_id, outcome_id)`` of every small outcome of a collection
    (:func:`svlib.analysis.disclosure.small_outcomes`), and of the same outcome in the other
    workbook of a forecast/evaluation pair: with a count below 5 on one side, the value of one
    person on the other side's page (the same proxy and deflators, often) and this side's
    present value would give the count."""
    impact = tables["ImpactMap"]
    small = small_outcomes(impact)
    partners = tables.get("Partner")
    if partners is None:
        return small
    present = set(zip(impact["partner_id"].astype(str), impact["outcome_id"].astype(str)))
    for evaluation, forecast in forecast_pairs(partners):
        for pid, oid in list(small):
            if pid in (evaluation, forecast):
                small |= {(other, oid) for other in (evaluation, forecast) if (other, oid) in present}
    return small


def without_superseded_forecasts(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """A collection's processed tables without the partners that are forecasts another partner
    evaluates (:func:`forecast_pairs`; a ``forecast`` that pairs nothing removes nothing): the forecast and its evaluation
    describe one programme in one period, so a page that adds up or lists partners (a theme's
    value, the baseline scoping) counts the evaluation alone. The tables given are not changed."""
    partners = tables.get("Partner")
    if partners is None:
        return dict(tables)
    superseded = {f for _, f in forecast_pairs(partners)}
    if not superseded:
        return dict(tables)
    return {name: frame[~frame["partner_id"].astype(str).isin(superseded)].reset_index(drop=True)
            if "partner_id" in frame else frame for name, frame in tables.items()}
