"""The shipped reference tables are built from the cited reference files by a script, and
nothing in them is added by hand: a sample of verbatim reference rows rebuilds into exactly
the shipped rows, and (where the reference folder is at hand) the whole folder rebuilds into
exactly the shipped files."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from svlib import paths
from svlib.tools import reference_data

SAMPLE = Path(__file__).with_name("refdata_sample")
"""Verbatim lines of the reference files (header and a few rows each), copied with grep."""


def _shipped(name: str) -> list[dict[str, str]]:
    with paths.package_data(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("name", sorted(reference_data.BUILT))
def test_each_sample_row_rebuilds_into_exactly_the_shipped_row(name):
    built = _rows(reference_data.build(SAMPLE)[name])
    shipped = _shipped(name)
    assert built, f"the sample builds no row of {name}"
    for row in built:
        assert row in shipped, f"{name}: {row} is not shipped as built"


def test_the_sample_rows_keep_what_their_sources_say():
    built = {r["proxy_id"]: r for r in _rows(reference_data.build(SAMPLE)["proxies.csv"])}
    sample = {r["id"]: r for r in csv.DictReader((SAMPLE / "gmca_ucd_v1_4.csv").open(encoding="utf-8"))}
    neet = built["GMCA14-E&E10.0-F"]
    assert (neet["value_gbp"], neet["price_year"], neet["value_type"], neet["level"], neet["cost_code"]) == (
        "4257", "2011", "fiscal", "headline", "E&E10.0")
    assert neet["confidence"] == "A" and "RAG=A" in sample["GMCA14-E&E10.0-F"]["notes"]
    assert neet["source_comment"] == sample["GMCA14-E&E10.0-F"]["source_comment"]
    assert neet["theme"] == "Jobs" and neet["licence"].startswith("CC BY 4.0")
    pssru = [r for r in built.values() if "Unit Costs of Health" in r["original_source"]]  # PSSRU's series
    assert pssru and all("PSSRU keeps" in r["licence"] and r["licence"].startswith("CC BY 4.0") for r in pssru)
    carbon = built["DESNZ23-CV-2050-C"]
    assert (carbon["series"], carbon["series_year"], carbon["scenario"], carbon["value_gbp"]) == (
        "DESNZ23-CV", "2050", "central", "397.54")
    assert built["JOB-01"]["licence"].startswith("unconfirmed")  # MeasureUp: free and open, licence unconfirmed
    assert "JOB-05" not in built and "SOC-11" not in built  # gaps have no value


def test_a_gap_a_shipped_value_fills_leaves_the_gap_list():
    gaps = {r["proxy_id"] for r in _rows(reference_data.build(SAMPLE)["proxy_gaps.csv"])}
    assert "GRO-06" in gaps  # Local Multiplier 3: a method, still no value
    assert not gaps & set(reference_data.GAPS_FILLED)  # NEET, homelessness and crime are filled


def test_a_modelled_cpi_year_says_so():
    cpi = {r["year"]: r for r in _rows(reference_data.build(SAMPLE)["cpi_index.csv"])}
    assert cpi["1990"]["note"].startswith("ONS modelled estimate") and cpi["2011"]["note"] == ""


def test_a_verified_row_without_a_recorded_licence_is_refused(tmp_path):
    text = (SAMPLE / "proxies.csv").read_text(encoding="utf-8").replace("JOB-01,", "JOB-99,", 1)
    with pytest.raises(ValueError, match="JOB-99: no licence recorded"):
        reference_data.verified_proxies(text)


def test_an_id_twice_is_refused():
    carbon = (SAMPLE / "desnz_carbon_values_2023.csv").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="GMCA14-HO3.0-F appears twice"):
        reference_data.proxy_library((SAMPLE / "proxies.csv").read_text(encoding="utf-8"),
                                     (SAMPLE / "gmca_ucd_v1_4.csv").read_text(encoding="utf-8"),
                                     carbon.replace("DESNZ23-CV-2025-L,", "GMCA14-HO3.0-F,", 1))


REFDATA = Path(os.environ.get("SVLIB_REFDATA", paths.ROOT.parent / "shared" / "refdata"))


@pytest.mark.skipif(not (REFDATA / "gmca_ucd_v1_4.csv").exists(), reason="the reference folder is not at hand")
def test_the_whole_reference_folder_rebuilds_into_the_shipped_files():
    for name, text in reference_data.build(REFDATA).items():
        assert text == paths.package_data(name).read_text(encoding="utf-8"), name
