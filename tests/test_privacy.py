"""Shared outputs never carry unconsented testimony, contact details or small counts:
every HTML page of a real `svlib reports` run is scanned."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from svlib.example_partners import NON_CONSENTED_PHRASE, TESTIMONY_EMAIL, TESTIMONY_PHONE


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
    html = (root / "out" / "partners" / "food-network.html").read_text(encoding="utf-8")
    start = html.index("Deflator survey answers")
    survey_table = html[start: html.index("</table>", start)]
    assert "&lt;5" in survey_table
    for n in range(1, 5):
        assert f"<td>{n}</td>" not in survey_table
    assert "small survey of 3" not in html and ": 3 answers" not in html  # nor in the evidence or checklist text
    assert "small survey of &lt;5" in html
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
    html = (root / "out" / "partners" / "food-network.html").read_text(encoding="utf-8")
    start = html.index("<strong>Impact map</strong>")
    impact_table = html[start: html.index("</table>", start)]
    row = impact_table[impact_table.index("<td>FN5</td>"): impact_table.index("</tr>", impact_table.index("<td>FN5</td>"))]
    assert "<td>&lt;5</td>" in row and "<td>3</td>" not in row
