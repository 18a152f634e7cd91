"""The proxy library: cited financial proxies, price indices and rebasing.

svlib ships only proxies whose figure was checked in its source (``verified = yes``),
each with its source, URL, licence and price year. Licensed proxy sets (HACT UK Social
Value Bank, National TOMs proxy values) must not be bundled with a tool: a licence holder
loads their own table with the same columns (:meth:`ProxyLibrary.extended`), which
extends or overrides the shipped rows.

Rebasing a value to another price year uses a price index (ONS CPI D7BT by default, or
the GDP deflator YBGB)::

    value_T = value × index[T] / index[price_year]

References
----------
HM Treasury (2022) The Green Book, section on real prices and the GDP deflator.
ONS series D7BT (CPI index, 2015 = 100) and YBGB (GDP implied deflator, 2022 = 100).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from svlib import paths
from svlib.contract.cells import MAX_NUMBER
from svlib.contract.tables import Column, Table
from svlib.core.frames import records
from svlib.core.problems import InputError, Problem, did_you_mean, quote
from svlib.io.csv_tables import read_csv_table

PRICE_INDICES: dict[str, str] = {"cpi": "cpi_index.csv", "gdp_deflator": "gdp_deflator.csv"}
"""Price indices shipped with svlib, by name."""

PROXY_THEMES: tuple[str, ...] = ("Jobs", "Growth", "Social", "Environment", "Innovation", "Cross-cutting")

DATASETS: dict[str, str] = {"verified": "svlib's verified proxies", "gmca": "GMCA Unit Cost Database v1.4",
                            "carbon": "DESNZ carbon values (2023)"}
"""The name each shipped row gives the dataset it came from (column ``dataset``)."""

CARBON_SERIES = "DESNZ23-CV"
"""The series id of the DESNZ carbon values (2020-2050, low / central / high, 2022 prices): a
map row naming it as its ``proxy_id`` takes the value of each year in which the emission is
saved."""

VALUE_TYPES: tuple[str, ...] = ("fiscal", "economic", "social")
"""What a value measures, as GMCA's Unit Cost Database classes it: ``fiscal`` a cost to the
public purse (in SROI it stands only for public spending avoided: a saving to the public
purse, not social value), ``economic`` a gain in output or earnings, ``social`` a wider
value to people. Blank where the source does not class it."""

LEVELS: tuple[str, ...] = ("headline", "subsidiary", "constituent")
"""Where a GMCA line sits in its family: a headline is the sum or average of its
constituents (never count both); a subsidiary is a variant of its headline."""

CONFIDENCE: dict[str, str] = {"G": "green", "A": "amber", "R": "red"}
"""GMCA's RAG rating of a value's evidence, from G (robust) to R (weak or old)."""

OLD_AFTER_YEARS = 10
"""A value rebased across more than this many years is flagged as old wherever it is shown:
prices are not all that change in a decade (services, practice and costs do too). A
threshold chosen for svlib, not taken from a published standard."""

TRANSFER_MARK = re.compile(r"cell comment:[^;]*\btransfer payment", re.IGNORECASE)
"""GMCA's cell comment that a value is a transfer payment, not a resource saved, as the
reference file quotes it in ``notes`` (``cell comment: ... it is a transfer payment``)."""

PROXY_TABLE = Table(
    name="Proxies",
    key=("proxy_id",),
    help="A proxy table: the shipped library or a licence holder's own values.",
    columns=(
        Column("proxy_id", help="Unique id (such as SOC-06, or HACT-123 for a licensed value)."),
        Column("theme", "choice", choices=PROXY_THEMES),
        Column("outcome", help="What the proxy values."),
        Column("unit", help="Unit of the value (such as 'GBP per person per year')."),
        Column("value_gbp", "money", minimum=-MAX_NUMBER,
               help="The value in GBP, in prices of price_year; negative for a harm or a cost per unit."),
        Column("price_year", "year", blank_ok=True, default=pd.NA,
               help="Year whose prices the value is in; blank when the source does not say."),
        Column("source", help="Publisher and document."),
        Column("url", required=False, blank_ok=True, default=""),
        Column("page_or_table", required=False, blank_ok=True, default=""),
        Column("licence", help="Terms of reuse (such as 'Open Government Licence v3.0')."),
        Column("verified", "choice", choices=("yes", "no", "recall"), required=False, blank_ok=True,
               default="no", help="yes when the figure was checked in the source text."),
        Column("notes", required=False, blank_ok=True, default=""),
        Column("value_type", "choice", choices=VALUE_TYPES, required=False, blank_ok=True, default="",
               help="fiscal (a cost to the public purse), economic or social; blank when the source does not say."),
        Column("cost_code", required=False, blank_ok=True, default="",
               help="The source's code in its tree of costs (GMCA: CR2.0 a headline, CR2.0.1 a constituent)."),
        Column("level", "choice", choices=LEVELS, required=False, blank_ok=True, default="",
               help="headline, subsidiary or constituent (GMCA)."),
        Column("agency", required=False, blank_ok=True, default="", help="Who bears a fiscal cost."),
        Column("confidence", "choice", choices=tuple(CONFIDENCE), required=False, blank_ok=True, default="",
               help="The source's RAG rating of its evidence: G, A or R."),
        Column("original_source", required=False, blank_ok=True, default="",
               help="The study the source took the value from."),
        Column("source_comment", required=False, blank_ok=True, default="", help="The source's own comment."),
        Column("series", required=False, blank_ok=True, default="",
               help="A yearly series this value belongs to (such as DESNZ23-CV, the carbon values)."),
        Column("series_year", "year", required=False, blank_ok=True, default=pd.NA,
               help="The year of the series this value is for (the year an emission is saved)."),
        Column("scenario", "choice", choices=("low", "central", "high"), required=False, blank_ok=True, default="",
               help="The series' low, central or high path."),
        Column("dataset", required=False, blank_ok=True, default="",
               help="The dataset the row comes from (blank in a user's own table)."),
    ),
)


class PriceIndexError(ValueError):
    """A value cannot be rebased: a year outside the index, or no price year."""


@dataclass(frozen=True)
class PriceIndex:
    """An annual price index (year to level), with its source.

    Parameters
    ----------
    name : str
        ``cpi`` or ``gdp_deflator`` (or a user's own name).
    levels : pandas.Series
        Index level by calendar year.
    source : str
        Where the figures come from.
    """

    name: str
    levels: pd.Series
    source: str
    notes: tuple[tuple[int, str], ...] = ()

    def caveat(self, year: int | None) -> str:
        """What the source says of a year's level beyond its figure (CPI 1988-1996 are ONS
        modelled estimates), or ``""``."""
        return dict(self.notes).get(int(year), "") if year is not None and not pd.isna(year) else ""

    @property
    def years(self) -> tuple[int, int]:
        """First and last year covered."""
        return int(self.levels.index.min()), int(self.levels.index.max())

    @cached_property
    def _by_year(self) -> dict[int, float]:
        return {int(y): float(v) for y, v in self.levels.items()}

    def factor(self, from_year: int | None, to_year: int) -> float:
        """Multiplier taking prices of ``from_year`` to prices of ``to_year``.

        Notes
        -----
        ``factor = index[to_year] / index[from_year]``. For CPI 2019 to 2023 this is
        130.5 / 107.8 = 1.2106.

        Raises
        ------
        PriceIndexError
            ``from_year`` is blank, or either year is outside the index.
        """
        if from_year is None or pd.isna(from_year):
            raise PriceIndexError(
                "the price year is blank (the source does not state one); "
                "supply one (proxy_year) before the value can be rebased"
            )
        levels = self._by_year
        for year in (from_year, to_year):
            if int(year) not in levels:
                first, last = self.years
                raise PriceIndexError(
                    f"the year {int(year)} is outside the years of the {self.name.upper()} price index "
                    f"({first}-{last}); "
                    f"choose a price year from {first} to {last}"
                )
        return levels[int(to_year)] / levels[int(from_year)]

    def rebase(self, value: float, from_year: int | None, to_year: int) -> float:
        """``value`` in ``from_year`` prices, restated in ``to_year`` prices (GBP)."""
        return value * self.factor(from_year, to_year)


@lru_cache(maxsize=None)
def load_price_index(name: str = "cpi") -> PriceIndex:
    """A price index shipped with svlib: ``cpi`` (ONS D7BT, 2015 = 100, annual average)
    or ``gdp_deflator`` (ONS YBGB, 2022 = 100, calendar year)."""
    if name not in PRICE_INDICES:
        raise PriceIndexError(f"unknown price index '{name}'; expected one of: {', '.join(PRICE_INDICES)}")
    table = pd.read_csv(paths.package_data(PRICE_INDICES[name]), keep_default_na=False)
    levels = pd.Series(table["index"].to_numpy(float), index=table["year"].astype(int), name=name)
    notes = tuple((int(y), str(n)) for y, n in zip(table["year"], table.get("note", [""] * len(table))) if n)
    return PriceIndex(name, levels, str(table["source"].iloc[-1]), notes)


@dataclass(frozen=True)
class ProxyLibrary:
    """A table of financial proxies, one row per ``proxy_id`` (see :data:`PROXY_TABLE`)."""

    table: pd.DataFrame

    def __contains__(self, proxy_id: str) -> bool:
        return proxy_id in self.rows_by_id

    @cached_property
    def series_ids(self) -> frozenset[str]:
        """The yearly series a map row may name as its ``proxy_id`` (such as
        :data:`CARBON_SERIES`)."""
        return frozenset(s for s in self._column("series") if s)

    def series(self, name: str) -> pd.DataFrame:
        """A yearly series: one row per year, a column per scenario (``low``, ``central``,
        ``high``), GBP in ``attrs["price_year"]`` prices; ``attrs["ids"]`` its central rows'
        ids by year and ``attrs["source"]``, ``attrs["licence"]``, ``attrs["url"]``."""
        rows = self.table[self._column("series") == name]
        if rows.empty:
            raise KeyError(f"no yearly series '{name}'{did_you_mean(name, sorted(self.series_ids))}")
        years = rows["price_year"].dropna().unique()
        if len(years) != 1:
            raise ValueError(f"the series {name} mixes price years ({', '.join(map(str, years))})")
        table = rows.pivot(index="series_year", columns="scenario", values="value_gbp").astype(float)
        table.index = table.index.astype(int)
        central = rows[rows["scenario"] == "central"]
        table.attrs.update({
            "price_year": int(years[0]),
            "ids": dict(zip(central["series_year"].astype(int), central.index)),
            "source": str(rows["source"].iloc[0]), "licence": str(rows["licence"].iloc[0]),
            "url": str(rows["url"].iloc[0]) if "url" in rows else "",
            "value_type": str(rows["value_type"].iloc[0]) if "value_type" in rows else "",
            "unit": str(rows["unit"].iloc[0]),
        })
        return table

    @cached_property
    def rows_by_id(self) -> dict[str, dict[str, Any]]:
        """Each proxy's row as a plain dict, by ``proxy_id`` (fast look-ups)."""
        return {str(k): {"proxy_id": str(k), **row} for k, row in zip(self.table.index,
                                                                      records(self.table))}

    @property
    def ids(self) -> list[str]:
        return list(self.table.index)

    def get(self, proxy_id: str) -> pd.Series:
        """One proxy's row; raises ``KeyError`` naming the nearest id."""
        if proxy_id not in self.table.index:
            raise KeyError(f"unknown proxy_id '{proxy_id}'{did_you_mean(proxy_id, self.ids)}")
        return self.table.loc[proxy_id]

    @cached_property
    def families(self) -> pd.Series:
        """Each proxy's family, by ``proxy_id``: the source's id prefix and the root of its
        cost code for a line in a tree (``GMCA14-HO3`` for HO3.0 and HO3.0.2), the series for
        a yearly series (``DESNZ23-CV``), else the proxy itself."""
        return pd.Series([family_of(pid, row) for pid, row in self.rows_by_id.items()], index=self.table.index,
                         dtype=object)

    @cached_property
    def _search_text(self) -> pd.Series:
        text = self.table.index.to_series().astype(str)
        for column in ("outcome", "unit", "source", "notes", "cost_code", "agency", "original_source",
                       "source_comment"):
            if column in self.table:
                text = text + " " + self.table[column].fillna("").astype(str)
        return text.str.lower()

    def search(self, theme: str | None = None, keyword: str | None = None, value_type: str | None = None,
               level: str | None = None, confidence: str | None = None, families: bool = False) -> pd.DataFrame:
        """Proxies matching every filter given, in library order.

        Parameters
        ----------
        theme : str, optional
            A theme, any case.
        keyword : str, optional
            Words that must all appear (any case) in the id, outcome, unit, source, notes,
            cost code, agency, original source or the source's comment; a word matches
            the start of a word (``homeless`` finds *homelessness*; ``NEET`` finds NEET).
        value_type, level, confidence : str, optional
            ``fiscal``/``economic``/``social``; ``headline``/``subsidiary``/``constituent``;
            ``G``/``A``/``R`` (or ``green``/``amber``/``red``). Any case.
        families : bool
            Show each match with the whole of its family (:attr:`families`), the headline
            first, so a value is read beside the lines it sums or varies.

        Returns
        -------
        pandas.DataFrame
            The rows, ``proxy_id`` as a column, plus ``family`` and ``matched`` (False for a
            row shown only because it is in a match's family).
        """
        table = self.table
        mask = pd.Series(True, index=table.index)
        if theme:
            mask &= table["theme"].str.lower() == theme.strip().lower()
        for column, wanted, choices in (("value_type", value_type, VALUE_TYPES), ("level", level, LEVELS)):
            if wanted:
                if wanted.strip().lower() not in choices:
                    raise ValueError(f"unknown {column.replace('_', ' ')} {wanted!r}; expected one of: "
                                     f"{', '.join(choices)}")
                mask &= self._column(column).str.lower() == wanted.strip().lower()
        if confidence:
            code = {v: k for k, v in CONFIDENCE.items()}.get(confidence.strip().lower(), confidence.strip().upper())
            if code not in CONFIDENCE:
                raise ValueError(f"unknown confidence {confidence!r}; expected one of: G, A, R (green, amber, red)")
            mask &= self._column("confidence").str.upper() == code
        for word in (keyword or "").lower().split():
            mask &= self._search_text.str.contains(r"(?<![a-z0-9])" + re.escape(word), regex=True)
        found = table.loc[mask].copy()
        found["family"] = self.families[mask]
        found["matched"] = True
        if families and len(found):
            wanted_families = set(found["family"])
            whole = table.loc[self.families.isin(wanted_families)].copy()
            whole["family"] = self.families[whole.index]
            whole["matched"] = whole.index.isin(found.index)
            order = {f: i for i, f in enumerate(dict.fromkeys(found["family"]))}
            whole["_order"] = whole["family"].map(order)
            whole["_position"] = range(len(whole))
            found = whole.sort_values(["_order", "_position"], kind="stable").drop(columns=["_order", "_position"])
        found.index.name = "proxy_id"
        return found.reset_index()

    def _column(self, name: str) -> pd.Series:
        if name in self.table:
            return self.table[name].fillna("").astype(str)
        return pd.Series("", index=self.table.index)

    def extended(self, path: str | Path) -> "ProxyLibrary":
        """This library with a user's proxy table added; the user's rows override rows
        with the same ``proxy_id``. Raises :class:`InputError` listing every problem."""
        user = read_proxy_table(path)
        combined = ProxyLibrary(pd.concat([self.table.drop(index=user.index, errors="ignore"), user]))
        problems = []
        rows = dict(zip(user.index, user["source_row"])) if "source_row" in user else {}
        for proxy_id in user.index:
            if proxy_id in combined.series_ids:
                problems.append(Problem(str(path), PROXY_TABLE.name, rows.get(proxy_id), "proxy_id", (
                    f"{proxy_id} is the name of a yearly series, so a map naming it takes the series, not this row; "
                    "give the row another id")))
        problems += series_problems(combined.table, str(path), rows)
        if problems:
            raise InputError(problems)
        return ProxyLibrary(combined.table.drop(columns="source_row", errors="ignore"))


