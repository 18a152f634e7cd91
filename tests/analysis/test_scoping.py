"""Baseline scoping: calendar counts, quality-mark boundaries and readiness, checked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from svlib.analysis import scoping

AS_OF = dt.date(2025, 4, 1)
HORIZON = 6  # months: the horizon ends on 1 October 2025


def _dates(values: list[str | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype=object))


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    """Four partners built by hand: a (ready), b (partly), c (nothing recorded but a
    baseline), d (in the Partner table only)."""
    partner = pd.DataFrame({"partner_id": ["a", "b", "c", "d"], "name": ["A org", "B org", "C org", "D org"],
                            "price_year": [2024] * 4})
    baseline = pd.DataFrame({
        "partner_id": ["a", "b", "c"],
        "commissioning_engagement": ["regular", "occasional", "none"],
        "commissioners": ["Durham County Council; A Town Council", "Durham County Council", ""],
        "public_contract_value_gbp": [50000.0, 12000.0, np.nan],
        "carbon_policy": ["in place", "in development", "none"],
        "net_zero_target_year": pd.array([2035, pd.NA, pd.NA], dtype="Int64"),
        "data_systems": ["Salesforce; paper forms", "Paper forms", ""],
        "sroi_experience": ["assured", "some", "none"],
    })
    calendar = pd.DataFrame({
        "partner_id": ["a", "a", "b", "b", "b", "c"],
        "funder": ["Council", "Lottery", "Foundation", "Foundation", "Trust", "Council"],
        "report": ["Monthly return", "End of grant", "Quarterly form", "Quarterly form", "Annual report", "Closure"],
        "due_date": _dates(["2025-05-10", "2025-06-30", "2025-02-15", "2025-08-15", "2024-09-30", "2026-06-30"]),
        "frequency": ["monthly", "one-off", "quarterly", "quarterly", "annual", "one-off"],
    })
    marks = pd.DataFrame({
        "partner_id": ["a"] * 6 + ["b"],
        "mark": ["yesterday", "today", "tomorrow", "at horizon", "day after horizon", "no expiry", "long"],
        "awarded_date": _dates(["2022-01-01"] * 7),
        "expiry_date": _dates(["2025-03-31", "2025-04-01", "2025-04-02", "2025-10-01", "2025-10-02", None,
                               "2027-01-01"]),
    })
    impact = pd.DataFrame({"partner_id": ["a", "a", "b"], "outcome_id": ["A1", "A2", "B1"]})
    survey_rows = (
        [("a", "A1", "deadweight")] * 5          # 5 answers for one factor: evidenced
        + [("a", "A2", "deadweight")] * 4 + [("a", "A2", "attribution")] * 4   # 8 answers, 4 per factor: not
        + [("b", "B1", "deadweight")] * 3 + [("b", "B1", "drop_off")] * 2      # 5 answers over two factors: not
        + [("b", "ZZ", "deadweight")] * 9         # an outcome not in the map: ignored
    )
    survey = pd.DataFrame(survey_rows, columns=["partner_id", "outcome_id", "factor"])
    survey["respondent_ref"] = [f"R{i}" for i in range(len(survey))]
    survey["answer"] = "50%"
    return {"Partner": partner, "Baseline": baseline, "ReportingCalendar": calendar, "QualityMarks": marks,
            "ImpactMap": impact, "DeflatorSurvey": survey}


class TestReportingCalendar:
    def test_counts_by_hand(self, tables):
        heatmap = scoping.reporting_heatmap(tables, AS_OF, 12)
        months = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
        assert list(heatmap.index) == months
        assert list(heatmap.columns) == ["a", "b", "c", "d"]
        # a: monthly from May (11 months) plus the one-off in June
        expected_a = [0, 1, 2] + [1] * 9
        # b: the quarterly series listed twice counts once (May, Aug, Nov, Feb); annual from Sept 2024 -> Sept 2025
        expected_b = {"2025-05": 1, "2025-08": 1, "2025-09": 1, "2025-11": 1, "2026-02": 1}
        assert heatmap["a"].tolist() == expected_a
        assert heatmap["b"].tolist() == [expected_b.get(m, 0) for m in months]
        assert heatmap["c"].sum() == 0  # its one-off falls after the window
        assert heatmap["d"].sum() == 0
        assert heatmap.to_numpy().dtype.kind == "i"

    def test_window_starts_mid_month(self, tables):
        heatmap = scoping.reporting_heatmap(tables, dt.date(2025, 6, 20), 2)
        assert list(heatmap.index) == ["2025-06", "2025-07"]
        assert heatmap.loc["2025-06", "a"] == 2

    def test_one_off_counts_once_and_nothing_before_due_date(self, tables):
        occurrences = scoping.reporting_occurrences(tables, dt.date(2025, 1, 1), 24)
        assert (occurrences["report"] == "End of grant").sum() == 1
        monthly = occurrences[occurrences["report"] == "Monthly return"]
        assert monthly["month"].min() == "2025-05"

    def test_figure_is_object_oriented(self, tables):
        fig = scoping.heatmap_figure(scoping.reporting_heatmap(tables, AS_OF))
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 2  # the map and its colour bar


class TestQualityMarks:
    def test_boundaries(self, tables):
        status = scoping.quality_mark_status(tables, AS_OF, HORIZON).set_index("mark")
        assert status.loc["yesterday", "status"] == scoping.EXPIRED
        assert status.loc["today", "status"] == scoping.EXPIRES_WITHIN_HORIZON
        assert status.loc["tomorrow", "status"] == scoping.EXPIRES_WITHIN_HORIZON
        assert status.loc["at horizon", "status"] == scoping.EXPIRES_WITHIN_HORIZON
        assert status.loc["day after horizon", "status"] == scoping.IN_DATE
        assert status.loc["no expiry", "status"] == scoping.NO_EXPIRY_DATE

    def test_days_to_expiry(self, tables):
        status = scoping.quality_mark_status(tables, AS_OF, HORIZON).set_index("mark")
        assert status.loc["yesterday", "days_to_expiry"] == -1
        assert status.loc["today", "days_to_expiry"] == 0
        assert status.loc["tomorrow", "days_to_expiry"] == 1
        assert status.loc["at horizon", "days_to_expiry"] == 183
        assert pd.isna(status.loc["no expiry", "days_to_expiry"])

    def test_calendar_months_clip_at_month_end(self):
        marks = pd.DataFrame({"partner_id": ["a", "a"], "mark": ["end of Feb", "1 March"],
                              "awarded_date": _dates(["2020-01-01"] * 2),
                              "expiry_date": _dates(["2025-02-28", "2025-03-01"])})
        status = scoping.quality_mark_status({"QualityMarks": marks}, dt.date(2025, 1, 31), 1)
        assert status.attrs["horizon_end"] == "2025-02-28"
        assert status["status"].tolist() == [scoping.EXPIRES_WITHIN_HORIZON, scoping.IN_DATE]


class TestBaselineTables:
    def test_commissioning(self, tables):
        summary = scoping.commissioning_summary(tables).set_index("partner_id")
        assert summary.loc["a", "n_commissioners"] == 2
        assert summary.loc["a", "public_contract_value_gbp"] == 50000.0
        assert pd.isna(summary.loc["d", "commissioning_engagement"])

    def test_carbon(self, tables):
        carbon = scoping.carbon_summary(tables).set_index("partner_id")
        assert carbon.loc["a", "net_zero_target_year"] == 2035
        assert carbon["has_target"].tolist() == [True, False, False, False]

    def test_data_systems_normalised_and_counted(self, tables):
        systems = scoping.data_systems(tables)
        by_partner = systems.by_partner.set_index("partner_id")
        assert by_partner.loc["a", "data_level"] == scoping.NAMED_SYSTEM
        assert by_partner.loc["b", "data_level"] == scoping.PAPER_ONLY
        assert by_partner.loc["c", "data_level"] == scoping.NO_SYSTEM
        counts = systems.counts.set_index("system")
        # "paper forms" and "Paper forms" are one system (shown in the first spelling
        # alphabetically when both are equally common)
        assert counts["partners"].to_dict() == {"Paper forms": 2, "Salesforce": 1}
        assert counts.loc["Paper forms", "partner_ids"] == "a; b"
        assert bool(counts.loc["Paper forms", "paper"]) is True


class TestReadiness:
    def test_components_and_scores_by_hand(self, tables):
        result = scoping.readiness(tables, AS_OF, HORIZON).set_index("partner_id")
        a, b, c = result.loc["a"], result.loc["b"], result.loc["c"]
        # a: commissioning 1, experience 1, data 1, quality 4/6, evidence 1/2, calendar 1 - 2/2
        assert (a["commissioning"], a["sroi_experience"], a["data"]) == (1.0, 1.0, 1.0)
        assert a["quality"] == pytest.approx(4 / 6)
        assert a["evidence"] == 0.5
        assert a["calendar_load"] == 0.0
        assert a["score"] == pytest.approx(100 * (1 + 1 + 1 + 4 / 6 + 0.5 + 0) / 6)
        # b: 0.5, 0.5, paper only 0.25, quality 1, evidence 0, calendar 1 - 1/2
        assert [b[c_] for c_ in scoping.COMPONENTS] == [0.5, 0.5, 0.25, 1.0, 0.0, 0.5]
        assert b["score"] == pytest.approx(100 * 2.75 / 6)
        # c: nothing but a free calendar
        assert [c[c_] for c_ in scoping.COMPONENTS] == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
        assert c["score"] == pytest.approx(100 / 6)
        assert result.loc["d", "score"] == pytest.approx(100 / 6)
        assert result.loc["a", "busiest_month_reports"] == 2

    def test_sorted_with_ranks_and_weights(self, tables):
        result = scoping.readiness(tables, AS_OF, HORIZON)
        assert result["partner_id"].tolist() == ["a", "b", "c", "d"]
        assert result["rank"].tolist() == [1, 2, 3, 3]
        assert result.attrs["weights"] == scoping.DEFAULT_WEIGHTS
        assert all(result[f"weight_{c}"].eq(1.0).all() for c in scoping.COMPONENTS)
        assert result["score"].between(0, 100).all()

    def test_custom_weights(self, tables):
        result = scoping.readiness(tables, AS_OF, HORIZON, weights={"calendar_load": 0}).set_index("partner_id")
        assert result.loc["a", "score"] == pytest.approx(100 * (1 + 1 + 1 + 4 / 6 + 0.5) / 5)
        assert result.loc["c", "score"] == 0.0
        with pytest.raises(ValueError, match="unknown readiness component"):
            scoping.readiness(tables, AS_OF, HORIZON, weights={"luck": 1})
        with pytest.raises(ValueError, match="at least 0"):
            scoping.readiness(tables, AS_OF, HORIZON, weights={"data": -1})

    def test_shortlist(self, tables):
        result = scoping.readiness(tables, AS_OF, HORIZON)
        short = scoping.shortlist(result, n=3)
        assert short["partner_id"].tolist() == ["a", "b", "c"]
        assert short.attrs["tie_at_cut"] is True  # d scores the same as c
        assert scoping.shortlist(result, n=2).attrs["tie_at_cut"] is False


def test_example_collection_runs(processed_example):
    """The shipped example: every partner scored, all components in 0-1."""
    tables = processed_example
    result = scoping.readiness(tables, dt.date(2025, 10, 1), 6)
    assert len(result) == len(tables["Partner"])
    assert result[list(scoping.COMPONENTS)].apply(lambda s: s.between(0, 1).all()).all()
    heatmap = scoping.reporting_heatmap(tables, dt.date(2025, 4, 1))
    assert heatmap.shape == (12, len(tables["Partner"]))
