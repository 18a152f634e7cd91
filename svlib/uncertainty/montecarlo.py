"""Monte Carlo SROI: the ratio's distribution when the map's estimates are uncertain.

Each uncertain parameter of each outcome is drawn from the distribution the rule of evidence
chose for it (:func:`svlib.uncertainty.estimates.estimates`: survey answers, a typed range, or
the partner's figure), whose mean is the parameter's central value; every block of draws is
valued by the one engine, :class:`svlib.valuation.sroi.ValueModel`, on the map at its central
values, as :func:`svlib.valuation.sroi.value_map` values its one scenario. So with every
parameter fixed the simulation returns the headline to the last bit.

Notes
-----
Reproducibility (docs/design.md, "Uncertainty"). Parameter ``p`` of outcome ``o`` draws from
its own stream::

    SeedSequence(entropy=seed, spawn_key=(stable_hash(outcome_id), PARAMETER_STREAMS[p]))
    -> PCG64 -> one 64-bit output per draw -> its top DRAW_BITS bits pick one of the
       distribution's DRAW_CELLS equally likely values (svlib.uncertainty.distributions)

``stable_hash`` is the first 8 bytes of SHA-256 of the outcome id (never Python's
salted ``hash``). So the draws of one outcome do not change when rows are reordered or
another outcome is added. The top 12 bits of an output are ``floor(u × 4096)`` for the
``u = (output >> 11) × 2**−53`` that ``Generator.random`` makes of it, so a draw is
``ParameterDistribution.from_uniform(u)`` of the stream's uniform numbers. Each draw
consumes exactly one step, so draws ``a .. b − 1`` of a stream are obtained by
``PCG64.advance(a)`` then ``b − a`` outputs; with no rejection this makes results
identical whatever the chunk size or the number of processes.

Per draw ``d`` and outcome ``i`` (Cabinet Office 2012; see :mod:`svlib.valuation.sroi`)::

    PV_d     = Σ_i year_one_impact(q, p, dw, dp, at, lk)_{d,i} × present_value_factor(drop_off_{d,i})
    ratio_d  = PV_d / investment
    payback_d = investment / (Σ_i I_{d,i} × first_year_share_{d,i} / 12)

Work is vectorised over outcomes × draws and chunked over draws (at most ``chunk_size``
draws in memory at once); only per-draw totals are kept unless ``keep_outcomes``.
Summaries use ``numpy.percentile`` (linear interpolation) and the sample standard
deviation (``ddof = 1``); ``monte_carlo_se = sd(ratio) / sqrt(draws)`` is the standard
error of the simulated mean ratio, so users can see whether the draws suffice.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stages 4-5 (sensitivity).
HM Treasury (2022) The Green Book, Annex A5 (uncertainty: Monte Carlo analysis).
O'Neill, M.E. (2014) PCG: a family of simple fast space-efficient statistically good
algorithms for random number generation, HMC-CS-2014-0905 (PCG64, jump-ahead).
"""

from __future__ import annotations

import hashlib
import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from svlib.contract.tables import PARAMETERS
from svlib.core.processes import end_with_parent
from svlib.uncertainty.deflators import Prior
from svlib.uncertainty.distributions import DRAW_BITS, ParameterDistribution, QuantileBatch
from svlib.uncertainty.estimates import Estimates, estimates
from svlib.valuation.sroi import (
    Conventions,
    Investment,
    ValueModel,
    first_year_share,
    present_value_factor,
)

PARAMETER_STREAMS: dict[str, int] = {
    "quantity": 0,
    "proxy_value": 1,
    "deadweight": 2,
    "displacement": 3,
    "attribution": 4,
    "drop_off": 5,
    "leakage": 6,
}
"""The stream index of each parameter, in :data:`svlib.contract.tables.PARAMETERS` order: part
of the reproducibility contract (never renumber)."""


WORK_ELEMENTS: int = 1 << 20
"""Outcome-draws valued at once (three working arrays of 8 MB): a block holds
``max(1024, WORK_ELEMENTS // outcomes)`` draws, or fewer if ``chunk_size`` says so.
Large enough that per-block overheads vanish (measured on 50-outcome maps); results do
not depend on it."""


def stable_hash(text: str) -> int:
    """A 64-bit integer from ``text`` that is the same in every run and on every machine
    (first 8 bytes of SHA-256, little-endian)."""
    return int.from_bytes(hashlib.sha256(str(text).encode("utf-8")).digest()[:8], "little")


