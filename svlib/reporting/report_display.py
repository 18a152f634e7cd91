"""Safe HTML pieces for report notebooks.

Everything a partner wrote (names, outcomes, stakeholders) is escaped before it reaches a
page, so text such as ``<img src=x onerror=alert(1)>`` shows as text and never runs.
Notebooks display these objects; they hold no formatting logic of their own.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from IPython.display import HTML

from svlib.analysis import deflator_study, forum
from svlib.analysis import testimony_tags as tagged
from svlib.analysis import proxy_research as research
from svlib.analysis.comparison import without_superseded_forecasts
from svlib.analysis.disclosure import WITHHELD, small_outcomes, suppress_counts, withhold_small
from svlib.analysis.themes import outcomes_in_theme
from svlib.contract.cells import HIDDEN_CONTROLS
from svlib.contract.tables import investment_total
from svlib.reference.proxies import load_library
from svlib.reporting.report_text import figure, fraction, money, pounds, ratio
from svlib.uncertainty.estimates import LEVELS, RULE_TEXT
from svlib.uncertainty.scenarios import from_dict
from svlib.uncertainty.sensitivity import ALL_OUTCOMES
from svlib.valuation.sroi import VALUE_KINDS, ValueModel


def esc(value: Any, quote: bool = True) -> str:
    """Any value as escaped HTML text, without hidden control characters
    (:data:`svlib.contract.cells.HIDDEN_CONTROLS`, already removed from partner data on input);
    quotes are escaped too unless ``quote`` is false (text between tags, never an attribute)."""
    return html.escape(HIDDEN_CONTROLS.sub("", "" if value is None else str(value)), quote=quote)


class Sentence:
    """Lines of svlib's own wording for the reader: a paragraph each on the page, the plain
    text for nbval to compare (a cell tagged to check its output)."""

    def __init__(self, text: str) -> None:
        self.text = str(text)

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return "".join(f"<p>{esc(line)}</p>" for line in self.text.splitlines() if line.strip())


def page_title(title: str, introduction: str = "") -> HTML:
    """A page's one top-level heading and the paragraph that says what the page is for
    (svlib's own wording; both escaped)."""
    return HTML(f"<h1>{esc(title)}</h1>" + (f"<p>{esc(introduction)}</p>" if introduction else ""))


def heading(text: str, level: int = 2) -> HTML:
    return HTML(f"<h{level}>{esc(text)}</h{level}>")


def paragraph(template: str, **values: Any) -> HTML:
    """A paragraph: ``template`` is svlib's own (trusted) wording with ``{name}`` slots;
    every value is escaped."""
    return HTML("<p>" + template.format(**{k: esc(v) for k, v in values.items()}) + "</p>")


def percent(value: float, places: int = 0) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.{places}%}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "money": lambda v: pounds(v) if pd.notna(v) else "",
    "percent": lambda v: percent(float(v)) if pd.notna(v) else "",
    "ratio": lambda v: f"{float(v):,.2f}" if pd.notna(v) else "",
    "number": lambda v: _decimals(float(v), 4) if pd.notna(v) else "",
    "quantity": lambda v: _decimals(float(v), 2) if pd.notna(v) else "",  # a range's mean is not whole
    "int": lambda v: f"{int(v):,}" if pd.notna(v) else "",
    "date": lambda v: f"{pd.Timestamp(v).day} {pd.Timestamp(v):%B %Y}" if pd.notna(v) else "",
}


def _is_dates(values: pd.Series) -> bool:
    """A column of dates (a datetime column, or every value a date or timestamp)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    present = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return bool(present) and all(isinstance(v, (dt.date, pd.Timestamp)) for v in present)


COLUMN_LABELS: dict[str, str] = {
    "partner_id": "Partner", "partner_ids": "Partners", "outcome_id": "Outcome id", "proxy_id": "Proxy id",
    "indicator_id": "Indicator id", "mean": "Mean", "p5": "5th percentile", "p50": "Median",
    "p95": "95th percentile", "sd": "Standard deviation", "sroi_ratio": "SROI ratio",
    "prob_ratio_below_1": "Chance below 1:1", "in_toms": "In the National TOMs", "toms": "National TOMs",
    "value_as_published": "Value as published", "rebase_factor": "Rebasing factor",
    "staleness_years": "Years since its price year",
}
"""Headers in words for the columns many tables share (any other ``snake_case`` name is
put into words by :func:`column_label`)."""


def column_label(column: Any) -> str:
    """A column name as a header a reader reads: :data:`COLUMN_LABELS`, or the name in
    words (``public_contract_value_gbp`` → "Public contract value (£)", ``n_systems`` →
    "Number of systems"); a header that is already words is kept."""
    name = str(column)
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return name
    unit = ""
    for suffix, words in (("_gbp", " (£)"), ("_pct", " (%)")):
        if name.endswith(suffix):
            name, unit = name[: -len(suffix)], words
    if name.startswith("n_"):
        name = "number of " + name[2:]
    words = " ".join(ACRONYMS.get(word, word) for word in name.split("_") if word)
    return words[:1].upper() + words[1:] + unit


ACRONYMS = {"sroi": "SROI", "toms": "TOMs", "fte": "FTE", "cdp": "CDP", "vcse": "VCSE", "co2e": "CO2e", "id": "id",
            "ids": "ids", "pv": "present value", "npv": "net present value"}
"""Words a column name spells in lower case that a reader writes otherwise."""


def _plain(value: Any, column: str) -> Any:
    """A value with no stated format, as a reader reads it: yes/no for a truth value, a
    whole number as written (a year, a seed), other numbers to at most 2 decimals with
    thousands separators (none in a year), "n/a" for an infinite one; text as it is."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))  # a whole number as written: a year, a seed, a count (never "2,024")
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "" if np.isnan(value) else "n/a"
        if "year" in column.lower() and float(value).is_integer():
            return str(int(value))
        return _decimals(float(value), 2)
    return value


