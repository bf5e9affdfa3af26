"""Fit the order of candidate sentences for English questions over Chinese articles; write it
into qa/answering/ranker.json as ``cross_lingual``.

Usage: .venv/bin/python bench/fit_cross_lingual.py ../shared/data/xquad_en_zh_dev.json [--write]

The Chinese ranker's character features (bigrams, anchors, longest common run) see nothing of
an English question, so English candidates are ordered by a smaller linear model over the
features that cross the language gap: ``dense``, ``overlap`` and ``context`` (the question's
words in their Chinese senses, in the sentence and in its neighbours) and ``cue`` (the answer
type: who → a name, how much → an amount …). It is fitted as the Chinese ranker is (softmax over
each question's candidates, ``fit_ranker.fit_ranker``) on the set's English questions, and
reported held-out: 4 folds by document (paragraph ids ``d<doc>p<n>``, doc index mod 4), each
fold scored by a fit on the other three. Being on the ranker's log-odds scale, the fitted
weights also make ``selection.SUPPORT_MARGIN`` mean the same for English answers as for Chinese
ones (the hand-set ``dense + 0.2·overlap`` let almost every English answer quote three sentences).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fit_ranker import RANKER_JSON, _weights, collect, fit_ranker, hits  # noqa: E402

from qa.answering.features import FEATURES  # noqa: E402
from qa.answering.models import CROSS_LINGUAL_FEATURES  # noqa: E402

FOLDS = 4


def _columns(groups: list, names: tuple[str, ...]) -> list:
    cols = [FEATURES.index(n) for n in names]
    return [type(g)(g.matrix[:, cols], g.labels, g.covered) for g in groups]


def held_out(groups: list, docs: list[str], names: tuple[str, ...]) -> dict[str, float]:
    """Return hit@1/hit@3 over all groups, each fold scored by a fit on the other folds."""
    order = sorted(set(docs))
    fold = [order.index(d) % FOLDS for d in docs]
    sub = _columns(groups, names)
    h1 = h3 = 0.0
    for k in range(FOLDS):
        w, b = fit_ranker([g for g, f in zip(sub, fold) if f != k])
        test = [g for g, f in zip(sub, fold) if f == k]
        r = hits(test, w, b)
        h1, h3 = h1 + r["hit@1"] * len(test), h3 + r["hit@3"] * len(test)
    return {"hit@1": round(h1 / len(sub), 4), "hit@3": round(h3 / len(sub), 4)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: bench/fit_cross_lingual.py ../shared/data/xquad_en_zh_dev.json --write")
    p.add_argument("path")
    p.add_argument("--write", action="store_true", help=f"store the fit as 'cross_lingual' in {RANKER_JSON}")
    args = p.parse_args(argv)
    from qa.eval.retrieval import load_squad
    _, questions = load_squad(args.path)
    groups, _ = collect(args.path, None)
    docs = [q.paragraph_id.rsplit("p", 1)[0] for q in questions]
    hand = {"dense": 1.0, "overlap": 0.2}
    base = hits(_columns(groups, tuple(hand)), np.array(list(hand.values())), 0.0)
    report = {"questions": len(groups), "hand_set_dense_0.2_overlap": base}
    for names in (("dense", "overlap"), CROSS_LINGUAL_FEATURES):
        report[f"held_out_{'+'.join(names)}"] = held_out(groups, docs, names)
    w, b = fit_ranker(_columns(groups, CROSS_LINGUAL_FEATURES))
    fitted = {**_weights(CROSS_LINGUAL_FEATURES, w, 0.0),
              "fitted_on": f"{Path(args.path).name}, English questions",
              "held_out": report[f"held_out_{'+'.join(CROSS_LINGUAL_FEATURES)}"]}
    report["cross_lingual"] = fitted
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.write:
        data = json.loads(RANKER_JSON.read_text(encoding="utf-8"))
        data["cross_lingual"] = fitted
        RANKER_JSON.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