def stream_seed(seed: int, outcome_id: str, parameter: str) -> np.random.SeedSequence:
    """The seed sequence of the stream for ``parameter`` of ``outcome_id``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(stable_hash(outcome_id), PARAMETER_STREAMS[parameter]))


def bit_stream(seed: int, outcome_id: str, parameter: str, start: int = 0) -> np.random.PCG64:
    """The stream's bit generator, positioned at draw ``start`` (``PCG64.advance``)."""
    bits = np.random.PCG64(stream_seed(seed, outcome_id, parameter))
    if start:
        bits.advance(int(start))
    return bits


def stream(seed: int, outcome_id: str, parameter: str, start: int = 0) -> np.random.Generator:
    """The stream's generator, positioned at draw ``start`` (one 64-bit step per uniform
    from ``Generator.random``)."""
    return np.random.Generator(bit_stream(seed, outcome_id, parameter, start))


# --- the simulation -----------------------------------------------------------------
@dataclass
class _Plan:
    """Everything a worker needs to simulate a range of draws."""

    model: ValueModel
    seed: int
    uncertain: list[tuple[str, np.ndarray, list[ParameterDistribution]]]
    stream_ids: tuple[str, ...] = ()
    groups: dict[str, np.ndarray] = field(default_factory=dict)


def _by_parameter(distributions: pd.DataFrame) -> dict[str, list[ParameterDistribution]]:
    """Each parameter's distributions, in outcome order."""
    grouped: dict[str, list[ParameterDistribution]] = {p: [] for p in PARAMETERS}
    for p, dist in zip(distributions["parameter"], distributions["distribution"]):
        grouped[p].append(dist)
    return grouped


def _plan(model: ValueModel, distributions: pd.DataFrame, seed: int, streams: str | None = None,
          groups: Sequence[str] | None = None) -> _Plan:
    uncertain = []
    for p, dists in _by_parameter(distributions).items():
        varying = np.array([i for i, d in enumerate(dists) if d.kind != "fixed"], np.intp)
        if len(varying):
            uncertain.append((p, varying, [dists[i] for i in varying]))
    return _Plan(model, seed, uncertain, stream_ids(model.outcome_ids, streams), group_rows(groups, model.size))


def group_rows(groups: Sequence[str] | None, size: int) -> dict[str, np.ndarray]:
    """Each group's rows of the map, groups in order of first appearance (``groups`` names
    one group per outcome, in map order).

    Raises
    ------
    ValueError
        ``groups`` does not name one group per outcome.
    """
    if groups is None:
        return {}
    labels = [str(g) for g in groups]
    if len(labels) != size:
        raise ValueError(f"groups names {len(labels)} groups for {size} outcomes; give one per outcome")
    rows: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        rows.setdefault(label, []).append(i)
    return {label: np.asarray(r, np.intp) for label, r in rows.items()}


def stream_ids(outcome_ids: tuple[str, ...], streams: str | None = None) -> tuple[str, ...]:
    """The ids the random streams are keyed on: each outcome's id, or ``"<streams>:<id>"``
    for a partner's outcomes (``streams`` the partner id), so that two partners' outcomes
    with one id draw apart, and a partner's draws are the same in its own report, on every
    theme page and in the forum's totals (:mod:`svlib.analysis.themes` keys them alike)."""
    return tuple(f"{streams}:{o}" for o in outcome_ids) if streams else tuple(outcome_ids)


IMPACT_FACTORS: tuple[str, ...] = ("quantity", "proxy_value", "deadweight", "displacement", "attribution", "leakage")
"""The parameters multiplied into year-1 impact, in :func:`svlib.valuation.sroi.year_one_impact`'s order."""


def _factor(parameter: str, values: np.ndarray) -> np.ndarray:
    """What ``parameter`` multiplies year-1 impact by: its value for quantity and proxy,
    ``1 − value`` for the deflators and leakage (the same arithmetic as ``year_one_impact``)."""
    return values if parameter in ("quantity", "proxy_value") else 1.0 - values


def _multipliers(model: ValueModel, parameter: str, values: np.ndarray, rows: np.ndarray | None = None
                 ) -> list[np.ndarray]:
    """What ``values`` of ``parameter`` (``(len(rows), k)``; rows of the map, all when
    None) multiply by in the valuation: ``[factor]`` (:func:`_factor`), or for drop-off
    ``[present value factor, first-year share]``."""
    if parameter != "drop_off":
        return [_factor(parameter, values)]
    duration, start = (model.duration, model.start_year) if rows is None else (model.duration[rows],
                                                                                 model.start_year[rows])
    dropoff_from = model.conventions.dropoff_from
    factors = model.outcome_factors if rows is None else model.outcome_factors[rows]
    return [present_value_factor(values, duration, start, factors, dropoff_from),
            first_year_share(values, start, dropoff_from)]


