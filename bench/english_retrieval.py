"""English questions over Chinese articles: passage retrieval by keyword variant and fusion weight (issue #15).

Usage: .venv/bin/python bench/english_retrieval.py [--data ../shared/data/xquad_en_zh_dev.json]
       [--cmrc ../shared/data/cmrc2018_trial.json] [--json bench/results/english_retrieval.json]

The XQuAD en→zh index is built once; every question is asked in English (``question``) and in
Chinese (``question_zh``). Dense candidates are computed once per question, BM25 candidates once
per keyword variant, and every fusion weight of the grid is scored offline (as bench/tune.py
does). Tuned figures are HELD-OUT: the 24 XQuAD articles fall into 4 folds (article index mod 4);
the (variant, weight) with the best R@1 on three folds is measured on the fourth, and the four
measurements are pooled. ``--cmrc`` also checks that Chinese questions (CMRC 2018 trial) keep
their hybrid R@1 under the code's current settings.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.config import Settings  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.index.filters import Filters  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.search import keyword  # noqa: E402
from qa.embedding.alignment import shifted  # noqa: E402
from qa.search.dense import dense_candidates  # noqa: E402
from qa.search.fusion import Hits, dense_weight_for, fuse  # noqa: E402
from qa.search.hybrid import to_passages  # noqa: E402
from qa.text import tokenize  # noqa: E402
from qa.text import translate  # noqa: E402

DEPTH = 50
FOLDS = 4
WEIGHTS = tuple(round(w, 2) for w in np.arange(0.2, 0.85, 0.05))


def _prior_order(senses, counts, near):
    """Senses the articles contain, in the dictionary's (jieba frequency) order."""
    return [w for w in senses if counts.get(w, 0) > 0][:translate.PER_WORD]


def _near_first(senses, counts, near):
    """Senses found near the question's meaning first, then the other senses the articles contain."""
    present = [w for w in senses if counts.get(w, 0) > 0]
    return sorted(present, key=lambda w: (w not in near, -counts[w]))[:translate.PER_WORD]


def _counts_only(senses, counts, near):
    """Senses the articles contain, most used first (nearby passages ignored)."""
    return sorted([w for w in senses if counts.get(w, 0) > 0], key=lambda w: -counts[w])[:translate.PER_WORD]


# name -> (use the index's counts, PER_WORD, MAX_PHRASE, top dense chunks read for senses, sense chooser)
VARIANTS: dict[str, tuple[bool, int, int, int, Callable | None]] = {
    "jieba senses (as before)": (False, 3, 2, 0, None),
    "jieba senses, 3-word phrases": (False, 3, 3, 0, None),
    "corpus senses x2": (True, 2, 3, 0, _counts_only),
    "corpus senses x3": (True, 3, 3, 0, _counts_only),
    "corpus senses x4": (True, 4, 3, 0, _counts_only),
    "corpus filter, jieba order x3": (True, 3, 3, 0, _prior_order),
    "corpus senses x3, 2-word phrases": (True, 3, 2, 0, _counts_only),
    "near-only senses, top 3 chunks x3": (True, 3, 3, 3, None),
    "near-only senses, top 5 chunks x3 (the code)": (True, 3, 3, 5, None),
    "near-only senses, top 10 chunks x3": (True, 3, 3, 10, None),
    "near-only senses, top 5 chunks x2": (True, 2, 3, 5, None),
    "near-only senses, top 5 chunks x4": (True, 4, 3, 5, None),
    "near-first senses, top 5 chunks x3": (True, 3, 3, 5, _near_first),
}


@contextlib.contextmanager
def variant(name: str) -> Iterator[tuple[bool, int]]:
    """Apply one keyword variant's translation settings for the block; yield (reads counts, nearby chunks)."""
    use_counts, per_word, phrase, near, chooser = VARIANTS[name]
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(translate, "PER_WORD", per_word))
        stack.enter_context(mock.patch.object(translate, "MAX_PHRASE", phrase))
        if chooser is not None:
            stack.enter_context(mock.patch("qa.text.translate._in_corpus", chooser))
        yield use_counts, near


def bm25_hits(view, query: str, use_counts: bool, near_chunks: list[int]) -> Hits:
    """Return the BM25 candidates of ``query`` under the active translation settings."""
    counts = (lambda tokens: view.doc_freq(tokens)[0]) if use_counts else None
    rows = view.chunks_by_id(near_chunks) if near_chunks else {}
    nearby = {t for sc in rows.values() for t in tokenize(sc.chunk.text)}
    terms = tokenize(translate.keyword_text(query, counts, nearby))
    return Hits(tuple(keyword.bm25_search(view, terms, DEPTH, Filters())))


def ranks(view, lists: list[list[tuple[int, float]]], golds: list[str]) -> np.ndarray:
    """Return the rank (1-5, or 99 when absent from the top 5) of each question's own paragraph."""
    out = []
    for fused, gold in zip(lists, golds):
        ids = [p.article_id for p in to_passages(view, fused, 5)]
        out.append(ids.index(gold) + 1 if gold in ids else 99)
    return np.array(out)


def recall(r: np.ndarray) -> dict[str, float]:
    """Return R@1 and R@5 of the ranks ``r``."""
    return {"R@1": round(float(np.mean(r <= 1)), 4), "R@5": round(float(np.mean(r <= 5)), 4)}


