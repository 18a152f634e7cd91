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

Work is vectorised over draws, chunked (at most ``chunk_size`` draws at once) and done one
outcome at a time, each outcome's present value added to the totals as it is made, so the
working arrays stay in cache; only per-draw totals are kept unless ``keep_outcomes``.
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
from svlib.uncertainty.estimates import Estimates, estimates_of
from svlib.valuation.sroi import (
    Conventions,
    Investment,
    ValueModel,
    first_year_share,
    payback_months,
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


SEGMENT_OUTCOMES: int = 128
"""Outcomes whose tables of equally likely values :func:`simulate_maps` builds at once (4 MB
a parameter): few enough to stay in cache between being built and drawn from, enough that
building them takes few calls; results do not depend on it."""


def stable_hash(text: str) -> int:
    """A 64-bit integer from ``text`` that is the same in every run and on every machine
    (first 8 bytes of SHA-256, little-endian)."""
    return int.from_bytes(hashlib.sha256(str(text).encode("utf-8")).digest()[:8], "little")


def stream_seed(seed: int, outcome_id: str, parameter: str) -> np.random.SeedSequence:
    """The seed sequence of the stream for ``parameter`` of ``outcome_id``."""
    return _keyed_seed(seed, stable_hash(outcome_id), parameter)


def _keyed_seed(seed: int, key: int, parameter: str) -> np.random.SeedSequence:
    """:func:`stream_seed` of the outcome whose :func:`stable_hash` is ``key``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(key, PARAMETER_STREAMS[parameter]))


def bit_stream(seed: int, outcome_id: str, parameter: str, start: int = 0) -> np.random.PCG64:
    """The stream's bit generator, positioned at draw ``start`` (``PCG64.advance``)."""
    return _positioned(stream_seed(seed, outcome_id, parameter), start)


def _positioned(seeds: np.random.SeedSequence, start: int) -> np.random.PCG64:
    """The bit generator of ``seeds``, advanced to draw ``start``."""
    bits = np.random.PCG64(seeds)
    if start:
        bits.advance(int(start))
    return bits


def stream(seed: int, outcome_id: str, parameter: str, start: int = 0) -> np.random.Generator:
    """The stream's generator, positioned at draw ``start`` (one 64-bit step per uniform
    from ``Generator.random``)."""
    return np.random.Generator(bit_stream(seed, outcome_id, parameter, start))


# --- the simulation -----------------------------------------------------------------
@dataclass
class _Map:
    """One map of a plan: its value model, its outcomes' rows among the plan's, and each
    group's rows among its own."""

    model: ValueModel
    rows: slice
    groups: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Plan:
    """Everything a worker needs to simulate a range of draws of one map, or of several
    (their outcomes one after another, each map totalled on its own)."""

    maps: list[_Map]
    seed: int
    uncertain: list[tuple[str, np.ndarray, list[ParameterDistribution]]]
    stream_ids: tuple[str, ...] = ()
    paybacks: bool = True
    stream_keys: tuple[int, ...] = ()  # stable_hash of each stream id, hashed once for all its parameters

    @property
    def size(self) -> int:
        """Outcomes of all its maps."""
        return self.maps[-1].rows.stop if self.maps else 0


def _by_parameter(distributions: pd.DataFrame) -> dict[str, list[ParameterDistribution]]:
    """Each parameter's distributions, in outcome order."""
    grouped: dict[str, list[ParameterDistribution]] = {p: [] for p in PARAMETERS}
    for p, dist in zip(distributions["parameter"].tolist(), distributions["distribution"].tolist()):
        grouped[p].append(dist)
    return grouped


def _plan(models: Sequence[ValueModel], distributions: Sequence[pd.DataFrame], seed: int,
          streams: Sequence[str | None], groups: Sequence[Sequence[str] | None], paybacks: bool = True) -> _Plan:
    """The plan for ``models``, one after another, each with its ``Estimates.table``."""
    maps, ids, at = [], [], 0
    grouped: dict[str, list[ParameterDistribution]] = {p: [] for p in PARAMETERS}
    for model, table, prefix, labels in zip(models, distributions, streams, groups):
        maps.append(_Map(model, slice(at, at + model.size), group_rows(labels, model.size)))
        ids += stream_ids(model.outcome_ids, prefix)
        at += model.size
        for p, dists in _by_parameter(table).items():
            if len(dists) != model.size:
                raise ValueError(f"the estimates give {len(dists)} {p} figures for {model.size} outcomes")
            grouped[p] += dists
    uncertain = []
    for p, dists in grouped.items():
        varying = np.array([i for i, d in enumerate(dists) if d.kind != "fixed"], np.intp)
        if len(varying):
            uncertain.append((p, varying, [dists[i] for i in varying]))
    return _Plan(maps, seed, uncertain, tuple(ids), paybacks, tuple(stable_hash(i) for i in ids))


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


def _factor(parameter: str, values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """What ``parameter`` multiplies year-1 impact by: its value for quantity and proxy,
    ``1 − value`` for the deflators and leakage (the same arithmetic as ``year_one_impact``;
    into ``out`` if given)."""
    return values if parameter in ("quantity", "proxy_value") else np.subtract(1.0, values, out=out)


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


def _fixed_multipliers(plan: _Plan, parameter: str) -> list[np.ndarray]:
    """What the central value of ``parameter`` multiplies by in every row of the plan
    (:func:`_multipliers`, each a column ``(rows, 1)``; drop-off by each map's own model)."""
    if parameter != "drop_off":
        central = np.concatenate([m.model.central[parameter] for m in plan.maps])
        return [_factor(parameter, central[:, None])]
    per_map = [_multipliers(m.model, parameter, m.model.central[parameter][:, None]) for m in plan.maps]
    return [np.concatenate(parts) for parts in zip(*per_map)]


def _drop_off_multipliers(plan: _Plan, values: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
    """What drop-off ``values`` (``(len(rows), k)``) in the plan's ``rows`` multiply by
    (:func:`_multipliers`, each map's rows by its own model)."""
    parameter = "drop_off"
    tables = [np.empty_like(values), np.empty_like(values)]
    owner = np.searchsorted([m.rows.start for m in plan.maps], rows, side="right") - 1
    for j in np.unique(owner).tolist():
        chosen = np.flatnonzero(owner == j)
        mapped = plan.maps[j]
        for table, part in zip(tables, _multipliers(mapped.model, parameter, values[chosen],
                                                    rows[chosen] - mapped.rows.start)):
            table[chosen] = part
    return tables


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


SHIFT = np.uint64(64 - DRAW_BITS)
"""A 64-bit output shifted right by this is the cell it draws (its top ``DRAW_BITS`` bits)."""


class _Sampler:
    """One parameter's draws in one process: for each varying outcome its ``DRAW_CELLS``
    equally likely values turned into what the valuation multiplies by (one table; for
    drop-off two, the present value factor and the first-year share), and its stream."""

    def __init__(self, plan: _Plan, parameter: str, rows: np.ndarray, dists: list[ParameterDistribution],
                 start: int) -> None:
        # one table per distinct distribution: a range typed for many outcomes is tabulated once
        places: dict[ParameterDistribution, int] = {}
        place = [places.setdefault(d, len(places)) for d in dists]
        values = QuantileBatch(list(places)).values  # (distinct distributions, DRAW_CELLS)
        if parameter == "drop_off":  # its multipliers depend on each outcome's years too
            self.tables = [list(t) for t in _drop_off_multipliers(plan, values[place], rows)]
        else:
            table = _factor(parameter, values, out=values)
            self.tables = [[table[k] for k in place]]
        keys = plan.stream_keys
        self.generators = [_positioned(_keyed_seed(plan.seed, keys[r], parameter), start) for r in rows.tolist()]
        self.slot = dict(zip(rows.tolist(), range(len(rows))))  # a varying row of the plan: its place here

    def draw(self, i: int, n: int, outs: list[np.ndarray]) -> None:
        """The next ``n`` draws of varying outcome ``i``: each table's value into ``outs``."""
        cells = self.generators[i].random_raw(n)
        np.right_shift(cells, SHIFT, out=cells)
        for table, out in zip(self.tables, outs):
            np.take(table[i], cells.view(np.int64), out=out, mode="clip")


def _programs(plan: _Plan, samplers: dict[str, _Sampler]) -> list[tuple]:
    """How each row of the plan is valued, in :meth:`ValueModel.evaluate`'s order:
    ``(first, steps, present, share)``: year-1 impact's first factor (a draw
    ``(sampler, i)``, or its fixed value), the factors it is then multiplied by in
    ``IMPACT_FACTORS`` order (draws, or fixed values other than 1: × 1.0 changes nothing),
    the present value factor (a draw, a fixed value, or None for 1) and the share of year-1
    impact in analysis year 1 (``"drawn"`` with the present value factor, a fixed value,
    or None for 1)."""
    fixed = {p: [c.ravel().tolist() for c in _fixed_multipliers(plan, p)] for p in PARAMETERS}
    share_varies = plan.maps[0].model.conventions.dropoff_from == 1
    slots = {p: samplers[p].slot if p in samplers else {} for p in PARAMETERS}
    programs = []
    for r in range(plan.size):
        factors = []
        for p in IMPACT_FACTORS:
            i = slots[p].get(r)
            factors.append((samplers[p], i) if i is not None else fixed[p][0][r])
        steps = tuple(f for f in factors[1:] if f != 1.0)
        i = slots["drop_off"].get(r)
        if i is not None:
            present, share = (samplers["drop_off"], i), "drawn" if share_varies else fixed["drop_off"][1][r]
        else:
            present, share = fixed["drop_off"][0][r], fixed["drop_off"][1][r]
        programs.append((factors[0], steps, None if present == 1.0 else present, None if share == 1.0 else share))
    return programs


def _run(plan: _Plan, start: int, stop: int, chunk_size: int, keep_outcomes: bool) -> list[dict[str, np.ndarray]]:
    """Simulate draws ``start .. stop − 1`` of each of the plan's maps (each process builds
    its own tables); one dict of results per map.

    Per block of at most ``chunk_size`` draws, outcome by outcome in map order: year-1
    impact is the running product of the factors in ``IMPACT_FACTORS`` order (each drawn,
    or fixed), then ``PV = impact × PVF(drop_off)`` and ``year-1 = impact ×
    first_year_share(drop_off)``, exactly :meth:`ValueModel.outcome_values`' arithmetic on
    the drawn values; each outcome's present value is added to its map's total and its
    group's, one outcome at a time in map order as :meth:`ValueModel.total` adds them.
    Only a few arrays of one block's draws are worked on, so each stays in cache.
    """
    count = stop - start
    width = max(1, min(chunk_size, count))
    samplers = {p: _Sampler(plan, p, rows, dists, start) for p, rows, dists in plan.uncertain}
    programs = _programs(plan, samplers)
    group_of = [_group_of(m) for m in plan.maps]
    impact_, drawn_, present_, share_, year_one_, year_one_total_ = (np.empty(width) for _ in range(6))
    outs = []
    for m in plan.maps:
        out = {"present_value": np.empty(count)}
        if plan.paybacks:
            out["payback_months"] = np.empty(count)
        if keep_outcomes:
            out["outcome_present_value"] = np.empty((count, m.model.size))
        for label in m.groups:
            out[GROUP_KEY + label] = np.empty(count)
        outs.append(out)
    for a in range(0, count, width):
        n = min(width, count - a)
        impact, drawn, present, share, year_one, year_one_total = (
            b[:n] for b in (impact_, drawn_, present_, share_, year_one_, year_one_total_))
        for m, out, groups in zip(plan.maps, outs, group_of):
            total = out["present_value"][a:a + n]
            total[...] = 0.0
            group_totals = [out[GROUP_KEY + label][a:a + n] for label in m.groups]
            for values in group_totals:
                values[...] = 0.0
            year_one_total[...] = 0.0
            kept = out["outcome_present_value"][a:a + n] if keep_outcomes else None
            for j, program in enumerate(programs[m.rows]):
                pv = _outcome(program, n, impact, drawn, present, share)
                np.add(total, pv, out=total)
                if groups:
                    np.add(group_totals[groups[j]], pv, out=group_totals[groups[j]])
                if kept is not None:
                    kept[:, j] = pv
                if plan.paybacks:
                    first_year = program[3]
                    if first_year is not None:  # else the whole of year-1 impact falls in year 1
                        np.multiply(impact, share if first_year == "drawn" else first_year, out=year_one)
                    np.add(year_one_total, impact if first_year is None else year_one, out=year_one_total)
            if plan.paybacks:
                out["payback_months"][a:a + n] = payback_months(m.model.investment, year_one_total)
    return outs


def _outcome(program: tuple, n: int, impact: np.ndarray, drawn: np.ndarray, present: np.ndarray,
             share: np.ndarray) -> np.ndarray:
    """One outcome's present value for the next ``n`` draws, by its program
    (:func:`_programs`): returns ``impact`` or ``present``, with year-1 impact left in
    ``impact`` (and the drawn first-year share in ``share``). A step is a draw
    ``(sampler, i)`` or a fixed value."""
    first, steps, factor, first_year = program
    if type(first) is tuple:
        first[0].draw(first[1], n, [impact])
    else:
        impact[...] = first
    for step in steps:
        if type(step) is tuple:
            step[0].draw(step[1], n, [drawn])
            np.multiply(impact, drawn, out=impact)
        else:
            np.multiply(impact, step, out=impact)
    if factor is None:  # a present value factor of exactly 1
        return impact
    if type(factor) is tuple:
        factor[0].draw(factor[1], n, [present, share] if first_year == "drawn" else [present])
        return np.multiply(impact, present, out=present)
    return np.multiply(impact, factor, out=present)


def _group_of(m: _Map) -> list[int]:
    """The place of each outcome's group among ``m.groups`` (empty without groups)."""
    if not m.groups:
        return []
    places = np.empty(m.model.size, np.intp)
    for place, rows in enumerate(m.groups.values()):
        places[rows] = place
    return places.tolist()


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
        Most draws valued at once (a block). Memory ≈ 48 bytes × block for the working
        arrays, 32 KB per uncertain parameter of each outcome for its values, and 24 bytes
        per draw for the results. Results do not depend on it.
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
        :func:`svlib.uncertainty.estimates.estimates` of this very map, survey and priors,
        when the caller has it already (it is not worked out again, and ``survey`` and
        ``priors`` are not read); estimates of another map are refused
        (:func:`svlib.uncertainty.estimates.estimates_of`).
    groups : sequence of str, optional
        A group (a theme, say) for each outcome, in map order: each group's present value
        per draw is kept (``draws`` floats a group), without keeping every outcome's.

    Returns
    -------
    Simulation
    """
    draws, seed, chunk_size, processes = _checked(draws, seed, chunk_size, processes)
    found = estimates_of(impact_map, survey, priors, estimated)
    model = ValueModel(found.central_map(), investment, conventions)
    distributions = found.table
    plan = _plan([model], [distributions], seed, [streams], [groups])
    processes = min(processes, draws)
    if processes == 1:
        parts = _run(plan, 0, draws, chunk_size, keep_outcomes)
    else:
        # this process simulates the first range while processes − 1 workers do the rest
        bounds = [int(b) for b in np.linspace(0, draws, processes + 1)]
        with ProcessPoolExecutor(max_workers=processes - 1, initializer=end_with_parent) as pool:
            futures = [pool.submit(_run, plan, a, b, chunk_size, keep_outcomes)
                       for a, b in zip(bounds[1:-1], bounds[2:])]
            parts = _run(plan, bounds[0], bounds[1], chunk_size, keep_outcomes)
            parts += [f.result()[0] for f in futures]
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
        group_present_value={label: joined[GROUP_KEY + label] for label in plan.maps[0].groups},
    )


def _checked(draws: int, seed: int, chunk_size: int, processes: int = 1) -> tuple[int, int, int, int]:
    """The run's numbers as whole numbers, or ValueError saying which is wrong."""
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError("draws must be a whole number of at least 1")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError("seed must be a non-negative whole number")
    if int(chunk_size) < 1 or int(processes) < 1:
        raise ValueError("chunk_size and processes must be at least 1")
    return int(draws), int(seed), int(chunk_size), int(processes)


@dataclass(frozen=True, eq=False)
class MapDraws:
    """One map's Monte Carlo draws from :func:`simulate_maps`.

    Attributes
    ----------
    present_value : numpy.ndarray
        Total present value per draw, GBP in the analysis price year.
    group_present_value : dict of str to numpy.ndarray
        Each group's present value per draw, as :attr:`Simulation.group_present_value`.
    """

    present_value: np.ndarray
    group_present_value: dict[str, np.ndarray] = field(default_factory=dict)


def simulate_maps(
    models: Sequence[ValueModel],
    distributions: Sequence[pd.DataFrame],
    draws: int = 10_000,
    seed: int = 0,
    streams: Sequence[str | None] | None = None,
    groups: Sequence[Sequence[str] | None] | None = None,
    chunk_size: int = 20_000,
) -> list[MapDraws]:
    """Simulate many maps at once (a collection's partners), each exactly as
    :func:`simulate` simulates it on its own.

    Parameters
    ----------
    models : sequence of ValueModel
        Each map at its central values (``Estimates.central_map()``) with its investment,
        all under one set of conventions.
    distributions : sequence of pandas.DataFrame
        Each map's ``Estimates.table`` (the estimates its central map was made from).
    draws, seed, chunk_size : int
        As for :func:`simulate`.
    streams : sequence of str or None, optional
        Each map's partner (:func:`stream_ids`), as ``simulate(..., streams=)``.
    groups : sequence of (sequence of str or None), optional
        Each map's group per outcome, as ``simulate(..., groups=)``.

    Returns
    -------
    list of MapDraws
        In the order of ``models``: the same draws, to the last bit, as ``simulate`` of
        each map alone with the same seed, streams and groups.

    Notes
    -----
    The maps are simulated in segments of whole maps, one after another, with at most
    ``SEGMENT_OUTCOMES`` outcomes in a segment (or one map, if it has more), whose tables
    of equally likely values are built at once. Every outcome keeps its own random
    streams and every map's totals add its own outcomes in map order
    (:meth:`ValueModel.total`), so no number depends on the segments. Payback is not
    simulated.

    Raises
    ------
    ValueError
        The maps' conventions differ, or a table does not hold every figure of its map.
    """
    draws, seed, chunk_size, _ = _checked(draws, seed, chunk_size)
    models, distributions = list(models), list(distributions)
    streams = list(streams) if streams is not None else [None] * len(models)
    groups = list(groups) if groups is not None else [None] * len(models)
    if len({m.conventions for m in models}) > 1:
        raise ValueError("the maps are simulated under one set of conventions; give every model the same")
    if not len(distributions) == len(streams) == len(groups) == len(models):
        raise ValueError("give one estimates table, one stream prefix and one set of groups per map")
    limit = SEGMENT_OUTCOMES
    results: list[MapDraws] = []
    first = 0  # the segment's first map
    while first < len(models):
        last, size = first + 1, models[first].size
        while last < len(models) and size + models[last].size <= limit:
            size += models[last].size
            last += 1
        chosen = slice(first, last)
        plan = _plan(models[chosen], distributions[chosen], seed, streams[chosen], groups[chosen], paybacks=False)
        for m, out in zip(plan.maps, _run(plan, 0, draws, chunk_size, keep_outcomes=False)):
            results.append(MapDraws(out["present_value"], {label: out[GROUP_KEY + label] for label in m.groups}))
        first = last
    return results
