"""Case studies and testimonies: consent, redaction, and evidence per outcome.

A partner's ``CaseStudies`` sheet (:data:`svlib.contract.tables.CASE_STUDIES`) has the columns
``case_id, outcome_ids, title, text, consent, anonymised``; ``outcome_ids`` lists the
outcomes a case evidences, separated by commas or semicolons.

* :func:`shareable`: only case studies with consent **and** anonymised; nothing else may
  leave the partner's own report.
* :func:`redact` / :func:`redact_frame`: a safety net on top of anonymisation, removing
  email addresses, UK phone numbers, UK postcodes and any names supplied.
* :func:`name_rules`: the names to remove from a collection's shared files, partner by
  partner: those listed in each partner's Names sheet and those found in its shareable
  free text (:mod:`svlib.core.personal_names`); :func:`redact_tables` applies them (and
  the contact patterns) to every piece of partner text.
* :func:`quotes_for_sharing`: shareable, redacted, one row per case study and outcome.
* :func:`counted_outcome_ids`: the outcomes a case study counts as evidence for: a
  researcher's ``accepted_outcome_ids`` when written, else the partner's ``outcome_ids``;
  a model's suggestion (:mod:`svlib.analysis.tagging`) never counts.
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

Names, collection by collection (:func:`name_rules`, :func:`redact_tables`):

* a name a partner lists in its Names sheet (``remove`` yes or blank), and each word of it
  that is a known first name or surname, is removed in any capitals ("Mary Smith", "MARY",
  "smith");
* a name found by :func:`svlib.core.personal_names.find_names` in any shared text (labels
  by the stricter rule, free text in columns marked ``narrative`` by every rule; a case
  study only when consented and anonymised) is removed as written, with a capital or in
  capitals, wherever any partner wrote it: a sure name (with a known surname, or after a
  title) from every text, a first name found alone and each word of a found name
  ("Wilkinson" of "Harold Wilkinson") from free text only;
* neither is removed inside a phrase the text's own partner keeps: its name, its area and
  the phrases its Names sheet marks ``remove`` no ("Stanley" as a town), unless a Names
  sheet lists the same phrase to remove.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from svlib.contract.cells import split_ids
from svlib.contract.tables import CASE_STUDIES, NAMES, PARTNER, WORKBOOK_TABLES
from svlib.core.personal_data import EMAIL_PATTERN, PHONE_PATTERN, POSTCODE_PATTERN, comparable
from svlib.core.personal_names import find_names, listed_words, whole_words
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


def redact(text: str, names: Iterable[str] = (), rules: NameRules | None = None, narrative: bool = True) -> str:
    """Text with email addresses, UK phone numbers, UK postcodes and names removed.

    Parameters
    ----------
    text : str
        A title, quote or case study (a non-string such as NaN is returned unchanged).
    names : iterable of str
        Names to remove wherever they appear as whole words, in any case.
    rules : NameRules, optional
        A partner's names to remove and phrases to keep (:func:`name_rules`), applied
        after ``names``.
    narrative : bool
        Free text (the default) rather than a label: see :meth:`NameRules.remove`.

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
    pattern = whole_words(names)
    if pattern is not None:
        text = _outside_placeholders(text, lambda part: pattern.sub(NAME_REMOVED, part))
    if rules is not None:
        text = rules.remove(text, narrative)
    return text


def _as_names_are_written(names: Iterable[str]) -> set[str]:
    """Each name as written, with capitals ("harold": "Harold") and in capitals ("HAROLD")."""
    return {f for n in names for f in (n, n.title(), n.upper())}


