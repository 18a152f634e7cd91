"""The forum's deflator study: shifts by Monte Carlo, drivers of uncertainty, answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from svlib.analysis import deflator_study as study
from svlib.analysis import forum

DRAWS, SEED = 400, 2


@pytest.fixture(scope="module")
def tables(example_tables):
    return example_tables


@pytest.fixture(scope="module")
def forum_run(tables):
    return forum.partner_results(tables, DRAWS, SEED)


@pytest.fixture(scope="module")
def shifts(forum_run):
    return study.shift_study(forum_run[0], DRAWS, SEED, forum_run[1], factors=("deadweight",), shifts=(0.0, 0.1))


def test_no_shift_gives_the_forum_summarys_ranges(shifts, forum_run):
    totals = forum.totals(forum_run[0]).set_index("group")
    unshifted = shifts[(shifts["shift"] == 0.0) & shifts["scope"].str.startswith("forum: ")].set_index("group")
    for group in totals.index:
        assert [unshifted.loc[group, k] for k in ("p5", "p50", "p95")] == pytest.approx(
            [totals.loc[group, k] for k in ("p5", "p50", "p95")], rel=1e-12)


def test_more_deadweight_lowers_every_partners_ratio(shifts):
    wide = shifts.pivot(index="scope", columns="shift", values="p50")
    assert (wide[0.1] < wide[0.0]).all()


def test_a_shift_moves_figures_ranges_and_survey_answers_within_0_to_1():
    resolved = pd.DataFrame({"outcome_id": ["A", "B"], "deadweight": [0.3, 0.95], "deadweight_low": [0.2, 0.9],
                             "deadweight_high": [0.4, 1.0]})
    survey = pd.DataFrame({"respondent_ref": ["R1", "R2"], "outcome_id": ["A", "A"],
                           "factor": ["deadweight", "attribution"], "answer": ["About half (50%)", "25%"]})
    moved, answers = study._shifted(resolved, survey, "deadweight", 0.1)
    assert moved["deadweight"].tolist() == pytest.approx([0.4, 1.0])
    assert moved["deadweight_high"].tolist() == pytest.approx([0.5, 1.0])
    assert answers["answer"].tolist() == ["60%", "25%"]  # only the factor shifted moves


def test_drivers_share_the_groups_variance(forum_run):
    results, used = forum_run
    drivers = study.variance_drivers(results, used)
    for group, part in drivers.groupby("group"):
        assert part["partner_share"].sum() == pytest.approx(1.0)
        members = [r for r in results if r.purpose == group]
        total = sum(np.var(r.present_value) for r in members)
        shares = {r.name: np.var(r.present_value) / total for r in members}
        assert dict(zip(part["name"], part["partner_share"])) == pytest.approx(shares)
        parts = part.drop(columns=["group", "name", "partner_share"]).sum(axis=1)
        assert parts.tolist() == pytest.approx(part["partner_share"].tolist())  # figures + interactions


def test_the_forums_count_of_answers_is_withheld_where_a_partners_is_below_5(tables, forum_run):
    spread = study.answer_spread(tables, forum_run[0])
    for factor, part in spread.groupby("factor"):
        forum_row = part[part["name"] == study.FORUM_ROW].iloc[0]
        partners = part[part["name"] != study.FORUM_ROW]
        if (partners["respondents"] == "<5").any():
            assert forum_row["respondents"] == "withheld"
        else:  # people are counted once per partner: refs are each partner's own
            assert int(forum_row["respondents"]) == sum(int(v) for v in partners["respondents"])
        assert partners.loc[partners["respondents"] == "<5", "mean"].isna().all()
