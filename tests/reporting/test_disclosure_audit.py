"""The disclosure check finds every route to a count below 5 that svlib's pages once had,
and finds none in what they show now."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from svlib.pipeline.build import load_processed
from svlib.reporting import report_display as show
from svlib.reporting.disclosure_audit import audit_file, small_outcome_facts
from svlib.reporting.partner_report import PartnerReport, prepare
from svlib.reporting.reports import withhold_if_disclosive


@pytest.fixture(scope="module")
def facts(example_folder):
    return small_outcome_facts(load_processed(example_folder))


def _page(report, folder, name: str):
    pieces = [show.impact_map_table(report), show.arithmetic_table(report), show.switching_table(report),
              *show.survey_tables(report), show.proxies_table(report)]
    path = folder / f"{name}.html"
    path.write_text("<html><body>" + "".join(p.data for p in pieces) + "</body></html>", encoding="utf-8")
    return path


def test_the_example_plants_small_counts_on_every_route(facts):
    # FN5: 3 volunteers, a library proxy (JOB-01) and a survey-estimated attribution; BS6: 2 groups,
    # the partner's own proxy, typed ranges, alone in its theme and stakeholder on its partner's page;
    # GS7: 4 groups whose evidence says "four groups"
    by_id = {(f.partner_id, f.outcome_id): f for f in facts}
    assert by_id[("food-network", "FN5")].quantity == 3 and by_id[("food-network", "FN5")].proxy_id == "JOB-01"
    assert 0.4714 < max(d for d in by_id[("food-network", "FN5")].deflators if d < 0.48) < 0.4715  # survey mean 47.14%
    assert by_id[("befriending-service", "BS6")].proxy_values == (1500.0,)
    assert "four groups" in by_id[("green-spaces-trust", "GS7")].evidence


@pytest.mark.parametrize("partner", ["food-network", "befriending-service", "green-spaces-trust"])
def test_the_pages_as_they_were_give_small_counts_away_and_the_check_says_how(example_folder, facts, tmp_path,
                                                                            monkeypatch, partner):
    report = prepare(partner, "example", example_folder, draws=200, seed=0)
    assert report.withheld_outcomes
    assert audit_file(_page(report, tmp_path, partner), facts) == []  # as shown now: nothing to find

    # without withholding (the tables as they were before): quantity, proxy, deflators and the
    # partner's evidence text of each small outcome are on the page
    monkeypatch.setattr(PartnerReport, "withheld_outcomes", property(lambda self: set()))
    leaky = prepare(partner, "example", example_folder, draws=200, seed=0)
    found = audit_file(_page(leaky, tmp_path, partner), facts)
    routes = {(f.outcome_id, f.route.split(" ")[0]) for f in found}
    small = {f.outcome_id for f in facts if f.partner_id == partner}
    for outcome in small:
        assert {(outcome, "value"), (outcome, "deflator"), (outcome, "evidence")} <= routes, (outcome, routes)
    assert all(f.partner_id == partner for f in found)
    if partner == "food-network":
        assert ("FN5", "proxy") in routes  # JOB-01 in the proxies table


def test_a_count_in_json_is_found_only_when_the_record_names_the_partner(tmp_path, facts):
    named = tmp_path / "run.json"
    named.write_text(json.dumps({"outcomes": [{"partner_id": "food-network", "outcome_id": "FN5", "quantity": 3}]}))
    assert [f.route for f in audit_file(named, facts)] == ["count"]
    other = tmp_path / "other.json"  # FN5 of no partner named, on no partner's page: not about that outcome
    other.write_text(json.dumps({"outcome_id": "FN5", "quantity": 3}))
    assert audit_file(other, facts) == []


def test_a_proxy_id_in_a_shared_spreadsheet_is_found(tmp_path, facts):
    book = Workbook()
    sheet = book.active
    sheet.append(["partner_id", "outcome_id", "proxy_id"])
    sheet.append(["youth-hub", "YH3", "JOB-08"])
    book.save(tmp_path / "forum.xlsx")
    found = audit_file(tmp_path / "forum.xlsx", facts)
    assert [(f.outcome_id, f.route.split(" ")[0]) for f in found] == [("YH3", "proxy")]


def test_one_hidden_count_beside_a_total_is_found_and_two_are_not(tmp_path):
    def page(counts):
        rows = "".join(f"<tr><td>{area}</td><td>{n}</td></tr>" for area, n in counts)
        path = tmp_path / "counts.html"
        path.write_text(f"<table><thead><tr><th>Area</th><th>People</th></tr></thead><tbody>{rows}</tbody></table>")
        return path

    # 35 − 20 − 12 = 3: the hidden cell is recovered by subtraction
    assert [f.route for f in audit_file(page([("A", "<5"), ("B", "12"), ("C", "20"), ("Total", "35")]), [])] == [
        "count, by subtraction from the total"]
    assert audit_file(page([("A", "<5"), ("B", "[c]"), ("C", "20"), ("Total", "35")]), []) == []


def test_a_page_the_check_fails_is_not_published(tmp_path, facts):
    page = tmp_path / "partners" / "food-network.html"
    page.parent.mkdir()
    page.write_text("<table><thead><tr><th>Id</th><th>Quantity</th></tr></thead>"
                    "<tbody><tr><td>FN5</td><td>3</td></tr></tbody></table>")
    notebook = page.with_suffix(".ipynb")
    notebook.write_text(json.dumps({"cells": [], "metadata": {}}))
    record = {"key": "partner/food-network", "status": "ok", "html": "partners/food-network.html",
              "ipynb": "partners/food-network.ipynb", "headline": {"sroi_ratio": 2.9}, "sroi_ratio": 2.9}
    messages: dict[str, list[str]] = {}
    withhold_if_disclosive(record, tmp_path, facts, messages)
    assert record["status"] == "failed" and "disclosure check" in record["error"]
    assert record["html"] is None and record["sroi_ratio"] is None
    assert not page.exists() and not notebook.exists()
    assert "FN5" in messages["partner/food-network"][0] and "count" in messages["partner/food-network"][0]


def test_a_map_its_report_will_refuse_still_has_its_written_figures_checked(example_folder):
    # FN5's proxy blanked with no library id: the partner's report fails on its own; the check
    # must neither stop the run nor forget the figures that are written
    tables = load_processed(example_folder)
    impact = tables["ImpactMap"].copy()
    row = impact.index[(impact["partner_id"] == "food-network") & (impact["outcome_id"] == "FN5")][0]
    impact.loc[row, ["proxy_id", "proxy_value"]] = ["", float("nan")]
    tables["ImpactMap"] = impact
    fn5 = [f for f in small_outcome_facts(tables) if f.outcome_id == "FN5"]
    assert len(fn5) == 1 and fn5[0].quantity == 3 and fn5[0].proxy_values == ()
    assert 0.4 in fn5[0].deflators and "reference requests" in fn5[0].evidence


# --- people's names ---------------------------------------------------------------------

def test_a_page_that_shows_a_planted_name_is_not_published_and_the_log_says_where(tmp_path, processed_example):
    from svlib.analysis.evidence import collection_name_rules, name_rules
    from svlib.tools.example_partners import LISTED_NAME, UNLISTED_NAME

    names = collection_name_rules(name_rules(processed_example))
    assert LISTED_NAME in names.listed and UNLISTED_NAME in names.found_alone  # the example plants both
    page = tmp_path / "partners" / "green-spaces-trust.html"
    page.parent.mkdir()
    page.write_text(f"<table><tr><th>Case study</th></tr><tr><td>{LISTED_NAME.upper()} came</td></tr></table>"
                    f"<p>Stanley, {UNLISTED_NAME} and Consett</p>")
    [in_table, in_text] = audit_file(page, [], names=names)
    assert (in_table.route, in_table.where, in_text.where) == ("name", "table 1, row 2", "text block 1")
    record = {"key": "partner/green-spaces-trust", "status": "ok", "html": "partners/green-spaces-trust.html",
              "headline": {"sroi_ratio": 2.0}, "sroi_ratio": 2.0}
    messages: dict[str, list[str]] = {}
    withhold_if_disclosive(record, tmp_path, [], messages, names)
    assert record["status"] == "failed" and "shows a person's name" in record["error"] and not page.exists()
    assert UNLISTED_NAME not in record["error"]  # the name goes to the local log only
    assert any(UNLISTED_NAME in m for m in messages["partner/green-spaces-trust"])
    # the partners' own areas and svlib's own words are no names
    page.write_text("<p>Stanley and Consett: the ratio will rise.</p>")
    assert audit_file(page, [], names=names) == []
