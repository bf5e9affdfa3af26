"""Extractive answers: rank the sentences of the retrieved passages, quote the best verbatim.

Every quote is a slice of its article's text (``article.text[q.start:q.end] == q.text``), so
a citation cannot point to the wrong place. Nothing is generated. When the best sentence is
not convincing the answer abstains and lists the closest passages instead.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from qa.index import lookups
from qa.answering import ranking
from qa.answering.followup import resolve
from qa.search.validate import validate_query as validate
from qa.text import detect_language, tokenize
from qa.text.translate import keyword_text, names
from qa.types import Answer, Passage, Quote

log = logging.getLogger(__name__)

# The lowest threshold that refuses ≥ 90 % of the unanswerable set on both developer sets:
# answerable / unanswerable abstained, CMRC 0.5 % / 90.4 %, DRCD (300 paragraphs) 4.5 % / 100 %.
ABSTAIN_BELOW = 0.35
MAX_QUOTES = 3
PER_ARTICLE = 3  # passages one article may contribute to an answer's evidence (of k=5)
# A quote from another passage must be nearly as likely to be the answer as the best: its
# ranker score (a log-odds scale) within this margin, i.e. at least 0.8 times as likely.
SUPPORT_MARGIN = float(np.log(1 / 0.8))
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
    article_id: str = ""


_NOT_PROSE = re.compile(r"^\W*(?:https?://|www\.)\S*\W*$|^\W*$|^.{0,12}[:：]$", re.IGNORECASE)


def candidates(conn: Any, passages: Sequence[Passage]) -> list[Candidate]:
    """Return the sentences of ``passages`` (each sentence once) with neighbouring text and vectors.

    Lines that are only a link or only punctuation (reference lists) cannot answer anything.
    """
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        rows = lookups.span_sentences(conn, p.article_id, p.start, p.end)
        for j, (start, end, text, vector) in enumerate(rows):
            if (p.article_id, start) in seen or _NOT_PROSE.match(text):
                continue
            seen.add((p.article_id, start))
            around = " ".join(r[2] for r in rows[max(j - 1, 0):j] + rows[j + 1:j + 2])
            out.append(Candidate(text, start, end, i, around, vector, p.article_id))
    return out


@dataclass(frozen=True)
class Ranked:
    """The candidates of a question with their features, scores and the answer's confidence."""

    candidates: list[Candidate]
    passages: tuple[Passage, ...]  # what ``Candidate.passage`` indexes
    matrix: np.ndarray
    scores: np.ndarray
    answerability: np.ndarray
    confidence: float


def rank(kb: Any, question: str, passages: Sequence[Passage], query_vector: np.ndarray | None = None) -> Ranked:
    """Return the sentences of ``passages`` ranked for ``question``, and how likely any answers it.

    ``query_vector`` is the question's vector if the caller has encoded it already.
    """
    keywords = keyword_text(question)  # English questions: plus Chinese words for their words
    with kb.reader.view() as view:
        cands = candidates(view.conn, passages)
        freq, n = lookups.doc_freq(view.conn, tokenize(keywords), view.term_docs)
    if not cands:
        return Ranked([], tuple(passages), np.zeros((0, len(ranking.FEATURES)), np.float32), np.zeros(0, np.float32),
                      np.zeros(len(ranking.ANSWERABILITY), np.float32), 0.0)
    info = ranking.describe(keywords, freq, n)
    qvec = kb.encoder.queries([question])[0] if query_vector is None else query_vector
    dense = np.stack([c.vector for c in cands]) @ qvec
    prior = [1.0 / (c.passage + 1) for c in cands]
    first = [i == 0 or cands[i - 1].passage != c.passage for i, c in enumerate(cands)]
    best = max((p.score for p in passages), default=0.0)
    share = [passages[c.passage].score / best if best > 0 else 0.0 for c in cands]
    words = [set(tokenize(c.text)) for c in cands]
    matrix = ranking.features(info, [c.text for c in cands], dense, prior, [c.neighbours for c in cands],
                              first, share, words)
    scores = ranking.score(matrix)
    row = ranking.answerability_features(matrix, scores, ranking.covered(info, words))
    return Ranked(cands, tuple(passages), matrix, scores, row, ranking.confidence(row, kb.settings.model))


