"""Suggest the County Durham Pound theme, indicators and outcomes a testimony evidences.

A local embedding model reads each testimony and compares it with the shipped County Durham
Pound indicators (``cdp_themes.csv``, ``cdp_indicator_phrases.csv``) and, when given, a
partner's impact-map outcomes. Everything runs on this machine: the model's weights and
tokenizer are files inside the installed ``wordllama`` package (:func:`load_model`), read
with no network call, so a beneficiary's words never leave it.

**Suggestions only.** A score says how alike two texts are, not that an outcome happened:
nothing is claimed, counted or valued on the strength of a suggestion alone. A researcher
reads the testimony and decides.

Notes
-----
The model (WordLlama ``l2_supercat``, 256 dimensions) gives each token of the Llama 2
vocabulary a vector; a text's vector is the mean of its tokens' vectors (a "bag of
words" in a space where words of like meaning lie close). Before embedding, a text is
lower-cased and its common function words (:data:`STOPWORDS`) are left out, so that the
mean is carried by the words that say what happened.

Each indicator ``i`` is described by several texts ``d_{i,1..k}``: its title with the local
needs it serves, and a few plain-English phrasings of it as a beneficiary or partner might
say it (``cdp_indicator_phrases.csv``, written for svlib from the titles and needs). Its
vector is the mean of their unit vectors, scaled to unit length::

    v_i = m_i / ||m_i||,   m_i = (1/k) Σ_j e(d_{i,j}) / ||e(d_{i,j})||

A testimony ``t`` scores against indicator ``i`` by cosine similarity::

    s(t, i) = e(t)·v_i / (||e(t)|| ||v_i||)          (between -1 and 1)

The suggested indicators are the three of highest ``s``; the suggested theme is the theme
of the best indicator, with ``theme_score = max_{i in theme} s(t, i)``. An impact-map
outcome ``o`` is described by ``"<stakeholder>: <outcome>"`` and its indicator's title when
it names one, and scores ``s(t, o)`` in the same way.

The keyword baseline (:func:`keyword_tag`) reads the same descriptions but matches words
instead of meanings: ``score(t, i)`` is the number of distinct content words (lower case,
:data:`STOPWORDS` left out, a plural ``s`` dropped) that the testimony shares with the
indicator's descriptions, ties broken by the indicator's place in the list.

Evaluation (:func:`evaluate`) on a labelled set: top-1 theme accuracy, the share of
testimonies whose suggested theme is the labelled one; top-3 indicator recall, the mean
over testimonies of the share of its labelled indicators found among the three suggested.

References
----------
Miller, D. L. (2024) WordLlama: recycled token embeddings from large language models
(github.com/dleemiller/WordLlama; PyPI ``wordllama``).
Arora, S., Liang, Y. and Ma, T. (2017) A simple but tough-to-beat baseline for sentence
embeddings, ICLR (averaged word vectors as sentence vectors).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svlib import paths
from svlib.analysis.evidence import redact_tables, shareable
from svlib.analysis.themes import load_indicators
from svlib.contract.tables import CASE_STUDIES

MODEL = "wordllama l2_supercat, 256 dimensions"
"""The model, as reports and the command name it."""

MODEL_FILES = ("weights/l2_supercat_256.safetensors", "tokenizers/l2_supercat_tokenizer_config.json")
"""The model's weights and tokenizer, inside the installed ``wordllama`` package."""

TOP_INDICATORS = 3
"""Indicators suggested per testimony."""

TOP_OUTCOMES = 3
"""Impact-map outcomes suggested per testimony (fewer when the map has fewer)."""

STOPWORDS: frozenset[str] = frozenset("""
a about after again all also am an and any are as at be because been before being both but by can could
did do does doing down during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself no nor not now of off on once
only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself yourselves i'm i've i'd it's
we're we've we'd they're they've that's there's don't didn't couldn't wasn't isn't
""".split())
"""Function words left out before embedding and keyword matching (the English stop words of
common text-retrieval lists; negations such as "never" are kept)."""

