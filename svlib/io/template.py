"""The partner workbook: a blank template with instructions, and filled workbooks in the same layout.

Layout (**contract**, relied on by :func:`svlib.validate.partner.read_partner`):

* a first sheet ``About`` (plain-English instructions; ignored by the reader), then one sheet
  per :class:`~svlib.contract.tables.Table` of :data:`svlib.contract.tables.WORKBOOK_TABLES`, in that order,
  named ``table.name``;
* ``rows`` sheets: row 1 is the header (``Column.name`` exactly), data from row 2; an example
  row, when present, is row 2 and its first cell starts with ``e.g. `` (the reader skips any
  row whose first cell starts with "e.g.");
* ``fields`` sheets (Partner, Baseline): header ``field, value, help, example``; one field per
  row with its name in column A and its value in column B (the reader reads only A and B);
* money cells ``£#,##0.00``, fraction cells ``0%``, dates ``dd/mm/yyyy``; header bold and
  frozen; list dropdowns on every choice and yes/no column (rows 2 to 1000, or further when
  the data are longer) and on the value cell of choice fields.

The ImpactMap sheet carries every optional column and the uncertainty columns
``<p>_low, <p>_high, <p>_dist`` for each parameter in
:data:`svlib.contract.tables.PARAMETERS`.

Output is deterministic: the document properties carry a fixed time (:data:`FIXED_TIME`) and
every part of the zip archive a fixed timestamp, so the same content gives the same bytes
(and the same SHA-256 in a build manifest).

References
----------
docs/design.md, "Partner workbook (contract)". Cabinet Office (2012) *A guide to Social Return on
Investment* for the meaning of deadweight, displacement, attribution, drop-off and leakage.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from svlib.contract import cells
from svlib.contract.questions import anchored_answers, question_rows
from svlib.contract.tables import (
    DEFLATOR_SURVEY,
    IMPACT_MAP,
    PARAMETERS,
    WORKBOOK_TABLES,
    Column,
    Table,
    example_values,
    sheet_columns,
)
from svlib.core.files import write_atomic
from svlib.core.frames import records
from svlib.core.problems import InputError, Problem

ABOUT_SHEET = "About"
"""Name of the instructions sheet (first in the workbook, ignored by the reader)."""

FIELDS_HEADER: tuple[str, ...] = ("field", "value", "help", "example")
"""Header of the Partner and Baseline sheets."""

EXAMPLE_PREFIX = "e.g. "
"""How an example row's first cell starts; the reader skips such rows."""

FIXED_TIME = dt.datetime(2025, 1, 1)
"""Created and modified time written into every workbook, so output is reproducible."""

LAST_VALIDATED_ROW = 1000
"""Dropdowns cover rows 2 to this row (further when the data are longer)."""

NUMBER_FORMATS: dict[str, str] = {
    "money": "£#,##0.00",
    "fraction": "0%",
    "date": "dd/mm/yyyy",
    "whole": "0",
    "year": "0",
}
"""Excel number format for each column kind (others stay General)."""

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_TITLE_FONT = Font(bold=True, size=14)
_HEADING_FONT = Font(bold=True, size=12)
_WRAP = Alignment(wrap_text=True, vertical="top")

_WIDE_COLUMNS = {"text": 80, "outcome": 45, "evidence": 45, "description": 40, "title": 35, "stakeholder": 30,
                 "answer": 28, "proxy_source": 35, "indicator": 30, "report": 30, "funder": 32, "mark": 30,
                 "commissioners": 40, "outcome_ids": 16,
                 "accepted_outcome_ids": 22}


# --------------------------------------------------------------------------------------
# The columns of each sheet, and the anchored answers
# --------------------------------------------------------------------------------------

def column_help(table: Table, column: Column) -> str:
    """Plain-English meaning of a column: its contract help, else what a valid cell looks
    like."""
    return column.help or f"Write {column.expected()}."


# --------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------

