"""svlib.uncertainty.montecarlo: Monte Carlo means against hand expectations, exact agreement with
value_map when nothing is uncertain, and reproducibility whatever the chunking, the number
of processes, the row order or the other outcomes in the map.

Hand-worked outcome used below (Cabinet Office 2012 formulas): quantity 10, proxy £1,000,
displacement 10%, attribution 25%, no leakage, drop-off 50% from year 2, duration 3,
discount 3.5% from year 1. With deadweight d::

    PV(d) = 10 × 1000 × (1 − d) × 0.9 × 0.75 × (1/1.035 + 0.5/1.035² + 0.25/1.035³)
"""

from __future__ import annotations

import hashlib
import json
import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from svlib.uncertainty.deflators import Prior
from svlib.uncertainty.distributions import DRAW_BITS, DRAW_CELLS
from svlib.uncertainty.estimates import estimates
from svlib.uncertainty import montecarlo
from svlib.uncertainty.montecarlo import (
    PARAMETER_STREAMS,
    simulate,
    simulate_maps,
    stable_hash,
    stream,
    stream_seed,
)
from svlib.valuation.sroi import PARAMETERS, Conventions, ValueModel, payback_months, value_map
from tests.conftest import single_outcome

ANNUITY = 1 / 1.035 + 0.5 / 1.035**2 + 0.25 / 1.035**3  # 1.6584...
INVESTMENT = 95_000.0

CONVENTIONS = [
    Conventions(),
    Conventions(discount_from=0),
    Conventions(dropoff_from=1),
    Conventions(discount_schedule="green_book"),
    Conventions(discount_rate=0.05, discount_from=0, dropoff_from=1),
]


def single(**overrides) -> pd.DataFrame:
    """The shared one-outcome map with deadweight 30%."""
    return single_outcome(**{"deadweight": 0.3, **overrides})


def without_ranges(impact_map: pd.DataFrame) -> pd.DataFrame:
    return impact_map.drop(columns=[c for c in impact_map if c.endswith(("_low", "_high", "_dist"))])


class TestStreams:
    def test_stable_hash_is_sha256_not_python_hash(self):
        expected = int.from_bytes(hashlib.sha256(b"JOB1").digest()[:8], "little")
        assert stable_hash("JOB1") == expected

    def test_stream_seed_spawn_key(self):
        seq = stream_seed(7, "JOB1", "deadweight")
        assert seq.entropy == 7 and seq.spawn_key == (stable_hash("JOB1"), 2)

    def test_one_uniform_is_one_pcg64_step(self):
        whole = stream(3, "JOB1", "quantity").random(25)
        later = stream(3, "JOB1", "quantity", start=10).random(15)
        assert np.array_equal(whole[10:], later)

    def test_drawing_in_pieces_gives_the_same_sequence(self):
        g = stream(3, "JOB1", "quantity")
        pieces = np.concatenate([g.random(7), g.random(1), g.random(17)])
        assert np.array_equal(pieces, stream(3, "JOB1", "quantity").random(25))


    def test_a_draw_is_the_top_12_bits_of_one_output(self):
        # floor(u × 4096) for u = (output >> 11) × 2**-53 is output >> 52
        raw = stream(3, "JOB1", "deadweight").bit_generator.random_raw(10_000)
        u = stream(3, "JOB1", "deadweight").random(10_000)
        assert np.array_equal(raw >> np.uint64(64 - DRAW_BITS), np.floor(u * DRAW_CELLS).astype(np.uint64))


