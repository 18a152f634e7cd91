"""Fixtures shared by the analysis tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def example_tables(example_folder):
    """The example collection's processed tables, as every shared page reads them."""
    from svlib.reporting.partner_report import shared_tables

    return shared_tables("example", example_folder)
