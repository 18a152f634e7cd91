"""County Durham Pound themes: the indicator list, mapping, theme totals and double counting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from svlib.analysis import themes
from svlib.contract.tables import THEMES
from svlib.reference.proxies import load_library
from svlib.uncertainty.montecarlo import simulate
from svlib.validate.impact_map import resolve_proxies
from svlib.valuation.sroi import Conventions


@pytest.fixture(scope="module")
def tables(processed_example) -> dict[str, pd.DataFrame]:
    return processed_example


# Each indicator the County Durham Pound needs analysis lists, as words its text must contain.
LISTED_INDICATORS: dict[str, list[list[str]]] = {
    "Jobs": [["local people employed", "fte"], ["neet", "ex-offender", "disabilit", "employed"],
             ["weeks", "paid work experience", "placement"], ["apprenticeships", "vocational training"],
             ["staff hours", "careers", "local schools"]],
    "Growth": [["spend", "local suppliers"], ["vcse", "sme", "supply chain"], ["volunteering hours"],
               ["expert business advice", "vcse", "sme"], ["equality", "diversity", "fair work"]],
    "Social": [["improved health and wellbeing"], ["reduced social isolation"], ["community resilience"],
               ["crime reduction"], ["vulnerable people"], ["digital inclusion"]],
    "Environment": [["carbon emissions reduced"], ["waste diverted from landfill"], ["green spaces", "biodiversity"],
                    ["sustainable travel"]],
    "Innovation": [["new ways of working adopted by the sector"], ["innovative solutions to local challenges"],
                   ["social innovation partnerships"]],
}
LISTED_NEEDS = {
    "Jobs": ["more local people in employment", "more opportunities for disadvantaged people",
             "improved employability of young people"],
    "Social": ["loneliness"],
}
EXACT_TEXTS = ["Local people employed (FTE)", "Apprenticeships and vocational training",
               "Volunteering hours given locally", "Reduced social isolation", "Improved health and wellbeing",
               "Carbon emissions reduced", "New ways of working adopted by the sector"]


class TestIndicatorList:
    @pytest.mark.parametrize("theme", THEMES)
    def test_every_listed_indicator_is_present(self, theme):
        indicators = themes.load_indicators()
        texts = [t.lower() for t in indicators.loc[indicators["theme"] == theme, "indicator"]]
        for words in LISTED_INDICATORS[theme]:
            assert any(all(w in text for w in words) for text in texts), f"{theme}: no indicator with {words}"

    def test_listed_needs_are_present(self):
        needs = themes.load_themes()
        for theme, phrases in LISTED_NEEDS.items():
            texts = " | ".join(needs.loc[needs["theme"] == theme, "need"]).lower()
            for phrase in phrases:
                assert phrase in texts

    def test_exact_texts_used_by_partners(self):
        assert set(EXACT_TEXTS) <= set(themes.load_indicators()["indicator"])

    def test_shape_of_the_data(self):
        indicators = themes.load_indicators()
        assert indicators["indicator_id"].is_unique and indicators["indicator"].is_unique
        assert set(indicators["theme"]) == set(THEMES)
        assert set(themes.load_themes()["theme"]) == set(THEMES)
        assert indicators["unit"].str.len().gt(0).all()
        assert indicators["in_toms"].isin(["yes", "no"]).all()
        # an indicator said to be in TOMs names its area
        assert indicators.loc[indicators["in_toms"] == "yes", "toms_area"].str.len().gt(0).all()
        assert indicators["needs"].str.len().gt(0).all()
        # proxy ids, where given, exist in the shipped library
        library = load_library()
        for ids in indicators["proxy_ids"]:
            assert all(p.strip() in library for p in ids.split(";") if p.strip())

    def test_no_licensed_values_shipped(self):
        from svlib import paths

        crosswalk = pd.read_csv(paths.package_data("cdp_toms_crosswalk.csv"))
        assert not [c for c in crosswalk.columns if "value" in c or "gbp" in c or "proxy_value" in c]
        assert (paths.package_data("cdp_themes_SOURCES.md")).exists()


class TestMapping:
    def test_every_example_indicator_matched(self, tables):
        mapped = themes.map_outcomes(tables["ImpactMap"])
        assert len(mapped) == len(tables["ImpactMap"])
        assert (mapped["match"] == "exact").all(), mapped.loc[mapped["match"] != "exact", "indicator"].tolist()
        assert (mapped["indicator_theme"] == mapped["theme"]).all()

    def test_case_insensitive_then_unmatched(self):
        frame = pd.DataFrame({
            "partner_id": ["p", "p", "p"], "outcome_id": ["A", "B", "C"], "stakeholder": ["x"] * 3,
            "outcome": ["o"] * 3, "theme": ["jobs", "Social", "Social"],
            "indicator": ["local people  employed (fte)", "Made friends", ""], "in_toms": ["", "", "yes"],
        })
        mapped = themes.map_outcomes(frame)
        assert mapped["match"].tolist() == ["case-insensitive", "unmatched", "unmatched"]
        assert mapped["matched_indicator"].tolist() == ["Local people employed (FTE)", "unmatched", "unmatched"]
        assert mapped["theme"].tolist() == ["Jobs", "Social", "Social"]
        assert mapped["in_toms"].tolist() == ["yes", "unknown", "yes"]
        assert mapped["in_toms_source"].tolist() == ["crosswalk", "unknown", "impact map"]

    def test_indicators_without_evidence(self, tables):
        missing = themes.indicators_without_evidence(themes.map_outcomes(tables["ImpactMap"]))
        assert "CDP-J05" in set(missing["indicator_id"])  # careers talks: no example partner reports them
        assert not {"CDP-J01", "CDP-J02"} & set(missing["indicator_id"])  # employability-cic's EC1 and EC7


class TestThemeValue:
    def test_combined_is_the_sum_draw_by_draw(self):
        combined = themes.combined_draws({"a": np.array([1.0, 2.0, 3.0]), "b": np.array([10.0, 0.0, 5.0])})
        assert combined.tolist() == [11.0, 2.0, 8.0]
        with pytest.raises(ValueError):
            themes.combined_draws({"a": np.ones(3), "b": np.ones(4)})
        with pytest.raises(ValueError):
            themes.combined_draws({})

    def test_theme_aggregation_equals_partner_sum(self, tables):
        result = themes.theme_value(tables, "jobs", draws=800, seed=5)
        per_partner = result["per_partner"]
        jobs_partners = set(tables["ImpactMap"].loc[tables["ImpactMap"]["theme"] == "Jobs", "partner_id"])
        assert set(per_partner) == jobs_partners
        total = np.zeros(800)
        for draws in per_partner.values():
            total = total + draws
        np.testing.assert_allclose(result["combined"], total, rtol=1e-12)
        p5, p95 = np.percentile(result["combined"], [5, 95])
        assert result["summary"]["p5"] == pytest.approx(p5) and result["summary"]["p95"] == pytest.approx(p95)
        assert result["summary"]["mean"] == pytest.approx(total.mean())
        # the combined band is not the sum of partners' percentiles
        assert result["summary"]["p5"] != pytest.approx(result["by_partner"]["p5"].sum(), rel=1e-9)
        # outcome means add up to the theme mean
        assert result["outcomes"]["mean_present_value"].sum() == pytest.approx(total.mean())

    def test_partner_draws_match_its_own_simulation(self, tables):
        result = themes.theme_value(tables, "Social", draws=500, seed=9, price_year=2024)
        pid = "food-network"
        impact = tables["ImpactMap"]
        raw = impact[impact["partner_id"] == pid].drop(columns="partner_id").reset_index(drop=True)
        raw["outcome_id"] = [f"{pid}:{o}" for o in raw["outcome_id"]]
        survey = tables["DeflatorSurvey"]
        survey = survey[survey["partner_id"] == pid].drop(columns="partner_id").reset_index(drop=True)
        survey["outcome_id"] = [f"{pid}:{o}" for o in survey["outcome_id"]]
        resolved, _ = resolve_proxies(raw, load_library(), 2024)
        investment = float(tables["Inputs"].loc[tables["Inputs"]["partner_id"] == pid, "value_gbp"].sum())
        sim = simulate(resolved, investment, Conventions(price_year=2024), draws=500, seed=9, survey=survey,
                       keep_outcomes=True)
        social = (resolved["theme"] == "Social").to_numpy()
        np.testing.assert_allclose(result["per_partner"][pid], sim.outcome_present_value[:, social].sum(axis=1))

    def test_equal_outcome_ids_in_two_partners_draw_independently(self, tables):
        """A clone of a partner (same outcome ids, same ranges) must not move in lock-step."""
        clone = {name: frame.copy() for name, frame in tables.items()}
        for name in ("Partner", "ImpactMap", "Inputs", "DeflatorSurvey"):
            rows = tables[name][tables[name]["partner_id"] == "employability-cic"].copy()
            rows["partner_id"] = "employability-clone"
            clone[name] = pd.concat([tables[name], rows], ignore_index=True)
        result = themes.theme_value(clone, "Jobs", draws=2000, seed=1)
        original, copy = result["per_partner"]["employability-cic"], result["per_partner"]["employability-clone"]
        assert not np.allclose(original, copy)
        assert copy.mean() == pytest.approx(original.mean(), rel=0.03)

    def test_unknown_theme(self, tables):
        with pytest.raises(ValueError, match="unknown theme"):
            themes.theme_value(tables, "Happiness", draws=10, seed=0)


class TestToms:
    def test_outside_toms_share(self):
        mapped = pd.DataFrame({"partner_id": ["p", "p", "q"], "outcome_id": ["A", "B", "A"],
                               "in_toms": ["yes", "no", "unknown"]})
        values = pd.DataFrame({"partner_id": ["p", "p", "q"], "outcome_id": ["A", "B", "A"],
                               "present_value": [300.0, 100.0, 100.0]})
        assert themes.outside_toms_share(mapped, values) == pytest.approx(100 / 500)
        series = pd.Series([300.0, 100.0, 100.0],
                           index=pd.MultiIndex.from_tuples([("p", "A"), ("p", "B"), ("q", "A")]))
        assert themes.outside_toms_share(mapped, series) == pytest.approx(0.2)
        breakdown = themes.toms_breakdown(mapped, values).set_index("in_toms")
        assert breakdown["share"].to_dict() == pytest.approx({"yes": 0.6, "no": 0.2, "unknown": 0.2})

    def test_example_share_in_range(self, tables):
        mapped = themes.map_outcomes(tables["ImpactMap"])
        share = themes.outside_toms_share(mapped, themes.deterministic_values(tables))
        assert 0 < share < 1


def _map_row(partner_id: str, outcome_id: str, stakeholder: str, **cells) -> dict:
    row = {"partner_id": partner_id, "outcome_id": outcome_id, "stakeholder": stakeholder, "outcome": "o",
           "theme": "Jobs", "measure": "", "indicator": "", "proxy_id": "", "in_toms": ""}
    row.update(cells)
    return row


class TestDoubleCounting:
    def test_planted_double_counts_are_flagged(self):
        impact = pd.DataFrame([
            # (a) two partners, the same TOMs measure, the same stakeholders (written differently)
            _map_row("p", "A1", "Young people", measure="NT1", proxy_id="JOB-01",
                     indicator="Local people employed (FTE)"),
            _map_row("q", "A1", "young  people,", measure="NT1", proxy_id="JOB-01",
                     indicator="Local people employed (FTE)"),
            # (b) within p: a wellbeing value for the same young people
            _map_row("p", "A2", "Young People", theme="Social", proxy_id="SOC-06",
                     indicator="Improved health and wellbeing"),
            # not flagged: a wellbeing value for other people, and another measure
            _map_row("q", "A2", "Parents", theme="Social", proxy_id="SOC-06",
                     indicator="Improved health and wellbeing"),
            _map_row("r", "A1", "Young people", measure="NT10", proxy_id="JOB-08",
                     indicator="Apprenticeships and vocational training"),
        ])
        flags = themes.double_counting({"ImpactMap": impact})
        same = flags[flags["check"] == themes.SAME_MEASURE]
        assert len(same) == 1
        assert same.iloc[0]["partner_ids"] == "p; q"
        assert same.iloc[0]["claim"] == "measure NT1"
        assert same.iloc[0]["stakeholder_group"] == "young people"
        wage = flags[flags["check"] == themes.WAGE_AND_WELLBEING]
        assert len(wage) == 1
        assert wage.iloc[0]["partner_ids"] == "p"
        assert set(wage.iloc[0]["outcome_ids"].split("; ")) == {"p:A1", "p:A2"}
        assert "wage value and a wellbeing value" in wage.iloc[0]["detail"]

    def test_same_indicator_when_no_measure(self):
        impact = pd.DataFrame([
            _map_row("p", "V1", "Volunteers", theme="Growth", indicator="Volunteering hours given locally"),
            _map_row("q", "V9", "volunteers", theme="Growth", indicator="volunteering hours given locally"),
        ])
        flags = themes.double_counting({"ImpactMap": impact})
        assert flags["claim"].tolist() == ["indicator Volunteering hours given locally"]

    def test_employment_indicator_counts_as_wage(self):
        impact = pd.DataFrame([
            _map_row("p", "E1", "Job seekers", proxy_value=20000.0, indicator="Local people employed (FTE)"),
            _map_row("p", "W1", "Job seekers", theme="Social", proxy_id="XC-01"),
        ])
        assert (themes.double_counting({"ImpactMap": impact})["check"] == themes.WAGE_AND_WELLBEING).sum() == 1

    def test_nothing_to_flag(self):
        impact = pd.DataFrame([_map_row("p", "A1", "Young people", measure="NT1", proxy_id="JOB-01")])
        assert themes.double_counting({"ImpactMap": impact}).empty

    def test_example_runs(self, tables):
        flags = themes.double_counting(tables)
        assert list(flags.columns) == themes.DOUBLE_COUNT_COLUMNS
        assert (flags["check"] == themes.SAME_MEASURE).any()


def test_maps_resolved_together_are_each_partners_own_map(example_tables):
    """resolved_maps: every partner's rows exactly as partner_map resolves its map alone; a
    map that names a yearly series (the carbon value) is resolved on its own, with its
    partner's period."""
    library = load_library()
    ids = sorted(set(example_tables["ImpactMap"]["partner_id"]))
    blocks = themes.resolved_maps(example_tables, ids, 2024, library)
    assert sorted(p for b in blocks for p in b.partner_ids) == ids
    series = {p for p in ids if example_tables["ImpactMap"].query("partner_id == @p")["proxy_id"]
              .isin(sorted(library.series_ids)).any()}
    assert series and all(len(b.partner_ids) == 1 for b in blocks if set(b.partner_ids) & series)
    surveys = themes.partner_rows(example_tables, "DeflatorSurvey", ids)
    for block in blocks:
        for i, pid in enumerate(block.partner_ids):
            alone, survey, _ = themes.partner_map(example_tables, pid, 2024, library)
            together = block.impact_map.iloc[block.rows(i)].reset_index(drop=True)
            pd.testing.assert_frame_equal(together, alone)
            if survey is None:
                assert surveys[pid].empty
            else:
                pd.testing.assert_frame_equal(surveys[pid], survey)
