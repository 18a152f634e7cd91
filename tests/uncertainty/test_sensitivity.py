"""svlib.uncertainty.sensitivity: tornado, switching values, Sobol indices and survey effort against hand
calculations and against value_map itself.

Hand-worked outcome (as in test_uncertainty): quantity 10, proxy £1,000, deadweight 30%,
displacement 10%, attribution 25%, no leakage, drop-off 50%, duration 3, 3.5% from year 1::

    PV = 10 × 1000 × (1 − dw)(1 − dp)(1 − at) × (1/1.035 + (1 − d)/1.035² + (1 − d)²/1.035³)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from svlib.uncertainty.sensitivity import (
    ALL_OUTCOMES,
    _dropoff_root,
    sobol_indices,
    survey_effort,
    switching_values,
    tornado,
)
from scipy import stats

from svlib.uncertainty.estimates import estimates
from svlib.valuation.sroi import Conventions, value_map
from tests.conftest import single_outcome

ANNUITY = 1 / 1.035 + 0.5 / 1.035**2 + 0.25 / 1.035**3


def single(**overrides) -> pd.DataFrame:
    """The shared one-outcome map with deadweight 30%."""
    return single_outcome(**{"deadweight": 0.3, **overrides})


def central(impact_map: pd.DataFrame) -> pd.DataFrame:
    """The map at its central values: what the headline, the tornado and the switching values start from."""
    return estimates(impact_map).central_map()


def revalue(impact_map: pd.DataFrame, parameter: str, outcome: str, value: float) -> pd.DataFrame:
    changed = central(impact_map)
    if outcome == ALL_OUTCOMES:
        if parameter in ("quantity", "proxy_value"):
            changed[parameter] = changed[parameter] * value
        else:
            changed[parameter] = value
    else:
        changed.loc[changed["outcome_id"] == outcome, parameter] = value
    return changed


class TestTornado:
    def test_by_hand(self):
        # deadweight PERT(0.2, most likely 0.3, 0.4) is 0.2 + 0.2 × Beta(3, 3) (alpha = 1 + 4 × 0.5):
        # mean 0.3, and the bar runs from its 5th to its 95th percentile (scipy's beta quantiles)
        m = single(deadweight_low=0.2, deadweight_high=0.4)
        t = tornado(m, 1000.0)
        assert len(t) == 1
        row = t.iloc[0]
        p5, p95 = 0.2 + 0.2 * stats.beta.ppf([0.05, 0.95], 3, 3)
        assert row["low_value"] == pytest.approx(p5, rel=1e-12) and row["high_value"] == pytest.approx(p95, rel=1e-12)
        # PV(dw) = 10000 × (1 − dw) × 0.9 × 0.75 × ANNUITY; investment £1,000
        assert row["ratio_at_low"] == pytest.approx(10 * (1 - p5) * 0.9 * 0.75 * ANNUITY, rel=1e-12)
        assert row["ratio_at_high"] == pytest.approx(10 * (1 - p95) * 0.9 * 0.75 * ANNUITY, rel=1e-12)
        assert row["swing"] == pytest.approx(10 * (p95 - p5) * 0.9 * 0.75 * ANNUITY, rel=1e-12)
        assert t.attrs["base_ratio"] == pytest.approx(10 * 0.7 * 0.9 * 0.75 * ANNUITY, rel=1e-12)
        assert row["change_at_low"] == pytest.approx(row["ratio_at_low"] - t.attrs["base_ratio"], rel=1e-12)
        assert row["share"] == 1.0 and row["level"] == "range"  # the only uncertain figure explains everything

    def test_a_lopsided_range_moves_the_base_to_its_mean(self):
        # PERT(0.2, 0.3, 0.6): mean (0.2 + 4 × 0.3 + 0.6) / 6 = 1/3, so the base is at deadweight 1/3
        t = tornado(single(deadweight_low=0.2, deadweight_high=0.6), 1000.0)
        assert t.attrs["base_ratio"] == pytest.approx(10 * (2 / 3) * 0.9 * 0.75 * ANNUITY, rel=1e-12)

    def test_survey_deflators_are_in_the_tornado_as_in_the_simulation(self):
        # five answers of 25% and five of 50% for A1's attribution, no typed range: the tornado has the
        # one bar the simulation varies, from the survey mean's distribution
        answers = pd.DataFrame({"respondent_ref": [f"r{i}" for i in range(10)], "outcome_id": "A1",
                                "factor": "attribution", "answer": ["25%"] * 5 + ["50%"] * 5})
        t = tornado(single(), 1000.0, survey=answers)
        assert list(zip(t["outcome_id"], t["parameter"], t["level"])) == [("A1", "attribution", "survey")]
        # base at the survey mean 0.375 instead of the written 0.25
        assert t.attrs["base_ratio"] == pytest.approx(10 * 0.7 * 0.9 * 0.625 * ANNUITY, rel=1e-12)

    def test_estimates_given_are_the_ones_used(self):
        # the survey above, given as the caller's estimates of the map, moves the base and the
        # sensitivity exactly as passing the survey itself does, in every analysis that takes them
        answers = pd.DataFrame({"respondent_ref": [f"r{i}" for i in range(10)], "outcome_id": "A1",
                                "factor": "attribution", "answer": ["25%"] * 5 + ["50%"] * 5})
        impact_map = single()
        found = estimates(impact_map, answers)
        given = tornado(impact_map, 1000.0, estimated=found)
        assert given.attrs["base_ratio"] == pytest.approx(10 * 0.7 * 0.9 * 0.625 * ANNUITY, rel=1e-12)
        pd.testing.assert_frame_equal(given, tornado(single(), 1000.0, survey=answers))
        pd.testing.assert_frame_equal(switching_values(impact_map, 1000.0, estimated=found),
                                      switching_values(single(), 1000.0, survey=answers))
        for method in ("exact", "saltelli"):
            pd.testing.assert_frame_equal(sobol_indices(impact_map, 1000.0, n=64, method=method, estimated=found),
                                          sobol_indices(single(), 1000.0, n=64, method=method, survey=answers))

    def test_estimates_of_another_map_are_refused(self):
        # the estimates of a map with a 50% deadweight would silently value this one at 50%
        from svlib.uncertainty.montecarlo import simulate

        impact_map, other = single(), estimates(single(deadweight=0.5))
        for analysis in (tornado, switching_values, sobol_indices, survey_effort, simulate):
            with pytest.raises(ValueError, match="another impact map"):
                analysis(impact_map, 1000.0, estimated=other)

    def test_example_against_value_map(self, example):
        investment = 95_000.0
        t = tornado(example, investment)
        assert t.attrs["base_ratio"] == value_map(central(example), investment).sroi_ratio
        # one row per stated range: 8 deadweight + 8 attribution + 1 proxy; no quantity ranges
        assert len(t) == 17 and "quantity" not in set(t["parameter"])
        assert list(t["swing"]) == sorted(t["swing"], reverse=True)
        for row in t.itertuples():
            low = value_map(revalue(example, row.parameter, row.outcome_id, row.low_value), investment).sroi_ratio
            high = value_map(revalue(example, row.parameter, row.outcome_id, row.high_value), investment).sroi_ratio
            assert row.ratio_at_low == pytest.approx(low, rel=1e-12)
            assert row.ratio_at_high == pytest.approx(high, rel=1e-12)
        assert t.iloc[0]["outcome_id"] == "SOC1" and t.iloc[0]["parameter"] == "proxy_value"

    def test_no_ranges_gives_an_empty_table(self):
        t = tornado(single(), 1000.0)
        assert t.empty and "swing" in t.columns and t.attrs["base_ratio"] > 0


class TestSwitchingValues:
    def test_deadweight_and_quantity_by_hand(self):
        investment = 5000.0
        s = switching_values(single(), investment).set_index(["parameter", "outcome_id"])
        # (1 − dw*) × 10000 × 0.9 × 0.75 × ANNUITY = 5000
        dw = 1 - investment / (10000 * 0.9 * 0.75 * ANNUITY)
        assert s.loc[("deadweight", "A1"), "switching_value"] == pytest.approx(dw, rel=1e-12)
        assert s.loc[("deadweight", "A1"), "change"] == pytest.approx(dw - 0.3, rel=1e-12)
        # q* × 1000 × 0.7 × 0.9 × 0.75 × ANNUITY = 5000
        q = investment / (1000 * 0.7 * 0.9 * 0.75 * ANNUITY)
        assert s.loc[("quantity", "A1"), "switching_value"] == pytest.approx(q, rel=1e-12)
        assert s.loc[("quantity", ALL_OUTCOMES), "switching_value"] == pytest.approx(q / 10, rel=1e-12)

    def test_drop_off_root_with_missing_powers(self):
        # gap(keep) = keep³ − 0.5: keep = 0.5^(1/3), drop-off = 1 − 0.5^(1/3)
        assert _dropoff_root(np.array([-0.5, 0.0, 0.0, 1.0])) == pytest.approx(1 - 0.5 ** (1 / 3), abs=1e-15)
        assert _dropoff_root(np.array([0.5, 0.0, 1.0])) is None  # positive everywhere on [0, 1]

    def test_target_equal_to_the_ratio_when_drop_off_does_not_matter(self):
        # one year, drop-off from year 2: the ratio does not depend on drop-off; asking for the current
        # ratio is met at drop-off 0, as for the other parameters
        m = single(duration=1)
        ratio = value_map(m, 1000.0).sroi_ratio
        s = switching_values(m, 1000.0, target=ratio).set_index(["parameter", "outcome_id"])
        assert s.loc[("drop_off", "A1"), "switching_value"] == 0.0
        assert not switching_values(m, 1000.0, target=ratio * 1.5).set_index(
            ["parameter", "outcome_id"]).loc[("drop_off", "A1"), "reachable"]

    def test_drop_off_by_hand(self):
        # PV(x) = 4725 (1/1.035 + x/1.035² + x²/1.035³) with x = 1 − d; set equal to £8,000 and solve the quadratic
        investment, k = 8000.0, 10 * 1000 * 0.7 * 0.9 * 0.75
        a, b, c = k / 1.035**3, k / 1.035**2, k / 1.035 - investment
        x = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
        s = switching_values(single(), investment).set_index(["parameter", "outcome_id"])
        assert s.loc[("drop_off", "A1"), "switching_value"] == pytest.approx(1 - x, abs=1e-12)

    @pytest.mark.parametrize("investment, target", [(900_000.0, 1.0), (600_000.0, 2.0), (1_200_000.0, 1.0)])
    def test_every_switching_value_revalues_to_the_target(self, example, investment, target):
        # base ratios about 1.06, 1.6 and 0.8: values must fall, rise, or rise to reach the target
        s = switching_values(example, investment, target=target)
        reachable = s[s["reachable"]]
        assert len(reachable) >= 18 and "drop_off" in set(reachable["parameter"])
        for row in reachable.itertuples():
            ratio = value_map(revalue(example, row.parameter, row.outcome_id, row.switching_value), investment).sroi_ratio
            assert abs(ratio - target) < 1e-9, (row.parameter, row.outcome_id)

    @pytest.mark.parametrize("conventions", [Conventions(discount_from=0, dropoff_from=1),
                                             Conventions(discount_schedule="green_book")])
    def test_other_conventions(self, example, conventions):
        investment = 900_000.0
        s = switching_values(example, investment, conventions)
        for row in s[s["reachable"]].itertuples():
            changed = revalue(example, row.parameter, row.outcome_id, row.switching_value)
            assert abs(value_map(changed, investment, conventions).sroi_ratio - 1.0) < 1e-9
        t = tornado(example, investment, conventions)
        assert t.attrs["base_ratio"] == value_map(central(example), investment, conventions).sroi_ratio

    def test_not_reachable_really_is(self, example):
        investment = 900_000.0
        s = switching_values(example, investment)
        for row in s[~s["reachable"]].itertuples():
            assert row.result == "not reachable" and np.isnan(row.switching_value)
            ends = (0.0, 1.0) if row.parameter not in ("quantity", "proxy_value") else (0.0,)
            ratios = [value_map(revalue(example, row.parameter, row.outcome_id, v), investment).sroi_ratio for v in ends]
            base = value_map(central(example), investment).sroi_ratio
            # nothing in the valid range crosses 1:1 (for quantity and proxy: even at zero the others exceed it)
            assert all((r > 1.0) == (base > 1.0) for r in ratios)

    def test_columns_and_plain_english(self, example):
        s = switching_values(example, 900_000.0)
        assert {"parameter", "outcome_id", "current_value", "switching_value", "change", "reachable", "result",
                "explanation"} <= set(s.columns)
        assert set(s["parameter"]) == {"quantity", "proxy_value", "deadweight", "displacement", "attribution",
                                       "drop_off", "leakage"}
        assert (s["outcome_id"] == ALL_OUTCOMES).sum() == 7
        row = s[(s["parameter"] == "deadweight") & (s["outcome_id"] == ALL_OUTCOMES)].iloc[0]
        assert row["explanation"].startswith("The ratio reaches 1:1 if the deadweight for every outcome is")


def additive_map() -> pd.DataFrame:
    """Two outcomes, duration 1, no deflators: PV = (q_A × 1000 + 50 × p_B) / 1.035."""
    a = single(outcome_id="A", quantity=10.0, proxy_value=1000.0, deadweight=0.0, displacement=0.0, attribution=0.0,
               drop_off=0.0, duration=1, quantity_low=5.0, quantity_high=15.0, quantity_dist="uniform")
    b = single(outcome_id="B", quantity=50.0, proxy_value=100.0, deadweight=0.0, displacement=0.0, attribution=0.0,
               drop_off=0.0, duration=1, proxy_value_low=50.0, proxy_value_high=150.0, proxy_value_dist="uniform")
    return pd.concat([a, b], ignore_index=True)


class TestSobol:
    def test_additive_map_known_indices(self):
        # Var(1000 q_A) = 1000² × 10²/12 = 1e8/12; Var(50 p_B) = 50² × 100²/12 = 2.5e7/12 (the common factor
        # 1/(1.035 × investment) cancels). Additive model: S1 = ST = share of variance.
        s_quantity = 1e8 / (1e8 + 2.5e7)   # 0.8
        s_proxy = 2.5e7 / (1e8 + 2.5e7)    # 0.2
        s = sobol_indices(additive_map(), 1000.0, n=1024, seed=1).set_index("group")
        assert set(s.index) == {"quantities", "proxies"}
        for group, expected in (("quantities", s_quantity), ("proxies", s_proxy)):
            assert s.loc[group, "S1"] == pytest.approx(expected, abs=0.05)
            assert s.loc[group, "ST"] == pytest.approx(expected, abs=0.05)
            assert s.loc[group, "S1_conf"] > 0 and s.loc[group, "ST_conf"] > 0
        assert s["parameters"].to_dict() == {"quantities": 1, "proxies": 1}

    def test_example_groups(self, example):
        s = sobol_indices(example, 95_000.0, n=256, seed=0)
        # the example gives ranges for deadweights, attributions and one proxy only
        assert set(s["group"]) == {"deadweights", "attributions", "proxies"}
        assert list(s["ST"]) == sorted(s["ST"], reverse=True)
        assert s.attrs["evaluations"] == 256 * (3 + 2)
        assert 0.8 < s["S1"].sum() < 1.2  # nearly additive

    @pytest.mark.parametrize("seed", [0, 4])
    def test_seeded(self, example, seed):
        # seed 0 too: SALib's analyse step reads a zero seed as "no seed", so its bootstrap
        # confidence intervals differed between two runs with seed=0
        first = sobol_indices(example, 95_000.0, n=128, seed=seed)
        again = sobol_indices(example, 95_000.0, n=128, seed=seed)
        pd.testing.assert_frame_equal(first, again)
        assert (first["S1_conf"] > 0).all()

    def test_one_group_explains_everything(self):
        s = sobol_indices(single(deadweight_low=0.2, deadweight_high=0.4), 1000.0, n=64)
        assert s.to_dict(orient="records") == [
            {"group": "deadweights", "parameters": 1, "S1": 1.0, "S1_conf": 0.0, "ST": 1.0, "ST_conf": 0.0}]

    def test_survey_answers_make_a_deflator_uncertain(self, example):
        fixed = example.drop(columns=[c for c in example if c.endswith(("_low", "_high", "_dist"))])
        answers = pd.DataFrame([(f"r{i}", "JOB1", "deadweight", "25%" if i % 2 else "50%") for i in range(10)],
                               columns=["respondent_ref", "outcome_id", "factor", "answer"])
        s = sobol_indices(fixed, 95_000.0, n=64, survey=answers)
        assert list(s["group"]) == ["deadweights"] and s.loc[0, "parameters"] == 1

    def test_nothing_uncertain(self):
        assert sobol_indices(single(), 1000.0, n=64).empty

    def test_n_must_be_a_power_of_two(self, example):
        with pytest.raises(ValueError, match="power of two"):
            sobol_indices(example, 95_000.0, n=1000)


class TestExactSobol:
    def test_additive_map_known_indices(self):
        # as TestSobol: S1 = ST = 0.8 and 0.2. Both inputs are uniform, and the 4,096-value grid scales
        # both variances by the same (1 − 1/4096²), so the shares are exact
        s = sobol_indices(additive_map(), 1000.0, method="exact").set_index("group")
        assert s.loc["quantities", "S1"] == pytest.approx(0.8, rel=1e-12)
        assert s.loc["quantities", "ST"] == pytest.approx(0.8, rel=1e-12)
        assert s.loc["proxies", "S1"] == pytest.approx(0.2, rel=1e-12)
        assert s.loc["proxies", "ST"] == pytest.approx(0.2, rel=1e-12)
        assert (s[["S1_conf", "ST_conf"]] == 0).all().all() and s.attrs["method"] == "exact"

    def test_product_of_two_factors_by_hand(self):
        # one outcome, PV ∝ q × (1 − d) with q ~ U(5, 15), d ~ U(0.2, 0.4) independent:
        # E[q] = 10, Var q = 100/12; E[1 − d] = 0.7, Var(1 − d) = 0.04/12. Var(PV) ∝
        # E[q²]E[(1−d)²] − 10² × 0.7²; V_q = 0.7² Var q; V_d = 10² Var(1 − d) (Sobol' 1993, product model):
        # S1_q = V_q / V, ST_q = 1 − V_d / V (the interaction Var q × Var(1 − d) goes to both totals)
        var_q, var_d = 100 / 12, 0.04 / 12
        total = (100 + var_q) * (0.49 + var_d) - 100 * 0.49
        m = single(quantity=10.0, deadweight=0.3, quantity_low=5.0, quantity_high=15.0, quantity_dist="uniform",
                   deadweight_low=0.2, deadweight_high=0.4, deadweight_dist="uniform")
        s = sobol_indices(m, 1000.0, method="exact").set_index("group")
        assert s.loc["quantities", "S1"] == pytest.approx(0.49 * var_q / total, rel=1e-6)
        assert s.loc["quantities", "ST"] == pytest.approx(1 - 100 * var_d / total, rel=1e-6)
        assert s.loc["deadweights", "S1"] == pytest.approx(100 * var_d / total, rel=1e-6)
        assert s.loc["deadweights", "ST"] == pytest.approx(1 - 0.49 * var_q / total, rel=1e-6)
        assert s.attrs["ratio_variance"] == pytest.approx(
            total * (1000 * 0.9 * 0.75 * ANNUITY / 1000.0) ** 2, rel=1e-6)

    @pytest.mark.parametrize("conventions", [Conventions(), Conventions(dropoff_from=1, discount_from=0)])
    def test_agrees_with_salib_on_the_example(self, example, conventions):
        m = example.copy()
        m["drop_off_low"], m["drop_off_high"] = m["drop_off"] * 0.5, np.minimum(m["drop_off"] * 1.5, 1.0)
        exact = sobol_indices(m, 95_000.0, conventions, method="exact").set_index("group")
        estimate = sobol_indices(m, 95_000.0, conventions, n=4096, seed=3).set_index("group")
        assert set(exact.index) == set(estimate.index) == {"deadweights", "attributions", "proxies", "drop-offs"}
        for group in exact.index:
            for index in ("S1", "ST"):
                bound = 3 * estimate.loc[group, f"{index}_conf"] + 0.005
                assert abs(exact.loc[group, index] - estimate.loc[group, index]) < bound

    def test_survey_effort_exact_ranks_like_salib(self, example):
        exact = survey_effort(example, 95_000.0, method="exact")
        estimate = survey_effort(example, 95_000.0, n=4096, seed=2)
        assert list(exact["outcome_id"][:4]) == list(estimate["outcome_id"][:4])
        assert exact["deflator_share"].to_numpy() == pytest.approx(estimate["deflator_share"].to_numpy(), abs=0.01)
        assert "exact" in exact.attrs["method"]

    def test_tiny_outcomes_keep_their_small_shares(self):
        # outcome A dominates (quantity 1000); B and C have quantity 1e-6 and deflator ranges. Their
        # shares are tiny but not zero, total-order never below first-order, and the advice knows they
        # have ranges
        common = dict(deadweight_low=0.2, deadweight_high=0.4, deadweight_dist="uniform")
        m = pd.concat([single(outcome_id="A", quantity=1000.0, **common),
                       single(outcome_id="B", quantity=1e-6, **common),
                       single(outcome_id="C", quantity=1e-6, attribution_low=0.2, attribution_high=0.3)],
                      ignore_index=True)
        effort = survey_effort(m, 1000.0, method="exact").set_index("outcome_id")
        for oid in ("B", "C"):
            assert 0 < effort.loc[oid, "S1"] <= effort.loc[oid, "deflator_share"] < 1e-12
            assert not effort.loc[oid, "advice"].startswith("No range or survey")

    def test_narrow_ranges_keep_their_precision(self):
        # q ~ U(10 ± 1e-6), d ~ U(0.3 ± 1e-7): relative variances c_q = (2e-6)²/12/10², c_d = (2e-7)²/12/0.7²;
        # for a product S1_q = c_q / ((1 + c_q)(1 + c_d) − 1) and S1_d likewise (Sobol' 1993)
        m = single(quantity=10.0, deadweight=0.3, quantity_low=10 - 1e-6, quantity_high=10 + 1e-6,
                   quantity_dist="uniform", deadweight_low=0.3 - 1e-7, deadweight_high=0.3 + 1e-7,
                   deadweight_dist="uniform")
        c_q, c_d = (2e-6) ** 2 / 12 / 100, (2e-7) ** 2 / 12 / 0.49
        s = sobol_indices(m, 1000.0, method="exact").set_index("group")
        assert s.loc["quantities", "S1"] == pytest.approx(c_q / (c_q + c_d + c_q * c_d), rel=1e-5)
        assert s.loc["deadweights", "S1"] == pytest.approx(c_d / (c_q + c_d + c_q * c_d), rel=1e-5)

    def test_nothing_uncertain_and_one_group(self):
        empty = sobol_indices(single(), 1000.0, method="exact")
        assert empty.empty and empty.attrs["method"] == "exact"
        one = sobol_indices(single(deadweight_low=0.2, deadweight_high=0.4), 1000.0, method="exact")
        assert one[["S1", "ST"]].to_dict(orient="records") == [{"S1": 1.0, "ST": 1.0}]

    def test_unknown_method(self, example):
        with pytest.raises(ValueError, match="method must be one of"):
            sobol_indices(example, 95_000.0, method="guess")


class TestSurveyEffort:
    def test_ranking_by_hand(self):
        # A: deadweight U(0.2, 0.4); B: attribution U(0.1, 0.5); C: nothing uncertain. PV_A and PV_B have the same
        # coefficient K (same quantity, proxy and other deflators), so Var_A ∝ 0.2²/12, Var_B ∝ 0.4²/12:
        # shares 0.04/0.2 = 0.2 and 0.16/0.2 = 0.8.
        common = dict(deadweight=0.3, attribution=0.3)
        a = single(outcome_id="A", **common, deadweight_low=0.2, deadweight_high=0.4, deadweight_dist="uniform")
        b = single(outcome_id="B", **common, attribution_low=0.1, attribution_high=0.5, attribution_dist="uniform")
        c = single(outcome_id="C", **common)
        effort = survey_effort(pd.concat([a, b, c], ignore_index=True), 1000.0, n=1024, seed=2)
        assert list(effort["outcome_id"]) == ["B", "A", "C"]
        assert list(effort["rank"]) == [1, 2, 3]
        shares = effort.set_index("outcome_id")["deflator_share"]
        assert shares["B"] == pytest.approx(0.8, abs=0.05)
        assert shares["A"] == pytest.approx(0.2, abs=0.05)
        assert shares["C"] == 0.0
        assert effort.iloc[0]["advice"].startswith("More survey answers here would narrow the result most")
        assert "No range or survey" in effort.iloc[2]["advice"]

    def test_example(self, example):
        effort = survey_effort(example, 95_000.0, n=256)
        assert len(effort) == len(example)
        assert list(effort["deflator_share"]) == sorted(effort["deflator_share"], reverse=True)
        assert "Sobol" in effort.attrs["method"]
