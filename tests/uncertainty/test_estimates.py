"""svlib.uncertainty.estimates: the rule of evidence, worked by hand, and the promise it
makes: the headline is the map at the central values, each central value is the mean of
the simulation's draws of it, and so the headline lies inside its own likely range.

Worked examples (one outcome, ``single_outcome``: quantity 10, proxy £1,000, deadweight 20%,
displacement 10%, attribution 25%, drop-off 50%, 3 years)::

    survey of 10 answers, five "25%" and five "50%"  -> survey mean 0.375 (level survey)
    the same with only 4 answers                      -> fewer than 5: the written 25% (level figure)
    attribution range 0.2 to 0.5, most likely 0.25    -> PERT mean (0.2 + 4 × 0.25 + 0.5) / 6 = 0.2833…
    no figure, a benchmark prior of 40%               -> 0.4 (level benchmark)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svlib.uncertainty.deflators import Prior
from svlib.uncertainty.distributions import QuantileBatch
from svlib.uncertainty.estimates import ENOUGH_ANSWERS, central_valuation, estimates
from svlib.uncertainty.montecarlo import simulate
from svlib.valuation.sroi import value_map
from tests.conftest import single_outcome


def answers(n: int, factor: str = "attribution", outcome: str = "A1", values=("25%", "50%")) -> pd.DataFrame:
    """``n`` survey answers alternating between ``values``."""
    return pd.DataFrame({"respondent_ref": [f"r{i}" for i in range(n)], "outcome_id": outcome, "factor": factor,
                         "answer": [values[i % len(values)] for i in range(n)]})


def row(found, parameter: str, outcome: str = "A1") -> pd.Series:
    table = found.table
    return table[(table["outcome_id"] == outcome) & (table["parameter"] == parameter)].iloc[0]


class TestTheRule:
    def test_a_survey_with_enough_answers_is_used(self):
        found = estimates(single_outcome(), answers(10))
        used = row(found, "attribution")
        assert used["level"] == "survey" and used["n_answers"] == 10
        assert used["central"] == pytest.approx(0.375, abs=1e-15) and used["written"] == 0.25
        assert "10 survey answers" in used["note"]
        assert found.central_map()["attribution"].iloc[0] == pytest.approx(0.375, abs=1e-15)

    def test_a_survey_with_few_answers_is_shown_but_not_used(self):
        assert ENOUGH_ANSWERS == 5
        found = estimates(single_outcome(), answers(4))
        used = row(found, "attribution")
        assert used["level"] == "figure" and used["kind"] == "fixed" and used["central"] == 0.25
        assert used["n_answers"] == 4 and used["survey_mean"] == pytest.approx(0.375)
        assert "indicative and not used" in used["note"]

    def test_few_answers_fall_back_to_a_typed_range(self):
        m = single_outcome(attribution_low=0.2, attribution_high=0.5)
        used = row(estimates(m, answers(4)), "attribution")
        assert used["level"] == "range" and used["kind"] == "pert"
        assert used["central"] == pytest.approx((0.2 + 4 * 0.25 + 0.5) / 6, abs=1e-15)
        assert used["most_likely"] == 0.25

    def test_a_survey_outranks_a_typed_range(self):
        m = single_outcome(attribution_low=0.2, attribution_high=0.5)
        assert row(estimates(m, answers(5)), "attribution")["level"] == "survey"

    @pytest.mark.parametrize("shape, mean", [("uniform", (0.2 + 0.5) / 2), ("triangular", (0.2 + 0.25 + 0.5) / 3),
                                             ("pert", (0.2 + 4 * 0.25 + 0.5) / 6)])
    def test_a_ranges_central_value_is_its_mean(self, shape, mean):
        m = single_outcome(attribution_low=0.2, attribution_high=0.5, attribution_dist=shape)
        assert row(estimates(m), "attribution")["central"] == pytest.approx(mean, abs=1e-15)

    def test_a_benchmark_only_where_no_figure_was_written(self):
        m = single_outcome(attribution=np.nan)
        prior = {("A1", "attribution"): Prior(0.4, 1.0, "benchmark", "an example study")}
        used = row(estimates(m, priors=prior), "attribution")
        assert used["level"] == "benchmark" and used["central"] == 0.4 and "an example study" in used["evidence"]
        # a written figure comes before a benchmark
        assert row(estimates(single_outcome(), priors=prior), "attribution")["level"] == "figure"

    def test_no_figure_and_nothing_else_is_refused_not_guessed(self):
        with pytest.raises(ValueError, match="A1: attribution has no figure, no range and no survey"):
            estimates(single_outcome(attribution=np.nan))

    def test_the_headline_is_the_map_at_the_central_values(self):
        m = single_outcome(attribution_low=0.2, attribution_high=0.5)
        by_hand = single_outcome(attribution=(0.2 + 4 * 0.25 + 0.5) / 6)
        assert central_valuation(m, 1000.0).sroi_ratio == value_map(by_hand, 1000.0).sroi_ratio

    def test_differences_list_what_moved_and_why(self):
        m = single_outcome(quantity_low=8.0, quantity_high=11.0)
        moved = estimates(m, answers(10)).differences()
        assert list(zip(moved["outcome_id"], moved["parameter"])) == [("A1", "quantity"), ("A1", "attribution")]
        assert moved["central"].iloc[0] == pytest.approx((8 + 40 + 11) / 6)


class TestCentredSimulation:
    def test_the_mean_of_each_parameters_draws_is_its_central_value(self, example):
        found = estimates(example, answers(12, "deadweight", "JOB1"))
        uncertain = found.uncertain
        assert len(uncertain) > 5
        values = QuantileBatch(list(uncertain["distribution"])).values  # the 4,096 values the draws pick from
        width = (uncertain["high"] - uncertain["low"]).to_numpy(float)
        assert np.all(np.abs(values.mean(axis=1) - uncertain["central"].to_numpy(float)) <= 1e-6 * width)

    def test_with_nothing_varying_the_simulation_is_the_headline(self):
        m = single_outcome()
        sim = simulate(m, 1000.0, draws=3)
        assert np.all(sim.ratio == central_valuation(m, 1000.0).sroi_ratio)


FRACTION = st.floats(0.0, 0.95)


@st.composite
def maps_and_surveys(draw):
    """A map of 1-4 outcomes, some figures with typed ranges (any shape), and survey answers
    for some deflators (3 to 15 answers, so some are too few to use)."""
    rows, survey = [], []
    for i in range(draw(st.integers(1, 4))):
        oid = f"O{i}"
        r = dict(outcome_id=oid, stakeholder="people", outcome="change", theme="Social",
                 quantity=float(draw(st.integers(5, 200))), proxy_value=draw(st.floats(10.0, 5000.0)),
                 duration=draw(st.integers(1, 5)), start_year=1, leakage=0.0)
        for p in ("deadweight", "displacement", "attribution", "drop_off"):
            r[p] = draw(FRACTION)
        for p in ("quantity", "proxy_value", "deadweight", "attribution", "drop_off"):
            if draw(st.booleans()):
                centre = r[p]
                low = centre * draw(st.floats(0.3, 1.0))
                high = centre + (centre if p in ("quantity", "proxy_value") else 1.0 - centre) * draw(
                    st.floats(0.0, 0.8))
                r[f"{p}_low"], r[f"{p}_high"] = low, high
                r[f"{p}_dist"] = draw(st.sampled_from(["pert", "triangular", "uniform"]))
        rows.append(r)
        for factor in ("deadweight", "attribution", "drop_off"):
            if draw(st.booleans()):
                n = draw(st.integers(3, 15))
                picks = draw(st.lists(st.sampled_from(["0%", "25%", "50%", "75%", "100%"]), min_size=n, max_size=n))
                survey += [(f"r{k}", oid, factor, a) for k, a in enumerate(picks)]
    return pd.DataFrame(rows), pd.DataFrame(survey, columns=["respondent_ref", "outcome_id", "factor", "answer"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps_and_surveys(), st.floats(1000.0, 1e6))
def test_the_headline_lies_inside_its_likely_range(case, investment):
    impact_map, survey = case
    survey = survey if len(survey) else None
    headline = central_valuation(impact_map, investment, survey=survey).sroi_ratio
    summary = simulate(impact_map, investment, draws=4000, seed=1, survey=survey).summary()["sroi_ratio"]
    # exactly at the edge only when nothing varies (p5 = p95 = headline)
    assert summary["p5"] - 1e-9 * abs(headline) <= headline <= summary["p95"] + 1e-9 * abs(headline)
    assert math.isfinite(headline)


def test_the_central_map_is_built_once_and_a_changed_copy_leaves_it_whole():
    from dataclasses import replace

    found = estimates(single_outcome(quantity=10.0, proxy_value=100.0, deadweight=0.2, deadweight_low=0.1,
                                     deadweight_high=0.3))
    first = found.central_map()
    first["quantity"] = 999.0  # a caller changing its copy
    again = found.central_map()
    assert again["quantity"].tolist() == [10.0] and again["deadweight"].tolist() == pytest.approx([0.2])
    other = replace(found, table=found.table.assign(central=found.table["central"] * 2))
    assert other.central_map()["quantity"].tolist() == [20.0]  # a replaced table is not served the old map


# --- the column-wise table is the rule read cell by cell ---------------------------------

def _rule_for_one_cell(row, parameter, answers, prior):
    """``(level, distribution, note)`` for one figure of one outcome: the rule of evidence
    (module notes of svlib.uncertainty.estimates) read one cell at a time, as a person
    would, independent of the column-wise code."""
    from svlib.contract.cells import is_blank
    from svlib.uncertainty.distributions import ParameterDistribution

    if answers is not None and answers["n_answers"] >= ENOUGH_ANSWERS:
        dist = answers["distribution"]
        if dist.kind == "fixed":
            return answers["prior_label"], dist, f"the stated {answers['prior_label']} is given full weight over the survey"
        return "survey", dist, (f"the mean of {answers['n_answers']} survey answers is used: answers from people "
                                "who know the outcome are stronger evidence than one written figure")
    few = "" if answers is None else f"; the survey's answers (fewer than {ENOUGH_ANSWERS}) are shown as indicative and not used"
    written = row.get(parameter)
    if is_blank(written) and parameter != "leakage":
        if prior is None:
            raise ValueError(f"outcome {row['outcome_id']}: {parameter} has no figure, no range and no survey; "
                             "give a figure (nothing is guessed)")
        evidence = f"{prior.label} {prior.value:.1%}" + (f" ({prior.source})" if prior.source else "")
        return prior.label, ParameterDistribution.fixed(prior.value, evidence=evidence), (
            f"no figure was given, so the {prior.label} is used")
    dist = ParameterDistribution.from_row(row, parameter)
    ranged = not is_blank(row.get(f"{parameter}_low")) and not is_blank(row.get(f"{parameter}_high"))
    if ranged and dist.kind != "fixed":
        likely = "" if dist.kind == "uniform" else f"most likely {dist.mode:g}, "
        return "range", dist, (f"the mean of the range given is used ({likely}from {dist.low:g} to {dist.high:g}), "
                               "so the headline is the expected value of the estimate" + few)
    return "figure", dist, few.lstrip("; ")


def _table_cell_by_cell(impact_map, survey, priors):
    """The estimates table built one cell at a time from :func:`_rule_for_one_cell`."""
    from svlib.contract.cells import is_blank
    from svlib.contract.tables import PARAMETERS
    from svlib.core.frames import records
    from svlib.uncertainty.deflators import survey_distributions
    from svlib.uncertainty.estimates import COLUMNS

    found = {}
    if survey is not None and len(survey):
        known = {str(v) for v in impact_map["outcome_id"]}
        found = {(str(r["outcome_id"]), r["factor"]): r for r in records(survey_distributions(survey, priors))
                 if str(r["outcome_id"]) in known}
    rows = []
    for row in records(impact_map):
        oid = str(row["outcome_id"])
        for p in PARAMETERS:
            answers = found.get((oid, p))
            level, dist, note = _rule_for_one_cell(row, p, answers, (priors or {}).get((oid, p)))
            written = row.get(p)
            p5, p95 = (float(v) for v in dist.quantile(np.array([0.05, 0.95])))
            rows.append({"outcome_id": oid, "parameter": p, "level": level,
                         "written": float(written) if not is_blank(written) else (0.0 if p == "leakage" else math.nan),
                         "central": float(dist.mean()), "p5": p5, "p95": p95, "kind": dist.kind, "low": dist.low,
                         "most_likely": dist.mode, "high": dist.high, "description": dist.describe(),
                         "evidence": dist.evidence, "n_answers": int(answers["n_answers"]) if answers else 0,
                         "survey_mean": float(answers["mean"]) if answers else math.nan, "note": note,
                         "distribution": dist})
    return pd.DataFrame.from_records(rows, columns=list(COLUMNS))


@st.composite
def maps_surveys_and_priors(draw):
    """Maps with every kind of evidence a cell can have: figures, blank figures (with and
    without a stated prior), typed ranges of each shape (and zero-width, shape "fixed",
    one end only), a blank or missing leakage, survey answers (too few and enough) and
    priors blended with them, sometimes a figure that is refused."""
    rows, survey, priors = [], [], {}
    for i in range(draw(st.integers(1, 5))):
        oid = f"O{i}"
        r = dict(outcome_id=oid, stakeholder="people", outcome="change", theme="Social",
                 quantity=float(draw(st.integers(1, 200))), proxy_value=draw(st.floats(-500.0, 5000.0)),
                 duration=draw(st.integers(1, 5)), start_year=1)
        if draw(st.booleans()):
            r["leakage"] = draw(st.sampled_from([0.0, 0.1, math.nan]))
        for p in ("deadweight", "displacement", "attribution", "drop_off"):
            r[p] = draw(st.sampled_from([0.0, 0.25, 0.5, draw(FRACTION)]))
            if draw(st.integers(0, 6)) == 0:
                r[p] = math.nan  # no figure: a prior, a survey, or refused
                if draw(st.booleans()):
                    priors[(oid, p)] = Prior(draw(FRACTION), 1.0, draw(st.sampled_from(["benchmark", "judgement"])),
                                             draw(st.sampled_from(["", "a study"])))
        for p in ("quantity", "proxy_value", "deadweight", "displacement", "attribution", "drop_off", "leakage"):
            choice = draw(st.integers(0, 5))
            centre = r.get(p, 0.0)
            if choice == 0 or (isinstance(centre, float) and math.isnan(centre)):
                continue
            low = centre - abs(centre) * draw(st.floats(0.0, 0.5))
            high = centre + abs(centre) * draw(st.floats(0.0, 0.5)) + draw(st.sampled_from([0.0, 0.1]))
            if choice == 1:
                low = high = centre  # zero width
            if choice == 2 and draw(st.integers(0, 4)) == 0:
                low = centre + 1.0  # a range that misses its figure: refused
            r[f"{p}_low"] = low
            r[f"{p}_high"] = high if choice != 3 else math.nan  # one end only: no range
            r[f"{p}_dist"] = draw(st.sampled_from(["", "pert", "PERT ", "triangular", "uniform", "fixed"]))
        rows.append(r)
        for factor in ("deadweight", "attribution", "drop_off"):
            if draw(st.booleans()):
                n = draw(st.integers(1, 12))
                picks = draw(st.lists(st.sampled_from(["0%", "25%", "50%", "75%", "100%"]), min_size=n, max_size=n))
                survey += [(f"r{k}", oid, factor, a) for k, a in enumerate(picks)]
                if draw(st.integers(0, 3)) == 0:
                    priors[(oid, factor)] = Prior(draw(FRACTION), draw(st.sampled_from([0.3, 1.0])), "benchmark")
    survey = pd.DataFrame(survey, columns=["respondent_ref", "outcome_id", "factor", "answer"])
    return pd.DataFrame(rows), (survey if len(survey) else None), priors


def _same_cells(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for column in a.columns:
        left, right = a[column].to_numpy(), b[column].to_numpy()
        if left.dtype.kind == "f":  # to the last bit, NaN where NaN
            assert np.array_equal(left.view(np.int64), right.astype(float).view(np.int64)), column
        else:
            assert list(left) == list(right), column


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps_surveys_and_priors())
def test_the_table_built_column_by_column_is_the_rule_read_cell_by_cell(case):
    impact_map, survey, priors = case
    try:
        expected = _table_cell_by_cell(impact_map, survey, priors)
    except ValueError as refused:
        with pytest.raises(ValueError) as raised:
            estimates(impact_map, survey, priors)
        assert str(raised.value) == str(refused)  # the same figure refused first, for the same reason
        return
    table = estimates(impact_map, survey, priors).table
    _same_cells(table, expected)
    assert table.dtypes.to_dict() == expected.dtypes.to_dict()


def test_a_figure_given_as_text_is_read_as_the_number_it_says():
    m = single_outcome(deadweight="0.2", attribution_low="0.2", attribution_high="0.5", attribution_dist=None)
    _same_cells(estimates(m).table, _table_cell_by_cell(m, None, None))
    with pytest.raises(ValueError, match="could not convert"):
        estimates(single_outcome(deadweight="a fifth"))
