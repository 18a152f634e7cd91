"""Benchmark: deterministic valuation of a 10,000-outcome map with 10-year durations.

Floor: a plain vectorised numpy evaluation of the same formula in the same run
(year-1 impact, drop-off from year 2, 3.5% discounting, summed). Target: svlib's
``value_map`` (with all its tidy tables) at most 3× the floor.

Run: ``.venv/bin/python benchmarks/bench_valuation.py``
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd
from results_file import save

from svlib.valuation.sroi import Conventions, value_map

N_OUTCOMES, DURATION, REPEATS = 10_000, 10, 30


def make_map(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    themes = np.array(["Jobs", "Growth", "Social", "Environment", "Innovation"])
    return pd.DataFrame({
        "outcome_id": [f"O{i:05d}" for i in range(n)],
        "stakeholder": [f"group {i % 40}" for i in range(n)],
        "outcome": "benchmark outcome",
        "theme": themes[np.arange(n) % 5],
        "quantity": rng.integers(1, 200, n).astype(float),
        "proxy_value": rng.uniform(100, 30_000, n),
        "deadweight": rng.uniform(0, 0.5, n),
        "displacement": rng.uniform(0, 0.3, n),
        "attribution": rng.uniform(0, 0.5, n),
        "leakage": np.zeros(n),
        "drop_off": rng.uniform(0, 0.6, n),
        "duration": np.full(n, DURATION),
        "start_year": np.ones(n, int),
    })


def floor(frame: pd.DataFrame) -> float:
    """The same formula in plain numpy: Σ_i Σ_t I_i (1 − d_i)^(t − 1) / 1.035^t."""
    q, p = frame["quantity"].to_numpy(), frame["proxy_value"].to_numpy()
    dw, dp, at, lk = (frame[c].to_numpy() for c in ("deadweight", "displacement", "attribution", "leakage"))
    d = frame["drop_off"].to_numpy()
    impact = q * p * (1 - dw) * (1 - dp) * (1 - at) * (1 - lk)
    t = np.arange(1, DURATION + 1)
    return float((impact[:, None] * (1 - d[:, None]) ** (t - 1) / 1.035**t).sum())


def timed(func, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> dict:
    frame = make_map(N_OUTCOMES)
    floor_time, floor_pv = timed(floor, frame)
    svlib_time, result = timed(value_map, frame, 1_000_000.0, Conventions())
    assert abs(result.present_value - floor_pv) <= 1e-9 * floor_pv, "svlib and the floor disagree"

    def with_tables(frame: pd.DataFrame) -> object:
        valued = value_map(frame, 1_000_000.0, Conventions())
        return valued.by_outcome, valued.by_theme, valued.by_stakeholder

    tables_time, _ = timed(with_tables, frame)
    figures = {
        "benchmark": "valuation",
        "outcomes": N_OUTCOMES,
        "duration_years": DURATION,
        "repeats": REPEATS,
        "floor_seconds": floor_time,
        "svlib_seconds": svlib_time,
        "ratio_to_floor": svlib_time / floor_time,
        "with_all_tables_seconds": tables_time,
        "with_all_tables_ratio": tables_time / floor_time,
        "target_ratio": 3.0,
    }
    figures["met"] = figures["ratio_to_floor"] <= figures["target_ratio"]
    save("valuation", figures)
    print(f"valuation: {N_OUTCOMES} outcomes × {DURATION} years: svlib {svlib_time * 1e3:.2f} ms, "
          f"numpy floor {floor_time * 1e3:.2f} ms, ratio {figures['ratio_to_floor']:.2f} (target <= 3); "
          f"building every tidy table as well: {tables_time * 1e3:.2f} ms ({figures['with_all_tables_ratio']:.1f}x)")
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)
