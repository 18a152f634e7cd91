"""The tables svlib reads, column by column: the data contract in one place.

Each :class:`Table` lists its :class:`Column` s with the kind of value expected, whether
the header must be present, whether a cell may be blank, and a plain-English help text
(used by the workbook template's ``About`` sheet and by error messages). The generic
:func:`read_records` turns raw cells into a typed table and a list of every
:class:`~svlib.core.problems.Problem`, each naming file, sheet, row and column.

References
----------
The column contract is ``docs/design.md`` ("Partner workbook", "Impact map CSV").
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from svlib.contract import cells
from svlib.contract.questions import anchored_answers
from svlib.core.problems import Problem, nearest, quote

THEMES: tuple[str, ...] = ("Jobs", "Growth", "Social", "Environment", "Innovation")
"""The County Durham Pound themes."""

SURVEY_FACTORS: tuple[str, ...] = ("deadweight", "displacement", "attribution", "drop_off")
"""The four estimates a partner makes per outcome and the deflator survey asks about
(leakage is rarer and optional)."""

FRACTION_PARAMETERS: tuple[str, ...] = SURVEY_FACTORS + ("leakage",)
"""The parameters that are fractions 0-1: each takes ``1 − value`` off an outcome's impact."""

PARAMETERS: tuple[str, ...] = (
    "quantity",
    "proxy_value",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "leakage",
)
"""The seven parameters of an outcome, in this order everywhere (the value model's columns
and the Monte Carlo's stream numbers); each may carry ``<p>_low``, ``<p>_high`` and ``<p>_dist``."""

PROCESSED_COLUMNS: tuple[str, ...] = ("partner_id", "source_file", "source_row")
"""Columns ``svlib build`` adds to every processed table: whose row it is and where it was read."""

MAX_YEARS = 100
"""The furthest analysis year an outcome may reach (``start_year + duration - 1``): a
century, as far as woodland carbon is valued (the Woodland Carbon Code's 100 years);
social outcomes rarely last beyond 5 to 10 years (SROI guide 2012)."""

MAX_OUTCOMES = 10_000
"""Most rows an impact map may have. Valuation and its uncertainty take time and memory
in proportion to the rows (a 10,000-row report fits the default time limit); a map that
large is better grouped."""

DISTRIBUTIONS: tuple[str, ...] = ("pert", "triangular", "uniform", "fixed")
"""Distribution shapes accepted in ``<p>_dist`` (blank means PERT when a range is given)."""

PURPOSES = ("evaluative", "forecast")
DISCOUNT_SCHEDULE_CHOICES = ("constant", "green_book", "green_book_health", "green_book_reduced")
"""A partner's own discount schedule (a table of factors is a run's option: ``--discount-factors``)."""
DISCOUNT_FROM_CHOICES = (1.0, 0.5, 0.0)
"""A partner's own discounting convention for year 1 (the Partner sheet's ``discount_from``)."""
FREQUENCIES = ("one-off", "monthly", "quarterly", "annual")
ENGAGEMENT = ("none", "occasional", "regular")
CARBON_POLICY = ("none", "in development", "in place")
SROI_EXPERIENCE = ("none", "some", "assured")
ORGANISATION_TYPES = ("charity", "CIC", "community group", "social enterprise", "CIO", "other")


