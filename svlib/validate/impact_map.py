"""The impact map (value map): reading, checking, and resolving proxies to one price year.

A map row names either ``proxy_value`` (GBP per unit per year, with an optional
``proxy_year``) or ``proxy_id`` from the proxy library. Resolving puts every proxy into
the analysis price year and records where each figure came from, so a reader can trace
each pound to its source.

Price-year rules (stated in every result's provenance):

* a library proxy is rebased from its own price year; if its source states none, the
  row must give ``proxy_year`` (a judgement, recorded), otherwise it is an error;
* a ``proxy_value`` with a ``proxy_year`` is rebased from that year;
* a ``proxy_value`` without a ``proxy_year`` is taken as already in the analysis price
  year, and marked ``price_year_stated = no`` for the assurance checklist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svlib.contract.tables import IMPACT_MAP, MAX_OUTCOMES, MAX_YEARS, PARAMETERS
from svlib.core.frames import Columns, column_values, n_rows, records
from svlib.core.problems import InputError, Problem, echo, errors, quote
from svlib.io.csv_tables import read_csv_table
from svlib.reference.proxies import (
    PriceIndexError,
    ProxyLibrary,
    load_library,
    age_years,
    cost_code_ancestors,
    is_old,
    is_transfer,
    load_price_index,
    problem_for_unknown_proxy,
)

YEAR_FROM_LIBRARY = "the proxy library"
YEAR_FROM_PARTNER = "the partner (proxy_year)"
YEAR_FROM_PARTNER_FOR_LIBRARY = "the partner (proxy_year; the library's source states none)"
YEAR_NOT_STATED = "not stated: taken as the analysis price year"
"""Where each proxy's price year came from, as the report says it (column ``price_year_from``)."""

# A duration or start year beyond this is flagged for a second look: a plausibility check
# chosen for svlib, not a limit from a published standard (it only warns).
LONG_HORIZON_YEARS = 10


