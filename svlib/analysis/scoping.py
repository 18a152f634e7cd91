"""Baseline scoping across partners: where each partner stands before an SROI.

Pure functions over the processed tables (:func:`svlib.pipeline.build.load_processed`, keyed by
sheet name, each with ``partner_id``): commissioning, the funder reporting calendar,
quality marks, carbon policy, data systems, and a transparent readiness score that the
forum uses to shortlist partners for a first full SROI.

Notes
-----
Reporting calendar (:func:`reporting_heatmap`). Each listed report recurs from the
month of its ``due_date`` onward by its ``frequency``:

* ``monthly``: every month; ``quarterly``: every 3 months; ``annual``: every 12 months,
  with no end date (a funder's recurring report is assumed to continue);
* ``one-off``: only the month of ``due_date``;
* never before ``due_date`` (no back-filling).

Partners often list each instance of a recurring report as its own row (the quarterly
return due in July, October, January ...). So that such a series is not counted twice,
occurrences are de-duplicated on (partner, funder, report, month), comparing funder and
report text case-insensitively with spaces collapsed: the same report falls due at most
once per month. Two genuinely different reports that share funder and report text in the
same month are therefore counted once.

Quality marks (:func:`quality_mark_status`), with ``end = as_of + horizon_months``
calendar months (``pandas.DateOffset``; a month-end date stays in the shorter month,
31 January + 1 month = 28 or 29 February):

* no ``expiry_date``: ``"no expiry date"``;
* ``expiry_date < as_of``: ``"expired"``;
* ``as_of <= expiry_date <= end``: ``"expires within horizon"`` (a mark expiring today is
  still valid today, and expiring);
* ``expiry_date > end``: ``"in date"``.

Readiness (:func:`readiness`): six components, each 0-1, and

    score = 100 × Σ_c w_c × component_c / Σ_c w_c

with the weights :data:`DEFAULT_WEIGHTS` (equal) unless the caller gives others. Every
component, the weights and the score are returned, so a reader can recompute it.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 1 (establishing
scope and identifying stakeholders).
docs/design.md, "Partner workbook" (Baseline, ReportingCalendar, QualityMarks sheets).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from svlib.core.labels import as_text

# --- shared vocabulary ------------------------------------------------------------

IN_DATE = "in date"
EXPIRES_WITHIN_HORIZON = "expires within horizon"
EXPIRED = "expired"
NO_EXPIRY_DATE = "no expiry date"

FREQUENCY_MONTHS: dict[str, int | None] = {"monthly": 1, "quarterly": 3, "annual": 12, "one-off": None}
"""Months between occurrences of a recurring report (``None``: it happens once)."""

ENGAGEMENT_SCORE: dict[str, float] = {"none": 0.0, "occasional": 0.5, "regular": 1.0}
"""Readiness component ``commissioning`` for each ``commissioning_engagement``."""

SROI_EXPERIENCE_SCORE: dict[str, float] = {"none": 0.0, "some": 0.5, "assured": 1.0}
"""Readiness component ``sroi_experience`` for each answer."""

NAMED_SYSTEM, PAPER_ONLY, NO_SYSTEM = "named system", "paper only", "none"
DATA_SCORE: dict[str, float] = {NAMED_SYSTEM: 1.0, PAPER_ONLY: 0.25, NO_SYSTEM: 0.0}
"""Readiness component ``data``: a named system other than paper forms 1, paper only 0.25,
nothing recorded 0."""

QUALITY_VALID: tuple[str, ...] = (IN_DATE, EXPIRES_WITHIN_HORIZON)
"""Mark statuses counted as held by the ``quality`` component. A mark with no expiry date is
not counted: its validity cannot be checked from the workbook."""

SURVEY_MIN_ANSWERS = 5
"""Deflator survey answers (for one factor of one outcome) that make an outcome count as
evidenced; fewer carry the "treat as indicative" warning in :mod:`svlib.uncertainty.deflators`."""

NOT_A_SYSTEM: frozenset[str] = frozenset({"none", "n/a", "na", "nil", "-", "no system", "nothing"})
"""Entries in ``data_systems`` that mean "no system" (case-insensitive)."""

COMPONENTS: tuple[str, ...] = ("commissioning", "sroi_experience", "data", "quality", "evidence", "calendar_load")
"""The readiness components, each 0-1."""

DEFAULT_WEIGHTS: dict[str, float] = {c: 1.0 for c in COMPONENTS}
"""Equal weights: there is no evidence yet that any component matters more for a first SROI,
so none is favoured; the forum may set its own (a weight of 0 drops a component)."""

CALENDAR_MONTHS = 12
"""Months of funder reporting, from ``as_of``, over which readiness finds a partner's busiest month."""


