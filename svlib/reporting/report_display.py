"""Safe HTML pieces for report notebooks.

Everything a partner wrote (names, outcomes, stakeholders) is escaped before it reaches a
page, so text such as ``<img src=x onerror=alert(1)>`` shows as text and never runs.
Notebooks display these objects; they hold no formatting logic of their own.
"""

from __future__ import annotations

import html
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from IPython.display import HTML

from svlib.analysis.disclosure import is_withheld, suppress_counts
from svlib.analysis.distance import chart, summarise
from svlib.contract.cells import HIDDEN_CONTROLS
from svlib.contract.tables import investment_total
from svlib.reporting.report_text import money, ratio
from svlib.valuation.sroi import ValueModel, present_value_factor


def esc(value: Any) -> str:
    """Any value as escaped HTML text, without hidden control characters
    (:data:`svlib.contract.cells.HIDDEN_CONTROLS`, already removed from partner data on input)."""
    return html.escape(HIDDEN_CONTROLS.sub("", "" if value is None else str(value)), quote=True)


def heading(text: str, level: int = 2) -> HTML:
    return HTML(f"<h{level}>{esc(text)}</h{level}>")


def paragraph(template: str, **values: Any) -> HTML:
    """A paragraph: ``template`` is svlib's own (trusted) wording with ``{name}`` slots;
    every value is escaped."""
    return HTML("<p>" + template.format(**{k: esc(v) for k, v in values.items()}) + "</p>")


def percent(value: float, places: int = 0) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.{places}%}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "money": lambda v: money(float(v)) if pd.notna(v) else "",
    "percent": lambda v: percent(float(v)) if pd.notna(v) else "",
    "ratio": lambda v: f"{float(v):,.2f}" if pd.notna(v) else "",
    "number": lambda v: f"{float(v):,.6g}" if pd.notna(v) else "",
    "int": lambda v: f"{int(v):,}" if pd.notna(v) else "",
}


def table(frame: pd.DataFrame, formats: Mapping[str, str] | None = None, caption: str | None = None,
          labels: Mapping[str, str] | None = None) -> HTML:
    """A table with readable headers and formatted numbers; every cell escaped."""
    shown = frame.copy()
    for column, kind in (formats or {}).items():
        if column in shown:
            shown[column] = [FORMATS[kind](v) for v in shown[column]]
    shown = shown.astype(object).where(shown.notna(), "")  # blanks, not "<NA>" or "NaN"
    if labels:
        shown = shown.rename(columns=dict(labels))
    body = shown.to_html(index=False, escape=True, na_rep="", border=0, classes="svlib-table")
    title = f"<p><strong>{esc(caption)}</strong></p>" if caption else ""
    return HTML(title + body)


def headline_html(figures: Mapping[str, Any], price_year: int) -> str:
    """The headline box: the ratio with its uncertainty band and the chance it is below 1:1."""
    return (
        "<div class='svlib-headline' style='border:2px solid #1f5f8b;padding:12px;border-radius:6px;max-width:720px'>"
        f"<p style='font-size:1.6em;margin:0'>Social return: <strong>{esc(ratio(figures['sroi_ratio']))}</strong></p>"
        f"<p style='margin:6px 0'>Taking uncertainty into account, the ratio is likely (90% of simulations) to lie "
        f"between <strong>{esc(ratio(figures['p5']))}</strong> and <strong>{esc(ratio(figures['p95']))}</strong>. "
        f"Chance that the value is less than the money invested (below 1:1): "
        f"<strong>{esc(percent(figures['prob_ratio_below_1'], 1))}</strong>.</p>"
        f"<p style='margin:0'>Present value {esc(money(figures['present_value']))} for an investment of "
        f"{esc(money(figures['investment']))}, in {esc(price_year)} prices.</p>{_outside_note(figures)}</div>"
    )


def _outside_note(figures: Mapping[str, Any]) -> str:
    """Why the stated ratio can lie outside the simulated range: the simulation uses the
    stakeholder survey where there is one, and the survey disagrees with the map."""
    r, low, high = figures["sroi_ratio"], figures["p5"], figures["p95"]
    if low <= r <= high:
        return ""
    side = "higher" if r > high else "lower"
    return ("<p style='margin:6px 0 0 0'><em>The ratio from the impact map is " + side + " than the simulated range: "
            "where stakeholders answered the deflator survey, the simulation uses their answers, and they differ from "
            "the deflators written in the impact map. See the survey section below.</em></p>")


