"""The forum's findings: every partner's results added up, with their uncertainty.

Functions behind the forum summary (``notebooks/00_forum_summary``) and the forum workbook
(``forum.xlsx``). Each partner is valued once, on the forum's common basis: one price year
(:func:`svlib.analysis.themes.collection_price_year`) and one set of timing conventions (the
run's, the SROI guide's where none are given), with the random streams of its own report
(:func:`svlib.uncertainty.montecarlo.stream_ids`), so a partner's range here is the range in
its report whenever its report uses the same basis. Forecast and evaluative partners are
kept apart: a plan and an achievement are not added up. A forecast that a later evaluation
follows is the same programme and counted once, as evaluated
(:func:`svlib.analysis.comparison.without_superseded_forecasts`).

Notes
-----
Totals across partners are summed draw by draw, never by adding percentiles::

    PV_d     = Σ_p PV_{p,d}                  (the forum's present value in draw d)
    ratio_d  = PV_d / Σ_p I_p                (I_p: partner p's investment, present value)

and the 5th, 50th and 95th percentiles are taken of ``PV_d`` and ``ratio_d``. Partners'
uncertainties are independent (each outcome has its own random stream). The headline
total is the sum of the partners' central present values (each partner's headline), as a
partner's headline is its map at the central values.

References
----------
Cabinet Office (2012) A guide to Social Return on Investment, stage 5; on comparing
organisations' ratios, Social Value UK (2016) "SROI ratios of different organisations
should not be compared".
HM Treasury (2022) The Green Book, Annex A5 (Monte Carlo analysis).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from svlib.analysis.comparison import without_superseded_forecasts
from svlib.analysis.disclosure import suppress_value
from svlib.analysis.evidence import counted_outcome_ids, shareable
from svlib.analysis.themes import (
    canonical_theme,
    collection_price_year,
    map_outcomes,
    partner_map,
    partner_rows,
    resolved_maps,
)
from svlib.contract.tables import PARAMETERS, THEMES
from svlib.reference.proxies import ProxyLibrary, load_library
from svlib.uncertainty.estimates import estimates
from svlib.uncertainty.montecarlo import simulate_maps
from svlib.valuation.sroi import Conventions, Investment, ValueModel, value_model

GROUPS: tuple[str, ...] = ("evaluative", "forecast")
"""The forum's two kinds of partner, never added together: what was achieved, and what is planned."""

COMPARABILITY_WARNING = (
    "SROI ratios of different organisations are not comparable: each measures its own outcomes for its own "
    "stakeholders, with its own evidence and judgements. They are shown side by side, in alphabetical order, "
    "to show the range of what the forum evidences, not to rank anyone.")
"""The standard warning wherever partners' ratios are shown together."""

EVIDENCE_KINDS = {"survey": "deflator survey (5 or more answers)", "range": "a range the partner gave",
                  "figure": "the partner's own figure (judgement)", "benchmark": "a labelled benchmark"}
"""Where a deflator's central value came from (:mod:`svlib.uncertainty.estimates`' levels)."""

DEFLATORS = ("deadweight", "displacement", "attribution", "drop_off")


@dataclass
class PartnerResult:
    """One partner valued on the forum's basis: its central valuation and its draws.

    Attributes
    ----------
    partner_id, name, purpose : str
    investment : Investment
    valuation : Valuation
        At the central values of the evidence (its headline).
    present_value : numpy.ndarray
        Present value per draw, GBP.
    theme_present_value : dict of str to numpy.ndarray
        Each theme's present value per draw (themes with an outcome only).
    outcomes : pandas.DataFrame
        ``outcome_id, theme, indicator, in_toms, present_value`` (central, GBP).
    evidence : pandas.DataFrame
        The estimates table (:func:`svlib.uncertainty.estimates.estimates`), without its
        distribution objects.
    impact_map : pandas.DataFrame
        The resolved map it was valued from (proxies in the forum's price year).
    survey : pandas.DataFrame or None
        Its deflator survey answers.
    """

    partner_id: str
    name: str
    purpose: str
    investment: Investment
    valuation: Any
    present_value: np.ndarray = field(repr=False)
    theme_present_value: dict[str, np.ndarray] = field(repr=False)
    outcomes: pd.DataFrame = field(repr=False)
    evidence: pd.DataFrame = field(repr=False)
    impact_map: pd.DataFrame = field(repr=False)
    survey: pd.DataFrame | None = field(repr=False)

    @property
    def investment_pv(self) -> float:
        return float(self.valuation.investment_pv)


