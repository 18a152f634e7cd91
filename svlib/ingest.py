"""Reading partner data files into typed tables, with every problem named.

Files are opened read-only and never modified. Problems are collected, not raised one at
a time, so a partner sees everything to fix in one pass.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from svlib.problems import Problem
from svlib.tables import Record, Table, read_records


def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without Excel's byte-order mark), else Windows-1252
    (what Excel writes for "CSV" on Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def csv_records(path: str | Path) -> tuple[list[Any], list[Record]]:
    """Header cells and numbered rows of a CSV file (row numbers as a spreadsheet shows
    them: the header is row 1). Raises ``OSError`` or ``UnicodeDecodeError``."""
    with open(path, "rb") as handle:  # read-only
        text = _decode(handle.read())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return [], []
    return rows[0], [(i + 2, row) for i, row in enumerate(rows[1:])]


def read_csv_table(path: str | Path, table: Table, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV file read against ``table``: typed rows and every problem.

    Never raises for bad content: an unreadable file is itself reported as a problem.
    """
    file = str(path)
    sheet = sheet or table.name
    try:
        header, records = csv_records(path)
    except FileNotFoundError:
        return pd.DataFrame(columns=table.names), [Problem(file, sheet, None, None, "file not found")]
    except IsADirectoryError:
        return pd.DataFrame(columns=table.names), [Problem(file, sheet, None, None, "is a folder, expected a CSV file")]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return pd.DataFrame(columns=table.names), [Problem(file, sheet, None, None, f"cannot be read as CSV text: {exc}")]
    if not header:
        return pd.DataFrame(columns=table.names), [
            Problem(file, sheet, 1, None, f"the file is empty; expected a header row with: {', '.join(c.name for c in table.columns if c.required)}")
        ]
    return read_records(header, records, table, file, sheet)
