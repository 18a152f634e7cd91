"""The partner workbook template, filled workbooks, and the example collection.

Layout contract: docs/design.md "Partner workbook (contract)" and the docstring of svlib.io.template.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from svlib.contract import cells
from svlib.contract.questions import anchored_answers
from svlib.contract.tables import SURVEY_FACTORS, THEMES, WORKBOOK_TABLES, read_fields, read_records, sheet_columns
from svlib.core.files import sha256
from svlib.io.template import (
    ABOUT_SHEET,
    FIELDS_HEADER,
    write_template,
    write_workbook,
)
from svlib.paths import raw_collection
from svlib.reference.proxies import load_library
from svlib.tools.example_partners import (
    NON_CONSENTED_PHRASE,
    PARTNERS,
    TESTIMONY_EMAIL,
    TESTIMONY_PHONE,
    write_example_collection,
)
from svlib.validate.impact_map import check_rows, resolve_proxies
from svlib.valuation.sroi import Conventions, value_map

TABLES = {t.name: t for t in WORKBOOK_TABLES}
ROWS_TABLES = [t for t in WORKBOOK_TABLES if t.layout == "rows"]
FIELD_TABLES = [t for t in WORKBOOK_TABLES if t.layout == "fields"]
TODAY = dt.date(2026, 11, 25)
PARTNER_IDS = ["food-network", "youth-hub", "employability-cic", "befriending-service", "green-spaces-trust",
               "digital-inclusion", "food-network-forecast"]


# --------------------------------------------------------------------------------------
# helpers: read a workbook back the way the contract says a reader does
# --------------------------------------------------------------------------------------

def _is_example(row: tuple) -> bool:
    return isinstance(row[0], str) and row[0].strip().lower().startswith("e.g.")


def rows_of(wb: openpyxl.Workbook, sheet: str) -> pd.DataFrame:
    """A rows-sheet as a frame of raw cell values (examples and blank rows skipped)."""
    values = list(wb[sheet].iter_rows(values_only=True))
    header = list(values[0])
    data = [r for r in values[1:] if not _is_example(r) and not all(cells.is_blank(v) for v in r)]
    return pd.DataFrame(data, columns=header)


def fields_of(wb: openpyxl.Workbook, sheet: str) -> dict[str, Any]:
    """A fields sheet as {field: value} from columns A and B."""
    return {r[0]: r[1] for r in wb[sheet].iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}


def read_contract(path: Path) -> tuple[dict[str, Any], list]:
    """Every sheet typed against the contract (svlib.contract.tables), and every problem."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {}
    problems: list = []
    for table in WORKBOOK_TABLES:
        values = [list(r) for r in wb[table.name].iter_rows(values_only=True)]
        records = [(i + 2, r) for i, r in enumerate(values[1:]) if not _is_example(r)]
        if table.layout == "fields":
            out[table.name], found = read_fields([(n, r[:2]) for n, r in records], table, path.name)
        else:
            out[table.name], found = read_records(values[0], records, table, path.name)
        problems += found
    return out, problems


def validations(ws) -> dict[str, Any]:
    """Cell or column range -> DataValidation; keys like 'D' (a whole column) or 'B4'."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            if ":" in rng:
                min_col, min_row, max_col, max_row = range_boundaries(rng)
                assert min_col == max_col
                out[get_column_letter(min_col)] = (dv, min_row, max_row)
            else:
                out[rng] = (dv, None, None)
    return out


def column_letter_of(ws, name: str) -> str:
    for cell in ws[1]:
        if cell.value == name:
            return cell.column_letter
    raise KeyError(name)


def list_items(wb: openpyxl.Workbook, formula: str) -> list[str]:
    """The items of a list validation: inline "a,b,c" or a range such as 'About'!$A$1:$A$5."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells_range = formula.split("!")
    ws = wb[sheet.strip("'")]
    return [row[0].value for row in ws[cells_range.replace("$", "")]]


def all_cell_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


# --------------------------------------------------------------------------------------
# The blank template
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "partner.xlsx")


