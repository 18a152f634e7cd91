"""svlib.analysis.disclosure: primary and secondary suppression of small counts, worked by hand,
and properties that must hold for any table with totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svlib.analysis.disclosure import (
    PRIMARY,
    SECONDARY,
    SECONDARY_SYMBOL,
    suppress_counts,
    suppress_value,
    suppression_mask,
)


class TestSuppressValue:
    @pytest.mark.parametrize("n, shown", [(0, "0"), (1, "<5"), (4, "<5"), (4.0, "<5"), (5, "5"), (12.0, "12"),
                                          (None, ""), (float("nan"), "")])
    def test_default_threshold(self, n, shown):
        assert suppress_value(n) == shown

    def test_threshold_and_zeros(self):
        assert suppress_value(9, threshold=10) == "<10"
        assert suppress_value(10, threshold=10) == "10"
        assert suppress_value(0, suppress_zeros=True) == "<5"

    def test_negative_is_an_error(self):
        with pytest.raises(ValueError):
            suppress_value(-1)


class TestPrimary:
    def test_small_counts_hidden_zero_shown(self):
        table = pd.DataFrame({"outcome": ["a", "b", "c", "d"], "people": [0, 1, 4, 5]})
        out = suppress_counts(table, ["people"])
        assert out["people"].tolist() == ["0", "<5", "<5", "5"]
        assert out["outcome"].tolist() == ["a", "b", "c", "d"]

    def test_no_total_no_secondary(self):
        table = pd.DataFrame({"people": [3, 12, 20]})
        assert suppress_counts(table, ["people"])["people"].tolist() == ["<5", "12", "20"]

    def test_threshold_parameter(self):
        table = pd.DataFrame({"people": [3, 7, 10, 20]})
        assert suppress_counts(table, ["people"], threshold=10)["people"].tolist() == ["<10", "<10", "10", "20"]
        assert suppress_counts(table, ["people"], threshold=3)["people"].tolist() == ["3", "7", "10", "20"]

    def test_blank_cells_stay_blank(self):
        table = pd.DataFrame({"people": [np.nan, 8.0]})
        assert suppress_counts(table, ["people"])["people"].tolist() == ["", "8"]

    def test_input_not_mutated(self):
        table = pd.DataFrame({"area": ["A", "B", "C", "Total"], "people": [3, 12, 20, 35], "other": [1, 2, 3, 4]})
        before = table.copy()
        out = suppress_counts(table, ["people"], total_row="Total", label_column="area")
        pd.testing.assert_frame_equal(table, before)
        assert out is not table
        assert out["other"].tolist() == [1, 2, 3, 4]


class TestSecondary:
    def test_total_row_worked_by_hand(self):
        # 3 + 12 + 20 = 35. Hiding only the 3 would leave 35 − 12 − 20 = 3 plain to see, so
        # the next smallest cell (12) is hidden too: then 3 + 12 = 15 is known, but not the split.
        table = pd.DataFrame({"area": ["A", "B", "C", "Total"], "people": [3, 12, 20, 35]})
        out = suppress_counts(table, ["people"], total_row="Total", label_column="area")
        assert out["people"].tolist() == ["<5", SECONDARY_SYMBOL, "20", "35"]
        mask = suppression_mask(table, ["people"], total_row="Total", label_column="area")
        assert mask["people"].tolist() == [PRIMARY, SECONDARY, "", ""]

    def test_total_row_found_in_index(self):
        table = pd.DataFrame({"people": [3, 12, 20, 35]}, index=["A", "B", "C", "Total"])
        out = suppress_counts(table, ["people"], total_row="Total")
        assert out["people"].tolist() == ["<5", SECONDARY_SYMBOL, "20", "35"]

    def test_total_column_worked_by_hand(self):
        # Row X: 2 + 9 + 30 = 41 -> 2 hidden, then 9 (the smaller of 9 and 30).
        # Row Y: 6 + 7 + 8 = 21 -> nothing small, nothing hidden.
        # Row Z: 1 + 3 + 50 = 54 -> 1 and 3 both small: two hidden already, no secondary needed.
        table = pd.DataFrame({"group": ["X", "Y", "Z"], "men": [2, 6, 1], "women": [9, 7, 3],
                              "other": [30, 8, 50], "total": [41, 21, 54]})
        out = suppress_counts(table, ["men", "women", "other"], total_column="total")
        assert out.loc[0, ["men", "women", "other", "total"]].tolist() == ["<5", SECONDARY_SYMBOL, "30", "41"]
        assert out.loc[1, ["men", "women", "other", "total"]].tolist() == ["6", "7", "8", "21"]
        assert out.loc[2, ["men", "women", "other", "total"]].tolist() == ["<5", "<5", "50", "54"]

    def test_zero_never_chosen_as_the_second_cell(self):
        # 3 + 0 + 40 = 43: hiding the 0 would show the hidden pair adds up to 3, so 40 is hidden.
        table = pd.DataFrame({"a": [3], "b": [0], "c": [40], "total": [43]})
        out = suppress_counts(table, ["a", "b", "c"], total_column="total")
        assert out.loc[0].tolist() == ["<5", "0", SECONDARY_SYMBOL, "43"]

    def test_both_totals_iterate_until_safe(self):
        # components          row totals
        #   3   20   30   |  53
        #  10   15   25   |  50
        #  12   40    8   |  60
        # col totals 25 75 63 | 163
        # 3 hidden (primary). Column "a": hide 10 (smaller of 10, 12). Row r0: hide 20
        # (smaller of 20, 30). Row r1 now has 10 hidden alone: hide 15. Column "b" then has
        # 20 and 15 hidden: every group has 0 or 2 hidden cells, so it stops.
        table = pd.DataFrame({"label": ["r0", "r1", "r2", "Total"], "a": [3, 10, 12, 25], "b": [20, 15, 40, 75],
                              "c": [30, 25, 8, 63], "total": [53, 50, 60, 163]})
        mask = suppression_mask(table, ["a", "b", "c"], total_row="Total", total_column="total",
                                label_column="label")
        hidden = {(i, c) for i in range(4) for c in mask.columns if mask.loc[i, c]}
        assert hidden == {(0, "a"), (0, "b"), (1, "a"), (1, "b")}
        assert_no_group_with_one_hidden(mask, ["a", "b", "c"], total_row=3, total_column="total")

    def test_total_row_label_must_exist_once(self):
        table = pd.DataFrame({"area": ["A", "Total", "Total"], "people": [3, 4, 5]})
        with pytest.raises(ValueError, match="exactly one total row"):
            suppress_counts(table, ["people"], total_row="Total", label_column="area")
        with pytest.raises(ValueError, match="exactly one total row"):
            suppress_counts(table, ["people"], total_row="All", label_column="area")

    def test_unknown_column(self):
        with pytest.raises(ValueError, match="no column"):
            suppress_counts(pd.DataFrame({"people": [1]}), ["persons"])


def assert_no_group_with_one_hidden(mask: pd.DataFrame, components: list[str], total_row: int | None,
                                    total_column: str | None) -> None:
    """No additive group (a column with its total row, a row with its total column) has
    exactly one hidden cell."""
    hidden = mask.to_numpy() != ""
    columns = list(mask.columns)
    if total_row is not None:
        for j, _ in enumerate(columns):
            assert hidden[:, j].sum() != 1, f"column {columns[j]} has exactly one hidden cell"
    if total_column is not None:
        keep = [columns.index(c) for c in components + [total_column]]
        for i in range(len(mask)):
            assert hidden[i, keep].sum() != 1, f"row {i} has exactly one hidden cell"


@st.composite
def tables_with_totals(draw):
    """A table of counts (0-40, many small) with a total column, a total row, or both."""
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 4))
    cell = st.one_of(st.integers(0, 6), st.integers(0, 40))
    values = np.array([[draw(cell) for _ in range(n_cols)] for _ in range(n_rows)], dtype=float)
    components = [f"c{j}" for j in range(n_cols)]
    frame = pd.DataFrame(values, columns=components)
    with_row, with_column = draw(st.sampled_from([(True, False), (False, True), (True, True)]))
    if with_column:
        frame["total"] = frame[components].sum(axis=1)
    if with_row:
        frame.loc[len(frame)] = frame.sum(axis=0)
    frame.insert(0, "label", [f"r{i}" for i in range(n_rows)] + (["Total"] if with_row else []))
    threshold = draw(st.integers(2, 10))
    return frame, components, with_row, with_column, threshold


class TestProperties:
    @given(tables_with_totals())
    @settings(max_examples=300, deadline=None)
    def test_safe_after_suppression(self, case):
        frame, components, with_row, with_column, threshold = case
        before = frame.copy()
        kwargs = {"total_row": "Total" if with_row else None, "label_column": "label",
                  "total_column": "total" if with_column else None, "threshold": threshold}
        out = suppress_counts(frame, components, **kwargs)
        mask = suppression_mask(frame, components, **kwargs)
        pd.testing.assert_frame_equal(frame, before)
        # no shown value is a small count
        for column in mask.columns:
            for shown in out[column]:
                if shown.isdigit():
                    assert not 1 <= int(shown) < threshold
                else:
                    assert shown in (f"<{threshold}", SECONDARY_SYMBOL)
        # every small count is hidden, and nothing that is not small shows as "<threshold"
        values = frame[mask.columns].to_numpy()
        small = (values >= 1) & (values < threshold)
        assert ((mask.to_numpy() == PRIMARY) == small).all()
        # no group has exactly one hidden cell
        assert_no_group_with_one_hidden(mask, components, total_row=len(frame) - 1 if with_row else None,
                                        total_column="total" if with_column else None)