def table(frame: pd.DataFrame, formats: Mapping[str, str] | None = None, caption: str | None = None,
          labels: Mapping[str, str] | None = None, empty: str | None = None) -> HTML:
    """A table with readable headers and formatted numbers; every cell escaped.

    A cell that is already text (``"withheld"``, ``"<5"``) is shown as it is; a column of
    dates is written "1 October 2024" and any other column without a format in ``formats``
    as :func:`_plain` writes it (yes/no, at most 2 decimals); a header without a label in
    ``labels`` as :func:`column_label` writes it. A table without rows is a sentence saying
    so (``empty``, or "Nothing to show: no partner's data falls here.").
    """
    title = f"<p><strong>{esc(caption)}</strong></p>" if caption else ""
    if frame.empty:
        return HTML(title + f"<p class='svlib-empty'>{esc(empty or EMPTY_TABLE)}</p>")
    shown = frame.copy()
    formats = dict(formats or {})
    for column in shown.columns:  # dates read as a reader writes them ("1 October 2024"), never ISO timestamps
        if column not in formats and _is_dates(shown[column]):
            formats[column] = "date"
    for column in shown.columns:
        kind = formats.get(column)
        if kind is None:
            shown[column] = [_plain(v, str(column)) for v in shown[column]]
        else:
            shown[column] = [v if isinstance(v, str) else FORMATS[kind](v) for v in shown[column]]
    shown = shown.astype(object).where(shown.notna(), "")  # blanks, not "<NA>" or "NaN"
    names = dict(labels or {})
    numeric = [all(NUMERIC_CELL.match(str(v)) for v in shown[c] if str(v) not in ("", WITHHELD, "<5", "n/a"))
               for c in shown.columns]
    headers = [names.get(c, column_label(c)) for c in shown.columns]
    return HTML(title + html_table(headers, shown.itertuples(index=False, name=None), numeric))


NUMERIC_CELL = re.compile(r"^[-+−]?£?[-+]?[\d,]+(?:\.\d+)?(?:%| : £1|k)?$")
"""A formatted number (``£1,234``, ``-£5.20``, ``12.5%``, ``£3.21 : £1``, ``2024``)."""


def html_table(headers: Sequence[Any], rows: Iterable[Sequence[Any]], numeric: Sequence[bool]) -> str:
    """A table's HTML: a header row and a row per item, every cell's text escaped
    (:func:`esc`); the cells of a numeric column carry class ``num`` (right-aligned,
    so digits line up), text columns stay left-aligned, as a reader reads them."""
    opening = [' class="num"' if is_number else "" for is_number in numeric]

    def cells(tag: str, values: Sequence[Any]) -> str:
        return "".join(f"<{tag}{extra}>{esc(v, quote=False)}</{tag}>"
                       for v, extra in zip(values, opening, strict=True))

    body = "".join(f"<tr>{cells('td', row)}</tr>\n" for row in rows)
    head = f"<thead>\n<tr>{cells('th', headers)}</tr>\n</thead>"
    return f'<table class="svlib-table">\n{head}\n<tbody>\n{body}</tbody>\n</table>'


EMPTY_TABLE = "Nothing to show: no partner's data falls here."
"""What an empty table says when its caller gives no reason."""


HEADLINE_BOX = "border:2px solid #1f5f8b;padding:12px;border-radius:6px;max-width:720px"
"""The style of a headline box (a partner's, or one of the forum's totals)."""


def headline_html(figures: Mapping[str, Any], price_year: int) -> str:
    """The headline box: the ratio with its uncertainty band and the chance it is below 1:1,
    and, where the map values harms or costs, the present value they take off (the ratio is
    net of them)."""
    harms = figures.get("negative_present_value") or 0.0
    invested_pv = figures.get("investment_pv", figures["investment"])
    spread = (f" spent over several years ({esc(money(invested_pv))} in present value, the ratio's denominator)"
              if abs(invested_pv - figures["investment"]) > 0.5 else "")
    negative = (f"<p style='margin:6px 0 0 0'>Net of negative outcomes (harms and costs) of "
                f"<strong>{esc(money(harms))}</strong> in present value.</p>" if harms < 0 else "")
    fiscal = figures.get("fiscal_present_value") or 0.0
    if fiscal:
        negative += (f"<p style='margin:6px 0 0 0'>Of the present value, <strong>{esc(money(fiscal))}</strong> is "
                     f"fiscal: savings to the public purse (costs public services avoid), not social value; "
                     f"<strong>{esc(money(figures['present_value'] - fiscal))}</strong> is economic and social "
                     "value.</p>")
    return (
        f"<div class='svlib-headline' style='{HEADLINE_BOX}'>"
        f"<p style='font-size:1.6em;margin:0'>Social return: <strong>{esc(ratio(figures['sroi_ratio']))}</strong></p>"
        f"<p style='margin:6px 0'>Taking uncertainty into account, the ratio is likely (90% of simulations) to lie "
        f"between <strong>{esc(ratio(figures['p5']))}</strong> and <strong>{esc(ratio(figures['p95']))}</strong>. "
        f"Chance that the value is less than the money invested (below 1:1): "
        f"<strong>{esc(percent(figures['prob_ratio_below_1'], 1))}</strong>.</p>"
        f"<p style='margin:0'>Present value {esc(money(figures['present_value']))} for an investment of "
        f"{esc(money(figures['investment']))}{spread}, in {esc(price_year)} prices.</p>{negative}</div>"
    )


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
        f"{esc(FORMATS['date'](start))} to {esc(FORMATS['date'](end))} &middot; "
        f"all money in {esc(report.conventions.price_year)} prices &middot; partner id <code>{esc(p['partner_id'])}</code></p>"
    )


SCENARIO_BANNER = "border:3px solid #b06000;background:#fff4e5;padding:10px 14px;border-radius:6px;max-width:860px"
"""The style of the banner on every page of a scenario run."""


def scenario_banner(report: Any) -> HTML | None:
    """For a report valued under a scenario, a banner that says so and names what it
    changes; nothing (None) for the partner's own figures."""
    if not report.scenario:
        return None
    scenario = from_dict(dict(report.scenario))
    changes = "".join(f"<li>{esc(line)}</li>" for line in scenario.changes())
    return HTML(f"<div class='svlib-scenario' role='note' style='{SCENARIO_BANNER}'><p style='margin:0'><strong>What "
                f"if: {esc(scenario.name)}.</strong> This page is a scenario, not the partner's reported figures. "
                f"It values the partner as if:</p><ul style='margin:6px 0'>{changes}</ul><p style='margin:0'>The "
                "official report is unchanged, in the run's own folder.</p></div>")


def headline(report: Any) -> HTML:
    return HTML(headline_html(report.headline, int(report.conventions.price_year)))


PARAMETER_NAMES: dict[str, str] = {
    "quantity": "Quantity", "proxy_value": "Proxy", "deadweight": "Deadweight", "displacement": "Displacement",
    "attribution": "Attribution", "drop_off": "Drop-off", "leakage": "Leakage",
}


