"""Figures for partners and funders: what the numbers say, labelled in plain words.

Each function returns a :class:`matplotlib.figure.Figure` built with the object-oriented
API (no pyplot state, no ``show``): a notebook displays it, a report saves it with
``fig.savefig``. The data behind each figure is the table or simulation passed in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from svlib.core.labels import as_text
from svlib.uncertainty.montecarlo import Simulation

RATIO_AXIS = "£ of social value per £1 invested"


def ratio_distribution(sim: Simulation, headline: float | None = None, bins: int = 60) -> Figure:
    """Histogram of the simulated SROI ratio, with the headline ratio, the likely range
    (p5 to p95) and the 1:1 line marked; the key sits below the chart, clear of the bars.

    Parameters
    ----------
    sim : Simulation
        From :func:`svlib.uncertainty.montecarlo.simulate`.
    headline : float, optional
        The headline ratio (the map at its central values,
        :func:`svlib.uncertainty.estimates.central_valuation`); marked when given.
    bins : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    summary = sim.summary()
    ratio = summary["sroi_ratio"]
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(sim.ratio, bins=bins, color="#8fb8de", edgecolor="white", linewidth=0.4)
    if headline is not None:
        ax.axvline(headline, color="#1f4e79", linewidth=2.4, label=f"headline ratio: £{headline:.2f}")
    for key, text in (("p5", "5% chance below"), ("p95", "5% chance above")):
        ax.axvline(ratio[key], color="#1f4e79", linestyle="--", linewidth=1.2,
                   label=f"{text}: £{ratio[key]:.2f}")
    ax.axvline(1.0, color="#c00000", linewidth=1.5, linestyle=":",
               label=f"£1 back for every £1 (chance of less: {summary['prob_ratio_below_1']:.1%})")
    ax.set_xlabel(RATIO_AXIS)
    ax.set_ylabel("number of simulated outcomes")
    ax.set_title(f"How sure can we be? {summary['draws']:,} simulations of the social return")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    return fig


def tornado_chart(tornado_df: pd.DataFrame, top: int = 15) -> Figure:
    """Tornado chart of :func:`svlib.uncertainty.sensitivity.tornado`: each bar spans the
    ratio at a parameter's 5th and 95th percentiles, labelled with the change from the
    headline in ratio units; the headline is marked.

    The axis always spans at least a quarter of the headline either side of it, so a small
    change draws as a small bar; the labels sit inside the axis, so nothing is clipped.

    Parameters
    ----------
    tornado_df : pandas.DataFrame
        With ``label``, ``ratio_at_low``, ``ratio_at_high``, ``change_at_low``,
        ``change_at_high`` and ``attrs["base_ratio"]``.
    top : int
        Show the ``top`` largest swings.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = tornado_df.head(top).iloc[::-1]
    base = float(tornado_df.attrs["base_ratio"])
    fig = Figure(figsize=(9, 0.45 * max(len(data), 3) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(data))
    low, high = data["ratio_at_low"].to_numpy(float), data["ratio_at_high"].to_numpy(float)
    left, right = np.minimum(low, high), np.maximum(low, high)
    ax.barh(y, right - left, left=left, color="#8fb8de", edgecolor="#1f4e79", linewidth=0.6)
    ax.scatter(low, y, facecolor="white", edgecolor="#1f4e79", marker="o", zorder=3,
               label="the figure at its 5th percentile")
    ax.scatter(high, y, color="#1f4e79", marker="o", zorder=3, label="the figure at its 95th percentile")
    ax.axvline(base, color="black", linewidth=1.2, label=f"headline: £{base:.2f}")
    span = max(float(np.max(right, initial=base)) - float(np.min(left, initial=base)), 0.5 * abs(base), 1e-9)
    lo_edge = min(float(np.min(left, initial=base)), base - 0.25 * abs(base))
    hi_edge = max(float(np.max(right, initial=base)), base + 0.25 * abs(base))
    ax.set_xlim(lo_edge - 0.02 * span, hi_edge + 0.3 * span)  # room for the labels beside the bars
    for k, (r, a, b) in enumerate(zip(right, data["change_at_low"], data["change_at_high"])):
        ax.text(r + 0.04 * span, k, f"{a:+.2f} / {b:+.2f}", va="center", fontsize="small")
    ax.set_yticks(y, [as_text(label) for label in data["label"]])
    ax.set_xlabel(f"{RATIO_AXIS}\nlabels: change in the ratio at the 5th / 95th percentile")
    ax.set_title("Which figures move the result most\n(one at a time, each across the middle 90% of its evidence)")
    fig.legend(loc="outside lower center", ncols=3, fontsize="small", frameon=False)
    return fig


def sobol_bars(sobol_df: pd.DataFrame) -> Figure:
    """Bars of first-order and total Sobol indices per group, with 95% intervals when
    they are estimates (``*_conf`` above 0; exact indices have none).

    Parameters
    ----------
    sobol_df : pandas.DataFrame
        From :func:`svlib.uncertainty.sensitivity.sobol_indices`: ``group, S1, S1_conf, ST, ST_conf``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(sobol_df))
    width = 0.38
    estimated = bool((sobol_df[["S1_conf", "ST_conf"]].to_numpy(float) > 0).any())
    ax.bar(x - width / 2, sobol_df["S1"], width, yerr=sobol_df["S1_conf"] if estimated else None, capsize=3,
           color="#8fb8de", label="on its own (first-order)")
    ax.bar(x + width / 2, sobol_df["ST"], width, yerr=sobol_df["ST_conf"] if estimated else None, capsize=3,
           color="#1f4e79", label="including interactions (total)")
    ax.set_xticks(x, [as_text(group) for group in sobol_df["group"]], rotation=20, ha="right")
    ax.set_ylim(0, max(1.0, float(np.nanmax(sobol_df[["ST", "S1"]].to_numpy(float), initial=0.0)) * 1.1))
    ax.set_ylabel("share of the uncertainty in the ratio")
    ax.set_title("Where the uncertainty in the social return comes from")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)  # below the bars, never over them
    return fig


