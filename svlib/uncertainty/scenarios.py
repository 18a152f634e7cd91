"""Named "what if" scenarios: overrides applied to a partner's impact map and conventions.

A scenario answers questions such as "what if our deadweight is really 40%?". It holds

* ``factors``: a value for one parameter across all outcomes (``{"deadweight": 0.4}``);
* ``outcomes``: values for one outcome's parameters (``{"JOB1": {"attribution": 0.5}}``),
  applied after ``factors``;
* discount options (``discount_rate``, ``discount_schedule``, ``discount_from``,
  ``dropoff_from``), each left as it was when ``None``.

An overridden parameter becomes fixed at its new value (its ``<p>_low``/``<p>_high``
range no longer applies and survey answers for it are set aside): the scenario states
what the user believes. Scenarios are saved as small JSON files and accepted by
``svlib sroi``, ``svlib simulate`` and ``svlib reports`` (``--scenario FILE``).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svlib.contract.tables import FRACTION_PARAMETERS
from svlib.core.files import write_json
from svlib.core.problems import InputError, Problem
from svlib.uncertainty.estimates import central_valuation
from svlib.uncertainty.montecarlo import simulate
from svlib.uncertainty.sensitivity import switching_values
from svlib.reference.discounting import DISCOUNT_FROM, SCHEDULES
from svlib.valuation.sroi import Conventions, Investment

OUTCOME_PARAMETERS = FRACTION_PARAMETERS + ("quantity", "proxy_value")
"""The parameters a scenario may set for one outcome, fractions first (the explorer lists them
in this order)."""
CONVENTION_FIELDS = ("discount_rate", "discount_schedule", "discount_from", "dropoff_from")


@dataclass(frozen=True)
class Scenario:
    """A set of overrides with a name (see the module docstring)."""

    name: str = "base case"
    factors: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, dict[str, float]] = field(default_factory=dict)
    discount_rate: float | None = None
    discount_schedule: str | None = None
    discount_from: float | None = None
    dropoff_from: int | None = None

    def __post_init__(self) -> None:
        problems = validate(self.to_dict())
        if problems:
            raise ValueError("; ".join(problems))

    def apply(self, impact_map: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``impact_map`` with the overrides applied (overridden parameters fixed)."""
        out = impact_map.copy()
        for parameter, value in self.factors.items():
            out[parameter] = float(value)
            _drop_range(out, parameter, slice(None))
        ids = out["outcome_id"].astype(str)
        for outcome_id, values in self.outcomes.items():
            rows = (ids == str(outcome_id)).to_numpy()
            if not rows.any():
                raise ValueError(f"scenario '{self.name}': outcome '{outcome_id}' is not in the impact map; "
                               f"outcomes: {', '.join(ids)}")
            for parameter, value in values.items():
                out.loc[rows, parameter] = float(value)
                _drop_range(out, parameter, rows)
        return out

    def survey_for(self, survey: pd.DataFrame | None) -> pd.DataFrame | None:
        """Survey answers without those for overridden parameters (the scenario's value
        replaces the survey's estimate there)."""
        if survey is None or not len(survey):
            return survey
        keep = ~survey["factor"].isin(list(self.factors))
        for outcome_id, values in self.outcomes.items():
            keep &= ~((survey["outcome_id"].astype(str) == str(outcome_id)) & survey["factor"].isin(list(values)))
        return survey[keep].reset_index(drop=True)

    def conventions(self, base: Conventions = Conventions()) -> Conventions:
        """``base`` with this scenario's discount options."""
        changes = {k: getattr(self, k) for k in CONVENTION_FIELDS if getattr(self, k) is not None}
        if base.discount_schedule == "factors" and {"discount_schedule", "discount_from"} & set(changes):
            changes.setdefault("discount_schedule", "constant")  # a scenario's rule replaces a run's table
            changes["discount_factors"] = None
        return replace(base, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items()}

    def slug(self) -> str:
        """The scenario's name as a file name (:func:`slug`)."""
        return slug(self.name)

    def changes(self) -> list[str]:
        """What the scenario changes, in words, one line each (``deadweight set to 40% for
        every outcome``, ``JOB1: attribution set to 50%``, ``discount rate set to 1.5%``)."""
        def shown(parameter: str, value: float) -> str:
            words = parameter.replace("_", "-") if parameter == "drop_off" else parameter.replace("_", " ")
            if parameter in FRACTION_PARAMETERS:
                return f"{words} set to {round(float(value) * 100, 1):g}%"
            return f"{words} set to {float(value):,.2f}".rstrip("0").rstrip(".")

        lines = [f"{shown(p, v)} for every outcome" for p, v in self.factors.items()]
        lines += [f"{oid}: {shown(p, v)}" for oid, values in self.outcomes.items() for p, v in values.items()]
        if self.discount_rate is not None:
            lines.append(f"discount rate set to {round(float(self.discount_rate) * 100, 2):g}%")
        if self.discount_schedule is not None:
            lines.append(f"discount schedule set to {self.discount_schedule.replace('_', ' ')}")
        if self.discount_from is not None:
            lines.append({1: "year 1 discounted once (end of year)", 0.5: "mid-year discounting",
                          0: "year 1 not discounted"}.get(float(self.discount_from),
                                                          f"discount_from set to {self.discount_from:g}"))
        if self.dropoff_from is not None:
            lines.append(f"drop-off counted from year {int(self.dropoff_from)}")
        return lines or ["nothing: every figure as the partner gave it"]

    def save(self, path: str | Path) -> Path:
        """Write the scenario as JSON (atomically)."""
        return write_json(path, self.to_dict())