def evidence_section(report: Any) -> list[HTML]:
    """The rule of evidence, every figure whose value used differs from the one written in
    the impact map (with why), and the ratio the written figures would give.

    For an outcome of fewer than 5 people (:func:`svlib.analysis.disclosure.is_small_outcome`)
    every figure is withheld, the quantity shown as "<5": with its other figures, any one
    of them helps give the count away.
    """
    out = [paragraph("{rule}", rule=RULE_TEXT)]
    moved = report.evidence_differences()
    if moved.empty:
        out.append(paragraph("Every figure used is the one written in the impact map: no survey had enough answers "
                             "and no range was given, so the headline is the impact map's own ratio."))
        return out
    rows = []
    for row in moved.to_dict("records"):
        p = row["parameter"]
        small = str(row["outcome_id"]) in report.withheld_outcomes
        hidden = report.count_mark(row["outcome_id"]) if p == "quantity" else WITHHELD
        rows.append({
            "outcome_id": row["outcome_id"], "parameter": PARAMETER_NAMES[p],
            "written": hidden if small else figure(p, row["written"]),
            "central": hidden if small else figure(p, row["central"]),
            "evidence": SMALL_OUTCOME if small else row["evidence"],
            "note": "" if small else row["note"][:1].upper() + row["note"][1:] + ".",
        })
    out.append(table(pd.DataFrame(rows), {}, "Where the figure used differs from the one written in the impact map",
                     {"outcome_id": "Outcome", "parameter": "Figure", "written": "Written", "central": "Used",
                      "evidence": "Evidence", "note": "Why"}))
    written, used = report.valuation_as_written.sroi_ratio, report.valuation.sroi_ratio
    out.append(paragraph(
        "At the figures as written in the impact map the ratio would be <strong>{written}</strong>; the headline, "
        "<strong>{used}</strong>, uses the evidence above, because a survey with enough answers is stronger evidence "
        "than a single written figure, and the mean of a range is the figure the range itself expects.",
        written=ratio(written), used=ratio(used)))
    return out


def investment_tables(report: Any) -> list[HTML]:
    """What was invested, item by item (cash and in kind apart), and the figures a
    commissioner reads beside the ratio: present value, net present value, net SROI and
    payback (:mod:`svlib.valuation.sroi`)."""
    inputs = report.inputs
    in_kind = inputs["in_kind"].astype(str).str.lower().eq("yes")
    cash_total, kind_total = investment_total(inputs.loc[~in_kind, "value_gbp"]), investment_total(
        inputs.loc[in_kind, "value_gbp"])
    v = report.valuation
    dated = report.investment.dated
    items = inputs[["input_id", "source", "description", "value_gbp", "in_kind"] + (["year"] if dated else [])].copy()
    if dated:
        items["year"] = ["at face value" if pd.isna(y) else f"year {int(y)}" for y in items["year"]]
    payback = (f"{v.payback_months:,.1f} months" if np.isfinite(v.payback_months)
               else "not reached in year 1 (nothing is valued in year 1)")
    figures = pd.DataFrame([
        ("Investment in cash", money(cash_total)),
        ("Investment in kind", money(kind_total)),
        ("Total investment", money(v.investment)),
        *([("Investment in present value (each year's inputs discounted as its outcomes are)",
            money(v.investment_pv))] if dated else []),
        ("Present value of the outcomes", money(v.present_value)),
        ("Net present value (present value − investment)", money(v.npv)),
        ("SROI ratio (present value ÷ investment)", ratio(v.sroi_ratio)),
        ("Net SROI ratio ((present value − investment) ÷ investment)", f"{v.net_sroi_ratio:,.2f}"),
        ("Payback (investment ÷ year-1 value a month)", payback),
    ], columns=["figure", "value"])
    out = [
        table(items, {"value_gbp": "money"}, "What was invested",
              {"input_id": "Id", "source": "From", "description": "What for", "value_gbp": "Value",
               "in_kind": "In kind", "year": "When"}),
    ]
    if dated:
        by_year = v.investment_by_year.copy()
        by_year["year"] = ["at face value" if pd.isna(y) else f"year {int(y)}" for y in by_year["year"]]
        out.append(table(by_year, {"value": "money", "discount_factor": "ratio", "present_value": "money"},
                         "Investment by year", {"year": "When", "value": "Value", "discount_factor": "Discount factor",
                                                "present_value": "Present value"}))
    return out + [table(figures, {}, "The figures, at the values used (the headline's); with inputs over years, "
                        "investment means its present value" if dated else "The figures, at the values used "
                        "(the headline's)", {"figure": "Figure", "value": "Value"})]


def negative_outcomes_table(report: Any) -> HTML:
    """The outcomes valued as harms or costs (a negative proxy), with their present value:
    every total is net of them. With none, a sentence saying so and why it matters."""
    v = report.valuation
    harms = v.negative_outcomes
    if harms.empty:
        return paragraph("The impact map values no negative outcomes (harms or costs). The SROI guide asks for "
                         "unintended and negative change as well as the intended: where one happened, give it a "
                         "row with a negative proxy value (the proxy_value column of the ImpactMap sheet).")
    shown = harms[["outcome_id", "stakeholder", "outcome", "present_value"]]
    return table(shown, {"present_value": "money"},
                 f"Negative outcomes (harms and costs): {money(v.negative_present_value)} in present value, "
                 "taken off the total",
                 {"outcome_id": "Id", "stakeholder": "Stakeholder", "outcome": "Outcome",
                  "present_value": "Present value"})


def value_tables(report: Any) -> list[HTML]:
    """Value by theme, by stakeholder and by year, and the negative outcomes."""
    v = report.valuation
    share = {"present_value": "money", "share_of_value": "percent"}
    kinds = v.by_value_type
    kinds = kinds[kinds["present_value"] != 0]
    classed = (kinds["value_type"] != VALUE_KINDS[""]).any()  # shown once any value's source classes it
    by_kind = [table(kinds, share, "By kind of value (a fiscal value is a saving to the public purse, not social "
                     "value)", {"value_type": "Kind of value", "present_value": "Present value",
                                "share_of_value": "Share"})] if classed else []
    return [
        negative_outcomes_table(report),
        *by_kind,
        table(v.by_theme, share, "By County Durham Pound theme",
              {"theme": "Theme", "present_value": "Present value", "share_of_value": "Share"}),
        table(v.by_stakeholder.sort_values("present_value", ascending=False), share, "By stakeholder",
              {"stakeholder": "Stakeholder", "present_value": "Present value", "share_of_value": "Share"}),
        table(v.by_year, {"impact": "money", "discount_factor": "ratio", "present_value": "money",
                          "cumulative_present_value": "money"}, "By year",
              {"year": "Year", "impact": "Value in the year", "discount_factor": "Discount factor",
               "present_value": "Present value", "cumulative_present_value": "Running total"}),
    ]


SMALL_OUTCOME = "withheld: fewer than 5 people"
"""Why a small outcome's figures are not shown (:func:`svlib.analysis.disclosure.is_small_outcome`)."""


