"""The forum's deflator study: how deadweight, displacement, attribution and drop-off were
estimated across partners, how much they move the results, and where better evidence
would help most.

Functions behind ``notebooks/03_deflators_and_sensitivity``. Every partner is valued on the
forum's basis (:mod:`svlib.analysis.forum`), with its own random streams.

Notes
-----
*Shifts, by Monte Carlo.* Every figure of a factor (its central value, its range and every
survey answer) is moved by ``Δ`` percentage points, clipped to 0-100%, and each partner is
simulated again with the same seed and streams (common random numbers, so the change is
the shift's, not noise). The forum total is summed draw by draw as in the forum summary.

*Drivers of the forum's uncertainty.* Partners are independent, so the variance of a
group's total present value is ``Var(Σ_p PV_p) = Σ_p Var(PV_p)``. Partner ``p``'s share is
``Var(PV_p) / Σ_q Var(PV_q)``; a factor's share within it is its first-order Sobol index
``S1`` for the partner's ratio (the same for its present value, the investment being
fixed), computed in closed form (:func:`svlib.uncertainty.sensitivity.sobol_indices`,
``method="exact"``), so a factor's share of the forum's variance is
``S1_{p,f} × Var(PV_p) / Σ_q Var(PV_q)``. What the first-order shares leave is the
factors' interactions.

*Where the next answers help most.* An outcome's deflators' total-order index ``ST`` for
its partner (:func:`svlib.uncertainty.sensitivity.survey_effort`), weighted by the
partner's share of the group's variance: the share of the forum's variance that would go
if those deflators were known exactly.

References
----------
Saltelli, A. et al. (2008) Global Sensitivity Analysis: The Primer, sections 1.2.15 and 4.
Cabinet Office (2012) A guide to Social Return on Investment, stage 4 (deadweight,
displacement, attribution, drop-off) and stage 5 (sensitivity).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from svlib.analysis.disclosure import WITHHELD, suppress_value
from svlib.analysis.forum import DEFLATORS, EVIDENCE_KINDS, GROUPS, PartnerResult
from svlib.contract.questions import answer_to_fraction
from svlib.uncertainty.montecarlo import simulate
from svlib.uncertainty.sensitivity import GROUP_NAMES, sobol_indices, survey_effort
from svlib.valuation.sroi import Conventions

FORUM_ROW = "forum (all partners)"

SHIFTS: tuple[float, ...] = (-0.10, -0.05, 0.0, 0.05, 0.10)
"""Shifts studied, as fractions (percentage points / 100)."""


def deflator_sources(results: list[PartnerResult]) -> pd.DataFrame:
    """How each deflator was estimated, across partners: one row per factor, a column per
    kind of evidence (counts of figures, one per outcome) and ``answers`` (survey answers
    behind the figures that use a survey)."""
    rows = []
    for factor in DEFLATORS:
        found = pd.concat([r.evidence[r.evidence["parameter"] == factor] for r in results], ignore_index=True)
        counts = found["level"].value_counts()
        rows.append({"factor": factor, **{k: int(counts.get(k, 0)) for k in EVIDENCE_KINDS},
                     "answers": int(found.loc[found["level"] == "survey", "n_answers"].sum())})
    return pd.DataFrame(rows, columns=["factor", *EVIDENCE_KINDS, "answers"])


def _shifted(resolved: pd.DataFrame, survey: pd.DataFrame | None, factor: str, delta: float
             ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A map and its survey with every figure of ``factor`` moved by ``delta`` (clipped 0-1)."""
    moved = resolved.copy()
    for column in (factor, f"{factor}_low", f"{factor}_high"):
        if column in moved:
            moved[column] = np.clip(moved[column].astype(float) + delta, 0.0, 1.0)
    if survey is None or not delta:
        return moved, survey
    answers = survey.copy()
    chosen = answers["factor"] == factor
    answers.loc[chosen, "answer"] = [f"{100 * min(1.0, max(0.0, answer_to_fraction(a) + delta)):.6g}%"
                                     for a in answers.loc[chosen, "answer"]]
    return moved, answers


