"""The partner report's HTML pieces, checked against figures worked out by hand."""

from __future__ import annotations

import html
import re

import pytest

from svlib.reporting import report_display as show
from svlib.reporting.partner_report import prepare


@pytest.fixture(scope="module")
def youth_hub(example_folder):
    return prepare("youth-hub", "example", example_folder, draws=200, seed=0)


def _cells(page: str) -> list[str]:
    return [html.unescape(re.sub(r"\s+", " ", cell).strip()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]


def test_the_investment_is_itemised_with_cash_and_in_kind_apart(youth_hub):
    items, figures = (piece.data for piece in show.investment_tables(youth_hub))
    # the youth hub's Inputs sheet: grants of £42,000, £31,000 and £6,500 in cash, and
    # 1,250 volunteer hours at the National Living Wage of £11.44 = £14,300 in kind
    assert _cells(items)[:5] == ["IN1", "BBC Children in Need", "Main grant, year 1 of 3", "£42,000", "no"]
    shown = dict(zip(_cells(figures)[::2], _cells(figures)[1::2]))
    assert shown["Investment in cash"] == "£79,500"
    assert shown["Investment in kind"] == "£14,300"
    assert shown["Total investment"] == "£93,800"


def test_npv_net_sroi_and_payback_follow_from_the_valuation(youth_hub):
    v = youth_hub.valuation
    figures = show.investment_tables(youth_hub)[1].data
    shown = dict(zip(_cells(figures)[::2], _cells(figures)[1::2]))
    # NPV = PV − investment; net SROI = (PV − investment) / investment; payback in months
    # = investment / (year-1 value / 12) (Cabinet Office 2012, stage 5)
    assert shown["Net present value (present value − investment)"] == f"£{v.present_value - 93_800:,.0f}"
    assert shown["Net SROI ratio ((present value − investment) ÷ investment)"] == \
        f"{(v.present_value - 93_800) / 93_800:,.2f}"
    year_one = v.by_year["impact"].iloc[0]
    assert shown["Payback (investment ÷ year-1 value a month)"] == f"{93_800 / (year_one / 12):,.1f} months"


def test_each_proxy_says_where_its_price_year_came_from(youth_hub):
    page = show.proxies_table(youth_hub).data
    assert "<th>Price year from</th>" in page
    origins = set(youth_hub.proxies_used()["price_year_from"])
    assert origins and origins <= {"the proxy library", "the partner (proxy_year)",
                                   "the partner (proxy_year; the library's source states none)",
                                   "not stated: taken as the analysis price year"}
    assert all(origin in page for origin in origins)


def test_the_impact_map_shows_the_partners_own_evidence_for_each_outcome(youth_hub):
    page = show.impact_map_table(youth_hub).data
    assert "<th>Evidence (the partner's words)</th>" in page
    small = youth_hub.withheld_outcomes
    rows = youth_hub.impact_map
    written = [str(e) for o, e in zip(rows["outcome_id"], rows["evidence"]) if isinstance(e, str) and e.strip()
               and o not in small]
    assert written and all(show.esc(e) in page for e in written)
    # an outcome of fewer than 5 people: its evidence text often states the count, so it is withheld
    hidden = [str(e) for o, e in zip(rows["outcome_id"], rows["evidence"]) if o in small]
    assert hidden and not any(show.esc(e) in page for e in hidden)


def _number(text: str) -> float:
    return float(text.replace("£", "").replace(",", "").replace("%", ""))


def _arithmetic_rows(report) -> list[list[str]]:
    page = show.arithmetic_table(report).data
    body = page[page.index("<tbody>"):]
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("partner", ["youth-hub", "food-network", "employability-cic", "green-spaces-trust"])
def test_every_row_of_the_arithmetic_recomputes_with_a_calculator(example_folder, youth_hub, partner):
    report = youth_hub if partner == "youth-hub" else prepare(partner, "example", example_folder, draws=200, seed=0)
    rows = _arithmetic_rows(report)
    assert len(rows) == len(report.impact_map)
    total, withheld = 0.0, 0
    for outcome, quantity, proxy, dw, dp, at, lk, impact, drop_off, years, factor, present in rows:
        if quantity == "<5":  # fewer than 5 people: every figure of one person withheld, the values shown
            assert {proxy, dw, dp, at, lk, drop_off, years, factor} == {"withheld"}
            assert impact.startswith("£") and present.startswith("£")
            withheld += 1
            total += _number(present)
            continue
        # year-1 value = quantity × proxy × (1 − dw)(1 − dp)(1 − at)(1 − lk), from the shown
        # figures: to the penny, give or take what the shown rounding can move (the quantity to 2
        # decimals, the proxy to the penny, each deflator to 1 decimal of a percent: half a unit
        # of each, times the value's sensitivity to it)
        kept = 1.0
        for deflator in (dw, dp, at, lk):
            kept *= 1 - _number(deflator) / 100
        q, value = _number(quantity), _number(proxy)
        expected = q * value * kept
        rounding = 0.005 * (abs(value) * kept + q * kept) + sum(  # a harm's proxy is negative
            0.0005 * abs(expected) / (1 - _number(d) / 100) for d in (dw, dp, at, lk))
        assert abs(_number(impact) - expected) <= 0.005 + rounding + 1e-9, outcome
        # present value = year-1 value × the factor shown to 4 decimals
        assert _number(present) == pytest.approx(_number(impact) * _number(factor), rel=1e-4), outcome
        total += _number(present)
    assert withheld == len(report.withheld_outcomes)  # food-network: FN5's 3 people
    assert report.withheld_outcomes == {o for o, q in zip(report.impact_map["outcome_id"], report.impact_map["quantity"])
                                        if 1 <= q < 5}
    # the rows add up to the report's present value, small outcomes included
    assert total == pytest.approx(report.valuation.present_value, abs=0.01 * len(rows))


def test_the_present_value_factor_is_the_sroi_guides_by_hand(example_folder):
    # an outcome lasting 2 years from year 1 with drop-off d, at 3.5%, year 1 discounted once:
    # 1 / 1.035 + (1 − d) / 1.035²
    rows = _arithmetic_rows(prepare("food-network", "example", example_folder, draws=200, seed=0))
    two_years = [r for r in rows if r[9] == "2 from year 1"]
    assert two_years
    for row in two_years:
        d = _number(row[8]) / 100
        assert _number(row[10]) == pytest.approx(1 / 1.035 + (1 - d) / 1.035 ** 2, abs=5e-5)


def _discounting_rows(report) -> list[list[str]]:
    page = show.discounting_table(report).data
    body = page[page.index("<tbody>"):]
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("partner", ["youth-hub", "food-network"])
def test_each_outcomes_years_add_up_to_its_present_value(example_folder, youth_hub, partner):
    # constant 3.5% from year 1 (Cabinet Office 2012 default): the discount factor of analysis year t is
    # 1 / 1.035^t; with drop-off from year 2, year k of an outcome keeps (1 − drop-off)^(k − 1) of year 1
    report = youth_hub if partner == "youth-hub" else prepare(partner, "example", example_folder, draws=200, seed=0)
    arithmetic = {row[0]: row for row in _arithmetic_rows(report)}
    by_outcome: dict[str, float] = {}
    for outcome, k, year, left, value, factor, present in _discounting_rows(report):
        assert _number(factor) == pytest.approx(1 / 1.035 ** int(year), abs=5e-5)  # shown to 4 decimals
        year_one = _number(arithmetic[outcome][7])
        drop_off = _number(arithmetic[outcome][8]) / 100
        # to the penny, give or take the drop-off shown to 1 decimal of a percent (half a unit,
        # times k − 1 years of it)
        slack = 0.01 + year_one * 0.0005 * (int(k) - 1) / max(1 - drop_off, 1e-9)
        assert _number(value) == pytest.approx(year_one * (1 - drop_off) ** (int(k) - 1), abs=slack)
        # the discount factor is shown to 4 decimals (half a unit of the fourth)
        assert _number(present) == pytest.approx(_number(value) * _number(factor), abs=0.01 + _number(value) * 5e-5)
        by_outcome[outcome] = by_outcome.get(outcome, 0.0) + _number(present)
    shown = {o for o, row in arithmetic.items() if row[1] != "<5"}
    assert set(by_outcome) == shown and shown  # every unsuppressed outcome, and no withheld one
    for outcome, total in by_outcome.items():
        assert total == pytest.approx(_number(arithmetic[outcome][11]), abs=0.005 * 10)
    if report.withheld_outcomes:
        assert "fewer than 5 people left out" in show.discounting_table(report).data


def test_the_theme_and_proxy_figures_read_as_sentences_not_raw_structures():
    from svlib.reporting.report_text import proxy_range_text, theme_value_text

    summary = {"mean": 654_649.0, "p5": 562_251.0, "p50": 651_700.0, "p95": 757_349.9}
    assert theme_value_text(summary, 2024) == (
        "Combined present value: £654,600 on average, £651,700 in the middle; 90% of simulations lie between "
        "£562,300 and £757,300, in 2024 prices.")
    text = proxy_range_text({"proxy_value_low": 12421.154, "proxy_value_high": 19873.84, "unit": "GBP per WELLBY",
                             "dist": "uniform", "price_year": 2024, "proxy_ids": ["XC-02", "XC-01"],
                             "excluded": {"SOC-03": "not rebased"}})
    assert text == ("Suggested range: £12,421.15 to £19,873.84 GBP per WELLBY, a uniform distribution, in 2024 prices, "
                    "from XC-02, XC-01. Left out: SOC-03, not rebased.")
    assert "{" not in text


def test_a_small_outcomes_proxy_age_and_kind_are_withheld_with_its_price_year(youth_hub):
    # the age is the analysis price year minus the proxy's: shown, it would give the withheld price year back
    shown = youth_hub.withhold(youth_hub.proxies_used()).set_index("outcome_id")
    small = sorted(youth_hub.withheld_outcomes)
    assert small
    for o in small:
        mark = str(shown.loc[o, "proxy_price_year"])
        assert not mark[:1].isdigit()  # the price year itself is withheld...
        assert str(shown.loc[o, "proxy_age_years"]) == mark and str(shown.loc[o, "proxy_value_type"]) == mark
    others = [o for o in shown.index if o not in small]
    assert any(str(shown.loc[o, "proxy_age_years"]).endswith(("year", "years", "old")) for o in others)


def test_the_forums_testimony_gaps_count_a_followed_forecast_once_as_evaluated(example_folder):
    from svlib.reporting.partner_report import shared_tables

    tables = shared_tables(data_dir=example_folder)
    assert "food-network-forecast" in set(tables["ImpactMap"]["partner_id"])  # followed by food-network's evaluation
    page = "".join(piece.data for piece in show.forum_testimony_tags(tables))
    assert "food-network-forecast" not in page and "food-network" in page


def test_a_table_right_aligns_its_number_columns_and_escapes_every_cell():
    import pandas as pd
    from bs4 import BeautifulSoup

    hostile = "</td></tr></table><script>alert('x')</script><td class=\"num\">"
    frame = pd.DataFrame({"outcome": ["Less isolated", hostile], "present_value": [1234.5, 12.21],
                          "people": ["<5", 12]})  # a count held back is still a number column
    page = show.table(frame, {"present_value": "money"}).data
    soup = BeautifulSoup(page, "html.parser")  # an independent reading of the page
    assert soup.find("script") is None and len(soup.find_all("table")) == 1
    rows = [[(cell.get_text(), cell.get("class")) for cell in tr.find_all(["th", "td"])] for tr in soup.find_all("tr")]
    assert rows[0] == [("Outcome", None), ("Present value", ["num"]), ("People", ["num"])]
    # money to the pound from £100, to the penny below when it has pence (report_text.pounds)
    assert rows[1] == [("Less isolated", None), ("£1,234", ["num"]), ("<5", ["num"])]
    assert rows[2] == [(hostile, None), ("£12.21", ["num"]), ("12", ["num"])]