# A sentence that opens by pointing back ("因此它……", "这……") needs the one before it; a
# sentence followed by one that opens with a cause ("因为……") is completed by it.
_POINTS_BACK = re.compile(r"^[\s“「（(]*(?:因此|所以|因而|于是|这|此|该|其|他们|她们|他|她|它|但|而|不过|然而)")
_CAUSE_FOLLOWS = re.compile(r"^[\s“「（(]*(?:因为|由于|这是因为|原因是|为了|以便)")
# A question that asks for a reason, a process, a description, a definition or a list is
# answered by the best sentence and the one after it: on CMRC 2018, 8 % of gold answers run
# over two sentences, mostly for these questions ("树叶是什么形状的", "高英是怎么死的").
_DESCRIBES = re.compile(r"为什么|为何|怎么|怎样|如何|什么样|哪些|哪[两三四五六七八九十几]|^什么是|特点|特征|原因|作用|"
                        r"用途|过程|影响|内容|方式|方法|\bwhy\b|\bhow\b", re.IGNORECASE)


def unmentioned_names(kb: Any, question: str) -> list[str]:
    """Return the names in an English ``question`` that the dictionary can write in Chinese and
    that no indexed article mentions in either form, e.g. ``["Tesla (特斯拉)"]``: the articles
    cannot answer a question about them. Names the dictionary does not know (most people's
    names) are never reported: an article may write them in a transliteration it cannot guess.
    """
    absent = []
    with kb.reader.view() as view:
        for name, forms in names(question):
            spellings = [name, *(f for f in forms if len(f) > 1)]  # one character is too ambiguous
            if len(spellings) == 1:
                continue
            tokens = {s: tokenize(s) for s in spellings}
            freq, _ = lookups.doc_freq(view.conn, [t for ts in tokens.values() for t in ts], view.term_docs)
            if not any(ts and all(t in freq for t in ts) for ts in tokens.values()):
                absent.append(f"{name} ({'、'.join(spellings[1:])})")
    return absent


def _diverse(passages: Sequence[Passage], k: int) -> list[Passage]:
    """Return ``k`` passages in rank order, at most ``PER_ARTICLE`` of them from one article while
    other articles have candidates: the evidence should not all come from one report."""
    seen: Counter[str] = Counter()
    within, beyond = [], []
    for i, p in enumerate(passages):
        (within if seen[p.article_id] < PER_ARTICLE else beyond).append(i)
        seen[p.article_id] += 1
    keep = within[:k] + beyond[:max(k - len(within), 0)]
    return [passages[i] for i in sorted(keep)]


def _completion(cands: list[Candidate], best: int, question: str) -> int | None:
    """Return the index of the neighbouring sentence that completes ``best``, if one does."""
    c = cands[best]
    if best > 0 and cands[best - 1].passage == c.passage and _POINTS_BACK.match(c.text):
        return best - 1
    after = cands[best + 1] if best + 1 < len(cands) and cands[best + 1].passage == c.passage else None
    if after and (_CAUSE_FOLLOWS.match(after.text) or _DESCRIBES.search(question)):
        return best + 1
    return None


def unit(cands: list[Candidate], i: int, question: str) -> list[int]:
    """Return the candidates quoted when sentence ``i`` is chosen: it and the neighbour that
    completes it, in reading order (what ``qa eval`` scores as one answer)."""
    extra = _completion(cands, i, question)
    return [i] if extra is None else sorted((i, extra))


def _select(cands: list[Candidate], scores: np.ndarray, question: str) -> list[int]:
    """Return indices of the quotes: the best sentence, the neighbour that completes it, and
    sentences from other passages scoring within ``SUPPORT_MARGIN`` of the best (support)."""
    order = list(np.argsort(-scores))
    chosen = unit(cands, order[0], question)
    best = order[0]
    close = [i for i in order[1:] if scores[best] - scores[i] <= SUPPORT_MARGIN]
    # Support from another article (another outlet's report) first, then from other passages.
    for i in sorted(close, key=lambda i: cands[i].article_id in {cands[j].article_id for j in chosen}):
        if len(chosen) >= MAX_QUOTES:
            break
        if all(cands[i].passage != cands[j].passage and not _similar(cands[i].text, cands[j].text) for j in chosen):
            chosen.append(i)
    return chosen


def _similar(a: str, b: str) -> bool:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(len(sa | sb), 1) > 0.8


def runs(cands: list[Candidate], chosen: Sequence[int], passages: Sequence[Passage]) -> list[list[int]]:
    """Return the chosen candidate indices (in reading order) grouped into runs of sentences that
    follow each other in the article with only whitespace between: each run is quoted as one span."""
    out: list[list[int]] = []
    for i in sorted(chosen, key=lambda i: (cands[i].passage, cands[i].start)):
        c, p = cands[i], passages[cands[i].passage]
        last = cands[out[-1][-1]] if out else None
        if last and last.passage == c.passage and not p.text[last.end - p.start:c.start - p.start].strip():
            out[-1].append(i)
        else:
            out.append([i])
    return out