_TYPED_KINDS = {"number", "money", "fraction", "whole", "year", "date", "yes_no", "choice"}


def _cell_value(column: Column, value: Any) -> Any:
    """A value as it should be stored in a cell of ``column``.

    Blank (None, NaN, NA, NaT) becomes an empty cell; numpy and pandas scalars become
    plain Python values; dates become ``datetime.date``; text given for a typed column
    (``"25%"``, ``"£1,200"``, ``"31/03/2025"``) is converted when it parses and is otherwise
    written as it is (so the reader reports it).
    """
    if cells.is_blank(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if column.kind in _TYPED_KINDS and isinstance(value, str):
        try:
            value = column.parse(value)
        except cells.CellError:
            return value
    if column.kind in ("whole", "year") and isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _text_cell(cell: Any) -> Any:
    """A cell holding partner text stays text: openpyxl stores a string that starts with
    ``=`` as a formula, which a spreadsheet would run (``=HYPERLINK(...)``); it is stored
    as the string it is, so nothing in the value changes."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


# --------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------

def _list_validation(choices: tuple[str, ...] | list[str], strict: bool = True) -> DataValidation:
    """A dropdown of ``choices`` (inline list)."""
    formula = '"' + ",".join(choices) + '"'
    return _validation(formula, strict, "Choose one of: " + ", ".join(choices))


def _validation(formula: str, strict: bool, prompt: str) -> DataValidation:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True,
                                showErrorMessage=strict, showInputMessage=True)
    validation.error = prompt
    validation.errorTitle = "Not one of the choices"
    validation.prompt = prompt
    return validation


def _dropdown_for(column: Column, answers_range: str) -> DataValidation | None:
    """The dropdown a column gets, if any."""
    if column.name == "answer":
        return _validation(answers_range, strict=False,
                           prompt="Choose an answer, or type a percentage such as 25%")
    if column.kind == "choice":
        return _list_validation(column.choices)
    if column.kind == "yes_no":
        return _list_validation(("yes", "no"))
    return None


def _write_header(ws: Worksheet, names: list[str], helps: list[str]) -> None:
    for index, (name, text) in enumerate(zip(names, helps), start=1):
        cell = ws.cell(row=1, column=index, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        if text:
            comment = Comment(text, "svlib")
            comment.width, comment.height = 300, 90
            cell.comment = comment
    ws.freeze_panes = "A2"


def _example_row(table: Table, columns: list[Column]) -> list[Any]:
    """The example row for a rows-sheet; its first cell starts with ``e.g. ``."""
    example = example_values(table)
    values = [_cell_value(c, example.get(c.name)) for c in columns]
    values[0] = f"{EXAMPLE_PREFIX}{values[0] if values[0] is not None else ''}"
    return values


def _rows_sheet(ws: Worksheet, table: Table, frame: pd.DataFrame | None, with_example: bool,
                answers_range: str) -> None:
    """Fill a rows-sheet: header, optional example row, data, formats and dropdowns."""
    columns = sheet_columns(table)
    _write_header(ws, [c.name for c in columns], [column_help(table, c) for c in columns])
    row_number = 2
    if with_example:
        for index, value in enumerate(_example_row(table, columns), start=1):
            cell = ws.cell(row=row_number, column=index, value=value)
            cell.font = _EXAMPLE_FONT
            if columns[index - 1].kind in NUMBER_FORMATS and index > 1:
                cell.number_format = NUMBER_FORMATS[columns[index - 1].kind]
        row_number += 1
    if frame is not None:
        for record in _records(frame, table, columns):
            for index, column in enumerate(columns, start=1):
                cell = _text_cell(ws.cell(row=row_number, column=index, value=_cell_value(column, record.get(column.name))))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
            row_number += 1
    last = max(LAST_VALIDATED_ROW, row_number - 1)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.kind in NUMBER_FORMATS:
            ws.column_dimensions[letter].number_format = NUMBER_FORMATS[column.kind]
        validation = _dropdown_for(column, answers_range)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
        ws.column_dimensions[letter].width = _width(ws, index, column)


def _records(frame: pd.DataFrame, table: Table, columns: list[Column]) -> list[dict[str, Any]]:
    """The frame's rows as dicts; refuses columns the sheet does not have."""
    known = {c.name for c in columns} | {"source_row"}
    unknown = [str(c) for c in frame.columns if c not in known]
    if unknown:
        raise ValueError(f"{table.name}: unknown column(s) {', '.join(unknown)}; "
                         f"expected some of: {', '.join(c.name for c in columns)}")
    return records(frame)


def _width(ws: Worksheet, index: int, column: Column) -> float:
    """A column width that fits the header and typical content."""
    if column.name in _WIDE_COLUMNS:
        return _WIDE_COLUMNS[column.name]
    longest = len(column.name)
    for (value,) in ws.iter_rows(min_row=2, max_row=min(ws.max_row, 60), min_col=index, max_col=index,
                                 values_only=True):
        if value is not None:
            shown = value.strftime("%d/%m/%Y") if isinstance(value, (dt.date, dt.datetime)) else str(value)
            longest = max(longest, len(shown) + (4 if column.kind == "money" else 0))
    return float(min(max(longest + 3, 10), 50))


def _fields_sheet(ws: Worksheet, table: Table, values: Mapping[str, Any] | None) -> None:
    """Fill a field/value sheet: one field per row, value in B, help in C, example in D."""
    values = dict(values or {})
    unknown = [k for k in values if k not in table.names]
    if unknown:
        raise ValueError(f"{table.name}: unknown field(s) {', '.join(unknown)}; expected some of: "
                         f"{', '.join(table.names)}")
    _write_header(ws, list(FIELDS_HEADER), ["", "", "", ""])
    examples = table.example
    for row_number, column in enumerate(table.columns, start=2):
        ws.cell(row=row_number, column=1, value=column.name).font = _HEADER_FONT
        value_cell = _text_cell(ws.cell(row=row_number, column=2, value=_cell_value(column, values.get(column.name))))
        help_cell = ws.cell(row=row_number, column=3, value=f"{column_help(table, column)} Expected: {column.expected()}.")
        help_cell.alignment = _WRAP
        example_cell = ws.cell(row=row_number, column=4, value=_cell_value(column, examples.get(column.name)))
        example_cell.font = _EXAMPLE_FONT
        if column.kind in NUMBER_FORMATS:
            value_cell.number_format = NUMBER_FORMATS[column.kind]
            example_cell.number_format = NUMBER_FORMATS[column.kind]
        validation = _dropdown_for(column, "")
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"B{row_number}")
    for letter, width in zip("ABCD", (28, 34, 70, 34)):
        ws.column_dimensions[letter].width = width