@dataclass(frozen=True)
class NameRules:
    """The names to take out of one partner's text (see the module notes).

    Attributes
    ----------
    listed : tuple of str
        Names listed in a Names sheet, and their words that are first names or surnames:
        removed from every text in any capitals.
    found : tuple of str
        Names found with a surname the lexicon knows or after a title ("Kayleigh Robson",
        "Oyelaran"): removed from every text as written, with capitals or in capitals.
    found_alone : tuple of str
        Other names found (a first name alone, or with words the lexicon does not know as
        surnames), and each word of every found name: removed so from free text (columns
        marked ``narrative``), not from labels, where such a word is more often a word
        ("Job seekers", "Grace Court residents").
    keep : tuple of str
        Phrases left as written, with any name inside them.
    ordinary : frozenset of str
        Words the disclosure check does not look for on their own (svlib's own words,
        "Monte Carlo"; words of labels that keep them): removal still applies.
    """

    listed: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    found_alone: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    ordinary: frozenset[str] = frozenset()

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str] | None]:
        found = _as_names_are_written(self.found)  # one pattern a kind of text, so the longest name goes first
        return {"label": whole_words(self.listed, True, found),
                "narrative": whole_words(self.listed, True, found | _as_names_are_written(self.found_alone)),
                "keep": whole_words(self.keep, True)}

    def _each_free_part(self, text: str, act: Callable[[str], str]) -> str:
        """``act`` on the text outside kept phrases and "[... removed]" placeholders."""
        keep = self._patterns["keep"]
        if keep is None:
            return _outside_placeholders(text, act)
        pieces, last = [], 0
        for match in keep.finditer(text):
            pieces += [_outside_placeholders(text[last:match.start()], act), match.group()]
            last = match.end()
        pieces.append(_outside_placeholders(text[last:], act))
        return "".join(pieces)

    def remove(self, text: str, narrative: bool = True) -> str:
        """``text`` with every name of these rules shown as "[name removed]"; a label
        (``narrative=False``) keeps :attr:`found_alone` words."""
        if not isinstance(text, str):
            return text
        pattern = self._patterns["narrative" if narrative else "label"]
        if pattern is not None and pattern.search(text):
            text = self._each_free_part(text, lambda part: pattern.sub(NAME_REMOVED, part))
        return text

    @cached_property
    def _shown_pattern(self) -> re.Pattern[str] | None:
        whole = {n for n in (*self.listed, *self.found) if len(n.split()) > 1}
        single = {n for n in (*self.listed, *self.found, *self.found_alone) if len(n.split()) == 1}
        forms = _as_names_are_written(whole) | {f for f in _as_names_are_written(single) if f not in self.ordinary}
        return whole_words((), exact=forms)

    def names_in(self, text: str) -> list[str]:
        """The names of these rules that ``text`` shows outside kept phrases, as names are
        written (as listed or found, with capitals, in capitals; a single word only when it
        is not :attr:`ordinary`): what the disclosure check looks for in a shared file. A
        listed "Will" is removed from partner text in any capitals, but svlib's own "will"
        is no name."""
        pattern = self._shown_pattern
        if pattern is None or not isinstance(text, str) or not pattern.search(text):
            return []
        shown: list[str] = []

        def look(part: str) -> str:
            shown.extend(m.group() for m in pattern.finditer(part))
            return part

        self._each_free_part(text, look)
        return shown


def _text_columns(table) -> list:
    return [c for c in table.columns if c.kind == "text" and c.name not in CODE_COLUMNS]


def name_rules(tables: Mapping[str, pd.DataFrame]) -> dict[str, NameRules]:
    """Each partner's :class:`NameRules`, from the processed tables of a collection.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables, each with ``partner_id`` (:func:`svlib.pipeline.build.load_processed`),
        as read from the partners' files (not yet redacted).

    Returns
    -------
    dict of str to NameRules
        By partner id. Every partner removes the names listed by any partner and the names
        found in any partner's shared text (free text read as ``narrative``, labels not);
        each keeps its own name, its area and the phrases its Names sheet marks ``remove``
        no, unless a Names sheet lists the same phrase to remove (module notes).
    """
    partners = tables.get(PARTNER.name)
    keep: dict[str, list[str]] = {}
    if partners is not None:
        for row in partners.to_dict("records"):
            keep.setdefault(str(row.get("partner_id")), []).extend(
                str(row[c]) for c in ("name", "area") if isinstance(row.get(c), str))
    listed: list[str] = []
    names = tables.get(NAMES.name)
    if names is not None and len(names):
        for row in names.to_dict("records"):
            name = comparable(row["name"]).strip() if isinstance(row.get("name"), str) else ""
            if not name:
                continue
            if str(row.get("remove", "yes")).strip().lower() == "no":
                keep.setdefault(str(row.get("partner_id", "")), []).append(name)
            else:
                listed += listed_words(name)
    removed = {n.casefold() for n in listed}
    keep = {pid: [k for k in phrases if k.casefold() not in removed] for pid, phrases in keep.items()}
    found: set[str] = set()
    alone: set[str] = set()
    for table in WORKBOOK_TABLES:
        frame = tables.get(table.name)
        columns = [c for c in _text_columns(table) if frame is not None and c.name in frame]
        if not columns:
            continue
        frame = shareable(frame) if table is CASE_STUDIES else frame
        owners = frame["partner_id"].astype(str) if "partner_id" in frame else pd.Series([""] * len(frame))
        for column in columns:
            for owner, text in set(zip(owners, frame[column.name])):  # a label repeats on many rows: read once
                if not isinstance(text, str):
                    continue
                for name in find_names(comparable(text), keep.get(owner, ()), narrative=column.narrative):
                    (found if name.sure else alone).add(" ".join(name.text.split()))
                    alone.update(name.words)
    return {pid: NameRules(tuple(sorted(set(listed))), tuple(sorted(found)), tuple(sorted(alone - found)),
                           tuple(dict.fromkeys(k))) for pid, k in keep.items()}


