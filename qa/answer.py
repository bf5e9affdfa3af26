"""Extractive answers: rank the sentences of the retrieved passages, quote the best verbatim.

Every quote is a slice of its article's text (``article.text[q.start:q.end] == q.text``), so
a citation cannot point to the wrong place. Nothing is generated. When the best sentence is
not convincing the answer abstains and lists the closest passages instead.
"""
from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa import ranking, store
from qa.followup import resolve
from qa.retrieve import validate
from qa.text import detect_language, split_sentences, tokenize
from qa.types import Answer, Passage, Quote

log = logging.getLogger(__name__)

ABSTAIN_BELOW = 0.5  # confidence threshold, calibrated with `qa eval` (docs/benchmarks.md)
MAX_QUOTES = 3
SUPPORT_RATIO = 0.92  # a second quote from another passage must score this close to the best
NOT_FOUND = {"zh": "在已收录的文章中没有找到答案。", "en": "No answer found in the indexed articles."}
ENGLISH_NOTE = "The quotes are in Chinese, as published; no translation model is available."


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets into its article."""

    text: str
    start: int
    end: int
    passage: int  # 0-based index into the passages
    neighbours: str


class _VectorCache:
    """Sentence vectors by text (bounded), so repeated sentences are encoded once."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, encoder: Any, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._data]
        if missing:
            for t, v in zip(missing, encoder.passages(missing)):
                self._data[t] = v
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return np.stack([self._data[t] for t in texts]) if texts else np.zeros((0, encoder.dim), np.float32)


_CACHES: dict[int, _VectorCache] = {}


_NOT_PROSE = re.compile(r"^\W*(?:https?://|www\.)\S*\W*$|^\W*$", re.IGNORECASE)


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """Return the sentences of ``passages`` (each sentence once), with neighbouring text.

    Lines that are only a link or only punctuation (reference lists) cannot answer anything.
    """
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        sents = split_sentences(p.text)
        for j, s in enumerate(sents):
            key = (p.article_id, p.start + s.start)
            if key in seen or _NOT_PROSE.match(s.text):
                continue
            seen.add(key)
            around = " ".join(x.text for x in sents[max(j - 1, 0):j] + sents[j + 1:j + 2])
            out.append(Candidate(s.text, p.start + s.start, p.start + s.end, i, around))
    return out


def rank(kb: Any, question: str, passages: Sequence[Passage]) -> tuple[list[Candidate], np.ndarray, np.ndarray]:
    """Return the candidates, their feature matrix and their scores."""
    cands = candidates(passages)
    if not cands:
        return [], np.zeros((0, len(ranking.FEATURES)), np.float32), np.zeros(0, np.float32)
    with kb.reader.view() as view:
        freq, n = store.doc_freq(view.conn, tokenize(question))
    info = ranking.describe(question, freq, n)
    encoder = kb.encoder
    cache = _CACHES.setdefault(id(encoder), _VectorCache())
    qvec = encoder.queries([question])[0]
    dense = cache.get(encoder, [c.text for c in cands]) @ qvec
    prior = [1.0 / (c.passage + 1) for c in cands]
    matrix = ranking.features(info, [c.text for c in cands], dense, prior, [c.neighbours for c in cands])
    return cands, matrix, ranking.score(matrix)


def _select(cands: list[Candidate], scores: np.ndarray) -> list[int]:
    """Return indices of the quotes: the best, plus support from other passages or completion."""
    order = list(np.argsort(-scores))
    best = order[0]
    chosen = [best]
    for i in order[1:]:
        if len(chosen) == MAX_QUOTES or scores[i] < scores[best] * SUPPORT_RATIO - 1e-9 and scores[best] > 0:
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
    cands, _, scores = rank(kb, query, passages)
    conf = ranking.confidence(float(scores.max())) if len(scores) else 0.0
    if not cands or conf < ABSTAIN_BELOW:
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