# --------------------------------------------------------------------------------------
# The About sheet
# --------------------------------------------------------------------------------------

_DEFLATOR_WORDS: tuple[tuple[str, str], ...] = (
    ("Deadweight",
     "the share of the change that would have happened anyway, without you. Example: of 10 people who found "
     "work after your course, you think 3 would have found work anyway in that time: deadweight is 30%."),
    ("Displacement",
     "the share of the change that only moved a problem or a benefit somewhere else. Example: your youth "
     "club cuts anti-social behaviour on one estate, but a fifth of it moves to the next street: displacement "
     "is 20%."),
    ("Attribution",
     "the share of the change that is due to other organisations or people. Example: someone found a job "
     "after your CV workshop, but the Jobcentre and a family friend also helped; if you judge that 40% of the "
     "credit is theirs, attribution is 40%."),
    ("Drop-off",
     "how much of the change fades each year after the first. Example: people who became more active keep it "
     "up, but a quarter stop each year: drop-off is 25%."),
    ("Leakage",
     "the share of the benefit that goes to people outside the area or group you mean to help. Example: one "
     "in ten of the families you support live outside County Durham: leakage is 10% (if the analysis counts "
     "value to County Durham)."),
)


def _about_lines(answers: list[str]) -> list[tuple[str, str]]:
    """The About sheet as (style, text) lines; styles: title, heading, text, bullet, blank."""
    lines: list[tuple[str, str]] = [
        ("title", "Social value workbook: what it is and how to fill it in"),
        ("text", "This workbook collects what your organisation puts in (money, volunteer time, donated goods), "
                 "the changes your work makes for people and places (the outcomes), and the evidence behind them. "
                 "The svlib workbench uses it to estimate your Social Return On Investment (SROI): the social value "
                 "created for each £1 invested, shown in the County Durham Pound themes (Jobs, Growth, Social, "
                 "Environment, Innovation)."),
        ("blank", ""),
        ("heading", "How to fill it in"),
        ("bullet", "Partner, Inputs and ImpactMap must be filled in. The other sheets are optional; if you fill one "
                   "in, fill in every required column of it."),
        ("bullet", "Keep the sheet names and the headers in row 1 as they are. Add as many rows as you need."),
        ("bullet", "Rows whose first cell starts with \"e.g.\" (grey italic) are examples. They are ignored, so you "
                   "can leave them or delete them."),
        ("bullet", "On the Partner and Baseline sheets, write your answer in column B (value). Column C explains "
                   "the field and column D shows an example."),
        ("bullet", "Percentages: write 25% or 0.25. Never write 25 on its own: a bare number above 1 is refused, "
                   "because it might be a typing slip, and only you know what you meant."),
        ("bullet", "Dates: day/month/year, such as 31/03/2025 (dd/mm/yyyy)."),
        ("bullet", "Money: in pounds, such as 1200 or £1,200."),
        ("bullet", "Price year: the year whose prices your money figures are in; if your figures are from your "
                   "2024 accounts, write 2024."),
        ("bullet", "Cells with a small arrow have a dropdown list of the allowed answers."),
        ("bullet", "Keep the file an Excel workbook (.xlsx). In LibreOffice, when it asks which format to keep, "
                   "choose \"Use Excel 2007-365!\"; a file saved in LibreOffice's own format (.ods) cannot be read."),
        ("bullet", "Never write people's names in this workbook: use codes such as R01 or P001."),
        ("blank", ""),
        ("heading", "Words used in SROI, with everyday examples"),
        ("text", "SROI counts only the change your work made. Four or five shares (written as percentages) take "
                 "away the part of each outcome that is not yours:"),
    ]
    lines += [("bullet", f"{word}: {meaning}") for word, meaning in _DEFLATOR_WORDS]
    lines += [
        ("bullet", "County Durham Pound: the county's way of describing local social value under five themes "
                   "(Jobs, Growth, Social, Environment, Innovation). Each outcome belongs to one theme."),
        ("bullet", "National TOMs (Themes, Outcomes and Measures): a national list of social value measures that "
                   "many councils use when they buy services. If an outcome is one of them, give its code (such as "
                   "NT1) in measure and write yes in in_toms."),
        ("bullet", "Proxy: a money value that stands in for a change that has no price, such as the value to a "
                   "person of feeling less lonely for a year. Give proxy_id (a proxy from the svlib library) or your "
                   "own proxy_value with its proxy_year and proxy_source."),
        ("bullet", "Duration: how many years an outcome lasts. Start year: 1 if it starts in the first year, 2 if "
                   "it starts in the second, and so on."),
        ("bullet", "Ranges (optional): for any of " + ", ".join(PARAMETERS) + " you can give the lowest "
                   "and highest plausible values in <name>_low and <name>_high, and the shape of your uncertainty "
                   "in <name>_dist (pert: most likely near your central value; triangular; uniform: any value in "
                   "the range equally likely; fixed: no uncertainty). Blank shape with a range means pert."),
        ("blank", ""),
        ("heading", "Case studies: consent and anonymising"),
        ("text", "A case study or quote can be shared outside your organisation only if the person agreed to it "
                 "being shared (consent = yes) and it has been anonymised (anonymised = yes): no names, addresses, "
                 "phone numbers, email addresses or details that would let someone be recognised. Case studies "
                 "without consent stay in your own report only. Keep signed consent forms yourself; do not put them "
                 "in this workbook. In anything shared, counts of fewer than 5 people are shown as \"<5\"."),
        ("blank", ""),
        ("heading", "The sheets"),
    ]
    for table in WORKBOOK_TABLES:
        status = "optional" if table.optional else "required"
        lines.append(("heading", f"{table.name} ({status})"))
        lines.append(("text", table.help + " " + _layout_note(table)))
        for column in table.columns:
            need = "may be left blank" if column.blank_ok else ("required" if column.required else "optional")
            lines.append(("bullet", f"{column.name} ({need}): {column_help(table, column)} "
                                    f"Expected: {column.expected()}."))
        if table.name == IMPACT_MAP.name:
            lines.append(("bullet", "<name>_low, <name>_high, <name>_dist (optional): the range and shape of your "
                                    "uncertainty in each of " + ", ".join(PARAMETERS) + " (see Ranges above)."))
        if table.name == DEFLATOR_SURVEY.name:
            lines.append(("bullet", "Ask each person the question for one outcome and one factor, and record one "
                                    "answer per row. Choose one of the answers listed at the end of this sheet, or "
                                    "type a percentage such as 25%."))
    lines += [
        ("blank", ""),
        ("heading", "Survey questions and answers"),
        ("text", "Each question has five answers, meaning 0%, 25%, 50%, 75% and 100%. In the DeflatorSurvey "
                 "sheet, record the words of the answer the person chose, or a percentage such as 30%."),
    ]
    for row in question_rows():
        lines.append(("bullet", f"{row['factor']}: {row['question']} Answers: "
                                + " / ".join(anchored_answers(row["factor"]))))
    lines.append(("text", "Every answer, as listed in the DeflatorSurvey dropdown:"))
    lines += [("answer", text) for text in answers]
    return lines


