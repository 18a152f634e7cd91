"""svlib reports: one report per partner with papermill, failures that do not stop the
others, run.json, the index page, and reproducible numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pytest

from svlib import paths
from svlib.cli import main
from svlib.reporting.reports import run_reports
from svlib.reporting.runner import NotebookJob, run_notebook
from tests.conftest import XSS_NAME

REPORT_NOTEBOOKS = sorted(p for p in paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def parameters_cells(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    return sum("parameters" in c.get("metadata", {}).get("tags", []) for c in notebook.cells)


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.name)
def test_each_report_notebook_has_exactly_one_parameters_cell(path):
    assert parameters_cells(path) == 1


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.name)
def test_no_report_notebook_turns_on_pyplot(path):
    # svlib's charts are figures shown as HTML with their words (svlib.reporting.figures.Chart);
    # pyplot's inline back end would only add a hook closing figures after every cell
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "%matplotlib" not in code and "pyplot" not in code


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
    failed = by_key["partner/broken.xlsx"]  # keyed by its file: its partner id may be what is broken
    assert failed["status"] == "failed" and "invalid data" in failed["error"]
    assert "broken.xlsx, sheet ImpactMap, row 2, column deadweight: […] is a bare number above 1: write […]% for […] " \
           "percent, or the fraction […]" in failed["problems"]  # where, and what was expected: not the cell
    assert any(":ImpactMap:2:deadweight: '25' is a bare number above 1" in p for p in result.problems[failed["key"]])


def test_each_report_has_a_figure_and_html_without_code(report_run):
    result, raw, root = report_run
    for record in result.run["notebooks"]:
        if record["status"] != "ok" or record["kind"] != "partner":
            continue
        executed = nbformat.read(result.path(record, "ipynb"), as_version=4)
        charts = [o for c in executed.cells for o in c.get("outputs", [])
                  if "data:image/png;base64" in o.get("data", {}).get("text/html", "")]
        assert len(charts) >= 1  # each chart a picture with its words (svlib.reporting.figures.Chart)
        page = result.path(record).read_text(encoding="utf-8")
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
                        processed=tmp_path / "processed", progress=False, research=False)
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
    assert record["error"] == "cell 4 raised ValueError"  # shared: which cell, not what it said (it may quote data)
    assert record["detail"] == "ValueError: planted failure"  # for the researcher's terminal and log
    assert not list((tmp_path / "o").glob("*"))  # nothing half-written


def test_a_timeout_becomes_a_failure_record(tmp_path):
    source = write_notebook(tmp_path / "slow.ipynb", "import time; time.sleep(30)")
    record = run_notebook(NotebookJob("t/slow", "partner", "Slow", str(source), {"x": 2}, str(tmp_path / "o" / "s")),
                          timeout=3)
    assert record["status"] == "failed" and "timed out" in record["error"]


def test_the_time_limit_is_for_the_whole_report_not_each_cell(tmp_path):
    # six cells of 1.5 s each: every cell within a 4 s limit, the report not
    source = write_notebook(tmp_path / "long.ipynb", *["import time; time.sleep(1.5)"] * 6)
    record = run_notebook(NotebookJob("t/long", "partner", "Long", str(source), {"x": 2}, str(tmp_path / "o" / "l")),
                          timeout=4)
    assert record["status"] == "failed" and record["error"].startswith("timed out: stopped after 4 s")
    assert record["duration_seconds"] < 6 * 1.5  # stopped at the limit, before every cell could have run
    assert not list((tmp_path / "o").glob("*"))


@pytest.mark.slow
def test_cli_exits_non_zero_after_finishing_the_others(report_run, tmp_path, capsys):
    result, raw, root = report_run
    code = main(["reports", "--data", str(raw), "--out", str(tmp_path / "out"), "--partners", "food-network,broken",
                 "--processed", str(tmp_path / "tables"), "--draws", "500", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.strip().endswith("index.html")
    assert "failed: partner/broken" in err
    assert (tmp_path / "out" / "partners" / "food-network.html").exists()


@pytest.mark.slow
def test_runs_on_a_dask_cluster(report_run, tmp_path):
    from distributed import LocalCluster

    result, raw, root = report_run
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = run_reports(raw, tmp_path / "out", partners=["youth-hub"], scheduler=cluster.scheduler_address,
                              draws=2000, seed=11, processed=tmp_path / "processed", progress=False,
                              research=False)
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
        assert result.path(by_key[key]).exists()
        assert f'href="{by_key[key]["html"]}"' in page
    theme_page = result.path(by_key["theme/jobs"]).read_text(encoding="utf-8")
    assert "Combined value, with uncertainty" in theme_page and "data:image/png;base64" in theme_page


def test_the_shared_html_exporter_keeps_nothing_between_notebooks(report_run):
    # one exporter serves every report in a process: converting one partner's notebook must
    # not change the page made for the next (compared with a page from a fresh exporter)
    from svlib.reporting.runner import _html_exporter, to_html

    result, raw, root = report_run
    done = [r for r in result.run["notebooks"] if r["status"] == "ok" and r["kind"] == "partner"]
    first, second = (nbformat.read(result.path(r, "ipynb"), as_version=4) for r in done[:2])
    to_html(first, "first")
    shared = to_html(second, "second")
    _html_exporter.cache_clear()
    assert to_html(second, "second") == shared


def test_reports_refuse_to_write_into_the_raw_folder(tmp_path):
    import shutil

    from svlib.core.problems import InputError

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


class TestNothingIsLost:
    """Ordinary mistakes never delete or replace a file svlib did not write in this run."""

    @pytest.mark.parametrize("given", ["{tmp}/elsewhere/name", "../../name", "food-network,../x", "Food Network"])
    def test_partner_ids_from_the_command_line_must_be_ids_before_they_touch_a_path(self, tmp_path, capsys, given):
        # the clean-up of old reports once joined these onto outputs/<c>/partners/ and deleted what it reached
        victims = [tmp_path / "elsewhere" / "name.html", tmp_path / "elsewhere" / "name.ipynb", tmp_path / "name.html",
                   tmp_path / "out" / "x.html"]
        for victim in victims:
            victim.parent.mkdir(exist_ok=True)
            victim.write_text("a researcher's own file")
        code = main(["reports", "--data", str(paths.raw_collection("example")), "--out", str(tmp_path / "out"),
                     "--partners", given.format(tmp=tmp_path), "--jobs", "1", "--draws", "200"])
        assert code == 1
        assert "--partners:::: expected a short id of lower-case letters" in capsys.readouterr().err
        assert all(victim.read_text() == "a researcher's own file" for victim in victims)

    def test_a_failed_file_never_costs_another_partner_its_report(self, tmp_path):
        from tests.workbooks import edit, write_partner

        raw = tmp_path / "forum"
        raw.mkdir()
        shutil.copy(paths.raw_collection("example") / "youth-hub.xlsx", raw / "hub-2025.xlsx")  # id youth-hub
        broken = shutil.copy(paths.raw_collection("example") / "youth-hub.xlsx", raw / "youth-hub.xlsx")
        edit(broken, "Partner", {"B2": "Youth Hub!"})  # its partner_id is what is broken
        write_partner(raw / "Food-Network.xlsx", base="food-network")
        write_partner(raw / "food-network.xlsx", base="food-network")  # the same id twice: neither is used
        result = run_reports(raw, tmp_path / "out", jobs=1, draws=200, seed=1, processed=tmp_path / "tables",
                             progress=False, research=False)
        by_key = {r["key"]: r for r in result.run["notebooks"]}
        assert sorted(by_key) == ["partner/Food-Network.xlsx", "partner/food-network.xlsx", "partner/youth-hub",
                                  "partner/youth-hub.xlsx"]
        assert by_key["partner/youth-hub"]["status"] == "ok"
        assert result.path(by_key["partner/youth-hub"]).exists()  # the valid report is kept
        for name in ("Food-Network.xlsx", "food-network.xlsx"):
            other = ({"Food-Network.xlsx", "food-network.xlsx"} - {name}).pop()
            assert any(f"partner_id 'food-network' is also used by {other}" in m
                       for m in result.problems[f"partner/{name}"])
        assert not (tmp_path / "out" / "partners" / "food-network.html").exists()
        page = result.index.read_text(encoding="utf-8")
        assert page.count("report ready") == 1 and page.count("no report") == 3

    def test_a_missing_or_empty_raw_folder_leaves_the_published_run_untouched(self, report_run, tmp_path, capsys):
        result, raw, root = report_run
        published = tmp_path / "published"
        shutil.copytree(root / "out", published)
        before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
        (tmp_path / "empty").mkdir()
        for data, message in ((tmp_path / "typo", "folder not found"),
                              (tmp_path / "empty", "no partner workbooks (.xlsx) or CSV folders found")):
            assert main(["reports", "--data", str(data), "--out", str(published), "--jobs", "1"]) == 1
            assert message in capsys.readouterr().err
            assert {p: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before

    def test_a_read_only_output_folder_is_reported_before_any_work(self, report_run, tmp_path):
        import os
        import shutil as sh
        import subprocess
        import sys

        result, raw, root = report_run
        out = tmp_path / "published"
        shutil.copytree(root / "out", out)
        command = [sys.executable, "-m", "svlib", "reports", "--data", str(raw), "--out", str(out), "--jobs", "1"]
        if os.geteuid() != 0:
            for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
                folder.chmod(0o555)
        elif sh.which("unshare"):  # root writes anywhere: mount the folder read-only, as a read-only share is
            command = ["unshare", "-m", "sh", "-c", f'mount --bind "{out}" "{out}" && '
                       f'mount -o remount,bind,ro "{out}" "{out}" && exec "$@"', "sh", *command]
        else:
            pytest.skip("running as root without unshare: no way to make a folder read-only")
        done = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "SVLIB_ROOT": str(tmp_path)})
        assert done.returncode == 1
        assert f"{out}:::: cannot be replaced: {out} is read-only" in done.stderr
        assert not (tmp_path / "data").exists()  # refused before the tables were written or a notebook ran


def test_hostile_files_fail_alone_and_nothing_of_them_is_published(report_run):
    result, raw, root = report_run
    by_key = {r["key"]: r for r in result.run["notebooks"]}
    assert by_key["partner/far-cell.xlsx"]["problems"] == [
        "far-cell.xlsx, sheet ImpactMap, row 1048576, column XFD: the sheet uses cell XFD1048576, beyond the 100,000 "
        "rows and 100 columns (A to CV) svlib reads; delete the rows and columns past the table (select them, then "
        "Delete), then save"]
    assert any("the file is a link to /etc/passwd" in m for m in result.problems["partner/linked"])
    assert all(by_key[f"partner/{p}"]["status"] == "ok" for p in ("food-network", "youth-hub", "xss-test"))
    for published in (result.index, root / "out" / "run.json"):
        assert "root:x:0:0" not in published.read_text(encoding="utf-8")


def test_files_a_run_did_not_write_are_never_replaced_hidden_or_not(report_run, tmp_path):
    # a page added by hand beside the run's own, or a web server's .htaccess, is the user's
    from svlib.reporting.reports import report_folder_problems

    result, raw, root = report_run
    for added in ("partners/food-network-annotated.html", "partners/food-network-annotated.pdf", ".htaccess",
                  "themes/.my-notes.txt"):
        published = tmp_path / added.replace("/", "-")
        shutil.copytree(root / "out", published)
        (published / added).write_text("the researcher's own")
        problems = report_folder_problems(published, raw)
        assert len(problems) == 1 and f"holds files a report run did not write ({added})" in problems[0].message
    clean = tmp_path / "clean"
    shutil.copytree(root / "out", clean)
    (clean / ".DS_Store").write_text("")  # what the system adds by itself does not count
    assert report_folder_problems(clean, raw) == []


def test_the_forum_summary_and_workbook_come_first_and_escape_partner_text(report_run):
    result, raw, root = report_run
    page = result.index.read_text(encoding="utf-8")
    forum_at, partners_at = page.index("The forum's findings"), page.index("Partner reports")
    assert forum_at < partners_at
    assert 'href="forum/summary.html"' in page[forum_at:partners_at]
    assert 'href="forum.xlsx"' in page[forum_at:partners_at] and result.run["workbook"] == "forum.xlsx"
    summary = (result.out_dir / "forum" / "summary.html").read_text(encoding="utf-8")
    assert XSS_NAME not in summary and "&lt;img src=x onerror=alert(1)&gt;" in summary
    assert "not comparable" in summary
    book = openpyxl.load_workbook(result.out_dir / "forum.xlsx")
    names = [c.value for c in book["Partners"]["A"][1:]]
    assert XSS_NAME in names  # text in a cell is only text to a spreadsheet
    assert "broken" not in " ".join(map(str, names)).lower()  # a failed partner is not in the forum's figures


def test_each_published_partner_has_its_workbook_with_the_reports_figures(report_run):
    import math

    from svlib.reporting.partner_workbook import HEADERS, SHEETS

    result, raw, root = report_run
    partners = {r["key"]: r for r in result.run["notebooks"] if r["kind"] == "partner"}
    page = result.index.read_text(encoding="utf-8")
    for key in ("partner/food-network", "partner/youth-hub", "partner/xss-test"):
        record = partners[key]
        assert record["workbook"] == record["html"].replace(".html", ".xlsx") and not record["workbook_error"]
        assert f'href="{record["workbook"]}"' in page
        book = openpyxl.load_workbook(result.out_dir / record["workbook"])
        assert tuple(book.sheetnames) == SHEETS
        for ws in book.worksheets:
            for row in ws.iter_rows(values_only=True):
                assert not any(isinstance(v, str) and v.startswith("=") for v in row)
        values = list(book["Impact map"].iter_rows(values_only=True))
        column = values[0].index(HEADERS["present_value"])
        total = math.fsum(row[column] for row in values[1:])
        assert total == pytest.approx(record["headline"]["present_value"], rel=1e-9)  # the page's own figure
    hostile = openpyxl.load_workbook(result.out_dir / "partners" / "xss-test.xlsx")
    about = dict(hostile["About"].iter_rows(min_row=2, values_only=True))
    assert about["Partner"] == XSS_NAME and about["Run"] == result.run["run_id"]  # text in a cell is only text
    cells = " ".join(str(v) for ws in hostile.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    for planted in ("07700", "jo.lead@example.org", "DH8 5XP"):  # contact details typed in its text fields
        assert planted not in cells
    assert all(r.get("workbook") is None for r in result.run["notebooks"] if r["status"] != "ok")
