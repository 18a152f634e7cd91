"""Investment spread over years, discounted exactly as the benefits it buys, worked by hand.

Inputs: £10,000 in each of years 1, 2 and 3, and £5,000 with no year (face value).
At 3.5% from year 1 (the benefits' own convention, SROI guide 2012; Green Book STPR):

    PV_inv = 5,000 + 10,000/1.035 + 10,000/1.035² + 10,000/1.035³ = 33,016.38
    investment (face value) = 35,000

The outcome (tests.conftest.single_outcome): I = 10 × 1,000 × 0.8 × 0.9 × 0.75 = 5,400, then
2,700 and 1,350: PV = 5,400/1.035 + 2,700/1.035² + 1,350/1.035³ = 8,955.49.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from svlib.cli import main
from svlib.valuation.sroi import Conventions, Investment, value_map
from tests.conftest import single_outcome

PV_INV = 5_000 + 10_000 / 1.035 + 10_000 / 1.035**2 + 10_000 / 1.035**3
PV = 5_400 / 1.035 + 2_700 / 1.035**2 + 1_350 / 1.035**3
INPUTS = Investment(((1, 10_000.0), (2, 10_000.0), (3, 10_000.0), (None, 5_000.0)))


def test_inputs_in_years_one_to_three_are_discounted_as_the_benefits_are():
    v = value_map(single_outcome(), INPUTS, Conventions(price_year=2024))
    assert v.investment == 35_000 and v.investment_pv == pytest.approx(PV_INV)
    assert v.present_value == pytest.approx(PV)
    assert v.sroi_ratio == pytest.approx(PV / PV_INV)
    assert v.npv == pytest.approx(PV - PV_INV) and v.net_sroi_ratio == pytest.approx((PV - PV_INV) / PV_INV)
    by_year = v.investment_by_year
    assert by_year["year"].tolist()[0] is pd.NA and by_year["year"].tolist()[1:] == [1, 2, 3]
    assert by_year["present_value"].sum() == pytest.approx(PV_INV)


def test_inputs_without_a_year_are_at_face_value_as_before():
    plain = value_map(single_outcome(), 35_000.0, Conventions(price_year=2024))
    undated = value_map(single_outcome(), Investment(((None, 30_000.0), (None, 5_000.0))), Conventions(price_year=2024))
    assert plain.investment_pv == plain.investment == undated.investment_pv == 35_000
    assert plain.sroi_ratio == undated.sroi_ratio == pytest.approx(PV / 35_000)


def test_an_input_later_than_every_outcome_is_still_discounted():
    v = value_map(single_outcome(duration=1), Investment(((5, 10_000.0),)), Conventions(price_year=2024))
    assert v.investment_pv == pytest.approx(10_000 / 1.035**5)
    assert len(v.by_year) == 1  # the benefits' years are the outcomes' own


def _write_inputs(path, years):
    rows = [{"input_id": f"IN{i}", "source": "Grant", "value_gbp": 10_000, "year": y} for i, y in enumerate(years, 1)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_the_command_line_reads_input_years_and_reports_investment_pv(tmp_path, write_map, capsys):
    from tests.conftest import one_row

    path = write_map([one_row()])
    inputs = _write_inputs(tmp_path / "inputs.csv", [1, 2, 3, ""])
    assert main(["sroi", str(path), "--inputs", str(inputs), "--price-year", "2024", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = 10_000 + 10_000 / 1.035 + 10_000 / 1.035**2 + 10_000 / 1.035**3
    assert out["investment"] == 40_000 and out["investment_pv"] == pytest.approx(expected)
    assert out["sroi_ratio"] == pytest.approx(out["present_value"] / expected)
    assert [row["year"] for row in out["investment_by_year"]] == [None, 1, 2, 3]
    assert main(["simulate", str(path), "--inputs", str(inputs), "--price-year", "2024", "--json"]) == 0
    simulated = json.loads(capsys.readouterr().out)
    assert simulated["sroi_ratio"]["mean"] == pytest.approx(out["sroi_ratio"])


@pytest.mark.parametrize("year, expected", [
    (0, "expected a whole number of at least 1, got '0'"),
    (2.5, "expected a whole number (no fractions), got '2.5'"),
    ("next", "expected a whole number of at least 1, got 'next'"),
])
def test_an_input_year_that_is_not_an_analysis_year_is_refused_at_its_cell(tmp_path, write_map, capsys, year,
                                                                         expected):
    from tests.conftest import one_row

    path = write_map([one_row()])
    inputs = _write_inputs(tmp_path / "inputs.csv", [1, year])
    assert main(["sroi", str(path), "--inputs", str(inputs), "--price-year", "2024"]) == 1
    err = capsys.readouterr().err
    assert f"{inputs}:Inputs:3:year:" in err and expected in err