@dataclass(frozen=True)
class Column:
    """One column (or, in a field/value sheet, one field).

    Parameters
    ----------
    name : str
        snake_case header.
    kind : str
        ``text``, ``slug``, ``number``, ``money``, ``fraction``, ``whole``, ``year``,
        ``choice``, ``yes_no`` or ``date``.
    required : bool
        The header (or field) must be present.
    blank_ok : bool
        A cell may be left empty (it then takes ``default``).
    default : Any
        Value for a blank cell or an absent optional column.
    choices : tuple of str
        Allowed values for ``kind="choice"``.
    minimum : float or None
        Smallest allowed value for numbers and whole numbers.
    maximum : float or None
        Largest allowed value for whole numbers (numbers and money are at most
        :data:`svlib.contract.cells.MAX_NUMBER`).
    help : str
        Plain-English meaning, for the template and the documentation.
    narrative : bool
        Free text in which a partner may write about a person (a case study, the evidence
        for an outcome, how an input was worked out): the workbook check warns where one
        seems to name a person, and shared files show such a name removed
        (:mod:`svlib.core.personal_names`).
    """

    name: str
    kind: str = "text"
    required: bool = True
    blank_ok: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    help: str = ""
    maximum: float | None = None
    narrative: bool = False

    def parse(self, value: Any) -> Any:
        """The cell as a typed value; raises :class:`svlib.contract.cells.CellError`."""
        kind = self.kind
        if kind == "text":
            return cells.parse_text(value)
        if kind == "slug":
            return cells.parse_slug(value)
        if kind == "number":
            return cells.parse_number(value, minimum=self.minimum if self.minimum is not None else 0.0)
        if kind == "money":
            return cells.parse_number(value, money=True, minimum=self.minimum if self.minimum is not None else 0.0)
        if kind == "fraction":
            return cells.parse_fraction(value)
        if kind == "whole":
            return cells.parse_whole(value, minimum=int(self.minimum if self.minimum is not None else 1),
                                     maximum=None if self.maximum is None else int(self.maximum))
        if kind == "year":
            return cells.parse_year(value)
        if kind == "choice":
            return cells.parse_choice(value, self.choices)
        if kind == "yes_no":
            return cells.parse_yes_no(value)
        if kind == "date":
            return cells.parse_date(value)
        raise ValueError(f"unknown column kind {kind!r}")  # a programming error, not input

    def parse_many(self, values: Sequence[Any]) -> tuple[list[Any], list[tuple[int, str]]]:
        """Every cell of a column: typed values (``default`` for a blank or bad cell) and
        ``(index, message)`` for each cell that is blank when it may not be, or unreadable.

        Cells that are already of the expected type (numbers, dates and text as a typed
        workbook gives them) are converted a whole column at a time; only the others are
        parsed one by one, with the same result.
        """
        fast = _FAST_PATHS.get(self.kind)
        out = fast(self, values) if fast is not None else [_SLOW] * len(values)
        problems: list[tuple[int, str]] = []
        if not any(v is _SLOW for v in out):
            return out, problems
        for i, value in enumerate(values):
            if out[i] is not _SLOW:
                continue
            if cells.is_blank(value):
                if not self.blank_ok:
                    problems.append((i, f"blank; expected {self.expected()}"))
                out[i] = self.default
                continue
            try:
                out[i] = self.parse(value)
            except cells.CellError as exc:
                problems.append((i, exc.marked))
                out[i] = self.default
        return out, problems

    def expected(self) -> str:
        """What a valid cell looks like, for messages."""
        return {
            "text": "some text",
            "slug": "a short id of lower-case letters, digits and hyphens",
            "number": "a number",
            "money": "an amount in GBP such as 1200 or £1,200",
            "fraction": "a fraction such as 0.25 or 25%",
            "whole": f"a whole number of at least {int(self.minimum or 1)}" if self.maximum is None
                     else f"a whole number from {int(self.minimum or 1)} to {int(self.maximum)}",
            "year": "a year such as 2023",
            "choice": "one of: " + ", ".join(self.choices),
            "yes_no": "yes or no",
            "date": "a date such as 31/03/2025",
        }[self.kind]


@dataclass(frozen=True)
class Table:
    """One sheet of the partner workbook (or one CSV file).

    ``layout="rows"`` has one record per row under a header row; ``layout="fields"`` has
    two columns, ``field`` and ``value``, one field per row (the Partner and Baseline
    sheets), and each :class:`Column` then describes a field.

    ``example`` is the template's example, column (or field) name to typed value (blank
    where the example leaves a cell empty). The template writes it, with ``e.g.`` before
    the first cell of a rows-sheet's example, so the reader skips it; the reader also
    compares an ``e.g.`` row with it, to catch an example typed over
    (:mod:`svlib.validate.partner`). A change here makes untouched examples in templates
    already sent out look typed over: change a value only with a reason, and say so to
    partners.
    """

    name: str
    columns: tuple[Column, ...]
    layout: str = "rows"
    key: tuple[str, ...] = ()
    optional: bool = False
    help: str = ""
    extra_columns: Callable[[str], Column | None] | None = field(default=None, compare=False)
    example: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        found = self._by_name.get(name)
        if found is not None:
            return found
        if self.extra_columns is not None:
            extra = self.extra_columns(name)
            if extra is not None:
                return extra
        raise KeyError(name)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}


_SLOW = object()
"""Marks a cell that a column-at-a-time fast path leaves to the one-by-one parser."""
_EXACT = 2.0**53
"""Whole numbers up to this are exact as floats, as :func:`svlib.contract.cells.parse_whole` reads them."""


def _fast_text(column: Column, values: Sequence[Any]) -> list[Any]:
    return [t if type(v) is str and (t := v.strip()) else _SLOW for v in values]


def _fast_number(column: Column, values: Sequence[Any]) -> list[Any]:
    low, high = column.minimum or 0.0, cells.MAX_NUMBER
    return [v if type(v) is float and low <= v <= high else float(v) if type(v) is int and low <= v <= high else _SLOW
            for v in values]


