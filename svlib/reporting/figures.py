"""Charts for shared pages: each figure with its alternative text and its data.

A page shows a chart as a :class:`Chart`: the picture (PNG, embedded), alternative text
that says in words what it shows with its key numbers (what a screen reader reads, and
what public-sector accessibility rules ask for), and the chart's data as a table beside it
(under "The chart's data", which a reader opens). The figures themselves are
:mod:`svlib.reporting.plots`'; this module says what each one shows.

Only shareable data reaches a chart: a partner's tornado without its withheld outcomes, a
distance-travelled chart with counts below 5 shown as "<5".
"""

from __future__ import annotations

import base64
import io
from typing import Any, Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from svlib.analysis.distance import chart as distance_figure
from svlib.analysis.distance import summarise
from svlib.analysis.forum import COMPARABILITY_WARNING, partner_table
from svlib.analysis.scoping import heatmap_figure
from svlib.reporting import plots
from svlib.reporting.report_display import esc, paragraph, percent, shareable_counts, table
from svlib.reporting.report_text import money, ratio

DPI = 100
"""Pixels per inch of a chart's picture (the notebook's inline default)."""


class Chart:
    """A figure as a page shows it: the picture with its alternative text, an optional
    caption, and its data as a table (``data``, already shareable HTML).

    In a notebook it displays as HTML (``text/html``) with its alternative text as the
    plain-text form, so nbval and screen readers read the same words.
    """

    def __init__(self, figure: Figure, alt: str, data: Any = None, caption: str | None = None) -> None:
        self.figure, self.alt, self.data, self.caption = figure, " ".join(str(alt).split()), data, caption

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def __repr__(self) -> str:
        return self.alt

    def _repr_html_(self) -> str:
        picture = base64.b64encode(self.png()).decode("ascii")
        caption = f"<figcaption>{esc(self.caption)}</figcaption>" if self.caption else ""
        data = ""
        if self.data is not None:
            inner = self.data.data if hasattr(self.data, "data") else str(self.data)
            data = f"<details class='svlib-chart-data'><summary>The chart's data</summary>{inner}</details>"
        return (f"<figure class='svlib-chart'><img src='data:image/png;base64,{picture}' alt='{esc(self.alt)}' "
                f"style='max-width:100%;height:auto'>{caption}{data}</figure>")


def _bins(values: np.ndarray, scale: float, bins: int, low: str, high: str, formatter: Any) -> pd.DataFrame:
    """A histogram's bars as rows: each bar's range (``formatter`` of its edges × ``scale``)
    and its number of simulations."""
    counts, edges = np.histogram(np.asarray(values, float) * scale, bins=bins)
    return pd.DataFrame({low: [formatter(e / scale) for e in edges[:-1]],
                         high: [formatter(e / scale) for e in edges[1:]], "Simulations": counts})


# --- a partner's report ------------------------------------------------------------------

def ratio_chart(report: Any, bins: int = 60) -> Chart:
    """The simulated ratio as a histogram, with the headline, the likely range and 1:1."""
    sim, headline = report.simulation, report.headline["sroi_ratio"]
    summary = sim.summary()
    r = summary["sroi_ratio"]
    alt = (f"Histogram of {summary['draws']:,} simulated social returns. The headline ratio is {ratio(headline)}; "
           f"90% of simulations lie between {ratio(r['p5'])} and {ratio(r['p95'])}; the chance of less than £1 back "
           f"for every £1 is {percent(summary['prob_ratio_below_1'], 1)}.")
    data = _bins(sim.ratio, 1.0, bins, "Ratio from (£ per £1)", "to", lambda v: f"{v:,.2f}")
    return Chart(plots.ratio_distribution(sim, headline, bins), alt, table(data, {}, None, {}))


def theme_chart(report: Any) -> Chart:
    """Present value by County Durham Pound theme."""
    by_theme = report.valuation.by_theme
    year = report.conventions.price_year
    parts = "; ".join(f"{t}: {money(v)}" for t, v in zip(by_theme["theme"], by_theme["present_value"]))
    alt = f"Bar chart of present value by County Durham Pound theme, in {year} prices. {parts}."
    data = table(by_theme[["theme", "present_value"]], {"present_value": "money"}, None,
                 {"theme": "Theme", "present_value": f"Present value (£, {year} prices)"})
    return Chart(plots.value_by_theme(by_theme, year), alt, data)


def year_chart(report: Any) -> Chart:
    """Value in each year after the activity, undiscounted and discounted."""
    by_year = report.valuation.by_year
    year = report.conventions.price_year
    parts = "; ".join(f"year {int(y)}: {money(i)} in the year, {money(p)} present value"
                      for y, i, p in zip(by_year["year"], by_year["impact"], by_year["present_value"]))
    alt = f"Columns of value in each year after the activity, in {year} prices. {parts}."
    data = table(by_year[["year", "impact", "present_value"]], {"impact": "money", "present_value": "money"}, None,
                 {"year": "Year", "impact": "Value in the year (£)", "present_value": "Present value (£)"})
    return Chart(plots.value_by_year(by_year, year), alt, data)