# ----------------------------------------------------------------------------------------
# Sections of the partner report (notebooks/05_partner_report.ipynb)
# ----------------------------------------------------------------------------------------

def partner_title(report: Any) -> HTML:
    """Title block: the partner's name, area, period and purpose (all escaped)."""
    p = report.partner
    start, end = pd.Timestamp(p["period_start"]), pd.Timestamp(p["period_end"])
    return HTML(
        f"<h1>Social value report: {esc(p['name'])}</h1>"
        f"<p>{esc(p['organisation_type'])} in {esc(p['area'])} &middot; {esc(p['purpose'])} analysis of "
        f"{esc(start.strftime('%d %B %Y'))} to {esc(end.strftime('%d %B %Y'))} &middot; "
        f"all money in {esc(report.conventions.price_year)} prices &middot; partner id <code>{esc(p['partner_id'])}</code></p>"
    )


def headline(report: Any) -> HTML:
    return HTML(headline_html(report.headline, int(report.conventions.price_year)))


def investment_tables(report: Any) -> list[HTML]:
    """What was invested, item by item (cash and in kind apart), and the figures a
    commissioner reads beside the ratio: present value, net present value, net SROI and
    payback (:mod:`svlib.valuation.sroi`)."""
    inputs = report.inputs
    in_kind = inputs["in_kind"].astype(str).str.lower().eq("yes")
    cash_total, kind_total = investment_total(inputs.loc[~in_kind, "value_gbp"]), investment_total(
        inputs.loc[in_kind, "value_gbp"])
    items = inputs[["input_id", "source", "description", "value_gbp", "in_kind"]]
    v = report.valuation
    payback = (f"{v.payback_months:,.1f} months" if np.isfinite(v.payback_months)
               else "not reached in year 1 (nothing is valued in year 1)")
    figures = pd.DataFrame([
        ("Investment in cash", money(cash_total)),
        ("Investment in kind", money(kind_total)),
        ("Total investment", money(v.investment)),
        ("Present value of the outcomes", money(v.present_value)),
        ("Net present value (present value − investment)", money(v.npv)),
        ("SROI ratio (present value ÷ investment)", ratio(v.sroi_ratio)),
        ("Net SROI ratio ((present value − investment) ÷ investment)", f"{v.net_sroi_ratio:,.2f}"),
        ("Payback (investment ÷ year-1 value a month)", payback),
    ], columns=["figure", "value"])
    return [
        table(items, {"value_gbp": "money"}, "What was invested",
              {"input_id": "Id", "source": "From", "description": "What for", "value_gbp": "Value",
               "in_kind": "In kind"}),
        table(figures, {}, "The figures, at the partner's own values", {"figure": "Figure", "value": "Value"}),
    ]


def value_tables(report: Any) -> list[HTML]:
    """Value by theme, by stakeholder and by year."""
    v = report.valuation
    share = {"present_value": "money", "share_of_value": "percent"}
    return [
        table(v.by_theme, share, "By County Durham Pound theme",
              {"theme": "Theme", "present_value": "Present value", "share_of_value": "Share"}),
        table(v.by_stakeholder.sort_values("present_value", ascending=False), share, "By stakeholder",
              {"stakeholder": "Stakeholder", "present_value": "Present value", "share_of_value": "Share"}),
        table(v.by_year, {"impact": "money", "discount_factor": "ratio", "present_value": "money",
                          "cumulative_present_value": "money"}, "By year",
              {"year": "Year", "impact": "Value in the year", "discount_factor": "Discount factor",
               "present_value": "Present value", "cumulative_present_value": "Running total"}),
    ]


