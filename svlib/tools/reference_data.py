"""Build svlib's package data from the project's cited reference folder.

svlib never reads the reference folder when it runs: what it uses is copied into
``svlib/data`` by this script, row by row as the source file has it (source, URL, table,
licence and notes kept), so a reader can trace every shipped figure to its citation and a
new edition of a source can be dropped in and rebuilt.

Built now:

``proxies.csv``
    one proxy library, one id space, from three files: the hand-verified library
    (``proxies.csv``, rows with ``verified = yes`` and a value), the GMCA Unit Cost Database
    v1.4 (``gmca_ucd_v1_4.csv``, every row) and the DESNZ carbon values 2020-2050
    (``desnz_carbon_values_2023.csv``, every row). The columns the sources add are kept:
    ``value_type`` (fiscal, economic or social; blank where the source does not classify),
    ``cost_code`` and ``level`` (GMCA's tree: a headline line and its constituents),
    ``agency`` (who bears a fiscal cost), ``confidence`` (GMCA's RAG rating),
    ``original_source``, ``source_comment`` (GMCA's comment, verbatim), for a yearly
    series ``series``, ``series_year`` and ``scenario``, and ``dataset`` (which of the three). A GMCA row whose original source is
    PSSRU's Unit Costs of Health and Social Care keeps PSSRU's copyright in its licence note.
``proxy_gaps.csv``
    the rows of the verified library that have no value: outcomes still without a proxy,
    less those that a shipped value now fills (:data:`GAPS_FILLED`, a judgement listed here
    with the ids that fill each gap).
``cpi_index.csv``, ``gdp_deflator.csv``
    ONS CPI D7BT (2015 = 100) from 1988 and the GDP deflator YBGB (2022 = 100) from 1995;
    a year ONS marks as a modelled estimate (CPI 1988-1996) says so in ``note``.
``discount_rates.csv``
    the Green Book schedules with a rate; rows without one (recalled components) are left out.

Run::

    python -m svlib.tools.reference_data ../shared/refdata
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from svlib import paths
from svlib.core.files import write_atomic
from svlib.reference.proxies import CARBON_SERIES, DATASETS

PROXY_COLUMNS: tuple[str, ...] = (
    "proxy_id", "theme", "outcome", "unit", "value_gbp", "price_year", "source", "url", "page_or_table", "licence",
    "verified", "notes", "value_type", "cost_code", "level", "agency", "confidence", "original_source",
    "source_comment", "series", "series_year", "scenario", "dataset",
)
"""The shipped library's columns, in order."""

THEME_NAMES = {"JOBS": "Jobs", "GROWTH": "Growth", "SOCIAL": "Social", "ENVIRONMENT": "Environment",
               "INNOVATION": "Innovation", "CROSS-CUTTING": "Cross-cutting"}
"""The reference folder writes themes in capitals; svlib's tables write them as the County Durham Pound does."""

PSSRU = re.compile(r"PSSRU|Personal Social Services Research Unit|Unit Costs of Health", re.IGNORECASE)
PSSRU_NOTE = ("; original source: PSSRU, Unit Costs of Health and Social Care, whose copyright PSSRU keeps: "
              "cite PSSRU beside GMCA")

GAPS_FILLED: dict[str, tuple[str, ...]] = {
    "JOB-05": ("GMCA14-E&E10.0-F", "GMCA14-E&E10.0-E"),  # NEET: the cost per 18-24 year old NEET
    "SOC-10": ("GMCA14-HO3.0-F", "GMCA14-HO5.0-F"),      # homelessness: statutory application, prevention scheme
    "SOC-11": ("GMCA14-CR8.0-F", "GMCA14-CR8.0-E", "GMCA14-CR8.0-S"),  # crime: average cost per incident
}
"""Library gaps a shipped value now fills, with the ids that fill them (a judgement, checked by a test)."""

MODELLED_CPI_YEARS = range(1988, 1997)
MODELLED_CPI_NOTE = "ONS modelled estimate (revised December 2018), not a National Statistic"

INDICES = {
    "cpi_index.csv": ("cpi_index_2015_100", MODELLED_CPI_YEARS, MODELLED_CPI_NOTE),
    "gdp_deflator.csv": ("gdp_deflator_2022_100", range(0), ""),
}
"""Each shipped price index: its level column in the reference file, and the years a caveat applies to."""