def family_of(proxy_id: str, row: Mapping[str, Any]) -> str:
    """A proxy's family: ``<id prefix>-<cost code root>`` for a line in a source's tree of
    costs (``GMCA14-HO3`` for ``GMCA14-HO3.0.2-F``), its ``series`` for a yearly series,
    else its own id."""
    series = str(row.get("series") or "")
    if series:
        return series
    code = str(row.get("cost_code") or "")
    if code and code in proxy_id:
        return proxy_id[:proxy_id.index(code)] + code.split(".")[0]
    return proxy_id


def cost_code_ancestors(code: str) -> list[str]:
    """The lines a cost code sits beneath, nearest first: a constituent ``HO3.0.2`` under
    ``HO3.0``; a subsidiary ``HO4.1`` under its headline ``HO4.0``; a headline under none.

    Notes
    -----
    GMCA's Unit Cost Database numbers each line ``<area><n>.<m>[.<k>]``: ``.0`` is the
    headline, ``.m`` (m > 0) a subsidiary variant of it, and a third part a constituent of
    the line it extends (README of the reference folder).
    """
    parts = str(code).split(".")
    out = []
    while len(parts) > 1:
        if len(parts) >= 3:
            parts = parts[:-1]
        elif parts[1] != "0":
            parts = [parts[0], "0"]
        else:
            break
        out.append(".".join(parts))
    return out


