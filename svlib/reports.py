"""The main job: one reproducible report per partner, and the forum's index page.

``svlib reports`` validates each partner's workbook on its own (an invalid one becomes a
failure entry carrying its validation messages), writes the valid partners' tidy tables,
runs the partner report notebook once per partner with papermill on the ``svlib`` kernel
(in parallel), renders HTML without code, and writes ``run.json`` and ``index.html``.
It exits non-zero if anything failed, after finishing everything else.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svlib import __version__, paths
from svlib.build import discover, duplicate_id_problem, output_folder_problems, write_processed
from svlib.files import within, write_atomic, write_json
from svlib.ingest import PartnerData, read_partner
from svlib.problems import InputError, Problem
from svlib.runner import NotebookJob, failure_record, run_jobs
from svlib.site import render_index

PARTNER_NOTEBOOK = "05_partner_report.ipynb"
RESEARCH_NOTEBOOKS = (("scoping", "01_baseline_scoping.ipynb", "Baseline scoping of partners"),
                      ("proxies", "02_proxy_research.ipynb", "Proxy research"))
THEME_NOTEBOOK = "04_theme_modelling.ipynb"
HEADLINE_KEYS = ("sroi_ratio", "p5", "p50", "p95", "prob_ratio_below_1")


@dataclass
class RunResult:
    """What a run produced: the ``run.json`` content and where the index page is."""

    run: dict[str, Any]
    index: Path

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.run["notebooks"] if r["status"] != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failures


def _validate(sources: list[Path], wanted: set[str] | None) -> tuple[list[PartnerData], list[dict[str, Any]]]:
    """Each source on its own: valid partners, and failure records for the others.

    With ``wanted`` partner ids, an invalid workbook is reported only when its file name
    (without ``.xlsx``) is one of them: its partner id may be what is broken."""
    valid: list[PartnerData] = []
    failures: list[dict[str, Any]] = []
    owners: dict[str, str] = {}
    for source in sources:
        data, problems = read_partner(source)
        errors = [str(p) for p in problems if p.severity == "error"]
        if data is not None and data.partner_id in owners:
            errors = [str(duplicate_id_problem(source, data, owners[data.partner_id]))]
            data = None
        if data is None:
            if wanted is None or source.stem in wanted:
                failures.append(failure_record(f"partner/{source.stem}", "partner", source.name,
                                               f"invalid data: {len(errors)} problem(s) to fix", errors))
            continue
        owners[data.partner_id] = str(source)
        if wanted is None or data.partner_id in wanted:
            valid.append(data)
    return valid, failures


def partner_jobs(partners: list[PartnerData], collection: str, processed: Path, out_dir: Path, draws: int,
                 seed: int, extra: dict[str, Any] | None = None) -> list[NotebookJob]:
    """One partner-report job per valid partner."""
    inputs = tuple(str(p) for p in sorted(processed.glob("*.csv")))
    return [
        NotebookJob(
            key=f"partner/{p.partner_id}",
            kind="partner",
            title=str(p.partner["name"]),
            notebook=str(paths.NOTEBOOKS_DIR / PARTNER_NOTEBOOK),
            parameters={"partner_id": p.partner_id, "collection": collection, "data_dir": str(processed),
                        "n_draws": int(draws), "seed": int(seed), **(extra or {})},
            output_stem=str(out_dir / "partners" / p.partner_id),
            inputs=(str(p.source),) + inputs,
        )
        for p in sorted(partners, key=lambda p: p.partner_id)
    ]


def research_jobs(collection: str, processed: Path, out_dir: Path, draws: int, seed: int) -> list[NotebookJob]:
    """Baseline scoping and proxy research once per collection, theme modelling once per
    County Durham Pound theme."""
    from svlib.tables import THEMES

    inputs = tuple(str(p) for p in sorted(processed.glob("*.csv")))
    jobs = [
        NotebookJob(key=f"research/{kind}", kind=kind, title=title, notebook=str(paths.NOTEBOOKS_DIR / notebook),
                    parameters={"collection": collection, "data_dir": str(processed)} if kind == "scoping" else {},
                    output_stem=str(out_dir / "research" / kind), inputs=inputs if kind == "scoping" else ())
        for kind, notebook, title in RESEARCH_NOTEBOOKS
    ]
    jobs += [
        NotebookJob(key=f"theme/{theme.lower()}", kind="theme", title=f"Theme modelling: {theme}",
                    notebook=str(paths.NOTEBOOKS_DIR / THEME_NOTEBOOK),
                    parameters={"theme": theme, "collection": collection, "data_dir": str(processed),
                                "n_draws": int(draws), "seed": int(seed)},
                    output_stem=str(out_dir / "themes" / theme.lower()), inputs=inputs)
        for theme in THEMES
    ]
    return jobs


def _executor(scheduler: str | None) -> tuple[Executor | None, Any]:
    if not scheduler:
        return None, None
    from distributed import Client

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
) -> RunResult:
    """Run every report for a raw collection folder.

    Parameters
    ----------
    data : path
        Raw collection folder (default ``data/raw/example``).
    out : path, optional
        Output folder (default ``outputs/<collection>``).
    partners : list of str, optional
        Only these partner ids.
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
        Seconds a notebook cell may run.
    scenario : path, optional
        A saved scenario (:mod:`svlib.scenarios`) applied to every partner.
    research : bool
        Also run baseline scoping and proxy research (once) and theme modelling (once per
        theme) on the partners reported.

    Returns
    -------
    RunResult

    Raises
    ------
    InputError
        The tables' folder is one a build must not replace
        (:func:`svlib.build.output_folder_problems`), or the output folder is inside the
        raw folder.
    """
    raw_dir = Path(data)
    collection = raw_dir.resolve().name
    out_dir = Path(out) if out else paths.outputs_collection(collection)
    started = dt.datetime.now(dt.timezone.utc)

    sources, notes = discover(raw_dir)
    wanted = set(partners) if partners else None
    valid, failures = _validate(sources, wanted)
    complete = not failures and wanted is None
    processed_dir = Path(processed) if processed else paths.processed_collection(
        collection if complete else f"{collection}.partial")
    refused = output_folder_problems(processed_dir, raw_dir)
    if within(out_dir, raw_dir):
        refused.append(Problem(str(out_dir), "", None, None, "the output folder is inside the raw folder, and raw "
                               f"data is never written to; choose another, such as outputs/{collection}"))
    if refused:
        raise InputError(refused)
    if wanted:
        failures += [failure_record(f"partner/{p}", "partner", p, "no such partner in the collection")
                     for p in sorted(wanted - {v.partner_id for v in valid} - {f["key"].split("/", 1)[1] for f in failures})]
    records: list[dict[str, Any]] = []
    if valid:
        built = write_processed(valid, raw_dir, processed_dir)
        if not built.ok:
            errors = [str(p) for p in built.problems if p.severity == "error"]
            failures += [failure_record(f"partner/{v.partner_id}", "partner", str(v.partner["name"]),
                                        "the tidy tables failed their checks", errors) for v in valid]
            valid = []
    extra = {"scenario": str(Path(scenario).resolve())} if scenario else None
    job_list = partner_jobs(valid, collection, processed_dir, out_dir, draws, seed, extra)
    if valid and research:
        job_list += research_jobs(collection, processed_dir, out_dir, draws, seed)
    executor, client = _executor(scheduler)
    try:
        records = run_jobs(job_list, executor=executor, workers=jobs or os.cpu_count() or 1, timeout=timeout,
                           progress=progress, cwd=str(paths.NOTEBOOKS_DIR))
    finally:
        if client is not None:
            client.close()
    for failure in failures:  # an old report of a partner that now fails must not linger
        stem = out_dir / "partners" / failure["key"].split("/", 1)[1]
        for suffix in (".html", ".ipynb"):
            stem.with_suffix(suffix).unlink(missing_ok=True)
    for record in records:
        for key in HEADLINE_KEYS:
            record[key] = record["headline"].get(key)
    all_records = records + failures
    run = {
        "collection": collection,
        "svlib_version": __version__,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "data": str(raw_dir),
        "processed": str(processed_dir),
        "draws": int(draws),
        "seed": int(seed),
        "jobs": jobs or os.cpu_count(),
        "scheduler": scheduler,
        "scenario": str(scenario) if scenario else None,
        "notes": [str(n) for n in notes],
        "notebooks": all_records,
    }
    write_json(out_dir / "run.json", run)
    index = write_atomic(out_dir / "index.html", render_index(run, out_dir))
    return RunResult(run, index)
