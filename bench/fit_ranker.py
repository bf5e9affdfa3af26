"""Fit the answer ranker on SQuAD-format dev sets; write it into qa/answering/ranker.json.

Usage: .venv/bin/python bench/fit_ranker.py ../shared/data/cmrc2018_trial.json \\
           ../shared/data/drcd_dev.json [--paragraphs 400] [--write]

For each set, every paragraph is indexed (the real model) and every question asked: the
candidates are the sentences of its top-5 hybrid passages, exactly what ``qa.answering.ranking.rank_sentences`` sees;
a candidate is positive when it contains a gold answer. Then every fourth document (by title,
as ``qa eval`` does) is removed and its questions asked again: the unanswerable set.

The ranker is a softmax over each question's candidates (listwise logistic regression),
features standardised, the scaling folded into the shipped weights. It is fitted on each set
alone and on all; the one with the best mean hit@1 over the sets is kept (each is also
evaluated on the other set: the transfer a held-out set would see). ``--write`` stores it in
qa/answering/ranker.json; the answerability models, which read the ranker's scores, are then
refitted by ``bench/fit_answerability.py`` (which also imports this module's collection).
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
from qa.answering.ranking import gather, rank_sentences, rest_query  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.eval.swaps import document_key, swapped_questions  # noqa: E402
from qa.text import detect_language  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402

RANKER_JSON = Path(__file__).resolve().parent.parent / "qa" / "answering" / "ranker.json"
COVERED, ABSENT, SALIENT, TYPED = (ranking.ANSWERABILITY.index(f) for f in ("covered", "absent", "salient", "typed"))
# The answerability variant for encoders other than the fitted one: word-overlap features only.
LEXICAL = [ranking.ANSWERABILITY.index(f) for f in ("top_overlap", "top_context", "covered", "top_anchors", "top_missing",
                                                     "top_missing_names", "top_missing_facts", "absent", "absent_any", "salient",
                                                     "typed", "top_type_missing", "top_missing_date", "top_rest",
                                                     "top_rest_none")]


@dataclass(frozen=True)
class Group:
    """One question: its candidates' features, labels, and how much of it they cover."""

    matrix: np.ndarray
    labels: np.ndarray
    covered: float
    doc: str = ""  # the title of the question's document: what held-out folds split by
    absent: float = 0.0  # share of the question's salient terms no candidate mentions
    salient: bool = False  # the question has salient terms (qa.text.salient)
    kind: str = "answerable"  # or "removed" (own document removed), "swapped" (qa.eval.swaps)
    cross_lingual: bool = False  # asked in English over the Chinese paragraphs
    typed: bool = False  # the question asks for a type of answer (qa.text.questions.question_type)


def _ask(kb: KnowledgeBase, text: str, answers: tuple[str, ...], doc: str = "", kind: str = "answerable") -> Group:
    cross = detect_language(text) == "en"  # as the pipeline decides
    passages = kb.retrieve(text, 5)
    with kb.reader.view() as view:
        evidence = gather(view, text, passages)
    rest = rest_query(text, cross)  # as qa.answering.pipeline encodes it
    ranked = rank_sentences(evidence, text, passages, kb.encoder.queries([text])[0], kb.settings.model, cross,
                            kb.encoder.queries([rest])[0] if rest is not None else None)
    labels = np.array([any(g in c.text for g in answers) for c in ranked.candidates], dtype=np.float32)
    row = ranked.answerability
    return Group(ranked.matrix, labels, float(row[COVERED]), doc, float(row[ABSENT]), bool(row[SALIENT]), kind, cross,
                 bool(row[TYPED]))


