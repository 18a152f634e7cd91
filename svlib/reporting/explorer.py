"""The scenario explorer's widgets: sliders and buttons wired to :mod:`svlib.uncertainty.scenarios`.

All calculation happens in :func:`svlib.uncertainty.scenarios.evaluate`; this module only lays out
ipywidgets and passes their values on. ``notebooks/explore/scenario_explorer.ipynb``
displays :attr:`ScenarioExplorer.panel`; tests drive the same widgets from Python.
"""

from __future__ import annotations

import io
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from svlib import paths
from svlib.contract.tables import FRACTION_PARAMETERS, SURVEY_FACTORS
from svlib.pipeline.build import load_processed
from svlib.reporting.partner_report import prepare, processed_folder
from svlib.reporting.plots import ratio_distribution
from svlib.reporting.report_display import esc, table
from svlib.reporting.report_text import ratio
from svlib.uncertainty.scenarios import OUTCOME_PARAMETERS, Scenario, ScenarioResult, evaluate, slug


SCHEDULE_CHOICES = (("a constant rate", "constant"), ("Green Book, standard", "green_book"),
                    ("Green Book, health", "green_book_health"), ("Green Book, reduced", "green_book_reduced"))
"""The discounting dropdown: label, schedule (:data:`svlib.reference.discounting.SCHEDULES`)."""

YEAR_ONE_CHOICES = (("its end (t)", 1), ("its middle (t − 0.5)", 0.5), ("its start (t − 1)", 0))
"""The convention dropdown: where in year t its flows are discounted from."""

LABELS = {"style": {"description_width": "initial"}}
"""Every described widget's label as wide as its words (ipywidgets' default cuts a long
description such as "discount rate" short)."""

BUTTON = {"layout": widgets.Layout(width="auto")}
"""A button as wide as its words ("Back to the partner's figures" would be cut at the default width)."""


def _problem(text: str) -> str:
    """A message for the explorer's status line, escaped."""
    return f"<span style='color:#a00'>{esc(text)}</span>"


