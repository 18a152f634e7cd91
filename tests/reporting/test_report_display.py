"""The partner report's HTML pieces, checked against figures worked out by hand."""

from __future__ import annotations

import re

import pytest

from svlib import paths
from svlib.pipeline.build import build
from svlib.reporting import report_display as show
from svlib.reporting.partner_report import prepare


@pytest.fixture(scope="module")
def youth_hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("processed") / "example"
    build(paths.raw_collection("example"), folder)
    return prepare("youth-hub", "example", folder, draws=200, seed=0)


def _cells(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", html, re.S)]


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
    written = [str(e) for e in youth_hub.impact_map["evidence"] if isinstance(e, str) and e.strip()]
    assert written and all(show.esc(e) in page for e in written)