def _layout_note(table: Table) -> str:
    if table.layout == "fields":
        return "One field per row: write the value in column B."
    return "One row per record, under the header in row 1. Columns:"


def _about_sheet(ws: Worksheet, answers: list[str]) -> str:
    """Write the About sheet; return the absolute range holding the anchored answers."""
    ws.column_dimensions["A"].width = 120
    first_answer = last_answer = 0
    for row_number, (style, text) in enumerate(_about_lines(answers), start=1):
        cell = ws.cell(row=row_number, column=1, value=("• " + text) if style == "bullet" else (text or None))
        cell.alignment = _WRAP
        if style == "title":
            cell.font = _TITLE_FONT
        elif style == "heading":
            cell.font = _HEADING_FONT
        elif style == "answer":
            first_answer = first_answer or row_number
            last_answer = row_number
    return f"'{ABOUT_SHEET}'!$A${first_answer}:$A${last_answer}"


# --------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------

def _as_fields(value: Mapping[str, Any] | pd.DataFrame | None, name: str) -> dict[str, Any] | None:
    """A fields sheet's values from a dict or a one-row DataFrame."""
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        frame = value.drop(columns=[c for c in ("source_row",) if c in value.columns])
        if len(frame) != 1:
            raise ValueError(f"{name}: expected a dict or a one-row table, got {len(frame)} rows")
        return frame.iloc[0].to_dict()
    return dict(value)


