"""Distance travelled: change in Outcomes-Star-style readings between a person's first
and latest reading.

A partner records, for each person it supports, a score in each area of a "star" (such as
the Youth Star's *Wellbeing* or *Education and work*) at several readings. This module
works with any star and any areas, on a 1-10 or a 1-5 scale, and reports:

* :func:`change_per_person`: each person's change from first to latest reading, per star
  and area;
* :func:`single_readings`: people with only one reading in an area (no change can be
  measured; they are reported, never dropped silently);
* :func:`summarise`: per star and area, how many people improved, the mean change with a
  t confidence interval, and a Wilcoxon signed-rank test of latest against first;
* :func:`quantity_from_readings`: the number of people whose readings show an outcome,
  beside the quantity the partner claimed in its impact map;
* :func:`chart`: mean first and latest score per area, for a charity manager.

Readings have the columns of the ``StarReadings`` sheet (:data:`svlib.contract.tables.STAR_READINGS`):
``person_ref, star, area, reading_number, reading_date, score``. When a ``partner_id``
column is present (as in :func:`svlib.pipeline.build.load_processed`), every result is also kept
apart by partner: ``P001`` of one partner is not ``P001`` of another.

Notes
-----
For person ``i`` in one area, with readings numbered ``1 .. k_i``, the *first* reading is
the one with the lowest ``reading_number`` and the *latest* the one with the highest::

    change_i = latest_score_i − first_score_i

For the ``n`` people with at least two readings in the area::

    share improving = #{i : change_i > 0} / n
    mean change     = d̄ = Σ change_i / n
    s               = sqrt( Σ (change_i − d̄)² / (n − 1) )
    CI              = d̄ ± t_{(1 + c)/2, n − 1} × s / sqrt(n)      (c = confidence, e.g. 0.95)

The p-value is the two-sided paired Wilcoxon signed-rank test of latest against first
(:func:`scipy.stats.wilcoxon` on ``latest − first``) with ``zero_method="wilcox"`` by
default: people whose score did not change are left out of the ranking, as in Wilcoxon
(1945); ``"pratt"`` (Pratt 1959) is available and more conservative. SciPy chooses the
exact or exhaustive-permutation p-value for small samples and the normal approximation
(adjusted for ties and zeros) for larger ones.

The scale of each star is detected from its scores (highest score ≤ 5 means a 1-5 star,
otherwise 1-10) unless given. Star scores are ordinal: the mean change and its interval
are a conventional summary (Triangle Consulting publish mean change per area), the
Wilcoxon test does not assume equal steps between points.

Counts of people in the numeric columns are exact: pass them through
:func:`svlib.analysis.disclosure.suppress_counts` before sharing. The plain-English ``summary``
column already writes small counts as ``"<5"``.

References
----------
Triangle Consulting Social Enterprise, *The Outcomes Star* (outcomesstar.org.uk): the
Journey of Change scales, 1-10 (most stars) or 1-5 (e.g. the Well-being Star), and
reporting of change between first and latest reading.
Wilcoxon, F. (1945) Individual comparisons by ranking methods. *Biometrics Bulletin* 1(6),
80-83.
Pratt, J. W. (1959) Remarks on zeros and ties in the Wilcoxon signed rank procedures.
*JASA* 54, 655-667.
Student (1908) The probable error of a mean. *Biometrika* 6(1), 1-25 (the t interval).
SciPy: ``scipy.stats.wilcoxon``, ``scipy.stats.t``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from svlib.analysis.disclosure import suppress_value
from svlib.core.labels import as_text

READING_COLUMNS: tuple[str, ...] = ("person_ref", "star", "area", "reading_number", "reading_date", "score")
"""Columns of a table of star readings (``reading_date`` is carried but not needed)."""

CHANGE_COLUMNS: tuple[str, ...] = (
    "person_ref", "star", "area", "first_score", "latest_score", "change", "n_readings", "scale_max",
)
"""Columns of :func:`change_per_person` (after ``partner_id`` when present)."""

SUMMARY_COLUMNS: tuple[str, ...] = (
    "star", "area", "scale_max", "n_people", "n_single", "n_improving", "share_improving",
    "mean_first", "mean_latest", "mean_change", "ci_low", "ci_high", "wilcoxon_statistic",
    "p_value", "summary",
)
"""Columns of :func:`summarise` (after ``partner_id`` when present)."""

FIVE_POINT_MAX = 5
"""A star whose highest score is at most this is read as a 1-5 star; otherwise 1-10."""

FLAG_MORE = "claimed more than the readings show"
FLAG_SUPPORTED = "readings support the claim"
FLAG_FEWER = "claimed fewer than the readings show"
FLAG_NOT_IN_MAP = "outcome not in the impact map"


def _partner(frame: pd.DataFrame) -> list[str]:
    """``["partner_id"]`` when the table carries one, else ``[]``."""
    return ["partner_id"] if "partner_id" in frame.columns else []


def _checked(readings: pd.DataFrame) -> pd.DataFrame:
    """The readings with the columns needed, scores as floats; raises ``ValueError``."""
    needed = [c for c in READING_COLUMNS if c != "reading_date"]
    missing = [c for c in needed if c not in readings.columns]
    if missing:
        raise ValueError(f"star readings lack column(s) {', '.join(missing)}; expected {', '.join(READING_COLUMNS)}")
    frame = readings[_partner(readings) + needed].copy()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    frame["reading_number"] = pd.to_numeric(frame["reading_number"], errors="coerce")
    blank = frame["score"].isna() | frame["reading_number"].isna()
    if blank.any():
        raise ValueError(f"{int(blank.sum())} star reading(s) have no score or reading_number; "
                         "fix or remove them before measuring distance travelled")
    return frame


def scale_of(readings: pd.DataFrame, scales: Mapping[str, int] | None = None) -> pd.Series:
    """The top of each star's scale (5 or 10), one value per reading row.

    Parameters
    ----------
    readings : pandas.DataFrame
        Star readings.
    scales : mapping of str to int, optional
        Scale maximum per star name, overriding detection (e.g. ``{"Youth Star": 10}``).

    Returns
    -------
    pandas.Series
        Aligned with ``readings``: ``5`` when the star's (per partner) highest score is
        at most :data:`FIVE_POINT_MAX`, else ``10``, unless ``scales`` names the star.

    Raises
    ------
    ValueError
        When a score is above the given scale maximum.
    """
    keys = _partner(readings) + ["star"]
    highest = readings.groupby(keys, sort=False)["score"].transform("max").astype(float)
    detected = pd.Series(np.where(highest <= FIVE_POINT_MAX, 5, 10), index=readings.index)
    if scales:
        given = readings["star"].map(dict(scales))
        detected = given.fillna(detected).astype(int)
        over = readings["score"].astype(float) > detected
        if over.any():
            stars = sorted(set(readings.loc[over, "star"]))
            raise ValueError(f"scores above the stated scale maximum for star(s): {', '.join(stars)}")
    return detected.astype(int)


def _first_latest(readings: pd.DataFrame, scales: Mapping[str, int] | None) -> pd.DataFrame:
    """Per person, star and area: first and latest score, number of readings, scale."""
    frame = _checked(readings)
    frame["scale_max"] = scale_of(frame, scales)
    keys = _partner(frame) + ["person_ref", "star", "area"]
    ordered = frame.sort_values(keys + ["reading_number"], kind="stable")
    grouped = ordered.groupby(keys, sort=True)
    out = grouped.agg(first_score=("score", "first"), latest_score=("score", "last"),
                      n_readings=("score", "size"), scale_max=("scale_max", "first")).reset_index()
    out["change"] = out["latest_score"] - out["first_score"]
    return out[keys + list(CHANGE_COLUMNS[3:])].reset_index(drop=True)


def change_per_person(readings: pd.DataFrame, scales: Mapping[str, int] | None = None) -> pd.DataFrame:
    """First-to-latest change for each person, star and area with two or more readings.

    Parameters
    ----------
    readings : pandas.DataFrame
        Columns ``person_ref, star, area, reading_number, score`` (and optionally
        ``partner_id``, ``reading_date``).
    scales : mapping of str to int, optional
        Scale maximum per star, overriding detection (see :func:`scale_of`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_COLUMNS` (``partner_id`` first when present), one row per
        person, star and area with at least two readings::

            change = latest_score − first_score

        where first is the lowest ``reading_number`` and latest the highest. People with
        one reading are in :func:`single_readings` instead.

    References
    ----------
    Triangle Consulting, The Outcomes Star: change from first to latest reading.
    """
    table = _first_latest(readings, scales)
    return table[table["n_readings"] >= 2].reset_index(drop=True)


def single_readings(readings: pd.DataFrame, scales: Mapping[str, int] | None = None) -> pd.DataFrame:
    """People with only one reading in an area: no change can be measured for them.

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`change_per_person`; ``latest_score`` equals
        ``first_score``, ``change`` is NaN and ``n_readings`` is 1.
    """
    table = _first_latest(readings, scales)
    single = table[table["n_readings"] < 2].reset_index(drop=True)
    single["change"] = np.nan
    return single


def _t_interval(changes: np.ndarray, confidence: float) -> tuple[float, float]:
    """``d̄ ± t_{(1+c)/2, n−1} s / sqrt(n)``; NaN for fewer than two values."""
    n = len(changes)
    if n < 2:
        return float("nan"), float("nan")
    mean = float(np.mean(changes))
    from scipy import stats  # imported when needed: it takes about 0.4 s

    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * float(np.std(changes, ddof=1)) / np.sqrt(n)
    return mean - half, mean + half


def _wilcoxon(first: np.ndarray, latest: np.ndarray, zero_method: str) -> tuple[float, float]:
    """Statistic and two-sided p of the paired signed-rank test; NaN when it cannot be
    computed (fewer than two people, or no one's score changed)."""
    differences = latest - first
    if len(differences) < 2 or not np.any(differences != 0):
        return float("nan"), float("nan")
    from scipy import stats  # imported when needed, as in _t_interval: it takes about 0.4 s

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # small-sample notes from SciPy
        warnings.simplefilter("ignore", UserWarning)
        result = stats.wilcoxon(latest, first, zero_method=zero_method)
    return float(result.statistic), float(result.pvalue)


def _sentence(area: str, scale_max: int, n: int, n_single: int, n_improving: int, mean_change: float,
              ci: tuple[float, float], p_value: float, confidence: float, threshold: int) -> str:
    """The plain-English line of one area; counts below ``threshold`` shown as ``<threshold``."""
    def count(k: int) -> str:
        return suppress_value(k, threshold) if threshold else str(k)

    single = (f" {count(n_single)} {'person' if n_single == 1 else 'people'} had only one reading and "
              "could not be counted." if n_single else "")
    if n == 0:
        return f"{area}: no one had two readings yet, so no change can be measured.{single}"
    if threshold and n < threshold:
        return (f"{area}: fewer than {threshold} people had two or more readings, too few to summarise "
                f"safely.{single}")
    if threshold and (0 < n_improving < threshold or 0 < n - n_improving < threshold):
        improved = (f"fewer than {threshold} of {n} people improved" if 0 < n_improving < threshold
                    else f"all but fewer than {threshold} of {n} people improved")
    else:
        improved = f"{n_improving} of {n} people ({n_improving / n:.0%}) improved"
    text = f"{area}: {improved}; the average change was {mean_change:+.1f} points on the 1-{scale_max} scale"
    if not np.isnan(ci[0]):
        text += f" ({confidence:.0%} confidence interval {ci[0]:+.1f} to {ci[1]:+.1f})"
    shown_p = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    if np.isnan(p_value) and n < 2:
        text += "; one person is too few to test."
    elif np.isnan(p_value):
        text += "; no one's score changed, so there is nothing to test."
    elif p_value < 0.05:
        text += f"; a change this large is unlikely to be chance (Wilcoxon test, {shown_p})."
    else:
        text += f"; this could be chance (Wilcoxon test, {shown_p})."
    return text + single


def summarise(readings: pd.DataFrame, confidence: float = 0.95, scales: Mapping[str, int] | None = None,
              zero_method: str = "wilcox", threshold: int = 5) -> pd.DataFrame:
    """Distance travelled per star and area.

    Parameters
    ----------
    readings : pandas.DataFrame
        Star readings (see :func:`change_per_person`).
    confidence : float
        Confidence level of the interval for the mean change (0-1).
    scales : mapping of str to int, optional
        Scale maximum per star, overriding detection.
    zero_method : {"wilcox", "pratt"}
        How the Wilcoxon test treats people whose score did not change: ``"wilcox"``
        (default) leaves them out; ``"pratt"`` ranks them and then drops their ranks.
    threshold : int
        Counts of people from 1 to ``threshold − 1`` are written ``"<threshold"`` in the
        ``summary`` text (0 writes exact counts). Numeric columns are always exact.

    Returns
    -------
    pandas.DataFrame
        One row per (partner,) star and area, columns :data:`SUMMARY_COLUMNS`:

        - ``n_people``: people with two or more readings; ``n_single``: with only one;
        - ``n_improving`` and ``share_improving = n_improving / n_people`` (change > 0);
        - ``mean_first``, ``mean_latest``: mean first and latest score of those people;
        - ``mean_change`` = d̄ and the t interval ``d̄ ± t_{(1+c)/2, n−1} s / sqrt(n)``
          (``ci_low``, ``ci_high``; NaN when n < 2);
        - ``wilcoxon_statistic`` and two-sided ``p_value`` of
          ``scipy.stats.wilcoxon(latest, first, zero_method=zero_method)``; NaN when
          n < 2 or every difference is zero;
        - ``summary``: one plain-English sentence.

    References
    ----------
    Wilcoxon (1945); Pratt (1959); Student (1908); Triangle Consulting, The Outcomes Star.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if zero_method not in ("wilcox", "pratt"):
        raise ValueError(f"zero_method must be 'wilcox' or 'pratt', not {zero_method!r}")
    table = _first_latest(readings, scales)
    keys = _partner(table) + ["star", "area"]
    rows = []
    for key, group in table.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        paired = group[group["n_readings"] >= 2]
        first = paired["first_score"].to_numpy(float)
        latest = paired["latest_score"].to_numpy(float)
        changes = latest - first
        n, n_single = len(paired), int((group["n_readings"] < 2).sum())
        n_improving = int((changes > 0).sum())
        mean_change = float(changes.mean()) if n else float("nan")
        ci = _t_interval(changes, confidence)
        statistic, p_value = _wilcoxon(first, latest, zero_method)
        scale_max = int(group["scale_max"].iloc[0])
        area = str(key[-1])
        rows.append({
            **dict(zip(keys, key)),
            "scale_max": scale_max, "n_people": n, "n_single": n_single, "n_improving": n_improving,
            "share_improving": n_improving / n if n else float("nan"),
            "mean_first": float(first.mean()) if n else float("nan"),
            "mean_latest": float(latest.mean()) if n else float("nan"),
            "mean_change": mean_change, "ci_low": ci[0], "ci_high": ci[1],
            "wilcoxon_statistic": statistic, "p_value": p_value,
            "summary": _sentence(area, scale_max, n, n_single, n_improving, mean_change, ci, p_value,
                                 confidence, threshold),
        })
    columns = _partner(table) + list(SUMMARY_COLUMNS)
    return pd.DataFrame(rows, columns=columns)


def quantity_from_readings(readings: pd.DataFrame, mapping: pd.DataFrame, impact_map: pd.DataFrame,
                           scales: Mapping[str, int] | None = None, tolerance: float = 0.0) -> pd.DataFrame:
    """How many people the readings show achieving each mapped outcome, beside the claim.

    Parameters
    ----------
    readings : pandas.DataFrame
        Star readings.
    mapping : pandas.DataFrame
        Columns ``star, area, outcome_id, min_improvement`` (points on the star's scale;
        optionally ``partner_id``). Several areas may map to one outcome.
    impact_map : pandas.DataFrame
        With ``outcome_id`` and ``quantity`` (and ``partner_id`` when the readings carry it).
    scales : mapping of str to int, optional
        Scale maximum per star, overriding detection.
    tolerance : float
        ``|difference| <= tolerance`` counts as support (default 0: exact agreement).

    Returns
    -------
    pandas.DataFrame
        One row per (partner and) mapped outcome: ``outcome_id``, ``areas`` (the mapped
        areas, joined by "; "), ``people_with_readings`` (distinct people with two or more
        readings in a mapped area), ``readings_quantity``, ``quantity`` (claimed),
        ``difference = quantity − readings_quantity`` and ``flag``.

    Notes
    -----
    ``readings_quantity`` is the number of distinct people ``i`` for whom some mapped area
    ``a`` has ``change_{i,a} >= min_improvement_a``: a person counts once per outcome even
    when several mapped areas improve. People with one reading cannot show a change and
    are not counted. With a ``partner_id`` in the readings but not in the mapping, the
    mapping applies to every partner, and a partner appears for an outcome only when it
    has readings in a mapped area. ``flag`` is :data:`FLAG_MORE` when ``difference > tolerance``,
    :data:`FLAG_FEWER` when ``difference < −tolerance``, else :data:`FLAG_SUPPORTED`
    (:data:`FLAG_NOT_IN_MAP` when the outcome is not in the impact map).

    References
    ----------
    Cabinet Office (2012) A guide to Social Return on Investment, stage 3 (evidencing
    outcomes: indicators and quantities).
    """
    missing = [c for c in ("star", "area", "outcome_id", "min_improvement") if c not in mapping.columns]
    if missing:
        raise ValueError(f"the mapping lacks column(s) {', '.join(missing)}; "
                         "expected star, area, outcome_id, min_improvement")
    changes = change_per_person(readings, scales)
    partner = _partner(changes)
    on = ["star", "area"] + [c for c in partner if c in mapping.columns]
    rules = mapping.copy()
    rules["min_improvement"] = pd.to_numeric(rules["min_improvement"], errors="raise").astype(float)
    matched = changes.merge(rules, on=on, how="inner")
    matched["achieved"] = matched["change"] >= matched["min_improvement"]
    keys = partner + ["outcome_id"]
    people = pd.concat([
        matched.groupby(keys, sort=True)["person_ref"].nunique().rename("people_with_readings"),
        matched[matched["achieved"]].groupby(keys, sort=True)["person_ref"].nunique().rename("readings_quantity"),
    ], axis=1).reset_index()
    if all(c in rules.columns for c in keys):  # mapped outcomes nobody has readings for yet
        people = rules[keys].drop_duplicates().merge(people, on=keys, how="left")
    areas = rules.groupby(["outcome_id"] + [c for c in partner if c in rules.columns], sort=False)["area"].agg(
        lambda a: "; ".join(dict.fromkeys(a))).rename("areas").reset_index()
    people = people.merge(areas, on=[c for c in areas.columns if c != "areas"], how="left")
    people[["people_with_readings", "readings_quantity"]] = (
        people[["people_with_readings", "readings_quantity"]].fillna(0).astype(int))
    map_keys = [c for c in keys if c in impact_map.columns]
    claimed = impact_map[map_keys + ["quantity"]].drop_duplicates(map_keys)
    out = people.merge(claimed, on=map_keys, how="left")
    out["quantity"] = pd.to_numeric(out["quantity"]).astype(float)
    out["difference"] = out["quantity"] - out["readings_quantity"]
    out["flag"] = np.select(
        [out["quantity"].isna(), out["difference"] > tolerance, out["difference"] < -tolerance],
        [FLAG_NOT_IN_MAP, FLAG_MORE, FLAG_FEWER], FLAG_SUPPORTED)
    columns = keys + ["areas", "people_with_readings", "readings_quantity", "quantity", "difference", "flag"]
    return out[columns].sort_values(keys, kind="stable").reset_index(drop=True)


def chart(summary_or_readings: pd.DataFrame, title: str | None = None, threshold: int = 5,
          scales: Mapping[str, int] | None = None) -> Figure:
    """Mean first and latest score per area, one panel per (partner and) star.

    Parameters
    ----------
    summary_or_readings : pandas.DataFrame
        A :func:`summarise` result, or star readings (summarised here).
    title : str, optional
        Figure title (default: "Distance travelled: average score at first and latest reading").
    threshold : int
        Numbers of people below this are labelled ``"<threshold"`` (0 shows exact counts).
    scales : mapping of str to int, optional
        Passed to :func:`summarise` when readings are given.

    Returns
    -------
    matplotlib.figure.Figure
        Each area is a row: a hollow dot at the mean first score, an arrow to a filled dot
        at the mean latest score; the number of people is in the area label. The x axis
        spans the star's scale (1-5 or 1-10).
    """
    summary = (summary_or_readings if {"mean_first", "mean_latest", "n_people"} <= set(summary_or_readings.columns)
               else summarise(summary_or_readings, scales=scales, threshold=threshold))
    keys = _partner(summary) + ["star"]
    panels = list(summary.groupby(keys, sort=True)) if len(summary) else []
    heights = [max(len(group), 1) for _, group in panels] or [1]
    fig = Figure(figsize=(8, 0.55 * sum(heights) + 1.6 * max(len(panels), 1)), layout="constrained")
    fig.suptitle(as_text(title or "Distance travelled: average score at first and latest reading"))
    if not panels:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "No star readings", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, (key, group) in zip(axes, panels):
        key = key if isinstance(key, tuple) else (key,)
        group = group[group["n_people"] > 0].iloc[::-1]
        y = np.arange(len(group))
        first, latest = group["mean_first"].to_numpy(float), group["mean_latest"].to_numpy(float)
        for yi, a, b in zip(y, first, latest):
            ax.annotate("", xy=(b, yi), xytext=(a, yi),
                        arrowprops={"arrowstyle": "->", "color": "#8fb8de", "lw": 2, "shrinkA": 5, "shrinkB": 5})
        ax.scatter(first, y, s=60, facecolors="white", edgecolors="#1f4e79", zorder=3, label="first reading")
        ax.scatter(latest, y, s=60, color="#1f4e79", zorder=3, label="latest reading")
        labels = [as_text(f"{area} ({suppress_value(n, threshold) if threshold else n} "
                          f"{'person' if n == 1 else 'people'})") for area, n in zip(group["area"], group["n_people"])]
        ax.set_yticks(y, labels)
        scale_max = int(group["scale_max"].max()) if "scale_max" in group and len(group) else 10
        ax.set_xlim(0.5, scale_max + 0.5)
        ax.set_xticks(range(1, scale_max + 1))
        ax.set_ylim(-0.7, max(len(group), 1) - 0.3)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel(f"average score (1 = lowest, {scale_max} = highest)")
        heading = str(key[-1]) if len(key) == 1 else f"{key[-1]} ({key[0]})"
        ax.set_title(as_text(heading), loc="left", fontsize="medium")
    if fig.axes:  # one key for every panel, below them, so it never covers a reading
        handles, labels = fig.axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize="small", frameon=False)
    return fig
