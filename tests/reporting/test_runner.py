"""Running report notebooks: the parameters a job passes must be the notebook's own."""

from __future__ import annotations

import re

import nbformat
import pytest

from svlib import paths
from svlib.reporting.reports import partner_jobs, research_jobs
from svlib.reporting.runner import NotebookJob, parameter_mismatch, run_notebook

PARTNER = {"partner_id": "food-network", "collection": "example", "data_dir": "data/processed/example",
           "n_draws": 100, "seed": 0}


def _notebook(tmp_path, source: str, tags: list[str] | None = ("parameters",)) -> str:
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "svlib", "display_name": "Python (svlib)", "language": "python"}
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    book.cells = [cell, nbformat.v4.new_code_cell("print(seed)")]
    path = tmp_path / "report.ipynb"
    nbformat.write(book, str(path))
    return str(path)


def _job(notebook: str, tmp_path, parameters: dict, defaults: tuple[str, ...] = ()) -> NotebookJob:
    return NotebookJob(key="partner/x", kind="partner", title="x", notebook=notebook, parameters=parameters,
                       output_stem=str(tmp_path / "out" / "x"), defaults=defaults)


def test_every_job_svlib_makes_fits_its_notebook(tmp_path):
    class Partner:
        partner_id, source = "food-network", str(paths.raw_collection("example") / "food-network.xlsx")
        partner = {"name": "Food network"}

    jobs = partner_jobs([Partner()], "example", tmp_path, tmp_path / "out", 100, 0)
    jobs += partner_jobs([Partner()], "example", tmp_path, tmp_path / "out", 100, 0, {"scenario": {"name": "s"}})
    jobs += research_jobs("example", tmp_path, tmp_path / "out", 100, 0)
    assert [(job.key, parameter_mismatch(job)) for job in jobs] == [(job.key, None) for job in jobs]


def test_research_pages_take_the_runs_date_and_the_collections_price_year(example_folder, processed_example):
    import datetime as dt

    import pandas as pd

    from svlib.analysis.scoping import as_of_date

    jobs = {job.key: job for job in research_jobs("example", example_folder, example_folder / "out", 100, 0,
                                                  as_of=dt.date(2027, 3, 1))}
    assert jobs["research/scoping"].parameters["as_of"] == "2027-03-01"
    years = pd.to_numeric(processed_example["Partner"]["price_year"])
    assert jobs["research/proxies"].parameters["price_year"] == int(years.max())
    # a notebook run on its own judges statuses on today, never on a date written in it
    assert as_of_date("") == dt.date.today() and as_of_date("2026-11-25") == dt.date(2026, 11, 25)
    with pytest.raises(ValueError, match="year-month-day"):
        as_of_date("25/11/2026")


def test_a_parameter_the_notebook_does_not_declare_fails_the_report_before_it_runs(tmp_path):
    notebook = _notebook(tmp_path, "seed = 1\npartner_id = ''")
    record = run_notebook(_job(notebook, tmp_path, {"seed": 2, "partner_id": "a", "sede": 3}))
    assert record["status"] == "failed"
    assert "does not declare sede" in record["error"]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_declared_parameter_left_unpassed_fails_unless_named_as_a_default(tmp_path):
    notebook = _notebook(tmp_path, "seed = 1\nprice_year = 0")
    missing = run_notebook(_job(notebook, tmp_path, {"seed": 2}))
    assert missing["status"] == "failed" and "svlib does not pass price_year" in missing["error"]
    assert parameter_mismatch(_job(notebook, tmp_path, {"seed": 2}, defaults=("price_year",))) is None


def test_a_default_the_notebook_no_longer_declares_is_refused(tmp_path):
    # the notebook dropped (or renamed) a parameter svlib still names as left at its default
    notebook = _notebook(tmp_path, "seed = 1")
    assert "does not declare price_year" in parameter_mismatch(_job(notebook, tmp_path, {"seed": 2},
                                                                    defaults=("price_year",)))


def test_a_notebook_without_a_parameters_cell_is_refused(tmp_path):
    notebook = _notebook(tmp_path, "seed = 1", tags=None)
    record = run_notebook(_job(notebook, tmp_path, {"seed": 2}))
    assert record["status"] == "failed"
    assert "has no cell tagged 'parameters'" in record["error"]


def test_a_finished_page_links_back_and_lists_its_sections_by_their_own_ids():
    from bs4 import BeautifulSoup

    from svlib.reporting.runner import BACK_LINK, finish_page

    page = ('<html><body><h1>A report</h1><h2 id="Costs-&amp;-benefits">Costs &amp; benefits'
            '<a class="anchor-link" href="#Costs-&amp;-benefits">¶</a></h2><p>x</p>'
            '<div><h2>&lt;script&gt;alert(1)&lt;/script&gt; "quoted"</h2></div></body></html>')
    soup = BeautifulSoup(finish_page(page), "html.parser")
    assert soup.body.contents[0].name == "nav" and BACK_LINK in soup.body.contents[0].get_text()
    assert soup.select_one("nav.svlib-back a")["href"] == "../index.html"
    links = soup.select("nav.svlib-contents a")
    assert [a.get_text() for a in links] == ["Costs & benefits", '<script>alert(1)</script> "quoted"']
    ids = {h["id"] for h in soup.find_all("h2")}
    assert [a["href"].removeprefix("#") for a in links] == ["Costs-&-benefits", "section-2"] and ids == {
        "Costs-&-benefits", "section-2"}
    assert soup.find("script") is None  # heading text stays text


def test_a_converted_page_has_focusable_outputs_and_no_code():
    from svlib.reporting.runner import to_html

    cell = nbformat.v4.new_code_cell("secret_code_here = 1", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>wide</td></tr></table>",
                                                     "text/plain": "t"}),
        nbformat.v4.new_output("stream", name="stdout", text="a printed line\n")])
    page = to_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), cell]), "A title")
    areas = re.findall(r'<div class="[^"]*jp-OutputArea-output[^"]*"[^>]*>', page)
    assert areas and all('tabindex="0"' in a for a in areas)  # a wide table can be scrolled by keyboard
    assert "secret_code_here" not in page and "a printed line" not in page and "<td>wide</td>" in page
    assert "<title>A title</title>" in page


def test_a_report_kernel_talks_over_private_sockets_that_are_gone_afterwards(tmp_path):
    # over TCP, two kernels starting at once could pick the same port and one died
    # ("Address already in use"), failing its report; Unix sockets in a folder of the run's
    # own cannot collide, and no other user can connect to them
    import json
    from pathlib import Path

    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "svlib", "display_name": "Python (svlib)", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell("seed = 0", metadata={"tags": ["parameters"]}),
                  nbformat.v4.new_code_cell("import json, os, ipykernel.connect\n"
                                            "info = json.loads(ipykernel.connect.get_connection_info())\n"
                                            "print(json.dumps([info['transport'], info['ip'], "
                                            "oct(os.stat(os.path.dirname(info['ip'])).st_mode & 0o777)]))")]
    path = tmp_path / "sockets.ipynb"
    nbformat.write(book, str(path))
    record = run_notebook(_job(str(path), tmp_path, {"seed": 1}))
    assert record["status"] == "ok", record.get("detail")
    executed = nbformat.read(record["ipynb"], as_version=4)
    transport, address, mode = json.loads(executed.cells[-1].outputs[0]["text"])
    assert transport == "ipc" and mode == "0o700"
    assert not Path(address).parent.exists()  # the sockets' folder is removed with the kernel
