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
quotes the completing neighbour too, so its hit@1 runs a little higher): hit@1 and hit@3.
Refusals, held-out, with the threshold chosen on the held-out curve, are
``bench/fit_answerability.py``'s report.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fit_ranker import Group, collected, collection_args, fit_ranker, hits  # noqa: E402

FOLDS = 4
RANKER_SET = "cmrc2018_trial"  # the set the shipped ranker is fitted on (ranker.json's ranker_fitted_on)


def _fold_of(groups: list[Group]) -> dict[str, int]:
    titles = sorted({g.doc for g in groups})
    return {t: (i // 4) % FOLDS for i, t in enumerate(titles)}


def shipped_features(groups: list[Group]) -> list[Group]:
    """Return ``groups`` with the features the shipped ranker does not use set to 0 (a refit then ignores them)."""
    from qa.answering.features import FEATURES
    from qa.answering.models import fitted

    used = np.array([f in fitted().ranker.weights for f in FEATURES], dtype=np.float32)
    return [replace(g, matrix=g.matrix * used) for g in groups]


def held_out(data: dict[str, tuple[list[Group], list[Group]]]) -> dict[str, dict[str, float]]:
    """Return per set the held-out hit@1/hit@3 of rankers on the shipped ranker's features (see the module docstring)."""
    data = {n: (shipped_features(a), u) for n, (a, u) in data.items()}
    folds = {name: _fold_of(a) for name, (a, _) in data.items()}
    tally = {name: {"hit@1": 0.0, "hit@3": 0.0} for name in data}
    for k in range(FOLDS):
        w, b = fit_ranker([g for g in data[RANKER_SET][0] if folds[RANKER_SET][g.doc] != k])
        for n, (a, _) in data.items():
            test_a = [g for g in a if folds[n][g.doc] == k]
            h = hits(test_a, w, b)
            tally[n]["hit@1"] += h["hit@1"] * len(test_a)
            tally[n]["hit@3"] += h["hit@3"] * len(test_a)
    return {n: {"hit@1": round(t["hit@1"] / len(data[n][0]), 4), "hit@3": round(t["hit@3"] / len(data[n][0]), 4)}
            for n, t in tally.items()}


def in_sample(data: dict[str, tuple[list[Group], list[Group]]]) -> dict[str, dict[str, float]]:
    """Return the same figures with the shipped models (ranker.json)."""
    from qa.answering.features import FEATURES
    from qa.answering.models import fitted

    m = fitted()
    w = np.array([m.ranker.weights.get(f, 0.0) for f in FEATURES])
    return {n: hits(a, w, m.ranker.bias) for n, (a, _) in data.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: bench/held_out_answers.py ../shared/data/cmrc2018_trial.json "
                                       "../shared/data/drcd_dev.json --paragraphs 300")
    collection_args(p)
    p.add_argument("--json", type=Path, help="also write the report here")
    args = p.parse_args(argv)
    data = collected(args)
    report = {"folds": FOLDS, "ranker_fitted_on": RANKER_SET,
              "questions": {n: {"answerable": len(a), "unanswerable": len(u)} for n, (a, u) in data.items()},
              "held_out": held_out(data), "in_sample": in_sample(data)}
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
