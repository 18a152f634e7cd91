"""County Durham Pound themes: needs, indicators, the TOMs crosswalk, and theme totals.

The County Durham Pound local needs analysis ships as data (``svlib/data/cdp_themes.csv``
and ``cdp_toms_crosswalk.csv``; sources and status in ``cdp_themes_SOURCES.md``): for each
theme (Jobs, Growth, Social, Environment, Innovation) its local needs and its outcome
indicators, each indicator with an id, unit, the needs it serves, the National TOMs theme
and area it falls under (by name only; TOMs proxy values are licensed and not shipped),
and the svlib proxies that value it. This module maps partners' outcomes onto that list,
adds up a theme's value across partners, and flags possible double counting.

Notes
-----
Theme value across partners (:func:`theme_value`). Each partner's map is simulated on its
own (:func:`svlib.uncertainty.montecarlo.simulate` with its outcomes grouped by theme); for draw ``d``::

    V_{p,d} = Σ_{i in theme, partner p} PV_{i,d}        (one partner)
    V_d     = Σ_p V_{p,d}                              (the theme, draw by draw)

the first sum outcome by outcome in map order (``simulate(..., groups=)``, as the forum's
theme totals sum it, so both show the same draws), and percentiles are taken of ``V_d``. Percentiles are never summed: the sum of partners'
5th percentiles is not the 5th percentile of the sum. Partners' uncertainties are treated
as independent (each outcome has its own random stream).

Each partner is simulated with its own random streams, keyed on ``"<partner_id>:<outcome_id>"``
(``simulate(..., streams=partner_id)``, :func:`svlib.uncertainty.montecarlo.stream_ids`), so
two partners that both use the outcome id ``A1`` draw apart, one partner's draws do not depend
on which other partners are in the collection, and a partner's theme draws are, draw for
draw, those of its own report.

All partners are valued in one price year: ``price_year`` if given, otherwise the latest
of the partners' own price years, so that pounds are added like with like.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 4 (avoiding double
counting) and stage 5 (sensitivity).
HM Treasury (2022) The Green Book, Annex A5 (Monte Carlo analysis).
svlib reference data README, method note: "Do not add a wage value and a wellbeing value
for the same person unless the source builds the proxy that way."
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from svlib import paths
from svlib.analysis.disclosure import WITHHELD, small_outcomes
from svlib.analysis.evidence import quotes_for_sharing
from svlib.contract.tables import THEMES, investment_total
from svlib.core.problems import InputError
from svlib.reference.proxies import ProxyLibrary, load_library, load_price_index
from svlib.uncertainty.estimates import central_valuation
from svlib.uncertainty.montecarlo import simulate
from svlib.validate.impact_map import first_calendar_year, resolve_proxies
from svlib.valuation.sroi import Conventions, Investment

UNMATCHED = "unmatched"
"""``matched_indicator`` of an outcome whose indicator is not in the County Durham Pound list."""

WAGE_PROXY_IDS: frozenset[str] = frozenset({"JOB-01", "JOB-02", "JOB-03"})
"""Library proxies that value paid work by (or including) earnings."""

EMPLOYMENT_INDICATOR_IDS: frozenset[str] = frozenset({"CDP-J01", "CDP-J02"})
"""County Durham Pound indicators of people employed."""

WELLBEING_PROXY_IDS: frozenset[str] = frozenset({
    "SOC-01", "SOC-02",            # loneliness costs: wellbeing, health and productivity
    "SOC-03", "SOC-04", "SOC-05", "SOC-06",  # MeasureUp, WELLBY-based
    "XC-01", "XC-02", "XC-03",     # the WELLBY itself (HM Treasury 2021)
    "GRO-03", "GRO-04",            # volunteering: GRO-03 economic + wellbeing, GRO-04 wellbeing
    "JOB-10", "JOB-11", "JOB-12", "JOB-13", "JOB-14",  # wellbeing valuations of adult learning
})
"""Library proxies that are wholly or partly a wellbeing (life-satisfaction) value, by their
notes in ``proxies.csv``."""


# --- the data ------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _themes_file() -> pd.DataFrame:
    return pd.read_csv(paths.package_data("cdp_themes.csv"), dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _crosswalk_file() -> pd.DataFrame:
    return pd.read_csv(paths.package_data("cdp_toms_crosswalk.csv"), dtype=str, keep_default_na=False)


def _ids(text: str) -> list[str]:
    """``"A; B"`` as ``["A", "B"]``."""
    return [part.strip() for part in str(text or "").split(";") if part.strip()]


def load_themes() -> pd.DataFrame:
    """The County Durham Pound local needs, by theme.

    Returns
    -------
    pandas.DataFrame
        ``theme, need_id, need``, in theme order (:data:`svlib.contract.tables.THEMES`).
    """
    rows = _themes_file()
    needs = rows[rows["kind"] == "need"]
    return pd.DataFrame({"theme": needs["theme"].to_numpy(), "need_id": needs["id"].to_numpy(),
                         "need": needs["text"].to_numpy()})


def load_indicators() -> pd.DataFrame:
    """The County Durham Pound outcome indicators with their TOMs crosswalk.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, theme, indicator`` (the text partners write in the impact map's
        ``indicator`` column), ``unit``, ``toms_theme``, ``toms_area`` (National TOMs area
        by name; blank when none), ``in_toms`` (yes: a TOMs measure values this kind of
        outcome), ``need_ids``, ``needs`` (texts joined by ``"; "``), ``proxy_ids`` (library
        proxies that value it, ``"; "``-separated; blank for none), ``gap_ids`` (rows of
        the proxy gap list) and ``notes``.
    """
    rows = _themes_file()
    indicators = rows[rows["kind"] == "indicator"]
    need_text = dict(zip(rows.loc[rows["kind"] == "need", "id"], rows.loc[rows["kind"] == "need", "text"]))
    crosswalk = _crosswalk_file().set_index("indicator_id")
    missing = sorted(set(indicators["id"]) - set(crosswalk.index))
    if missing:  # the two shipped files disagree: a packaging error, not user input
        raise ValueError(f"cdp_toms_crosswalk.csv lacks indicator(s): {', '.join(missing)}")
    cross = crosswalk.reindex(indicators["id"])
    return pd.DataFrame({
        "indicator_id": indicators["id"].to_numpy(),
        "theme": indicators["theme"].to_numpy(),
        "indicator": indicators["text"].to_numpy(),
        "unit": indicators["unit"].to_numpy(),
        "toms_theme": cross["toms_theme"].to_numpy(),
        "toms_area": cross["toms_area"].to_numpy(),
        "in_toms": cross["in_toms"].to_numpy(),
        "need_ids": indicators["need_ids"].to_numpy(),
        "needs": ["; ".join(need_text[n] for n in _ids(ids)) for ids in indicators["need_ids"]],
        "proxy_ids": cross["proxy_ids"].to_numpy(),
        "gap_ids": cross["gap_ids"].to_numpy(),
        "notes": cross["notes"].to_numpy(),
    })


def canonical_theme(value: Any) -> str:
    """A theme written in any case as in :data:`svlib.contract.tables.THEMES` (unchanged if unknown)."""
    text = str(value if isinstance(value, str) else "").strip()
    return next((t for t in THEMES if t.lower() == text.lower()), text)


def normalise_stakeholder(text: Any) -> str:
    """A stakeholder group for comparison: lower case, punctuation as spaces, spaces
    collapsed (``"Older people, living alone"`` and ``"older people living alone"`` match)."""
    text = str(text if isinstance(text, str) else "").casefold()
    return re.sub(r"\s+", " ", re.sub(r"[^0-9a-z]+", " ", text)).strip()


# --- outcomes onto indicators -----------------------------------------------------------

def map_outcomes(impact_maps: pd.DataFrame) -> pd.DataFrame:
    """Each partner outcome with its County Durham Pound indicator, needs and TOMs area.

    Parameters
    ----------
    impact_maps : pandas.DataFrame
        One or more impact maps (the processed ImpactMap table), with ``outcome_id``,
        ``theme``, ``indicator`` and optionally ``partner_id``, ``stakeholder``,
        ``outcome``, ``measure``, ``proxy_id`` and ``in_toms``.

    Returns
    -------
    pandas.DataFrame
        ``partner_id, outcome_id, stakeholder, outcome, theme`` (canonical spelling),
        ``indicator`` (as written), ``match`` (``exact``, ``case-insensitive`` or
        ``unmatched``), ``indicator_id``, ``matched_indicator`` (the list's text, or
        ``"unmatched"``), ``indicator_theme``, ``needs``, ``toms_area``, ``measure``,
        ``proxy_id``, ``in_toms`` (yes | no | unknown) and ``in_toms_source``.

    Notes
    -----
    Matching: the indicator text exactly; else compared case-insensitively with spaces
    collapsed; else ``"unmatched"`` (also for a blank indicator). ``in_toms`` is the
    partner's own answer when it is yes or no, otherwise the crosswalk's for the matched
    indicator, otherwise ``"unknown"``.
    """
    indicators = load_indicators()
    exact = {text: i for i, text in enumerate(indicators["indicator"])}
    loose = {re.sub(r"\s+", " ", text).strip().casefold(): i for i, text in enumerate(indicators["indicator"])}
    n = len(impact_maps)

    def column(name: str) -> list[Any]:
        return impact_maps[name].tolist() if name in impact_maps else [""] * n

    rows = []
    for pid, oid, stakeholder, outcome, theme, indicator, measure, proxy_id, own in zip(
            column("partner_id"), column("outcome_id"), column("stakeholder"), column("outcome"), column("theme"),
            column("indicator"), column("measure"), column("proxy_id"), column("in_toms")):
        text = indicator if isinstance(indicator, str) else ""
        if text in exact:
            match, found = "exact", exact[text]
        elif re.sub(r"\s+", " ", text).strip().casefold() in loose and text.strip():
            match, found = "case-insensitive", loose[re.sub(r"\s+", " ", text).strip().casefold()]
        else:
            match, found = UNMATCHED, None
        row = indicators.iloc[found] if found is not None else None
        own = str(own).strip().lower() if isinstance(own, str) else ""
        if own in ("yes", "no"):
            in_toms, source = own, "impact map"
        elif row is not None:
            in_toms, source = row["in_toms"], "crosswalk"
        else:
            in_toms, source = "unknown", "unknown"
        rows.append({
            "partner_id": pid, "outcome_id": oid, "stakeholder": stakeholder, "outcome": outcome,
            "theme": canonical_theme(theme), "indicator": text, "match": match,
            "indicator_id": row["indicator_id"] if row is not None else "",
            "matched_indicator": row["indicator"] if row is not None else UNMATCHED,
            "indicator_theme": row["theme"] if row is not None else "",
            "needs": row["needs"] if row is not None else "",
            "toms_area": row["toms_area"] if row is not None else "",
            "measure": measure if isinstance(measure, str) else "",
            "proxy_id": proxy_id if isinstance(proxy_id, str) else "",
            "in_toms": in_toms, "in_toms_source": source,
        })
    columns = ["partner_id", "outcome_id", "stakeholder", "outcome", "theme", "indicator", "match", "indicator_id",
               "matched_indicator", "indicator_theme", "needs", "toms_area", "measure", "proxy_id", "in_toms",
               "in_toms_source"]
    return pd.DataFrame(rows, columns=columns)


def outcomes_in_theme(mapped: pd.DataFrame, theme: str) -> pd.DataFrame:
    """The rows of :func:`map_outcomes` whose outcome is in ``theme`` (any case)."""
    return mapped[mapped["theme"].str.lower() == theme.strip().lower()].reset_index(drop=True)


def indicators_without_evidence(mapped: pd.DataFrame, theme: str | None = None) -> pd.DataFrame:
    """County Durham Pound indicators that no partner outcome maps to.

    Parameters
    ----------
    mapped : pandas.DataFrame
        From :func:`map_outcomes`.
    theme : str, optional
        Only this theme's indicators.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, theme, indicator, unit, toms_area``, in list order.
    """
    indicators = load_indicators()
    used = set(mapped["indicator_id"]) if "indicator_id" in mapped else set()
    gaps = indicators[~indicators["indicator_id"].isin(used)]
    if theme:
        gaps = gaps[gaps["theme"].str.lower() == theme.strip().lower()]
    return gaps[["indicator_id", "theme", "indicator", "unit", "toms_area"]].reset_index(drop=True)


# --- values ----------------------------------------------------------------------------

def combined_draws(per_partner: Mapping[str, np.ndarray]) -> np.ndarray:
    """A theme's value combined across partners draw by draw.

    Parameters
    ----------
    per_partner : mapping of partner_id to numpy.ndarray
        Each partner's present value of the theme per draw (GBP, same price year), all of
        the same length.

    Returns
    -------
    numpy.ndarray
        ``V_d = Σ_p V_{p,d}``, element-wise. Summarise this array; never sum percentiles.
    """
    if not per_partner:
        raise ValueError("no partner draws to combine")
    arrays = [np.asarray(v, float) for v in per_partner.values()]
    lengths = {a.shape for a in arrays}
    if len(lengths) != 1 or arrays[0].ndim != 1:
        raise ValueError(f"every partner needs the same number of draws (one-dimensional); got shapes {sorted(lengths)}")
    return np.sum(np.vstack(arrays), axis=0)


def collection_price_year(tables: Mapping[str, pd.DataFrame]) -> int:
    """The latest of the partners' own price years (the price index's last year if none is stated)."""
    years = pd.to_numeric(tables["Partner"]["price_year"], errors="coerce").dropna() if "Partner" in tables else []
    return int(max(years)) if len(years) else load_price_index().years[1]


def _rows(tables: Mapping[str, pd.DataFrame], name: str, partner_id: str) -> pd.DataFrame:
    frame = tables.get(name)
    if frame is None or "partner_id" not in frame:
        return pd.DataFrame()
    return frame[frame["partner_id"].astype(str) == partner_id].drop(columns="partner_id").reset_index(drop=True)


def _resolved(tables: Mapping[str, pd.DataFrame], partner_id: str, price_year: int, library: ProxyLibrary,
              price_index: str) -> pd.DataFrame:
    """A partner's impact map with every proxy in ``price_year`` prices (its own ids); a
    yearly series placed by the partner's period. Raises InputError naming each problem."""
    raw = _rows(tables, "ImpactMap", partner_id)
    partner = tables["Partner"][tables["Partner"]["partner_id"].astype(str) == partner_id]
    first_year = first_calendar_year(partner["period_start"].iloc[0]) if len(partner) else None
    resolved, problems = resolve_proxies(raw, library, price_year, price_index, first_year=first_year)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    return resolved


