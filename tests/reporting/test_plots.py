"""svlib.reporting.plots: figures carry the marks and plain-English labels they promise, and touch no
global matplotlib state."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt  # only to check that no pyplot figure is created
import numpy as np
import pytest
from matplotlib.figure import Figure

from svlib import paths
from svlib.reporting.plots import RATIO_AXIS, ratio_distribution, sobol_bars, tornado_chart
from svlib.uncertainty.estimates import central_valuation
from svlib.uncertainty.montecarlo import simulate
from svlib.uncertainty.sensitivity import sobol_indices, tornado
from svlib.validate.impact_map import load_impact_map

INVESTMENT = 95_000.0


@pytest.fixture(scope="module")
def example():
    return load_impact_map(paths.EXAMPLE_IMPACT_MAP, price_year=2024)


def vertical_lines(ax) -> list[float]:
    return [line.get_xdata()[0] for line in ax.get_lines() if len(set(line.get_xdata())) == 1]


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_ratio_distribution_marks_percentiles_and_one_to_one(example):
    before = plt.get_fignums()
    sim = simulate(example, INVESTMENT, draws=2000, seed=1)
    headline = central_valuation(example, INVESTMENT).sroi_ratio
    fig = ratio_distribution(sim, headline)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_xlabel() == RATIO_AXIS == "£ of social value per £1 invested"
    summary = sim.summary()["sroi_ratio"]
    # the headline itself is marked (not the median), inside the likely range
    assert vertical_lines(ax) == pytest.approx([headline, summary["p5"], summary["p95"], 1.0])
    assert summary["p5"] <= headline <= summary["p95"]
    assert any(f"headline ratio: £{headline:.2f}" == t.get_text() for t in fig.legends[0].get_texts())
    assert "simulations" in ax.get_title()
    assert png_bytes(fig).startswith(b"\x89PNG")
    assert plt.get_fignums() == before


def test_tornado_chart_marks_the_base_case(example):
    table = tornado(example, INVESTMENT)
    fig = tornado_chart(table, top=10)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(table["label"].head(10))[::-1]
    assert table.attrs["base_ratio"] in vertical_lines(ax)
    assert ax.get_xlabel().startswith(RATIO_AXIS)
    assert len(ax.patches) == 10
    # each bar is labelled with its change in ratio units, and every label lies inside the axis (not clipped)
    texts = [t for t in ax.texts]
    shown = table.head(10).iloc[::-1]
    assert [t.get_text() for t in texts] == [f"{a:+.2f} / {b:+.2f}" for a, b in
                                             zip(shown["change_at_low"], shown["change_at_high"])]
    left, right = ax.get_xlim()
    assert all(left <= t.get_position()[0] < right for t in texts)
    # a quarter of the headline either side is always on the axis, so a small swing draws small
    assert left <= 0.75 * table.attrs["base_ratio"] and right >= 1.25 * table.attrs["base_ratio"]
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_sobol_bars(example):
    table = sobol_indices(example, INVESTMENT, n=128)
    fig = sobol_bars(table)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == list(table["group"])
    heights = sorted(round(p.get_height(), 12) for p in ax.patches)
    assert heights == sorted(round(v, 12) for v in np.concatenate([table["S1"], table["ST"]]))
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_labels_from_partner_data_are_drawn_as_written():
    # a pair of $ starts matplotlib's mathematical notation; an unknown command in it
    # stopped a whole report
    import io

    import pandas as pd

    from svlib.analysis.distance import chart, summarise
    from tests.workbooks import MATH_LABEL

    t = pd.DataFrame({"parameter": ["deadweight"], "outcome_id": [MATH_LABEL], "low_value": [0.1], "high_value": [0.3],
                      "ratio_at_low": [2.0], "ratio_at_high": [1.5], "change_at_low": [0.2], "change_at_high": [-0.3],
                      "swing": [0.5], "label": [MATH_LABEL]})
    t.attrs["base_ratio"] = 1.8
    readings = pd.DataFrame({"person_ref": ["P1", "P1"], "star": ["$\\frac$ star"] * 2, "area": [MATH_LABEL] * 2,
                             "reading_number": [1, 2], "reading_date": pd.to_datetime(["2024-05-01", "2024-11-01"]),
                             "score": [3.0, 6.0]})
    for fig in (tornado_chart(t), chart(summarise(readings))):
        fig.savefig(io.BytesIO(), format="png")  # raised ValueError before labels were escaped
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert any(MATH_LABEL.replace("$", "\\$") in text for text in texts)


def test_every_report_chart_keeps_its_key_off_the_data_and_says_what_it_shows(example_folder):
    import re

    from svlib.reporting import figures
    from svlib.reporting.partner_report import prepare
    from svlib.reporting.report_text import ratio

    report = prepare("youth-hub", "example", example_folder, draws=400, seed=2)
    charts = [figures.ratio_chart(report), figures.theme_chart(report), figures.year_chart(report),
              figures.tornado(report), figures.sobol(report),
              *[p for p in figures.distance_tables(report) if isinstance(p, figures.Chart)]]
    assert len(charts) == 6
    for chart in charts:
        fig = chart.figure
        fig.canvas.draw()  # lay it out, as the page's picture is
        # no key inside a plotting area, where it could cover bars or points
        assert all(ax.get_legend() is None for ax in fig.axes), chart.alt
        for legend in fig.legends:
            box = legend.get_window_extent()
            assert not any(box.overlaps(ax.get_window_extent()) for ax in fig.axes), chart.alt
        # words a screen reader reads, with numbers in them, and the picture with those words on the page
        assert len(chart.alt) > 40 and re.search(r"\d", chart.alt)
        page = chart._repr_html_()
        assert "alt='" in page and "data:image/png;base64," in page
    assert ratio(report.headline["sroi_ratio"]) in charts[0].alt
    assert "The chart's data" in charts[0]._repr_html_()


def test_an_area_of_fewer_than_5_people_shows_no_figure_that_gives_its_scores_away():
    # scores are whole numbers: Beta's 3 people scoring 2, 2, 3 then 3, 3, 3 have a mean first score of
    # 7 / 3 = 2.33, a mean change of 2 / 3 = 0.67 and 2 of 3 improving (67%); any of them gives the count
    import pandas as pd

    from svlib.reporting import figures

    rows = []
    for i in range(6):
        rows += [("A%d" % i, "Alpha", 1, "2024-05-01", 3), ("A%d" % i, "Alpha", 2, "2024-11-01", 5)]
    for i, (first, latest) in enumerate([(2, 3), (2, 3), (3, 3)]):
        rows += [("B%d" % i, "Beta", 1, "2024-05-01", first), ("B%d" % i, "Beta", 2, "2024-11-01", latest)]
    readings = pd.DataFrame(rows, columns=["person_ref", "area", "reading_number", "reading_date", "score"])
    readings["star"] = "Wellbeing"
    readings["reading_date"] = pd.to_datetime(readings["reading_date"])
    summary_table, chart = figures.distance_pieces(readings)
    beta = summary_table.data[summary_table.data.index(">Beta<"):]
    beta = beta[:beta.index("</tr>")]
    for given_away in ("2.3", "0.67", "67%", ">3<"):
        assert given_away not in beta and given_away not in chart.alt, given_away
    assert "withheld: fewer than 5 people" in beta and "&lt;5" in beta
    assert "Beta" not in chart.alt and "left out" in chart.alt  # not charted either
    assert "Alpha (Wellbeing): from 3.0 to 5.0" in chart.alt
