"""Forecast against evaluation: outcomes matched by id, and a decomposition of the change in
present value that adds up to it exactly, checked against Shapley values worked by hand.

Hand-worked: one outcome, no deflators, one year, 3.5% from year 1 (SROI guide 2012).
Forecast 10 people × £1,000, achieved 12 × £1,100:

    PV_f = 10 × 1,000 / 1.035 = 9,661.84     PV_e = 12 × 1,100 / 1.035 = 12,753.62
    φ_quantity = ½ [(12 − 10) × 1,000 + (12 − 10) × 1,100] / 1.035 = 2,028.99
    φ_proxy    = ½ [(1,100 − 1,000) × 10 + (1,100 − 1,000) × 12] / 1.035 = 1,062.80
    φ_quantity + φ_proxy = 3,091.79 = PV_e − PV_f   (Shapley 1953)
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svlib.analysis.comparison import EVALUATION_ONLY, FORECAST_ONLY, Side, compare, shapley
from svlib.cli import main
from svlib.valuation.sroi import Conventions, Investment
from tests.conftest import single_outcome
from tests.workbooks import plain_cells


def side(purpose: str, rows: list[dict], invested: float = 10_000.0) -> Side:
    frame = pd.concat([single_outcome(**r) for r in rows], ignore_index=True)
    return Side(partner_id="pantry", name="Pantry", purpose=purpose, impact_map=frame,  # one id on both sides
                investment=Investment.of(invested))


PLAIN = dict(deadweight=0.0, displacement=0.0, attribution=0.0, drop_off=0.0, duration=1)


def test_the_change_is_shared_by_shapley_values_worked_by_hand():
    result = compare(side("forecast", [dict(PLAIN, quantity=10.0, proxy_value=1000.0)]),
                     side("evaluative", [dict(PLAIN, quantity=12.0, proxy_value=1100.0)]),
                     Conventions(price_year=2024), draws=200)
    assert result.change_in_present_value == pytest.approx(12 * 1100 / 1.035 - 10 * 1000 / 1.035)
    shares = dict(zip(result.decomposition["parameter"], result.decomposition["contribution"]))
    assert shares == {"quantity": pytest.approx(0.5 * (2 * 1000 + 2 * 1100) / 1.035),
                      "proxy_value": pytest.approx(0.5 * (100 * 10 + 100 * 12) / 1.035)}


def test_outcomes_on_one_side_only_are_listed_and_counted_whole():
    result = compare(side("forecast", [dict(outcome_id="A1"), dict(outcome_id="B2", quantity=4.0)]),
                     side("evaluative", [dict(outcome_id="A1", attribution=0.4), dict(outcome_id="C3")]),
                     Conventions(price_year=2024), draws=200)
    assert result.only_in_forecast == ["B2"] and result.only_in_evaluation == ["C3"]
    rows = result.decomposition.set_index(["outcome_id", "parameter"])["contribution"]
    pv = dict(zip(result.outcomes["outcome_id"], result.outcomes["present_value_forecast"]))
    assert rows[("B2", FORECAST_ONLY)] == pytest.approx(-pv["B2"])
    assert rows[("C3", EVALUATION_ONLY)] > 0
    assert set(rows.loc["A1"].index) == {"attribution"}  # only the figure that moved
    assert math.fsum(result.decomposition["contribution"]) == pytest.approx(result.change_in_present_value, abs=1e-6)


figure = st.fixed_dictionaries({
    "quantity": st.floats(0, 500), "proxy_value": st.floats(-2000, 5000), "deadweight": st.floats(0, 1),
    "attribution": st.floats(0, 1), "drop_off": st.floats(0, 1), "duration": st.integers(1, 6),
    "start_year": st.integers(1, 4)})


@settings(max_examples=40, deadline=None)
@given(figure, figure)
def test_the_decomposition_adds_up_to_the_change_exactly(before, after):
    result = compare(side("forecast", [before]), side("evaluative", [after]), Conventions(price_year=2024), draws=50)
    total = math.fsum(result.decomposition["contribution"])
    scale = max(1.0, abs(result.forecast_value.present_value), abs(result.evaluation_value.present_value))
    assert total == pytest.approx(result.change_in_present_value, abs=1e-9 * scale)


def test_a_figure_that_did_not_move_contributes_nothing():
    factors = Conventions().factors(3)
    base = {"quantity": 10.0, "proxy_value": 100.0, "deadweight": 0.2, "displacement": 0.0, "attribution": 0.1,
            "leakage": 0.0, "drop_off": 0.5, "duration": 3.0, "start_year": 1.0}
    assert shapley(base, dict(base), factors) == {}
    assert set(shapley(base, dict(base, drop_off=0.3), factors)) == {"drop_off"}


def test_svlib_compare_sets_two_workbooks_side_by_side(tmp_path, capsys):
    from svlib.io.template import write_workbook
    from svlib.tools.example_partners import example_collection

    partner, tables = example_collection()["food-network"]
    forecast_map = tables["ImpactMap"].copy()
    forecast_map.loc[forecast_map["outcome_id"] == "FN1", "quantity"] = 60
    forecast = write_workbook(tmp_path / "forecast.xlsx", {**partner, "partner_id": "pantry-plan", "purpose": "forecast",
                                                           "forecast": ""},
                              {**tables, "ImpactMap": forecast_map})
    evaluation = write_workbook(tmp_path / "evaluation.xlsx", partner, tables)
    assert main(["compare", str(forecast), str(evaluation), "--json", "--draws", "300"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"forecast", "evaluation", "change_in_present_value", "decomposition", "only_in_forecast",
                        "only_in_evaluation"}
    for key in ("present_value", "investment", "sroi_ratio"):
        assert key in out["forecast"] and key in out["evaluation"]
    assert out["decomposition"] == [{"outcome_id": "FN1", "parameter": "quantity",
                                     "contribution": pytest.approx(out["change_in_present_value"])}]
    assert out["only_in_forecast"] == [] and out["only_in_evaluation"] == []
    assert main(["compare", str(forecast), str(evaluation), "--draws", "300"]) == 0
    assert "What explains the change" in capsys.readouterr().out
    # the wrong way round is refused, naming the file
    assert main(["compare", str(evaluation), str(forecast), "--draws", "300"]) == 1
    assert "purpose is evaluative" in capsys.readouterr().err


def test_a_forecast_an_evaluation_follows_is_counted_once_in_collection_pages(processed_example):
    from svlib.analysis.comparison import without_superseded_forecasts

    assert "food-network-forecast" in set(processed_example["ImpactMap"]["partner_id"])
    current = without_superseded_forecasts(processed_example)
    for name, frame in current.items():
        if "partner_id" in frame:
            assert "food-network-forecast" not in set(frame["partner_id"]), name
    assert set(current["Partner"]["partner_id"]) == set(processed_example["Partner"]["partner_id"]) - {
        "food-network-forecast"}
    assert len(processed_example["ImpactMap"]) > len(current["ImpactMap"])  # the tables given are not changed


def test_a_forecast_field_that_pairs_nothing_removes_nobody_and_says_why():
    from svlib.analysis.comparison import forecast_pairs, unpaired_forecasts, without_superseded_forecasts

    partners = pd.DataFrame({"partner_id": ["a", "b", "c", "d"], "purpose": ["evaluative", "evaluative", "forecast",
                                                                              "evaluative"],
                             "forecast": ["b", "c", "", "zz"]})
    assert forecast_pairs(partners) == [("b", "c")]  # a names an evaluative partner; d one not in the run
    notes = unpaired_forecasts(partners)
    assert len(notes) == 2 and "a is evaluative, b is evaluative" in notes[0] and "not in this run" in notes[1]
    tables = {"Partner": partners, "ImpactMap": pd.DataFrame({"partner_id": ["a", "b", "c"], "outcome_id": ["X"] * 3})}
    assert without_superseded_forecasts(tables)["ImpactMap"]["partner_id"].tolist() == ["a", "b"]


def test_a_count_below_5_on_one_side_withholds_the_outcome_on_both(tmp_path):
    # the forecast counts 8 for FN5, the evaluation 3: the forecast's page showing FN5's value of one person
    # would give the evaluation's count from its present value, so both pages withhold FN5's figures
    from svlib.io.template import write_workbook
    from svlib.pipeline.build import build
    from svlib.reporting import report_display as show
    from svlib.reporting.partner_report import prepare
    from svlib.tools.example_partners import example_collection

    collection = example_collection()
    raw = tmp_path / "raw"
    raw.mkdir()
    for pid in ("food-network", "food-network-forecast"):
        partner, tables = collection[pid]
        if pid == "food-network-forecast":
            evaluation_map = collection["food-network"][1]["ImpactMap"]
            tables = {**tables, "ImpactMap": pd.concat([tables["ImpactMap"], evaluation_map[
                evaluation_map["outcome_id"] == "FN5"].assign(quantity=8)], ignore_index=True)}
        write_workbook(raw / f"{pid}.xlsx", partner, tables)
    assert build(raw, tmp_path / "processed").ok
    forecast = prepare("food-network-forecast", data_dir=tmp_path / "processed", draws=200)
    assert "FN5" in forecast.withheld_outcomes and forecast.count_mark("FN5") == "withheld"  # 8 is no count below 5
    page = plain_cells(show.arithmetic_table(forecast).data)
    row = page[page.index("<td>FN5</td>"):]
    row = row[:row.index("</tr>")]
    assert "withheld" in row and "&lt;5" not in row and "<td>8</td>" not in row


def test_the_same_partner_id_on_both_sides_keeps_each_sides_range():
    result = compare(side("forecast", [dict(PLAIN, quantity=40.0, proxy_value=1000.0, proxy_value_low=500.0,
                                            proxy_value_high=1500.0)]),
                     side("evaluative", [dict(PLAIN, quantity=10.0, proxy_value=1000.0)]),
                     Conventions(price_year=2024), draws=500)
    out = result.to_dict()
    assert out["forecast"]["p5"] < out["forecast"]["sroi_ratio"] < out["forecast"]["p95"]
    assert out["evaluation"]["p5"] == pytest.approx(out["evaluation"]["sroi_ratio"])  # nothing uncertain


def test_a_change_of_years_is_shared_with_factors_for_every_year_either_side_reaches():
    before = dict(PLAIN, quantity=10.0, proxy_value=1000.0, duration=5, start_year=1)
    after = dict(PLAIN, quantity=10.0, proxy_value=1000.0, duration=1, start_year=3)
    result = compare(side("forecast", [before]), side("evaluative", [after]), Conventions(price_year=2024), draws=50)
    shares = dict(zip(result.decomposition["parameter"], result.decomposition["contribution"]))
    figures = {"deadweight": 0.0, "displacement": 0.0, "attribution": 0.0, "leakage": 0.0, "drop_off": 0.0,
               "quantity": 10.0, "proxy_value": 1000.0}
    expected = shapley({**figures, "duration": 5.0, "start_year": 1.0}, {**figures, "duration": 1.0, "start_year": 3.0},
                       Conventions().factors(20))
    assert shares == pytest.approx(expected)


def test_an_outcome_valued_year_by_year_shares_its_change_exactly(tmp_path):
    from svlib.validate.impact_map import load_impact_map

    header = "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,proxy_id\n"
    maps = []
    for tonnes in (100, 200):
        path = tmp_path / f"map{tonnes}.csv"
        path.write_text(header + f"C1,Residents,Emissions saved,Environment,{tonnes},3,0,0,0,0,DESNZ23-CV\n",
                        encoding="utf-8")
        maps.append(load_impact_map(path, price_year=2024, first_year=2024))
    sides = [Side(partner_id="woods", name="Woods", purpose=p, impact_map=m, investment=Investment.of(10_000.0))
             for p, m in zip(("forecast", "evaluative"), maps)]
    result = compare(*sides, Conventions(price_year=2024), draws=50)
    # each year at its own carbon value: doubling the tonnes doubles the present value, all of it the quantity's
    assert result.change_in_present_value == pytest.approx(result.to_dict()["forecast"]["present_value"])
    shares = dict(zip(result.decomposition["parameter"], result.decomposition["contribution"]))
    assert shares == {"quantity": pytest.approx(result.change_in_present_value, rel=1e-12)}
