"""Fit the answerability models and their thresholds on held-out curves; write qa/answering/ranker.json.

Usage: .venv/bin/python bench/fit_answerability.py ../shared/data/cmrc2018_trial.json \\
           ../shared/data/drcd_dev.json ../shared/data/xquad_en_zh_dev.json:question \\
           --paragraphs 300 --swaps --cache /tmp/answerability.pkl [--write]

Every set is collected as ``bench/fit_ranker.py`` does (the candidates of each question's top-5
hybrid passages, ranked by the shipped ranker; English questions by the shipped cross-lingual
order), with two kinds of unanswerable questions: ``removed`` (every fourth document removed
from the index, its questions asked again: the topic is gone) and, with ``--swaps``,
``swapped`` (one name, number or attribute of the question swapped for one its document never
mentions, asked of the whole index: the topic is there, the answer is not; ``qa.eval.swaps``).

Three logistic models on ``ANSWERABILITY`` rows, answerable = 1: ``answerability`` on the
Chinese questions (CMRC, DRCD), ``answerability_cross_lingual`` on the English ones (XQuAD's
``question`` field), ``answerability_lexical`` (word features only, for other encoders) on the
Chinese ones. Classes are weighed equally, the two kinds of unanswerable questions equally
within theirs. Each is first scored held-out: 4 folds by document (sorted documents, fold
``(i // 4) % 4``, so removed documents fall into every fold), each fold's confidences from a
fit on the other three. The threshold is the highest at which no set refuses more than
``ANSWERABLE_BUDGET`` of its answerable questions on that held-out curve; the printed report
gives the curve, per set and kind, the operating point, and the refusals where the binding set
refuses exactly 4 % and 5 % (``held_out_at_budget``: compare models there, not at grid points).
An English question whose best sentence's passage lacks a date it gives is refused by the product
whatever the model says, and counts as refused on the English curves (``DATE_RULE``). The L2 penalty (``L2_CHOICES``) is
chosen per model the same way: the one whose operating point refuses most. ``--write`` stores the models
(fitted on all folds), each bias shifted so that its chosen threshold becomes
``qa.answering.models.REFUSE_BELOW`` (0.5): every confidence the product shows then means the same.
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
    LEXICAL, RANKER_JSON, Group, _weights, answerability_rows, collected, collection_args, fit_logistic,
)

from qa.answering.features import ANSWERABILITY, FEATURES  # noqa: E402
from qa.answering.models import fitted  # noqa: E402

FOLDS = 4
ANSWERABLE_BUDGET = 0.05  # the bar, per set, on the held-out curve the threshold is chosen on
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.025), 3)
L2_CHOICES = (1e-3, 1e-4)  # the penalty, chosen per model on the same held-out curves
KINDS = ("removed", "swapped")
# The product refuses an English question giving a date its best sentence's passage lacks,
# whatever the model says (qa.answering.pipeline.undated): such questions count as refused on the
# English curves here, so that the threshold is chosen for what the product does.
DATE_RULE = "top_missing_date"
AT_BUDGETS = (0.04, 0.05)  # shares of answerable questions refused at which the report also compares curves


def _weights_of(kinds: np.ndarray) -> np.ndarray:
    """Half the weight to the answerable questions, the rest split equally among the unanswerable kinds present."""
    present = [k for k in KINDS if (kinds == k).any()]
    out = np.where(kinds == "answerable", 0.5 / max((kinds == "answerable").sum(), 1), 0.0)
    for k in present:
        out = np.where(kinds == k, 0.5 / len(present) / (kinds == k).sum(), out)
    return out


def table(groups: list[tuple[str, Group]], columns: list[int]) -> dict[str, np.ndarray]:
    """Return the rows (shipped ranker), labels, kinds, sets and folds of ``(set, group)`` pairs."""
    m = fitted()
    w = np.array([m.ranker.weights.get(f, 0.0) for f in FEATURES])
    full = answerability_rows([g for _, g in groups], w, m.ranker.bias)
    docs = sorted({(s, g.doc) for s, g in groups})
    fold_of = {d: (i // 4) % FOLDS for i, d in enumerate(docs)}
    return {"x": full[:, columns], "y": np.array([g.kind == "answerable" for _, g in groups], float),
            "ruled": (full[:, ANSWERABILITY.index(DATE_RULE)] > 0) & np.array([g.cross_lingual for _, g in groups]),
            "kind": np.array([g.kind for _, g in groups]), "set": np.array([s for s, _ in groups]),
            "fold": np.array([fold_of[(s, g.doc)] for s, g in groups])}


def held_out_confidences(t: dict[str, np.ndarray], l2: float) -> np.ndarray:
    """Return each question's confidence from a model fitted (with penalty ``l2``) on the other
    folds; 0 for a question the product refuses whatever the model says (``DATE_RULE``)."""
    conf = np.zeros(len(t["y"]))
    for k in range(FOLDS):
        train, test = t["fold"] != k, t["fold"] == k
        w, b = fit_logistic(t["x"][train], t["y"][train], _weights_of(t["kind"][train]), l2)
        conf[test] = 1 / (1 + np.exp(-(t["x"][test] @ w + b)))
    conf[t["ruled"]] = 0.0
    return conf


def curve(t: dict[str, np.ndarray], conf: np.ndarray) -> list[dict]:
    """Return, per threshold, each set's share of each kind refused (confidence below it)."""
    return [{"threshold": float(th), **_refused(t, conf, float(th))} for th in THRESHOLDS]