def tornado(report: Any, top: int = 15) -> Chart:
    """The tornado of the assumptions that move the ratio most (withheld outcomes left out)."""
    shared = report.tornado_for_sharing()
    base = float(shared.attrs["base_ratio"])
    shown = shared.head(top)
    if shown.empty:
        alt = f"No assumption could be shown moving the ratio from its headline of {ratio(base)}."
    else:
        first = shown.iloc[0]
        alt = (f"Tornado chart of the {len(shown)} assumptions that move the ratio most, around the headline of "
               f"{ratio(base)}. The largest is {first['label']}: from {ratio(first['ratio_at_low'])} at its low value "
               f"to {ratio(first['ratio_at_high'])} at its high value.")
    data = table(shown[["label", "ratio_at_low", "ratio_at_high"]], {"ratio_at_low": "ratio", "ratio_at_high": "ratio"},
                 None, {"label": "Assumption", "ratio_at_low": "Ratio at its low value",
                        "ratio_at_high": "Ratio at its high value"})
    return Chart(plots.tornado_chart(shared, top), alt, data)


def sobol(report: Any) -> Chart:
    """Shares of the ratio's uncertainty by assumption (Sobol indices)."""
    frame = report.sobol
    top = frame.sort_values("ST", ascending=False).head(3)
    parts = "; ".join(f"{g}: {percent(st)} including interactions" for g, st in zip(top["group"], top["ST"]))
    alt = f"Bar chart of where the uncertainty in the social return comes from. Largest shares: {parts}."
    data = table(frame[["group", "S1", "ST"]], {"S1": "percent", "ST": "percent"}, None,
                 {"group": "Assumption", "S1": "On its own (first-order)", "ST": "Including interactions (total)"})
    return Chart(plots.sobol_bars(frame), alt, data)


SMALL_AREA = "withheld: fewer than 5 people"
"""What a distance-travelled figure of fewer than 5 people shows instead."""
AREA_FIGURES = ("share_improving", "mean_change", "ci_low", "ci_high", "p_value", "summary")
"""An area's figures that, with its count, give its people's scores away."""


def distance_pieces(readings: pd.DataFrame | None, threshold: int = 5) -> list[Any]:
    """Distance travelled: a summary per area, and the chart of the areas with at least
    ``threshold`` people; or a note when there are no readings.

    An area of 1 to ``threshold − 1`` people shows its count as "<5" and none of its
    figures (its share improving, average change, interval, test and words): scores are
    whole numbers, so a mean of 2.3 can only be 7 points shared by 3 people. It is left out
    of the chart and its words for the same reason."""
    if readings is None or readings.empty:
        return [paragraph("No Outcomes-Star-style readings were supplied.")]
    summary = summarise(readings, threshold=threshold)
    people = summary["n_people"].astype(int)
    small = (people >= 1) & (people < threshold)
    shown = shareable_counts(summary, ["n_people", "n_single", "n_improving"])
    shown = shown.astype({c: object for c in AREA_FIGURES if c in shown})
    for column in AREA_FIGURES:
        if column in shown:
            shown.loc[small.to_numpy(), column] = SMALL_AREA
    columns = ["star", "area", "n_people", "n_single", *AREA_FIGURES]
    summary_table = table(shown[[c for c in columns if c in shown]],
                          {"share_improving": "percent", "mean_change": "ratio", "ci_low": "ratio", "ci_high": "ratio",
                           "p_value": "ratio"}, "Distance travelled, first to latest reading",
                          {"star": "Star", "area": "Area", "n_people": "People", "n_single": "Only one reading",
                           "share_improving": "Improved", "mean_change": "Average change", "ci_low": "95% CI from",
                           "ci_high": "to", "p_value": "p (Wilcoxon)", "summary": "In words"})
    charted = summary[(people >= threshold).to_numpy()].reset_index(drop=True)
    left_out = int(small.sum())
    note = (f" {left_out} area{'s' if left_out != 1 else ''} of fewer than {threshold} people "
            f"{'are' if left_out != 1 else 'is'} left out." if left_out else "")
    if charted.empty:
        return [summary_table, paragraph("No area has readings from " + str(threshold) + " or more people, so none is "
                                         "charted." if len(summary) else "")]
    areas = "; ".join(f"{a} ({s}): from {f:.1f} to {t:.1f}" for a, s, f, t in
                      zip(charted["area"], charted["star"], charted["mean_first"], charted["mean_latest"]))
    alt = (f"Average score at the first and the latest reading, by area (the table above gives the figures). "
           f"{areas}.{note}")
    return [summary_table, Chart(distance_figure(charted), alt)]


