"""Proxy research: rebasing by hand, unknown price years, alternatives' spread, gaps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from svlib import paths
from svlib.analysis import proxy_research as research
from svlib.reference.proxies import ProxyLibrary, load_price_index

CPI_2023 = 130.5  # ONS D7BT annual average, 2015 = 100
CPI_2024 = 133.9
CPI_2020 = 108.7


def _library(rows: list[dict]) -> ProxyLibrary:
    defaults = {"theme": "Jobs", "unit": "GBP per person per year", "source": "Test source", "url": "",
                "page_or_table": "", "licence": "Open Government Licence v3.0", "verified": "yes", "notes": ""}
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    frame["price_year"] = pd.array(frame["price_year"], dtype="Int64")
    frame["value_gbp"] = frame["value_gbp"].astype(float)
    return ProxyLibrary(frame.set_index("proxy_id"))


@pytest.fixture
def library() -> ProxyLibrary:
    return _library([
        {"proxy_id": "T-01", "outcome": "Into work (2023 prices)", "value_gbp": 1000.0, "price_year": 2023},
        {"proxy_id": "T-02", "outcome": "Into work (year not stated)", "value_gbp": 500.0, "price_year": pd.NA},
        {"proxy_id": "T-03", "outcome": "Into work (2024 prices)", "value_gbp": 1100.0, "price_year": 2024},
        {"proxy_id": "T-04", "outcome": "Into work, hourly", "unit": "GBP per hour", "value_gbp": 12.0,
         "price_year": 2024},
        {"proxy_id": "T-05", "theme": "Social", "outcome": "Less lonely", "value_gbp": 900.0, "price_year": 2020},
    ])


class TestRebasing:
    def test_the_cpi_figures_are_the_shipped_ones(self):
        assert load_price_index("cpi").factor(2023, 2024) == pytest.approx(CPI_2024 / CPI_2023)

    def test_rebased_by_hand(self, library):
        table = research.proxies_for_theme("Jobs", price_year=2024, library=library).set_index("proxy_id")
        assert table.loc["T-01", "value_in_price_year"] == pytest.approx(1000.0 * CPI_2024 / CPI_2023)
        assert table.loc["T-01", "rebase_factor"] == pytest.approx(133.9 / 130.5)
        assert table.loc["T-01", "staleness_years"] == 1
        assert table.loc["T-03", "value_in_price_year"] == pytest.approx(1100.0)
        assert table.loc["T-03", "staleness_years"] == 0
        assert set(table["licence"]) == {"Open Government Licence v3.0"}
        assert "T-05" not in table.index  # another theme

    def test_shipped_proxy_rebased_by_hand(self):
        table = research.proxies_for_theme("Jobs", "apprentice", price_year=2024).set_index("proxy_id")
        assert table.loc["JOB-08", "value_in_price_year"] == pytest.approx(32700 * CPI_2024 / CPI_2023)

    def test_unknown_price_year_flagged_not_rebased(self, library):
        row = research.proxies_for_theme("Jobs", price_year=2024, library=library).set_index("proxy_id").loc["T-02"]
        assert bool(row["price_year_known"]) is False
        assert row["value_in_price_year"] == 500.0  # as published
        assert math.isnan(row["rebase_factor"])
        assert pd.isna(row["staleness_years"])
        assert "not stated" in row["note"]

    def test_judged_price_year_is_used_and_noted(self, library):
        table = research.proxies_for_theme("Jobs", price_year=2024, library=library,
                                           proxy_years={"T-02": 2023}).set_index("proxy_id")
        assert table.loc["T-02", "value_in_price_year"] == pytest.approx(500.0 * CPI_2024 / CPI_2023)
        assert bool(table.loc["T-02", "price_year_known"]) is False
        assert "judgement" in table.loc["T-02", "note"]

    def test_year_outside_the_index_is_flagged(self, library):
        future = _library([{"proxy_id": "F-01", "outcome": "Future", "value_gbp": 10.0, "price_year": 2090}])
        row = research.proxies_for_theme("Jobs", price_year=2024, library=future).iloc[0]
        assert row["value_in_price_year"] == 10.0
        assert "outside" in row["note"]

    def test_keyword_and_cross_cutting(self):
        social = research.proxies_for_theme("social", price_year=2024, include_cross_cutting=True)
        assert {"SOC-06", "XC-01"} <= set(social["proxy_id"])
        assert set(research.proxies_for_theme("Social", "lonel", price_year=2024)["proxy_id"]) >= {"SOC-01", "SOC-03"}


class TestAlternatives:
    def test_spread_is_min_and_max_of_rebased_values(self, library):
        table = research.alternatives(["T-01", "T-03"], 2024, library=library)
        spread = table.attrs["range"]
        assert spread["proxy_value_low"] == pytest.approx(1000.0 * CPI_2024 / CPI_2023)
        assert spread["proxy_value_high"] == pytest.approx(1100.0)
        assert spread["dist"] == "uniform"
        assert table.set_index("proxy_id")["range_end"].to_dict() == {"T-01": "low", "T-03": "high"}

    def test_unrebased_and_other_units_are_left_out(self, library):
        table = research.alternatives("into work", 2024, library=library)
        spread = table.attrs["range"]
        assert set(table["proxy_id"]) == {"T-01", "T-02", "T-03", "T-04"}
        assert sorted(spread["proxy_ids"]) == ["T-01", "T-03"]
        assert set(spread["excluded"]) == {"T-02", "T-04"}
        assert spread["unit"] == "GBP per person per year"
        assert not table.set_index("proxy_id").loc["T-02", "in_range"]

    def test_shipped_volunteering_alternatives(self):
        spread = research.alternatives(["GRO-01", "GRO-02"], 2024).attrs["range"]
        assert spread["proxy_value_low"] == pytest.approx(18.64)
        assert spread["proxy_value_high"] == pytest.approx(19 * CPI_2024 / CPI_2023)

    def test_unknown_id(self, library):
        with pytest.raises(KeyError, match="T-01"):
            research.alternatives(["T-1"], 2024, library=library)

    def test_no_usable_value(self, library):
        spread = research.alternatives(["T-02"], 2024, library=library).attrs["range"]
        assert np.isnan(spread["proxy_value_low"]) and spread["proxy_ids"] == []


class TestGaps:
    def test_library_and_indicator_gaps_listed(self):
        gaps = research.gaps_for_theme("jobs")
        ids = set(gaps["id"])
        assert {"JOB-06", "JOB-07", "JOB-15"} <= ids                      # the library's own gap list
        assert {"CDP-J03", "CDP-J05"} <= ids                              # indicators no shipped proxy values
        assert "CDP-J01" not in ids                                       # valued by JOB-01
        assert not {"JOB-05", "CDP-J02"} & ids  # NEET and claimants into work: GMCA's unit costs value them
        kinds = gaps.set_index("id")["kind"]
        assert kinds["JOB-06"] == research.LIBRARY_GAP
        assert kinds["CDP-J05"] == research.INDICATOR_GAP
        assert "JOB-15" in gaps.set_index("id").loc["CDP-J05", "related_ids"]

    def test_a_library_without_the_proxy_opens_a_gap(self, library):
        gaps = research.gaps_for_theme("Jobs", library=library)
        assert "CDP-J01" in set(gaps["id"])

    def test_crime_and_homelessness_are_no_longer_gaps(self):
        gaps = set(research.gaps_for_theme("Social")["id"])
        assert not {"SOC-10", "SOC-11", "CDP-S04", "CDP-S05"} & gaps  # GMCA's CR8 and HO3/HO5 lines
        assert {"SOC-12", "CDP-S06"} <= gaps  # digital inclusion: still no open value

    def test_unknown_theme(self):
        with pytest.raises(ValueError, match="unknown theme"):
            research.gaps_for_theme("Weather")

    def test_every_theme_runs(self):
        from svlib.contract.tables import THEMES

        for theme in THEMES:
            assert list(research.gaps_for_theme(theme).columns) == research.GAP_COLUMNS
            table = research.proxies_for_theme(theme, price_year=2024)
            assert list(table.columns) == research.PROXY_COLUMNS


class TestCounts:
    def test_counts_add_up_to_the_library(self):
        counts = research.library_counts()
        table = research.load_library().table
        assert counts.loc["all", "total"] == len(table)
        assert counts.drop(index="all")["total"].sum() == len(table)
        assert counts.loc["GMCA Unit Cost Database v1.4", "fiscal"] == (
            (table["dataset"] == "GMCA Unit Cost Database v1.4") & (table["value_type"] == "fiscal")).sum()
        by_theme = research.library_counts(by="theme")
        assert by_theme.loc["all", "total"] == len(table)

    def test_the_readme_states_the_counts_computed_from_the_data(self):
        readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
        assert f"svlib ships {research.library_summary()}" in readme

    def test_ages_by_theme_cover_every_proxy(self):
        ages = research.theme_ages(2024)
        assert ages.to_numpy().sum() == len(research.load_library().table)
        table = research.load_library().table
        social = table[table["theme"] == "Social"]
        # old in 2024 prices: a price year before 2014 (GMCA's 2011 homelessness values are 13 years old)
        assert ages.loc["Social", "more than 10 years (old)"] == (social["price_year"] < 2014).sum() > 0
        assert ages.loc["Social", "6 to 10 years"] == social["price_year"].between(2014, 2018).sum()

    def test_a_users_table_counts_as_its_own_dataset(self, library):
        counts = research.library_counts(library)
        assert research.YOUR_TABLE in counts.index


class TestResearchPage:
    def test_theme_overview_keeps_headlines_and_labels_fiscal_and_old(self):
        overview = research.theme_overview("Social", 2024)
        ids = set(overview["proxy_id"])
        assert "GMCA14-HO3.0-F" in ids and "GMCA14-HO3.0.2-F" not in ids  # a headline, not its constituent
        assert overview.attrs["beneath"] > 0
        row = overview.set_index("proxy_id").loc["GMCA14-HO3.0-F"]
        assert row["kind"] == "fiscal: saving to the public purse" and row["age"] == "13 years: old"
        assert row["value_in_price_year"] == pytest.approx(2501 * CPI_2024 / 93.4)  # ONS D7BT 2011 = 93.4
        assert row["confidence"] in {"green", "amber", "red"}

    def test_the_carbon_series_restated_by_year(self):
        carbon = research.series_table("DESNZ23-CV", 2024).set_index("year")
        # DESNZ 2023 Table 3: 2024 central GBP 268.97 (2022 prices), rebased 2022 -> 2024 by CPI (121.7 -> 133.9)
        assert carbon.attrs["price_year"] == 2022 and carbon.attrs["factor"] == pytest.approx(CPI_2024 / 121.7)
        assert carbon.loc[2024, "central"] == pytest.approx(268.97 * CPI_2024 / 121.7)
        assert (carbon["low"] / carbon["central"]).round(2).eq(0.5).all()  # low = 50% of central (DESNZ)
        assert list(carbon.index) == list(range(2020, 2051))

    def test_fiscal_and_economic_values_are_not_alternatives(self):
        spread = research.alternatives(["GMCA14-E&E10.0-F", "GMCA14-E&E10.0-E"], 2024).attrs["range"]
        assert len(spread["proxy_ids"]) == 1 and len(spread["excluded"]) == 1
        assert "another kind of value" in next(iter(spread["excluded"].values()))

    def test_ages_read_as_words(self):
        assert research.age_text(0, False) == "same year" and research.age_text(1, False) == "1 year"
        assert research.age_text(13, True) == "13 years: old" and research.age_text(pd.NA, False) == ""