_WORD = re.compile(r"[a-z][a-z'’-]*")
_REMOVED = re.compile(r"\[(?:email|phone|postcode|name) removed\]")
"""Redaction's placeholders (:mod:`svlib.analysis.evidence`), which say nothing of an outcome."""


class ModelUnavailable(RuntimeError):
    """The embedding model's files are not installed; the message says how to install them."""


# --- the model --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Model:
    """The loaded embedding model: ``embed`` and ``tokenize`` of a list of texts.

    Attributes
    ----------
    vectors : numpy.ndarray
        The model's token vectors, shape ``(vocabulary, 256)``, float32.
    tokenizer : tokenizers.Tokenizer
        The model's tokenizer (the Llama 2 vocabulary), with no truncation.
    name : str
        :data:`MODEL`.

    Notes
    -----
    A text's vector is the mean of its tokens' vectors, as WordLlama's own inference
    computes it (``WordLlamaInference.embed`` with ``norm=False``: average pooling of the
    token vectors, summed in float32); a token id beyond the vocabulary is read as its last
    entry, as there. Computed here from the package's two files, so that tagging never
    imports the ``wordllama`` package itself, which sets the whole process's logging to
    INFO when imported and loads its training and download code.
    """

    vectors: np.ndarray
    tokenizer: Any
    name: str = MODEL

    def tokenize(self, texts: Sequence[str]) -> list:
        """The texts as the model's tokens (the least any embedding of them costs)."""
        return self.tokenizer.encode_batch(list(texts), is_pretokenized=False, add_special_tokens=False)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of the texts (content words only), shape ``(len(texts), 256)``;
        a text with no known word gets a zero vector (similarity 0 to everything)."""
        pooled = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        last = self.vectors.shape[0] - 1
        for row, encoding in enumerate(self.tokenize([content_text(t) for t in texts])):
            ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, last)
            if len(ids):
                pooled[row] = np.sum(self.vectors[ids], axis=0, dtype=np.float32) / np.float32(len(ids))
        return unit(pooled)


def model_folder() -> Path:
    """The installed ``wordllama`` package's folder (its weights and tokenizer live in it),
    found without importing the package.

    Raises
    ------
    ModelUnavailable
        The package is not installed.
    """
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.origin:
        raise ModelUnavailable("the tagging model is not installed: pip install wordllama (its wheel carries the "
                               "weights and tokenizer, so nothing is downloaded when it runs)")
    return Path(spec.origin).parent


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The embedding model, read from the files of the installed package, with no network call.

    The weights (``l2_supercat_256.safetensors``) and tokenizer
    (``l2_supercat_tokenizer_config.json``) are read directly from the package folder
    (:data:`MODEL_FILES`), never through ``WordLlama.load``: that looks for the tokenizer in a
    ``tokenizer/`` folder the wheel does not have (it ships ``tokenizers/``) and, not finding
    it there or in a cache, would download it from Hugging Face; with downloads disabled it
    refuses instead. Reading the two files ourselves is the only way to the shipped files.

    Returns
    -------
    Model
        Cached: loaded once per process (about a tenth of a second).

    Raises
    ------
    ModelUnavailable
        The package or one of its files is missing (nothing is fetched in its place).
    """
    folder = model_folder()
    weights, tokenizer_file = (folder / name for name in MODEL_FILES)
    missing = [str(p) for p in (weights, tokenizer_file) if not p.is_file()]
    if missing:
        raise ModelUnavailable(f"the tagging model's files are missing: {', '.join(missing)}; reinstall wordllama "
                               "(pip install --force-reinstall wordllama)")
    from safetensors import safe_open  # installed with wordllama; loaded only when tagging
    from tokenizers import Tokenizer

    with safe_open(str(weights), framework="np", device="cpu") as f:
        vectors = np.ascontiguousarray(f.get_tensor("embedding.weight").astype(np.float32))
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()
    return Model(vectors, tokenizer)


# --- texts -------------------------------------------------------------------------------

