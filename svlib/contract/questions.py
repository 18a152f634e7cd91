"""The deflator survey's question bank: one anchored five-point question per factor.

``svlib/data/deflator_questions.csv`` (``factor, question, answer_1 .. answer_5``) is the
vocabulary of the DeflatorSurvey sheet: the template's dropdowns and About sheet list its
answers, partner validation reads an answer back into a fraction, and the printable survey
asks its questions. Answers 1-5 mean 0%, 25%, 50%, 75% and 100% (:data:`ANSWER_FRACTIONS`).

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 4 (asking stakeholders
about deadweight, displacement, attribution and drop-off).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from typing import Any

import pandas as pd

from svlib import paths
from svlib.contract import cells

ANSWER_FRACTIONS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
"""What anchored answers 1-5 mean, as fractions."""

ANSWER_KEYS: tuple[str, ...] = tuple(f"answer_{k}" for k in range(1, 6))


@lru_cache(maxsize=1)
def question_rows() -> tuple[dict[str, str], ...]:
    """The question bank's rows, in file order (read once)."""
    with open(paths.package_data("deflator_questions.csv"), newline="", encoding="utf-8-sig") as handle:
        return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)
                     if (row.get("factor") or "").strip())


def load_questions() -> pd.DataFrame:
    """The question bank as a table: ``factor, question, answer_1 .. answer_5``."""
    return pd.DataFrame.from_records(list(question_rows()))


def anchored_answers(factor: str | None = None) -> list[str]:
    """The five anchored answers of ``factor``'s question, lowest (0%) first; with no
    factor, every distinct answer of the bank in order (the dropdown's list).

    Raises
    ------
    ValueError
        For a factor the bank has no question for.
    """
    rows = question_rows()
    if factor is not None:
        for row in rows:
            if row["factor"] == factor:
                return [row[k] for k in ANSWER_KEYS]
        raise ValueError(f"the deflator question bank has no question for {factor!r}")
    return list(dict.fromkeys(row[k] for row in rows for k in ANSWER_KEYS if row[k]))


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@lru_cache(maxsize=1)
def _anchors() -> dict[str, float]:
    """Every anchored answer text (normalised, with and without its bracketed figure)
    mapped to its fraction."""
    table: dict[str, float] = {}
    for row in question_rows():
        for key_name, fraction in zip(ANSWER_KEYS, ANSWER_FRACTIONS):
            text = row[key_name]
            for key in (_normalise(text), _normalise(re.sub(r"\(.*?\)", "", text))):
                if table.setdefault(key, fraction) != fraction:
                    raise ValueError(f"the anchored answer '{text}' means different things in the question bank")
    return table


def answer_to_fraction(answer: Any) -> float:
    """A survey answer as a fraction 0-1.

    Parameters
    ----------
    answer : str or float
        One of the anchored answer texts (any case, with or without the bracketed figure,
        e.g. ``"About half (50%)"`` or ``"about half"``), a percentage such as ``"30%"``,
        or a fraction such as ``0.3``.

    Returns
    -------
    float

    Raises
    ------
    svlib.contract.cells.CellError
        For anything else (a bare number above 1 is refused, never divided by 100).
    """
    if isinstance(answer, str):
        key = _normalise(answer)
        if key in _anchors():
            return _anchors()[key]
        if not re.fullmatch(r"[0-9.,%\s+-]+", answer.strip() or "x"):
            examples = "'" + "', '".join(question_rows()[0][k] for k in ANSWER_KEYS) + "'"
            raise cells.CellError(
                f"expected one of the five anchored answers (such as {examples}) or a percentage such as 30%, "
                f"got {cells.show(answer)}"
            )
    if cells.is_blank(answer):
        raise cells.CellError("the answer is blank; choose one of the five answers or write a percentage")
    return cells.parse_fraction(answer)