def impact_map_table(report: Any) -> HTML:
    """The impact map with each deflator's evidence. For an outcome of fewer than 5 people
    the quantity is "<5" and every figure of one person (proxy, years, deflators, the
    partner's evidence text) is withheld; the exact figures stay in the partner's own
    workbook."""
    frame = report.withhold(shareable_counts(report.deflator_evidence(), ["quantity"]))
    formats = {"quantity": "quantity", "proxy_value": "money", "deadweight": "percent", "displacement": "percent",
               "attribution": "percent", "drop_off": "percent"}
    labels = {"outcome_id": "Id", "stakeholder": "Stakeholder", "outcome": "Outcome", "theme": "Theme",
              "quantity": "Quantity", "proxy_value": "Proxy £ a year", "duration": "Years",
              "evidence": "Evidence (the partner's words)",
              "deadweight": "Deadweight", "deadweight_evidence": "evidence", "displacement": "Displacement",
              "displacement_evidence": "evidence", "attribution": "Attribution", "attribution_evidence": "evidence",
              "drop_off": "Drop-off", "drop_off_evidence": "evidence"}
    return table(frame, formats, "Impact map", labels)


def _decimals(value: float, places: int) -> str:
    """A number to at most ``places`` decimals, without trailing zeros (``16``, ``15.3333``)."""
    text = f"{float(value):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def arithmetic_table(report: Any) -> HTML:
    """Each outcome's arithmetic, so a reader can recompute any row with a calculator:
    quantity × proxy × (1 − deadweight)(1 − displacement)(1 − attribution)(1 − leakage)
    gives the year-1 value; times the present value factor (drop-off and discounting over
    the outcome's years, :func:`svlib.valuation.sroi.present_value_factor`) gives its
    present value. For an outcome of fewer than 5 people the quantity is "<5" and the
    figures of one person (proxy, deflators, drop-off, years, factor) are withheld; its
    year-1 and present values are shown, so the rows add up to the headline (without the
    figures of one person they do not give the count away)."""
    rows = []
    for row in report.arithmetic.to_dict("records"):
        rows.append({
            "outcome_id": row["outcome_id"],
            "quantity": _decimals(row["quantity"], 2),  # a range's mean is not whole
            "proxy_value": money(row['proxy_value'], 2),
            **{name: fraction(row[name]) for name in ("deadweight", "displacement", "attribution", "leakage")},
            "impact": money(row["impact_year1"], 2),
            "drop_off": fraction(row["drop_off"]),
            "duration": f"{int(row['duration'])} from year {int(row['start_year'])}",
            "factor": f"{row['present_value_factor']:.4f}",
            "present_value": money(row["present_value"], 2),
        })
    shown = report.withhold(pd.DataFrame(rows),
                           ["quantity", "proxy_value", "deadweight", "displacement", "attribution", "leakage",
                            "drop_off", "duration", "factor"])
    labels = {"outcome_id": "Id", "quantity": "Quantity", "proxy_value": "Proxy", "deadweight": "Deadweight",
              "displacement": "Displacement", "attribution": "Attribution", "leakage": "Leakage",
              "impact": "Year-1 value", "drop_off": "Drop-off", "duration": "Years", "factor": "Present value factor",
              "present_value": "Present value"}
    return table(shown, {}, "Each outcome's arithmetic (rounded for reading: the partner's workbook beside this "
                 "page has every figure in full)", labels)


def discounting_table(report: Any) -> HTML:
    """Each outcome year by year, so a reader can follow its present value from the
    arithmetic table: in the outcome's year ``k`` (analysis year ``s + k − 1`` for an outcome
    starting in year ``s``), what is left after drop-off is ``(1 − drop-off)^(k − 1)`` (``^k``
    with drop-off from year 1) of the year-1 value, and its present value is that times the
    year's discount factor (:func:`svlib.reference.discounting.discount_factors`); the years
    add up to the outcome's present value. Outcomes whose quantity is a count below 5 are
    left out (their values would give the count away)."""
    v, conventions = report.valuation, report.conventions
    used = report.estimates.central_map()
    model = ValueModel(used, report.investment, conventions)
    shift = 0 if conventions.dropoff_from == 2 else 1
    withheld = report.withheld_outcomes
    rows = []
    for i, oid in enumerate(model.outcome_ids):
        if oid in withheld:
            continue
        keep, start = 1.0 - float(model.central["drop_off"][i]), int(model.start_year[i, 0])
        for k in range(1, int(model.duration[i, 0]) + 1):
            year = start + k - 1
            left = keep ** (k - 1 + shift)
            factor = float(model.factors[min(year - 1, len(model.factors) - 1)])
            yearly = float(model.profile[i, min(year - 1, model.profile.shape[1] - 1)])
            value = float(v.outcome_impact_year1[i]) * left * yearly
            rows.append({"outcome_id": oid, "k": k, "year": year, "left": fraction(left),
                         "yearly": f"{yearly:.4f}", "value": money(value, 2), "factor": f"{factor:.4f}",
                         "present_value": money(value * factor, 2)})
    caption = "Each outcome, year by year: drop-off and discounting"
    if not rows:
        return paragraph("No outcome can be shown year by year: every quantity is a count below 5.")
    note = (f" ({len(withheld)} outcome{'s' if len(withheld) != 1 else ''} with fewer than 5 people left out)"
            if withheld else "")
    shown = pd.DataFrame(rows)
    if (model.profile == 1.0).all():
        shown = shown.drop(columns="yearly")  # every proxy is one value for all years
    else:
        note += ("; a proxy valued year by year (the carbon value of each year) is its first year's value times "
                 "the year's ratio")
    return table(shown, {}, caption + note,
                 {"outcome_id": "Outcome", "k": "Year of the outcome", "year": "Analysis year",
                  "left": "Left after drop-off", "yearly": "Proxy, as a ratio to its first year",
                  "value": "Value in the year", "factor": "Discount factor", "present_value": "Present value"})


SMALL_QUANTITY_WITHHELD = ("This outcome counts fewer than 5 people, so its figures and switching values are not "
                           "shown: with the others, any of them would help give the count away.")


