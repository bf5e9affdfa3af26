"""Tune hybrid fusion on the developer sets, each index built once (the ranker: bench/fit_ranker.py).

Usage: .venv/bin/python bench/tune.py ../shared/data/cmrc2018_trial.json ../shared/data/drcd_dev.json

Dense and BM25 candidate lists are computed once per question, then every fusion setting in
the grid is scored (passage R@1) without re-encoding. Prints JSON: the table and the setting
with the best mean R@1 over the sets.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.config import Settings  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.index.filters import Filters  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.search.dense import dense_candidates  # noqa: E402
from qa.search.fusion import fuse  # noqa: E402
from qa.search.hybrid import lexical_candidates, to_passages  # noqa: E402

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


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: bench/tune.py ../shared/data/cmrc2018_trial.json ../shared/data/drcd_dev.json")
    p.add_argument("paths", nargs="+", help="SQuAD-format developer sets")
    paths = p.parse_args(argv).paths
    with tempfile.TemporaryDirectory() as tmp:
        states = {Path(p).stem: run(p, Path(tmp))[0] for p in paths}
        keys = list(next(iter(states.values()))["table"])
        mean = {k: float(np.mean([st["table"][k] for st in states.values()])) for k in keys}
        best = json.loads(max(mean, key=mean.get))
        report = {"fusion_R@1": {k: {n: round(st["table"][k], 4) for n, st in states.items()} for k in keys},
                  "chosen": best}
        print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
