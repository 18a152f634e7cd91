"""The ``svlib`` command line.

Every command reports bad input as ``FILE:SHEET:ROW:COLUMN: message`` lines on stderr and
exits 1; no traceback ever reaches the user (set ``SVLIB_DEBUG=1`` to see one).

Each command imports the modules it needs inside its own function, so that ``svlib --help``
and a mistyped command answer without loading the whole library (the only function-level
imports in svlib are these, and a few in workers that keep a pool's start-up short, each
with a comment).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from svlib import __version__, paths
from svlib.contract.cells import CellError, parse_fraction
from svlib.core.problems import InputError, Problem, printable
from svlib.reference.discounting import GREEN_BOOK_OPTIONS

if TYPE_CHECKING:
    from svlib.valuation.sroi import Investment


def _rate(text: str) -> float:
    try:
        return parse_fraction(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(f"discount rate: {exc}") from None


def _money(text: str) -> float:
    from svlib.contract.cells import parse_number

    try:
        value = parse_number(text, money=True)
    except CellError as exc:
        raise argparse.ArgumentTypeError(f"investment: {exc}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("investment: expected a positive amount in GBP")
    return value


def _discount_from(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"discount-from: expected 1, 0.5 or 0, got {text!r}") from None
    return int(value) if value in (0, 1) else value


def _add_timing_options(parser: argparse.ArgumentParser, own: bool) -> None:
    """The timing options. With ``own`` (``svlib reports`` and ``compare``, which read partners'
    workbooks) an option left out means each partner's own convention (its Partner sheet),
    else the SROI guide's; without, the SROI guide's defaults."""
    default = " (default: each partner's own, else %s)" if own else " (default %s)"
    rate = parser.add_mutually_exclusive_group()
    rate.add_argument("--discount-rate", type=_rate, default=None if own else 0.035,
                      help="a constant rate, such as 3.5%%" + default % "3.5%%")
    rate.add_argument("--green-book", nargs="?", const="standard", choices=tuple(GREEN_BOOK_OPTIONS),
                      help="an HM Treasury Green Book declining schedule: standard (with no value), health or reduced")
    rate.add_argument("--discount-factors", type=Path, metavar="FILE",
                      help="a CSV with columns year,factor giving every analysis year's factor (replaces rate, "
                           "schedule and --discount-from)")
    parser.add_argument("--discount-from", type=_discount_from, choices=(1, 0.5, 0), default=None if own else 1,
                        help="the exponent of year t: 1: t; 0.5: t - 0.5 (mid-year); 0: t - 1" + default % "1")
    parser.add_argument("--dropoff-from", type=int, choices=(2, 1), default=None if own else 2,
                        help="2: drop-off from year 2 (default); 1: from year 1")


def _add_valuation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("map", type=Path, help="impact map CSV")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--investment", type=_money, help="total investment in GBP")
    source.add_argument("--inputs", type=Path, help="inputs CSV (investment = sum of value_gbp)")
    _add_timing_options(parser, own=False)
    parser.add_argument("--price-year", type=int, help="analysis price year (default: latest year of the index)")
    parser.add_argument("--gdp-deflator", action="store_true", help="rebase with the GDP deflator instead of CPI")
    parser.add_argument("--first-year", type=int, help="the calendar year of the first year, for an outcome valued "
                                                       "with a yearly series (DESNZ23-CV, the carbon values)")
    parser.add_argument("--proxies", type=Path, help="your own proxy table (CSV), extending the shipped one")
    parser.add_argument("--survey", type=Path,
                        help="deflator survey answers (CSV: respondent_ref, outcome_id, factor, answer)")
    parser.add_argument("--partner", help="the partner whose rows to use, when the tables are a collection's "
                                          "processed tables (data/processed/<collection>/)")
    parser.add_argument("--scenario", type=Path, help="a saved scenario (JSON) of overrides to apply")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")


def _prepare(args: argparse.Namespace):
    """Load the proxy library, the map and the investment named by the options."""
    from svlib.reference.proxies import load_library, load_price_index
    from svlib.validate.impact_map import load_impact_map
    from svlib.valuation.sroi import Conventions

    library = load_library(args.proxies)
    index_name = "gdp_deflator" if args.gdp_deflator else "cpi"
    price_year = args.price_year or load_price_index(index_name).years[1]
    conventions = Conventions(
        discount_rate=args.discount_rate,
        discount_schedule=("factors" if args.discount_factors else GREEN_BOOK_OPTIONS[args.green_book]
                           if args.green_book else "constant"),
        discount_from=args.discount_from,
        discount_factors=(_factors_alone(args), read_discount_factors(args.discount_factors))[1]
        if args.discount_factors else None,
        dropoff_from=args.dropoff_from,
        price_year=price_year,
        price_index=index_name,
    )
    first_year = args.first_year if args.first_year is not None else _partner_first_year(args.map, args.partner)
    impact_map = load_impact_map(args.map, library, price_year, index_name, partner=args.partner,
                                 first_year=first_year)
    investment = args.investment if args.investment is not None else read_investment(args.inputs, args.partner)
    if args.discount_factors:
        check_factor_years(args.discount_factors, conventions, impact_map, investment)
    survey = read_survey(args.survey, args.partner) if args.survey else None
    if args.scenario:
        from svlib.uncertainty.scenarios import load

        scenario = load(args.scenario)
        warnings = impact_map.attrs.get("warnings", [])
        impact_map = scenario.apply(impact_map)
        impact_map.attrs["warnings"] = warnings
        survey = scenario.survey_for(survey)
        conventions = scenario.conventions(conventions)
    return impact_map, investment, conventions, survey


def read_survey(path: Path, partner: str | None = None) -> pd.DataFrame | None:
    """Deflator survey answers from a CSV (one partner's rows of a processed table when
    ``partner`` is given); None when it has no answers. Raises :class:`InputError`."""
    from svlib.contract.tables import DEFLATOR_SURVEY
    from svlib.core.problems import errors
    from svlib.io.csv_tables import read_csv_table

    frame, problems = read_csv_table(path, DEFLATOR_SURVEY, partner=partner)
    if errors(problems):
        raise InputError(errors(problems))
    return frame if len(frame) else None


def read_discount_factors(path: Path) -> tuple[tuple[int, float], ...]:
    """``(year, factor)`` pairs from a CSV with columns ``year,factor``
    (:data:`svlib.contract.tables.DISCOUNT_FACTORS`); raises :class:`InputError` naming the
    file, row and column of each problem (a year twice, a factor not above 0, text)."""
    from svlib.contract.tables import DISCOUNT_FACTORS
    from svlib.core.problems import errors
    from svlib.io.csv_tables import read_csv_table

    frame, problems = read_csv_table(path, DISCOUNT_FACTORS)
    problems += [Problem(str(path), DISCOUNT_FACTORS.name, int(row), "factor",
                         "a factor of 0 would value the year at nothing; expected a number above 0")
                 for f, row in zip(frame["factor"], frame["source_row"]) if f == 0]
    if errors(problems):
        raise InputError(errors(problems))
    if not len(frame):
        raise InputError([Problem(str(path), DISCOUNT_FACTORS.name, 2, "year", "no factors; expected one row per year")])
    return tuple(sorted((int(y), float(f)) for y, f in zip(frame["year"], frame["factor"])))


def check_factor_years(path: Path, conventions, impact_map: pd.DataFrame, investment) -> None:
    """Refuse a factors table that lacks a year the map or the inputs need, naming them."""
    from svlib.contract.tables import DISCOUNT_FACTORS
    from svlib.valuation.sroi import Investment, horizon_of

    duration = impact_map["duration"].to_numpy(int)
    start = (impact_map["start_year"] if "start_year" in impact_map else pd.Series(1, index=impact_map.index))
    last = max(horizon_of(duration, start.fillna(1).to_numpy(int)), Investment.of(investment).last_year)
    given = {y for y, _ in conventions.discount_factors}
    missing = [y for y in range(1, last + 1) if y not in given]
    if missing:
        raise InputError([Problem(str(path), DISCOUNT_FACTORS.name, None, "year", (
            f"no factor for year(s) {', '.join(map(str, missing))}; the outcomes and inputs run to year {last}, so "
            f"every year from 1 to {last} needs one"))])


def _partner_first_year(impact_map: Path, partner: str | None) -> int | None:
    """The calendar year of a partner's first year, from the ``partner.csv`` a collection's
    processed tables keep beside their impact map (None when there is none)."""
    from svlib.validate.impact_map import first_calendar_year

    table = Path(impact_map).with_name("partner.csv")
    if partner is None or not table.is_file():
        return None
    partners = pd.read_csv(table, dtype=str, keep_default_na=False)
    rows = partners[partners.get("partner_id", pd.Series(dtype=str)) == partner]
    return first_calendar_year(rows["period_start"].iloc[0]) if len(rows) and "period_start" in rows else None


def read_investment(path: Path, partner: str | None = None) -> "Investment":
    """The inputs of an inputs CSV (one partner's rows of a processed table when
    ``partner`` is given), each at face value or in its ``year``; raises :class:`InputError`."""
    from svlib.contract.tables import INPUTS
    from svlib.core.problems import errors
    from svlib.io.csv_tables import read_csv_table
    from svlib.valuation.sroi import Investment

    frame, problems = read_csv_table(path, INPUTS, partner=partner)
    if errors(problems):
        raise InputError(errors(problems))
    investment = Investment.from_inputs(frame)
    if investment.face_value <= 0:
        raise InputError([Problem(str(path), INPUTS.name, None, "value_gbp",
                                  "the inputs add up to nothing; an SROI needs a positive investment")])
    return investment


def _command_sroi(args: argparse.Namespace) -> int:
    from svlib.reporting.report_text import valuation_text, write_valuation
    from svlib.uncertainty.estimates import central_valuation

    impact_map, investment, conventions, survey = _prepare(args)
    result = central_valuation(impact_map, investment, conventions, survey)
    payload = result.to_dict()
    payload["warnings"] = impact_map.attrs.get("warnings", [])
    if args.out:
        write_valuation(result, impact_map, Path(args.out), sources=[p for p in (args.map, args.inputs, args.survey) if p])
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(valuation_text(result, impact_map))
    for warning in payload["warnings"]:
        print(warning, file=sys.stderr)
    return 0


def _command_simulate(args: argparse.Namespace) -> int:
    from svlib.reporting.report_text import simulation_text
    from svlib.uncertainty.montecarlo import simulate

    impact_map, investment, conventions, survey = _prepare(args)
    result = simulate(impact_map, investment, conventions, draws=args.draws, seed=args.seed, survey=survey,
                      streams=args.partner)  # a partner's streams, as in its report
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(simulation_text(result, conventions))
    for warning in impact_map.attrs.get("warnings", []):
        print(warning, file=sys.stderr)
    return 0


def _command_compare(args: argparse.Namespace) -> int:
    from svlib.reporting.comparison_report import comparison
    from svlib.reporting.report_text import comparison_text

    result = comparison(args.forecast, args.evaluation, args.forecast_partner, args.evaluation_partner,
                        args.price_year, run_conventions(args), draws=args.draws, seed=args.seed)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(comparison_text(result))
    return 0


def _command_proxies(args: argparse.Namespace) -> int:
    from svlib.reference.proxies import load_gaps, load_library, load_price_index, with_age

    from svlib.reference.proxies import PROXY_THEMES
    from svlib.reporting.report_text import spreadsheet_csv

    if args.theme and args.theme.strip().lower() not in {t.lower() for t in PROXY_THEMES}:
        print(f"svlib proxies: unknown theme {args.theme!r}; expected one of: {', '.join(PROXY_THEMES)}",
              file=sys.stderr)
        return 2
    library = load_library(args.proxies)
    price_year = args.price_year or load_price_index("cpi").years[1]
    try:
        found = library.search(args.theme, args.keyword, value_type=args.value_type, level=args.level,
                               confidence=args.confidence, families=not args.matches_only)
    except ValueError as exc:
        print(f"svlib proxies: {exc}", file=sys.stderr)
        return 2
    found = with_age(found, price_year)
    if args.csv:  # text that looks like a formula is neutralised, as in every file svlib writes
        sys.stdout.write(spreadsheet_csv(found))
        return 0
    print(proxy_listing(found, price_year))
    if args.gaps:
        gaps = load_gaps()
        if args.theme:
            gaps = gaps[gaps["theme"].str.lower() == args.theme.lower()]
        print("\nKnown gaps (no verified proxy shipped):")
        print(gaps[["proxy_id", "theme", "outcome"]].to_string(index=False))
    return 0


def proxy_listing(found: pd.DataFrame, price_year: int) -> str:
    """Proxies as a reader scans them: one line each (family by family, its headline first,
    a constituent indented beneath it), then each source with its URL and licence once."""
    if found.empty:
        return "No proxy matches. Try fewer or shorter words, or leave out a filter (svlib proxies --help)."
    sources: dict[tuple[str, str, str], list[str]] = {}
    context = int((~found["matched"]).sum())
    lines = [f"{len(found):,} proxies" + (f" ({len(found) - context:,} matching; the other {context:,} shown with their "
                                          "family, marked ·)" if context else "")
             + f". Age: years a value is rebased across to {price_year} prices; OLD: more than 10.", ""]
    family = None
    for row in found.to_dict("records"):
        if row["family"] != family and len(found) > 1:
            if family is not None:
                lines.append("")
            family = row["family"]
        key = (str(row["source"]), str(row.get("url") or ""), str(row["licence"]))
        number = list(sources).index(key) + 1 if key in sources else len(sources) + 1
        sources.setdefault(key, []).append(str(row["proxy_id"]))
        indent = {"subsidiary": "  ", "constituent": "    "}.get(str(row.get("level") or ""), "")
        kind = str(row.get("value_type") or "type not stated")
        if kind == "fiscal":
            agency = str(row.get("agency") or "").strip()
            kind = "fiscal (saving to the public purse" + (f": {agency}" if agency else "") + ")"
        year = "no price year" if pd.isna(row["price_year"]) else f"{int(row['price_year'])} prices"
        age = "" if pd.isna(row["age_years"]) else f", age {int(row['age_years'])}" + (" OLD" if row["old"] else "")
        tags = ", ".join(t for t in (str(row.get("level") or ""), kind,
                                     f"confidence {row['confidence']}" if row.get("confidence") else "") if t)
        mark = " " if row["matched"] else "·"
        lines.append(f"{mark} {indent}{row['proxy_id']}  £{float(row['value_gbp']):,.2f} {row['unit']} "
                     f"({year}{age}; {row['theme']}; {tags})")
        lines.append(f"  {indent}    {row['outcome']}  [source {number}]")
    lines += ["", "Sources:"]
    for number, ((source, url, licence), ids) in enumerate(sources.items(), start=1):
        lines.append(f"  [{number}] {source}" + (f" <{url}>" if url else ""))
        lines.append(f"      Licence: {licence}")
    return "\n".join(lines)


def _command_assumptions(args: argparse.Namespace) -> int:
    from svlib.reporting.assumptions import assumptions_markdown

    print(assumptions_markdown())
    return 0


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _command_validate(args: argparse.Namespace) -> int:
    from svlib.pipeline.build import discover, read_partners

    sources: list[Path] = []
    problems = []
    for path in args.paths:
        is_partner_folder = path.is_dir() and any(p.suffix.lower() == ".csv" for p in path.iterdir())
        if path.is_dir() and not is_partner_folder:
            found, notes = discover(path)
            sources += found
            problems += notes
        else:
            sources.append(path)
    partners, found = read_partners(sources, jobs=None)  # one process per CPU for a folder of workbooks
    problems += found
    _print_problems(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        failed = len({p.file for p in errors})
        print(f"svlib: {len(errors)} problem(s) to fix in {failed} file(s); {len(partners)} of {len(sources)} valid",
              file=sys.stderr)
        return 1
    print(f"{len(partners)} partner(s) valid: " + ", ".join(p.partner_id for p in partners))
    return 0


def _command_build(args: argparse.Namespace) -> int:
    from svlib.pipeline.build import build

    result = build(args.raw_dir, args.out_dir)
    _print_problems(result.problems)
    if not result.ok:
        errors = [p for p in result.problems if p.severity == "error"]
        print(f"svlib: {len(errors)} problem(s) found; nothing was written to {args.out_dir}", file=sys.stderr)
        return 1
    manifest = result.manifest
    print(f"built {len(manifest['partners'])} partner(s) into {args.out_dir}: "
          + ", ".join(f"{name} ({rows} rows)" for name, rows in manifest["tables"].items()))
    return 0


def _factors_alone(args: argparse.Namespace) -> None:
    """Refuse ``--discount-from`` beside ``--discount-factors``: a table gives each year's factor
    as it is, so a convention for year 1 would be silently ignored."""
    if args.discount_from not in (None, 1):  # 1 is the default: it changes nothing
        raise InputError([Problem(str(args.discount_factors), "DiscountFactors", None, None, (
            "--discount-from does not apply to a table of factors: each year's factor is used as it is; give one or "
            "the other"))])


def run_conventions(args: argparse.Namespace) -> dict:
    """The timing options a ``svlib reports`` run gives every partner (none given: each
    partner's own, from its Partner sheet)."""
    given: dict = {}
    if args.discount_rate is not None:
        given["discount_rate"] = args.discount_rate
    if args.green_book:
        given["discount_schedule"] = GREEN_BOOK_OPTIONS[args.green_book]
    if args.discount_factors:
        _factors_alone(args)
        given["discount_factors"] = [list(pair) for pair in read_discount_factors(args.discount_factors)]
    if args.discount_from is not None:
        given["discount_from"] = args.discount_from
    if args.dropoff_from is not None:
        given["dropoff_from"] = args.dropoff_from
    return given


def _command_reports(args: argparse.Namespace) -> int:
    from svlib.reporting.reports import run_reports

    partners = [p.strip() for p in args.partners.split(",") if p.strip()] if args.partners else None
    if args.scenario:
        from svlib.uncertainty.scenarios import load

        load(args.scenario)  # refuse a bad scenario before any work starts
    conventions = run_conventions(args)
    result = run_reports(args.data or paths.raw_collection(), args.out, partners, args.jobs, args.scheduler, args.draws,
                         args.seed, timeout=args.timeout, scenario=args.scenario, processed=args.processed,
                         conventions=conventions)
    for failure in result.failures:
        print(printable(f"failed: {failure['key']}: {failure['error']}"), file=sys.stderr)
        for problem in result.problems.get(failure["key"], []):
            print(f"  {problem}", file=sys.stderr)
    if result.failures and result.log:
        print(f"svlib: these messages are also in {result.log}, which stays on this machine; the shared pages say only "
              "where each problem is", file=sys.stderr)
    if result.run.get("pdf_unavailable"):  # the pages are published; only their PDFs are missing
        print(f"svlib: no PDFs were written: {result.run['pdf_unavailable']}", file=sys.stderr)
    print(result.index.resolve())
    return 0 if result.ok else 1


def _command_template(args: argparse.Namespace) -> int:
    from svlib.io.template import write_template

    path = write_template(args.out, replace=args.force)
    print(f"wrote {path}: fill it in, then run `svlib validate {path}`")
    return 0


def _partner_tables(data) -> dict[str, pd.DataFrame]:
    """One validated partner's tables as a collection's processed tables hold them (each
    with ``partner_id``, and the Partner sheet as a one-row table)."""
    tables = {name: frame.assign(partner_id=data.partner_id) for name, frame in data.tables.items()}
    tables["Partner"] = pd.DataFrame([{**data.partner, "partner_id": data.partner_id}])
    return tables


def _tables_to_tag(source: Path) -> dict[str, pd.DataFrame]:
    """A processed folder's tables, or a partner workbook's (or CSV folder's), validated;
    raises :class:`InputError` naming each problem of an invalid one."""
    from svlib.pipeline.build import load_processed
    from svlib.validate.partner import read_partner

    if source.is_dir() and (source / "manifest.json").is_file():
        return load_processed(source)
    data, problems = read_partner(source)
    if data is None:
        raise InputError([p for p in problems if p.severity == "error"])
    return _partner_tables(data)


def _map_to_tag(path: Path) -> pd.DataFrame:
    """The impact map named by ``--map``: an ImpactMap CSV, or a workbook's (CSV folder's) ImpactMap sheet."""
    from svlib.contract.tables import IMPACT_MAP
    from svlib.io.csv_tables import read_csv_table

    if path.suffix.lower() == ".csv":
        frame, problems = read_csv_table(path, IMPACT_MAP)
        if [p for p in problems if p.severity == "error"]:
            raise InputError([p for p in problems if p.severity == "error"])
        return frame
    tables = _tables_to_tag(path)
    if tables.get(IMPACT_MAP.name) is None or tables[IMPACT_MAP.name].empty:
        raise InputError([Problem(str(path), IMPACT_MAP.name, None, None, "no outcomes to suggest")])
    return tables[IMPACT_MAP.name]


def _command_tag(args: argparse.Namespace) -> int:
    from svlib.analysis.tagging import MODEL, Tagger, case_study_texts, load_model
    from svlib.analysis.themes import load_indicators
    from svlib.analysis.evidence import shareable
    from svlib.io.testimonies import read_testimonies

    notes: list[str] = []
    groups: list[tuple[pd.DataFrame, pd.DataFrame | None]] = []  # texts, and the impact map they are read against
    given_map = _map_to_tag(args.map) if args.map else None
    if args.file.suffix.lower() == ".csv":
        texts = read_testimonies(args.file)
        marks = {"consent", "anonymised"} & set(texts.columns)
        if len(marks) == 1:  # half a clearance: refused, never guessed
            (given,) = marks
            missing = ({"consent", "anonymised"} - marks).pop()
            raise InputError([Problem(paths.shown(args.file), "", None, given,
                                      f"has a {given} column but no {missing} column: give both (yes/no for each "
                                      "text), or neither for texts already cleared for sharing")])
        if marks:
            kept = shareable(texts)
            if len(kept) < len(texts):
                notes.append(f"{len(texts) - len(kept)} {'testimony' if len(texts) - len(kept) == 1 else 'testimonies'} left out: not marked consent yes and "
                             "anonymised yes (their text was not read)")
            texts = kept
        groups.append((texts, given_map))
    else:
        tables = _tables_to_tag(args.file)
        cases = case_study_texts(tables)
        if cases.left_out:
            notes.append(f"{cases.left_out} case {'study' if cases.left_out == 1 else 'studies'} left out: no consent or not anonymised (their text was "
                         "not read)")
        if cases.blank:
            notes.append(f"{cases.blank} case {'study' if cases.blank == 1 else 'studies'} with no text")
        maps = tables.get("ImpactMap")
        for partner_id, texts in cases.texts.groupby("partner_id", sort=False):
            own = None if maps is None else maps[maps["partner_id"].astype(str) == partner_id]
            groups.append((texts, given_map if args.map else own))
    model = load_model()
    suggested = []
    for texts, impact_map in groups:
        suggested += Tagger(model, impact_map).tag(list(texts["text_id"]), list(texts["text"]))
    for note in notes:
        print(f"svlib tag: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(suggested, indent=2))
        return 0
    indicators = load_indicators().set_index("indicator_id")
    print(f"Suggestions from {MODEL}, run on this machine (no text left it). Scores are cosine similarities "
          "(-1 to 1): how alike the words are, not evidence that an outcome happened. Read each testimony before "
          "filing it; nothing is claimed or counted on a suggestion alone.")
    for s in suggested:
        print()
        print(printable(f"{s['text_id']}  {s['theme']} ({s['theme_score']:.2f})"))
        for i in s["indicators"]:
            outside = "" if indicators.at[i["id"], "in_toms"] == "yes" else "  [not counted by the National TOMs]"
            print(f"    {i['score']:5.2f}  {i['id']}  {indicators.at[i['id'], 'indicator']}{outside}")
        if s["outcomes"]:
            print("    outcomes: " + ", ".join(printable(f"{o['outcome_id']} ({o['score']:.2f})") for o in s["outcomes"]))
    print(f"\n{len(suggested)} text{'' if len(suggested) == 1 else 's'} tagged" + ("" if suggested else ": nothing to tag"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="svlib", description="Social value research workbench (SROI).")
    parser.add_argument("--version", action="version", version=f"svlib {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sroi = commands.add_parser("sroi", help="value an impact map (deterministic SROI)")
    _add_valuation_options(sroi)
    sroi.add_argument("--out", type=Path, help="also write the result tables and JSON into this folder")
    sroi.set_defaults(handler=_command_sroi)

    simulate = commands.add_parser("simulate", help="Monte Carlo: the SROI ratio with its uncertainty")
    _add_valuation_options(simulate)
    simulate.add_argument("--draws", type=int, default=10_000, help="number of Monte Carlo draws (default 10,000)")
    simulate.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same numbers")
    simulate.set_defaults(handler=_command_simulate)

    compared = commands.add_parser("compare", help="a forecast SROI beside its evaluation, outcome by outcome")
    compared.add_argument("forecast", type=Path, help="the forecast: a workbook, CSV folder or processed folder")
    compared.add_argument("evaluation", type=Path, help="the evaluation: a workbook, CSV folder or processed folder")
    compared.add_argument("--forecast-partner", help="which partner of a processed folder is the forecast")
    compared.add_argument("--evaluation-partner", help="which partner of a processed folder is the evaluation")
    compared.add_argument("--price-year", type=int, help="price year of both (default: the evaluation's)")
    _add_timing_options(compared, own=True)
    compared.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws for each side's range")
    compared.add_argument("--seed", type=int, default=0, help="random seed")
    compared.add_argument("--json", action="store_true", help="print JSON for machines")
    compared.set_defaults(handler=_command_compare)

    proxies = commands.add_parser("proxies", help="list or search the proxy library")
    proxies.add_argument("--theme", help="Jobs, Growth, Social, Environment, Innovation or Cross-cutting")
    proxies.add_argument("--keyword", help="words that must all appear in the id, outcome, unit, source, notes or "
                                           "the source's comment (such as 'homeless' or 'NEET')")
    proxies.add_argument("--value-type", help="fiscal (a cost to the public purse), economic or social")
    proxies.add_argument("--level", help="headline, subsidiary or constituent (GMCA's tree of costs)")
    proxies.add_argument("--confidence", help="the source's RAG rating: G, A or R")
    proxies.add_argument("--price-year", type=int, help="the year ages are counted to (default: latest CPI year)")
    proxies.add_argument("--matches-only", action="store_true",
                         help="list only the rows that match, not the rest of their family")
    proxies.add_argument("--csv", action="store_true", help="print every column as CSV")
    proxies.add_argument("--proxies", type=Path, help="your own proxy table (CSV), extending the shipped one")
    proxies.add_argument("--gaps", action="store_true", help="also list outcomes with no verified proxy yet")
    proxies.set_defaults(handler=_command_proxies)

    reports = commands.add_parser("reports", help="the main job: one report per partner and the forum index page")
    reports.add_argument("--data", type=Path, default=None, help="raw collection folder (default data/raw/example)")
    reports.add_argument("--out", type=Path, help="output folder (default outputs/<collection>)")
    reports.add_argument("--processed", type=Path,
                         help="folder for the validated tables (default data/processed/<collection>)")
    reports.add_argument("--partners", help="only these partner ids, separated by commas")
    reports.add_argument("--jobs", type=int, help="notebooks run in parallel (default: one per CPU)")
    reports.add_argument("--scheduler", help="address of a Dask distributed scheduler to run on")
    reports.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws per partner (default 10,000)")
    reports.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    reports.add_argument("--timeout", type=int, default=900,
                         help="seconds one report may run in all; a report still running then fails alone (default 900)")
    reports.add_argument("--scenario", type=Path, help="a saved scenario (JSON) applied to every partner")
    _add_timing_options(reports, own=True)
    reports.set_defaults(handler=_command_reports)

    template = commands.add_parser("template", help="write a blank partner workbook to fill in")
    template.add_argument("out", type=Path, help="where to write it, such as partner.xlsx")
    template.add_argument("--force", action="store_true", help="replace a file of that name (never done without it)")
    template.set_defaults(handler=_command_template)

    validate = commands.add_parser("validate", help="check partner workbooks (or folders of CSVs) and list every problem")
    validate.add_argument("paths", type=Path, nargs="+", help="workbooks, CSV folders, or a folder of workbooks")
    validate.set_defaults(handler=_command_validate)

    build_command = commands.add_parser("build", help="validate a raw collection and write its tidy tables")
    build_command.add_argument("raw_dir", type=Path, help="folder of partner workbooks, such as data/raw/example")
    build_command.add_argument("out_dir", type=Path, help="output folder, such as data/processed/example")
    build_command.set_defaults(handler=_command_build)

    tag = commands.add_parser("tag", help="suggest the theme, indicators and outcomes each testimony evidences "
                                          "(a local model; suggestions only)")
    tag.add_argument("file", type=Path, help="a CSV with columns text_id,text; or a partner workbook, CSV folder or "
                                             "processed folder, whose consented, anonymised case studies are tagged")
    tag.add_argument("--map", type=Path, help="an impact map (CSV, or a workbook's ImpactMap) whose outcomes to suggest "
                                              "(default for a workbook or collection: each partner's own)")
    tag.add_argument("--json", action="store_true", help="print JSON for machines")
    tag.set_defaults(handler=_command_tag)

    assumptions = commands.add_parser("assumptions", help="print every default, convention and shipped figure")
    assumptions.set_defaults(handler=_command_assumptions)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 bad input, 2 usage or internal error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:  # output piped into a command that stopped reading (such as `head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"svlib: {len(exc.problems)} problem(s) found; nothing was written", file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:
        if os.environ.get("SVLIB_DEBUG"):
            raise
        print(f"svlib: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("svlib: interrupted; nothing half-written was left", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("SVLIB_DEBUG"):
            raise
        print(f"svlib: internal error ({type(exc).__name__}: {exc}); rerun with SVLIB_DEBUG=1 for details",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
