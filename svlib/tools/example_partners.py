"""Six fictional County Durham VCSE partners: the example collection of partner workbooks.

Every organisation, person, quantity and deflator here is **illustrative and fictional**,
chosen to be plausible and internally consistent and to exercise every sheet of the partner
workbook, every County Durham Pound theme and both purposes (evaluative and forecast). The
proxies are real rows of the svlib proxy library (``svlib/data/proxies.csv``).

The fixed facts (partner fields, inputs, value maps, baselines, calendars, quality marks and
case studies) are written out below as data. The seeded parts (survey answers and star
readings) come from :func:`numpy.random.default_rng`, one stream per partner and purpose
derived from ``(seed, partner number, stream number)``, so the same seed always gives the same
content and changing one partner does not change another's random draws.

Regenerate the bundled collection with::

    python -m svlib.tools.example_partners data/raw/example

References
----------
DESIGN.md, "Partner workbook (contract)"; :mod:`svlib.io.template` for the layout.
"""

from __future__ import annotations

import calendar
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svlib.contract.questions import anchored_answers
from svlib.core.files import write_atomic
from svlib.io.template import write_workbook

DEFAULT_SEED = 20251125
"""The seed of the bundled collection."""

PERIOD_START = dt.date(2024, 4, 1)
PERIOD_END = dt.date(2025, 3, 31)
PRICE_YEAR = 2024
NATIONAL_LIVING_WAGE_2024 = 11.44
"""GBP per hour from 1 April 2024 (proxy JOB-04), used to value volunteer time in kind."""

NON_CONSENTED_PHRASE = "hid the allotment key under the red plant pot"
"""A distinctive phrase that appears only in a case study without consent (for leak tests)."""

TESTIMONY_EMAIL = "a.reader@example.org"
TESTIMONY_PHONE = "07700 900461"
"""Contact details inside one consented testimony (for redaction tests); both are in ranges
reserved for fiction (example.org, Ofcom's 07700 900xxx drama numbers)."""

SURVEY_POOL = 15
"""Respondents per partner survey (R01 .. R15); each (outcome, factor) asks 3 to 15 of them."""

_STREAM_SURVEY, _STREAM_STARS = 1, 2

# --------------------------------------------------------------------------------------
# The partners, as data
# --------------------------------------------------------------------------------------

_JOB1_INDICATOR = "Local people employed (FTE)"
_APPRENTICE_INDICATOR = "Apprenticeships and vocational training"
_VOLUNTEER_INDICATOR = "Volunteering hours given locally"
_ISOLATION_INDICATOR = "Reduced social isolation"
_HEALTH_INDICATOR = "Improved health and wellbeing"
_CARBON_INDICATOR = "Carbon emissions reduced"
_INNOVATION_INDICATOR = "New ways of working adopted by the sector"


def _volunteer_input(input_id: str, hours: int, what: str = "Volunteers") -> dict[str, Any]:
    """Volunteer time in kind, valued at the National Living Wage."""
    return {"input_id": input_id, "source": what,
            "description": f"{hours:,} hours at the National Living Wage £{NATIONAL_LIVING_WAGE_2024:.2f} (2024, JOB-04)",
            "value_gbp": round(hours * NATIONAL_LIVING_WAGE_2024, 2), "in_kind": "yes"}