def content_words(text: str) -> list[str]:
    """The words of a text that carry its meaning: lower case, :data:`STOPWORDS` and
    redaction's placeholders ("[name removed]") left out, in order (``"I got a job"`` → ``["got", "job"]``)."""
    words = _WORD.findall(_REMOVED.sub(" ", str(text)).lower().replace("’", "'"))
    return [w for w in words if w not in STOPWORDS]


def content_text(text: str) -> str:
    """:func:`content_words` joined by spaces: the text the model embeds."""
    return " ".join(content_words(text))


@lru_cache(maxsize=1)
def _phrases() -> pd.DataFrame:
    return pd.read_csv(paths.package_data("cdp_indicator_phrases.csv"), dtype=str, keep_default_na=False)


def indicator_descriptions(phrasings: bool = True) -> pd.DataFrame:
    """The texts that describe each County Durham Pound indicator.

    Parameters
    ----------
    phrasings : bool
        Add the plain-English phrasings of ``cdp_indicator_phrases.csv``; without them each
        indicator is its title alone (a plain zero-shot match, kept for comparison).

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, theme, description``: with ``phrasings``, one row of title and needs
        (``"<title>. <need>; <need>"``) and one per phrasing; without, one row of the title.
    """
    indicators = load_indicators()
    if not phrasings:
        return pd.DataFrame({"indicator_id": indicators["indicator_id"], "theme": indicators["theme"],
                             "description": indicators["indicator"]})
    rows = [(r.indicator_id, r.theme, f"{r.indicator}. {r.needs}") for r in indicators.itertuples()]
    theme_of = dict(zip(indicators["indicator_id"], indicators["theme"]))
    unknown = sorted(set(_phrases()["indicator_id"]) - set(theme_of))
    if unknown:  # a packaging error, not user input
        raise ValueError(f"cdp_indicator_phrases.csv names unknown indicator(s): {', '.join(unknown)}")
    rows += [(i, theme_of[i], p) for i, p in zip(_phrases()["indicator_id"], _phrases()["phrase"])]
    order = {i: n for n, i in enumerate(indicators["indicator_id"])}
    rows.sort(key=lambda r: order[r[0]])
    return pd.DataFrame(rows, columns=["indicator_id", "theme", "description"])


def outcome_descriptions(impact_map: pd.DataFrame) -> pd.DataFrame:
    """Each impact-map outcome as the tagger reads it.

    Parameters
    ----------
    impact_map : pandas.DataFrame
        A partner's ImpactMap rows (``outcome_id``, ``stakeholder``, ``outcome``, and
        ``indicator`` when present).

    Returns
    -------
    pandas.DataFrame
        ``outcome_id, description``: ``"<stakeholder>: <outcome>. <indicator>"`` (the
        indicator left out when blank).
    """
    rows = []
    for row in impact_map.to_dict("records"):
        parts = [f"{_text(row.get('stakeholder'))}: {_text(row.get('outcome'))}", _text(row.get("indicator"))]
        rows.append((str(row["outcome_id"]), ". ".join(p for p in parts if p.strip(": "))))
    return pd.DataFrame(rows, columns=["outcome_id", "description"])


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- scoring ----------------------------------------------------------------------------

def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``: ``a·b / (|a| |b|)``,
    shape ``(len(a), len(b))``; 0 where either vector is zero."""
    return unit(a) @ unit(b).T


def unit(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero)."""
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, lengths, out=np.zeros_like(vectors, dtype=float), where=lengths > 0)


def prototypes(model: Model, descriptions: pd.DataFrame, key: str) -> tuple[list[str], np.ndarray]:
    """One unit vector per ``key`` (an indicator or outcome id): the mean of its
    descriptions' unit vectors, scaled to unit length (module notes).

    Returns
    -------
    (list of str, numpy.ndarray)
        The ids in first-seen order and their vectors, shape ``(n, 256)``.
    """
    vectors = model.embed(list(descriptions["description"]))
    ids = list(dict.fromkeys(descriptions[key]))
    keys = descriptions[key].to_numpy()
    means = np.stack([vectors[keys == i].mean(axis=0) for i in ids]) if ids else np.zeros((0, vectors.shape[1]))
    return ids, unit(means)


