"""The main job: one reproducible report per partner, and the forum's index page.

``svlib reports`` validates each partner's workbook on its own (an invalid one becomes a
failure entry carrying its validation messages), writes the valid partners' tidy tables,
runs the partner report notebook once per partner with papermill on the ``svlib`` kernel
(in parallel), renders HTML without code, and writes ``run.json`` and ``index.html``.
It exits non-zero if anything failed, after finishing everything else.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from svlib import __version__, paths
from svlib.analysis import forum
from svlib.analysis.comparison import forecast_pairs, unpaired_forecasts
from svlib.analysis.evidence import (
    NameRules,
    collection_name_rules,
    label_words,
    name_rules,
    redact,
    redact_tables,
)
from svlib.analysis.themes import collection_price_year
from svlib.contract.cells import CellError, parse_slug
from svlib.contract.tables import PARTNER, THEMES
from svlib.core.files import within, write_atomic, write_json
from svlib.core.folders import STALE_MARKS, locked, replaceable_folder_problems, writing
from svlib.core.problems import InputError, Problem, errors, printable
from svlib.core.processes import end_with_parent
from svlib.pipeline.build import (
    PartnerRows,
    discover,
    duplicate_id_problem,
    load_processed,
    output_folder_problems,
    read_each,
    read_partner_rows,
    source_files,
    write_processed,
)
from svlib.reporting.disclosure_audit import (
    NAME_ROUTE,
    Finding,
    SmallOutcome,
    audit_file,
    small_outcome_facts,
    svlib_words,
)
from svlib.reporting.forum_workbook import write_forum_workbook
from svlib.reporting.partner_report import from_parameters, partner_conventions
from svlib.reporting.partner_workbook import write_partner_workbook
from svlib.reporting.pdf import print_pages
from svlib.reporting.runner import NotebookJob, failure_record, run_jobs
from svlib.reporting.site import REPORT_FOLDERS, render_index
from svlib.uncertainty.scenarios import load as load_scenario
from svlib.uncertainty.scenarios import slug
from svlib.validate.schema import table_file_name

PARTNER_NOTEBOOK = "05_partner_report.ipynb"
RESEARCH_NOTEBOOKS = (("scoping", "01_baseline_scoping.ipynb", "Baseline scoping of partners"),
                      ("proxies", "02_proxy_research.ipynb", "Proxy research"))
THEME_NOTEBOOK = "04_theme_modelling.ipynb"
FORUM_NOTEBOOKS = (("summary", "00_forum_summary.ipynb", "Forum summary: the partners' value added up"),
                   ("deflators", "03_deflators_and_sensitivity.ipynb",
                    "Deflators and sensitivity: how they were estimated and what they move"))
"""The forum's own pages, run once per collection and linked first on the index."""
COMPARISON_NOTEBOOK = "06_forecast_evaluation.ipynb"
PARTNER_DEFAULTS = ("price_year", "discount_rate", "discount_schedule", "discount_from", "dropoff_from", "scenario",
                    "discount_factors")
"""Partner-report parameters left at the notebook's own values (the partner's own conventions
and price year, no scenario) unless a scenario or the run's conventions give them."""
RESEARCH_DEFAULTS: dict[str, tuple[str, ...]] = {
    "scoping": ("horizon_months", "readiness_weights", "shortlist_size"),
    "proxies": ("theme", "keyword", "alternatives_for"),
}
"""Research-notebook parameters left at the notebook's own values (its research settings);
every other parameter is passed, and :func:`svlib.reporting.runner.parameter_mismatch`
refuses a notebook whose parameters differ from these."""
HEADLINE_KEYS = ("sroi_ratio", "p5", "p50", "p95", "prob_ratio_below_1")


@dataclass
class RunResult:
    """What a run produced: the ``run.json`` content, where the index page is, and each
    failed source's full validation messages (for the researcher's terminal; the shared
    pages carry only where each problem is)."""

    run: dict[str, Any]
    index: Path
    problems: dict[str, list[str]] = field(default_factory=dict)
    log: Path | None = None

    @property
    def out_dir(self) -> Path:
        return self.index.parent

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.run["notebooks"] if r["status"] != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failures

    def path(self, record: dict[str, Any], suffix: str = "html") -> Path:
        """Where a record's page (``html``), executed notebook (``ipynb``) or PDF (``pdf``) is."""
        return self.out_dir / record[suffix]


def wanted_partners(partners: Iterable[str] | None) -> set[str] | None:
    """The partner ids asked for, each checked against the id rule
    (:func:`svlib.contract.cells.parse_slug`) before it is used anywhere.

    Raises
    ------
    InputError
        An id that is not a partner id (such as ``../x`` or ``/some/path/name``).
    """
    if partners is None:
        return None
    wanted, problems = set(), []
    for partner in partners:
        try:
            wanted.add(parse_slug(partner))
        except CellError as exc:
            problems.append(Problem("--partners", "", None, None, exc.marked))
    if problems or not wanted:
        raise InputError(problems or [Problem("--partners", "", None, None, "no partner ids given")])
    return wanted