def quote_text(cands: list[Candidate], run: list[int], p: Passage) -> str:
    """Return the article text a run of sentences spans (verbatim, from the passage)."""
    return p.text[cands[run[0]].start - p.start:cands[run[-1]].end - p.start]


def ranked_quotes(ranked: Ranked, question: str, n: int) -> list[list[str]]:
    """Return, for each of the ``n`` best sentences, the quote texts choosing it would give
    (with its completing neighbour): the units ``qa eval`` scores for hit@1 and hit@3."""
    cands, ps = ranked.candidates, ranked.passages
    return [[quote_text(cands, run, ps[cands[run[0]].passage]) for run in runs(cands, unit(cands, int(i), question), ps)]
            for i in np.argsort(-ranked.scores)[:n]]


def _quote(cands: list[Candidate], run: list[int], p: Passage, scores: np.ndarray, number: int) -> Quote:
    """Return one quote for a run of adjacent sentences: one span of the article, one citation."""
    return Quote(text=quote_text(cands, run, p), article_id=p.article_id, start=cands[run[0]].start,
                 end=cands[run[-1]].end, title=p.title, source=p.source, date=p.date, url=p.url,
                 score=round(float(max(scores[i] for i in run)), 4), passage=number, also_in=p.duplicates)


def answer_question(kb: Any, question: str, *, history: Sequence[Any] = (), k: int = 5, since: Any = None,
                    until: Any = None, sources: Iterable[str] | None = None) -> Answer:
    """Return the cited answer to ``question`` from ``kb`` (see ``KnowledgeBase.answer``).

    Raises:
        ValueError: empty or over-long question, k outside 1..1000, or a bad filter.
    """
    return answer_and_ranking(kb, question, history=history, k=k, since=since, until=until, sources=sources)[0]


def answer_and_ranking(kb: Any, question: str, *, history: Sequence[Any] = (), k: int = 5, since: Any = None,
                       until: Any = None, sources: Iterable[str] | None = None,
                       query_vector: np.ndarray | None = None) -> tuple[Answer, Ranked]:
    """Return the answer and the ranking it was made from (scores as used: ``qa eval`` reads them).

    ``query_vector`` is the vector of the query the question resolves to, if already encoded.

    Raises:
        ValueError: as ``answer_question``.
    """
    question = validate(question, k)
    lang = detect_language(question)
    query = resolve(question, history)
    qvec = kb.encoder.queries([query])[0] if query_vector is None else query_vector
    passages = _diverse(kb.retrieve(query, 2 * k, since=since, until=until, sources=sources, query_vector=qvec), k)
    notes = (ENGLISH_NOTE,) if lang == "en" else ()
    ranked = rank(kb, query, passages, qvec)
    cands, conf = ranked.candidates, ranked.confidence
    absent = unmentioned_names(kb, query) if lang == "en" else []
    if absent:
        notes += ("The indexed articles never mention " + ", ".join(absent) + ".",)
    if lang == "en" and cands:
        order = ranking.cross_lingual_order(ranked.matrix)  # keep the fitted scale, reorder by meaning
        ranked = replace(ranked, scores=order - order.max() + ranked.scores.max())
    if conf < ABSTAIN_BELOW and lang == "en" and cands and not absent:
        notes += (LOW_CONFIDENCE_NOTE,)
    elif not cands or conf < ABSTAIN_BELOW or absent:
        return Answer(question=question, text=NOT_FOUND[lang], passages=tuple(passages), abstained=True,
                      confidence=round(conf, 4), language=lang, query=query, notes=notes), ranked
    quoted = runs(cands, _select(cands, ranked.scores, query), passages)
    used = list(dict.fromkeys(cands[run[0]].passage for run in quoted))
    number = {p: n + 1 for n, p in enumerate(used)}
    shown = [passages[p] for p in used] + [p for i, p in enumerate(passages) if i not in number]
    quotes = tuple(_quote(cands, run, passages[cands[run[0]].passage], ranked.scores, number[cands[run[0]].passage])
                   for run in quoted)
    text = " ".join(f"{q.text}[{q.passage}]" for q in quotes)
    return Answer(question=question, text=text, quotes=quotes, passages=tuple(shown), abstained=False,
                  confidence=round(conf, 4), language=lang, query=query, notes=notes), ranked
