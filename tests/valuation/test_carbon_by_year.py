"""An environmental outcome in tonnes of CO2e valued with the carbon value of each year in
which the emission is saved (DESNZ 2023, Table 3), checked against a hand calculation."""

from __future__ import annotations

import numpy as np
import pytest

from svlib.core.problems import InputError
from svlib.uncertainty.montecarlo import simulate
from svlib.validate.impact_map import first_calendar_year, load_impact_map
from svlib.valuation.sroi import Conventions, value_map

HEADER = ("outcome_id,stakeholder,outcome,theme,quantity,duration,start_year,deadweight,displacement,attribution,"
          "drop_off,proxy_id\n")

# DESNZ (Nov 2023) Valuation of greenhouse gas emissions for appraisal, Table 3, GBP per tCO2e in 2022 prices
CENTRAL = {2024: 268.97, 2025: 273.06, 2026: 277.22}
LOW = {2024: 134.48}
HIGH = {2024: 403.45}
# ONS CPI D7BT annual averages (2015 = 100): 2022 = 121.7, 2024 = 133.9
CPI_2022_TO_2024 = 133.9 / 121.7


def _map(tmp_path, row: str):
    path = tmp_path / "map.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    return path


def test_each_year_takes_its_own_carbon_value(tmp_path):
    # 100 tCO2e saved a year for 3 years from April 2024: calendar years 2024, 2025, 2026.
    path = _map(tmp_path, "C1,Residents,Emissions saved,Environment,100,3,1,20%,0,25%,10%,DESNZ23-CV")
    first_year = first_calendar_year("01/04/2024")
    assert first_year == 2024
    impact_map = load_impact_map(path, price_year=2024, first_year=first_year)
    row = impact_map.iloc[0]
    assert row["proxy_value"] == pytest.approx(CENTRAL[2024] * CPI_2022_TO_2024)
    assert row["proxy_value_low"] == pytest.approx(LOW[2024] * CPI_2022_TO_2024)
    assert row["proxy_value_high"] == pytest.approx(HIGH[2024] * CPI_2022_TO_2024)
    assert row["proxy_series_year"] == 2024 and "each year the emission is saved (2024 to 2026)" in row["proxy_source"]

    # by hand: PV = sum over k = 1..3 of
    #   q × carbon(2023 + k) × CPI factor × (1 − dw)(1 − at) × (1 − drop_off)^(k − 1) / 1.035^k
    expected = sum(100 * CENTRAL[2023 + k] * CPI_2022_TO_2024 * 0.8 * 0.75 * 0.9 ** (k - 1) / 1.035 ** k
                   for k in (1, 2, 3))
    valuation = value_map(impact_map, 50_000.0, Conventions(price_year=2024))
    assert valuation.present_value == pytest.approx(expected, rel=1e-12)
    # a single 2024 value for all three years would give less: carbon values rise
    flat = sum(100 * CENTRAL[2024] * CPI_2022_TO_2024 * 0.8 * 0.75 * 0.9 ** (k - 1) / 1.035 ** k for k in (1, 2, 3))
    assert valuation.present_value > flat
    # undiscounted impact by year follows the same values
    assert valuation.by_year["impact"].tolist() == pytest.approx(
        [100 * CENTRAL[2023 + k] * CPI_2022_TO_2024 * 0.6 * 0.9 ** (k - 1) for k in (1, 2, 3)])


def test_a_later_start_and_an_october_year_move_the_calendar_years(tmp_path):
    # October 2024 to September 2025 holds more of 2025: analysis year 1 is 2025; starting in year 2, 2026.
    assert first_calendar_year("01/10/2024") == 2025 and first_calendar_year("01/01/2024") == 2024
    path = _map(tmp_path, "C1,Residents,Emissions saved,Environment,10,1,2,0,0,0,0,DESNZ23-CV")
    row = load_impact_map(path, price_year=2024, first_year=2025).iloc[0]
    assert row["proxy_series_year"] == 2026
    assert row["proxy_value"] == pytest.approx(CENTRAL[2026] * CPI_2022_TO_2024)


