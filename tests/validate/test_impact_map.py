"""Reading an impact map CSV: every bad input gives its own message at its row and column,
all problems at once."""

from __future__ import annotations

import pytest

from svlib.core.problems import InputError
from svlib.validate.impact_map import load_impact_map
from tests.conftest import HEADER, one_row


def problems_of(path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_impact_map(path, price_year=2024)
    return [str(p) for p in caught.value.problems]


def test_valid_map_reads_typed_values(write_map):
    frame = load_impact_map(write_map([one_row()]), price_year=2024)
    row = frame.iloc[0]
    assert (row["deadweight"], row["displacement"], row["attribution"], row["drop_off"]) == (0.2, 0.1, 0.25, 0.5)
    assert row["quantity"] == 10.0 and row["duration"] == 3 and row["start_year"] == 1 and row["leakage"] == 0.0
    # a proxy_value with no proxy_year is taken as in the analysis price year, and flagged
    assert row["rebase_factor"] == 1.0 and row["price_year_stated"] == "no"
    assert row["price_year_from"] == "not stated: taken as the analysis price year"


def test_missing_required_column_suggests_the_nearest_header(write_map):
    header = [h if h != "deadweight" else "dead_wieght" for h in HEADER]
    row = one_row()
    row["dead_wieght"] = row.pop("deadweight")
    path = write_map([row], header=header)
    found = problems_of(path)
    assert any(f"{path}:ImpactMap:1:deadweight: missing required column 'deadweight'" in p
               and "'dead_wieght' looks like it" in p for p in found)


def test_non_numeric_quantity(write_map):
    path = write_map([one_row(), one_row(outcome_id="A2", quantity="lots")])
    assert f"{path}:ImpactMap:3:quantity: expected a number (such as 12 or 1,200), got 'lots'" in problems_of(path)


def test_negative_quantity(write_map):
    path = write_map([one_row(quantity="-4")])
    assert any(p.startswith(f"{path}:ImpactMap:2:quantity: expected a number of at least 0") for p in problems_of(path))


def test_fraction_outside_zero_to_one(write_map):
    path = write_map([one_row(attribution="120%"), one_row(outcome_id="A2", displacement="-0.1")])
    found = problems_of(path)
    assert f"{path}:ImpactMap:2:attribution: expected a percentage between 0% and 100%, got '120%'" in found
    assert any(p.startswith(f"{path}:ImpactMap:3:displacement: expected a fraction between 0 and 1") for p in found)


def test_bare_number_above_one_is_refused_with_a_hint(write_map):
    path = write_map([one_row(deadweight="25")])
    assert (f"{path}:ImpactMap:2:deadweight: '25' is a bare number above 1: write 25% for 25 percent, "
            "or the fraction 0.25") in problems_of(path)


@pytest.mark.parametrize("duration", ["0", "2.5", "two"])
def test_duration_must_be_whole_and_at_least_one(write_map, duration):
    path = write_map([one_row(duration=duration)])
    assert any(p.startswith(f"{path}:ImpactMap:2:duration: expected a whole number") for p in problems_of(path))


def test_duplicate_outcome_id(write_map):
    path = write_map([one_row(), one_row(), one_row(outcome_id="B")])
    assert (f"{path}:ImpactMap:3:outcome_id: duplicate outcome_id 'A1' (first used in row 2); each must be unique"
            in problems_of(path))


def test_unknown_theme(write_map):
    path = write_map([one_row(theme="Jbos")])
    found = problems_of(path)
    assert any(p.startswith(f"{path}:ImpactMap:2:theme: expected one of: Jobs, Growth, Social, Environment, Innovation")
               and "did you mean 'Jobs'" in p for p in found)


def test_theme_in_any_case(write_map):
    assert load_impact_map(write_map([one_row(theme="ENVIRONMENT")]), price_year=2024).loc[0, "theme"] == "Environment"


def test_unknown_proxy_id(write_map):
    path = write_map([one_row(proxy_value="", proxy_id="SOC-66")])
    found = problems_of(path)
    assert any(p.startswith(f"{path}:ImpactMap:2:proxy_id: unknown proxy_id 'SOC-66'") and "did you mean" in p
               for p in found)


def test_neither_proxy_value_nor_proxy_id(write_map):
    path = write_map([one_row(proxy_value="", proxy_id="")])
    assert any(p.startswith(f"{path}:ImpactMap:2:proxy_value: neither proxy_value nor proxy_id is given")
               for p in problems_of(path))


def test_every_problem_is_reported_at_once(write_map):
    path = write_map([
        one_row(quantity="x"),
        one_row(outcome_id="A2", deadweight="30"),
        one_row(outcome_id="A3", theme="Sport", duration="0"),
        one_row(outcome_id="A4", proxy_value="", proxy_id=""),
    ])
    found = problems_of(path)
    assert len(found) == 5
    assert [p.split(":")[2:4] for p in found] == [
        ["2", "quantity"], ["3", "deadweight"], ["4", "duration"], ["4", "theme"], ["5", "proxy_value"]]


def test_blank_rows_keep_spreadsheet_row_numbers(write_map, tmp_path):
    path = tmp_path / "gappy.csv"
    good = ",".join(one_row().values())
    bad = ",".join(one_row(outcome_id="A2", quantity="?").values())
    path.write_text(",".join(HEADER) + "\n" + good + "\n,,,,,,,,,,\n\n" + bad + "\n", encoding="utf-8")
    assert any(p.startswith(f"{path}:ImpactMap:5:quantity:") for p in problems_of(path))


def test_library_proxy_is_rebased_with_cpi(write_map):
    # SOC-06 is £30,700 in 2023 prices; CPI 2024/2023 = 133.9/130.5
    frame = load_impact_map(write_map([one_row(proxy_value="", proxy_id="SOC-06")]), price_year=2024)
    assert frame.loc[0, "proxy_value"] == pytest.approx(30700 * 133.9 / 130.5)
    assert frame.loc[0, "proxy_price_year"] == 2023 and frame.loc[0, "price_year_stated"] == "yes"
    assert frame.loc[0, "price_year_from"] == "the proxy library"
    assert "Open Government" not in frame.loc[0, "proxy_licence"]  # a MeasureUp value: licence unconfirmed
    assert "MeasureUp" in frame.loc[0, "proxy_source"]


def test_library_proxy_without_price_year_needs_one(write_map):
    # SOC-01 (DCMS loneliness cost) has no price year in its source
    path = write_map([one_row(proxy_value="", proxy_id="SOC-01")])
    assert any(":ImpactMap:2:proxy_year: proxy SOC-01 has no price year" in p for p in problems_of(path))
    supplied = load_impact_map(write_map([one_row(proxy_value="", proxy_id="SOC-01", proxy_year="2020")],
                                         name="ok.csv"), price_year=2024)
    assert supplied.loc[0, "proxy_value"] == pytest.approx(9537 * 133.9 / 108.7)
    assert supplied.loc[0, "price_year_stated"] == "no"
    assert supplied.loc[0, "price_year_from"] == "the partner (proxy_year; the library's source states none)"
    own = load_impact_map(write_map([one_row(proxy_year="2022")], name="own.csv"), price_year=2024)
    assert own.loc[0, "price_year_from"] == "the partner (proxy_year)"


def test_range_must_include_the_central_value(write_map):
    path = write_map([one_row(deadweight_low="30%", deadweight_high="40%")])
    assert any(p.startswith(f"{path}:ImpactMap:2:deadweight_low: the range 0.3 to 0.4 does not include deadweight = 0.2")
               for p in problems_of(path))


def test_headers_are_forgiving_about_case_spaces_and_units(write_map):
    header = ["Outcome ID", "Stakeholder", "Outcome", "Theme", "Quantity", "Duration", "Deadweight (%)",
              "Displacement", "Attribution", "Drop-off", "Proxy value (£)"]
    row = dict(zip(header, one_row().values()))
    frame = load_impact_map(write_map([row], header=header), price_year=2024)
    assert frame.loc[0, "drop_off"] == 0.5 and frame.loc[0, "proxy_value"] == 1000.0


def test_the_raw_file_is_not_modified(write_map):
    path = write_map([one_row(quantity="x")])
    before = path.read_bytes()
    problems_of(path)
    load_impact_map(write_map([one_row()], name="ok.csv"), price_year=2024)
    assert path.read_bytes() == before
