"""Tune hybrid fusion and fit the answer ranker on the developer sets, each index built once.

Usage: .venv/bin/python bench/tune.py ../shared/data/cmrc2018_trial.json ../shared/data/drcd_dev.json

1. Fusion: dense and BM25 candidate lists are computed once per question, then every fusion
   setting in the grid is scored (passage R@1) without re-encoding.
2. Ranker: with the chosen fusion, features of the sentences in each question's top-5 passages
   are collected and a logistic regression is fitted per set and on both (bench/fit_ranker.py).
Prints JSON: the fusion table and the fitted weights with hit@1 on each set.
"""
from __future__ import annotations

import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_ranker import fit, hit_at_1  # noqa: E402

from qa.answer import rank  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluate import load_squad  # noqa: E402
from qa.filters import Filters  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.ranking import FEATURES  # noqa: E402
from qa.retrieve import dense_candidates, fuse, lexical_candidates, to_passages  # noqa: E402

GRID = ([{"fusion": "rrf", "rrf_k": k, "dense_weight": w} for k, w in itertools.product((5, 20, 60), (0.3, 0.4, 0.5, 0.6))]
        + [{"fusion": "weighted", "dense_weight": w} for w in (0.2, 0.3, 0.4, 0.5, 0.6)])


def run(path: str, tmp: Path) -> tuple[dict, list]:
    articles, questions = load_squad(path)
    settings = Settings.from_env()
    kb = KnowledgeBase(tmp / Path(path).stem, settings=settings)
    kb.add(articles)
    qvecs = kb.encoder.queries([q.text for q in questions])
    with kb.reader.view() as view:
        sides = [(dense_candidates(view, v, 50, Filters()), lexical_candidates(view, q.text, 50, Filters()))
                 for q, v in zip(questions, qvecs)]
        table = {}
        for params in GRID:
            s = settings.replace(**params)
            top = [to_passages(view, fuse(d, b, s), 1) for d, b in sides]
            table[json.dumps(params)] = float(np.mean([bool(t) and t[0].article_id == q.paragraph_id
                                                       for t, q in zip(top, questions)]))
    return {"kb": kb, "questions": questions, "sides": sides, "table": table}, questions


def features(state: dict, params: dict) -> list:
    kb, groups = state["kb"], []
    s = kb.settings.replace(**params)
    for q, (d, b) in zip(state["questions"], state["sides"]):
        with kb.reader.view() as view:
            passages = to_passages(view, fuse(d, b, s), 5)
        cands, matrix, _ = rank(kb, q.text, passages)
        labels = np.array([any(g in c.text for g in q.answers) for c in cands], dtype=np.float32)
        groups.append((matrix, labels))
    return groups


def main() -> None:
    paths = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        states = {Path(p).stem: run(p, Path(tmp))[0] for p in paths}
        keys = list(next(iter(states.values()))["table"])
        mean = {k: float(np.mean([st["table"][k] for st in states.values()])) for k in keys}
        best = json.loads(max(mean, key=mean.get))
        report = {"fusion_R@1": {k: {n: round(st["table"][k], 4) for n, st in states.items()} for k in keys},
                  "chosen": best}
        data = {n: features(st, best) for n, st in states.items()}
        fits = {n: fit(g) for n, g in data.items()}
        fits["all"] = fit([g for gs in data.values() for g in gs])
        report["ranker"] = {f"fit_{n}": {"weights": dict(zip([*FEATURES, "bias"], np.round(w, 3).tolist())),
                                         **{f"hit@1_{d}": round(hit_at_1(g, w), 4) for d, g in data.items()}}
                            for n, w in fits.items()}
        print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
