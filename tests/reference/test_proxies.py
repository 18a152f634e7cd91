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
    with pytest.raises(PriceIndexError, match=r"the year 2031 is outside the years of the CPI price index \(1988-2025\)"):
        load_price_index().factor(2020, 2031)
    with pytest.raises(PriceIndexError, match=r"the year 1987 is outside the years of the CPI price index \(1988-2025\)"):
        load_price_index().factor(1987, 2024)
    with pytest.raises(PriceIndexError, match=r"the year 1994 is outside the years of the GDP_DEFLATOR price index"):
        load_price_index("gdp_deflator").factor(1994, 2024)
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
    assert "JOB-06" in set(gaps["proxy_id"])  # ex-offender into employment: no open value
    assert "JOB-06" not in load_library()
    assert "JOB-05" not in set(gaps["proxy_id"])  # NEET: GMCA's unit costs fill it now


def test_search_by_theme_and_keyword():
    library = load_library()
    social = library.search(theme="social")
    assert set(social["theme"]) == {"Social"} and "SOC-06" in set(social["proxy_id"])
    lonely = library.search(keyword="LONELINESS")
    assert set(lonely["proxy_id"]) >= {"SOC-01", "SOC-03"}
    apprentices = library.search(theme="Jobs", keyword="apprentice")["proxy_id"].tolist()
    assert apprentices[:2] == ["JOB-08", "JOB-09"]  # the hand-verified rows first, then GMCA's
    assert all(p.startswith("GMCA14-") for p in apprentices[2:]) and len(apprentices) > 2


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


def test_homeless_finds_the_gmca_families_each_headline_first():
    found = load_library().search(keyword="homeless", families=True)
    assert found["matched"].any() and (~found["matched"]).any()
    for family, rows in found.groupby("family", sort=False):
        if family.startswith("GMCA14-"):
            assert rows["level"].iloc[0] == "headline", family  # the family starts at its headline
            assert rows["licence"].str.startswith("CC BY 4.0").all()
    assert {"GMCA14-HO3", "GMCA14-HO5", "GMCA14-HO6"} <= set(found["family"])
    statutory = found.set_index("proxy_id").loc["GMCA14-HO3.0-F"]
    assert (statutory["value_gbp"], statutory["price_year"], statutory["value_type"]) == (2501, 2011, "fiscal")


def test_words_must_all_match_at_the_start_of_a_word():
    library = load_library()
    neet = library.search(keyword="NEET")
    assert len(neet) and (neet["outcome"] + neet["source_comment"]).str.contains("NEET").all()
    assert len(library.search(keyword="homeless rough")) < len(library.search(keyword="homeless"))
    assert library.search(keyword="omeless").empty  # not inside a word


def test_filters_by_value_type_level_and_confidence():
    library = load_library()
    fiscal_headlines = library.search(value_type="Fiscal", level="headline", confidence="green")
    assert len(fiscal_headlines) > 10
    assert set(fiscal_headlines["value_type"]) == {"fiscal"} and set(fiscal_headlines["level"]) == {"headline"}
    assert set(fiscal_headlines["confidence"]) == {"G"}
    with pytest.raises(ValueError, match="unknown value type 'monetary'; expected one of: fiscal, economic, social"):
        library.search(value_type="monetary")
    with pytest.raises(ValueError, match="unknown confidence 'X'"):
        library.search(confidence="X")


def test_the_library_counts_match_the_reference_readme():
    # ../shared/refdata/README.md: 674 fiscal, 80 economic, 25 social; 121 headline, 373 subsidiary,
    # 285 constituent; RAG 572 G, 204 A, 3 R; 31 carbon years x 3 scenarios.
    table = load_library().table
    gmca = table[table.index.str.startswith("GMCA14-")]
    assert gmca["value_type"].value_counts().to_dict() == {"fiscal": 674, "economic": 80, "social": 25}
    assert gmca["level"].value_counts().to_dict() == {"subsidiary": 373, "constituent": 285, "headline": 121}
    assert gmca["confidence"].value_counts().to_dict() == {"G": 572, "A": 204, "R": 3}
    carbon = table[table["series"] == "DESNZ23-CV"]
    assert len(carbon) == 93 and sorted(set(carbon["series_year"])) == list(range(2020, 2051))


def test_cost_code_ancestors_follow_gmca_numbering():
    from svlib.reference.proxies import cost_code_ancestors

    assert cost_code_ancestors("HO3.0.2") == ["HO3.0"]       # a constituent under its headline
    assert cost_code_ancestors("HO4.1") == ["HO4.0"]         # a subsidiary under its headline
    assert cost_code_ancestors("CR2.1.3") == ["CR2.1", "CR2.0"]
    assert cost_code_ancestors("HO4.0") == []