def test_the_monte_carlo_draws_between_the_low_and_high_series(tmp_path):
    path = _map(tmp_path, "C1,Residents,Emissions saved,Environment,100,3,1,20%,0,25%,10%,DESNZ23-CV")
    impact_map = load_impact_map(path, price_year=2024, first_year=2024)
    conventions = Conventions(price_year=2024)
    central = value_map(impact_map, 50_000.0, conventions).present_value
    summary = simulate(impact_map, 50_000.0, conventions, draws=4000, seed=3).summary()["present_value"]
    low_pv, high_pv = central * 0.5, central * 1.5  # low and high are 50% and 150% of central every year
    assert low_pv < summary["p5"] < central < summary["p95"] < high_pv
    assert summary["mean"] == pytest.approx(central, rel=0.02)  # PERT around the central path


def test_a_map_without_its_calendar_year_is_refused_at_the_row(tmp_path):
    path = _map(tmp_path, "C1,Residents,Emissions saved,Environment,100,3,1,20%,0,25%,10%,DESNZ23-CV")
    with pytest.raises(InputError, match=r"map.csv:ImpactMap:2:proxy_id: DESNZ23-CV takes the value of each calendar "
                                         r"year in which the emission is saved"):
        load_impact_map(path, price_year=2024)


def test_years_beyond_the_series_are_refused_at_the_duration(tmp_path):
    path = _map(tmp_path, "C1,Residents,Emissions saved,Environment,100,5,1,0,0,0,0,DESNZ23-CV")
    with pytest.raises(InputError, match=r"ImpactMap:2:duration: DESNZ23-CV has values for 2020 to 2050, but this "
                                         r"outcome's years run from 2048 to 2052"):
        load_impact_map(path, price_year=2024, first_year=2048)
    assert np.isfinite(load_impact_map(path, price_year=2024, first_year=2046).iloc[0]["proxy_value"])


@pytest.mark.parametrize("start, year", [("2024-10-01", 2025), ("2024-04-01", 2024), ("01/10/2024", 2025),
                                         ("10/01/2024", 2024), ("2024-01-10", 2024)])
def test_the_first_year_reads_iso_dates_year_first_and_typed_dates_day_first(start, year):
    # a processed table writes 2024-10-01; a person types 01/10/2024 (1 October)
    assert first_calendar_year(start) == year


def test_svlib_sroi_on_processed_tables_takes_an_iso_period_start_as_written(tmp_path, capsys):
    from svlib.cli import main

    (tmp_path / "partner.csv").write_text("partner_id,period_start\nwoods,2024-10-01\n", encoding="utf-8")
    (tmp_path / "impact_map.csv").write_text(
        "partner_id," + HEADER.replace("\n", "") + "\nwoods,C1,Residents,Emissions saved,Environment,100,1,1,0,0,0,0,"
        "DESNZ23-CV\n", encoding="utf-8")
    assert main(["sroi", str(tmp_path / "impact_map.csv"), "--investment", "1000", "--partner", "woods",
                 "--price-year", "2024", "--json"]) == 0
    import json

    payload = json.loads(capsys.readouterr().out)
    # October 2024 to September 2025 holds more of 2025: its carbon value, rebased 2022 -> 2024. The headline
    # takes the mean of the proxy's range (svlib.uncertainty.estimates.RULE_TEXT): PERT (low + 4 central + high) / 6
    # with DESNZ's 2025 low 136.53 and high 409.60 (Table 3, 2022 prices)
    mean_2025 = (136.53 + 4 * 273.06 + 409.60) / 6
    assert payload["present_value"] == pytest.approx(100 * mean_2025 * CPI_2022_TO_2024 / 1.035, rel=1e-12)
