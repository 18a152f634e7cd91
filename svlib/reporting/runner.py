"""Running report notebooks: papermill on the ``svlib`` kernel, HTML without code, in
parallel on any ``concurrent.futures`` executor (a process pool, or a Dask cluster).

One notebook that fails (a cell that raises, a timeout) becomes a failure record; the
others carry on. Every output is written under a temporary name and renamed into place,
so nothing is half-written, even on Ctrl-C.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import tempfile
import time
import traceback
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import nbformat

from svlib import paths
from svlib.analysis.evidence import redact
from svlib.core.files import write_atomic
from svlib.core.problems import Problem
from svlib.core.processes import end_with_parent
from svlib.core.provenance import input_fingerprints

KERNEL = "svlib"
"""The Jupyter kernel every report runs on (registered by ``make setup``)."""

HEADLINE_KEY = "svlib"
"""Output metadata key under which a notebook publishes its headline figures."""

TEMPLATES_DIR = paths.PACKAGE_DIR / "templates"
"""Page templates shipped with svlib: ``svlib_report`` for nbconvert (the lab look, no remote
scripts) and ``site`` for the index page (:mod:`svlib.reporting.site`)."""


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run.

    Parameters
    ----------
    key : str
        Unique name in the run, such as ``partner/food-network``.
    kind : str
        ``partner``, ``scoping``, ``proxies`` or ``theme``.
    title : str
        Human title (plain text; escaped wherever shown).
    notebook : str
        Source notebook path.
    parameters : dict
        Papermill parameters.
    output_stem : str
        Output path without suffix; ``.ipynb`` and ``.html`` are written.
    inputs : tuple of str
        Files the report reads, fingerprinted in the run record.
    defaults : tuple of str
        Parameters of the notebook deliberately left at the value its parameters cell
        gives. Every other parameter the cell declares must be in ``parameters``, and
        ``parameters`` may hold nothing the cell does not declare (:func:`parameter_mismatch`).
    run_id : str
        The run the job belongs to, written into the executed notebook's metadata
        (``svlib_run``) and its page (``<meta name="svlib-run">``), so that every page
        can be matched to the ``run.json`` of its run.
    """

    key: str
    kind: str
    title: str
    notebook: str
    parameters: dict[str, Any]
    output_stem: str
    inputs: tuple[str, ...] = field(default_factory=tuple)
    run_id: str = ""
    defaults: tuple[str, ...] = ()


@lru_cache(maxsize=32)
def notebook_parameters(notebook: str) -> tuple[str, ...]:
    """The names a notebook's cell tagged ``parameters`` declares, in order (papermill's
    ``inspect_notebook``); empty when it has no such cell."""
    import papermill  # local: papermill and its dependencies load only when notebooks run

    return tuple(papermill.inspect_notebook(notebook))


def parameter_mismatch(job: NotebookJob) -> str | None:
    """Why a job's parameters do not fit its notebook, or None when they do.

    papermill only warns about a parameter the notebook does not declare (and injects it
    anyway), and a declared parameter that is not passed silently keeps the notebook's
    default; both are refused here, as is a parameter named as left at its default that
    the notebook no longer declares, so a renamed, added or dropped parameter fails loudly.
    """
    declared = notebook_parameters(job.notebook)
    if not declared:
        return f"{paths.shown(job.notebook)} has no cell tagged 'parameters'"
    unknown = [name for name in (*job.parameters, *job.defaults) if name not in declared]
    missing = [name for name in declared if name not in job.parameters and name not in job.defaults]
    if not unknown and not missing:
        return None
    parts = ([f"it does not declare {', '.join(unknown)}"] if unknown else []) + (
        [f"svlib does not pass {', '.join(missing)}"] if missing else [])
    return f"the parameters of {paths.shown(job.notebook)} do not match this report's: {'; '.join(parts)}"


def headline_of(notebook: nbformat.NotebookNode) -> dict[str, Any]:
    """Figures a notebook published with ``display(..., metadata={"svlib": {...}})``."""
    found: dict[str, Any] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(HEADLINE_KEY)
            if isinstance(meta, dict):
                found.update(meta)
    return found


def to_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """The executed notebook as a self-contained HTML page without code or prompts.

    What a cell printed (stdout: the checked headline lines nbval compares; stderr:
    warnings) is left out of the page and stays in the .ipynb for researchers: a page shows
    only what was displayed for its reader (tables, charts, sentences). Images are embedded.
    """
    clean = nbformat.from_dict(notebook)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if o.get("output_type") != "stream"]
    clean.metadata["title"] = title  # the template escapes it
    body, _ = _html_exporter().from_notebook_node(clean)
    return finish_page(body)


BACK_LINK = "All the forum's reports"
"""The words of the link at the top of every page back to its run's index (``../index.html``)."""


