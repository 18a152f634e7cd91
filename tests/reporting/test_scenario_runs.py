"""A scenario run writes beside the official run, never over it: its own folder, a banner on
every page, the official figures beside its own, and the official outputs byte for byte as
they were."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from svlib import paths
from svlib.core.problems import InputError
from svlib.reporting.page_check import run_leftovers
from svlib.reporting.reports import run_reports
from svlib.uncertainty.scenarios import Scenario

pytestmark = pytest.mark.slow
DRAWS, SEED = 300, 3


def fingerprints(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "scenarios" not in p.relative_to(folder).parts}


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    root = tmp_path_factory.mktemp("scenario-runs")
    raw = root / "raw" / "forum"
    raw.mkdir(parents=True)
    for name in ("youth-hub", "befriending-service"):
        shutil.copy(paths.raw_collection("example") / f"{name}.xlsx", raw)
    scenario = Scenario(name="Cautious deadweight", factors={"deadweight": 0.5}).save(root / "cautious.json")
    return root, raw, scenario


@pytest.fixture
def outputs(place, monkeypatch):
    root, raw, scenario = place
    folder = root / "outputs"
    monkeypatch.setattr(paths, "OUTPUTS_DIR", folder)  # the default output place, outside the working tree
    return folder


def official_run(raw, root):
    return run_reports(raw, None, jobs=2, draws=DRAWS, seed=SEED, processed=root / "processed", progress=False,
                       research=False)


def test_a_scenario_needs_the_official_run_it_is_shown_beside(place, outputs):
    root, raw, scenario = place
    shutil.rmtree(outputs, ignore_errors=True)
    with pytest.raises(InputError, match="there is none yet"):
        run_reports(raw, None, draws=DRAWS, seed=SEED, processed=root / "processed", progress=False,
                    scenario=scenario)
    assert not (outputs / "forum").exists()  # nothing written


def test_a_scenario_run_leaves_the_official_run_as_it_was(place, outputs):
    root, raw, scenario = place
    shutil.rmtree(outputs, ignore_errors=True)
    official = official_run(raw, root)
    assert official.ok
    before = fingerprints(official.out_dir)
    what_if = run_reports(raw, None, jobs=2, draws=DRAWS, seed=SEED, processed=root / "processed", progress=False,
                          scenario=scenario)
    assert what_if.ok
    assert what_if.out_dir == official.out_dir / "scenarios" / "cautious"
    assert fingerprints(official.out_dir) == before  # every official file, byte for byte
    # every page of the scenario says so and names what it changes
    pages = sorted(what_if.out_dir.rglob("*.html"))
    assert len(pages) == 3  # two partners and the index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "What if" in text and "deadweight set to 50% for every outcome" in text, page
    # its index shows each partner's official ratio beside the scenario's
    index = (what_if.out_dir / "index.html").read_text(encoding="utf-8")
    run = json.loads((what_if.out_dir / "run.json").read_text(encoding="utf-8"))
    base = {r["key"]: r for r in official.run["notebooks"]}
    for record in run["notebooks"]:
        official_ratio = base[record["key"]]["sroi_ratio"]
        assert record["sroi_ratio"] < official_ratio  # half the value is deadweight now
        assert f"£{official_ratio:,.2f} : £1" in index and f"£{record['sroi_ratio']:,.2f} : £1" in index
    assert run["scenario"]["name"] == "Cautious deadweight"
    assert [str(f) for f in run_leftovers(what_if.out_dir)] == []  # finished pages, the scenario in words
    assert run["scenario"]["base_run"] == official.run["run_id"] and official.run["run_id"] in index
    # a later official run keeps the scenario beside it
    again = official_run(raw, root)
    assert again.ok and (again.out_dir / "scenarios" / "cautious" / "index.html").is_file()


def test_a_scenario_is_never_written_over_an_official_run(place, outputs):
    root, raw, scenario = place
    official = official_run(raw, root)
    before = fingerprints(official.out_dir)
    with pytest.raises(InputError, match="holds an official run"):
        run_reports(raw, official.out_dir, draws=DRAWS, seed=SEED, processed=root / "processed", progress=False,
                    scenario=scenario)
    assert fingerprints(official.out_dir) == before


def test_a_stopped_scenario_run_never_blocks_the_official_run(place, outputs):
    root, raw, scenario = place
    official = official_run(raw, root)
    scenarios = official.out_dir / "scenarios"
    scenarios.mkdir(exist_ok=True)
    # what a scenario run killed mid-way leaves beside its folder: its lock and its staging folder
    (scenarios / ".cautious.lock").write_text("12345\n")
    (scenarios / ".cautious.staging-abc123" / "partners").mkdir(parents=True)
    (scenarios / ".cautious.staging-abc123" / "partners" / "youth-hub.html").write_text("<html></html>")
    again = official_run(raw, root)
    assert again.ok
    assert not (again.out_dir / "scenarios" / ".cautious.staging-abc123").exists()  # not carried into the new run


def test_two_scenario_files_that_name_one_folder_never_replace_each_other(place, outputs):
    root, raw, scenario = place
    official_run(raw, root)
    first = run_reports(raw, None, jobs=2, draws=DRAWS, seed=SEED, processed=root / "processed", progress=False,
                        scenario=scenario)
    assert first.ok
    clash = Scenario(name="Another", factors={"attribution": 0.6}).save(root / "Cautious.json")  # the same folder name
    before = fingerprints(first.out_dir)
    with pytest.raises(InputError, match="another scenario file"):
        run_reports(raw, None, draws=DRAWS, seed=SEED, processed=root / "processed", progress=False, scenario=clash)
    assert fingerprints(first.out_dir) == before
