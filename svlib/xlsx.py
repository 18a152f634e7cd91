"""Low-level reading of .xlsx workbooks: cell values, merged cells and formula states.

Values are read with calamine (a fast Rust reader of the cached cell values). Two things
calamine does not say are read from the sheet XML directly: formulas whose result was
never calculated (no cached value, so the cell would look blank) and cells holding an
error such as ``#DIV/0!``. Files are opened read-only and never modified.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from xml.etree import ElementTree

import python_calamine

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*(?:<is>.*?</is>\s*)?</c>', re.S
)
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*\bt="e"[^>]*>.*?<v>([^<]*)</v>', re.S)
_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


_NOT_XLSX = "not an .xlsx workbook (expected a file saved from Excel or LibreOffice as .xlsx)"
_OTHER_FORMAT = "this is {what}, which svlib does not read; {how}, and use that .xlsx file instead"
_ODS = _OTHER_FORMAT.format(what="an OpenDocument spreadsheet ({suffix}), LibreOffice's own format",
                            how="in LibreOffice use File > Save As with the file type 'Excel 2007-365 (.xlsx)'")
_XLSB = _OTHER_FORMAT.format(what="a binary Excel workbook (.xlsb)",
                             how="in Excel use File > Save As with the file type 'Excel Workbook (.xlsx)'")
_NUMBERS = _OTHER_FORMAT.format(what="an Apple Numbers spreadsheet", how="in Numbers use File > Export To > Excel")


class WorkbookError(Exception):
    """The file cannot be read as a workbook; the message says why and what to do."""


@dataclass
class Sheet:
    """One worksheet's cells.

    Attributes
    ----------
    name : str
    rows : list of list
        Cell values from A1, one list per spreadsheet row (row ``i`` of the list is row
        ``i + 1`` in the spreadsheet); merged ranges carry their top-left value in every
        cell.
    merged : list of str
        Merged ranges, such as ``"A5:B7"``.
    uncalculated : list of (row, column letter)
        Formula cells with no calculated value.
    errors : list of (row, column letter, error text)
        Cells whose value is an error such as ``#DIV/0!``.
    """

    name: str
    rows: list[list[Any]]
    merged: list[str] = field(default_factory=list)
    uncalculated: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0-based column index as a spreadsheet letter (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_signature(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head.startswith(_OLE_MAGIC):
            handle.seek(0)
            body = handle.read()
            if "EncryptionInfo".encode("utf-16-le") in body:
                raise WorkbookError(
                    "the workbook is password-protected; open it, remove the password "
                    "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save it again as .xlsx"
                )
            raise WorkbookError("this is an old-format .xls workbook; open it and save it as an Excel Workbook (.xlsx)")
        if not head.startswith(_ZIP_MAGIC):
            raise WorkbookError(_NOT_XLSX)


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a zip archive that is not an .xlsx workbook, saying what it is when known."""
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return
    if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        raise WorkbookError(_ODS.format(suffix=".ods"))
    if "xl/workbook.bin" in names:
        raise WorkbookError(_XLSB)
    raise WorkbookError(_NOT_XLSX)


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name to the XML part holding its cells."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out = {}
    for sheet in workbook.findall("main:sheets/main:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        out[sheet.get("name", "")] = part
    return out


def _formula_states(archive: zipfile.ZipFile, part: str) -> tuple[list[tuple[int, str]], list[tuple[int, str, str]]]:
    try:
        xml = archive.read(part)
    except KeyError:
        return [], []
    uncalculated = [] if b"<f" not in xml else [
        (int(m.group(2)), m.group(1).decode()) for m in _FORMULA_WITHOUT_VALUE.finditer(xml)]
    errors = [] if b't="e"' not in xml else [
        (int(m.group(2)), m.group(1).decode(), m.group(3).decode()) for m in _ERROR_CELL.finditer(xml)]
    return uncalculated, errors


def read_workbook(
    path: str | Path, wanted: set[str] | Callable[[list[str]], set[str]] | None = None
) -> tuple[list[str], dict[str, Sheet]]:
    """Sheet names (in workbook order) and the cells of the sheets in ``wanted`` (all when
    None; a callable receives the sheet names and returns the ones to read).

    Raises
    ------
    WorkbookError
        Not an .xlsx file, password-protected, or damaged.
    """
    path = Path(path)
    numbers = path.suffix.lower() == ".numbers"  # Apple Numbers: a zip file, or a folder (a package) in older versions
    if not path.is_file() and not (numbers and path.is_dir()):
        raise WorkbookError("file not found" if not path.exists() else "is a folder, expected a workbook")
    if numbers:
        raise WorkbookError(_NUMBERS)
    if path.suffix.lower() == ".fods":  # flat (uncompressed XML) OpenDocument
        raise WorkbookError(_ODS.format(suffix=".fods"))
    _check_signature(path)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_parts(archive)
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            names = list(workbook.sheet_names)
            if callable(wanted):
                wanted = set(wanted(names))
            sheets: dict[str, Sheet] = {}
            parts = _sheet_xml_paths(archive)
            for name in names:
                if wanted is not None and name not in wanted:
                    continue
                raw = workbook.get_sheet_by_name(name)
                rows = [list(r) for r in raw.to_python(skip_empty_area=False)]
                merged = []
                for (r1, c1), (r2, c2) in raw.merged_cell_ranges or []:
                    merged.append(f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}")
                    if r1 >= len(rows) or c1 >= len(rows[r1]):
                        continue
                    value = rows[r1][c1]
                    for r in range(r1, min(r2, len(rows) - 1) + 1):
                        for c in range(c1, c2 + 1):
                            while len(rows[r]) <= c:
                                rows[r].append("")
                            rows[r][c] = value
                uncalculated, errors = _formula_states(archive, parts.get(name, ""))
                sheets[name] = Sheet(name, rows, merged, uncalculated, errors)
        workbook.close()
    except WorkbookError:
        raise
    except (python_calamine.PasswordError,) as exc:
        raise WorkbookError("the workbook is password-protected; remove the password and save it again") from exc
    except Exception as exc:  # noqa: BLE001 - any failure to parse a damaged file is the file's problem
        raise WorkbookError(f"the workbook is damaged and cannot be read ({type(exc).__name__}); "
                            "open it in Excel or LibreOffice and save it again as .xlsx") from exc
    return names, sheets
