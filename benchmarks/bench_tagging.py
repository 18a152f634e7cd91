"""Benchmark: how well and how fast ``svlib tag`` suggests themes and indicators.

Accuracy, on the labelled evaluation set (``tests/analysis/tagging_eval.csv``: 75 invented
testimonies, 15 per theme): top-1 theme accuracy and top-3 indicator recall
(:func:`svlib.analysis.tagging.evaluate`) for the model (indicators described by title,
needs and phrasings), the same model on indicator titles alone (a plain zero-shot match),
and the keyword baseline on the same descriptions, side by side. Target: the model beats
the baseline on both.

Speed: 1,000 testimonies (the evaluation set's texts, then pairs of them joined, so no two
are the same) tagged after the model is loaded, on 2 threads, median of several runs,
against a floor: merely tokenising the same texts with the model's tokenizer (the least any
use of the model costs). Target: at most 5 s.

Run: ``.venv/bin/python benchmarks/bench_tagging.py``
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_name, "2")  # two cores, as the target says (before numpy and tokenizers load)

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
from results_file import save  # noqa: E402

from svlib.analysis.tagging import Tagger, evaluate, keyword_tag, load_model  # noqa: E402

EVALUATION = Path(__file__).resolve().parent.parent / "tests" / "analysis" / "tagging_eval.csv"
TEXTS, REPEATS, TARGET_S = 1_000, 5, 5.0


def thousand(texts: list[str]) -> list[str]:
    """``TEXTS`` distinct testimonies from the set: each text, then pairs ``i, i + k`` joined."""
    out = list(texts)
    step = 1
    while len(out) < TEXTS:
        out += [f"{a} {b}" for a, b in zip(texts, texts[step:] + texts[:step])]
        step += 1
    return out[:TEXTS]


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> dict:
    labelled = pd.read_csv(EVALUATION, dtype=str, keep_default_na=False)
    ids, texts = list(labelled["text_id"]), list(labelled["text"])
    start = time.perf_counter()
    model = load_model()
    load_s = time.perf_counter() - start
    tagger = Tagger(model)
    accuracy = {
        "model": evaluate(labelled, tagger.tag(ids, texts)),
        "model_titles_only": evaluate(labelled, Tagger(model, phrasings=False).tag(ids, texts)),
        "keyword_baseline": evaluate(labelled, keyword_tag(ids, texts)),
    }
    many = thousand(texts)
    many_ids = [f"t{n}" for n in range(len(many))]
    tag_s = statistics.median(_timed(lambda: tagger.tag(many_ids, many)) for _ in range(REPEATS))
    floor_s = statistics.median(_timed(lambda: model.tokenize(many)) for _ in range(REPEATS))
    keyword_s = statistics.median(_timed(lambda: keyword_tag(many_ids, many)) for _ in range(REPEATS))
    figures = {
        "benchmark": "tagging",
        "evaluation_texts": accuracy["model"]["texts"],
        "accuracy": accuracy,
        "texts_timed": len(many),
        "threads": int(os.environ["OMP_NUM_THREADS"]),
        "load_s": load_s,
        "tag_s_median": tag_s,
        "floor_tokenise_s_median": floor_s,
        "tag_ratio": tag_s / floor_s,
        "keyword_baseline_s_median": keyword_s,
    }
    model_acc, base = accuracy["model"], accuracy["keyword_baseline"]
    figures["met"] = (tag_s <= TARGET_S and model_acc["theme_accuracy"] > base["theme_accuracy"]
                      and model_acc["indicator_recall"] > base["indicator_recall"])
    save("tagging", figures)
    print(f"tagging: on {model_acc['texts']} labelled testimonies")
    print(f"  {'':28} {'theme top-1':>12} {'indicator top-3 recall':>24}")
    for name, row in accuracy.items():
        print(f"  {name.replace('_', ' '):28} {row['theme_accuracy']:>12.1%} {row['indicator_recall']:>24.1%}")
    print(f"  {len(many):,} testimonies tagged in {tag_s:.3f} s on {figures['threads']} threads (target <= "
          f"{TARGET_S:.0f} s) = {figures['tag_ratio']:.1f}x merely tokenising them ({floor_s:.3f} s); model loaded "
          f"once in {load_s:.2f} s; the keyword baseline takes {keyword_s:.3f} s")
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)
