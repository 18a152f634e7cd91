"""Deterministic Social Return On Investment, as the SROI guide defines it.

Notes
-----
For each outcome ``i`` (Cabinet Office 2012, stages 4-5)::

    I_i   = quantity × proxy × (1 − deadweight)(1 − displacement)(1 − attribution)(1 − leakage)
    I_i,k = I_i × (1 − drop_off) ** (k − 1)        k = 1..duration  (drop-off from year 2)
    I_i,k = I_i × (1 − drop_off) ** k              (option: drop-off from year 1)

An outcome with ``start_year = s`` occupies analysis years ``t = s .. s + duration − 1``
(its k-th year is ``t = s + k − 1``). Present value and the headline figures::

    PV        = Σ_i Σ_k I_i,k × DF(s_i + k − 1)      (see svlib.reference.discounting)
    PV_inv    = Σ_j v_j × DF(y_j), or v_j for an input without a year   (see Investment)
    NPV       = PV − PV_inv
    SROI      = PV / PV_inv
    net SROI  = (PV − PV_inv) / PV_inv
    payback   = PV_inv / (year-1 total impact / 12)   months

An input in analysis year ``y`` is discounted exactly as a benefit in year ``y`` is; an input
without a year is taken at face value (all of them, as in most SROIs, gives PV_inv = the
investment).

"year-1 total impact" is the undiscounted impact occurring in analysis year 1 (outcomes
starting later contribute nothing to it). Money is GBP in the analysis price year.

A negative proxy values a harm or a cost per unit (an unintended outcome): its outcome's
impact and present value are negative, and every total is net of it (the SROI guide,
stage 2, asks for "intended and unintended, positive and negative" change).

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, 2nd edition, stages 2 and 4-5.
HM Treasury (2022) The Green Book, Annex A6 (discounting).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np
import pandas as pd

from svlib.contract.tables import PARAMETERS, THEMES
from svlib.core.frames import records
from svlib.reference.discounting import DISCOUNT_FROM, SCHEDULES, discount_factors


@dataclass(frozen=True)
class Conventions:
    """How a value map is turned into money: every choice a reader needs to recompute.

    Parameters
    ----------
    discount_rate : float
        Constant annual rate as a fraction (default 0.035, the Green Book STPR).
    discount_schedule : str
        ``"constant"``; a Green Book declining schedule, ``"green_book"`` (standard: 3.5% to
        year 30, then 3.0% ...), ``"green_book_health"`` or ``"green_book_reduced"``; or
        ``"factors"``, the table ``discount_factors`` (:mod:`svlib.reference.discounting`).
    discount_from : {1, 0.5, 0}
        The exponent of year ``t``: ``t`` (year 1 discounted once, the SROI guide),
        ``t − 0.5`` (mid-year) or ``t − 1`` (year 1 undiscounted).
    dropoff_from : {2, 1}
        2: drop-off first applies in year 2 (SROI guide); 1: already in year 1.
    price_year : int or None
        Analysis price year; proxies are rebased to it (None: not yet chosen).
    price_index : str
        ``"cpi"`` (default) or ``"gdp_deflator"``.
    discount_factors : tuple of (int, float), optional
        ``(year, factor)`` for each analysis year, with ``discount_schedule == "factors"``:
        replaces rate, schedule and ``discount_from``.
    """

    discount_rate: float = 0.035
    discount_schedule: str = "constant"
    discount_from: float = 1
    dropoff_from: int = 2
    price_year: int | None = None
    price_index: str = "cpi"
    discount_factors: tuple[tuple[int, float], ...] | None = None

    def __post_init__(self) -> None:
        if self.discount_from not in DISCOUNT_FROM:
            raise ValueError("discount_from must be 1 (year 1 discounted once), 0.5 (mid-year) or 0 (year 1 "
                             "undiscounted)")
        if self.dropoff_from not in (1, 2):
            raise ValueError("dropoff_from must be 2 (drop-off from year 2) or 1 (from year 1)")
        if self.discount_schedule not in SCHEDULES:
            raise ValueError(f"discount_schedule must be one of: {', '.join(SCHEDULES)}")
        if (self.discount_schedule == "factors") != (self.discount_factors is not None):
            raise ValueError("discount factors go with discount_schedule 'factors', and that schedule needs them")
        if self.price_index not in ("cpi", "gdp_deflator"):
            raise ValueError("price_index must be 'cpi' or 'gdp_deflator'")

    def factors(self, horizon: int) -> np.ndarray:
        """The discount factor of each analysis year 1..``horizon``
        (:func:`svlib.reference.discounting.discount_factors`)."""
        return discount_factors(horizon, self.discount_rate, self.discount_schedule, self.discount_from,
                                self.discount_factors)

    def describe(self) -> dict[str, Any]:
        """The conventions with the formulas they imply, for results and reports."""
        exponent = {1: "t", 0.5: "(t − 0.5), mid-year", 0: "(t − 1)"}[self.discount_from]
        if self.discount_schedule == "constant":
            discounting = f"constant {self.discount_rate:.2%}; year t divided by (1 + r)^{exponent}"
        elif self.discount_schedule == "factors":
            shown = ", ".join(f"year {y}: {f:g}" for y, f in self.discount_factors or ())
            discounting = f"a table of discount factors given with the run ({shown}), used as they are"
        else:
            name = {"green_book": "standard (3.5% years 0-30, 3.0% years 31-75, ...)",
                    "green_book_health": "health and life values (1.5% years 0-30, 1.29% years 31-75, ...)",
                    "green_book_reduced": "reduced, pure time preference 0 (3.0% years 0-30, 2.57% years 31-75, ...)",
                    }[self.discount_schedule]
            discounting = f"HM Treasury Green Book declining schedule, {name}; exponent {exponent}"
        described = asdict(self)
        described["discount_factors"] = ([{"year": y, "factor": f} for y, f in self.discount_factors]
                                         if self.discount_factors else None)
        return {
            **described,
            "impact_formula": "quantity × proxy × (1 − deadweight)(1 − displacement)(1 − attribution)(1 − leakage)",
            "drop_off_formula": "I × (1 − drop_off)^(k − 1)" if self.dropoff_from == 2 else "I × (1 − drop_off)^k",
            "discounting": discounting,
            "investment_formula": "inputs with a year discounted as a benefit in that year; others at face value",
            "payback_formula": "investment / (year-1 total impact / 12), in months",
            "source": "Cabinet Office (2012) A guide to Social Return on Investment; HM Treasury Green Book",
        }


def year_one_impact(quantity, proxy_value, deadweight, displacement, attribution, leakage) -> np.ndarray:
    """Year-1 impact ``I = q × p × (1 − dw)(1 − dp)(1 − at)(1 − lk)`` in GBP, elementwise
    (any broadcastable shapes, such as :class:`ValueModel`'s outcomes × scenarios)."""
    return (
        np.asarray(quantity, float) * np.asarray(proxy_value, float)
        * (1.0 - np.asarray(deadweight, float)) * (1.0 - np.asarray(displacement, float))
        * (1.0 - np.asarray(attribution, float)) * (1.0 - np.asarray(leakage, float))
    )


def horizon_of(duration: np.ndarray, start_year: np.ndarray) -> int:
    """The last analysis year any outcome occupies."""
    if len(duration) == 0:
        return 1
    return int(np.max(np.asarray(start_year, int) + np.asarray(duration, int) - 1))


def present_value_factor(
    drop_off: np.ndarray,
    duration: np.ndarray,
    start_year: np.ndarray,
    factors: np.ndarray,
    dropoff_from: int = 2,
) -> np.ndarray:
    """Σ_k (1 − drop_off)^(k − 1 + [dropoff_from == 1]) × DF(s + k − 1), per outcome.

    Multiplying year-1 impact by this gives the outcome's present value. ``drop_off`` is
    per outcome, or ``(outcomes, scenarios)``; ``duration`` and ``start_year`` are per
    outcome (``(outcomes, 1)`` beside scenarios). The loop runs over years (a handful),
    never over scenarios or outcomes.
    """
    drop_off = np.asarray(drop_off, float)
    duration = np.asarray(duration, int)
    start = np.asarray(start_year, int)
    keep = 1.0 - drop_off
    running = np.ones_like(keep) if dropoff_from == 2 else keep.copy()
    total = np.zeros(np.broadcast_shapes(keep.shape, duration.shape))
    for k in range(1, int(duration.max(initial=0)) + 1):
        active = duration >= k
        year_factor = np.where(active, year_factors(factors, start + k - 1), 0.0)
        total += running * year_factor
        running = running * keep
    return total


def year_factors(factors: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The factor of analysis year ``years`` (1 = the first; past the last, the last):
    ``factors[t − 1]`` for one row of factors, or outcome ``i``'s ``factors[i, t − 1]`` for
    one row per outcome (``years`` then has the outcomes as its first axis)."""
    factors = np.asarray(factors, float)
    years = np.asarray(years, int)
    index = np.minimum(years - 1, factors.shape[-1] - 1)
    if factors.ndim == 1:
        return factors[index]
    rows = np.arange(factors.shape[0]).reshape((-1,) + (1,) * (index.ndim - 1))
    return factors[rows, index]


def present_value_factor_coefficients(
    duration: np.ndarray,
    start_year: np.ndarray,
    factors: np.ndarray,
    dropoff_from: int = 2,
) -> np.ndarray:
    """:func:`present_value_factor` as a polynomial in ``keep = 1 − drop_off``: row ``i``
    holds ``c_m`` with ``PVF_i = Σ_m c_m keep^m`` (``c_m`` is the discount factor of the
    year in which ``keep`` is raised to the power ``m``), shape ``(outcomes, max power + 1)``."""
    duration = np.asarray(duration, int).ravel()
    start = np.asarray(start_year, int).ravel()
    shift = 0 if dropoff_from == 2 else 1
    coefficients = np.zeros((len(duration), int(duration.max(initial=0)) + shift))
    for k in range(1, int(duration.max(initial=0)) + 1):
        active = duration >= k
        coefficients[active, k - 1 + shift] = year_factors(factors, start + k - 1)[active]
    return coefficients


def first_year_share(drop_off: np.ndarray, start_year: np.ndarray, dropoff_from: int = 2) -> np.ndarray:
    """Share of year-1 impact ``I`` that falls in analysis year 1, per outcome: 0 for an
    outcome starting later, ``1 − drop_off`` with drop-off from year 1, else 1."""
    starts_now = np.asarray(start_year, int) == 1
    keep = 1.0 - np.asarray(drop_off, float)
    return np.where(starts_now, keep if dropoff_from == 1 else 1.0, 0.0)


def payback_months(investment: np.ndarray | float, year_one_total: np.ndarray | float) -> np.ndarray | float:
    """``investment / (year_one_total / 12)``; infinite when year 1 has no impact, or so
    little that the months overflow a float (it never pays back in any time that means anything)."""
    investment = np.asarray(investment, float)
    year_one_total = np.asarray(year_one_total, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        months = np.where(year_one_total > 0, investment / (year_one_total / 12.0), np.inf)
    return months if months.ndim else float(months)


@dataclass(frozen=True)
class Investment:
    """What was invested, item by item, each in an analysis year or at face value.

    Parameters
    ----------
    items : tuple of (int or None, float)
        ``(year, value_gbp)`` per input: the analysis year it is spent in (1 = the first),
        or ``None`` for face value (not discounted).

    Notes
    -----
    ``PV_inv = Σ_j v_j × DF(y_j)`` with ``DF`` the benefits' discount factors
    (:func:`svlib.reference.discounting.discount_factors`, same rate, schedule and
    convention), ``v_j`` alone for an input without a year.
    """

    items: tuple[tuple[int | None, float], ...]

    @classmethod
    def of(cls, investment: float | Investment) -> Investment:
        """An :class:`Investment` as it is, or a total in GBP as one input at face value."""
        return investment if isinstance(investment, Investment) else cls(((None, float(investment)),))

    @classmethod
    def from_inputs(cls, inputs: pd.DataFrame) -> Investment:
        """From an Inputs table (``value_gbp`` and, optionally, ``year``; blank cells of
        ``value_gbp`` left out)."""
        years = inputs["year"] if "year" in inputs else pd.Series([None] * len(inputs), index=inputs.index)
        return cls(tuple((None if pd.isna(y) else int(y), float(v))
                         for y, v in zip(years, inputs["value_gbp"]) if not pd.isna(v)))

    @property
    def face_value(self) -> float:
        """The inputs added up at face value, GBP (``math.fsum``: any order, one answer)."""
        return math.fsum(v for _, v in self.items)

    @property
    def last_year(self) -> int:
        """The latest analysis year an input is spent in (0 when none has a year)."""
        return max((y for y, _ in self.items if y is not None), default=0)

    @property
    def dated(self) -> bool:
        """At least one input has a year."""
        return self.last_year > 0

    def present_value(self, factors: np.ndarray) -> float:
        """``PV_inv``, GBP, with ``factors[t − 1]`` the discount factor of year ``t``."""
        return math.fsum(v if y is None else v * float(factors[y - 1]) for y, v in self.items)

    def by_year(self, factors: np.ndarray) -> pd.DataFrame:
        """Face value and present value per analysis year (``year`` blank: at face value)."""
        rows: dict[int | None, float] = {}
        for y, v in self.items:
            rows[y] = rows.get(y, 0.0) + v
        ordered = sorted(rows, key=lambda y: (y is not None, y or 0))
        return pd.DataFrame({
            "year": pd.arrays.IntegerArray(np.array([y or 0 for y in ordered], np.int64),
                                           np.array([y is None for y in ordered], bool)),
            "value": [rows[y] for y in ordered],
            "discount_factor": [1.0 if y is None else float(factors[y - 1]) for y in ordered],
            "present_value": [rows[y] * (1.0 if y is None else float(factors[y - 1])) for y in ordered],
        })


@dataclass(frozen=True)
class Valuation:
    """A complete, tidy SROI result: headline figures, tables and the conventions used.

    Attributes
    ----------
    present_value, investment, investment_pv, npv : float
        GBP in the analysis price year: ``investment`` at face value, ``investment_pv``
        discounted as the benefits are (:class:`Investment`; the same when no input has a
        year), ``npv = PV − investment_pv``.
    sroi_ratio, net_sroi_ratio : float
        ``PV / investment_pv`` and ``(PV − investment_pv) / investment_pv``.
    payback_months : float
        Infinite when nothing happens in year 1.
    by_year : pandas.DataFrame
        Undiscounted impact, discount factor and present value per analysis year.
    impact_map : pandas.DataFrame
        The map that was valued.
    outcome_impact_year1, outcome_present_value, outcome_total_impact : numpy.ndarray
        Per outcome, in map order.
    conventions : Conventions

    The tables ``by_outcome``, ``by_theme`` and ``by_stakeholder`` are built from these
    on first use.
    """

    present_value: float
    investment: float
    npv: float
    sroi_ratio: float
    net_sroi_ratio: float
    payback_months: float
    by_year: pd.DataFrame
    impact_map: pd.DataFrame = field(repr=False)
    outcome_impact_year1: np.ndarray = field(repr=False)
    outcome_present_value: np.ndarray = field(repr=False)
    outcome_total_impact: np.ndarray = field(repr=False)
    conventions: Conventions = field(default_factory=Conventions)
    investment_pv: float = float("nan")
    investment_by_year: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @cached_property
    def by_outcome(self) -> pd.DataFrame:
        """One row per outcome: its inputs, year-1 impact, total undiscounted impact,
        present value and share of the total."""
        frame = self.impact_map
        n = len(frame)
        descriptive = [c for c in ("outcome_id", "stakeholder", "outcome", "theme") if c in frame]
        columns: dict[str, Any] = {c: frame[c].to_numpy() for c in descriptive}
        for name, default in (("quantity", np.nan), ("proxy_value", np.nan), ("deadweight", np.nan),
                              ("displacement", np.nan), ("attribution", np.nan), ("leakage", 0.0),
                              ("drop_off", np.nan), ("duration", np.nan), ("start_year", 1)):
            columns[name] = frame[name].to_numpy() if name in frame else np.full(n, default)
        columns["impact_year1"] = self.outcome_impact_year1
        columns["total_impact"] = self.outcome_total_impact
        columns["present_value"] = self.outcome_present_value
        columns["share_of_value"] = (self.outcome_present_value / self.present_value if self.present_value
                                     else np.zeros(n))
        return pd.DataFrame(columns)

    @cached_property
    def negative_outcomes(self) -> pd.DataFrame:
        """The outcomes valued as harms or costs (a negative proxy), as :attr:`by_outcome`
        gives them, in map order: the SROI guide asks for intended and unintended,
        positive and negative change. Every total is net of them."""
        frame = self.by_outcome
        return frame[frame["proxy_value"].to_numpy(float) < 0].reset_index(drop=True)

    @property
    def negative_present_value(self) -> float:
        """The present value of :attr:`negative_outcomes` (zero or less), GBP."""
        return float(np.sum(self.negative_outcomes["present_value"].to_numpy(float)))

    @cached_property
    def by_value_type(self) -> pd.DataFrame:
        """Present value and share per kind of value (:data:`VALUE_KINDS`): a fiscal value is
        a saving to the public purse (a cost public services avoid), which SROI counts as
        value to the state as a stakeholder but which is not social value, so it is totalled
        apart; a value whose source does not class it counts as not classed."""
        kinds = (self.impact_map["proxy_value_type"].fillna("").astype(str) if "proxy_value_type" in self.impact_map
                 else pd.Series([""] * len(self.impact_map)))
        labels = kinds.map(lambda k: VALUE_KINDS.get(k, VALUE_KINDS[""]))
        return _group_totals(labels, self.outcome_present_value, "value_type",
                             order=[VALUE_KINDS[k] for k in ("fiscal", "economic", "social", "")])

    @property
    def fiscal_present_value(self) -> float:
        """The present value of outcomes valued by a fiscal proxy: savings to the public
        purse, GBP (the rest, :attr:`present_value` minus this, is economic and social value)."""
        kinds = self.impact_map.get("proxy_value_type", pd.Series([""] * len(self.impact_map)))
        return float(np.sum(self.outcome_present_value[kinds.fillna("").astype(str).to_numpy() == "fiscal"]))

    @cached_property
    def by_theme(self) -> pd.DataFrame:
        """Present value and share per County Durham Pound theme (all five listed)."""
        themes = self.impact_map["theme"] if "theme" in self.impact_map else pd.Series(["(none)"] * len(self.impact_map))
        return _group_totals(themes, self.outcome_present_value, "theme", order=list(THEMES))

    @cached_property
    def by_stakeholder(self) -> pd.DataFrame:
        """Present value and share per stakeholder."""
        groups = (self.impact_map["stakeholder"] if "stakeholder" in self.impact_map
                  else pd.Series(["(none)"] * len(self.impact_map)))
        return _group_totals(groups, self.outcome_present_value, "stakeholder")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the ``svlib sroi --json`` contract)."""

        def plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: _plain(v) for k, v in row.items()} for row in records(frame)]

        payback = self.payback_months if np.isfinite(self.payback_months) else None
        return {
            "present_value": self.present_value,
            "investment": self.investment,
            "investment_pv": self.investment_pv,
            "npv": self.npv,
            "sroi_ratio": self.sroi_ratio,
            "net_sroi_ratio": self.net_sroi_ratio,
            "payback_months": payback,
            "negative_present_value": self.negative_present_value,
            "fiscal_present_value": self.fiscal_present_value,
            "non_fiscal_present_value": self.present_value - self.fiscal_present_value,
            "by_value_type": plain_records(self.by_value_type),
            "negative_outcomes": [{"outcome_id": _plain(o), "present_value": _plain(v)} for o, v in zip(
                self.negative_outcomes.get("outcome_id", pd.Series(dtype=object)),
                self.negative_outcomes["present_value"])],
            "by_year": plain_records(self.by_year),
            "by_outcome": plain_records(self.by_outcome),
            "by_theme": plain_records(self.by_theme),
            "by_stakeholder": plain_records(self.by_stakeholder),
            "investment_by_year": plain_records(self.investment_by_year),
            "conventions": {k: _plain(v) for k, v in self.conventions.describe().items()},
        }