def _fast_fraction(column: Column, values: Sequence[Any]) -> list[Any]:
    return [v if type(v) is float and 0.0 <= v <= 1.0 else _SLOW for v in values]


def _fast_whole(column: Column, values: Sequence[Any], low: int | None = None, high: float = _EXACT) -> list[Any]:
    low = int(column.minimum if column.minimum is not None else 1) if low is None else low
    high = min(high, column.maximum) if column.maximum is not None else high
    return [int(v) if type(v) is float and low <= v <= high and v.is_integer()
            else v if type(v) is int and low <= v <= high else _SLOW for v in values]


def _fast_year(column: Column, values: Sequence[Any]) -> list[Any]:
    return _fast_whole(column, values, 1900, 2200)


def _fast_choice(column: Column, values: Sequence[Any]) -> list[Any]:
    lookup = _choice_lookup(column.choices)
    return [lookup.get(v.strip().lower(), _SLOW) if type(v) is str else _SLOW for v in values]


def _fast_date(column: Column, values: Sequence[Any]) -> list[Any]:
    return [v if type(v) is _dt.date else v.date() if type(v) is _dt.datetime else _SLOW for v in values]


@lru_cache(maxsize=None)
def _choice_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    return {c.lower(): c for c in choices}


_FAST_PATHS: dict[str, Callable[[Column, Sequence[Any]], list[Any]]] = {
    "text": _fast_text,
    "number": _fast_number,
    "money": _fast_number,
    "fraction": _fast_fraction,
    "whole": _fast_whole,
    "year": _fast_year,
    "choice": _fast_choice,
    "date": _fast_date,
}


def normalise_header(header: Any) -> str:
    """A header as svlib's snake_case name: ``"Drop-off (%)"`` becomes ``"drop_off"``."""
    return _snake_case(cells.parse_text(header) if not cells.is_blank(header) else "")


@lru_cache(maxsize=4096)
def _snake_case(text: str) -> str:
    text = re.sub(r"\(.*?\)", "", text).strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


@lru_cache(maxsize=None)
def _uncertainty_column(name: str) -> Column | None:
    """``<p>_low``, ``<p>_high`` and ``<p>_dist`` columns of the impact map."""
    for p in PARAMETERS:
        if name in (f"{p}_low", f"{p}_high"):
            base = IMPACT_MAP.column(p)
            return Column(name, base.kind, required=False, blank_ok=True, default=np.nan,
                          minimum=base.minimum, help=f"{'Lowest' if name.endswith('_low') else 'Highest'} plausible {p}")
        if name == f"{p}_dist":
            return Column(name, "choice", required=False, blank_ok=True, default="",
                          choices=DISTRIBUTIONS, help=f"Shape of the uncertainty in {p}")
    return None


