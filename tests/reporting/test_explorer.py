"""The scenario explorer driven from Python as a person would: move sliders, override an
outcome, press the button; the results follow and the saved scenario is what was shown."""

from __future__ import annotations

import pytest

from svlib.reporting.explorer import ScenarioExplorer
from svlib.uncertainty.scenarios import Scenario, evaluate, load


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    return ScenarioExplorer(partner_id="food-network", draws=2000, seed=3,
                            save_dir=tmp_path_factory.mktemp("scenarios"))


def test_starts_at_the_partners_own_figures(explorer):
    assert explorer.factors == {} and explorer.outcome_overrides == {}
    base = explorer.report.valuation.sroi_ratio
    assert explorer.result.valuation.sroi_ratio == pytest.approx(base, rel=1e-12)
    assert f"£{base:,.2f} : £1" in explorer.headline.value


def test_moving_sliders_and_overriding_an_outcome_updates_the_results(explorer):
    before = explorer.result.valuation.sroi_ratio
    explorer.sliders["deadweight"].value = 0.5
    assert explorer.factors == {"deadweight": 0.5}
    after_slider = explorer.result.valuation.sroi_ratio
    assert after_slider < before
    explorer.outcome.value = "FN1"
    explorer.parameter.value = "quantity"
    explorer.value.value = 10.0
    explorer.add_override.click()
    assert explorer.outcome_overrides == {"FN1": {"quantity": 10.0}}
    assert explorer.result.valuation.sroi_ratio < after_slider
    explorer.rate.value = 0.06
    # the shown result is exactly the scenario API's answer for the same scenario
    r = explorer.report
    expected = evaluate(explorer.scenario(), r.impact_map, r.investment, r.conventions, r.survey, draws=2000, seed=3,
                        streams=r.partner["partner_id"])  # the partner's own streams, as in its report
    assert explorer.result.summary() == expected.summary()
    assert f"£{expected.valuation.sroi_ratio:,.2f} : £1" in explorer.headline.value
    assert "Switching values" in explorer.switching.value


def test_a_bad_override_is_refused_with_a_message(explorer):
    explorer.parameter.value = "attribution"
    explorer.value.value = 3.0
    explorer.add_override.click()
    assert "attribution" not in explorer.outcome_overrides.get(explorer.outcome.value, {})
    assert "between 0 and 1" in explorer.status.value


def test_the_button_saves_the_scenario_shown(explorer):
    explorer.name.value = "Workshop: cautious"
    explorer.save.click()
    saved = load(explorer.saved)
    assert saved == explorer.scenario()
    assert saved.factors == {"deadweight": 0.5} and saved.outcomes == {"FN1": {"quantity": 10.0}}
    assert saved.discount_rate == 0.06
    assert explorer.saved.name == "food-network-workshop-cautious.json"
    assert "svlib reports --partners food-network --scenario" in explorer.status.value
    assert isinstance(saved, Scenario)


def test_back_to_the_partners_figures(explorer):
    explorer.reset.click()
    assert explorer.factors == {} and explorer.outcome_overrides == {}
    assert explorer.result.valuation.sroi_ratio == pytest.approx(explorer.report.valuation.sroi_ratio)


def test_the_discounting_rule_and_the_year_convention_are_part_of_the_scenario(explorer):
    explorer.reset.click()
    before = explorer.result.valuation.present_value
    explorer.year_one.value = 0.5  # mid-year: every year discounted half a year less, so more present value
    assert explorer.scenario().discount_from == 0.5
    assert explorer.result.valuation.present_value > before
    mid_year = explorer.result.valuation.present_value
    explorer.schedule.value = "green_book_health"  # 1.5%: less discounting still
    scenario = explorer.scenario()
    assert (scenario.discount_schedule, scenario.discount_from) == ("green_book_health", 0.5)
    assert explorer.result.valuation.present_value > mid_year
    assert explorer.result.valuation.conventions.discount_schedule == "green_book_health"
    explorer.reset.click()
    assert explorer.scenario().discount_schedule is None and explorer.result.valuation.present_value == before


@pytest.fixture
def fresh(tmp_path):
    return ScenarioExplorer(partner_id="food-network", draws=200, seed=3, save_dir=tmp_path)


def test_overriding_with_no_outcome_chosen_says_so_and_breaks_nothing(fresh):
    # the outcome list starts with nothing chosen; the button's callback used to raise inside
    # ipywidgets (a traceback in the log) and leave an override for outcome None behind
    assert fresh.outcome.value is None
    shown = fresh.result
    fresh.parameter.value, fresh.value.value = "quantity", 10.0
    fresh._override()  # as the button calls it, so an exception would fail the test
    assert "Choose an outcome" in fresh.status.value
    assert fresh.outcome_overrides == {} and fresh.result is shown
    fresh.outcome.value = "FN1"  # the explorer still works
    fresh.add_override.click()
    assert fresh.outcome_overrides == {"FN1": {"quantity": 10.0}} and fresh.status.value == ""
    assert fresh.result.valuation.sroi_ratio < shown.valuation.sroi_ratio


def test_a_value_the_scenario_refuses_is_said_and_undone(fresh):
    fresh.outcome.value, fresh.parameter.value, fresh.value.value = "FN1", "quantity", -5.0
    shown = fresh.result
    fresh._override()
    assert "Not applied" in fresh.status.value and "expected 0 or more" in fresh.status.value
    assert fresh.outcome_overrides == {} and fresh.result is shown
    fresh.sliders["deadweight"].value = 0.5  # every other control still values the scenario
    assert fresh.scenario().outcomes == {} and fresh.result.valuation.sroi_ratio < shown.valuation.sroi_ratio


def test_labels_and_buttons_are_as_wide_as_their_words(fresh):
    described = [fresh.partner, *fresh.sliders.values(), fresh.rate, fresh.schedule, fresh.year_one, fresh.outcome,
                 fresh.parameter, fresh.value, fresh.name]
    assert all(w.style.description_width == "initial" for w in described)
    assert all(b.layout.width == "auto" for b in (fresh.add_override, fresh.reset, fresh.save))