def finish_page(page: str) -> str:
    """A converted page made ready for a reader: a link back to the run's index at the top,
    and after the page's heading a list of its sections ("On this page"), each ``h2``
    linked by its id (one is given where a heading has none).

    The page is nbconvert's own output, so its tags are regular: they are found by pattern
    rather than parsed again (a page holds its charts inline, hundreds of kilobytes that a
    parser would walk for nothing). Heading text is taken without its tags, unescaped, and
    escaped again where it is written."""
    sections: list[tuple[str, str]] = []

    def section(match: re.Match) -> str:
        attributes, inner = match.group(1) or "", match.group(2)
        found = re.search(r'\bid="([^"]*)"', attributes)
        anchor = html.unescape(found.group(1)) if found else f"section-{len(sections) + 1}"  # escaped once below
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()
        sections.append((anchor, " ".join(text.split())))
        return match.group(0) if found else f'<h2 id="{anchor}"{attributes}>{inner}</h2>'

    page = H2.sub(section, page)
    page = OUTPUT_AREA.sub(lambda m: m.group(0)[:-1] + ' tabindex="0">', page)  # a wide table scrolls by keyboard too
    back = f'<nav class="svlib-back" aria-label="Back to the index"><a href="../index.html">← {html.escape(BACK_LINK)}</a></nav>'
    page = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + back, page, count=1)
    if len(sections) > 1:
        items = "".join(f'<li><a href="#{html.escape(a, quote=True)}">{html.escape(t)}</a></li>' for a, t in sections)
        contents = f'<nav class="svlib-contents" aria-label="On this page"><p>On this page:</p><ul>{items}</ul></nav>'
        page = re.sub(r"(</h1>)", lambda m: m.group(1) + contents, page, count=1)
    return page


H2 = re.compile(r"<h2(\s[^>]*)?>(.*?)</h2>", re.S)
OUTPUT_AREA = re.compile(r'<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*(?<!tabindex="0")>')
"""An output area of a converted page (its opening tag), made focusable."""
"""A second-level heading of a converted page (its attributes, its inner HTML)."""