IMPACT_MAP = Table(
    name="ImpactMap",
    key=("outcome_id",),
    help="The value map: one row per outcome, with its quantity, proxy and deflators.",
    columns=(
        Column("outcome_id", help="A short id for the outcome, unique in this map (such as JOB1)."),
        Column("stakeholder", help="Who experiences the outcome (such as 'young people')."),
        Column("outcome", help="The change they experience, in plain words."),
        Column("theme", "choice", choices=THEMES, help="The County Durham Pound theme."),
        Column("quantity", "number", help="How many people (or units) experience the outcome in the period."),
        Column("duration", "whole", minimum=1, maximum=MAX_YEARS,
               help="How many years the outcome lasts (whole years, at least 1)."),
        Column("deadweight", "fraction", help="Share that would have happened anyway (0.25 or 25%)."),
        Column("displacement", "fraction", help="Share that displaced outcomes elsewhere."),
        Column("attribution", "fraction", help="Share due to other organisations or people."),
        Column("drop_off", "fraction", help="Share of the outcome lost each year after the first."),
        Column("proxy_value", "money", required=False, blank_ok=True, default=np.nan, minimum=-cells.MAX_NUMBER,
               help=("Value in GBP per unit per year (or give proxy_id). Negative for a harm or a cost each unit "
                     "brings (an unintended outcome, such as a volunteer's travel cost or a rise in complaints): "
                     "the SROI guide asks for negative outcomes as well as positive ones.")),
        Column("proxy_id", required=False, blank_ok=True, default="",
               help="Id of a proxy in the svlib proxy library (or give proxy_value); DESNZ23-CV takes the carbon "
                    "value of each year for an outcome in tonnes of CO2e."),
        Column("measure", required=False, blank_ok=True, default="", help="National TOMs measure, if any."),
        Column("indicator", required=False, blank_ok=True, default="", help="County Durham Pound indicator, if any."),
        Column("proxy_year", "year", required=False, blank_ok=True, default=pd.NA,
               help="Price year of proxy_value (the year its prices are from)."),
        Column("proxy_source", required=False, blank_ok=True, default="", help="Where proxy_value comes from."),
        Column("start_year", "whole", required=False, blank_ok=True, default=1, minimum=1, maximum=MAX_YEARS,
               help="Year the outcome starts (1 = the first year)."),
        Column("leakage", "fraction", required=False, blank_ok=True, default=0.0,
               help="Share of benefit going to people outside the intended area or group."),
        Column("in_toms", "yes_no", required=False, blank_ok=True, default="",
               help="Is this outcome counted in a National TOMs measure? (yes/no)"),
        Column("evidence", required=False, blank_ok=True, default="", narrative=True,
               help="Where the quantity and deflators come from."),
    ),
    extra_columns=_uncertainty_column,
    example={
        "outcome_id": "JOB1",
        "stakeholder": "Long-term unemployed adults",
        "outcome": "Moved into paid work",
        "theme": "Jobs",
        "quantity": 8,
        "duration": 2,
        "deadweight": 0.3,
        "displacement": 0.1,
        "attribution": 0.25,
        "drop_off": 0.5,
        "proxy_id": "JOB-01",
        "measure": "NT1",
        "indicator": "Local people employed (FTE)",
        "start_year": 1,
        "leakage": 0.0,
        "in_toms": "yes",
        "evidence": "Job starts confirmed by employer letters",
        "deadweight_low": 0.2,
        "deadweight_high": 0.4,
        "deadweight_dist": "pert",
        "attribution_low": 0.15,
        "attribution_high": 0.35,
        "attribution_dist": "pert",
    },
)

INPUTS = Table(
    name="Inputs",
    key=("input_id",),
    help="What was invested: money and in-kind contributions in the period.",
    columns=(
        Column("input_id", help="A short id for the input (such as IN1)."),
        Column("source", help="Who provided it (funder, volunteers, ...)."),
        Column("description", required=False, blank_ok=True, default="", narrative=True,
               help="What it was for, or how an in-kind value was worked out (hours x rate)."),
        Column("value_gbp", "money", help="Value in GBP."),
        Column("in_kind", "yes_no", required=False, blank_ok=True, default="no",
               help="yes for volunteer time or donated goods, no for money."),
        Column("year", "whole", required=False, blank_ok=True, default=pd.NA, minimum=1, maximum=MAX_YEARS,
               help=("The analysis year it is spent in (1 = the first year of the period), for an investment spread "
                     "over years: it is then discounted exactly as an outcome in that year is. Blank: taken at face "
                     "value, as most SROIs take their inputs.")),
    ),
    example={
        "input_id": "IN1",
        "source": "National Lottery Community Fund",
        "description": "Grant for the year",
        "value_gbp": 60000.0,
        "in_kind": "no",
    },
)


DISCOUNT_FACTORS = Table(
    name="DiscountFactors",
    key=("year",),
    help=("A discount factor for each analysis year, replacing rate and schedule: a published (rounded) table, or "
          "an evaluative study's factors above 1 that bring past years' value forward to the reporting year."),
    columns=(
        Column("year", "whole", minimum=1, maximum=MAX_YEARS, help="The analysis year (1 = the first)."),
        Column("factor", "number", minimum=0.0,
               help="What a pound of that year is worth now (above 0; above 1 brings a past year forward)."),
    ),
    example={"year": 1, "factor": 0.9662},
)


def investment_total(values: Iterable[Any]) -> float:
    """Total inputs in GBP: the Inputs table's ``value_gbp`` added up (money and in kind),
    blank cells left out.

    The one place an SROI's investment is summed (validation, the command line, reports
    and themes all call it). ``math.fsum`` rounds the sum correctly, so it does not
    depend on the order the rows come in.
    """
    return math.fsum(float(v) for v in values if not cells.is_blank(v))

