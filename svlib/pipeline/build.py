"""Raw partner workbooks to validated tidy tables: ``data/raw/<c>`` -> ``data/processed/<c>``.

All or nothing: if any partner's data has an error, nothing is written and every problem
is returned. Raw files are only read. The output folder is assembled under a temporary
name beside it and swapped into place, so a reader never sees a half-built folder.
Re-running on unchanged input gives byte-identical tables (``manifest.json`` also records
the build time, the raw folder as given and each source's modification time).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import json
import os
import re
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from svlib import __version__
from svlib.contract.tables import FIELD_ROWS, PARTNER, WORKBOOK_TABLES, Table
from svlib.core.files import FORMULA_STARTS, from_spreadsheet_safe, sha256, spreadsheet_safe, write_json
from svlib.core.folders import locked, replaceable_folder_problems, writing
from svlib.core.frames import n_rows
from svlib.core.problems import InputError, Problem, echo
from svlib.core.processes import end_with_parent
from svlib.validate.partner import PartnerData, read_partner
from svlib.validate.schema import prepare_validation, processed_columns, table_file_name, validate_processed

LOCK_PREFIXES = ("~$", ".~lock", ".")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Other spreadsheet formats a partner may send. They are taken as partners so that the
# reader refuses them with a message saying how to save them as .xlsx: skipping them
# would drop a partner from the build without a word.
OTHER_SPREADSHEET_SUFFIXES = (".ods", ".fods", ".xls", ".xlsb", ".numbers")
_TABLES = {t.name: t for t in WORKBOOK_TABLES}
TEXT_KINDS = ("text", "choice", "yes_no", "slug")
_FORMULA_LIKE = re.compile("\x00[" + re.escape("".join(FORMULA_STARTS) + "'") + "]")
"""A text (after the separator) that :func:`svlib.core.files.spreadsheet_safe` changes."""


@dataclass
class BuildResult:
    """What a build did: the manifest (None when nothing was written) and every problem."""

    manifest: dict[str, Any] | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.manifest is not None


def discover(raw_dir: str | Path) -> tuple[list[Path], list[Problem]]:
    """The partners in a raw collection folder: each ``.xlsx`` workbook, and each
    sub-folder of CSVs named after the sheets. Office lock files are skipped with a note.

    A spreadsheet in another format (``.ods``, ``.xls``, ``.xlsb``, ``.numbers``) is
    returned too, so that reading it fails with a message saying how to save it as
    ``.xlsx`` rather than the partner silently missing from the build; when the same name
    with ``.xlsx`` is there too, it is skipped with a note instead. A loose ``.csv``
    file gets a note: a CSV partner is a sub-folder of CSVs named after the sheets.

    A link leading outside the folder, or a named pipe or device given a workbook's name,
    is returned as well: reading it refuses it with a message
    (:func:`svlib.validate.partner.read_partner`), so that it fails as that partner, never silently.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return [], [Problem(str(raw_dir), "", None, None, "folder not found; expected a folder of partner workbooks")]
    found: list[Path] = []
    notes: list[Problem] = []
    for entry in sorted(raw_dir.iterdir()):
        suffix = entry.suffix.lower()
        if entry.name.startswith(LOCK_PREFIXES):
            if suffix in WORKBOOK_SUFFIXES or entry.name.startswith(".~lock"):
                notes.append(Problem(str(entry), "", None, None, "an office lock file; skipped", "note"))
            continue
        if suffix in OTHER_SPREADSHEET_SUFFIXES and (not entry.is_dir() or suffix == ".numbers"):
            saved = [entry.with_suffix(s) for s in WORKBOOK_SUFFIXES if entry.with_suffix(s).is_file()]
            if saved:  # the partner's workbook, already saved as .xlsx beside its original
                notes.append(Problem(str(entry), "", None, None,
                                     f"another format of {saved[0].name}, which is read instead; skipped", "note"))
            else:
                found.append(entry)
        elif suffix in WORKBOOK_SUFFIXES and not entry.is_dir():  # a named pipe or device too: refused when read
            found.append(entry)
        elif entry.is_file() and suffix == ".csv":
            notes.append(Problem(str(entry), "", None, None,
                                 "a CSV file on its own is not read; a partner sent as CSV is a folder holding one "
                                 "CSV per sheet (Partner.csv, Inputs.csv, ImpactMap.csv, ...)", "note"))
        elif entry.is_dir() and any(p.suffix.lower() == ".csv" for p in entry.iterdir()):
            found.append(entry)
    if not found:
        notes.append(Problem(str(raw_dir), "", None, None, "no partner workbooks (.xlsx) or CSV folders found"))
    return found, notes


