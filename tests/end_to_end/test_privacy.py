"""Shared outputs never carry unconsented testimony, contact details or small counts:
every HTML page of a real `svlib reports` run is scanned."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from svlib.analysis.evidence import collection_name_rules, name_rules
from svlib.pipeline.build import load_processed
from svlib.reporting.disclosure_audit import audit_folder, records
from svlib.tools.example_partners import (
    LISTED_NAME,
    NON_CONSENTED_PHRASE,
    TESTIMONY_EMAIL,
    TESTIMONY_PHONE,
    UNLISTED_NAME,
)
from tests.workbooks import plain_cells


def pages(root: Path) -> list[Path]:
    return sorted((root / "out").rglob("*.html"))


def test_the_planted_text_is_really_in_the_partners_data(report_run):
    result, raw, root = report_run
    cases = pd.read_csv(root / "processed" / "case_studies.csv")
    text = " ".join(cases["text"])
    assert NON_CONSENTED_PHRASE in text and TESTIMONY_EMAIL in text and TESTIMONY_PHONE in text


def test_no_unconsented_text_or_contact_details_in_any_shared_page(report_run):
    result, raw, root = report_run
    found = pages(root)
    assert len(found) >= 5
    for page in found:
        html = page.read_text(encoding="utf-8")
        assert NON_CONSENTED_PHRASE not in html, page
        assert TESTIMONY_EMAIL not in html, page
        assert TESTIMONY_PHONE not in html and TESTIMONY_PHONE.replace(" ", "") not in html, page


def test_consented_quotes_are_shown_beside_their_outcomes(report_run):
    result, raw, root = report_run
    html = (root / "out" / "partners" / "youth-hub.html").read_text(encoding="utf-8")
    assert "In their own words" in html and "Finding a way back" in html


def test_small_counts_are_suppressed_in_the_pages(report_run):
    result, raw, root = report_run
    survey = pd.read_csv(root / "processed" / "deflator_survey.csv")
    counts = survey[survey["partner_id"] == "food-network"].groupby(["outcome_id", "factor"]).size()
    assert (counts < 5).any()  # the food network has a question with fewer than five answers
    html = plain_cells((root / "out" / "partners" / "food-network.html").read_text(encoding="utf-8"))
    start = html.index("Deflator survey answers")
    survey_table = html[start: html.index("</table>", start)]
    assert "&lt;5" in survey_table
    for n in range(1, 5):
        assert f"<td>{n}</td>" not in survey_table
    assert "small survey of 3" not in html and ": 3 answers" not in html  # nor in the evidence or checklist text
    assert "&lt;5 survey answers, too few to use" in html  # shown as indicative, not used
    distance = (root / "out" / "partners" / "youth-hub.html").read_text(encoding="utf-8")
    assert "Distance travelled, first to latest reading" in distance


def test_theme_pages_show_distance_travelled_and_consented_quotes(report_run):
    result, raw, root = report_run
    page = (root / "out" / "themes" / "social.html").read_text(encoding="utf-8")
    assert "Evidence from the people involved" in page and "In their own words" in page
    assert "Finding a way back" in page  # the youth hub's consented case study evidences a Social outcome


def test_small_quantities_in_the_impact_map_are_suppressed(report_run):
    result, raw, root = report_run
    impact = pd.read_csv(root / "processed" / "impact_map.csv")
    assert impact.loc[(impact["partner_id"] == "food-network") & (impact["outcome_id"] == "FN5"), "quantity"].item() == 3
    html = plain_cells((root / "out" / "partners" / "food-network.html").read_text(encoding="utf-8"))
    start = html.index("<strong>Impact map</strong>")
    impact_table = html[start: html.index("</table>", start)]
    row = impact_table[impact_table.index("<td>FN5</td>"): impact_table.index("</tr>", impact_table.index("<td>FN5</td>"))]
    assert "<td>&lt;5</td>" in row and "<td>3</td>" not in row


def test_a_small_quantity_is_not_given_away_by_the_switching_values(report_run):
    # FN5's quantity (3 people) is "<5" in the impact map; the switching-values table showed
    # it as "Now: 3", and the quantity at which the ratio would switch, from which it follows.
    # Any switching value of FN5 gives it away (with the published proxy and deflators, the
    # deflator that brings the ratio to 1:1 fixes FN5's present value), so every FN5 row is withheld
    result, raw, root = report_run
    for shared in (root / "out" / "partners" / "food-network.html", root / "out" / "partners" / "food-network.ipynb"):
        text = plain_cells(shared.read_text(encoding="utf-8"))
        start = text.index("Switching values: what would bring the ratio down to 1:1")
        table = text[start: text.index("</table>", start)]
        rows = [row for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td>FN5</td>" in row]
        assert rows  # FN5's attribution is estimated from the survey, so the simulation varies it
        for row in rows:
            assert "<td>withheld</td>" in row and "fewer than 5 people" in row, row
            assert "<td>3</td>" not in row and "3.0" not in row and ": 3)" not in row, row


def shared_files(root: Path) -> list[Path]:
    """Every file of the published run: pages, executed notebooks, PDFs, run.json."""
    return sorted(p for p in (root / "out").rglob("*") if p.is_file())


def pdf_text(path: Path) -> str:
    """A PDF's text as a reader's viewer would copy it (its bytes are compressed), and its
    document information (title, producer)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return " ".join([*(page.extract_text() for page in reader.pages), *map(str, (reader.metadata or {}).values())])