@pytest.fixture(scope="module")
def template_wb(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


class TestTemplateSheets:
    def test_opens_with_about_first_then_every_table_in_order(self, template_wb):
        assert template_wb.sheetnames == [ABOUT_SHEET] + [t.name for t in WORKBOOK_TABLES]

    @pytest.mark.parametrize("table", ROWS_TABLES, ids=lambda t: t.name)
    def test_rows_sheet_header_is_exactly_the_column_names(self, template_wb, table):
        header = [c.value for c in template_wb[table.name][1]]
        assert header == [c.name for c in sheet_columns(table)]
        assert header[: len(table.names)] == table.names

    def test_impact_map_offers_uncertainty_columns(self, template_wb):
        header = [c.value for c in template_wb["ImpactMap"][1]]
        for p in ("quantity", "proxy_value", "deadweight", "attribution", "drop_off"):
            assert {f"{p}_low", f"{p}_high", f"{p}_dist"} <= set(header)

    @pytest.mark.parametrize("table", FIELD_TABLES, ids=lambda t: t.name)
    def test_fields_sheet_lists_every_field_with_blank_values_and_examples(self, template_wb, table):
        ws = template_wb[table.name]
        assert tuple(c.value for c in ws[1]) == FIELDS_HEADER
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == table.names
        assert all(r[1] is None for r in rows)
        assert all(r[2] for r in rows)  # help
        assert sum(r[3] is not None for r in rows) >= len(rows) - 1  # examples

    @pytest.mark.parametrize("table", WORKBOOK_TABLES, ids=lambda t: t.name)
    def test_header_row_is_bold_and_frozen(self, template_wb, table):
        ws = template_wb[table.name]
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1] if c.value is not None)

    @pytest.mark.parametrize("table", ROWS_TABLES, ids=lambda t: t.name)
    def test_one_grey_italic_example_row_starting_eg(self, template_wb, table):
        ws = template_wb[table.name]
        first = ws["A2"]
        assert isinstance(first.value, str) and first.value.startswith("e.g. ")
        assert first.font.italic
        assert ws.max_row == 2  # nothing else: the template is blank

    def test_writing_twice_gives_identical_bytes(self, template, tmp_path):
        again = write_template(tmp_path / "again.xlsx")
        assert sha256(again) == sha256(template)

    def test_an_existing_file_is_never_replaced_without_force(self, template, tmp_path, capsys):
        from svlib.cli import main

        filled = write_workbook(tmp_path / "partner.xlsx", PARTNER, small_tables())
        before = filled.read_bytes()
        assert main(["template", str(filled)]) == 1
        assert "already exists (perhaps a partner's filled-in workbook) and was left as it is" in capsys.readouterr().err
        assert filled.read_bytes() == before
        assert main(["template", str(filled), "--force"]) == 0
        assert sha256(filled) == sha256(template)
        assert main(["template", str(tmp_path)]) == 1 and "is a folder" in capsys.readouterr().err

    def test_document_times_are_fixed(self, template_wb):
        assert template_wb.properties.created == dt.datetime(2025, 1, 1)
        assert template_wb.properties.modified == dt.datetime(2025, 1, 1)