class TestDrawsAreTheDistributions:
    @pytest.mark.parametrize("conventions", CONVENTIONS)
    def test_simulation_values_each_streams_draws_with_the_value_model(self, example, conventions):
        # every uncertain parameter of every outcome drawn by hand from its own stream with
        # ParameterDistribution.from_uniform, then valued by ValueModel: the same numbers, bit for bit
        # (drop-off ranges on some outcomes and a leakage range too, so both drop-off tables are used)
        draws = 500
        example = example.copy()
        some = example.index[::2]
        example.loc[some, "drop_off_low"] = example.loc[some, "drop_off"] * 0.5
        example.loc[some, "drop_off_high"] = np.minimum(example.loc[some, "drop_off"] * 1.5, 1.0)
        example["leakage_low"], example["leakage_high"] = 0.0, 0.1
        sim = simulate(example, INVESTMENT, conventions, draws=draws, seed=8, keep_outcomes=True)
        values = {}
        for row in sim.parameters.itertuples():
            if row.kind == "fixed":
                continue
            dist = estimates(example).table.set_index(["outcome_id", "parameter"]).loc[
                (row.outcome_id, row.parameter), "distribution"]
            u = stream(8, row.outcome_id, row.parameter).random(draws)
            column = values.setdefault(row.parameter, np.tile(
                ValueModel(example, INVESTMENT).central[row.parameter][:, None], (1, draws)))
            column[sim.outcome_ids.index(row.outcome_id)] = dist.from_uniform(u)
        assert {"drop_off", "leakage", "deadweight", "attribution"} <= set(values)
        model = ValueModel(example, INVESTMENT, conventions)
        outcome_pv, year_one = model.outcome_values(values)
        assert np.array_equal(sim.outcome_present_value, outcome_pv.T)
        assert np.array_equal(sim.present_value, model.total(outcome_pv))
        assert np.array_equal(sim.payback_months, payback_months(INVESTMENT, model.total(year_one)))

    @pytest.mark.parametrize("outcomes", list(range(1, 20)) + [64, 127, 128, 129, 200, 301])
    def test_totals_add_one_outcome_at_a_time_whatever_the_number_of_scenarios(self, outcomes):
        # a scenario's total is the plain left-to-right sum of its outcomes from 0.0, valued
        # alone or beside 256 others; magnitudes from 1e-8 to 1e8 make any other order of
        # addition visible
        rng = np.random.default_rng(outcomes)
        block = rng.standard_normal((outcomes, 257)) * 10.0 ** rng.integers(-8, 9, (outcomes, 257))
        block[:, -1] = -0.0  # a column of negative zeros sums to +0.0
        by_hand = []
        for j in range(block.shape[1]):
            total = 0.0
            for value in block[:, j].tolist():
                total += value
            by_hand.append(total)
        together = ValueModel.total(block)
        assert np.array_equal(together, np.array(by_hand))
        assert not np.signbit(together[-1])
        alone = np.array([ValueModel.total(block[:, j:j + 1])[0] for j in range(block.shape[1])])
        assert np.array_equal(alone, together)

    def test_each_parameter_has_its_own_stream_in_the_value_models_order(self):
        assert tuple(PARAMETER_STREAMS) == PARAMETERS
        assert sorted(PARAMETER_STREAMS.values()) == list(range(len(PARAMETERS)))


