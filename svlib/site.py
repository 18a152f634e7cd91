"""The forum's index page: one table linking every report, with headline figures and
failures. Every piece of partner text is escaped; the page has no scripts."""

from __future__ import annotations

from typing import Any

from svlib.problems import WITHHELD
from svlib.report_display import esc, percent
from svlib.report_text import ratio

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef4fa}.failed{color:#a00000}.note{color:#555;font-size:.9em}ul.problems{margin:.2em 0;padding-left:1.2em;font-size:.85em}
"""


def _link(record: dict[str, Any]) -> str:
    """The record's title, linked to its page (a path inside the output folder)."""
    target = record.get("html")
    title = esc(record.get("title") or record.get("key"))
    if not target:
        return title
    return f'<a href="{esc(target)}">{title}</a>'


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render_index(run: dict[str, Any]) -> str:
    """The index page for a run (``run.json`` content)."""
    records = run["notebooks"]
    partners = [r for r in records if r["kind"] == "partner"]
    others = [r for r in records if r["kind"] != "partner"]
    rows = []
    for r in sorted(partners, key=lambda r: str(r.get("title") or r["key"]).lower()):
        if r["status"] == "ok":
            rows.append(
                f"<tr><td>{_link(r)}</td><td><strong>{esc(ratio(r['sroi_ratio']))}</strong></td>"
                f"<td>{esc(ratio(r['p5']))} to {esc(ratio(r['p95']))}</td>"
                f"<td>{esc(percent(r['prob_ratio_below_1'], 1))}</td><td>report ready</td></tr>"
            )
        else:
            problems = "".join(f"<li>{esc(p)}</li>" for p in r.get("problems", [])[:50])
            more = len(r.get("problems", [])) - 50
            extra = f"<li>... and {more} more</li>" if more > 0 else ""
            rows.append(
                f"<tr class='failed'><td>{_link(r)}</td><td colspan='3'>no report</td>"
                f"<td>failed: {esc(r.get('error'))}<ul class='problems'>{problems}{extra}</ul></td></tr>"
            )
    other_rows = "".join(
        f"<tr><td>{_link(r)}</td><td>{esc(r['kind'])}</td>"
        f"<td class='{'failed' if r['status'] != 'ok' else ''}'>{esc('ready' if r['status'] == 'ok' else 'failed: ' + str(r.get('error')))}</td></tr>"
        for r in others
    )
    ready = sum(r["status"] == "ok" for r in partners)
    failed = sum(r["status"] != "ok" for r in records)
    draws = f"{int(run['draws']):,}"
    summary = (f"{ready} of {_count(len(partners), 'partner')} reported, {_count(failed, 'failure')}. Seed {esc(run['seed'])}, "
               f"{esc(draws)} Monte Carlo draws, svlib {esc(run['svlib_version'])}.")
    if any(r.get("problems") for r in partners):
        summary += (" A failed partner's problems are listed by place (sheet, row and column) and what was expected; "
                    f"{esc(WITHHELD)} stands for what the cell holds, which only the researcher sees.")
    research = (f"<h2>Research reports</h2><table><thead><tr><th>Report</th><th>Kind</th><th>Status</th></tr></thead>"
                f"<tbody>{other_rows}</tbody></table>") if others else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Social value reports: {esc(run['collection'])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="svlib-run" content="{esc(run.get('run_id', ''))}"><link rel="icon" href="data:,"><style>{STYLE}</style></head>
<body><h1>Social value reports: {esc(run['collection'])}</h1>
<p>Social Return On Investment (SROI) for each partner: pounds of social value for every pound invested, with the
range the ratio is likely to fall in (90% of simulations) and the chance that the value is less than the investment.
Partner organisations and figures in the example collection are illustrative.</p>
<p class="note">{summary}</p>
<h2>Partner reports</h2>
<table><thead><tr><th>Partner</th><th>SROI ratio</th><th>Likely range (p5 to p95)</th><th>Chance below 1:1</th><th>Status</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{research}
<p class="note">Each report lists its inputs' SHA-256 fingerprints, parameters, seed and svlib version; run.json in this
folder records the whole run.</p>
</body></html>
"""