PARTNERS: tuple[dict[str, Any], ...] = (
    {
        "partner": {"partner_id": "food-network", "name": "Stanley Community Food Network (example)",
                    "organisation_type": "charity", "area": "Stanley", "purpose": "evaluative"},
        "inputs": [
            {"input_id": "IN1", "source": "National Lottery Community Fund",
             "description": "Reaching Communities grant, year 2 of 3", "value_gbp": 62000, "in_kind": "no"},
            {"input_id": "IN2", "source": "Durham County Council",
             "description": "Holiday Activities and Food programme contract", "value_gbp": 28500, "in_kind": "no"},
            _volunteer_input("IN3", 4100),
            {"input_id": "IN4", "source": "Local supermarkets",
             "description": "Donated surplus food at wholesale value (partner estimate)", "value_gbp": 18000,
             "in_kind": "yes"},
        ],
        "impact_map": [
            {"outcome_id": "FN1", "stakeholder": "Volunteers", "outcome": "Volunteered regularly (monthly or more)",
             "theme": "Growth", "indicator": _VOLUNTEER_INDICATOR, "in_toms": "no", "quantity": 48, "duration": 2,
             "deadweight": 0.25, "displacement": 0.0, "attribution": 0.20, "drop_off": 0.30, "proxy_id": "GRO-03",
             "evidence": "Illustrative: volunteer rota, people active in at least 10 months"},
            {"outcome_id": "FN2", "stakeholder": "Local residents",
             "outcome": "Surplus food diverted from landfill (tonnes CO2e avoided)", "theme": "Environment",
             "indicator": _CARBON_INDICATOR, "measure": "NT31", "in_toms": "yes", "quantity": 140, "duration": 1,
             "deadweight": 0.15, "displacement": 0.0, "attribution": 0.25, "drop_off": 0.0, "proxy_id": "ENV-01",
             "evidence": "Illustrative: 56 tonnes of food received x WRAP-style factor", "dist": "triangular",
             "quantity_low": 110, "quantity_high": 160, "quantity_dist": "uniform"},
            {"outcome_id": "FN3", "stakeholder": "Older people at the community meals",
             "outcome": "Felt less lonely (one category better)", "theme": "Social",
             "indicator": _ISOLATION_INDICATOR, "in_toms": "no", "quantity": 26, "duration": 2, "deadweight": 0.35,
             "displacement": 0.0, "attribution": 0.30, "drop_off": 0.40, "proxy_id": "SOC-03", "proxy_year": 2023,
             "evidence": "Illustrative: loneliness question at first and sixth meal; SOC-03 price year taken as "
                         "2023 by judgement"},
            {"outcome_id": "FN4", "stakeholder": "Households in food crisis",
             "outcome": "Avoided going without meals (food costs saved)", "theme": "Social",
             "indicator": _HEALTH_INDICATOR, "in_toms": "no", "quantity": 210, "duration": 1, "deadweight": 0.20,
             "displacement": 0.0, "attribution": 0.35, "drop_off": 0.0, "leakage": 0.05, "proxy_value": 520,
             "proxy_year": 2024,
             "proxy_source": "Illustrative: retail value of a year's food parcels per household (partner records)",
             "proxy_value_low": 400, "proxy_value_high": 650, "proxy_value_dist": "pert",
             "evidence": "Illustrative: referral records; 5% of households live just outside the county"},
            {"outcome_id": "FN5", "stakeholder": "Volunteers", "outcome": "Moved into paid work", "theme": "Jobs",
             "indicator": _JOB1_INDICATOR, "measure": "NT1", "in_toms": "yes", "quantity": 3, "duration": 2,
             "deadweight": 0.40, "displacement": 0.10, "attribution": 0.50, "drop_off": 0.50, "proxy_id": "JOB-01",
             "evidence": "Illustrative: volunteers' own reports, confirmed by reference requests", "ranges": False},
        ],
        "survey": {"FN1": ("deadweight", "attribution", "drop_off"), "FN3": ("deadweight", "attribution"),
                   "FN4": ("deadweight", "attribution"), "FN5": ("attribution",)},
        "exactly_three": ("FN3", "attribution"),
        "baseline": {"commissioning_engagement": "occasional", "commissioners": "Durham County Council",
                     "public_contract_value_gbp": 28500, "carbon_policy": "in development",
                     "net_zero_target_year": None, "data_systems": "Excel, Charitylog", "sroi_experience": "none"},
        "calendar": [
            ("National Lottery Community Fund", "End of year report", "annual", dt.date(2025, 6, 30), 2),
            ("Durham County Council", "Holiday Activities and Food monitoring return", "quarterly",
             dt.date(2025, 4, 15), 4),
        ],
        "quality_marks": [
            ("Investors in Volunteers", dt.date(2023, 6, 12), dt.date(2026, 6, 12)),
            ("Living Wage Employer", dt.date(2024, 9, 1), dt.date(2027, 8, 31)),
        ],
        "case_studies": [
            {"case_id": "CS1", "outcome_ids": "FN3", "title": "Thursday lunches",
             "text": "A widower in his eighties started coming to the Thursday lunch club after a neighbour brought "
                     "him along. He says he now looks forward to the week and has swapped numbers with two other "
                     "regulars.", "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS2", "outcome_ids": "FN1, FN5", "title": "From volunteer to warehouse supervisor",
             "text": "A volunteer who sorted donations two mornings a week used the food network as a reference "
                     "and was taken on as a warehouse supervisor in Annfield Plain.",
             "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS3", "outcome_ids": "FN4", "title": "A family in crisis",
             "text": "A mother of three was referred by her school after her benefits were stopped. The parcels "
                     "bridged six weeks until the claim was sorted.", "consent": "no", "anonymised": "yes"},
        ],
    },
    {
        "partner": {"partner_id": "youth-hub", "name": "Peterlee Youth Hub (example)", "organisation_type": "CIO",
                    "area": "Peterlee", "purpose": "evaluative"},
        "inputs": [
            {"input_id": "IN1", "source": "BBC Children in Need", "description": "Main grant, year 1 of 3",
             "value_gbp": 42000, "in_kind": "no"},
            {"input_id": "IN2", "source": "Durham County Council",
             "description": "Youth work contract (detached and centre-based)", "value_gbp": 31000, "in_kind": "no"},
            {"input_id": "IN3", "source": "Community Foundation Tyne & Wear and Northumberland",
             "description": "Small grant for the summer programme", "value_gbp": 6500, "in_kind": "no"},
            _volunteer_input("IN4", 1250),
        ],
        "impact_map": [
            {"outcome_id": "YH1", "stakeholder": "Young people aged 11-18",
             "outcome": "Took part in physical activity weekly", "theme": "Social", "indicator": _HEALTH_INDICATOR,
             "in_toms": "no", "quantity": 45, "duration": 1, "deadweight": 0.35, "displacement": 0.0,
             "attribution": 0.30, "drop_off": 0.0, "proxy_id": "SOC-04",
             "evidence": "Illustrative: session registers, young people attending weekly for 3+ months"},
            {"outcome_id": "YH2", "stakeholder": "Young people with low wellbeing",
             "outcome": "Mental health improved from poor to good", "theme": "Social", "indicator": _HEALTH_INDICATOR,
             "in_toms": "no", "quantity": 4, "duration": 2, "deadweight": 0.40, "displacement": 0.0,
             "attribution": 0.50, "drop_off": 0.50, "proxy_id": "SOC-06",
             "evidence": "Illustrative: short wellbeing scale at entry and after six months", "dist": "uniform"},
            {"outcome_id": "YH3", "stakeholder": "Young people aged 16-18", "outcome": "Started an apprenticeship",
             "theme": "Jobs", "indicator": _APPRENTICE_INDICATOR, "measure": "NT10", "in_toms": "yes",
             "quantity": 3, "duration": 1, "deadweight": 0.30, "displacement": 0.05, "attribution": 0.40,
             "drop_off": 0.0, "proxy_id": "JOB-08", "evidence": "Illustrative: apprenticeship agreements"},
            {"outcome_id": "YH4", "stakeholder": "Young volunteers", "outcome": "Volunteered regularly (monthly or more)",
             "theme": "Growth", "indicator": _VOLUNTEER_INDICATOR, "in_toms": "no", "quantity": 14, "duration": 1,
             "deadweight": 0.20, "displacement": 0.0, "attribution": 0.25, "drop_off": 0.0, "proxy_id": "GRO-03",
             "evidence": "Illustrative: peer-leader rota"},
            {"outcome_id": "YH5", "stakeholder": "Young people on the youth forum",
             "outcome": "Co-designed a new youth service with the council", "theme": "Innovation",
             "indicator": _INNOVATION_INDICATOR, "in_toms": "no", "quantity": 12, "duration": 1, "start_year": 2,
             "deadweight": 0.10, "displacement": 0.0, "attribution": 0.40, "drop_off": 0.0, "proxy_value": 450,
             "proxy_year": 2024,
             "proxy_source": "Illustrative: cost of a comparable participation programme per young person",
             "evidence": "Illustrative: forum minutes; the new service opens in the second year", "ranges": False},
        ],
        "survey": {"YH1": ("deadweight", "attribution", "displacement"), "YH2": ("deadweight", "attribution",
                                                                               "drop_off"),
                   "YH4": ("deadweight", "attribution")},
        "baseline": {"commissioning_engagement": "regular",
                     "commissioners": "Durham County Council; Peterlee Town Council",
                     "public_contract_value_gbp": 31000, "carbon_policy": "none", "net_zero_target_year": None,
                     "data_systems": "Upshot", "sroi_experience": "some"},
        "calendar": [
            ("BBC Children in Need", "Annual progress report", "annual", dt.date(2025, 9, 30), 1),
            ("Durham County Council", "Quarterly youth work monitoring", "quarterly", dt.date(2025, 7, 10), 4),
            ("Community Foundation Tyne & Wear and Northumberland", "End of grant report", "one-off",
             dt.date(2025, 10, 31), 1),
        ],
        "quality_marks": [
            ("PQASSO / Trusted Charity", dt.date(2022, 3, 15), dt.date(2025, 3, 15)),
            ("Investors in Volunteers", dt.date(2023, 12, 5), dt.date(2026, 12, 5)),
        ],
        "case_studies": [
            {"case_id": "CS1", "outcome_ids": "YH2, YH1", "title": "Finding a way back",
             "text": "A 15-year-old who had stopped going to school joined the Friday football and then the "
                     "wellbeing group. Six months on she is back in class four days a week.",
             "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS2", "outcome_ids": "YH4", "title": "The allotment group",
             "text": "He told his youth worker that he " + NON_CONSENTED_PHRASE + " so the younger ones could get "
                     "in before school, and that the allotment is the only place he feels trusted.",
             "consent": "no", "anonymised": "no"},
            {"case_id": "CS3", "outcome_ids": "YH3", "title": "An apprenticeship in engineering",
             "text": "A peer leader used the hub's mock interviews to prepare and started an engineering "
                     "apprenticeship with a local manufacturer.", "consent": "yes", "anonymised": "no"},
        ],
        "star": {"star": "Youth Star", "areas": ("Wellbeing", "Education and work", "Communication",
                                                 "Choices and behaviour"), "scale": (1, 10)},
    },
    {
        "partner": {"partner_id": "employability-cic", "name": "Bishop Auckland Employability CIC (example)",
                    "organisation_type": "CIC", "area": "Bishop Auckland", "purpose": "evaluative"},
        "inputs": [
            {"input_id": "IN1", "source": "Durham County Council", "description": "Employability support contract",
             "value_gbp": 88000, "in_kind": "no"},
            {"input_id": "IN2", "source": "UK Shared Prosperity Fund (via Durham County Council)",
             "description": "People and Skills grant", "value_gbp": 54000, "in_kind": "no"},
            {"input_id": "IN3", "source": "National Lottery Community Fund", "description": "Reaching Communities grant",
             "value_gbp": 40000, "in_kind": "no"},
            _volunteer_input("IN4", 700, "Volunteer mentors"),
            {"input_id": "IN5", "source": "Local employers", "description": "Donated interview rooms and work tasters",
             "value_gbp": 3500, "in_kind": "yes"},
        ],
        "impact_map": [
            {"outcome_id": "EC1", "stakeholder": "Long-term unemployed adults", "outcome": "Moved into paid work",
             "theme": "Jobs", "indicator": _JOB1_INDICATOR, "measure": "NT1", "in_toms": "yes", "quantity": 16,
             "duration": 2, "deadweight": 0.35, "displacement": 0.10, "attribution": 0.30, "drop_off": 0.50,
             "proxy_id": "JOB-01", "quantity_low": 12, "quantity_high": 18, "quantity_dist": "triangular",
             "evidence": "Illustrative: job starts confirmed by payslips or employer letters"},
            {"outcome_id": "EC2", "stakeholder": "Young adults aged 16-24", "outcome": "Started an apprenticeship",
             "theme": "Jobs", "indicator": _APPRENTICE_INDICATOR, "measure": "NT10", "in_toms": "yes", "quantity": 5,
             "duration": 1, "deadweight": 0.25, "displacement": 0.05, "attribution": 0.40, "drop_off": 0.0,
             "proxy_id": "JOB-08", "evidence": "Illustrative: apprenticeship agreements"},
            {"outcome_id": "EC3", "stakeholder": "Adults on courses", "outcome": "Completed a course of learning for work",
             "theme": "Jobs", "indicator": _APPRENTICE_INDICATOR, "in_toms": "no", "quantity": 70, "duration": 1,
             "deadweight": 0.30, "displacement": 0.0, "attribution": 0.30, "drop_off": 0.0, "proxy_id": "JOB-10",
             "evidence": "Illustrative: course completion certificates"},
            {"outcome_id": "EC4", "stakeholder": "Participants with low wellbeing",
             "outcome": "Mental health improved from poor to good", "theme": "Social", "indicator": _HEALTH_INDICATOR,
             "in_toms": "no", "quantity": 5, "duration": 2, "deadweight": 0.40, "displacement": 0.0,
             "attribution": 0.55, "drop_off": 0.50, "proxy_id": "SOC-06",
             "evidence": "Illustrative: WEMWBS at entry and exit"},
            {"outcome_id": "EC5", "stakeholder": "Local employers", "outcome": "Adopted inclusive recruitment practice",
             "theme": "Innovation", "indicator": _INNOVATION_INDICATOR, "in_toms": "no", "quantity": 9, "duration": 2,
             "deadweight": 0.20, "displacement": 0.0, "attribution": 0.30, "drop_off": 0.25, "proxy_value": 1200,
             "proxy_year": 2024, "proxy_source": "Illustrative: consultancy cost of an inclusive recruitment review",
             "evidence": "Illustrative: employer follow-up calls", "ranges": False},
            {"outcome_id": "EC6", "stakeholder": "Volunteer mentors", "outcome": "Volunteered regularly (monthly or more)",
             "theme": "Growth", "indicator": _VOLUNTEER_INDICATOR, "in_toms": "no", "quantity": 12, "duration": 1,
             "deadweight": 0.20, "displacement": 0.0, "attribution": 0.20, "drop_off": 0.0, "proxy_id": "GRO-03",
             "evidence": "Illustrative: mentor log", "dist": "triangular"},
        ],
        "survey": {"EC1": ("deadweight", "attribution", "displacement", "drop_off"),
                   "EC3": ("deadweight", "attribution"), "EC4": ("deadweight", "attribution")},
        "baseline": {"commissioning_engagement": "regular",
                     "commissioners": "Durham County Council; Department for Work and Pensions (subcontract)",
                     "public_contract_value_gbp": 142000, "carbon_policy": "in place", "net_zero_target_year": 2035,
                     "data_systems": "Salesforce NPSP", "sroi_experience": "assured"},
        "calendar": [
            ("Durham County Council", "Monthly performance return", "monthly", dt.date(2025, 5, 7), 3),
            ("UK Shared Prosperity Fund (via Durham County Council)", "Quarterly claim and outputs", "quarterly",
             dt.date(2025, 7, 20), 3),
            ("National Lottery Community Fund", "Annual report", "annual", dt.date(2026, 3, 31), 1),
        ],
        "quality_marks": [
            ("Matrix Standard", dt.date(2024, 1, 20), dt.date(2027, 1, 20)),
            ("Cyber Essentials", dt.date(2025, 2, 3), dt.date(2026, 2, 3)),
            ("Living Wage Employer", dt.date(2023, 11, 1), dt.date(2027, 10, 31)),
        ],
        "case_studies": [
            {"case_id": "CS1", "outcome_ids": "EC1", "title": "Back to work after redundancy",
             "text": "A former factory worker in his fifties, out of work for three years, rebuilt his confidence in "
                     "the job club and now drives for a local delivery firm.", "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS2", "outcome_ids": "EC4, EC3", "title": "Learning again",
             "text": "A woman caring for her mother took an evening IT course with us and says she feels like "
                     "herself again.", "consent": "no", "anonymised": "yes"},
            {"case_id": "CS3", "outcome_ids": "EC5", "title": "An employer changes how it recruits",
             "text": "A care home group replaced written applications with a working interview after a session "
                     "with our employer adviser, and filled four posts from the programme.",
             "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS4", "outcome_ids": "EC2", "title": "First job at 19",
             "text": "A 19-year-old who left college early started a plumbing apprenticeship after two work tasters.",
             "consent": "yes", "anonymised": "no"},
        ],
        "star": {"star": "Outcomes Star: Work Star", "areas": ("Job skills", "Aspiration and motivation", "Stability",
                                                             "Basic skills"), "scale": (1, 10)},
    },
    {
        "partner": {"partner_id": "befriending-service", "name": "Seaham Befriending Service (example)",
                    "organisation_type": "charity", "area": "Seaham", "purpose": "evaluative"},
        "inputs": [
            {"input_id": "IN1", "source": "National Lottery Community Fund", "description": "Awards for All grant",
             "value_gbp": 19500, "in_kind": "no"},
            {"input_id": "IN2", "source": "Community Foundation Tyne & Wear and Northumberland",
             "description": "Core costs grant", "value_gbp": 14000, "in_kind": "no"},
            {"input_id": "IN3", "source": "Durham County Council", "description": "Area Action Partnership grant",
             "value_gbp": 9000, "in_kind": "no"},
            _volunteer_input("IN4", 2300, "Volunteer befrienders"),
        ],
        "impact_map": [
            {"outcome_id": "BS1", "stakeholder": "Older people living alone",
             "outcome": "Felt less lonely (one category better)", "theme": "Social", "indicator": _ISOLATION_INDICATOR,
             "in_toms": "no", "quantity": 24, "duration": 1, "deadweight": 0.35, "displacement": 0.0,
             "attribution": 0.35, "drop_off": 0.0, "proxy_id": "SOC-03", "proxy_year": 2023,
             "evidence": "Illustrative: loneliness question at referral and after six months"},
            {"outcome_id": "BS2", "stakeholder": "Older people who were chronically lonely",
             "outcome": "No longer chronically lonely", "theme": "Social", "indicator": _ISOLATION_INDICATOR,
             "in_toms": "no", "quantity": 5, "duration": 2, "deadweight": 0.40, "displacement": 0.0,
             "attribution": 0.40, "drop_off": 0.50, "proxy_id": "SOC-01", "proxy_year": 2020,
             "evidence": "Illustrative: befrienders' six-month reviews; SOC-01 price year taken as 2020 (report "
                         "date) by judgement"},
            {"outcome_id": "BS3", "stakeholder": "Volunteer befrienders",
             "outcome": "Volunteered regularly (monthly or more)", "theme": "Growth",
             "indicator": _VOLUNTEER_INDICATOR, "in_toms": "no", "quantity": 30, "duration": 1, "deadweight": 0.20,
             "displacement": 0.0, "attribution": 0.15, "drop_off": 0.0, "proxy_id": "GRO-03",
             "evidence": "Illustrative: volunteer hours log"},
            {"outcome_id": "BS4", "stakeholder": "Older people", "outcome": "Took part in weekly gentle exercise",
             "theme": "Social", "indicator": _HEALTH_INDICATOR, "in_toms": "no", "quantity": 10, "duration": 1,
             "start_year": 2, "deadweight": 0.40, "displacement": 0.0, "attribution": 0.40, "drop_off": 0.0,
             "proxy_id": "SOC-04", "evidence": "Illustrative: chair exercise class starting in the second year",
             "dist": "uniform"},
            {"outcome_id": "BS5", "stakeholder": "Volunteer befrienders", "outcome": "Moved into paid work",
             "theme": "Jobs", "indicator": _JOB1_INDICATOR, "measure": "NT1", "in_toms": "yes", "quantity": 1,
             "duration": 1, "deadweight": 0.50, "displacement": 0.0, "attribution": 0.60, "drop_off": 0.0,
             "proxy_id": "JOB-01", "evidence": "Illustrative: volunteer's own account", "ranges": False},
            {"outcome_id": "BS6", "stakeholder": "Befriending groups in East Durham",
             "outcome": "Adopted the telephone befriending model", "theme": "Innovation",
             "indicator": _INNOVATION_INDICATOR, "in_toms": "no", "quantity": 2, "duration": 1, "deadweight": 0.10,
             "displacement": 0.0, "attribution": 0.30, "drop_off": 0.0, "proxy_value": 1500, "proxy_year": 2024,
             "proxy_source": "Illustrative: set-up cost saved per group adopting the model",
             "evidence": "Illustrative: letters from the two groups"},
        ],
        "survey": {"BS1": ("deadweight", "attribution"), "BS2": ("deadweight", "attribution", "drop_off"),
                   "BS3": ("attribution",)},
        "baseline": {"commissioning_engagement": "none", "commissioners": "", "public_contract_value_gbp": None,
                     "carbon_policy": "none", "net_zero_target_year": None, "data_systems": "paper forms",
                     "sroi_experience": "none"},
        "calendar": [
            ("National Lottery Community Fund", "Awards for All end of grant report", "one-off", dt.date(2025, 8, 31), 1),
            ("Community Foundation Tyne & Wear and Northumberland", "Grant monitoring form", "annual",
             dt.date(2025, 11, 30), 2),
            ("Durham County Council", "Area Action Partnership project closure report", "one-off",
             dt.date(2026, 1, 31), 1),
        ],
        "quality_marks": [
            ("Investors in Volunteers", dt.date(2024, 10, 1), dt.date(2027, 10, 1)),
            ("Disability Confident Committed", dt.date(2023, 5, 10), None),
        ],
        "case_studies": [
            {"case_id": "CS1", "outcome_ids": "BS1, BS2", "title": "A weekly phone call",
             "text": "I hadn't spoken to anyone for days at a time before the Tuesday calls started. Now I ring my "
                     "befriender if I'm worried about anything. If anyone wants to know what it meant to me, they can "
                     f"email me at {TESTIMONY_EMAIL} or ring {TESTIMONY_PHONE}.",
             "consent": "yes", "anonymised": "no"},
            {"case_id": "CS2", "outcome_ids": "BS3, BS5", "title": "Volunteering after retirement",
             "text": "A retired nurse became a befriender, trained two new volunteers and later took a part-time "
                     "job as a care co-ordinator.", "consent": "yes", "anonymised": "yes"},
        ],
        "star": {"star": "Well-being Star (1-5 scale)", "areas": ("Family and friends", "Feeling positive",
                                                                "Looking after yourself",
                                                                "Work, volunteering and other activities"),
                 "scale": (1, 5)},
    },
    {
        "partner": {"partner_id": "green-spaces-trust", "name": "Consett Green Spaces Trust (example)",
                    "organisation_type": "CIO", "area": "Consett", "purpose": "forecast"},
        "inputs": [
            {"input_id": "IN1", "source": "National Lottery Community Fund",
             "description": "Climate Action Fund grant (forecast year)", "value_gbp": 72000, "in_kind": "no"},
            {"input_id": "IN2", "source": "Durham County Council",
             "description": "Grounds maintenance contract, three parks", "value_gbp": 38000, "in_kind": "no"},
            {"input_id": "IN3", "source": "Community Foundation Tyne & Wear and Northumberland",
             "description": "Tree planting grant", "value_gbp": 12000, "in_kind": "no"},
            _volunteer_input("IN4", 2600),
            {"input_id": "IN5", "source": "Local builders' merchant", "description": "Donated tools and materials",
             "value_gbp": 4200, "in_kind": "yes"},
        ],
        "impact_map": [
            {"outcome_id": "GS1", "stakeholder": "Local residents",
             "outcome": "Carbon stored by new woodland (tonnes CO2e per year)", "theme": "Environment",
             "indicator": _CARBON_INDICATOR, "measure": "NT31", "in_toms": "yes", "quantity": 120, "duration": 3,
             "deadweight": 0.10, "displacement": 0.0, "attribution": 0.20, "drop_off": 0.05, "proxy_id": "ENV-01",
             "quantity_low": 80, "quantity_high": 150, "quantity_dist": "pert",
             "evidence": "Illustrative: 6 hectares planted x Woodland Carbon Code look-up (forecast)"},
            {"outcome_id": "GS2", "stakeholder": "Local residents",
             "outcome": "Green waste composted instead of landfilled (tonnes CO2e avoided)", "theme": "Environment",
             "indicator": _CARBON_INDICATOR, "measure": "NT31", "in_toms": "yes", "quantity": 45, "duration": 1,
             "deadweight": 0.15, "displacement": 0.0, "attribution": 0.20, "drop_off": 0.0, "proxy_id": "ENV-01",
             "evidence": "Illustrative: planned tonnage x DESNZ factors (forecast)"},
            {"outcome_id": "GS3", "stakeholder": "Park users", "outcome": "Took part in physical activity weekly",
             "theme": "Social", "indicator": _HEALTH_INDICATOR, "in_toms": "no", "quantity": 30, "duration": 2,
             "start_year": 2, "deadweight": 0.40, "displacement": 0.0, "attribution": 0.35, "drop_off": 0.30,
             "proxy_id": "SOC-04", "evidence": "Illustrative: health walks planned once the paths open in year 2"},
            {"outcome_id": "GS4", "stakeholder": "Volunteers", "outcome": "Volunteered regularly (monthly or more)",
             "theme": "Growth", "indicator": _VOLUNTEER_INDICATOR, "in_toms": "no", "quantity": 35, "duration": 2,
             "deadweight": 0.25, "displacement": 0.0, "attribution": 0.20, "drop_off": 0.30, "proxy_id": "GRO-03",
             "evidence": "Illustrative: last year's volunteer numbers plus planned recruitment", "dist": "triangular"},
            {"outcome_id": "GS5", "stakeholder": "Trainee rangers", "outcome": "Completed a course of learning for work",
             "theme": "Jobs", "indicator": _APPRENTICE_INDICATOR, "in_toms": "no", "quantity": 12, "duration": 1,
             "deadweight": 0.20, "displacement": 0.0, "attribution": 0.30, "drop_off": 0.0, "proxy_id": "JOB-10",
             "evidence": "Illustrative: planned traineeship places"},
            {"outcome_id": "GS6", "stakeholder": "Trainee rangers", "outcome": "Moved into paid work", "theme": "Jobs",
             "indicator": _JOB1_INDICATOR, "measure": "NT1", "in_toms": "yes", "quantity": 2, "duration": 2,
             "deadweight": 0.40, "displacement": 0.05, "attribution": 0.40, "drop_off": 0.50, "proxy_id": "JOB-01",
             "evidence": "Illustrative: past trainees' destinations (forecast)"},
            {"outcome_id": "GS7", "stakeholder": "Community groups", "outcome": "Ran a community tree nursery (a new model)",
             "theme": "Innovation", "indicator": _INNOVATION_INDICATOR, "in_toms": "no", "quantity": 4,
             "duration": 3, "deadweight": 0.15, "displacement": 0.0, "attribution": 0.25, "drop_off": 0.20,
             "proxy_value": 2500, "proxy_year": 2024,
             "proxy_source": "Illustrative: value of saplings grown and given to schools, per group",
             "proxy_value_low": 1500, "proxy_value_high": 3500, "proxy_value_dist": "triangular",
             "evidence": "Illustrative: partnership agreements with four groups", "ranges": False},
        ],
        "survey": {"GS3": ("deadweight", "attribution"), "GS4": ("deadweight", "attribution", "drop_off"),
                   "GS6": ("deadweight", "attribution")},
        "baseline": {"commissioning_engagement": "occasional", "commissioners": "Durham County Council",
                     "public_contract_value_gbp": 38000, "carbon_policy": "in place", "net_zero_target_year": 2030,
                     "data_systems": "Excel, Google Forms", "sroi_experience": "some"},
        "calendar": [
            ("National Lottery Community Fund", "Climate Action Fund progress report", "quarterly",
             dt.date(2025, 6, 30), 4),
            ("Durham County Council", "Grounds maintenance contract review", "annual", dt.date(2026, 4, 30), 1),
            ("Community Foundation Tyne & Wear and Northumberland", "Tree planting end of grant report", "one-off",
             dt.date(2026, 3, 31), 1),
        ],
        "quality_marks": [
            ("Green Flag Award (one park)", dt.date(2025, 7, 15), dt.date(2026, 7, 14)),
            ("Investors in Volunteers", dt.date(2024, 12, 1), dt.date(2027, 12, 1)),
        ],
        "case_studies": [
            {"case_id": "CS1", "outcome_ids": "GS4", "title": "Saturday planting crew",
             "text": "A group of retired steelworkers meets every Saturday to plant and mend paths; one says it is "
                     "the best thing he has done since the works closed.", "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS2", "outcome_ids": "GS5, GS6", "title": "Trainee ranger",
             "text": "A young man on the traineeship learned chainsaw safety and hedge-laying and hopes to apply "
                     "for a seasonal ranger post.", "consent": "no", "anonymised": "yes"},
        ],
    },
    {
        "partner": {"partner_id": "digital-inclusion", "name": "Chester-le-Street Digital Inclusion Project (example)",
                    "organisation_type": "social enterprise", "area": "Chester-le-Street", "purpose": "forecast"},
        "inputs": [
            {"input_id": "IN1", "source": "Community Foundation Tyne & Wear and Northumberland",
             "description": "Digital inclusion grant", "value_gbp": 22000, "in_kind": "no"},
            {"input_id": "IN2", "source": "Durham County Council", "description": "Digital champions contract",
             "value_gbp": 18500, "in_kind": "no"},
            {"input_id": "IN3", "source": "National Lottery Community Fund", "description": "Awards for All grant",
             "value_gbp": 10000, "in_kind": "no"},
            {"input_id": "IN4", "source": "Local businesses", "description": "38 donated refurbished laptops at £240",
             "value_gbp": 9120, "in_kind": "yes"},
            _volunteer_input("IN5", 520, "Volunteer digital champions"),
        ],
        "impact_map": [
            {"outcome_id": "DI1", "stakeholder": "Older people and job seekers",
             "outcome": "Learned digital skills for everyday life and work", "theme": "Innovation",
             "indicator": _INNOVATION_INDICATOR, "in_toms": "no", "quantity": 90, "duration": 1, "deadweight": 0.30,
             "displacement": 0.0, "attribution": 0.30, "drop_off": 0.0, "proxy_id": "JOB-10",
             "evidence": "Illustrative: planned course places at last year's completion rate"},
            {"outcome_id": "DI2", "stakeholder": "Isolated older people",
             "outcome": "Felt less lonely (video calls with family)", "theme": "Social",
             "indicator": _ISOLATION_INDICATOR, "in_toms": "no", "quantity": 14, "duration": 1, "deadweight": 0.40,
             "displacement": 0.0, "attribution": 0.40, "drop_off": 0.0, "proxy_id": "SOC-03", "proxy_year": 2023,
             "evidence": "Illustrative: forecast from last year's follow-up calls"},
            {"outcome_id": "DI3", "stakeholder": "Job seekers", "outcome": "Moved into paid work", "theme": "Jobs",
             "indicator": _JOB1_INDICATOR, "measure": "NT1", "in_toms": "yes", "quantity": 2, "duration": 1,
             "deadweight": 0.50, "displacement": 0.10, "attribution": 0.60, "drop_off": 0.0, "proxy_id": "JOB-01",
             "evidence": "Illustrative: forecast", "dist": "uniform"},
            {"outcome_id": "DI4", "stakeholder": "Local residents",
             "outcome": "Laptops reused instead of scrapped (tonnes CO2e avoided)", "theme": "Environment",
             "indicator": _CARBON_INDICATOR, "in_toms": "no", "quantity": 10, "duration": 1, "deadweight": 0.10,
             "displacement": 0.0, "attribution": 0.10, "drop_off": 0.0, "proxy_id": "ENV-01",
             "evidence": "Illustrative: about 0.25 tCO2e embodied per laptop, 40 laptops", "ranges": False},
            {"outcome_id": "DI5", "stakeholder": "Volunteer digital champions",
             "outcome": "Volunteered regularly (monthly or more)", "theme": "Growth", "indicator": _VOLUNTEER_INDICATOR,
             "in_toms": "no", "quantity": 16, "duration": 1, "deadweight": 0.20, "displacement": 0.0,
             "attribution": 0.20, "drop_off": 0.0, "proxy_id": "GRO-03", "evidence": "Illustrative: champion rota"},
        ],
        "survey": {"DI1": ("deadweight", "attribution"), "DI2": ("deadweight", "attribution"),
                   "DI5": ("deadweight",)},
        "baseline": {"commissioning_engagement": "occasional", "commissioners": "Durham County Council",
                     "public_contract_value_gbp": 18500, "carbon_policy": "in development",
                     "net_zero_target_year": 2040, "data_systems": "Excel, Charitylog", "sroi_experience": "none"},
        "calendar": [
            ("Durham County Council", "Digital champions quarterly return", "quarterly", dt.date(2025, 10, 15), 4),
            ("Community Foundation Tyne & Wear and Northumberland", "Digital inclusion grant report", "one-off",
             dt.date(2026, 5, 29), 1),
            ("National Lottery Community Fund", "End of grant form", "one-off", dt.date(2026, 9, 30), 1),
        ],
        "quality_marks": [
            ("Cyber Essentials", dt.date(2025, 2, 14), dt.date(2026, 2, 14)),
            ("Social Enterprise Mark", dt.date(2024, 2, 1), dt.date(2027, 2, 1)),
        ],
        "case_studies": [
            {"case_id": "CS1", "outcome_ids": "DI2, DI1", "title": "Seeing the grandchildren",
             "text": "A woman in her late seventies learned to make video calls on a donated laptop and now sees "
                     "her grandchildren in Canada every Sunday.", "consent": "yes", "anonymised": "yes"},
            {"case_id": "CS2", "outcome_ids": "DI3", "title": "Applying online",
             "text": "A man who had never used email set up an account in the drop-in and applied for six jobs "
                     "online in his first month.", "consent": "no", "anonymised": "no"},
            {"case_id": "CS3", "outcome_ids": "DI5", "title": "A digital champion",
             "text": "A sixth-former volunteers two evenings a week and says teaching older people has made her "
                     "more patient.", "consent": "yes", "anonymised": "yes"},
        ],
    },
)
"""The six partners. Each dict: ``partner`` (Partner fields other than the period and price
year), ``inputs``, ``impact_map`` (rows; ``ranges: False`` skips the default deadweight and
attribution ranges, ``dist`` sets their shape), ``survey`` (outcome_id to the factors asked),
optionally ``exactly_three`` (an (outcome_id, factor) asked of exactly three respondents),
``baseline``, ``calendar`` (funder, report, frequency, first due date, how many), ``quality_marks``
(mark, awarded, expiry or None), ``case_studies``, and optionally ``star`` (star, areas,
(lowest, highest) score)."""