def value_by_theme(by_theme: pd.DataFrame, price_year: int | None = None) -> Figure:
    """Bar chart of present value per County Durham Pound theme.

    Parameters
    ----------
    by_theme : pandas.DataFrame
        ``Valuation.by_theme`` (``theme``, ``present_value``).
    price_year : int, optional
        Shown on the axis.
    """
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(by_theme["theme"][::-1], by_theme["present_value"][::-1] / 1000.0, color="#5b9bd5")
    ax.set_xlabel(f"present value, £ thousands{f' ({price_year} prices)' if price_year else ''}")
    ax.set_title("Social value by County Durham Pound theme")
    return fig


def value_by_year(by_year: pd.DataFrame, price_year: int | None = None) -> Figure:
    """Columns of value per year (undiscounted impact and present value)."""
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    years = by_year["year"].to_numpy()
    ax.bar(years - 0.2, by_year["impact"] / 1000.0, width=0.4, color="#a9c4e4", label="value in the year")
    ax.bar(years + 0.2, by_year["present_value"] / 1000.0, width=0.4, color="#1f4e79",
           label="present value (discounted)")
    ax.set_xticks(years)
    ax.set_xlabel("year after the activity")
    ax.set_ylabel(f"£ thousands{f' ({price_year} prices)' if price_year else ''}")
    ax.set_title("When the value arises")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)  # below the columns
    return fig


def value_distribution(draws: np.ndarray, title: str, price_year: int | None = None) -> Figure:
    """Histogram of simulated present values (GBP), with p5, p50 and p95 marked.

    Parameters
    ----------
    draws : numpy.ndarray
        Present value per Monte Carlo draw, GBP.
    title : str
    price_year : int, optional
    """
    draws = np.asarray(draws, float)
    p5, p50, p95 = np.percentile(draws, [5, 50, 95])
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(draws / 1000.0, bins=60, color="#8fb8de", edgecolor="white", linewidth=0.4)
    ax.axvline(p50 / 1000.0, color="#1f4e79", linewidth=2, label=f"middle estimate: £{p50:,.0f}")
    ax.axvline(p5 / 1000.0, color="#1f4e79", linestyle="--", label=f"5% chance below: £{p5:,.0f}")
    ax.axvline(p95 / 1000.0, color="#1f4e79", linestyle="--", label=f"5% chance above: £{p95:,.0f}")
    ax.set_xlabel(f"present value, £ thousands{f' ({price_year} prices)' if price_year else ''}")
    ax.set_ylabel("number of simulations")
    ax.set_title(as_text(title))
    fig.legend(loc="outside lower center", ncols=3, fontsize="small", frameon=False)  # below the bars
    return fig


FIGURE_LABELS = {"quantity": "quantity", "proxy_value": "proxy", "deadweight": "deadweight",
                 "displacement": "displacement", "attribution": "attribution", "leakage": "leakage",
                 "drop_off": "drop-off", "duration": "years", "start_year": "start year"}


