"""The tagger's suggestions beside each shareable case study's own outcomes, for a researcher.

For every case study cleared for sharing (consent **and** anonymised yes:
:func:`svlib.analysis.evidence.shareable`), the tagger (:mod:`svlib.analysis.tagging`)
suggests, against the case's own partner's impact map, the outcomes it most likely
evidences, a County Durham Pound theme and three indicators. :func:`suggested_tags` sets
them beside the partner's own ``outcome_ids`` and a researcher's ``accepted_outcome_ids``,
flags where they disagree, lists the impact-map outcomes no shareable testimony supports
and the testimonies that point to indicators the National TOMs do not count.

**Suggestions are not evidence and are never counted.** What a case study counts as
evidence for is :func:`svlib.analysis.evidence.counted_outcome_ids`: the researcher's
accepted ids when written, else the partner's own.

Notes
-----
A case *disagrees* with its suggestions when

* its best-scoring suggested outcome is not among its own ``outcome_ids``, or
* the suggested theme is not the ``theme`` of any of its own outcomes (a case naming no
  outcome disagrees by this rule).

A disagreement is *to review* until a researcher writes ``accepted_outcome_ids``.

An outcome is *supported* when a shareable case study of its partner counts it
(:func:`~svlib.analysis.evidence.counted_outcome_ids`); suggestions never support one.

An indicator is *outside the TOMs* when the shipped crosswalk
(:func:`svlib.analysis.themes.load_indicators`, ``in_toms``) says no National TOMs measure
values it.

Only the text of shareable case studies is read, and only as the shared tables hold it
(redacted: :func:`svlib.reporting.partner_report.shared_tables`); no other text reaches the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from svlib.analysis.evidence import counted_outcome_ids, shareable
from svlib.analysis.tagging import MODEL, ModelUnavailable, Tagger, load_model
from svlib.analysis.themes import load_indicators
from svlib.contract.cells import split_ids
from svlib.contract.tables import CASE_STUDIES, IMPACT_MAP

TAG_COLUMNS = ["partner_id", "case_id", "outcome_ids", "accepted_outcome_ids", "suggested_outcomes", "top_outcome",
               "top_outcome_score", "suggested_theme", "theme_score", "suggested_indicators", "disagrees", "reason",
               "to_review"]
"""The columns of :attr:`SuggestedTags.tags`."""

UNSUPPORTED_COLUMNS = ["partner_id", "outcome_id", "outcome", "theme"]
OUTSIDE_TOMS_COLUMNS = ["partner_id", "case_id", "indicator_id", "indicator", "theme", "score"]


@dataclass(frozen=True)
class SuggestedTags:
    """Suggestions beside the partners' own tags (module notes).

    Attributes
    ----------
    tags : pandas.DataFrame
        One row per shareable case study with text (:data:`TAG_COLUMNS`): its own
        ``outcome_ids`` and ``accepted_outcome_ids`` (blank: not yet reviewed), the
        suggested outcomes with scores (``"JOB1 (0.62); SOC1 (0.48)"``), the best of them
        and its score, the suggested theme and its score, the suggested indicators with
        scores, ``disagrees`` (bool), ``reason`` (in words) and ``to_review`` (bool).
        Scores are cosine similarities (-1 to 1), rounded to 2 places.
    unsupported : pandas.DataFrame
        Impact-map outcomes no shareable case study counts (:data:`UNSUPPORTED_COLUMNS`).
    outside_toms : pandas.DataFrame
        One row per testimony and suggested indicator outside the National TOMs
        (:data:`OUTSIDE_TOMS_COLUMNS`).
    model : str
        The model that made the suggestions.
    unavailable : str
        Why nothing was tagged when the model is not installed; blank otherwise.
    """

    tags: pd.DataFrame
    unsupported: pd.DataFrame
    outside_toms: pd.DataFrame
    model: str = MODEL
    unavailable: str = ""


def _scored(items: list[dict], key: str) -> str:
    return "; ".join(f"{i[key]} ({i['score']:.2f})" for i in items)


def _partner_ids(frame: pd.DataFrame) -> pd.Series:
    return frame["partner_id"].astype(str) if "partner_id" in frame else pd.Series([""] * len(frame), index=frame.index)


def unsupported_outcomes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Impact-map outcomes that no shareable case study of their partner counts
    (:func:`svlib.analysis.evidence.counted_outcome_ids`), in map order
    (:data:`UNSUPPORTED_COLUMNS`)."""
    impact = tables.get(IMPACT_MAP.name)
    if impact is None or impact.empty:
        return pd.DataFrame(columns=UNSUPPORTED_COLUMNS)
    cases = tables.get(CASE_STUDIES.name)
    counted: set[tuple[str, str]] = set()
    if cases is not None and len(cases):
        kept = shareable(cases)
        counted = {(p, o) for p, ids in zip(_partner_ids(kept), counted_outcome_ids(kept)) for o in ids}
    partners = _partner_ids(impact)
    missing = [(p, str(o)) not in counted for p, o in zip(partners, impact["outcome_id"])]
    out = pd.DataFrame({"partner_id": partners.to_numpy(), "outcome_id": impact["outcome_id"].astype(str).to_numpy(),
                        "outcome": impact.get("outcome", pd.Series([""] * len(impact))).to_numpy(),
                        "theme": impact.get("theme", pd.Series([""] * len(impact))).to_numpy()})
    return out[missing].reset_index(drop=True)


def _disagreement(own: list[str], themes_of_own: set[str], top: str, theme: str) -> str:
    reasons = []
    if top and top not in own:
        reasons.append(f"the best-matching outcome, {top}, is not among its own")
    if not own:
        reasons.append("it names no outcome of its own")
    elif theme.casefold() not in {t.casefold() for t in themes_of_own}:
        reasons.append(f"the suggested theme, {theme}, is not the theme of any of its own outcomes")
    return "; ".join(reasons)


