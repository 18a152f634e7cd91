"""Proxy research: what the library offers for a theme, side by side, and what is missing.

Functions behind the proxy research notebook (``notebooks/02_proxy_research``): the
library's proxies for a theme restated in one price year with their age and licence;
alternative proxies for one outcome side by side, with their spread offered as a Monte
Carlo range; and the gaps, both the library's own gap list and County Durham Pound
indicators that no shipped proxy values.

Notes
-----
Rebasing (as :class:`svlib.reference.proxies.PriceIndex`)::

    value_in_price_year = value × index[price_year] / index[proxy price year]

For CPI (ONS D7BT) 2023 to 2024: 133.9 / 130.5 = 1.02605. A proxy whose source states no
price year is **not** rebased: its value is shown as published and flagged, because
guessing the year would hide an assumption (:mod:`svlib.validate.impact_map` asks for
``proxy_year`` before such a proxy can be used). The same holds for a price year outside
the index. ``staleness_years = price_year − proxy price year``.

Monte Carlo range from alternatives: ``low = min`` and ``high = max`` of the rebased values
of proxies in the same unit; usable as ``proxy_value_low`` and ``proxy_value_high`` in an
impact map (by default with a uniform shape, since no alternative is more credible than
another without further evidence).

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 3 (valuing outcomes:
financial proxies) and stage 5 (sensitivity).
HM Treasury (2022) The Green Book, real prices and the GDP deflator.
ONS series D7BT (CPI index, 2015 = 100).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from svlib.analysis.themes import canonical_theme, load_indicators
from svlib.contract.tables import THEMES
from svlib.reference.proxies import (
    CONFIDENCE,
    OLD_AFTER_YEARS,
    PROXY_THEMES,
    VALUE_TYPES,
    PriceIndex,
    PriceIndexError,
    ProxyLibrary,
    age_years,
    load_gaps,
    load_library,
    load_price_index,
)

NOTE_NO_PRICE_YEAR = ("price year not stated by the source: value shown as published, not rebased; "
                      "give proxy_year in the impact map to use it")
PROXY_COLUMNS = ["proxy_id", "theme", "outcome", "unit", "value_as_published", "proxy_price_year", "price_year",
                 "rebase_factor", "value_in_price_year", "price_year_known", "staleness_years", "old", "value_type",
                 "level", "confidence", "dataset", "licence", "source", "url", "verified", "note"]


def analysis_price_year(year: int | None = 0) -> int:
    """The price year the page restates values in: ``year``, or the price index's latest
    year when it is 0 or blank (``svlib reports`` passes the collection's price year, the
    latest of its partners')."""
    return int(year) if year else int(load_price_index().years[1])


def _text(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A text column of library rows, blank where a user's table has none."""
    if column not in rows:
        return np.full(len(rows), "", dtype=object)
    return rows[column].fillna("").astype(str).to_numpy()


def _rebased(rows: pd.DataFrame, price_year: int, index: PriceIndex,
             proxy_years: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Library rows (``proxy_id`` as a column) restated in ``price_year`` prices; a price
    year the source does not state may be supplied in ``proxy_years`` (a judgement, noted)."""
    factors, values, known, stale, notes = [], [], [], [], []
    judged = dict(proxy_years or {})
    years = []
    for pid, year in zip(rows["proxy_id"], rows["price_year"]):
        years.append(judged[pid] if pd.isna(year) and pid in judged else year)
    for value, year, stated in zip(rows["value_gbp"].astype(float), years, rows["price_year"]):
        if pd.isna(year):
            factor, note = np.nan, NOTE_NO_PRICE_YEAR
        else:
            try:
                factor = index.factor(int(year), int(price_year))
                note = "" if not pd.isna(stated) else f"price year {int(year)} by judgement (the source states none)"
            except PriceIndexError as exc:
                factor, note = np.nan, f"not rebased: {exc}"
        factors.append(factor)
        values.append(value * factor if np.isfinite(factor) else value)
        known.append(not pd.isna(stated))
        stale.append(int(price_year) - int(year) if not pd.isna(year) else pd.NA)
        notes.append(note)
    return pd.DataFrame({
        "proxy_id": rows["proxy_id"].to_numpy(),
        "theme": rows["theme"].to_numpy(),
        "outcome": rows["outcome"].to_numpy(),
        "unit": rows["unit"].to_numpy(),
        "value_as_published": rows["value_gbp"].astype(float).to_numpy(),
        "proxy_price_year": pd.array(years, dtype="Int64"),
        "price_year": int(price_year),
        "rebase_factor": np.asarray(factors, float),
        "value_in_price_year": np.asarray(values, float),
        "price_year_known": known,
        "staleness_years": pd.array(stale, dtype="Int64"),
        "old": [s is not pd.NA and abs(int(s)) > OLD_AFTER_YEARS for s in stale],
        **{c: _text(rows, c) for c in ("value_type", "level", "confidence", "dataset")},
        "licence": rows["licence"].to_numpy(),
        "source": rows["source"].to_numpy(),
        "url": rows["url"].to_numpy() if "url" in rows else "",
        "verified": rows["verified"].to_numpy() if "verified" in rows else "",
        "note": notes,
    }, columns=PROXY_COLUMNS)


def proxies_for_theme(
    theme: str,
    keyword: str | None = None,
    price_year: int = 2024,
    library: ProxyLibrary | None = None,
    price_index: str = "cpi",
    include_cross_cutting: bool = False,
    proxy_years: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The library's proxies for a theme, restated in ``price_year`` prices.

    Parameters
    ----------
    theme : str
        A County Durham Pound theme (any case), or ``"Cross-cutting"``.
    keyword : str, optional
        Keep proxies whose outcome, unit, source or notes mention it (case-insensitive).
    price_year : int
        Analysis price year.
    library : ProxyLibrary, optional
        Default: the shipped library (a licence holder may pass an extended one).
    price_index : {"cpi", "gdp_deflator"}
    include_cross_cutting : bool
        Also list the cross-cutting proxies (the WELLBY values).
    proxy_years : mapping of proxy_id to int, optional
        Price years for proxies whose source states none (the user's judgement, noted in
        ``note``; ``price_year_known`` stays False).

    Returns
    -------
    pandas.DataFrame
        ``proxy_id, theme, outcome, unit, value_as_published, proxy_price_year,
        price_year, rebase_factor, value_in_price_year`` (GBP; as published when not
        rebased), ``price_year_known``, ``staleness_years`` (``price_year −
        proxy_price_year``; blank when unknown), ``licence, source, url, verified, note``
        (why a value was not rebased), most recent first.
    """
    library = library or load_library()
    index = load_price_index(price_index)
    found = [library.search(theme, keyword)]
    if include_cross_cutting and theme.strip().lower() != "cross-cutting":
        found.append(library.search("Cross-cutting", keyword))
    rows = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    table = _rebased(rows, price_year, index, proxy_years)
    return table.sort_values(["staleness_years", "proxy_id"], na_position="last", kind="stable").reset_index(drop=True)


def alternatives(
    outcome_keyword_or_ids: str | Iterable[str],
    price_year: int,
    library: ProxyLibrary | None = None,
    price_index: str = "cpi",
    proxy_years: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Alternative proxies for one outcome, side by side, with their spread as a range.

    Parameters
    ----------
    outcome_keyword_or_ids : str or iterable of str
        A keyword searched in every theme (such as ``"volunteer"``), or proxy ids.
    price_year : int
        Analysis price year.
    library : ProxyLibrary, optional
    price_index : {"cpi", "gdp_deflator"}
    proxy_years : mapping of proxy_id to int, optional
        As for :func:`proxies_for_theme`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`proxies_for_theme` plus ``in_range`` (the value was used for
        the range) and ``range_end`` (``"low"``, ``"high"`` or blank), cheapest first.
        ``attrs["range"]`` is :func:`monte_carlo_range` of the table.

    Raises
    ------
    KeyError
        An id that is not in the library (naming the nearest).
    """
    library = library or load_library()
    index = load_price_index(price_index)
    if isinstance(outcome_keyword_or_ids, str):
        rows = library.search(None, outcome_keyword_or_ids)
    else:
        ids = list(outcome_keyword_or_ids)
        for proxy_id in ids:
            library.get(proxy_id)  # raises with the nearest id
        rows = library.table.loc[ids].reset_index()
    table = _rebased(rows, price_year, index, proxy_years)
    table = table.sort_values(["value_in_price_year", "proxy_id"], kind="stable").reset_index(drop=True)
    spread = monte_carlo_range(table)
    table["in_range"] = table["proxy_id"].isin(spread["proxy_ids"])
    table["range_end"] = ""
    if spread["proxy_ids"]:
        used = table[table["in_range"]]
        table.loc[used["value_in_price_year"].idxmin(), "range_end"] = "low"
        table.loc[used["value_in_price_year"].idxmax(), "range_end"] = "high"
    table.attrs["range"] = spread
    return table


def monte_carlo_range(table: pd.DataFrame) -> dict:
    """The spread of alternative proxies as a Monte Carlo range.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`proxies_for_theme` or :func:`alternatives`.

    Returns
    -------
    dict
        ``proxy_value_low`` and ``proxy_value_high`` (min and max of the rebased values,
        GBP in ``price_year`` prices; NaN when none qualify), ``dist`` (``"uniform"``),
        ``unit``, ``value_type``, ``price_year``, ``proxy_ids`` used, and ``excluded`` (id:
        reason) for values that could not be rebased, are in another unit than the most
        common one, or are another kind of value. Only values in one unit and of one kind
        are compared: a value per hour and a value per year are not alternatives, nor are a
        fiscal cost and an economic gain.
    """
    excluded: dict[str, str] = {}
    usable = table[np.isfinite(table["rebase_factor"].to_numpy(float))]
    for pid in table.loc[~table.index.isin(usable.index), "proxy_id"]:
        excluded[str(pid)] = "not rebased (price year unknown or outside the index)"
    unit = ""
    if len(usable):
        counts = usable["unit"].value_counts()
        unit = str(min(counts[counts == counts.max()].index))
        for pid, other in zip(usable["proxy_id"], usable["unit"]):
            if other != unit:
                excluded[str(pid)] = f"in another unit ({other}, not {unit})"
        usable = usable[usable["unit"] == unit]
    kind = ""
    if len(usable) and "value_type" in usable:  # a fiscal cost and an economic gain are not alternatives
        kinds = usable["value_type"].fillna("").astype(str)
        counts = kinds.value_counts()
        kind = str(min(counts[counts == counts.max()].index))
        for pid, other in zip(usable["proxy_id"], kinds):
            if other != kind:
                excluded[str(pid)] = f"another kind of value ({other or 'not classed'}, not {kind or 'not classed'})"
        usable = usable[kinds == kind]
    values = usable["value_in_price_year"].to_numpy(float)
    return {
        "proxy_value_low": float(values.min()) if len(values) else float("nan"),
        "proxy_value_high": float(values.max()) if len(values) else float("nan"),
        "dist": "uniform",
        "unit": unit,
        "value_type": kind,
        "price_year": int(table["price_year"].iloc[0]) if len(table) else None,
        "proxy_ids": [str(p) for p in usable["proxy_id"]],
        "excluded": excluded,
    }


GAP_COLUMNS = ["kind", "id", "theme", "outcome", "unit", "related_ids", "source", "notes"]
LIBRARY_GAP = "library gap"
INDICATOR_GAP = "County Durham Pound indicator without a proxy"


def gaps_for_theme(theme: str, library: ProxyLibrary | None = None) -> pd.DataFrame:
    """What cannot yet be valued in a theme: made visible, never filled.

    Parameters
    ----------
    theme : str
        A County Durham Pound theme (any case).
    library : ProxyLibrary, optional
        Default the shipped library; a licence holder's extended library may fill gaps.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (``"library gap"``: a row of :func:`svlib.reference.proxies.load_gaps`;
        ``"County Durham Pound indicator without a proxy"``), ``id``, ``theme``,
        ``outcome`` (or indicator text), ``unit``, ``related_ids`` (for an indicator, its
        library gap rows), ``source`` and ``notes``.

    Notes
    -----
    An indicator is without a proxy when none of its ``proxy_ids`` (the crosswalk column
    listing library proxies that value it, ``cdp_toms_crosswalk.csv``) is in ``library``.
    Listing ids rather than matching keywords keeps each link a checked judgement.
    """
    name = canonical_theme(theme)
    if name not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; expected one of: {', '.join(THEMES)}")
    library = library or load_library()
    gaps = load_gaps()
    gaps = gaps[gaps["theme"].str.lower() == name.lower()]
    rows = [{"kind": LIBRARY_GAP, "id": g["proxy_id"], "theme": name, "outcome": g["outcome"], "unit": g["unit"],
             "related_ids": "", "source": g["source"], "notes": g["notes"]} for _, g in gaps.iterrows()]
    indicators = load_indicators()
    for _, ind in indicators[indicators["theme"] == name].iterrows():
        ids = [p.strip() for p in ind["proxy_ids"].split(";") if p.strip()]
        if any(p in library for p in ids):
            continue
        rows.append({"kind": INDICATOR_GAP, "id": ind["indicator_id"], "theme": name, "outcome": ind["indicator"],
                     "unit": ind["unit"], "related_ids": ind["gap_ids"],
                     "source": "svlib County Durham Pound indicator list (cdp_themes.csv)", "notes": ind["notes"]})
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


YOUR_TABLE = "your own table"
"""The dataset of a row a licence holder added (``--proxies``), which names none."""
KIND_NOT_STATED = "not stated"
"""The kind of a value whose source does not class it as fiscal, economic or social."""
AGE_BANDS: tuple[tuple[str, int, int], ...] = (("up to 5 years", 0, 5), ("6 to 10 years", 6, 10),
                                               ("more than 10 years (old)", 11, 10_000))
"""Bands of a value's age: the years it is rebased across (the last is what is flagged old)."""


def _kinds(table: pd.DataFrame) -> pd.Series:
    kinds = table["value_type"].fillna("").astype(str) if "value_type" in table else pd.Series("", index=table.index)
    return kinds.replace("", KIND_NOT_STATED)


def library_counts(library: ProxyLibrary | None = None, by: str = "dataset") -> pd.DataFrame:
    """How many proxies the library holds, by ``by`` (``dataset`` or ``theme``) and kind.

    Returns
    -------
    pandas.DataFrame
        One row per dataset (or theme) in library order, a column per kind (fiscal,
        economic, social, not stated) and ``total``; a last row ``all``.
    """
    table = (library or load_library()).table
    keys = table[by].fillna("").astype(str).replace("", YOUR_TABLE) if by in table else pd.Series(
        YOUR_TABLE, index=table.index)
    counts = pd.crosstab(keys, _kinds(table))
    counts = counts.reindex(index=list(dict.fromkeys(keys)),
                            columns=[k for k in (*VALUE_TYPES, KIND_NOT_STATED) if k in counts.columns])
    counts["total"] = counts.sum(axis=1)
    counts.loc["all"] = counts.sum()
    counts.index.name = by
    counts.columns.name = None
    return counts.astype(int)


def theme_ages(price_year: int, library: ProxyLibrary | None = None) -> pd.DataFrame:
    """How old each theme's values are in ``price_year`` prices: a row per theme, a column
    per band of :data:`AGE_BANDS` and ``price year not stated`` (counts of proxies)."""
    table = (library or load_library()).table
    ages = [age_years(y, price_year) for y in table["price_year"]]
    bands = [next(name for name, low, high in AGE_BANDS if low <= a <= high) if a is not None
             else "price year not stated" for a in ages]
    columns = [name for name, _, _ in AGE_BANDS] + ["price year not stated"]
    counts = pd.crosstab(table["theme"], pd.Series(bands, index=table.index, name="age")).reindex(
        columns=columns, fill_value=0)
    counts = counts.reindex([t for t in PROXY_THEMES if t in counts.index])
    counts.index.name = "theme"
    counts.columns.name = None
    return counts.astype(int)


def library_summary(library: ProxyLibrary | None = None) -> str:
    """One sentence of the library's counts by dataset and kind, computed from the data
    (the README, the assumptions list and the proxy research page state it)."""
    counts = library_counts(library)
    parts = []
    for dataset, row in counts.drop(index="all").iterrows():
        kinds = [k for k in counts.columns if k != "total" and row[k]]
        if len(kinds) > 1:
            detail = ", ".join(f"{int(row[k]):,} {k}" for k in kinds)
        else:
            detail = "not classed by kind" if kinds == [KIND_NOT_STATED] else f"all {kinds[0]}" if kinds else "none"
        parts.append(f"{int(row['total']):,} from {dataset} ({detail})")
    return f"{int(counts.loc['all', 'total']):,} proxies: " + "; ".join(parts) + "."


OVERVIEW_COLUMNS = ["proxy_id", "kind", "outcome", "unit", "value_in_price_year", "proxy_price_year", "age",
                    "confidence", "dataset"]


def theme_overview(theme: str, price_year: int, library: ProxyLibrary | None = None,
                   price_index: str = "cpi") -> pd.DataFrame:
    """A theme's proxies as a reader first scans them: every verified proxy and each GMCA
    family's headline line (its subsidiaries and constituents are one search away:
    ``svlib proxies --keyword <id>``), restated in ``price_year`` prices; yearly series are
    left to :func:`series_table`.

    Returns
    -------
    pandas.DataFrame
        :data:`OVERVIEW_COLUMNS`: ``kind`` labels a fiscal value as a saving to the public
        purse; ``age`` is the years rebased across, marked "old" past
        :data:`~svlib.reference.proxies.OLD_AFTER_YEARS`; ``attrs["beneath"]`` counts the
        lines left out beneath the headlines shown.
    """
    library = library or load_library()
    rows = library.search(theme)
    series = rows["series"].fillna("").astype(str) != "" if "series" in rows else pd.Series(False, index=rows.index)
    level = rows["level"].fillna("").astype(str) if "level" in rows else pd.Series("", index=rows.index)
    shown = rows[~series & level.isin(["", "headline"])]
    out = compact(_rebased(shown.reset_index(drop=True), price_year, load_price_index(price_index)))
    out.attrs["beneath"] = int((~series & ~level.isin(["", "headline"])).sum())
    out.attrs["series"] = sorted(set(rows.loc[series, "series"])) if series.any() else []
    return out


def compact(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`proxies_for_theme` (or :func:`alternatives`) as a reader scans them:
    :data:`OVERVIEW_COLUMNS`."""
    return pd.DataFrame({
        "proxy_id": table["proxy_id"],
        "kind": [KIND_LABELS.get(k, KIND_LABELS[""]) for k in table["value_type"]],
        "outcome": table["outcome"],
        "unit": table["unit"],
        "value_in_price_year": table["value_in_price_year"],
        "proxy_price_year": table["proxy_price_year"],
        "age": [age_text(a, o) for a, o in zip(table["staleness_years"], table["old"])],
        "confidence": [CONFIDENCE.get(c, "") for c in table["confidence"]],
        "dataset": [d or YOUR_TABLE for d in table["dataset"]],
    }, columns=OVERVIEW_COLUMNS)


def age_text(years: Any, old: bool) -> str:
    """A value's age in words: ``13 years: old``, ``1 year``, ``same year``; blank when unknown."""
    if years is None or pd.isna(years):
        return ""
    years = abs(int(years))
    text = "same year" if years == 0 else f"{years} year" + ("s" if years != 1 else "")
    return text + (": old" if old else "")


KIND_LABELS: dict[str, str] = {"fiscal": "fiscal: saving to the public purse", "economic": "economic",
                               "social": "social", "": "not classed"}
"""How a value's kind is shown in the research tables (a fiscal value is never social value)."""


def series_table(name: str, price_year: int, library: ProxyLibrary | None = None,
                 price_index: str = "cpi") -> pd.DataFrame:
    """A yearly series (such as the DESNZ carbon values) restated in ``price_year`` prices:
    one row per year, ``low``, ``central`` and ``high`` (GBP), and ``attrs`` from
    :meth:`~svlib.reference.proxies.ProxyLibrary.series` with ``factor`` the rebasing factor."""
    series = (library or load_library()).series(name)
    factor = load_price_index(price_index).factor(series.attrs["price_year"], price_year)
    out = (series[["low", "central", "high"]] * factor).reset_index().rename(columns={"series_year": "year"})
    out.attrs.update(series.attrs, factor=factor, rebased_to=price_year)
    return out


def dataset_sources(library: ProxyLibrary | None = None) -> pd.DataFrame:
    """Each dataset the library draws on, once: its source, link and licence (the
    commonest of its rows; rows with their own terms, such as GMCA values that cite PSSRU,
    are counted in ``other_licences``)."""
    table = (library or load_library()).table
    datasets = table["dataset"].fillna("").astype(str).replace("", YOUR_TABLE) if "dataset" in table else pd.Series(
        YOUR_TABLE, index=table.index)
    rows = []
    for name in dict.fromkeys(datasets):
        part = table[datasets == name]
        licences = part["licence"].value_counts()
        sources = part["source"].value_counts()
        rows.append({"dataset": name, "proxies": len(part),
                     "source": str(sources.index[0]) if len(sources) == 1 else f"{len(sources)} sources, one per row",
                     "licence": str(licences.index[0]),
                     "other_licences": int(len(part) - licences.iloc[0])})
    return pd.DataFrame(rows, columns=["dataset", "proxies", "source", "licence", "other_licences"])