def impact_map_table(report: Any) -> HTML:
    """The impact map with each deflator's evidence. Quantities below 5 are shown as "<5"
    (they count people); the exact figures stay in the partner's own workbook."""
    frame = shareable_counts(report.deflator_evidence(), ["quantity"])
    formats = {"proxy_value": "money", "deadweight": "percent", "displacement": "percent",
               "attribution": "percent", "drop_off": "percent"}
    labels = {"outcome_id": "Id", "stakeholder": "Stakeholder", "outcome": "Outcome", "theme": "Theme",
              "quantity": "Quantity", "proxy_value": "Proxy £ a year", "duration": "Years",
              "evidence": "Evidence (the partner's words)",
              "deadweight": "Deadweight", "deadweight_evidence": "evidence", "displacement": "Displacement",
              "displacement_evidence": "evidence", "attribution": "Attribution", "attribution_evidence": "evidence",
              "drop_off": "Drop-off", "drop_off_evidence": "evidence"}
    return table(frame, formats, "Impact map", labels)


def _fraction(value: Any) -> str:
    """A fraction as a percentage with as many decimals as it has (``25%``, ``12.5%``)."""
    return "" if pd.isna(value) else f"{round(float(value) * 100, 4):g}%"


def arithmetic_table(report: Any) -> HTML:
    """Each outcome's arithmetic, so a reader can recompute any row with a calculator:
    quantity × proxy × (1 − deadweight)(1 − displacement)(1 − attribution)(1 − leakage)
    gives the year-1 value; times the present value factor (drop-off and discounting over
    the outcome's years, :func:`svlib.valuation.sroi.present_value_factor`) gives its
    present value. A quantity below 5 is shown as "<5", and that row's year-1 and present
    values are withheld (either, with the proxy and deflators, gives the count away)."""
    v, conventions = report.valuation, report.conventions
    model = ValueModel(report.impact_map, report.investment, conventions)
    factor = present_value_factor(model.central["drop_off"], model.duration[:, 0], model.start_year[:, 0],
                                  model.factors, conventions.dropoff_from)
    rows = []
    for i, row in enumerate(report.impact_map.to_dict("records")):
        small = is_withheld(row["quantity"])
        rows.append({
            "outcome_id": row["outcome_id"],
            "quantity": "<5" if small else f"{row['quantity']:,g}",
            "proxy_value": f"£{row['proxy_value']:,.4f}",  # rebased proxies fall between pennies
            **{name: _fraction(row.get(name, 0.0)) for name in ("deadweight", "displacement", "attribution",
                                                                "leakage")},
            "impact": "withheld" if small else f"£{v.outcome_impact_year1[i]:,.2f}",
            "drop_off": _fraction(row["drop_off"]),
            "years": f"{int(row['duration'])} from year {int(row.get('start_year', 1) or 1)}",
            "factor": f"{factor[i]:.4f}",
            "present_value": "withheld" if small else f"£{v.outcome_present_value[i]:,.2f}",
        })
    labels = {"outcome_id": "Id", "quantity": "Quantity", "proxy_value": "Proxy", "deadweight": "Deadweight",
              "displacement": "Displacement", "attribution": "Attribution", "leakage": "Leakage",
              "impact": "Year-1 value", "drop_off": "Drop-off", "years": "Years", "factor": "Present value factor",
              "present_value": "Present value"}
    return table(pd.DataFrame(rows), {}, "Each outcome's arithmetic", labels)


SMALL_QUANTITY_WITHHELD = ("The quantity is a count below 5, so neither it nor the quantity at which the ratio "
                           "would reach 1:1 is shown (the second would give the first away).")


def switching_table(report: Any) -> HTML:
    """Switching values. A quantity shown as "<5" in the impact map is "<5" here too, and
    its switching quantity and sentence are withheld: from either, and the published
    proxy and deflators, the count could be worked out."""
    frame = report.switching_values
    shown = frame[["parameter", "outcome_id", "current_value", "result", "explanation"]].copy()
    quantities = dict(zip(report.impact_map["outcome_id"].astype(str), report.impact_map["quantity"]))
    small = [parameter == "quantity" and is_withheld(quantities.get(str(outcome)))
             for parameter, outcome in zip(shown["parameter"], shown["outcome_id"])]
    shown["current_value"] = [("<5" if hidden else FORMATS["number"](value))
                              for hidden, value in zip(small, shown["current_value"])]
    for column, withheld in (("result", "withheld"), ("explanation", SMALL_QUANTITY_WITHHELD)):
        shown[column] = [withheld if hidden else value for hidden, value in zip(small, shown[column])]
    return table(shown, {}, "Switching values: what would bring the ratio down to 1:1",
                 {"parameter": "Assumption", "outcome_id": "Outcome", "current_value": "Now", "result": "Switches at",
                  "explanation": "In words"})


