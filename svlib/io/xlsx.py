"""Low-level reading of .xlsx workbooks: cell values, merged cells and formula states.

Values are read with calamine (a fast Rust reader of the cached cell values). Two things
calamine does not say are read from the sheet XML directly: formulas whose result was
never calculated (no cached value, so the cell would look blank) and cells holding an
error such as ``#DIV/0!``. Files are opened read-only and never modified.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree

import python_calamine

from svlib.core.files import FileRefused, read_regular
from svlib.core.problems import quote

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


MAX_FILE_BYTES = 25_000_000
"""Largest workbook (or CSV file) read: 25 MB. The template filled in for a large partner
is well under 1 MB."""
MAX_PARTS = 1_000
"""Most files inside a workbook's zip archive (the template has about 40)."""
MAX_PART_BYTES = 100_000_000
"""Largest file inside the archive once uncompressed: 100 MB (a zip bomb declares or
unpacks to gigabytes)."""
MAX_UNPACKED_BYTES = 200_000_000
"""Largest total of the archive's files once uncompressed: 200 MB."""
MAX_ROWS = 100_000
"""Rows a sheet may use (header included)."""
MAX_COLUMNS = 100
"""Columns a sheet may use: A to CV. The widest sheet, the impact map with every
uncertainty column, has 41."""

MAX_MERGED_CELLS = 100_000
"""Most cells a sheet's merged ranges may cover, within the cells it uses (a merged title
row or a category down a column covers a few hundred)."""

# What sends a sheet to the careful look at its extent (a real XML parser, cell by cell):
# a cell that does not begin with a reference inside MAX_COLUMNS and below row 100,000,
# written as Excel and LibreOffice write it (columns A to CV, at most five digits, in
# double quotes, first among the attributes), or any element named c or row with a
# namespace prefix. Two searches of the sheet, usually finding nothing; whatever else
# the reader would take for a cell is found by the careful look.
_LOOK_CLOSER = re.compile(rb'<c(?=[\s/>])(?! r="(?:[A-Z]|[AB][A-Z]|C[A-V])\d{1,5}")')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


class WorkbookError(Exception):
    """The file cannot be read as a workbook; the message says why and what to do, and
    ``sheet``, ``row`` and ``column`` where, when the problem is in one place."""

    def __init__(self, message: str, sheet: str = "", row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.sheet, self.row, self.column = sheet, row, column


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


def column_number(letters: str) -> int:
    """A spreadsheet column's letters as its 1-based number (A -> 1, CV -> 100)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_signature(data: bytes) -> None:
    head = data[:8]
    if head.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise WorkbookError(
                "the workbook is password-protected; open it, remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save it again as .xlsx"
            )
        raise WorkbookError("this is an old-format .xls workbook; open it and save it as an Excel Workbook (.xlsx)")
    if not head.startswith(_ZIP_MAGIC):
        raise WorkbookError(_NOT_XLSX)


def _check_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose files are too many or unpack too large (a zip bomb), from
    the sizes it declares. The parts the cell reader unpacks (:data:`_READ_AT_OPEN` and
    each sheet read) are unpacked here first, where reading stops at the declared size
    and a part that lied fails its checksum, so the declared sizes bound what is
    unpacked."""
    parts = archive.infolist()
    lowered = [part.filename.lower() for part in parts]
    if len(set(lowered)) != len(lowered):  # which of two look-alike parts a reader takes is its own choice
        raise WorkbookError("the workbook holds two parts whose names differ only in capitals; it is damaged: "
                            "open it in Excel or LibreOffice and save it again as .xlsx")
    if len(parts) > MAX_PARTS:
        raise WorkbookError(f"the workbook holds {len(parts):,} files inside; a workbook holds a few dozen (svlib "
                            f"reads up to {MAX_PARTS:,}): save the partner's tables in a new workbook from the template")
    largest = max(parts, key=lambda part: part.file_size, default=None)
    total = sum(part.file_size for part in parts)
    if largest is not None and (largest.file_size > MAX_PART_BYTES or total > MAX_UNPACKED_BYTES):
        raise WorkbookError(
            f"the workbook unpacks to {total / 1e6:,.0f} MB ({largest.filename} alone {largest.file_size / 1e6:,.0f} MB), "
            f"more than the {MAX_UNPACKED_BYTES / 1e6:,.0f} MB svlib reads (at most {MAX_PART_BYTES / 1e6:,.0f} MB a "
            "part); a partner's workbook is far smaller: save its tables in a new workbook from the template")


def _check_extent(xml: bytes, sheet: str) -> None:
    """Refuse a sheet that uses a cell beyond :data:`MAX_ROWS` or :data:`MAX_COLUMNS`:
    the reader holds every cell from the first used to the last, so one stray cell at
    XFD1048576 would ask for hundreds of GiB. Usually one search says every cell is in
    range; otherwise each cell is placed as the reader places it (by its reference, else
    after the one before, in the row given or after the one before), with the sheet
    parsed as XML, so that no spelling (quotes, namespace prefixes, character
    references, spacing) hides a cell. A reference that cannot be read is refused too."""
    if _LOOK_CLOSER.search(xml) is None and _PREFIXED.search(xml) is None:
        return
    row_number, column = 0, 0
    try:
        for _, element in ElementTree.iterparse(io.BytesIO(xml), events=("start",)):
            name = element.tag.rsplit("}", 1)[-1]
            if name not in ("row", "c"):
                continue
            given = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "r"), None)
            if name == "row":
                try:
                    row_number = int(given) if given is not None else row_number + 1
                except ValueError:
                    raise WorkbookError(f"a row of the sheet is numbered {quote(given)}, which is not a row number; "
                                        "open the workbook in Excel or LibreOffice and save it again", sheet) from None
                column = 0
                continue
            if given is None:
                letters, row = column_letter(column), row_number
            else:
                found = _REFERENCE.fullmatch(given.strip().upper())
                if found is None:
                    raise WorkbookError(f"a cell of the sheet has the reference {quote(given)}, which is not a cell "
                                        "reference; open the workbook in Excel or LibreOffice and save it again", sheet)
                letters, row = found.group(1), int(found.group(2))
            column = column_number(letters)
            if row > MAX_ROWS or column > MAX_COLUMNS:
                raise WorkbookError(
                    f"the sheet uses cell {letters}{row}, beyond the {MAX_ROWS:,} rows and {MAX_COLUMNS} columns (A to "
                    f"{column_letter(MAX_COLUMNS - 1)}) svlib reads; delete the rows and columns past the table (select "
                    "them, then Delete), then save", sheet, row, letters)
    except ElementTree.ParseError:
        raise WorkbookError("the sheet's cells are damaged and cannot be read; open the workbook in Excel or "
                            "LibreOffice and save it again as .xlsx", sheet) from None


