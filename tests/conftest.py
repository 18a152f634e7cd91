"""Shared fixtures: small real files written to a temporary folder."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

import pytest

HEADER = [
    "outcome_id", "stakeholder", "outcome", "theme", "quantity", "duration",
    "deadweight", "displacement", "attribution", "drop_off", "proxy_value",
]


def one_row(**overrides) -> dict:
    """A valid impact-map row; keyword arguments replace cells."""
    row = {
        "outcome_id": "A1", "stakeholder": "Young people", "outcome": "Into work", "theme": "Jobs",
        "quantity": "10", "duration": "3", "deadweight": "20%", "displacement": "0.1",
        "attribution": "25%", "drop_off": "50%", "proxy_value": "1000",
    }
    row.update(overrides)
    return row


@pytest.fixture
def write_map(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts) to an impact-map CSV and return its path."""

    def write(rows: list[dict], header: list[str] | None = None, name: str = "map.csv") -> Path:
        header = header or list(dict.fromkeys([k for r in rows for k in r] or HEADER))
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                writer.writerow([row.get(h, "") for h in header])
        return path

    return write
