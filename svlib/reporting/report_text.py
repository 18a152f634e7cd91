"""Plain-text and file renderings of a valuation, for the command line and outputs/."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from svlib.core.files import spreadsheet_safe, write_atomic, write_json
from svlib.core.folders import replaceable_folder_problems, writing
from svlib.core.problems import InputError
from svlib.core.provenance import provenance
from svlib.valuation.sroi import VALUE_KINDS, Valuation


def money(value: float, places: int = 0) -> str:
    """GBP with thousands separators, to ``places`` decimals (``£12,345``; ``-£1,810.79`` for
    a harm, the sign before the pound sign)."""
    if not np.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.{places}f}"


PENCE_BELOW = 100.0
"""Below this many pounds a figure is written to the penny (the National Living Wage is £12.21
an hour, not £12); from it on, to the pound."""


def pounds(value: float) -> str:
    """GBP as the figure warrants: to the penny below :data:`PENCE_BELOW` pounds unless
    whole, to the pound from it on (``£12.21``, ``£8,311``)."""
    value = float(value)
    return money(value, 2 if abs(value) < PENCE_BELOW and not value.is_integer() else 0)


def fraction(value: float) -> str:
    """A fraction as a percentage to at most 1 decimal, as many as it has (``25%``,
    ``12.5%``, ``34.1%`` for 0.340909); a value that 1 decimal would show as 0% or 100%
    when it is neither, to 2 significant figures of what is left (``0.049%``, ``99.96%``);
    blank for a blank value."""
    if pd.isna(value):
        return ""
    percent = float(value) * 100
    shown = round(percent, 1)
    if shown == 0 and percent != 0:
        return f"{percent:.2g}%"
    if shown == 100 and percent != 100:
        return f"{100 - float(f'{100 - percent:.2g}'):g}%"
    return f"{shown:g}%"


def figure(parameter: str, value: float) -> str:
    """An impact-map figure in its units: pounds and pence for a proxy, up to 4 significant
    digits for a quantity, a percentage (:func:`fraction`) for the rest; "not given" when blank."""
    if pd.isna(value):
        return "not given"
    if parameter == "proxy_value":
        return money(float(value), 2)
    if parameter == "quantity":
        return f"{float(value):,.4g}"
    return fraction(value)


def ratio(value: float) -> str:
    """An SROI ratio as practitioners write it (``£3.21 : £1``)."""
    return f"{'-' if value < 0 else ''}£{abs(value):,.2f} : £1" if np.isfinite(value) else "n/a"


def valuation_text(result: Valuation, impact_map: pd.DataFrame | None = None) -> str:
    """A readable summary: headline figures, value by outcome, theme and year, conventions."""
    c = result.conventions
    payback = f"{result.payback_months:,.1f} months" if np.isfinite(result.payback_months) else "not reached in year 1"
    lines = [
        f"SROI ratio          {ratio(result.sroi_ratio)}",
        f"Present value       {money(result.present_value)}  ({c.price_year} prices)",
        f"Investment          {money(result.investment)}" + (
            f"  (present value {money(result.investment_pv)}, spent over years)"
            if abs(result.investment_pv - result.investment) > 0.005 else ""),
        f"Net present value   {money(result.npv)}",
        f"Net SROI ratio      {result.net_sroi_ratio:,.2f}",
        f"Payback             {payback}",
    ]
    if result.fiscal_present_value:
        lines += [f"Of which fiscal     {money(result.fiscal_present_value)}  (savings to the public purse, not social "
                  "value)",
                  f"Economic and social {money(result.present_value - result.fiscal_present_value)}"]
    lines += [
        "",
        "By outcome",
    ]
    table = result.by_outcome[["outcome_id", "theme", "quantity", "proxy_value", "impact_year1", "present_value",
                               "share_of_value"]].copy()
    table["proxy_value"] = table["proxy_value"].map(money)
    table["impact_year1"] = table["impact_year1"].map(money)
    table["present_value"] = table["present_value"].map(money)
    table["share_of_value"] = table["share_of_value"].map("{:.1%}".format)
    table["quantity"] = table["quantity"].map("{:,.6g}".format)
    lines.append(table.to_string(index=False))
    lines += ["", "By theme"]
    theme = result.by_theme.copy()
    theme["present_value"] = theme["present_value"].map(money)
    theme["share_of_value"] = theme["share_of_value"].map("{:.1%}".format)
    lines.append(theme.to_string(index=False))
    lines += ["", "By year"]
    year = result.by_year.copy()
    for col in ("impact", "present_value", "cumulative_present_value"):
        year[col] = year[col].map(money)
    year["discount_factor"] = year["discount_factor"].map("{:.6f}".format)
    lines.append(year.to_string(index=False))
    described = c.describe()
    lines += ["", "Conventions"]
    lines += [f"  {k}: {v}" for k, v in described.items() if k not in ("source",)]
    lines.append(f"  source: {described['source']}")
    if impact_map is not None and "proxy_source" in impact_map:
        lines += ["", "Proxies"]
        for row in impact_map.itertuples():
            kind = str(getattr(row, "proxy_value_type", "") or "")
            old = " OLD (rebased across more than 10 years)" if getattr(row, "proxy_old", "no") == "yes" else ""
            lines.append(
                f"  {row.outcome_id}: {money(row.proxy_value)} in {c.price_year} prices "
                f"(published {row.proxy_value_as_published:,.2f} in {row.proxy_price_year} prices, "
                f"×{row.rebase_factor:.4f}){old}" + (f"; {VALUE_KINDS[kind]}" if kind else "")
                + f"; {row.proxy_source}; licence: {row.proxy_licence or 'n/a'}"
            )
    return "\n".join(lines)


def spreadsheet_csv(frame: pd.DataFrame) -> str:
    """A table as CSV text safe to open in a spreadsheet: every text cell through
    :func:`svlib.core.files.spreadsheet_safe` (numbers, negative ones included, are left as
    numbers)."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = [spreadsheet_safe(v) if isinstance(v, str) else v for v in shown[column]]
    return shown.to_csv(index=False)