class TestAgainstHandExpectations:
    def test_uniform_deadweight(self):
        # E[1 − d] for d ~ U(0.2, 0.4) is 0.7, so E[PV] = 10 × 1000 × 0.7 × 0.9 × 0.75 × ANNUITY ≈ £7,836
        expected = 10 * 1000 * 0.7 * 0.9 * 0.75 * ANNUITY
        assert expected == pytest.approx(7836.06, abs=0.01)
        m = single(deadweight_low=0.2, deadweight_high=0.4, deadweight_dist="uniform")
        sim = simulate(m, 1000.0, draws=20_000, seed=11)
        se = sim.present_value.std(ddof=1) / math.sqrt(sim.draws)
        assert abs(sim.present_value.mean() - expected) < 3 * se
        # the spread too: sd(PV) = 10000 × 0.675 × ANNUITY × 0.2/sqrt(12)
        assert sim.present_value.std(ddof=1) == pytest.approx(10000 * 0.675 * ANNUITY * 0.2 / math.sqrt(12), rel=0.03)

    def test_two_independent_factors(self):
        # deadweight U(0.2, 0.4): E[1 − d] = 0.7; attribution PERT(0.15, 0.25, 0.35):
        # E[a] = (0.15 + 4 × 0.25 + 0.35)/6 = 0.25, E[1 − a] = 0.75; independent streams, so
        # E[PV] = 10 × 1000 × 0.7 × 0.9 × 0.75 × ANNUITY
        m = single(deadweight_low=0.2, deadweight_high=0.4, deadweight_dist="uniform",
                   attribution_low=0.15, attribution_high=0.35, attribution_dist="")
        expected = 10 * 1000 * 0.7 * 0.9 * 0.75 * ANNUITY
        sim = simulate(m, 1000.0, draws=20_000, seed=5)
        se = sim.present_value.std(ddof=1) / math.sqrt(sim.draws)
        assert abs(sim.present_value.mean() - expected) < 3 * se

    def test_probability_below_one_to_one(self):
        # PV = 1000 × (1 − d), d ~ U(0, 1), one undiscounted year; investment £500:
        # ratio = 2 (1 − d) < 1 exactly when d > 0.5, so the probability is 0.5
        m = single(quantity=1.0, deadweight=0.5, displacement=0.0, attribution=0.0, duration=1,
                   deadweight_low=0.0, deadweight_high=1.0, deadweight_dist="uniform")
        sim = simulate(m, 500.0, Conventions(discount_from=0), draws=20_000, seed=2)
        assert abs(sim.summary()["prob_ratio_below_1"] - 0.5) < 3 * math.sqrt(0.25 / 20_000)

    def test_triangular_proxy_on_the_example(self, example):
        # GRO1-style check on the real map: only SOC1's proxy is left uncertain (PERT on
        # its rebased range); PV is linear in the proxy, so E[PV] = value_map at E[proxy].
        m = without_ranges(example)
        soc1 = example.index[example["outcome_id"] == "SOC1"][0]
        m["proxy_value_low"] = example["proxy_value_low"]
        m["proxy_value_high"] = example["proxy_value_high"]
        low, mode, high = example.loc[soc1, ["proxy_value_low", "proxy_value", "proxy_value_high"]]
        at_mean = m.copy()
        at_mean.loc[soc1, "proxy_value"] = (low + 4 * mode + high) / 6
        expected = value_map(at_mean, INVESTMENT).present_value
        sim = simulate(m, INVESTMENT, draws=20_000, seed=9)
        se = sim.present_value.std(ddof=1) / math.sqrt(sim.draws)
        assert abs(sim.present_value.mean() - expected) < 3 * se


class TestFixedEqualsValueMap:
    @pytest.mark.parametrize("conventions", CONVENTIONS)
    def test_no_ranges(self, example, conventions):
        m = without_ranges(example)
        result = value_map(m, INVESTMENT, conventions)
        sim = simulate(m, INVESTMENT, conventions, draws=4, chunk_size=3)
        assert np.all(sim.present_value == result.present_value)
        assert np.all(sim.ratio == result.sroi_ratio)
        assert np.all(sim.payback_months == result.payback_months)

    @pytest.mark.parametrize("conventions", CONVENTIONS)
    def test_zero_width_ranges(self, example, conventions):
        m = example.copy()
        for p in ("quantity", "proxy_value", "deadweight", "displacement", "attribution", "drop_off", "leakage"):
            m[f"{p}_low"] = m[p]
            m[f"{p}_high"] = m[p]
            m[f"{p}_dist"] = "pert"
        sim = simulate(m, INVESTMENT, conventions, draws=3)
        assert set(sim.parameters["kind"]) == {"fixed"}
        assert np.all(sim.ratio == value_map(m, INVESTMENT, conventions).sroi_ratio)

    def test_one_year_horizon_with_many_outcomes(self):
        rows = pd.concat([single(outcome_id=f"O{i}", quantity=float(i + 1), duration=1, proxy_value=123.45 * (i + 1))
                          for i in range(12)], ignore_index=True)
        result = value_map(rows, 777.0)
        sim = simulate(rows, 777.0, draws=2)
        assert np.all(sim.present_value == result.present_value)
        assert np.all(sim.payback_months == result.payback_months)

    def test_a_misspelt_parameter_is_refused_not_ignored(self, example):
        model = ValueModel(example, INVESTMENT)
        with pytest.raises(ValueError, match="no such parameter: dropoff"):
            model.ratios({"dropoff": np.zeros(model.size)})

    def test_value_model_matches_value_map_per_outcome(self, example):
        pv = ValueModel(example, INVESTMENT).outcome_values()[0][:, 0]
        assert np.array_equal(pv, value_map(example, INVESTMENT).by_outcome["present_value"].to_numpy())