PARTNER = Table(
    name="Partner",
    layout="fields",
    help="Who the partner is and the period the analysis covers.",
    columns=(
        Column("partner_id", "slug", help="A short id: lower-case letters, digits and hyphens."),
        Column("name", help="The organisation's name."),
        Column("organisation_type", "choice", choices=ORGANISATION_TYPES,
               help="What kind of organisation you are (charity, CIC, CIO, ...)."),
        Column("area", help="Where in County Durham it works."),
        Column("purpose", "choice", choices=PURPOSES,
               help="evaluative (what happened) or forecast (what is expected)."),
        Column("period_start", "date", help="First day of the period the figures cover (such as 01/04/2024)."),
        Column("period_end", "date", help="Last day of the period the figures cover (such as 31/03/2025)."),
        Column("price_year", "year", help="The year whose prices all values are stated in."),
        Column("discount_schedule", "choice", choices=DISCOUNT_SCHEDULE_CHOICES, required=False, blank_ok=True,
               default="", help=(
                   "How future years are discounted, if your study has its own rule (blank: a constant rate, the SROI "
                   "guide's): constant, green_book (HM Treasury's declining schedule), green_book_health (health and "
                   "life values) or green_book_reduced. A run's --discount-rate, --green-book or --discount-factors "
                   "applies to every partner instead.")),
        Column("discount_rate", "fraction", required=False, blank_ok=True, default=np.nan,
               help="The constant rate, with discount_schedule constant or blank (blank: 3.5%, the Green Book's)."),
        Column("discount_from", "number", required=False, blank_ok=True, default=np.nan, maximum=1.0,
               help=("The exponent of year t: 1 for t (year 1 discounted once, the SROI guide's; blank), 0.5 for t - 0.5 "
                     "(mid-year) or 0 for t - 1 (year 1 undiscounted).")),
        Column("forecast", "slug", required=False, blank_ok=True, default="", help=(
            "For an evaluative SROI of a programme you forecast before: the partner_id of the forecast's own "
            "workbook, in the same collection (such as food-network-forecast). The reports then set the two side "
            "by side, outcome by outcome.")),
    ),
    example={
        "partner_id": "food-network",
        "name": "Stanley Community Food Network",
        "organisation_type": "charity",
        "area": "Stanley",
        "purpose": "evaluative",
        "period_start": _dt.date(2024, 4, 1),
        "period_end": _dt.date(2025, 3, 31),
        "price_year": 2024,
        "discount_schedule": "constant",
        "discount_rate": 0.035,
        "discount_from": 1,
    },
)

BASELINE = Table(
    name="Baseline",
    layout="fields",
    optional=True,
    help="Where the partner is now: commissioning, carbon policy, data systems, SROI experience.",
    columns=(
        Column("commissioning_engagement", "choice", choices=ENGAGEMENT,
               help="How often you bid for or hold contracts from public bodies."),
        Column("commissioners", blank_ok=True, default="",
               help="Which public bodies commission you, if any (such as Durham County Council)."),
        Column("public_contract_value_gbp", "money", blank_ok=True, default=np.nan,
               help="Total value of public contracts in the period, in GBP (blank if none)."),
        Column("carbon_policy", "choice", choices=CARBON_POLICY,
               help="Whether you have a written policy to reduce your carbon emissions."),
        Column("net_zero_target_year", "year", blank_ok=True, default=pd.NA,
               help="The year you aim to reach net zero, if you have set one."),
        Column("data_systems", blank_ok=True, default="",
               help="How you record your work (such as 'Excel, Charitylog' or 'paper forms')."),
        Column("sroi_experience", "choice", choices=SROI_EXPERIENCE,
               help="none, some (you have tried SROI), or assured (a report has been assured)."),
    ),
    example={
        "commissioning_engagement": "occasional",
        "commissioners": "Durham County Council",
        "public_contract_value_gbp": 35000.0,
        "carbon_policy": "in development",
        "net_zero_target_year": 2035,
        "data_systems": "Excel, Charitylog",
        "sroi_experience": "none",
    },
)

REPORTING_CALENDAR = Table(
    name="ReportingCalendar",
    optional=True,
    help="When the partner reports to its funders.",
    columns=(
        Column("funder", help="Who you report to."),
        Column("report", help="Which report (such as 'End of year report')."),
        Column("due_date", "date", help="When it is due."),
        Column("frequency", "choice", choices=FREQUENCIES, help="How often the report recurs."),
    ),
    example={
        "funder": "National Lottery Community Fund",
        "report": "End of year report",
        "due_date": _dt.date(2025, 6, 30),
        "frequency": "annual",
    },
)

QUALITY_MARKS = Table(
    name="QualityMarks",
    optional=True,
    help="Quality marks held, with award and expiry dates.",
    columns=(
        Column("mark", help="The quality mark or standard (such as 'Investors in Volunteers')."),
        Column("awarded_date", "date", help="When it was awarded (or last renewed)."),
        Column("expiry_date", "date", blank_ok=True, default=pd.NaT, help="When it expires (blank if it does not)."),
    ),
    example={
        "mark": "Investors in Volunteers",
        "awarded_date": _dt.date(2023, 5, 1),
        "expiry_date": _dt.date(2026, 5, 1),
    },
)