def factor_moments(model: ValueModel, distributions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each factor of every outcome's present value, as simulated.

    ``PV_i = q × p × (1 − dw)(1 − dp)(1 − at)(1 − lk) × PVF(drop_off)``: seven independent
    factors (columns in ``PARAMETERS`` order; drop-off's factor is the present value
    factor of :func:`svlib.valuation.sroi.present_value_factor`). An uncertain parameter's
    moments are those of the ``DRAW_CELLS`` equally likely values :func:`simulate` draws
    from; a fixed parameter's factor is its value.

    Parameters
    ----------
    model : ValueModel
    distributions : pandas.DataFrame
        ``Estimates.table`` (:func:`svlib.uncertainty.estimates.estimates`) for the same map.

    Returns
    -------
    tuple of numpy.ndarray
        ``(E[X], Var X)``, each ``(outcomes, 7)``; the variance is the mean squared
        deviation from the mean (two passes, so narrow ranges keep their precision).
    """
    mean = np.empty((model.size, len(PARAMETERS)))
    variance = np.zeros_like(mean)
    for j, (p, dists) in enumerate(_by_parameter(distributions).items()):
        varying = np.array([i for i, d in enumerate(dists) if d.kind != "fixed"], np.intp)
        values = model.central[p][:, None]
        all_rows = np.arange(model.size)
        batches = [(all_rows, lambda rows: values)]
        # the varying rows' DRAW_CELLS values a block of rows at a time, so memory stays
        # bounded however many outcomes the map has (each row's moments are its own)
        for a in range(0, len(varying), MOMENT_ROWS):
            block = varying[a:a + MOMENT_ROWS]
            batches.append((block, lambda rows: QuantileBatch([dists[i] for i in rows]).values))
        for rows, table in batches:
            if not len(rows):
                continue
            factor = _multipliers(model, p, table(rows), rows)[0]
            mean[rows, j] = factor.mean(axis=1)
            deviation = factor - mean[rows, j][:, None]
            variance[rows, j] = (deviation * deviation).mean(axis=1)
    return mean, variance


MOMENT_ROWS = 512
"""Outcomes whose draw tables :func:`factor_moments` holds at once (16 MB)."""


class _Sampler:
    """One parameter's draws in one process: for each varying outcome its ``DRAW_CELLS``
    equally likely values turned into what the valuation multiplies by, and its stream."""

    def __init__(self, plan: _Plan, parameter: str, rows: np.ndarray, dists: list[ParameterDistribution],
                 start: int) -> None:
        model = plan.model
        self.rows = rows
        values = QuantileBatch(dists).values  # (varying rows, DRAW_CELLS)
        self.tables = [np.ascontiguousarray(t) for t in _multipliers(model, parameter, values, rows)]
        self.columns = _multipliers(model, parameter, model.central[parameter][:, None])
        self.fixed_rows = np.setdiff1d(np.arange(model.size), rows)
        self.generators = [bit_stream(plan.seed, plan.stream_ids[r], parameter, start) for r in rows]

    def fill(self, n: int, outs: list[np.ndarray]) -> None:
        """The next ``n`` draws, as blocks ``(outcomes, n)`` of each table's factor (one
        block per table, in ``outs``): drawn values in the varying rows, the central
        value's factor in the others. Row by row, so each row's numbers stay in cache."""
        shift = np.uint64(64 - DRAW_BITS)
        for out, column in zip(outs, self.columns):
            if len(self.fixed_rows):
                out[self.fixed_rows] = column[self.fixed_rows]
        for i, (r, bits) in enumerate(zip(self.rows, self.generators)):
            cells = np.right_shift(bits.random_raw(n), shift).view(np.int64)
            for table, out in zip(self.tables, outs):
                np.take(table[i], cells, out=out[r], mode="clip")


def _run(plan: _Plan, start: int, stop: int, chunk_size: int, keep_outcomes: bool) -> dict[str, np.ndarray]:
    """Simulate draws ``start .. stop − 1`` (each process builds its own tables).

    Per block of draws: year-1 impact is the running product of the factors in
    ``IMPACT_FACTORS`` order (each a drawn block, or a fixed column), then
    ``PV = impact × PVF(drop_off)`` and ``year-1 = impact × first_year_share(drop_off)``,
    exactly :meth:`ValueModel.outcome_values`' arithmetic on the drawn values.
    """
    model = plan.model
    size, count = model.size, stop - start
    width = max(1, min(chunk_size, max(1024, WORK_ELEMENTS // max(size, 1)), count))
    samplers = {p: _Sampler(plan, p, rows, dists, start) for p, rows, dists in plan.uncertain}
    fixed = {p: _multipliers(model, p, model.central[p][:, None]) for p in PARAMETERS}
    # the share of year-1 impact in analysis year 1 depends on the drawn drop-off only
    # when drop-off counts from year 1 (see first_year_share); × 1.0 changes nothing, so
    # a share of 1 everywhere is skipped
    share_varies = model.conventions.dropoff_from == 1
    share_is_one = not share_varies and bool(np.all(fixed["drop_off"][1] == 1.0))
    scratch = [np.empty(size * width) for _ in range(3)]
    out = {
        "present_value": np.empty(count),
        "payback_months": np.empty(count),
    }
    if keep_outcomes:
        out["outcome_present_value"] = np.empty((count, size))
    for label in plan.groups:
        out[GROUP_KEY + label] = np.empty(count)
    for a in range(0, count, width):
        n = min(width, count - a)
        impact, factor, extra = (s[: size * n].reshape(size, n) for s in scratch)
        for k, p in enumerate(IMPACT_FACTORS):
            target = impact if k == 0 else factor
            if p in samplers:
                samplers[p].fill(n, [target])
            elif k == 0:
                target[...] = fixed[p][0]
            else:
                target = fixed[p][0]
            if k:
                np.multiply(impact, target, out=impact)
        if "drop_off" in samplers:
            samplers["drop_off"].fill(n, [factor, extra] if share_varies else [factor])
            pv = np.multiply(impact, factor, out=factor)
            share = extra if share_varies else fixed["drop_off"][1]
        else:
            pv = np.multiply(impact, fixed["drop_off"][0], out=factor)
            share = fixed["drop_off"][1]
        year_one = impact if share_is_one else np.multiply(impact, share, out=extra)
        out["present_value"][a:a + n] = model.total(pv)
        out["payback_months"][a:a + n] = model.paybacks(year_one)
        if keep_outcomes:
            out["outcome_present_value"][a:a + n] = pv.T
        for label, rows in plan.groups.items():  # each group's outcomes summed as the total sums all
            out[GROUP_KEY + label][a:a + n] = model.total(pv[rows])
    return out


GROUP_KEY = "group:"
"""Prefix of a group's present values among a run's results (one key per group)."""


def _summary(values: np.ndarray) -> dict[str, float]:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
    }


@dataclass(frozen=True, eq=False)
class Simulation:
    """Monte Carlo draws of an SROI and their summary.

    Attributes
    ----------
    ratio : numpy.ndarray
        SROI ratio per draw (GBP of social value per GBP invested).
    present_value : numpy.ndarray
        Total present value per draw, GBP in the analysis price year.
    payback_months : numpy.ndarray
        Payback per draw (infinite when nothing happens in year 1).
    investment : float
    draws, seed : int
    conventions : Conventions
    outcome_ids : tuple of str
    parameters : pandas.DataFrame
        The distribution used for each outcome and parameter
        (``Estimates.table`` without its ``distribution`` column).
    outcome_present_value : numpy.ndarray or None
        Present value per draw and outcome, ``(draws, outcomes)``, if kept.
    warnings : tuple of str
    group_present_value : dict of str to numpy.ndarray
        Each group's present value per draw (its outcomes summed in map order, as the
        total is), when ``groups`` were given.
    """

    ratio: np.ndarray
    present_value: np.ndarray
    payback_months: np.ndarray
    investment: float
    draws: int
    seed: int
    conventions: Conventions
    outcome_ids: tuple[str, ...]
    parameters: pd.DataFrame
    outcome_present_value: np.ndarray | None = None
    warnings: tuple[str, ...] = field(default=())
    group_present_value: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """``draws``, ``seed``, ``sroi_ratio`` and ``present_value`` (each ``mean, sd, p5,
        p50, p95``), ``prob_ratio_below_1`` and ``monte_carlo_se`` (``sd / sqrt(draws)``
        of the ratio)."""
        ratio = _summary(self.ratio)
        return {
            "draws": int(self.draws),
            "seed": int(self.seed),
            "sroi_ratio": ratio,
            "present_value": _summary(self.present_value),
            "prob_ratio_below_1": float(np.mean(self.ratio < 1.0)),
            "monte_carlo_se": ratio["sd"] / math.sqrt(self.draws),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the ``svlib simulate --json`` contract)."""
        return self.summary()

    def outcome_summary(self) -> pd.DataFrame:
        """Mean, p5 and p95 of each outcome's present value (needs ``keep_outcomes=True``)."""
        if self.outcome_present_value is None:
            raise ValueError("run simulate(..., keep_outcomes=True) to keep each outcome's draws")
        pv = self.outcome_present_value
        p5, p95 = np.percentile(pv, [5, 95], axis=0)
        return pd.DataFrame({"outcome_id": list(self.outcome_ids), "mean": pv.mean(axis=0), "p5": p5, "p95": p95})


