"""svlib reports: one report per partner with papermill, failures that do not stop the
others, run.json, the index page, and reproducible numbers."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from svlib import paths
from svlib.cli import main
from svlib.reports import run_reports
from svlib.runner import NotebookJob, run_notebook
from tests.conftest import XSS_NAME

REPORT_NOTEBOOKS = sorted(p for p in paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def parameters_cells(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    return sum("parameters" in c.get("metadata", {}).get("tags", []) for c in notebook.cells)


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.name)
def test_each_report_notebook_has_exactly_one_parameters_cell(path):
    assert parameters_cells(path) == 1


def test_a_notebook_without_parameters_cell_is_caught(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "bare.ipynb"
    nbformat.write(notebook, path)
    assert parameters_cells(path) == 0


def test_run_json_records_every_partner_and_the_failure(report_run):
    result, raw, root = report_run
    run = json.loads((root / "out" / "run.json").read_text())
    assert not result.ok
    by_key = {r["key"]: r for r in run["notebooks"]}
    for partner in ("food-network", "youth-hub", "befriending-service", "xss-test"):
        record = by_key[f"partner/{partner}"]
        assert record["status"] == "ok", record.get("error")
        for key in ("sroi_ratio", "p5", "p95", "prob_ratio_below_1"):
            assert isinstance(record[key], float)
        assert record["p5"] <= record["p95"]
        assert record["parameters"]["seed"] == 11 and record["parameters"]["n_draws"] == 2000
        assert record["duration_seconds"] > 0
        assert len(record["input_hashes"]) >= 2 and all(len(h) == 64 for h in record["input_hashes"].values())
    failed = by_key["partner/broken"]
    assert failed["status"] == "failed" and "invalid data" in failed["error"]
    assert any(":ImpactMap:2:deadweight: '25' is a bare number above 1" in p for p in failed["problems"])


def test_each_report_has_a_figure_and_html_without_code(report_run):
    result, raw, root = report_run
    for record in result.run["notebooks"]:
        if record["status"] != "ok" or record["kind"] != "partner":
            continue
        executed = nbformat.read(record["ipynb"], as_version=4)
        images = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert len(images) >= 1
        page = Path(record["html"]).read_text(encoding="utf-8")
        assert "partner_report.prepare" not in page  # code cells are hidden
        assert "<script src=" not in page  # nothing fetched from the internet
        assert "data:image/png;base64" in page


def test_index_links_reports_and_escapes_partner_text(report_run):
    result, raw, root = report_run
    page = result.index.read_text(encoding="utf-8")
    assert XSS_NAME not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    for partner in ("food-network", "youth-hub", "befriending-service", "xss-test"):
        assert f'href="partners/{partner}.html"' in page
    assert "bare number above 1" in page  # the failure's reason is shown


def test_rerunning_gives_identical_numbers(report_run, tmp_path):
    result, raw, root = report_run
    again = run_reports(raw, tmp_path / "out", partners=["youth-hub"], jobs=1, draws=2000, seed=11,
                        processed=tmp_path / "processed", progress=False)
    first = {r["key"]: r for r in result.run["notebooks"]}["partner/youth-hub"]
    second = {r["key"]: r for r in again.run["notebooks"]}["partner/youth-hub"]
    assert again.ok
    assert {k: first[k] for k in ("sroi_ratio", "p5", "p50", "p95", "prob_ratio_below_1")} == \
           {k: second[k] for k in ("sroi_ratio", "p5", "p50", "p95", "prob_ratio_below_1")}


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "svlib", "display_name": "Python (svlib)", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_a_cell_that_raises_becomes_a_failure_record(tmp_path):
    source = write_notebook(tmp_path / "raises.ipynb", "print('fine')", "raise ValueError('planted failure')")
    record = run_notebook(NotebookJob("t/raises", "partner", "Raises", str(source), {"x": 2}, str(tmp_path / "o" / "r")))
    assert record["status"] == "failed"
    assert "ValueError" in record["error"] and "planted failure" in record["error"]
    assert not list((tmp_path / "o").glob("*"))  # nothing half-written


def test_a_timeout_becomes_a_failure_record(tmp_path):
    source = write_notebook(tmp_path / "slow.ipynb", "import time; time.sleep(30)")
    record = run_notebook(NotebookJob("t/slow", "partner", "Slow", str(source), {}, str(tmp_path / "o" / "s")),
                          timeout=3)
    assert record["status"] == "failed" and "timed out" in record["error"]


def test_cli_exits_non_zero_after_finishing_the_others(report_run, tmp_path, capsys):
    result, raw, root = report_run
    code = main(["reports", "--data", str(raw), "--out", str(tmp_path / "out"), "--partners", "food-network,broken",
                 "--draws", "500", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.strip().endswith("index.html")
    assert "failed: partner/broken" in err
    assert (tmp_path / "out" / "partners" / "food-network.html").exists()


def test_runs_on_a_dask_cluster(report_run, tmp_path):
    from distributed import LocalCluster

    result, raw, root = report_run
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = run_reports(raw, tmp_path / "out", partners=["youth-hub"], scheduler=cluster.scheduler_address,
                              draws=2000, seed=11, processed=tmp_path / "processed", progress=False)
    assert on_dask.ok
    local = {r["key"]: r for r in result.run["notebooks"]}["partner/youth-hub"]
    remote = {r["key"]: r for r in on_dask.run["notebooks"]}["partner/youth-hub"]
    assert remote["sroi_ratio"] == local["sroi_ratio"] and remote["p95"] == local["p95"]


def test_research_reports_run_once_per_collection_and_theme_and_are_linked(report_run):
    result, raw, root = report_run
    by_key = {r["key"]: r for r in result.run["notebooks"]}
    expected = ["research/scoping", "research/proxies"] + [f"theme/{t}" for t in
                                                           ("jobs", "growth", "social", "environment", "innovation")]
    page = result.index.read_text(encoding="utf-8")
    for key in expected:
        assert by_key[key]["status"] == "ok", by_key[key].get("error")
        html = Path(by_key[key]["html"])
        assert html.exists()
        assert f'href="{html.relative_to(root / "out").as_posix()}"' in page
    theme_page = Path(by_key["theme/jobs"]["html"]).read_text(encoding="utf-8")
    assert "Combined value, with uncertainty" in theme_page and "data:image/png;base64" in theme_page


def test_the_shared_html_exporter_keeps_nothing_between_notebooks(report_run):
    # one exporter serves every report in a process: converting one partner's notebook must
    # not change the page made for the next (compared with a page from a fresh exporter)
    from svlib.runner import _html_exporter, to_html

    result, raw, root = report_run
    done = [r for r in result.run["notebooks"] if r["status"] == "ok" and r["kind"] == "partner"]
    first, second = (nbformat.read(r["ipynb"], as_version=4) for r in done[:2])
    to_html(first, "first")
    shared = to_html(second, "second")
    _html_exporter.cache_clear()
    assert to_html(second, "second") == shared


def test_reports_refuse_to_write_into_the_raw_folder(tmp_path):
    import shutil

    from svlib.problems import InputError

    raw = tmp_path / "forum"
    raw.mkdir()
    shutil.copy(paths.raw_collection("example") / "youth-hub.xlsx", raw)
    before = sorted((p.name, p.read_bytes()) for p in raw.iterdir())
    with pytest.raises(InputError) as refused:
        run_reports(raw, out=tmp_path / "out", processed=raw, draws=200, jobs=1)
    assert "holds the raw workbooks" in str(refused.value.problems[0])
    with pytest.raises(InputError) as refused:
        run_reports(raw, out=raw / "reports", processed=tmp_path / "tables", draws=200, jobs=1)
    assert str(refused.value.problems[0]).startswith(f"{raw / 'reports'}:") and "inside the raw folder" in str(
        refused.value.problems[0])
    assert sorted((p.name, p.read_bytes()) for p in raw.iterdir()) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "tables").exists()