def evaluate_field(kb: KnowledgeBase, view, path: str, field: str, settings: Settings) -> dict:
    """Return per-question ranks of one question field: dense, and bm25/hybrid per variant and weight."""
    _, questions = load_squad(path, field)
    golds = [q.paragraph_id for q in questions]
    texts = [q.text for q in questions]
    vectors = kb.query_encoder.queries(texts)
    shift = kb._questions.shift(kb.query_encoder)  # as kb.retrieve moves an English question's vector
    if shift is not None:
        vectors = shifted(vectors, texts, shift)
    dense = [dense_candidates(view, v, DEPTH, Filters()) for v in vectors]
    out = {"questions": questions, "dense": ranks(view, [list(d.hits) for d in dense], golds), "bm25": {}, "hybrid": {}}
    for name in VARIANTS:
        with variant(name) as (use_counts, near):
            sparse = [bm25_hits(view, q.text, use_counts, [rid for rid, _ in d.hits[:near]])
                      for q, d in zip(questions, dense)]
        out["bm25"][name] = ranks(view, [list(s.hits) for s in sparse], golds)
        for w in WEIGHTS:
            out["hybrid"][(name, w)] = ranks(view, [fuse(d, s, settings, w) for d, s in zip(dense, sparse)], golds)
    return out


def held_out(result: dict, folds: np.ndarray, only: str | None = None) -> tuple[np.ndarray, list]:
    """Return the pooled held-out hybrid ranks and the (variant, weight) each fold chose on the
    other three (among the weights of variant ``only`` when given)."""
    pooled = np.zeros(len(folds), dtype=int)
    chosen = []
    keys = [key for key in result["hybrid"] if only in (None, key[0])]
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        best = max(keys, key=lambda key: (np.mean(result["hybrid"][key][train] <= 1),
                                                       np.mean(result["hybrid"][key][train] <= 5)))
        pooled[test] = result["hybrid"][best][test]
        chosen.append(best)
    return pooled, chosen


def xquad_report(path: str, tmp: Path, settings: Settings) -> dict:
    """Build the XQuAD index once and return the figures for both question languages."""
    articles, _ = load_squad(path)
    kb = KnowledgeBase(tmp / "xquad", settings=settings)
    kb.add(articles)
    report = {}
    with kb.reader.view() as view:
        for field in ("question", "question_zh"):
            res = evaluate_field(kb, view, path, field, settings)
            folds = np.array([int(q.paragraph_id[1:].split("p")[0]) % FOLDS for q in res["questions"]])
            pooled, chosen = held_out(res, folds)
            report[field] = {
                "n": len(res["questions"]), "dense": recall(res["dense"]),
                "bm25 (in-sample, no tuning)": {n: recall(r) for n, r in res["bm25"].items()},
                "hybrid held-out (variant and weight chosen on 3 folds)": recall(pooled),
                "chosen per fold": [f"{n} @ {w}" for n, w in chosen],
                "hybrid held-out, weight chosen on 3 folds, per variant": {
                    n: recall(held_out(res, folds, n)[0]) for n in VARIANTS},
                "hybrid in-sample by weight": {f"{n} @ {w}": recall(r)["R@1"] for (n, w), r in res["hybrid"].items()},
            }
    return report


def current_settings_report(path: str, tmp: Path, settings: Settings, fields: tuple[str, ...]) -> dict:
    """Return hybrid/bm25/dense R@1 and R@5 of ``kb.retrieve`` as the code now stands (no grid)."""
    articles, _ = load_squad(path)
    kb = KnowledgeBase(tmp / Path(path).stem, settings=settings)
    kb.add(articles)
    out = {}
    for field in fields:
        _, questions = load_squad(path, field)
        vectors = kb.query_encoder.queries([q.text for q in questions])
        out[field] = {}
        for mode in ("hybrid", "dense", "bm25"):
            r = np.array([_rank(kb.retrieve(q.text, k=5, mode=mode, query_vector=v), q.paragraph_id)
                          for q, v in zip(questions, vectors)])
            out[field][mode] = recall(r)
        out[field]["questions whose keywords count as English"] = sum(
            dense_weight_for(q.text, settings.replace(dense_weight_en=-1.0)) == -1.0 for q in questions)
    return out


def _rank(passages, gold: str) -> int:
    ids = [p.article_id for p in passages]
    return ids.index(gold) + 1 if gold in ids else 99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/xquad_en_zh_dev.json")
    parser.add_argument("--cmrc", help="also check Chinese questions of this SQuAD file under current settings")
    parser.add_argument("--json", help="also write the report here")
    parser.add_argument("--no-grid", action="store_true", help="only the current settings (kb.retrieve)")
    args = parser.parse_args()
    settings = Settings.from_env()
    report: dict = {"settings": {"dense_weight": settings.dense_weight, "dense_weight_en": settings.dense_weight_en}}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_grid:
            report["xquad grid"] = xquad_report(args.data, Path(tmp), settings)
        report["xquad current settings"] = current_settings_report(args.data, Path(tmp), settings,
                                                                   ("question", "question_zh"))
        if args.cmrc:
            report["cmrc current settings"] = current_settings_report(args.cmrc, Path(tmp), settings, ("question",))
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