# --- small helpers ------------------------------------------------------------------

def _table(tables: Mapping[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    """A table from the collection, or an empty one with ``columns`` when absent."""
    frame = tables.get(name)
    if frame is None:
        return pd.DataFrame(columns=["partner_id", *columns])
    return frame


def partners(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every partner in the collection: ``partner_id`` and ``name`` (blank if unknown),
    sorted by ``partner_id``. Taken from the Partner table, plus any id seen in another
    table (a fixture may omit the Partner table)."""
    ids: set[str] = set()
    names: dict[str, str] = {}
    if "Partner" in tables:
        frame = tables["Partner"]
        ids |= set(frame["partner_id"].astype(str))
        if "name" in frame:
            names = dict(zip(frame["partner_id"].astype(str), frame["name"].astype(str)))
    for name, frame in tables.items():
        if name != "Partner" and frame is not None and "partner_id" in frame:
            ids |= set(frame["partner_id"].dropna().astype(str))
    ordered = sorted(ids)
    return pd.DataFrame({"partner_id": ordered, "name": [names.get(p, "") for p in ordered]})


def as_of_date(text: str | dt.date | None = "") -> dt.date:
    """The day statuses are judged on: ``text`` as an ISO date (``2026-11-25``), or today
    when blank (``svlib reports`` passes the run's date, which its record keeps).

    Raises
    ------
    ValueError
        ``text`` is not a date written as year-month-day.
    """
    if isinstance(text, dt.date):
        return text
    if text is None or not str(text).strip():
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"as_of must be a date written as year-month-day (2026-11-25), not {text!r}") from None


def _timestamp(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """A day as a midnight ``Timestamp``."""
    return pd.Timestamp(value).normalize()


def _month_number(when: pd.Timestamp) -> int:
    """Months since year 0: ``year × 12 + month − 1`` (so consecutive months differ by 1)."""
    return when.year * 12 + when.month - 1


def _month_label(number: int) -> str:
    """``"2025-04"`` for a month number."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _text_key(value: Any) -> str:
    """Text compared case-insensitively with spaces collapsed."""
    return re.sub(r"\s+", " ", str(value if isinstance(value, str) else "")).strip().casefold()


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _baseline(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One Baseline row per partner (blank fields for a partner without the sheet) and a
    ``baseline_recorded`` flag."""
    who = partners(tables)
    baseline = _table(tables, "Baseline", ["commissioning_engagement", "commissioners", "public_contract_value_gbp",
                                           "carbon_policy", "net_zero_target_year", "data_systems", "sroi_experience"])
    merged = who.merge(baseline.assign(baseline_recorded=True), on="partner_id", how="left")
    merged["baseline_recorded"] = merged["baseline_recorded"].eq(True)
    return merged


# --- commissioning and carbon ----------------------------------------------------------

def commissioning_summary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """How each partner works with public commissioners.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (the Baseline sheet is used).

    Returns
    -------
    pandas.DataFrame
        ``partner_id, name, commissioning_engagement`` (none | occasional | regular; blank
        when the Baseline sheet is absent), ``commissioners`` (as written),
        ``n_commissioners`` (names separated by ``;`` or ``,``) and
        ``public_contract_value_gbp`` (GBP a year, as stated by the partner), by partner.
    """
    base = _baseline(tables)
    counts = [len(_split_list(v)) for v in base["commissioners"]]
    return pd.DataFrame({
        "partner_id": base["partner_id"],
        "name": base["name"],
        "commissioning_engagement": base["commissioning_engagement"],
        "commissioners": base["commissioners"].fillna(""),
        "n_commissioners": np.asarray(counts, int),
        "public_contract_value_gbp": pd.to_numeric(base["public_contract_value_gbp"], errors="coerce"),
    })


def carbon_summary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each partner's carbon policy and net zero target year.

    Returns
    -------
    pandas.DataFrame
        ``partner_id, name, carbon_policy`` (none | in development | in place; blank when
        not recorded), ``net_zero_target_year`` (nullable whole number) and
        ``has_target`` (a target year is stated), by partner.
    """
    base = _baseline(tables)
    years = pd.array(pd.to_numeric(base["net_zero_target_year"], errors="coerce"), dtype="Int64")
    return pd.DataFrame({
        "partner_id": base["partner_id"],
        "name": base["name"],
        "carbon_policy": base["carbon_policy"],
        "net_zero_target_year": years,
        "has_target": ~pd.isna(years),
    })


# --- reporting calendar --------------------------------------------------------------

def reporting_occurrences(tables: Mapping[str, pd.DataFrame], start: dt.date, months: int = 12) -> pd.DataFrame:
    """Every funder report falling due in the window, one row per report and month.

    The window is the ``months`` calendar months beginning with the month of ``start``.
    Recurrence and de-duplication follow the module notes.

    Returns
    -------
    pandas.DataFrame
        ``partner_id, funder, report, frequency, listed_due_date, month`` (``"2025-04"``),
        sorted by partner and month.
    """
    if int(months) < 1:
        raise ValueError("months must be at least 1")
    first = _month_number(_timestamp(start))
    last = first + int(months)  # exclusive
    calendar = _table(tables, "ReportingCalendar", ["funder", "report", "due_date", "frequency"])
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str, int]] = set()
    for pid, funder, report, due, frequency in zip(calendar["partner_id"], calendar["funder"], calendar["report"],
                                                   calendar["due_date"], calendar["frequency"]):
        if _blank(due) or pd.isna(due):
            continue
        frequency = str(frequency).strip().lower()
        if frequency not in FREQUENCY_MONTHS:
            raise ValueError(f"unknown report frequency {frequency!r}; expected one of {', '.join(FREQUENCY_MONTHS)}")
        for month in _occurrences(_month_number(_timestamp(due)), FREQUENCY_MONTHS[frequency], first, last):
            key = (str(pid), _text_key(funder), _text_key(report), month)
            if key in seen:
                continue
            seen.add(key)
            rows.append({"partner_id": str(pid), "funder": funder, "report": report, "frequency": frequency,
                         "listed_due_date": _timestamp(due), "month": _month_label(month), "_month": month})
    frame = pd.DataFrame(rows, columns=["partner_id", "funder", "report", "frequency", "listed_due_date", "month",
                                        "_month"])
    frame = frame.sort_values(["partner_id", "_month", "funder", "report"], kind="stable").drop(columns="_month")
    return frame.reset_index(drop=True)


def _occurrences(due: int, step: int | None, first: int, last: int) -> range:
    """Month numbers in ``[first, last)`` at which a report first due in month ``due``
    recurs every ``step`` months (once when ``step`` is None), never before ``due``."""
    if step is None:
        return range(due, due + 1) if first <= due < last else range(0)
    begin = due if due >= first else due + math.ceil((first - due) / step) * step
    return range(begin, last, step)


def reporting_heatmap(tables: Mapping[str, pd.DataFrame], start: dt.date, months: int = 12) -> pd.DataFrame:
    """A month × partner count of funder reports due.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (ReportingCalendar is used; every partner gets a column).
    start : datetime.date
        Any day in the first month of the window.
    months : int
        Number of calendar months shown.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``"2025-04"`` strings, every month in the window), columns
        ``partner_id`` (every partner, sorted), whole-number counts of reports due. The rule
        (recurrence from ``due_date`` onward by frequency, one-off once, same report once a
        month) is in the module notes and in ``attrs["rule"]``.

    Examples
    --------
    A quarterly report due 15 May 2025, window April 2025 for 12 months: counted in
    2025-05, 2025-08, 2025-11 and 2026-02.
    """
    first = _month_number(_timestamp(start))
    labels = [_month_label(first + k) for k in range(int(months))]
    occurrences = reporting_occurrences(tables, start, months)
    ids = list(partners(tables)["partner_id"])
    counts = pd.crosstab(occurrences["month"], occurrences["partner_id"]) if len(occurrences) else pd.DataFrame()
    heatmap = counts.reindex(index=labels, columns=ids, fill_value=0).fillna(0).astype(int)
    heatmap.index.name, heatmap.columns.name = "month", "partner_id"
    heatmap.attrs["rule"] = ("reports recur from due_date onward: monthly every month, quarterly every 3 months, "
                             "annual every 12 months, one-off once; the same partner, funder and report counts once "
                             "a month")
    return heatmap


def heatmap_figure(heatmap: pd.DataFrame) -> Figure:
    """The reporting calendar as a chart: partners down the side, months across, each cell
    the number of funder reports due.

    Parameters
    ----------
    heatmap : pandas.DataFrame
        From :func:`reporting_heatmap`.

    Returns
    -------
    matplotlib.figure.Figure
        Built with the object-oriented API (no pyplot state).
    """
    values = heatmap.to_numpy(int).T  # partners × months
    n_partners, n_months = values.shape
    fig = Figure(figsize=(max(6.0, 0.6 * n_months + 3), max(2.5, 0.45 * n_partners + 1.6)), layout="constrained")
    ax = fig.add_subplot()
    top = max(int(values.max(initial=0)), 1)
    image = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=top)
    ax.set_xticks(range(n_months), list(heatmap.index), rotation=90)
    ax.set_yticks(range(n_partners), [as_text(c) for c in heatmap.columns])
    for i in range(n_partners):
        for j in range(n_months):
            if values[i, j]:
                ax.text(j, i, str(values[i, j]), ha="center", va="center",
                        color="white" if values[i, j] > top / 2 else "black", fontsize="small")
    ax.set_xlabel("month")
    ax.set_title("Funder reports due each month")
    colorbar = fig.colorbar(image, ax=ax, ticks=MaxNLocator(integer=True))
    colorbar.set_label("reports due")
    return fig


# --- quality marks --------------------------------------------------------------------

def quality_mark_status(tables: Mapping[str, pd.DataFrame], as_of: dt.date, horizon_months: int) -> pd.DataFrame:
    """Each quality mark's status on ``as_of``.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (QualityMarks is used).
    as_of : datetime.date
        The day the status is judged on.
    horizon_months : int
        Calendar months ahead that count as "expires within horizon".

    Returns
    -------
    pandas.DataFrame
        ``partner_id, mark, awarded_date, expiry_date, days_to_expiry`` (``expiry_date −
        as_of`` in days, negative once expired, blank without an expiry date) and
        ``status``: "in date", "expires within the horizon", "expired" or "no expiry date", by the rule in the module notes.
        ``attrs`` records ``as_of`` and ``horizon_end``.

    Examples
    --------
    ``as_of`` 1 April 2025, 6 months: expiry 31 March 2025 is "expired"; 1 April 2025 and
    1 October 2025 are "expires within horizon"; 2 October 2025 is "in date".
    """
    if int(horizon_months) < 0:
        raise ValueError("horizon_months must be 0 or more")
    today = _timestamp(as_of)
    end = today + pd.DateOffset(months=int(horizon_months))
    marks = _table(tables, "QualityMarks", ["mark", "awarded_date", "expiry_date"])
    expiry = pd.to_datetime(marks["expiry_date"], errors="coerce").dt.normalize()
    days = (expiry - today).dt.days
    status = np.select(
        [expiry.isna(), expiry < today, expiry <= end],
        [NO_EXPIRY_DATE, EXPIRED, EXPIRES_WITHIN_HORIZON],
        default=IN_DATE,
    )
    out = pd.DataFrame({
        "partner_id": marks["partner_id"].astype(str).to_numpy(),
        "mark": marks["mark"].to_numpy(),
        "awarded_date": pd.to_datetime(marks["awarded_date"], errors="coerce").to_numpy(),
        "expiry_date": expiry.to_numpy(),
        "days_to_expiry": pd.array(days, dtype="Int64"),
        "status": status.astype(object),
    })
    out = out.sort_values(["partner_id", "expiry_date", "mark"], kind="stable", na_position="last").reset_index(drop=True)
    out.attrs.update({"as_of": today.date().isoformat(), "horizon_months": int(horizon_months),
                      "horizon_end": end.date().isoformat()})
    return out


# --- data systems -------------------------------------------------------------------

class DataSystems(NamedTuple):
    """:func:`data_systems`' result: one row per partner, and counts per system."""

    by_partner: pd.DataFrame
    counts: pd.DataFrame


def _split_list(text: Any) -> list[str]:
    """Free text split on commas and semicolons, each part trimmed with spaces collapsed;
    blanks dropped."""
    if _blank(text) or not isinstance(text, str):
        return []
    return [re.sub(r"\s+", " ", part).strip() for part in re.split(r"[;,]", text) if part.strip()]


def _is_paper(key: str) -> bool:
    return "paper" in key


def data_systems(tables: Mapping[str, pd.DataFrame]) -> DataSystems:
    """Data systems each partner uses, and how many partners use each.

    ``data_systems`` free text is split on commas and semicolons; each entry is trimmed
    and compared case-insensitively (``"excel"`` and ``"Excel"`` are one system, shown
    with its most common spelling, ties broken alphabetically). Entries meaning "none"
    (:data:`NOT_A_SYSTEM`) are dropped; an entry mentioning "paper" is a paper system.

    Returns
    -------
    DataSystems
        ``by_partner``: ``partner_id, name, systems`` (normalised names joined by
        ``"; "``), ``n_systems``, ``data_level`` (``"named system"`` when any system other
        than paper is used, ``"paper only"``, or ``"none"``) and ``sroi_experience``.
        ``counts``: ``system, partners`` (number using it), ``partner_ids`` and
        ``paper``, most used first.
    """
    base = _baseline(tables)
    parsed: list[list[str]] = []
    spellings: dict[str, dict[str, int]] = {}
    for text in base["data_systems"]:
        entries = [e for e in _split_list(text) if e.casefold() not in NOT_A_SYSTEM]
        keys = list(dict.fromkeys(e.casefold() for e in entries))
        for entry in entries:
            spellings.setdefault(entry.casefold(), {}).setdefault(entry, 0)
            spellings[entry.casefold()][entry] += 1
        parsed.append(keys)
    display = {key: min(found.items(), key=lambda kv: (-kv[1], kv[0]))[0] for key, found in spellings.items()}
    levels = []
    for keys in parsed:
        if any(not _is_paper(k) for k in keys):
            levels.append(NAMED_SYSTEM)
        elif keys:
            levels.append(PAPER_ONLY)
        else:
            levels.append(NO_SYSTEM)
    by_partner = pd.DataFrame({
        "partner_id": base["partner_id"],
        "name": base["name"],
        "systems": ["; ".join(display[k] for k in keys) for keys in parsed],
        "n_systems": np.asarray([len(keys) for keys in parsed], int),
        "data_level": levels,
        "sroi_experience": base["sroi_experience"],
    })
    users: dict[str, list[str]] = {}
    for pid, keys in zip(base["partner_id"], parsed):
        for key in keys:
            users.setdefault(key, []).append(str(pid))
    counts = pd.DataFrame({
        "system": [display[k] for k in users],
        "partners": np.asarray([len(v) for v in users.values()], int),
        "partner_ids": ["; ".join(sorted(v)) for v in users.values()],
        "paper": [_is_paper(k) for k in users],
    }, columns=["system", "partners", "partner_ids", "paper"])
    counts = counts.sort_values(["partners", "system"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return DataSystems(by_partner, counts)


# --- readiness -------------------------------------------------------------------------

def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """:data:`DEFAULT_WEIGHTS` updated by ``weights``; checked."""
    used = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise ValueError(f"unknown readiness component {key!r}; expected one of: {', '.join(COMPONENTS)}")
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"the weight of {key} must be a number of at least 0, not {value}")
        used[key] = value
    if sum(used.values()) <= 0:
        raise ValueError("at least one readiness weight must be above 0")
    return used


def _evidence_shares(tables: Mapping[str, pd.DataFrame], ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per partner: outcomes with at least :data:`SURVEY_MIN_ANSWERS` survey answers for
    some factor, and outcomes in the impact map."""
    impact = _table(tables, "ImpactMap", ["outcome_id"])
    survey = _table(tables, "DeflatorSurvey", ["respondent_ref", "outcome_id", "factor", "answer"])
    answers = survey.groupby(["partner_id", "outcome_id", "factor"]).size() if len(survey) else pd.Series(dtype=int)
    evidenced_keys = {(str(p), str(o)) for (p, o, _), n in answers.items() if n >= SURVEY_MIN_ANSWERS}
    evidenced, total = [], []
    for pid in ids:
        outcomes = {str(o) for o in impact.loc[impact["partner_id"].astype(str) == pid, "outcome_id"]}
        total.append(len(outcomes))
        evidenced.append(sum((pid, o) in evidenced_keys for o in outcomes))
    return np.asarray(evidenced, int), np.asarray(total, int)


def readiness(
    tables: Mapping[str, pd.DataFrame],
    as_of: dt.date,
    horizon_months: int,
    weights: Mapping[str, float] | None = None,
    calendar_months: int = CALENDAR_MONTHS,
) -> pd.DataFrame:
    """A transparent 0-100 readiness score per partner for a first full SROI.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables.
    as_of : datetime.date
        The day quality marks are judged on and the reporting window starts.
    horizon_months : int
        Quality-mark horizon (see :func:`quality_mark_status`).
    weights : mapping of component to weight, optional
        Replace :data:`DEFAULT_WEIGHTS` for the components given (each >= 0).
    calendar_months : int
        Months of the reporting calendar, from ``as_of``, searched for the busiest month.

    Returns
    -------
    pandas.DataFrame
        One row per partner, highest score first (ties by ``partner_id``): ``partner_id,
        name``, the components ``commissioning, sroi_experience, data, quality, evidence,
        calendar_load`` (each 0-1), ``score`` (0-100), ``rank`` (1 = most ready; ties
        share a rank), the counts behind them (``marks_valid, marks_total,
        outcomes_evidenced, outcomes_total, busiest_month_reports``) and the weights used
        (``weight_<component>``; also ``attrs["weights"]``).

    Notes
    -----
    Components (each 0-1):

    * ``commissioning``: none 0, occasional 0.5, regular 1 (:data:`ENGAGEMENT_SCORE`);
    * ``sroi_experience``: none 0, some 0.5, assured 1;
    * ``data``: a named data system other than paper forms 1, paper only 0.25, none 0;
    * ``quality``: marks_valid / marks_total, where valid means "in date" or "expires
      within horizon" (:data:`QUALITY_VALID`); 0 with no marks;
    * ``evidence``: outcomes_evidenced / outcomes_total, an outcome being evidenced when
      one of its factors has at least 5 deflator survey answers; 0 with no outcomes;
    * ``calendar_load``: ``1 − busiest / max_p(busiest_p)``, where ``busiest`` is the
      partner's largest monthly count in :func:`reporting_heatmap` over
      ``calendar_months`` from ``as_of`` (1 for everyone when nobody reports): partners
      less busy with funder reporting score higher.

    A partner without a Baseline sheet scores 0 on the first three (nothing recorded).
    ``score = 100 × Σ_c w_c × component_c / Σ_c w_c``.
    """
    used = _weights(weights)
    who = partners(tables)
    ids = list(who["partner_id"])
    base = _baseline(tables).set_index("partner_id").reindex(ids)
    systems = data_systems(tables).by_partner.set_index("partner_id").reindex(ids)

    marks = quality_mark_status(tables, as_of, horizon_months)
    valid = marks["status"].isin(QUALITY_VALID).groupby(marks["partner_id"]).sum()
    held = marks.groupby("partner_id").size()
    marks_valid = valid.reindex(ids, fill_value=0).to_numpy(int)
    marks_total = held.reindex(ids, fill_value=0).to_numpy(int)

    evidenced, outcomes = _evidence_shares(tables, ids)
    heatmap = reporting_heatmap(tables, as_of, calendar_months)
    busiest = heatmap.max(axis=0).reindex(ids, fill_value=0).to_numpy(int) if len(heatmap) else np.zeros(len(ids), int)
    most = busiest.max(initial=0)

    components = {
        "commissioning": np.array([ENGAGEMENT_SCORE.get(str(v).strip().lower(), 0.0) if not _blank(v) else 0.0
                                   for v in base["commissioning_engagement"]], float),
        "sroi_experience": np.array([SROI_EXPERIENCE_SCORE.get(str(v).strip().lower(), 0.0) if not _blank(v) else 0.0
                                     for v in base["sroi_experience"]], float),
        "data": np.array([DATA_SCORE[v] for v in systems["data_level"]], float),
        "quality": np.divide(marks_valid, marks_total, out=np.zeros(len(ids)), where=marks_total > 0),
        "evidence": np.divide(evidenced, outcomes, out=np.zeros(len(ids)), where=outcomes > 0),
        "calendar_load": 1.0 - busiest / most if most > 0 else np.ones(len(ids)),
    }
    total_weight = sum(used.values())
    score = 100.0 * sum(used[c] * components[c] for c in COMPONENTS) / total_weight
    out = pd.DataFrame({"partner_id": ids, "name": list(who["name"]), **components, "score": score})
    out["marks_valid"], out["marks_total"] = marks_valid, marks_total
    out["outcomes_evidenced"], out["outcomes_total"] = evidenced, outcomes
    out["busiest_month_reports"] = busiest
    for c in COMPONENTS:
        out[f"weight_{c}"] = used[c]
    out = out.sort_values(["score", "partner_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(out.columns.get_loc("score") + 1, "rank",
               out["score"].round(9).rank(method="min", ascending=False).astype(int))
    out.attrs.update({"weights": used, "as_of": _timestamp(as_of).date().isoformat(),
                      "horizon_months": int(horizon_months), "calendar_months": int(calendar_months),
                      "formula": "score = 100 × Σ w_c × component_c / Σ w_c"})
    return out


def shortlist(readiness_df: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` most ready partners from :func:`readiness` (highest score first, ties by
    ``partner_id``). ``attrs["tie_at_cut"]`` is True when the next partner has the same
    score as the last one kept, so the forum can see the cut was arbitrary."""
    if int(n) < 1:
        raise ValueError("n must be at least 1")
    ordered = readiness_df.sort_values(["score", "partner_id"], ascending=[False, True], kind="stable")
    ordered = ordered.reset_index(drop=True)
    kept = ordered.head(int(n)).copy()
    tie = len(ordered) > n and bool(np.isclose(ordered["score"].iloc[n - 1], ordered["score"].iloc[n]))
    kept.attrs = {**readiness_df.attrs, "tie_at_cut": tie}
    return kept