def build_workbook(
    partner: Mapping[str, Any] | None = None,
    tables: Mapping[str, Any] | None = None,
    example_rows: bool = True,
) -> Workbook:
    """The partner workbook as an openpyxl ``Workbook`` (not yet saved).

    Parameters
    ----------
    partner : dict, optional
        Partner fields (``partner_id``, ``name``, ...); blank values when omitted.
    tables : dict, optional
        Sheet name to a DataFrame whose columns are ``Column`` names (a ``source_row``
        column is ignored). ``"Baseline"`` is a dict of fields, or a one-row DataFrame.
        Sheets not given are written with their header only.
    example_rows : bool
        Write the grey ``e.g.`` example row (row 2) on every rows-sheet.

    Returns
    -------
    openpyxl.Workbook
    """
    tables = dict(tables or {})
    unknown = [k for k in tables if k not in {t.name for t in WORKBOOK_TABLES}]
    if unknown:
        raise ValueError(f"unknown sheet(s) {', '.join(unknown)}; expected some of: "
                         f"{', '.join(t.name for t in WORKBOOK_TABLES)}")
    if "Partner" in tables and partner is None:
        partner = _as_fields(tables.pop("Partner"), "Partner")
    tables.pop("Partner", None)

    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT_SHEET
    answers_range = _about_sheet(about, anchored_answers())
    for table in WORKBOOK_TABLES:
        ws = workbook.create_sheet(table.name)
        if table.layout == "fields":
            values = partner if table.name == "Partner" else _as_fields(tables.get(table.name), table.name)
            _fields_sheet(ws, table, values)
        else:
            frame = tables.get(table.name)
            if frame is not None and not isinstance(frame, pd.DataFrame):
                frame = pd.DataFrame(frame)
            _rows_sheet(ws, table, frame, example_rows, answers_range)
    workbook.properties.creator = "svlib"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, reproducibly.

    openpyxl's ``save`` stamps the current time into the document properties and the zip
    entries; this writes with the workbook's own (fixed) times and gives every zip entry
    the date 1980-01-01, so the same content always gives the same bytes.
    """
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def write_template(path: str | Path, replace: bool = False) -> Path:
    """Write the blank partner workbook (instructions, dropdowns, one example per sheet).

    Parameters
    ----------
    path : path
        Where to write the ``.xlsx`` file (written atomically; folders are created).
    replace : bool
        Replace a file already at ``path``. Without it an existing file (perhaps a
        partner's filled-in workbook) is never touched.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        ``path`` exists (and ``replace`` is not set), or is a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError([Problem(str(path), "", None, None, "is a folder; give a file name such as partner.xlsx")])
    try:
        return write_atomic(path, workbook_bytes(build_workbook(example_rows=True)), replace=replace)
    except FileExistsError:
        raise InputError([Problem(str(path), "", None, None,
                                  "a file of that name already exists (perhaps a partner's filled-in workbook) and "
                                  "was left as it is; choose a new name, or add --force to replace it")]) from None


def write_workbook(
    path: str | Path,
    partner: Mapping[str, Any],
    tables: Mapping[str, Any],
    example_rows: bool = False,
) -> Path:
    """Write a filled partner workbook in the template's layout.

    Parameters
    ----------
    path : path
        Where to write the ``.xlsx`` file (written atomically; folders are created).
    partner : dict
        The Partner fields: ``partner_id``, ``name``, ``organisation_type``, ``area``,
        ``purpose``, ``period_start``, ``period_end`` (``datetime.date``), ``price_year``.
    tables : dict
        Sheet name to a pandas DataFrame with ``Column`` names as columns (fractions 0-1,
        money in GBP, dates as ``datetime.date`` or ``Timestamp``; text such as ``"25%"``
        is converted when it parses). ``tables["Baseline"]`` is a dict of the Baseline
        fields (a one-row DataFrame is also accepted). A sheet not given is written with
        its header only. Unknown sheets or columns raise ``ValueError``.
    example_rows : bool
        Also write the grey ``e.g.`` example row in row 2 (data then start in row 3).

    Returns
    -------
    Path

    Notes
    -----
    Dates are written as real Excel dates (``dd/mm/yyyy``), fractions as numbers formatted
    ``0%``, money as numbers formatted ``£#,##0.00``.
    """
    workbook = build_workbook(partner=partner, tables=tables, example_rows=example_rows)
    return write_atomic(path, workbook_bytes(workbook))