def partner_results(
    tables: Mapping[str, pd.DataFrame],
    draws: int,
    seed: int,
    conventions: Conventions | None = None,
    price_year: int | None = None,
    library: ProxyLibrary | None = None,
) -> tuple[list[PartnerResult], Conventions]:
    """Every partner of ``tables`` valued and simulated on the forum's basis.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables (as shared pages read them).
    draws, seed : int
        Monte Carlo draws and seed (the run's, as in every partner report).
    conventions : Conventions, optional
        Timing conventions for every partner (default the SROI guide's); its price year is
        replaced by ``price_year``.
    price_year : int, optional
        Default :func:`svlib.analysis.themes.collection_price_year`.

    Returns
    -------
    tuple
        The results in partner-id order, and the conventions used.

    Notes
    -----
    The collection is valued in a few passes rather than partner by partner, with the
    same numbers to the last bit as each partner valued on its own
    (:func:`svlib.analysis.themes.partner_map`, then
    :func:`svlib.uncertainty.estimates.estimates`, :func:`svlib.valuation.sroi.value_map`
    and :func:`svlib.uncertainty.montecarlo.simulate` with ``streams`` the partner's id):
    the maps are resolved together (:func:`svlib.analysis.themes.resolved_maps`); their
    estimates are worked out in one table, each outcome keyed by its stream id
    ``"<partner>:<outcome_id>"`` so that a survey answer meets its own partner's outcome;
    and every partner is simulated by :func:`svlib.uncertainty.montecarlo.simulate_maps`.
    A partner that cannot be valued is reported as valuing the partners one by one, in id
    order, meets it.
    """
    tables = without_superseded_forecasts(dict(tables))
    year = int(price_year) if price_year is not None else collection_price_year(tables)
    used = replace(conventions or Conventions(), price_year=year)
    library = library or load_library()
    partner_ids = sorted(set(tables["ImpactMap"]["partner_id"].astype(str).tolist()))
    try:
        return _valued(tables, partner_ids, draws, seed, used, library), used
    except Exception:
        _first_problem(tables, partner_ids, used, library)
        raise


def _valued(tables: Mapping[str, pd.DataFrame], partner_ids: list[str], draws: int, seed: int,
            used: Conventions, library: ProxyLibrary) -> list[PartnerResult]:
    """:func:`partner_results` of partners that can all be valued (its notes)."""
    surveys = partner_rows(tables, "DeflatorSurvey", partner_ids)
    inputs = partner_rows(tables, "Inputs", partner_ids, columns=("year", "value_gbp"))  # what an Investment reads
    mapped = map_outcomes(tables["ImpactMap"]) if len(tables["ImpactMap"]) else pd.DataFrame()
    keys = (list(zip(mapped["partner_id"].astype(str).tolist(), mapped["outcome_id"].astype(str).tolist()))
            if len(mapped) else [])
    indicators = dict(zip(keys, mapped["matched_indicator"].tolist())) if len(mapped) else {}
    in_toms = dict(zip(keys, mapped["in_toms"].tolist())) if len(mapped) else {}
    width = len(PARAMETERS)
    own: dict[str, dict[str, Any]] = {}
    for block in resolved_maps(tables, partner_ids, int(used.price_year), library, used.price_index):
        written = block.impact_map
        ids = written["outcome_id"].astype(str).to_numpy()
        owners = np.repeat(np.array(block.partner_ids, dtype=object), np.diff(block.starts))
        # one table of estimates for the block, each outcome keyed by its stream id
        answers = [surveys[pid].assign(outcome_id=[f"{pid}:{o}" for o in surveys[pid]["outcome_id"].astype(str)])
                   for pid in block.partner_ids if len(surveys[pid])]
        found = estimates(written.assign(outcome_id=[f"{p}:{o}" for p, o in zip(owners, ids)]),
                          pd.concat(answers, ignore_index=True) if answers else None)
        central = found.central_map().assign(outcome_id=written["outcome_id"])  # each partner's own ids again
        evidence = found.table.drop(columns="distribution").assign(outcome_id=np.repeat(ids, width))
        themes = written["theme"].map(canonical_theme).to_numpy()
        for i, pid in enumerate(block.partner_ids):
            rows = block.rows(i)
            figures = slice(width * rows.start, width * rows.stop)
            model = ValueModel(_piece(central, rows), Investment.from_inputs(inputs[pid]), used)
            own[pid] = {"model": model, "valuation": value_model(model), "impact_map": _piece(written, rows),
                        "evidence": _piece(evidence, figures), "table": found.table.iloc[figures],
                        "themes": themes[rows]}
        described = pd.DataFrame({
            "outcome_id": ids,
            "theme": themes,
            "indicator": [indicators.get(k, "") for k in zip(owners, ids)],
            "written_indicator": written.get("indicator", pd.Series([""] * len(written))).fillna("").astype(str)
            .to_numpy(),
            "in_toms": [in_toms.get(k, "unknown") for k in zip(owners, ids)],
            "present_value": (np.concatenate([own[pid]["valuation"].outcome_present_value for pid in block.partner_ids])
                              if len(written) else np.zeros(0)),
        })
        for i, pid in enumerate(block.partner_ids):
            own[pid]["outcomes"] = _piece(described, block.rows(i))
    simulated = simulate_maps([own[pid]["model"] for pid in partner_ids], [own[pid]["table"] for pid in partner_ids],
                              draws=draws, seed=seed, streams=partner_ids,
                              groups=[own[pid]["themes"] for pid in partner_ids])
    names = _names(tables)
    results = []
    for pid, sim in zip(partner_ids, simulated):
        name, purpose = _name_and_purpose(names, pid)
        results.append(PartnerResult(
            partner_id=pid, name=name, purpose=purpose,
            investment=own[pid]["model"].inputs, valuation=own[pid]["valuation"], present_value=sim.present_value,
            theme_present_value={t: sim.group_present_value[t] for t in THEMES if t in sim.group_present_value},
            outcomes=own[pid]["outcomes"], evidence=own[pid]["evidence"], impact_map=own[pid]["impact_map"],
            survey=surveys[pid] if len(surveys[pid]) else None))
    return results


