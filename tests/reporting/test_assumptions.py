"""The assumptions list is complete and docs/assumptions.md is in step with the package."""

from __future__ import annotations

from svlib import paths
from svlib.reference.proxies import load_library
from svlib.reporting.assumptions import assumptions_markdown


def test_docs_file_is_the_generated_list():
    written = (paths.ROOT / "docs" / "assumptions.md").read_text(encoding="utf-8")
    assert written.strip() == assumptions_markdown().strip(), "run `make assumptions` and commit docs/assumptions.md"


def test_every_shipped_proxy_and_default_is_listed_with_a_source():
    text = assumptions_markdown()
    table = load_library().table
    for proxy_id in table.index[table["dataset"] == "svlib's verified proxies"]:
        assert f"| {proxy_id} |" in text  # each hand-verified proxy in full
    for year in range(2020, 2051):
        assert f"| {year} |" in text  # each year of the carbon values
    # the GMCA lines are counted, and listed in full by `svlib proxies`
    assert "| GMCA Unit Cost Database v1.4 | 674 | 80 | 25 | 0 | 779 |" in text
    for phrase in ("3.5%", "year 1 discounted once", "drop-off", "CPI", "Green Book", "unverified"):
        assert phrase.lower() in text.lower()
