"""Problems found in partner data, reported all at once and never as a traceback.

Every problem names where it is (file, sheet, row as a spreadsheet shows it, column) and
what was expected, so a partner can fix it from the message alone::

    FILE:SHEET:ROW:COLUMN: what is wrong and what was expected
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, and where.

    Parameters
    ----------
    file : str
        The file as the user named it.
    sheet : str
        Workbook sheet, or the table name for a CSV file.
    row : int or None
        Row as a spreadsheet shows it (the header is row 1); None for the whole table.
    column : str or None
        Column header; None for the whole row or table.
    message : str
        What is wrong and what was expected.
    severity : str
        ``"error"`` stops the data being used; ``"warning"`` and ``"note"`` do not.
    """

    file: str
    sheet: str
    row: int | None
    column: str | None
    message: str
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        column = self.column or ""
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.sheet}:{row}:{column}: {prefix}{self.message}"


class InputError(Exception):
    """Raised with every problem found in an input; its ``str`` lists one per line."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that stop the data being used."""
    return [p for p in problems if p.severity == "error"]


def nearest(name: str, expected: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The expected name closest to ``name`` (for "did you mean ...?" hints), or None."""
    candidates = list(expected)
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def did_you_mean(name: str, expected: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint, or an empty string."""
    guess = nearest(name, expected)
    return f" (did you mean '{guess}'?)" if guess else ""
