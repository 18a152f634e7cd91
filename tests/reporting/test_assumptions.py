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
    for proxy_id in load_library().ids:
        assert f"| {proxy_id} |" in text
    for phrase in ("3.5%", "year 1 discounted once", "drop-off", "CPI", "Green Book", "unverified"):
        assert phrase.lower() in text.lower()