def switching_table(report: Any) -> HTML:
    """Switching values for the assumptions the tornado and the simulation vary, in the
    tornado's order, then each assumption moved in every outcome at once. For an outcome
    of fewer than 5 people the figure now (a quantity as "<5"), its switching value and
    sentence are withheld, as in the impact map."""
    frame = report.switching_values
    order = {key: k for k, key in enumerate(zip(report.tornado["outcome_id"], report.tornado["parameter"]))}
    uncertain = frame[frame["uncertain"]].copy()
    uncertain["order"] = [order.get(key, len(order)) for key in zip(uncertain["outcome_id"], uncertain["parameter"])]
    everywhere = frame[frame["outcome_id"] == ALL_OUTCOMES]
    shown = pd.concat([uncertain.sort_values("order", kind="mergesort"), everywhere])
    shown = shown[["parameter", "outcome_id", "level", "current_value", "result", "explanation"]].copy()
    small = shown["outcome_id"].astype(str).isin(report.withheld_outcomes).to_list()
    shown["current_value"] = [(report.count_mark(o) if p == "quantity" else WITHHELD) if hidden else
                              (figure(p, value) if o != ALL_OUTCOMES or p not in ("quantity", "proxy_value") else "× 1")
                              for hidden, p, o, value in
                              zip(small, shown["parameter"], shown["outcome_id"], shown["current_value"])]
    shown["level"] = [LEVELS.get(level, "") for level in shown["level"]]
    shown["parameter"] = [PARAMETER_NAMES[p] for p in shown["parameter"]]
    for column, withheld in (("result", WITHHELD), ("explanation", SMALL_QUANTITY_WITHHELD)):
        shown[column] = [withheld if hidden else value for hidden, value in zip(small, shown[column])]
    return table(shown, {}, "Switching values: what would bring the ratio down to 1:1",
                 {"parameter": "Assumption", "outcome_id": "Outcome", "level": "Evidence", "current_value": "Now",
                  "result": "Switches at", "explanation": "In words"})


def survey_tables(report: Any) -> list[HTML]:
    summary = report.withhold(shareable_counts(report.survey_summary, ["n_answers"]),
                             ["mean", "sd", "se"])
    out = [table(summary, {"mean": "percent", "sd": "percent", "se": "percent"},
                 "Deflator survey answers",
                 {"outcome_id": "Outcome", "factor": "Question", "n_answers": "Answers", "mean": "Average",
                  "sd": "Spread (sd)", "se": "Uncertainty of the average", "evidence": "Evidence", "warning": "Note"})
           if len(summary) else paragraph("No deflator survey answers were supplied: every deflator is a judgement.")]
    effort = report.survey_effort[["rank", "outcome_id", "outcome", "deflator_share", "advice"]].copy()
    small = effort["outcome_id"].astype(str).isin(report.withheld_outcomes)
    effort["deflator_share"] = [(WITHHELD if hidden else percent(share))
                                for hidden, share in zip(small, effort["deflator_share"])]
    effort.loc[small, "advice"] = "This outcome counts fewer than 5 people, so its share is not shown."
    out.append(table(effort, {}, "Where more survey answers would help most",
                     {"rank": "Rank", "outcome_id": "Id", "outcome": "Outcome",
                      "deflator_share": "Share of the uncertainty", "advice": "Advice"}))
    return out


def shareable_counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Counts of people made safe to share: 1 to 4 shown as "<5" (svlib.analysis.disclosure)."""
    present = [c for c in columns if c in frame]
    return suppress_counts(frame, present) if present and len(frame) else frame


def quotes_table(report: Any) -> HTML:
    """Consented, anonymised, redacted case studies beside the outcomes they evidence."""
    quotes = report.quotes()
    if quotes.empty:
        return paragraph("No case studies are cleared for sharing (both consent and anonymisation recorded as yes).")
    return table(quotes, None, "In their own words (shared with consent, anonymised)",
                 {"outcome_id": "Outcome id", "outcome": "Outcome", "title": "Case study", "text": "What they said"})


SUGGESTIONS_NOTE = (
    "Suggestions from a local model ({model}), run on this machine: no testimony left it, and only case "
    "studies cleared for sharing (consent and anonymisation both yes) were read. A score says how alike the "
    "words are (up to 1), not that an outcome happened: suggestions are not evidence and are not counted. This "
    "report counts a case study for the outcomes a researcher accepted (the CaseStudies column accepted outcome "
    "ids), or, until one has, for the partner's own outcome ids.")


def _review_flag(disagrees: bool, reason: str, accepted: str) -> str:
    if not disagrees:
        return ""
    return f"reviewed: {reason}" if accepted else f"for a researcher to look at: {reason}"


def testimony_tags_section(result: tagged.SuggestedTags, partners: bool = False, gaps_caption: str | None = None,
                           cases: bool = True) -> list[HTML]:
    """What the tagger suggests for shared testimonies, beside the partner's own tags
    (:func:`svlib.analysis.testimony_tags.suggested_tags`): what the suggestions are and
    are not, each case's own and accepted outcome ids with the suggestions and a flag where
    they disagree (``cases``), the claimed outcomes no shared testimony supports, and the
    testimonies pointing to indicators outside the National TOMs. ``partners``: a column
    naming each case's partner (a page across partners)."""
    pieces = [paragraph(SUGGESTIONS_NOTE, model=result.model)]
    who = ["partner_id"] if partners else []
    if result.unavailable:
        pieces.append(paragraph("No suggestions: {why}.", why=result.unavailable))
    elif cases:
        tags = result.tags
        shown = tags[who + ["case_id", "outcome_ids", "accepted_outcome_ids", "suggested_outcomes"]].copy()
        shown["suggested_theme"] = [f"{t} ({s:.2f})" for t, s in zip(tags["suggested_theme"], tags["theme_score"])]
        shown["suggested_indicators"] = tags["suggested_indicators"]
        shown["flag"] = [_review_flag(d, r, a) for d, r, a in zip(tags["disagrees"], tags["reason"],
                                                                  tags["accepted_outcome_ids"])]
        pieces.append(table(shown, None, "Suggested tags beside the partner's own (scores from -1 to 1)", {
            "partner_id": "Partner", "case_id": "Case study", "outcome_ids": "Its own outcome ids",
            "accepted_outcome_ids": "Accepted by a researcher (blank: not yet reviewed)",
            "suggested_outcomes": "Suggested outcomes (score)", "suggested_theme": "Suggested theme (score)",
            "suggested_indicators": "Suggested indicators (score)", "flag": "Where they disagree"},
            empty="No case study with text is cleared for sharing, so there is nothing to suggest."))
    pieces.append(table(result.unsupported[who + ["outcome_id", "outcome", "theme"]], None,
                        gaps_caption or "Claimed outcomes with no supporting testimony",
                        {"partner_id": "Partner", "outcome_id": "Outcome id", "outcome": "Outcome", "theme": "Theme"},
                        empty="Every outcome claimed has at least one shared testimony counted for it."))
    if not result.unavailable:
        outside = result.outside_toms[who + ["case_id", "indicator_id", "indicator", "theme", "score"]].copy()
        outside["score"] = [f"{s:.2f}" for s in outside["score"]]
        pieces.append(table(outside, None, "Testimonies pointing to indicators the National TOMs do not count", {
            "partner_id": "Partner", "case_id": "Case study", "indicator_id": "Indicator id",
            "indicator": "Indicator", "theme": "Theme", "score": "Score"},
            empty="No shared testimony's suggested indicators lie outside the National TOMs."))
    return pieces


