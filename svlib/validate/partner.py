"""Reading partner data files into typed tables, with every problem named.

Files are opened read-only and never modified. Problems are collected, not raised one at
a time, so a partner sees everything to fix in one pass.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from svlib.contract import cells
from svlib.contract.questions import answer_to_fraction
from svlib.contract.tables import (
    DEFLATOR_SURVEY,
    FIELD_ROWS,
    IMPACT_MAP,
    INPUTS,
    PARTNER,
    WORKBOOK_TABLES,
    Record,
    Table,
    example_values,
    investment_total,
    normalise_header,
    read_columns,
    read_fields,
)
from svlib.core.files import FileRefused, within
from svlib.core.frames import Columns, to_frame
from svlib.core.problems import Problem, echo, nearest, quote
from svlib.io.csv_tables import csv_records, read_error
from svlib.io.xlsx import WorkbookError, column_letter, read_workbook
from svlib.reference.proxies import load_library, load_price_index
from svlib.validate.impact_map import check_rows, first_calendar_year, resolve_columns
from svlib.validate.schema import contact_details_problems, cross_table_problems, personal_name_problems

# --------------------------------------------------------------------------------------
# Partner workbooks (and folders of CSVs named after the sheets)
# --------------------------------------------------------------------------------------

IGNORED_SHEETS: tuple[str, ...] = ("About",)
EXAMPLE_MARK = "e.g."


@dataclass
class PartnerData:
    """One partner's validated data.

    Attributes
    ----------
    source : str
        The workbook (or CSV folder) as named by the user.
    partner : dict
        The Partner sheet's fields (``partner_id``, ``name``, ``price_year``, ...).
    baseline : dict or None
        The Baseline sheet's fields, when the sheet is present.
    columns : dict of str to Columns
        Every rows-sheet present, keyed by sheet name: typed values per column, with
        ``source_row``.
    notes : list of Problem
        Warnings and notes that did not stop the data being used.
    """

    source: str
    partner: dict[str, Any]
    baseline: dict[str, Any] | None
    columns: dict[str, Columns]
    notes: list[Problem] = field(default_factory=list)

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every rows-sheet present as a DataFrame, keyed by sheet name."""
        return {name: to_frame(columns) for name, columns in self.columns.items()}

    @property
    def partner_id(self) -> str:
        return str(self.partner["partner_id"])

    @property
    def investment(self) -> float:
        """Total inputs in GBP (money and in kind)."""
        return investment_total(self.columns[INPUTS.name]["value_gbp"])


def _sheet_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _is_example(row: Sequence[Any]) -> bool:
    """A row marked as the template's example (first cell starting "e.g.")."""
    first = row[0] if len(row) else None
    return isinstance(first, str) and first.lstrip()[:4].lower() == EXAMPLE_MARK


def _without_examples(header: Sequence[Any], records: list[Record], table: Table, file: str,
                      sheet: str) -> tuple[list[Record], list[Problem]]:
    """The records that are not "e.g." example rows, and an error for each example row
    typed over: one whose cells differ from the template's example would otherwise be
    ignored without a word, and the partner's figures with it."""
    marked = [i for i, (_, row) in enumerate(records) if len(row) and type(row[0]) is str and _is_example(row)]
    if not marked:
        return records, []  # the usual sheet: no example row, nothing copied
    examples, skip = [records[i] for i in marked], set(marked)
    kept = [record for i, record in enumerate(records) if i not in skip]
    if table.layout == "fields":
        return kept, []
    example = example_values(table)
    example.pop("answer", None)  # its wording follows deflator_questions.csv, which may change; the rest suffices
    names = [normalise_header(h) for h in header]
    problems = []
    for number, values in examples:
        first = cells.parse_text(values[0])
        changed = [name for i, (name, value) in enumerate(zip(names, values))
                   if name in example and not _same_cell(table, name, first[4:].strip() if i == 0 else value,
                                                         example[name])]
        if changed:
            problems.append(Problem(file, sheet, number, changed[0], (
                f"this row starts with {quote(first)}, so it is read as the template's example and ignored, but "
                f"{', '.join(changed)} {'differs' if len(changed) == 1 else 'differ'} from the example; if the row "
                f"is yours, replace {quote(first)} with your own {names[0] or 'id'}, or delete the row if it is only "
                "the example")))
    return kept, problems


def _same_cell(table: Table, name: str, value: Any, example: Any) -> bool:
    """Whether a cell holds the template's example value (read the way the column reads),
    or is blank."""
    if cells.is_blank(value):
        return True
    if example is None:
        return False
    column = table.column(name)
    try:
        read, expected = column.parse(value), column.parse(example)
    except (ValueError, OverflowError):  # cells.CellError is a ValueError
        return False
    if isinstance(read, float) and isinstance(expected, float):
        return abs(read - expected) <= 1e-9 * max(1.0, abs(expected))
    return read == expected