def _validate(sources: list[Path], wanted: set[str] | None,
              jobs: int | None) -> tuple[list[PartnerRows], list[dict[str, Any]], dict[str, list[str]]]:
    """Each source on its own: valid partners, a failure record for each other source
    (keyed by its file name, never by a partner id it might share), and each failure's
    full messages.

    Two sources giving the same ``partner_id`` are both refused: which one is the
    partner's is for a person to say. With ``wanted`` partner ids, an invalid source is
    reported only when its file name (without the suffix) is one of them: its partner id
    may be what is broken."""
    results = read_each(sources, jobs, read_partner_rows)
    by_id: dict[str, list[int]] = {}
    for i, (data, _) in enumerate(results):
        if data is not None:
            by_id.setdefault(data.partner_id, []).append(i)
    valid: list[PartnerRows] = []
    failures: list[dict[str, Any]] = []
    messages: dict[str, list[str]] = {}
    for i, (source, (data, problems)) in enumerate(zip(sources, results)):
        errors = [p for p in problems if p.severity == "error"]
        if data is not None and len(by_id[data.partner_id]) > 1:
            others = [sources[j] for j in by_id[data.partner_id] if j != i]
            errors = [duplicate_id_problem(source, data, " and ".join(o.name for o in others), both=True)]
            data = None
        if data is None:
            if wanted is None or source.stem in wanted:
                key = f"partner/{source.name}"
                failures.append(failure_record(key, "partner", source.name,
                                               f"invalid data: {len(errors)} problem(s) to fix", errors))
                messages[key] = [str(p) for p in errors]
            continue
        if wanted is None or data.partner_id in wanted:
            valid.append(data)
    return valid, failures, messages


def partner_jobs(partners: list[PartnerRows], collection: str, processed: Path, out_dir: Path, draws: int,
                 seed: int, extra: dict[str, Any] | None = None) -> list[NotebookJob]:
    """One partner-report job per valid partner."""
    inputs = tuple(str(p) for p in sorted(processed.glob("*.csv")))
    return [
        NotebookJob(
            key=f"partner/{p.partner_id}",
            kind="partner",
            title=redact(str(p.partner["name"])),  # the page's own title: shared, so no contact details
            notebook=str(paths.NOTEBOOKS_DIR / PARTNER_NOTEBOOK),
            parameters={"partner_id": p.partner_id, "collection": collection, "data_dir": paths.for_kernel(processed),
                        "n_draws": int(draws), "seed": int(seed), **(extra or {})},
            output_stem=str(out_dir / "partners" / p.partner_id),
            inputs=tuple(str(f) for f in source_files(Path(p.source))) + inputs,
            defaults=tuple(name for name in PARTNER_DEFAULTS if name not in (extra or {})),
        )
        for p in sorted(partners, key=lambda p: p.partner_id)
    ]


def comparison_jobs(partners: list[PartnerRows], collection: str, processed: Path, out_dir: Path, draws: int,
                    seed: int, conventions: Mapping[str, Any] | None = None) -> tuple[list[NotebookJob], list[str]]:
    """One forecast-against-evaluation job per pair of the run
    (:func:`svlib.analysis.comparison.forecast_pairs`), and a note for each ``forecast`` that
    pairs nothing (:func:`svlib.analysis.comparison.unpaired_forecasts`)."""
    by_id = {p.partner_id: p for p in partners}
    inputs = tuple(str(p) for p in sorted(processed.glob("*.csv")))
    table = pd.DataFrame([{"partner_id": p.partner_id, "purpose": str(p.partner.get("purpose") or ""),
                           "forecast": str(p.partner.get("forecast") or "")} for p in partners],
                         columns=["partner_id", "purpose", "forecast"])
    jobs = []
    for evaluation, forecast in sorted(forecast_pairs(table)):
        p = by_id[evaluation]
        jobs.append(NotebookJob(
            key=f"comparison/{p.partner_id}", kind="comparison",
            title=redact(f"{p.partner['name']}: forecast and evaluation"),
            notebook=str(paths.NOTEBOOKS_DIR / COMPARISON_NOTEBOOK),
            parameters={"evaluation_partner": p.partner_id, "forecast_partner": forecast, "collection": collection,
                        "data_dir": paths.for_kernel(processed), "n_draws": int(draws), "seed": int(seed),
                        **{k: v for k, v in (conventions or {}).items() if k in THEME_CONVENTIONS}},
            output_stem=str(out_dir / "comparisons" / p.partner_id),
            defaults=tuple(name for name in THEME_CONVENTIONS if name not in (conventions or {})),
            inputs=tuple(str(f) for s in (p, by_id[forecast]) for f in source_files(Path(s.source))) + inputs))
    return jobs, unpaired_forecasts(table)


THEME_CONVENTIONS = ("discount_rate", "discount_schedule", "discount_from", "dropoff_from", "discount_factors")
"""Theme-page parameters: the run's timing conventions, for every partner alike."""


