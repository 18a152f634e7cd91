"""svlib.uncertainty.distributions: shapes, exact moments, reading map rows and the tabulated inverse.

Hand formulas used below (Vose 2008, ch. 9):
PERT(a, c, b), lambda = 4: alpha = 1 + 4(c − a)/(b − a), beta = 1 + 4(b − c)/(b − a),
mean = (a + 4c + b)/6, variance = alpha beta (b − a)² / ((alpha + beta)² (alpha + beta + 1)).
Triangular(a, c, b): mean (a + b + c)/3, variance (a² + b² + c² − ab − ac − bc)/18.
Uniform(a, b): mean (a + b)/2, variance (b − a)²/12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from svlib import paths
from svlib.uncertainty.distributions import (
    DRAW_CELLS,
    TABLE_CELLS,
    ParameterDistribution,
    QuantileBatch,
    standard_tables,
)
from svlib.validate.impact_map import load_impact_map


def stratified(n: int) -> np.ndarray:
    """Midpoints of n equal-probability strata: a deterministic 'perfect' uniform sample."""
    return (np.arange(n) + 0.5) / n


class TestShapesAndMoments:
    def test_pert_shape_parameters_and_mean_by_hand(self):
        d = ParameterDistribution("pert", 0.0, 0.1, 0.5)
        # alpha = 1 + 4 × 0.1/0.5 = 1.8, beta = 1 + 4 × 0.4/0.5 = 4.2; mean = (0 + 0.4 + 0.5)/6 = 0.15
        assert d.shape_parameters() == pytest.approx((1.8, 4.2))
        assert d.mean() == pytest.approx(0.15)
        # variance = 1.8 × 4.2 × 0.25 / (36 × 7) = 0.0075
        assert d.variance() == pytest.approx(1.8 * 4.2 * 0.25 / (36 * 7))
        assert d.variance() == pytest.approx(stats.beta(1.8, 4.2, loc=0, scale=0.5).var())

    def test_symmetric_pert(self):
        d = ParameterDistribution("pert", 0.2, 0.3, 0.4)
        assert d.shape_parameters() == pytest.approx((3.0, 3.0))
        assert d.mean() == pytest.approx(0.3)

    def test_triangular_and_uniform_moments(self):
        t = ParameterDistribution("triangular", 1.0, 2.0, 4.0)
        assert t.mean() == pytest.approx(7 / 3)
        assert t.variance() == pytest.approx((1 + 16 + 4 - 4 - 2 - 8) / 18)
        u = ParameterDistribution("uniform", 0.2, 0.3, 0.4)
        assert u.mean() == pytest.approx(0.3)
        assert u.variance() == pytest.approx(0.04 / 12)

    def test_beta_from_mean_and_sd_by_method_of_moments(self):
        d = ParameterDistribution.beta_from_moments(0.3, 0.05)
        # nu = 0.3 × 0.7 / 0.0025 − 1 = 83; alpha = 24.9, beta = 58.1
        assert d.shape_parameters() == pytest.approx((24.9, 58.1))
        assert d.mean() == 0.3
        assert d.variance() == pytest.approx(0.0025)

    def test_zero_width_range_is_fixed(self):
        d = ParameterDistribution("pert", 0.3, 0.3, 0.3)
        assert d.kind == "fixed"
        assert d.sample(np.random.default_rng(0), 5).tolist() == [0.3] * 5

    @pytest.mark.parametrize("args", [("normal", 0, 1, 2), ("pert", 0.5, 0.4, 0.6), ("uniform", 0.0, np.nan, 1.0)])
    def test_invalid_distributions_are_refused(self, args):
        with pytest.raises(ValueError):
            ParameterDistribution(*args)

    def test_impossible_beta_is_refused(self):
        with pytest.raises(ValueError, match="no beta distribution"):
            ParameterDistribution.beta_from_moments(0.3, 0.5)  # sd² = 0.25 >= 0.3 × 0.7


class TestFromRow:
    def test_blank_shape_with_range_is_pert_and_no_range_is_fixed(self):
        row = {"deadweight": 0.3, "deadweight_low": 0.2, "deadweight_high": 0.4, "deadweight_dist": "",
               "attribution": 0.25, "attribution_low": np.nan, "attribution_high": np.nan, "attribution_dist": ""}
        assert ParameterDistribution.from_row(row, "deadweight") == ParameterDistribution(
            "pert", 0.2, 0.3, 0.4, evidence="range 0.2 to 0.4 (pert)")
        fixed = ParameterDistribution.from_row(row, "attribution")
        assert (fixed.kind, fixed.mode) == ("fixed", 0.25)

    def test_absent_leakage_is_fixed_at_zero(self):
        assert ParameterDistribution.from_row({"deadweight": 0.1}, "leakage").mode == 0.0

    def test_rows_of_the_shipped_example(self):
        example = load_impact_map(paths.EXAMPLE_IMPACT_MAP, price_year=2024).set_index("outcome_id")
        job1 = ParameterDistribution.from_row(example.loc["JOB1"], "deadweight")
        assert (job1.kind, job1.low, job1.mode, job1.high) == ("pert", 0.2, 0.3, 0.4)
        gro1_dw = ParameterDistribution.from_row(example.loc["GRO1"], "deadweight")
        gro1_at = ParameterDistribution.from_row(example.loc["GRO1"], "attribution")
        assert (gro1_dw.kind, gro1_at.kind) == ("triangular", "uniform")
        soc1_proxy = ParameterDistribution.from_row(example.loc["SOC1"], "proxy_value")
        # the proxy range is rebased with the same factor as the proxy itself
        factor = example.loc["SOC1", "rebase_factor"]
        assert soc1_proxy.low == pytest.approx(6231 * factor) and soc1_proxy.high == pytest.approx(9969 * factor)
        assert ParameterDistribution.from_row(example.loc["SOC1"], "quantity").kind == "fixed"


PERT_CASES = [(0.0, 0.0, 1.0), (0.0, 1.0, 1.0), (0.2, 0.3, 0.4), (0.0, 0.1, 0.5), (6231.0, 8311.0, 9969.0),
              (0.05, 0.1, 0.2), (10.0, 10.5, 40.0)]


class TestTabulatedInverse:
    @pytest.mark.parametrize("a, c, b", PERT_CASES)
    def test_pert_mean_is_exact_and_variance_close(self, a, c, b):
        d = ParameterDistribution("pert", a, c, b)
        draws = d.from_uniform(stratified(TABLE_CELLS * 64))
        width = b - a
        assert abs(draws.mean() - d.mean()) < 1e-6 * width
        assert draws.var() == pytest.approx(d.variance(), rel=5e-4)

    @pytest.mark.parametrize("a, c, b", PERT_CASES)
    def test_each_draw_lies_in_its_exact_quantile_cell(self, a, c, b):
        d = ParameterDistribution("pert", a, c, b)
        u = np.random.default_rng(3).random(20_000)
        x = d.from_uniform(u)
        cell = np.floor(u * TABLE_CELLS)
        lower = d.quantile(cell / TABLE_CELLS)
        upper = d.quantile((cell + 1) / TABLE_CELLS)
        slack = 1e-5 * (b - a)
        assert np.all(x >= lower - slack) and np.all(x <= upper + slack)
        # between the 1st and 99th percentiles the draw is within 0.03% of the range of the exact
        # quantile at the midpoint of its draw cell
        inner = (u > 0.01) & (u < 0.99)
        midpoint = (np.floor(u * DRAW_CELLS) + 0.5) / DRAW_CELLS
        assert np.max(np.abs(x - d.quantile(midpoint))[inner]) < 3e-4 * (b - a)

    def test_a_draw_is_the_value_of_its_cell(self):
        # 4,096 equally likely values: uniforms in the same cell give the same draw
        d = ParameterDistribution("pert", 0.0, 0.1, 0.5)
        k = np.arange(0, DRAW_CELLS, 97)
        starts, ends = k / DRAW_CELLS, np.nextafter((k + 1) / DRAW_CELLS, 0.0)
        assert np.array_equal(d.from_uniform(starts), d.from_uniform(ends))
        assert np.all(np.diff(d.from_uniform(starts)) > 0)
        assert len(np.unique(d.from_uniform(stratified(DRAW_CELLS * 4)))) == DRAW_CELLS

    def test_median_quartiles_match_scipy(self):
        d = ParameterDistribution("pert", 0.0, 0.1, 0.5)
        reference = stats.beta(1.8, 4.2, loc=0.0, scale=0.5)
        x = d.from_uniform(np.array([0.25, 0.5, 0.75]))
        assert x == pytest.approx(reference.ppf([0.25, 0.5, 0.75]), abs=1e-4)

    @pytest.mark.parametrize("mean, sd", [(0.3, 0.05), (0.3, 0.38), (0.9, 0.05), (0.02, 0.01)])
    def test_beta_tables_mean_and_sd(self, mean, sd):
        d = ParameterDistribution.beta_from_moments(mean, sd)
        draws = d.from_uniform(stratified(TABLE_CELLS * 64))
        assert draws.mean() == pytest.approx(mean, abs=1e-7)
        assert draws.std() == pytest.approx(sd, rel=1e-3)

    def test_draws_rise_with_the_uniform(self):
        d = ParameterDistribution("pert", 0.0, 0.1, 0.5)
        x = d.from_uniform(np.linspace(0, 1, 10_001))
        assert np.all(np.diff(x) >= 0)
        assert x[0] >= 0.0 and x[-1] <= 0.5

    def test_uniform_and_triangular_use_closed_forms_at_cell_midpoints(self):
        u = np.random.default_rng(1).random(1000)
        midpoint = (np.floor(u * DRAW_CELLS) + 0.5) / DRAW_CELLS
        uni = ParameterDistribution("uniform", 0.2, 0.3, 0.4)
        assert np.array_equal(uni.from_uniform(u), midpoint * (0.4 - 0.2) + 0.2)
        tri = ParameterDistribution("triangular", 1.0, 2.0, 4.0)
        assert tri.from_uniform(u) == pytest.approx(stats.triang(1 / 3, loc=1.0, scale=3.0).ppf(midpoint), rel=1e-12)

    def test_uniform_grid_has_the_exact_mean_and_nearly_the_variance(self):
        # midpoints of 4,096 equal cells of U(0.2, 0.4): mean 0.3 exactly; variance
        # (0.2²/12)(1 − 1/4096²) (a discrete uniform grid loses the within-cell variance)
        x = ParameterDistribution("uniform", 0.2, 0.3, 0.4).from_uniform(stratified(DRAW_CELLS))
        assert x.mean() == pytest.approx(0.3, abs=1e-15)
        assert x.var() == pytest.approx(0.04 / 12 * (1 - 1 / DRAW_CELLS**2), rel=1e-9)

    def test_sample_is_the_inverse_of_rng_random(self):
        d = ParameterDistribution("pert", 0.2, 0.3, 0.4)
        assert np.array_equal(d.sample(np.random.default_rng(5), 100), d.from_uniform(np.random.default_rng(5).random(100)))

    def test_batch_of_mixed_shapes_matches_one_by_one(self):
        dists = [ParameterDistribution("pert", 0.2, 0.3, 0.4), ParameterDistribution.fixed(0.5),
                 ParameterDistribution("uniform", 0.0, 0.1, 0.2), ParameterDistribution("triangular", 1, 2, 4),
                 ParameterDistribution("pert", 0.0, 0.0, 1.0)]
        u = np.random.default_rng(2).random((len(dists), 500))
        batch = QuantileBatch(dists).apply(u.copy())
        for r, d in enumerate(dists):
            assert np.array_equal(batch[r], d.from_uniform(u[r]))

    def test_a_table_does_not_depend_on_the_other_shapes_in_its_batch(self):
        rng = np.random.default_rng(0)
        alphas = rng.uniform(1, 5, 60)
        shapes = [(a, 6 - a) for a in alphas]
        order = rng.permutation(len(shapes))
        together = standard_tables(shapes, exact=False)
        shuffled = standard_tables([shapes[i] for i in order], exact=False)
        assert np.array_equal(together[0][order], shuffled[0]) and np.array_equal(together[1][order], shuffled[1])
        alone = standard_tables([shapes[7]], exact=False)
        assert np.array_equal(alone[0][0], together[0][7])

    def test_kept_tables_are_read_only_copies(self):
        from svlib.uncertainty.distributions import _TABLES

        shapes = [(1.5 + i / 1000, 4.5 - i / 1000) for i in range(3)]
        intercept, slope = standard_tables(shapes, exact=False)
        intercept[:] = 0.0  # the caller's copy: the kept tables are untouched
        kept = _TABLES[(shapes[1][0], shapes[1][1], False)]
        assert np.array_equal(standard_tables([shapes[1]], exact=False)[0][0], kept[0])
        assert kept[0].base is None and not kept[0].flags.writeable

    def test_describe_in_plain_words(self):
        assert ParameterDistribution("pert", 0.2, 0.3, 0.4).describe() == "PERT from 0.2 to 0.4, most likely 0.3"

    def test_reads_a_pandas_row(self):
        row = pd.Series({"quantity": 10.0, "quantity_low": 8.0, "quantity_high": 12.0, "quantity_dist": "uniform"})
        assert ParameterDistribution.from_row(row, "quantity").kind == "uniform"