class ScenarioExplorer:
    """Sliders for the deflators across all outcomes and the discount rate, per-outcome
    overrides, live results, and a button that saves the scenario.

    Parameters
    ----------
    collection : str
        Processed collection to explore (default the bundled example).
    partner_id : str, optional
        Partner shown first (default the first one).
    draws, seed : int
        Monte Carlo draws per update and seed.
    save_dir : path, optional
        Where saved scenarios go (default ``data/scenarios/<collection>``).
    """

    def __init__(self, collection: str = paths.EXAMPLE_COLLECTION, partner_id: str | None = None,
                 draws: int = 5_000, seed: int = 0, save_dir: str | Path | None = None,
                 data_dir: str | Path | None = None):
        self.collection, self.draws, self.seed = collection, draws, seed
        self.data_dir = processed_folder(collection, data_dir)
        self.save_dir = Path(save_dir) if save_dir else paths.scenarios_collection(collection)
        ids = list(load_processed(self.data_dir)["Partner"]["partner_id"])
        self.partner = widgets.Dropdown(options=ids, value=partner_id or ids[0], description="Partner", **LABELS)
        self.sliders = {f: widgets.FloatSlider(min=0, max=1, step=0.05, description=f.replace("_", "-"),
                                               readout_format=".0%", continuous_update=False, **LABELS)
                        for f in SURVEY_FACTORS}
        self.rate = widgets.FloatSlider(min=0, max=0.1, step=0.005, value=0.035, description="discount rate",
                                        readout_format=".1%", continuous_update=False, **LABELS)
        self.schedule = widgets.Dropdown(options=SCHEDULE_CHOICES, value="constant", description="discounting", **LABELS)
        self.year_one = widgets.Dropdown(options=YEAR_ONE_CHOICES, value=1, description="year t at", **LABELS)
        self.outcome = widgets.Dropdown(description="Outcome", **LABELS)
        self.parameter = widgets.Dropdown(options=OUTCOME_PARAMETERS, description="Parameter", **LABELS)
        self.value = widgets.FloatText(description="Value", **LABELS)
        self.add_override = widgets.Button(description="Override outcome", **BUTTON)
        self.reset = widgets.Button(description="Back to the partner's figures", **BUTTON)
        self.name = widgets.Text(value="my scenario", description="Name", **LABELS)
        self.save = widgets.Button(description="Save scenario", button_style="primary", **BUTTON)
        self.headline = widgets.HTML()
        self.figure = widgets.Output()
        self.switching = widgets.HTML()
        self.status = widgets.HTML()
        self.factors: dict[str, float] = {}
        self.outcome_overrides: dict[str, dict[str, float]] = {}
        self.result: ScenarioResult | None = None
        self.saved: Path | None = None
        self._quiet = False

        self.partner.observe(lambda change: self.load_partner(), names="value")
        for factor, slider in self.sliders.items():
            slider.observe(lambda change, f=factor: self._slider_moved(f, change["new"]), names="value")
        self.rate.observe(lambda change: self.update(), names="value")
        self.schedule.observe(lambda change: self.update(), names="value")
        self.year_one.observe(lambda change: self.update(), names="value")
        self.add_override.on_click(lambda button: self._override())
        self.reset.on_click(lambda button: self.load_partner())
        self.save.on_click(lambda button: self.save_scenario())
        self.panel = widgets.VBox([
            self.partner,
            widgets.HTML("<b>Across all outcomes</b> (a slider applies once moved)"),
            *self.sliders.values(), self.rate, widgets.HBox([self.schedule, self.year_one]),
            widgets.HTML("<b>One outcome</b>"),
            widgets.HBox([self.outcome, self.parameter, self.value, self.add_override]),
            widgets.HBox([self.reset, self.name, self.save]), self.status,
            self.headline, self.figure, self.switching,
        ])
        self.load_partner()

    def load_partner(self) -> None:
        """Show the chosen partner with its own figures (no overrides)."""
        self.report = prepare(self.partner.value, self.collection, self.data_dir, draws=self.draws, seed=self.seed)
        self.factors, self.outcome_overrides = {}, {}
        self._quiet = True
        for factor, slider in self.sliders.items():
            slider.value = float(np.round(self.report.impact_map[factor].mean() / 0.05) * 0.05)
        self.rate.value = self.report.conventions.discount_rate
        conventions = self.report.conventions
        self.schedule.value = conventions.discount_schedule if conventions.discount_schedule != "factors" else "constant"
        self.year_one.value = conventions.discount_from
        self.outcome.options = list(self.report.impact_map["outcome_id"])
        self._quiet = False
        self.update()

    def scenario(self) -> Scenario:
        """The scenario the widgets describe now."""
        conventions = self.report.conventions
        rate = None if abs(self.rate.value - conventions.discount_rate) < 1e-12 else self.rate.value
        schedule = None if self.schedule.value == conventions.discount_schedule else self.schedule.value
        year_one = None if self.year_one.value == conventions.discount_from else self.year_one.value
        return Scenario(self.name.value or "scenario", dict(self.factors),
                        {k: dict(v) for k, v in self.outcome_overrides.items()}, discount_rate=rate,
                        discount_schedule=schedule, discount_from=year_one)

    def update(self) -> ScenarioResult:
        """Re-value and re-simulate under the current scenario and redraw the results."""
        if self._quiet:
            return self.result
        r = self.report
        self.result = evaluate(self.scenario(), r.impact_map, r.investment, r.conventions, r.survey,
                               draws=self.draws, seed=self.seed, streams=str(r.partner["partner_id"]))
        s = self.result.summary()
        below = f"{s['prob_ratio_below_1']:.1%}"
        self.headline.value = (f"<p style='font-size:1.3em'>SROI ratio <b>{esc(ratio(s['sroi_ratio']))}</b>; "
                               f"90% range {esc(ratio(s['p5']))} to {esc(ratio(s['p95']))}; chance below 1:1 "
                               f"{esc(below)}</p>")
        self.figure.clear_output(wait=True)
        with self.figure:
            from IPython.display import display

            display(_png(ratio_distribution(self.result.simulation, self.result.valuation.sroi_ratio, bins=40)))
        reachable = self.result.switching[self.result.switching["reachable"]]
        self.switching.value = table(reachable[["parameter", "outcome_id", "current_value", "result"]],
                                     {"current_value": "number"}, "Switching values (what brings the ratio to 1:1)",
                                     {"parameter": "Assumption", "outcome_id": "Outcome", "current_value": "Now",
                                      "result": "Switches at"}).data
        return self.result

    def save_scenario(self) -> Path:
        """Save the current scenario as JSON under ``save_dir``."""
        scenario = self.scenario()
        self.saved = scenario.save(self.save_dir / f"{self.partner.value}-{scenario.slug()}.json")
        written = paths.outputs_collection(self.collection) / "scenarios" / slug(Path(self.saved).stem)  # as a run names it
        self.status.value = (f"Saved <code>{esc(self.saved)}</code>: rerun the report with "
                             f"<code>svlib reports --partners {esc(self.partner.value)} --scenario {esc(self.saved)}</code>"
                             f"; it writes to <code>{esc(paths.shown(written))}/</code>, beside the official reports, "
                             "which it never touches")
        return self.saved

    def _slider_moved(self, factor: str, value: float) -> None:
        if self._quiet:
            return
        self.factors[factor] = float(value)
        self.update()

    def _override(self) -> None:
        """Set the chosen parameter of the chosen outcome. Nothing chosen, a fraction
        outside 0-1, or a value the scenario refuses: a message on the status line, and
        the overrides and results stay as they were."""
        outcome, parameter = self.outcome.value, self.parameter.value
        if outcome is None or parameter is None:
            self.status.value = _problem("Choose an outcome and a parameter first, then press Override outcome.")
            return
        value = float(self.value.value)
        if parameter in FRACTION_PARAMETERS and not 0 <= value <= 1:
            self.status.value = _problem(f"{parameter} must be between 0 and 1")
            return
        before = {k: dict(v) for k, v in self.outcome_overrides.items()}
        self.outcome_overrides.setdefault(outcome, {})[parameter] = value
        try:
            self.update()
        except ValueError as exc:  # the scenario's own check (a negative quantity, say): said, and undone
            self.outcome_overrides = before
            self.status.value = _problem(f"Not applied: {exc}")
            return
        self.status.value = ""


def _png(figure: Figure):
    """A figure as an image to display (no pyplot state)."""
    from IPython.display import Image

    buffer = io.BytesIO()
    figure.set_layout_engine(None)  # fixed margins: a live update cannot wait for the layout solver
    figure.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.9)
    figure.savefig(buffer, format="png", dpi=72)
    return Image(buffer.getvalue())
