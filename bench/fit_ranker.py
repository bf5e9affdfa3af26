"""Fit the answer ranker and the answerability model on SQuAD-format dev sets; write qa/ranker.json.

Usage: .venv/bin/python bench/fit_ranker.py ../shared/data/cmrc2018_trial.json \\
           ../shared/data/drcd_dev.json [--paragraphs 400] [--write]

For each set, every paragraph is indexed (the real model) and every question asked: the
candidates are the sentences of its top-5 hybrid passages, exactly what ``qa.answer.rank`` sees;
a candidate is positive when it contains a gold answer. Then every fourth document (by title,
as ``qa eval`` does) is removed and its questions asked again: the unanswerable set.

1. Ranker: a softmax over each question's candidates (listwise logistic regression), features
   standardised, the scaling folded into the shipped weights.
2. Answerability: a logistic regression on ``ranking.ANSWERABILITY`` (answerable = 1,
   unanswerable = 0), with the fitted ranker's scores.
Prints each model fitted on each set alone, evaluated on the other (the transfer a held-out
set would see), and the fit on all sets; ``--write`` stores the all-sets fit in qa/ranker.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa import ranking  # noqa: E402
from qa.answer import rank  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluate import load_squad  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402

RANKER_JSON = Path(__file__).resolve().parent.parent / "qa" / "ranker.json"
COVERED = ranking.ANSWERABILITY.index("covered")


@dataclass(frozen=True)
class Group:
    """One question: its candidates' features, labels, and how much of it they cover."""

    matrix: np.ndarray
    labels: np.ndarray
    covered: float


def _ask(kb: KnowledgeBase, text: str, answers: tuple[str, ...]) -> Group:
    ranked = rank(kb, text, kb.retrieve(text, 5))
    labels = np.array([any(g in c.text for g in answers) for c in ranked.candidates], dtype=np.float32)
    return Group(ranked.matrix, labels, float(ranked.answerability[COVERED]))


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
        answerable = [_ask(kb, q.text, q.answers) for q in questions]
        kb.remove(sorted(held_ids))
        unanswerable = [_ask(kb, q.text, q.answers) for q in questions if q.paragraph_id in held_ids]
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
             "unanswerable": round(float(np.mean(cn < t)), 4)} for t in np.arange(0.3, 0.71, 0.05)]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+")
    p.add_argument("--paragraphs", type=int, default=None, help="index only the first N paragraphs of each set")
    p.add_argument("--write", action="store_true", help=f"store the all-sets fit in {RANKER_JSON}")
    args = p.parse_args(argv)
    data = {Path(x).stem: collect(x, args.paragraphs) for x in args.paths}
    report: dict[str, dict] = {}
    for name in [*data, "all"]:
        ans = [g for n, (a, _) in data.items() if name in (n, "all") for g in a]
        unans = [g for n, (_, u) in data.items() if name in (n, "all") for g in u]
        w, b = fit_ranker(ans)
        aw, ab = fit_answerability(answerability_rows(ans, w, b), answerability_rows(unans, w, b))
        report[f"fit_{name}"] = {
            "ranker": {"weights": dict(zip(ranking.FEATURES, np.round(w, 4).tolist())), "bias": round(b, 4)},
            "answerability": {"weights": dict(zip(ranking.ANSWERABILITY, np.round(aw, 4).tolist())),
                              "bias": round(ab, 4)},
            **{f"on_{n}": {**hits(a, w, b), "abstention": abstention(answerability_rows(a, w, b),
                                                                      answerability_rows(u, w, b), aw, ab)}
               for n, (a, u) in data.items()}}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.write:
        fitted = {k: report["fit_all"][k] for k in ("ranker", "answerability")}
        fitted["fitted_on"] = {n: {"answerable": len(a), "unanswerable": len(u)} for n, (a, u) in data.items()}
        RANKER_JSON.write_text(json.dumps(fitted, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
