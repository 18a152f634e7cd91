"""Run every benchmark in this folder (each a script ``bench_*.py``) and print its figures.

Benchmarks are not tests: they measure ratios against a floor measured in the same run,
and write their figures to ``benchmarks/results/*.json``. Exit status is non-zero when a
target is missed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
failed = []
for script in sorted(here.glob("bench_*.py")):
    print(f"== {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)]).returncode != 0:
        failed.append(script.name)
print("targets missed: " + ", ".join(failed) if failed else "all targets met")
sys.exit(1 if failed else 0)
