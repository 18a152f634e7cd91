"""The finish check finds what a reader should not have to decode, and no page of a run has any."""

from __future__ import annotations

import pytest

from svlib.reporting.page_check import PLACEHOLDER_ALT, page_leftovers, run_leftovers

FINISHED = """<html><head><title>A report</title></head><body><h1>A report</h1>
<p>Present value £12,345 for an investment of £4,000 (1 October 2024 to 31 March 2025), 34.1% deadweight.</p>
<table><thead><tr><th>Outcome</th><th>Proxy</th><th>Factor</th></tr></thead>
<tbody><tr><td>Felt less lonely</td><td>£12.21</td><td>0.9662</td></tr></tbody></table>
<img src="data:image/png;base64,AAAA" alt="Bar chart of present value by theme: Social £12,345."></body></html>"""


def page(body: str, title: str = "A report") -> str:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


def kinds(html: str) -> list[str]:
    return [leftover.kind for leftover in page_leftovers(html, "page.html")]


def test_a_finished_page_has_no_leftovers():
    assert page_leftovers(FINISHED) == []


@pytest.mark.parametrize("body, kind", [
    ("<pre>{'mean': 609600.0, 'p5': 500000.0}</pre>", "raw structure"),
    ("<p>['JOB1', 'JOB2']</p>", "raw structure"),
    ("<table><tr><th>Awarded</th></tr><tr><td>2024-10-01 00:00:00</td></tr></table>", "timestamp"),
    ("<p>Due 2024-10-01.</p>", "timestamp"),
    ("<table><tr><th>Has target</th></tr><tr><td>True</td></tr></table>", "python value"),
    ("<table><tr><th>Value</th></tr><tr><td>nan</td></tr></table>", "python value"),
    ("<table><tr><th>Share</th></tr><tr><td>0.366667</td></tr></table>", "long decimal"),
    ("<p>Rebased to 3488.582375 in 2024 prices.</p>", "long decimal"),
    ("<p>A proxy of £8,311.0345 a year.</p>", "long decimal"),
    ("<p>Deadweight 33.3333%.</p>", "long decimal"),
    ("<table><tr><th>public_contract_value_gbp</th></tr><tr><td>£1</td></tr></table>", "code name"),
    ("<h2>readiness_weights</h2>", "code name"),
    ("<div data-mime-type='application/vnd.jupyter.stdout'><pre>debug</pre></div>", "print out"),
    ("<table><thead><tr><th>Proxy</th></tr></thead><tbody></tbody></table>", "empty table"),
    ("<table><tr><th>Outcome</th><th></th></tr><tr><td>JOB1</td><td>A job</td></tr></table>", "empty header"),
    (f"<img src='x.png' alt='{PLACEHOLDER_ALT}'>", "chart without words"),
    ("<img src='x.png'>", "chart without words"),
])
def test_each_leftover_is_found(body, kind):
    assert kind in kinds(page(body))


def test_a_page_needs_a_title_and_one_top_heading():
    assert "no title" in kinds("<html><head></head><body><h1>A</h1></body></html>")
    assert "headings" in kinds("<html><head><title>T</title></head><body><h1>A</h1><h1>B</h1></body></html>")
    assert "headings" in kinds("<html><head><title>T</title></head><body><h2>A</h2></body></html>")


def test_a_chart_whose_words_print_a_missing_value_is_flagged():
    assert "python value" in kinds(page("<img src='x.png' alt='Scores by area: Beta from nan to nan.'>"))


def test_words_that_merely_look_like_leftovers_are_not_flagged():
    # a partner's own words: "my nan's", "True, ..." in a story
    assert page_leftovers(page("<p>My nan's friend came round. True, I was lonely before.</p>")) == []
    # a date written for a reader, a year, a factor to 4 places, "None of", prices to the penny
    text = ("<p>None of the partners reported on 1 October 2024; in 2024 prices the factor is 0.9662 and the "
            "proxy £3,488.58; the ratio is £2.71 : £1.</p>")
    assert page_leftovers(page(text)) == []


@pytest.mark.slow
def test_no_page_of_a_real_run_has_a_leftover(report_run):
    result, raw, root = report_run
    pages = list((root / "out").rglob("*.html"))
    assert len(pages) >= 10  # partners, themes, research, forum, comparison and the index
    assert [str(f) for f in run_leftovers(root / "out")] == []