VALUE_KINDS: dict[str, str] = {
    "fiscal": "fiscal: savings to the public purse",
    "economic": "economic",
    "social": "social",
    "": "not classed by its source",
}
"""How each kind of value (a proxy's ``value_type``) is labelled wherever it is shown."""


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as plain Python for JSON."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _group_totals(keys: pd.Series, values: np.ndarray, name: str, order: list[str] | None = None) -> pd.DataFrame:
    """Present value and share per group. With ``order`` (the five themes), keys are
    matched ignoring case, every listed group appears (0 when empty), and any other group
    follows, so the shares always add up to 1."""
    if order is not None:
        canonical = {o.lower(): o for o in order}
        keys = pd.Series([canonical.get(str(k).strip().lower(), k) for k in keys], dtype=object)
    codes, uniques = pd.factorize(keys, sort=order is None)
    totals = np.bincount(codes, weights=values, minlength=len(uniques)) if len(codes) else np.zeros(0)
    frame = pd.DataFrame({name: np.asarray(uniques, dtype=object), "present_value": totals})
    if order is not None:
        extra = [u for u in frame[name] if u not in order]
        frame = frame.set_index(name).reindex(list(order) + extra, fill_value=0.0).reset_index()
    whole = values.sum()
    frame["share_of_value"] = frame["present_value"] / whole if whole else 0.0
    return frame


