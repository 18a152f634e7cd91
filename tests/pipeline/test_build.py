"""svlib build: raw collection to tidy tables, all or nothing, raw files untouched,
identical tables on re-run."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from svlib import paths
from svlib.cli import main
from svlib.core.files import sha256
from svlib.pipeline.build import build, load_processed
from tests.workbooks import FORMULA_TEXT, column_of, edit, plant_formulas, write_csv_partner

TABLE_FILES = ["partner.csv", "inputs.csv", "impact_map.csv", "baseline.csv", "reporting_calendar.csv",
               "quality_marks.csv", "deflator_survey.csv", "star_readings.csv", "case_studies.csv", "names.csv"]


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(paths.raw_collection("example"), folder)
    return folder


def hashes(folder):
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_example_collection_builds_every_table_with_a_manifest(raw, tmp_path):
    before = hashes(raw)
    out = tmp_path / "processed"
    assert main(["build", str(raw), str(out)]) == 0
    assert hashes(raw) == before  # raw files are only read
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_FILES + ["manifest.json"])
    assert manifest["partners"] == ["befriending-service", "digital-inclusion", "employability-cic", "food-network",
                                    "food-network-forecast", "green-spaces-trust", "youth-hub"]
    for source in manifest["sources"]:
        assert source["sha256"] == before[source["file"]]
        assert source["bytes"] == (raw / source["file"]).stat().st_size
        assert source["modified"]
    for file_name in TABLE_FILES:
        frame = pd.read_csv(out / file_name)
        assert manifest["tables"][file_name] == len(frame)
        assert list(frame.columns)[0] == "partner_id"
    assert {"svlib_version", "built_at"} <= set(manifest)
    tables = load_processed(out)
    assert set(tables["ImpactMap"]["theme"]) == {"Jobs", "Growth", "Social", "Environment", "Innovation"}


def test_rebuilding_unchanged_input_gives_identical_tables(raw, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(raw, first).ok and build(raw, second).ok
    for file_name in TABLE_FILES:
        assert (first / file_name).read_bytes() == (second / file_name).read_bytes(), file_name
    assert build(raw, first).ok  # rebuilding over an existing folder replaces it whole
    assert (first / "impact_map.csv").read_bytes() == (second / "impact_map.csv").read_bytes()


def test_one_invalid_workbook_means_nothing_is_written(raw, tmp_path, capsys):
    out = tmp_path / "processed"
    assert build(raw, out).ok
    previous = hashes(out)
    bad = raw / "youth-hub.xlsx"
    edit(bad, "ImpactMap", {f"{column_of(bad, 'ImpactMap', 'quantity')}2": "lots"})
    edit(bad, "Inputs", {f"{column_of(bad, 'Inputs', 'value_gbp')}2": "n/a"})
    raw_before = hashes(raw)
    assert main(["build", str(raw), str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:ImpactMap:2:quantity: expected a number" in err
    assert f"{bad}:Inputs:2:value_gbp: expected a number" in err
    assert "nothing was written" in err
    assert hashes(out) == previous  # the earlier build is untouched
    assert hashes(raw) == raw_before
    fresh = tmp_path / "fresh"
    assert not build(raw, fresh).ok and not fresh.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folders left


def tree(folder):
    return {str(p.relative_to(folder)): sha256(p) if p.is_file() else "folder" for p in sorted(folder.rglob("*"))}


def test_a_build_never_replaces_a_folder_it_did_not_write(raw, tmp_path):
    earlier = tmp_path / "processed"
    assert build(raw, earlier).ok
    (tmp_path / "thesis.docx").write_text("my thesis", encoding="utf-8")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("keep me", encoding="utf-8")
    a_file = tmp_path / "summary.xlsx"
    a_file.write_bytes(b"not mine to replace")
    refused = {
        str(raw): "holds the raw workbooks",  # the raw folder itself
        str(tmp_path): "holds the raw workbooks",  # a folder holding it
        str(raw / "processed"): "inside the raw folder",
        str(raw / "food-network.xlsx"): "the output is a file",
        str(a_file): "the output is a file",
        str(notes): "not an earlier build (it has no manifest.json)",
    }
    (earlier / "mynotes.txt").write_text("added by hand", encoding="utf-8")
    refused[str(earlier)] = "files a build did not write (mynotes.txt)"
    before = tree(tmp_path)
    for out, why in refused.items():
        result = build(raw, out)
        assert not result.ok and [p.file for p in result.problems] == [out], out
        assert why in result.problems[0].message and "data/processed/raw" in result.problems[0].message, out
        assert tree(tmp_path) == before, out  # nothing written, moved or deleted
    assert main(["build", str(raw), str(raw)]) == 1
    link = tmp_path / "link-to-raw"
    link.symlink_to(raw, target_is_directory=True)
    assert "holds the raw workbooks" in build(raw, link).problems[0].message  # a link is the folder it points to
    (earlier / "mynotes.txt").unlink()
    (earlier / ".my-notes").write_text("hidden, but mine", encoding="utf-8")
    assert "files a build did not write (.my-notes)" in build(raw, earlier).problems[0].message
    (earlier / ".my-notes").unlink()
    for name in (".DS_Store", "Thumbs.db", ".~lock.impact_map.csv#"):  # added by the system, not the user
        (earlier / name).write_bytes(b"")
    assert build(raw, earlier).ok  # an earlier build, as a build left it, is replaced
    (tmp_path / "fresh").mkdir()
    (tmp_path / "fresh" / ".DS_Store").write_bytes(b"")
    assert build(raw, tmp_path / "fresh").ok


def test_a_refusal_does_not_suggest_the_folder_it_refused(raw, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    suggested = tmp_path / "data" / "processed" / "raw"
    suggested.mkdir(parents=True)
    (suggested / "notes.txt").write_text("mine", encoding="utf-8")
    assert build(raw, "data/processed/raw").problems[0].message == (
        "the output folder is not empty and is not an earlier build (it has no manifest.json), and a build replaces "
        "its output folder whole; choose a new or empty folder")


def test_a_partner_in_another_spreadsheet_format_stops_the_build_with_its_own_message(raw, tmp_path):
    from svlib.pipeline.build import discover

    old_format = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an OLE2 header, as .xls files start
    (raw / "youth-club.xls").write_bytes(old_format)
    (raw / "youth-hub.xls").write_bytes(old_format)  # the original of youth-hub.xlsx, left beside it
    (raw / "loose.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    sources, notes = discover(raw)
    assert raw / "youth-club.xls" in sources and raw / "loose.csv" not in sources
    assert raw / "youth-hub.xls" not in sources and raw / "youth-hub.xlsx" in sources
    assert {p.file: (p.severity, p.message) for p in notes} == {
        str(raw / "loose.csv"): ("note", "a CSV file on its own is not read; a partner sent as CSV is a folder holding "
                                         "one CSV per sheet (Partner.csv, Inputs.csv, ImpactMap.csv, ...)"),
        str(raw / "youth-hub.xls"): ("note", "another format of youth-hub.xlsx, which is read instead; skipped")}
    out = tmp_path / "processed"
    result = build(raw, out)
    assert not result.ok and not out.exists()
    assert [str(p) for p in result.problems if p.severity == "error"] == [
        f"{raw / 'youth-club.xls'}:::: this is an old-format .xls workbook; open it and save it as an Excel Workbook (.xlsx)"]


def test_office_lock_files_are_skipped(raw, tmp_path):
    (raw / "~$food-network.xlsx").write_bytes(b"lock")
    result = build(raw, tmp_path / "out")
    assert result.ok
    assert any("lock file" in str(p) for p in result.problems)


def test_one_process_or_two_and_the_reports_path_write_the_same_bytes(raw, tmp_path):
    from svlib.pipeline.build import discover, write_processed
    from svlib.validate.partner import read_partner

    one, two, direct = tmp_path / "one", tmp_path / "two", tmp_path / "direct"
    assert build(raw, one, jobs=1).ok and build(raw, two, jobs=2).ok
    # svlib reports validates each workbook on its own and writes from the partners' tables
    partners = [read_partner(source)[0] for source in discover(raw)[0]]
    assert write_processed(partners, raw, direct).ok
    for file_name in TABLE_FILES:
        assert (one / file_name).read_bytes() == (two / file_name).read_bytes() == (direct / file_name).read_bytes()


def test_every_build_writes_the_fixed_processed_columns(tmp_path):
    """A partner that gives no uncertainty ranges still gets ImpactMap's range columns
    (blank), so every collection's tables have the same columns in the same order."""
    from svlib.contract.tables import WORKBOOK_TABLES
    from svlib.validate.schema import processed_columns, table_file_name

    folder = write_csv_partner(tmp_path / "raw" / "csv-group")
    (folder / "QualityMarks.csv").write_text("mark,awarded_date,expiry_date\nCommitted,10/05/2023,\n", encoding="utf-8")
    out = tmp_path / "processed"
    assert build(tmp_path / "raw", out).ok
    for table in WORKBOOK_TABLES:
        header = (out / table_file_name(table)).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == processed_columns(table), table.name
    impact = pd.read_csv(out / "impact_map.csv", keep_default_na=False, dtype=str)
    assert len(processed_columns(WORKBOOK_TABLES[2])) == 1 + 20 + 21 + 1  # partner_id, contract, 7 x (low, high, dist), row
    assert impact.loc[0, "deadweight"] == "0.2" and impact.loc[0, "leakage_low"] == "" and impact.loc[0, "source_row"] == "2"
    # a blank date is written blank, like every other blank (not as pandas' "NaT")
    assert (out / "quality_marks.csv").read_text(encoding="utf-8").splitlines()[1] == "csv-group,Committed,2023-05-10,,2"
    assert load_processed(out)["QualityMarks"]["expiry_date"].isna().all()


