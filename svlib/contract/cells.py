"""Reading one cell of partner data into a typed value, or a clear reason why not.

Cells arrive as text (CSV files, text cells in workbooks) or as numbers, dates and
booleans (typed workbook cells). Each parser returns the value in svlib's internal units
(fractions 0-1, money in GBP, whole numbers, ``datetime.date``) or raises
:class:`CellError` with a message that says what was found and what was expected.

Fractions are written ``0.25`` or ``"25%"``. A bare number above 1 (``25``) is refused and
never silently divided by 100: it might mean 25% or a typing slip, and only the partner
knows which.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Iterable

import pandas as pd

from svlib.core.problems import BIDI_CONTROLS, CONTROL_CHARACTERS, did_you_mean, echo, printable, quote


class CellError(ValueError):
    """A cell's content cannot be read as the column expects.

    Its message quotes the cell with :func:`show`; ``str()`` gives it as a terminal
    shows it, and :attr:`marked` keeps the marks for a :class:`~svlib.core.problems.Problem`
    (whose shared form leaves the cell's content out)."""

    @property
    def marked(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return printable(self.marked)


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN, NaT, pandas.NA, or text of only whitespace."""
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value.strip()
    if kind is float:
        return value != value
    if kind in (int, bool, dt.date, dt.datetime):
        return False
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes, list, tuple)) else False
    except (TypeError, ValueError):
        return False


def show(value: Any) -> str:
    """A cell's content as quoted in messages (short, one line, marked as the partner's
    content: :func:`svlib.core.problems.quote`)."""
    return quote(value)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
# Money text such as "1.200": one thousand two hundred where a point groups thousands
# (much of Europe), £1.20 in the UK. Refused rather than guessed when the three digits end
# in a zero: a program writing 1.2 or 412.125 (a CSV export) never adds trailing zeros, and
# a person writing pounds and pence writes two digits.
_POINT_GROUPED = re.compile(r"^[1-9]\d{0,2}\.\d{2}0$")


def _plain_money(text: str) -> str:
    """Money text without spaces and a leading ``GBP`` or ``£`` (a minus sign kept in front,
    a plus sign dropped): ``"-£1,200"`` -> ``"-1,200"``."""
    t = re.sub(r"^(GBP|gbp)", "", text.strip().replace("\u00a0", "").replace(" ", ""))
    negative = t.startswith("-")
    t = t.lstrip("-+").lstrip("£")
    return "-" + t if negative else t


def _number_from_text(text: str) -> float | None:
    """Parse plain or comma-grouped number text."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if _NUMBER.match(t):
        return float(t)
    if _GROUPED.match(t):
        return float(t.replace(",", ""))
    return None


MAX_NUMBER = 1e12
"""Largest quantity or amount of money a cell may hold (a million million, £1 trillion):
far above any partner's figures, and low enough that products and sums over every
outcome and year stay finite and exact to the penny."""


def parse_number(value: Any, *, money: bool = False, minimum: float | None = 0.0,
                 maximum: float | None = MAX_NUMBER) -> float:
    """A real number (quantities, money).

    Parameters
    ----------
    value : Any
        The cell: a number, or text such as ``"1200"``, ``"1,200.50"`` or (when
        ``money``) ``"£1,200"``.
    money : bool
        Accept a leading ``£`` or ``GBP``.
    minimum : float or None
        Smallest allowed value (default 0: no negative quantities or money).
    maximum : float or None
        Largest allowed value (default :data:`MAX_NUMBER`).

    Returns
    -------
    float
    """
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {show(value)}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = _plain_money(value) if money else value
        if money and _POINT_GROUPED.match(text):
            thousands, uk = float(text.replace(".", "")), float(text)
            raise CellError(f"{show(value)} is unclear: where a point separates thousands it is "
                            f"£{echo(thousands, ',.0f')}, but in the UK it is £{echo(uk, ',.2f')}; write "
                            f"{echo(thousands, '.0f')} or {echo(uk, '.2f')}")
        parsed = _number_from_text(text)
        if parsed is None:
            if value.strip().endswith("%"):
                raise CellError(f"expected a number, got the percentage {show(value)}")
            example = "such as 1200 or £1,200" if money else "such as 12 or 1,200"
            raise CellError(f"expected a number ({example}), got {show(value)}")
        number = parsed
    else:
        raise CellError(f"expected a number, got {show(value)}")
    if not math.isfinite(number):
        raise CellError(f"expected a finite number, got {show(value)}")
    if minimum is not None and number < minimum:
        what = "an amount of money" if money else "a number"
        raise CellError(f"expected {what} of at least {minimum:g}, got {show(value)}")
    if maximum is not None and number > maximum:
        what = "an amount of money" if money else "a number"
        raise CellError(f"expected {what} of at most {maximum:,.0f}, got {show(value)}; check the cell for a "
                        "typing slip (svlib values figures up to a million million)")
    return number


def parse_fraction(value: Any) -> float:
    """A fraction between 0 and 1 (deflators, drop-off, leakage).

    Accepts ``0.25`` or ``"25%"`` (and percentage-formatted spreadsheet cells, which
    arrive as 0.25). A bare number above 1, such as ``25``, is refused with a hint,
    because dividing it by 100 silently would hide a possible typing slip.
    """
    if isinstance(value, bool):
        raise CellError(f"expected a fraction such as 0.25 or 25%, got {show(value)}")
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.endswith("%"):
            number = _number_from_text(text[:-1])
            if number is None:
                raise CellError(f"expected a percentage such as 25%, got {show(value)}")
            fraction = number / 100.0
            if not 0.0 <= fraction <= 1.0:
                raise CellError(f"expected a percentage between 0% and 100%, got {show(value)}")
            return fraction
        number = _number_from_text(text)
        if number is None:
            raise CellError(f"expected a fraction such as 0.25 or 25%, got {show(value)}")
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise CellError(f"expected a fraction such as 0.25 or 25%, got {show(value)}")
    if not math.isfinite(number) or number < 0:
        raise CellError(f"expected a fraction between 0 and 1 (or 0% to 100%), got {show(value)}")
    if number > 1:
        shown, fraction = echo(number, "g"), echo(number / 100, "g")
        if isinstance(value, str):
            raise CellError(f"{show(value)} is a bare number above 1: write {shown}% for {shown} percent, "
                            f"or the fraction {fraction}")
        # A typed number: either a bare 25, or a percentage-formatted cell showing 2500%
        # (spreadsheets store a typed 150% as 1.5), and the cell's format is not read.
        raise CellError(f"{show(value)} is more than 1, and a share is at most 1 (100%): if you meant {shown} "
                        f"percent, write {shown}% (or the fraction {fraction}); if the cell shows "
                        f"{echo(number * 100, 'g')}%, that is more than the whole: lower it to 100% or less")
    return number


def parse_whole(value: Any, *, minimum: int = 1, what: str = "a whole number", maximum: int | None = None) -> int:
    """A whole number of at least ``minimum`` and, when given, at most ``maximum``
    (durations in years, start years, counts)."""
    if isinstance(value, bool):
        raise CellError(f"expected {what} of at least {minimum}, got {show(value)}")
    if isinstance(value, str):
        number = _number_from_text(value)
        if number is None:
            raise CellError(f"expected {what} of at least {minimum}, got {show(value)}")
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise CellError(f"expected {what} of at least {minimum}, got {show(value)}")
    if not math.isfinite(number) or number != int(number):
        raise CellError(f"expected {what} (no fractions), got {show(value)}")
    if number < minimum:
        raise CellError(f"expected {what} of at least {minimum}, got {show(value)}")
    if maximum is not None and number > maximum:
        raise CellError(f"expected {what} from {minimum} to {maximum}, got {show(value)}")
    return int(number)


def parse_year(value: Any) -> int:
    """A calendar year such as 2023 (price years, target years)."""
    year = parse_whole(value, minimum=1900, what="a year such as 2023")
    if year > 2200:
        raise CellError(f"expected a year such as 2023, got {show(value)}")
    return year


def parse_choice(value: Any, choices: Iterable[str]) -> str:
    """One of ``choices``, matched ignoring case and surrounding spaces; returns the
    canonical spelling."""
    options = list(choices)
    text = str(value).strip()
    by_lower = {c.lower(): c for c in options}
    # tolerate "in-development" vs "in development", "one off" vs "one-off"
    key = re.sub(r"[\s_-]+", " ", text.lower())
    for lowered, canonical in by_lower.items():
        if re.sub(r"[\s_-]+", " ", lowered) == key:
            return canonical
    listed = ", ".join(options)
    raise CellError(f"expected one of: {listed}; got {show(value)}{did_you_mean(text, options)}")


def parse_yes_no(value: Any) -> str:
    """``"yes"`` or ``"no"`` (also accepts y/n, true/false and spreadsheet booleans)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip().lower()
    if text in {"yes", "y", "true"}:
        return "yes"
    if text in {"no", "n", "false"}:
        return "no"
    raise CellError(f"expected yes or no, got {show(value)}")


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def parse_date(value: Any) -> dt.date:
    """A date: a real spreadsheet date, or UK text such as ``31/03/2025`` (day first) or
    ISO ``2025-03-31``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, str):
        text = value.strip()
        # an ISO timestamp written by another tool: keep the date part
        text = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2})?$", r"\1", text)
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise CellError(f"expected a date such as 31/03/2025 (day/month/year), got {show(value)}")