def theme_testimony_tags(tables: Mapping[str, pd.DataFrame], theme: str) -> list[HTML]:
    """:func:`testimony_tags_section` for the testimonies of one theme, across partners."""
    result = tagged.in_theme(tagged.suggested_tags(tables), tables, theme)
    return testimony_tags_section(result, partners=True, gaps_caption=f"{theme} outcomes with no supporting testimony")


def forum_testimony_tags(tables: Mapping[str, pd.DataFrame]) -> list[HTML]:
    """:func:`testimony_tags_section` across the collection: the outcomes no shared
    testimony supports and the testimonies pointing outside the TOMs (each case's
    suggestions are on its partner's report and its theme's page). A forecast that an
    evaluation follows is the same programme, counted once, as evaluated (as the forum's
    totals count it)."""
    return testimony_tags_section(tagged.suggested_tags(without_superseded_forecasts(dict(tables))), partners=True,
                                  cases=False)


def proxies_table(report: Any) -> HTML:
    """Each outcome's proxy and where it comes from; withheld for an outcome of fewer than
    5 people (its library id would give the value of one person)."""
    return table(report.withhold(report.proxies_used()), {"proxy_value": "money", "proxy_value_as_published": "money",
                                         "rebase_factor": "ratio"}, "Financial proxies",
                 {"outcome_id": "Outcome", "proxy_id": "Library id", "proxy_value_type": "Kind of value",
                  "proxy_value": "Value used",
                  "proxy_value_as_published": "As published", "proxy_price_year": "Price year",
                  "proxy_age_years": "Age (old: rebased across more than 10 years)",
                  "price_year_from": "Price year from",
                  "rebase_factor": "Inflation factor", "proxy_source": "Source", "proxy_licence": "Licence",
                  "proxy_url": "Link"})


def assurance_table(report: Any) -> HTML:
    return table(report.assurance(), None, "Assurance checklist",
                 {"principle": "SROI principle", "check": "Check", "status": "Status", "detail": "Detail"})


def provenance_table(report: Any) -> HTML:
    return table(report.provenance_table(), None, "Provenance", {"item": "Item", "value": "Value"})


def theme_outcomes(mapped: pd.DataFrame, theme: str, impact_map: pd.DataFrame) -> HTML:
    """A theme page's outcomes with their indicators (:func:`svlib.analysis.themes.outcomes_in_theme`);
    the proxy id of an outcome of fewer than 5 people is withheld, as in its partner's
    report (``impact_map``: the processed ImpactMap, which says which outcomes are small)."""
    shown = withhold_small(outcomes_in_theme(mapped, theme), small_outcomes(impact_map), ["proxy_id"])
    columns = ["partner_id", "outcome_id", "stakeholder", "outcome", "matched_indicator", "needs", "toms_area",
               "in_toms", "proxy_id"]
    return table(shown[[c for c in columns if c in shown]], None, None,
                 {"matched_indicator": "County Durham Pound indicator", "needs": "Local needs it serves",
                  "toms_area": "National TOMs area", "proxy_id": "Proxy id"},
                 empty="No partner has an outcome in this theme yet.")


# ----------------------------------------------------------------------------------------
# Forecast against evaluation (notebooks/06_forecast_evaluation.ipynb)
# ----------------------------------------------------------------------------------------

FIGURE_NAMES: dict[str, str] = {**PARAMETER_NAMES, "duration": "Years", "start_year": "Start year"}


def comparison_title(result: Any) -> HTML:
    """Title block: the programme, the two periods, the price year."""
    return HTML(
        f"<h1>Forecast and evaluation: {esc(result.evaluation.name)}</h1>"
        f"<p>The forecast <code>{esc(result.forecast.partner_id)}</code> ({esc(result.forecast.period)}) beside "
        f"the evaluation <code>{esc(result.evaluation.partner_id)}</code> ({esc(result.evaluation.period)}), "
        f"both valued at their evidence's central values, in {esc(result.conventions.price_year)} prices and "
        f"under the same conventions.</p>")


def comparison_headlines(result: Any) -> HTML:
    """Each side's ratio with its likely range, present value and investment."""
    rows = []
    for label, side, value in (("Forecast", result.forecast, result.forecast_value),
                               ("Evaluation", result.evaluation, result.evaluation_value)):
        band = result.ranges[label.lower()]
        rows.append({"side": label, "period": side.period, "ratio": ratio(value.sroi_ratio),
                     "range": f"{ratio(band['p5'])} to {ratio(band['p95'])}", "present_value": money(value.present_value),
                     "investment": money(value.investment), "investment_pv": money(value.investment_pv)})
    return table(pd.DataFrame(rows), {}, "The two ratios (present value ÷ the investment's present value), each "
                 "with its likely range (90% of simulations)",
                 {"side": "Side", "period": "Period", "ratio": "SROI ratio", "range": "Likely range",
                  "present_value": "Present value", "investment": "Investment",
                  "investment_pv": "Investment, present value"})


def comparison_outcomes(result: Any) -> HTML:
    """Outcome by outcome: each figure forecast and achieved, and the present values. An
    outcome of fewer than 5 people on either side shows its present values only."""
    small = result.small_outcomes
    own = {"forecast": {o for _, o in small_outcomes(result.forecast.impact_map)},
           "evaluation": {o for _, o in small_outcomes(result.evaluation.impact_map)}}
    rows = []
    for row in result.outcomes.to_dict("records"):
        hidden = row["outcome_id"] in small
        item = {"outcome_id": row["outcome_id"], "outcome": row["outcome"]}
        for f in ("quantity", "proxy_value", "deadweight", "attribution", "drop_off"):
            shown = []
            for side in ("forecast", "evaluation"):
                value = row[f"{f}_{side}"]
                count = "<5" if row["outcome_id"] in own[side] else WITHHELD  # "<5" only where it is true
                shown.append("—" if pd.isna(value) else (count if f == "quantity" else WITHHELD) if hidden
                             else figure(f, value))
            item[f] = f"{shown[0]} → {shown[1]}"
        item["present_value_forecast"] = money(row["present_value_forecast"]) if row["in_forecast"] else "not forecast"
        item["present_value_evaluation"] = (money(row["present_value_evaluation"]) if row["in_evaluation"]
                                            else "not evidenced")
        item["change"] = money(row["change"])
        rows.append(item)
    return table(pd.DataFrame(rows), {}, "Each outcome, forecast → achieved (— where a side has no such outcome)",
                 {"outcome_id": "Id", "outcome": "Outcome", "quantity": "Quantity", "proxy_value": "Proxy",
                  "deadweight": "Deadweight", "attribution": "Attribution", "drop_off": "Drop-off",
                  "present_value_forecast": "Present value forecast",
                  "present_value_evaluation": "Present value achieved", "change": "Change"})