def test_the_text_to_be_written_is_what_the_schema_checks(raw, tmp_path):
    """The processed-table check reads back the exact CSV text to be written: a value the
    schema refuses there stops the build, named by processed file and line."""
    from dataclasses import replace

    from svlib.pipeline.build import discover, read_partner_rows, write_processed

    partners = [read_partner_rows(source)[0] for source in discover(raw)[0]]
    first = min(partners, key=lambda p: p.partner_id)
    lines = first.texts["ImpactMap"].splitlines(keepends=True)
    cells = lines[0].split(",")
    cells[7] = "1.5"  # deadweight: column 8 after partner_id and the seven before it
    broken = replace(first, texts={**first.texts, "ImpactMap": ",".join(cells) + "".join(lines[1:])})
    out = tmp_path / "processed"
    result = write_processed([broken if p is first else p for p in partners], raw, out)
    assert not result.ok and not out.exists()
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errors] == [(str(out / "impact_map.csv"), 2, "deadweight")]
    assert f"partner {first.partner_id}, workbook row 2" in errors[0].message


def test_the_reader_pool_leaves_garbage_collection_as_it_found_it(raw, tmp_path):
    import gc

    assert gc.get_freeze_count() == 0
    assert build(raw, tmp_path / "a", jobs=2).ok
    assert gc.get_freeze_count() == 0  # frozen while the readers ran, unfrozen after
    gc.freeze()
    try:
        assert build(raw, tmp_path / "b", jobs=2).ok
        # A caller's own freeze is kept. The count itself may fall a little (frozen objects
        # that are freed leave the permanent generation), so the test is that it is not
        # emptied, as gc.unfreeze() would.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_partner_text_that_starts_like_a_formula_is_written_as_text_and_read_back_unchanged(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    plant_formulas(shutil.copy(paths.raw_collection("example") / "food-network.xlsx", raw))
    assert build(raw, tmp_path / "out").ok
    written = {name: (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8")
               for name in ("partner", "impact_map", "inputs")}
    assert "'=HYPERLINK" in written["partner"] and "'@SUM" in written["partner"]
    assert "'=WEBSERVICE" in written["impact_map"] and "'+44 people" in written["impact_map"]
    assert "'-2+3" in written["impact_map"] and "''already quoted" in written["inputs"]
    tables = load_processed(tmp_path / "out")  # what svlib computes with is what the partner wrote
    lookup = {"Partner": tables["Partner"].iloc[0], "ImpactMap": tables["ImpactMap"].iloc[0],
              "Inputs": tables["Inputs"].iloc[0]}
    for (sheet, name), text in FORMULA_TEXT.items():
        assert lookup[sheet][name] == text, (sheet, name)
    assert tables["ImpactMap"]["quantity"].dtype == float  # numbers are numbers still


def abort_on_far_cell(path):
    """A reader that dies as a native library does when it cannot allocate: for the test
    of crash isolation below (module level, so reader processes can run it)."""
    import os

    from svlib.validate.partner import read_partner

    if "far" in path.name:
        os.abort()
    return read_partner(path)


def test_a_reader_process_that_dies_costs_only_its_own_file(raw, tmp_path):
    from svlib.pipeline.build import read_each

    sources = sorted(raw.glob("*.xlsx"))
    shutil.copy(sources[0], raw / "far-cell.xlsx")
    sources = sorted(raw.glob("*.xlsx"))
    results = read_each(sources, jobs=2, reader=abort_on_far_cell)
    assert len(results) == len(sources) == 8  # the seven example workbooks and the one that kills its reader
    for source, (data, problems) in zip(sources, results):
        if source.name == "far-cell.xlsx":
            assert data is None and problems[0].file == str(source)
            assert "reading this file stopped the reader process" in problems[0].message
        else:
            assert data is not None, [str(p) for p in problems]