DEFLATOR_SURVEY = Table(
    name="DeflatorSurvey",
    optional=True,
    help="Answers to the deflator questions, one answer per row.",
    columns=(
        Column("respondent_ref", help="A code for the person answering (such as R01); never a name."),
        Column("outcome_id", help="The outcome the question was about (an outcome_id from ImpactMap)."),
        Column("factor", "choice", choices=SURVEY_FACTORS,
               help="Which question was asked: deadweight, displacement, attribution or drop_off."),
        Column("answer", help="One of the five anchored answers, or a percentage."),
    ),
    example={
        "respondent_ref": "R01",
        "outcome_id": "JOB1",
        "factor": "deadweight",
        "answer": None,
    },
)

STAR_READINGS = Table(
    name="StarReadings",
    optional=True,
    key=("person_ref", "star", "area", "reading_number"),
    help="Outcomes-Star-style readings: one score per person, area and reading.",
    columns=(
        Column("person_ref", help="A code for the person (such as P001); never a name."),
        Column("star", help="Which star or scale was used (such as 'Outcomes Star: Work Star')."),
        Column("area", help="The area of the star (such as 'Job skills')."),
        Column("reading_number", "whole", minimum=1,
               help="1 for the first reading with this person, 2 for the next, ..."),
        Column("reading_date", "date", help="When the reading was taken."),
        Column("score", "number", minimum=0, help="The score on the star's scale (such as 1 to 10)."),
    ),
    example={
        "person_ref": "P001",
        "star": "Outcomes Star: Work Star",
        "area": "Job skills",
        "reading_number": 1,
        "reading_date": _dt.date(2024, 5, 14),
        "score": 4,
    },
)

CASE_STUDIES = Table(
    name="CaseStudies",
    optional=True,
    key=("case_id",),
    help="Case studies and testimonies, with consent and anonymisation recorded.",
    columns=(
        Column("case_id", help="A short id for the case (such as CS1)."),
        Column("outcome_ids", help="Outcome ids this case evidences, separated by commas."),
        Column("title", narrative=True, help="A short title."),
        Column("text", narrative=True, help="The story or quote, in the person's words where possible."),
        Column("consent", "yes_no", help="yes only if the person agreed in writing that it may be shared."),
        Column("anonymised", "yes_no", help="yes if names and other details that identify someone were removed."),
        Column("accepted_outcome_ids", required=False, blank_ok=True, default="", help=(
            "For the researcher: the outcome ids this case evidences once a researcher has read it, accepting or "
            "correcting outcome_ids and the tags svlib suggests, separated by commas. When written, reports count "
            "these instead of outcome_ids. Blank: not yet reviewed, and outcome_ids are counted. A suggestion is "
            "never counted until a researcher writes it here.")),
    ),
    example={
        "case_id": "CS1",
        "outcome_ids": "JOB1, SOC1",
        "title": "Back into work after five years",
        "text": "After five years out of work, a man in his fifties joined the job club ...",
        "consent": "yes",
        "anonymised": "yes",
        "accepted_outcome_ids": "",
    },
)

NAMES = Table(
    name="Names",
    optional=True,
    help=("Names of people to remove from everything shared, and words the name check takes for a name that are "
          "not one. svlib never shows this sheet in a report or any file it shares."),
    columns=(
        Column("name", blank_ok=True, default="", help=(
            "A person's name as it may appear in your text (such as 'Mary Smith'). Each of its words that is a "
            "first name or surname is removed too ('Mary' and 'Smith'), in any capitals; give a nickname a row of "
            "its own. Or, with remove = no, a word or phrase that is not a person's name here (a town such as "
            "'Stanley', a building such as 'Grace Court').")),
        Column("remove", "yes_no", required=False, blank_ok=True, default="yes", help=(
            "yes (or blank): shown as [name removed] in every report, page and file svlib shares. no: not a "
            "person's name here; left as written.")),
    ),
    example={
        "name": "Mary Smith",
        "remove": "yes",
    },
)

WORKBOOK_TABLES: tuple[Table, ...] = (
    PARTNER,
    INPUTS,
    IMPACT_MAP,
    BASELINE,
    REPORTING_CALENDAR,
    QUALITY_MARKS,
    DEFLATOR_SURVEY,
    STAR_READINGS,
    CASE_STUDIES,
    NAMES,
)
"""Every sheet of the partner workbook, in workbook order."""