def survey_tables(report: Any) -> list[HTML]:
    summary = shareable_counts(report.survey_summary, ["n_answers"])
    out = [table(summary, {"mean": "percent", "sd": "percent", "se": "percent"},
                 "Deflator survey answers",
                 {"outcome_id": "Outcome", "factor": "Question", "n_answers": "Answers", "mean": "Average",
                  "sd": "Spread (sd)", "se": "Uncertainty of the average", "evidence": "Evidence", "warning": "Note"})
           if len(summary) else paragraph("No deflator survey answers were supplied: every deflator is a judgement.")]
    effort = report.survey_effort[["rank", "outcome_id", "outcome", "deflator_share", "advice"]]
    out.append(table(effort, {"deflator_share": "percent"}, "Where more survey answers would help most",
                     {"rank": "Rank", "outcome_id": "Id", "outcome": "Outcome",
                      "deflator_share": "Share of the uncertainty", "advice": "Advice"}))
    return out


def shareable_counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Counts of people made safe to share: 1 to 4 shown as "<5" (svlib.analysis.disclosure)."""
    present = [c for c in columns if c in frame]
    return suppress_counts(frame, present) if present and len(frame) else frame


def distance_tables(report: Any) -> list[Any]:
    """Distance travelled for one partner report (see :func:`distance_pieces`)."""
    return distance_pieces(report.star_readings)


def distance_pieces(readings: pd.DataFrame) -> list[Any]:
    """Distance travelled: a summary per area with small counts suppressed, and the chart;
    or a note when there are no readings."""
    if readings is None or readings.empty:
        return [paragraph("No Outcomes-Star-style readings were supplied.")]
    summary = summarise(readings)
    shown = shareable_counts(summary, ["n_people", "n_single", "n_improving"])
    columns = ["star", "area", "n_people", "n_single", "share_improving", "mean_change", "ci_low", "ci_high", "p_value",
               "summary"]
    return [table(shown[[c for c in columns if c in shown]],
                  {"share_improving": "percent", "mean_change": "ratio", "ci_low": "ratio", "ci_high": "ratio",
                   "p_value": "ratio"}, "Distance travelled, first to latest reading",
                  {"star": "Star", "area": "Area", "n_people": "People", "n_single": "Only one reading",
                   "share_improving": "Improved", "mean_change": "Average change", "ci_low": "95% CI from",
                   "ci_high": "to", "p_value": "p (Wilcoxon)", "summary": "In words"}),
            chart(summary)]


def quotes_table(report: Any) -> HTML:
    """Consented, anonymised, redacted case studies beside the outcomes they evidence."""
    quotes = report.quotes()
    if quotes.empty:
        return paragraph("No case studies are cleared for sharing (both consent and anonymisation recorded as yes).")
    return table(quotes, None, "In their own words (shared with consent, anonymised)",
                 {"outcome_id": "Outcome", "outcome": "", "title": "Case study", "text": "What they said"})


def proxies_table(report: Any) -> HTML:
    return table(report.proxies_used(), {"proxy_value": "money", "proxy_value_as_published": "money",
                                         "rebase_factor": "ratio"}, "Financial proxies",
                 {"outcome_id": "Outcome", "proxy_id": "Library id", "proxy_value": "Value used",
                  "proxy_value_as_published": "As published", "proxy_price_year": "Price year",
                  "price_year_from": "Price year from",
                  "rebase_factor": "Inflation factor", "proxy_source": "Source", "proxy_licence": "Licence",
                  "proxy_url": "Link"})


def assurance_table(report: Any) -> HTML:
    return table(report.assurance(), None, "Assurance checklist",
                 {"principle": "SROI principle", "check": "Check", "status": "Status", "detail": "Detail"})


def provenance_table(report: Any) -> HTML:
    return table(report.provenance_table(), None, "Provenance", {"item": "Item", "value": "Value"})