def _piece(frame: pd.DataFrame, rows: slice) -> pd.DataFrame:
    """Rows ``rows`` of ``frame`` as a frame of their own, indexed from 0."""
    return frame.iloc[rows].reset_index(drop=True)


def _names(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The Partner table by partner id."""
    return tables["Partner"].set_index(tables["Partner"]["partner_id"].astype(str))


def _name_and_purpose(names: pd.DataFrame, partner_id: str) -> tuple[str, str]:
    """A partner's name and purpose (KeyError for a partner the Partner table lacks)."""
    return str(names.loc[partner_id, "name"]), str(names.loc[partner_id, "purpose"])


def _first_problem(tables: Mapping[str, pd.DataFrame], partner_ids: list[str], used: Conventions,
                   library: ProxyLibrary) -> None:
    """Raise the problem that valuing the partners one by one, in id order, meets first
    (resolving a map, its estimates, its investment, its name); nothing when there is none."""
    own_tables = by_partner(tables, ("Partner", "ImpactMap", "Inputs", "DeflatorSurvey"))
    names = _names(tables)
    for pid in partner_ids:
        resolved, survey, investment = partner_map(own_tables[pid], pid, int(used.price_year), library,
                                                   used.price_index)
        ValueModel(estimates(resolved, survey).central_map(), investment, used)
        _name_and_purpose(names, pid)


def by_partner(tables: Mapping[str, pd.DataFrame], names: Iterable[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """The tables ``names`` split by partner once (``partner_id`` to each table's rows), so
    valuing many partners reads each table once, not once per partner."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for name in names:
        frame = tables.get(name)
        if frame is None or "partner_id" not in frame:
            continue
        for pid, rows in frame.groupby(frame["partner_id"].astype(str), sort=False):
            out.setdefault(str(pid), {})[name] = rows
    return out


def _summary(values: np.ndarray) -> dict[str, float]:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {"mean": float(values.mean()), "p5": float(p5), "p50": float(p50), "p95": float(p95)}


def partner_table(results: list[PartnerResult]) -> pd.DataFrame:
    """Each partner's headline on the forum's basis, by name (never ranked): ``partner_id,
    name, purpose, investment, investment_pv, present_value, sroi_ratio`` and the ratio's
    ``p5, p50, p95`` and ``prob_ratio_below_1``."""
    rows = []
    for r in results:
        ratio = r.present_value / r.investment_pv
        rows.append({"partner_id": r.partner_id, "name": r.name, "purpose": r.purpose,
                     "investment": r.investment.face_value, "investment_pv": r.investment_pv,
                     "present_value": r.valuation.present_value, "sroi_ratio": r.valuation.sroi_ratio,
                     **{k: v for k, v in _summary(ratio).items() if k != "mean"},
                     "prob_ratio_below_1": float(np.mean(ratio < 1.0))})
    table = pd.DataFrame(rows, columns=["partner_id", "name", "purpose", "investment", "investment_pv",
                                        "present_value", "sroi_ratio", "p5", "p50", "p95", "prob_ratio_below_1"])
    return table.sort_values("name", key=lambda s: s.str.lower(), kind="stable").reset_index(drop=True)


def group_draws(results: list[PartnerResult], group: str) -> np.ndarray:
    """The group's present value per draw: its partners' draws summed draw by draw, GBP."""
    chosen = [r.present_value for r in results if r.purpose == group]
    if not chosen:
        return np.zeros(0)
    total = np.zeros_like(chosen[0])
    for values in chosen:  # partner by partner, in partner-id order
        total += values
    return total


def totals(results: list[PartnerResult]) -> pd.DataFrame:
    """The forum's totals, one row per group with partners (evaluative, forecast): ``group,
    partners, investment, investment_pv, present_value`` (the sum of the partners' headline
    present values), ``sroi_ratio`` (``present_value / investment_pv``), the total's
    ``pv_p5, pv_p50, pv_p95`` and the ratio's ``p5, p50, p95`` (percentiles of the draw-by-draw
    sums, module notes)."""
    rows = []
    for group in GROUPS:
        members = [r for r in results if r.purpose == group]
        if not members:
            continue
        invested = sum(r.investment_pv for r in members)
        central = sum(r.valuation.present_value for r in members)
        draws = group_draws(results, group)
        pv, ratio = _summary(draws), _summary(draws / invested)
        rows.append({"group": group, "partners": len(members),
                     "investment": sum(r.investment.face_value for r in members), "investment_pv": invested,
                     "present_value": central, "sroi_ratio": central / invested,
                     "pv_p5": pv["p5"], "pv_p50": pv["p50"], "pv_p95": pv["p95"],
                     "p5": ratio["p5"], "p50": ratio["p50"], "p95": ratio["p95"]})
    return pd.DataFrame(rows, columns=["group", "partners", "investment", "investment_pv", "present_value",
                                       "sroi_ratio", "pv_p5", "pv_p50", "pv_p95", "p5", "p50", "p95"])


def by_theme(results: list[PartnerResult]) -> pd.DataFrame:
    """Present value by County Durham Pound theme and group: ``group, theme, partners,
    present_value`` (central) and ``p5, p95`` of the theme's draw-by-draw sum."""
    rows = []
    outcomes = _outcomes(results)
    central_by = outcomes.groupby(["group", "theme"])["present_value"].sum() if len(outcomes) else pd.Series()
    for group in GROUPS:
        members = [r for r in results if r.purpose == group]
        if not members:
            continue
        for theme in THEMES:
            having = [r for r in members if theme in r.theme_present_value]
            central = float(central_by.get((group, theme), 0.0))
            draws = np.zeros_like(members[0].present_value)
            for r in having:
                draws += r.theme_present_value[theme]
            spread = _summary(draws)
            rows.append({"group": group, "theme": theme, "partners": len(having), "present_value": central,
                         "p5": spread["p5"] if having else 0.0, "p95": spread["p95"] if having else 0.0})
    return pd.DataFrame(rows, columns=["group", "theme", "partners", "present_value", "p5", "p95"])


OUTCOME_COLUMNS = ("outcome_id", "theme", "indicator", "written_indicator", "in_toms", "present_value")
"""The columns of :attr:`PartnerResult.outcomes`."""


def _outcomes(results: list[PartnerResult]) -> pd.DataFrame:
    """Every partner's outcomes in one table, with ``partner_id, name, group`` (the
    partners' tables joined once)."""
    sizes = [len(r.outcomes) for r in results]
    if results:
        frame = pd.concat([r.outcomes for r in results], ignore_index=True)[list(OUTCOME_COLUMNS)]
    else:
        frame = pd.DataFrame({c: np.array([]) for c in OUTCOME_COLUMNS})
    for column, attribute in (("partner_id", "partner_id"), ("name", "name"), ("group", "purpose")):
        frame[column] = np.repeat(np.array([getattr(r, attribute) for r in results], dtype=object), sizes)
    frame["present_value"] = frame["present_value"].astype(float)
    return frame


def by_indicator(results: list[PartnerResult]) -> pd.DataFrame:
    """Present value by County Durham Pound indicator and group (central values): ``group,
    theme, indicator, partners`` (their names), ``outcomes, present_value``; an outcome
    whose indicator is not on the list counts as ``unmatched``."""
    outcomes = _outcomes(results)
    if outcomes.empty:
        return pd.DataFrame(columns=["group", "theme", "indicator", "partners", "outcomes", "present_value"])
    grouped = outcomes.groupby(["group", "theme", "indicator"], sort=False)
    table = grouped.agg(partners=("name", lambda s: "; ".join(sorted(set(s), key=str.lower))),
                        outcomes=("outcome_id", "size"), present_value=("present_value", "sum")).reset_index()
    order = {g: i for i, g in enumerate(GROUPS)}
    themes = {t: i for i, t in enumerate(THEMES)}
    table["_g"], table["_t"] = table["group"].map(order), table["theme"].map(themes)
    return (table.sort_values(["_g", "_t", "present_value"], ascending=[True, True, False], kind="stable")
            .drop(columns=["_g", "_t"]).reset_index(drop=True))


def outside_toms(results: list[PartnerResult]) -> pd.DataFrame:
    """Value the National TOMs do and do not count, by group: ``group, in_toms`` (yes, no,
    unknown), ``present_value`` (central) and ``share`` of the group's value."""
    outcomes = _outcomes(results)
    rows = []
    for group in GROUPS:
        part = outcomes[outcomes["group"] == group]
        if part.empty:
            continue
        whole = float(part["present_value"].sum())
        for status in ("yes", "no", "unknown"):
            value = float(part.loc[part["in_toms"] == status, "present_value"].sum())
            rows.append({"group": group, "in_toms": status, "present_value": value,
                         "share": value / whole if whole else float("nan")})
    return pd.DataFrame(rows, columns=["group", "in_toms", "present_value", "share"])


def stretch(results: list[PartnerResult], tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """What VCSE evidence could add to the County Durham Pound's indicators: outcomes the
    National TOMs do not count (``in_toms`` no) or that no listed indicator names, grouped by
    the indicator the partners wrote, each with the partners, the evidence behind it (kinds,
    never counts of people) and its present value (central).

    Returns
    -------
    pandas.DataFrame
        ``group, theme, indicator, on_the_list`` (yes when it is a County Durham Pound
        indicator), ``partners, outcomes, evidence, present_value``, largest value first
        within each group.
    """
    outcomes = _outcomes(results)
    chosen = outcomes[(outcomes["in_toms"] == "no") | (outcomes["indicator"] == "unmatched")].copy()
    columns = ["group", "theme", "indicator", "on_the_list", "partners", "outcomes", "evidence", "present_value"]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    evidence = _evidence_kinds(results, tables)
    chosen["on_the_list"] = np.where(chosen["indicator"] == "unmatched", "no", "yes")
    chosen["label"] = np.where(chosen["indicator"] == "unmatched", chosen["written_indicator"], chosen["indicator"])
    chosen["kinds"] = [evidence.get((p, o), "") for p, o in zip(chosen["partner_id"], chosen["outcome_id"])]
    rows = []
    for (group, theme, label, listed), part in chosen.groupby(["group", "theme", "label", "on_the_list"], sort=False):
        kinds = sorted({k for text in part["kinds"] for k in text.split("; ") if k})
        rows.append({"group": group, "theme": theme, "indicator": label or "(no indicator written)",
                     "on_the_list": listed, "partners": "; ".join(sorted(set(part["name"]), key=str.lower)),
                     "outcomes": len(part), "evidence": "; ".join(kinds) or "the partner's own figures only",
                     "present_value": float(part["present_value"].sum())})
    table = pd.DataFrame(rows, columns=columns)
    table["_g"] = table["group"].map({g: i for i, g in enumerate(GROUPS)})
    return table.sort_values(["_g", "present_value"], ascending=[True, False], kind="stable").drop(
        columns="_g").reset_index(drop=True)


def _evidence_kinds(results: list[PartnerResult], tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """Each outcome's kinds of evidence beyond the partner's figures: a deflator survey,
    case studies cleared for sharing (as words, never counts), each counted for the
    outcomes a researcher accepted, else the partner's own
    (:func:`svlib.analysis.evidence.counted_outcome_ids`)."""
    cases = shareable(tables["CaseStudies"]) if "CaseStudies" in tables and len(tables["CaseStudies"]) else None
    evidenced: set[tuple[str, str]] = set()
    if cases is not None and len(cases):
        for pid, ids in zip(cases["partner_id"].astype(str), counted_outcome_ids(cases)):
            evidenced |= {(pid, o) for o in ids}
    out = {}
    for r in results:
        levels = r.evidence["level"].to_numpy()
        surveyed = {str(o) for o in r.evidence["outcome_id"].to_numpy()[levels == "survey"]}
        for oid in r.outcomes["outcome_id"].tolist():
            kinds = (["deflator survey"] if oid in surveyed else []) + (
                ["case studies"] if (r.partner_id, oid) in evidenced else [])
            out[(r.partner_id, oid)] = "; ".join(kinds)
    return out


def evidence_gaps(results: list[PartnerResult], tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each partner's evidence, for the forum's view of its gaps: ``name, purpose,
    outcomes``, how its deflator figures were estimated (``survey, range, figure,
    benchmark``: counts of figures, not people), ``respondents`` (people who answered the
    deflator survey), ``people_with_readings`` (distance travelled), ``case_studies``
    (cleared for sharing); counts of people from 1 to 4 shown as "<5"."""
    survey = tables.get("DeflatorSurvey", pd.DataFrame(columns=["partner_id", "respondent_ref"]))
    readings = tables.get("StarReadings", pd.DataFrame(columns=["partner_id", "person_ref"]))
    cases = tables.get("CaseStudies")
    cleared = shareable(cases) if cases is not None and len(cases) else pd.DataFrame(columns=["partner_id"])
    def per_partner(frame: pd.DataFrame, column: str | None) -> pd.Series:
        keys = frame["partner_id"].astype(str) if len(frame) else pd.Series(dtype=str)
        return frame.groupby(keys)[column].nunique() if column else keys.value_counts()

    respondents, people, cases = (per_partner(survey, "respondent_ref"), per_partner(readings, "person_ref"),
                                  per_partner(cleared, None))
    rows = []
    for r in sorted(results, key=lambda r: r.name.lower()):
        levels = Counter(r.evidence["level"].to_numpy()[np.isin(r.evidence["parameter"].to_numpy(), DEFLATORS)])
        rows.append({"name": r.name, "purpose": r.purpose, "outcomes": len(r.outcomes),
                     **{k: int(levels.get(k, 0)) for k in EVIDENCE_KINDS},
                     "respondents": suppress_value(int(respondents.get(r.partner_id, 0))),
                     "people_with_readings": suppress_value(int(people.get(r.partner_id, 0))),
                     "case_studies": suppress_value(int(cases.get(r.partner_id, 0)))})
    return pd.DataFrame(rows, columns=["name", "purpose", "outcomes", *EVIDENCE_KINDS, "respondents",
                                       "people_with_readings", "case_studies"])


def value_by_partner_and_theme(results: list[PartnerResult]) -> pd.DataFrame:
    """Each partner's present value by theme (central, GBP), one row per partner."""
    rows = [{"name": r.name, "purpose": r.purpose,
             **{t: float(r.outcomes.loc[r.outcomes["theme"] == t, "present_value"].sum()) for t in THEMES},
             "total": r.valuation.present_value} for r in sorted(results, key=lambda r: r.name.lower())]
    return pd.DataFrame(rows, columns=["name", "purpose", *THEMES, "total"])


def value_by_partner_and_year(results: list[PartnerResult]) -> pd.DataFrame:
    """Each partner's present value by analysis year (central, GBP), long form: ``name,
    purpose, year, present_value``."""
    rows = [{"name": r.name, "purpose": r.purpose, "year": int(y), "present_value": float(v)}
            for r in sorted(results, key=lambda r: r.name.lower())
            for y, v in zip(r.valuation.by_year["year"], r.valuation.by_year["present_value"])]
    return pd.DataFrame(rows, columns=["name", "purpose", "year", "present_value"])


def totals_text(results: list[PartnerResult]) -> str:
    """The forum's totals in one line per group, rounded (checked by nbval)."""
    lines = []
    for row in totals(results).to_dict("records"):
        lines.append(f"{row['group']}: {row['partners']} partners; present value £{row['present_value']:,.0f} "
                     f"(90% range £{row['pv_p5']:,.0f} to £{row['pv_p95']:,.0f}) for £{row['investment_pv']:,.0f}; "
                     f"ratio {row['sroi_ratio']:.2f} (90% range {row['p5']:.2f} to {row['p95']:.2f})")
    return "\n".join(lines) or "no partners"
