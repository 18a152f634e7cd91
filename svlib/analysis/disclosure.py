"""Small-number suppression for anything shared beyond a partner.

A count of people from 1 to ``threshold − 1`` (1-4 by default) is shown as ``"<5"``
(*primary* suppression). When a table also shows a total, one hidden cell could be worked
out by subtraction, so a second cell is hidden too (*secondary* suppression).

Notes
-----
Conventions used here (state them beside any shared table):

* **Primary**: a count ``n`` with ``1 <= n < threshold`` is shown as ``f"<{threshold}"``.
  A zero is shown as ``0`` (a true zero is not a small number of people; pass
  ``suppress_zeros=True`` to hide zeros as well, shown as ``"<threshold"``).
* **Groups**: a total row (``total_row``) makes each count column an additive group
  ``{cells above the total} + {the total}``; a total column (``total_column``) makes each
  row a group ``{count cells of the row} + {its total}``.
* **Secondary**: while some group has *exactly one* hidden cell, that cell could be
  recovered as ``total − Σ shown cells``; the smallest shown non-zero cell of the group
  (other than the total) is hidden as well, shown as ``secondary_symbol`` (``"[c]"``,
  "confidential", as in ONS tables). If the group has no such cell, its total is hidden.
  Hiding a *non-zero* cell, never a zero, means the hidden cells of a group add up to at
  least ``threshold + 1``, so the pair cannot itself be a small number. Repeat until no
  group has exactly one hidden cell (hiding a cell may expose another group).
* Blank (NaN) cells are left blank and take no part.
* This is the usual one-group-at-a-time heuristic, not an optimal or audited pattern
  (e.g. tau-ARGUS): it guarantees no group has a single hidden cell, which stops
  recovery by one subtraction; tables with many linked totals deserve a manual check.

References
----------
Office for National Statistics, *Statistical Disclosure Control* guidance and the GSS/GSR
*Disclosure control policy for tables* (threshold rule, primary and secondary
(complementary) suppression; "[c]" marks confidential cells in ONS tables).
Hundepool, A. et al. (2012) *Statistical Disclosure Control*, Wiley, ch. 4 (tabular data:
sensitivity rules and secondary cell suppression).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

PRIMARY = "primary"
SECONDARY = "secondary"
SECONDARY_SYMBOL = "[c]"
"""How a cell hidden only to protect another is shown (ONS: "[c]", confidential)."""


def suppress_value(n: float | None, threshold: int = 5, suppress_zeros: bool = False) -> str:
    """One count as it may be shared.

    Parameters
    ----------
    n : int or float or None
        A count of people (a whole number >= 0); None or NaN gives ``""``.
    threshold : int
        Counts ``1 <= n < threshold`` are shown as ``f"<{threshold}"``.
    suppress_zeros : bool
        Also hide 0 (default: zero is shown as ``"0"``).

    Returns
    -------
    str
        ``"<5"``, or the count as a whole number (``"12"``).

    Examples
    --------
    >>> suppress_value(3), suppress_value(0), suppress_value(12.0), suppress_value(7, threshold=10)
    ('<5', '0', '12', '<10')
    """
    if n is None or (isinstance(n, float) and np.isnan(n)) or n is pd.NA:
        return ""
    if n < 0:
        raise ValueError(f"a count of people cannot be negative ({n})")
    if _is_small(float(n), threshold, suppress_zeros):
        return f"<{threshold}"
    # a figure that is not whole (the mean of a range) to at most 2 decimals, as a reader reads it
    return str(int(n)) if float(n).is_integer() else f"{float(n):.2f}".rstrip("0").rstrip(".")


def is_withheld(n: float | None, threshold: int = 5) -> bool:
    """Whether :func:`suppress_value` hides this count (``1 <= n < threshold``)."""
    return suppress_value(n, threshold) == f"<{threshold}"


def _is_small(n: float, threshold: int, suppress_zeros: bool) -> bool:
    return (0 < n < threshold) or (suppress_zeros and n == 0)


def _groups(frame: pd.DataFrame, components: list[str], total_row: int | None,
            total_column: str | None) -> list[tuple[list[tuple[int, str]], tuple[int, str]]]:
    """Additive groups as (component cells, total cell), cells as (row position, column)."""
    groups = []
    rows = [i for i in range(len(frame)) if i != total_row]
    if total_row is not None:
        for column in components + ([total_column] if total_column else []):
            groups.append(([(i, column) for i in rows], (total_row, column)))
    if total_column is not None:
        for i in range(len(frame)):
            groups.append(([(i, c) for c in components], (i, total_column)))
    return groups


def suppression_mask(frame: pd.DataFrame, count_columns: Sequence[str], threshold: int = 5,
                     total_row: Hashable | None = None, total_column: str | None = None,
                     label_column: str | None = None, suppress_zeros: bool = False) -> pd.DataFrame:
    """Which cells :func:`suppress_counts` hides, and why.

    Returns
    -------
    pandas.DataFrame
        Same index as ``frame``, the count columns (and ``total_column``), each cell
        ``"primary"``, ``"secondary"`` or ``""``.

    See :func:`suppress_counts` for the parameters and the rule.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    components = [c for c in count_columns if c != total_column]
    columns = components + ([total_column] if total_column else [])
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(str, missing))} in the table")
    values = frame[columns].apply(pd.to_numeric, errors="raise").astype(float).to_numpy()
    if np.any(values[~np.isnan(values)] < 0):
        raise ValueError("a count of people cannot be negative")
    position = _total_position(frame, total_row, label_column)
    where = {c: j for j, c in enumerate(columns)}
    mask = np.full(values.shape, "", dtype=object)
    small = (values > 0) & (values < threshold) | (suppress_zeros & (values == 0))
    mask[small] = PRIMARY
    groups = _groups(frame, components, position, total_column)
    changed = True
    while changed:
        changed = False
        for cells, total in groups:
            members = [cell for cell in cells + [total] if not np.isnan(values[cell[0], where[cell[1]]])]
            hidden = [cell for cell in members if mask[cell[0], where[cell[1]]]]
            if len(hidden) != 1:
                continue
            candidates = [cell for cell in cells if cell in members and not mask[cell[0], where[cell[1]]]
                          and values[cell[0], where[cell[1]]] > 0]
            if candidates:
                chosen = min(candidates, key=lambda cell: (values[cell[0], where[cell[1]]], cell[0], where[cell[1]]))
            elif total in members and not mask[total[0], where[total[1]]]:
                chosen = total
            else:
                continue  # nothing else to hide: every other cell is zero or blank
            mask[chosen[0], where[chosen[1]]] = SECONDARY
            changed = True
    return pd.DataFrame(mask, index=frame.index, columns=columns)