_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def parse_slug(value: Any) -> str:
    """A safe identifier: lower-case letters, digits and single hyphens (``food-network``).

    Used for ``partner_id``, which becomes a folder and file name, so anything that could
    escape a folder (``../x``) or clash on another system is refused.
    """
    text = parse_text(value)
    if not _SLUG.match(text):
        raise CellError(
            f"expected a short id of lower-case letters, digits and hyphens "
            f"(such as 'food-network'), got {show(value)}"
        )
    if len(text) > 64:
        raise CellError(f"expected an id of at most 64 characters, got {len(text)}")
    return text


def parse_text(value: Any) -> str:
    """Text, trimmed. Whole numbers typed in a spreadsheet (``1.0``) become ``"1"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


HIDDEN_CONTROLS = re.compile(f"[{CONTROL_CHARACTERS}{BIDI_CONTROLS}]")
"""Characters no partner means to type, removed from text on input: control characters
(C0 other than tab, line feed and carriage return; DEL; C1), which a terminal obeys and
a CSV or page copies, and the bidirectional embeddings, overrides and isolates, which
reorder how text is shown (Unicode TR9; the "Trojan Source" attack)."""


def without_hidden_controls(values: list[Any]) -> tuple[list[Any], list[tuple[int, str]]]:
    """Text values with :data:`HIDDEN_CONTROLS` removed, and ``(index, message)`` for
    each value changed, naming what was removed (``U+001B``)."""
    distinct = set(values)  # a column repeats itself (a star's areas, the survey's answers): each text once
    if not HIDDEN_CONTROLS.search("".join(v for v in distinct if type(v) is str)):  # the usual clean column
        return values, []
    out, changed = list(values), []
    for i, value in enumerate(values):
        if type(value) is str and HIDDEN_CONTROLS.search(value):
            found = sorted({f"U+{ord(c):04X}" for c in HIDDEN_CONTROLS.findall(value)})
            out[i] = HIDDEN_CONTROLS.sub("", value).strip()
            changed.append((i, f"removed hidden control character(s) {', '.join(found)} from this cell; they can "
                               "disturb a terminal, a spreadsheet or the order text is shown in"))
    return out, changed


def text_or_blank(value: Any) -> str:
    """A cell as text for comparisons: blank cells (None, NaN) become ``""``."""
    return "" if is_blank(value) else parse_text(value)


def split_ids(text: str) -> list[str]:
    """Outcome ids written in one cell: ``"JOB1, SOC2"`` or ``"JOB1; SOC2"``."""
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
