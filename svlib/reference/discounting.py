"""Discount factors: a constant rate, an HM Treasury Green Book schedule, or a table given.

Notes
-----
The exponent of analysis year ``t`` is ``e = t − (1 − discount_from)``: ``e = t`` with
``discount_from = 1`` (year 1 discounted once, the SROI guide's convention), ``e = t − 0.5``
with ``0.5`` (mid-year: each year's flows taken at its middle, as New Zealand Treasury
practice does), ``e = t − 1`` with ``0`` (year 1 undiscounted).

Constant rate ``r``: ``DF(t) = 1 / (1 + r) ** e``.

Green Book declining schedules (HM Treasury, The Green Book 2022, Annex A6): a rate per band
of years, compounded year by year, ``DF(e) = Π_{y=1..⌊e⌋} 1 / (1 + r_y)``, so for year 31
``DF = DF(30) / (1 + r_31)``; a fractional exponent takes the rest of a year at the next
year's rate, ``× (1 + r_{⌊e⌋+1}) ** −(e − ⌊e⌋)``. The schedules (``discount_rates.csv``, each
row with its source):

=================  ========  =========  ==========  =======================================
schedule           0-30      31-75      76-125      what for
=================  ========  =========  ==========  =======================================
``standard``       3.5%      3.0%       2.5%        every appraisal (then 2.0%, 1.5%, 1.0%)
``health``         1.5%      1.29%      1.07%       health and life values (no wealth effect)
``reduced``        3.0%      2.57%      2.14%       pure time preference set to 0 (substantial,
                                                    irreversible wealth transfers between
                                                    generations)
=================  ========  =========  ==========  =======================================

A table of factors (``year,factor``) replaces rate, schedule and convention: it can bring past
years forward (evaluative compounding, factors above 1), or reproduce a published, rounded
table. Every year needed must be in it.

References
----------
HM Treasury (2003) The Green Book, Annex 6, Table 6.1 (the standard declining schedule,
retained in the 2018-2022 editions).
HM Treasury (2022) The Green Book, Annex A6, Table 8 (the health, reduced and reduced health
schedules), and the supplementary guidance "Intergenerational wealth transfers and social
discounting" (2013, updated 2022).
Cabinet Office (2012) A guide to Social Return on Investment, stage 5.
New Zealand Treasury (2015) Guide to Social Cost Benefit Analysis (mid-year discounting).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from svlib import paths

GREEN_BOOK_SCHEDULES: dict[str, str] = {
    "green_book": "standard_STPR",
    "green_book_health": "health_and_life_values",
    "green_book_reduced": "standard_reduced_excl_pure_time_preference",
}
"""The Green Book schedules svlib names (a convention's ``discount_schedule``), to their rows
in ``discount_rates.csv``."""

GREEN_BOOK_OPTIONS: dict[str, str] = {"standard": "green_book", "health": "green_book_health",
                                      "reduced": "green_book_reduced"}
"""The schedules by the names a user gives them (``--green-book health``)."""

SCHEDULES: tuple[str, ...] = ("constant", *GREEN_BOOK_SCHEDULES, "factors")
"""Every ``discount_schedule``: a constant rate, a Green Book schedule, or a table of factors."""

DISCOUNT_FROM: tuple[float, ...] = (1, 0.5, 0)
"""The conventions for year 1: the exponent of year ``t`` is ``t − (1 − discount_from)``."""


@lru_cache(maxsize=None)
def green_book_bands(schedule: str = "standard_STPR") -> tuple[tuple[int, float, float], ...]:
    """The schedule as ``(year_from, year_to, rate)`` bands (rate as a fraction; the last
    band's ``year_to`` is infinite)."""
    table = pd.read_csv(paths.package_data("discount_rates.csv"))
    rows = table[table["schedule"] == schedule]
    if rows.empty:
        raise ValueError(f"unknown Green Book schedule '{schedule}'; expected one of: "
                         f"{', '.join(GREEN_BOOK_SCHEDULES.values())}")
    return tuple(
        (int(r.year_from), float("inf") if pd.isna(r.year_to) else float(r.year_to), float(r.rate_pct) / 100.0)
        for r in rows.itertuples()
    )


def green_book_rate(year: int, schedule: str = "standard_STPR") -> float:
    """The Green Book rate (fraction) that applies in discounting year ``year``."""
    for year_from, year_to, rate in green_book_bands(schedule):
        if year_from <= year <= year_to:
            return rate
    raise ValueError(f"year {year} is not covered by the Green Book schedule '{schedule}'")


def discount_factors(
    horizon: int,
    rate: float = 0.035,
    schedule: str = "constant",
    discount_from: float = 1,
    table: tuple[tuple[int, float], ...] | None = None,
) -> np.ndarray:
    """Discount factors for analysis years 1..``horizon``.

    Parameters
    ----------
    horizon : int
        Last analysis year.
    rate : float
        Constant annual rate (fraction), used when ``schedule == "constant"``.
    schedule : str
        One of :data:`SCHEDULES`: ``"constant"``, ``"green_book"`` (standard),
        ``"green_book_health"``, ``"green_book_reduced"``, or ``"factors"`` (``table``).
    discount_from : {1, 0.5, 0}
        The exponent of year ``t`` is ``t``, ``t − 0.5`` (mid-year) or ``t − 1`` (year 1
        undiscounted).
    table : tuple of (int, float), optional
        ``(year, factor)`` pairs, for ``schedule == "factors"``: used as they are.

    Returns
    -------
    numpy.ndarray
        ``factors[t - 1]`` is the factor for analysis year ``t``.

    Raises
    ------
    ValueError
        For an unknown schedule or convention, or a table that lacks a year (naming them).
    """
    if schedule == "factors":
        given = dict(table or ())
        missing = [t for t in range(1, horizon + 1) if t not in given]
        if missing:
            raise ValueError(f"the discount factors lack year(s) {', '.join(map(str, missing))}: "
                             f"the analysis runs to year {horizon}")
        return np.array([float(given[t]) for t in range(1, horizon + 1)])
    if discount_from not in DISCOUNT_FROM:
        raise ValueError("discount_from must be 1 (year 1 discounted once), 0.5 (mid-year) or 0 (year 1 undiscounted)")
    exponents = np.arange(1, horizon + 1) - (1 - discount_from)
    if schedule == "constant":
        if rate <= -1:
            raise ValueError("the discount rate must be above -100%")
        return 1.0 / (1.0 + rate) ** exponents
    name = GREEN_BOOK_SCHEDULES.get(schedule)
    if name is None:
        raise ValueError(f"unknown discount schedule '{schedule}'; expected one of: {', '.join(SCHEDULES)}")
    top = int(np.ceil(exponents.max(initial=0)))
    yearly = np.array([green_book_rate(y, name) for y in range(1, top + 1)])
    cumulative = np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + yearly))])
    whole = np.floor(exponents).astype(int)
    part = exponents - whole
    rest = np.where(part > 0, (1.0 + yearly[np.minimum(whole, top - 1)]) ** -part, 1.0) if top else 1.0
    return cumulative[whole] * rest