def _raw_tables_from_workbook(path: Path, file: str) -> tuple[dict[str, tuple[list[Any], list[Record], list[Problem]]], list[Problem]]:
    """Header, rows and cell-level problems per expected sheet of a workbook."""
    problems: list[Problem] = []
    chosen: dict[str, str] = {}

    def choose(names: list[str]) -> set[str]:
        by_key = {_sheet_key(n): n for n in names}
        expected = {t.name for t in WORKBOOK_TABLES}
        for table in WORKBOOK_TABLES:
            actual = table.name if table.name in names else by_key.get(_sheet_key(table.name))
            if actual is None:
                if not table.optional:
                    guess = _nearest_sheet(table.name, names)
                    hint = f" (did you mean {quote(guess)}?)" if guess else ""
                    problems.append(Problem(file, table.name, None, None,
                                            f"missing required sheet '{table.name}'{hint}; the template has it"))
                continue
            if actual != table.name:
                problems.append(Problem(file, actual, None, None, f"sheet {quote(actual)} read as '{table.name}'",
                                        "note"))
            chosen[table.name] = actual
        for name in names:
            if name not in chosen.values() and name not in IGNORED_SHEETS:
                hint = _nearest_sheet(name, sorted(expected - set(chosen)))
                extra = f" (if it is '{hint}', rename it)" if hint else ""
                problems.append(Problem(file, quote(name), None, None,
                                        f"sheet {quote(name)} is not part of the template and is ignored{extra}",
                                        "note"))
        return set(chosen.values())

    _, sheets = read_workbook(path, wanted=choose, inside=path.absolute().parent)
    raw: dict[str, tuple[list[Any], list[Record], list[Problem]]] = {}
    for table in (t for t in WORKBOOK_TABLES if t.name in chosen):
        actual = chosen[table.name]
        sheet = sheets[actual]
        header = sheet.rows[0] if sheet.rows else []
        cell_problems: list[Problem] = []
        headers = {} if not (sheet.uncalculated or sheet.errors) else {  # only to name a formula's column
            column_letter(i): _column_label(table, h) for i, h in enumerate(header) if not cells.is_blank(h)}
        for row, letter in sheet.uncalculated:
            cell_problems.append(Problem(file, actual, row, headers.get(letter, letter),
                                         "this formula has no calculated value; open the workbook in Excel or "
                                         "LibreOffice so it calculates, then save it (or type the value)"))
        for row, letter, error in sheet.errors:
            cell_problems.append(Problem(file, actual, row, headers.get(letter, letter),
                                         f"the cell shows the error {echo(error)}; fix the formula or type the value"))
        for merged in sheet.merged:
            cell_problems.append(Problem(file, actual, None, None,
                                         f"merged cells {merged}: each cell was read as the merged value", "note"))
        records, changed = _without_examples(header, [(2 + i, row) for i, row in enumerate(sheet.rows[1:])],
                                             table, file, actual)
        raw[table.name] = (header, records, cell_problems + changed)
    return raw, problems


def _column_label(table: Table, header: Any) -> str:
    """A header as a problem's column: the contract's name, or the header as typed
    (quoted, as the partner's own text) when it is not one of the table's columns."""
    name = normalise_header(header)
    try:
        table.column(name)
    except KeyError:
        return quote(cells.parse_text(header))
    return name


def _nearest_sheet(name: str, candidates: Sequence[str]) -> str | None:
    return nearest(name, candidates, cutoff=0.5)


def _raw_tables_from_folder(folder: Path) -> tuple[dict[str, tuple[list[Any], list[Record], list[Problem]]], list[Problem]]:
    """Header and rows per expected CSV file (``ImpactMap.csv`` or ``impact_map.csv``)."""
    problems: list[Problem] = []
    raw: dict[str, tuple[list[Any], list[Record], list[Problem]]] = {}
    files = {_sheet_key(p.stem): p for p in folder.glob("*.csv")}
    for table in WORKBOOK_TABLES:
        path = files.pop(_sheet_key(table.name), None)
        if path is None:
            if not table.optional:
                problems.append(Problem(str(folder / f"{table.name}.csv"), table.name, None, None,
                                        f"missing required file '{table.name}.csv'"))
            continue
        try:
            header, records = csv_records(path, inside=folder)
        except FileRefused as exc:
            problems.append(Problem(str(path), table.name, None, None, f"the file {exc}"))
            continue
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.append(Problem(str(path), table.name, None, None, f"cannot be read as CSV text: {read_error(exc)}"))
            continue
        raw[table.name] = (header, *_without_examples(header, records, table, str(path), table.name))
    for path in files.values():
        problems.append(Problem(str(path), quote(path.stem), None, None,
                                "file is not one of the template's sheets and is ignored", "note"))
    return raw, problems


