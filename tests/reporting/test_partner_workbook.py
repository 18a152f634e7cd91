"""Each partner's workbook: every sheet, headers in words, values and never formulas, the
report's own figures (a row's arithmetic recomputed by hand, the total equal to the
headline), partner text neutralised, small counts withheld, and a failure that stops
nothing."""

from __future__ import annotations

import dataclasses
import io
import math

import openpyxl
import pytest

from svlib.analysis.evidence import redact_tables
from svlib.pipeline.build import load_processed
from svlib.reporting.disclosure_audit import audit_file, small_outcome_facts
from svlib.reporting.partner_report import prepare
from svlib.reporting.partner_workbook import HEADERS, SHEETS, partner_workbook, write_partner_workbook
from svlib.reporting.reports import partner_workbooks
from svlib.reporting.site import render_index


@pytest.fixture(scope="module")
def report(example_folder):
    return prepare("youth-hub", data_dir=example_folder, draws=500, seed=7)


@pytest.fixture(scope="module")
def book(report):
    return openpyxl.load_workbook(io.BytesIO(partner_workbook(report)))


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_every_sheet_in_order_with_headers_in_words_and_no_formulas(book):
    assert tuple(book.sheetnames) == SHEETS
    words = set(HEADERS.values())
    for ws in book.worksheets:
        assert all(cell.value in words for cell in ws[1]), ws.title  # never a column's code name
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and not (isinstance(cell.value, str) and cell.value.startswith("="))


def test_the_impact_map_adds_up_to_the_reports_headline(book, report):
    rows = _rows(book["Impact map"])
    assert [r[HEADERS["outcome_id"]] for r in rows] == list(report.impact_map["outcome_id"])
    total = math.fsum(r[HEADERS["present_value"]] for r in rows)
    assert total == pytest.approx(report.headline["present_value"], rel=1e-9)
    by_year = _rows(book["By year"])
    assert math.fsum(r[HEADERS["present_value"]] for r in by_year) == pytest.approx(total, rel=1e-9)
    headline = {r["Item"]: r["Value"] for r in _rows(book["Headline"])}
    for label, figure in (("SROI ratio (present value ÷ investment), at the central values", "sroi_ratio"),
                          ("Likely range, low (5th percentile of the simulated ratios)", "p5"),
                          ("Likely range, high (95th percentile)", "p95")):
        assert headline[label] == pytest.approx(report.headline[figure], rel=1e-12)  # xlsx keeps 15 digits
    assert headline["In words (as the report states it)"] == report.headline_text()


def test_one_rows_arithmetic_by_hand(book, report):
    row = next(r for r in _rows(book["Impact map"]) if r[HEADERS["outcome_id"]] == "YH5")
    q, p = row[HEADERS["quantity"]], row[HEADERS["proxy_value"]]
    dw, dp, at, lk = (row[HEADERS[k]] for k in ("deadweight", "displacement", "attribution", "leakage"))
    drop, years, start = row[HEADERS["drop_off"]], row[HEADERS["duration"]], row[HEADERS["start_year"]]
    assert (report.conventions.discount_rate, report.conventions.discount_from, report.conventions.dropoff_from) == (
        0.035, 1, 2)
    # year-1 value = q × p × (1 − dw)(1 − dp)(1 − at)(1 − lk)
    year_one = q * p * (1 - dw) * (1 - dp) * (1 - at) * (1 - lk)
    assert row[HEADERS["impact_year1"]] == pytest.approx(year_one, rel=1e-12)
    # present value = year-1 value × Σ_{k=1..years} (1 − drop-off)^(k − 1) / 1.035^(start + k − 1)
    factor = sum((1 - drop) ** (k - 1) / 1.035 ** (start + k - 1) for k in range(1, years + 1))
    assert row[HEADERS["present_value_factor"]] == pytest.approx(factor, rel=1e-12)
    assert row[HEADERS["present_value"]] == pytest.approx(year_one * factor, rel=1e-12)
    assert (q, p, start) == (12, 450, 2)  # the example's own figures: a hand check of a later start


def test_a_count_below_5_never_appears_and_the_file_passes_the_disclosure_check(book, report, example_folder,
                                                                                 tmp_path):
    small = sorted(report.withheld_outcomes)
    assert small == ["YH2", "YH3"]
    written = report.impact_map.set_index("outcome_id")
    for row in _rows(book["Impact map"]):
        if row[HEADERS["outcome_id"]] in small:
            assert row[HEADERS["quantity"]] == "<5"
            count = written.loc[row[HEADERS["outcome_id"]], "quantity"]
            assert 0 < count < 5 and count not in row.values()
            assert {row[HEADERS[k]] for k in ("proxy_value", "deadweight", "duration", "present_value_factor")} == {
                "withheld"}
            assert isinstance(row[HEADERS["present_value"]], float)  # the value stays, so the rows add up
    path = write_partner_workbook(tmp_path / "youth-hub.xlsx", report)
    facts = small_outcome_facts(redact_tables(load_processed(example_folder)))
    assert any(f.partner_id == "youth-hub" for f in facts)
    assert audit_file(path, facts) == []


