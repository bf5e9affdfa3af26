"""Fit the answer ranker and the answerability model on SQuAD-format dev sets; write qa/answering/ranker.json.

Usage: .venv/bin/python bench/fit_ranker.py ../shared/data/cmrc2018_trial.json \\
           ../shared/data/drcd_dev.json [--paragraphs 400] [--write]

For each set, every paragraph is indexed (the real model) and every question asked: the
candidates are the sentences of its top-5 hybrid passages, exactly what ``qa.answering.ranking.rank_sentences`` sees;
a candidate is positive when it contains a gold answer. Then every fourth document (by title,
as ``qa eval`` does) is removed and its questions asked again: the unanswerable set.

1. Ranker: a softmax over each question's candidates (listwise logistic regression), features
   standardised, the scaling folded into the shipped weights.
   Fitted on each set alone and on all; the one with the best mean hit@1 over the sets is kept
   (each is also evaluated on the other set: the transfer a held-out set would see).
2. Answerability: a logistic regression on ``ranking.ANSWERABILITY`` (answerable = 1,
   unanswerable = 0) over all sets, with the kept ranker's scores; plus a variant on the word
   features alone for other encoders.
``--write`` stores both in qa/answering/ranker.json.
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answering import features as ranking  # noqa: E402
from qa.answering.ranking import gather, rank_sentences  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402

RANKER_JSON = Path(__file__).resolve().parent.parent / "qa" / "answering" / "ranker.json"
COVERED = ranking.ANSWERABILITY.index("covered")
# The answerability variant for encoders other than the fitted one: word-overlap features only.
LEXICAL = [ranking.ANSWERABILITY.index(f) for f in ("top_overlap", "top_context", "covered", "top_anchors")]


@dataclass(frozen=True)
class Group:
    """One question: its candidates' features, labels, and how much of it they cover."""

    matrix: np.ndarray
    labels: np.ndarray
    covered: float
    doc: str = ""  # the title of the question's document: what held-out folds split by


def _ask(kb: KnowledgeBase, text: str, answers: tuple[str, ...], doc: str = "") -> Group:
    passages = kb.retrieve(text, 5)
    with kb.reader.view() as view:
        evidence = gather(view, text, passages)
    ranked = rank_sentences(evidence, text, passages, kb.encoder.queries([text])[0], kb.settings.model)
    labels = np.array([any(g in c.text for g in answers) for c in ranked.candidates], dtype=np.float32)
    return Group(ranked.matrix, labels, float(ranked.answerability[COVERED]), doc)


def collect(path: str, paragraphs: int | None) -> tuple[list[Group], list[Group]]:
    """Return (answerable, unanswerable) groups of a SQuAD file."""
    articles, questions = load_squad(path)
    if paragraphs:
        articles = articles[:paragraphs]
        kept = {a.id for a in articles}
        questions = [q for q in questions if q.paragraph_id in kept]
    titles = sorted({a.title for a in articles})
    held = {t for i, t in enumerate(titles) if i % 4 == 0}
    held_ids = {a.id for a in articles if a.title in held}
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "index", settings=Settings.from_env())
        kb.add(articles)
        title = {a.id: a.title for a in articles}
        answerable = [_ask(kb, q.text, q.answers, title[q.paragraph_id]) for q in questions]
        kb.remove(sorted(held_ids))
        unanswerable = [_ask(kb, q.text, q.answers, title[q.paragraph_id]) for q in questions
                        if q.paragraph_id in held_ids]
    return answerable, unanswerable


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(0), x.std(0) + 1e-6


def fit_ranker(groups: list[Group], l2: float = 1e-3, steps: int = 1500) -> tuple[np.ndarray, float]:
    """Return raw-feature weights and bias of a listwise (softmax) ranker."""
    gs = [g for g in groups if len(g.labels) and g.labels.sum() > 0]
    x = np.concatenate([g.matrix for g in gs]).astype(np.float64)
    mu, sd = _standardise(x)
    xs = (x - mu) / sd
    owner = np.repeat(np.arange(len(gs)), [len(g.labels) for g in gs])
    target = np.concatenate([g.labels / g.labels.sum() for g in gs])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        s = xs @ w
        top = np.full(len(gs), -np.inf)
        np.maximum.at(top, owner, s)
        e = np.exp(s - top[owner])
        z = np.zeros(len(gs))
        np.add.at(z, owner, e)
        w -= 1.0 * (xs.T @ (e / z[owner] - target) / len(gs) + l2 * w)
    return w / sd, float(-(w * mu / sd).sum())


def answerability_rows(groups: list[Group], w: np.ndarray, b: float) -> np.ndarray:
    rows = [ranking.answerability_features(g.matrix, g.matrix @ w + b, g.covered) if len(g.labels)
            else np.zeros(len(ranking.ANSWERABILITY), np.float32) for g in groups]
    return np.stack(rows).astype(np.float64)