def collect(path: str, paragraphs: int | None, swaps: bool = False) -> tuple[list[Group], list[Group]]:
    """Return (answerable, unanswerable) groups of a SQuAD file (``path``, or ``path:field`` to
    read the questions from another field, e.g. ``question_zh``). The unanswerable ones are every
    fourth document's questions once it is removed (kind ``removed``) and, with ``swaps``, the
    questions with one salient term swapped (kind ``swapped``, asked of the whole set)."""
    path, _, field = path.partition(":")
    articles, questions = load_squad(path, field or "question")
    if paragraphs:
        articles = articles[:paragraphs]
        kept = {a.id for a in articles}
        questions = [q for q in questions if q.paragraph_id in kept]
    titles = sorted({a.title for a in articles})
    held = {t for i, t in enumerate(titles) if i % 4 == 0}
    held_ids = {a.id for a in articles if a.title in held}
    doc = {a.id: document_key(a)[1] for a in articles}
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "index", settings=Settings.from_env())
        kb.add(articles)
        answerable = [_ask(kb, q.text, q.answers, doc[q.paragraph_id]) for q in questions]
        unanswerable = [_ask(kb, s.text, (), doc[s.paragraph_id], "swapped")
                        for s in (swapped_questions(articles, questions) if swaps else [])]
        kb.remove(sorted(held_ids))
        unanswerable += [_ask(kb, q.text, q.answers, doc[q.paragraph_id], "removed") for q in questions
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


def shipped_cross_lingual() -> np.ndarray:
    """Return the shipped ``cross_lingual`` order's weights, in ``FEATURES`` order."""
    from qa.answering.models import fitted

    return np.array([fitted().cross_lingual.weights.get(f, 0.0) for f in ranking.FEATURES])


def answerability_rows(groups: list[Group], w: np.ndarray, b: float, cross: np.ndarray | None = None) -> np.ndarray:
    """Return each group's ``ANSWERABILITY`` row with the ranker ``w``/``b`` (an English group's
    best candidate chosen by the cross-lingual order ``cross``, the shipped one by default)."""
    cross = shipped_cross_lingual() if cross is None else cross
    rows = []
    for g in groups:
        if not len(g.labels):
            rows.append(np.zeros(len(ranking.ANSWERABILITY), np.float32))
            continue
        scores = g.matrix @ w + b
        if g.cross_lingual:  # as qa.answering.models.order shifts it
            other = g.matrix @ cross
            scores = other - other.max() + scores.max()
        rows.append(ranking.answerability_features(g.matrix, scores, g.covered, g.absent, g.salient, g.typed))
    return np.stack(rows).astype(np.float64) if rows else np.zeros((0, len(ranking.ANSWERABILITY)))


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = 1e-4,
                 steps: int = 50) -> tuple[np.ndarray, float]:
    """Return raw-feature weights and bias of a weighted, L2-regularised logistic regression,
    fitted by Newton's method on standardised features. ``l2`` 1e-4 rather than 1e-3: on the
    held-out curves of bench/fit_answerability.py it refuses 2–3 points more of both kinds of
    unanswerable question at the same answerable budget (1e-5: no further change)."""
    mu, sd = _standardise(x)
    xs = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(xs.shape[1])
    weight = weight / weight.sum()
    penalty = np.r_[np.full(xs.shape[1] - 1, l2), 0.0]  # the bias is not shrunk
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xs @ w, -30, 30)))
        gradient = xs.T @ ((p - y) * weight) + penalty * w
        hessian = (xs * (p * (1 - p) * weight)[:, None]).T @ xs + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1] / sd, float(w[-1] - (w[:-1] * mu / sd).sum())


def fit_answerability(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, float]:
    """Return weights and bias of a logistic regression of ``pos`` (1) against ``neg`` (0), classes weighted equally."""
    weight = np.r_[np.full(len(pos), 0.5 / len(pos)), np.full(len(neg), 0.5 / len(neg))]
    return fit_logistic(np.concatenate([pos, neg]), np.r_[np.ones(len(pos)), np.zeros(len(neg))], weight)


def hits(groups: list[Group], w: np.ndarray, b: float) -> dict[str, float]:
    h1 = h3 = 0
    for g in groups:
        if len(g.labels):
            order = np.argsort(-(g.matrix @ w + b))
            h1 += g.labels[order[0]] > 0
            h3 += g.labels[order[:3]].max() > 0
    n = max(len(groups), 1)
    return {"hit@1": round(h1 / n, 4), "hit@3": round(h3 / n, 4)}


def _weights(names: tuple[str, ...], w: np.ndarray, b: float) -> dict:
    return {"weights": {n: round(float(v), 4) for n, v in zip(names, w)}, "bias": round(float(b), 4)}


def collection_args(p: argparse.ArgumentParser) -> None:
    """Add the arguments of :func:`collected` (the sets, ``--paragraphs``, ``--cache``) to ``p``."""
    p.add_argument("paths", nargs="+")
    p.add_argument("--paragraphs", type=int, default=None, help="index only the first N paragraphs of each set")
    p.add_argument("--cache", type=Path, help="pickle of collected candidates: read if present, else written")
    p.add_argument("--swaps", action="store_true", help="also ask each set's questions with one salient term "
                                                         "swapped (qa.eval.swaps): unanswerable of kind 'swapped'")


def set_name(spec: str) -> str:
    """Return the name a set is reported under: the file's stem, with ``:field`` when given."""
    path, _, field = spec.partition(":")
    return Path(path).stem + (f":{field}" if field else "")


def collected(args: argparse.Namespace) -> dict[str, tuple[list[Group], list[Group]]]:
    """Return ``{set name: (answerable, unanswerable)}`` for ``args.paths``, from ``args.cache`` if it exists."""
    if args.cache and args.cache.exists():
        return pickle.loads(args.cache.read_bytes())
    data = {set_name(x): collect(x, args.paragraphs, getattr(args, "swaps", False)) for x in args.paths}
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
    fitted = {"ranker": _weights(ranking.FEATURES, w, b), "ranker_fitted_on": chosen,
              "fitted_for_model": Settings.from_env().model,
              "fitted_on": {n: {"answerable": len(a), "unanswerable": len(u)} for n, (a, u) in data.items()}}
    report["chosen"] = fitted
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.write:  # other parts (bench/fit_cross_lingual.py's, bench/fit_answerability.py's) are kept
        kept = json.loads(RANKER_JSON.read_text(encoding="utf-8")) if RANKER_JSON.exists() else {}
        RANKER_JSON.write_text(json.dumps({**kept, **fitted}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