def test_no_case_study_text_is_in_the_workbook(book, report):
    stories = [str(t) for t in report.case_studies.get("text", []) if len(str(t)) > 20]
    assert stories
    cells = " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    assert not any(story[:40] in cells for story in stories)


def test_partner_text_that_looks_like_a_formula_is_shown_never_run(report):
    hostile = dataclasses.replace(
        report, partner={**report.partner, "name": '=HYPERLINK("http://x","y")'},
        impact_map=report.impact_map.assign(outcome="=1+1", stakeholder="@SUM(A1)"))
    book = openpyxl.load_workbook(io.BytesIO(partner_workbook(hostile)))
    about = {r["Item"]: r["Value"] for r in _rows(book["About"])}
    assert about["Partner"] == "'=HYPERLINK(\"http://x\",\"y\")"
    rows = _rows(book["Impact map"])
    assert {r[HEADERS["outcome"]] for r in rows} == {"'=1+1"} and {r[HEADERS["stakeholder"]] for r in rows} == {
        "'@SUM(A1)"}
    assert {r[HEADERS["stakeholder"]] for r in _rows(book["By stakeholder"])} == {"'@SUM(A1)"}


def test_a_workbook_that_cannot_be_made_is_recorded_and_stops_nothing(example_folder, tmp_path):
    record = {"key": "partner/nobody", "kind": "partner", "status": "ok", "html": "partners/nobody.html",
              "headline": {"present_value": 1.0, "sroi_ratio": 1.0},
              "parameters": {"partner_id": "nobody", "data_dir": str(example_folder), "n_draws": 100, "seed": 1}}
    messages: dict[str, list[str]] = {}
    partner_workbooks([record], tmp_path, [], messages)
    assert record["status"] == "ok" and record["workbook"] is None and record["workbook_error"]
    assert "nobody" in messages["partner/nobody/workbook"][0]
    assert not (tmp_path / "partners" / "nobody.xlsx").exists()


def test_a_workbook_whose_figures_are_not_the_pages_is_not_published(example_folder, tmp_path):
    record = {"key": "partner/youth-hub", "kind": "partner", "status": "ok", "html": "partners/youth-hub.html",
              "headline": {"present_value": 1.0, "sroi_ratio": 1.0},
              "parameters": {"partner_id": "youth-hub", "data_dir": str(example_folder), "n_draws": 100, "seed": 1}}
    messages: dict[str, list[str]] = {}
    partner_workbooks([record], tmp_path, [], messages)
    assert record["workbook"] is None and "is not the report's" in messages["partner/youth-hub/workbook"][0]
    assert not (tmp_path / "partners" / "youth-hub.xlsx").exists()


def test_workbooks_written_by_several_processes_are_those_written_by_one(report_run, tmp_path):
    result, raw, root = report_run
    records = [{**r, "parameters": {**r["parameters"], "data_dir": str(root / "processed")}}
               for r in result.run["notebooks"] if r["kind"] == "partner" and r["status"] == "ok"]
    assert len(records) > 1
    books = {}
    for workers in (1, 2):
        folder = tmp_path / str(workers)
        (folder / "partners").mkdir(parents=True)
        chosen = [dict(r) for r in records]
        messages: dict[str, list[str]] = {}
        partner_workbooks(chosen, folder, [], messages, workers=workers)
        assert all(r["workbook"] for r in chosen), messages
        books[workers] = {r["key"]: _rows(openpyxl.load_workbook(folder / r["workbook"])["Impact map"]) for r in chosen}
    assert books[1] == books[2]


def test_the_index_links_the_workbook_beside_the_report_and_nothing_else():
    def page(workbook):
        return render_index({"collection": "forum", "run_id": "r1", "seed": 0, "draws": 1000, "svlib_version": "0",
                             "notebooks": [{"key": "partner/a", "kind": "partner", "title": "A", "status": "ok",
                                            "html": "partners/a.html", "workbook": workbook, "sroi_ratio": 2.5,
                                            "p5": 2.0, "p95": 3.0, "prob_ratio_below_1": 0.0, "error": None}]})
    assert 'href="partners/a.xlsx"' in page("partners/a.xlsx")
    for address in ("javascript:alert(1)", "../a.xlsx", "partners/a.html", None):
        assert page(address).split("<h2>Partner reports</h2>")[1].count("href=") == 1, address
