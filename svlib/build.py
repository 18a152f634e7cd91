"""Raw partner workbooks to validated tidy tables: ``data/raw/<c>`` -> ``data/processed/<c>``.

All or nothing: if any partner's data has an error, nothing is written and every problem
is returned. Raw files are only read. The output folder is assembled under a temporary
name beside it and swapped into place, so a reader never sees a half-built folder.
Re-running on unchanged input gives byte-identical tables (``manifest.json`` also records
the build time, the raw folder as given and each source's modification time).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svlib import __version__
from svlib.files import sha256, write_json
from svlib.ingest import PartnerData, read_partner
from svlib.problems import Problem
from svlib.schema import processed_schema, table_file_name, validate_processed
from svlib.tables import FIELD_ROWS, PARTNER, WORKBOOK_TABLES, Table

LOCK_PREFIXES = ("~$", ".~lock", ".")
TEXT_KINDS = ("text", "choice", "yes_no", "slug")


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
    sub-folder of CSVs named after the sheets. Office lock files are skipped with a note."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return [], [Problem(str(raw_dir), "", None, None, "folder not found; expected a folder of partner workbooks")]
    found: list[Path] = []
    notes: list[Problem] = []
    for entry in sorted(raw_dir.iterdir()):
        if entry.name.startswith(LOCK_PREFIXES):
            if entry.suffix.lower() in (".xlsx", ".xlsm") or entry.name.startswith(".~lock"):
                notes.append(Problem(str(entry), "", None, None, "an office lock file; skipped", "note"))
            continue
        if entry.is_file() and entry.suffix.lower() in (".xlsx", ".xlsm"):
            found.append(entry)
        elif entry.is_dir() and any(p.suffix.lower() == ".csv" for p in entry.iterdir()):
            found.append(entry)
    if not found:
        notes.append(Problem(str(raw_dir), "", None, None, "no partner workbooks (.xlsx) or CSV folders found"))
    return found, notes


def read_partners(sources: list[Path], jobs: int | None = 1) -> tuple[list[PartnerData], list[Problem]]:
    """Read and validate every source; also refuse a ``partner_id`` used twice.

    ``jobs`` processes read workbooks in parallel (None: one per CPU); the result is the
    same, in the same order, whatever the number.
    """
    partners: list[PartnerData] = []
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    workers = min(jobs or os.cpu_count() or 1, len(sources))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(read_partner, sources, chunksize=max(1, len(sources) // (4 * workers))))
    else:
        results = [read_partner(source) for source in sources]
    for source, (data, found) in zip(sources, results):
        problems += found
        if data is None:
            continue
        if data.partner_id in owners:
            problems.append(duplicate_id_problem(source, data, owners[data.partner_id]))
            continue
        owners[data.partner_id] = str(source)
        partners.append(data)
    return partners, problems


def duplicate_id_problem(source: Path, data: PartnerData, owner: str) -> Problem:
    """The problem for a partner whose ``partner_id`` another file already uses."""
    row = data.partner.get(FIELD_ROWS, {}).get("partner_id")
    file = str(source / "Partner.csv") if source.is_dir() else str(source)
    return Problem(file, PARTNER.name, row, "value",
                   f"partner_id '{data.partner_id}' is already used by {owner}; each partner needs its own id")


def _field_row(partner: PartnerData, values: dict[str, Any] | None, table_name: str) -> dict[str, Any]:
    row = {"partner_id": partner.partner_id}
    row.update({k: v for k, v in (values or {}).items() if k not in (FIELD_ROWS, "partner_id")})
    if table_name == PARTNER.name:
        row["source_file"] = Path(partner.source).name
    return row


def tidy_tables(partners: list[PartnerData]) -> dict[str, pd.DataFrame]:
    """One tidy table per sheet across partners, each with ``partner_id`` first, sorted by
    partner and source row."""
    ordered = sorted(partners, key=lambda p: p.partner_id)
    out: dict[str, pd.DataFrame] = {}
    for table in WORKBOOK_TABLES:
        if table.layout == "fields":
            values = [p.partner if table is PARTNER else p.baseline for p in ordered]
            rows = [_field_row(p, v, table.name) for p, v in zip(ordered, values) if v is not None]
            columns = ["partner_id", *[c.name for c in table.columns if c.name != "partner_id"]]
            if table is PARTNER:
                columns.append("source_file")
            out[table.name] = pd.DataFrame(rows, columns=columns)
            continue
        frames, owners = [], []
        for partner in ordered:
            frame = partner.tables.get(table.name)
            if frame is None or frame.empty:
                continue
            frames.append(frame)
            owners.append(partner.partner_id)
        if frames:
            combined = pd.concat(frames, ignore_index=True)
            combined.insert(0, "partner_id", np.repeat(np.array(owners, dtype=object), [len(f) for f in frames]))
        else:
            combined = pd.DataFrame(columns=[c for c in processed_schema(table.name).columns if not c.startswith("^")])
        out[table.name] = combined.sort_values(["partner_id", "source_row"], kind="stable").reset_index(drop=True)
    return out


def _to_csv(frame: pd.DataFrame, table: Table) -> str:
    """A tidy table as CSV text: dates as ISO ``yyyy-mm-dd``, blanks empty."""
    text = frame.copy()
    for column in table.columns:
        if column.kind == "date" and column.name in text:
            text[column.name] = [v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else "" for v in text[column.name]]
    return text.to_csv(index=False, lineterminator="\n")


def build(raw_dir: str | Path, out_dir: str | Path, jobs: int | None = None) -> BuildResult:
    """Validate every partner in ``raw_dir`` and, only if all are valid, write the tidy
    tables and ``manifest.json`` to ``out_dir`` (replacing it whole). ``jobs`` processes
    read the workbooks (None: one per CPU)."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    sources, problems = discover(raw_dir)
    partners, found = read_partners(sources, jobs)
    problems += found
    if any(p.severity == "error" for p in problems):
        return BuildResult(None, problems)

    return write_processed(partners, raw_dir, out_dir, problems)


