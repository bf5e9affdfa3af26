"""Fit the answer-sentence ranker's weights (logistic regression) on SQuAD-format dev sets.

Usage: .venv/bin/python bench/fit_ranker.py ../shared/data/cmrc2018_trial.json ../shared/data/drcd_dev.json

For each question, the candidates are the sentences of its top-5 hybrid passages (what the
answerer sees); a candidate is positive when it contains a gold answer. Features come from
``qa.ranking.features``. Prints weights fitted on each set alone and on both, with hit@1 of
each fit on each set (so the gain across sets is visible), as JSON.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answer import rank  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluate import load_squad  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.ranking import FEATURES  # noqa: E402


def collect(path: str, limit: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return per-question (features, labels)."""
    articles, questions = load_squad(path)
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "index", settings=settings)
        kb.add(articles)
        groups = []
        for q in questions[:limit]:
            cands, matrix, _ = rank(kb, q.text, kb.retrieve(q.text, 5))
            labels = np.array([any(g in c.text for g in q.answers) for c in cands], dtype=np.float32)
            groups.append((matrix, labels))
    return groups


def fit(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = 1e-3, steps: int = 3000) -> np.ndarray:
    """Return weights (features..., bias) of a logistic regression fitted by gradient descent."""
    x = np.concatenate([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    x = np.hstack([x, np.ones((len(x), 1), np.float32)])
    w = np.zeros(x.shape[1], np.float64)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0]
        w -= 2.0 * grad
    return w


def hit_at_1(groups: list[tuple[np.ndarray, np.ndarray]], w: np.ndarray) -> float:
    hits = [g[1][int(np.argmax(g[0] @ w[:-1]))] if len(g[1]) else 0.0 for g in groups]
    return float(np.mean(hits))


def main() -> None:
    limit = int(dict(a.split("=") for a in sys.argv[1:] if "=" in a).get("limit", 10**9))
    paths = [a for a in sys.argv[1:] if "=" not in a]
    data = {Path(p).stem: collect(p, limit) for p in paths}
    fits = {name: fit(g) for name, g in data.items()}
    fits["all"] = fit([g for gs in data.values() for g in gs])
    report = {f"fit_{n}": {"weights": dict(zip([*FEATURES, "bias"], np.round(w, 3).tolist())),
                           **{f"hit@1_{d}": round(hit_at_1(g, w), 4) for d, g in data.items()}}
              for n, w in fits.items()}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
