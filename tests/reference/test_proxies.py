"""The proxy library, price indices and rebasing."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from svlib.core.problems import InputError
from svlib.reference.proxies import PriceIndexError, load_gaps, load_library, load_price_index
from svlib.validate.impact_map import resolve_proxies

SHIPPED_COLUMNS = ["theme", "outcome", "unit", "value_gbp", "price_year", "source", "url", "licence", "verified"]


def test_cpi_2019_to_2023_is_130_5_over_107_8():
    cpi = load_price_index("cpi")
    assert cpi.factor(2019, 2023) == pytest.approx(130.5 / 107.8)
    assert cpi.factor(2019, 2023) == pytest.approx(1.2106, abs=5e-5)
    assert cpi.rebase(1000.0, 2019, 2023) == pytest.approx(1210.575, abs=1e-3)


def test_gdp_deflator_rebasing():
    # YBGB: 2019 = 90.3, 2023 = 106.9 (2022 = 100)
    assert load_price_index("gdp_deflator").factor(2019, 2023) == pytest.approx(106.9 / 90.3)


def test_year_outside_the_index_is_refused_clearly():
    with pytest.raises(PriceIndexError, match=r"the year 2031 is outside the years of the CPI price index \(2005-2025\)"):
        load_price_index().factor(2020, 2031)
    with pytest.raises(PriceIndexError, match="price year is blank"):
        load_price_index().factor(None, 2023)


def test_only_verified_rows_with_a_value_are_shipped_with_their_sources():
    library = load_library()
    table = library.table
    assert set(table["verified"]) == {"yes"}
    assert table["value_gbp"].notna().all()
    for column in SHIPPED_COLUMNS:
        assert column in table.columns
    assert (table["source"].str.len() > 0).all() and (table["licence"].str.len() > 0).all()
    # the WELLBY central value, HM Treasury 2021: £13,000 in 2019 prices
    wellby = library.get("XC-01")
    assert (wellby["value_gbp"], wellby["price_year"]) == (13000, 2019)
    assert "Open Government Licence" in wellby["licence"]


def test_no_licensed_values_are_shipped():
    text = load_library().table.to_csv().lower()
    assert "hact" not in text.replace("hact.org", "")  # the HACT bank is never bundled
    assert "social value portal" not in text


def test_gaps_are_visible_not_filled():
    gaps = load_gaps()
    assert "JOB-05" in set(gaps["proxy_id"])  # NEET into employment: no verified value
    assert "JOB-05" not in load_library()


def test_search_by_theme_and_keyword():
    library = load_library()
    social = library.search(theme="social")
    assert set(social["theme"]) == {"Social"} and "SOC-06" in set(social["proxy_id"])
    lonely = library.search(keyword="LONELINESS")
    assert set(lonely["proxy_id"]) >= {"SOC-01", "SOC-03"}
    assert library.search(theme="Jobs", keyword="apprentice")["proxy_id"].tolist() == ["JOB-08", "JOB-09"]


def test_a_library_proxy_is_rebased_from_its_own_price_year():
    # SOC-06 is £30,700 in 2023 prices; CPI (ONS D7BT) 2023 = 130.5 and 2024 = 133.9, so in
    # 2024 prices it is 30,700 × 133.9 / 130.5
    frame = pd.DataFrame([{"outcome_id": "A", "proxy_id": "SOC-06", "proxy_value": np.nan, "proxy_year": pd.NA,
                           "source_row": 2}])
    resolved, problems = resolve_proxies(frame, load_library(), 2024)
    assert problems == []
    row = resolved.iloc[0]
    assert (row["proxy_price_year"], row["rebase_factor"]) == (2023, pytest.approx(133.9 / 130.5))
    assert row["proxy_value"] == pytest.approx(30700 * 133.9 / 130.5)


def write_user_table(path, rows):
    columns = ["proxy_id", "theme", "outcome", "unit", "value_gbp", "price_year", "source", "licence"]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def test_user_table_extends_and_overrides(tmp_path):
    path = write_user_table(tmp_path / "mine.csv", [
        ["HACT-1", "Social", "Licensed outcome", "GBP per person per year", "£1,234", "2022", "HACT (licensed)", "HACT licence held by partner"],
        ["SOC-06", "Social", "Mental health, local study", "GBP per person per year", "20000", "2024", "Local study", "own"],
    ])
    library = load_library(path)
    assert library.get("HACT-1")["value_gbp"] == 1234.0
    assert library.get("SOC-06")["value_gbp"] == 20000.0  # the user's row wins
    assert "SOC-04" in library  # the shipped rows remain


def test_user_table_errors_name_row_and_column(tmp_path):
    path = write_user_table(tmp_path / "bad.csv", [
        ["X-1", "Social", "o", "u", "lots", "2022", "s", "l"],
        ["X-2", "Sport", "o", "u", "10", "2022", "s", "l"],
    ])
    with pytest.raises(InputError) as caught:
        load_library(path)
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{path}:Proxies:2:value_gbp: expected a number") for p in found)
    assert any(p.startswith(f"{path}:Proxies:3:theme: expected one of") for p in found)