@lru_cache(maxsize=1)
def _html_exporter() -> Any:
    """One exporter per process: compiling its templates takes longer than converting a
    report, and the exporter keeps no state between notebooks.

    nbconvert's HTML exporter ends by parsing the whole page again (its charts inline,
    hundreds of kilobytes) to give images without alternative text a placeholder and
    output areas a ``tabindex``. svlib's pages need neither: every chart carries its own
    words (a picture without them fails the finish check), and :func:`finish_page` makes
    output areas focusable by pattern. So the exporter stops after its template: the same
    page, about 0.06 s sooner (two thirds of a report page's conversion)."""
    from nbconvert import HTMLExporter  # local: nbconvert takes about a second to import
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:  # HTMLExporter's, less its reparse
            language = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(
                pygments_lexer=language.get("pygments_lexer", language.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = PageExporter(template_name="svlib_report", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


@contextmanager
def _kernel_stderr_captured() -> Iterator[Path]:
    """Send this process's stderr (which the kernel inherits) to a temporary file while a
    notebook runs, so kernels' start-up chatter does not interleave with the progress bar;
    the file's tail is kept in the record when a notebook fails."""
    handle, name = tempfile.mkstemp(prefix="svlib-kernel-", suffix=".log")
    saved = os.dup(2)
    try:
        os.dup2(handle, 2)
        yield Path(name)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(handle)


@contextmanager
def kernel_sockets() -> Iterator[dict[str, Any]]:
    """papermill's keyword arguments for a kernel that talks over Unix sockets in a private
    temporary folder (mode 0700, removed afterwards), on systems that have them.

    Over TCP, each kernel binds ports on localhost that jupyter_client picked as free a
    moment before; two kernels starting at once (``--jobs 2``, a Dask cluster) can pick the
    same port, and one dies before it replies ("Address already in use"), failing its
    report. Sockets named in a folder of their own cannot collide, and no other user of
    the machine can connect to them. Elsewhere (Windows), the default TCP transport.
    """
    if os.name != "posix":
        yield {}
        return
    from traitlets.config import Config  # installed with Jupyter; loaded only when a notebook runs

    folder = tempfile.mkdtemp(prefix="svlib-kernel-")
    try:
        yield {"config": Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_notebook(job: NotebookJob, kernel: str = KERNEL, timeout: int = 900, cwd: str | None = None) -> dict[str, Any]:
    """Execute one job and write its ``.ipynb`` and ``.html``; returns the run record.

    Never raises for a failing notebook: the record's ``status`` is ``failed`` and
    ``error`` says which cell raised what, or that the notebook ran out of time:
    ``timeout`` seconds for the whole notebook (its kernel is then stopped), however
    long each cell takes.
    """
    import papermill  # local, as in notebook_parameters: only a run that executes notebooks loads papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    stem = Path(job.output_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    temporary = stem.parent / f".{stem.name}.{os.getpid()}.running.ipynb"
    record: dict[str, Any] = {
        "key": job.key, "kind": job.kind, "title": job.title, "notebook": job.notebook,
        "parameters": job.parameters, "status": "failed", "error": None, "headline": {},
        "html": None, "ipynb": None,
    }
    try:
        mismatch = parameter_mismatch(job)
        if mismatch:
            record["error"] = mismatch
            return record
        record["input_hashes"] = {k: v["sha256"] for k, v in input_fingerprints(job.inputs).items()}
        deadline = time.monotonic() + timeout

        def time_left(cell: Any) -> int:  # each cell may use what the notebook has left of its time
            return max(1, math.ceil(deadline - time.monotonic()))

        with _kernel_stderr_captured() as kernel_log, kernel_sockets() as sockets:
            try:
                executed = papermill.execute_notebook(
                    job.notebook, str(temporary), parameters=job.parameters, kernel_name=kernel, progress_bar=False,
                    execution_timeout=timeout, timeout_func=time_left, cwd=cwd, log_output=False,
                    # written once at the end (and on a failure), not after every cell
                    request_save_on_cell_execute=False, **sockets,
                )
            except BaseException:
                record["kernel_log"] = kernel_log.read_text(errors="replace")[-2000:]
                raise
            finally:
                kernel_log.unlink(missing_ok=True)
        record["headline"] = headline_of(executed)
        run = executed.metadata.get("papermill", {})  # where it ran, as the shared notebook may say it
        run.update(input_path=paths.shown(job.notebook), output_path=stem.name + ".ipynb")
        if job.run_id:
            executed.metadata["svlib_run"] = job.run_id
        nbformat.write(executed, str(temporary))
        write_atomic(stem.with_suffix(".html"), to_html(executed, job.title))
        os.replace(temporary, stem.with_suffix(".ipynb"))
        record.update(status="ok", html=str(stem.with_suffix(".html")), ipynb=str(stem.with_suffix(".ipynb")))
    except PapermillExecutionError as exc:
        # the message may quote partner data: it goes to the researcher (detail), not to the shared record
        record["error"] = f"cell {exc.exec_count} raised {exc.ename}"
        record["detail"] = f"{exc.ename}: {exc.evalue}".strip()
    except Exception as exc:  # noqa: BLE001 - a timeout or a dead kernel is this job's failure only
        name = type(exc).__name__
        record["error"] = name if "Timeout" not in name else (
            f"timed out: stopped after {timeout} s, the time limit for one report (--timeout)")
        record["detail"] = f"{name}: {exc}"
        record["trace"] = traceback.format_exc(limit=3)
    finally:
        temporary.unlink(missing_ok=True)
        record["duration_seconds"] = round(time.perf_counter() - started, 3)
    return record


def failure_record(job_key: str, kind: str, title: str, error: str, problems: Iterable[Problem] = ()) -> dict[str, Any]:
    """A record for a job that could not even start (such as invalid partner data).

    ``problems`` are kept only as a shared page may show them: where each is and what
    was expected, with the partner's content and contact details left out
    (:meth:`~svlib.core.problems.Problem.shared`, :func:`~svlib.analysis.evidence.redact`)."""
    return {"key": job_key, "kind": kind, "title": title, "status": "failed", "error": error,
            "problems": [redact(p.shared()) for p in problems], "headline": {}, "html": None, "ipynb": None,
            "duration_seconds": 0.0, "parameters": {}, "input_hashes": {}}


def run_jobs(
    jobs: list[NotebookJob],
    executor: Executor | None = None,
    workers: int = 1,
    timeout: int = 900,
    progress: bool = True,
    cwd: str | None = None,
) -> list[dict[str, Any]]:
    """Run every job on ``executor`` (default: a process pool of ``workers``), with a
    progress bar; returns records in job order. Ctrl-C cancels what has not started."""
    from tqdm.auto import tqdm  # local: the progress bar's module, which picks a notebook or a terminal bar

    own = executor is None
    executor = executor or ProcessPoolExecutor(max_workers=max(1, workers), initializer=end_with_parent)
    futures: dict[Future, int] = {}
    records: list[dict[str, Any] | None] = [None] * len(jobs)
    try:
        for i, job in enumerate(jobs):
            futures[executor.submit(run_notebook, job, KERNEL, timeout, cwd)] = i
        with tqdm(total=len(jobs), desc="reports", unit="notebook", disable=not progress) as bar:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    records[i] = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died
                    records[i] = failure_record(jobs[i].key, jobs[i].kind, jobs[i].title, f"worker failed: {exc}")
                bar.update(1)
                bar.set_postfix_str(jobs[i].key)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        raise
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    return [r for r in records if r is not None]


