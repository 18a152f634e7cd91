"""Reading partner workbooks: every bad input gives its own message at the right sheet,
row and column; nothing ever raises; raw files are never modified."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svlib.cli import main
from svlib.core.files import sha256
from svlib.io.template import write_template
from svlib.tools.example_partners import UNLISTED_NAME
from svlib.validate.partner import read_partner
from tests.workbooks import (
    cache_formula_value,
    column_of,
    declare_smaller,
    edit,
    far_row,
    field_row,
    rewrite_sheet,
    write_csv_partner,
    write_far_cell,
    write_partner,
    write_zip_bomb,
)


def messages(path: Path) -> list[str]:
    data, problems = read_partner(path)
    return [str(p) for p in problems if p.severity == "error"]


def has(found: list[str], prefix: str, *fragments: str) -> bool:
    return any(m.startswith(prefix) and all(f in m for f in fragments) for m in found)


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_partner(tmp_path / "partner.xlsx")


def test_a_valid_workbook_reads_cleanly(workbook):
    data, problems = read_partner(workbook)
    assert data is not None, [str(p) for p in problems]
    assert data.partner_id == "food-network"
    assert data.investment > 0
    assert set(data.tables) >= {"Inputs", "ImpactMap", "DeflatorSurvey"}
    assert data.tables["DeflatorSurvey"]["fraction"].between(0, 1).all()


def test_the_template_filled_in_programmatically_validates_and_builds(tmp_path):
    path = write_template(tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(path)
    partner = book["Partner"]
    values = {"partner_id": "new-group", "name": "Café Ünïcode 🌱 group", "organisation_type": "CIC",
              "area": "Seaham", "purpose": "forecast", "period_start": "01/04/2025",
              "period_end": dt.datetime(2026, 3, 31), "price_year": 2024}
    for row in partner.iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    inputs = book["Inputs"]
    inputs.append(["IN1", "Town council", "grant", "£12,500", "no"])
    impact = book["ImpactMap"]
    header = [c.value for c in impact[1]]
    row = dict(outcome_id="G1", stakeholder="Residents", outcome="Felt less lonely", theme="social", quantity=30,
               duration=1, deadweight="30%", displacement=0, attribution=0.25, drop_off="0%", proxy_id="SOC-03",
               proxy_year=2023)
    impact.append([row.get(h) for h in header])
    book.save(path)
    data, problems = read_partner(path)
    assert data is not None, [str(p) for p in problems]
    assert data.partner["name"] == "Café Ünïcode 🌱 group"
    assert data.partner["period_start"] == dt.date(2025, 4, 1)
    assert data.tables["ImpactMap"].loc[0, "deadweight"] == 0.3
    assert len(data.tables["Inputs"]) == 1  # the "e.g." example row is ignored
    raw = tmp_path / "raw"
    raw.mkdir()
    path.rename(raw / "new-group.xlsx")
    assert main(["build", str(raw), str(tmp_path / "processed")]) == 0
    assert "Café Ünïcode 🌱 group" in (tmp_path / "processed" / "partner.csv").read_text(encoding="utf-8")


def test_an_example_row_typed_over_is_an_error_not_silently_dropped(tmp_path):
    # A partner keeps "e.g. IN1" in A2 of Inputs and types their own grant over B2:D2.
    workbook = write_partner(tmp_path / "partner.xlsx", example_rows=True)
    edit(workbook, "Inputs", {"B2": "County council", "C2": "Core grant", "D2": "£45,000"})
    found = messages(workbook)
    assert found == [f"{workbook}:Inputs:2:source: this row starts with 'e.g. IN1', so it is read as the template's "
                     "example and ignored, but source, description, value_gbp differ from the example; if the row is "
                     "yours, replace 'e.g. IN1' with your own input_id, or delete the row if it is only the example"]
    # the example left as the template wrote it (every sheet's) is ignored without a word
    untouched = write_partner(tmp_path / "untouched.xlsx", example_rows=True)
    data, problems = read_partner(untouched)
    planted = f"'{UNLISTED_NAME}' (a first name)"  # the example partner's own testimony names someone, on purpose
    assert data is not None and not [p for p in problems if p.severity != "note" and planted not in str(p)]
    assert "e.g. IN1" not in set(data.tables["Inputs"]["input_id"])
    # the same in a CSV folder, with the example's own values written as text
    folder = write_csv_partner(tmp_path / "csv")
    with open(folder / "Inputs.csv", "a", encoding="utf-8") as handle:
        handle.write("e.g. IN1,National Lottery Community Fund,60000\ne.g. IN2,Own fundraising,800\n")
    assert messages(folder) == [f"{folder / 'Inputs.csv'}:Inputs:4:input_id: this row starts with 'e.g. IN2', so it "
                                "is read as the template's example and ignored, but input_id, source, value_gbp "
                                "differ from the example; if the row is yours, replace 'e.g. IN2' with your own "
                                "input_id, or delete the row if it is only the example"]


def test_money_text_with_a_point_before_three_digits_is_refused_not_guessed(workbook):
    # "1.200" is £1,200 where a point groups thousands and £1.20 in the UK. "412.125" is
    # what a program writes for that number (no trailing zero), so it is read; "1,200" and
    # "1200.50" are unambiguous.
    money = column_of(workbook, "Inputs", "value_gbp")
    edit(workbook, "Inputs", {f"{money}2": "1.200", f"{money}3": "£ 12.500", f"{money}4": "1200.50"})
    assert messages(workbook) == [
        f"{workbook}:Inputs:2:value_gbp: '1.200' is unclear: where a point separates thousands it is £1,200, but in "
        "the UK it is £1.20; write 1200 or 1.20",
        f"{workbook}:Inputs:3:value_gbp: '£ 12.500' is unclear: where a point separates thousands it is £12,500, but "
        "in the UK it is £12.50; write 12500 or 12.50"]
    edit(workbook, "Inputs", {f"{money}2": "1.20", f"{money}3": "412.125"})
    data, problems = read_partner(workbook)
    assert list(data.tables["Inputs"]["value_gbp"][:3]) == [1.2, 412.125, 1200.5]


def test_unreadable_inputs_are_not_also_reported_as_adding_up_to_nothing(workbook):
    money = column_of(workbook, "Inputs", "value_gbp")
    rows = range(2, 2 + len(read_partner(workbook)[0].tables["Inputs"]))
    edit(workbook, "Inputs", {f"{money}{row}": "1200 GBP" if row == 2 else "(500)" for row in rows})
    found = messages(workbook)
    assert [m.split(": ", 1)[0] for m in found] == [f"{workbook}:Inputs:{row}:value_gbp" for row in rows]
    assert not any("add up to nothing" in m for m in found)
    edit(workbook, "Inputs", {f"{money}{row}": 0 for row in rows})  # readable, and nothing: still refused
    assert messages(workbook) == [f"{workbook}:Inputs:2:value_gbp: the inputs add up to nothing; an SROI needs the "
                                  "money and in-kind inputs invested"]


def test_an_outcome_id_differing_only_in_case_gets_a_hint(workbook):
    outcome = column_of(workbook, "DeflatorSurvey", "outcome_id")
    known = read_partner(workbook)[0].tables["ImpactMap"]["outcome_id"][0]
    edit(workbook, "DeflatorSurvey", {f"{outcome}2": known.lower()})
    assert has(messages(workbook), f"{workbook}:DeflatorSurvey:2:outcome_id: outcome_id '{known.lower()}' is not in "
               f"the ImpactMap sheet (did you mean '{known}'? ids must match exactly, capitals included)")


def test_a_proxy_value_without_a_source_is_warned_about(tmp_path):
    folder = write_csv_partner(tmp_path / "csv")  # C1 has proxy_value 400 and no proxy_source column
    data, problems = read_partner(folder)
    assert data is not None  # a warning: the partner still builds
    assert [str(p) for p in problems if p.severity == "warning"] == [
        f"{folder / 'ImpactMap.csv'}:ImpactMap:2:proxy_source: warning: proxy_value 400.00 has no proxy_source: say "
        "where the figure comes from (a published study, a unit-cost table, your own costing) so that a reader can "
        "trace it"]
    text = (folder / "ImpactMap.csv").read_text(encoding="utf-8").splitlines()
    (folder / "ImpactMap.csv").write_text(f"{text[0]},proxy_source\n{text[1]},Own costing 2024\n", encoding="utf-8")
    assert not [p for p in read_partner(folder)[1] if p.severity == "warning"]


def test_implausible_horizons_and_star_scores_are_warned_about(tmp_path):
    workbook = write_partner(tmp_path / "youth.xlsx", base="youth-hub")  # a partner with star readings
    duration, start = column_of(workbook, "ImpactMap", "duration"), column_of(workbook, "ImpactMap", "start_year")
    score = column_of(workbook, "StarReadings", "score")
    edit(workbook, "ImpactMap", {f"{duration}2": 50, f"{start}3": 11})
    edit(workbook, "StarReadings", {f"{score}2": 11, f"{score}3": 10})
    data, problems = read_partner(workbook)
    assert data is not None  # warnings only: the partner still builds
    warnings = [str(p) for p in problems if p.severity == "warning"]
    assert f"{workbook}:ImpactMap:2:duration: warning: duration 50 reaches beyond 10 years; an outcome valued " \
           "that far ahead needs strong evidence that it lasts (and discounting shrinks it): check it" in warnings
    assert any(w.startswith(f"{workbook}:ImpactMap:3:start_year: warning: start_year 11 reaches") for w in warnings)
    assert [w for w in warnings if ":StarReadings:" in w] == [
        f"{workbook}:StarReadings:2:score: warning: score 11 is above 10, the top of an Outcomes Star scale; check it"]


def test_contact_details_in_a_case_study_marked_anonymised_are_warned_about(tmp_path):
    workbook = write_partner(tmp_path / "befriending.xlsx", base="befriending-service")
    text = column_of(workbook, "CaseStudies", "text")
    edit(workbook, "CaseStudies", {f"{text}3": "She now rings us on 0191 498 0123 (an Ofcom drama number) from her flat in DH9 7XY."})
    data, problems = read_partner(workbook)
    assert data is not None
    # row 2 (CS1) holds an email and phone too, but is marked anonymised = no: shared pages leave it out
    assert [str(p) for p in problems if p.sheet == "CaseStudies"] == [
        f"{workbook}:CaseStudies:3:text: warning: anonymised is yes, but the text holds what looks like a phone number "
        "and a postcode; shared pages remove such details, but take them out of the workbook too"]


def test_a_title_row_above_the_headers_is_named_as_such(workbook):
    book = openpyxl.load_workbook(workbook)
    book["Inputs"].insert_rows(1)
    book["Inputs"]["A1"] = "Our inputs 2024-25"
    book.save(workbook)
    assert messages(workbook) == [f"{workbook}:Inputs:1:: the headers must be in row 1, but row 2 looks like the header "
                                  "row (it has input_id, source, value_gbp); delete the rows above it"]


@pytest.mark.parametrize("year", [2026, 1950])
def test_a_price_year_the_index_does_not_reach_is_reported_at_the_partner_sheet(tmp_path, year):
    # The shipped CPI runs 1988-2025 (svlib/data/cpi_index.csv); outside it no value can be rebased.
    workbook = write_partner(tmp_path / "partner.xlsx", price_year=year)
    row = field_row(workbook, "Partner", "price_year")
    assert messages(workbook) == [
        f"{workbook}:Partner:{row}:value: price_year {year} is outside the years of the consumer price index (CPI) "
        f"svlib holds (1988-2025), so no value can be restated in {year} prices; write a year from 1988 to 2025, "
        "such as the year of the accounts your figures come from"]


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text", encoding="utf-8")
    assert messages(path) == [f"{path}::::: not an .xlsx workbook (expected a file saved from Excel or LibreOffice as .xlsx)"
                              .replace(":::::", "::::")]


def test_other_spreadsheet_formats_get_a_save_as_message(tmp_path):
    # An OpenDocument spreadsheet is a zip whose first entry, "mimetype", names the type
    # (OASIS ODF 1.2 part 3, section 3.3); a binary .xlsb holds xl/workbook.bin.
    ods = tmp_path / "group.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    xlsb = tmp_path / "group.xlsb"
    with zipfile.ZipFile(xlsb, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    flat = tmp_path / "group.fods"  # flat OpenDocument: one XML file
    flat.write_text('<?xml version="1.0"?><office:document office:mimetype='
                    '"application/vnd.oasis.opendocument.spreadsheet"/>', encoding="utf-8")
    package = tmp_path / "group.numbers"  # older Numbers files are folders
    (package / "Index").mkdir(parents=True)
    assert messages(ods) == [f"{ods}:::: this is an OpenDocument spreadsheet (.ods), LibreOffice's own format, which "
                             "svlib does not read; in LibreOffice use File > Save As with the file type "
                             "'Excel 2007-365 (.xlsx)', and use that .xlsx file instead"]
    assert has(messages(flat), f"{flat}:::: this is an OpenDocument spreadsheet (.fods)", "'Excel 2007-365 (.xlsx)'")
    assert has(messages(xlsb), f"{xlsb}::::", "binary Excel workbook (.xlsb)", "'Excel Workbook (.xlsx)'")
    assert has(messages(package), f"{package}::::", "Apple Numbers", "File > Export To > Excel")
    assert messages(docx) == [f"{docx}:::: not an .xlsx workbook (expected a file saved from Excel or LibreOffice as .xlsx)"]


def test_corrupt_workbook(workbook):
    data = workbook.read_bytes()
    workbook.write_bytes(data[: len(data) // 2])
    found = messages(workbook)
    assert len(found) == 1 and "damaged" in found[0] and found[0].startswith(f"{workbook}:")


def test_password_protected_workbook(workbook, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = tmp_path / "locked.xlsx"
    with open(workbook, "rb") as plain, open(encrypted, "wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    found = messages(encrypted)
    assert len(found) == 1 and "password-protected" in found[0]


def test_missing_required_sheet_and_extra_sheet(workbook):
    book = openpyxl.load_workbook(workbook)
    book["ImpactMap"].title = "Outcomes"
    book.create_sheet("My notes")
    book.save(workbook)
    data, problems = read_partner(workbook)
    text = [str(p) for p in problems]
    assert data is None
    assert f"{workbook}:ImpactMap::: missing required sheet 'ImpactMap'; the template has it" in text
    assert any(t.startswith(f"{workbook}:My notes::: note: sheet 'My notes' is not part of the template") for t in text)


def test_sheet_name_with_spaces_is_recognised(workbook):
    book = openpyxl.load_workbook(workbook)
    book["ImpactMap"].title = "Impact Map"
    book.save(workbook)
    data, problems = read_partner(workbook)
    assert data is not None
    assert any("read as 'ImpactMap'" in str(p) for p in problems)


def test_header_typo_suggests_the_expected_name(workbook):
    letter = column_of(workbook, "ImpactMap", "attribution")
    edit(workbook, "ImpactMap", {f"{letter}1": "atribution"})
    assert has(messages(workbook), f"{workbook}:ImpactMap:1:attribution: missing required column 'attribution'",
               "'atribution' looks like it")


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(workbook):
    book = openpyxl.load_workbook(workbook)
    ws = book["ImpactMap"]
    ws.insert_rows(3, amount=2)  # two blank rows after the first outcome
    ws[f"{column_of(workbook, 'ImpactMap', 'quantity')}6"] = "many"
    book.save(workbook)
    found = messages(workbook)
    assert found == [f"{workbook}:ImpactMap:6:quantity: expected a number (such as 12 or 1,200), got 'many'"]


def test_merged_cells_take_the_merged_value(workbook):
    book = openpyxl.load_workbook(workbook)
    ws = book["ImpactMap"]
    letter = column_of(workbook, "ImpactMap", "stakeholder")
    ws[f"{letter}3"] = ws[f"{letter}2"].value
    ws.merge_cells(f"{letter}2:{letter}3")
    book.save(workbook)
    data, problems = read_partner(workbook)
    assert data is not None, [str(p) for p in problems]
    frame = data.tables["ImpactMap"]
    assert frame.loc[0, "stakeholder"] == frame.loc[1, "stakeholder"] == "Volunteers"
    assert any(f"merged cells {letter}2:{letter}3" in str(p) for p in problems)


def test_formula_uses_its_cached_value(workbook):
    letter = column_of(workbook, "ImpactMap", "quantity")
    edit(workbook, "ImpactMap", {f"{letter}2": "=6*8"})
    cache_formula_value(workbook, "ImpactMap", f"{letter}2", "48")
    data, problems = read_partner(workbook)
    assert data is not None, [str(p) for p in problems]
    assert data.tables["ImpactMap"].loc[0, "quantity"] == 48


def test_formula_without_cached_value_is_an_error(workbook):
    letter = column_of(workbook, "ImpactMap", "quantity")
    edit(workbook, "ImpactMap", {f"{letter}3": "=6*8"})
    assert has(messages(workbook), f"{workbook}:ImpactMap:3:quantity: this formula has no calculated value")


def test_an_uncalculated_formula_is_reported_at_its_own_cell(workbook):
    # a calculated formula earlier in the row must not swallow the next cell's formula
    quantity, drop_off = column_of(workbook, "ImpactMap", "quantity"), column_of(workbook, "ImpactMap", "drop_off")
    edit(workbook, "ImpactMap", {f"{quantity}2": "=1+1", f"{drop_off}2": "=0.1*2"})
    cache_formula_value(workbook, "ImpactMap", f"{quantity}2", "2")
    found = messages(workbook)
    assert found == [f"{workbook}:ImpactMap:2:drop_off: this formula has no calculated value; open the workbook in "
                     "Excel or LibreOffice so it calculates, then save it (or type the value)"]


def test_a_formula_under_a_header_with_units_is_reported_once(workbook):
    drop_off = column_of(workbook, "ImpactMap", "drop_off")
    edit(workbook, "ImpactMap", {f"{drop_off}1": "Drop-off (%)", f"{drop_off}3": "=0.1*2"})
    found = messages(workbook)
    assert len(found) == 1 and found[0].startswith(f"{workbook}:ImpactMap:3:drop_off: this formula has no calculated")


def test_formula_error_value_is_reported(workbook):
    letter = column_of(workbook, "ImpactMap", "quantity")
    edit(workbook, "ImpactMap", {f"{letter}2": "=1/0"})
    with zipfile.ZipFile(workbook) as archive:
        names = archive.namelist()
    cache_formula_value(workbook, "ImpactMap", f"{letter}2", "#DIV/0!")
    # Excel marks an error result with t="e"
    import re  # noqa: E401
    with zipfile.ZipFile(workbook) as archive:
        contents = {n: archive.read(n) for n in names}
    part = next(n for n in names if n.startswith("xl/worksheets/") and f'r="{letter}2"'.encode() in contents[n]
                and b"#DIV/0!" in contents[n])
    contents[part] = re.sub(rf'<c r="{letter}2"'.encode(), rf'<c r="{letter}2" t="e"'.encode(), contents[part])
    with zipfile.ZipFile(workbook, "w") as archive:
        for n, d in contents.items():
            archive.writestr(n, d)
    assert has(messages(workbook), f"{workbook}:ImpactMap:2:quantity: the cell shows the error #DIV/0!")


def test_uk_dates_as_text_and_real_dates(workbook):
    row = field_row(workbook, "Partner", "period_start")
    edit(workbook, "Partner", {f"B{row}": "01/04/2024"})
    data, _ = read_partner(workbook)
    assert data.partner["period_start"] == dt.date(2024, 4, 1)  # day first: 1 April
    edit(workbook, "Partner", {f"B{row}": dt.datetime(2024, 4, 2)}, number_format="dd/mm/yyyy")
    assert read_partner(workbook)[0].partner["period_start"] == dt.date(2024, 4, 2)
    edit(workbook, "Partner", {f"B{row}": "31/02/2024"})
    assert has(messages(workbook), f"{workbook}:Partner:{row}:value: period_start: expected a date such as 31/03/2025")


def test_money_strings_and_percentages(workbook):
    money = column_of(workbook, "Inputs", "value_gbp")
    edit(workbook, "Inputs", {f"{money}2": "£1,200"})
    deadweight = column_of(workbook, "ImpactMap", "deadweight")
    edit(workbook, "ImpactMap", {f"{deadweight}2": "25%"})
    edit(workbook, "ImpactMap", {f"{deadweight}3": 0.2}, number_format="0%")
    data, problems = read_partner(workbook)
    assert data is not None, [str(p) for p in problems]
    assert data.tables["Inputs"].loc[0, "value_gbp"] == 1200.0
    assert list(data.tables["ImpactMap"]["deadweight"][:2]) == [0.25, 0.2]
    edit(workbook, "ImpactMap", {f"{deadweight}2": 25})
    assert has(messages(workbook), f"{workbook}:ImpactMap:2:deadweight: '25' is more than 1, and a share is at most 1 "
               "(100%): if you meant 25 percent, write 25% (or the fraction 0.25); if the cell shows 2500%")
    edit(workbook, "ImpactMap", {f"{deadweight}2": 1.5}, number_format="0%")  # what a spreadsheet stores for 150%
    assert has(messages(workbook), f"{workbook}:ImpactMap:2:deadweight: '1.5' is more than 1",
               "if the cell shows 150%, that is more than the whole: lower it to 100% or less")


@pytest.mark.parametrize("partner_id", ["../x", "Food Network", "a/b", ""])
def test_partner_id_must_be_a_safe_slug(tmp_path, partner_id):
    path = write_partner(tmp_path / "p.xlsx", partner_id=partner_id)
    row = field_row(path, "Partner", "partner_id")
    assert has(messages(path), f"{path}:Partner:{row}:value:")


def test_duplicate_partner_id_across_workbooks(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_partner(raw / "a.xlsx")
    write_partner(raw / "b.xlsx", base="youth-hub", partner_id="food-network")
    assert main(["validate", str(raw)]) == 1
    err = capsys.readouterr().err
    assert f"{raw / 'b.xlsx'}:Partner:2:value: partner_id 'food-network' is already used by {raw / 'a.xlsx'}" in err


def test_survey_and_case_study_ids_must_exist_in_the_impact_map(workbook):
    outcome = column_of(workbook, "DeflatorSurvey", "outcome_id")
    edit(workbook, "DeflatorSurvey", {f"{outcome}2": "ZZ9"})
    ids = column_of(workbook, "CaseStudies", "outcome_ids")
    edit(workbook, "CaseStudies", {f"{ids}2": "FN1, NOPE"})
    found = messages(workbook)
    assert has(found, f"{workbook}:DeflatorSurvey:2:outcome_id: outcome_id 'ZZ9' is not in the ImpactMap sheet")
    assert has(found, f"{workbook}:CaseStudies:2:outcome_ids: outcome_id 'NOPE' is not in the ImpactMap sheet")


def test_accepted_case_study_ids_must_exist_in_the_impact_map(workbook):
    ids = column_of(workbook, "CaseStudies", "accepted_outcome_ids")
    edit(workbook, "CaseStudies", {f"{ids}2": "FN1, fn2"})
    assert has(messages(workbook), f"{workbook}:CaseStudies:2:accepted_outcome_ids: outcome_id 'fn2' is not in the "
                                   "ImpactMap sheet (did you mean 'FN2'?")


def test_survey_answer_must_be_an_anchored_choice_or_percentage(workbook):
    answer = column_of(workbook, "DeflatorSurvey", "answer")
    edit(workbook, "DeflatorSurvey", {f"{answer}2": "dunno"})
    assert has(messages(workbook), f"{workbook}:DeflatorSurvey:2:answer:")


def test_a_folder_of_csvs_named_after_the_sheets(tmp_path, capsys):
    folder = write_csv_partner(tmp_path / "csv-partner")
    (folder / "Inputs.csv").write_text("input_id,source,value_gbp\nIN1,Grant,\"£5,000\"\n", encoding="utf-8")
    (folder / "ImpactMap.csv").write_text(
        "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,proxy_value\n"
        "C1,Residents,Volunteered,Growth,10,1,20%,0,25%,0,400\nC2,Residents,x,Growth,3,1,25,0,0,0,100\n",
        encoding="utf-8")
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'ImpactMap.csv'}:ImpactMap:3:deadweight: '25' is a bare number above 1" in err
    (folder / "ImpactMap.csv").write_text(
        "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,proxy_value\n"
        "C1,Residents,Volunteered,Growth,10,1,20%,0,25%,0,400\n", encoding="utf-8")
    assert main(["validate", str(folder)]) == 0


def test_a_blank_reading_number_is_reported_not_raised(tmp_path):
    """Two readings of one person, star and area, one without its reading number: a clean
    message at that cell (the check on reading dates sorts them by number)."""
    folder = write_csv_partner(tmp_path / "csv-partner")
    assert read_partner(folder)[0] is not None
    (folder / "StarReadings.csv").write_text(
        "person_ref,star,area,reading_number,reading_date,score\n"
        "A,Wellbeing Star,Confidence,1,01/01/2024,3\nA,Wellbeing Star,Confidence,,01/02/2024,4\n"
        "A,Wellbeing Star,Confidence,two,01/03/2024,5\n", encoding="utf-8")
    data, problems = read_partner(folder)
    assert data is None
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"{folder / 'StarReadings.csv'}:StarReadings:3:reading_number: blank; expected a whole number of at least 1",
        f"{folder / 'StarReadings.csv'}:StarReadings:4:reading_number: expected a whole number of at least 1, got 'two'"]


def test_a_range_with_only_one_bound_column_is_reported_not_raised(tmp_path):
    folder = write_csv_partner(tmp_path / "csv-partner")
    assert read_partner(folder)[0] is not None
    (folder / "ImpactMap.csv").write_text(
        "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,"
        "proxy_value,proxy_value_low\nC1,Residents,Volunteered,Growth,10,1,20%,0,25%,0,400,300\n", encoding="utf-8")
    data, problems = read_partner(folder)
    assert data is None
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"{folder / 'ImpactMap.csv'}:ImpactMap:2:proxy_value_high: blank; a range needs both proxy_value_low and "
        "proxy_value_high"]


def test_validate_never_modifies_raw_files(workbook):
    before = sha256(workbook)
    assert main(["validate", str(workbook)]) == 0
    assert sha256(workbook) == before


cell_content = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**9, 10**9), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(min_value=dt.date(1901, 1, 1)), st.sampled_from(["=1/0", "=A1", "25%", "£1,200", "e.g. x",
                                                                             "../x", "🌱", "31/02/2024", "yes"]),
)


@pytest.fixture(scope="module")
def base_workbook_bytes(tmp_path_factory) -> bytes:
    return write_partner(tmp_path_factory.mktemp("base") / "p.xlsx").read_bytes()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=st.sampled_from(["Partner", "Inputs", "ImpactMap", "DeflatorSurvey", "QualityMarks", "CaseStudies"]),
       row=st.integers(1, 8), column=st.integers(1, 14), value=cell_content)
def test_random_cell_content_never_raises(tmp_path_factory, base_workbook_bytes, sheet, row, column, value):
    from openpyxl.utils.exceptions import IllegalCharacterError

    path = tmp_path_factory.mktemp("h") / "p.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base_workbook_bytes))
    try:
        book[sheet].cell(row=row, column=column, value=value)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl itself refuses some values
        return
    book.save(path)
    data, problems = read_partner(path)
    assert data is not None or any(p.severity == "error" for p in problems)
    for problem in problems:
        assert str(problem).startswith(f"{path}:")


@pytest.mark.parametrize("value", [-1.37e97, 1e300])
def test_a_date_cell_far_outside_any_calendar_is_refused_not_a_crash(tmp_path, base_workbook_bytes, value):
    # the spreadsheet reader panicked (a Rust panic, which no `except Exception` catches) on such a date
    path = tmp_path / "p.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base_workbook_bytes))
    book["QualityMarks"].cell(row=3, column=3, value=value).number_format = "yyyy-mm-dd"
    book.save(path)
    data, problems = read_partner(path)
    assert data is None and any(p.severity == "error" for p in problems)
    assert all(str(p).startswith(f"{path}:") for p in problems)


_COLUMNS_OF_EACH_KIND = [("ImpactMap", "outcome_id"), ("ImpactMap", "quantity"), ("Inputs", "value_gbp"),
                         ("ImpactMap", "proxy_value"), ("ImpactMap", "deadweight"), ("ImpactMap", "duration"),
                         ("ImpactMap", "start_year"), ("ImpactMap", "proxy_year"), ("ImpactMap", "theme"),
                         ("ImpactMap", "in_toms"), ("QualityMarks", "expiry_date"), ("StarReadings", "reading_date")]
_EDGE_CELLS = [None, "", "  ", float("nan"), float("inf"), -0.0, 0.0, 0.5, 1.0, 1.0000001, 1.5, 2.0, -1.0, 0, 1, 2, -1,
               True, False, 1899.0, 1900.0, 2200.0, 2201.0, 1899, 1900, 2200, 2201, 12.5, " Jobs ", "jobs", "Yes",
               "25%", "£1,200", "x", dt.date(2024, 4, 1), dt.datetime(2024, 4, 1, 9, 30), 2**53 + 1, 2**60, 2.0**60]


def _column(where: tuple[str, str]):
    from svlib.contract.tables import WORKBOOK_TABLES

    return next(t for t in WORKBOOK_TABLES if t.name == where[0]).column(where[1])


def _cell_by_cell(column, values: list) -> tuple[list, list]:
    """What parsing each cell on its own gives: the reference for the fast paths."""
    from svlib.contract.cells import CellError, is_blank

    typed, problems = [], []
    for i, value in enumerate(values):
        if is_blank(value):
            typed.append(column.default)
            if not column.blank_ok:
                problems.append((i, f"blank; expected {column.expected()}"))
            continue
        try:
            typed.append(column.parse(value))
        except CellError as exc:
            typed.append(column.default)
            problems.append((i, exc.marked))
    return typed, problems


def _same(a: list, b: list) -> bool:
    return [(type(v), repr(v)) for v in a] == [(type(v), repr(v)) for v in b]


@pytest.mark.parametrize("where", _COLUMNS_OF_EACH_KIND, ids="/".join)
def test_reading_a_column_at_a_time_matches_reading_cell_by_cell_at_the_edges(where):
    column = _column(where)
    typed, problems = column.parse_many(_EDGE_CELLS)
    expected, expected_problems = _cell_by_cell(column, _EDGE_CELLS)
    assert _same(typed, expected) and problems == expected_problems


@settings(max_examples=300, deadline=None)
@given(where=st.sampled_from(_COLUMNS_OF_EACH_KIND),
       values=st.lists(st.one_of(cell_content, st.datetimes(min_value=dt.datetime(1901, 1, 1)), st.floats(-1, 3),
                                 st.integers(-1, 3), st.integers(1899, 2201).map(float)), max_size=8))
def test_reading_a_column_at_a_time_matches_reading_cell_by_cell(where, values):
    """The column-at-a-time fast paths give exactly what parsing each cell on its own gives."""
    column = _column(where)
    typed, problems = column.parse_many(values)
    expected, expected_problems = _cell_by_cell(column, values)
    assert _same(typed, expected) and problems == expected_problems


class TestHiddenControlCharacters:
    """Control characters and bidirectional overrides never reach a terminal, a table or a page."""

    CRAFTED = "Lunch club\x1b[2J\x1b[1;1Hsvlib: 6 partner(s) valid\x00 \u202eevil"

    def test_they_are_removed_on_input_with_a_warning_at_the_cell(self, tmp_path):
        from svlib.pipeline.build import build, load_processed

        folder = write_csv_partner(tmp_path / "raw" / "club")
        impact = folder / "ImpactMap.csv"
        impact.write_text(impact.read_text(encoding="utf-8").replace("Volunteered", self.CRAFTED), encoding="utf-8")
        partner = folder / "Partner.csv"
        partner.write_text(partner.read_text(encoding="utf-8").replace("Consett", "Consett\u2066\x07"),
                           encoding="utf-8")
        data, problems = read_partner(folder)
        assert data is not None
        warned = [str(p) for p in problems if p.severity == "warning" and "hidden control" in p.message]
        assert warned == [
            f"{partner}:Partner:5:value: warning: area: removed hidden control character(s) U+0007, U+2066 from this "
            "cell; they can disturb a terminal, a spreadsheet or the order text is shown in",
            f"{impact}:ImpactMap:2:outcome: warning: removed hidden control character(s) U+0000, U+001B, U+202E from "
            "this cell; they can disturb a terminal, a spreadsheet or the order text is shown in"]
        assert build(tmp_path / "raw", tmp_path / "out").ok
        tables = load_processed(tmp_path / "out")
        assert tables["ImpactMap"]["outcome"][0] == "Lunch club[2J[1;1Hsvlib: 6 partner(s) valid evil"
        assert tables["Partner"]["area"][0] == "Consett"
        written = b"".join(p.read_bytes() for p in (tmp_path / "out").glob("*.csv"))
        assert not any(c in written.decode("utf-8") for c in "\x00\x1b\x07\u202e\u2066")

    def test_messages_show_them_escaped_wherever_they_come_from(self, tmp_path, capsys):
        # a crafted header, sheet name and cell in a workbook (OOXML writes a control character as _x001B_)
        workbook = write_partner(tmp_path / "partner.xlsx")
        quantity = column_of(workbook, "ImpactMap", "quantity")
        edit(workbook, "ImpactMap", {f"{quantity}2": "ESC_x001B_[2Jlots", "Z1": "note_x001B_]0;title_x0007_"})
        assert main(["validate", str(workbook)]) == 1
        err = capsys.readouterr().err
        assert "\x1b" not in err and "\x07" not in err
        # a number cell holding them is refused, and the message shows them escaped
        assert f"{workbook}:ImpactMap:2:quantity: expected a number (such as 12 or 1,200), got 'ESC\\x1b[2Jlots'" in err
        assert "unknown column 'note\\x1b]0;title\\x07' is ignored" in err


class TestHostileFiles:
    """Huge, malformed, linked or special files are refused with a located message,
    quickly and for that partner only; nothing is followed out of the raw folder."""

    def validate(self, *paths: Path) -> subprocess.CompletedProcess:
        # a separate process with a time limit: a reader that hung or aborted would fail the
        # test instead of stopping the suite
        return subprocess.run([sys.executable, "-m", "svlib", "validate", *map(str, paths)], capture_output=True,
                              text=True, timeout=120)

    def test_one_cell_far_beyond_the_table_is_refused_at_that_cell(self, tmp_path):
        (tmp_path / "raw").mkdir()
        far = write_far_cell(tmp_path / "raw" / "far.xlsx")
        assert far.stat().st_size < 60_000
        write_partner(tmp_path / "raw" / "youth-hub.xlsx", base="youth-hub")
        done = self.validate(tmp_path / "raw")
        assert done.returncode == 1
        assert (f"{far}:ImpactMap:1048576:XFD: the sheet uses cell XFD1048576, beyond the 100,000 rows and 100 "
                "columns (A to CV) svlib reads") in done.stderr
        assert "1 of 2 valid" in done.stderr  # the other partner is read

    @pytest.mark.parametrize("ref", ["CW1", "A100001", "AAA3"])
    def test_the_limits_are_where_the_readme_says(self, tmp_path, ref):
        messages_found = messages(write_far_cell(tmp_path / "far.xlsx", ref=ref))
        assert len(messages_found) == 1 and f"the sheet uses cell {ref}, beyond" in messages_found[0]

    @pytest.mark.parametrize("ref", ["CV1", "A100000"])
    def test_a_cell_at_the_limit_is_read(self, tmp_path, ref):
        found = messages(write_far_cell(tmp_path / "edge.xlsx", ref=ref))
        assert not any("beyond" in m for m in found)

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self, tmp_path):
        bomb = write_zip_bomb(tmp_path / "bomb.xlsx", megabytes=300)
        assert bomb.stat().st_size < 3_000_000
        done = self.validate(bomb)
        assert done.returncode == 1
        assert f"{bomb}:::: the workbook unpacks to 29" in done.stderr and "more than the 200 MB svlib reads" in done.stderr

    def test_a_sheet_that_lies_about_its_size_is_refused_as_damaged(self, tmp_path):
        liar = declare_smaller(write_partner(tmp_path / "liar.xlsx"))
        assert messages(liar) == [f"{liar}:::: the workbook is damaged and cannot be read (BadZipFile); open it in "
                                  "Excel or LibreOffice and save it again as .xlsx"]

    def test_a_workbook_larger_than_the_limit_is_refused_unread(self, tmp_path):
        big = tmp_path / "big.xlsx"
        with open(big, "wb") as handle:
            handle.write(b"PK\x03\x04")
            handle.truncate(26_000_000)  # a sparse file: no disk used
        assert messages(big) == [f"{big}:::: the file is 26.0 MB, larger than the 25.0 MB svlib reads"]

    def test_a_named_pipe_or_device_is_refused_not_read(self, tmp_path):
        raw = tmp_path / "raw"
        raw.mkdir()
        os.mkfifo(raw / "pipe.xlsx")  # opening it to read would wait for a writer for ever
        (raw / "zero.xlsx").symlink_to("/dev/zero")  # reading it would never end
        write_partner(raw / "food-network.xlsx")
        done = self.validate(raw)
        assert done.returncode == 1
        assert f"{raw / 'pipe.xlsx'}:::: the file is a named pipe, not a file svlib can read" in done.stderr
        assert f"{raw / 'zero.xlsx'}:::: is a link to /dev/zero, outside the folder it is in" in done.stderr
        assert "1 of 3 valid" in done.stderr

    def test_links_out_of_the_raw_folder_are_refused_and_their_targets_never_read(self, tmp_path):
        raw = tmp_path / "raw"
        folder = write_csv_partner(raw / "csv-group")
        (folder / "Partner.csv").unlink()
        (folder / "Partner.csv").symlink_to("/etc/passwd")
        outside = write_partner(tmp_path / "elsewhere.xlsx", base="youth-hub")
        (raw / "linked.xlsx").symlink_to(outside)
        (raw / "inside.xlsx").symlink_to(write_partner(raw / "real.xlsx", base="befriending-service"))
        done = self.validate(raw)
        assert done.returncode == 1
        assert (f"{folder / 'Partner.csv'}:Partner::: the file is a link to /etc/passwd, outside the folder "
                f"{folder}; svlib reads only files inside it") in done.stderr
        assert f"{raw / 'linked.xlsx'}:::: is a link to {outside}, outside the folder it is in" in done.stderr
        assert "root:" not in done.stderr  # nothing of the file it points to
        # a link that stays inside the folder is read like the file it names (so its id clashes with it)
        assert f"{raw / 'real.xlsx'}:Partner:2:value: partner_id 'befriending-service' is already used by " \
               f"{raw / 'inside.xlsx'}" in done.stderr
        assert "1 of 4 valid" in done.stderr


class TestWhatTheEngineCannotValue:
    """Validation refuses, at the cell, what would stall or break a report later."""

    def impact_map(self, tmp_path, **cells) -> tuple[Path, list[str]]:
        folder = write_csv_partner(tmp_path / "csv")
        path = folder / "ImpactMap.csv"
        header, row = path.read_text(encoding="utf-8").splitlines()
        names, values = header.split(","), row.split(",")
        for name, value in cells.items():
            if name not in names:
                names.append(name)
                values.append("")
            values[names.index(name)] = str(value)
        path.write_text(",".join(names) + "\n" + ",".join(values) + "\n", encoding="utf-8")
        return path, messages(folder)

    def test_a_duration_past_a_century_is_refused(self, tmp_path):
        path, found = self.impact_map(tmp_path, duration=100000)
        assert found == [f"{path}:ImpactMap:2:duration: expected a whole number from 1 to 100, got '100000'"]

    def test_an_outcome_running_past_year_100_is_refused(self, tmp_path):
        path, found = self.impact_map(tmp_path, duration=60, start_year=50)
        assert found == [f"{path}:ImpactMap:2:duration: starting in year 50 and lasting 60 years, the outcome would "
                         "run to year 109, past year 100, the furthest svlib values; shorten it"]
        assert self.impact_map(tmp_path / "b", duration=51, start_year=50)[1] == []  # to year 100 exactly

    @pytest.mark.parametrize("column, value", [("proxy_value", "1e308"), ("quantity", "1e13"),
                                               ("quantity_high", "2e12")])
    def test_a_figure_beyond_a_million_million_is_refused(self, tmp_path, column, value):
        cells = {column: value, "quantity_low": 5} if column == "quantity_high" else {column: value}
        path, found = self.impact_map(tmp_path, **cells)
        assert len(found) == 1 and f":ImpactMap:2:{column}: expected " in found[0]
        assert "of at most 1,000,000,000,000" in found[0]

    def test_an_impact_map_of_more_than_ten_thousand_outcomes_is_refused(self, tmp_path):
        folder = write_csv_partner(tmp_path / "csv")
        path = folder / "ImpactMap.csv"
        header, row = path.read_text(encoding="utf-8").splitlines()
        rows = [row.replace("C1,", f"C{i},", 1) for i in range(10_001)]
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        assert messages(folder) == [
            f"{path}:ImpactMap:10002:: the impact map has 10,001 outcomes; svlib values at most 10,000 in one map "
            "(its time and memory grow with the outcomes): group similar outcomes into one row, or split the partner"]


FAR = '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
SPELLINGS = {  # every way a far cell can be written that the cell reader still reads
    "single quotes": far_row("<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>"),
    "a tab before the reference": far_row('<row r="1048576"><c\tr="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "the reference after another attribute": far_row(
        '<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>'),
    "a character reference": far_row('<row r="1048576"><c r="&#88;FD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "lower case": far_row('<row r="1048576"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "no reference, in a far row": far_row('<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'),
    "a namespace prefix": lambda xml: xml.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace(
        "</worksheet>", "</x:worksheet>").replace("<sheetData>", "<x:sheetData>").replace(
        "</sheetData>", f'<x:row r="1048576">{FAR.replace("<", "<x:").replace("<x:/", "</x:")}</x:row></x:sheetData>'),
}


class TestFarCellsHoweverWritten:
    @pytest.mark.parametrize("spelling", list(SPELLINGS), ids=list(SPELLINGS))
    def test_a_far_cell_is_found_however_it_is_spelt(self, tmp_path, spelling):
        workbook = rewrite_sheet(write_partner(tmp_path / "far.xlsx"), SPELLINGS[spelling])
        found = messages(workbook)
        assert len(found) == 1 and ("XFD1048576, beyond the 100,000 rows" in found[0] or "A1048576, beyond" in found[0]), found

    def test_a_sheet_named_in_other_capitals_is_still_checked(self, tmp_path):
        workbook = rewrite_sheet(write_partner(tmp_path / "far.xlsx"), far_row(f'<row r="1048576">{FAR}</row>'),
                                 rels=lambda xml: xml.replace("worksheets/sheet", "Worksheets/Sheet"))
        assert any("XFD1048576, beyond" in m for m in messages(workbook))

    def test_a_reference_that_is_not_one_is_refused(self, tmp_path):
        workbook = rewrite_sheet(write_partner(tmp_path / "odd.xlsx"),
                                 far_row('<row r="7"><c r="A0001048576" t="inlineStr"><is><t>x</t></is></c></row>'))
        assert messages(workbook) == [f"{workbook}:ImpactMap::: a cell of the sheet has the reference 'A0001048576', "
                                      "which is not a cell reference; open the workbook in Excel or LibreOffice and "
                                      "save it again"]

    def test_huge_merged_ranges_are_refused_before_they_are_filled_in(self, tmp_path):
        merges = "".join('<mergeCell ref="A1:CV100000"/>' for _ in range(50))
        change = lambda xml: far_row('<row r="100000"><c r="A100000" t="inlineStr"><is><t>x</t></is></c></row>')(
            xml).replace("</sheetData>", f'</sheetData><mergeCells count="50">{merges}</mergeCells>', 1)
        workbook = rewrite_sheet(write_partner(tmp_path / "merged.xlsx"), change)
        done = subprocess.run([sys.executable, "-m", "svlib", "validate", str(workbook)], capture_output=True, text=True,
                              timeout=120)  # 50 such ranges were filled in one cell at a time: minutes
        assert done.returncode == 1
        assert f"{workbook}:ImpactMap:1:A: the sheet's merged cells cover more than 100,000 cells" in done.stderr


# --- people's names in text a shared file may show ------------------------------------------

def _with_names(path, cases_text: dict[str, str] | None = None, names: list[tuple[str, str]] = ()):
    """The food network's workbook, with case-study texts replaced and a Names sheet."""
    import pandas as pd

    from svlib.io.template import write_workbook
    from svlib.tools.example_partners import example_collection

    partner, tables = example_collection()["food-network"]
    tables = dict(tables)
    cases = tables["CaseStudies"].copy()
    for case_id, text in (cases_text or {}).items():
        cases.loc[cases["case_id"] == case_id, "text"] = text
    tables["CaseStudies"] = cases
    if names:
        tables["Names"] = pd.DataFrame(names, columns=["name", "remove"])
    return write_workbook(path, partner, tables)