def change_by_figure(by_figure: pd.DataFrame, price_year: int | None = None) -> Figure:
    """Bars of each figure's share of the change in present value from forecast to
    evaluation (:meth:`svlib.analysis.comparison.Comparison.by_parameter`): a rise to the
    right in blue, a fall to the left in orange, each labelled with its value so colour is
    not the only carrier of the sign."""
    labels = [as_text(FIGURE_LABELS.get(p, p)) for p in by_figure["parameter"]][::-1]
    values = by_figure["contribution"].to_numpy(float)[::-1] / 1000.0
    fig = Figure(figsize=(7, 0.5 * len(values) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(labels, values, color=["#1f4e79" if v >= 0 else "#d9822b" for v in values])
    ax.axvline(0, color="black", linewidth=0.8)
    for y, v in enumerate(values):
        ax.annotate(f"{'+' if v >= 0 else '−'}£{abs(v):,.1f}k", (v, y), xytext=(4 if v >= 0 else -4, 0),
                    textcoords="offset points", ha="left" if v >= 0 else "right", va="center", fontsize="small")
    span = max(1e-9, float(np.max(np.abs(values)))) if len(values) else 1.0
    ax.set_xlim(-1.35 * span if (values < 0).any() else -0.05 * span, 1.35 * span if (values > 0).any() else 0.05 * span)
    ax.set_xlabel(f"share of the change in present value, £ thousands{f' ({price_year} prices)' if price_year else ''}")
    ax.set_title("What explains the difference between forecast and evaluation")
    return fig


def partner_ratios(partners: pd.DataFrame) -> Figure:
    """Every partner's SROI ratio with its likely range (p5 to p95), one row each in the
    order given (alphabetical: never a league table), forecasts marked apart from
    evaluations, the 1:1 line drawn. The page states beside it that ratios of different
    organisations are not comparable (:data:`svlib.analysis.forum.COMPARABILITY_WARNING`).

    Parameters
    ----------
    partners : pandas.DataFrame
        :func:`svlib.analysis.forum.partner_table`: ``name, purpose, sroi_ratio, p5, p95``.
    """
    fig = Figure(figsize=(8, 1.2 + 0.45 * max(len(partners), 1)), layout="constrained")
    ax = fig.add_subplot()
    rows = np.arange(len(partners))[::-1]
    for purpose, colour, marker in (("evaluative", "#1f4e79", "o"), ("forecast", "#b06000", "s")):
        chosen = (partners["purpose"] == purpose).to_numpy()
        if not chosen.any():
            continue
        part = partners[chosen]
        ax.errorbar(part["sroi_ratio"], rows[chosen],
                    xerr=[part["sroi_ratio"] - part["p5"], part["p95"] - part["sroi_ratio"]],
                    fmt=marker, color=colour, capsize=3,
                    label=f"{purpose}: ratio and likely range (p5 to p95)")
    ax.axvline(1.0, color="#c00000", linestyle=":", linewidth=1.5, label="£1 back for every £1")
    ax.set_yticks(rows, [as_text(n) for n in partners["name"]])
    ax.set_xlabel(RATIO_AXIS)
    ax.set_xlim(left=0)
    ax.set_title("Each partner's social return, with its likely range")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    return fig


def shift_chart(study: pd.DataFrame) -> Figure:
    """The forum's ratio as one deflator shifts: for each factor studied, a panel with each
    group's middle estimate and its likely range (p5 to p95) against the shift in
    percentage points (:func:`svlib.analysis.deflator_study.shift_study`)."""
    forum_rows = study[study["scope"].str.startswith("forum: ")]
    factors = list(dict.fromkeys(forum_rows["factor"]))
    fig = Figure(figsize=(4 * max(len(factors), 1), 4), layout="constrained")
    axes = fig.subplots(1, max(len(factors), 1), sharey=True, squeeze=False)[0]
    colours = {"evaluative": "#1f4e79", "forecast": "#b06000"}
    for ax, factor in zip(axes, factors):
        for group, part in forum_rows[forum_rows["factor"] == factor].groupby("group", sort=False):
            shift = 100 * part["shift"].to_numpy(float)
            ax.fill_between(shift, part["p5"], part["p95"], color=colours.get(group, "#777777"), alpha=0.2)
            ax.plot(shift, part["p50"], marker="o", color=colours.get(group, "#777777"),
                    label=f"forum, {group}s: middle and likely range")
        ax.axhline(1.0, color="#c00000", linestyle=":", linewidth=1.2)
        ax.set_xlabel(f"{factor.replace('_', '-')} shifted by (percentage points)")
        ax.set_title(f"If every {factor.replace('_', '-')} were higher or lower")
    axes[0].set_ylabel(RATIO_AXIS)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    return fig
