"""The disclosure check over every shared file of a full run of the example (six partner
reports, scoping, proxies, five theme pages, the index and run.json): no count below 5 can
be worked out, on any route the example plants (see tests/reporting/test_disclosure_audit.py)."""

from __future__ import annotations

import pytest

from svlib import paths
from svlib.pipeline.build import load_processed
from svlib.reporting.disclosure_audit import audit_folder, shared_files, small_outcome_facts
from svlib.reporting.reports import run_reports

pytestmark = pytest.mark.slow


def test_no_shared_file_of_a_run_gives_a_small_count_away(tmp_path):
    result = run_reports(paths.raw_collection("example"), tmp_path / "out", jobs=2, draws=500, seed=3,
                         processed=tmp_path / "processed", progress=False)
    assert result.ok, [f["error"] for f in result.failures]
    facts = small_outcome_facts(load_processed(tmp_path / "processed"))
    assert len(facts) == 8  # BS5, BS6, DI3, FN5, GS6, GS7, YH2, YH3
    files = shared_files(tmp_path / "out")
    kinds = {p.suffix for p in files}
    assert {".html", ".ipynb", ".json"} <= kinds and len(files) >= 27
    assert audit_folder(tmp_path / "out", facts) == []
    # the small outcomes are on the pages (named, their value counted), only their per-person figures are not
    page = (tmp_path / "out" / "partners" / "befriending-service.html").read_text(encoding="utf-8")
    assert "BS6" in page and "Adopted the telephone befriending model" in page
    jobs = (tmp_path / "out" / "themes" / "jobs.html").read_text(encoding="utf-8")
    assert "FN5" in jobs
