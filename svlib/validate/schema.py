"""Validation schemas for every tidy table, and checks across a partner's tables.

The pandera schemas are generated from the column contract in :mod:`svlib.contract.tables`, so
the two never drift. They validate the processed tables (``data/processed``) that the
analysis reads: types, ranges, allowed values, unique keys and the ``partner_id`` slug.
Checks that span tables (an ``outcome_id`` in the survey or a case study that is not in
the impact map, a period that ends before it starts) are plain functions returning
:class:`~svlib.core.problems.Problem` s with sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

import pandas as pd
import pandera.pandas as pa

from svlib.contract.cells import MAX_NUMBER, split_ids, text_or_blank
from svlib.contract.tables import (
    BASELINE,
    CASE_STUDIES,
    DEFLATOR_SURVEY,
    DISCOUNT_FROM_CHOICES,
    DISTRIBUTIONS,
    FIELD_ROWS,
    FRACTION_PARAMETERS,
    IMPACT_MAP,
    INPUTS,
    NAMES,
    PARAMETERS,
    PARTNER,
    QUALITY_MARKS,
    STAR_READINGS,
    WORKBOOK_TABLES,
    Column,
    Table,
    investment_total,
)
from svlib.core.frames import Columns, n_rows
from svlib.core.personal_data import EMAIL_PATTERN, PHONE_PATTERN, POSTCODE_PATTERN, comparable
from svlib.core.personal_names import find_names, listed_words
from svlib.core.problems import Problem, echo, quote

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def table_file_name(table: Table) -> str:
    """Processed file name of a table: ``ImpactMap`` -> ``impact_map.csv``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", table.name).lower() + ".csv"


def processed_columns(table: Table) -> list[str]:
    """The columns of a processed table, in order: ``partner_id``, the table's columns,
    then for a rows sheet every uncertainty column the contract allows (ImpactMap's
    ``<parameter>_dist/_high/_low``, sorted; blank where a partner gave none),
    ``source_row`` and, for the deflator survey, each answer's ``fraction``. The Partner
    table ends with ``source_file``.

    A fixed set means every build of every collection writes the same columns, whatever
    each partner filled in.
    """
    names = ["partner_id", *(c.name for c in table.columns if c.name != "partner_id")]
    if table.layout == "fields":
        return names + (["source_file"] if table is PARTNER else [])
    if table is IMPACT_MAP:
        names += sorted(f"{p}_{end}" for p in PARAMETERS for end in ("low", "high", "dist"))
    names.append("source_row")
    if table is DEFLATOR_SURVEY:
        names.append("fraction")
    return names


def _slug_check(blank_ok: bool = False) -> pa.Check:
    """Each value matches :data:`SLUG_PATTERN` (or is blank, with ``blank_ok``):
    ``pandera.Check.str_matches``, testing each distinct value once (a processed table
    repeats one partner_id on every row)."""
    pattern = re.compile(SLUG_PATTERN)

    def matches(values: pd.Series) -> pd.Series:
        good = [v for v in values.unique() if isinstance(v, str) and (pattern.match(v) or (blank_ok and not v))]
        return values.isin(good) | (values.isna() if blank_ok else False)

    return pa.Check(matches, name="str_matches", error=f"str_matches('{SLUG_PATTERN}')")


def _pandera_column(column: Column) -> pa.Column:
    nullable = column.blank_ok or not column.required
    kind = column.kind
    if kind == "fraction":
        return pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=nullable, coerce=True)
    if kind in ("number", "money"):
        minimum = column.minimum if column.minimum is not None else 0.0
        return pa.Column(float, pa.Check.in_range(minimum, MAX_NUMBER), nullable=nullable, coerce=True)
    if kind == "whole":
        low = int(column.minimum or 1)
        check = pa.Check.ge(low) if column.maximum is None else pa.Check.in_range(low, int(column.maximum))
        return pa.Column("Int64", check, nullable=nullable, coerce=True)
    if kind == "year":
        return pa.Column("Int64", pa.Check.in_range(1900, 2200), nullable=nullable, coerce=True)
    if kind == "choice":
        allowed = list(column.choices) + ([""] if nullable else [])
        return pa.Column(str, pa.Check.isin(allowed), nullable=nullable, coerce=True)
    if kind == "yes_no":
        return pa.Column(str, pa.Check.isin(["yes", "no"] + ([""] if nullable else [])), nullable=nullable, coerce=True)
    if kind == "date":
        return pa.Column("datetime64[ns]", nullable=nullable, coerce=True)
    if kind == "slug":
        return pa.Column(str, _slug_check(column.blank_ok), nullable=column.blank_ok, coerce=True)
    return pa.Column(str, nullable=nullable, coerce=True)