def research_jobs(collection: str, processed: Path, out_dir: Path, draws: int, seed: int,
                  conventions: Mapping[str, Any] | None = None, as_of: dt.date | None = None) -> list[NotebookJob]:
    """The forum summary, baseline scoping and proxy research once per collection, theme
    modelling once per County Durham Pound theme (the forum and the themes valued under the
    run's ``conventions``, the SROI guide's where none are given: they add partners up on
    one basis). Scoping judges statuses on the run's date (``as_of``, default today) and
    proxy research restates values in the collection's price year, never a date written in
    a notebook."""
    given = {k: v for k, v in (conventions or {}).items() if k in THEME_CONVENTIONS}
    inputs = tuple(str(p) for p in sorted(processed.glob("*.csv")))
    run_parameters = {"scoping": {"collection": collection, "data_dir": paths.for_kernel(processed),
                                  "as_of": (as_of or dt.date.today()).isoformat()},
                      "proxies": {"price_year": _collection_price_year(processed)}}
    jobs = [
        NotebookJob(key=f"forum/{kind}", kind="forum", title=title, notebook=str(paths.NOTEBOOKS_DIR / notebook),
                    parameters={"collection": collection, "data_dir": paths.for_kernel(processed),
                                "n_draws": int(draws), "seed": int(seed), **given},
                    output_stem=str(out_dir / "forum" / kind), inputs=inputs,
                    defaults=tuple(name for name in THEME_CONVENTIONS if name not in given))
        for kind, notebook, title in FORUM_NOTEBOOKS
    ]
    jobs += [
        NotebookJob(key=f"research/{kind}", kind=kind, title=title, notebook=str(paths.NOTEBOOKS_DIR / notebook),
                    parameters=run_parameters[kind],
                    output_stem=str(out_dir / "research" / kind), inputs=inputs if kind == "scoping" else (),
                    defaults=RESEARCH_DEFAULTS[kind])
        for kind, notebook, title in RESEARCH_NOTEBOOKS
    ]
    jobs += [
        NotebookJob(key=f"theme/{theme.lower()}", kind="theme", title=f"Theme modelling: {theme}",
                    notebook=str(paths.NOTEBOOKS_DIR / THEME_NOTEBOOK),
                    parameters={"theme": theme, "collection": collection, "data_dir": paths.for_kernel(processed),
                                "n_draws": int(draws), "seed": int(seed), **given},
                    output_stem=str(out_dir / "themes" / theme.lower()), inputs=inputs,
                    defaults=tuple(name for name in THEME_CONVENTIONS if name not in given))
        for theme in THEMES
    ]
    return jobs


def _collection_price_year(processed: Path) -> int:
    """The latest of the partners' own price years in the processed Partner table (the
    price index's latest year when none is stated), as the theme and forum pages use."""
    path = processed / table_file_name(PARTNER)
    if not path.is_file():
        return collection_price_year({})
    return collection_price_year({"Partner": pd.read_csv(path, dtype=str, keep_default_na=False)})


def _executor(scheduler: str | None) -> tuple[Executor | None, Any]:
    if not scheduler:
        return None, None
    from distributed import Client  # local: Dask loads only when a run names a scheduler

    client = Client(scheduler)
    return client.get_executor(pure=False), client


