"""Case studies and testimonies: consent, redaction, and evidence per outcome.

A partner's ``CaseStudies`` sheet (:data:`svlib.contract.tables.CASE_STUDIES`) has the columns
``case_id, outcome_ids, title, text, consent, anonymised``; ``outcome_ids`` lists the
outcomes a case evidences, separated by commas or semicolons.

* :func:`shareable`: only case studies with consent **and** anonymised; nothing else may
  leave the partner's own report.
* :func:`redact` / :func:`redact_frame`: a safety net on top of anonymisation, removing
  email addresses, UK phone numbers, UK postcodes and any names supplied.
* :func:`quotes_for_sharing`: shareable, redacted, one row per case study and outcome.
* :func:`evidence_per_outcome`, :func:`outcomes_without_evidence`: which outcomes of the
  impact map have qualitative evidence.

When a ``partner_id`` column is present (as in :func:`svlib.pipeline.build.load_processed`), case
studies are matched to the impact-map outcomes of their own partner.

Notes
-----
Redaction patterns (all case-insensitive), applied in this order:

1. email: ``local@domain.tld`` → "[email removed]";
2. UK phone: ``0`` or ``+44`` / ``0044`` (optionally ``(0)``) followed by 9 or 10 more
   digits, which may be separated by single spaces, dashes, dots or brackets
   (``07700 900461``, ``0191 123 4567``, ``(0191) 123-4567``, ``+44 (0)7700 900461``)
   → "[phone removed]"; a longer run of digits is left alone;
3. UK postcode: outward code (1-2 letters, a digit, then an optional letter or digit),
   optional space, inward code (a digit and two letters): ``DH1 3LE``, ``sr70aa``,
   ``NE10 8AB`` → "[postcode removed]";
4. each supplied name as a whole word (not part of a longer word) → "[name removed]";
   longer names first, so "Mary Ann" is removed before "Mary".

Pattern matching cannot find every identifier (a street name, a nickname, a rare job):
redaction supplements, and never replaces, the partner's own anonymisation and consent.

References
----------
Information Commissioner's Office, *Anonymisation: managing data protection risk* code of
practice (2012) and guidance on pseudonymisation.
Ofcom, *Telephone numbers for use in TV and radio drama* (the 07700 900xxx range).
Royal Mail, *Postcode Address File programmers' guide* (postcode format).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd

from svlib.contract.cells import split_ids
from svlib.contract.tables import WORKBOOK_TABLES
from svlib.core.personal_data import EMAIL_PATTERN, PHONE_PATTERN, POSTCODE_PATTERN, comparable
from svlib.validate.schema import CODE_COLUMNS

EMAIL_REMOVED = "[email removed]"
PHONE_REMOVED = "[phone removed]"
POSTCODE_REMOVED = "[postcode removed]"
NAME_REMOVED = "[name removed]"

_PLACEHOLDER = re.compile(r"\[(?:email|phone|postcode|name) removed\]")


def _outside_placeholders(text: str, replace: Callable[[str], str]) -> str:
    """Apply ``replace`` to the text between existing "[... removed]" placeholders."""
    pieces, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        pieces += [replace(text[last:match.start()]), match.group()]
        last = match.end()
    pieces.append(replace(text[last:]))
    return "".join(pieces)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Text with email addresses, UK phone numbers, UK postcodes and names removed.

    Parameters
    ----------
    text : str
        A title, quote or case study (a non-string such as NaN is returned unchanged).
    names : iterable of str
        Names to remove wherever they appear as whole words, in any case.

    Returns
    -------
    str
        The text with "[email removed]", "[phone removed]", "[postcode removed]" and
        "[name removed]" in place of what was found (patterns in the module notes),
        read as :func:`comparable` gives it (characters that show as nothing removed,
        full-width forms of ASCII made ASCII).

    Examples
    --------
    >>> redact("Ring Sam on 07700 900461 or sam@example.org, DH1 3LE.", names=["Sam"])
    'Ring [name removed] on [phone removed] or [email removed], [postcode removed].'
    """
    if not isinstance(text, str):
        return text
    text = comparable(text)  # what a shared page shows is what the patterns read
    if "@" in text:
        text = EMAIL_PATTERN.sub(EMAIL_REMOVED, text)
    text = _outside_placeholders(text, lambda part: PHONE_PATTERN.sub(PHONE_REMOVED, part))
    text = _outside_placeholders(text, lambda part: POSTCODE_PATTERN.sub(POSTCODE_REMOVED, part))
    wanted = sorted({n.strip() for n in names if isinstance(n, str) and n.strip()}, key=len, reverse=True)
    if wanted:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in wanted) + r")(?!\w)", re.IGNORECASE)
        text = _outside_placeholders(text, lambda part: pattern.sub(NAME_REMOVED, part))
    return text


