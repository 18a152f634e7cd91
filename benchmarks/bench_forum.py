"""Benchmark: the forum synthesis for 200 partners x 30 outcomes x 10,000 draws.

The synthesis (:func:`svlib.analysis.forum.partner_results` and every forum view) is timed
in a fresh process, with its peak memory (the process's maximum resident set size),
against a floor measured in the same run: merely drawing the same random numbers (one
64-bit draw per draw for every uncertain figure of every outcome, from the same streams).

Targets: at most 3x the floor and under 2 GB.

Then the whole run's notebooks go to a local Dask cluster (``distributed.LocalCluster``, 2
workers) through ``svlib reports --scheduler``, on the bundled example, and the benchmark
records which worker ran each notebook: they must spread across both.

Run: ``.venv/bin/python benchmarks/bench_forum.py``
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results_file import save

PARTNERS, OUTCOMES, DRAWS, SEED = 200, 30, 10_000, 1
RATIO_TARGET, MEMORY_TARGET_GB = 3.0, 2.0
THEMES = ("Jobs", "Growth", "Social", "Environment", "Innovation")
UNCERTAIN = ("quantity", "deadweight", "attribution")
"""The figures with a range in every generated outcome (the others fixed)."""


def collection(partners: int = PARTNERS, outcomes: int = OUTCOMES, seed: int = 2026) -> dict[str, pd.DataFrame]:
    """Processed tables of a generated collection: every outcome with a range on its
    quantity, deadweight and attribution, a fixed proxy in 2024 prices."""
    rng = np.random.default_rng(seed)
    partner_rows, map_rows, input_rows = [], [], []
    for p in range(partners):
        pid = f"partner-{p:03d}"
        partner_rows.append({"partner_id": pid, "name": f"Partner {p:03d}", "organisation_type": "charity",
                             "area": "Durham", "purpose": "forecast" if p % 5 == 0 else "evaluative",
                             "period_start": "2024-04-01", "period_end": "2025-03-31", "price_year": 2024,
                             "forecast": ""})
        input_rows.append({"partner_id": pid, "input_id": "IN1", "source": "Grant",
                           "value_gbp": float(rng.integers(20_000, 200_000)), "in_kind": "no"})
        for o in range(outcomes):
            q = float(rng.integers(5, 80))
            dw, at = float(rng.uniform(0.1, 0.5)), float(rng.uniform(0.1, 0.5))
            map_rows.append({
                "partner_id": pid, "outcome_id": f"O{o + 1}", "stakeholder": "Residents", "outcome": f"Outcome {o}",
                "theme": THEMES[o % len(THEMES)], "indicator": "", "in_toms": "no", "quantity": q,
                "duration": int(rng.integers(1, 4)), "start_year": 1, "deadweight": dw, "displacement": 0.0,
                "attribution": at, "drop_off": 0.2, "leakage": 0.0, "proxy_id": "",
                "proxy_value": float(rng.uniform(100, 5000)), "proxy_year": 2024, "proxy_source": "generated",
                "quantity_low": q * 0.8, "quantity_high": q * 1.2, "quantity_dist": "",
                "deadweight_low": max(0.0, dw - 0.1), "deadweight_high": dw + 0.1, "deadweight_dist": "",
                "attribution_low": max(0.0, at - 0.1), "attribution_high": at + 0.1, "attribution_dist": "",
                "source_row": o + 2})
    empty = lambda *c: pd.DataFrame(columns=["partner_id", *c])  # noqa: E731
    return {"Partner": pd.DataFrame(partner_rows), "ImpactMap": pd.DataFrame(map_rows),
            "Inputs": pd.DataFrame(input_rows), "DeflatorSurvey": empty("respondent_ref", "outcome_id", "factor",
                                                                         "answer"),
            "CaseStudies": empty("case_id", "outcome_ids", "title", "text", "consent", "anonymised"),
            "StarReadings": empty("person_ref")}


def floor_seconds(partners: int, outcomes: int, draws: int, seed: int) -> float:
    """Drawing the same random numbers, and nothing else: for every uncertain figure of
    every outcome, its stream's draws turned into values of its distribution, as the
    simulation draws them (a 64-bit draw per value, its top bits picking one of the
    distribution's equally likely values; svlib.uncertainty.montecarlo)."""
    from svlib.uncertainty.distributions import DRAW_BITS, DRAW_CELLS
    from svlib.uncertainty.montecarlo import bit_stream

    values = np.linspace(0.0, 1.0, DRAW_CELLS)  # one distribution's equally likely values
    shift = np.uint64(64 - DRAW_BITS)
    start = time.perf_counter()
    for p in range(partners):
        for o in range(outcomes):
            for parameter in UNCERTAIN:
                cells = np.right_shift(bit_stream(seed, f"partner-{p:03d}:O{o + 1}", parameter).random_raw(draws),
                                       shift).view(np.int64)
                values.take(cells)
    return time.perf_counter() - start


def synthesis(partners: int, outcomes: int, draws: int, seed: int) -> dict:
    """The forum synthesis in this process: seconds and peak resident memory (GB)."""
    import resource

    from svlib.analysis import forum

    tables = collection(partners, outcomes)
    start = time.perf_counter()
    results, _ = forum.partner_results(tables, draws, seed)
    views = [forum.totals(results), forum.partner_table(results), forum.by_theme(results),
             forum.by_indicator(results), forum.outside_toms(results), forum.stretch(results, tables),
             forum.evidence_gaps(results, tables)]
    seconds = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # kilobytes on Linux
    return {"seconds": seconds, "peak_gb": peak_gb, "total": float(views[0]["present_value"].sum())}


def dask_spread() -> dict:
    """The example run's notebooks on a local 2-worker Dask cluster: which worker ran each."""
    from distributed import Client, LocalCluster, get_task_stream

    from svlib import paths
    from svlib.reporting.reports import run_reports

    with tempfile.TemporaryDirectory() as tmp, LocalCluster(n_workers=2, threads_per_worker=1,
                                                            processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        start = time.perf_counter()
        with get_task_stream(client) as stream:
            result = run_reports(paths.raw_collection("example"), Path(tmp) / "out", scheduler=cluster.scheduler_address,
                                 draws=2000, seed=SEED, processed=Path(tmp) / "processed", progress=False)
        seconds = time.perf_counter() - start
        workers = sorted({t["worker"] for t in stream.data})
        failed = [f"{r['key']}: {r.get('error')}" for r in result.run["notebooks"] if r["status"] != "ok"]
        return {"notebooks": len(result.run["notebooks"]), "ok": result.ok, "failed": failed, "tasks": len(stream.data),
                "workers_used": len(workers), "seconds": seconds}


def main() -> dict:
    floor = floor_seconds(PARTNERS, OUTCOMES, DRAWS, SEED)
    child = subprocess.run([sys.executable, __file__, "--synthesis"], check=True, capture_output=True, text=True,
                           cwd=Path(__file__).parent)
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    spread = dask_spread()
    figures = {
        "benchmark": "forum_synthesis", "partners": PARTNERS, "outcomes": OUTCOMES, "draws": DRAWS,
        "floor_seconds": floor, "synthesis_seconds": measured["seconds"],
        "ratio": measured["seconds"] / floor, "peak_gb": measured["peak_gb"],
        "dask": spread,
    }
    figures["met"] = (figures["ratio"] <= RATIO_TARGET and figures["peak_gb"] < MEMORY_TARGET_GB
                      and spread["ok"] and spread["workers_used"] == 2)
    save("forum", figures)
    print(f"forum: {PARTNERS} partners x {OUTCOMES} outcomes x {DRAWS:,} draws: synthesis {measured['seconds']:.1f} s "
          f"= {figures['ratio']:.2f}x drawing the same random numbers ({floor:.1f} s), peak memory "
          f"{measured['peak_gb']:.2f} GB (targets <= {RATIO_TARGET:.0f}x, < {MEMORY_TARGET_GB:.0f} GB); "
          f"Dask: {spread['notebooks']} notebooks as {spread['tasks']} tasks on {spread['workers_used']} of 2 workers "
          f"in {spread['seconds']:.0f} s" + (f"; failed: {'; '.join(spread['failed'])}" if spread["failed"] else ""))
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--synthesis"]:
        print(json.dumps(synthesis(PARTNERS, OUTCOMES, DRAWS, SEED)))
        sys.exit(0)
    sys.exit(0 if main()["met"] else 1)