@pytest.fixture(scope="module")
def reference(example):
    return simulate(example, INVESTMENT, draws=TestReproducible.DRAWS, seed=42, keep_outcomes=True)


class TestReproducible:
    DRAWS = 3000

    @pytest.mark.parametrize("chunk_size", [1, 13, 500, 100_000])
    def test_chunk_size(self, example, reference, chunk_size):
        draws = 200 if chunk_size == 1 else self.DRAWS
        sim = simulate(example, INVESTMENT, draws=draws, seed=42, chunk_size=chunk_size)
        assert np.array_equal(sim.ratio, reference.ratio[:draws])

    @pytest.mark.parametrize("processes", [2, 3])
    def test_processes(self, example, reference, processes):
        sim = simulate(example, INVESTMENT, draws=self.DRAWS, seed=42, processes=processes, chunk_size=700,
                       keep_outcomes=True)
        assert np.array_equal(sim.ratio, reference.ratio)
        assert np.array_equal(sim.outcome_present_value, reference.outcome_present_value)

    def test_fewer_draws_are_a_prefix(self, example, reference):
        assert np.array_equal(simulate(example, INVESTMENT, draws=1000, seed=42).ratio, reference.ratio[:1000])

    def test_row_order(self, example, reference):
        shuffled = example.sample(frac=1.0, random_state=1).reset_index(drop=True)
        assert list(shuffled["outcome_id"]) != list(example["outcome_id"])
        sim = simulate(shuffled, INVESTMENT, draws=self.DRAWS, seed=42, keep_outcomes=True)
        for j, oid in enumerate(sim.outcome_ids):
            k = reference.outcome_ids.index(oid)
            assert np.array_equal(sim.outcome_present_value[:, j], reference.outcome_present_value[:, k])
        # totals differ only by the order of summation
        assert sim.ratio == pytest.approx(reference.ratio, rel=1e-12)

    def test_adding_an_outcome_leaves_the_others_unchanged(self, example, reference):
        extra = example.iloc[[0]].copy()
        extra["outcome_id"] = "NEW1"
        bigger = pd.concat([example, extra], ignore_index=True)
        sim = simulate(bigger, INVESTMENT, draws=self.DRAWS, seed=42, keep_outcomes=True)
        assert np.array_equal(sim.outcome_present_value[:, :len(example)], reference.outcome_present_value)
        # the new outcome has the same distributions as JOB1 but its own streams
        assert not np.array_equal(sim.outcome_present_value[:, -1], sim.outcome_present_value[:, 0])

    def test_another_seed_gives_other_draws(self, example, reference):
        assert not np.array_equal(simulate(example, INVESTMENT, draws=100, seed=43).ratio, reference.ratio[:100])


