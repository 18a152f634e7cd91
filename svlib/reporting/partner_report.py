"""Everything one partner's report shows, computed from the processed tables.

The report notebook (``notebooks/05_partner_report.ipynb``) calls :func:`prepare` once
and then displays the pieces of the returned :class:`PartnerReport`; it holds no logic of
its own. Every figure is traceable: the impact map with each deflator's evidence, the
proxies with their sources and licences, the conventions, and the provenance block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from svlib import paths
from svlib.analysis.assurance import checklist
from svlib.analysis.comparison import paired_small_outcomes
from svlib.analysis.disclosure import WITHHELD, small_outcomes, suppress_value, withhold_small
from svlib.analysis.evidence import quotes_for_sharing, redact, redact_tables
from svlib.analysis.proxy_research import age_text
from svlib.analysis.testimony_tags import SuggestedTags, suggested_tags
from svlib.contract.cells import is_blank
from svlib.contract.tables import SURVEY_FACTORS
from svlib.core.problems import InputError
from svlib.core.provenance import provenance
from svlib.reporting.report_text import figure
from svlib.pipeline.build import build, is_current, load_processed
from svlib.reference.proxies import load_library
from svlib.uncertainty.deflators import summarise_survey
from svlib.uncertainty.estimates import Estimates, estimates
from svlib.uncertainty.montecarlo import Simulation, simulate
from svlib.uncertainty.scenarios import from_dict, load
from svlib.uncertainty.sensitivity import sobol_indices, survey_effort, switching_values, tornado
from svlib.validate.impact_map import first_calendar_year, resolve_proxies
from svlib.valuation.sroi import (
    VALUE_KINDS,
    Conventions,
    Investment,
    Valuation,
    ValueModel,
    present_value_factor,
    value_map,
)


def processed_folder(collection: str = paths.EXAMPLE_COLLECTION, data_dir: str | Path | None = None) -> Path:
    """The processed tables of a collection (``data_dir``, a relative one taken from the
    repository root, or ``data/processed/<collection>`` built from
    ``data/raw/<collection>`` on first use, and built again whenever the raw files or
    svlib's table layout have changed since: :func:`svlib.pipeline.build.is_current`)."""
    folder = paths.resolve(data_dir) if data_dir else paths.processed_collection(collection)
    if not data_dir and not is_current(folder, paths.raw_collection(collection)):
        result = build(paths.raw_collection(collection), folder)
        if not result.ok:
            raise InputError([p for p in result.problems if p.severity == "error"])
    return folder


def shared_tables(collection: str = paths.EXAMPLE_COLLECTION, data_dir: str | Path | None = None
                  ) -> dict[str, pd.DataFrame]:
    """The processed tables of a collection as every shared page reads them: checked
    against their schemas (:func:`svlib.pipeline.build.load_processed`), with contact details
    and people's names removed from every piece of partner text, and without the Names sheet
    (:func:`svlib.analysis.evidence.redact_tables`)."""
    return redact_tables(load_processed(processed_folder(collection, data_dir)))


def _given(value: Any) -> Any:
    """A run's parameter, or ``None`` when it was left blank (``None``, ``""`` or NaN)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def partner_conventions(partner: Mapping[str, Any], discount_rate: Any = None, discount_schedule: Any = None,
                        discount_from: Any = None, dropoff_from: int = 2, price_year: int | None = None,
                        discount_factors: Any = None) -> Conventions:
    """The conventions of one partner's report: each one the run gives, else the partner's
    own (its Partner sheet's ``discount_schedule``, ``discount_rate``, ``discount_from``),
    else the SROI guide's. A run's table of factors replaces rate, schedule and convention."""
    table = _given(discount_factors)
    if table is not None:
        pairs = json.loads(table) if isinstance(table, str) else table
        factors = tuple(sorted((int(y), float(f)) for y, f in pairs))
        return Conventions(discount_schedule="factors", discount_factors=factors, dropoff_from=int(dropoff_from),
                           price_year=price_year)
    schedule = _given(discount_schedule) or ("constant" if _given(discount_rate) is not None else None) or _given(
        partner.get("discount_schedule")) or "constant"  # a run's rate is a constant rate, over the partner's schedule
    rate = _given(discount_rate)
    rate = float(rate) if rate is not None else _given(partner.get("discount_rate"))
    convention = _given(discount_from)
    convention = float(convention) if convention is not None else _given(partner.get("discount_from"))
    convention = 1 if convention is None else (int(convention) if float(convention) in (0, 1) else float(convention))
    return Conventions(discount_rate=0.035 if rate is None else float(rate), discount_schedule=str(schedule),
                       discount_from=convention, dropoff_from=int(dropoff_from), price_year=price_year)


def _partner_rows(tables: dict[str, pd.DataFrame], name: str, partner_id: str) -> pd.DataFrame:
    frame = tables[name]
    return frame[frame["partner_id"] == partner_id].drop(columns="partner_id").reset_index(drop=True)


@dataclass
class PartnerReport:
    """One partner's analysis, ready to display."""

    partner: dict[str, Any]
    impact_map: pd.DataFrame
    inputs: pd.DataFrame
    survey: pd.DataFrame
    case_studies: pd.DataFrame
    baseline: dict[str, Any]
    conventions: Conventions
    draws: int
    seed: int
    sources: list[Path] = field(default_factory=list)
    raw_source: dict[str, Any] = field(default_factory=dict)
    scenario: dict[str, Any] | None = None
    star_readings: pd.DataFrame = field(default_factory=pd.DataFrame)
    paired_small: tuple[str, ...] = ()

    @cached_property
    def investment(self) -> Investment:
        """The inputs, each at face value or discounted in its year (:class:`svlib.valuation.sroi.Investment`)."""
        return Investment.from_inputs(self.inputs)

    @property
    def answers(self) -> pd.DataFrame | None:
        """The deflator survey answers, or None when there are none."""
        return self.survey if len(self.survey) else None

    @cached_property
    def estimates(self) -> Estimates:
        """Each parameter's evidence and central value, by the rule of evidence
        (:mod:`svlib.uncertainty.estimates`)."""
        return estimates(self.impact_map, self.answers)

    @cached_property
    def valuation(self) -> Valuation:
        """The headline valuation: the map at its central values."""
        return value_map(self.estimates.central_map(), self.investment, self.conventions)

    @cached_property
    def valuation_as_written(self) -> Valuation:
        """The map valued at the figures the partner wrote in it (shown beside the
        headline where the evidence used differs)."""
        return value_map(self.impact_map, self.investment, self.conventions)

    @cached_property
    def survey_summary(self) -> pd.DataFrame:
        return summarise_survey(self.survey)

    @cached_property
    def simulation(self) -> Simulation:
        return simulate(self.impact_map, self.investment, self.conventions, draws=self.draws, seed=self.seed,
                        survey=self.answers, streams=str(self.partner["partner_id"]), estimated=self.estimates)

    @cached_property
    def headline(self) -> dict[str, float]:
        """The figures the forum index and run.json carry: the ratio at the central values
        of the evidence, and the Monte Carlo band and chance below 1:1."""
        summary = self.simulation.summary()
        return {
            "sroi_ratio": self.valuation.sroi_ratio,
            "p5": summary["sroi_ratio"]["p5"],
            "p50": summary["sroi_ratio"]["p50"],
            "p95": summary["sroi_ratio"]["p95"],
            "prob_ratio_below_1": summary["prob_ratio_below_1"],
            "monte_carlo_se": summary["monte_carlo_se"],
            "present_value": self.valuation.present_value,
            "negative_present_value": self.valuation.negative_present_value,
            "fiscal_present_value": self.valuation.fiscal_present_value,
            "investment": self.investment.face_value,
            "investment_pv": self.valuation.investment_pv,
        }

    def headline_text(self) -> str:
        """The headline, rounded, as one line (checked by nbval)."""
        h = self.headline
        return (f"SROI ratio {h['sroi_ratio']:.2f} : 1; 90% range {h['p5']:.2f} to {h['p95']:.2f}; "
                f"chance below 1:1 {h['prob_ratio_below_1']:.1%}; present value £{h['present_value']:,.0f}; "
                f"investment £{h['investment']:,.0f}" + (
                    f" (present value £{h['investment_pv']:,.0f})" if abs(h["investment_pv"] - h["investment"]) > 0.5
                    else ""))

    @cached_property
    def tornado(self) -> pd.DataFrame:
        return tornado(self.impact_map, self.investment, self.conventions, survey=self.answers,
                       estimated=self.estimates)

    @property
    def withheld_outcomes(self) -> set[str]:
        """Outcomes of fewer than 5 people (:func:`svlib.analysis.disclosure.is_small_outcome`),
        here or in the other workbook of a forecast/evaluation pair
        (:func:`svlib.analysis.comparison.paired_small_outcomes`): no figure of one person
        (quantity, proxy, deflators, years, evidence text) and no per-outcome sensitivity is
        shared for them, so the count cannot be worked out."""
        return {o for _, o in small_outcomes(self.impact_map)} | set(self.paired_small)

    def count_mark(self, outcome_id: str) -> str:
        """What a withheld outcome's quantity shows: "<5" when its own count is below 5,
        "withheld" when only its pair's is (:attr:`withheld_outcomes`)."""
        own = {o for _, o in small_outcomes(self.impact_map)}
        return "<5" if str(outcome_id) in own else WITHHELD

    def withhold(self, frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """``frame`` with the figures of one person of :attr:`withheld_outcomes` withheld
        (:func:`svlib.analysis.disclosure.withhold_small`, on rows named by ``outcome_id``):
        a quantity shows :meth:`count_mark`, every other figure of ``columns`` (default:
        the per-person columns) "withheld"."""
        own = {("", o) for o in self.withheld_outcomes if self.count_mark(o) == "<5"}
        paired = {("", o) for o in self.withheld_outcomes} - own
        return withhold_small(withhold_small(frame, own, columns), paired, columns, count_mark=WITHHELD)

    @cached_property
    def arithmetic(self) -> pd.DataFrame:
        """Each outcome's arithmetic at the values used (the headline's), as numbers, in
        map order: :attr:`Valuation.by_outcome` (its inputs, ``impact_year1``,
        ``total_impact``, ``present_value``, ``share_of_value``) with each outcome's
        ``present_value_factor``.

        Notes
        -----
        For outcome ``i`` starting in analysis year ``s`` and lasting ``d`` years (SROI
        guide, stages 4-5; :mod:`svlib.valuation.sroi`)::

            impact_year1  = quantity × proxy_value × (1 − deadweight)(1 − displacement)
                            × (1 − attribution)(1 − leakage)                     GBP
            factor        = Σ_{k=1..d} (1 − drop_off)^(k − 1) × DF(s + k − 1)   (^k with drop-off from year 1)
            present_value = impact_year1 × factor                                GBP

        ``DF`` is the discount factor of the conventions (times the proxy's yearly ratio
        for a proxy valued year by year). The present values add up to the headline's.
        """
        v = self.valuation
        model = ValueModel(v.impact_map, self.investment, self.conventions)
        factor = present_value_factor(model.central["drop_off"], model.duration[:, 0], model.start_year[:, 0],
                                      model.outcome_factors, self.conventions.dropoff_from)
        frame = v.by_outcome.copy()
        frame.insert(frame.columns.get_loc("present_value"), "present_value_factor", factor)
        return frame

    def tornado_for_sharing(self) -> pd.DataFrame:
        """The tornado without the bars of :attr:`withheld_outcomes` (a bar's change in the
        ratio, with the published proxy and deflators, gives the count away)."""
        frame = self.tornado
        shared = frame[~frame["outcome_id"].astype(str).isin(self.withheld_outcomes)].reset_index(drop=True)
        shared.attrs = dict(frame.attrs)
        return shared

    @cached_property
    def switching_values(self) -> pd.DataFrame:
        return switching_values(self.impact_map, self.investment, self.conventions, survey=self.answers,
                                estimated=self.estimates)

    @cached_property
    def sobol(self) -> pd.DataFrame:
        return sobol_indices(self.impact_map, self.investment, self.conventions, survey=self.answers, method="exact",
                             estimated=self.estimates)

    @cached_property
    def survey_effort(self) -> pd.DataFrame:
        return survey_effort(self.impact_map, self.investment, self.conventions, survey=self.answers, method="exact",
                             estimated=self.estimates)

    def deflator_evidence(self) -> pd.DataFrame:
        """The impact map as a partner reads it: each outcome's quantity, proxy, the
        partner's own evidence text, and deflators, each at the value used (its central
        value) with its evidence (:func:`evidence_text`)."""
        table = self.estimates.table.set_index(["outcome_id", "parameter"], drop=False)
        rows = []
        for row in self.impact_map.to_dict("records"):
            oid = row["outcome_id"]
            entry = {
                "outcome_id": oid, "stakeholder": row["stakeholder"], "outcome": row["outcome"],
                "theme": row["theme"], "quantity": table.loc[(oid, "quantity"), "central"],
                "proxy_value": table.loc[(oid, "proxy_value"), "central"],
                "duration": row["duration"], "evidence": "" if is_blank(row.get("evidence")) else row["evidence"],
            }
            for factor in SURVEY_FACTORS:
                used = table.loc[(oid, factor)]
                entry[factor] = used["central"]
                entry[f"{factor}_evidence"] = evidence_text(used)
            rows.append(entry)
        return pd.DataFrame(rows)

    def evidence_differences(self) -> pd.DataFrame:
        """Where the value used is not the figure written in the impact map: ``outcome_id,
        parameter, written, central, low, evidence, note`` (``low``: the bottom of the
        distribution used, the figure itself when fixed; ``note``: the rule's reason in words). A quantity is listed with both
        figures, which the report suppresses when small."""
        moved = self.estimates.differences()
        table = self.estimates.table.set_index(["outcome_id", "parameter"], drop=False)
        moved["evidence"] = [evidence_text(table.loc[(o, p)]) for o, p in zip(moved["outcome_id"], moved["parameter"])]
        return moved[["outcome_id", "parameter", "written", "central", "low", "evidence", "note"]]

    def quotes(self) -> pd.DataFrame:
        """Case studies safe to share (consent and anonymised both yes), redacted, one row
        per outcome they evidence, joined to the outcome's wording."""
        quotes = quotes_for_sharing(self.case_studies)
        outcomes = self.impact_map[["outcome_id", "outcome"]]
        return quotes.merge(outcomes, on="outcome_id", how="left")[["outcome_id", "outcome", "title", "text"]]

    @cached_property
    def testimony_tags(self) -> SuggestedTags:
        """The tagger's suggestions for this partner's shareable case studies against its
        own impact map, beside its own and accepted outcome ids
        (:func:`svlib.analysis.testimony_tags.suggested_tags`; never counted)."""
        pid = self.partner["partner_id"]
        return suggested_tags({"CaseStudies": self.case_studies.assign(partner_id=pid),
                               "ImpactMap": self.impact_map.assign(partner_id=pid)})

    def proxies_used(self) -> pd.DataFrame:
        """Each outcome's proxy: value in the analysis price year, as published, price
        year and where that year came from, rebasing factor, source and licence."""
        columns = ["outcome_id", "proxy_id", "proxy_value_type", "proxy_value", "proxy_value_as_published",
                   "proxy_price_year", "proxy_age_years", "proxy_old", "price_year_from", "rebase_factor",
                   "proxy_source", "proxy_licence", "proxy_url"]
        used = self.impact_map[[c for c in columns if c in self.impact_map]].copy()
        if "proxy_value_type" in used:
            used["proxy_value_type"] = [VALUE_KINDS.get(str(k or ""), VALUE_KINDS[""]) for k in used["proxy_value_type"]]
        if "proxy_age_years" in used:
            used["proxy_age_years"] = [age_text(a, old == "yes") for a, old in
                                       zip(used["proxy_age_years"], used.get("proxy_old", ["no"] * len(used)))]
            used = used.drop(columns=[c for c in ("proxy_old",) if c in used])
        return used

    def assurance(self) -> pd.DataFrame:
        return checklist(self.impact_map, self.valuation.by_outcome, self.survey_summary, self.case_studies,
                         int(self.conventions.price_year))

    def provenance(self) -> dict[str, Any]:
        """svlib and library versions, seed, parameters, input SHA-256s and conventions."""
        block = provenance(self.sources, parameters={"partner_id": self.partner["partner_id"], "draws": self.draws,
                                                     **self.conventions.describe()}, seed=self.seed)
        block["raw_workbook"] = self.raw_source
        block["scenario"] = self.scenario
        return block

    def provenance_table(self) -> pd.DataFrame:
        block = self.provenance()
        rows = [("svlib version", block["versions"]["svlib"]), ("seed", block["seed"]),
                ("Monte Carlo draws", self.draws)]
        rows += [(f"convention: {k}", v) for k, v in self.conventions.describe().items()]
        if self.scenario:  # in words: what the scenario changes (its file's content stays in the notebook)
            scenario = from_dict(dict(self.scenario))
            rows.append(("scenario", redact(f"{scenario.name}: {'; '.join(scenario.changes())}")))
        if self.raw_source:  # the partner's file name, as shared pages show any partner text
            rows.append((f"raw workbook {redact(str(self.raw_source.get('file')))}",
                         f"SHA-256 {self.raw_source.get('sha256')}"))
        rows += [(f"input {Path(k).name}", f"SHA-256 {v['sha256']}") for k, v in block["inputs"].items()]
        rows += [(f"version of {k}", v) for k, v in block["versions"].items() if k != "svlib"]
        return pd.DataFrame(rows, columns=["item", "value"])


def evidence_text(row: Mapping[str, Any]) -> str:
    """One row of :attr:`Estimates.table` as the report's evidence column says it: the
    level of evidence and what it rests on. A number of survey answers below 5 is "<5"."""
    level, n = row["level"], int(row["n_answers"])
    if level == "survey":
        return f"survey of {suppress_value(n)} answers (average answer {row['survey_mean']:.0%})"
    few = f"; {suppress_value(n)} survey answers, too few to use" if n else ""
    if level == "range":
        shown = {k: figure(row["parameter"], row[k]) for k in ("low", "most_likely", "high")}
        shape = row["kind"] if row["kind"] == "uniform" else f"most likely {shown['most_likely']}, {row['kind']}"
        return f"mean of the partner's range {shown['low']} to {shown['high']} ({shape}){few}"
    if level == "figure":
        return f"the partner's figure{few}"
    return str(row["evidence"])


def prepare(
    partner_id: str,
    collection: str = paths.EXAMPLE_COLLECTION,
    data_dir: str | Path | None = None,
    draws: int = 10_000,
    seed: int = 0,
    price_year: int | None = None,
    discount_rate: float | str | None = None,
    discount_schedule: str | None = None,
    discount_from: float | str | None = None,
    dropoff_from: int = 2,
    scenario: str | Path | Mapping[str, Any] | None = None,
    discount_factors: str | Sequence[Sequence[float]] | None = None,
) -> PartnerReport:
    """Load one partner from the processed tables and set up its analysis.

    Parameters
    ----------
    partner_id : str
    collection : str
        Collection name (``example``); used when ``data_dir`` is blank.
    data_dir : path, optional
        Processed tables folder (default ``data/processed/<collection>``).
    draws, seed : int
        Monte Carlo draws and seed.
    price_year : int, optional
        Analysis price year (default: the partner's own).
    discount_rate, discount_schedule, discount_from, dropoff_from
        Valuation conventions (see :class:`svlib.valuation.sroi.Conventions`). Blank (``None``
        or ``""``): the partner's own, from its Partner sheet, else the SROI guide's (3.5%,
        constant, year 1 discounted once); given, they apply whatever the partner wrote.
    discount_factors : JSON text or sequence of (year, factor), optional
        A table of discount factors for every analysis year, replacing rate, schedule and
        ``discount_from`` (``svlib reports --discount-factors``).
    scenario : path or dict, optional
        A saved scenario (:mod:`svlib.uncertainty.scenarios`), or its content, applied to the impact
        map and conventions.
    """
    folder = processed_folder(collection, data_dir or None)
    tables = shared_tables(collection, folder)
    partners = tables["Partner"]
    if partner_id not in set(partners["partner_id"]):
        raise KeyError(f"partner '{partner_id}' is not in {folder}; partners: {', '.join(partners['partner_id'])}")
    partner = partners[partners["partner_id"] == partner_id].iloc[0].to_dict()
    year = int(price_year or partner["price_year"])
    conventions = partner_conventions(partner, discount_rate, discount_schedule, discount_from, dropoff_from, year,
                                      discount_factors)
    raw_map = _partner_rows(tables, "ImpactMap", partner_id)
    resolved, problems = resolve_proxies(raw_map, load_library(), year, conventions.price_index,
                                         first_year=first_calendar_year(partner["period_start"]))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    survey = _partner_rows(tables, "DeflatorSurvey", partner_id)
    scenario_used = None
    if scenario:
        scenario_used = from_dict(dict(scenario)) if isinstance(scenario, Mapping) else load(paths.resolve(scenario))
        resolved = scenario_used.apply(resolved)
        survey = scenario_used.survey_for(survey)
        conventions = scenario_used.conventions(conventions)
    baseline_rows = _partner_rows(tables, "Baseline", partner_id)
    manifest = pd.read_json(folder / "manifest.json", typ="series")
    raw_source = next((s for s in manifest["sources"] if s["partner_id"] == partner_id), {})
    return PartnerReport(
        paired_small=tuple(sorted(o for p, o in paired_small_outcomes(tables) if p == partner_id)),
        partner=partner,
        impact_map=resolved,
        inputs=_partner_rows(tables, "Inputs", partner_id),
        survey=survey,
        case_studies=_partner_rows(tables, "CaseStudies", partner_id),
        baseline=baseline_rows.iloc[0].to_dict() if len(baseline_rows) else {},
        conventions=conventions,
        draws=int(draws),
        seed=int(seed),
        sources=sorted(folder.glob("*.csv")),
        raw_source=dict(raw_source),
        scenario=scenario_used.to_dict() if scenario_used else None,
        star_readings=_partner_rows(tables, "StarReadings", partner_id),
    )


def from_parameters(partner_id: str, collection: str = paths.EXAMPLE_COLLECTION, data_dir: str = "",
                    n_draws: int = 2000, seed: int = 20251125, price_year: int = 0, discount_rate: Any = "",
                    discount_schedule: Any = "", discount_from: Any = "", dropoff_from: int = 2, scenario: Any = "",
                    discount_factors: Any = "") -> PartnerReport:
    """The report the partner report notebook prepares from its parameters (the names and
    defaults of its ``parameters`` cell; blank means the partner's own, 0 the partner's own
    price year): the notebook and a run that needs the same report (its workbook) call this
    one function with the same parameters, so both have the same figures."""
    return prepare(partner_id, collection, data_dir, n_draws, seed, price_year or None, discount_rate,
                   discount_schedule, discount_from, dropoff_from, scenario or None, discount_factors)


def headline_metadata(report: PartnerReport) -> dict[str, dict[str, Any]]:
    """Output metadata a notebook attaches to its headline, read back by the runner."""
    return {"svlib": {k: float(v) for k, v in report.headline.items() if np.isfinite(v)} | {
        "partner_id": report.partner["partner_id"], "name": report.partner["name"]}}
