"""Answer metrics for ``qa eval``: sentence hits, abstention, offsets, and two baselines.

* hit@1 / hit@3 – the quote of the best / of any of the three best ranked sentences contains a
  gold answer, each sentence quoted as the answer would quote it (with the neighbour that
  completes it, adjacent sentences as one span: 8 % of CMRC gold answers run over two);
* quote characters – mean length of what an answer quotes (the price of longer quotes);
* abstained (answerable) – share of answerable questions the system refused;
* abstained (unanswerable) – every fourth document's paragraphs are removed from the evaluation's
  own index and their questions asked again: the share the product refused (higher is better;
  the abstention curve shows the confidences against other thresholds);
* abstained (swapped) – every question with a name, number or attribute swapped for one its
  document never mentions (:mod:`qa.eval.swaps`), asked of the whole index: on topic, but not
  answered there; the share refused, overall and per kind of term swapped;
* offsets exact – share of quotes with ``article.text[start:end] == text`` (must be 1.0);
* baselines over *all* sentences of the set: BM25 best sentence, dense best sentence.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qa.index import fts
from qa.answering.models import REFUSE_BELOW
from qa.answering.selection import ranked_quotes
from qa.eval.swaps import swapped_questions
from qa.text import split_sentences, tokenize
from qa.types import Article

_SENTENCE_CAP = 3  # hit@3


def _hit(sentence: str, golds: Sequence[str]) -> bool:
    return any(g and g in sentence for g in golds)


def _all_sentences(articles: Sequence[Article]) -> list[str]:
    return list(dict.fromkeys(s.text for a in articles for s in split_sentences(a.text)))


def _bm25_baseline(sentences: list[str], questions: Sequence[Any]) -> float:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE s USING fts5(tokens, tokenize='unicode61 remove_diacritics 0')")
    conn.executemany("INSERT INTO s(rowid, tokens) VALUES (?, ?)",
                     [(i, " ".join(tokenize(t))) for i, t in enumerate(sentences)])
    hits = 0
    for q in questions:
        expr = fts.match_expression(tokenize(q.text))
        row = conn.execute("SELECT rowid FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT 1", (expr,)).fetchone() if expr else None
        hits += bool(row) and _hit(sentences[row[0]], q.answers)
    return hits / max(len(questions), 1)


def _dense_baseline(kb: Any, questions: Sequence[Any], qvecs: np.ndarray) -> float:
    """Best sentence by dense similarity over every indexed sentence (vectors from the index)."""
    with kb.reader.view() as view:
        texts, matrix = view.sentence_texts_and_vectors()
    best = np.argmax(qvecs @ matrix.T, axis=1)
    return sum(_hit(texts[b], q.answers) for b, q in zip(best, questions)) / max(len(questions), 1)


def _answerable(kb: Any, questions: Sequence[Any], qvecs: np.ndarray,
                tick: Callable[[], None]) -> tuple[dict[str, float], list[float]]:
    hit1 = hit3 = abstained = quotes = exact = chars = answered = 0
    confs: list[float] = []
    texts = {a.id: a.text for a in kb.articles()}
    for q, vector in zip(questions, qvecs):
        answer, ranked = kb.answer_with_ranking(q.text, query_vector=vector)
        confs.append(answer.confidence)
        abstained += answer.abstained
        answered += not answer.abstained
        for quote in answer.quotes:
            quotes += 1
            chars += len(quote.text)
            exact += texts[quote.article_id][quote.start:quote.end] == quote.text
        units = ranked_quotes(ranked, q.text.strip(), _SENTENCE_CAP)
        hit1 += bool(units) and any(_hit(t, q.answers) for t in units[0])
        hit3 += any(_hit(t, q.answers) for u in units for t in u)
        tick()
    n = max(len(questions), 1)
    return {"hit@1": hit1 / n, "hit@3": hit3 / n, "abstained_answerable": abstained / n,
            "offsets_exact": exact / quotes if quotes else 1.0, "quotes": quotes,
            "quote_chars_per_answer": chars / max(answered, 1)}, confs


def _unanswerable(kb: Any, articles: Sequence[Article], questions: Sequence[Any], qvecs: np.ndarray) -> dict[str, Any]:
    """Remove a quarter of the articles (by title) from ``kb`` — the evaluation's own index, used
    last here — and return the confidences of their questions, which the index can no longer answer."""
    titles = sorted({a.title for a in articles})
    held = {t for i, t in enumerate(titles) if i % 4 == 0}
    held_ids = {a.id for a in articles if a.title in held}
    asked = [(q, v) for q, v in zip(questions, qvecs) if q.paragraph_id in held_ids]
    kb.remove(sorted(held_ids))
    answers = [kb.answer_with_ranking(q.text, query_vector=v)[0] for q, v in asked]
    # What the product did, not the confidence against the threshold: English questions are not
    # refused on confidence (qa.answering.english), so counting confidences said 1.000 for them.
    abstained = sum(a.abstained for a in answers)
    return {"questions": len(asked), "abstained_unanswerable": abstained / max(len(asked), 1),
            "confidences": [a.confidence for a in answers]}


def _swapped(kb: Any, articles: Sequence[Article], questions: Sequence[Any]) -> dict[str, Any]:
    """Ask every question with one salient term swapped (:mod:`qa.eval.swaps`) of the whole
    index; return the share refused, per kind of term, and the confidences."""
    swaps = swapped_questions(articles, questions)
    answers = [kb.answer(s.text) for s in swaps]
    kinds = sorted({s.kind for s in swaps})
    per_kind = {k: float(np.mean([a.abstained for a, s in zip(answers, swaps) if s.kind == k])) for k in kinds}
    return {"swapped_questions": len(swaps),
            "abstained_swapped": float(np.mean([a.abstained for a in answers])) if answers else 0.0,
            "abstained_swapped_by_kind": {k: round(v, 4) for k, v in per_kind.items()},
            "confidences": [a.confidence for a in answers]}


def _curve(answerable: list[float], unanswerable: list[float], swapped: list[float]) -> list[dict[str, float]]:
    out = []
    for t in np.round(np.arange(0.2, 0.81, 0.05), 2):
        out.append({"threshold": float(t), "abstain_answerable": float(np.mean(np.array(answerable) < t)),
                    "abstain_unanswerable": float(np.mean(np.array(unanswerable) < t)),
                    "abstain_swapped": float(np.mean(np.array(swapped) < t)) if swapped else 0.0})
    return out


def evaluate_answers(kb: Any, articles: Sequence[Article], questions: Sequence[Any], qvecs: np.ndarray,
                     tick: Callable[[], None]) -> dict[str, Any]:
    """Return the answer metrics (see the module docstring); ``qvecs`` are the questions' vectors.
    ``kb`` is the evaluation's own index: the unanswerable part removes articles from it."""
    sentences = _all_sentences(articles)
    baselines = {"bm25_sentence_hit@1": _bm25_baseline(sentences, questions),
                 "dense_sentence_hit@1": _dense_baseline(kb, questions, qvecs)}
    main, answerable_confs = _answerable(kb, questions, qvecs, tick)
    swapped = _swapped(kb, articles, questions)
    unans = _unanswerable(kb, articles, questions, qvecs)  # last: it removes articles from kb
    curve = _curve(answerable_confs, unans.pop("confidences"), swapped.pop("confidences"))
    return {**{k: round(v, 4) if isinstance(v, float) else v for k, v in main.items()},
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in unans.items()},
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in swapped.items()},
            "baselines": {k: round(v, 4) for k, v in baselines.items()}, "abstention_curve": curve}