def comparison_explained(result: Any) -> list[HTML]:
    """What explains the change: by figure, and by outcome and figure (Shapley shares that add
    up to the change; an outcome of fewer than 5 people as one row)."""
    names = {**FIGURE_NAMES, **{k: k for k in ("outcome forecast only", "outcome evaluated only")}}
    by_figure = result.by_parameter(shared=True)
    by_figure["parameter"] = [names.get(p, p) for p in by_figure["parameter"]]
    detail = result.shared_decomposition()
    detail["parameter"] = [names.get(p, p) for p in detail["parameter"]]
    return [
        paragraph("The change in present value, {change}, shared among the figures that moved. Each figure's share is "
                  "its Shapley value: its effect averaged over every order in which the figures could have moved from "
                  "forecast to achieved, so the shares add up to the change and do not depend on an order. An outcome "
                  "forecast but not evidenced counts its whole forecast value, and one evidenced but not forecast its "
                  "whole value.", change=money(result.change_in_present_value)),
        table(by_figure, {"contribution": "money"}, "What explains the change, by figure",
              {"parameter": "Figure", "contribution": "Share of the change"}),
        table(detail, {"contribution": "money"}, "By outcome and figure",
              {"outcome_id": "Outcome", "parameter": "Figure", "contribution": "Share of the change"}),
    ]


def comparison_gaps(result: Any) -> HTML:
    """Outcomes forecast but not evidenced, and evidenced but not forecast."""
    def listed(ids: list[str]) -> str:
        return ", ".join(ids) if ids else "none"
    return paragraph("Forecast but not evidenced: {missing}. Evidenced but not forecast: {new}.",
                     missing=listed(result.only_in_forecast), new=listed(result.only_in_evaluation))


# ----------------------------------------------------------------------------------------
# The proxy research page (notebooks/02_proxy_research.ipynb)
# ----------------------------------------------------------------------------------------

def library_holdings(price_year: int) -> list[HTML]:
    """What the proxy library holds: its counts by dataset and kind, by theme and kind, and
    by age in ``price_year`` prices, then each dataset's source and licence, all computed
    from the shipped data."""
    counts = {"fiscal": "Fiscal (saving to the public purse)", "economic": "Economic", "social": "Social",
              "not stated": "Not classed", "total": "Total"}
    ages = research.theme_ages(price_year).reset_index()
    return [
        paragraph("svlib ships {summary}", summary=research.library_summary()),
        table(research.library_counts().reset_index(), None, "Proxies by dataset and kind",
              {"dataset": "Dataset", **counts}),
        table(research.library_counts(by="theme").reset_index(), None, "Proxies by theme and kind",
              {"theme": "Theme", **counts}),
        table(ages, None, f"How old the values are in {price_year} prices (years rebased across)",
              {"theme": "Theme"}),
        table(research.dataset_sources(), None, "Where each dataset comes from",
              {"dataset": "Dataset", "proxies": "Proxies", "source": "Source", "licence": "Licence",
               "other_licences": "Rows with their own licence note"}),
    ]


def theme_proxies(themes: list[str], keyword: str, price_year: int) -> list[HTML]:
    """Each theme's proxies in ``price_year`` prices: its verified proxies and each GMCA
    family's headline line, or, with a ``keyword``, every line that mentions it."""
    labels = {"proxy_id": "Id", "kind": "Kind of value", "outcome": "Outcome", "unit": "Unit",
              "value_in_price_year": f"Value ({price_year} prices)", "proxy_price_year": "Price year",
              "age": "Age", "confidence": "Confidence (RAG)", "dataset": "Dataset"}
    pieces: list[HTML] = []
    for theme in themes:
        overview = (research.compact(research.proxies_for_theme(theme, keyword, price_year)) if keyword
                    else research.theme_overview(theme, price_year))
        note = (f"; the {overview.attrs.get('beneath', 0):,} subsidiary and constituent lines beneath these headlines "
                "are listed by svlib proxies --keyword <id>" if overview.attrs.get("beneath") and not keyword else "")
        if overview.empty:
            pieces.append(paragraph("{theme}: no proxy" + (" mentions {keyword}" if keyword else " yet") + ".",
                                    theme=theme, keyword=keyword))
            continue
        pieces.append(table(overview, {"value_in_price_year": "money"}, f"Proxies for {theme}{note}", labels))
    return pieces


def series_section(price_year: int) -> list[HTML]:
    """Each yearly series (the DESNZ carbon values) by year in ``price_year`` prices."""
    pieces: list[HTML] = []
    for name in sorted(load_library().series_ids):
        shown = research.series_table(name, price_year)
        pieces.append(paragraph(
            "An outcome in tonnes of CO2e can name <code>{name}</code> as its proxy_id: each year of the outcome takes "
            "the central value of the calendar year it falls in, and the Monte Carlo draws between low and high. "
            "Source: {source}; licence: {licence}. Rebased from {year} prices by {factor}.",
            name=name, source=shown.attrs["source"], licence=shown.attrs["licence"],
            year=shown.attrs["price_year"], factor=f"{shown.attrs['factor']:.4f}"))
        pieces.append(table(shown, {"low": "money", "central": "money", "high": "money"},
                            f"{name}: GBP per tonne of CO2e by year of emission, {price_year} prices",
                            {"year": "Year", "low": "Low", "central": "Central", "high": "High"}))
    return pieces


# ----------------------------------------------------------------------------------------
# The forum summary (notebooks/00_forum_summary.ipynb)
# ----------------------------------------------------------------------------------------

GROUP_NAMES = {"evaluative": "Evaluations (what was achieved)", "forecast": "Forecasts (what is planned)"}


def forum_totals(results: list[Any], price_year: int) -> list[HTML]:
    """The forum's totals, evaluations and forecasts apart, each with its range."""
    pieces: list[HTML] = []
    for row in forum.totals(results).to_dict("records"):
        pieces.append(HTML(
            f"<div class='svlib-headline' style='{HEADLINE_BOX};margin:8px 0'>"
            f"<p style='font-size:1.3em;margin:0'>{esc(GROUP_NAMES[row['group']])}: {esc(row['partners'])} "
            f"partner{'s' if row['partners'] != 1 else ''}</p>"
            f"<p style='margin:6px 0'>Present value <strong>{esc(money(row['present_value']))}</strong> for an "
            f"investment of <strong>{esc(money(row['investment']))}</strong>"
            + (f" ({esc(money(row['investment_pv']))} in present value)"
               if abs(row['investment_pv'] - row['investment']) > 0.5 else "")
            + f", in {esc(price_year)} prices: <strong>{esc(ratio(row['sroi_ratio']))}</strong> for the forum.</p>"
            f"<p style='margin:0'>Likely range (90% of simulations, partners' draws added draw by draw): "
            f"{esc(money(row['pv_p5']))} to {esc(money(row['pv_p95']))}; the ratio "
            f"{esc(ratio(row['p5']))} to {esc(ratio(row['p95']))}.</p></div>"))
    if not pieces:
        pieces.append(paragraph("No partner was valued."))
    return pieces


