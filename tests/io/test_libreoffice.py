"""Partner workbooks that have been through LibreOffice, as a partner without Excel would
send them: the bundled example workbooks and the blank template, opened and saved again
as .xlsx by LibreOffice Calc (Debian's ``libreoffice-calc-nogui``, which .ci/run installs),
and a workbook saved in LibreOffice's own format (.ods)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from svlib import paths
from svlib.cli import main
from svlib.io.template import write_template
from svlib.pipeline.build import build
from svlib.validate.partner import read_partner

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Debian's libreoffice-common alone brings the soffice launcher; Calc is its libsclo library
CALC = SOFFICE is not None and any(Path(SOFFICE).resolve().parent.glob("libsclo.*"))
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CALC, reason="LibreOffice Calc is not installed (.ci/run installs it)")]


def save_in_libreoffice(sources: list[Path], out: Path, fmt: str = "xlsx") -> list[Path]:
    """Each workbook opened and saved again by LibreOffice Calc, headless, into ``out``.

    ``fmt`` is a LibreOffice filter: "xlsx" (Excel 2007-365) or "ods". A private user
    profile keeps the run independent of any LibreOffice the machine's user has open.
    """
    out.mkdir(parents=True, exist_ok=True)
    profile = (out.parent / f"{out.name}-profile").resolve().as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", fmt,
                    "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=300)
    saved = [out / f"{source.stem}.{fmt}" for source in sources]
    assert all(path.is_file() for path in saved), sorted(out.iterdir())
    return saved


def test_example_workbooks_saved_by_libreoffice_build_to_the_same_tables(tmp_path):
    originals = sorted(paths.raw_collection("example").glob("*.xlsx"))
    assert len(originals) == 7
    resaved = save_in_libreoffice(originals, tmp_path / "raw")
    assert all(a.read_bytes() != b.read_bytes() for a, b in zip(originals, resaved))  # really rewritten
    before, after = build(paths.raw_collection("example"), tmp_path / "before"), build(tmp_path / "raw", tmp_path / "after")
    assert before.ok and after.ok, [str(p) for p in after.problems]
    tables = sorted(p.name for p in (tmp_path / "before").glob("*.csv"))
    assert len(tables) == 10 and tables == sorted(p.name for p in (tmp_path / "after").glob("*.csv"))
    for name in tables:
        assert (tmp_path / "before" / name).read_bytes() == (tmp_path / "after" / name).read_bytes(), name
    assert before.manifest["tables"] == after.manifest["tables"] and before.manifest["partners"] == after.manifest["partners"]


def test_the_template_keeps_its_dropdowns_formats_and_example_rows_through_libreoffice(tmp_path):
    template = write_template(tmp_path / "template.xlsx")
    (resaved,) = save_in_libreoffice([template], tmp_path / "saved")
    original, saved = openpyxl.load_workbook(template), openpyxl.load_workbook(resaved)
    assert saved.sheetnames == original.sheetnames
    for sheet in original.worksheets:
        lists = {(v.formula1.replace("'", ""), str(v.sqref)) for v in sheet.data_validations.dataValidation}
        kept = {(v.formula1.replace("'", ""), str(v.sqref)) for v in saved[sheet.title].data_validations.dataValidation}
        assert kept == lists, sheet.title
        for row in sheet.iter_rows(min_row=1, max_row=3):
            for cell in row:
                # LibreOffice writes the literal £ escaped ("\£"), which Excel reads the same
                assert saved[sheet.title][cell.coordinate].number_format.replace("\\", "") == cell.number_format
                assert saved[sheet.title][cell.coordinate].value == cell.value
    assert sum(bool(s.data_validations.dataValidation) for s in saved.worksheets) >= 6
    # the blank template's example rows are still recognised and skipped: the same messages
    expected = [str(p).replace(str(template), "F") for p in read_partner(template)[1]]
    assert [str(p).replace(str(resaved), "F") for p in read_partner(resaved)[1]] == expected
    assert any("the impact map has no outcomes" in m for m in expected)


def test_a_workbook_saved_as_ods_is_refused_with_how_to_save_it_as_xlsx(tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(paths.raw_collection("example"), raw)
    (ods,) = save_in_libreoffice([raw / "youth-hub.xlsx"], raw, fmt="ods")
    (raw / "youth-hub.xlsx").unlink()
    assert main(["validate", str(ods)]) == 1
    err = capsys.readouterr().err
    assert f"{ods}:::: this is an OpenDocument spreadsheet (.ods)" in err and "'Excel 2007-365 (.xlsx)'" in err
    out = tmp_path / "processed"
    assert main(["build", str(raw), str(out)]) == 1 and not out.exists()
    assert "youth-hub.ods" in capsys.readouterr().err


def test_processed_tables_opened_in_libreoffice_run_no_formula(tmp_path):
    # LibreOffice evaluates a CSV cell "=1+1" as a formula; svlib's tables must never hold one
    from tests.workbooks import FORMULA_TEXT, plant_formulas

    raw = tmp_path / "raw"
    raw.mkdir()
    plant_formulas(shutil.copy(paths.raw_collection("example") / "food-network.xlsx", raw))
    assert build(raw, tmp_path / "tables").ok
    opened = save_in_libreoffice(sorted((tmp_path / "tables").glob("*.csv")), tmp_path / "opened")
    texts = []
    for book in opened:
        for sheet in openpyxl.load_workbook(book).worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row), (book.name, [c.value for c in row])
                texts += [cell.value for cell in row if isinstance(cell.value, str)]
    for text in FORMULA_TEXT.values():
        assert "'" + text in texts  # shown as the text it is, with the apostrophe that keeps it text