def simulate(
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    draws: int = 10_000,
    seed: int = 0,
    chunk_size: int = 20_000,
    survey: pd.DataFrame | None = None,
    processes: int = 1,
    keep_outcomes: bool = False,
    priors: Mapping[tuple[str, str], Prior] | None = None,
    streams: str | None = None,
    estimated: Estimates | None = None,
    groups: Sequence[str] | None = None,
) -> Simulation:
    """Simulate the SROI ratio with every uncertain parameter drawn from its distribution.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        From :func:`svlib.validate.impact_map.load_impact_map` (``proxy_value`` and its range in the
        analysis price year), with optional ``<p>_low``, ``<p>_high``, ``<p>_dist``.
    investment : float
        Total inputs, GBP (positive).
    conventions : Conventions
        Discounting and drop-off conventions, as for :func:`svlib.valuation.sroi.value_map`.
    draws : int
        Number of Monte Carlo draws.
    seed : int
        Non-negative integer; with the outcome ids it fixes every draw.
    chunk_size : int
        Most draws valued at once; blocks are smaller for large maps (``WORK_ELEMENTS``).
        Memory ≈ 24 bytes × outcomes × block for the working arrays, 32 KB per uncertain
        parameter of each outcome for its values, and 24 bytes per draw for the results.
        Results do not depend on it.
    survey : pandas.DataFrame, optional
        Deflator survey answers (``respondent_ref, outcome_id, factor, answer``); a factor
        with at least ``ENOUGH_ANSWERS`` answers for an outcome uses the distribution of
        the survey mean (:mod:`svlib.uncertainty.estimates`).
    processes : int
        Processes sharing the draws: this one and ``processes − 1`` workers of a
        ``ProcessPoolExecutor``; results do not depend on it.
    keep_outcomes : bool
        Keep every outcome's present value per draw (``draws × outcomes`` floats).
    priors : mapping of (outcome_id, factor) to Prior, optional
        Stated figures blended with survey means.
    streams : str, optional
        The partner whose outcomes these are: the random streams are keyed on
        ``"<partner>:<outcome_id>"`` (:func:`stream_ids`), as on theme and forum pages.
    estimated : Estimates, optional
        :func:`svlib.uncertainty.estimates.estimates` of this map, survey and priors, when
        the caller has it already (it is not worked out again).
    groups : sequence of str, optional
        A group (a theme, say) for each outcome, in map order: each group's present value
        per draw is kept (``draws`` floats a group), without keeping every outcome's.

    Returns
    -------
    Simulation
    """
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError("draws must be a whole number of at least 1")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError("seed must be a non-negative whole number")
    if int(chunk_size) < 1 or int(processes) < 1:
        raise ValueError("chunk_size and processes must be at least 1")
    draws, seed, chunk_size, processes = int(draws), int(seed), int(chunk_size), int(processes)
    found = estimated if estimated is not None else estimates(impact_map, survey, priors)
    model = ValueModel(found.central_map(), investment, conventions)
    distributions = found.table
    plan = _plan(model, distributions, seed, streams, groups)
    processes = min(processes, draws)
    if processes == 1:
        parts = [_run(plan, 0, draws, chunk_size, keep_outcomes)]
    else:
        # this process simulates the first range while processes − 1 workers do the rest
        bounds = [int(b) for b in np.linspace(0, draws, processes + 1)]
        with ProcessPoolExecutor(max_workers=processes - 1, initializer=end_with_parent) as pool:
            futures = [pool.submit(_run, plan, a, b, chunk_size, keep_outcomes)
                       for a, b in zip(bounds[1:-1], bounds[2:])]
            parts = [_run(plan, bounds[0], bounds[1], chunk_size, keep_outcomes)]
            parts += [f.result() for f in futures]
    joined = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    present_value = joined["present_value"]
    return Simulation(
        ratio=present_value / model.investment,
        present_value=present_value,
        payback_months=joined["payback_months"],
        investment=model.investment,
        draws=draws,
        seed=seed,
        conventions=conventions,
        outcome_ids=model.outcome_ids,
        parameters=distributions.drop(columns="distribution"),
        outcome_present_value=joined.get("outcome_present_value"),
        warnings=found.warnings,
        group_present_value={label: joined[GROUP_KEY + label] for label in plan.groups},
    )