def _name_warnings(problems):
    return [p for p in problems if "looks like it names a person" in p.message]


def test_a_name_in_a_consented_anonymised_case_study_is_warned_about_at_its_cell(tmp_path):
    workbook = _with_names(tmp_path / "p.xlsx", {"CS2": "Kayleigh Robson went on to a job in Stanley."})
    data, problems = read_partner(workbook)
    assert data is not None  # a warning, not an error
    warned = _name_warnings(problems)
    assert [(p.sheet, p.row, p.column, p.severity) for p in warned] == [
        ("CaseStudies", 2, "text", "warning"), ("CaseStudies", 3, "text", "warning")]
    assert "'Harold' (a first name)" in str(warned[0])
    assert "'Kayleigh Robson' (a first name and surname)" in str(warned[1])  # Stanley is the partner's area
    assert "Names sheet with remove = no" in str(warned[1])
    assert all("Harold" not in p.shared() and "Kayleigh" not in p.shared() for p in warned)  # pages omit the name


def test_a_case_study_that_is_never_shared_is_not_read_for_names(tmp_path):
    # CS3 has no consent: it never leaves the partner's own workbook
    workbook = _with_names(tmp_path / "p.xlsx", {"CS3": "Kayleigh told us everything."})
    assert [p.row for p in _name_warnings(read_partner(workbook)[1])] == [2]  # Harold's, not Kayleigh's


