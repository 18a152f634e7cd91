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


def single_outcome(**overrides):
    """A one-outcome impact map as svlib.valuation.sroi takes it: quantity 10, proxy £1,000,
    deadweight 20%, displacement 10%, attribution 25%, no leakage, drop-off 50%, 3 years."""
    import pandas as pd

    row = dict(outcome_id="A1", stakeholder="Young people", outcome="Into work", theme="Jobs", quantity=10.0,
               proxy_value=1000.0, deadweight=0.2, displacement=0.1, attribution=0.25, leakage=0.0,
               drop_off=0.5, duration=3, start_year=1)
    row.update(overrides)
    return pd.DataFrame([row])


def _working_tree_outputs() -> dict[str, float]:
    """What lies in the working tree's data/processed and outputs folders: name and
    modification time of every entry (a test writes only under its own temporary folder)."""
    from svlib import paths

    listing = {}
    for folder in (paths.PROCESSED_DIR, paths.OUTPUTS_DIR):
        if folder.is_dir():
            for entry in folder.iterdir():
                listing[str(entry)] = entry.stat(follow_symlinks=False).st_mtime_ns
    return listing


@pytest.fixture(autouse=True)
def _leaves_the_working_tree_alone(request):
    """Fail a test that writes into the working tree's data/processed or outputs (a user's
    own tables and pages live there)."""
    before = _working_tree_outputs()
    yield
    after = _working_tree_outputs()
    if after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        pytest.fail(f"{request.node.nodeid} changed the working tree: {sorted({name for name, _ in changed})}")


@pytest.fixture(scope="session")
def example():
    """The worked example's impact map, resolved to 2024 prices."""
    from svlib import paths
    from svlib.validate.impact_map import load_impact_map

    return load_impact_map(paths.EXAMPLE_IMPACT_MAP, price_year=2024)


@pytest.fixture(scope="session")
def example_folder(tmp_path_factory):
    """The bundled example collection's processed tables, built afresh into a temporary
    folder (never the working tree's data/processed, which may be stale or absent)."""
    from svlib import paths
    from svlib.pipeline.build import build

    folder = tmp_path_factory.mktemp("processed") / "example"
    build(paths.raw_collection("example"), folder)
    return folder


@pytest.fixture(scope="session")
def processed_example(example_folder):
    """The tables of :func:`example_folder`, loaded and checked."""
    from svlib.pipeline.build import load_processed

    return load_processed(example_folder)


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


XSS_NAME = "<img src=x onerror=alert(1)>"
BROKEN_CELL = "Jo said ring 07700 900555"
"""Typed in a quantity cell of the broken workbook: its error quotes it, and no shared file may."""


@pytest.fixture(scope="session")
def report_run(tmp_path_factory):
    """A real `svlib reports` run on a small collection: three example partners, one
    partner whose name is an HTML attack, and one broken workbook."""
    import shutil

    from svlib import paths
    from svlib.reporting.reports import run_reports
    from tests.workbooks import (
        MATH_LABEL,
        column_of,
        edit,
        plant_contact_details,
        rename_outcome,
        write_csv_partner,
        write_far_cell,
        write_partner,
    )

    root = tmp_path_factory.mktemp("reports")
    raw = root / "forum"
    raw.mkdir()
    for name in ("food-network", "youth-hub", "befriending-service"):
        shutil.copy(paths.raw_collection("example") / f"{name}.xlsx", raw)
    hostile = write_partner(raw / "xss.xlsx", base="green-spaces-trust", partner_id="xss-test", name=XSS_NAME)
    plant_contact_details(hostile)  # contact details typed in every kind of text field
    rename_outcome(hostile, "GS1", MATH_LABEL)  # a chart label matplotlib would read as a formula
    broken = write_partner(raw / "broken.xlsx", base="digital-inclusion", partner_id="broken-one")
    edit(broken, "ImpactMap", {f"{column_of(broken, 'ImpactMap', 'deadweight')}2": "25",
                               f"{column_of(broken, 'ImpactMap', 'quantity')}3": BROKEN_CELL})
    write_far_cell(raw / "far-cell.xlsx", base="youth-hub")  # would need hundreds of GiB if read blindly
    linked = write_csv_partner(raw / "linked")
    (linked / "Partner.csv").unlink()
    (linked / "Partner.csv").symlink_to("/etc/passwd")  # a link out of the raw folder
    result = run_reports(raw, root / "out", jobs=2, draws=2000, seed=11, processed=root / "processed",
                         progress=False)
    return result, raw, root
