"""Guards a practitioner expects when a map uses library values together: a headline and
its constituent, the fiscal and economic value of one line, and a transfer payment."""

from __future__ import annotations

import openpyxl

from svlib.pipeline.build import read_partner
from svlib.validate.impact_map import load_impact_map
from tests.workbooks import column_of, write_partner

HEADER = "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,proxy_id,proxy_value\n"


def _map(tmp_path, *rows: str):
    path = tmp_path / "map.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return load_impact_map(path, price_year=2024).attrs["warnings"]


def test_a_headline_and_its_constituent_warn_at_the_constituent_row_naming_both(tmp_path):
    warnings = _map(tmp_path,
                    "H1,Households,Homelessness prevented,Social,10,1,20%,0,25%,0,GMCA14-HO3.0-F,",
                    "H2,Households,Temporary accommodation avoided,Social,10,1,20%,0,25%,0,GMCA14-HO3.0.3-F,")
    found = [w for w in warnings if "counts the same cost twice" in w]
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'map.csv'}:ImpactMap:3:proxy_id:")
    assert "GMCA14-HO3.0.3-F is a constituent of GMCA14-HO3.0-F (row 2, its headline)" in found[0]


def test_a_subsidiary_with_its_headline_warns_but_two_constituents_do_not(tmp_path):
    warnings = _map(tmp_path,
                    "H1,Households,Hostel avoided,Social,10,1,20%,0,25%,0,GMCA14-HO4.0-F,",
                    "H2,Households,B&B avoided,Social,10,1,20%,0,25%,0,GMCA14-HO4.1-F,",
                    "H3,Households,Decision made,Social,10,1,20%,0,25%,0,GMCA14-HO3.0.2-F,",
                    "H4,Households,Re-let,Social,10,1,20%,0,25%,0,GMCA14-HO3.0.4-F,")
    twice = [w for w in warnings if "counts the same cost twice" in w]
    assert len(twice) == 1 and "GMCA14-HO4.1-F is a subsidiary of GMCA14-HO4.0-F" in twice[0]


def test_fiscal_and_economic_values_of_one_line_warn(tmp_path):
    warnings = _map(tmp_path,
                    "N1,Young people,Left NEET status,Jobs,6,1,20%,0,25%,0,GMCA14-E&E10.0-F,",
                    "N2,Young people,Left NEET status (economy),Jobs,6,1,20%,0,25%,0,GMCA14-E&E10.0-E,")
    found = [w for w in warnings if "fiscal and the economic value" in w]
    assert len(found) == 1 and ":ImpactMap:3:proxy_id:" in found[0]
    assert "GMCA14-E&E10.0-F (row 2) and GMCA14-E&E10.0-E" in found[0] and "E&E10.0" in found[0]


def test_a_transfer_payment_warns_at_its_row(tmp_path):
    warnings = _map(tmp_path, "J1,Claimants,Into work,Jobs,6,1,20%,0,25%,0,GMCA14-E&E1.0-F,")
    found = [w for w in warnings if "transfer payment" in w]
    assert len(found) == 1 and ":ImpactMap:2:proxy_id:" in found[0] and "GMCA14-E&E1.0-F" in found[0]
    assert not [w for w in _map(tmp_path, "J1,Claimants,Into work,Jobs,6,1,20%,0,25%,0,GMCA14-E&E1.0-E,")
                if "transfer" in w]


def test_a_row_that_gives_its_own_value_is_not_judged_by_its_id(tmp_path):
    warnings = _map(tmp_path,
                    "H1,Households,Homelessness prevented,Social,10,1,20%,0,25%,0,GMCA14-HO3.0-F,",
                    "H2,Households,Temporary accommodation avoided,Social,10,1,20%,0,25%,0,GMCA14-HO3.0.3-F,300")
    assert not [w for w in warnings if "counts the same cost twice" in w]


def test_a_partner_workbook_using_a_headline_and_its_constituent_warns_at_its_sheet_row(tmp_path):
    workbook = write_partner(tmp_path / "partner.xlsx")
    book = openpyxl.load_workbook(workbook)
    sheet = book["ImpactMap"]
    proxy_id, proxy_value = column_of(workbook, "ImpactMap", "proxy_id"), column_of(workbook, "ImpactMap", "proxy_value")
    sheet[f"{proxy_id}2"], sheet[f"{proxy_value}2"] = "GMCA14-CR8.0-S", None
    sheet[f"{proxy_id}3"], sheet[f"{proxy_value}3"] = "GMCA14-CR8.1-S", None
    book.save(workbook)
    _, problems = read_partner(workbook)
    found = [str(p) for p in problems if "counts the same cost twice" in str(p)]
    assert found == [str(p) for p in problems if p.row == 3 and p.column == "proxy_id" and p.severity == "warning"
                     and "counts the same cost twice" in str(p)]
    assert len(found) == 1 and found[0].startswith(f"{workbook}:ImpactMap:3:proxy_id:")
