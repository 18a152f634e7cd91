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


def ratio_distribution(sim: Simulation, bins: int = 60) -> Figure:
    """Histogram of the simulated SROI ratio, with p5, p50, p95 and the 1:1 line marked.

    Parameters
    ----------
    sim : Simulation
        From :func:`svlib.uncertainty.montecarlo.simulate`.
    bins : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    summary = sim.summary()
    ratio = summary["sroi_ratio"]
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(sim.ratio, bins=bins, color="#8fb8de", edgecolor="white", linewidth=0.4)
    ax.axvline(ratio["p50"], color="#1f4e79", linewidth=2, label=f"middle estimate (median): £{ratio['p50']:.2f}")
    for key, text in (("p5", "5% chance below"), ("p95", "5% chance above")):
        ax.axvline(ratio[key], color="#1f4e79", linestyle="--", linewidth=1.2,
                   label=f"{text}: £{ratio[key]:.2f}")
    ax.axvline(1.0, color="#c00000", linewidth=1.5,
               label=f"£1 back for every £1 (chance of less: {summary['prob_ratio_below_1']:.1%})")
    ax.set_xlabel(RATIO_AXIS)
    ax.set_ylabel("number of simulated outcomes")
    ax.set_title(f"How sure can we be? {summary['draws']:,} simulations of the social return")
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    return fig


def tornado_chart(tornado_df: pd.DataFrame, top: int = 15) -> Figure:
    """Tornado chart of :func:`svlib.uncertainty.sensitivity.tornado`: each bar spans the ratio at a
    parameter's low and high values; the base case (central values) is marked.

    Parameters
    ----------
    tornado_df : pandas.DataFrame
        With ``label`` (or ``outcome_id`` and ``parameter``), ``ratio_at_low``,
        ``ratio_at_high`` and ``attrs["base_ratio"]``.
    top : int
        Show the ``top`` largest swings.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = tornado_df.head(top).iloc[::-1]
    base = tornado_df.attrs.get("base_ratio")
    labels = data["label"] if "label" in data else data["outcome_id"] + " " + data["parameter"]
    fig = Figure(figsize=(8, 0.4 * max(len(data), 3) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(data))
    low, high = data["ratio_at_low"].to_numpy(float), data["ratio_at_high"].to_numpy(float)
    left, right = np.minimum(low, high), np.maximum(low, high)
    ax.barh(y, right - left, left=left, color="#8fb8de", edgecolor="#1f4e79", linewidth=0.6)
    ax.scatter(low, y, color="#1f4e79", marker="<", zorder=3, label="at the low end of the range")
    ax.scatter(high, y, color="#1f4e79", marker=">", zorder=3, label="at the high end of the range")
    if base is not None:
        ax.axvline(base, color="black", linewidth=1.2, label=f"base case: £{base:.2f}")
    ax.set_yticks(y, [as_text(label) for label in labels])
    ax.set_xlabel(RATIO_AXIS)
    ax.set_title("Which estimates move the result most (one at a time)")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
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
    ax.legend(loc="upper right", fontsize="small", frameon=False)
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
    ax.legend(frameon=False, fontsize="small")
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
    ax.legend(frameon=False, fontsize="small")
    return fig