def suggested_tags(tables: Mapping[str, pd.DataFrame]) -> SuggestedTags:
    """Tag every shareable case study against its own partner's impact map.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Shared tables (redacted, :func:`svlib.reporting.partner_report.shared_tables`):
        ``CaseStudies`` and ``ImpactMap``, each with ``partner_id`` (one partner's rows
        without it are read as one partner's).

    Returns
    -------
    SuggestedTags
        With the model missing, no suggestions (``unavailable`` says why) but the
        unsupported outcomes still listed.

    Notes
    -----
    Rows not consented and anonymised are dropped before any text is read; the model is
    loaded once per process (:func:`svlib.analysis.tagging.load_model`).
    """
    unsupported = unsupported_outcomes(tables)
    empty = SuggestedTags(pd.DataFrame(columns=TAG_COLUMNS), unsupported, pd.DataFrame(columns=OUTSIDE_TOMS_COLUMNS))
    cases = tables.get(CASE_STUDIES.name)
    if cases is None or cases.empty:
        return empty
    kept = shareable(cases)  # before anything reads a text
    kept = kept[[isinstance(t, str) and bool(t.strip()) for t in kept["text"]]].reset_index(drop=True)
    if kept.empty:
        return empty
    try:
        model = load_model()
    except ModelUnavailable as exc:
        return SuggestedTags(empty.tags, unsupported, empty.outside_toms, unavailable=str(exc))
    impact = tables.get(IMPACT_MAP.name, pd.DataFrame(columns=["outcome_id", "theme"]))
    map_partners = _partner_ids(impact)
    indicators = load_indicators().set_index("indicator_id")
    kept = kept.assign(partner_id=_partner_ids(kept).to_numpy(), counted=counted_outcome_ids(kept))
    rows, outside = [], []
    for partner_id, part in kept.groupby("partner_id", sort=False):
        own_map = impact[(map_partners == partner_id).to_numpy()]
        theme_of = dict(zip(own_map["outcome_id"].astype(str), own_map.get("theme", pd.Series(dtype=str))))
        suggested = Tagger(model, own_map).tag(list(part["case_id"].astype(str)), list(part["text"]))
        for case, s in zip(part.to_dict("records"), suggested):
            own = list(dict.fromkeys(split_ids(case["outcome_ids"]))) if isinstance(case["outcome_ids"], str) else []
            accepted = case.get("accepted_outcome_ids")
            accepted = ", ".join(split_ids(accepted)) if isinstance(accepted, str) else ""
            top = s["outcomes"][0] if s["outcomes"] else {"outcome_id": "", "score": float("nan")}
            reason = _disagreement(own, {str(theme_of.get(o, "")) for o in own}, top["outcome_id"], s["theme"])
            rows.append({"partner_id": partner_id, "case_id": str(case["case_id"]), "outcome_ids": ", ".join(own),
                         "accepted_outcome_ids": accepted, "suggested_outcomes": _scored(s["outcomes"], "outcome_id"),
                         "top_outcome": top["outcome_id"], "top_outcome_score": round(top["score"], 2),
                         "suggested_theme": s["theme"], "theme_score": round(s["theme_score"], 2),
                         "suggested_indicators": _scored(s["indicators"], "id"), "disagrees": bool(reason),
                         "reason": reason, "to_review": bool(reason) and not accepted})
            for i in s["indicators"]:
                if indicators.at[i["id"], "in_toms"] != "yes":
                    outside.append({"partner_id": partner_id, "case_id": str(case["case_id"]), "indicator_id": i["id"],
                                    "indicator": indicators.at[i["id"], "indicator"],
                                    "theme": indicators.at[i["id"], "theme"], "score": round(i["score"], 2)})
    return SuggestedTags(pd.DataFrame(rows, columns=TAG_COLUMNS), unsupported,
                         pd.DataFrame(outside, columns=OUTSIDE_TOMS_COLUMNS))


def in_theme(result: SuggestedTags, tables: Mapping[str, pd.DataFrame], theme: str) -> SuggestedTags:
    """The part of ``result`` that concerns one County Durham Pound theme, across partners.

    A testimony concerns the theme when an outcome it counts
    (:func:`~svlib.analysis.evidence.counted_outcome_ids`) or names as its own is in the
    theme, or when its suggested theme is the theme; an unsupported outcome when its own
    ``theme`` is. The testimonies pointing outside the TOMs are those of the theme.
    """
    wanted = theme.strip().casefold()
    impact = tables.get(IMPACT_MAP.name, pd.DataFrame(columns=["partner_id", "outcome_id", "theme"]))
    themed = {(p, str(o)) for p, o, t in zip(_partner_ids(impact), impact["outcome_id"], impact["theme"])
              if str(t).strip().casefold() == wanted}
    tags = result.tags
    keep = [s.casefold() == wanted or any((p, o) in themed for o in split_ids(f"{own},{accepted}"))
            for p, own, accepted, s in zip(tags["partner_id"], tags["outcome_ids"], tags["accepted_outcome_ids"],
                                           tags["suggested_theme"])]
    tags = tags[keep].reset_index(drop=True)
    cases = set(zip(tags["partner_id"], tags["case_id"]))
    outside = result.outside_toms
    outside = outside[[k in cases for k in zip(outside["partner_id"], outside["case_id"])]].reset_index(drop=True)
    unsupported = result.unsupported
    unsupported = unsupported[unsupported["theme"].astype(str).str.strip().str.casefold() == wanted].reset_index(drop=True)
    return SuggestedTags(tags, unsupported, outside, result.model, result.unavailable)