def age_years(proxy_price_year: int | None, price_year: int) -> int | None:
    """Years a value is rebased across: ``|price_year − proxy_price_year|`` (None when unknown)."""
    if proxy_price_year is None or pd.isna(proxy_price_year):
        return None
    return abs(int(price_year) - int(proxy_price_year))


def is_old(proxy_price_year: int | None, price_year: int) -> bool:
    """Whether a value is rebased across more than :data:`OLD_AFTER_YEARS` years."""
    age = age_years(proxy_price_year, price_year)
    return age is not None and age > OLD_AFTER_YEARS


def with_age(rows: pd.DataFrame, price_year: int) -> pd.DataFrame:
    """``rows`` with ``age_years`` (:func:`age_years` to ``price_year``) and ``old``
    (:func:`is_old`) added."""
    out = rows.copy()
    ages = [age_years(y, price_year) for y in out["price_year"]]
    out["age_years"] = pd.array(ages, dtype="Int64")
    out["old"] = [a is not None and a > OLD_AFTER_YEARS for a in ages]
    return out


def is_transfer(row: Mapping[str, Any]) -> bool:
    """Whether the source marks the value as a transfer payment (GMCA's comment on its cell,
    :data:`TRANSFER_MARK`; twelve fiscal values in the Unit Cost Database v1.4)."""
    return TRANSFER_MARK.search(str(row.get("notes") or "")) is not None


