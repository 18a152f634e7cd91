"""Loading the two sides of a forecast/evaluation comparison, from workbooks or processed tables.

A side is a partner's workbook (or CSV folder), validated as ``svlib validate`` does, or one
partner of a collection's processed tables (a folder ``svlib build`` wrote). From processed
tables the partner text is redacted as on every shared page
(:func:`svlib.reporting.partner_report.shared_tables`). Both sides' proxies are rebased to one
price year (default the evaluation's own), and valued under the evaluation partner's own
timing conventions unless the caller gives others
(:func:`svlib.reporting.partner_report.partner_conventions`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from svlib.analysis.comparison import Comparison, Side, compare
from svlib.core.problems import InputError, Problem
from svlib.reference.proxies import load_library
from svlib import paths
from svlib.reporting.partner_report import partner_conventions, processed_folder, shared_tables
from svlib.validate.impact_map import first_calendar_year, resolve_proxies
from svlib.validate.partner import PartnerData, read_partner
from svlib.valuation.sroi import Investment


def read_source(source: str | Path) -> dict[str, pd.DataFrame] | PartnerData:
    """A processed folder's tables as shared pages read them, or a workbook (or CSV folder)
    validated; raises :class:`InputError` naming each problem of an invalid workbook."""
    source = Path(source)
    if source.is_dir() and (source / "manifest.json").is_file():
        return shared_tables(data_dir=source)
    data, problems = read_partner(source)
    if data is None:
        raise InputError([p for p in problems if p.severity == "error"])
    return data


def _partner_tables(read: dict[str, pd.DataFrame] | PartnerData, source: Path, partner_id: str | None
                    ) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The partner fields and its tables (without ``partner_id``) from a source as read."""
    if isinstance(read, PartnerData):
        return read.partner, {name: read.tables[name] for name in ("ImpactMap", "Inputs", "DeflatorSurvey")
                              if name in read.tables}
    partners = read["Partner"]
    ids = [str(p) for p in partners["partner_id"]]
    if partner_id is None and len(ids) == 1:
        partner_id = ids[0]
    if partner_id not in ids:
        raise InputError([Problem(str(source), "Partner", None, "partner_id", (
            f"say which partner to compare: one of {', '.join(ids)}" if partner_id is None
            else f"no partner '{partner_id}' here; expected one of {', '.join(ids)}"))])

    def rows(name: str) -> pd.DataFrame:
        frame = read[name]
        return frame[frame["partner_id"].astype(str) == partner_id].drop(columns="partner_id").reset_index(drop=True)

    return partners[partners["partner_id"] == partner_id].iloc[0].to_dict(), {
        name: rows(name) for name in ("ImpactMap", "Inputs", "DeflatorSurvey")}


def load_side(source: str | Path, price_year: int, partner_id: str | None = None,
              read: dict[str, pd.DataFrame] | PartnerData | None = None) -> Side:
    """One side of a comparison, its proxies in ``price_year`` prices (``read``: the source
    as :func:`read_source` gave it, when the caller has it already).

    Raises
    ------
    InputError
        The source is not valid, or its proxies cannot be rebased, each problem named.
    """
    source = Path(source)
    partner, tables = _partner_tables(read_source(source) if read is None else read, source, partner_id)
    resolved, problems = resolve_proxies(tables["ImpactMap"], load_library(), int(price_year), "cpi", str(source),
                                         first_year=first_calendar_year(partner["period_start"]))
    if any(p.severity == "error" for p in problems):
        raise InputError([p for p in problems if p.severity == "error"])
    survey = tables.get("DeflatorSurvey")
    start, end = pd.Timestamp(partner["period_start"]), pd.Timestamp(partner["period_end"])
    return Side(partner_id=str(partner["partner_id"]), name=str(partner["name"]), purpose=str(partner["purpose"]),
                impact_map=resolved, investment=Investment.from_inputs(tables["Inputs"]),
                survey=survey if survey is not None and len(survey) else None,
                period=f"{start:%d %B %Y} to {end:%d %B %Y}")


def comparison(forecast: str | Path, evaluation: str | Path, forecast_partner: str | None = None,
               evaluation_partner: str | None = None, price_year: int | None = None,
               conventions: Mapping[str, Any] | None = None, draws: int = 2000, seed: int = 0) -> Comparison:
    """The forecast and the evaluation, loaded (:func:`load_side`) and set side by side
    (:func:`svlib.analysis.comparison.compare`).

    Parameters
    ----------
    forecast, evaluation : path
        A workbook, a CSV folder or a processed folder each (the same processed folder for
        both, with the two partner ids, when a collection holds both).
    forecast_partner, evaluation_partner : str, optional
        Which partner of a processed folder. With both sides one processed folder and no
        ``forecast_partner``, the forecast the evaluation names in its Partner sheet.
    price_year : int, optional
        Default: the evaluation's own.
    conventions : mapping, optional
        Timing options as :func:`svlib.reporting.partner_report.partner_conventions` takes them
        (default: the evaluation partner's own, else the SROI guide's).
    draws, seed : int
        For each side's likely range.
    """
    reads: dict[Path, Any] = {}  # each source read once (a collection's folder serves both sides)

    def read(source: str | Path) -> Any:
        key = Path(source).resolve()
        if key not in reads:
            reads[key] = read_source(source)
        return reads[key]

    evaluation_fields, _ = _partner_tables(read(evaluation), Path(evaluation), evaluation_partner)
    if not forecast_partner and Path(forecast).resolve() == Path(evaluation).resolve():
        forecast_partner = str(evaluation_fields.get("forecast") or "")  # the forecast the evaluation names
        if not forecast_partner:
            raise InputError([Problem(str(evaluation), "Partner", None, "forecast", (
                f"{evaluation_fields['partner_id']} names no forecast; give its Partner sheet's forecast field the "
                "forecast's partner_id, or name the forecast partner"))])
    year = int(price_year or evaluation_fields["price_year"])
    used = partner_conventions(evaluation_fields, price_year=year, **dict(conventions or {}))
    sides = [load_side(forecast, year, forecast_partner, read(forecast)),
             load_side(evaluation, year, evaluation_partner, read(evaluation))]
    for side, wanted in zip(sides, ("forecast", "evaluative")):
        if side.purpose != wanted:
            raise InputError([Problem(str(forecast if wanted == "forecast" else evaluation), "Partner", None, "value", (
                f"purpose is {side.purpose}: a comparison sets a forecast beside an evaluative SROI, in that order"))])
    return compare(sides[0], sides[1], used, draws=draws, seed=seed)


def collection_comparison(collection: str = paths.EXAMPLE_COLLECTION, data_dir: str | Path | None = None,
                          forecast_partner: str = "", evaluation_partner: str = "", draws: int = 2000,
                          seed: int = 0, conventions: Mapping[str, Any] | None = None) -> Comparison:
    """A collection's forecast and evaluation of one programme, from its processed tables
    (:func:`svlib.reporting.partner_report.processed_folder`), as the comparison page shows it.
    With ``forecast_partner`` blank, the forecast the evaluation names in its Partner sheet;
    ``conventions`` as for :func:`comparison` (blank values: the evaluation's own)."""
    folder = processed_folder(collection, data_dir or None)
    return comparison(folder, folder, forecast_partner or None, evaluation_partner, conventions=conventions,
                      draws=draws, seed=seed)