def fit_answerability(pos: np.ndarray, neg: np.ndarray, l2: float = 1e-3, steps: int = 3000) -> tuple[np.ndarray, float]:
    """Return weights and bias of a logistic regression (classes weighted equally)."""
    x = np.concatenate([pos, neg])
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    weight = np.r_[np.full(len(pos), 0.5 / len(pos)), np.full(len(neg), 0.5 / len(neg))]
    mu, sd = _standardise(x)
    xs = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(xs.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w)))
        w -= 1.0 * (xs.T @ ((p - y) * weight) + l2 * np.r_[w[:-1], 0])
    return w[:-1] / sd, float(w[-1] - (w[:-1] * mu / sd).sum())


def hits(groups: list[Group], w: np.ndarray, b: float) -> dict[str, float]:
    h1 = h3 = 0
    for g in groups:
        if len(g.labels):
            order = np.argsort(-(g.matrix @ w + b))
            h1 += g.labels[order[0]] > 0
            h3 += g.labels[order[:3]].max() > 0
    n = max(len(groups), 1)
    return {"hit@1": round(h1 / n, 4), "hit@3": round(h3 / n, 4)}


def abstention(pos: np.ndarray, neg: np.ndarray, w: np.ndarray, b: float) -> list[dict[str, float]]:
    conf = lambda x: 1 / (1 + np.exp(-(x @ w + b)))  # noqa: E731
    cp, cn = conf(pos), conf(neg)
    return [{"threshold": round(float(t), 2), "answerable": round(float(np.mean(cp < t)), 4),
             "unanswerable": round(float(np.mean(cn < t)), 4)} for t in np.arange(0.1, 0.71, 0.05)]


def _weights(names: tuple[str, ...], w: np.ndarray, b: float) -> dict:
    return {"weights": {n: round(float(v), 4) for n, v in zip(names, w)}, "bias": round(float(b), 4)}


def collection_args(p: argparse.ArgumentParser) -> None:
    """Add the arguments of :func:`collected` (the sets, ``--paragraphs``, ``--cache``) to ``p``."""
    p.add_argument("paths", nargs="+")
    p.add_argument("--paragraphs", type=int, default=None, help="index only the first N paragraphs of each set")
    p.add_argument("--cache", type=Path, help="pickle of collected candidates: read if present, else written")


def collected(args: argparse.Namespace) -> dict[str, tuple[list[Group], list[Group]]]:
    """Return ``{set name: (answerable, unanswerable)}`` for ``args.paths``, from ``args.cache`` if it exists."""
    if args.cache and args.cache.exists():
        return pickle.loads(args.cache.read_bytes())
    data = {Path(x).stem: collect(x, args.paragraphs) for x in args.paths}
    if args.cache:
        args.cache.write_bytes(pickle.dumps(data))
    return data


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: bench/fit_ranker.py ../shared/data/cmrc2018_trial.json "
                                       "../shared/data/drcd_dev.json --paragraphs 300 --write")
    collection_args(p)
    p.add_argument("--write", action="store_true", help=f"store the chosen fit in {RANKER_JSON}")
    args = p.parse_args(argv)
    data = collected(args)
    every = lambda part: [g for pair in data.values() for g in pair[part]]  # noqa: E731
    rankers = {name: fit_ranker(every(0) if name == "all" else data[name][0]) for name in [*data, "all"]}
    report: dict[str, dict] = {f"ranker_fit_{name}": {n: hits(a, w, b) for n, (a, _) in data.items()}
                               for name, (w, b) in rankers.items()}
    # The ranker whose hit@1, averaged over the sets, is best: on these sets the larger, easier
    # DRCD dominates a pooled fit, which then transfers worse to CMRC than CMRC's own fit.
    chosen = max(rankers, key=lambda n: np.mean([r["hit@1"] for r in report[f"ranker_fit_{n}"].values()]))
    w, b = rankers[chosen]
    pos, neg = answerability_rows(every(0), w, b), answerability_rows(every(1), w, b)
    aw, ab = fit_answerability(pos, neg)
    lw, lb = fit_answerability(pos[:, LEXICAL], neg[:, LEXICAL])
    fitted = {"ranker": _weights(ranking.FEATURES, w, b), "ranker_fitted_on": chosen,
              "answerability": _weights(ranking.ANSWERABILITY, aw, ab),
              "answerability_lexical": _weights(tuple(ranking.ANSWERABILITY[i] for i in LEXICAL), lw, lb),
              "fitted_for_model": Settings.from_env().model,
              "fitted_on": {n: {"answerable": len(a), "unanswerable": len(u)} for n, (a, u) in data.items()}}
    report["chosen"] = {**fitted, **{f"abstention_{n}": abstention(answerability_rows(a, w, b),
                                                                   answerability_rows(u, w, b), aw, ab)
                                     for n, (a, u) in data.items()}}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.write:  # other parts of the file (bench/fit_cross_lingual.py's) are kept
        kept = json.loads(RANKER_JSON.read_text(encoding="utf-8")) if RANKER_JSON.exists() else {}
        RANKER_JSON.write_text(json.dumps({**kept, **fitted}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
