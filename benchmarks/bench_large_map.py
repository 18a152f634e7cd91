"""Benchmark: time and memory grow in proportion to an impact map's rows.

Each piece of a partner report that scales with the outcomes (deterministic valuation,
Monte Carlo, tornado, switching values, exact Sobol indices and the survey-effort
ranking) runs on a generated map of 1,000 outcomes (the floor, measured in the same run)
and of 10,000 (``svlib.contract.tables.MAX_OUTCOMES``, the most a map may have). Each outcome has
deadweight and attribution ranges, so every one is uncertain. Target: for ten times the
rows, at most 12 times the peak memory and 15 times the time (in proportion, with room
for fixed costs); a piece that grew with the square of the rows would take 100 times.

Run: ``.venv/bin/python benchmarks/bench_large_map.py``
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd
from results_file import save

from svlib.contract.tables import MAX_OUTCOMES
from svlib.uncertainty.montecarlo import simulate
from svlib.uncertainty.sensitivity import sobol_indices, survey_effort, switching_values, tornado
from svlib.valuation.sroi import Conventions, value_map

SMALL = 1_000
DRAWS = 2_000
MEMORY_TARGET, TIME_TARGET = 12.0, 15.0


def impact_map(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "outcome_id": [f"O{i}" for i in range(n)], "stakeholder": "people", "outcome": "o", "theme": "Social",
        "quantity": rng.uniform(1, 50, n), "proxy_value": rng.uniform(100, 5000, n), "deadweight": 0.2,
        "displacement": 0.05, "attribution": 0.25, "leakage": 0.0, "drop_off": 0.3,
        "duration": rng.integers(1, 5, n), "start_year": 1, "deadweight_low": 0.1, "deadweight_high": 0.3,
        "attribution_low": 0.15, "attribution_high": 0.35,
    })


PIECES = {
    "value_map": lambda m, c: value_map(m, 1e6, c),
    "simulate": lambda m, c: simulate(m, 1e6, c, draws=DRAWS, seed=1),
    "tornado": lambda m, c: tornado(m, 1e6, c),
    "switching_values": lambda m, c: switching_values(m, 1e6, c),
    "sobol_exact": lambda m, c: sobol_indices(m, 1e6, c, method="exact"),
    "survey_effort_exact": lambda m, c: survey_effort(m, 1e6, c, method="exact"),
}


def measure(n: int) -> dict[str, tuple[float, float]]:
    """Seconds and peak traced memory (MB) of each piece on an ``n``-outcome map."""
    m, conventions = impact_map(n), Conventions(price_year=2024)
    out = {}
    for name, piece in PIECES.items():
        tracemalloc.start()
        start = time.perf_counter()
        piece(m, conventions)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        out[name] = (seconds, peak)
    return out


def main() -> dict:
    measure(100)  # load modules and warm caches
    small, large = measure(SMALL), measure(MAX_OUTCOMES)
    figures = {"benchmark": "large_map", "rows": [SMALL, MAX_OUTCOMES], "draws": DRAWS, "pieces": {}}
    met = True
    for name in PIECES:
        (t1, m1), (t2, m2) = small[name], large[name]
        memory_ratio, time_ratio = m2 / max(m1, 0.1), t2 / max(t1, 1e-3)
        ok = memory_ratio <= MEMORY_TARGET and time_ratio <= TIME_TARGET
        met &= ok
        figures["pieces"][name] = {"seconds": [t1, t2], "peak_mb": [m1, m2], "memory_ratio": memory_ratio,
                                   "time_ratio": time_ratio, "met": ok}
        print(f"{name}: {SMALL:,} rows {t1:.2f} s, {m1:.0f} MB; {MAX_OUTCOMES:,} rows {t2:.2f} s, {m2:.0f} MB; "
              f"x{time_ratio:.1f} time, x{memory_ratio:.1f} memory (targets x{TIME_TARGET:g}, x{MEMORY_TARGET:g})")
    figures.update(memory_target=MEMORY_TARGET, time_target=TIME_TARGET, met=met)
    save("large_map", figures)
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)
