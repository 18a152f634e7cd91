"""Where benchmark figures go: ``benchmarks/results/<name>.json`` (git-ignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


def save(name: str, figures: dict[str, Any]) -> Path:
    """Write one benchmark's figures as JSON and return the path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path