def _check_merged(ranges: list[tuple[tuple[int, int], tuple[int, int]]], rows: int, sheet: str) -> None:
    """Refuse merged ranges covering more than :data:`MAX_MERGED_CELLS` of the cells the
    sheet uses: each covered cell is given the merged value, one at a time."""
    covered = 0
    for (r1, c1), (r2, c2) in ranges:
        if r1 < rows:
            covered += (min(r2, rows - 1) - r1 + 1) * (min(c2, MAX_COLUMNS - 1) - c1 + 1)
        if covered > MAX_MERGED_CELLS:
            raise WorkbookError(
                f"the sheet's merged cells cover more than {MAX_MERGED_CELLS:,} cells (the range "
                f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1} among them); unmerge them (Home > Merge & "
                "Centre > Unmerge Cells), then save", sheet, r1 + 1, column_letter(c1))


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


def _sheet_xml_paths(archive: zipfile.ZipFile, opened: dict[str, bytes] | None = None) -> dict[str, str]:
    """Sheet name to the part of the archive holding its cells, as the archive names it
    (targets are matched without regard to case, ``..`` resolved, as readers do);
    ``opened`` holds parts already unpacked."""
    read = lambda part: (opened or {}).get(part) or archive.read(part)  # noqa: E731
    workbook = ElementTree.fromstring(read("xl/workbook.xml"))
    rels = ElementTree.fromstring(read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    names = {name.lower(): name for name in archive.namelist()}
    out = {}
    for sheet in workbook.findall("main:sheets/main:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[sheet.get("name", "")] = names.get(part.lower(), part)
    return out


def _has_formula(xml: bytes) -> bool:
    """Whether a sheet holds a formula element (``<f>``), not only a dropdown's
    ``<formula1>``: a few finds rather than a pattern tried at every cell."""
    at = xml.find(b"<f")
    while at >= 0:
        if xml[at + 2:at + 3] in (b">", b" ", b"/"):
            return True
        at = xml.find(b"<f", at + 2)
    return False


def _formula_states(xml: bytes) -> tuple[list[tuple[int, str]], list[tuple[int, str, str]]]:
    uncalculated = [] if not _has_formula(xml) else [
        (int(m.group(2)), m.group(1).decode()) for m in _FORMULA_WITHOUT_VALUE.finditer(xml)]
    errors = [] if b't="e"' not in xml else [
        (int(m.group(2)), m.group(1).decode(), m.group(3).decode()) for m in _ERROR_CELL.finditer(xml)]
    return uncalculated, errors


_READ_AT_OPEN = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml")
"""The parts the cell reader unpacks when it opens a workbook."""


def read_workbook(
    path: str | Path, wanted: set[str] | Callable[[list[str]], set[str]] | None = None, inside: Path | None = None
) -> tuple[list[str], dict[str, Sheet]]:
    """Sheet names (in workbook order) and the cells of the sheets in ``wanted`` (all when
    None; a callable receives the sheet names and returns the ones to read).

    The file is read once, and only if it is a regular file of at most
    :data:`MAX_FILE_BYTES` (inside the folder ``inside``, when given, once links are
    followed); its archive may hold at most :data:`MAX_PARTS` files unpacking to
    :data:`MAX_PART_BYTES` each and :data:`MAX_UNPACKED_BYTES` in all, and a sheet read
    may use at most :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns. Each is
    checked before the cells are read.

    Raises
    ------
    WorkbookError
        Not an .xlsx file, password-protected, damaged, or beyond a limit above.
    """
    path = Path(path)
    numbers = path.suffix.lower() == ".numbers"  # Apple Numbers: a zip file, or a folder (a package) in older versions
    if not path.exists():
        raise WorkbookError("file not found")
    if path.is_dir() and not numbers:
        raise WorkbookError("is a folder, expected a workbook")
    if numbers:
        raise WorkbookError(_NUMBERS)
    if path.suffix.lower() == ".fods":  # flat (uncompressed XML) OpenDocument
        raise WorkbookError(_ODS.format(suffix=".fods"))
    try:
        data = read_regular(path, MAX_FILE_BYTES, inside)
    except FileRefused as exc:
        raise WorkbookError(f"the file {exc}") from None
    except OSError as exc:
        raise WorkbookError(f"cannot be opened ({exc.strerror or type(exc).__name__})") from None
    _check_signature(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive)
            _check_sizes(archive)
            opened = {part: archive.read(part) for part in _READ_AT_OPEN  # unpacked here first, so a part that
                      if part in archive.NameToInfo}                    # lies about its size fails its checksum
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            names = list(workbook.sheet_names)
            if callable(wanted):
                wanted = set(wanted(names))
            sheets: dict[str, Sheet] = {}
            parts = _sheet_xml_paths(archive, opened)
            for name in names:
                if wanted is not None and name not in wanted:
                    continue
                if parts.get(name) not in archive.NameToInfo:  # never read a sheet whose cells were not checked
                    raise WorkbookError("the workbook does not say where this sheet's cells are; open it in Excel or "
                                        "LibreOffice and save it again as .xlsx", name)
                xml = archive.read(parts[name])
                _check_extent(xml, name)
                raw = workbook.get_sheet_by_name(name)
                rows = [list(r) for r in raw.to_python(skip_empty_area=False)]
                _check_merged(raw.merged_cell_ranges or [], len(rows), name)
                merged = []
                for (r1, c1), (r2, c2) in raw.merged_cell_ranges or []:
                    merged.append(f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}")
                    if r1 >= len(rows) or c1 >= len(rows[r1]):
                        continue
                    value = rows[r1][c1]
                    for r in range(r1, min(r2, len(rows) - 1) + 1):
                        for c in range(c1, min(c2, MAX_COLUMNS - 1) + 1):
                            while len(rows[r]) <= c:
                                rows[r].append("")
                            rows[r][c] = value
                uncalculated, errors = _formula_states(xml)
                sheets[name] = Sheet(name, rows, merged, uncalculated, errors)
        workbook.close()
    except WorkbookError:
        raise
    except (python_calamine.PasswordError,) as exc:
        raise WorkbookError("the workbook is password-protected; remove the password and save it again") from exc
    except Exception as exc:  # noqa: BLE001 - any failure to parse a damaged file is the file's problem
        raise WorkbookError(f"the workbook is damaged and cannot be read ({type(exc).__name__}); "
                            "open it in Excel or LibreOffice and save it again as .xlsx") from exc
    except BaseException as exc:  # the reader's own panic (a Rust panic is no Exception): still the file's problem
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise WorkbookError("a cell holds a value the spreadsheet reader cannot read (such as a date far outside any "
                            "calendar); check the date cells, then save it again as .xlsx") from exc
    return names, sheets