def test_contact_details_in_any_text_field_are_warned_about_at_their_cell(report_run):
    from svlib.validate.partner import read_partner
    from tests.workbooks import CONTACT_DETAILS

    result, raw, root = report_run
    data, problems = read_partner(raw / "xss.xlsx")
    assert data is not None  # warnings: the partner is still reported
    warned = {(p.sheet, p.column if p.column != "value" else p.message.split(" ")[0]) for p in problems
              if p.severity == "warning" and "holds what looks like" in p.message}
    assert warned == set(CONTACT_DETAILS)


def test_contact_details_typed_in_any_text_field_reach_no_shared_file(report_run):
    from tests.workbooks import CONTACT_DETAILS

    result, raw, root = report_run
    processed = " ".join(p.read_text(encoding="utf-8") for p in (root / "processed").glob("*.csv"))
    assert all(text in processed for text in CONTACT_DETAILS.values())  # the local tables keep them
    details = [detail for text in CONTACT_DETAILS.values() for detail in re.findall(
        r"[\w.]+@[\w.]+|0\d{3,4} \d{3} ?\d{3,4}|DH\d \d[A-Z]{2}", text)]
    assert len(details) == len(CONTACT_DETAILS)
    for path in shared_files(root):
        text = " ".join(cell for _, cells in records(path) for _, cell in cells) if path.suffix == ".xlsx" \
            else pdf_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8")
        for detail in details:
            assert detail not in text and detail.replace(" ", "") not in text, (path.name, detail)
    page = (root / "out" / "partners" / "xss-test.html").read_text(encoding="utf-8")
    assert "Volunteers (contact [email removed])" in page  # the rest of the text is still shown


def test_a_failed_partners_messages_stay_on_the_researchers_machine(report_run):
    from tests.conftest import BROKEN_CELL

    result, raw, root = report_run
    key = "partner/broken.xlsx"
    full = result.problems[key]
    assert any(f"{raw / 'broken.xlsx'}:ImpactMap:3:quantity: expected a number" in m and "'Jo said ring 07700 900555'" in m
               for m in full)  # the terminal and the log have the cell
    assert BROKEN_CELL in result.log.read_text(encoding="utf-8")
    assert not result.log.is_relative_to(root / "out")  # the log is not published
    record = next(r for r in result.run["notebooks"] if r["key"] == key)
    assert "broken.xlsx, sheet ImpactMap, row 3, column quantity: expected a number (such as 12 or 1,200), got […]" \
        in record["problems"]
    assert "broken.xlsx, sheet ImpactMap, row 2, column deadweight: […] is a bare number above 1: write […]% for […] " \
           "percent, or the fraction […]" in record["problems"]
    for path in (root / "out" / "index.html", root / "out" / "run.json"):
        text = path.read_text(encoding="utf-8")
        assert "07700 900555" not in text and "Jo said" not in text, path.name
        assert str(root) not in text and str(raw) not in text, path.name  # no folders of this machine


def test_control_characters_in_partner_text_are_escaped_in_messages():
    from svlib.core.problems import Problem, quote

    crafted = "\x1b[2J\x1b[1;1Hsvlib: all valid\u202e"
    shown = str(Problem(f"evil{crafted}.xlsx", "ImpactMap", 2, "quantity", f"got {quote(crafted)}"))
    assert "\x1b" not in shown and "\u202e" not in shown
    assert shown == ("evil\\x1b[2J\\x1b[1;1Hsvlib: all valid\\u202e.xlsx:ImpactMap:2:quantity: "
                     "got '\\x1b[2J\\x1b[1;1Hsvlib: all valid\\u202e'")


