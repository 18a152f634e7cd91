"""The forum's findings: totals across partners, summed draw by draw, and the workbook."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from svlib.analysis import forum
from svlib.analysis.comparison import without_superseded_forecasts
from svlib.analysis.themes import canonical_theme, collection_price_year, partner_map
from svlib.reference.proxies import load_library
from svlib.uncertainty.estimates import estimates
from svlib.uncertainty.montecarlo import simulate
from svlib.valuation.sroi import Conventions, value_map
from svlib.reporting.forum_workbook import HEADERS, forum_workbook
from svlib.reporting.partner_report import prepare

DRAWS, SEED = 600, 5


@pytest.fixture(scope="module")
def tables(example_tables):
    return example_tables


@pytest.fixture(scope="module")
def results(tables):
    return forum.partner_results(tables, DRAWS, SEED)[0]


def test_the_forum_total_is_the_sum_of_the_partners_present_values_from_their_own_reports(results, example_folder):
    totals = forum.totals(results).set_index("group")
    # each partner's report, prepared on its own (the notebook's path), gives its headline and draws
    reports = {r.partner_id: prepare(r.partner_id, "example", example_folder, DRAWS, SEED) for r in results}
    for group in ("evaluative", "forecast"):
        members = [pid for pid, rep in reports.items() if rep.partner["purpose"] == group]
        assert members
        assert totals.loc[group, "present_value"] == pytest.approx(
            sum(reports[p].valuation.present_value for p in members), rel=1e-12)
        assert totals.loc[group, "investment_pv"] == pytest.approx(
            sum(reports[p].valuation.investment_pv for p in members), rel=1e-12)
        # the range: the partners' simulated present values added draw by draw by hand, then percentiles
        by_hand = np.sum([reports[p].simulation.present_value for p in members], axis=0)
        p5, p95 = np.percentile(by_hand, [5, 95])
        assert (totals.loc[group, "pv_p5"], totals.loc[group, "pv_p95"]) == pytest.approx((p5, p95), rel=1e-12)
        # never the sum of the partners' own percentiles, which is a wider, wrong range
        added = sum(np.percentile(reports[p].simulation.present_value, 5) for p in members)
        assert added < p5


def test_each_partners_range_here_is_its_reports_range(results, example_folder):
    table = forum.partner_table(results).set_index("partner_id")
    for pid in table.index:
        report = prepare(pid, "example", example_folder, DRAWS, SEED)
        assert table.loc[pid, "sroi_ratio"] == pytest.approx(report.headline["sroi_ratio"], rel=1e-12)
        assert (table.loc[pid, "p5"], table.loc[pid, "p95"]) == pytest.approx(
            (report.headline["p5"], report.headline["p95"]), rel=1e-12)


def test_a_partners_theme_draws_here_are_its_draws_on_the_theme_page(results, tables):
    from svlib.analysis.themes import theme_value

    page = theme_value(tables, "Social", draws=DRAWS, seed=SEED)["per_partner"]
    having = [r for r in results if "Social" in r.theme_present_value]
    assert having
    for r in having:  # the same draws to the last bit, so the two pages never disagree
        assert np.array_equal(r.theme_present_value["Social"], page[r.partner_id])


def test_forecasts_and_evaluations_are_kept_apart_and_a_followed_forecast_counted_once(results):
    groups = {r.partner_id: r.purpose for r in results}
    assert "food-network-forecast" not in groups  # the food network's evaluation follows it
    assert set(groups.values()) == {"evaluative", "forecast"}
    table = forum.partner_table(results)
    assert table["name"].str.lower().is_monotonic_increasing  # alphabetical, not a league table


def test_theme_and_indicator_values_add_up_to_the_totals(results):
    totals = forum.totals(results).set_index("group")["present_value"]
    themes = forum.by_theme(results).groupby("group")["present_value"].sum()
    indicators = forum.by_indicator(results).groupby("group")["present_value"].sum()
    toms = forum.outside_toms(results).groupby("group")["present_value"].sum()
    for group in totals.index:
        assert themes[group] == pytest.approx(totals[group]) and indicators[group] == pytest.approx(totals[group])
        assert toms[group] == pytest.approx(totals[group])


def test_evidence_counts_of_people_below_5_are_shown_as_below_5(results, tables):
    gaps = forum.evidence_gaps(results, tables)
    for column in ("respondents", "people_with_readings", "case_studies"):
        for value in gaps[column]:
            assert value == "<5" or int(str(value).replace(",", "")) == 0 or int(str(value).replace(",", "")) >= 5


def test_the_workbook_has_every_view_with_formats_and_no_formulas(results, tables):
    hostile = {**tables, "Partner": tables["Partner"].assign(name=lambda f: np.where(
        f["partner_id"] == "youth-hub", '=HYPERLINK("http://x","y")', f["name"]))}
    results = forum.partner_results(hostile, 200, SEED)[0]
    book = openpyxl.load_workbook(io.BytesIO(forum_workbook(results, hostile, {"seed": SEED})))
    assert book.sheetnames == ["About", "Totals", "Partners", "By theme", "By indicator", "Outside the TOMs",
                               "What VCSE could add", "Evidence", "How deflators were estimated", "Partner value by theme",
                               "Partner value by year"]
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and not (isinstance(cell.value, str) and cell.value.startswith("="))
    partners = book["Partners"]
    names = [c.value for c in partners["A"][1:]]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names  # neutralised: shown, never run
    header = [c.value for c in partners[1]]
    assert partners.cell(2, header.index("Present value (£)") + 1).number_format == '"£"#,##0'
    assert partners.cell(2, header.index("SROI ratio (£ per £1)") + 1).number_format == "0.00"
    totals = forum.totals(results)
    sheet = pd.DataFrame(book["Totals"].values)
    assert list(sheet.iloc[0]) == [HEADERS.get(c, c) for c in totals.columns]
    assert sheet.iloc[1:, list(totals.columns).index("present_value")].tolist() == pytest.approx(
        totals["present_value"].tolist())


def test_a_case_study_is_evidence_for_its_accepted_outcomes_never_a_suggestion(results, tables):
    cases = tables["CaseStudies"]
    shared = cases[(cases["consent"] == "yes") & (cases["anonymised"] == "yes")]
    row = shared[shared["outcome_ids"].str.strip().str.fullmatch(r"[A-Z]+\d+")].iloc[0]  # one outcome of its own
    partner, own = str(row["partner_id"]), row["outcome_ids"].strip()
    others = [o for o in tables["ImpactMap"].query("partner_id == @partner")["outcome_id"] if o != own]
    claimed = {o for ids in shared[shared["partner_id"] == partner]["outcome_ids"] for o in ids.replace(";", ",").split(",")}
    target = next(o.strip() for o in others if o.strip() not in {c.strip() for c in claimed})
    before = forum._evidence_kinds(results, tables)
    assert "case studies" not in before[(partner, target)]
    changed = {**tables, "CaseStudies": cases.assign(accepted_outcome_ids=[
        target if i == row.name else "" for i in cases.index])}
    after = forum._evidence_kinds(results, changed)
    assert "case studies" in after[(partner, target)]
    if sum(own in str(ids) for ids in shared[shared["partner_id"] == partner]["outcome_ids"]) == 1:
        assert "case studies" not in after[(partner, own)]


# --- the collection valued at once is every partner valued on its own ---------------------

def _each_on_its_own(tables, draws, seed, conventions):
    """Every partner valued one at a time, independently of the forum's passes: its own map
    (partner_map), estimates, headline (value_map) and simulation (simulate with its own
    streams and its outcomes grouped by theme)."""
    tables = without_superseded_forecasts(dict(tables))
    used = replace(conventions, price_year=collection_price_year(tables))
    alone = {}
    for pid in sorted(set(tables["ImpactMap"]["partner_id"].astype(str))):
        resolved, survey, investment = partner_map(tables, pid, used.price_year, load_library(), used.price_index)
        found = estimates(resolved, survey)
        themes = resolved["theme"].map(canonical_theme).to_numpy()
        alone[pid] = (resolved, survey, found, value_map(found.central_map(), investment, used),
                      simulate(resolved, investment, used, draws=draws, seed=seed, survey=survey, streams=pid,
                               groups=themes))
    return alone


def _twinned(tables):
    """The example with a twin of its first partner: the same outcome ids, other survey
    answers (so a survey answer must meet its own partner's outcome)."""
    first = sorted(set(tables["ImpactMap"]["partner_id"]))[0]
    twin = "a-twin"  # first in id order
    copy = lambda frame: frame[frame["partner_id"] == first].assign(partner_id=twin)  # noqa: E731
    survey = copy(tables["DeflatorSurvey"]).assign(answer="10%")
    out = dict(tables)
    for name in ("Partner", "ImpactMap", "Inputs"):
        out[name] = pd.concat([tables[name], copy(tables[name])], ignore_index=True)
    out["Partner"].loc[out["Partner"]["partner_id"] == twin, "name"] = "A twin"
    out["DeflatorSurvey"] = pd.concat([tables["DeflatorSurvey"], survey], ignore_index=True)
    return out


@pytest.mark.parametrize("twinned", [False, True])
@pytest.mark.parametrize("conventions", [dict(), dict(dropoff_from=1, discount_schedule="green_book")])
def test_the_collection_valued_at_once_is_each_partner_valued_on_its_own(tables, twinned, conventions):
    tables = _twinned(tables) if twinned else tables
    used = Conventions(**conventions)
    results, _ = forum.partner_results(tables, 400, SEED, conventions=used)
    alone = _each_on_its_own(tables, 400, SEED, used)
    assert [r.partner_id for r in results] == sorted(alone)
    for r in results:
        resolved, survey, found, valuation, sim = alone[r.partner_id]
        # the same draws and theme draws, to the last bit
        assert np.array_equal(r.present_value, sim.present_value)
        assert list(r.theme_present_value) == [t for t in forum.THEMES if t in sim.group_present_value]
        for theme, values in r.theme_present_value.items():
            assert np.array_equal(values, sim.group_present_value[theme])
        # the same headline, evidence and maps
        assert r.valuation.present_value == valuation.present_value
        assert r.valuation.sroi_ratio == valuation.sroi_ratio and r.investment_pv == valuation.investment_pv
        assert np.array_equal(r.outcomes["present_value"].to_numpy(), valuation.outcome_present_value)
        pd.testing.assert_frame_equal(r.valuation.by_year, valuation.by_year)
        pd.testing.assert_frame_equal(r.valuation.impact_map, valuation.impact_map)
        pd.testing.assert_frame_equal(r.evidence, found.table.drop(columns="distribution"))
        pd.testing.assert_frame_equal(r.impact_map, resolved)
        if survey is None:
            assert r.survey is None
        else:
            pd.testing.assert_frame_equal(r.survey, survey)
    if twinned:  # the twin's own answers, not its original's
        twin = next(r for r in results if r.partner_id == "a-twin")
        original = next(r for r in results if r.partner_id == sorted(alone)[1])
        assert not twin.evidence["central"].equals(original.evidence["central"])


def test_a_partner_that_cannot_be_valued_is_reported_as_valuing_one_by_one_meets_it(tables):
    """The first partner in id order with a problem is named, with its first problem, as
    valuing the partners one at a time meets it: a later partner's proxy that cannot be
    priced does not hide an earlier partner's missing figure."""
    impact = tables["ImpactMap"].copy()
    first, later = sorted(set(impact["partner_id"]))[0], sorted(set(impact["partner_id"]))[-1]
    missing = impact.index[impact["partner_id"] == first][0]
    impact.loc[missing, "quantity"] = np.nan
    impact.loc[impact.index[impact["partner_id"] == later][0], ["proxy_id", "proxy_value", "proxy_year"]] = [
        "", 100.0, 1066]  # a price year no index reaches
    unpriced = {**tables, "ImpactMap": impact.assign(quantity=tables["ImpactMap"]["quantity"])}
    for broken in ({**tables, "ImpactMap": impact}, unpriced):
        with pytest.raises(Exception) as expected:
            _each_on_its_own(broken, 50, SEED, Conventions())
        with pytest.raises(type(expected.value)) as raised:
            forum.partner_results(broken, 50, SEED)
        assert str(raised.value) == str(expected.value)
    assert f"outcome {impact.loc[missing, 'outcome_id']}: quantity has no figure" in str(
        pytest.raises(ValueError, forum.partner_results, {**tables, "ImpactMap": impact}, 50, SEED).value)