def run_reports(
    data: str | Path = paths.raw_collection(),
    out: str | Path | None = None,
    partners: list[str] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    draws: int = 10_000,
    seed: int = 0,
    processed: str | Path | None = None,
    timeout: int = 900,
    progress: bool = True,
    scenario: str | Path | None = None,
    research: bool = True,
    conventions: Mapping[str, Any] | None = None,
    chromium: str | None = None,
) -> RunResult:
    """Run every report for a raw collection folder.

    Parameters
    ----------
    data : path
        Raw collection folder (default ``data/raw/example``).
    out : path, optional
        Output folder, replaced whole when the run is done (default
        ``outputs/<collection>``; with ``partners``, ``outputs/<collection>.partial``, so
        a run of a few partners never replaces the forum's pages).
    partners : list of str, optional
        Only these partner ids (each must pass the partner id rule).
    jobs : int, optional
        Parallel notebooks (default: one per CPU).
    scheduler : str, optional
        Address of a Dask distributed scheduler to run the notebooks on instead.
    draws, seed : int
        Monte Carlo draws and seed for every partner.
    processed : path, optional
        Where to write the tidy tables. Default ``data/processed/<collection>`` when every
        partner of the collection is valid and reported; otherwise
        ``data/processed/<collection>.partial``, so a partial set never replaces the
        complete tables that ``svlib build`` wrote.
    timeout : int
        Seconds one notebook may run in all; one still running then fails alone
        (:func:`svlib.reporting.runner.run_notebook`).
    scenario : path, optional
        A saved scenario (:mod:`svlib.uncertainty.scenarios`) applied to every partner.
    research : bool
        Also run baseline scoping and proxy research (once) and theme modelling (once per
        theme) on the partners reported.
    conventions : mapping, optional
        Timing conventions for every partner's report, overriding each partner's own
        (its Partner sheet's): any of ``discount_rate``, ``discount_schedule``,
        ``discount_from``, ``dropoff_from`` and ``discount_factors`` (``[[year, factor],
        ...]``), as :func:`svlib.reporting.partner_report.prepare` takes them.
    chromium : str, optional
        The browser that prints each page to PDF (default: the environment variable
        ``SVLIB_CHROMIUM``, else ``chromium`` on the ``PATH``; :func:`svlib.reporting.pdf.find_chromium`).
        Without one the pages are still published, and ``run.json`` and the index say why
        there are no PDFs.

    Returns
    -------
    RunResult

    Raises
    ------
    InputError
        Before anything is written: the raw folder is missing or holds no partners; a
        partner id is not one; the output or tables folder is one a run must not replace
        (:func:`report_folder_problems`, :func:`svlib.pipeline.build.output_folder_problems`) or
        cannot be written; or another svlib run is writing either
        (:class:`svlib.core.folders.FolderBusy`).

    Notes
    -----
    Every page published gets ``<name>.pdf`` beside it (:func:`add_pdfs`).
    Every page, notebook, PDF, ``run.json`` and ``index.html`` is written into a staging
    folder beside the output folder and swapped in at the end (:mod:`svlib.core.folders`), so
    the output folder always holds one whole run, old or new, even if the run is killed.
    """
    raw_dir = Path(data)
    wanted = wanted_partners(partners)
    sources, notes = discover(raw_dir)
    if errors(notes):  # a missing or empty folder (a typo, an unmounted share): nothing is touched
        raise InputError(errors(notes))
    collection = raw_dir.resolve().name
    official = paths.outputs_collection(collection)
    what_if = load_scenario(scenario) if scenario else None
    if what_if is not None:
        out_dir = Path(out) if out else official / SCENARIOS_FOLDER / scenario_folder_name(scenario)
        refused = scenario_folder_problems(out_dir, official, out is None, scenario)
        research = False  # the forum's, theme and research pages are the official run's: a scenario is per partner
    else:
        out_dir = Path(out) if out else paths.outputs_collection(collection if wanted is None else f"{collection}.partial")
        refused = []
    refused = refused or report_folder_problems(out_dir, raw_dir)
    if refused:
        raise InputError(refused)
    started = dt.datetime.now(dt.timezone.utc)
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    with ExitStack() as held:
        if what_if is not None and within(out_dir, official):
            held.enter_context(locked(official))  # the official run is not replaced while a scenario writes inside it
            out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = held.enter_context(writing(out_dir))  # the lock, and a writable output, before any work
        valid, failures, messages = _validate(sources, wanted, jobs)
        complete = not failures and wanted is None
        processed_dir = Path(processed) if processed else paths.processed_collection(
            collection if complete else f"{collection}.partial")
        refused = output_folder_problems(processed_dir, raw_dir)
        if refused:
            raise InputError(refused)
        held.enter_context(locked(processed_dir))  # no build replaces the tables while reports read them
        if wanted:
            found = {v.partner_id for v in valid} | {Path(f["title"]).stem for f in failures}
            failures += [failure_record(f"partner/{p}", "partner", p, "no such partner in the collection")
                         for p in sorted(wanted - found)]
        if valid:
            built = write_processed(valid, raw_dir, processed_dir)
            if not built.ok:
                problems = errors(built.problems)
                for v in valid:
                    key = f"partner/{v.partner_id}"
                    failures.append(failure_record(key, "partner", str(v.partner["name"]),
                                                   "the tidy tables failed their checks", problems))
                    messages[key] = [str(p) for p in problems]
                valid = []
        # the scenario's content, not its path: a shared notebook never names the researcher's folders
        extra = ({"scenario": what_if.to_dict()} if what_if else {}) | dict(conventions or {})
        job_list = partner_jobs(valid, collection, processed_dir, staging.path, draws, seed, extra)
        compared, unpaired = ([], []) if what_if else comparison_jobs(valid, collection, processed_dir, staging.path,
                                                                      draws, seed, conventions)
        job_list += compared
        notes += [Problem(paths.shown(raw_dir), "Partner", None, "forecast", n, "note") for n in unpaired]
        if valid and research:
            job_list += research_jobs(collection, processed_dir, staging.path, draws, seed, conventions,
                                      started.date())
        job_list = [replace(job, run_id=run_id) for job in job_list]
        executor, client = _executor(scheduler)
        try:
            records = run_jobs(job_list, executor=executor, workers=jobs or os.cpu_count() or 1, timeout=timeout,
                               progress=progress, cwd=str(paths.NOTEBOOKS_DIR))
        finally:
            if client is not None:
                client.close()
        for record in records:
            for key in HEADLINE_KEYS:
                record[key] = record["headline"].get(key)
            for suffix in ("html", "ipynb"):  # where the file will be once published, inside the output folder
                if record.get(suffix):
                    record[suffix] = Path(record[suffix]).relative_to(staging.path).as_posix()
            if record["status"] != "ok":
                messages[record["key"]] = [printable(record["detail"])] if record.get("detail") else []
        raw_tables = load_processed(processed_dir) if valid else {}
        rules = name_rules(raw_tables) if valid else {}
        shared = redact_tables(raw_tables, rules) if valid else {}  # as every shared page reads them
        facts = small_outcome_facts(shared) if valid else []
        names = collection_name_rules(rules, ordinary=svlib_words() | label_words(shared)) if valid else None
        for record in records:
            withhold_if_disclosive(record, staging.path, facts, messages, names)
        partner_workbooks(records, staging.path, facts, messages, names, run_id, jobs or os.cpu_count() or 1)
        pdf_unavailable = add_pdfs(records, staging.path, chromium, messages)  # pages that passed the check only
        workbook = None
        if valid and research:
            workbook = _forum_workbook(staging.path, shared, processed_dir, draws, seed, conventions, run_id, messages)
            leaks = audit_file(staging.path / workbook, facts, workbook, names) if workbook else []
            if leaks:  # as a page that fails the check: removed, the findings in the local log only
                (staging.path / workbook).unlink()
                messages["forum/workbook"] = [str(f) for f in leaks]
                workbook = None
        run = {
            "run_id": run_id,
            "collection": collection,
            "svlib_version": __version__,
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "data": paths.shown(raw_dir),
            "processed": paths.shown(processed_dir),
            "draws": int(draws),
            "seed": int(seed),
            "jobs": jobs or os.cpu_count(),
            "scheduler": scheduler,
            "scenario": ({"name": what_if.name, "changes": what_if.changes(), "file": paths.shown(scenario),
                          "base": base_figures(official), "beside_official": within(out_dir, official),
                          "base_run": _run_id(official)}
                         if what_if else None),
            "notes": [redact(n.shared()) for n in notes],
            "notebooks": [shared_record(r) for r in records + failures],
            "workbook": workbook,
            "pdf_unavailable": pdf_unavailable,
        }
        log = write_atomic(run_log(processed_dir), log_text(run, records + failures, messages, notes))
        write_json(staging.path / "run.json", run)
        write_atomic(staging.path / "index.html", render_index(run))
        leaks = [f for name in ("run.json", "index.html")
                 for f in audit_file(staging.path / name, facts, names=names)]
        if leaks:  # svlib's own summary pages: never published with a recoverable small count or a name
            raise DisclosureError(leaks)
        if what_if is None:
            carry_scenarios(out_dir, staging.path)
        staging.publish()
    return RunResult(run, out_dir / "index.html", messages, log)