def redact_frame(case_studies: pd.DataFrame, names: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of the case studies with :func:`redact` applied to ``title`` and ``text``."""
    names = tuple(names)
    out = case_studies.copy()
    for column in ("title", "text"):
        if column in out.columns:
            out[column] = [redact(value, names) for value in out[column]]
    return out


def redact_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The processed tables as shared pages may show them: every partner-written text
    column of every table (:class:`svlib.contract.tables.Column` of kind ``text``) through
    :func:`redact`, so that an email address, phone number or postcode typed in a
    partner's name, an outcome, a stakeholder, a proxy source or any other text never
    reaches a page, a notebook or ``run.json``. Codes (:data:`svlib.validate.schema.CODE_COLUMNS`)
    are left as they are: validation refuses contact details in them. The tables given
    are not changed.
    """
    out = dict(tables)
    for table in WORKBOOK_TABLES:
        frame = tables.get(table.name)
        if frame is None:
            continue
        texts = [c.name for c in table.columns if c.kind == "text" and c.name not in CODE_COLUMNS and c.name in frame]
        if texts:
            frame = frame.copy()
            for column in texts:
                frame[column] = [redact(v) for v in frame[column]]
            out[table.name] = frame
    return out


def _yes(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().str.lower().eq("yes")


def shareable(case_studies: pd.DataFrame) -> pd.DataFrame:
    """Case studies that may be shared beyond the partner: ``consent == "yes"`` **and**
    ``anonymised == "yes"`` (any case, surrounding spaces ignored); every other row,
    including a blank answer, is kept back.

    Returns
    -------
    pandas.DataFrame
        A copy of those rows, index reset.
    """
    missing = [c for c in ("consent", "anonymised") if c not in case_studies.columns]
    if missing:
        raise ValueError(f"case studies lack column(s) {', '.join(missing)}; nothing can be shared without them")
    keep = _yes(case_studies["consent"]) & _yes(case_studies["anonymised"])
    return case_studies[keep.to_numpy()].reset_index(drop=True).copy()


def _explode_outcomes(case_studies: pd.DataFrame) -> pd.DataFrame:
    """One row per case study and outcome id (``outcome_id``); a case with no ids keeps
    one row with ``outcome_id`` blank ("")."""
    out = case_studies.copy()
    out["outcome_id"] = [list(dict.fromkeys(split_ids(v))) or [""] if isinstance(v, str) else [""]
                         for v in out["outcome_ids"]]
    return out.explode("outcome_id", ignore_index=True)


def quotes_for_sharing(case_studies: pd.DataFrame, names: Iterable[str] = ()) -> pd.DataFrame:
    """Shareable case studies, redacted, one row per case study and outcome.

    Parameters
    ----------
    case_studies : pandas.DataFrame
        The CaseStudies table (any number of partners).
    names : iterable of str
        Names to remove, in addition to emails, phone numbers and postcodes.

    Returns
    -------
    pandas.DataFrame
        Columns ``partner_id`` (when present), ``case_id``, ``outcome_id``, ``title``,
        ``text``: only rows of :func:`shareable`, text through :func:`redact`.
    """
    rows = _explode_outcomes(redact_frame(shareable(case_studies), names))
    columns = [c for c in ("partner_id", "case_id", "outcome_id", "title", "text") if c in rows.columns]
    return rows[columns].reset_index(drop=True)


def evidence_per_outcome(case_studies: pd.DataFrame, impact_map: pd.DataFrame) -> pd.DataFrame:
    """Case studies per outcome of the impact map: all of them, and those shareable.

    Parameters
    ----------
    case_studies : pandas.DataFrame
        The CaseStudies table.
    impact_map : pandas.DataFrame
        With ``outcome_id`` (and ``outcome``, ``partner_id`` when present).

    Returns
    -------
    pandas.DataFrame
        One row per impact-map outcome (in map order), then any outcome id that case
        studies name but the map lacks: ``partner_id`` (when both tables have it),
        ``outcome_id``, ``outcome`` (when the map has it), ``case_studies`` (distinct
        ``case_id`` naming the outcome), ``shareable_case_studies`` (of those, consented
        and anonymised) and ``in_impact_map``.
    """
    keys = [c for c in ("partner_id",) if c in case_studies.columns and c in impact_map.columns] + ["outcome_id"]
    exploded = _explode_outcomes(case_studies)
    exploded = exploded[exploded["outcome_id"] != ""]
    exploded["is_shareable"] = (_yes(exploded["consent"]) & _yes(exploded["anonymised"])).to_numpy()
    counts = pd.concat([
        exploded.groupby(keys, sort=False)["case_id"].nunique().rename("case_studies"),
        exploded[exploded["is_shareable"]].groupby(keys, sort=False)["case_id"].nunique()
        .rename("shareable_case_studies"),
    ], axis=1).reset_index()
    described = [c for c in ("outcome",) if c in impact_map.columns]
    outcomes = impact_map[keys + described].drop_duplicates(keys).assign(in_impact_map=True)
    mapped = outcomes.merge(counts, on=keys, how="left", sort=False)
    unmapped = counts.merge(outcomes[keys], on=keys, how="left", indicator=True)
    unmapped = unmapped[unmapped["_merge"] == "left_only"].drop(columns="_merge").assign(in_impact_map=False)
    out = pd.concat([mapped, unmapped], ignore_index=True) if len(unmapped) else mapped
    for column in ("case_studies", "shareable_case_studies"):
        out[column] = out[column].fillna(0).astype(int)
    return out[keys + described + ["case_studies", "shareable_case_studies", "in_impact_map"]].reset_index(drop=True)


def outcomes_without_evidence(case_studies: pd.DataFrame, impact_map: pd.DataFrame,
                              partner_id: str | None = None, shareable_only: bool = False) -> list[str]:
    """Outcome ids of the impact map that no case study evidences, in map order.

    Parameters
    ----------
    case_studies, impact_map : pandas.DataFrame
        As for :func:`evidence_per_outcome`.
    partner_id : str, optional
        Which partner, when the tables hold several (required then).
    shareable_only : bool
        Count only shareable case studies (evidence that can appear in a shared report).

    Returns
    -------
    list of str
    """
    if "partner_id" in impact_map.columns:
        if partner_id is not None:
            impact_map = impact_map[impact_map["partner_id"] == partner_id]
            if "partner_id" in case_studies.columns:
                case_studies = case_studies[case_studies["partner_id"] == partner_id]
        elif impact_map["partner_id"].nunique() > 1:
            raise ValueError("the impact map holds several partners; say which with partner_id")
    table = evidence_per_outcome(case_studies, impact_map)
    column = "shareable_case_studies" if shareable_only else "case_studies"
    return table.loc[table["in_impact_map"] & table[column].eq(0), "outcome_id"].tolist()
