"""Negative outcomes (a harm or a cost per unit: a negative proxy), worked by hand.

The map: A1, 100 residents less lonely, proxy £1,000, deadweight 20%, attribution 25%,
drop-off 50%, two years; N1, 10 neighbours' noise complaints, proxy −£500, no deflators,
one year. Investment £50,000; 3.5% from year 1 (SROI guide 2012, stage 4-5 conventions).

    A1: I = 100 × 1000 × 0.8 × 0.75 = 60,000; year 2: 30,000
    N1: I = 10 × (−500) = −5,000 in year 1
    PV = (60,000 − 5,000) / 1.035 + 30,000 / 1.035² = 53,140.10 + 28,005.32 = 81,145.42
    negative PV = −5,000 / 1.035 = −4,830.92; ratio = 81,145.42 / 50,000 = 1.6229
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from svlib.cli import main
from svlib.uncertainty.sensitivity import switching_values
from svlib.valuation.sroi import Conventions, value_map

PV = 55_000 / 1.035 + 30_000 / 1.035**2
HARM = -5_000 / 1.035


def harm_map(**n1) -> pd.DataFrame:
    rows = [
        dict(outcome_id="A1", stakeholder="Residents", outcome="Less lonely", theme="Social", quantity=100.0,
             proxy_value=1000.0, deadweight=0.2, displacement=0.0, attribution=0.25, leakage=0.0, drop_off=0.5,
             duration=2, start_year=1),
        dict(outcome_id="N1", stakeholder="Neighbours", outcome="More noise complaints", theme="Social",
             quantity=10.0, proxy_value=-500.0, deadweight=0.0, displacement=0.0, attribution=0.0, leakage=0.0,
             drop_off=0.0, duration=1, start_year=1) | n1,
    ]
    return pd.DataFrame(rows)


def test_a_negative_outcome_is_taken_off_the_total_and_shown_apart():
    v = value_map(harm_map(), 50_000, Conventions(price_year=2024))
    assert v.present_value == pytest.approx(PV, abs=1e-6)
    assert v.sroi_ratio == pytest.approx(PV / 50_000)
    assert v.negative_present_value == pytest.approx(HARM)
    assert v.negative_outcomes["outcome_id"].tolist() == ["N1"]
    assert v.by_year["impact"].tolist() == pytest.approx([55_000, 30_000])
    assert v.payback_months == pytest.approx(50_000 / (55_000 / 12))


def test_a_deflator_of_a_negative_outcome_shrinks_the_harm():
    # attribution 40% on N1: the harm is 10 × −500 × 0.6 = −3,000; the ratio rises
    v = value_map(harm_map(attribution=0.4), 50_000, Conventions(price_year=2024))
    assert v.negative_present_value == pytest.approx(-3_000 / 1.035)
    assert v.present_value == pytest.approx(PV + 2_000 / 1.035)


def test_switching_values_of_a_negative_outcome_solve_the_same_lines():
    # ratio 1 needs PV = 50,000: N1's quantity q with PV_rest + q × (−500) / 1.035 = 50,000
    frame = switching_values(harm_map(), 50_000, Conventions(price_year=2024))
    row = frame[(frame["parameter"] == "quantity") & (frame["outcome_id"] == "N1")].iloc[0]
    rest = PV - HARM
    assert row["switching_value"] == pytest.approx((50_000 - rest) / (-500 / 1.035))  # about 72.9 complaints
    proxy = frame[(frame["parameter"] == "proxy_value") & (frame["outcome_id"] == "N1")].iloc[0]
    assert proxy["switching_value"] == pytest.approx((50_000 - rest) / (10 / 1.035))  # about −3,145 a complaint
    # no deflator of the harm can bring the ratio down to 1: at 0% it is already the full harm
    deflator = frame[(frame["parameter"] == "attribution") & (frame["outcome_id"] == "N1")].iloc[0]
    assert not deflator["reachable"]


def test_the_command_line_and_its_json_show_negative_outcomes(tmp_path, capsys):
    path = tmp_path / "map.csv"
    harm_map().drop(columns=["leakage", "start_year"]).assign(proxy_source="Own costing", proxy_year=2024).to_csv(
        path, index=False)
    assert main(["sroi", str(path), "--investment", "50000", "--price-year", "2024", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["present_value"] == pytest.approx(PV) and out["negative_present_value"] == pytest.approx(HARM)
    assert out["negative_outcomes"] == [{"outcome_id": "N1", "present_value": pytest.approx(HARM)}]
    assert main(["simulate", str(path), "--investment", "50000", "--price-year", "2024", "--json"]) == 0
    simulated = json.loads(capsys.readouterr().out)
    assert simulated["sroi_ratio"]["mean"] == pytest.approx(PV / 50_000)


def test_a_range_on_a_negative_proxy_is_read_and_simulated_around_its_central_value(tmp_path, capsys):
    path = tmp_path / "map.csv"
    frame = harm_map().drop(columns=["leakage", "start_year"]).assign(proxy_source="Own costing", proxy_year=2024)
    frame["proxy_value_low"] = [np.nan, -800.0]
    frame["proxy_value_high"] = [np.nan, -200.0]
    frame.to_csv(path, index=False)
    assert main(["simulate", str(path), "--investment", "50000", "--price-year", "2024", "--json", "--draws",
                 "20000"]) == 0
    simulated = json.loads(capsys.readouterr().out)
    # PERT(−800, −500, −200) has mean −500: the simulation is centred on the map's own figure
    assert simulated["sroi_ratio"]["mean"] == pytest.approx(PV / 50_000, abs=2e-4)
    assert simulated["sroi_ratio"]["p5"] < PV / 50_000 < simulated["sroi_ratio"]["p95"]
    frame["proxy_value_high"] = [np.nan, -600.0]  # a range that leaves out the figure
    frame.to_csv(path, index=False)
    assert main(["sroi", str(path), "--investment", "50000", "--price-year", "2024"]) == 1
    assert "does not include the proxy value" in capsys.readouterr().err


def test_a_negative_quantity_is_still_refused(tmp_path, capsys):
    path = tmp_path / "map.csv"
    harm_map(quantity=-10.0).drop(columns=["leakage", "start_year"]).assign(
        proxy_source="Own costing", proxy_year=2024).to_csv(path, index=False)
    assert main(["sroi", str(path), "--investment", "50000", "--price-year", "2024"]) == 1
    assert "quantity" in capsys.readouterr().err


def test_the_drop_off_that_brings_the_ratio_to_one_for_a_lasting_harm():
    # N1: 40 complaints at −£500 for three years, drop-off 50%: harm PV = −20,000 (1/1.035 + k/1.035² + k²/1.035³)
    # with k = 1 − drop-off. Ratio 1 needs that harm to be 50,000 − PV(A1): a quadratic in k, solved here.
    frame = switching_values(harm_map(quantity=40.0, duration=3, drop_off=0.5), 50_000, Conventions(price_year=2024))
    row = frame[(frame["parameter"] == "drop_off") & (frame["outcome_id"] == "N1")].iloc[0]
    a1 = 60_000 / 1.035 + 30_000 / 1.035**2
    roots = np.roots([-20_000 / 1.035**3, -20_000 / 1.035**2, -20_000 / 1.035 - (50_000 - a1)])
    keep = [r.real for r in roots if abs(r.imag) < 1e-12 and 0 <= r.real <= 1]
    assert row["reachable"] and row["switching_value"] == pytest.approx(1 - keep[0], abs=1e-9)  # about 42.6%


def test_a_negative_proxy_in_a_users_proxy_table_is_accepted_and_rebased(tmp_path, capsys):
    # a harm valued at −£400 in 2023 prices, rebased to 2024 with the shipped CPI like any proxy
    from svlib.reference.proxies import load_library, load_price_index

    table = tmp_path / "proxies.csv"
    table.write_text("proxy_id,theme,outcome,unit,value_gbp,price_year,source,licence\n"
                     "HARM-1,Social,Noise complaint,GBP per complaint,-400,2023,Own costing,own\n", encoding="utf-8")
    assert load_library(table).get("HARM-1")["value_gbp"] == -400.0
    path = tmp_path / "map.csv"
    frame = harm_map().drop(columns=["leakage", "start_year"]).assign(proxy_source="Own costing", proxy_year=2024)
    frame["proxy_id"] = ["", "HARM-1"]
    frame.loc[1, "proxy_value"] = np.nan
    frame.loc[1, "proxy_year"] = np.nan
    frame.to_csv(path, index=False)
    assert main(["sroi", str(path), "--investment", "50000", "--price-year", "2024", "--proxies", str(table),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    cpi = load_price_index("cpi")
    used = -400 * float(cpi.levels[2024]) / float(cpi.levels[2023])  # CPI 2024 ÷ CPI 2023
    assert out["negative_present_value"] == pytest.approx(10 * used / 1.035)