class TestTemplateDropdowns:
    @pytest.mark.parametrize("sheet, column, choices", [
        ("ImpactMap", "theme", list(THEMES)),
        ("ImpactMap", "in_toms", ["yes", "no"]),
        ("ImpactMap", "deadweight_dist", ["pert", "triangular", "uniform", "fixed"]),
        ("Inputs", "in_kind", ["yes", "no"]),
        ("DeflatorSurvey", "factor", list(SURVEY_FACTORS)),
        ("ReportingCalendar", "frequency", ["one-off", "monthly", "quarterly", "annual"]),
        ("CaseStudies", "consent", ["yes", "no"]),
        ("CaseStudies", "anonymised", ["yes", "no"]),
    ])
    def test_choice_and_yes_no_columns_have_strict_dropdowns(self, template_wb, sheet, column, choices):
        ws = template_wb[sheet]
        dv, first, last = validations(ws)[column_letter_of(ws, column)]
        assert dv.type == "list"
        assert list_items(template_wb, dv.formula1) == choices
        assert dv.showErrorMessage
        assert first == 2 and last >= 1000

    def test_answer_dropdown_lists_the_anchored_answers_and_allows_percentages(self, template_wb):
        ws = template_wb["DeflatorSurvey"]
        dv, first, last = validations(ws)[column_letter_of(ws, "answer")]
        assert list_items(template_wb, dv.formula1) == anchored_answers()
        for factor in SURVEY_FACTORS:
            assert set(anchored_answers(factor)) <= set(anchored_answers())
        assert not dv.showErrorMessage
        assert first == 2 and last >= 1000

    @pytest.mark.parametrize("sheet, field, choices", [
        ("Partner", "purpose", ["evaluative", "forecast"]),
        ("Partner", "organisation_type", list(TABLES["Partner"].column("organisation_type").choices)),
        ("Baseline", "commissioning_engagement", ["none", "occasional", "regular"]),
        ("Baseline", "carbon_policy", ["none", "in development", "in place"]),
        ("Baseline", "sroi_experience", ["none", "some", "assured"]),
    ])
    def test_choice_fields_have_a_dropdown_on_their_value_cell(self, template_wb, sheet, field, choices):
        ws = template_wb[sheet]
        row = next(c.row for c in ws["A"] if c.value == field)
        dv, _, _ = validations(ws)[f"B{row}"]
        assert list_items(template_wb, dv.formula1) == choices


class TestTemplateFormats:
    @pytest.mark.parametrize("sheet, column, fmt", [
        ("Inputs", "value_gbp", "£#,##0.00"),
        ("ImpactMap", "proxy_value", "£#,##0.00"),
        ("ImpactMap", "proxy_value_low", "£#,##0.00"),
        ("ImpactMap", "deadweight", "0%"),
        ("ImpactMap", "drop_off", "0%"),
        ("ImpactMap", "attribution_high", "0%"),
        ("ReportingCalendar", "due_date", "dd/mm/yyyy"),
        ("QualityMarks", "expiry_date", "dd/mm/yyyy"),
        ("StarReadings", "reading_date", "dd/mm/yyyy"),
    ])
    def test_money_percentage_and_date_columns_are_formatted(self, template_wb, sheet, column, fmt):
        ws = template_wb[sheet]
        letter = column_letter_of(ws, column)
        assert ws.column_dimensions[letter].number_format == fmt
        example = ws[f"{letter}2"]
        if example.value is not None:
            assert example.number_format == fmt

    @pytest.mark.parametrize("sheet, field, fmt", [
        ("Partner", "period_start", "dd/mm/yyyy"), ("Baseline", "public_contract_value_gbp", "£#,##0.00"),
    ])
    def test_field_value_cells_are_formatted(self, template_wb, sheet, field, fmt):
        ws = template_wb[sheet]
        row = next(c.row for c in ws["A"] if c.value == field)
        assert ws[f"B{row}"].number_format == fmt

    def test_columns_have_sensible_widths(self, template_wb):
        ws = template_wb["ImpactMap"]
        widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column + 1)]
        assert all(8 <= w <= 90 for w in widths)


@pytest.fixture(scope="module")
def about(template_wb) -> str:
    return "\n".join(str(r[0]) for r in template_wb[ABOUT_SHEET].iter_rows(values_only=True) if r[0])


class TestAboutSheet:
    def test_explains_every_sheet_and_every_column(self, about):
        for table in WORKBOOK_TABLES:
            assert table.name in about
            for column in table.columns:
                assert f"{column.name} (" in about, column.name
            if table.help:
                assert table.help in about
        for table in WORKBOOK_TABLES:
            for column in table.columns:
                if column.help:
                    assert column.help in about

    @pytest.mark.parametrize("words", [
        "Deadweight", "Displacement", "Attribution", "Drop-off", "Leakage", "Example:",
        "the year whose prices your money figures are in; if your figures are from your 2024 accounts, write 2024",
        "25% or 0.25", "Never write 25", "\"e.g.\"", "consent", "anonymised", "dd/mm/yyyy", "Social Return On Investment",
    ])
    def test_says_in_plain_english(self, about, words):
        assert words in about

    def test_lists_the_anchored_answers(self, about):
        for answer in anchored_answers():
            assert answer in about


# --------------------------------------------------------------------------------------
# Filled workbooks
# --------------------------------------------------------------------------------------