def shift_study(results: list[PartnerResult], draws: int, seed: int, conventions: Conventions,
                factors: Iterable[str] = ("deadweight", "attribution"),
                shifts: Iterable[float] = SHIFTS) -> pd.DataFrame:
    """How each partner's ratio and the forum's totals move when a deflator shifts, by
    Monte Carlo (module notes), for the partners of
    :func:`svlib.analysis.forum.partner_results` valued under its ``conventions``.

    Returns
    -------
    pandas.DataFrame
        ``factor, shift`` (fraction), ``scope`` (a partner's name, or ``forum:
        evaluative`` / ``forum: forecast``), ``group``, and ``p5, p50, p95`` of the ratio.
    """
    rows = []
    for factor in factors:
        for delta in shifts:
            totals: dict[str, np.ndarray] = {}
            invested = {g: 0.0 for g in GROUPS}
            for r in results:
                moved, answers = _shifted(r.impact_map, r.survey, factor, float(delta))
                sim = simulate(moved, r.investment, conventions, draws=draws, seed=seed, survey=answers,
                               streams=r.partner_id)
                p5, p50, p95 = np.percentile(sim.ratio, [5, 50, 95])
                rows.append({"factor": factor, "shift": float(delta), "scope": r.name, "group": r.purpose,
                             "p5": p5, "p50": p50, "p95": p95})
                totals[r.purpose] = totals[r.purpose] + sim.present_value if r.purpose in totals else sim.present_value
                invested[r.purpose] += sim.investment
            for group in GROUPS:
                if group in totals:
                    p5, p50, p95 = np.percentile(totals[group] / invested[group], [5, 50, 95])
                    rows.append({"factor": factor, "shift": float(delta), "scope": f"forum: {group}",
                                 "group": group, "p5": p5, "p50": p50, "p95": p95})
    return pd.DataFrame(rows, columns=["factor", "shift", "scope", "group", "p5", "p50", "p95"])


def _members(results: list[PartnerResult], group: str) -> Iterator[tuple[PartnerResult, float]]:
    """Each partner of ``group`` with its share of the group's variance
    ``Var(PV_p) / Σ_q Var(PV_q)`` (module notes)."""
    members = [r for r in results if r.purpose == group]
    total = float(sum(np.var(r.present_value) for r in members))
    for r in members:
        yield r, (float(np.var(r.present_value)) / total if total else 0.0)


def variance_drivers(results: list[PartnerResult], conventions: Conventions) -> pd.DataFrame:
    """Which partners and which factors drive the forum's uncertainty (module notes).

    Returns
    -------
    pandas.DataFrame
        ``group, name, partner_share`` (of the group's variance), then a column per
        parameter group (deadweights, attributions, ...: its share of the group's
        variance, first order) and ``interactions``; largest partner first.
    """
    rows = []
    for group in GROUPS:
        for r, share in _members(results, group):
            sobol = sobol_indices(r.impact_map, r.investment, conventions, survey=r.survey, method="exact")
            by_group = dict(zip(sobol["group"], sobol["S1"]))
            row = {"group": group, "name": r.name, "partner_share": share}
            row.update({name: share * float(by_group.get(name, 0.0)) for name in GROUP_NAMES.values()})
            row["interactions"] = share * max(0.0, 1.0 - float(sum(by_group.values())))
            rows.append(row)
    columns = ["group", "name", "partner_share", *GROUP_NAMES.values(), "interactions"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["group", "partner_share"], ascending=[True, False], kind="stable").reset_index(drop=True)