VALUATION_FILES = ("valuation.json", "by_outcome.csv", "by_year.csv", "by_theme.csv", "by_stakeholder.csv",
                   "resolved_impact_map.csv", "summary.txt")
"""What :func:`write_valuation` writes (``svlib sroi --out``)."""


def write_valuation(result: Valuation, impact_map: pd.DataFrame, folder: Path,
                    sources: Iterable[str | Path] = ()) -> list[Path]:
    """Write the valuation into ``folder``: ``valuation.json`` (with provenance), one CSV
    per table, ``resolved_impact_map.csv`` and ``summary.txt``.

    The folder is written whole, as a build's is (:mod:`svlib.core.folders`): it must be new,
    empty or an earlier valuation holding only these files, and hold none of the
    ``sources``; anything else in it is the user's and is never replaced.

    Raises
    ------
    InputError
        The folder is one a valuation must not replace, or cannot be written.
    """
    folder, sources = Path(folder), list(sources)
    refused = [problem for raw in sources or [None] for problem in replaceable_folder_problems(
        folder, raw, "valuation.json", VALUATION_FILES.__contains__, Path("outputs/valuation"), "valuation",
        raw_what="the valuation's own input")]
    if refused:
        raise InputError(refused[:1])
    payload = result.to_dict()
    payload["provenance"] = provenance(sources, parameters=result.conventions.describe())
    texts = {"valuation.json": None, "resolved_impact_map.csv": spreadsheet_csv(impact_map),
             "summary.txt": valuation_text(result, impact_map) + "\n"}
    texts.update({f"{name}.csv": spreadsheet_csv(getattr(result, name))
                  for name in ("by_outcome", "by_year", "by_theme", "by_stakeholder")})
    with writing(folder) as staging:
        written = [write_json(staging.path / "valuation.json", payload)]
        written += [write_atomic(staging.path / name, text) for name, text in texts.items() if text is not None]
        staging.publish()
    return [folder / path.name for path in written]


