"""Benchmark: one scenario-explorer update (5,000 draws, 50 outcomes) in under 200 ms.

An update is what moving a slider does: apply the scenario, value the map, re-simulate,
find the switching values, redraw the distribution as an image and the switching table.

Run: ``.venv/bin/python benchmarks/bench_explorer.py``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_montecarlo import build_map
from results_file import save

from svlib.reporting.explorer import _png
from svlib.reporting.plots import ratio_distribution
from svlib.reporting.report_display import table
from svlib.uncertainty.scenarios import Scenario, evaluate
from svlib.validate.impact_map import load_impact_map
from svlib.valuation.sroi import Conventions

DRAWS, OUTCOMES, REPEATS, TARGET_MS = 5_000, 50, 15, 200.0


def one_update(impact_map, scenario: Scenario) -> None:
    result = evaluate(scenario, impact_map, 2_000_000.0, Conventions(price_year=2024), draws=DRAWS, seed=0)
    _png(ratio_distribution(result.simulation, bins=40))
    table(result.switching[result.switching["reachable"]], {"current_value": "number"})


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        impact_map = load_impact_map(build_map(Path(tmp) / "map.csv", outcomes=OUTCOMES), price_year=2024)
    times, compute = [], []
    for i in range(REPEATS):
        scenario = Scenario("slider", factors={"deadweight": 0.2 + 0.01 * i})
        start = time.perf_counter()
        one_update(impact_map, scenario)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        evaluate(scenario, impact_map, 2_000_000.0, Conventions(price_year=2024), draws=DRAWS, seed=0)
        compute.append(time.perf_counter() - start)
    figures = {
        "benchmark": "explorer_update",
        "draws": DRAWS,
        "outcomes": OUTCOMES,
        "update_ms_median": 1e3 * statistics.median(times[1:]),
        "update_ms_max": 1e3 * max(times[1:]),
        "calculation_ms_median": 1e3 * statistics.median(compute[1:]),
        "target_ms": TARGET_MS,
    }
    figures["met"] = figures["update_ms_median"] < TARGET_MS
    save("explorer", figures)
    print(f"explorer: one update ({DRAWS:,} draws, {OUTCOMES} outcomes) {figures['update_ms_median']:.0f} ms median "
          f"(max {figures['update_ms_max']:.0f} ms; calculation alone {figures['calculation_ms_median']:.0f} ms); "
          f"target < {TARGET_MS:.0f} ms")
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)