def sheet_columns(table: Table) -> list[Column]:
    """The columns a rows-sheet carries, in order.

    Every contract column, and for the ImpactMap the uncertainty columns ``<p>_low``,
    ``<p>_high`` and ``<p>_dist`` for each uncertain parameter.
    """
    columns = list(table.columns)
    if table.name == IMPACT_MAP.name:
        for p in PARAMETERS:
            columns += [table.column(f"{p}_low"), table.column(f"{p}_high"), table.column(f"{p}_dist")]
    return columns


def example_values(table: Table) -> dict[str, Any]:
    """The template's example for a rows-sheet, column name to value (``None`` where the
    example leaves the cell blank), for every column the sheet carries."""
    example = dict(table.example)
    if table.name == DEFLATOR_SURVEY.name:
        example["answer"] = anchored_answers("deadweight")[1]
    return {c.name: example.get(c.name) for c in sheet_columns(table)}


Record = tuple[int, Sequence[Any]]
"""A raw row: its number as a spreadsheet shows it, and its cells."""


def read_records(
    header: Sequence[Any],
    records: Sequence[Record],
    table: Table,
    file: str,
    sheet: str | None = None,
    header_row: int = 1,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed table and every problem, from a header and raw rows: :func:`read_columns`
    as a DataFrame."""
    columns, problems = read_columns(header, records, table, file, sheet, header_row)
    return pd.DataFrame(columns, columns=list(columns)), problems


def read_columns(
    header: Sequence[Any],
    records: Sequence[Record],
    table: Table,
    file: str,
    sheet: str | None = None,
    header_row: int = 1,
) -> tuple[dict[str, list[Any]], list[Problem]]:
    """Typed columns and every problem, from a header and raw rows.

    Parameters
    ----------
    header : sequence
        The header cells as written.
    records : sequence of (row number, cells)
        Rows as a spreadsheet numbers them; wholly blank rows are skipped.
    table : Table
        The contract to read against.
    file, sheet : str
        Where the data came from, for messages (``sheet`` defaults to the table name).
    header_row : int
        The header's row number.

    Returns
    -------
    (dict of str to list, list of Problem)
        Column name to typed values, one per non-blank record: columns in contract
        order followed by any uncertainty columns present, plus ``source_row`` (the
        spreadsheet row).
    """
    sheet = sheet or table.name
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, message: str, severity: str = "error") -> None:
        problems.append(Problem(file, sheet, row, column, message, severity))

    names = [normalise_header(h) for h in header]
    moved = _header_row_below(names, records, table)
    if moved is not None:
        number, found = moved
        problem(header_row, None, f"the headers must be in row {header_row}, but row {number} looks like the header "
                f"row (it has {', '.join(found[:3])}{', ...' if len(found) > 3 else ''}); delete the rows above it")
        return {name: [] for name in [*table.names, "source_row"]}, problems
    positions: dict[str, int] = {}
    unknown: list[tuple[int, str, Any]] = []
    for i, (name, raw) in enumerate(zip(names, header)):
        if not name:
            continue
        try:
            table.column(name)
        except KeyError:
            unknown.append((i, name, raw))
            continue
        if name in positions:
            problem(header_row, quote(cells.parse_text(raw)), f"column '{name}' appears twice; keep one")
            continue
        positions[name] = i

    claimed: set[int] = set()
    for column in table.columns:
        if column.name in positions or not column.required:
            continue
        guess = nearest(column.name, [n for _, n, _ in unknown])
        hint = ""
        if guess:
            i, _, raw = next(u for u in unknown if u[1] == guess)
            claimed.add(i)
            hint = f"; the header {quote(cells.parse_text(raw))} looks like it: rename it '{column.name}'"
        problem(header_row, column.name, f"missing required column '{column.name}'{hint}")
    for i, name, raw in unknown:
        if i in claimed:
            continue
        guess = nearest(name, table.names)
        if guess and guess not in positions:
            problem(header_row, quote(cells.parse_text(raw)),
                    f"unknown column {quote(cells.parse_text(raw))} (did you mean '{guess}'?); it is ignored", "warning")
        else:
            problem(header_row, quote(cells.parse_text(raw)), f"unknown column {quote(cells.parse_text(raw))} is ignored",
                    "note")

    present = [table.column(n) for n in positions]
    order = table.names + sorted(n for n in positions if n not in table.names)
    kept = [(number, values) for number, values in records if not _blank_row(values)]
    numbers = [number for number, _ in kept]
    width = max((positions[c.name] for c in present), default=-1) + 1
    if all(len(values) >= width for _, values in kept):
        by_position = list(zip(*(values for _, values in kept))) if kept else [()] * width
    else:
        by_position = [[values[i] if i < len(values) else None for _, values in kept] for i in range(width)]
    columns: dict[str, list[Any]] = {}
    for column in present:
        cells_of_column = list(by_position[positions[column.name]]) if kept else []
        cleaned: list[tuple[int, str]] = []
        if column.kind == "text":  # other kinds refuse such a cell anyway, quoting it escaped
            cells_of_column, cleaned = cells.without_hidden_controls(cells_of_column)
        parsed, found = column.parse_many(cells_of_column)
        columns[column.name] = parsed
        for index, message in cleaned:
            problem(numbers[index], column.name, message, "warning")
        for index, message in found:
            problem(numbers[index], column.name, message)
    for column in table.columns:
        if column.name not in columns:
            columns[column.name] = [column.default] * len(kept)
    columns["source_row"] = numbers
    problems.sort(key=lambda p: (p.row or 0, order.index(p.column) if p.column in order else -1))
    out = {name: columns[name] for name in [*order, "source_row"]}
    if table.key and all(k in positions for k in table.key) and numbers:
        first_seen: dict[tuple, int] = {}
        for key_value, row_number in zip(zip(*(columns[k] for k in table.key)), numbers):
            first = first_seen.setdefault(key_value, int(row_number))
            if first == row_number or any(v is None or v != v for v in key_value):
                continue  # a new key, or a blank or unreadable one (reported already)
            shown = ", ".join(str(v) for v in key_value)
            problem(int(row_number), table.key[-1] if len(table.key) > 1 else table.key[0],
                    f"duplicate {' + '.join(table.key)} {quote(shown)} (first used in row {first}); "
                    "each must be unique")
    return out, problems


def _header_row_below(names: Sequence[str], records: Sequence[Record], table: Table,
                      look: int = 5) -> tuple[int, list[str]] | None:
    """The row number and required column names of a row among the first ``look`` that
    holds the headers, when the header row holds almost none of them (a title typed
    above the table, say); None otherwise."""
    required = [c.name for c in table.columns if c.required]
    if sum(name in required for name in names) * 2 >= len(required):
        return None
    for number, values in records[:look]:
        found = [name for name in (normalise_header(v) for v in values) if name in required]
        if len(found) * 2 > len(required):
            return number, found
    return None


def _blank_row(values: Sequence[Any]) -> bool:
    """True when every cell of a row is blank (the first cell decides most rows)."""
    if len(values) and not cells.is_blank(values[0]):
        return False
    return all(v is None or v == "" or cells.is_blank(v) for v in values)


FIELD_ROWS = "source_rows"
"""Key under which :func:`read_fields` records each field's spreadsheet row."""


def read_fields(
    records: Sequence[Record], table: Table, file: str, sheet: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """A field/value sheet (Partner, Baseline) as a dict, and every problem.

    ``records`` are the rows below the ``field, value`` header; the field name is in the
    first cell and its value in the second. The dict also holds, under
    :data:`FIELD_ROWS`, the spreadsheet row of each field.
    """
    sheet = sheet or table.name
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for row_number, row in records:
        if all(cells.is_blank(v) for v in row):
            continue
        field_name = normalise_header(row[0]) if len(row) else ""
        (value,), cleaned = cells.without_hidden_controls([row[1] if len(row) > 1 else None])
        if cleaned:
            problems.append(Problem(file, sheet, row_number, "value", f"{field_name}: {cleaned[0][1]}", "warning"))
        try:
            column = table.column(field_name)
        except KeyError:
            guess = nearest(field_name, table.names)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            problems.append(Problem(file, sheet, row_number, "field",
                                    f"unknown field {quote(cells.parse_text(row[0]) if len(row) else '')}{hint}; "
                                    f"expected one of: {', '.join(table.names)}"))
            continue
        if field_name in seen:
            problems.append(Problem(file, sheet, row_number, "field",
                                    f"field '{field_name}' appears twice (first in row {seen[field_name]}); keep one"))
            continue
        seen[field_name] = row_number
        if cells.is_blank(value):
            if not column.blank_ok:
                problems.append(Problem(file, sheet, row_number, "value",
                                        f"{field_name} is blank; expected {column.expected()}"))
            values[field_name] = column.default
            continue
        try:
            values[field_name] = column.parse(value)
        except cells.CellError as exc:
            problems.append(Problem(file, sheet, row_number, "value", f"{field_name}: {exc.marked}"))
            values[field_name] = column.default
    for column in table.columns:
        if column.name not in seen:
            if column.required:
                problems.append(Problem(file, sheet, None, "field",
                                        f"missing field '{column.name}'; expected {column.expected()}"))
            values.setdefault(column.name, column.default)
    values[FIELD_ROWS] = seen
    return values, problems