PARTNER = {"partner_id": "test-partner", "name": "Test Partner", "organisation_type": "CIC", "area": "Seaham",
           "purpose": "forecast", "period_start": dt.date(2024, 4, 1), "period_end": dt.date(2025, 3, 31),
           "price_year": 2024}
BASELINE = {"commissioning_engagement": "regular", "commissioners": "Durham County Council",
            "public_contract_value_gbp": 12500.5, "carbon_policy": "in place", "net_zero_target_year": 2040,
            "data_systems": "Upshot", "sroi_experience": "some"}


def small_tables() -> dict[str, Any]:
    impact_map = pd.DataFrame([
        {"outcome_id": "A1", "stakeholder": "Young people", "outcome": "Into work", "theme": "Jobs",
         "quantity": 10, "duration": 3, "deadweight": 0.2, "displacement": 0.1, "attribution": 0.25,
         "drop_off": 0.5, "proxy_value": 1234.56, "proxy_year": 2023, "start_year": 2, "in_toms": "yes",
         "deadweight_low": 0.1, "deadweight_high": 0.3, "deadweight_dist": "triangular"},
        {"outcome_id": "A2", "stakeholder": "Volunteers", "outcome": "Volunteered", "theme": "Growth",
         "quantity": 4.5, "duration": 1, "deadweight": "30%", "displacement": 0.0, "attribution": 0.0,
         "drop_off": 0.0, "proxy_id": "GRO-03", "proxy_value": np.nan, "in_toms": "no"},
    ])
    return {
        "Inputs": pd.DataFrame([{"input_id": "IN1", "source": "Grant", "value_gbp": 50000.0, "in_kind": "no"},
                                {"input_id": "IN2", "source": "Volunteers", "description": "100 hours",
                                 "value_gbp": "£1,144", "in_kind": "yes"}]),
        "ImpactMap": impact_map,
        "Baseline": BASELINE,
        "QualityMarks": pd.DataFrame([{"mark": "Cyber Essentials", "awarded_date": pd.Timestamp("2025-02-03"),
                                       "expiry_date": pd.NaT}]),
        "DeflatorSurvey": pd.DataFrame([{"respondent_ref": "R01", "outcome_id": "A1", "factor": "deadweight",
                                         "answer": "30%"}]),
    }


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("filled") / "p.xlsx", PARTNER, small_tables())


@pytest.fixture(scope="module")
def wb(written) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written)