def test_a_partners_name_and_file_name_reach_no_shared_file_with_their_contact_details(tmp_path):
    # the page's <title>, its provenance block, run.json's keys and fingerprints, the index
    from svlib.reporting.reports import run_reports
    from tests.workbooks import write_partner

    raw = tmp_path / "forum"
    raw.mkdir()
    write_partner(raw / "jo.lead@example.org DH1 3LE.xlsx", base="food-network",
                  name="Food Network (ring 07700 900654)")
    broken = write_partner(raw / "sam@example.net 07700 900777.xlsx", base="youth-hub", partner_id="Not An Id")
    result = run_reports(raw, tmp_path / "out", jobs=1, draws=200, seed=1, processed=tmp_path / "tables",
                         progress=False, research=False)
    assert [r["status"] for r in result.run["notebooks"]] == ["ok", "failed"]
    assert broken.exists()
    for path in sorted((tmp_path / "out").rglob("*")):
        if path.is_file():  # a workbook (the partner's figures) by the text of its cells, a PDF by its text
            text = (" ".join(t for _, cells in records(path) for _, t in cells) if path.suffix == ".xlsx"
                    else pdf_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8"))
            for detail in ("jo.lead@example.org", "DH1 3LE", "07700 900654", "sam@example.net", "07700 900777"):
                assert detail not in text, (path.name, detail)
    page = (tmp_path / "out" / "partners" / "food-network.html").read_text(encoding="utf-8")
    assert "<title>Food Network (ring [phone removed])</title>" in page
    assert any(t == "Food Network (ring [phone removed])" for _, cells in records(
        tmp_path / "out" / "partners" / "food-network.xlsx") for _, t in cells)  # the workbook is there, redacted


def test_a_listed_name_and_a_name_found_by_the_check_reach_no_shared_file(report_run):
    # The example plants a nickname the check cannot know, listed in the green spaces
    # trust's Names sheet, and a first name listed nowhere, in the food network's
    # testimony; both testimonies are consented and marked anonymised, so both are shared.
    result, raw, root = report_run
    cases = pd.read_csv(root / "processed" / "case_studies.csv")
    listed = pd.read_csv(root / "processed" / "names.csv")
    assert cases["text"].str.contains(LISTED_NAME).any() and cases["text"].str.contains(UNLISTED_NAME).any()
    assert listed["name"].tolist() == [LISTED_NAME] and UNLISTED_NAME not in " ".join(listed["name"])
    shared = shared_files(root)
    assert {p.suffix for p in shared} >= {".html", ".ipynb", ".json"}
    for path in shared:
        text = pdf_text(path) if path.suffix == ".pdf" else \
            path.read_text(encoding="utf-8", errors="replace") if path.suffix != ".xlsx" else ""
        for name in (LISTED_NAME, UNLISTED_NAME):
            assert re.search(rf"\b{name}\b", text, re.IGNORECASE) is None, (path, name)
    # the testimonies are still shown, with the names removed
    food = (root / "out" / "partners" / "food-network.html").read_text(encoding="utf-8")
    green = (root / "out" / "partners" / "xss-test.html").read_text(encoding="utf-8")  # the green spaces trust's
    assert "[name removed], a widower in his eighties" in food
    assert "[name removed], as the crew call him" in green
    # and the disclosure check, run by svlib reports before publishing, agrees
    names = collection_name_rules(name_rules(load_processed(root / "processed")))
    assert [f for f in audit_folder(root / "out", [], names)] == []


def test_unconsented_text_is_never_tagged_into_a_shared_file(report_run, monkeypatch):
    # the youth hub's unconsented testimony holds the planted phrase; the tagger runs on
    # every partner page, theme page and the forum summary, and must never read it
    from svlib.analysis import tagging
    from svlib.analysis.testimony_tags import suggested_tags
    from svlib.reporting.partner_report import shared_tables

    result, raw, root = report_run
    cases = pd.read_csv(root / "processed" / "case_studies.csv")
    planted = cases[cases["text"].str.contains(NON_CONSENTED_PHRASE, regex=False)]
    assert list(planted["partner_id"]) == ["youth-hub"] and (planted["consent"] != "yes").all()
    page = (root / "out" / "partners" / "youth-hub.html").read_text(encoding="utf-8")
    assert "What the testimonies suggest" in page and "Suggested tags beside the partner" in page
    for path in shared_files(root):
        text = (" ".join(t for _, cells in records(path) for _, t in cells) if path.suffix == ".xlsx"
                else pdf_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8"))
        assert NON_CONSENTED_PHRASE not in text, path.name
    read: list[str] = []
    embed = tagging.Model.embed
    monkeypatch.setattr(tagging.Model, "embed", lambda self, texts: read.extend(texts) or embed(self, texts))
    tags = suggested_tags(shared_tables(data_dir=root / "processed")).tags
    assert len(tags) and read
    assert NON_CONSENTED_PHRASE not in " ".join(read)
    assert planted["case_id"].iloc[0] not in set(tags.loc[tags["partner_id"] == "youth-hub", "case_id"])
