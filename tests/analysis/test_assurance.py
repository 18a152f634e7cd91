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