def test_a_listed_name_or_a_kept_word_is_not_warned_about(tmp_path):
    workbook = _with_names(tmp_path / "p.xlsx", names=[("Harold", "no")])
    assert _name_warnings(read_partner(workbook)[1]) == []
    workbook = _with_names(tmp_path / "q.xlsx", names=[("Harold Pybus", "yes")])
    assert _name_warnings(read_partner(workbook)[1]) == []


def test_a_kept_phrase_keeps_itself_not_each_of_its_words(tmp_path):
    # as in shared files: "Grace Court" is kept as a building, "Grace" alone is still a name
    workbook = _with_names(tmp_path / "p.xlsx", {"CS2": "Grace moved into Grace Court."},
                           names=[("Grace Court", "no"), ("Harold", "yes")])
    [warned] = _name_warnings(read_partner(workbook)[1])
    assert warned.row == 3 and "'Grace' (a first name)" in str(warned) and "Grace Court'" not in str(warned)


def test_a_label_is_warned_about_only_for_a_full_name_or_a_name_after_a_title(tmp_path):
    from svlib.io.template import write_workbook
    from svlib.tools.example_partners import example_collection

    partner, tables = example_collection()["food-network"]
    tables = dict(tables)
    inputs = tables["Inputs"].copy()
    inputs.loc[0, "source"] = "Volunteer driver Brian Smith"
    impact = tables["ImpactMap"].copy()
    impact.loc[0, "stakeholder"] = "Job seekers"  # a first name alone, in a label: a word
    tables.update(Inputs=inputs, ImpactMap=impact)
    warned = _name_warnings(read_partner(write_workbook(tmp_path / "p.xlsx", partner, tables))[1])
    assert [(p.sheet, p.row, p.column) for p in warned] == [("Inputs", 2, "source"), ("CaseStudies", 2, "text")]
    assert "'Brian Smith' (a first name and surname)" in str(warned[0])


def test_a_names_row_without_a_name_is_ignored_with_a_warning_not_a_refusal(tmp_path):
    workbook = _with_names(tmp_path / "p.xlsx", names=[("   ", "yes"), ("Harold", "yes"), (None, "no")])
    data, problems = read_partner(workbook)
    assert data is not None
    assert [(p.sheet, p.row, p.column, p.severity) for p in problems if p.sheet == "Names"] == [
        ("Names", 2, "name", "warning"), ("Names", 4, "name", "warning")]
    assert _name_warnings(problems) == []  # Harold is listed


@pytest.mark.parametrize("fields, expected", [
    ({"forecast": "food-network"}, "forecast names this partner itself"),
    ({"forecast": "other-plan", "purpose": "forecast"}, "forecast is given but purpose is forecast"),
])
def test_a_forecast_field_that_cannot_pair_is_refused_at_its_cell(tmp_path, fields, expected):
    workbook = write_partner(tmp_path / "p.xlsx", **fields)
    data, problems = read_partner(workbook)
    assert data is None and any(expected in str(p) and ":Partner:" in str(p) for p in problems)
