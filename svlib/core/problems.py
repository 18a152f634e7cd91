"""Problems found in partner data, reported all at once and never as a traceback.

Every problem names where it is (file, sheet, row as a spreadsheet shows it, column) and
what was expected, so a partner can fix it from the message alone::

    FILE:SHEET:ROW:COLUMN: what is wrong and what was expected

Content taken from a partner's file (a cell, a header, a sheet name) is put into a
message with :func:`quote`, which marks it: the terminal shows it between single quotes
with control characters escaped (:func:`printable`), and a shared page leaves it out
(:meth:`Problem.shared`), so a message never carries a partner's testimony or contact
details beyond the researcher's own machine.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Iterable, Sequence

QUOTE_OPEN, QUOTE_CLOSE = "\ue000", "\ue001"
"""Private-use characters around content quoted from a partner's file (never shown)."""

ECHO_OPEN, ECHO_CLOSE = "\ue002", "\ue003"
"""The same around a figure taken from a partner's file and shown as it is (no quotes)."""

_MARKS = (QUOTE_OPEN, QUOTE_CLOSE, ECHO_OPEN, ECHO_CLOSE)

WITHHELD = "[…]"
"""What a shared page shows in place of quoted content."""

_MARKED = re.compile(f"{QUOTE_OPEN}([^{QUOTE_CLOSE}]*){QUOTE_CLOSE}")
_ECHOED = re.compile(f"{ECHO_OPEN}([^{ECHO_CLOSE}]*){ECHO_CLOSE}")
CONTROL_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
"""A regular-expression class body: C0 controls other than tab, line feed and carriage
return; DEL; C1 controls."""
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""A class body: the bidirectional embeddings, overrides and isolates (Unicode TR9)."""

_UNSAFE = re.compile(f"[\t\n\r{CONTROL_CHARACTERS}\u061c\u200e\u200f{BIDI_CONTROLS}]")
"""Control characters (C0, DEL, C1), which a terminal may obey, and the bidirectional
controls, which reorder what is shown (Unicode TR9): escaped wherever a message is shown."""


def quote(value: Any, limit: int = 40) -> str:
    """Content from a partner's file, marked for a message (short and on one line).

    Parameters
    ----------
    value : Any
        A cell, header, sheet or file name; a whole-number float shows as a whole number.
    limit : int
        Longest text kept; longer text is cut to ``limit - 3`` characters and ``...``.

    Returns
    -------
    str
        The text between :data:`QUOTE_OPEN` and :data:`QUOTE_CLOSE`; :func:`printable`
        shows it as ``'text'``, :func:`withhold` as :data:`WITHHELD`.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _unmarked(str(value).strip().replace("\n", " "))
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    return f"{QUOTE_OPEN}{text}{QUOTE_CLOSE}"


def echo(value: Any, style: str = "") -> str:
    """A figure from a partner's file (a quantity, a date, a score), marked for a
    message and shown as it is: ``echo(2.5, ":g")``. A shared page leaves it out too,
    as it may be a count of fewer than five people or a person's reading."""
    text = format(value, style.lstrip(":")) if style else str(value)
    return f"{ECHO_OPEN}{_unmarked(text)}{ECHO_CLOSE}"


def _unmarked(text: str) -> str:
    for mark in _MARKS:
        text = text.replace(mark, "")
    return text


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, quotes: bool = True) -> str:
    """Text safe to print on a terminal: quoted content between single quotes (or, with
    ``quotes=False``, as it is) and every control character escaped (``\\x1b``,
    ``\\u202e``), so a crafted cell can neither move the cursor, clear the screen nor
    reorder the line."""
    text = _MARKED.sub(lambda m: f"'{m.group(1)}'" if quotes else m.group(1), str(text))
    return _UNSAFE.sub(_escape, _unmarked(_ECHOED.sub(r"\1", text)))


def withhold(text: str) -> str:
    """Text with every quoted piece of a partner's content replaced by :data:`WITHHELD`."""
    text = _ECHOED.sub(WITHHELD, _MARKED.sub(WITHHELD, str(text)))
    return _UNSAFE.sub(_escape, _unmarked(text))


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
        where = printable(f"{self.file}:{self.sheet}:{row}:{column}", quotes=False)
        return f"{where}: {prefix}{printable(self.message)}"

    def shared(self) -> str:
        """Where the problem is and what was expected, for a page others see: the file's
        name (not its folders), sheet, row and column, and the message with every piece
        of the partner's content left out (:func:`withhold`)."""
        parts = [withhold(PurePath(self.file).name or self.file)]
        if self.sheet:
            parts.append(f"sheet {withhold(self.sheet)}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {withhold(self.column)}")
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{', '.join(parts)}: {prefix}{withhold(self.message)}"


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