def check_rows(
    frame: pd.DataFrame | Columns,
    library: ProxyLibrary | None,
    file: str,
    sheet: str = "ImpactMap",
    known: list[Problem] | None = None,
) -> list[Problem]:
    """Checks across the cells of each row: a proxy is named, it exists, and each
    uncertainty range surrounds its central value. Cells already reported in ``known``
    are not reported again."""
    problems: list[Problem] = []
    reported = {(p.row, p.column) for p in (known or []) if p.severity == "error"}
    if n_rows(frame) > MAX_OUTCOMES:
        first_beyond = int(column_values(frame, "source_row")[MAX_OUTCOMES])
        problems.append(Problem(file, sheet, first_beyond, None, (
            f"the impact map has {n_rows(frame):,} outcomes; svlib values at most {MAX_OUTCOMES:,} in one map (its "
            "time and memory grow with the outcomes): group similar outcomes into one row, or split the partner")))
    for row in records(frame):
        number = int(row["source_row"])
        has_value = pd.notna(row.get("proxy_value"))
        proxy_id = str(row.get("proxy_id") or "")
        if (number, "proxy_value") in reported or (number, "proxy_id") in reported:
            continue
        if not has_value and not proxy_id:
            problems.append(Problem(file, sheet, number, "proxy_value",
                                    "neither proxy_value nor proxy_id is given; give a value in GBP per unit per year "
                                    "or the id of a proxy from the library"))
        if proxy_id and library is not None and proxy_id not in library and proxy_id not in library.series_ids:
            problems.append(problem_for_unknown_proxy(proxy_id, library, file, sheet, number))
        if has_value and proxy_id:
            problems.append(Problem(file, sheet, number, "proxy_id",
                                    f"both proxy_value and proxy_id {quote(proxy_id)} are given; proxy_value is used",
                                    "warning"))
        duration, start = row.get("duration"), row.get("start_year")
        if isinstance(duration, int) and isinstance(start, int) and start + duration - 1 > MAX_YEARS and not (
                {(number, "duration"), (number, "start_year")} & reported):
            problems.append(Problem(file, sheet, number, "duration", (
                f"starting in year {echo(start)} and lasting {echo(duration)} years, the outcome would run to year "
                f"{echo(start + duration - 1)}, past year {MAX_YEARS}, the furthest svlib values; shorten it")))
        for name in ("duration", "start_year"):
            years = row.get(name)
            if isinstance(years, (int, float)) and years > LONG_HORIZON_YEARS and (number, name) not in reported:
                problems.append(Problem(file, sheet, number, name, (
                    f"{name} {echo(years, 'g')} reaches beyond {LONG_HORIZON_YEARS} years; an outcome valued that far ahead "
                    "needs strong evidence that it lasts (and discounting shrinks it): check it"), "warning"))
        for p in PARAMETERS:
            low, high = row.get(f"{p}_low", np.nan), row.get(f"{p}_high", np.nan)
            has_low, has_high = pd.notna(low), pd.notna(high)
            if {(number, f"{p}_low"), (number, f"{p}_high")} & reported:
                continue  # a bound that could not be read is reported already
            if has_low != has_high:
                missing = f"{p}_high" if has_low else f"{p}_low"
                problems.append(Problem(file, sheet, number, missing,
                                        f"blank; a range needs both {p}_low and {p}_high"))
                continue
            if not has_low:
                if row.get(f"{p}_dist"):
                    problems.append(Problem(file, sheet, number, f"{p}_dist",
                                            f"a shape is given but no {p}_low and {p}_high; it is ignored", "warning"))
                continue
            central = row.get(p)
            if p == "proxy_value" and pd.isna(central):
                continue  # a library proxy: its range is checked after resolving
            if pd.notna(central) and not (low <= central <= high):
                problems.append(Problem(file, sheet, number, f"{p}_low",
                                        f"the range {echo(low, 'g')} to {echo(high, 'g')} does not include {p} = {echo(central, 'g')}; "
                                        f"expected {p}_low <= {p} <= {p}_high"))
    if library is not None:
        problems += combination_problems(frame, library, file, sheet)
    return problems


def combination_problems(frame: pd.DataFrame | Columns, library: ProxyLibrary, file: str,
                         sheet: str = "ImpactMap") -> list[Problem]:
    """Warnings a practitioner expects about the library values a map uses together.

    * A headline line and a line beneath it (a constituent or a subsidiary,
      :func:`~svlib.reference.proxies.cost_code_ancestors`): the headline is the sum or
      average of its constituents, so using both for the same people counts a cost twice.
    * The fiscal and the economic value of one cost line: different things (a cost to the
      public purse; a gain in output), added only where the source directs it.
    * A value its source marks as a transfer payment
      (:func:`~svlib.reference.proxies.is_transfer`): money moved between people frees no
      resource, so it is not a social benefit.

    Each warning is at the row of the later proxy and names both. Rows whose
    ``proxy_value`` is given do not use their ``proxy_id``'s value and are left out.

    References
    ----------
    GMCA Research Team (2015) Unit Cost Database v1.4, Introduction and cell comments;
    HM Treasury (2022) The Green Book, on transfers.
    """
    problems: list[Problem] = []
    used: list[tuple[int, str, dict[str, Any]]] = []
    for row in records(frame):
        proxy_id = str(row.get("proxy_id") or "")
        if proxy_id and pd.isna(row.get("proxy_value")) and proxy_id in library:
            used.append((int(row["source_row"]), proxy_id, library.rows_by_id[proxy_id]))
    by_line: dict[tuple[str, str], list[tuple[int, str, dict[str, Any]]]] = {}
    for number, proxy_id, proxy in used:
        code = str(proxy.get("cost_code") or "")
        if code:
            by_line.setdefault((library.families[proxy_id], code), []).append((number, proxy_id, proxy))
    for number, proxy_id, proxy in used:
        code = str(proxy.get("cost_code") or "")
        family = library.families[proxy_id]
        kind = str(proxy.get("value_type") or "")
        for ancestor in cost_code_ancestors(code) if code else []:
            for other_row, other_id, other in by_line.get((family, ancestor), []):
                if str(other.get("value_type") or "") != kind:
                    continue
                problems.append(Problem(file, sheet, max(number, other_row), "proxy_id", (
                    f"{proxy_id} is a {proxy.get('level') or 'line'} of {other_id} (row {other_row}, its "
                    f"{other.get('level') or 'line'}), which this map also uses: a headline is the sum or average of "
                    "the lines beneath it, so using both for the same people counts the same cost twice; keep the "
                    "headline or the lines beneath it, not both"), "warning"))
        if kind == "economic":
            for other_row, other_id, other in by_line.get((family, code), []):
                if str(other.get("value_type") or "") == "fiscal":
                    problems.append(Problem(file, sheet, max(number, other_row), "proxy_id", (
                        f"{other_id} (row {other_row}) and {proxy_id} are the fiscal and the economic value of the "
                        f"same cost line {code}: a fiscal value is a cost to the public purse and an economic value a "
                        "gain in output, so adding them is right only where the source says so (read its comment: "
                        f"svlib proxies --keyword {code}); the report shows fiscal value apart"), "warning"))
        if is_transfer(proxy):
            problems.append(Problem(file, sheet, number, "proxy_id", (
                f"{proxy_id} is a transfer payment by its source's own comment (a benefit paid or a tax collected "
                "moves money between people and frees no resource), so it is not a social benefit: leave it out, "
                "or value the same change with a value that is not a transfer"), "warning"))
    return problems