@lru_cache(maxsize=None)
def processed_schema(table_name: str) -> pa.DataFrameSchema:
    """The schema of a processed table: ``partner_id`` plus the table's columns (or, for
    a field sheet, one row per partner with a column per field)."""
    table = next(t for t in WORKBOOK_TABLES if t.name == table_name)
    columns: dict[str, pa.Column] = {"partner_id": pa.Column(str, _slug_check(), coerce=True)}
    for column in table.columns:
        if column.name == "partner_id":
            continue
        columns[column.name] = _pandera_column(column)
    if table.layout == "rows":
        columns["source_row"] = pa.Column("Int64", pa.Check.ge(2), coerce=True)
    extra_checks = []
    if table.key:
        extra_checks.append(pa.Check(lambda df, key=table.key: ~df.duplicated(["partner_id", *key]),
                                     name=f"unique partner_id + {' + '.join(table.key)}"))
    regex_columns = {}
    if table is IMPACT_MAP:
        regex_columns = {
            r"^quantity_(low|high)$": pa.Column(float, pa.Check.in_range(0.0, MAX_NUMBER), nullable=True,
                                                coerce=True, regex=True, required=False),
            r"^proxy_value_(low|high)$": pa.Column(  # a harm's range is negative, as its proxy
                float, pa.Check.in_range(-MAX_NUMBER, MAX_NUMBER), nullable=True, coerce=True, regex=True,
                required=False),
            rf"^({'|'.join(FRACTION_PARAMETERS)})_(low|high)$": pa.Column(
                float, pa.Check.in_range(0.0, 1.0), nullable=True, coerce=True, regex=True, required=False),
            r"^.*_dist$": pa.Column(str, pa.Check.isin([*DISTRIBUTIONS, ""]), nullable=True, coerce=True,
                                    regex=True, required=False),
        }
    if table is DEFLATOR_SURVEY:
        columns["fraction"] = pa.Column(float, pa.Check.in_range(0.0, 1.0), coerce=True)
    return pa.DataFrameSchema({**columns, **regex_columns}, checks=extra_checks, strict=False, coerce=True,
                              name=table_name)


def prepare_validation() -> None:
    """Build every processed schema and load pandera's pandas back end now, rather than
    on the first validation. Called before reader processes start, so they inherit both
    instead of each loading its own."""
    for table in WORKBOOK_TABLES:
        processed_schema(table.name)
    pa.DataFrameSchema.register_default_backends(pd.DataFrame)


