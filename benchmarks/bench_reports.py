"""Benchmark: per-partner report wall time, and parallel speed-up.

Floor: papermill executing, on the same ``svlib`` kernel and in the same run, a notebook that
only imports the partner report's own stack: the first cell of
``notebooks/05_partner_report.ipynb`` (IPython's display and svlib's report modules, which
bring pandas and matplotlib), read from the notebook so the two never drift. Targets: a partner report (median of the
partner notebooks, ``n_draws = 10000``) at most 2× that floor; the whole example run with
``--jobs 2`` at most 0.65× the serial time. Also measured, for reference: an empty notebook
(starting a kernel) and notebooks that import only pandas, or pandas and matplotlib.

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
from svlib.reporting.runner import KERNEL, kernel_sockets

IMPORT_ONLY = {
    "empty": "",
    "pandas": "import pandas",
    "pandas_and_matplotlib": "import pandas\nfrom matplotlib.figure import Figure",
}
"""Reference notebooks (measured, not targets): how much of a report's time starting a
kernel and importing parts of the stack take on their own."""
RATIO_TARGET, JOBS_TARGET = 2.0, 0.65


def report_imports() -> str:
    """The partner report notebook's first code cell: its imports."""
    notebook = nbformat.read(paths.NOTEBOOKS_DIR / "05_partner_report.ipynb", as_version=4)
    return next(c.source for c in notebook.cells if c.cell_type == "code")


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
        with kernel_sockets() as sockets:  # the kernel reached as a report's is
            papermill.execute_notebook(str(source), str(folder / f"{name}.out.ipynb"), parameters={"x": 2},
                                       kernel_name=KERNEL, progress_bar=False, cwd=str(paths.NOTEBOOKS_DIR), **sockets)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> dict:
    raw = paths.raw_collection("example")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor = floor_seconds(tmp, code=report_imports(), name="report_imports")
        imports = {name: floor_seconds(tmp, code=code, name=name) for name, code in IMPORT_ONLY.items()}
        start = time.perf_counter()
        serial = run_reports(raw, tmp / "serial", jobs=1, draws=10_000, seed=0, processed=tmp / "p1", progress=False)
        serial_seconds = time.perf_counter() - start
        start = time.perf_counter()
        parallel = run_reports(raw, tmp / "parallel", jobs=2, draws=10_000, seed=0, processed=tmp / "p2",
                               progress=False)
        parallel_seconds = time.perf_counter() - start
    assert serial.ok and parallel.ok
    by_kind: dict[str, list[float]] = {}
    for r in serial.run["notebooks"]:
        by_kind.setdefault(r["kind"], []).append(r["duration_seconds"])
    per_partner = statistics.median(by_kind["partner"])
    figures = {
        "benchmark": "reports",
        "partners": len(by_kind["partner"]),
        "n_draws": 10_000,
        "floor_report_imports_seconds": floor,
        "per_partner_seconds_median": per_partner,
        "per_partner_ratio_to_floor": per_partner / floor,
        "median_seconds_by_kind": {k: statistics.median(v) for k, v in by_kind.items()},
        "reference_seconds": imports,
        "serial_seconds": serial_seconds,
        "jobs2_seconds": parallel_seconds,
        "jobs2_over_serial": parallel_seconds / serial_seconds,
        "targets": {"per_partner_ratio_to_floor": RATIO_TARGET, "jobs2_over_serial": JOBS_TARGET},
    }
    figures["met"] = figures["per_partner_ratio_to_floor"] <= RATIO_TARGET and figures["jobs2_over_serial"] <= JOBS_TARGET
    save("reports", figures)
    print(f"reports: a partner report {per_partner:.2f} s vs a notebook importing its stack {floor:.2f} s = "
          f"{figures['per_partner_ratio_to_floor']:.2f}x (target <= {RATIO_TARGET:g}); median by kind "
          + ", ".join(f"{k} {v:.2f} s" for k, v in figures["median_seconds_by_kind"].items())
          + "; for reference: " + ", ".join(f"{k} {v:.2f} s" for k, v in imports.items())
          + f"; the example run serial {serial_seconds:.1f} s, "
          f"--jobs 2 {parallel_seconds:.1f} s = {figures['jobs2_over_serial']:.2f} (target <= {JOBS_TARGET:g})")
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)
