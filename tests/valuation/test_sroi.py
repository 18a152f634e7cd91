"""svlib.valuation.sroi against hand-worked examples (Cabinet Office 2012 SROI guide formulas).

One outcome used throughout: quantity 10, proxy £1,000, deadweight 20%, displacement 10%,
attribution 25%, no leakage, drop-off 50%, duration 3, discount 3.5%.
Year-1 impact I = 10 × 1000 × 0.8 × 0.9 × 0.75 = £5,400.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svlib.reference.discounting import discount_factors
from svlib.valuation.sroi import Conventions, value_map
from tests.conftest import single_outcome

I = 10 * 1000 * 0.8 * 0.9 * 0.75  # 5400


def single(**overrides) -> pd.DataFrame:
    return single_outcome(**overrides)


class TestHandWorkedConventions:
    def test_year_one_impact(self):
        result = value_map(single(), 1000.0)
        assert result.by_outcome.loc[0, "impact_year1"] == pytest.approx(5400.0)

    def test_drop_off_from_year_2_discounted_from_year_1(self):
        # 5400/1.035 + 2700/1.035^2 + 1350/1.035^3
        expected = 5400 / 1.035 + 2700 / 1.035**2 + 1350 / 1.035**3
        assert expected == pytest.approx(8955.492848, abs=1e-6)
        result = value_map(single(), 1000.0)
        assert result.present_value == pytest.approx(expected, rel=1e-12)
        assert result.sroi_ratio == pytest.approx(expected / 1000.0, rel=1e-12)
        assert result.net_sroi_ratio == pytest.approx((expected - 1000.0) / 1000.0, rel=1e-12)
        assert result.npv == pytest.approx(expected - 1000.0, rel=1e-12)
        assert list(result.by_year["impact"]) == pytest.approx([5400, 2700, 1350])

    def test_drop_off_from_year_1(self):
        # 2700/1.035 + 1350/1.035^2 + 675/1.035^3
        expected = 2700 / 1.035 + 1350 / 1.035**2 + 675 / 1.035**3
        result = value_map(single(), 1000.0, Conventions(dropoff_from=1))
        assert result.present_value == pytest.approx(expected, rel=1e-12)
        assert result.present_value == pytest.approx(4477.746424, abs=1e-6)

    def test_year_one_undiscounted(self):
        # 5400 + 2700/1.035 + 1350/1.035^2
        expected = 5400 + 2700 / 1.035 + 1350 / 1.035**2
        result = value_map(single(), 1000.0, Conventions(discount_from=0))
        assert result.present_value == pytest.approx(expected, rel=1e-12)
        assert result.by_year.loc[0, "discount_factor"] == 1.0

    def test_start_year_above_one(self):
        # occupies years 3, 4, 5: 5400/1.035^3 + 2700/1.035^4 + 1350/1.035^5
        expected = 5400 / 1.035**3 + 2700 / 1.035**4 + 1350 / 1.035**5
        result = value_map(single(start_year=3), 1000.0)
        assert result.present_value == pytest.approx(expected, rel=1e-12)
        assert list(result.by_year["impact"]) == pytest.approx([0, 0, 5400, 2700, 1350])
        # nothing happens in year 1, so payback is never reached in year 1
        assert result.payback_months == np.inf

    def test_payback_months(self):
        # investment £1,000 / (year-1 impact £5,400 / 12) = 2.2222 months
        result = value_map(single(), 1000.0)
        assert result.payback_months == pytest.approx(1000 / (5400 / 12))

    def test_payback_too_far_to_count_is_never_and_says_nothing(self):
        # £1,000 against a year-1 impact of 1e-310 (a subnormal): 1,000 × 12 / 1e-310 overflows
        # a float; it never pays back, and no warning reaches a page or a test
        import warnings

        from svlib.valuation.sroi import payback_months

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert payback_months(1000.0, np.array([1e-310, 5400.0])).tolist() == [np.inf, 1000 / (5400 / 12)]

    def test_green_book_35_years_across_year_30(self):
        # £1,000 a year for 35 years, no deflators or drop-off. Green Book: 3.5% to year 30,
        # then 3.0%: DF(30) = 1/1.035^30 = 0.356278; DF(31) = DF(30)/1.03 = 0.345901;
        # DF(35) = DF(30)/1.03^5 = 0.307329.
        df30 = 1 / 1.035**30
        assert df30 == pytest.approx(0.3562784106, abs=1e-10)
        hand = [1 / 1.035**t for t in range(1, 31)] + [df30 / 1.03**k for k in range(1, 6)]
        factors = discount_factors(35, schedule="green_book")
        assert factors[29] == pytest.approx(0.3562784106, rel=1e-9)
        assert factors[30] == pytest.approx(0.3459013695, rel=1e-9)
        assert factors[34] == pytest.approx(0.3073288867, rel=1e-9)
        assert factors == pytest.approx(hand, rel=1e-12)
        flat = single(quantity=1.0, deadweight=0, displacement=0, attribution=0, drop_off=0, duration=35)
        result = value_map(flat, 1000.0, Conventions(discount_schedule="green_book"))
        assert result.present_value == pytest.approx(1000 * sum(hand), rel=1e-12)
        assert result.present_value == pytest.approx(20023.696209, abs=1e-5)
        # the constant 3.5% gives less: 20000.661095
        constant = value_map(flat, 1000.0)
        assert constant.present_value == pytest.approx(20000.661095, abs=1e-5)

    def test_tables_are_complete_and_add_up(self):
        two = pd.concat([single(), single(outcome_id="B1", theme="Social", stakeholder="Carers")], ignore_index=True)
        result = value_map(two, 2000.0)
        assert result.by_outcome["present_value"].sum() == pytest.approx(result.present_value)
        assert result.by_year["present_value"].sum() == pytest.approx(result.present_value)
        assert list(result.by_theme["theme"]) == ["Jobs", "Growth", "Social", "Environment", "Innovation"]
        assert result.by_theme["present_value"].sum() == pytest.approx(result.present_value)
        assert result.by_stakeholder.set_index("stakeholder")["share_of_value"].to_dict() == pytest.approx(
            {"Carers": 0.5, "Young people": 0.5})
        assert result.to_dict()["conventions"]["discount_rate"] == 0.035

    def test_theme_totals_keep_every_pound(self):
        # a theme written in lower case is matched; a group outside the five themes is kept
        two = pd.concat([single(theme="jobs"), single(outcome_id="B1", theme="Sport")], ignore_index=True)
        result = value_map(two, 1000.0)
        by_theme = result.by_theme.set_index("theme")["present_value"]
        assert by_theme["Jobs"] == pytest.approx(result.present_value / 2)
        assert by_theme["Sport"] == pytest.approx(result.present_value / 2)
        assert result.by_theme["share_of_value"].sum() == pytest.approx(1.0)

    def test_investment_must_be_positive(self):
        with pytest.raises(ValueError, match="positive"):
            value_map(single(), 0.0)


fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
money = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(base=fraction, step=st.floats(min_value=0.0, max_value=0.5), which=st.sampled_from(
        ["deadweight", "displacement", "attribution", "leakage", "drop_off"]), other=fraction)
    def test_ratio_never_rises_when_a_deflator_rises(self, base, step, which, other):
        higher = min(1.0, base + step)
        background = {"attribution": other} if which != "attribution" else {}
        low = value_map(single(**{**background, which: base}), 1000.0)
        high = value_map(single(**{**background, which: higher}), 1000.0)
        assert high.sroi_ratio <= low.sroi_ratio * (1 + 1e-12) + 1e-12

    @settings(max_examples=60, deadline=None)
    @given(quantity=money, proxy=money, scale=st.floats(min_value=0.01, max_value=100))
    def test_linear_in_quantity_and_proxy(self, quantity, proxy, scale):
        base = value_map(single(quantity=quantity, proxy_value=proxy), 1000.0).sroi_ratio
        assert value_map(single(quantity=quantity * scale, proxy_value=proxy), 1000.0).sroi_ratio == pytest.approx(
            base * scale, rel=1e-9)
        assert value_map(single(quantity=quantity, proxy_value=proxy * scale), 1000.0).sroi_ratio == pytest.approx(
            base * scale, rel=1e-9)

    @settings(max_examples=60, deadline=None)
    @given(rows=st.lists(st.tuples(money, money, st.integers(1, 12)), min_size=1, max_size=8), investment=money)
    def test_zero_deflators_and_zero_rate_is_plain_sum(self, rows, investment):
        frame = pd.DataFrame([
            dict(outcome_id=f"O{i}", stakeholder="s", outcome="o", theme="Social", quantity=q, proxy_value=p,
                 deadweight=0.0, displacement=0.0, attribution=0.0, leakage=0.0, drop_off=0.0, duration=d)
            for i, (q, p, d) in enumerate(rows)
        ])
        expected = sum(q * p * d for q, p, d in rows) / investment
        result = value_map(frame, investment, Conventions(discount_rate=0.0))
        assert result.sroi_ratio == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("dropoff_from", [1, 2])
@pytest.mark.parametrize("schedule", ["constant", "green_book"])
def test_present_value_factor_as_a_polynomial_in_keep(dropoff_from, schedule):
    # Σ_m c_m (1 − d)^m must equal the year-by-year sum of present_value_factor for any drop-off
    from svlib.reference.discounting import discount_factors
    from svlib.valuation.sroi import present_value_factor, present_value_factor_coefficients

    duration = np.array([1, 3, 5, 2])[:, None]
    start = np.array([1, 1, 2, 4])[:, None]
    factors = discount_factors(6, 0.035, schedule, 1)
    drop_off = np.random.default_rng(0).random((4, 50))
    coefficients = present_value_factor_coefficients(duration, start, factors, dropoff_from)
    by_polynomial = np.array([np.polynomial.polynomial.polyval(1 - d, c) for d, c in zip(drop_off, coefficients)])
    assert by_polynomial == pytest.approx(present_value_factor(drop_off, duration, start, factors, dropoff_from),
                                          rel=1e-13)