def read_partners(sources: list[Path], jobs: int | None = 1,
                  reader: Callable[[Path], tuple[Any, list[Problem]]] = read_partner,
                  pool: Executor | None = None) -> tuple[list[Any], list[Problem]]:
    """Read and validate every source with ``reader`` (default :func:`read_partner`);
    also refuse a ``partner_id`` used twice.

    ``jobs`` processes read workbooks in parallel (None: one per CPU), or the given
    ``pool``'s; the result is the same, in the same order, whatever the number.
    """
    partners: list[Any] = []
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for source, (data, found) in zip(sources, read_each(sources, jobs, reader, pool)):
        problems += found
        if data is None:
            continue
        if data.partner_id in owners:
            problems.append(duplicate_id_problem(source, data, owners[data.partner_id]))
            continue
        owners[data.partner_id] = str(source)
        partners.append(data)
    return partners, problems


def read_each(sources: list[Path], jobs: int | None = 1,
              reader: Callable[[Path], tuple[Any, list[Problem]]] = read_partner,
              pool: Executor | None = None) -> list[tuple[Any, list[Problem]]]:
    """``reader(source)`` for every source, in order: in ``jobs`` processes (None: one
    per CPU) or the given ``pool``'s, else in this process.

    A reader process that the system stops (out of memory, a crash inside a library)
    breaks the pool; each source not yet read is then read again in a process of its
    own, so the one that stops it gets a located error and every other is still read.
    """
    with _reader_pool(jobs, len(sources)) if pool is None else nullcontext(pool) as executor:
        if executor is None:
            return [reader(source) for source in sources]
        results: list[tuple[Any, list[Problem]]] = []
        try:
            # small chunks, so both processes finish at about the same time
            for result in executor.map(reader, sources, chunksize=max(1, min(8, len(sources) // 32))):
                results.append(result)
        except BrokenProcessPool:
            results += [_read_alone(source, reader) for source in sources[len(results):]]
        return results


def _read_alone(source: Path, reader: Callable[[Path], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem]]:
    """``reader(source)`` in a process of its own; a located error if that process dies."""
    with ProcessPoolExecutor(max_workers=1, initializer=end_with_parent) as alone:
        try:
            return alone.submit(reader, source).result()
        except BrokenProcessPool:
            file = str(source / "Partner.csv") if source.is_dir() else str(source)
            return None, [Problem(file, "", None, None, (
                "reading this file stopped the reader process (the system ran out of memory, or the file is "
                "damaged in a way svlib does not recognise); open it in Excel or LibreOffice, check that it "
                "holds only the partner's tables, and save it again as .xlsx"))]


@contextmanager
def _reader_pool(jobs: int | None, tasks: int) -> Iterator[Executor | None]:
    """A process pool of ``jobs`` workers (None: one per CPU), or None when one process
    is enough.

    While it runs, the objects that already exist are frozen out of garbage collection
    (``gc.freeze``, as the Python documentation advises before ``fork``): otherwise each
    forked reader's collections touch, and so copy, every memory page that holds them,
    which cost about a tenth of the build.
    """
    workers = min(jobs or os.cpu_count() or 1, tasks)
    if workers <= 1:
        yield None
        return
    freeze = gc.get_freeze_count() == 0  # a caller's own freeze is left as it is
    if freeze:
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent) as pool:
            yield pool
    finally:
        if freeze:
            gc.unfreeze()


def duplicate_id_problem(source: Path, data: PartnerData | PartnerRows, owner: str, both: bool = False) -> Problem:
    """The problem for a partner whose ``partner_id`` another file (``owner``) already
    uses; ``both`` when neither file is used, because which is the partner's is for a
    person to say."""
    row = data.partner.get(FIELD_ROWS, {}).get("partner_id")
    file = str(source / "Partner.csv") if source.is_dir() else str(source)
    if both:
        return Problem(file, PARTNER.name, row, "value",
                       f"partner_id '{data.partner_id}' is also used by {echo(owner)}; each partner needs its own id, so "
                       "neither is reported until one is changed or removed")
    return Problem(file, PARTNER.name, row, "value",
                   f"partner_id '{data.partner_id}' is already used by {echo(owner)}; each partner needs its own id")


@dataclass(frozen=True)
class PartnerRows:
    """One valid partner as the build writes it: its rows of every processed table as
    CSV text (no header, columns as :func:`svlib.validate.schema.processed_columns`).

    Reader processes return this rather than :class:`~svlib.validate.partner.PartnerData`: text
    crosses between processes far faster than tables of Python objects.
    """

    source: str
    partner: dict[str, Any]
    texts: dict[str, str]
    counts: dict[str, int]

    @property
    def partner_id(self) -> str:
        return str(self.partner["partner_id"])


def _processed_kind(table: Table, name: str) -> str:
    """The kind of value a processed column holds (see :class:`svlib.contract.tables.Column`)."""
    if name in ("partner_id", "source_file"):
        return "text"
    if name == "source_row":
        return "whole"
    if name == "fraction":
        return "fraction"
    return table.column(name).kind


def _csv_column(values: Sequence[Any], kind: str) -> Sequence[Any]:
    """A column's typed values as the processed CSV writes them (as ``DataFrame.to_csv``
    does): blanks (None, NaN, NA, NaT) empty, dates ISO ``yyyy-mm-dd``, numbers as Python
    writes them, text as it is."""
    if kind == "text":  # partner text may start like a formula: shown as text if the CSV is opened in a spreadsheet
        if not _FORMULA_LIKE.search("\x00" + _joined(values)):
            return values  # the usual column: one search, no cell changed
        return [spreadsheet_safe(v) if type(v) is str else v for v in values]
    if kind in TEXT_KINDS:
        return values
    if kind == "date":
        return [v.isoformat() if isinstance(v, dt.date) and v == v else None for v in values]  # NaT is a date
    return [None if v is None or v is pd.NA or v != v else v for v in values]


def _joined(values: Sequence[Any]) -> str:
    """The distinct text values of a column joined by NUL."""
    return "\x00".join(v for v in set(values) if type(v) is str)


def partner_rows(data: PartnerData) -> PartnerRows:
    """A valid partner's rows of each processed table, as CSV text."""
    texts: dict[str, str] = {}
    counts: dict[str, int] = {}
    for table in WORKBOOK_TABLES:
        if table.layout == "fields":
            values = data.partner if table is PARTNER else data.baseline
            fields = {**(values or {}), "partner_id": data.partner_id, "source_file": Path(data.source).name}
            columns = {} if values is None else {name: [value] for name, value in fields.items()}
        else:
            columns = data.columns.get(table.name, {})
        length = n_rows(columns)
        columns = {**columns, "partner_id": [data.partner_id] * length}
        blank = [None] * length
        lines = zip(*(_csv_column(columns.get(name, blank), _processed_kind(table, name))
                      for name in processed_columns(table)))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(lines)
        texts[table.name] = buffer.getvalue()
        counts[table.name] = length
    return PartnerRows(data.source, data.partner, texts, counts)


def read_partner_rows(path: str | Path) -> tuple[PartnerRows | None, list[Problem]]:
    """:func:`~svlib.validate.partner.read_partner`, keeping the partner's rows as CSV text."""
    data, problems = read_partner(path)
    return (None if data is None else partner_rows(data)), problems


def output_folder_problems(out_dir: str | Path, raw_dir: str | Path) -> list[Problem]:
    """Why ``out_dir`` must not receive a build of ``raw_dir``, if it must not.

    A build replaces its output folder whole, so the folder must be new, empty, or an
    earlier build holding only what a build writes (the tables and ``manifest.json``);
    files the system adds by itself (``.DS_Store``, lock files) do not count. It must not
    be a file, the raw folder, a folder holding it, or a folder inside it: raw data is
    never written to.
    """
    ours = {"manifest.json"} | {table_file_name(table) for table in WORKBOOK_TABLES}
    return replaceable_folder_problems(out_dir, raw_dir, "manifest.json", lambda relative: relative in ours,
                                       Path("data/processed") / Path(raw_dir).resolve().name, "build")


def build(raw_dir: str | Path, out_dir: str | Path, jobs: int | None = None) -> BuildResult:
    """Validate every partner in ``raw_dir`` and, only if all are valid, write the tidy
    tables and ``manifest.json`` to ``out_dir`` (replacing it whole; see
    :func:`output_folder_problems` for the folders refused). ``jobs`` processes read the
    workbooks and check the tables (None: one per CPU)."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    refused = output_folder_problems(out_dir, raw_dir)
    if refused:
        return BuildResult(None, refused)
    sources, problems = discover(raw_dir)
    prepare_validation()
    with locked(out_dir), _reader_pool(jobs, len(sources)) as pool:
        partners, found = read_partners(sources, reader=read_partner_rows, pool=pool)
        problems += found
        if any(p.severity == "error" for p in problems):
            return BuildResult(None, problems)
        return write_processed(partners, raw_dir, out_dir, problems, pool=pool)


def write_processed(partners: Sequence[PartnerData | PartnerRows], raw_dir: Path, out_dir: Path,
                    problems: list[Problem] | None = None, pool: Executor | None = None) -> BuildResult:
    """Write valid partners' tidy tables and ``manifest.json`` to ``out_dir`` (replacing
    it whole), after checking every table, read back from the text to be written exactly
    as :func:`load_processed` reads it, against its schema (in ``pool``'s processes, when
    given).

    Each table has ``partner_id`` first and is sorted by partner and source row."""
    problems = list(problems or []) + output_folder_problems(out_dir, raw_dir)
    if any(p.severity == "error" for p in problems):
        return BuildResult(None, problems)
    ordered = sorted((p if isinstance(p, PartnerRows) else partner_rows(p) for p in partners),
                     key=lambda p: p.partner_id)
    texts: dict[str, str] = {}
    for table in WORKBOOK_TABLES:
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(processed_columns(table))
        texts[table.name] = header.getvalue() + "".join(p.texts[table.name] for p in ordered)
    names = sorted(texts, key=lambda name: -len(texts[name]))  # the longest first, to finish together
    files = [str(out_dir / table_file_name(_TABLES[name])) for name in names]
    checked = (pool.map if pool is not None else map)(check_processed_text, names, [texts[n] for n in names], files)
    found = dict(zip(names, checked))
    problems += [p for table in WORKBOOK_TABLES for p in found[table.name]]
    if any(p.severity == "error" for p in problems):
        return BuildResult(None, problems)

    manifest = {
        "svlib_version": __version__,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir),
        "sources": [
            {"file": Path(partner.source).name, "partner_id": partner.partner_id, **_fingerprint(Path(partner.source))}
            for partner in ordered
        ],
        "tables": {table_file_name(t): sum(p.counts[t.name] for p in ordered) for t in WORKBOOK_TABLES},
        "partners": [p.partner_id for p in ordered],
        "layout": table_layout(),
    }
    _write_folder(out_dir, {table_file_name(t): texts[t.name] for t in WORKBOOK_TABLES}, manifest)
    return BuildResult(manifest, problems)


def table_layout() -> str:
    """A fingerprint of the processed tables' files and columns (:func:`processed_columns`)
    as this svlib writes them: a folder built by another layout (an older svlib) is
    rebuilt rather than read (:func:`is_current`)."""
    text = json.dumps({table_file_name(t): processed_columns(t) for t in WORKBOOK_TABLES}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_current(folder: str | Path, raw_dir: str | Path) -> bool:
    """The processed ``folder`` was built by this layout from ``raw_dir``'s files as they
    are now (each source file's SHA-256), so it can be read as it is."""
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("layout") != table_layout():
        return False
    raw_dir = Path(raw_dir)
    try:
        recorded = {s["file"]: s.get("sha256") for s in manifest.get("sources", [])}
        if {p.name for p in discover(raw_dir)[0]} != set(recorded):  # a partner added or taken away
            return False
        return all(_fingerprint(raw_dir / name).get("sha256") == digest for name, digest in recorded.items())
    except (OSError, KeyError, TypeError):
        return False


def source_files(source: Path) -> list[Path]:
    """A partner's raw files: its workbook, or each CSV of a partner sent as a folder."""
    return sorted(source.glob("*.csv")) if source.is_dir() else [source]


def _fingerprint(source: Path) -> dict[str, Any]:
    """SHA-256, size and modification time of a workbook (or of each CSV in a folder)."""
    files = source_files(source)
    stats = [f.stat() for f in files]
    digest = {f.name: sha256(f) for f in files} if source.is_dir() else sha256(source)
    return {
        "sha256": digest,
        "bytes": sum(s.st_size for s in stats),
        "modified": dt.datetime.fromtimestamp(max(s.st_mtime for s in stats), dt.timezone.utc).isoformat(
            timespec="seconds"),
    }


def _write_folder(out_dir: Path, texts: dict[str, str], manifest: dict[str, Any]) -> None:
    """The tables and manifest written into a staging folder and swapped in whole
    (:mod:`svlib.core.folders`: the folder is the old build or the new one at every instant)."""
    with writing(out_dir) as staging:
        for file_name, text in texts.items():
            (staging.path / file_name).write_text(text, encoding="utf-8", newline="")
        write_json(staging.path / "manifest.json", manifest)
        staging.publish()


def check_processed_text(table_name: str, text: str, file: str) -> list[Problem]:
    """Every schema failure of a processed table's CSV text (``file`` names it in messages)."""
    return read_processed(io.StringIO(text), _TABLES[table_name], file)[1]


def read_processed(source: str | Path | io.StringIO, table: Table, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """One processed table, typed and checked against its schema, and every failure.

    Text columns keep blanks as ``""``; other blanks become missing values."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    text_columns = {c.name for c in table.columns if c.kind in TEXT_KINDS} | {"partner_id", "source_file"}
    free_text = {c.name for c in table.columns if c.kind == "text"} | {"source_file"}
    for column in frame.columns:
        if column not in text_columns and not column.endswith("_dist"):
            frame[column] = frame[column].replace("", np.nan)
        elif column in free_text and frame[column].str.startswith("'").any():  # written by spreadsheet_safe
            frame[column] = [from_spreadsheet_safe(v) for v in frame[column]]
    return validate_processed(table.name, frame, file)


def load_processed(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The processed tables of a collection, typed and checked against their schemas
    (keyed by sheet name). Raises :class:`svlib.core.problems.InputError` on a failure."""
    folder = Path(folder)
    out: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for table in WORKBOOK_TABLES:
        path = folder / table_file_name(table)
        if not path.exists():
            problems.append(Problem(str(path), table.name, None, None, "missing; run `svlib build` first"))
            continue
        out[table.name], found = read_processed(path, table, str(path))
        problems += found
    if problems:
        raise InputError(problems)
    return out
