"""Timing conventions, each worked by hand with its formula and source.

- Mid-year discounting (New Zealand Treasury 2015, Guide to Social CBA): year t at (1 + r)^−(t − 0.5).
- HM Treasury Green Book (2022) Annex A6 schedules, compounded year by year:
  health 1.5% for years 1-30 then 1.29%; reduced (pure time preference 0) 3.0% then 2.57%.
    health:  DF(1) = 1/1.015, DF(30) = 1/1.015^30, DF(31) = DF(30)/1.0129, DF(75) = DF(30)/1.0129^45
    reduced: DF(1) = 1/1.03,  DF(30) = 1/1.03^30,  DF(31) = DF(30)/1.0257, DF(75) = DF(30)/1.0257^45
- A table of factors: an evaluative study reporting in year 3 brings years 1 and 2 forward at
  3.5%, factors 1.035², 1.035 and 1.
"""

from __future__ import annotations

import json

import pytest

from svlib.cli import main
from svlib.reference.discounting import discount_factors
from svlib.valuation.sroi import Conventions, value_map
from tests.conftest import one_row, single_outcome

I1, I2, I3 = 5_400, 2_700, 1_350  # single_outcome's years: 10 × 1,000 × 0.8 × 0.9 × 0.75, halving


def test_mid_year_discounting_takes_each_year_at_its_middle():
    v = value_map(single_outcome(), 10_000, Conventions(discount_from=0.5, price_year=2024))
    assert v.present_value == pytest.approx(I1 / 1.035**0.5 + I2 / 1.035**1.5 + I3 / 1.035**2.5)
    assert "mid-year" in v.to_dict()["conventions"]["discounting"]


@pytest.mark.parametrize("schedule, first, second", [("green_book_health", 0.015, 0.0129),
                                                     ("green_book_reduced", 0.03, 0.0257)])
def test_the_health_and_reduced_schedules_give_the_published_factors(schedule, first, second):
    factors = discount_factors(75, schedule=schedule)
    thirty = 1 / (1 + first) ** 30
    assert factors[0] == pytest.approx(1 / (1 + first), rel=1e-12)
    assert factors[29] == pytest.approx(thirty, rel=1e-12)
    assert factors[30] == pytest.approx(thirty / (1 + second), rel=1e-12)
    assert factors[74] == pytest.approx(thirty / (1 + second) ** 45, rel=1e-12)


def test_mid_year_on_a_declining_schedule_takes_the_half_year_at_that_years_rate():
    factors = discount_factors(31, schedule="green_book", discount_from=0.5)
    assert factors[0] == pytest.approx(1 / 1.035**0.5)
    assert factors[30] == pytest.approx(1 / 1.035**30 / 1.03**0.5)  # year 31: 30 whole years, then half of 31's


def test_a_factors_table_brings_two_past_years_forward(tmp_path, write_map, capsys):
    path = write_map([one_row()])  # 10 × 1,000 × 0.8 × 0.9 × 0.75 = 5,400, then 2,700, 1,350
    table = tmp_path / "factors.csv"
    table.write_text(f"year,factor\n1,{1.035**2!r}\n2,1.035\n3,1\n", encoding="utf-8")
    assert main(["sroi", str(path), "--investment", "10000", "--price-year", "2024", "--discount-factors",
                 str(table), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["present_value"] == pytest.approx(I1 * 1.035**2 + I2 * 1.035 + I3)
    assert out["conventions"]["discount_schedule"] == "factors"
    assert out["conventions"]["discount_factors"][0] == {"year": 1, "factor": pytest.approx(1.035**2)}
    assert main(["simulate", str(path), "--investment", "10000", "--price-year", "2024", "--discount-factors",
                 str(table), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["present_value"]["mean"] == pytest.approx(out["present_value"])


def test_the_green_book_option_names_its_schedule(write_map, capsys):
    path = write_map([one_row()])
    assert main(["sroi", str(path), "--investment", "10000", "--price-year", "2024", "--green-book", "reduced",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["present_value"] == pytest.approx(I1 / 1.03 + I2 / 1.03**2 + I3 / 1.03**3)
    assert out["conventions"]["discount_schedule"] == "green_book_reduced"
    assert main(["sroi", str(path), "--investment", "10000", "--price-year", "2024", "--green-book", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["conventions"]["discount_schedule"] == "green_book"


@pytest.mark.parametrize("text, expected", [
    ("year,factor\n1,0.97\n2,0.94\n", "DiscountFactors::year: no factor for year(s) 3; the outcomes and inputs run "
                                      "to year 3"),
    ("year,factor\n1,0.97\n2,about one\n3,0.9\n", "DiscountFactors:3:factor: expected a number"),
    ("year,factor\n1,0.97\n2,0.94\n2,0.93\n3,0.9\n", "DiscountFactors:4:year: duplicate year '2' (first used in row 3)"),
    ("year,factor\n1,0.97\n2,0\n3,0.9\n", "DiscountFactors:3:factor: a factor of 0 would value the year at nothing"),
    ("year,factor\n1,0.97\n2,-0.5\n3,0.9\n", "DiscountFactors:3:factor: expected a number of at least 0"),
])
def test_a_bad_factors_table_is_refused_naming_file_row_and_column(tmp_path, write_map, capsys, text, expected):
    path = write_map([one_row()])
    table = tmp_path / "factors.csv"
    table.write_text(text, encoding="utf-8")
    assert main(["sroi", str(path), "--investment", "10000", "--price-year", "2024", "--discount-factors",
                 str(table)]) == 1
    assert f"{table}:{expected}" in capsys.readouterr().err