class TestSurvey:
    def answers(self) -> pd.DataFrame:
        rows = [(f"r{i}", "JOB1", "deadweight", "A few (about 25%)" if i < 5 else "About half (50%)") for i in range(10)]
        rows.append(("r99", "ZZZ9", "attribution", "50%"))
        return pd.DataFrame(rows, columns=["respondent_ref", "outcome_id", "factor", "answer"])

    def test_survey_mean_replaces_the_map_deflator(self, example):
        # only JOB1's deadweight is uncertain; its survey mean is (5 × 0.25 + 5 × 0.5)/10 = 0.375 and PV is
        # linear in (1 − deadweight), so E[PV] = value_map with JOB1 deadweight = 0.375
        m = without_ranges(example)
        at_mean = m.copy()
        at_mean.loc[at_mean["outcome_id"] == "JOB1", "deadweight"] = 0.375
        expected = value_map(at_mean, INVESTMENT).present_value
        sim = simulate(m, INVESTMENT, draws=20_000, seed=3, survey=self.answers())
        se = sim.present_value.std(ddof=1) / math.sqrt(sim.draws)
        assert se > 0
        assert abs(sim.present_value.mean() - expected) < 3 * se
        used = sim.parameters.set_index(["outcome_id", "parameter"]).loc[("JOB1", "deadweight")]
        assert used["kind"] == "beta" and "survey mean 37.5%" in used["evidence"]
        assert any("ZZZ9" in w for w in sim.warnings)


    def test_prior_with_full_weight_fixes_the_deflator(self, example):
        m = without_ranges(example)
        answers = self.answers().iloc[:10]
        sim = simulate(m, INVESTMENT, draws=5, survey=answers, priors={("JOB1", "deadweight"): Prior(0.6, 1.0, "judgement")})
        changed = m.copy()
        changed.loc[changed["outcome_id"] == "JOB1", "deadweight"] = 0.6
        assert np.all(sim.present_value == value_map(changed, INVESTMENT).present_value)


class TestSummary:
    def test_contract_keys_and_values(self, example):
        sim = simulate(example, INVESTMENT, draws=2000, seed=8)
        out = sim.to_dict()
        assert set(out) == {"draws", "seed", "sroi_ratio", "present_value", "prob_ratio_below_1", "monte_carlo_se"}
        for key in ("sroi_ratio", "present_value"):
            assert set(out[key]) == {"mean", "sd", "p5", "p50", "p95"}
        assert (out["draws"], out["seed"]) == (2000, 8)
        p5, p50, p95 = np.percentile(sim.ratio, [5, 50, 95])
        assert (out["sroi_ratio"]["p5"], out["sroi_ratio"]["p50"], out["sroi_ratio"]["p95"]) == (p5, p50, p95)
        assert out["monte_carlo_se"] == pytest.approx(np.std(sim.ratio, ddof=1) / math.sqrt(2000))
        assert out["sroi_ratio"]["mean"] * INVESTMENT == pytest.approx(out["present_value"]["mean"])
        json.dumps(out)  # plain JSON

    def test_outcome_summary_needs_kept_outcomes(self, example):
        with pytest.raises(ValueError, match="keep_outcomes"):
            simulate(example, INVESTMENT, draws=10).outcome_summary()
        table = simulate(example, INVESTMENT, draws=10, keep_outcomes=True).outcome_summary()
        assert list(table["outcome_id"]) == list(example["outcome_id"])

    @pytest.mark.parametrize("kwargs", [{"draws": 0}, {"seed": -1}, {"seed": 1.5}, {"chunk_size": 0},
                                        {"processes": 0}])
    def test_bad_arguments(self, example, kwargs):
        with pytest.raises(ValueError):
            simulate(example, INVESTMENT, **kwargs)

    def test_investment_must_be_positive(self, example):
        with pytest.raises(ValueError, match="investment"):
            simulate(example, 0.0)


class TestGroups:
    def test_a_groups_draws_are_its_outcomes_added_in_map_order(self, example, reference):
        labels = ["a" if i % 2 else "b" for i in range(len(example))]
        sim = simulate(example, INVESTMENT, draws=TestReproducible.DRAWS, seed=42, groups=labels, chunk_size=700,
                       processes=2)
        assert list(sim.group_present_value) == ["b", "a"]  # in order of first appearance
        for label in ("a", "b"):
            # by hand: the kept outcomes' columns added one at a time, in map order
            by_hand = np.zeros(TestReproducible.DRAWS)
            for j, chosen in enumerate(labels):
                if chosen == label:
                    by_hand += reference.outcome_present_value[:, j]
            assert np.array_equal(sim.group_present_value[label], by_hand)
        assert np.array_equal(sim.present_value, reference.present_value)  # grouping changes no draw

    def test_one_group_is_the_total(self, example, reference):
        sim = simulate(example, INVESTMENT, draws=TestReproducible.DRAWS, seed=42, groups=["all"] * len(example))
        assert np.array_equal(sim.group_present_value["all"], reference.present_value)

    def test_a_group_for_each_outcome_is_needed(self, example):
        with pytest.raises(ValueError, match="one per outcome"):
            simulate(example, INVESTMENT, draws=10, groups=["a"])


