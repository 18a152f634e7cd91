"""Scenarios: named overrides, saved and loaded, applied by the commands and the reports."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from svlib import paths
from svlib.core.problems import InputError
from svlib.uncertainty.scenarios import Scenario, load
from svlib.valuation.sroi import Conventions, value_map


def test_a_factor_across_all_outcomes_and_one_outcome_override(example):
    scenario = Scenario("cautious", factors={"deadweight": 0.4}, outcomes={"JOB1": {"attribution": 0.5}})
    changed = scenario.apply(example)
    assert (changed["deadweight"] == 0.4).all()
    assert changed.loc[changed["outcome_id"] == "JOB1", "attribution"].item() == 0.5
    assert changed.loc[changed["outcome_id"] == "JOB2", "attribution"].item() == 0.3  # untouched
    assert changed["deadweight_low"].isna().all()  # overridden parameters are fixed
    assert example["deadweight"].iloc[0] == 0.3  # the input is not modified
    # by hand for JOB1: I = 8 × 42,000 × (133.9/130.5) × (1 − 0.4)(1 − 0.1)(1 − 0.5); PV over two years, drop-off 50%
    impact = 8 * 42000 * (133.9 / 130.5) * 0.6 * 0.9 * 0.5
    result = value_map(changed, 199320, scenario.conventions(Conventions(price_year=2024)))
    job1 = result.by_outcome.set_index("outcome_id").loc["JOB1", "present_value"]
    assert job1 == pytest.approx(impact / 1.035 + 0.5 * impact / 1.035**2)


def test_discount_options_change_the_conventions():
    scenario = Scenario("green", discount_schedule="green_book", discount_from=0)
    conventions = scenario.conventions(Conventions(price_year=2024))
    assert (conventions.discount_schedule, conventions.discount_from, conventions.price_year) == ("green_book", 0, 2024)


def test_save_and_load_round_trip(tmp_path):
    scenario = Scenario("what if", factors={"attribution": 0.35}, outcomes={"SOC1": {"quantity": 30}},
                        discount_rate=0.05)
    path = scenario.save(tmp_path / "what-if.json")
    assert load(path) == scenario


@pytest.mark.parametrize("content, message", [
    ({"factors": {"deadweight": 40}}, "factors.deadweight: expected a fraction between 0 and 1"),
    ({"factors": {"deadwieght": 0.4}}, "unknown parameter 'deadwieght'"),
    ({"discount_rate": 3.5}, "discount_rate: expected a fraction"),
    ({"colour": "red"}, "unknown field 'colour'"),
    ({"factors": [0.3]}, "factors: expected parameter: value pairs"),
])
def test_bad_scenario_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content))
    with pytest.raises(InputError) as caught:
        load(path)
    assert any(message in str(p) and str(p).startswith(f"{path}:scenario:") for p in caught.value.problems)


def test_unknown_outcome_is_named(example):
    with pytest.raises(ValueError, match="outcome 'NOPE' is not in the impact map"):
        Scenario("x", outcomes={"NOPE": {"quantity": 1}}).apply(example)


def test_sroi_and_simulate_accept_a_scenario(tmp_path, example):
    scenario = Scenario("dw", factors={"deadweight": 0.4}, discount_rate=0.05)
    path = scenario.save(tmp_path / "dw.json")
    base = [sys.executable, "-m", "svlib"]
    common = [str(paths.EXAMPLE_IMPACT_MAP), "--investment", "199320", "--price-year", "2024", "--json",
              "--scenario", str(path)]
    done = subprocess.run(base + ["sroi", *common], capture_output=True, text=True, check=True)
    expected = value_map(scenario.apply(example), 199320, scenario.conventions(Conventions(price_year=2024)))
    assert json.loads(done.stdout)["sroi_ratio"] == pytest.approx(expected.sroi_ratio, rel=1e-12)
    done = subprocess.run(base + ["simulate", *common, "--draws", "1000"], capture_output=True, text=True, check=True)
    # the simulated median sits near the scenario's deterministic ratio (4.10), well below the base case's 4.80
    assert json.loads(done.stdout)["sroi_ratio"]["p50"] == pytest.approx(expected.sroi_ratio, rel=0.03)


def test_reports_apply_a_scenario(report_run, tmp_path):
    from svlib.reporting.reports import run_reports

    result, raw, root = report_run
    path = Scenario("cautious", factors={"deadweight": 0.5}).save(tmp_path / "cautious.json")
    again = run_reports(raw, tmp_path / "out", partners=["youth-hub"], jobs=1, draws=2000, seed=11,
                        processed=tmp_path / "processed", progress=False, scenario=path, research=False)
    base = {r["key"]: r for r in result.run["notebooks"]}["partner/youth-hub"]
    cautious = {r["key"]: r for r in again.run["notebooks"]}["partner/youth-hub"]
    assert again.ok and cautious["sroi_ratio"] < base["sroi_ratio"]
    assert cautious["parameters"]["scenario"] == json.loads(path.read_text())  # its content: no folders of this machine
    assert str(path) not in (tmp_path / "out" / cautious["ipynb"]).read_text(encoding="utf-8")


def test_a_scenarios_discounting_rule_replaces_a_runs_table_of_factors():
    table = Conventions(discount_schedule="factors", discount_factors=((1, 1.1), (2, 1.0)))
    assert Scenario("s", discount_rate=0.05).conventions(table) == replace(table, discount_rate=0.05)  # no rule: kept
    mid_year = Scenario("s", discount_from=0.5).conventions(table)
    assert (mid_year.discount_schedule, mid_year.discount_factors, mid_year.discount_from) == ("constant", None, 0.5)
    health = Scenario("s", discount_schedule="green_book_health").conventions(table)
    assert (health.discount_schedule, health.discount_factors) == ("green_book_health", None)
