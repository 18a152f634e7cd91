"""Refresh the checked outputs stored in a report notebook.

nbval compares the cells marked ``# NBVAL_CHECK_OUTPUT`` with the outputs stored in the
committed notebook. This executes a notebook with its default parameters on the
``svlib`` kernel and keeps only those cells' outputs (every other output is dropped, so no
figures or widget state are committed).

Usage: ``python -m svlib.tools.notebook_outputs NOTEBOOK [NOTEBOOK ...]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from svlib import paths
from svlib.reporting.runner import KERNEL

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    """Execute ``path`` and store only the checked cells' outputs in it."""
    import papermill  # local: loaded only when a notebook is refreshed

    executed = papermill.execute_notebook(str(path), None, kernel_name=KERNEL, progress_bar=False,
                                          cwd=str(paths.NOTEBOOKS_DIR))
    source = nbformat.read(path, as_version=4)
    for cell, done in zip(source.cells, executed.cells):
        if cell.cell_type != "code":
            continue
        checked = cell.source.startswith(CHECK_MARK)
        cell["outputs"] = done.get("outputs", []) if checked else []
        # nbval compares only cells that were run: a checked cell keeps its execution count
        cell["execution_count"] = done.get("execution_count") if checked else None
    source.metadata.pop("papermill", None)
    nbformat.write(source, path)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        refresh(Path(name))
        print(f"refreshed {name}")
