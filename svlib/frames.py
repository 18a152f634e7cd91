"""Small, fast helpers for pandas tables."""

from __future__ import annotations

from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row as a dict of column to value, in row order.

    Same result as ``frame.to_dict(orient="records")``, many times faster on small
    tables under pandas 3 (which builds each row through the indexer).
    """
    columns = list(frame.columns)
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)] if columns else [{} for _ in range(len(frame))]