def partner_map(tables: Mapping[str, pd.DataFrame], partner_id: str, price_year: int, library: ProxyLibrary,
                price_index: str = "cpi") -> tuple[pd.DataFrame, pd.DataFrame | None, Investment]:
    """One partner's resolved impact map (its own outcome ids), its deflator survey answers
    (None when there are none) and its inputs as an :class:`Investment` (dated inputs
    discounted as in its report), from a collection's processed tables.

    Raises
    ------
    InputError
        A proxy cannot be resolved; ValueError: the partner's inputs add up to nothing.
    """
    resolved = _resolved(tables, partner_id, price_year, library, price_index)
    survey = _rows(tables, "DeflatorSurvey", partner_id)
    return resolved, survey if len(survey) else None, Investment.from_inputs(_rows(tables, "Inputs", partner_id))


def partner_rows(tables: Mapping[str, pd.DataFrame], name: str, partner_ids: Sequence[str],
                 columns: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """Each partner's rows of table ``name``, as :func:`partner_map` reads them (without
    ``partner_id``, indexed from 0; empty when it has none), the table split once; only
    ``columns`` (those the table has) when given."""
    frame = tables.get(name)
    if frame is None or "partner_id" not in frame:
        return {pid: pd.DataFrame() for pid in partner_ids}
    if columns is not None:
        frame = frame[["partner_id", *(c for c in columns if c in frame and c != "partner_id")]]
    keys = frame["partner_id"].astype(str)
    positions = keys.groupby(keys, sort=False).indices
    body = frame.drop(columns="partner_id")
    empty = body.iloc[0:0].reset_index(drop=True)
    return {pid: body.iloc[positions[pid]].reset_index(drop=True) if pid in positions else empty
            for pid in partner_ids}


@dataclass(frozen=True)
class ResolvedMaps:
    """Several partners' impact maps resolved together (:func:`resolved_maps`).

    Attributes
    ----------
    partner_ids : tuple of str
        The partners, in the order of their rows.
    impact_map : pandas.DataFrame
        Their resolved maps one after another, each partner's rows as :func:`partner_map`
        gives its map (its own outcome ids, every proxy in the price year), indexed from 0.
    starts : tuple of int
        The first row of each partner, then the number of rows.
    """

    partner_ids: tuple[str, ...]
    impact_map: pd.DataFrame
    starts: tuple[int, ...]

    def rows(self, i: int) -> slice:
        """The rows of the ``i``-th partner."""
        return slice(self.starts[i], self.starts[i + 1])


def resolved_maps(tables: Mapping[str, pd.DataFrame], partner_ids: Sequence[str], price_year: int,
                  library: ProxyLibrary, price_index: str = "cpi") -> list[ResolvedMaps]:
    """The impact maps of ``partner_ids`` resolved in as few passes as their proxies allow,
    every row exactly as :func:`partner_map` resolves it.

    A row is resolved from its own cells, and from its partner's first calendar year only
    when it names a yearly series (:func:`svlib.validate.impact_map.resolve_proxies`), so
    the maps that name no series are resolved in one pass, and a map that names one on its
    own, with its partner's period.

    Returns
    -------
    list of ResolvedMaps
        The maps that name no series first (in the order of ``partner_ids``), then each
        map that names one.

    Raises
    ------
    InputError
        The problems of the first partner, in the order of ``partner_ids``, whose proxies
        cannot be resolved, as :func:`partner_map` raises them.
    """
    impact = tables["ImpactMap"]
    keys = impact["partner_id"].astype(str)
    positions = keys.groupby(keys, sort=False).indices
    series = library.series_ids
    names_series = set(keys[impact["proxy_id"].isin(sorted(series))]) if "proxy_id" in impact and series else set()
    together = [pid for pid in partner_ids if pid not in names_series]
    try:
        blocks = []
        if together:
            order = np.concatenate([positions.get(pid, np.zeros(0, np.intp)) for pid in together])
            raw = impact.iloc[order].drop(columns="partner_id").reset_index(drop=True)
            resolved, problems = resolve_proxies(raw, library, price_year, price_index)
            if any(p.severity == "error" for p in problems):
                raise InputError([p for p in problems if p.severity == "error"])
            sizes = [len(positions.get(pid, ())) for pid in together]
            blocks.append(ResolvedMaps(tuple(together), resolved, tuple(np.concatenate([[0], np.cumsum(sizes)])
                                                                        .tolist())))
        for pid in partner_ids:
            if pid in names_series:
                own = _resolved(tables, pid, price_year, library, price_index)
                blocks.append(ResolvedMaps((pid,), own, (0, len(own))))
        return blocks
    except Exception:
        for pid in partner_ids:  # name the first partner's problems, as resolving one by one meets them
            _resolved(tables, pid, price_year, library, price_index)
        raise


def _investment(tables: Mapping[str, pd.DataFrame], partner_id: str) -> float:
    """The partner's inputs in GBP; 1.0 when none are recorded (only present values are
    used here, never the ratio)."""
    inputs = _rows(tables, "Inputs", partner_id)
    total = investment_total(inputs["value_gbp"]) if len(inputs) else 0.0
    return total if total > 0 else 1.0


def _summary(values: np.ndarray) -> dict[str, float]:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {"mean": float(np.mean(values)), "p5": float(p5), "p50": float(p50), "p95": float(p95)}


def theme_value(
    tables: Mapping[str, pd.DataFrame],
    theme: str,
    draws: int,
    seed: int,
    price_year: int | None = None,
    conventions: Conventions | None = None,
    library: ProxyLibrary | None = None,
) -> dict[str, Any]:
    """The present value of one theme across partners, with its uncertainty.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (Partner, ImpactMap, Inputs, DeflatorSurvey).
    theme : str
        A County Durham Pound theme (any case).
    draws, seed : int
        Monte Carlo draws and seed; the same seed is used for every partner (streams are
        per prefixed outcome id, see module notes).
    price_year : int, optional
        Price year of every value (default :func:`collection_price_year`).
    conventions : Conventions, optional
        Discounting and drop-off conventions (default the SROI guide's); its price year is
        replaced by the one used.
    library : ProxyLibrary, optional
        Proxy library (default the shipped one).

    Returns
    -------
    dict
        ``theme, price_year, draws, seed``; ``per_partner`` (partner_id to the array of the
        partner's theme present value per draw, GBP); ``combined`` (the draw-by-draw sum);
        ``summary`` (``mean, p5, p50, p95`` of ``combined``); ``by_partner`` (a table of
        each partner's ``outcomes, mean, p5, p50, p95``); ``outcomes`` (each theme outcome's
        mean present value, with ``partner_id`` and the partner's own ``outcome_id``); and
        ``conventions`` (as described by :meth:`Conventions.describe`).
    """
    theme_name = canonical_theme(theme)
    if theme_name not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; expected one of: {', '.join(THEMES)}")
    year = int(price_year) if price_year is not None else collection_price_year(tables)
    base = conventions or Conventions()
    used = replace(base, price_year=year)
    library = library or load_library()
    impact = tables["ImpactMap"]
    in_theme = impact["theme"].map(canonical_theme) == theme_name
    partner_ids = sorted(set(impact.loc[in_theme, "partner_id"].astype(str)))
    per_partner: dict[str, np.ndarray] = {}
    summaries, outcome_rows = [], []
    for pid in partner_ids:
        resolved = _resolved(tables, pid, year, library, used.price_index)
        survey = _rows(tables, "DeflatorSurvey", pid)
        themes = resolved["theme"].map(canonical_theme).to_numpy()
        sim = simulate(resolved, _investment(tables, pid), used, draws=draws, seed=seed, streams=pid,
                       survey=survey if len(survey) else None, keep_outcomes=True, groups=themes)
        columns = np.flatnonzero(themes == theme_name)
        outcome_pv = sim.outcome_present_value[:, columns]
        per_partner[pid] = sim.group_present_value[theme_name]  # summed as the forum sums a theme
        summaries.append({"partner_id": pid, "outcomes": len(columns), **_summary(per_partner[pid])})
        for j, c in enumerate(columns):
            outcome_rows.append({"partner_id": pid, "outcome_id": str(resolved["outcome_id"].iloc[c]),
                                 "mean_present_value": float(outcome_pv[:, j].mean())})
    combined = combined_draws(per_partner) if per_partner else np.zeros(int(draws))
    return {
        "theme": theme_name,
        "price_year": year,
        "draws": int(draws),
        "seed": int(seed),
        "per_partner": per_partner,
        "combined": combined,
        "summary": _summary(combined),
        "by_partner": pd.DataFrame(summaries, columns=["partner_id", "outcomes", "mean", "p5", "p50", "p95"]),
        "outcomes": pd.DataFrame(outcome_rows, columns=["partner_id", "outcome_id", "mean_present_value"]),
        "conventions": used.describe(),
    }


def deterministic_values(
    tables: Mapping[str, pd.DataFrame],
    price_year: int | None = None,
    conventions: Conventions | None = None,
    library: ProxyLibrary | None = None,
) -> pd.DataFrame:
    """Each outcome's present value at its central values (the headline's figures, with no
    uncertainty; :func:`svlib.uncertainty.estimates.central_valuation`), every partner in one
    price year.

    Returns
    -------
    pandas.DataFrame
        ``partner_id, outcome_id, theme, present_value`` (GBP in ``price_year`` prices,
        default :func:`collection_price_year`), for :func:`outside_toms_share`.
    """
    year = int(price_year) if price_year is not None else collection_price_year(tables)
    used = replace(conventions or Conventions(), price_year=year)
    library = library or load_library()
    frames = []
    for pid in sorted(set(tables["ImpactMap"]["partner_id"].astype(str))):
        resolved = _resolved(tables, pid, year, library, used.price_index)
        survey = _rows(tables, "DeflatorSurvey", pid)
        valuation = central_valuation(resolved, _investment(tables, pid), used, survey if len(survey) else None)
        frames.append(pd.DataFrame({
            "partner_id": pid,
            "outcome_id": resolved["outcome_id"].astype(str).to_numpy(),
            "theme": resolved["theme"].map(canonical_theme).to_numpy(),
            "present_value": valuation.outcome_present_value,
        }))
    if not frames:
        return pd.DataFrame(columns=["partner_id", "outcome_id", "theme", "present_value"])
    return pd.concat(frames, ignore_index=True)


def _joined_values(mapped: pd.DataFrame, values: pd.DataFrame | pd.Series, value_column: str) -> pd.DataFrame:
    """``mapped`` with each outcome's value (0 where none is given)."""
    if isinstance(values, pd.Series):
        if values.index.nlevels == 2:
            frame = values.rename(value_column).rename_axis(["partner_id", "outcome_id"]).reset_index()
        else:
            frame = values.rename(value_column).rename_axis("outcome_id").reset_index()
    else:
        frame = values
    keys = [k for k in ("partner_id", "outcome_id") if k in frame and k in mapped]
    if "outcome_id" not in keys:
        raise ValueError("values need an outcome_id (and, for several partners, a partner_id) to match outcomes")
    joined = mapped.merge(frame[[*keys, value_column]], on=keys, how="left", validate="one_to_one")
    joined[value_column] = pd.to_numeric(joined[value_column], errors="coerce").fillna(0.0)
    return joined


def toms_breakdown(mapped: pd.DataFrame, values: pd.DataFrame | pd.Series,
                   value_column: str = "present_value") -> pd.DataFrame:
    """Value inside and outside National TOMs.

    Returns
    -------
    pandas.DataFrame
        ``in_toms`` (yes, no, unknown), ``value`` (GBP), ``share`` of the total.
    """
    joined = _joined_values(mapped, values, value_column)
    totals = joined.groupby("in_toms")[value_column].sum().reindex(["yes", "no", "unknown"], fill_value=0.0)
    whole = float(totals.sum())
    return pd.DataFrame({"in_toms": totals.index, "value": totals.to_numpy(),
                         "share": totals.to_numpy() / whole if whole else np.zeros(3)})


def outside_toms_share(mapped: pd.DataFrame, values: pd.DataFrame | pd.Series,
                       value_column: str = "present_value") -> float:
    """Share of value in outcomes with ``in_toms == "no"``.

    Parameters
    ----------
    mapped : pandas.DataFrame
        From :func:`map_outcomes`.
    values : pandas.DataFrame or pandas.Series
        Each outcome's value: a table with ``outcome_id`` (and ``partner_id``) and
        ``value_column`` (such as :func:`deterministic_values`, or ``theme_value(...)
        ["outcomes"]`` with ``value_column="mean_present_value"``), or a Series indexed by
        ``outcome_id`` or by ``(partner_id, outcome_id)``.

    Returns
    -------
    float
        ``Σ value[in_toms = no] / Σ value`` (outcomes of unknown status count in the
        denominator only); NaN when the total is 0.
    """
    joined = _joined_values(mapped, values, value_column)
    whole = float(joined[value_column].sum())
    if whole == 0:
        return float("nan")
    return float(joined.loc[joined["in_toms"] == "no", value_column].sum()) / whole


# --- double counting -----------------------------------------------------------------

DOUBLE_COUNT_COLUMNS = ["check", "partner_ids", "outcome_ids", "stakeholder_group", "claim", "detail"]
SAME_MEASURE = "same TOMs measure or indicator, same stakeholders, two partners"
WAGE_AND_WELLBEING = "wage and wellbeing values for the same stakeholders"


def double_counting(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Possible double counts to check before values are added up.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (ImpactMap is used).

    Returns
    -------
    pandas.DataFrame
        ``check, partner_ids, outcome_ids`` (``partner:outcome``, ``"; "``-separated),
        ``stakeholder_group`` (normalised), ``claim`` and ``detail``; one row per flag.
        A flag asks for a check; it is not a finding.

    Notes
    -----
    (a) Across partners: two or more partners claim the same National TOMs ``measure``
    (or, where no measure is given, the same County Durham Pound indicator) for the same
    stakeholder group (:func:`normalise_stakeholder`): the same people may be counted by
    both. (b) Within a partner: a wage or employment value (proxies
    :data:`WAGE_PROXY_IDS` or an employment indicator, :data:`EMPLOYMENT_INDICATOR_IDS`)
    and a wellbeing value (:data:`WELLBEING_PROXY_IDS`) for the same stakeholder group:
    "do not add a wage value and a wellbeing value for the same person unless the source
    builds the proxy that way" (svlib reference data, method notes). The proxy id of an
    outcome of fewer than 5 people is shown as "withheld"
    (:func:`svlib.analysis.disclosure.is_small_outcome`).
    """
    impact = tables["ImpactMap"]
    mapped = map_outcomes(impact)
    mapped["group"] = [normalise_stakeholder(s) for s in mapped["stakeholder"]]
    mapped["ref"] = [f"{p}:{o}" for p, o in zip(mapped["partner_id"], mapped["outcome_id"])]
    flags: list[dict[str, str]] = []

    claims = []
    for measure, matched, indicator in zip(mapped["measure"], mapped["matched_indicator"], mapped["indicator"]):
        if measure.strip():
            claims.append(f"measure {measure.strip()}")
        elif matched != UNMATCHED:
            claims.append(f"indicator {matched}")
        elif indicator.strip():
            claims.append(f"indicator {indicator.strip()}")
        else:
            claims.append("")
    mapped["claim"] = claims
    for (claim, group), rows in mapped[mapped["claim"] != ""].groupby(["claim", "group"], sort=True):
        who = sorted(set(rows["partner_id"]))
        if len(who) < 2 or not group:
            continue
        flags.append({
            "check": SAME_MEASURE, "partner_ids": "; ".join(who), "outcome_ids": "; ".join(rows["ref"]),
            "stakeholder_group": group, "claim": claim,
            "detail": f"{len(who)} partners claim {claim} for '{group}': check they are not the same people "
                      "before adding the values",
        })

    small = small_outcomes(impact)
    shown_proxy = {ref: (WITHHELD if (str(p), str(o)) in small else proxy)  # a proxy id gives one person's value
                   for ref, p, o, proxy in zip(mapped["ref"], mapped["partner_id"], mapped["outcome_id"], mapped["proxy_id"])}
    wage = mapped["proxy_id"].isin(WAGE_PROXY_IDS) | mapped["indicator_id"].isin(EMPLOYMENT_INDICATOR_IDS)
    wellbeing = mapped["proxy_id"].isin(WELLBEING_PROXY_IDS)
    for (pid, group), rows in mapped.groupby(["partner_id", "group"], sort=True):
        wages = rows[wage.loc[rows.index]]
        goods = rows[wellbeing.loc[rows.index]]
        pairs = [(w, b) for w in wages["ref"] for b in goods["ref"] if w != b]
        if not pairs or not group:
            continue
        refs = list(dict.fromkeys([*wages["ref"], *goods["ref"]]))
        wage_text = ", ".join(f"{r} ({shown_proxy[r] or i})" for r, i in zip(wages["ref"], wages["indicator_id"]))
        good_text = ", ".join(f"{r} ({shown_proxy[r]})" for r in goods["ref"])
        flags.append({
            "check": WAGE_AND_WELLBEING, "partner_ids": str(pid), "outcome_ids": "; ".join(refs),
            "stakeholder_group": group, "claim": f"{wage_text} + {good_text}",
            "detail": f"paid work ({wage_text}) and a wellbeing value ({good_text}) for '{group}': do not add a wage "
                      "value and a wellbeing value for the same person unless the source builds the proxy that way",
        })
    return pd.DataFrame(flags, columns=DOUBLE_COUNT_COLUMNS)


def theme_quotes(tables: dict[str, pd.DataFrame], theme: str) -> pd.DataFrame:
    """Case studies cleared for sharing (consent and anonymised both yes, redacted) that
    evidence an outcome in ``theme``, beside that outcome, across partners."""
    impact = tables["ImpactMap"]
    in_theme = impact[impact["theme"].str.lower() == theme.strip().lower()][["partner_id", "outcome_id", "outcome"]]
    quotes = quotes_for_sharing(tables["CaseStudies"])
    if quotes.empty:
        return pd.DataFrame(columns=["partner_id", "outcome_id", "outcome", "title", "text"])
    merged = quotes.merge(in_theme, on=["partner_id", "outcome_id"], how="inner")
    return merged[["partner_id", "outcome_id", "outcome", "title", "text"]].reset_index(drop=True)


def theme_readings(tables: dict[str, pd.DataFrame], theme: str) -> pd.DataFrame:
    """Star readings of the partners that have outcomes in ``theme`` (the readings are
    not tied to single outcomes, so a partner's readings stand as evidence for its
    outcomes in the theme)."""
    impact = tables["ImpactMap"]
    partners = set(impact.loc[impact["theme"].str.lower() == theme.strip().lower(), "partner_id"])
    readings = tables["StarReadings"]
    return readings[readings["partner_id"].isin(partners)].reset_index(drop=True)