def _total_position(frame: pd.DataFrame, total_row: Hashable | None, label_column: str | None) -> int | None:
    """Row position of the total row (matched in ``label_column``, else the index)."""
    if total_row is None:
        return None
    labels = frame[label_column] if label_column is not None else pd.Series(frame.index, index=frame.index)
    found = np.flatnonzero((labels == total_row).to_numpy())
    if len(found) != 1:
        where = f"column '{label_column}'" if label_column is not None else "the index"
        raise ValueError(f"expected exactly one total row labelled {total_row!r} in {where}, found {len(found)}")
    return int(found[0])


def suppress_counts(frame: pd.DataFrame, count_columns: Sequence[str], threshold: int = 5,
                    total_row: Hashable | None = None, total_column: str | None = None,
                    label_column: str | None = None, suppress_zeros: bool = False,
                    secondary_symbol: str = SECONDARY_SYMBOL) -> pd.DataFrame:
    """A copy of a table of counts of people, safe to share.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; never modified.
    count_columns : sequence of str
        Columns holding counts of people (whole numbers >= 0; NaN for blank).
    threshold : int
        Counts ``1 <= n < threshold`` are hidden (default 5).
    total_row : hashable, optional
        Label of the row holding column totals, matched in ``label_column`` or, when that
        is None, in the index.
    total_column : str, optional
        Column holding each row's total (it need not be listed in ``count_columns``).
    label_column : str, optional
        Column in which to find ``total_row``.
    suppress_zeros : bool
        Also hide zeros (default: zeros are shown).
    secondary_symbol : str
        How a cell hidden only to protect another is shown (default ``"[c]"``).

    Returns
    -------
    pandas.DataFrame
        A new table: the count columns (and ``total_column``) as strings, ``"<5"`` for a
        small count, ``secondary_symbol`` for a secondary suppression, the whole number
        otherwise, ``""`` for blank; other columns unchanged. :func:`suppression_mask`
        says which cells were hidden and why.

    Notes
    -----
    Primary: ``1 <= n < threshold`` hidden. Secondary: in every group sharing a total (each
    column when there is a total row, each row when there is a total column), if exactly
    one cell is hidden, hide the smallest shown non-zero cell other than the total (else
    the total); repeat until no group has exactly one hidden cell.

    Examples
    --------
    Counts 3, 12, 20 with total 35: 3 is hidden as "<5", and 12 as "[c]" because
    ``35 − 20 − 12 = 3`` would reveal it.

    >>> t = pd.DataFrame({"area": ["A", "B", "C", "Total"], "people": [3, 12, 20, 35]})
    >>> suppress_counts(t, ["people"], total_row="Total", label_column="area")["people"].tolist()
    ['<5', '[c]', '20', '35']

    References
    ----------
    ONS Statistical Disclosure Control guidance; GSS/GSR disclosure control policy for
    tables; Hundepool et al. (2012) *Statistical Disclosure Control*, ch. 4.
    """
    mask = suppression_mask(frame, count_columns, threshold, total_row, total_column, label_column, suppress_zeros)
    out = frame.copy()
    for column in mask.columns:
        shown = [suppress_value(v, threshold, suppress_zeros) if pd.notna(v) else ""
                 for v in pd.to_numeric(frame[column]).astype(float)]
        kind = mask[column].to_numpy()
        out[column] = pd.Series([secondary_symbol if k == SECONDARY else s for s, k in zip(shown, kind)],
                                index=frame.index, dtype="str")
    return out