def read_proxy_table(path: str | Path) -> pd.DataFrame:
    """A proxy table from CSV, checked against :data:`PROXY_TABLE`, indexed by
    ``proxy_id`` (``source_row`` kept: the file's row of each). Raises :class:`InputError`
    with every problem."""
    frame, problems = read_csv_table(path, PROXY_TABLE)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    return frame.set_index("proxy_id")


def series_problems(table: pd.DataFrame, file: str = "", rows: Mapping[str, Any] | None = None) -> list[Problem]:
    """What keeps each yearly series of a proxy table from being used year by year: every
    year needs exactly one low, one central and one high value, all in one stated price
    year, the years running without a gap. Each problem names the row (from ``rows``,
    ``proxy_id`` to the table's row number, where the row is the user's)."""
    if "series" not in table:
        return []
    problems: list[Problem] = []
    where = dict(rows or {}).get
    named = table[table["series"].fillna("").astype(str) != ""]
    for name, part in named.groupby("series", sort=False):
        first = part.index[0]
        blank_year = part[part["series_year"].isna()] if "series_year" in part else part
        for proxy_id in blank_year.index:
            problems.append(Problem(file, PROXY_TABLE.name, where(proxy_id), "series_year",
                                    f"{proxy_id} is in the series {name} but has no series_year"))
        scenarios = part["scenario"].fillna("").astype(str) if "scenario" in part else pd.Series("", index=part.index)
        for proxy_id in part.index[scenarios == ""]:
            problems.append(Problem(file, PROXY_TABLE.name, where(proxy_id), "scenario",
                                    f"{proxy_id} is in the series {name} but names no scenario (low, central or high)"))
        prices = part["price_year"].dropna().unique()
        if part["price_year"].isna().any() or len(prices) != 1:
            problems.append(Problem(file, PROXY_TABLE.name, where(first), "price_year", (
                f"the series {name} needs one stated price year for all its rows; it has "
                + (", ".join(str(int(y)) for y in sorted(prices)) or "none")
                + (" and blanks" if part["price_year"].isna().any() and len(prices) else ""))))
        years = part["series_year"].dropna().astype(int)
        for year, at_year in part.loc[years.index].groupby(years):
            kinds = scenarios[at_year.index]
            for scenario in ("low", "central", "high"):
                count = int((kinds == scenario).sum())
                if count != 1:
                    problems.append(Problem(file, PROXY_TABLE.name, where(at_year.index[0]), "scenario", (
                        f"the series {name} has {count} {scenario} values for {year}; it needs exactly one")))
        if len(years):
            gaps = sorted(set(range(years.min(), years.max() + 1)) - set(years))
            if gaps:
                problems.append(Problem(file, PROXY_TABLE.name, where(first), "series_year", (
                    f"the series {name} has no values for {', '.join(map(str, gaps))}; a series runs without a gap")))
    return problems