def distance_tables(report: Any) -> list[Any]:
    """Distance travelled for one partner report (see :func:`distance_pieces`)."""
    return distance_pieces(report.star_readings)


# --- theme, forum, comparison and scoping pages --------------------------------------------

def value_chart(draws: np.ndarray, title: str, price_year: int | None = None, bins: int = 60) -> Chart:
    """Simulated present values as a histogram, with the middle and the likely range."""
    p5, p50, p95 = np.percentile(np.asarray(draws, float), [5, 50, 95])
    prices = f" in {price_year} prices" if price_year else ""
    alt = (f"Histogram of {len(draws):,} simulated present values{prices}: {title}. Middle estimate {money(p50)}; "
           f"90% of simulations lie between {money(p5)} and {money(p95)}.")
    data = _bins(draws, 1.0, bins, "Present value from (£)", "to", money)
    return Chart(plots.value_distribution(draws, title, price_year), alt, table(data, {}, None, {}))


def partner_ratios(results: list[Any]) -> Chart:
    """Every partner's ratio with its likely range, in alphabetical order (never ranked)."""
    partners = partner_table(results)
    parts = "; ".join(f"{n} ({p}): {ratio(r)}, likely {ratio(lo)} to {ratio(hi)}" for n, p, r, lo, hi in
                      zip(partners["name"], partners["purpose"], partners["sroi_ratio"], partners["p5"], partners["p95"]))
    alt = f"Each partner's social return with its likely range, in alphabetical order. {parts}."
    data = table(partners[["name", "purpose", "sroi_ratio", "p5", "p95"]],
                 {"sroi_ratio": "ratio", "p5": "ratio", "p95": "ratio"}, None,
                 {"name": "Partner", "purpose": "Kind", "sroi_ratio": "Ratio (£ per £1)", "p5": "Likely from",
                  "p95": "to"})
    return Chart(plots.partner_ratios(partners), alt, data, COMPARABILITY_WARNING)


def shift_chart(study: pd.DataFrame) -> Chart:
    """The forum's ratio as each deflator shifts."""
    forum_rows = study[study["scope"].str.startswith("forum: ")]
    parts = []
    for (factor, group), part in forum_rows.groupby(["factor", "group"], sort=False):
        ends = part.sort_values("shift").iloc[[0, -1]]
        parts.append(f"{factor.replace('_', '-')}, {group}s: middle ratio {ratio(ends['p50'].iloc[0])} at "
                     f"{100 * ends['shift'].iloc[0]:+.0f} points to {ratio(ends['p50'].iloc[1])} at "
                     f"{100 * ends['shift'].iloc[1]:+.0f} points")
    alt = "The forum's ratio as each deflator is shifted for every partner at once. " + "; ".join(parts) + "."
    data = table(forum_rows[["factor", "group", "shift", "p5", "p50", "p95"]],
                 {"shift": "percent", "p5": "ratio", "p50": "ratio", "p95": "ratio"}, None,
                 {"factor": "Deflator", "group": "Group", "shift": "Shift (points)", "p5": "Likely from",
                  "p50": "Middle", "p95": "to"})
    return Chart(plots.shift_chart(study), alt, data)


def change_chart(result: Any) -> Chart:
    """What explains the difference between a forecast and its evaluation."""
    by_figure = result.by_parameter(shared=True)
    year = result.conventions.price_year
    parts = "; ".join(f"{plots.FIGURE_LABELS.get(p, p)}: {'+' if v >= 0 else '-'}{money(abs(v))}"
                      for p, v in zip(by_figure["parameter"], by_figure["contribution"]))
    alt = (f"Bar chart of each figure's share of the change in present value from forecast to evaluation, in {year} "
           f"prices. {parts}.")
    shown = by_figure.assign(parameter=[plots.FIGURE_LABELS.get(p, p) for p in by_figure["parameter"]])
    data = table(shown, {"contribution": "money"}, None,
                 {"parameter": "Figure", "contribution": "Share of the change (£)"})
    return Chart(plots.change_by_figure(by_figure, year), alt, data)


def heatmap(calendar: pd.DataFrame, names: Mapping[str, str] | None = None) -> Chart:
    """Funder reports due each month, by partner (its data is the table shown beside it)."""
    busiest = calendar.sum(axis=1)
    month = str(busiest.idxmax()) if len(busiest) and busiest.max() > 0 else None
    alt = ("Grid of funder reports due each month, partners down the side, months across. "
           + (f"The busiest month is {month}, with {int(busiest.max())} reports due." if month else
              "No reports are due in these months."))
    data = table(calendar.reset_index(), {}, None, {"month": "Month", **dict(names or {})})
    return Chart(heatmap_figure(calendar), alt, data)
