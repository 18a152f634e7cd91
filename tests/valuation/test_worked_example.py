"""The worked example shipped in svlib/examples, computed by hand.

Formulas (Cabinet Office 2012 SROI guide; docs/design.md conventions): year-1 impact
I = q × p × (1 − dw)(1 − dp)(1 − at)(1 − lk); drop-off from year 2; year t discounted by
1.035^t; an outcome starting in year s occupies years s .. s + duration − 1. Proxies are
rebased to 2024 prices with ONS CPI D7BT: 2024 = 133.9, 2023 = 130.5, 2020 = 108.7.
Investment = £120,000 + £45,000 + £34,320 = £199,320.
"""

from __future__ import annotations

import pytest

from svlib import paths
from svlib.cli import read_investment
from svlib.validate.impact_map import load_impact_map
from svlib.valuation.sroi import Conventions, value_map

F23 = 133.9 / 130.5  # CPI 2023 -> 2024
F20 = 133.9 / 108.7  # CPI 2020 -> 2024
D = 1.035

# outcome: (year-1 impact I, present value), written out by hand
HAND = {}
I = 8 * 42000 * F23 * 0.7 * 0.9 * 0.75                      # JOB1: JOB-01 £42,000 (2023), 2 years, drop 50%
HAND["JOB1"] = (I, I / D + 0.5 * I / D**2)
I = 5 * 32700 * F23 * 0.8 * 0.95 * 0.7                      # JOB2: JOB-08 £32,700 (2023), 1 year
HAND["JOB2"] = (I, I / D)
I = 40 * 3400 * F23 * 0.75 * 0.8                            # GRO1: GRO-03 £3,400 (2023), 2 years, drop 30%
HAND["GRO1"] = (I, I / D + 0.7 * I / D**2)
I = 45 * 8100 * F23 * 0.65 * 0.7                            # SOC1: SOC-03 £8,100, price year 2023 supplied
HAND["SOC1"] = (I, I / D + 0.6 * I / D**2)
I = 8 * 30700 * F23 * 0.6 * 0.5                             # SOC2: SOC-06 £30,700 (2023), 3 years, drop 50%
HAND["SOC2"] = (I, I / D + 0.5 * I / D**2 + 0.25 * I / D**3)
I = 30 * 3400 * F23 * 0.7 * 0.75                            # SOC3: SOC-04 £3,400 (2023), years 2-3
HAND["SOC3"] = (I, I / D**2 + 0.7 * I / D**3)
I = 35 * 245 * F20 * 0.9 * 0.8                              # ENV1: ENV-01 £245/tCO2e (2020), 3 years, drop 10%
HAND["ENV1"] = (I, I / D + 0.9 * I / D**2 + 0.81 * I / D**3)
I = 25 * 1100 * F23 * 0.7 * 0.6                             # INN1: JOB-10 £1,100 (2023), 1 year
HAND["INN1"] = (I, I / D)

INVESTMENT = 120000 + 45000 + 34320
PV = sum(pv for _, pv in HAND.values())
YEAR_ONE = sum(i for outcome, (i, _) in HAND.items() if outcome != "SOC3")  # SOC3 starts in year 2


@pytest.fixture(scope="module")
def result():
    impact_map = load_impact_map(paths.EXAMPLE_IMPACT_MAP, price_year=2024)
    return value_map(impact_map, read_investment(paths.EXAMPLE_INPUTS), Conventions(price_year=2024))


def test_investment_is_the_sum_of_inputs():
    assert read_investment(paths.EXAMPLE_INPUTS).face_value == INVESTMENT == 199320


def test_each_outcome_matches_the_hand_calculation(result):
    by_outcome = result.by_outcome.set_index("outcome_id")
    for outcome, (impact, pv) in HAND.items():
        assert by_outcome.loc[outcome, "impact_year1"] == pytest.approx(impact, rel=1e-12), outcome
        assert by_outcome.loc[outcome, "present_value"] == pytest.approx(pv, rel=1e-12), outcome


def test_headline_figures(result):
    assert result.present_value == pytest.approx(PV, rel=1e-12)
    assert result.sroi_ratio == pytest.approx(PV / INVESTMENT, rel=1e-12)
    assert result.sroi_ratio == pytest.approx(4.8018, abs=1e-4)
    assert result.npv == pytest.approx(PV - INVESTMENT, rel=1e-12)
    assert result.payback_months == pytest.approx(INVESTMENT / (YEAR_ONE / 12), rel=1e-12)


def test_example_covers_all_five_themes(result):
    assert (result.by_theme["present_value"] > 0).all()
    assert len(result.by_outcome) == 8
