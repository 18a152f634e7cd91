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
    table = pd.read_csv(paths.package_data(PRICE_INDICES[name]))
    levels = pd.Series(table["index"].to_numpy(float), index=table["year"].astype(int), name=name)
    return PriceIndex(name, levels, str(table["source"].iloc[0]))


@dataclass(frozen=True)
class ProxyLibrary:
    """A table of financial proxies, one row per ``proxy_id`` (see :data:`PROXY_TABLE`)."""

    table: pd.DataFrame

    def __contains__(self, proxy_id: str) -> bool:
        return proxy_id in self.rows_by_id

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

    def search(self, theme: str | None = None, keyword: str | None = None) -> pd.DataFrame:
        """Proxies for a theme (any case) whose outcome, unit, source or notes mention
        ``keyword`` (case-insensitive)."""
        mask = pd.Series(True, index=self.table.index)
        if theme:
            mask &= self.table["theme"].str.lower() == theme.strip().lower()
        if keyword:
            text = (
                self.table["outcome"] + " " + self.table["unit"] + " " + self.table["source"] + " "
                + self.table["notes"]
            ).str.lower()
            mask &= text.str.contains(keyword.strip().lower(), regex=False)
        return self.table.loc[mask].reset_index()

    def extended(self, path: str | Path) -> "ProxyLibrary":
        """This library with a user's proxy table added; the user's rows override rows
        with the same ``proxy_id``. Raises :class:`InputError` listing every problem."""
        user = read_proxy_table(path)
        combined = pd.concat([self.table.drop(index=user.index, errors="ignore"), user])
        return ProxyLibrary(combined)


def read_proxy_table(path: str | Path) -> pd.DataFrame:
    """A proxy table from CSV, checked against :data:`PROXY_TABLE`, indexed by
    ``proxy_id``. Raises :class:`InputError` with every problem."""
    frame, problems = read_csv_table(path, PROXY_TABLE)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    return frame.drop(columns="source_row").set_index("proxy_id")


def load_library(user_table: str | Path | None = None) -> ProxyLibrary:
    """The shipped proxy library (verified rows only), optionally extended by a user's
    table of the same columns."""
    library = _shipped_library()
    return library.extended(user_table) if user_table is not None else library


@lru_cache(maxsize=1)
def _shipped_library() -> ProxyLibrary:
    shipped = pd.read_csv(paths.package_data("proxies.csv"), dtype={"price_year": "Int64"}, keep_default_na=False,
                          na_values={"price_year": [""], "value_gbp": [""]})
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