def load_library(user_table: str | Path | None = None) -> ProxyLibrary:
    """The shipped proxy library (verified rows only), optionally extended by a user's
    table of the same columns."""
    library = _shipped_library()
    return library.extended(user_table) if user_table is not None else library


@lru_cache(maxsize=1)
def _shipped_library() -> ProxyLibrary:
    shipped = pd.read_csv(paths.package_data("proxies.csv"), dtype={"price_year": "Int64", "series_year": "Int64"},
                          keep_default_na=False, na_values={"price_year": [""], "value_gbp": [""], "series_year": [""]})
    shipped["value_gbp"] = shipped["value_gbp"].astype(float)
    return ProxyLibrary(shipped.set_index("proxy_id"))


def load_gaps() -> pd.DataFrame:
    """Outcomes for which no verified proxy is shipped yet: made visible, never filled."""
    return pd.read_csv(paths.package_data("proxy_gaps.csv"), keep_default_na=False)


def problem_for_unknown_proxy(proxy_id: str, library: ProxyLibrary, file: str, sheet: str, row: int) -> Problem:
    """The message for an impact-map row naming a proxy the library lacks."""
    return Problem(
        file, sheet, row, "proxy_id",
        f"unknown proxy_id {quote(proxy_id)}{did_you_mean(proxy_id, library.ids)}; "
        "use an id from `svlib proxies`, give proxy_value instead, or load your own table with --proxies",
    )