# --------------------------------------------------------------------------------------
# Generation, one small step per sheet
# --------------------------------------------------------------------------------------

def _rng(seed: int, partner_number: int, stream: int) -> np.random.Generator:
    """An independent random stream for one partner and one purpose."""
    return np.random.default_rng([seed, partner_number, stream])


def partner_fields(definition: dict[str, Any]) -> dict[str, Any]:
    """The Partner sheet: the definition's fields plus the shared period and price year."""
    return {**definition["partner"], "period_start": PERIOD_START, "period_end": PERIOD_END,
            "price_year": PRICE_YEAR}


def impact_map_frame(definition: dict[str, Any]) -> pd.DataFrame:
    """The ImpactMap sheet, with deadweight and attribution ranges (central ± 0.10,
    clipped to 0-1) on every row not marked ``ranges: False``."""
    rows = []
    for given in definition["impact_map"]:
        row = {k: v for k, v in given.items() if k not in ("ranges", "dist")}
        row.setdefault("start_year", 1)
        row.setdefault("leakage", 0.0)
        if given.get("ranges", True):
            for factor in ("deadweight", "attribution"):
                central = float(row[factor])
                row[f"{factor}_low"] = round(max(0.0, central - 0.10), 2)
                row[f"{factor}_high"] = round(min(1.0, central + 0.10), 2)
                row[f"{factor}_dist"] = given.get("dist", "pert")
        rows.append(row)
    return pd.DataFrame(rows)