def _top(scores: np.ndarray, ids: Sequence[str], k: int) -> list[dict[str, Any]]:
    """The ``k`` best ids of one row of scores, best first (ties: list order)."""
    order = np.argsort(-scores, kind="stable")[:k]
    return [{"id": ids[j], "score": round(float(scores[j]), 3)} for j in order]


def suggestions(text_ids: Sequence[str], scores: np.ndarray, indicator_ids: Sequence[str], themes: Sequence[str],
                outcome_scores: np.ndarray | None = None, outcome_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The suggestions for each text from its scores (one row per text).

    Returns
    -------
    list of dict
        ``{text_id, theme, theme_score, indicators: [{id, score}, ...], outcomes:
        [{outcome_id, score}, ...]}``: the best :data:`TOP_INDICATORS` indicators, the theme
        of the best with the best score among its indicators, and the best
        :data:`TOP_OUTCOMES` outcomes (an empty list without a map). Scores rounded to 3 places.
    """
    themes = np.asarray(themes)
    out = []
    for n, text_id in enumerate(text_ids):
        row = scores[n]
        best = int(np.argsort(-row, kind="stable")[0])
        theme = str(themes[best])
        outcomes = [] if outcome_scores is None else [
            {"outcome_id": o["id"], "score": o["score"]} for o in _top(outcome_scores[n], list(outcome_ids), TOP_OUTCOMES)]
        out.append({"text_id": str(text_id), "theme": theme,
                    "theme_score": round(float(row[themes == theme].max()), 3),
                    "indicators": _top(row, list(indicator_ids), TOP_INDICATORS), "outcomes": outcomes})
    return out


@dataclass
class Tagger:
    """The model with the indicators (and a map's outcomes) embedded once, ready to tag.

    Parameters
    ----------
    model : Model
        :func:`load_model`.
    impact_map : pandas.DataFrame, optional
        A partner's ImpactMap rows; its outcomes are then suggested too.
    phrasings : bool
        Describe indicators by title, needs and phrasings (default) or by title alone.
    """

    model: Model
    impact_map: pd.DataFrame | None = None
    phrasings: bool = True

    def __post_init__(self) -> None:
        self.indicator_ids, self.indicator_vectors, self.themes = _indicator_space(self.model, self.phrasings)
        self.outcome_ids: list[str] = []
        self.outcome_vectors = None
        if self.impact_map is not None and len(self.impact_map):
            self.outcome_ids, self.outcome_vectors = prototypes(self.model, outcome_descriptions(self.impact_map),
                                                                "outcome_id")

    def tag(self, text_ids: Sequence[str], texts: Sequence[str]) -> list[dict[str, Any]]:
        """Suggestions for each text (:func:`suggestions`); the texts are only read."""
        vectors = self.model.embed(list(texts))
        outcome_scores = None if self.outcome_vectors is None else vectors @ self.outcome_vectors.T
        return suggestions(text_ids, vectors @ self.indicator_vectors.T, self.indicator_ids, self.themes,
                           outcome_scores, self.outcome_ids)


@lru_cache(maxsize=4)
def _indicator_space(model: Model, phrasings: bool) -> tuple[tuple[str, ...], np.ndarray, tuple[str, ...]]:
    """The indicators' ids, unit vectors (read-only) and themes, embedded once per model and
    way of describing them: every :class:`Tagger` (one per partner's map) shares them."""
    descriptions = indicator_descriptions(phrasings)
    ids, vectors = prototypes(model, descriptions, "indicator_id")
    vectors.setflags(write=False)
    theme_of = dict(zip(descriptions["indicator_id"], descriptions["theme"]))
    return tuple(ids), vectors, tuple(theme_of[i] for i in ids)


def keyword_tag(text_ids: Sequence[str], texts: Sequence[str]) -> list[dict[str, Any]]:
    """The plain keyword baseline: the same suggestions from shared words (module notes).

    ``score(t, i)`` = the number of distinct content words, a final plural ``s`` dropped,
    that testimony ``t`` shares with indicator ``i``'s title, needs and phrasings.
    """
    descriptions = indicator_descriptions(True)
    ids = list(dict.fromkeys(descriptions["indicator_id"]))
    vocabulary = {i: set() for i in ids}
    for i, text in zip(descriptions["indicator_id"], descriptions["description"]):
        vocabulary[i] |= _keywords(text)
    theme_of = dict(zip(descriptions["indicator_id"], descriptions["theme"]))
    scores = np.array([[len(_keywords(t) & vocabulary[i]) for i in ids] for t in texts], dtype=float).reshape(
        len(texts), len(ids))
    return suggestions(text_ids, scores, ids, [theme_of[i] for i in ids])


def _keywords(text: str) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in content_words(text)}


# --- evaluation -------------------------------------------------------------------------

def evaluate(labelled: pd.DataFrame, suggested: Iterable[dict[str, Any]]) -> dict[str, float]:
    """How well suggestions match a labelled set.

    Parameters
    ----------
    labelled : pandas.DataFrame
        ``text_id, theme, indicator_ids`` (ids separated by ``;``).
    suggested : iterable of dict
        :func:`suggestions` output for the same texts.

    Returns
    -------
    dict
        ``texts``; ``theme_accuracy``: share of texts whose suggested theme is the labelled
        one (0-1); ``indicator_recall``: mean over texts of the share of labelled indicators
        among the :data:`TOP_INDICATORS` suggested (0-1).
    """
    by_id = {s["text_id"]: s for s in suggested}
    hits, recall = [], []
    for row in labelled.to_dict("records"):
        s = by_id[str(row["text_id"])]
        wanted = {i.strip() for i in str(row["indicator_ids"]).split(";") if i.strip()}
        hits.append(s["theme"] == row["theme"])
        recall.append(len(wanted & {i["id"] for i in s["indicators"]}) / len(wanted))
    return {"texts": len(hits), "theme_accuracy": float(np.mean(hits)), "indicator_recall": float(np.mean(recall))}


# --- case studies -----------------------------------------------------------------------

@dataclass(frozen=True)
class CaseStudyTexts:
    """The case studies that may be tagged, and how many were left out.

    Attributes
    ----------
    texts : pandas.DataFrame
        ``partner_id, case_id, text_id, text``: consented and anonymised case studies only,
        text redacted as shared pages show it; ``text_id`` is ``<partner_id>:<case_id>``.
    left_out : int
        Case studies not consented or not anonymised (their text is not read).
    blank : int
        Shareable case studies with no text.
    """

    texts: pd.DataFrame
    left_out: int
    blank: int


def case_study_texts(tables: dict[str, pd.DataFrame]) -> CaseStudyTexts:
    """A collection's (or one partner's) case studies that may be tagged.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Processed tables with ``partner_id`` (:func:`svlib.pipeline.build.load_processed`),
        as read (not yet redacted): ``CaseStudies``, and ``Partner`` and ``Names`` for the
        names to remove.

    Returns
    -------
    CaseStudyTexts
        Only :func:`svlib.analysis.evidence.shareable` rows, each text through
        :func:`svlib.analysis.evidence.redact_tables` (contact details and people's names
        removed) before the model reads it.
    """
    cases = tables.get(CASE_STUDIES.name)
    if cases is None or cases.empty:
        return CaseStudyTexts(pd.DataFrame(columns=["partner_id", "case_id", "text_id", "text"]), 0, 0)
    shared = redact_tables(tables)[CASE_STUDIES.name]
    kept = shareable(shared)
    has_text = kept["text"].map(lambda v: isinstance(v, str) and bool(v.strip()))
    kept = kept[has_text.to_numpy()]
    partner = kept["partner_id"].astype(str) if "partner_id" in kept else pd.Series([""] * len(kept), index=kept.index)
    frame = pd.DataFrame({"partner_id": partner.to_numpy(), "case_id": kept["case_id"].astype(str).to_numpy(),
                          "text_id": [f"{p}:{c}" if p else c for p, c in zip(partner, kept["case_id"].astype(str))],
                          "text": kept["text"].to_numpy()})
    return CaseStudyTexts(frame, len(cases) - len(shareable(cases)), int((~has_text).sum()))
