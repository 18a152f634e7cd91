"""Discount factors: a constant rate or the HM Treasury Green Book declining schedule.

Notes
-----
Constant rate ``r``: ``DF(t) = 1 / (1 + r) ** e`` with ``e = t`` (year 1 discounted once,
the SROI guide's convention) or ``e = t - 1`` (year 1 undiscounted).

Green Book declining schedule (standard social time preference rate): 3.5% for years
0-30, 3.0% for 31-75, 2.5% for 76-125, 2.0% for 126-200, 1.5% for 201-300, 1.0% after.
The factor compounds year by year, ``DF(e) = Π_{y=1..e} 1 / (1 + r_y)``, so for year 31
``DF = DF(30) / 1.03``.

References
----------
HM Treasury (2003, retained in 2018-2022 editions) The Green Book, Annex 6, Table 6.1.
Cabinet Office (2012) A guide to Social Return on Investment, stage 5.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from svlib import paths

GREEN_BOOK_SCHEDULES: tuple[str, ...] = ("standard_STPR", "health_and_life_values")


@lru_cache(maxsize=None)
def green_book_bands(schedule: str = "standard_STPR") -> tuple[tuple[int, float, float], ...]:
    """The schedule as ``(year_from, year_to, rate)`` bands (rate as a fraction; the last
    band's ``year_to`` is infinite)."""
    table = pd.read_csv(paths.package_data("discount_rates.csv"))
    rows = table[table["schedule"] == schedule]
    if rows.empty:
        raise ValueError(f"unknown Green Book schedule '{schedule}'; expected one of: {', '.join(GREEN_BOOK_SCHEDULES)}")
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
    discount_from: int = 1,
) -> np.ndarray:
    """Discount factors for analysis years 1..``horizon``.

    Parameters
    ----------
    horizon : int
        Last analysis year.
    rate : float
        Constant annual rate (fraction), used when ``schedule == "constant"``.
    schedule : str
        ``"constant"``, ``"green_book"`` (standard STPR) or ``"green_book_health"``.
    discount_from : {1, 0}
        1: year 1 is discounted once (exponent ``t``); 0: year 1 is undiscounted
        (exponent ``t - 1``).

    Returns
    -------
    numpy.ndarray
        ``factors[t - 1]`` is the factor for analysis year ``t``.
    """
    if discount_from not in (0, 1):
        raise ValueError("discount_from must be 1 (year 1 discounted once) or 0 (year 1 undiscounted)")
    exponents = np.arange(1, horizon + 1) - (1 - discount_from)
    if schedule == "constant":
        if rate <= -1:
            raise ValueError("the discount rate must be above -100%")
        return 1.0 / (1.0 + rate) ** exponents
    name = {"green_book": "standard_STPR", "green_book_health": "health_and_life_values"}.get(schedule)
    if name is None:
        raise ValueError(f"unknown discount schedule '{schedule}'; expected constant, green_book or green_book_health")
    top = int(exponents.max(initial=0))
    yearly = np.array([green_book_rate(y, name) for y in range(1, top + 1)])
    cumulative = np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + yearly))])
    return cumulative[exponents]