def _rows(text: str, name: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise ValueError(f"{name} has no rows")
    return rows


def _csv(rows: Iterable[dict[str, str]], columns: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _number(text: str) -> str:
    """A figure as the source writes it, without a trailing ``.0`` (``500.0`` is ``500``)."""
    value = float(text)
    return str(int(value)) if value.is_integer() else repr(value)


def _theme(row: dict[str, str], name: str) -> str:
    theme = row["theme"].strip()
    if theme.upper() not in THEME_NAMES:
        raise ValueError(f"{name}, proxy {row.get('id')}: unknown theme {theme!r}")
    return THEME_NAMES[theme.upper()]


LICENCES = Path(__file__).with_name("proxy_licences.csv")
"""The terms of reuse of each hand-verified proxy, by id: the reference file has no licence
column, so each was read from its source (README of the reference folder: Crown copyright
figures under the OGL, MeasureUp's open values unconfirmed, a figure quoted from a report
not stated). A new row needs a line here before it ships."""


def verified_proxies(text: str, licences: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The rows of the reference ``proxies.csv`` with ``verified = yes`` and a value, each
    with its licence from :data:`LICENCES`.

    Raises
    ------
    ValueError
        A row to ship has no licence recorded.
    """
    if licences is None:
        with LICENCES.open(encoding="utf-8", newline="") as handle:
            licences = {r["proxy_id"]: r["licence"] for r in csv.DictReader(handle)}
    out = []
    for row in _rows(text, "proxies.csv"):
        if row["verified"].strip() != "yes" or not row["value_gbp"].strip():
            continue
        if not licences.get(row["id"], "").strip():
            raise ValueError(f"proxies.csv, proxy {row['id']}: no licence recorded; read it from the source and "
                             f"add it to {LICENCES.name}")
        out.append({**row, "proxy_id": row["id"], "theme": _theme(row, "proxies.csv"),
                    "value_gbp": _number(row["value_gbp"]), "licence": licences[row["id"]],
                    "dataset": DATASETS["verified"]})
    return out


def gmca_proxies(text: str) -> list[dict[str, str]]:
    """Every row of the reference ``gmca_ucd_v1_4.csv``, its GMCA columns kept; the RAG
    rating (``RAG=G`` in its notes) becomes ``confidence``."""
    out = []
    for row in _rows(text, "gmca_ucd_v1_4.csv"):
        rag = re.search(r"\bRAG=([GAR])\b", row["notes"])
        licence = row["licence"] + (PSSRU_NOTE if PSSRU.search(row["original_source"]) else "")
        out.append({**row, "proxy_id": row["id"], "theme": _theme(row, "gmca_ucd_v1_4.csv"),
                    "value_gbp": _number(row["value_gbp"]), "licence": licence,
                    "confidence": rag.group(1) if rag else "", "dataset": DATASETS["gmca"]})
    return out


def carbon_values(text: str) -> list[dict[str, str]]:
    """Every row of the reference ``desnz_carbon_values_2023.csv``, as one yearly series
    (``series`` :data:`CARBON_SERIES`, ``series_year`` the year of emission, ``scenario``
    low / central / high); ``value_type`` is the word the source file starts it with, and
    its full wording is kept in ``notes``."""
    out = []
    for row in _rows(text, "desnz_carbon_values_2023.csv"):
        kind = row["value_type"].split()[0].strip().lower()
        out.append({**row, "proxy_id": row["id"], "theme": _theme(row, "desnz_carbon_values_2023.csv"),
                    "value_gbp": _number(row["value_gbp"]), "value_type": kind,
                    "notes": f"{row['notes']} Value type as the source file states it: {row['value_type']}.",
                    "series": CARBON_SERIES, "series_year": row["emission_year"], "dataset": DATASETS["carbon"]})
    return out


def proxy_library(verified: str, gmca: str, carbon: str) -> str:
    """The shipped ``proxies.csv``: the three sources in one table, one id space.

    Raises
    ------
    ValueError
        An id appears twice, or a gap filled by :data:`GAPS_FILLED` names an id not shipped.
    """
    rows = verified_proxies(verified) + gmca_proxies(gmca) + carbon_values(carbon)
    seen: set[str] = set()
    for row in rows:
        if row["proxy_id"] in seen:
            raise ValueError(f"proxy id {row['proxy_id']} appears twice across the reference files")
        seen.add(row["proxy_id"])
    missing = sorted({i for ids in GAPS_FILLED.values() for i in ids} - seen)
    if missing:
        raise ValueError(f"GAPS_FILLED names ids that are not shipped: {', '.join(missing)}")
    return _csv(rows, PROXY_COLUMNS)


def proxy_gaps(verified: str) -> str:
    """The rows of the reference ``proxies.csv`` without a value that no shipped value fills."""
    rows = [{**r, "proxy_id": r["id"], "theme": _theme(r, "proxies.csv")} for r in _rows(verified, "proxies.csv")
            if not r["value_gbp"].strip() and r["id"] not in GAPS_FILLED]
    return _csv(rows, ("proxy_id", "theme", "outcome", "unit", "source", "url", "verified", "notes"))


def price_index(text: str, name: str) -> str:
    """A shipped price index (``year, index, source, note``) from the reference file."""
    column, caveat_years, caveat = INDICES[name]
    rows = []
    for row in _rows(text, name):
        if row.get("verified", "yes").strip() != "yes":
            continue
        year = int(row["year"])
        rows.append({"year": year, "index": _number(row[column]), "source": row["source"],
                     "note": caveat if year in caveat_years else ""})
    return _csv(rows, ("year", "index", "source", "note"))


def discount_rates(text: str) -> str:
    """The rows of the reference ``discount_rates.csv`` that carry a rate, all columns kept."""
    rows = _rows(text, "discount_rates.csv")
    return _csv([r for r in rows if (r.get("rate_pct") or "").strip()], rows[0])


BUILT: dict[str, tuple[tuple[str, ...], Callable[..., str]]] = {
    "proxies.csv": (("proxies.csv", "gmca_ucd_v1_4.csv", "desnz_carbon_values_2023.csv"), proxy_library),
    "proxy_gaps.csv": (("proxies.csv",), proxy_gaps),
    "cpi_index.csv": (("cpi_index.csv",), lambda text: price_index(text, "cpi_index.csv")),
    "gdp_deflator.csv": (("gdp_deflator.csv",), lambda text: price_index(text, "gdp_deflator.csv")),
    "discount_rates.csv": (("discount_rates.csv",), discount_rates),
}
"""Each shipped file: the reference files it is built from, and how."""


def build(refdata: Path) -> dict[str, str]:
    """Every shipped file's text, built from the reference folder (nothing written)."""
    out = {}
    for name, (sources, make) in BUILT.items():
        texts = [(refdata / source).read_text(encoding="utf-8") for source in sources]
        out[name] = make(*texts)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("refdata", type=Path, help="the reference folder (such as ../shared/refdata)")
    args = parser.parse_args(argv)
    built = build(args.refdata)  # every file built before any is written
    for name, text in built.items():
        write_atomic(paths.package_data(name), text)
        print(f"wrote {paths.package_data(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