def slug(text: str) -> str:
    """``text`` as a file or folder name: lower-case letters, digits and hyphens, at most 60
    (``"Deadweight 40%"`` → ``deadweight-40``); ``scenario`` when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60].strip("-") or "scenario"


def _drop_range(frame: pd.DataFrame, parameter: str, rows: Any) -> None:
    for suffix in ("_low", "_high"):
        column = f"{parameter}{suffix}"
        if column in frame:
            frame.loc[rows, column] = np.nan
    if f"{parameter}_dist" in frame:
        frame.loc[rows, f"{parameter}_dist"] = ""


def validate(data: dict[str, Any]) -> list[str]:
    """Every problem with a scenario's content, as messages naming the field."""
    problems: list[str] = []
    known = {"name", "factors", "outcomes", *CONVENTION_FIELDS}
    for key in data:
        if key not in known:
            problems.append(f"unknown field '{key}'; expected: {', '.join(sorted(known))}")

    def check(where: str, parameter: str, value: Any, allowed: tuple[str, ...]) -> None:
        if parameter not in allowed:
            problems.append(f"{where}: unknown parameter '{parameter}'; expected one of: {', '.join(allowed)}")
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            problems.append(f"{where}.{parameter}: expected a number, got {value!r}")
        elif parameter in FRACTION_PARAMETERS and not 0 <= value <= 1:
            problems.append(f"{where}.{parameter}: expected a fraction between 0 and 1, got {value!r}")
        elif value < 0:
            problems.append(f"{where}.{parameter}: expected 0 or more, got {value!r}")

    factors, outcomes = data.get("factors") or {}, data.get("outcomes") or {}
    if not isinstance(factors, dict):
        problems.append("factors: expected parameter: value pairs, such as {\"deadweight\": 0.4}")
        factors = {}
    if not isinstance(outcomes, dict):
        problems.append("outcomes: expected outcome_id: {parameter: value} pairs")
        outcomes = {}
    if not isinstance(data.get("name", ""), str):
        problems.append("name: expected text")
    for parameter, value in factors.items():
        check("factors", parameter, value, FRACTION_PARAMETERS)
    for outcome_id, values in outcomes.items():
        if not isinstance(values, dict):
            problems.append(f"outcomes.{outcome_id}: expected parameter: value pairs")
            continue
        for parameter, value in values.items():
            check(f"outcomes.{outcome_id}", parameter, value, OUTCOME_PARAMETERS)
    rate = data.get("discount_rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1):
        problems.append(f"discount_rate: expected a fraction such as 0.035, got {rate!r}")
    schedules = [s for s in SCHEDULES if s != "factors"]  # a table of factors is a run's option, not a scenario's
    if data.get("discount_schedule") not in (None, *schedules):
        problems.append(f"discount_schedule: expected one of {', '.join(repr(s) for s in schedules)}")
    if data.get("discount_from") not in (None, *DISCOUNT_FROM) or isinstance(data.get("discount_from"), bool):
        problems.append("discount_from: expected 1 (year 1 discounted once), 0.5 (mid-year) or 0 (year 1 undiscounted)")
    if data.get("dropoff_from") not in (None, 1, 2):
        problems.append("dropoff_from: expected 2 (drop-off from year 2) or 1")
    return problems


def load(path: str | Path) -> Scenario:
    """A scenario from its JSON file; raises :class:`InputError` naming the file and each
    problem."""
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(file, "scenario", None, None, "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(file, "scenario", None, None, f"not a scenario file (JSON expected): {exc}")]) from None
    return from_dict(data, file)


def from_dict(data: Any, file: str = "scenario") -> Scenario:
    """A scenario from its content (what :meth:`Scenario.to_dict` gives, as a report
    notebook receives it); raises :class:`InputError` naming each problem."""
    if not isinstance(data, dict):
        raise InputError([Problem(file, "scenario", None, None, "expected a JSON object")])
    problems = validate(data)
    if problems:
        raise InputError([Problem(file, "scenario", None, None, p) for p in problems])
    return Scenario(**data)


@dataclass
class ScenarioResult:
    """What a scenario gives: the deterministic valuation, the simulated distribution and
    the switching values, all under the scenario."""

    scenario: Scenario
    valuation: Any
    simulation: Any
    switching: pd.DataFrame

    def summary(self) -> dict[str, float]:
        sim = self.simulation.summary()
        return {"sroi_ratio": self.valuation.sroi_ratio, "p5": sim["sroi_ratio"]["p5"],
                "p50": sim["sroi_ratio"]["p50"], "p95": sim["sroi_ratio"]["p95"],
                "prob_ratio_below_1": sim["prob_ratio_below_1"]}


def evaluate(
    scenario: Scenario,
    impact_map: pd.DataFrame,
    investment: float | Investment,
    conventions: Conventions = Conventions(),
    survey: pd.DataFrame | None = None,
    draws: int = 5_000,
    seed: int = 0,
    streams: str | None = None,
) -> ScenarioResult:
    """Value, simulate and find the switching values of ``impact_map`` under ``scenario``.

    Parameters
    ----------
    scenario : Scenario
    impact_map : pandas.DataFrame
        Resolved map (proxies in the analysis price year).
    investment : float
        GBP.
    conventions : Conventions
        The base conventions; the scenario's discount options replace theirs.
    survey : pandas.DataFrame, optional
        Deflator survey answers; those for overridden parameters are set aside.
    draws, seed : int
        Monte Carlo draws and seed (a small number keeps a workshop responsive).
    streams : str, optional
        The partner whose map it is (its random streams, as in its report).
    """
    changed = scenario.apply(impact_map)
    used = scenario.conventions(conventions)
    remaining = scenario.survey_for(survey)
    answers = remaining if remaining is not None and len(remaining) else None
    return ScenarioResult(
        scenario=scenario,
        valuation=central_valuation(changed, investment, used, survey=answers),
        simulation=simulate(changed, investment, used, draws=draws, seed=seed, survey=answers, streams=streams),
        switching=switching_values(changed, investment, used, survey=answers),
    )