SCENARIOS_FOLDER = "scenarios"
"""The folder of an official run where each scenario run writes its own (``scenarios/<name>/``)."""


def scenario_folder_name(scenario: str | Path) -> str:
    """The folder a scenario file's run writes to, inside the official run's ``scenarios``:
    the file's name as lower-case letters, digits and hyphens (``food-network-deadweight-40.json``
    → ``food-network-deadweight-40``), one folder per scenario file."""
    return slug(Path(scenario).stem)


def scenario_folder_problems(out_dir: Path, official: Path, default: bool,
                             scenario: str | Path | None = None) -> list[Problem]:
    """Why a scenario run must not write to ``out_dir``, if it must not: never into a
    folder holding an official run (a scenario is written beside the real figures, never
    over them), nor into one holding the run of another scenario file (two names can make
    one folder name); and at its default place (``outputs/<collection>/scenarios/<name>/``)
    only once the official run it is shown beside exists."""
    try:
        earlier = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = None
    if isinstance(earlier, dict) and isinstance(earlier.get("scenario"), dict) and scenario is not None and (
            earlier["scenario"].get("file") != paths.shown(scenario)):
        return [Problem(paths.shown(out_dir), "", None, None,
                        f"this folder holds the run of another scenario file ({earlier['scenario'].get('file')}), "
                        "which this run would replace; rename the scenario file, or give --out for a folder of its own")]
    if isinstance(earlier, dict) and not earlier.get("scenario"):
        return [Problem(paths.shown(out_dir), "", None, None,
                        "this folder holds an official run, which a scenario never replaces; leave out --out (a "
                        f"scenario writes to {paths.shown(official / SCENARIOS_FOLDER)}/<its name>/) or choose a new "
                        "folder")]
    if default and not (official / "run.json").is_file():
        return [Problem(paths.shown(official), "", None, None,
                        "a scenario is shown beside the official run, and there is none yet: run `svlib reports` "
                        "without --scenario first (or give --out for a folder of its own)")]
    return []


