"""Copy cited reference figures from the project's reference folder into svlib's package data.

svlib never reads the reference folder when it runs: what it uses is copied into
``svlib/data`` by this script, row by row as the source file has it (its source, URL, table
and notes kept), so a reader can trace every shipped figure to its citation.

Copied now:

``discount_rates.csv``
    the Green Book schedules with a rate (standard, health, reduced, reduced health); rows
    without a rate (the STPR's components, recalled) are left out.

Run::

    python -m svlib.tools.reference_data ../shared/refdata
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from svlib import paths
from svlib.core.files import write_atomic

COPIED = ("discount_rates.csv",)


def discount_rates(text: str) -> str:
    """The rows of the reference ``discount_rates.csv`` that carry a rate, all columns kept."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise ValueError("discount_rates.csv has no rows")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(r for r in rows if (r.get("rate_pct") or "").strip())
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("refdata", type=Path, help="the reference folder (such as ../shared/refdata)")
    args = parser.parse_args(argv)
    text = (args.refdata / "discount_rates.csv").read_text(encoding="utf-8")
    write_atomic(paths.package_data("discount_rates.csv"), discount_rates(text))
    print(f"wrote {paths.package_data('discount_rates.csv')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