def write_processed(partners: list[PartnerData], raw_dir: Path, out_dir: Path,
                    problems: list[Problem] | None = None) -> BuildResult:
    """Write valid partners' tidy tables and ``manifest.json`` to ``out_dir`` (replacing
    it whole), after checking every table against its schema."""
    problems = list(problems or [])
    tables = tidy_tables(partners)
    texts: dict[str, str] = {}
    for table in WORKBOOK_TABLES:
        file_name = table_file_name(table)
        _, schema_problems = validate_processed(table.name, tables[table.name], str(out_dir / file_name))
        problems += schema_problems
        texts[file_name] = _to_csv(tables[table.name], table)
    if any(p.severity == "error" for p in problems):
        return BuildResult(None, problems)

    manifest = {
        "svlib_version": __version__,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir),
        "sources": [
            {"file": Path(partner.source).name, "partner_id": partner.partner_id, **_fingerprint(Path(partner.source))}
            for partner in sorted(partners, key=lambda p: p.partner_id)
        ],
        "tables": {table_file_name(t): int(len(tables[t.name])) for t in WORKBOOK_TABLES},
        "partners": sorted(p.partner_id for p in partners),
    }
    _write_folder(out_dir, texts, manifest)
    return BuildResult(manifest, problems)


def _fingerprint(source: Path) -> dict[str, Any]:
    """SHA-256, size and modification time of a workbook (or of each CSV in a folder)."""
    files = sorted(source.glob("*.csv")) if source.is_dir() else [source]
    stats = [f.stat() for f in files]
    digest = {f.name: sha256(f) for f in files} if source.is_dir() else sha256(source)
    return {
        "sha256": digest,
        "bytes": sum(s.st_size for s in stats),
        "modified": dt.datetime.fromtimestamp(max(s.st_mtime for s in stats), dt.timezone.utc).isoformat(
            timespec="seconds"),
    }


def _write_folder(out_dir: Path, texts: dict[str, str], manifest: dict[str, Any]) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.building-", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    try:
        for file_name, text in texts.items():
            (staging / file_name).write_text(text, encoding="utf-8", newline="")
        write_json(staging / "manifest.json", manifest)
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / out_dir.name)
        os.replace(staging, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def load_processed(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The processed tables of a collection, typed and checked against their schemas
    (keyed by sheet name). Raises :class:`svlib.problems.InputError` on a failure."""
    from svlib.problems import InputError

    folder = Path(folder)
    out: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for table in WORKBOOK_TABLES:
        path = folder / table_file_name(table)
        if not path.exists():
            problems.append(Problem(str(path), table.name, None, None, "missing; run `svlib build` first"))
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        text_columns = {c.name for c in table.columns if c.kind in TEXT_KINDS} | {"partner_id", "source_file"}
        for column in frame.columns:
            if column not in text_columns and not column.endswith("_dist"):
                frame[column] = frame[column].replace("", np.nan)
        validated, found = validate_processed(table.name, frame, str(path))
        problems += found
        out[table.name] = validated
    if problems:
        raise InputError(problems)
    return out
