"""Fixtures shared by the reporting tests."""

from __future__ import annotations

import pytest

from svlib import paths
from svlib.pipeline.build import build


@pytest.fixture(scope="session")
def example_folder(tmp_path_factory):
    """The example collection's processed tables, built once into a temporary folder."""
    folder = tmp_path_factory.mktemp("processed") / "example"
    build(paths.raw_collection("example"), folder)
    return folder