def resolve_proxies(
    frame: pd.DataFrame,
    library: ProxyLibrary,
    price_year: int,
    price_index: str = "cpi",
    file: str = "",
    sheet: str = "ImpactMap",
    first_year: int | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every row's proxy in ``price_year`` prices, with its provenance.

    Adds ``proxy_value`` (rebased, GBP), ``proxy_value_as_published``, ``proxy_price_year``,
    ``rebase_factor``, ``price_year_stated`` (yes/no), ``price_year_from`` (the library, the
    partner, or not stated), ``proxy_source``, ``proxy_licence``, ``proxy_url``,
    ``proxy_value_type`` (fiscal, economic, social or blank), ``proxy_age_years`` (years
    rebased across) and ``proxy_old`` (yes when more than
    :data:`~svlib.reference.proxies.OLD_AFTER_YEARS`), ``proxy_series`` and
    ``proxy_series_year`` (for a yearly series: the calendar year of the outcome's first
    year) and ``proxy_series_ratios`` (the series' central value of each year from that one
    to its last over the first's, ``;``-separated); ``proxy_value_low`` and ``proxy_value_high`` are rebased with the same factor.
    ``first_year`` is the calendar year of analysis year 1 (:func:`first_calendar_year`),
    needed only by a row that names a yearly series.
    """
    resolved, problems = resolve_columns(frame, library, price_year, price_index, file, sheet, first_year)
    resolved["proxy_price_year"] = pd.array(resolved["proxy_price_year"], dtype="Int64")
    out = frame.drop(columns=[c for c in resolved if c in frame]).reset_index(drop=True)
    out = pd.concat([out, pd.DataFrame(resolved)], axis=1)
    return out, problems


def resolve_columns(
    frame: pd.DataFrame | Columns,
    library: ProxyLibrary,
    price_year: int,
    price_index: str = "cpi",
    file: str = "",
    sheet: str = "ImpactMap",
    first_year: int | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The columns :func:`resolve_proxies` adds (as lists and arrays), and every problem;
    the map may be a DataFrame or :data:`~svlib.core.frames.Columns`."""
    index = load_price_index(price_index)
    problems: list[Problem] = []
    published, years, factors, stated, sources, licences, urls, values = [], [], [], [], [], [], [], []
    origins: list[str] = []
    kinds: list[str] = []
    series_names: list[str] = []
    series_years: list[Any] = []
    series_ratios: list[str] = []
    series_bounds: dict[int, tuple[float, float]] = {}
    for position, row in enumerate(records(frame)):
        number = int(row["source_row"])
        proxy_id = str(row.get("proxy_id") or "")
        given_year = row.get("proxy_year")
        given_year = None if pd.isna(given_year) else int(given_year)
        source, licence, url, kind, series_name, series_year = str(row.get("proxy_source") or ""), "", "", "", "", None
        ratios = ""
        try:
            if pd.notna(row.get("proxy_value")):
                value = float(row["proxy_value"])
                year = given_year if given_year is not None else price_year
                factor = index.factor(year, price_year)
                if not source.strip():
                    problems.append(Problem(file, sheet, number, "proxy_source", (
                        f"proxy_value {echo(value, ',.2f')} has no proxy_source: say where the figure comes from (a published "
                        "study, a unit-cost table, your own costing) so that a reader can trace it"), "warning"))
                source = source or ("library " + proxy_id if proxy_id else "given in the impact map")
                licence = "supplied by the partner"
                is_stated = "yes" if given_year is not None else "no"
                origin = YEAR_FROM_PARTNER if given_year is not None else YEAR_NOT_STATED
            elif proxy_id and proxy_id in library.series_ids:
                series = library.series(proxy_id)
                series_year = _series_first_year(row, proxy_id, series, first_year)
                year = series.attrs["price_year"]
                value = float(series.loc[series_year, "central"])
                factor = index.factor(year, price_year)
                if pd.isna(row.get("proxy_value_low")) and pd.isna(row.get("proxy_value_high")):
                    series_bounds[position] = (float(series.loc[series_year, "low"]),
                                               float(series.loc[series_year, "high"]))
                last = series_year + int(row.get("duration") or 1) - 1
                source = (f"{series.attrs['source']}; the central value of each year the emission is saved "
                          f"({series_year}" + (f" to {last}" if last > series_year else "") + "), the low and high "
                          "series as its range")
                licence, url, kind, series_name = series.attrs["licence"], series.attrs["url"], \
                    series.attrs["value_type"], proxy_id
                central = series.loc[series_year:, "central"]
                ratios = ";".join(repr(float(v) / value) for v in central)  # to the series' last year
                is_stated, origin = "yes", YEAR_FROM_LIBRARY
            elif proxy_id and proxy_id in library:
                proxy = library.rows_by_id[proxy_id]
                value = float(proxy["value_gbp"])
                library_year = proxy["price_year"]
                if pd.notna(library_year) and given_year is not None and int(library_year) != given_year:
                    problems.append(Problem(file, sheet, number, "proxy_year",
                                            f"proxy {proxy_id} is in {int(library_year)} prices by its source; "
                                            f"proxy_year {echo(given_year)} is ignored", "warning"))
                year = int(library_year) if pd.notna(library_year) else given_year
                if year is None:
                    raise PriceIndexError(
                        f"proxy {proxy_id} has no price year in its source; give proxy_year in this row "
                        "(the year its prices are from) so it can be rebased"
                    )
                factor = index.factor(year, price_year)
                source = str(proxy["source"])
                licence, url = str(proxy["licence"]), str(proxy.get("url", ""))
                kind = str(proxy.get("value_type") or "")
                is_stated = "yes" if pd.notna(library_year) else "no"
                origin = YEAR_FROM_LIBRARY if pd.notna(library_year) else YEAR_FROM_PARTNER_FOR_LIBRARY
            else:  # already reported by check_rows
                value, year, factor, is_stated, origin = np.nan, None, np.nan, "no", ""
        except PriceIndexError as exc:
            problems.append(Problem(file, sheet, number, "proxy_year", str(exc)))
            value, year, factor, is_stated, origin = np.nan, None, np.nan, "no", ""
        except SeriesYearError as exc:
            problems.append(Problem(file, sheet, number, exc.column, str(exc)))
            value, year, factor, is_stated, origin, series_year = np.nan, None, np.nan, "no", "", None
        caveat = index.caveat(year)
        if caveat:
            problems.append(Problem(file, sheet, number, "proxy_year", (
                f"the {price_index.upper()} level for {year} is an {caveat}: the rebased value leans on it"), "warning"))
        kinds.append(kind)
        series_names.append(series_name)
        series_years.append(series_year if series_year is not None else pd.NA)
        series_ratios.append(ratios if series_year is not None else "")
        published.append(value)
        years.append(year if year is not None else pd.NA)
        factors.append(factor)
        stated.append(is_stated)
        origins.append(origin)
        sources.append(source)
        licences.append(licence)
        urls.append(url)
        values.append(value * factor if np.isfinite(value) and np.isfinite(factor) else np.nan)
    factor_array = np.asarray(factors, float)
    resolved: dict[str, Any] = {
        "proxy_value_as_published": published,
        "proxy_value": values,
        "proxy_price_year": years,
        "rebase_factor": factor_array,
        "price_year_stated": stated,
        "price_year_from": origins,
        "proxy_source": sources,
        "proxy_licence": licences,
        "proxy_url": urls,
        "proxy_value_type": kinds,
        "proxy_age_years": pd.array([age_years(y, price_year) for y in years], dtype="Int64"),
        "proxy_old": ["yes" if is_old(y, price_year) else "no" for y in years],
        "proxy_series": series_names,
        "proxy_series_year": pd.array(series_years, dtype="Int64"),
        "proxy_series_ratios": series_ratios,
    }
    for end, bound in enumerate(("proxy_value_low", "proxy_value_high")):
        if bound in frame or series_bounds:
            given = (np.asarray(column_values(frame, bound), float).copy() if bound in frame
                     else np.full(len(factor_array), np.nan))
            for position, pair in series_bounds.items():  # a series' low and high paths, unless the row gives its own
                given[position] = pair[end]
            resolved[bound] = given * factor_array
    if "proxy_value_low" in resolved and "proxy_value_high" in resolved:  # one bound alone: check_rows reports it
        for low, high, central, row in zip(resolved["proxy_value_low"], resolved["proxy_value_high"], values,
                                           column_values(frame, "source_row")):
            if pd.notna(low) and pd.notna(central) and not (
                    low <= central + 1e-12 * abs(central) and central <= high + 1e-12 * abs(high)):
                problems.append(Problem(file, sheet, int(row), "proxy_value_low",
                                        f"the range {echo(low, ',.2f')} to {echo(high, ',.2f')} does not include the proxy value "
                                        f"{echo(central, ',.2f')} (all in {price_year} prices)"))
    return resolved, problems


class SeriesYearError(ValueError):
    """A row names a yearly series but its years cannot be placed in the series."""

    def __init__(self, message: str, column: str = "proxy_id") -> None:
        super().__init__(message)
        self.column = column


def first_calendar_year(period_start: Any) -> int | None:
    """The calendar year analysis year 1 is counted as: the one holding the middle of the
    partner's first year (``period_start`` + 182 days), so April 2024 - March 2025 is 2024
    and October 2024 - September 2025 is 2025. None when the start is not a date.

    A yearly value such as the carbon value is for a calendar year (DESNZ 2023, Table 3),
    while a partner's year may be a financial year: the year holding most of it is used.
    """
    if period_start is None or (not isinstance(period_start, str) and pd.isna(period_start)):
        return None
    text = str(period_start).strip() if isinstance(period_start, str) else None
    # a processed table writes 2024-10-01 (ISO, year first); a person writes 01/10/2024 (day first)
    iso = text is not None and len(text) >= 10 and text[4] == "-"
    start = pd.to_datetime(period_start, errors="coerce", dayfirst=not iso and text is not None)
    if pd.isna(start):
        return None
    return int((start + pd.Timedelta(days=182)).year)


def _series_first_year(row: dict[str, Any], name: str, series: pd.DataFrame, first_year: int | None) -> int:
    """The calendar year of a series row's first outcome year, checked against the series.

    Raises
    ------
    SeriesYearError
        No ``first_year`` is known, or the outcome's years run outside the series.
    """
    if first_year is None:
        raise SeriesYearError(
            f"{name} takes the value of each calendar year in which the emission is saved, so svlib needs the "
            "calendar year of the first year: value this map in a partner workbook (its period_start says it) "
            "or give --first-year")
    start = int(row.get("start_year") or 1) if pd.notna(row.get("start_year")) else 1
    duration = int(row.get("duration") or 1) if pd.notna(row.get("duration")) else 1
    first, last = first_year + start - 1, first_year + start + duration - 2
    years = series.index
    if first < years.min() or first > years.max():
        raise SeriesYearError(
            f"{name} has values for {years.min()} to {years.max()}, but this outcome's first year is {first}; "
            "check the period or --first-year, or value the outcome with proxy_value")
    if last > years.max():
        raise SeriesYearError(
            f"{name} has values for {years.min()} to {years.max()}, but this outcome's years run from {first} to "
            f"{last}; shorten duration or value the years outside with proxy_value", "duration")
    missing = sorted(set(range(first, last + 1)) - set(int(y) for y in years))
    if missing:
        raise SeriesYearError(f"{name} has no value for {', '.join(map(str, missing))}, a year this outcome runs in")
    return first


def load_impact_map(
    path: str | Path,
    library: ProxyLibrary | None = None,
    price_year: int | None = None,
    price_index: str = "cpi",
    partner: str | None = None,
    first_year: int | None = None,
) -> pd.DataFrame:
    """Read, check and resolve an impact map CSV; raise :class:`InputError` listing every
    problem (each with file, row and column) if anything is wrong.

    Parameters
    ----------
    path : path
        The impact map CSV (contract in docs/design.md).
    library : ProxyLibrary, optional
        Proxies for ``proxy_id`` (default: the shipped library).
    price_year : int, optional
        Analysis price year; default the latest year of the price index.
    price_index : {"cpi", "gdp_deflator"}
    partner : str, optional
        The partner whose rows to read from a collection's processed impact map (one with
        a ``partner_id`` column; :func:`svlib.io.csv_tables.read_csv_table`).
    first_year : int, optional
        The calendar year of analysis year 1, for rows that name a yearly series (the
        carbon values); see :func:`first_calendar_year`.

    Returns
    -------
    pandas.DataFrame
        The map with every proxy in ``price_year`` prices and its provenance; its
        ``attrs["price_year"]`` and ``attrs["warnings"]`` record the price year used and
        any warnings.
    """
    library = library if library is not None else load_library()
    index = load_price_index(price_index)
    if price_year is None:
        price_year = index.years[1]
    first, last = index.years
    if not first <= price_year <= last:
        raise ValueError(f"the price year {price_year} is outside the {price_index} index ({first}-{last}); "
                         f"choose a price year from {first} to {last}")
    file = str(path)
    frame, problems = read_csv_table(path, IMPACT_MAP, partner=partner)
    header_broken = any(p.severity == "error" and (p.row in (None, 1)) for p in problems)
    if not header_broken:
        problems += check_rows(frame, library, file, known=problems)
        frame, resolve_problems = resolve_proxies(frame, library, price_year, price_index, file,
                                                  first_year=first_year)
        problems += resolve_problems
    if errors(problems):
        raise InputError(sorted(errors(problems), key=lambda p: (p.row or 0, p.column or "")))
    frame.attrs["price_year"] = price_year
    frame.attrs["price_index"] = price_index
    frame.attrs["warnings"] = [str(p) for p in problems]
    return frame.reset_index(drop=True)
