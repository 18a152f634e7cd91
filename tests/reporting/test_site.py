"""The forum's index page: every value escaped, only the run's own pages linked, and a
record without figures shown, never a crash."""

from __future__ import annotations

from svlib.reporting.site import render_index

XSS = "<img src=x onerror=alert(1)>"


def _run(*records: dict) -> dict:
    return {"collection": "forum", "run_id": "r1", "seed": 0, "draws": 1000, "svlib_version": "0.1.0",
            "notebooks": list(records)}


def _partner(**overrides) -> dict:
    record = {"key": "partner/a", "kind": "partner", "title": "A", "status": "ok", "html": "partners/a.html",
              "sroi_ratio": 2.5, "p5": 2.0, "p95": 3.0, "prob_ratio_below_1": 0.0, "error": None}
    record.update(overrides)
    return record


def test_partner_text_is_escaped_everywhere_and_the_page_has_no_script():
    page = render_index(_run(_partner(title=XSS),
                             _partner(key="partner/b", title="B", status="failed", html=None, error=XSS,
                                      problems=[XSS]),
                             {"key": "theme/jobs", "kind": "theme", "title": XSS, "status": "failed",
                              "html": None, "error": XSS}))
    assert XSS not in page and "<script" not in page.lower()
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 5


def test_only_the_runs_own_pages_become_links():
    for address in ("javascript:alert(1)", "https://example.org/x.html", "../secret.html", "partners/../../x.html",
                    "partners/A.html", "/etc/passwd"):
        page = render_index(_run(_partner(html=address)))
        assert "href=" not in page.split("<h2>Partner reports</h2>")[1], address
    assert 'href="partners/a.html"' in render_index(_run(_partner()))


def test_a_report_that_published_no_figures_shows_n_a_and_the_page_is_still_written():
    # a partner notebook that finished without displaying its headline leaves None figures
    page = render_index(_run(_partner(sroi_ratio=None, p5=None, p95=None, prob_ratio_below_1=None)))
    assert "<strong>n/a</strong>" in page and "n/a to n/a" in page


def test_a_failure_without_a_recorded_reason_says_so():
    page = render_index(_run({"key": "theme/jobs", "kind": "theme", "title": "Jobs", "status": "failed",
                              "html": None, "error": None}))
    assert "failed: None" not in page and "failed: no reason was recorded" in page