class TestWriteWorkbook:
    def test_same_sheets_and_headers_as_the_template(self, wb, template_wb):
        assert wb.sheetnames == template_wb.sheetnames
        for name in wb.sheetnames[1:]:
            assert [c.value for c in wb[name][1]] == [c.value for c in template_wb[name][1]]

    def test_partner_and_baseline_fields_round_trip(self, wb):
        partner = fields_of(wb, "Partner")
        assert partner["period_start"] == dt.datetime(2024, 4, 1)  # a real Excel date
        assert {k: (v.date() if isinstance(v, dt.datetime) else v) for k, v in partner.items()
                if v is not None} == PARTNER  # the optional discounting fields left blank
        assert fields_of(wb, "Baseline") == BASELINE

    def test_rows_round_trip_with_types(self, wb):
        impact = rows_of(wb, "ImpactMap")
        assert list(impact["outcome_id"]) == ["A1", "A2"]
        first, second = impact.iloc[0], impact.iloc[1]
        assert first["deadweight"] == 0.2 and first["proxy_value"] == 1234.56 and first["proxy_year"] == 2023
        assert first["start_year"] == 2 and first["deadweight_dist"] == "triangular"
        assert second["deadweight"] == 0.3  # "30%" written as the number 0.3
        assert second["proxy_id"] == "GRO-03" and pd.isna(second["proxy_value"])
        assert second["quantity"] == 4.5
        inputs = rows_of(wb, "Inputs")
        assert list(inputs["value_gbp"]) == [50000, 1144]
        assert pd.isna(inputs["description"].iloc[0])
        marks = rows_of(wb, "QualityMarks")
        assert marks["awarded_date"].iloc[0] == dt.datetime(2025, 2, 3) and pd.isna(marks["expiry_date"].iloc[0])
        assert rows_of(wb, "DeflatorSurvey")["answer"].iloc[0] == "30%"  # answers stay text

    def test_data_cells_carry_number_formats(self, wb):
        ws = wb["ImpactMap"]
        assert ws[f"{column_letter_of(ws, 'deadweight')}2"].number_format == "0%"
        assert ws[f"{column_letter_of(ws, 'proxy_value')}2"].number_format == "£#,##0.00"
        assert wb["QualityMarks"]["B2"].number_format == "dd/mm/yyyy"

    def test_no_example_rows_by_default_and_row_two_with_them(self, wb, tmp_path):
        assert not _is_example(next(wb["ImpactMap"].iter_rows(min_row=2, values_only=True)))
        path = write_workbook(tmp_path / "ex.xlsx", PARTNER, small_tables(), example_rows=True)
        ws = openpyxl.load_workbook(path)["ImpactMap"]
        assert ws["A2"].value.startswith("e.g. ") and ws["A3"].value == "A1"

    def test_reads_back_against_the_contract_without_problems(self, written):
        data, problems = read_contract(written)
        assert [str(p) for p in problems] == []
        assert data["Partner"]["partner_id"] == "test-partner"
        assert data["ImpactMap"]["deadweight"].tolist() == [0.2, 0.3]
        assert len(data["StarReadings"]) == 0  # a sheet not given: header only

    def test_baseline_as_one_row_table_is_the_same(self, tmp_path, written):
        tables = small_tables()
        tables["Baseline"] = pd.DataFrame([BASELINE])
        again = write_workbook(tmp_path / "same.xlsx", PARTNER, tables)
        assert all_cell_values(again) == all_cell_values(written)

    def test_unknown_columns_and_sheets_are_refused(self, tmp_path):
        tables = small_tables()
        tables["Inputs"] = tables["Inputs"].assign(colour="red")
        with pytest.raises(ValueError, match="colour"):
            write_workbook(tmp_path / "x.xlsx", PARTNER, tables)
        with pytest.raises(ValueError, match="Impactmap"):
            write_workbook(tmp_path / "x.xlsx", PARTNER, {"Impactmap": pd.DataFrame()})
        assert not (tmp_path / "x.xlsx").exists()


