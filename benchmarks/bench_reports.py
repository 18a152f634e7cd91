"""Benchmark: per-partner report wall time, and parallel speed-up.

Floor: papermill executing an empty notebook (one parameters cell) on the same ``svlib``
kernel, in the same run: the unavoidable cost of starting a kernel. Targets: a partner
report with ``n_draws = 10000`` at most 2.5× the floor; six partners with ``--jobs 2`` at
most 0.65× the serial time. Also measured, for reference: notebooks that only import
pandas; pandas and matplotlib's figure and Agg canvas (no pyplot); pandas and matplotlib
inline; or svlib's report modules (``IMPORT_ONLY``).

Run: ``.venv/bin/python benchmarks/bench_reports.py``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from results_file import save

from svlib import paths
from svlib.reporting.reports import run_reports
from svlib.reporting.runner import KERNEL

IMPORT_ONLY = {
    "pandas": "import pandas",
    "pandas_and_matplotlib_figure": "import pandas\nfrom matplotlib.figure import Figure\n"
                                    "from matplotlib.backends.backend_agg import FigureCanvasAgg",
    "pandas_and_matplotlib": "%matplotlib inline\nimport pandas\nimport matplotlib.pyplot",
    "partner_report_imports": "%matplotlib inline\nfrom IPython.display import display\n\n"
                              "from svlib.reporting import partner_report, plots\nfrom svlib.reporting import report_display as show",
}
"""Reference notebooks that only import (measured, not targets): how much of a report's
time the stack's imports take on their own, against the same floor."""


def empty_notebook(folder: Path, code: str = "", name: str = "empty") -> Path:
    cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    if code:
        cells.append(nbformat.v4.new_code_cell(code))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python (svlib)", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def floor_seconds(folder: Path, repeats: int = 3, code: str = "", name: str = "empty") -> float:
    source = empty_notebook(folder, code, name)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        papermill.execute_notebook(str(source), str(folder / f"{name}.out.ipynb"), parameters={"x": 2},
                                   kernel_name=KERNEL, progress_bar=False, cwd=str(paths.NOTEBOOKS_DIR))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> dict:
    raw = paths.raw_collection("example")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor = floor_seconds(tmp)
        imports = {name: floor_seconds(tmp, code=code, name=name) for name, code in IMPORT_ONLY.items()}
        start = time.perf_counter()
        serial = run_reports(raw, tmp / "serial", jobs=1, draws=10_000, seed=0, processed=tmp / "p1", progress=False)
        serial_seconds = time.perf_counter() - start
        start = time.perf_counter()
        parallel = run_reports(raw, tmp / "parallel", jobs=2, draws=10_000, seed=0, processed=tmp / "p2",
                               progress=False)
        parallel_seconds = time.perf_counter() - start
    assert serial.ok and parallel.ok
    per_report = statistics.median(r["duration_seconds"] for r in serial.run["notebooks"])
    by_kind: dict[str, list[float]] = {}
    for r in serial.run["notebooks"]:
        by_kind.setdefault(r["kind"], []).append(r["duration_seconds"])
    figures = {
        "benchmark": "reports",
        "partners": len(serial.run["notebooks"]),
        "n_draws": 10_000,
        "floor_empty_notebook_seconds": floor,
        "per_report_seconds_median": per_report,
        "per_report_ratio_to_floor": per_report / floor,
        "median_seconds_by_kind": {k: statistics.median(v) for k, v in by_kind.items()},
        "import_only_seconds": imports,
        "import_only_ratio_to_floor": {k: v / floor for k, v in imports.items()},
        "serial_seconds": serial_seconds,
        "jobs2_seconds": parallel_seconds,
        "jobs2_over_serial": parallel_seconds / serial_seconds,
        "targets": {"per_report_ratio_to_floor": 2.5, "jobs2_over_serial": 0.65},
    }
    figures["met"] = figures["per_report_ratio_to_floor"] <= 2.5 and figures["jobs2_over_serial"] <= 0.65
    save("reports", figures)
    print(f"reports: per report {per_report:.2f} s vs empty-notebook floor {floor:.2f} s = "
          f"{figures['per_report_ratio_to_floor']:.2f}x (target <= 2.5); median by kind "
          + ", ".join(f"{k} {v:.2f} s" for k, v in figures["median_seconds_by_kind"].items())
          + "; importing only: " + ", ".join(f"{k} {v:.2f} s ({v / floor:.2f}x)" for k, v in imports.items())
          + f"; six partners serial {serial_seconds:.1f} s, "
          f"--jobs 2 {parallel_seconds:.1f} s = {figures['jobs2_over_serial']:.2f} (target <= 0.65)")
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)