# --- the one valuation engine: many scenarios at once -----------------------------------
FEW_SCENARIOS = 64
"""Below this many scenarios, :meth:`ValueModel.total` uses numpy's running sum (a copy of
the block, cheap when it is narrow); from it on, a loop over outcomes (no copy)."""


class ValueModel:
    """An impact map's fixed structure, valuing many scenarios at once: the one code path
    behind :func:`value_map`, the Monte Carlo, the tornado, switching values and Sobol.

    A scenario is a set of parameter values; ``values[p]`` is an array of shape
    ``(outcomes, scenarios)`` (or ``(outcomes,)``, one scenario). Parameters not given
    keep their central values (the map's own). :func:`value_map` is the one-scenario case.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        As returned by :func:`svlib.validate.impact_map.load_impact_map` (proxies rebased).
    investment : float or Investment
        GBP, positive: a total at face value, or the inputs by year (:class:`Investment`).
        :attr:`investment` is then its present value, the ratio's denominator, and
        :attr:`investment_face` the inputs added up.
    conventions : Conventions

    Attributes
    ----------
    impact_map : pandas.DataFrame
        The map it was built from (not copied), for :func:`value_model`.

    Notes
    -----
    Totals over outcomes (:meth:`total`) add one outcome at a time in map order, for
    every scenario alike, so a scenario's total does not depend on how many scenarios are
    valued with it: the deterministic value is bit for bit the Monte Carlo's when nothing
    varies.
    """

    def __init__(self, impact_map: pd.DataFrame, investment: float | Investment,
                 conventions: Conventions = Conventions()) -> None:
        inputs = Investment.of(investment)
        if not inputs.face_value > 0:
            raise ValueError("the investment must be a positive amount in GBP")
        n = len(impact_map)

        def column(name: str, default: float) -> np.ndarray:
            return impact_map[name].to_numpy(float) if name in impact_map else np.full(n, default, float)

        self.impact_map = impact_map
        self.inputs = inputs
        self.investment_face = inputs.face_value
        self.conventions = conventions
        self._ids = impact_map["outcome_id"]
        if len(set(self.outcome_ids)) != len(self.outcome_ids):
            raise ValueError("outcome_id values must be unique")
        self.central: dict[str, np.ndarray] = {
            p: column(p, 0.0 if p == "leakage" else np.nan) for p in PARAMETERS
        }
        duration = column("duration", np.nan).astype(int)
        start = column("start_year", 1.0).astype(int)
        self.duration = duration[:, None]
        self.start_year = start[:, None]
        self.horizon = horizon_of(duration, start)
        self.factors = conventions.factors(max(self.horizon, inputs.last_year))
        self.profile = yearly_profile(impact_map, len(self.factors))
        self.outcome_factors = self.factors[None, :] * self.profile
        self.investment = inputs.present_value(self.factors)
        if not self.investment > 0:
            raise ValueError("the investment's present value must be positive")

    @cached_property
    def outcome_ids(self) -> tuple[str, ...]:
        """The outcome ids, in map order."""
        return tuple(str(v) for v in self._ids.tolist())

    @property
    def size(self) -> int:
        """Number of outcomes."""
        return len(self._ids)

    def columns(self, values: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Every parameter as an ``(outcomes, k)`` array: ``values`` where given, else the
        central value as a column."""
        out = {p: self.central[p][:, None] for p in PARAMETERS}
        unknown = sorted(set(values or {}) - set(PARAMETERS))
        if unknown:
            raise ValueError(f"no such parameter: {', '.join(unknown)}; expected some of {', '.join(PARAMETERS)}")
        for p, v in (values or {}).items():
            v = np.asarray(v, float)
            out[p] = v[:, None] if v.ndim == 1 else v
        return out

    def evaluate(self, values: Mapping[str, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Year-1 impact ``I``, present value and analysis-year-1 impact per outcome and
        scenario, GBP, each ``(outcomes, scenarios)``."""
        c = self.columns(values)
        impact = year_one_impact(c["quantity"], c["proxy_value"], c["deadweight"], c["displacement"],
                                 c["attribution"], c["leakage"])
        dropoff_from = self.conventions.dropoff_from
        pv = impact * present_value_factor(c["drop_off"], self.duration, self.start_year, self.outcome_factors,
                                           dropoff_from)
        year_one = impact * first_year_share(c["drop_off"], self.start_year, dropoff_from)
        return impact, pv, year_one

    def outcome_values(self, values: Mapping[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Present value and analysis-year-1 impact per outcome and scenario, GBP, each
        ``(outcomes, scenarios)``."""
        return self.evaluate(values)[1:]

    @staticmethod
    def total(per_outcome: np.ndarray) -> np.ndarray:
        """Σ over outcomes (rows) per scenario (column), one outcome at a time in map
        order: ``((0 + x_1) + x_2) + ...``, the same order whatever the number of scenarios.

        For a few scenarios numpy's running sum does it in one pass over the outcomes; for
        many, each outcome's row is added to the scenarios' totals in turn. Both add in
        exactly that order (a running sum's partial sums can differ from the loop's only in
        the sign of a zero, which ``+ 0.0`` settles), so the result does not depend on
        the path.
        """
        if len(per_outcome) == 0:
            return np.zeros(per_outcome.shape[1:])
        if per_outcome.shape[1] < FEW_SCENARIOS:
            return np.cumsum(per_outcome, axis=0)[-1] + 0.0
        total = np.zeros(per_outcome.shape[1:])
        for row in per_outcome:
            total += row
        return total

    def present_values(self, values: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Total present value per scenario, GBP."""
        return self.total(self.outcome_values(values)[0])

    def ratios(self, values: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """SROI ratio ``PV / investment`` per scenario."""
        return self.present_values(values) / self.investment

    def paybacks(self, year_one: np.ndarray) -> np.ndarray:
        """Payback in months per scenario from analysis-year-1 impact per outcome
        (:func:`payback_months` of its :meth:`total`)."""
        return payback_months(self.investment, self.total(year_one))


def yearly_profile(impact_map: pd.DataFrame, years: int) -> np.ndarray:
    """Each outcome's value in each analysis year relative to its first year, ``(outcomes,
    years)``: 1 for a fixed proxy; for a row that names a yearly series, the series' central
    value of the calendar year the analysis year falls in over that of the first, as
    resolving wrote it (``proxy_series_ratios``, one ratio per year from the first)::

        profile[i, t − 1] = central[y_i + t − s_i] / central[y_i]

    for outcome ``i`` starting in analysis year ``s_i`` in calendar year ``y_i``, so that
    the value of year ``t`` is ``proxy_value × profile`` (DESNZ 2023: use the carbon value of
    the year in which the emission is saved). Years outside the outcome's are 1 (unused).
    Low and high paths are 50% and 150% of central in every year (DESNZ), so one profile
    serves every draw of the proxy value.

    Raises
    ------
    ValueError
        An outcome lasts beyond the years its series has values for (a scenario that
        lengthens it, say).
    """
    profile = np.ones((len(impact_map), years))
    texts = impact_map["proxy_series_ratios"].tolist() if "proxy_series_ratios" in impact_map else []
    if not any(not pd.isna(text) and bool(text) for text in texts):  # no row names a series
        return profile
    for i, row in enumerate(records(impact_map)):
        text = str(row.get("proxy_series_ratios") or "")
        if not text:
            continue
        ratios = [float(r) for r in text.split(";")]
        start, duration = int(row.get("start_year") or 1), int(row["duration"])
        if duration > len(ratios):
            raise ValueError(f"outcome {row.get('outcome_id')}: its yearly series ({row.get('proxy_series')}) has "
                             f"values for {len(ratios)} years from its first, but it lasts {duration}")
        for k in range(min(duration, years - start + 1)):
            profile[i, start + k - 1] = ratios[k]
    return profile


def value_map(impact_map: pd.DataFrame, investment: float | Investment,
              conventions: Conventions = Conventions()) -> Valuation:
    """Value an impact map whose ``proxy_value`` is already in the analysis price year.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        Columns ``outcome_id, stakeholder, outcome, theme, quantity, proxy_value,
        deadweight, displacement, attribution, drop_off, duration`` and optionally
        ``leakage`` (default 0) and ``start_year`` (default 1); fractions 0-1.
        :func:`svlib.validate.impact_map.load_impact_map` gives such a table.
    investment : float or Investment
        Total inputs in GBP at face value, or the inputs by year (must be positive).
    conventions : Conventions

    Returns
    -------
    Valuation
        The :class:`ValueModel`'s one scenario at the map's own values, with the tables
        a reader traces it by.
    """
    return value_model(ValueModel(impact_map, investment, conventions))


def value_model(model: ValueModel) -> Valuation:
    """The :class:`ValueModel`'s one scenario at its map's own values, with the tables a
    reader traces it by: :func:`value_map` of a model already built (so a caller that
    also simulates the map builds its model once).

    Parameters
    ----------
    model : ValueModel

    Returns
    -------
    Valuation
    """
    conventions, impact_map = model.conventions, model.impact_map
    impact, pv, year_one = model.evaluate()
    present_value = float(model.total(pv)[0])
    payback = float(model.paybacks(year_one)[0])
    impact, pv = impact[:, 0], pv[:, 0]

    # undiscounted impact per analysis year: outcome-year k falls in year s + k − 1
    horizon, factors = model.horizon, model.factors[:model.horizon]
    duration, start = model.duration[:, 0], model.start_year[:, 0]
    keep = 1.0 - model.central["drop_off"]
    impact_by_year = np.zeros(horizon)
    total_impact = np.zeros(model.size)
    running = impact.copy() if conventions.dropoff_from == 2 else impact * keep
    for k in range(1, int(duration.max(initial=0)) + 1):
        this_year = np.where(duration >= k, running * year_factors(model.profile, start + k - 1), 0.0)
        total_impact += this_year
        impact_by_year += np.bincount(np.minimum(start + k - 2, horizon - 1), weights=this_year, minlength=horizon)
        running = running * keep
    pv_by_year = impact_by_year * factors

    by_year = pd.DataFrame({
        "year": np.arange(1, horizon + 1),
        "impact": impact_by_year,
        "discount_factor": factors,
        "present_value": pv_by_year,
        "cumulative_present_value": np.cumsum(pv_by_year),
    })
    investment = model.investment  # its present value: the denominator
    return Valuation(
        present_value=present_value,
        investment=model.investment_face,
        investment_pv=investment,
        investment_by_year=model.inputs.by_year(model.factors),
        npv=present_value - investment,
        sroi_ratio=present_value / investment,
        net_sroi_ratio=(present_value - investment) / investment,
        payback_months=payback,
        by_year=by_year,
        impact_map=impact_map,
        outcome_impact_year1=impact,
        outcome_present_value=pv,
        outcome_total_impact=total_impact,
        conventions=conventions,
    )
