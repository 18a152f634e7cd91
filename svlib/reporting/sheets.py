"""Writing tables into xlsx workbooks a reader opens in a spreadsheet: the one way every
svlib workbook (the forum's, each partner's) writes a sheet.

Headers are in words (``headers``), numbers are numbers with a number format (pounds,
ratios, shares), never formulas a reader could break, and every text cell goes through
:func:`svlib.core.files.spreadsheet_safe`, so partner text that looks like a formula
(``=HYPERLINK(...)``, a leading ``+``, ``-`` or ``@``) is shown, never run. Written with
openpyxl, a maintained xlsx writer; the bytes are put in place atomically by the caller
(:func:`svlib.core.files.write_atomic`).

References
----------
OWASP Foundation, *CSV Injection* (owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from svlib.core.files import spreadsheet_safe

MONEY, MONEY_PENCE, RATIO, SHARE, FACTOR = '"£"#,##0', '"£"#,##0.00', "0.00", "0.0%", "0.0000"
"""Number formats: whole pounds, pounds and pence, a ratio to two places, a share to one
place, a factor to four places (the stored value keeps every digit)."""

HEADER_FILL = PatternFill("solid", fgColor="DCE8F4")


def cell_value(value: Any) -> Any:
    """A value as a cell holds it: text made safe (:func:`svlib.core.files.spreadsheet_safe`),
    a blank for None or NaN, numpy scalars as plain Python numbers."""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def write_table(ws, frame: pd.DataFrame, formats: Mapping[str, str], headers: Mapping[str, str]) -> None:
    """``frame`` on sheet ``ws``: a bold header row in words (``headers``, a column not
    listed keeps its name), one row per record, each column's number format from
    ``formats``, widths to fit (at most 60 characters) and the header row frozen."""
    ws.append([cell_value(headers.get(str(c), str(c))) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in frame.itertuples(index=False):
        ws.append([cell_value(v) for v in row])
    for j, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        if column in formats:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if not isinstance(cell.value, str):  # a withheld figure stays text
                    cell.number_format = formats[column]
        longest = max([len(str(headers.get(str(column), column)))] + [len(str(v)) for v in frame[column].head(200)])
        ws.column_dimensions[letter].width = min(60, max(10, longest + 2))
    ws.freeze_panes = "A2"


def write_facts(ws, facts: Iterable[tuple[str, Any]], headers: Mapping[str, str]) -> None:
    """An "item, value" sheet (About, Conventions): the value column wide and wrapped."""
    rows = [(str(k), v if isinstance(v, (int, float)) else "" if v is None else str(v)) for k, v in facts]
    write_table(ws, pd.DataFrame(rows, columns=["item", "value"]), {}, headers)
    ws.column_dimensions["B"].width = 100
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def new_workbook(first_sheet: str) -> tuple[Workbook, Any]:
    """An empty workbook and its first sheet, named ``first_sheet``."""
    book = Workbook()
    ws = book.active
    ws.title = first_sheet
    return book, ws


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as xlsx bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
