"""svlib build: raw collection to tidy tables, all or nothing, raw files untouched,
identical tables on re-run."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from svlib import paths
from svlib.build import build, load_processed
from svlib.cli import main
from svlib.files import sha256
from tests.workbooks import column_of, edit

TABLE_FILES = ["partner.csv", "inputs.csv", "impact_map.csv", "baseline.csv", "reporting_calendar.csv",
               "quality_marks.csv", "deflator_survey.csv", "star_readings.csv", "case_studies.csv"]


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(paths.raw_collection("example"), folder)
    return folder


def hashes(folder):
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_example_collection_builds_every_table_with_a_manifest(raw, tmp_path):
    before = hashes(raw)
    out = tmp_path / "processed"
    assert main(["build", str(raw), str(out)]) == 0
    assert hashes(raw) == before  # raw files are only read
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_FILES + ["manifest.json"])
    assert manifest["partners"] == ["befriending-service", "digital-inclusion", "employability-cic", "food-network",
                                    "green-spaces-trust", "youth-hub"]
    for source in manifest["sources"]:
        assert source["sha256"] == before[source["file"]]
        assert source["bytes"] == (raw / source["file"]).stat().st_size
        assert source["modified"]
    for file_name in TABLE_FILES:
        frame = pd.read_csv(out / file_name)
        assert manifest["tables"][file_name] == len(frame)
        assert list(frame.columns)[0] == "partner_id"
    assert {"svlib_version", "built_at"} <= set(manifest)
    tables = load_processed(out)
    assert set(tables["ImpactMap"]["theme"]) == {"Jobs", "Growth", "Social", "Environment", "Innovation"}


def test_rebuilding_unchanged_input_gives_identical_tables(raw, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(raw, first).ok and build(raw, second).ok
    for file_name in TABLE_FILES:
        assert (first / file_name).read_bytes() == (second / file_name).read_bytes(), file_name
    assert build(raw, first).ok  # rebuilding over an existing folder replaces it whole
    assert (first / "impact_map.csv").read_bytes() == (second / "impact_map.csv").read_bytes()


def test_one_invalid_workbook_means_nothing_is_written(raw, tmp_path, capsys):
    out = tmp_path / "processed"
    assert build(raw, out).ok
    previous = hashes(out)
    bad = raw / "youth-hub.xlsx"
    edit(bad, "ImpactMap", {f"{column_of(bad, 'ImpactMap', 'quantity')}2": "lots"})
    edit(bad, "Inputs", {f"{column_of(bad, 'Inputs', 'value_gbp')}2": "n/a"})
    raw_before = hashes(raw)
    assert main(["build", str(raw), str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:ImpactMap:2:quantity: expected a number" in err
    assert f"{bad}:Inputs:2:value_gbp: expected a number" in err
    assert "nothing was written" in err
    assert hashes(out) == previous  # the earlier build is untouched
    assert hashes(raw) == raw_before
    fresh = tmp_path / "fresh"
    assert not build(raw, fresh).ok and not fresh.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folders left


def test_office_lock_files_are_skipped(raw, tmp_path):
    (raw / "~$food-network.xlsx").write_bytes(b"lock")
    result = build(raw, tmp_path / "out")
    assert result.ok
    assert any("lock file" in str(p) for p in result.problems)