def validate_processed(table_name: str, frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """A processed table checked against its schema; every failure as a Problem."""
    try:
        return processed_schema(table_name).validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as exc:
        problems = []
        for case in exc.failure_cases.itertuples():
            row, origin = None, ""
            if isinstance(case.index, int) and case.index in frame.index:
                row = frame.index.get_loc(case.index) + 2  # the line in the processed CSV
                if "source_row" in frame and "partner_id" in frame:
                    origin = (f" (partner {frame.loc[case.index, 'partner_id']}, workbook row "
                              f"{frame.loc[case.index, 'source_row']})")
            problems.append(Problem(file, table_name, row, None if pd.isna(case.column) else str(case.column),
                                    f"fails {case.check}: {quote(case.failure_case)}{origin}"))
        return frame, problems


Where = Callable[[str], tuple[str, str]]

# Outcomes Star readings are on a ten-point Journey of Change (1-10); a few Stars use 1-5.
STAR_SCALE_TOP = 10


def _unknown_outcome(outcome: str, known: set[str]) -> str:
    """Why an outcome id is refused, with the id it differs from only in case, if any."""
    same = sorted(k for k in known if k.casefold() == outcome.casefold())
    return f"outcome_id {quote(outcome)} is not in the ImpactMap sheet" + (
        f" (did you mean {quote(same[0])}? ids must match exactly, capitals included)" if same else "")


def cross_table_problems(partner: dict[str, Any], tables: dict[str, Columns], where: Where,
                         skip: set[str] = frozenset(), known_problems: Sequence[Problem] = ()) -> list[Problem]:
    """Checks across one partner's sheets (each as :data:`~svlib.core.frames.Columns`).

    * every ``outcome_id`` in DeflatorSurvey and every id in CaseStudies ``outcome_ids``
      and ``accepted_outcome_ids`` is in the ImpactMap;
    * the ImpactMap and Inputs have at least one row and the inputs add up to more than 0
      (not checked when ``known_problems`` holds an error in a ``value_gbp`` cell: the
      sum would only repeat it);
    * ``period_end`` is not before ``period_start``;
    * a quality mark does not expire before it was awarded;
    * warnings: a reading dated before the person's previous one, a star score above
      :data:`STAR_SCALE_TOP`.
    """
    problems: list[Problem] = []
    impact = tables.get(IMPACT_MAP.name)
    if impact is not None and IMPACT_MAP.name not in skip:
        if not n_rows(impact):
            file, sheet = where(IMPACT_MAP.name)
            problems.append(Problem(file, sheet, 2, None, "the impact map has no outcomes; add at least one row"))
        known = {text_or_blank(v) for v in impact["outcome_id"]} - {""}
        survey = tables.get(DEFLATOR_SURVEY.name)
        if survey is not None and DEFLATOR_SURVEY.name not in skip:
            file, sheet = where(DEFLATOR_SURVEY.name)
            for outcome, row in zip(map(text_or_blank, survey["outcome_id"]), survey["source_row"]):
                if outcome and outcome not in known:
                    problems.append(Problem(file, sheet, int(row), "outcome_id",
                                            f"{_unknown_outcome(outcome, known)}; expected one of: "
                                            + ", ".join(quote(k) for k in sorted(known))))
        cases = tables.get(CASE_STUDIES.name)
        if cases is not None and CASE_STUDIES.name not in skip:
            file, sheet = where(CASE_STUDIES.name)
            for column in ("outcome_ids", "accepted_outcome_ids"):
                if column not in cases:
                    continue
                for ids, row in zip(map(text_or_blank, cases[column]), cases["source_row"]):
                    for outcome in split_ids(ids):
                        if outcome not in known:
                            problems.append(Problem(file, sheet, int(row), column,
                                                    f"{_unknown_outcome(outcome, known)}; expected ids from it, "
                                                    "separated by commas"))
    inputs = tables.get(INPUTS.name)
    file, sheet = where(INPUTS.name)
    unreadable = any(p.severity == "error" and (p.file, p.sheet, p.column) == (file, sheet, "value_gbp")
                     for p in known_problems)
    if inputs is not None and INPUTS.name not in skip and not unreadable and not (
            investment_total(inputs["value_gbp"]) > 0):
        problems.append(Problem(file, sheet, 2, "value_gbp",
                                "the inputs add up to nothing; an SROI needs the money and in-kind inputs invested"))
    convention = partner.get("discount_from")
    if isinstance(convention, float) and not pd.isna(convention) and convention not in DISCOUNT_FROM_CHOICES:
        file, sheet = where(PARTNER.name)
        problems.append(Problem(file, sheet, partner.get(FIELD_ROWS, {}).get("discount_from"), "value", (
            f"discount_from {echo(convention, 'g')} is not a convention: expected 1 (year 1 discounted once), 0.5 "
            "(mid-year) or 0 (year 1 undiscounted)")))
    forecast = partner.get("forecast")
    if isinstance(forecast, str) and forecast.strip():
        file, sheet = where(PARTNER.name)
        row = partner.get(FIELD_ROWS, {}).get("forecast")
        if forecast == partner.get("partner_id"):
            problems.append(Problem(file, sheet, row, "value", (
                "forecast names this partner itself; it is for an evaluation, naming the partner_id of the forecast's "
                "own workbook")))
        elif partner.get("purpose") != "evaluative":
            problems.append(Problem(file, sheet, row, "value", (
                f"forecast is given but purpose is {echo(partner.get('purpose'))}; only an evaluative SROI names the "
                "forecast it follows (leave forecast blank in a forecast's own workbook)")))
    start, end = partner.get("period_start"), partner.get("period_end")
    if start is not None and end is not None and not pd.isna(start) and not pd.isna(end) and end < start:
        file, sheet = where(PARTNER.name)
        problems.append(Problem(file, sheet, partner.get(FIELD_ROWS, {}).get("period_end"), "value",
                                f"period_end {echo(end, '%d/%m/%Y')} is before period_start {echo(start, '%d/%m/%Y')}"))
    marks = tables.get(QUALITY_MARKS.name)
    if marks is not None and QUALITY_MARKS.name not in skip:
        file, sheet = where(QUALITY_MARKS.name)
        for awarded, expiry, row in zip(marks["awarded_date"], marks["expiry_date"], marks["source_row"]):
            if not pd.isna(awarded) and not pd.isna(expiry) and expiry < awarded:
                problems.append(Problem(file, sheet, int(row), "expiry_date",
                                        f"expires ({echo(expiry, '%d/%m/%Y')}) before it was awarded "
                                        f"({echo(awarded, '%d/%m/%Y')})"))
    readings = tables.get(STAR_READINGS.name)
    if readings is not None and STAR_READINGS.name not in skip and n_rows(readings):
        file, sheet = where(STAR_READINGS.name)
        rows = sorted(zip(readings["person_ref"], readings["star"], readings["area"], readings["reading_number"],
                          readings["reading_date"], readings["source_row"]),
                      key=lambda r: (str(r[0]), str(r[1]), str(r[2]),
                                     r[3] if isinstance(r[3], (int, float)) and r[3] == r[3] else 0))
        for before, after in zip(rows, rows[1:]):
            same_person_area = before[:3] == after[:3]
            dated = isinstance(before[4], dt.date) and isinstance(after[4], dt.date)
            if same_person_area and dated and after[4] < before[4]:
                problems.append(Problem(file, sheet, int(after[5]), "reading_date",
                                        f"reading {echo(after[3])} is dated before the previous reading of "
                                        f"{quote(after[0])} ({quote(after[2])}); check the dates", "warning"))
        for score, row in zip(readings["score"], readings["source_row"]):
            if isinstance(score, (int, float)) and score > STAR_SCALE_TOP:
                problems.append(Problem(file, sheet, int(row), "score",
                                        f"score {echo(score, 'g')} is above {STAR_SCALE_TOP}, the top of an Outcomes Star "
                                        "scale; check it", "warning"))
    return problems


CODE_COLUMNS: frozenset[str] = frozenset({"outcome_id", "input_id", "case_id", "respondent_ref", "person_ref",
                                          "proxy_id", "outcome_ids", "accepted_outcome_ids"})
"""Text columns that hold codes linking rows and tables: contact details in one are an
error (a code cannot be redacted without breaking the links), not a warning."""


CONTACT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an email address", EMAIL_PATTERN), ("a phone number", PHONE_PATTERN), ("a postcode", POSTCODE_PATTERN))
"""What each personal-data pattern finds, in words for a message."""


def contact_details_problems(partner: dict[str, Any], baseline: dict[str, Any] | None, tables: dict[str, Columns],
                             where: Where) -> list[Problem]:
    """A problem at each text cell that holds what looks like an email address, UK phone
    number or UK postcode (the patterns of :mod:`svlib.analysis.evidence`).

    Shared pages, ``run.json`` and the index remove such details from every piece of
    partner text (:func:`svlib.analysis.evidence.redact`); the warning asks the partner to take
    them out of the workbook too. In a code column (:data:`CODE_COLUMNS`) it is an
    error. A case study not marked anonymised is never shared, so its title and text are
    not checked.
    """
    cells: list[tuple[Table, str, str | None, Sequence[Any], Sequence[Any]]] = []  # every text cell checked
    for table, values in ((PARTNER, partner), (BASELINE, baseline)):
        rows = (values or {}).get(FIELD_ROWS, {})
        for column in table.columns:
            if column.kind == "text" and values and isinstance(values.get(column.name), str):
                cells.append((table, column.name, "value", [values[column.name]], [rows.get(column.name)]))
    for table in WORKBOOK_TABLES:
        columns = tables.get(table.name)
        if table.layout != "rows" or columns is None or not n_rows(columns):
            continue
        shared = [a == "yes" for a in columns["anonymised"]] if table is CASE_STUDIES else None
        for column in table.columns:
            if column.kind == "text" and column.name in columns and column.name != "answer":  # answers are validated
                texts = columns[column.name]
                if shared is not None and column.name in ("title", "text"):
                    texts = [t if keep else None for t, keep in zip(texts, shared)]
                cells.append((table, column.name, None, texts, columns["source_row"]))
    kinds = CONTACT_KINDS

    def holds_any(*columns: Iterable[Any]) -> bool:  # each distinct text once, joined: one search a pattern
        # joined by new lines, which comparable() keeps (a number split over two cells can only
        # make a column be looked at cell by cell, where it is not found)
        joined = comparable("\n".join(t for t in set().union(*columns) if type(t) is str))
        return any(pattern.search(joined) for kind, pattern in kinds if kind != "an email address" or "@" in joined)

    if not holds_any(*(texts for *_, texts, _ in cells)):  # the usual partner: three searches in all
        return []
    problems: list[Problem] = []
    for table, name, label, texts, rows in cells:
        if not holds_any(texts):
            continue
        file, sheet = where(table.name)
        for text, row in zip(texts, rows):
            text = comparable(text) if type(text) is str else ""
            found = [kind for kind, pattern in kinds if text and (kind != "an email address" or "@" in text)
                     and pattern.search(text)]
            if not found:
                continue
            what, at = " and ".join(found), label or name
            if name in CODE_COLUMNS:
                problems.append(Problem(file, sheet, int(row), at, (
                    f"{name} holds what looks like {what}; it must be a code (such as R01), never a person's contact "
                    "details")))
            elif table is CASE_STUDIES:
                problems.append(Problem(file, sheet, int(row), at, (
                    f"anonymised is yes, but the {name} holds what looks like {what}; shared pages remove such "
                    "details, but take them out of the workbook too"), "warning"))
            else:
                problems.append(Problem(file, sheet, row, at, (
                    f"{name} holds what looks like {what}; shared pages show it removed, but take it out of the "
                    "workbook: nothing a partner writes here should identify or contact a person"), "warning"))
    return problems


def personal_name_problems(partner: dict[str, Any], tables: dict[str, Columns], where: Where) -> list[Problem]:
    """A warning at each text cell a shared file may show that seems to name a person
    (:func:`svlib.core.personal_names.find_names`): free text (a column marked
    ``narrative``) by every rule, a label (any other text column but a code) only where a
    first name has a known surname or a name follows a title. A case study counts only with
    consent and anonymised both yes: no other is ever shared.

    The partner's own name and area, and the Names sheet's rows (to remove or to keep), are
    not warned about: a listed name is removed anyway, and a kept phrase is not a name. The
    warning says what shared files will show, and how to keep a word that is not a name.
    """
    keep = [partner[c] for c in ("name", "area") if isinstance(partner.get(c), str)]
    names = tables.get(NAMES.name)
    problems: list[Problem] = []
    if names is not None and n_rows(names):
        for name, remove, row in zip(names["name"], names["remove"], names["source_row"]):
            if isinstance(name, str) and name.strip():  # a kept phrase as a whole; a listed name word by word
                keep += [name] if remove == "no" else listed_words(name)
            else:
                problems.append(Problem(*where(NAMES.name), int(row), "name",
                                        "no name in this row; it is ignored", "warning"))
    for table in WORKBOOK_TABLES:
        columns = tables.get(table.name)
        if table is NAMES or table.layout != "rows" or columns is None or not n_rows(columns):
            continue
        shared = ([c == "yes" and a == "yes" for c, a in zip(columns["consent"], columns["anonymised"])]
                  if table is CASE_STUDIES else [True] * n_rows(columns))
        file, sheet = where(table.name)
        for column in table.columns:
            if column.kind != "text" or column.name in CODE_COLUMNS or column.name not in columns \
                    or column.name == "answer":  # survey answers are validated against the anchored choices
                continue
            seen: dict[str, list] = {}  # a label repeats on many rows (a star's area): each text read once
            for text, row, is_shared in zip(columns[column.name], columns["source_row"], shared):
                if not (is_shared and isinstance(text, str)):
                    continue
                if text not in seen:
                    seen[text] = find_names(comparable(text), keep, narrative=column.narrative)
                found = seen[text]
                if found:
                    what = ", ".join(f"{quote(n.text)} ({n.reason})" for n in found)
                    problems.append(Problem(file, sheet, int(row), column.name, (
                        f"this looks like it names a person: {what}; shared files show [name removed] in its place. "
                        f"If it is not a person's name here (a place, a building, an organisation), add it to the "
                        f"{NAMES.name} sheet with remove = no"), "warning"))
    return problems
