"""Real partner workbooks for tests: written with the template's writer, then edited the
way a person (or a spreadsheet program) would."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from svlib.example_partners import example_collection
from svlib.template import write_workbook
from svlib.xlsx import _sheet_xml_paths

_COLLECTION = example_collection()


def write_partner(path: Path, base: str = "food-network", example_rows: bool = False, **partner_fields: Any) -> Path:
    """A valid workbook of one example partner, with Partner fields replaced (and the
    template's grey "e.g." example row above the data on every sheet, when asked)."""
    partner, tables = _COLLECTION[base]
    return write_workbook(path, {**partner, **partner_fields}, tables, example_rows=example_rows)


def write_csv_partner(folder: Path) -> Path:
    """A valid partner as a folder of CSVs named after the sheets (Partner, Inputs and a
    one-outcome ImpactMap; the optional sheets absent)."""
    folder.mkdir(parents=True)
    (folder / "Partner.csv").write_text(
        "field,value\npartner_id,csv-group\nname,CSV Group\norganisation_type,charity\narea,Consett\n"
        "purpose,evaluative\nperiod_start,01/04/2024\nperiod_end,31/03/2025\nprice_year,2024\n", encoding="utf-8")
    (folder / "Inputs.csv").write_text("input_id,source,value_gbp\nIN1,Grant,5000\n", encoding="utf-8")
    (folder / "ImpactMap.csv").write_text(
        "outcome_id,stakeholder,outcome,theme,quantity,duration,deadweight,displacement,attribution,drop_off,proxy_value\n"
        "C1,Residents,Volunteered,Growth,10,1,20%,0,25%,0,400\n", encoding="utf-8")
    return folder


def column_of(path: Path, sheet: str, header: str) -> str:
    """The column letter under a header in row 1."""
    ws = openpyxl.load_workbook(path)[sheet]
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise KeyError(header)


def field_row(path: Path, sheet: str, field: str) -> int:
    ws = openpyxl.load_workbook(path)[sheet]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == field:
            return row[0].row
    raise KeyError(field)


def edit(path: Path, sheet: str, cells: dict[str, Any], number_format: str | None = None) -> Path:
    """Set cells (such as ``{"G2": "25"}``) as a person would in a spreadsheet program."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    for ref, value in cells.items():
        ws[ref] = value
        if number_format:
            ws[ref].number_format = number_format
    book.save(path)
    return path


def cache_formula_value(path: Path, sheet: str, ref: str, cached: str) -> Path:
    """Give a formula cell a calculated value, as Excel does when it saves."""
    with zipfile.ZipFile(path) as archive:
        part = _sheet_xml_paths(archive)[sheet]
        contents = {name: archive.read(name) for name in archive.namelist()}
    xml = contents[part].decode()
    pattern = re.compile(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?')
    xml, count = pattern.subn(rf"\1<v>{cached}</v>", xml)
    assert count == 1, f"no formula at {ref}"
    contents[part] = xml.encode()
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    shutil.move(temporary, path)
    return path
