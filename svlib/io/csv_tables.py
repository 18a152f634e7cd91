"""Reading CSV files: a partner's sheet saved as CSV, an impact map, a proxy table.

Below every reader of a table (partner validation, the impact map, the proxy library),
so none of them needs another.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from svlib.contract.tables import PROCESSED_COLUMNS, Record, Table, read_records
from svlib.core.files import FileRefused, read_regular
from svlib.core.problems import Problem
from svlib.io.xlsx import MAX_FILE_BYTES, MAX_ROWS


def read_error(exc: Exception) -> str:
    """Why a file could not be read, without the path (the problem names the file)."""
    return exc.strerror or type(exc).__name__ if isinstance(exc, OSError) else str(exc)



def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without Excel's byte-order mark), else Windows-1252
    (what Excel writes for "CSV" on Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def csv_records(path: str | Path, inside: Path | None = None) -> tuple[list[Any], list[Record]]:
    """Header cells and numbered rows of a CSV file (row numbers as a spreadsheet shows
    them: the header is row 1); a regular file of at most :data:`svlib.io.xlsx.MAX_FILE_BYTES`
    and :data:`svlib.io.xlsx.MAX_ROWS` rows, inside the folder ``inside`` when given
    (:func:`svlib.core.files.read_regular`). Raises ``OSError``, ``UnicodeDecodeError``,
    ``csv.Error`` or :class:`svlib.core.files.FileRefused`."""
    text = _decode(read_regular(path, MAX_FILE_BYTES, inside))  # read-only
    rows = list(itertools.islice(csv.reader(io.StringIO(text, newline="")), MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        raise FileRefused(f"has more than {MAX_ROWS:,} rows, the most svlib reads from one table")
    if not rows:
        return [], []
    return rows[0], [(i + 2, row) for i, row in enumerate(rows[1:])]


def read_csv_table(path: str | Path, table: Table, sheet: str | None = None,
                   partner: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV file read against ``table``: typed rows and every problem.

    A table with a ``partner_id`` column (a processed table of a collection, written by
    ``svlib build``) holds several partners' rows: ``partner`` chooses one partner's, and a
    table holding more than one partner is refused without it (valuing several partners'
    outcomes as one map would be a silent wrong answer). Row numbers stay those of the file.

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
    except FileRefused as exc:
        return pd.DataFrame(columns=table.names), [Problem(file, sheet, None, None, f"the file {exc}")]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return pd.DataFrame(columns=table.names), [Problem(file, sheet, None, None,
                                                           f"cannot be read as CSV text: {read_error(exc)}")]
    if not header:
        return pd.DataFrame(columns=table.names), [
            Problem(file, sheet, 1, None, f"the file is empty; expected a header row with: {', '.join(c.name for c in table.columns if c.required)}")
        ]
    records, problem = _one_partner(header, records, partner, file, sheet, table.optional)
    if problem:
        return pd.DataFrame(columns=table.names), [problem]
    header, records = _without_processed_columns(header, records)
    return read_records(header, records, table, file, sheet)


def _without_processed_columns(header: list[Any], records: list[Record]) -> tuple[list[Any], list[Record]]:
    """A processed table's header and rows without the columns ``svlib build`` adds
    (:data:`svlib.contract.tables.PROCESSED_COLUMNS`), which no table declares."""
    keep = [i for i, h in enumerate(header) if str(h).strip() not in PROCESSED_COLUMNS]
    if len(keep) == len(header):
        return header, records
    return [header[i] for i in keep], [(n, [row[i] for i in keep if i < len(row)]) for n, row in records]


def _one_partner(header: list[Any], records: list[Record], partner: str | None, file: str,
                 sheet: str, optional: bool = False) -> tuple[list[Record], Problem | None]:
    """The rows of one partner of a table with a ``partner_id`` column (see :func:`read_csv_table`);
    for an ``optional`` table (a deflator survey) a partner with no rows has none, as its
    workbook had no such sheet."""
    names = [str(h).strip() for h in header]
    if "partner_id" not in names:
        if partner is not None:
            return records, Problem(file, sheet, 1, None, f"there is no partner_id column, so the rows of partner "
                                    f"'{partner}' cannot be chosen; --partner is for the processed tables of a "
                                    "collection (data/processed/<collection>/)")
        return records, None
    at = names.index("partner_id")
    ids = [str(row[at]).strip() if at < len(row) else "" for _, row in records]
    found = sorted(set(ids))
    if partner is None:
        if len(found) > 1:
            return records, Problem(file, sheet, 1, "partner_id", f"the table holds the rows of {len(found)} partners "
                                    f"({', '.join(found)}); choose one with --partner")
        return records, None
    chosen = [record for record, pid in zip(records, ids) if pid == partner]
    if not chosen and not optional:
        return records, Problem(file, sheet, 1, "partner_id", f"no rows for partner '{partner}'; the table holds: "
                                f"{', '.join(found) or 'no rows'}")
    return chosen, None
