"""Reading a file of testimonies to tag: a CSV with the columns ``text_id,text``.

The researcher's own working file (stories a partner collected, typed or exported), read
as strictly as a partner's workbook: a plain file (not a link, a pipe or a device) of at
most :data:`MAX_FILE_BYTES`, UTF-8 text, at most :data:`MAX_ROWS` rows, each text present
and at most :data:`MAX_TEXT_CHARS` characters. Every problem is reported at once, naming
the file, the row (as a spreadsheet shows it: the header is row 1) and the column; no
testimony's text is ever put in a message.

Optional ``consent`` and ``anonymised`` columns follow the case-study rule
(:func:`svlib.analysis.evidence.shareable`, applied by the caller): a row is tagged only
when both say yes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from svlib.core.files import FileRefused, read_regular
from svlib.core.problems import InputError, Problem, did_you_mean, quote

SHEET = "testimonies"
"""The name a problem gives the table of a testimony CSV (a CSV file has no sheets)."""

REQUIRED = ("text_id", "text")
"""The columns a testimony file must have (any order; others are ignored, except
``consent`` and ``anonymised``)."""

MAX_FILE_BYTES = 20_000_000
"""Largest testimony file read: 20 MB (some 20,000 testimonies of a page each)."""

MAX_ROWS = 100_000
"""Most testimonies read from one file."""

MAX_TEXT_CHARS = 5_000
"""Longest testimony tagged, in characters (about two pages): a longer text is usually a
whole report or several stories pasted into one cell, and an average of its words says
little about any one of them. Split it into separate stories."""


def _not_utf8(data: bytes, error: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8: the line (the row, unless a cell spans lines) and byte."""
    line = data[:error.start].count(b"\n") + 1
    return (f"byte {error.start + 1:,} (0x{data[error.start]:02x}) on line {line:,} is not UTF-8 text; save the "
            "file as 'CSV UTF-8 (comma delimited)' and try again")


def read_testimonies(path: str | Path) -> pd.DataFrame:
    """The testimonies of a CSV file, checked.

    Parameters
    ----------
    path : path
        A CSV file with a header row holding ``text_id`` and ``text``.

    Returns
    -------
    pandas.DataFrame
        ``text_id``, ``text`` (surrounding spaces removed), ``source_row`` (the row as a
        spreadsheet shows it), and ``consent`` and ``anonymised`` when the file has them.

    Raises
    ------
    InputError
        Naming every problem: the file missing, a link, too large or not UTF-8; no
        ``text_id`` or ``text`` column; a row with an empty or blank text or id, a text over
        :data:`MAX_TEXT_CHARS` characters, an id used twice.
    """
    file = str(path)

    def refuse(message: str, row: int | None = None, column: str | None = None) -> InputError:
        return InputError([Problem(file, SHEET, row, column, message)])

    path = Path(path)
    if path.is_symlink():
        raise refuse("is a link; svlib reads testimonies only from a plain file: copy the file itself here")
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise refuse("file not found") from None
    except FileRefused as exc:
        raise refuse(f"the file {exc}") from None
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise refuse(_not_utf8(data, exc), row=line) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise refuse(f"cannot be read as CSV: {exc}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise refuse("the file is empty; expected a header row text_id,text and one testimony per row", row=1)
    if len(rows) - 1 > MAX_ROWS:
        raise refuse(f"has more than {MAX_ROWS:,} testimonies, the most svlib tags from one file; split it")
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        found = ", ".join(quote(h) for h in header if h) or "nothing"
        raise InputError([Problem(file, SHEET, 1, name, f"no {name!r} column{did_you_mean(name, [h for h in header if h not in REQUIRED])}; the header "
                                  f"has {found}, expected text_id,text") for name in missing])
    where = {name: header.index(name) for name in (*REQUIRED, "consent", "anonymised") if name in header}
    problems: list[Problem] = []
    records: list[dict] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line between rows, as a spreadsheet may leave at the end
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in where.items()}
        if not cells["text_id"]:
            problems.append(Problem(file, SHEET, number, "text_id", "empty; give each testimony an id"))
        elif cells["text_id"] in seen:
            problems.append(Problem(file, SHEET, number, "text_id", f"{quote(cells['text_id'])} is also the id of row "
                                    f"{seen[cells['text_id']]}; each testimony needs its own id"))
        else:
            seen[cells["text_id"]] = number
        if not cells["text"]:
            problems.append(Problem(file, SHEET, number, "text", "empty; there is nothing to tag (remove the row "
                                    "or add the testimony)"))
        elif len(cells["text"]) > MAX_TEXT_CHARS:
            problems.append(Problem(file, SHEET, number, "text", f"{len(cells['text']):,} characters, over the "
                                    f"{MAX_TEXT_CHARS:,} svlib tags in one testimony; split it into separate stories"))
        records.append({**cells, "source_row": number})
    if problems:
        raise InputError(problems)
    columns = [name for name in (*REQUIRED, "consent", "anonymised") if name in where] + ["source_row"]
    return pd.DataFrame(records, columns=columns)