def simulation_text(simulation, conventions) -> str:
    """A readable Monte Carlo summary: the ratio's distribution and how sure it is."""
    summary = simulation.summary()
    r, pv = summary["sroi_ratio"], summary["present_value"]
    return "\n".join([
        f"SROI ratio (Monte Carlo, {summary['draws']:,} draws, seed {summary['seed']})",
        f"  median            {ratio(r['p50'])}",
        f"  90% range         {ratio(r['p5'])} to {ratio(r['p95'])}  (p5 to p95)",
        f"  mean ± sd         {r['mean']:.2f} ± {r['sd']:.2f}",
        f"  chance below 1:1  {summary['prob_ratio_below_1']:.1%}",
        f"  Monte Carlo error {summary['monte_carlo_se']:.4f} (standard error of the mean ratio)",
        f"Present value       median {money(pv['p50'])}, 90% range {money(pv['p5'])} to {money(pv['p95'])} "
        f"({conventions.price_year} prices)",
    ])


def comparison_text(result: Any) -> str:
    """A forecast beside its evaluation (:class:`svlib.analysis.comparison.Comparison`), for
    the terminal: both headlines, what explains the change, and outcomes on one side only."""
    lines = []
    for label, side, v in (("Forecast", result.forecast, result.forecast_value),
                           ("Evaluation", result.evaluation, result.evaluation_value)):
        band = result.ranges[label.lower()]
        spent = f" (present value {money(v.investment_pv)})" if abs(v.investment_pv - v.investment) > 0.5 else ""
        lines.append(f"{label:<11} {side.partner_id} ({side.period}): {ratio(v.sroi_ratio)}, likely "
                     f"{ratio(band['p5'])} to {ratio(band['p95'])}; present value {money(v.present_value)}, "
                     f"investment {money(v.investment)}{spent}")
    lines += [
        f"Change in present value: {money(result.change_in_present_value)} "
        f"({result.conventions.price_year} prices)",
        "",
        "What explains the change (Shapley shares, adding up to the change)",
    ]
    for row in result.by_parameter().itertuples(index=False):
        lines.append(f"  {row.parameter:<24} {money(row.contribution):>14}")
    if result.only_in_forecast:
        lines.append(f"Forecast but not evidenced: {', '.join(result.only_in_forecast)}")
    if result.only_in_evaluation:
        lines.append(f"Evidenced but not forecast: {', '.join(result.only_in_evaluation)}")
    return "\n".join(lines)


def theme_value_text(summary: dict[str, float], price_year: int | None = None) -> str:
    """A theme's combined present value in words, to the nearest £100 (the figures the page's
    chart shows; rounded so a reader is not offered false precision)."""
    r = {k: round(float(v), -2) for k, v in summary.items()}
    prices = f", in {price_year} prices" if price_year else ""
    return (f"Combined present value: {money(r['mean'])} on average, {money(r['p50'])} in the middle; 90% of "
            f"simulations lie between {money(r['p5'])} and {money(r['p95'])}{prices}.")


def proxy_range_text(monte_carlo: dict[str, Any]) -> str:
    """The range that alternative proxies suggest for a Monte Carlo, in words
    (:func:`svlib.analysis.proxy_research.monte_carlo_range`)."""
    text = (f"Suggested range: {money(monte_carlo['proxy_value_low'], 2)} to "
            f"{money(monte_carlo['proxy_value_high'], 2)} {monte_carlo['unit']}, a {monte_carlo['dist']} "
            f"distribution, in {monte_carlo['price_year']} prices, from {', '.join(monte_carlo['proxy_ids'])}.")
    excluded = monte_carlo.get("excluded") or {}
    if excluded:
        text += " Left out: " + "; ".join(f"{k}, {why}" for k, why in excluded.items()) + "."
    return text