def read_partner(path: str | Path) -> tuple[PartnerData | None, list[Problem]]:
    """Read and validate one partner: a workbook, or a folder of CSVs named after the
    sheets. Returns the data (None if any error) and every problem found.

    Never raises for bad content.
    """
    path = Path(path)
    file = str(path)
    if path.is_symlink() and not within(path, path.absolute().parent):
        return None, [Problem(file, "", None, None, (
            f"is a link to {echo(path.resolve())}, outside the folder it is in; svlib reads only files inside the raw "
            "folder: copy the partner's workbook (or folder) into it instead"))]
    try:
        if path.is_dir() and path.suffix.lower() != ".numbers":  # an Apple Numbers package is refused as a workbook
            raw, problems = _raw_tables_from_folder(path)
        else:
            raw, problems = _raw_tables_from_workbook(path, file)
    except WorkbookError as exc:
        return None, [Problem(file, exc.sheet, exc.row, exc.column, str(exc))]

    def where(table_name: str) -> tuple[str, str]:
        if path.is_dir():
            return str(path / f"{table_name}.csv"), table_name
        return file, table_name

    partner: dict[str, Any] = {}
    baseline: dict[str, Any] | None = None
    tables: dict[str, Columns] = {}
    for table in WORKBOOK_TABLES:
        if table.name not in raw:
            continue
        header, records, cell_problems = raw[table.name]
        table_file, sheet = where(table.name)
        blocked = {(p.row, p.column) for p in cell_problems if p.severity == "error"}
        if table.layout == "fields":
            if table.optional and all(len(r) < 2 or cells.is_blank(r[1]) for _, r in records):
                problems.append(Problem(table_file, sheet, None, None,
                                        f"the {sheet} sheet is not filled in; it is treated as absent", "note"))
                continue
            values, found = read_fields(records, table, table_file, sheet)
            if table.name == PARTNER.name:
                partner = values
            else:
                baseline = values
        else:
            if not header or all(cells.is_blank(h) for h in header):
                found = [Problem(table_file, sheet, 1, None, "the header row is empty; expected: "
                                 + ", ".join(c.name for c in table.columns if c.required))]
                columns: Columns = {name: [] for name in [*table.names, "source_row"]}
            else:
                columns, found = read_columns(header, records, table, table_file, sheet)
            tables[table.name] = columns
        problems += cell_problems + [p for p in found if (p.row, p.column) not in blocked]

    header_broken = {p.sheet for p in problems if p.severity == "error" and p.row in (None, 1)}
    library = load_library()
    if IMPACT_MAP.name in tables and IMPACT_MAP.name not in header_broken:
        table_file, sheet = where(IMPACT_MAP.name)
        problems += check_rows(tables[IMPACT_MAP.name], library, table_file, sheet, known=problems)
        price_year = partner.get("price_year")
        if isinstance(price_year, int):
            problem = _price_year_problem(price_year, partner, *where(PARTNER.name))
            if problem is not None:
                problems.append(problem)
            else:
                _, resolve_problems = resolve_columns(tables[IMPACT_MAP.name], library, price_year, "cpi", table_file,
                                                      sheet, first_calendar_year(partner.get("period_start")))
                problems += resolve_problems
    if DEFLATOR_SURVEY.name in tables and DEFLATOR_SURVEY.name not in header_broken:
        table_file, sheet = where(DEFLATOR_SURVEY.name)
        tables[DEFLATOR_SURVEY.name], survey_problems = _survey_fractions(tables[DEFLATOR_SURVEY.name], table_file, sheet)
        problems += survey_problems
    problems += cross_table_problems(partner, tables, where, skip=header_broken, known_problems=problems)
    readable = {k: v for k, v in tables.items() if k not in header_broken}
    problems += contact_details_problems(partner, baseline, readable, where)
    problems += personal_name_problems(partner, readable, where)
    errors_found = [p for p in problems if p.severity == "error"]
    if errors_found:
        return None, problems
    return PartnerData(file, partner, baseline, tables, problems), problems


def _price_year_problem(price_year: int, partner: dict[str, Any], file: str, sheet: str) -> Problem | None:
    """An error at the Partner sheet's price_year when no money can be restated in that
    year's prices: the shipped consumer price index does not reach it."""
    first, last = load_price_index("cpi").years
    if first <= price_year <= last:
        return None
    return Problem(file, sheet, partner.get(FIELD_ROWS, {}).get("price_year"), "value", (
        f"price_year {price_year} is outside the years of the consumer price index (CPI) svlib holds "
        f"({first}-{last}), so no value can be restated in {price_year} prices; write a year from {first} to "
        f"{last}, such as the year of the accounts your figures come from"))


def _survey_fractions(frame: Columns, file: str, sheet: str) -> tuple[Columns, list[Problem]]:
    """Each survey answer as a fraction (column ``fraction``)."""
    problems: list[Problem] = []
    fractions = []
    for answer, row in zip(frame["answer"], frame["source_row"]):
        try:
            fractions.append(answer_to_fraction(answer))
        except cells.CellError as exc:
            problems.append(Problem(file, sheet, int(row), "answer", exc.marked))
            fractions.append(float("nan"))
    out = {**frame, "fraction": fractions}
    return out, problems
