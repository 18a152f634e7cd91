"""The same figures everywhere (issue: one coherent estimate): for every example partner the
index page, the partner's page, run.json, and `svlib sroi` / `svlib simulate` on the
partner's processed tables agree on the headline, its likely range and the chance below
1:1, to the precision each shows; and the headline lies inside its range."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from svlib import paths
from svlib.cli import main
from svlib.reporting.report_display import esc, percent
from svlib.reporting.report_text import ratio
from svlib.reporting.reports import run_reports
from tests.workbooks import plain_cells

pytestmark = pytest.mark.slow

PARTNERS = ("befriending-service", "digital-inclusion", "employability-cic", "food-network", "food-network-forecast",
            "green-spaces-trust", "youth-hub")
DRAWS, SEED = 2000, 7


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("same-figures")
    result = run_reports(paths.raw_collection("example"), root / "out", jobs=2, draws=DRAWS, seed=SEED,
                         processed=root / "processed", progress=False, research=False)
    assert result.ok, [f["error"] for f in result.failures]
    return result, root


def _cli_json(capsys, command: str, root, partner: str, year: int, *extra: str) -> dict:
    tables = root / "processed"
    code = main([command, str(tables / "impact_map.csv"), "--inputs", str(tables / "inputs.csv"),
                 "--survey", str(tables / "deflator_survey.csv"), "--partner", partner, "--price-year", str(year),
                 "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_every_example_partner_is_in_the_run(example_run):
    result, _ = example_run
    assert sorted(r["key"] for r in result.run["notebooks"] if r["kind"] == "partner") == [
        f"partner/{p}" for p in PARTNERS]


@pytest.mark.parametrize("partner", PARTNERS)
def test_index_page_run_json_and_the_command_line_agree(example_run, capsys, partner):
    result, root = example_run
    record = {r["key"]: r for r in result.run["notebooks"]}[f"partner/{partner}"]
    headline, p5, p95, below = (record[k] for k in ("sroi_ratio", "p5", "p95", "prob_ratio_below_1"))
    # the headline sits inside its own likely range
    assert p5 <= headline <= p95
    shown = [ratio(headline), ratio(p5), ratio(p95), percent(below, 1)]
    # the index page's row for the partner
    index = result.index.read_text(encoding="utf-8")
    row = next(line for line in index.splitlines() if f"partners/{partner}.html" in line)
    assert all(esc(text) in row for text in shown), row
    # the partner's own page: its headline box
    page = result.path(record).read_text(encoding="utf-8")
    box = page[page.index("svlib-headline"):][:2000]
    assert all(esc(text) in box for text in shown)
    # the command line on the partner's processed tables, in the partner's price year
    partners = pd.read_csv(root / "processed" / "partner.csv")
    year = int(partners.loc[partners["partner_id"] == partner, "price_year"].iloc[0])
    sroi = _cli_json(capsys, "sroi", root, partner, year)
    simulated = _cli_json(capsys, "simulate", root, partner, year, "--draws", str(DRAWS), "--seed", str(SEED))
    assert ratio(sroi["sroi_ratio"]) == ratio(headline)
    assert [ratio(simulated["sroi_ratio"][k]) for k in ("p5", "p95")] == [ratio(p5), ratio(p95)]
    assert percent(simulated["prob_ratio_below_1"], 1) == percent(below, 1)


def test_the_forecast_and_its_evaluation_are_compared_and_linked_from_the_index(example_run, capsys):
    # the food network's evaluation names its forecast: the run sets them side by side, the index links
    # the page, and the page's figures are those of svlib compare on the same processed tables
    result, root = example_run
    record = next(r for r in result.run["notebooks"] if r["key"] == "comparison/food-network")
    assert record["status"] == "ok" and record["html"] == "comparisons/food-network.html"
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="comparisons/food-network.html"' in index
    tables = root / "processed"
    assert main(["compare", str(tables), str(tables), "--forecast-partner", "food-network-forecast",
                 "--evaluation-partner", "food-network", "--json", "--draws", str(DRAWS), "--seed", str(SEED)]) == 0
    out = json.loads(capsys.readouterr().out)
    page = plain_cells((root / "out" / "comparisons" / "food-network.html").read_text(encoding="utf-8"))
    for side in ("forecast", "evaluation"):
        assert esc(ratio(out[side]["sroi_ratio"])) in page
    assert out["only_in_forecast"] == ["FN6"] and out["only_in_evaluation"] == ["FN5"]
    assert sum(d["contribution"] for d in out["decomposition"]) == pytest.approx(out["change_in_present_value"])
    # FN5 counts 3 people: its figures are withheld on the page, its present value shown
    row = page[page.index("<td>FN5</td>"):]
    row = row[:row.index("</tr>")]
    assert "&lt;5" in row and "withheld" in row
