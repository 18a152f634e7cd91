"""The assurance checklist: each check says "ok" only when what it asks for is there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from svlib.analysis.assurance import checklist
from svlib.valuation.sroi import value_map
from tests.conftest import single_outcome

EMPTY_SURVEY = pd.DataFrame(columns=["outcome_id", "factor", "n_answers"])
NO_CASES = pd.DataFrame(columns=["outcome_ids"])


def _zero_deadweight_check(evidence) -> pd.Series:
    impact_map = single_outcome(deadweight=0.0)
    impact_map["evidence"] = [evidence]
    impact_map["proxy_price_year"] = [2024]
    impact_map["price_year_stated"] = ["yes"]
    result = checklist(impact_map, value_map(impact_map, 1000.0).by_outcome, EMPTY_SURVEY, NO_CASES, 2024)
    return result.set_index("check").loc["A deflator of zero has evidence"]


@pytest.mark.parametrize("blank", [np.nan, None, pd.NA, "", "   "])
def test_a_zero_deflator_with_no_evidence_text_needs_attention(blank):
    # a blank evidence cell read back from a processed table is NaN: it is no evidence
    check = _zero_deadweight_check(blank)
    assert check["status"] == "attention"
    assert "deadweight is 0% with no survey or stated evidence" in check["detail"]


def test_a_zero_deflator_with_evidence_text_is_ok():
    assert _zero_deadweight_check("Referral letters show no one was already in work")["status"] == "ok"


def _stakeholder_check(cases: pd.DataFrame) -> pd.Series:
    impact_map = single_outcome()
    impact_map["proxy_price_year"] = [2024]
    impact_map["price_year_stated"] = ["yes"]
    result = checklist(impact_map, value_map(impact_map, 1000.0).by_outcome, EMPTY_SURVEY, cases, 2024)
    return result.set_index("check").loc["Stakeholder evidence for every outcome"]


def test_a_case_study_counts_for_its_accepted_outcomes_not_its_own():
    outcome = str(single_outcome()["outcome_id"].iloc[0])
    own = pd.DataFrame({"outcome_ids": [outcome], "accepted_outcome_ids": ["OTHER"]})
    accepted = pd.DataFrame({"outcome_ids": ["OTHER"], "accepted_outcome_ids": [outcome]})
    unreviewed = pd.DataFrame({"outcome_ids": [outcome], "accepted_outcome_ids": [""]})
    assert _stakeholder_check(own)["status"] == "attention"
    assert _stakeholder_check(accepted)["status"] == "ok"
    assert _stakeholder_check(unreviewed)["status"] == "ok"
