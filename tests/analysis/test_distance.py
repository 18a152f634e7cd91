"""svlib.analysis.distance: distance travelled from star readings, checked by hand on a small
fixture (four people, two areas, one person with a single reading), a 1-5 star, the
quantity an outcome's readings support, and the chart."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from svlib.analysis.distance import (
    FLAG_FEWER,
    FLAG_MORE,
    FLAG_NOT_IN_MAP,
    FLAG_SUPPORTED,
    change_per_person,
    chart,
    quantity_from_readings,
    single_readings,
    summarise,
)

STAR = "Test Star"


def readings(rows: list[tuple[str, str, int, float]], star: str = STAR) -> pd.DataFrame:
    """(person, area, reading_number, score) rows as a StarReadings table."""
    start = dt.date(2024, 4, 1)
    return pd.DataFrame(
        [{"person_ref": p, "star": star, "area": a, "reading_number": k,
          "reading_date": start + dt.timedelta(days=90 * (k - 1)), "score": s} for p, a, k, s in rows])


# Home: P1 3 -> 5 -> 6 (+3), P2 2 -> 7 (+5), P3 5 -> 4 (-1), P4 one reading only (4).
# Work: P1 4 -> 4 (0), P2 3 -> 5 (+2), P3 6 -> 9 (+3), P4 2 -> 6 (+4).
# Rows are deliberately out of reading order; the latest is the highest reading_number.
# P1 scores 10 once, so the star is read as 1-10.
FIXTURE = readings([
    ("P1", "Home", 3, 6), ("P1", "Home", 1, 3), ("P1", "Home", 2, 5),
    ("P2", "Home", 2, 7), ("P2", "Home", 1, 2),
    ("P3", "Home", 1, 5), ("P3", "Home", 2, 4),
    ("P4", "Home", 1, 4),
    ("P1", "Work", 2, 4), ("P1", "Work", 1, 4),
    ("P2", "Work", 1, 3), ("P2", "Work", 2, 5),
    ("P3", "Work", 1, 6), ("P3", "Work", 2, 9),
    ("P4", "Work", 1, 2), ("P4", "Work", 2, 6),
    ("P5", "Other", 1, 10),
])


class TestChangePerPerson:
    def test_first_to_latest_by_reading_number(self):
        change = change_per_person(FIXTURE).set_index(["person_ref", "area"])
        assert change.loc[("P1", "Home"), "first_score"] == 3
        assert change.loc[("P1", "Home"), "latest_score"] == 6
        assert change.loc[("P1", "Home"), "n_readings"] == 3
        expected = {("P1", "Home"): 3, ("P2", "Home"): 5, ("P3", "Home"): -1,
                    ("P1", "Work"): 0, ("P2", "Work"): 2, ("P3", "Work"): 3, ("P4", "Work"): 4}
        assert {k: change.loc[k, "change"] for k in expected} == expected
        assert len(change) == len(expected)  # P4 Home and P5 have one reading

    def test_columns(self):
        assert list(change_per_person(FIXTURE).columns) == [
            "person_ref", "star", "area", "first_score", "latest_score", "change", "n_readings", "scale_max"]

    def test_people_with_one_reading_reported_separately(self):
        single = single_readings(FIXTURE)
        assert set(zip(single["person_ref"], single["area"])) == {("P4", "Home"), ("P5", "Other")}
        assert single["change"].isna().all()
        assert (single["n_readings"] == 1).all()

    def test_partners_kept_apart(self):
        a = FIXTURE.assign(partner_id="a")
        b = FIXTURE.assign(partner_id="b", score=FIXTURE["score"].clip(upper=5))
        change = change_per_person(pd.concat([a, b], ignore_index=True))
        assert change.columns[0] == "partner_id"
        assert len(change) == 2 * 7
        assert set(change.groupby("partner_id")["scale_max"].first()) == {10, 5}

    def test_missing_score_is_an_error_not_a_silent_drop(self):
        broken = FIXTURE.copy()
        broken.loc[0, "score"] = np.nan
        with pytest.raises(ValueError, match="no score"):
            change_per_person(broken)


class TestSummariseByHand:
    @pytest.fixture
    def summary(self) -> pd.DataFrame:
        return summarise(FIXTURE).set_index("area")

    def test_counts_and_share_improving(self, summary):
        assert summary.loc["Home", "n_people"] == 3 and summary.loc["Home", "n_single"] == 1
        assert summary.loc["Work", "n_people"] == 4 and summary.loc["Work", "n_single"] == 0
        assert summary.loc["Home", "share_improving"] == pytest.approx(2 / 3)  # +3, +5 improve; -1 does not
        assert summary.loc["Work", "share_improving"] == pytest.approx(3 / 4)  # 0 is not an improvement

    def test_mean_change_and_t_interval(self, summary):
        # Home: changes 3, 5, -1; mean 7/3; Σ(d − d̄)² = (2/3)² + (8/3)² + (10/3)² = 168/9 = 56/3;
        # s² = (56/3) / (n − 1) = 28/3; CI = d̄ ± t_{0.975, 2} × sqrt(s² / n), t_{0.975, 2} = 4.302653
        t_975_2 = 4.302652729911275
        half = t_975_2 * math.sqrt((28 / 3) / 3)
        assert summary.loc["Home", "mean_change"] == pytest.approx(7 / 3)
        assert summary.loc["Home", "ci_low"] == pytest.approx(7 / 3 - half)
        assert summary.loc["Home", "ci_high"] == pytest.approx(7 / 3 + half)
        # Work: changes 0, 2, 3, 4; mean 9/4; Σ(d − d̄)² = 5.0625 + 0.0625 + 0.5625 + 3.0625 = 8.75;
        # s² = 8.75 / 3; t_{0.975, 3} = 3.182446
        t_975_3 = 3.182446305284263
        half = t_975_3 * math.sqrt((8.75 / 3) / 4)
        assert summary.loc["Work", "mean_change"] == pytest.approx(9 / 4)
        assert summary.loc["Work", "ci_low"] == pytest.approx(9 / 4 - half)
        assert summary.loc["Work", "ci_high"] == pytest.approx(9 / 4 + half)
        assert summary.loc["Work", "mean_first"] == pytest.approx((4 + 3 + 6 + 2) / 4)
        assert summary.loc["Work", "mean_latest"] == pytest.approx((4 + 5 + 9 + 6) / 4)

    def test_t_quantiles_written_above_are_scipys(self):
        assert stats.t.ppf(0.975, 2) == pytest.approx(4.302652729911275)
        assert stats.t.ppf(0.975, 3) == pytest.approx(3.182446305284263)

    def test_other_confidence_level(self):
        s = summarise(FIXTURE, confidence=0.9).set_index("area")
        half = stats.t.ppf(0.95, 3) * math.sqrt((8.75 / 3) / 4)
        assert s.loc["Work", "ci_high"] == pytest.approx(9 / 4 + half)

    def test_wilcoxon_matches_scipy_on_the_same_differences(self, summary):
        # Work: zero difference (P1) discarded (zero_method="wilcox"); +2, +3, +4 rank 1, 2, 3,
        # all positive, so W = min(6, 0) = 0 and the exact two-sided p = 2 × (1/2)³ = 0.25.
        assert summary.loc["Work", "wilcoxon_statistic"] == 0
        assert summary.loc["Work", "p_value"] == pytest.approx(0.25)
        expected = stats.wilcoxon([0, 2, 3, 4], zero_method="wilcox")
        assert summary.loc["Work", "p_value"] == pytest.approx(expected.pvalue)
        home = stats.wilcoxon([6, 7, 4], [3, 2, 5], zero_method="wilcox")
        assert summary.loc["Home", "wilcoxon_statistic"] == pytest.approx(home.statistic)
        assert summary.loc["Home", "p_value"] == pytest.approx(home.pvalue)

    def test_pratt_option(self):
        s = summarise(FIXTURE, zero_method="pratt").set_index("area")
        with np.errstate(all="ignore"):
            expected = stats.wilcoxon([0, 2, 3, 4], zero_method="pratt")
        assert s.loc["Work", "p_value"] == pytest.approx(expected.pvalue)

    def test_nan_when_too_few_or_no_change(self, summary):
        other = summary.loc["Other"]  # P5: one reading
        assert other["n_people"] == 0 and other["n_single"] == 1
        assert np.isnan(other["mean_change"]) and np.isnan(other["ci_low"]) and np.isnan(other["p_value"])
        flat = summarise(readings([("A", "Home", 1, 4), ("A", "Home", 2, 4),
                                   ("B", "Home", 1, 6), ("B", "Home", 2, 6)])).iloc[0]
        assert flat["mean_change"] == 0 and flat["ci_low"] == 0 and flat["ci_high"] == 0
        assert np.isnan(flat["p_value"]) and np.isnan(flat["wilcoxon_statistic"])
        one = summarise(readings([("A", "Home", 1, 4), ("A", "Home", 2, 6)])).iloc[0]
        assert one["mean_change"] == 2 and np.isnan(one["ci_low"]) and np.isnan(one["p_value"])

    def test_summary_sentence_hides_small_counts(self, summary):
        text = summary.loc["Work", "summary"]
        assert text.startswith("Work: fewer than 5 people")
        exact = summarise(FIXTURE, threshold=0).set_index("area").loc["Work", "summary"]
        assert "3 of 4 people (75%) improved" in exact and "+2.2 points on the 1-10 scale" in exact
        assert "p = 0.250" in exact and "could be chance" in exact
        assert "1 person had only one reading" in summarise(FIXTURE, threshold=0).set_index("area").loc["Home", "summary"]


class TestScales:
    def test_five_point_star_detected(self):
        small = readings([("A", "Mood", 1, 1), ("A", "Mood", 2, 3), ("B", "Mood", 1, 2), ("B", "Mood", 2, 5)],
                         star="Well-being Star")
        assert set(change_per_person(small)["scale_max"]) == {5}
        s = summarise(small, threshold=0).iloc[0]
        assert s["scale_max"] == 5 and s["mean_change"] == pytest.approx(2.5)
        assert "1-5 scale" in s["summary"]

    def test_ten_point_star_detected_per_star(self):
        both = pd.concat([FIXTURE, readings([("A", "Mood", 1, 1), ("A", "Mood", 2, 3)], star="Five")])
        scales = change_per_person(both).groupby("star")["scale_max"].first().to_dict()
        assert scales == {STAR: 10, "Five": 5}

    def test_scale_given_overrides_detection(self):
        low = readings([("A", "Home", 1, 2), ("A", "Home", 2, 4)])
        assert change_per_person(low)["scale_max"].iloc[0] == 5
        assert change_per_person(low, scales={STAR: 10})["scale_max"].iloc[0] == 10
        with pytest.raises(ValueError, match="above the stated scale"):
            change_per_person(FIXTURE, scales={STAR: 5})


class TestQuantityFromReadings:
    MAPPING = pd.DataFrame([
        # OUT1 from either area with at least +2: Home P1 (+3), P2 (+5); Work P2 (+2), P3 (+3), P4 (+4)
        # -> P1, P2, P3, P4 = 4 distinct people (P2 once, although both areas improved).
        {"star": STAR, "area": "Home", "outcome_id": "OUT1", "min_improvement": 2},
        {"star": STAR, "area": "Work", "outcome_id": "OUT1", "min_improvement": 2},
        # OUT2: Work at least +1 -> P2, P3, P4 = 3.
        {"star": STAR, "area": "Work", "outcome_id": "OUT2", "min_improvement": 1},
        # OUT3: Home no worse (>= 0) -> P1, P2 = 2 (P3 fell, P4 has one reading).
        {"star": STAR, "area": "Home", "outcome_id": "OUT3", "min_improvement": 0},
        # OUT4 is not in the impact map.
        {"star": STAR, "area": "Home", "outcome_id": "OUT4", "min_improvement": 1},
    ])
    IMPACT_MAP = pd.DataFrame({"outcome_id": ["OUT1", "OUT2", "OUT3", "OUT9"], "quantity": [6.0, 3.0, 1.0, 50.0]})

    def test_distinct_people_and_flags(self):
        q = quantity_from_readings(FIXTURE, self.MAPPING, self.IMPACT_MAP).set_index("outcome_id")
        assert q.loc["OUT1", "readings_quantity"] == 4
        assert q.loc["OUT2", "readings_quantity"] == 3
        assert q.loc["OUT3", "readings_quantity"] == 2
        assert q.loc["OUT1", "people_with_readings"] == 4
        assert q.loc["OUT1", "areas"] == "Home; Work"
        assert q.loc["OUT1", "difference"] == 2 and q.loc["OUT1", "flag"] == FLAG_MORE
        assert q.loc["OUT2", "difference"] == 0 and q.loc["OUT2", "flag"] == FLAG_SUPPORTED
        assert q.loc["OUT3", "difference"] == -1 and q.loc["OUT3", "flag"] == FLAG_FEWER
        assert q.loc["OUT4", "flag"] == FLAG_NOT_IN_MAP
        assert "OUT9" not in q.index  # not mapped to any star area

    def test_tolerance(self):
        q = quantity_from_readings(FIXTURE, self.MAPPING, self.IMPACT_MAP, tolerance=2).set_index("outcome_id")
        assert q.loc["OUT1", "flag"] == FLAG_SUPPORTED and q.loc["OUT3", "flag"] == FLAG_SUPPORTED

    def test_mapped_outcome_with_nobody_improving_is_zero(self):
        mapping = pd.DataFrame([{"star": STAR, "area": "Home", "outcome_id": "OUT1", "min_improvement": 9}])
        q = quantity_from_readings(FIXTURE, mapping, self.IMPACT_MAP).iloc[0]
        assert q["readings_quantity"] == 0 and q["flag"] == FLAG_MORE

    def test_partners_matched_to_their_own_impact_map(self):
        both = pd.concat([FIXTURE.assign(partner_id="a"), FIXTURE.assign(partner_id="b")], ignore_index=True)
        impact = pd.concat([self.IMPACT_MAP.assign(partner_id="a"),
                            self.IMPACT_MAP.assign(partner_id="b", quantity=4.0)], ignore_index=True)
        q = quantity_from_readings(both, self.MAPPING, impact).set_index(["partner_id", "outcome_id"])
        assert q.loc[("a", "OUT1"), "flag"] == FLAG_MORE
        assert q.loc[("b", "OUT1"), "flag"] == FLAG_SUPPORTED
        assert q.loc[("b", "OUT1"), "readings_quantity"] == 4

    def test_mapping_columns_checked(self):
        with pytest.raises(ValueError, match="min_improvement"):
            quantity_from_readings(FIXTURE, self.MAPPING.drop(columns="min_improvement"), self.IMPACT_MAP)


class TestChart:
    def test_from_readings_and_from_summary(self):
        for source in (FIXTURE, summarise(FIXTURE)):
            fig = chart(source)
            assert isinstance(fig, Figure)
            ax = fig.axes[0]
            labels = [t.get_text() for t in ax.get_yticklabels()]
            assert any(label.startswith("Home (<5 people)") for label in labels)
            assert "average score" in ax.get_xlabel() and "10 = highest" in ax.get_xlabel()

    def test_one_panel_per_star(self):
        both = pd.concat([FIXTURE, readings([("A", "Mood", 1, 1), ("A", "Mood", 2, 3)], star="Five")])
        fig = chart(both)
        assert len(fig.axes) == 2
        assert {ax.get_title(loc="left") for ax in fig.axes} == {STAR, "Five"}

    def test_real_example_readings(self, processed_example):
        fig = chart(processed_example["StarReadings"])
        assert len(fig.axes) == 3


def test_real_example_summary(processed_example):
    s = summarise(processed_example["StarReadings"])
    assert set(s["scale_max"][s["star"].str.contains("1-5")]) == {5}
    assert (s["n_people"] >= 20).all()
    assert s["summary"].str.len().gt(0).all()