def label_words(tables: Mapping[str, pd.DataFrame]) -> set[str]:
    """The words of the partner labels of shared tables (text columns not marked
    ``narrative``), which keep a first name found alone ("Job seekers"): the disclosure
    check does not look for those words on their own (:attr:`NameRules.ordinary`)."""
    words: set[str] = set()
    for table in WORKBOOK_TABLES:
        frame = tables.get(table.name)
        for column in (c for c in _text_columns(table) if not c.narrative and frame is not None and c.name in frame):
            words.update(w for text in set(frame[column.name]) if isinstance(text, str) for w in text.split())
    return {w.strip(".,;:!?()[]'\"") for w in words}


def collection_name_rules(rules: Mapping[str, NameRules], ordinary: Iterable[str] = ()) -> NameRules:
    """The names a shared file of the collection may not show anywhere: every partner's,
    outside every phrase any partner keeps (a page may carry any partner's text), with
    ``ordinary`` words (:attr:`NameRules.ordinary`) not looked for on their own."""
    listed = sorted({n for r in rules.values() for n in r.listed})
    found = sorted({n for r in rules.values() for n in r.found})
    alone = sorted({n for r in rules.values() for n in r.found_alone})
    keep = list(dict.fromkeys(k for r in rules.values() for k in r.keep))
    return NameRules(tuple(listed), tuple(found), tuple(alone), tuple(keep), frozenset(ordinary))


def redact_frame(case_studies: pd.DataFrame, names: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of the case studies with :func:`redact` applied to ``title`` and ``text``."""
    names = tuple(names)
    out = case_studies.copy()
    for column in ("title", "text"):
        if column in out.columns:
            out[column] = [redact(value, names) for value in out[column]]
    return out


def redact_tables(tables: dict[str, pd.DataFrame], rules: Mapping[str, NameRules] | None = None
                  ) -> dict[str, pd.DataFrame]:
    """The processed tables as shared pages may show them: every partner-written text
    column of every table (:class:`svlib.contract.tables.Column` of kind ``text``) through
    :func:`redact` with its partner's :func:`name_rules`, so that an email address, phone
    number, postcode or person's name typed in a partner's name, an outcome, a
    stakeholder, a case study or any other text never reaches a page, a notebook or
    ``run.json``. Codes (:data:`svlib.validate.schema.CODE_COLUMNS`) are left as they are:
    validation refuses contact details in them. The Names sheet itself is left out: it is
    the list of what must not be shown. The tables given are not changed. ``rules``: the
    tables' :func:`name_rules`, when the caller has them already.
    """
    rules = name_rules(tables) if rules is None else rules
    out = {name: frame for name, frame in tables.items() if name != NAMES.name}
    for table in WORKBOOK_TABLES:
        frame = out.get(table.name)
        if frame is None:
            continue
        texts = [c for c in _text_columns(table) if c.name in frame]
        if texts:
            frame = frame.copy()
            owners = frame["partner_id"].astype(str) if "partner_id" in frame else pd.Series([""] * len(frame))
            for column in texts:
                frame[column.name] = [redact(v, rules=rules.get(owner), narrative=column.narrative)
                                      for owner, v in zip(owners, frame[column.name])]
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


def _ids(value: object) -> list[str]:
    return list(dict.fromkeys(split_ids(value))) if isinstance(value, str) else []


def counted_outcome_ids(case_studies: pd.DataFrame) -> list[list[str]]:
    """The outcome ids each case study counts as evidence for, in row order.

    A researcher's ``accepted_outcome_ids`` (accepted or corrected tags) when the cell is
    written; else, not yet reviewed, the partner's own ``outcome_ids``. A suggestion of
    the tagging model is never among them: it counts only once a researcher writes it in
    ``accepted_outcome_ids``.

    Returns
    -------
    list of list of str
        Distinct ids per row, as written (commas or semicolons between them).
    """
    own = case_studies["outcome_ids"] if "outcome_ids" in case_studies else pd.Series([""] * len(case_studies))
    accepted = case_studies.get("accepted_outcome_ids", pd.Series([""] * len(case_studies), index=case_studies.index))
    return [_ids(a) if _ids(a) else _ids(o) for o, a in zip(own, accepted)]


def _explode_outcomes(case_studies: pd.DataFrame) -> pd.DataFrame:
    """One row per case study and counted outcome id (``outcome_id``,
    :func:`counted_outcome_ids`); a case with no ids keeps one row with ``outcome_id``
    blank ("")."""
    out = case_studies.copy()
    out["outcome_id"] = [ids or [""] for ids in counted_outcome_ids(out)]
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