class TestManyMaps:
    """simulate_maps: a collection's maps at once, each drawn and totalled as simulate does alone."""

    DRAWS = 1500

    @staticmethod
    def partners(example):
        """Three maps cut from the example (the last with drop-off ranges, one of a single
        outcome), each with its own investment, streams and groups."""
        with_drop_off = example.iloc[5:].assign(drop_off=0.2, drop_off_low=0.0, drop_off_high=0.6,
                                                 drop_off_dist="triangular")
        return [("north", example.iloc[:4], 80_000.0), ("south", example.iloc[4:5], 5_000.0),
                ("east", with_drop_off, 40_000.0)]

    @pytest.mark.parametrize("conventions", [Conventions(), Conventions(dropoff_from=1, discount_from=0.5)])
    @pytest.mark.parametrize("segment", [1, 5, 1000])
    def test_each_maps_draws_are_its_own_simulation(self, example, conventions, segment, monkeypatch):
        monkeypatch.setattr(montecarlo, "SEGMENT_OUTCOMES", segment)  # results do not depend on segments
        found = [(pid, estimates(m), m, invest) for pid, m, invest in self.partners(example)]
        models = [ValueModel(f.central_map(), invest, conventions) for _, f, _, invest in found]
        groups = [m["theme"].to_numpy() for _, _, m, _ in found]
        many = simulate_maps(models, [f.table for _, f, _, _ in found], draws=self.DRAWS, seed=9,
                                        streams=[pid for pid, *_ in found], groups=groups, chunk_size=600)
        for (pid, f, m, invest), labels, drawn in zip(found, groups, many):
            alone = simulate(m, invest, conventions, draws=self.DRAWS, seed=9, streams=pid, groups=labels)
            assert np.array_equal(drawn.present_value, alone.present_value)
            assert list(drawn.group_present_value) == list(alone.group_present_value)
            for label, values in alone.group_present_value.items():
                assert np.array_equal(drawn.group_present_value[label], values)

    def test_maps_under_different_conventions_are_refused(self, example):
        found = estimates(example)
        models = [ValueModel(found.central_map(), 1e5, Conventions()),
                  ValueModel(found.central_map(), 1e5, Conventions(discount_from=0))]
        with pytest.raises(ValueError, match="one set of conventions"):
            simulate_maps(models, [found.table, found.table], draws=10)

    def test_a_table_must_hold_every_figure_of_its_map(self, example):
        found = estimates(example)
        with pytest.raises(ValueError, match="figures for"):
            simulate_maps([ValueModel(found.central_map(), 1e5)], [found.table.iloc[:-7]], draws=10)


class TestOneOutcomeAtATime:
    def test_a_large_map_is_valued_in_memory_proportional_to_its_tables_not_its_draws(self):
        """Only a block's worth of each working array is held: 2,000 outcomes x 5,000 draws
        (80 MB as one outcomes x draws array) in a few MB beyond the results."""
        n = 2000
        rng = np.random.default_rng(3)
        big = pd.DataFrame({"outcome_id": [f"O{i}" for i in range(n)], "quantity": rng.uniform(1, 9, n),
                            "proxy_value": 100.0, "deadweight": 0.2, "deadweight_low": 0.1, "deadweight_high": 0.3,
                            "displacement": 0.0, "attribution": 0.1, "leakage": 0.0, "drop_off": 0.1, "duration": 2,
                            "start_year": 1})
        found = estimates(big)
        tracemalloc.start()
        simulate(big, 1e6, draws=5000, seed=1, estimated=found)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 20e6