# ----------------------------------------------------------------------------------------
# Outcomes of fewer than 5 people: what is withheld about them
# ----------------------------------------------------------------------------------------

WITHHELD = "withheld"
"""How a figure withheld to protect a small count is shown."""

PER_PERSON_FIGURES: tuple[str, ...] = (
    "quantity", "duration", "start_year", "deadweight", "displacement", "attribution", "leakage", "drop_off",
    "proxy_value", "proxy_id", "proxy_year", "proxy_source", "proxy_value_as_published", "proxy_price_year",
    "price_year_from", "rebase_factor", "proxy_licence", "proxy_url", "proxy_value_type", "proxy_age_years",
    "proxy_old", "proxy_series", "proxy_series_year", "proxy_series_ratios", "evidence",
)
"""The columns that, for one outcome, say what one person is worth or how many there
are: the quantity, the proxy (its value, its library id, which gives the value, its source,
and what narrows it down: its kind, its age, which gives its price year, its series), every
deflator, drop-off and duration, and the partner's own evidence text (which often states the count: "letters from the two groups"). For an outcome of fewer
than 5 people these are withheld wherever the outcome is named (their ``_low``,
``_high``, ``_dist`` and ``_evidence`` companions too, :func:`per_person_columns`)."""


def per_person_columns(columns: Sequence[str]) -> list[str]:
    """The columns of a table that are :data:`PER_PERSON_FIGURES` or their companions
    (``deadweight_low``, ``attribution_evidence``...)."""
    suffixes = ("", "_low", "_high", "_dist", "_most_likely", "_evidence")
    wanted = {f"{name}{suffix}" for name in PER_PERSON_FIGURES for suffix in suffixes}
    return [c for c in columns if c in wanted]