# --------------------------------------------------------------------------------------
# The example collection
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def collection(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("example")
    paths = write_example_collection(folder)
    return {p.stem if p.suffix == ".xlsx" else p.name: p for p in paths}


@pytest.fixture(scope="module")
def typed(collection) -> dict[str, dict[str, Any]]:
    out = {}
    for partner_id in PARTNER_IDS:
        data, problems = read_contract(collection[partner_id])
        assert [str(p) for p in problems if p.severity == "error"] == []
        out[partner_id] = data
    return out


class TestExampleCollectionFiles:
    def test_seven_workbooks_and_a_readme(self, collection):
        assert sorted(collection) == sorted(PARTNER_IDS + ["README.md"])
        assert [d["partner"]["partner_id"] for d in PARTNERS] == PARTNER_IDS

    def test_readme_says_fictional_and_how_to_regenerate(self, collection):
        text = collection["README.md"].read_text(encoding="utf-8")
        assert "fictional" in text and "illustrative" in text
        assert "python -m svlib.tools.example_partners data/raw/example" in text

    def test_every_workbook_is_valid_against_the_contract(self, typed):
        assert set(typed) == set(PARTNER_IDS)

    def test_same_seed_gives_identical_cell_contents(self, collection, tmp_path):
        again = {p.name: p for p in write_example_collection(tmp_path)}
        for partner_id in PARTNER_IDS:
            assert all_cell_values(again[f"{partner_id}.xlsx"]) == all_cell_values(collection[partner_id])

    def test_another_seed_changes_only_the_seeded_sheets(self, collection, tmp_path):
        other = {p.name: p for p in write_example_collection(tmp_path, seed=7)}
        before, after = all_cell_values(collection["youth-hub"]), all_cell_values(other["youth-hub.xlsx"])
        assert before["StarReadings"] != after["StarReadings"]
        assert before["ImpactMap"] == after["ImpactMap"]

    def test_the_generator_command_takes_a_folder_and_a_seed(self, collection, tmp_path, capsys):
        from svlib.tools.example_partners import main

        assert main([str(tmp_path / "seven"), "--seed", "7"]) == 0
        assert (tmp_path / "seven" / "youth-hub.xlsx").is_file()
        assert all_cell_values(tmp_path / "seven" / "youth-hub.xlsx")["StarReadings"] != all_cell_values(
            collection["youth-hub"])["StarReadings"]
        for wrong in ([], ["a", "b"], [str(tmp_path / "x"), "--seed", "seven"]):
            with pytest.raises(SystemExit) as stopped:
                main(wrong)
            assert stopped.value.code == 2
        assert "usage: python -m svlib.tools.example_partners" in capsys.readouterr().err
        assert not (tmp_path / "x").exists()

    def test_bundled_collection_is_what_the_generator_makes(self, collection):
        bundled = raw_collection("example")
        if not (bundled / "food-network.xlsx").is_file():
            pytest.skip("data/raw/example not generated")
        for partner_id in PARTNER_IDS:
            assert all_cell_values(bundled / f"{partner_id}.xlsx") == all_cell_values(collection[partner_id]), (
                "regenerate with: python -m svlib.tools.example_partners data/raw/example")


class TestExampleCollectionContent:
    def test_partner_fields(self, typed):
        purposes = set()
        for partner_id, data in typed.items():
            partner = data["Partner"]
            assert partner["partner_id"] == partner_id
            assert partner["period_start"] == dt.date(2024, 4, 1) and partner["period_end"] == dt.date(2025, 3, 31)
            assert partner["price_year"] == 2024
            purposes.add(partner["purpose"])
        assert purposes == {"evaluative", "forecast"}

    def test_inputs_total_40k_to_250k_with_money_and_in_kind(self, typed):
        for data in typed.values():
            inputs = data["Inputs"]
            assert 40_000 <= inputs["value_gbp"].sum() <= 250_000
            assert set(inputs["in_kind"]) == {"yes", "no"}

    def test_impact_maps_cover_every_theme_and_use_known_proxies(self, typed):
        library = load_library()
        themes = set()
        for partner_id, data in typed.items():
            impact = data["ImpactMap"]
            assert 4 <= len(impact) <= 8  # the green spaces trust's eighth outcome is a harm
            themes |= set(impact["theme"])
            assert check_rows(impact, library, partner_id) == []
            _, problems = resolve_proxies(impact, library, 2024, first_year=2024)  # April 2024 to March 2025
            assert [str(p) for p in problems if p.severity == "error"] == []
            assert impact[["deadweight", "displacement", "attribution"]].max().max() <= 0.6
            assert set(impact["duration"]) <= {1, 2, 3}
        assert themes == set(THEMES)

    def test_maps_mix_start_years_toms_and_ranges(self, typed):
        maps = pd.concat([d["ImpactMap"] for d in typed.values()])
        assert (maps["start_year"] == 2).any()
        assert set(maps["in_toms"]) == {"yes", "no"}
        assert maps["deadweight_low"].notna().mean() > 0.5 and maps["attribution_dist"].isin(["pert"]).any()

    def test_sroi_ratios_are_plausible(self, typed):
        library = load_library()
        for partner_id, data in typed.items():
            resolved, _ = resolve_proxies(data["ImpactMap"], library, 2024, first_year=2024)
            ratio = value_map(resolved, data["Inputs"]["value_gbp"].sum(), Conventions(price_year=2024)).sroi_ratio
            assert 1.5 <= ratio <= 6, (partner_id, ratio)

    def test_baselines_are_complete_and_varied(self, typed):
        baselines = [d["Baseline"] for d in typed.values()]
        for field in ("commissioning_engagement", "carbon_policy", "sroi_experience"):
            assert len({b[field] for b in baselines}) >= 2, field
        assert any(not pd.isna(b["net_zero_target_year"]) for b in baselines)
        assert all(b["data_systems"] for b in baselines)

    def test_reporting_calendars(self, typed):
        frequencies = set()
        for data in typed.values():
            calendar = data["ReportingCalendar"]
            assert 3 <= len(calendar) <= 8
            assert all(2025 <= d.year <= 2026 for d in calendar["due_date"])
            frequencies |= set(calendar["frequency"])
        assert len(frequencies) >= 3

    def test_quality_marks_in_date_expiring_soon_and_expired(self, typed):
        expiries = [d for data in typed.values() for d in data["QualityMarks"]["expiry_date"] if not pd.isna(d)]
        assert any(d > dt.date(2027, 2, 28) for d in expiries)
        assert any(dt.date(2026, 12, 1) <= d <= dt.date(2027, 2, 28) for d in expiries)
        assert any(d < dt.date(2026, 11, 1) for d in expiries)
        assert all(d > TODAY or d < dt.date(2026, 11, 1) for d in expiries)

    def test_deflator_survey_refers_to_mapped_outcomes_with_3_to_15_answers(self, typed):
        counts = []
        for data in typed.values():
            survey = data["DeflatorSurvey"]
            assert set(survey["outcome_id"]) <= set(data["ImpactMap"]["outcome_id"])
            per_question = survey.groupby(["outcome_id", "factor"]).size()
            assert per_question.between(3, 15).all()
            assert not survey.duplicated(["respondent_ref", "outcome_id", "factor"]).any()
            for factor, answer in zip(survey["factor"], survey["answer"]):
                assert answer in anchored_answers(factor) or re.fullmatch(r"\d{1,3}%", answer), answer
            counts += list(per_question)
        assert 3 in counts and len(set(counts)) >= 5

    def test_star_readings(self, typed):
        users = {pid: d["StarReadings"] for pid, d in typed.items() if len(d["StarReadings"])}
        assert 3 <= len(users) <= 4
        top_scores = set()
        for partner_id, stars in users.items():
            people = stars.groupby("person_ref")
            assert 20 <= people.ngroups <= 60
            for _, person in people:
                for _, area in person.groupby("area"):
                    numbers = sorted(area["reading_number"])
                    assert 2 <= len(numbers) <= 4 and numbers == list(range(1, len(numbers) + 1))
                    dates = list(area.sort_values("reading_number")["reading_date"])
                    assert dates == sorted(dates) and len(set(dates)) == len(dates)
            first = stars[stars["reading_number"] == 1]["score"].mean()
            last = stars.loc[stars.groupby(["person_ref", "area"])["reading_number"].idxmax(), "score"].mean()
            assert last > first, partner_id
            top_scores.add(stars["score"].max())
            assert stars["score"].min() >= 1
        assert any(t <= 5 for t in top_scores) and any(t > 5 for t in top_scores)

    def test_case_studies_link_to_outcomes_with_mixed_consent(self, typed):
        consents = set()
        for partner_id, data in typed.items():
            cases = data["CaseStudies"]
            if partner_id == "food-network-forecast":  # a forecast, made before the year: no testimonies yet
                assert len(cases) == 0
                continue
            assert 2 <= len(cases) <= 5
            outcome_ids = set(data["ImpactMap"]["outcome_id"])
            for listed in cases["outcome_ids"]:
                assert {x.strip() for x in listed.split(",")} <= outcome_ids
            consents |= set(cases["consent"])
        assert consents == {"yes", "no"}
        all_cases = pd.concat([d["CaseStudies"] for d in typed.values()])
        with_phrase = all_cases[all_cases["text"].str.contains(NON_CONSENTED_PHRASE, regex=False)]
        assert len(with_phrase) == 1 and with_phrase["consent"].iloc[0] == "no"
        with_contact = all_cases[all_cases["text"].str.contains(TESTIMONY_EMAIL, regex=False)]
        assert len(with_contact) == 1 and with_contact["consent"].iloc[0] == "yes"
        assert TESTIMONY_PHONE in with_contact["text"].iloc[0]
        assert set(all_cases["anonymised"]) == {"yes", "no"}

    def test_money_and_fractions_are_stored_as_numbers(self, collection):
        wb = openpyxl.load_workbook(collection["food-network"])
        ws = wb["ImpactMap"]
        cell = ws[f"{column_letter_of(ws, 'deadweight')}2"]
        assert isinstance(cell.value, float) and cell.number_format == "0%"
        assert not math.isnan(cell.value)
        assert wb["Inputs"]["D2"].number_format == "£#,##0.00"
