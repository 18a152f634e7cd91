"""The svlib command line, run as a user runs it (a real process)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from svlib import paths
from tests.conftest import one_row

SROI_KEYS = {"present_value", "investment", "npv", "sroi_ratio", "net_sroi_ratio", "payback_months", "by_year",
             "by_outcome", "conventions"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "svlib", *args], capture_output=True, text=True, timeout=120)


def test_sroi_json_has_the_documented_keys():
    done = run("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "199320", "--price-year", "2024", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert SROI_KEYS <= set(payload)
    assert payload["sroi_ratio"] == pytest.approx(payload["present_value"] / 199320)
    assert payload["conventions"]["price_year"] == 2024
    assert {"year", "impact", "discount_factor", "present_value"} <= set(payload["by_year"][0])
    assert {"outcome_id", "theme", "present_value", "impact_year1"} <= set(payload["by_outcome"][0])


def test_sroi_readable_table_and_options():
    done = run("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--inputs", str(paths.EXAMPLE_INPUTS), "--price-year", "2024",
               "--green-book", "--discount-from", "0", "--dropoff-from", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("SROI ratio          £")
    assert "discount_schedule: green_book" in done.stdout and "dropoff_from: 1" in done.stdout


def test_options_change_the_answer_as_documented():
    def ratio(*options):
        done = run("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "1000", "--price-year", "2024", "--json",
                   *options)
        return json.loads(done.stdout)["sroi_ratio"]

    base = ratio()
    assert ratio("--discount-from", "0") > base  # year 1 undiscounted
    assert ratio("--dropoff-from", "1") < base  # drop-off already in year 1
    assert ratio("--discount-rate", "0%") > base
    assert ratio("--price-year", "2023") < base  # fewer pounds in 2023 prices


def test_malformed_map_prints_every_problem_and_exits_1(write_map):
    path = write_map([one_row(quantity="lots"), one_row(outcome_id="A2", deadweight="25"),
                      one_row(outcome_id="A3", theme="Sport")])
    done = run("sroi", str(path), "--investment", "1000", "--json")
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}:ImpactMap:2:quantity:")
    assert lines[1].startswith(f"{path}:ImpactMap:3:deadweight:")
    assert lines[2].startswith(f"{path}:ImpactMap:4:theme:")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [
    ("sroi", "does/not/exist.csv", "--investment", "1000"),
    ("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "1000", "--price-year", "2040"),
    ("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "-5"),
    ("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "1000", "--discount-rate", "35"),
])
def test_bad_requests_never_show_a_traceback(args):
    done = run(*args)
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr
    assert done.stderr.strip()


def test_out_writes_tables_and_provenance(tmp_path):
    out = tmp_path / "valuation"
    done = run("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--inputs", str(paths.EXAMPLE_INPUTS), "--price-year", "2024",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    written = json.loads((out / "valuation.json").read_text())
    assert set(written["provenance"]["inputs"]) == {str(paths.EXAMPLE_IMPACT_MAP), str(paths.EXAMPLE_INPUTS)}
    assert all(len(v["sha256"]) == 64 for v in written["provenance"]["inputs"].values())
    for name in ("by_outcome.csv", "by_year.csv", "by_theme.csv", "by_stakeholder.csv", "summary.txt"):
        assert (out / name).stat().st_size > 0
    assert not list(out.glob(".*.tmp"))


def test_out_never_replaces_a_file_it_did_not_write(tmp_path):
    # the map itself, or a researcher's notes, in the folder named by --out
    mine = tmp_path / "by_outcome.csv"
    mine.write_bytes(paths.EXAMPLE_IMPACT_MAP.read_bytes())
    (tmp_path / "summary.txt").write_text("my notes")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    done = run("sroi", str(mine), "--investment", "150000", "--out", str(tmp_path))
    assert done.returncode == 1 and "holds the valuation's own input" in done.stderr
    out = tmp_path / "valuation"
    assert run("sroi", str(mine), "--investment", "150000", "--out", str(out)).returncode == 0
    assert run("sroi", str(mine), "--investment", "150000", "--out", str(out)).returncode == 0  # its own output
    (out / "notes.txt").write_text("mine")
    done = run("sroi", str(mine), "--investment", "150000", "--out", str(out))
    assert done.returncode == 1 and "holds files a valuation did not write (notes.txt)" in done.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_proxies_command_lists_and_shows_gaps():
    done = run("proxies", "--theme", "Jobs", "--gaps")
    assert done.returncode == 0
    assert "JOB-01" in done.stdout and "Known gaps" in done.stdout and "JOB-06" in done.stdout


def test_proxies_homeless_lists_the_gmca_families_with_sources_and_licence():
    done = run("proxies", "--keyword", "homeless", "--price-year", "2024")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    listed = [line.split()[0] for line in lines if line.startswith(("  GMCA14-", "· GMCA14-"))]
    assert "GMCA14-HO3.0-F" in listed  # the statutory homelessness headline line
    first = next(line for line in lines if "GMCA14-HO3" in line)
    assert "GMCA14-HO3.0-F  £2,501.00 GBP per application (2011 prices, age 13 OLD; Social; headline, fiscal (saving " \
           "to the public purse: Local authority / RSL), confidence A)" in first
    assert "Sources:" in done.stdout and "Unit Cost Database v1.4" in done.stdout
    assert "Licence: CC BY 4.0" in done.stdout


def test_proxies_refuses_an_unknown_filter_clearly():
    done = run("proxies", "--value-type", "monetary")
    assert done.returncode == 2 and "unknown value type 'monetary'; expected one of: fiscal, economic, social" in done.stderr


SIMULATE_KEYS = {"draws", "seed", "sroi_ratio", "present_value", "prob_ratio_below_1", "monte_carlo_se"}


def test_simulate_json_has_the_documented_keys_and_is_seeded():
    args = ("simulate", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "199320", "--price-year", "2024",
            "--draws", "3000", "--seed", "7", "--json")
    first, second = run(*args), run(*args)
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert set(payload) == SIMULATE_KEYS
    assert set(payload["sroi_ratio"]) == {"mean", "sd", "p5", "p50", "p95"}
    assert payload["draws"] == 3000 and payload["seed"] == 7
    assert payload["sroi_ratio"]["p5"] < payload["sroi_ratio"]["p50"] < payload["sroi_ratio"]["p95"]
    assert first.stdout == second.stdout  # one seed in, identical numbers out


def test_simulate_prints_a_readable_summary():
    done = run("simulate", str(paths.EXAMPLE_IMPACT_MAP), "--inputs", str(paths.EXAMPLE_INPUTS), "--price-year",
               "2024", "--draws", "2000")
    assert done.returncode == 0, done.stderr
    assert "90% range" in done.stdout and "chance below 1:1" in done.stdout


@pytest.fixture(scope="module")
def processed_tables(tmp_path_factory):
    """The example collection's processed tables, built afresh (every partner's rows in one table)."""
    from svlib.pipeline.build import build

    folder = tmp_path_factory.mktemp("cli-processed") / "example"
    assert build(paths.raw_collection("example"), folder).ok
    return folder


def test_a_collections_processed_map_is_refused_without_a_partner(processed_tables):
    # valuing six partners' outcomes as one map gave a figure for nobody, silently
    done = run("sroi", str(processed_tables / "impact_map.csv"), "--investment", "1000")
    assert done.returncode == 1
    assert "impact_map.csv:ImpactMap:1:partner_id: the table holds the rows of 7 partners" in done.stderr
    assert "choose one with --partner" in done.stderr
    done = run("sroi", str(processed_tables / "impact_map.csv"), "--investment", "1000", "--partner", "nobody")
    assert done.returncode == 1 and "no rows for partner 'nobody'" in done.stderr
    done = run("sroi", str(paths.EXAMPLE_IMPACT_MAP), "--investment", "1000", "--partner", "youth-hub")
    assert done.returncode == 1 and "there is no partner_id column" in done.stderr


def test_one_partners_rows_with_its_survey_give_the_reports_headline(processed_tables):
    # the partner report's headline: the map at the central values of the evidence, the survey included
    from svlib.reporting.partner_report import prepare

    tables = processed_tables
    done = run("sroi", str(tables / "impact_map.csv"), "--inputs", str(tables / "inputs.csv"),
               "--survey", str(tables / "deflator_survey.csv"), "--partner", "befriending-service",
               "--price-year", "2024", "--json")
    assert done.returncode == 0, done.stderr
    assert "unknown column" not in done.stderr  # the columns svlib build adds are its own
    report = prepare("befriending-service", "example", tables, draws=100)
    assert json.loads(done.stdout)["sroi_ratio"] == report.headline["sroi_ratio"]
    without = run("sroi", str(tables / "impact_map.csv"), "--inputs", str(tables / "inputs.csv"),
                  "--partner", "befriending-service", "--price-year", "2024", "--json")
    assert json.loads(without.stdout)["sroi_ratio"] != report.headline["sroi_ratio"]  # the survey moves it