def at_budget(t: dict[str, np.ndarray], conf: np.ndarray, budget: float) -> dict:
    """Return each set's share of each kind refused at the threshold where the binding set refuses
    ``budget`` of its answerable questions: curves compared at the same cost, which the threshold
    grid's steps do not give (one model's point may spend 4.8 %, another's 4.96 %)."""
    edges = []
    for s in sorted(set(t["set"])):
        answerable = np.sort(conf[(t["set"] == s) & (t["kind"] == "answerable")])
        if len(answerable):  # its k-th smallest confidence: below it lie at most k = budget · n of them
            edges.append(float(answerable[int(budget * len(answerable))]))
    return {"budget": budget, **_refused(t, conf, min(edges))}


def _refused(t: dict[str, np.ndarray], conf: np.ndarray, threshold: float) -> dict[str, float]:
    """Return each set's share of each kind whose confidence is below ``threshold``."""
    out = {}
    for s in sorted(set(t["set"])):
        for kind in ("answerable", *KINDS):
            mask = (t["set"] == s) & (t["kind"] == kind)
            if mask.any():
                out[f"{s} {kind}"] = round(float((conf[mask] < threshold).mean()), 4)
    return out


def operating_point(points: list[dict]) -> dict:
    """Return the point of the highest threshold at which no set refuses more than the budget of answerable questions."""
    ok = [p for p in points if all(v <= ANSWERABLE_BUDGET for k, v in p.items() if k.endswith(" answerable"))]
    return ok[-1] if ok else points[0]


def fit_family(groups: list[tuple[str, Group]], names: tuple[str, ...]) -> tuple[dict, dict]:
    """Return (the model with its threshold, the report) for one family of questions."""
    t = table(groups, [ANSWERABILITY.index(n) for n in names])
    tried = {}
    for l2 in L2_CHOICES:
        conf = held_out_confidences(t, l2)
        points = curve(t, conf)
        tried[l2] = (points, operating_point(points), [at_budget(t, conf, b) for b in AT_BUDGETS])
    # the penalty whose operating point refuses most unanswerable questions (mean over sets and kinds)
    l2 = max(tried, key=lambda c: np.mean([v for k, v in tried[c][1].items() if k.endswith(KINDS)]))
    points, chosen, budgets = tried[l2]
    w, b = fit_logistic(t["x"], t["y"], _weights_of(t["kind"]), l2)
    # Shifted so that the chosen threshold reads 0.5: one scale for every model's confidence.
    th = chosen["threshold"]
    model = {**_weights(names, w, b - float(np.log(th / (1 - th)))), "chosen_threshold": th, "l2": l2}
    counts = {f"{s} {k}": int(((t["set"] == s) & (t["kind"] == k)).sum())
              for s in sorted(set(t["set"])) for k in ("answerable", *KINDS)}
    return model, {"questions": counts, "held_out_operating_point": chosen, "held_out_at_budget": budgets,
                   "held_out_curve": points}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: bench/fit_answerability.py ../shared/data/cmrc2018_trial.json "
                                       "../shared/data/drcd_dev.json ../shared/data/xquad_en_zh_dev.json:question "
                                       "--paragraphs 300 --swaps --cache /tmp/answerability.pkl --write")
    collection_args(p)
    p.add_argument("--write", action="store_true", help=f"store the models and thresholds in {RANKER_JSON}")
    args = p.parse_args(argv)
    data = collected(args)
    pairs = [(s, g) for s, (a, u) in data.items() for g in [*a, *u]]
    chinese = [(s, g) for s, g in pairs if not g.cross_lingual]
    english = [(s, g) for s, g in pairs if g.cross_lingual]
    lexical = tuple(ANSWERABILITY[i] for i in LEXICAL)
    # The anchors are runs of the question's characters in the sentence: nothing an English
    # question shares with Chinese text (one XQuAD question in 1,133 has any, and drew a weight of -164).
    cross = tuple(n for n in ANSWERABILITY if n != "top_anchors")
    models, report = {}, {}
    for name, groups, names in (("answerability", chinese, ANSWERABILITY),
                                ("answerability_cross_lingual", english, cross),
                                ("answerability_lexical", chinese, lexical)):
        if groups:
            models[name], report[name] = fit_family(groups, names)
            report[name]["model"] = models[name]
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.write:
        shipped = json.loads(RANKER_JSON.read_text(encoding="utf-8"))
        shipped.update(models)
        # a fit of some sets (the English ones alone) keeps the record of the others' models
        shipped["answerability_fitted_on"] = {**shipped.get("answerability_fitted_on", {}),
                                              **{s: {"answerable": len(a), "unanswerable": len(u)}
                                                 for s, (a, u) in data.items()}}
        RANKER_JSON.write_text(json.dumps(shipped, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
