"""A partner's own timing conventions (its Partner sheet) and a run's, which override them:
read from a real workbook, built, and valued as the partner report values it."""

from __future__ import annotations

import pytest

from svlib.pipeline.build import build
from svlib.reference.discounting import discount_factors
from svlib.reporting.partner_report import prepare
from svlib.uncertainty.estimates import estimates
from svlib.valuation.sroi import ValueModel
from tests.workbooks import write_partner


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    write_partner(raw / "own.xlsx", partner_id="own-rules", discount_schedule="green_book_reduced", discount_from=0)
    write_partner(raw / "plain.xlsx", base="youth-hub", partner_id="plain")
    folder = tmp_path_factory.mktemp("processed")
    assert build(raw, folder).ok
    return folder


def _pv_by_hand(report, factors) -> float:
    """Σ_i Σ_k I_i (1 − d_i)^(k − 1) DF(s_i + k − 1) at the report's central values."""
    model = ValueModel(estimates(report.impact_map, report.answers).central_map(), report.investment,
                       report.conventions)
    impact, _, _ = model.evaluate()
    total = 0.0
    for i in range(model.size):
        keep, start = 1 - model.central["drop_off"][i], int(model.start_year[i, 0])
        total += sum(impact[i, 0] * keep ** (k - 1) * factors[start + k - 2]
                     for k in range(1, int(model.duration[i, 0]) + 1))
    return total


def test_a_partners_own_schedule_and_convention_are_used(processed):
    report = prepare("own-rules", data_dir=processed, draws=200)
    assert (report.conventions.discount_schedule, report.conventions.discount_from) == ("green_book_reduced", 0)
    # the reduced schedule from year 0: year 1 undiscounted, year 2 at 1/1.03 (Green Book Annex A6)
    factors = [1.0, 1 / 1.03, 1 / 1.03**2, 1 / 1.03**3, 1 / 1.03**4, 1 / 1.03**5]
    assert report.valuation.present_value == pytest.approx(_pv_by_hand(report, factors))
    plain = prepare("plain", data_dir=processed, draws=200)
    assert (plain.conventions.discount_schedule, plain.conventions.discount_rate,
            plain.conventions.discount_from) == ("constant", 0.035, 1)  # nothing written: the SROI guide's


def test_a_runs_conventions_override_the_partners_own(processed):
    report = prepare("own-rules", data_dir=processed, draws=200, discount_schedule="constant", discount_rate=0.05,
                     discount_from=0.5)
    assert (report.conventions.discount_schedule, report.conventions.discount_from) == ("constant", 0.5)
    factors = list(discount_factors(6, 0.05, "constant", 0.5))
    assert factors[0] == pytest.approx(1 / 1.05**0.5)
    assert report.valuation.present_value == pytest.approx(_pv_by_hand(report, factors))
    table = prepare("own-rules", data_dir=processed, draws=200, discount_factors="[[1, 1.1], [2, 1.0], [3, 0.9]]")
    assert table.conventions.discount_schedule == "factors"
    assert table.valuation.present_value == pytest.approx(_pv_by_hand(table, [1.1, 1.0, 0.9]))


def test_a_runs_rate_replaces_the_partners_own_schedule(processed):
    # the partner names the reduced Green Book schedule; a run's --discount-rate is a constant rate for everyone
    report = prepare("own-rules", data_dir=processed, draws=200, discount_rate=0.1)
    assert (report.conventions.discount_schedule, report.conventions.discount_rate) == ("constant", 0.1)
    assert report.conventions.discount_from == 0  # the partner's own convention for year 1 still holds
