"""Benchmark: Monte Carlo SROI against the cost of merely drawing the random numbers.

Builds a 50-outcome impact map (five-year durations, a range on every one of the seven
parameters, shapes left blank so every range is PERT, central values and ranges varied
so no two distributions share a shape), writes it as CSV and loads it with
``svlib.validate.impact_map.load_impact_map`` like a partner's map, then

* times ``simulate(..., draws=100_000)`` against the floor, the time numpy takes to draw
  the same count of uniform numbers, ``rng.random((100_000, 50 * 7))`` (best of 3, same
  process): the first run on the map (after a small warm-up run on another map, for the
  imports), which tabulates every PERT shape, and a repeat (best of 3), which reuses them;
* runs 1,000,000 draws × 50 outcomes in a fresh process and reads its peak resident
  memory (``resource.getrusage(...).ru_maxrss``), which must stay below 1.5 GB.

Targets: 100k × 50 in at most 2× the floor (checked on the first run); 1M × 50 below
1.5 GB peak memory.
Results are printed as a table and written to ``benchmarks/results/montecarlo.json``.

Run:  .venv/bin/python benchmarks/bench_montecarlo.py
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import save  # noqa: E402

from svlib.uncertainty.montecarlo import simulate  # noqa: E402
from svlib.validate.impact_map import load_impact_map  # noqa: E402

OUTCOMES = 50
PARAMETERS = 7
INVESTMENT = 30_000_000.0
MEMORY_LIMIT_GB = 1.5
TIME_TARGET = 2.0


def build_map(path: Path, outcomes: int = OUTCOMES, seed: int = 2024, shape: str = "") -> Path:
    """Write a synthetic impact map with a range on every parameter of every outcome
    (``shape`` in every ``<p>_dist`` cell; blank means PERT)."""
    rng = np.random.default_rng(seed)
    themes = ["Jobs", "Growth", "Social", "Environment", "Innovation"]
    header = ["outcome_id", "stakeholder", "outcome", "theme", "quantity", "duration", "deadweight",
              "displacement", "attribution", "drop_off", "leakage", "proxy_value"]
    params = ["quantity", "proxy_value", "deadweight", "displacement", "attribution", "drop_off", "leakage"]
    header += [f"{p}_{end}" for p in params for end in ("low", "high", "dist")]
    rows = []
    for i in range(outcomes):
        row = {"outcome_id": f"OUT{i + 1:02d}", "stakeholder": f"Group {i % 7 + 1}", "outcome": f"Outcome {i + 1}",
               "theme": themes[i % 5], "duration": 5}
        quantity = float(rng.integers(5, 200))
        proxy = float(np.round(rng.uniform(200, 40_000), 2))
        row["quantity"], row["proxy_value"] = quantity, proxy
        row["quantity_low"] = np.floor(quantity * (1 - rng.uniform(0.1, 0.4)))
        row["quantity_high"] = np.ceil(quantity * (1 + rng.uniform(0.1, 0.4)))
        row["proxy_value_low"] = np.round(proxy * (1 - rng.uniform(0.1, 0.4)), 2)
        row["proxy_value_high"] = np.round(proxy * (1 + rng.uniform(0.1, 0.4)), 2)
        for p, (lo, hi) in {"deadweight": (0.1, 0.5), "displacement": (0.0, 0.3), "attribution": (0.1, 0.5),
                            "drop_off": (0.1, 0.6), "leakage": (0.0, 0.1)}.items():
            central = round(float(rng.uniform(lo, hi)), 3)
            row[p] = central
            row[f"{p}_low"] = round(max(0.0, central - rng.uniform(0.02, 0.15)), 3)
            row[f"{p}_high"] = round(min(1.0, central + rng.uniform(0.02, 0.15)), 3)
        row.update({f"{p}_dist": shape for p in params})
        rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _best(function, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def measure(draws: int, processes: int, chunk_size: int, timed: bool, shape: str = "") -> dict:
    """One measurement, meant to run in a fresh process (so peak memory is its own)."""
    with tempfile.TemporaryDirectory() as folder:
        impact_map = load_impact_map(build_map(Path(folder) / "map.csv", shape=shape), price_year=2024)
    result: dict = {"draws": draws, "outcomes": OUTCOMES, "processes": processes, "chunk_size": chunk_size,
                    "shape": shape or "pert"}
    with tempfile.TemporaryDirectory() as folder:  # warm-up on another map: imports, not its tables
        other = load_impact_map(build_map(Path(folder) / "other.csv", seed=99, shape=shape), price_year=2024)
    simulate(other, INVESTMENT, draws=10, seed=1)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if timed:
        rng = np.random.default_rng(0)
        floor = _best(lambda: rng.random((draws, OUTCOMES * PARAMETERS)))
        run = lambda: simulate(impact_map, INVESTMENT, draws=draws, seed=1, chunk_size=chunk_size,  # noqa: E731
                               processes=processes)
        first = _best(run, repeats=1)  # tabulates this map's PERT shapes
        again = _best(run)  # the shapes' tables are kept (a repeat run, as in the explorer)
        result.update(floor_s=floor, time_s=first, ratio_to_floor=first / floor, repeat_s=again,
                      repeat_ratio_to_floor=again / floor)
    else:
        start = time.perf_counter()
        sim = simulate(impact_map, INVESTMENT, draws=draws, seed=1, chunk_size=chunk_size, processes=processes)
        result["time_s"] = time.perf_counter() - start
        result["mean_ratio"] = sim.summary()["sroi_ratio"]["mean"]
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result.update(peak_memory_gb=max(peak_kb, children_kb) / 1024**2,
                      memory_before_run_gb=baseline_kb / 1024**2)
    return result


def _in_fresh_process(draws: int, processes: int, chunk_size: int, timed: bool, shape: str = "") -> dict:
    command = [sys.executable, __file__, "--one", str(draws), str(processes), str(chunk_size), "1" if timed else "0",
               "--shape", shape]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=4, type=int, metavar=("DRAWS", "PROCESSES", "CHUNK", "TIMED"),
                        help="run one measurement in this process and print it as JSON")
    parser.add_argument("--shape", default="", help="distribution in every <p>_dist cell (blank: PERT)")
    parser.add_argument("--chunk-size", type=int, default=20_000)
    args = parser.parse_args()
    if args.one:
        draws, processes, chunk, timed = args.one
        print(json.dumps(measure(draws, processes, chunk, bool(timed), args.shape)))
        return 0

    rows = [
        _in_fresh_process(100_000, 1, args.chunk_size, True),
        _in_fresh_process(100_000, 2, args.chunk_size, True),
        _in_fresh_process(100_000, 1, args.chunk_size, True, "uniform"),
        _in_fresh_process(100_000, 1, args.chunk_size, False),
        _in_fresh_process(1_000_000, 1, args.chunk_size, False),
        _in_fresh_process(1_000_000, 2, args.chunk_size, False),
    ]
    timed_one = rows[0]
    million = rows[4]
    checks = {
        "time_100k_within_2x_floor": timed_one["ratio_to_floor"] <= TIME_TARGET,
        "memory_1m_below_1_5_gb": million["peak_memory_gb"] < MEMORY_LIMIT_GB,
    }
    print(f"{'draws':>9} {'shape':>7} {'proc':>4} {'chunk':>6} {'time s':>8} {'floor s':>8} {'x floor':>8} "
          f"{'repeat s':>9} {'x floor':>8} {'peak GB':>8}")
    nan = float("nan")
    for r in rows:
        print(f"{r['draws']:>9,} {r['shape']:>7} {r['processes']:>4} {r['chunk_size']:>6} {r['time_s']:>8.3f} "
              f"{r.get('floor_s', nan):>8.3f} {r.get('ratio_to_floor', nan):>8.2f} {r.get('repeat_s', nan):>9.3f} "
              f"{r.get('repeat_ratio_to_floor', nan):>8.2f} {r.get('peak_memory_gb', nan):>8.3f}")
    for name, ok in checks.items():
        print(f"{name}: {'met' if ok else 'NOT met'}")
    written = save("montecarlo", {
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "processor": platform.processor(),
                    "machine": platform.machine()},
        "map": f"{OUTCOMES} outcomes, duration 5, a range on all {PARAMETERS} parameters (PERT unless 'shape')",
        "targets": {"time_ratio_to_floor": TIME_TARGET, "peak_memory_gb": MEMORY_LIMIT_GB},
        "results": rows,
        "checks": checks,
    })
    print(f"written {written.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