def base_figures(official: Path) -> dict[str, dict[str, Any]]:
    """Each partner's published headline in the official run at ``official`` (``sroi_ratio,
    p5, p95, prob_ratio_below_1``, by partner id), to show beside a scenario's; empty when
    there is no run there."""
    try:
        run = json.loads((official / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for record in run.get("notebooks", []) if isinstance(run, dict) else []:
        if isinstance(record, dict) and record.get("kind") == "partner" and record.get("status") == "ok":
            out[str(record.get("key", "")).removeprefix("partner/")] = {
                k: record.get(k) for k in HEADLINE_KEYS if k != "p50"}
    return out


def _run_id(folder: Path) -> str | None:
    """The id of the run in ``folder`` (its ``run.json``), or None."""
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(run.get("run_id")) if isinstance(run, dict) and run.get("run_id") else None


def carry_scenarios(out_dir: Path, staging: Path) -> None:
    """Copy the scenario runs written inside the official run at ``out_dir`` into its
    replacement (``staging``): an official run replaces its own pages, never the scenarios
    beside them. Copied, not moved, so that a run stopped before it publishes leaves them
    where they were."""
    folder = out_dir / SCENARIOS_FOLDER
    if folder.is_dir() and not folder.is_symlink():
        shutil.copytree(folder, staging / SCENARIOS_FOLDER, symlinks=True,
                        ignore=lambda where, names: [n for n in names if Path(where) == folder and _left_by_svlib(n)])


def _left_by_svlib(name: str) -> bool:
    """Whether ``name`` is what a stopped svlib run leaves beside the folder it was writing
    (``.<folder>.lock``, ``.<folder>.swap.json``, ``.<folder>.staging-…`` and the like)."""
    return name.startswith(".") and (name.endswith((".lock", ".swap.json")) or any(m in name for m in STALE_MARKS))


FORUM_WORKBOOK = "forum.xlsx"


def _forum_workbook(folder: Path, shared: Mapping[str, pd.DataFrame], processed: Path, draws: int, seed: int,
                    conventions: Mapping[str, Any] | None, run_id: str, messages: dict[str, list[str]]) -> str | None:
    """Write the forum workbook into the staging ``folder`` from the shared tables (the
    partners' results and draws, valued as the forum summary values them); its name, or
    None when it could not be made (the reason goes to the local log, the run goes on)."""
    given = {k: v for k, v in (conventions or {}).items() if k in THEME_CONVENTIONS}
    try:
        used = partner_conventions({}, given.get("discount_rate", ""), given.get("discount_schedule", ""),
                                   given.get("discount_from", ""), given.get("dropoff_from", 2),
                                   discount_factors=given.get("discount_factors", ""))
        results, used = forum.partner_results(shared, draws, seed, conventions=used)
        about = {"collection": processed.name, "run": run_id, "price year": used.price_year, "draws": int(draws),
                 "seed": int(seed), **{f"convention: {k}": v for k, v in used.describe().items()}}
        write_forum_workbook(folder / FORUM_WORKBOOK, results, shared, about, sorted(processed.glob("*.csv")))
    except Exception as exc:  # noqa: BLE001 - the workbook is one output among many; the pages still publish
        messages["forum/workbook"] = [f"the forum workbook was not written: {printable(str(exc))}"]
        return None
    return FORUM_WORKBOOK


WORKBOOK_TOLERANCE = 1e-9
"""How far (relative) a partner workbook's present value and ratio may be from its report's
headline: they come from the same function with the same parameters, so only a change
between the two (a table rewritten mid-run) can part them."""


def partner_workbooks(records: list[dict[str, Any]], folder: Path, facts: list[SmallOutcome],
                      messages: dict[str, list[str]], names: NameRules | None = None, run_id: str = "",
                      workers: int = 1) -> None:
    """Write each published partner report's workbook beside its page in the staging
    ``folder`` (``partners/<partner_id>.xlsx``, :mod:`svlib.reporting.partner_workbook`)
    and name it in its record (``workbook``); ``workers`` processes write them at once.

    Each report is prepared again from the notebook's own parameters
    (:func:`svlib.reporting.partner_report.from_parameters`, the function the notebook
    calls), and its workbook is kept only if its headline is the page's (present value and
    ratio within :data:`WORKBOOK_TOLERANCE`) and it passes the disclosure check, as a page
    must. Otherwise, or if it cannot be written, the record says so (``workbook_error``),
    the reason goes to the local log, and the run goes on: the report is published without
    its workbook."""
    chosen = [r for r in records if r["status"] == "ok" and r["kind"] == "partner" and r.get("html")]
    tasks = [(r["parameters"], r.get("headline") or {}, folder / Path(r["html"]).with_suffix(".xlsx"),
              {redact(paths.shown(k)): v for k, v in r.get("input_hashes", {}).items()}, run_id) for r in chosen]
    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=end_with_parent) as pool:
            errors = list(pool.map(_write_partner_workbook, *zip(*tasks)))
    else:
        errors = [_write_partner_workbook(*task) for task in tasks]
    for record, task, error in zip(chosen, tasks, errors):
        path, key = task[2], f"{record['key']}/workbook"
        relative = path.relative_to(folder)
        if error is not None:
            path.unlink(missing_ok=True)
            record.update(workbook=None, workbook_error="the workbook was not written")
            messages[key] = [f"the workbook was not written: {printable(error)}"]
            continue
        leaks = audit_file(path, facts, relative.as_posix(), names)
        if leaks:  # as a page that fails the check: removed, the findings in the local log only
            path.unlink()
            record.update(workbook=None, workbook_error="not published: the disclosure check found a problem")
            messages[key] = [str(f) for f in leaks]
            continue
        record.update(workbook=relative.as_posix(), workbook_error=None)


def _write_partner_workbook(parameters: Mapping[str, Any], page: Mapping[str, Any], path: Path,
                            hashes: Mapping[str, str], run_id: str) -> str | None:
    """Prepare one report from its notebook's parameters and write its workbook to
    ``path`` (in a worker process); the reason it was not written, or None."""
    try:
        report = from_parameters(**parameters)
        for figure in ("present_value", "sroi_ratio"):
            if not abs(report.headline[figure] - float(page[figure])) <= WORKBOOK_TOLERANCE * abs(float(page[figure])):
                raise ValueError(f"its {figure} ({report.headline[figure]!r}) is not the report's ({page[figure]!r})")
        write_partner_workbook(path, report, hashes, {"Run": run_id} if run_id else None)
    except Exception as exc:  # noqa: BLE001 - one partner's workbook is one output among many
        return str(exc)
    return None


class DisclosureError(RuntimeError):
    """The run's index or ``run.json`` would let a reader work out a count below 5 or
    would show a person's name; the run is not published (the output folder keeps the
    previous run)."""

    def __init__(self, findings: list[Finding]):
        super().__init__("not published: " + "; ".join(map(str, findings)))
        self.findings = findings


def add_pdfs(records: list[dict[str, Any]], folder: Path, chromium: str | None,
             messages: dict[str, list[str]]) -> str | None:
    """Print every published page of ``records`` (in the staging ``folder``) to ``<name>.pdf``
    beside it (:func:`svlib.reporting.pdf.print_pages`, one browser for the run); each
    record gets ``pdf`` (its path inside the folder, or None) and, for a page that did not
    print, ``pdf_error``. Returns why no PDF was written at all (no Chromium), or None.

    A page that does not print leaves its page and the other PDFs published; the browser's
    own words go to the local log only (``messages``, key ``<key> (pdf)``)."""
    published = [r for r in records if r["status"] == "ok" and r.get("html")]
    printed = print_pages([folder / r["html"] for r in published], chromium)
    written = set(printed.written)
    for record in records:
        record["pdf"] = None
    for record in published:
        page = folder / record["html"]
        if page.with_suffix(".pdf") in written:
            record["pdf"] = Path(record["html"]).with_suffix(".pdf").as_posix()
        elif not printed.unavailable:
            record["pdf_error"] = printed.failed.get(page, "the PDF was not written")
        if page in printed.details:
            messages[f"{record['key']} (pdf)"] = [printable(printed.details[page])]
    if "browser" in printed.details:
        messages["pdf"] = [printable(printed.details["browser"])]
    return printed.unavailable


def withhold_if_disclosive(record: dict[str, Any], folder: Path, facts: list[SmallOutcome],
                           messages: dict[str, list[str]], names: NameRules | None = None) -> None:
    """Run the disclosure check (:mod:`svlib.reporting.disclosure_audit`) on one report's
    page and notebook in the staging ``folder``; where it finds a way to a count below 5,
    or a person's name of ``names``, remove both, mark the record failed, and put the
    findings in the local log only (they quote partner text)."""
    if record["status"] != "ok":
        return
    files = [folder / record[suffix] for suffix in ("html", "ipynb") if record.get(suffix)]
    findings = [f for path in files for f in audit_file(path, facts, path.relative_to(folder).as_posix(), names)]
    if not findings:
        return
    for path in files:
        path.unlink(missing_ok=True)
    what = " or ".join(dict.fromkeys(
        "shows a person's name" if f.route == NAME_ROUTE else "could let a reader work out a count below 5"
        for f in findings))
    record.update(status="failed", html=None, ipynb=None, headline={}, **{key: None for key in HEADLINE_KEYS},
                  error=f"not published: the disclosure check found {len(findings)} place(s) that {what}")
    messages[record["key"]] = [str(f) for f in findings]


SHARED_RECORD_KEYS = ("key", "kind", "title", "status", "error", *HEADLINE_KEYS, "html", "ipynb", "pdf", "pdf_error",
                      "workbook", "workbook_error", "duration_seconds", "parameters", "notebook", "input_hashes",
                      "problems")
"""What ``run.json`` keeps of each notebook's record (``detail``, the kernel's output and
traces go only to the local log: they may quote partner data)."""


def shared_record(record: dict[str, Any]) -> dict[str, Any]:
    """A run record as ``run.json`` and the index page carry it: partner text redacted
    (:func:`svlib.analysis.evidence.redact`), paths shown from the repository root
    (:func:`svlib.paths.shown`), problems only as where they are and what was expected
    (:meth:`svlib.core.problems.Problem.shared`, already so in the record)."""
    out = {k: record[k] for k in SHARED_RECORD_KEYS if k in record}
    out["key"] = redact(str(record["key"]))  # a failed file's key holds its name
    out["title"] = redact(str(record.get("title") or record["key"]))
    out["headline"] = {k: (redact(v) if isinstance(v, str) else v) for k, v in record.get("headline", {}).items()}
    out["parameters"] = {k: (paths.shown(v) if k == "data_dir" and v else v)
                         for k, v in record.get("parameters", {}).items()}
    if record.get("notebook"):
        out["notebook"] = paths.shown(record["notebook"])
    out["input_hashes"] = {redact(paths.shown(k)): v for k, v in record.get("input_hashes", {}).items()}
    return out


def run_log(processed: Path) -> Path:
    """The run's full log, beside its tables (local data, never published):
    ``data/processed/<collection>.log``."""
    return processed.parent / f"{processed.name}.log"


def log_text(run: dict[str, Any], records: list[dict[str, Any]], messages: dict[str, list[str]],
             notes: list[Problem]) -> str:
    """The researcher's record of a run: every failure with its full messages (cell
    contents included), the kernels' last output, and every note."""
    lines = [f"svlib {run['svlib_version']} report run {run['run_id']} of {run['collection']}, "
             f"started {run['started']}, finished {run['finished']}", ""]
    for record in records:
        if record.get("workbook_error"):
            lines.append(f"not published: {printable(record['key'])}'s workbook: {record['workbook_error']}")
            lines += [f"  {m}" for m in messages.get(f"{record['key']}/workbook", [])]
        if record.get("pdf_error"):
            lines.append(f"no PDF: {printable(record['key'])}: {printable(record['pdf_error'])}")
            lines += [f"  {m}" for m in messages.get(f"{record['key']} (pdf)", [])]
        if record["status"] == "ok":
            continue
        lines.append(f"failed: {printable(record['key'])}: {printable(str(record.get('error')))}")
        lines += [f"  {m}" for m in messages.get(record["key"], [])]
        for part in ("kernel_log", "trace"):
            if record.get(part):
                lines += [f"  {part}:"] + [f"    {printable(line)}" for line in str(record[part]).splitlines()]
    if run.get("pdf_unavailable"):
        lines.append(f"no PDFs were written: {run['pdf_unavailable']}")
        lines += [f"  {m}" for m in messages.get("pdf", [])]
    lines += [str(n) for n in notes]
    return "\n".join(lines) + "\n"


def report_folder_problems(out_dir: str | Path, raw_dir: str | Path) -> list[Problem]:
    """Why ``out_dir`` must not receive a report run of ``raw_dir``, if it must not: a
    run replaces its output folder whole, so the folder must be new, empty, or an earlier
    run holding only what that run wrote (``index.html``, ``run.json`` and the pages,
    notebooks, PDFs and workbooks its ``run.json`` lists; a hand-made page or a hidden file such as
    ``.htaccess`` is the user's, and is never replaced); and raw data is never written
    to (see :func:`svlib.core.folders.replaceable_folder_problems`)."""
    suggestion = Path(paths.shown(paths.OUTPUTS_DIR)) / Path(raw_dir).resolve().name
    written = _written_by_the_run_in(Path(out_dir))
    scenarios = Path(out_dir) / SCENARIOS_FOLDER
    if scenarios.is_dir() and not scenarios.is_symlink():  # scenario runs beside the official one: theirs, kept
        written.add(f"{SCENARIOS_FOLDER}/")
        for folder in scenarios.iterdir():
            if _left_by_svlib(folder.name):  # a stopped scenario run's lock or staging: its next run clears it
                written |= {f"{SCENARIOS_FOLDER}/{folder.name}"} | {
                    f"{SCENARIOS_FOLDER}/{folder.name}/{p.relative_to(folder).as_posix()}"
                    for p in folder.rglob("*")} | ({f"{SCENARIOS_FOLDER}/{folder.name}/"} if folder.is_dir() else set())
            elif folder.is_dir() and not folder.is_symlink():
                written |= {f"{SCENARIOS_FOLDER}/{folder.name}/{name}" for name in _written_by_the_run_in(folder)}
    return replaceable_folder_problems(out_dir, raw_dir, "run.json", written.__contains__, suggestion, "report run")


def _written_by_the_run_in(out_dir: Path) -> set[str]:
    """The files the run now in ``out_dir`` wrote, by their path inside it, as its
    ``run.json`` lists them (pages, notebooks, PDFs and partner workbooks; an earlier
    version's absolute paths are read by their last two parts)."""
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
        records = run["notebooks"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    written = {"index.html", "run.json"} | ({FORUM_WORKBOOK} if run.get("workbook") == FORUM_WORKBOOK else set())
    for record in records if isinstance(records, list) else []:
        for suffix in ("html", "ipynb", "pdf", "workbook"):
            value = record.get(suffix) if isinstance(record, dict) else None
            if isinstance(value, str) and value:
                parts = Path(value).parts
                if len(parts) >= 2 and parts[-2] in REPORT_FOLDERS:
                    written.add(f"{parts[-2]}/{parts[-1]}")
    return written