def reporting_calendar_frame(definition: dict[str, Any]) -> pd.DataFrame:
    """The ReportingCalendar sheet: each recurring report expanded into its due dates."""
    step = {"monthly": 1, "quarterly": 3, "annual": 12, "one-off": 0}
    rows = []
    for funder, report, frequency, first_due, count in definition["calendar"]:
        for k in range(count):
            rows.append({"funder": funder, "report": report, "due_date": _add_months(first_due, step[frequency] * k),
                         "frequency": frequency})
    return pd.DataFrame(rows).sort_values(["due_date", "funder"], kind="stable").reset_index(drop=True)


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quality_marks_frame(definition: dict[str, Any]) -> pd.DataFrame:
    """The QualityMarks sheet."""
    return pd.DataFrame([{"mark": m, "awarded_date": a, "expiry_date": e} for m, a, e in definition["quality_marks"]])


def _survey_answer(central: float, factor: str, rng: np.random.Generator) -> str:
    """One respondent's answer near the map's central value: usually an anchored answer
    (answer k of five means (k - 1) x 25%), sometimes a typed percentage."""
    belief = float(np.clip(central + rng.normal(0.0, 0.12), 0.0, 1.0))
    if rng.random() < 0.2:
        return f"{int(round(belief * 20)) * 5}%"
    return anchored_answers(factor)[int(round(belief * 4))]