def test_twelve_values_are_marked_as_transfer_payments():
    from svlib.reference.proxies import is_transfer

    library = load_library()
    marked = [pid for pid, row in library.rows_by_id.items() if is_transfer(row)]
    assert "GMCA14-E&S5.0-F" in marked  # NVQ level 2: 'the fiscal benefit to HMT ... is a transfer payment'
    # ../shared/refdata/README.md: "Twelve fiscal cells carry a comment that they are transfer payments"
    assert len(marked) == 12 and all(p.endswith("-F") for p in marked)
    assert "GMCA14-E&E1.0-E" not in marked  # the economic value beside JSA's fiscal one is no transfer


def test_age_and_old_flag():
    from svlib.reference.proxies import age_years, is_old

    assert age_years(2011, 2024) == 13 and is_old(2011, 2024)
    assert age_years(2014, 2024) == 10 and not is_old(2014, 2024)  # ten years is not more than ten
    assert age_years(None, 2024) is None and not is_old(None, 2024)


def test_cpi_reaches_back_to_1988_with_the_modelled_years_noted():
    cpi = load_price_index("cpi")
    # ONS D7BT annual averages (2015 = 100): 1990 = 55.9 (modelled), 2024 = 133.9
    assert cpi.years == (1988, 2025)
    assert cpi.factor(1990, 2024) == pytest.approx(133.9 / 55.9)
    assert "modelled estimate" in cpi.caveat(1990) and cpi.caveat(2011) == ""
    assert load_price_index("gdp_deflator").years == (1995, 2024)


def _series_table(tmp_path, rows: list[dict]) -> str:
    header = ["proxy_id", "theme", "outcome", "unit", "value_gbp", "price_year", "source", "licence", "series",
              "series_year", "scenario"]
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for row in rows:
            writer.writerow({"theme": "Environment", "outcome": "x", "unit": "GBP per tCO2e", "value_gbp": "100",
                             "price_year": "2022", "source": "S", "licence": "L", **row})
    return str(path)


def test_a_users_yearly_series_is_checked_when_it_is_loaded(tmp_path):
    whole = [{"proxy_id": f"MY-{y}-{s}", "series": "MY-S", "series_year": str(y), "scenario": s}
             for y in (2024, 2026) for s in ("low", "central", "high")]
    with pytest.raises(InputError, match=r"mine.csv:Proxies:2:series_year: the series MY-S has no values for 2025"):
        load_library(_series_table(tmp_path, whole))
    missing_low = [r for r in whole if r["scenario"] != "low"]
    with pytest.raises(InputError, match=r"the series MY-S has 0 low values for 2024; it needs exactly one"):
        load_library(_series_table(tmp_path, missing_low))
    mixed = [dict(r, price_year="2023") if r["series_year"] == "2026" else r for r in whole]
    with pytest.raises(InputError, match=r"the series MY-S needs one stated price year for all its rows; it has "
                                         r"2022, 2023"):
        load_library(_series_table(tmp_path, mixed))
    with pytest.raises(InputError, match=r"mine.csv:Proxies:2:proxy_id: DESNZ23-CV is the name of a yearly series"):
        load_library(_series_table(tmp_path, [{"proxy_id": "DESNZ23-CV"}]))


def test_a_users_own_series_and_an_override_of_the_shipped_one_are_used(tmp_path):
    own = [{"proxy_id": f"MY-{y}-{s}", "series": "MY-S", "series_year": str(y), "scenario": s,
            "value_gbp": str(v * m)} for y, v in ((2024, 100), (2025, 200))
           for s, m in (("low", 0.5), ("central", 1.0), ("high", 1.5))]
    library = load_library(_series_table(tmp_path, own))
    assert "MY-S" in library.series_ids and library.series("MY-S").loc[2025, "central"] == 200
    header = ("outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,"
              "drop_off,proxy_id\n")
    path = tmp_path / "map.csv"
    path.write_text(header + "C1,Residents,Saved,Environment,10,2,0,0,0,0,MY-S\n", encoding="utf-8")
    from svlib.valuation.sroi import Conventions, value_map
    from svlib.validate.impact_map import load_impact_map

    resolved = load_impact_map(path, library, price_year=2022, first_year=2024)
    # by hand, in 2022 prices (no rebasing): 10 × (100 / 1.035 + 200 / 1.035²)
    assert value_map(resolved, 1000.0, Conventions(price_year=2022)).present_value == pytest.approx(
        10 * (100 / 1.035 + 200 / 1.035 ** 2))


def test_svlib_proxies_csv_neutralises_formulas_and_refuses_an_unknown_theme(tmp_path):
    from tests.test_cli import run

    mine = _series_table(tmp_path, [{"proxy_id": "U-1", "outcome": '=HYPERLINK("http://x","y")', "theme": "Social"}])
    done = run("proxies", "--proxies", mine, "--keyword", "hyperlink", "--csv")
    assert done.returncode == 0, done.stderr
    assert "'=HYPERLINK" in done.stdout and ',=HYPERLINK' not in done.stdout.replace('"', "")
    refused = run("proxies", "--theme", "Weather")
    assert refused.returncode == 2 and "unknown theme 'Weather'; expected one of: Jobs, Growth" in refused.stderr