def forum_partners(results: list[Any]) -> HTML:
    """Every partner's headline on the forum's basis, in alphabetical order."""
    return table(forum.partner_table(results).drop(columns=["partner_id", "p50"]),
                 {"investment": "money", "investment_pv": "money", "present_value": "money", "sroi_ratio": "ratio",
                  "p5": "ratio", "p95": "ratio", "prob_ratio_below_1": "percent"},
                 "Each partner (alphabetical; not a ranking)",
                 {"name": "Partner", "purpose": "Kind", "investment": "Investment", "investment_pv":
                  "Investment (present value)", "present_value": "Present value", "sroi_ratio": "SROI ratio",
                  "p5": "Likely range from", "p95": "to", "prob_ratio_below_1": "Chance below 1:1"})


def forum_value_tables(results: list[Any], tables: Mapping[str, pd.DataFrame]) -> list[HTML]:
    """Value by theme and by indicator across the forum, the value outside the National
    TOMs, and what VCSE evidence could add to the County Durham Pound's indicators."""
    money_columns = {"present_value": "money", "p5": "money", "p95": "money", "share": "percent"}
    group = {"group": "Kind"}
    return [
        table(forum.by_theme(results), money_columns, "Value by County Durham Pound theme",
              {**group, "theme": "Theme", "partners": "Partners", "present_value": "Present value",
               "p5": "Likely range from", "p95": "to"}),
        table(forum.by_indicator(results), money_columns, "Value by County Durham Pound indicator",
              {**group, "theme": "Theme", "indicator": "Indicator", "partners": "Partners", "outcomes": "Outcomes",
               "present_value": "Present value"}),
        table(forum.outside_toms(results).replace({"in_toms": {"yes": "counted by a TOMs measure",
                                                               "no": "not counted by the TOMs",
                                                               "unknown": "not known"}}),
              money_columns, "Value the National TOMs count, and value they do not",
              {**group, "in_toms": "National TOMs", "present_value": "Present value", "share": "Share"}),
        table(forum.stretch(results, tables), money_columns,
              "What VCSE evidence could add: outcomes the TOMs do not count, by indicator",
              {**group, "theme": "Theme", "indicator": "Indicator", "on_the_list": "On the County Durham Pound list",
               "partners": "Partners", "outcomes": "Outcomes", "evidence": "Evidence beyond the partners' figures",
               "present_value": "Present value"}),
    ]


def forum_evidence(results: list[Any], tables: Mapping[str, pd.DataFrame]) -> HTML:
    """Each partner's evidence: how its deflators were estimated and what else it holds."""
    return table(forum.evidence_gaps(results, tables), None,
                 "Evidence behind each partner's figures (counts of people from 1 to 4 shown as <5)",
                 {"name": "Partner", "purpose": "Kind", "outcomes": "Outcomes",
                  **{k: f"Deflators from {v}" for k, v in forum.EVIDENCE_KINDS.items()},
                  "respondents": "People who answered the deflator survey",
                  "people_with_readings": "People with distance-travelled readings",
                  "case_studies": "Case studies cleared for sharing"})


# ----------------------------------------------------------------------------------------
# The deflator study (notebooks/03_deflators_and_sensitivity.ipynb)
# ----------------------------------------------------------------------------------------

def deflator_sources_table(results: list[Any]) -> HTML:
    labels = {"factor": "Deflator", **{k: f"From {v}" for k, v in forum.EVIDENCE_KINDS.items()},
              "answers": "Survey answers behind the survey figures"}
    return table(deflator_study.deflator_sources(results), None,
                 "How each deflator was estimated across the forum (one figure per outcome)", labels)


def shift_table(study: pd.DataFrame) -> list[HTML]:
    """For each factor studied, a row per partner (alphabetical) and per forum group, a
    column per shift: the middle ratio and its likely range."""
    pieces = []
    for factor, part in study.groupby("factor", sort=False):
        cells = part.assign(
            shown=[f"{ratio(m)} ({f'{a:.2f}'} to {f'{b:.2f}'})" for m, a, b in zip(part["p50"], part["p5"], part["p95"])],
            column=[f"{100 * v:+.0f} points" if v else "as estimated" for v in part["shift"]])
        order = sorted((n for n in dict.fromkeys(cells["scope"]) if not n.startswith("forum: ")), key=str.lower)
        order += [n for n in dict.fromkeys(cells["scope"]) if n.startswith("forum: ")]
        wide = cells.pivot(index="scope", columns="column", values="shown").reindex(order)
        wide = wide[list(dict.fromkeys(cells["column"]))].reset_index()
        pieces.append(table(wide, None, f"{factor.replace('_', '-').capitalize()} shifted: each partner's middle "
                            "ratio and likely range (p5 to p95), and the forum's (Monte Carlo, the same draws each "
                            "time)", {"scope": "Partner or forum"}))
    return pieces


def drivers_table(drivers: pd.DataFrame) -> HTML:
    shares = {c: "percent" for c in drivers.columns if c not in ("group", "name")}
    return table(drivers, shares, "Share of the forum's uncertainty (variance of the total present value), "
                 "by partner and by what varies",
                 {"group": "Kind", "name": "Partner", "partner_share": "Partner's share",
                  "interactions": "interactions"})


def priorities_table(priorities: pd.DataFrame) -> HTML:
    return table(priorities, {"forum_share": "percent"},
                 "Where more survey answers would narrow the forum's total most",
                 {"group": "Kind", "name": "Partner", "outcome_id": "Outcome id", "outcome": "Outcome",
                  "forum_share": "Share of the forum's uncertainty its deflators hold",
                  "answers": "Survey answers now"})


def answer_spread_table(spread: pd.DataFrame) -> HTML:
    return table(spread, {"mean": "percent", "p25": "percent", "p75": "percent"},
                 "How partners' answers to the same question differ (shown where 5 or more people answered)",
                 {"factor": "Question", "name": "Partner", "respondents": "People who answered",
                  "mean": "Mean answer", "p25": "Middle half from", "p75": "to"})