def deflator_survey_frame(definition: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """The DeflatorSurvey sheet: for each (outcome, factor) asked, 3 to 15 respondents
    from the partner's pool R01..R15 (exactly three for ``exactly_three``)."""
    centrals = {row["outcome_id"]: row for row in definition["impact_map"]}
    rows = []
    for outcome_id, factors in definition["survey"].items():
        for factor in factors:
            count = 3 if definition.get("exactly_three") == (outcome_id, factor) else int(rng.integers(4, SURVEY_POOL + 1))
            chosen = np.sort(rng.choice(SURVEY_POOL, size=count, replace=False)) + 1
            for number in chosen:
                rows.append({"respondent_ref": f"R{number:02d}", "outcome_id": outcome_id, "factor": factor,
                             "answer": _survey_answer(float(centrals[outcome_id][factor]), factor, rng)})
    return pd.DataFrame(rows)


def star_readings_frame(definition: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame | None:
    """The StarReadings sheet (None for a partner without a star): 20 to 60 people, 2 to 4
    readings each, 8 to 17 weeks apart, scores starting low and tending to improve."""
    star = definition.get("star")
    if star is None:
        return None
    lowest, highest = star["scale"]
    span = highest - lowest
    rows = []
    for person in range(1, int(rng.integers(20, 61)) + 1):
        readings = int(rng.integers(2, 5))
        first = PERIOD_START + dt.timedelta(days=int(rng.integers(0, 180)))
        dates = [first]
        for _ in range(readings - 1):
            dates.append(dates[-1] + dt.timedelta(days=int(rng.integers(56, 120))))
        for area in star["areas"]:
            level = lowest + span * rng.normal(0.3, 0.12)
            for number, day in enumerate(dates, start=1):
                score = int(np.clip(round(level), lowest, highest))
                rows.append({"person_ref": f"P{person:03d}", "star": star["star"], "area": area,
                             "reading_number": number, "reading_date": day, "score": score})
                level += span * rng.normal(0.10, 0.08)
    return pd.DataFrame(rows)


def partner_workbook_data(definition: dict[str, Any], seed: int, partner_number: int
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Partner fields and every other sheet of one partner's workbook.

    Returns
    -------
    (dict, dict)
        Partner fields, and sheet name to a DataFrame (``"Baseline"``: a dict of fields).
    """
    tables: dict[str, Any] = {
        "Inputs": pd.DataFrame(definition["inputs"]),
        "ImpactMap": impact_map_frame(definition),
        "Baseline": dict(definition["baseline"]),
        "ReportingCalendar": reporting_calendar_frame(definition),
        "QualityMarks": quality_marks_frame(definition),
        "DeflatorSurvey": deflator_survey_frame(definition, _rng(seed, partner_number, _STREAM_SURVEY)),
        "CaseStudies": pd.DataFrame(definition["case_studies"]),
    }
    stars = star_readings_frame(definition, _rng(seed, partner_number, _STREAM_STARS))
    if stars is not None:
        tables["StarReadings"] = stars
    return partner_fields(definition), tables


def example_collection(seed: int = DEFAULT_SEED) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every example partner's data, keyed by partner_id, without writing files."""
    return {d["partner"]["partner_id"]: partner_workbook_data(d, seed, number)
            for number, d in enumerate(PARTNERS, start=1)}


README = """# Example collection (illustrative, fictional)

These six partner workbooks describe **fictional** County Durham VCSE organisations. The
organisations, people, quantities, deflators, survey answers, star readings, quality marks and
case studies are **illustrative and made up**: plausible and internally consistent, chosen to
exercise every sheet of the partner workbook, every County Durham Pound theme (Jobs, Growth,
Social, Environment, Innovation) and both purposes (evaluative and forecast). They are not
evidence about any real organisation, and the names of funders and places are used only to make
the examples realistic. The proxies are real, cited rows of the svlib proxy library.

| partner_id | organisation | area | purpose |
|---|---|---|---|
{table}

The files are generated, not edited by hand. Regenerate them (same seed, same content) with:

    python -m svlib.tools.example_partners data/raw/example

(seed {seed}; `--seed N` gives another draw of the survey answers and star readings).
"""


def write_example_collection(folder: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the six example partner workbooks and a README into ``folder``.

    Parameters
    ----------
    folder : path
        Created if needed. Files are written atomically; other files are left alone.
    seed : int
        Seed for the survey answers and star readings.

    Returns
    -------
    list of Path
        ``<partner_id>.xlsx`` for each partner (in :data:`PARTNERS` order), then ``README.md``.
    """
    folder = Path(folder)
    written = []
    for partner_id, (partner, tables) in example_collection(seed).items():
        written.append(write_workbook(folder / f"{partner_id}.xlsx", partner, tables))
    lines = "\n".join(f"| {d['partner']['partner_id']} | {d['partner']['name']} | {d['partner']['area']} | "
                      f"{d['partner']['purpose']} |" for d in PARTNERS)
    written.append(write_atomic(folder / "README.md", README.format(table=lines, seed=seed)))
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m svlib.tools.example_partners FOLDER [--seed N]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    seed = DEFAULT_SEED
    if "--seed" in args:
        at = args.index("--seed")
        seed = int(args[at + 1])
        del args[at:at + 2]
    if len(args) != 1:
        print("usage: python -m svlib.tools.example_partners FOLDER [--seed N]", file=sys.stderr)
        return 2
    for path in write_example_collection(args[0], seed=seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