def survey_priorities(results: list[PartnerResult], conventions: Conventions, top: int = 10) -> pd.DataFrame:
    """Where the next survey answers would narrow the forum's total most: each outcome's
    deflators' share of its group's variance (module notes), largest first.

    Returns
    -------
    pandas.DataFrame
        ``group, name, outcome_id, outcome, forum_share`` (of the group's variance that
        would go if the outcome's deflators were known exactly), ``answers`` (survey answers
        it has now, counts below 5 as "<5"); the ``top`` of each group.
    """
    rows = []
    for group in GROUPS:
        found = []
        for r, share in _members(results, group):
            effort = survey_effort(r.impact_map, r.investment, conventions, survey=r.survey, method="exact")
            answers = r.evidence[r.evidence["parameter"].isin(DEFLATORS)].groupby("outcome_id")["n_answers"].max()
            for row in effort.to_dict("records"):
                found.append({"group": group, "name": r.name, "outcome_id": row["outcome_id"],
                              "outcome": row["outcome"], "forum_share": share * float(row["deflator_share"]),
                              "answers": suppress_value(int(answers.get(row["outcome_id"], 0)))})
        found.sort(key=lambda x: -x["forum_share"])
        rows += found[:top]
    return pd.DataFrame(rows, columns=["group", "name", "outcome_id", "outcome", "forum_share", "answers"])


def answer_spread(tables: Mapping[str, pd.DataFrame], results: list[PartnerResult]) -> pd.DataFrame:
    """How partners' answers to the same anchored question differ: for each factor and
    partner, the number of people who answered (counts below 5 as "<5"), and where 5 or
    more did, the mean answer and the middle half of answers (25th to 75th percentile);
    a last row per factor for the forum as a whole (its count withheld where a partner's
    is "<5", so the count cannot be worked out by subtraction).

    Returns
    -------
    pandas.DataFrame
        ``factor, name, respondents, mean, p25, p75`` (fractions; blank where fewer than 5
        answered).
    """
    survey = tables.get("DeflatorSurvey")
    rows = []
    if survey is None or not len(survey):
        return pd.DataFrame(columns=["factor", "name", "respondents", "mean", "p25", "p75"])
    names = {r.partner_id: r.name for r in results}
    answers = survey[survey["partner_id"].astype(str).isin(names)].copy()
    answers["value"] = [answer_to_fraction(a) for a in answers["answer"]]
    answers["person"] = answers["partner_id"].astype(str) + ":" + answers["respondent_ref"].astype(str)
    for factor in DEFLATORS:
        part = answers[answers["factor"] == factor]
        groups = [(names[pid], rows_) for pid, rows_ in part.groupby(part["partner_id"].astype(str))]
        groups.sort(key=lambda x: x[0].lower())
        hidden = any(0 < rows_["person"].nunique() < 5 for _, rows_ in groups)
        for name, rows_ in [*groups, (FORUM_ROW, part)]:
            people = int(rows_["person"].nunique()) if len(rows_) else 0
            if not people:
                continue
            enough = people >= 5
            values = rows_["value"].to_numpy(float)
            # the forum's count less the partners' shown would give a hidden partner's count away
            shown = WITHHELD if name == FORUM_ROW and hidden else suppress_value(people)
            rows.append({"factor": factor, "name": name, "respondents": shown,
                         "mean": float(values.mean()) if enough else np.nan,
                         "p25": float(np.percentile(values, 25)) if enough else np.nan,
                         "p75": float(np.percentile(values, 75)) if enough else np.nan})
    return pd.DataFrame(rows, columns=["factor", "name", "respondents", "mean", "p25", "p75"])


def drivers_text(drivers: pd.DataFrame) -> str:
    """The largest driver of each group's uncertainty in one line (checked by nbval)."""
    lines = []
    for group, part in drivers.groupby("group", sort=False):
        top = part.iloc[0]
        figures = part.drop(columns=["group", "name", "partner_share"]).sum()
        lines.append(f"{group}: {top['name']} holds {top['partner_share']:.0%} of the variance; "
                     f"by figure, {figures.idxmax()} {figures.max():.0%}")
    return "\n".join(lines) or "no uncertainty"