def is_small_outcome(quantity: float | None, quantity_low: float | None = None, threshold: int = 5) -> bool:
    """Whether an outcome counts fewer than ``threshold`` people: its quantity as written,
    or the low end of the range typed for it, is a count from 1 to ``threshold − 1``.

    Notes
    -----
    Why everything per person is withheld, not only the count: an outcome's present value
    is the headline's present value minus the other outcomes' (each of which a report
    shows), so it is public whether it is printed or not; divided by the value of one
    person (the proxy, times the deflators, times the present value factor) it gives the
    count, and as counts are whole numbers even a rounded value recovers them. Hiding a
    second cell (complementary suppression) cannot stop that; withholding every figure
    that makes up the value of one person does: the outcome's value is then a product of
    unknowns. The value itself stays in every total, so the report still adds up.

    Examples
    --------
    >>> is_small_outcome(3), is_small_outcome(12), is_small_outcome(12, 4), is_small_outcome(0)
    (True, False, True, False)
    """
    return any(n is not None and not pd.isna(n) and is_withheld(float(n), threshold) for n in (quantity, quantity_low))


def small_outcomes(impact_map: pd.DataFrame, threshold: int = 5) -> set[tuple[str, str]]:
    """``(partner_id, outcome_id)`` of every outcome of the impact map(s) that
    :func:`is_small_outcome` (``partner_id`` is ``""`` for a map without one)."""
    if "quantity" not in impact_map:
        return set()
    partner = impact_map["partner_id"].astype(str) if "partner_id" in impact_map else pd.Series("", index=impact_map.index)
    low = impact_map["quantity_low"] if "quantity_low" in impact_map else pd.Series(np.nan, index=impact_map.index)
    return {(p, str(o)) for p, o, q, lo in zip(partner, impact_map["outcome_id"], impact_map["quantity"], low)
            if is_small_outcome(pd.to_numeric(q, errors="coerce"), pd.to_numeric(lo, errors="coerce"), threshold)}


def withhold_small(frame: pd.DataFrame, small: set[tuple[str, str]], columns: Sequence[str] | None = None,
                   mark: str = WITHHELD, count_mark: str = "<5") -> pd.DataFrame:
    """A copy of ``frame`` with the per-person figures of small outcomes withheld.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows naming an outcome by ``outcome_id`` (and ``partner_id``, when the frame has
        outcomes of several partners).
    small : set of (str, str)
        From :func:`small_outcomes`.
    columns : sequence of str, optional
        The columns to withhold (default :func:`per_person_columns` of the frame).
    mark : str
        What a withheld cell shows; a count column shows ``count_mark`` instead.
    count_mark : str
        What a withheld count shows: ``"<5"``, or ``mark`` for an outcome withheld because the
        other workbook of its forecast/evaluation pair counts fewer than 5 (its own count is not).

    Returns
    -------
    pandas.DataFrame
        The same rows and columns; the withheld cells as ``mark`` (the columns become text).
    """
    out = frame.copy()
    if out.empty or not small:
        return out
    rows = small_rows(out, small)
    for column in (per_person_columns(out.columns) if columns is None else [c for c in columns if c in out]):
        shown = count_mark if column == "quantity" else mark
        out[column] = out[column].astype(object)
        out.loc[rows, column] = shown
    return out


def small_rows(frame: pd.DataFrame, small: set[tuple[str, str]]) -> np.ndarray:
    """Which rows of ``frame`` name a small outcome (by ``partner_id`` and ``outcome_id``,
    or by ``outcome_id`` alone when the frame has no ``partner_id``)."""
    ids = frame["outcome_id"].astype(str)
    if "partner_id" in frame:
        return np.array([key in small for key in zip(frame["partner_id"].astype(str), ids)], dtype=bool)
    outcome_ids = {o for _, o in small}
    return ids.isin(outcome_ids).to_numpy()
