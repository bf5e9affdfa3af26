"""Extractive answers: rank the sentences of the retrieved passages, quote the best verbatim.

Every quote is a slice of its article's text (``article.text[q.start:q.end] == q.text``), so
a citation cannot point to the wrong place. Nothing is generated. When the best sentence is
not convincing the answer abstains and lists the closest passages instead.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa import ranking, store
from qa.followup import resolve
from qa.retrieve import validate
from qa.text import detect_language, tokenize
from qa.types import Answer, Passage, Quote

log = logging.getLogger(__name__)

ABSTAIN_BELOW = 0.25  # CMRC: 4.6 % of answerable and 81 % of unanswerable questions abstain (benchmarks.md)
MAX_QUOTES = 3
SUPPORT_RATIO = 0.8  # a quote from another passage must be this nearly as likely to answer as the best
NOT_FOUND = {"zh": "在已收录的文章中没有找到答案。", "en": "No answer found in the indexed articles."}
ENGLISH_NOTE = "The quotes are in Chinese, as published; no translation model is available."
# The ranker's word-overlap features cannot match English words in Chinese sentences, and no
# English development set exists to calibrate a threshold, so an English question is not
# refused on confidence: it gets the closest sentences, marked as such.
LOW_CONFIDENCE_NOTE = ("Low confidence: the sentences below are the closest the Chinese articles have; "
                       "they may not answer the question.")


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets into its article and its stored vector."""

    text: str
    start: int
    end: int
    passage: int  # 0-based index into the passages
    neighbours: str
    vector: np.ndarray


_NOT_PROSE = re.compile(r"^\W*(?:https?://|www\.)\S*\W*$|^\W*$|^.{0,12}[:：]$", re.IGNORECASE)


def candidates(conn: Any, passages: Sequence[Passage]) -> list[Candidate]:
    """Return the sentences of ``passages`` (each sentence once) with neighbouring text and vectors.

    Lines that are only a link or only punctuation (reference lists) cannot answer anything.
    """
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        rows = store.span_sentences(conn, p.article_id, p.start, p.end)
        for j, (start, end, text, vector) in enumerate(rows):
            if (p.article_id, start) in seen or _NOT_PROSE.match(text):
                continue
            seen.add((p.article_id, start))
            around = " ".join(r[2] for r in rows[max(j - 1, 0):j] + rows[j + 1:j + 2])
            out.append(Candidate(text, start, end, i, around, vector))
    return out


def rank(kb: Any, question: str, passages: Sequence[Passage]) -> tuple[list[Candidate], np.ndarray, np.ndarray]:
    """Return the candidates, their feature matrix and their scores."""
    with kb.reader.view() as view:
        cands = candidates(view.conn, passages)
        freq, n = store.doc_freq(view.conn, tokenize(question))
    if not cands:
        return [], np.zeros((0, len(ranking.FEATURES)), np.float32), np.zeros(0, np.float32)
    info = ranking.describe(question, freq, n)
    qvec = kb.encoder.queries([question])[0]
    dense = np.stack([c.vector for c in cands]) @ qvec
    prior = [1.0 / (c.passage + 1) for c in cands]
    matrix = ranking.features(info, [c.text for c in cands], dense, prior, [c.neighbours for c in cands])
    return cands, matrix, ranking.score(matrix)


def _select(cands: list[Candidate], scores: np.ndarray) -> list[int]:
    """Return indices of the quotes: the best, plus sentences from other passages whose
    probability of answering is at least ``SUPPORT_RATIO`` of the best's."""
    probs = 1.0 / (1.0 + np.exp(-scores))
    order = list(np.argsort(-scores))
    best = order[0]
    chosen = [best]
    for i in order[1:]:
        if len(chosen) == MAX_QUOTES or probs[i] < probs[best] * SUPPORT_RATIO:
            break
        if cands[i].passage != cands[best].passage and not _similar(cands[i].text, cands[best].text):
            chosen.append(i)
    return chosen


def _similar(a: str, b: str) -> bool:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(len(sa | sb), 1) > 0.8


def _quote(c: Candidate, p: Passage, s: float, number: int) -> Quote:
    return Quote(text=c.text, article_id=p.article_id, start=c.start, end=c.end, title=p.title, source=p.source,
                 date=p.date, url=p.url, score=round(float(s), 4), passage=number, also_in=p.duplicates)


def answer_question(kb: Any, question: str, *, history: Sequence[Any] = (), k: int = 5, since: Any = None,
                    until: Any = None, sources: Iterable[str] | None = None) -> Answer:
    """Return the cited answer to ``question`` from ``kb`` (see ``KnowledgeBase.answer``).

    Raises:
        ValueError: empty or over-long question, k < 1, or a bad filter.
    """
    question = validate(question, k)
    lang = detect_language(question)
    query = resolve(question, history)
    passages = kb.retrieve(query, k, since=since, until=until, sources=sources)
    notes = (ENGLISH_NOTE,) if lang == "en" else ()
    cands, matrix, scores = rank(kb, query, passages)
    conf = ranking.confidence(float(scores.max())) if len(scores) else 0.0
    if lang == "en" and len(scores):
        order = ranking.cross_lingual_order(matrix)  # keep the fitted scale, reorder by meaning
        scores = order - order.max() + scores.max()
    if conf < ABSTAIN_BELOW and lang == "en" and cands:
        notes += (LOW_CONFIDENCE_NOTE,)
    elif not cands or conf < ABSTAIN_BELOW:
        return Answer(question=question, text=NOT_FOUND[lang], passages=tuple(passages), abstained=True,
                      confidence=round(conf, 4), language=lang, query=query, notes=notes)
    chosen = sorted(_select(cands, scores), key=lambda i: (cands[i].passage, cands[i].start))
    used = list(dict.fromkeys(cands[i].passage for i in chosen))
    number = {p: n + 1 for n, p in enumerate(used)}
    shown = [passages[p] for p in used] + [p for i, p in enumerate(passages) if i not in number]
    quotes = tuple(_quote(cands[i], passages[cands[i].passage], scores[i], number[cands[i].passage]) for i in chosen)
    text = " ".join(f"{q.text}[{q.passage}]" for q in quotes)
    return Answer(question=question, text=text, quotes=quotes, passages=tuple(shown), abstained=False,
                  confidence=round(conf, 4), language=lang, query=query, notes=notes)
