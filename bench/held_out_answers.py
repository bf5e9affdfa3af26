"""Held-out answer figures for the sets the answer models were fitted on (CMRC 2018, DRCD).

Usage: .venv/bin/python bench/held_out_answers.py ../shared/data/cmrc2018_trial.json \\
           ../shared/data/drcd_dev.json [--paragraphs 300] [--cache /tmp/answers.pkl] [--json PATH]

The shipped ranker was fitted on CMRC 2018 trial and the answerability model on CMRC and DRCD
(``bench/fit_ranker.py``), so ``qa eval``'s answer figures for those sets are in-sample. Here
each set's questions are split into 4 folds by document title (sorted titles, fold
``(i // 4) % 4``, so the documents ``collect`` removes for the unanswerable questions — every
fourth title — fall into every fold), and each fold is scored by models fitted as the shipped
ones are, on the other three folds only: the ranker on CMRC's training folds, the answerability
model on both sets' training folds with that ranker's scores. Reported per set, beside the
in-sample figures of the same measure (the best *sentence* holds a gold answer; ``qa eval``
quotes the completing neighbour too, so its hit@1 runs a little higher): hit@1, hit@3, and at
the shipped threshold ``ABSTAIN_BELOW`` the share of answerable and of unanswerable questions
refused.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fit_ranker import (  # noqa: E402
    Group, answerability_rows, collected, collection_args, fit_answerability, fit_ranker, hits,
)

from qa.answering.pipeline import ABSTAIN_BELOW  # noqa: E402

FOLDS = 4
RANKER_SET = "cmrc2018_trial"  # the set the shipped ranker is fitted on (ranker.json's ranker_fitted_on)


def _fold_of(groups: list[Group]) -> dict[str, int]:
    titles = sorted({g.doc for g in groups})
    return {t: (i // 4) % FOLDS for i, t in enumerate(titles)}


def _refused(rows: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(rows @ w + b))) < ABSTAIN_BELOW


def held_out(data: dict[str, tuple[list[Group], list[Group]]]) -> dict[str, dict[str, float]]:
    """Return per set the held-out hit@1/hit@3 and refusal shares (see the module docstring)."""
    folds = {name: _fold_of(a) for name, (a, _) in data.items()}
    tally = {name: {"hit@1": 0.0, "hit@3": 0.0, "answerable_refused": 0.0, "unanswerable_refused": 0.0}
             for name in data}
    for k in range(FOLDS):
        train = {n: ([g for g in a if folds[n][g.doc] != k], [g for g in u if folds[n][g.doc] != k])
                 for n, (a, u) in data.items()}
        w, b = fit_ranker(train[RANKER_SET][0])
        pos = np.concatenate([answerability_rows(a, w, b) for a, _ in train.values()])
        neg = np.concatenate([answerability_rows(u, w, b) for _, u in train.values() if u])
        aw, ab = fit_answerability(pos, neg)
        for n, (a, u) in data.items():
            test_a = [g for g in a if folds[n][g.doc] == k]
            test_u = [g for g in u if folds[n][g.doc] == k]
            h = hits(test_a, w, b)
            tally[n]["hit@1"] += h["hit@1"] * len(test_a)
            tally[n]["hit@3"] += h["hit@3"] * len(test_a)
            tally[n]["answerable_refused"] += _refused(answerability_rows(test_a, w, b), aw, ab).sum()
            if test_u:
                tally[n]["unanswerable_refused"] += _refused(answerability_rows(test_u, w, b), aw, ab).sum()
    return {n: {"hit@1": round(t["hit@1"] / len(data[n][0]), 4), "hit@3": round(t["hit@3"] / len(data[n][0]), 4),
                "answerable_refused": round(t["answerable_refused"] / len(data[n][0]), 4),
                "unanswerable_refused": round(t["unanswerable_refused"] / max(len(data[n][1]), 1), 4)}
            for n, t in tally.items()}


def in_sample(data: dict[str, tuple[list[Group], list[Group]]]) -> dict[str, dict[str, float]]:
    """Return the same figures with the shipped models (ranker.json)."""
    from qa.answering.models import fitted
    from qa.answering.features import ANSWERABILITY, FEATURES

    m = fitted()
    w = np.array([m.ranker.weights.get(f, 0.0) for f in FEATURES])
    aw = np.array([m.answerability.weights.get(f, 0.0) for f in ANSWERABILITY])
    out = {}
    for n, (a, u) in data.items():
        h = hits(a, w, m.ranker.bias)
        out[n] = {**h, "answerable_refused": round(float(_refused(answerability_rows(a, w, m.ranker.bias), aw,
                                                                       m.answerability.bias).mean()), 4),
                  "unanswerable_refused": round(float(_refused(answerability_rows(u, w, m.ranker.bias), aw,
                                                                         m.answerability.bias).mean()), 4)}
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: bench/held_out_answers.py ../shared/data/cmrc2018_trial.json "
                                       "../shared/data/drcd_dev.json --paragraphs 300")
    collection_args(p)
    p.add_argument("--json", type=Path, help="also write the report here")
    args = p.parse_args(argv)
    data = collected(args)
    report = {"threshold": ABSTAIN_BELOW, "folds": FOLDS, "ranker_fitted_on": RANKER_SET,
              "questions": {n: {"answerable": len(a), "unanswerable": len(u)} for n, (a, u) in data.items()},
              "held_out": held_out(data), "in_sample": in_sample(data)}
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
