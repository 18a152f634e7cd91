"""A fiscal value is a saving to the public purse, not social value: totalled apart."""

from __future__ import annotations

import pytest

from svlib.reporting.report_text import valuation_text
from svlib.validate.impact_map import load_impact_map
from svlib.valuation.sroi import Conventions, value_map

HEADER = "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,proxy_id\n"
# GMCA Unit Cost Database v1.4: HO5.0 fiscal £642 per prevention scheme (2010/11 prices, 2011);
# JOB-04 the National Living Wage £11.44 an hour (2024): not classed by its source.
CPI_2011_TO_2024 = 133.9 / 93.4  # ONS D7BT annual averages, 2015 = 100


def test_fiscal_and_non_fiscal_present_values_are_reported_apart(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(HEADER + "H1,Households,Homelessness prevented,Social,10,1,20%,0,25%,0,GMCA14-HO5.0-F\n"
                    "V1,Volunteers,Hours given,Growth,1000,1,0,0,0,0,JOB-04\n", encoding="utf-8")
    impact_map = load_impact_map(path, price_year=2024)
    assert impact_map["proxy_value_type"].tolist() == ["fiscal", ""]
    assert impact_map["proxy_old"].tolist() == ["yes", "no"]  # 2011 to 2024: 13 years
    v = value_map(impact_map, 10_000.0, Conventions(price_year=2024))
    fiscal = 10 * 642 * CPI_2011_TO_2024 * 0.8 * 0.75 / 1.035  # by hand: q × p × (1 − dw)(1 − at) / 1.035
    other = 1000 * 11.44 / 1.035
    assert v.fiscal_present_value == pytest.approx(fiscal)
    assert v.present_value == pytest.approx(fiscal + other)
    kinds = v.by_value_type.set_index("value_type")["present_value"]
    assert kinds["fiscal: savings to the public purse"] == pytest.approx(fiscal)
    assert kinds["not classed by its source"] == pytest.approx(other)
    text = valuation_text(v, impact_map)
    assert "Of which fiscal     £" in text and "savings to the public purse, not social value" in text
    assert "H1: £" in text and "OLD (rebased across more than 10 years); fiscal: savings to the public purse" in text
    payload = v.to_dict()
    assert payload["fiscal_present_value"] == pytest.approx(fiscal)
    assert payload["non_fiscal_present_value"] == pytest.approx(other)


def test_a_map_without_fiscal_values_says_nothing_of_them(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(HEADER + "V1,Volunteers,Hours given,Growth,1000,1,0,0,0,0,JOB-04\n", encoding="utf-8")
    v = value_map(load_impact_map(path, price_year=2024), 10_000.0, Conventions(price_year=2024))
    assert v.fiscal_present_value == 0 and "fiscal" not in valuation_text(v)