def format_answers(report: dict[str, Any]) -> list[str]:
    """Return report lines for the answer metrics."""
    b = report["baselines"]
    lines = [f"answers     hit@1 {report['hit@1']:.4f}  hit@3 {report['hit@3']:.4f}  "
             f"offsets exact {report['offsets_exact']:.4f} ({report['quotes']} quotes, "
             f"{report['quote_chars_per_answer']:.0f} characters an answer)",
             f"  abstained below confidence {REFUSE_BELOW:.2f} (thresholds chosen on held-out curves by "
             "bench/fit_answerability.py):",
             f"    answerable {report['abstained_answerable']:.4f}, "
             f"own document removed {report['abstained_unanswerable']:.4f} ({report['questions']} questions), "
             f"one term swapped {report['abstained_swapped']:.4f} ({report['swapped_questions']} questions: "
             + ", ".join(f"{k} {v:.3f}" for k, v in report["abstained_swapped_by_kind"].items()) + ")",
             f"  baselines: BM25 best sentence hit@1 {b['bm25_sentence_hit@1']:.4f}, "
             f"dense best sentence hit@1 {b['dense_sentence_hit@1']:.4f}",
             "  abstention curve (threshold: answerable / removed / swapped abstained):"]
    lines += [f"    {c['threshold']:.2f}: {c['abstain_answerable']:.3f} / {c['abstain_unanswerable']:.3f} / "
              f"{c['abstain_swapped']:.3f}" for c in report["abstention_curve"]]
    return lines
