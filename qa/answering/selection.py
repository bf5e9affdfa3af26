"""Which sentences an answer quotes, and how they become spans of the article.

The best sentence is quoted with the neighbour that completes it (a sentence that points back;
one followed by its cause or, for a why-question, by its reason; any best sentence of a question
asking for a description); sentences from other passages that score nearly as well are quoted as support, other
outlets' reports first; adjacent sentences of one article become one span.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from qa.answering.candidates import Candidate
from qa.answering.ranking import SentenceRanking
from qa.answering.reasons import completes, is_why
from qa.text import simplified
from qa.text.questions import asks_for_description
from qa.types import Passage

MAX_QUOTES = 3
PER_ARTICLE = 3  # passages one article may contribute to an answer's evidence (of k=5)
# A quote from another passage must be nearly as likely to be the answer as the best: its
# ranker score (a log-odds scale) within this margin, i.e. at least 0.8 times as likely.
SUPPORT_MARGIN = float(np.log(1 / 0.8))
# Set by hand, not tuned: two sentences sharing more than 80 % of their distinct characters
# say the same thing (one outlet's copy of another's sentence); the second adds nothing.
SAME_SENTENCE_CHARS = 0.8

# A sentence that opens by pointing back ("因此它……", "这……") needs the one before it; a
# sentence followed by one that opens with a cause ("因为……") is completed by it.
_POINTS_BACK = re.compile(r"^[\s“「（(]*(?:因此|所以|因而|于是|这|此|该|其|他们|她们|他|她|它|但|而|不过|然而)")
_CAUSE_FOLLOWS = re.compile(r"^[\s“「（(]*(?:因为|由于|这是因为|原因是|为了|以便)")


def diverse(passages: Sequence[Passage], k: int) -> list[Passage]:
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
    if best > 0 and cands[best - 1].passage == c.passage and _POINTS_BACK.match(simplified(c.text)):
        return best - 1
    after = cands[best + 1] if best + 1 < len(cands) and cands[best + 1].passage == c.passage else None
    if after is None:
        return None
    if _CAUSE_FOLLOWS.match(simplified(after.text)):
        return best + 1
    if is_why(question):  # the next sentence only when it states the reason, never an unrelated one
        return best + 1 if completes(c.text, after.text) else None
    return best + 1 if asks_for_description(question) else None


def unit(cands: list[Candidate], i: int, question: str) -> list[int]:
    """Return the candidates quoted when sentence ``i`` is chosen: it and the neighbour that
    completes it, in reading order (what ``qa eval`` scores as one answer)."""
    extra = _completion(cands, i, question)
    return [i] if extra is None else sorted((i, extra))


def _same_sentence(a: str, b: str) -> bool:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(len(sa | sb), 1) > SAME_SENTENCE_CHARS


def select(cands: list[Candidate], scores: np.ndarray, question: str) -> list[int]:
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
        if all(cands[i].passage != cands[j].passage and not _same_sentence(cands[i].text, cands[j].text)
               for j in chosen):
            chosen.append(i)
    return chosen


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


def ranked_quotes(ranking: SentenceRanking, question: str, n: int) -> list[list[str]]:
    """Return, for each of the ``n`` best sentences, the quote texts choosing it would give
    (with its completing neighbour): the units ``qa eval`` scores for hit@1 and hit@3."""
    cands, ps = ranking.candidates, ranking.passages
    return [[quote_text(cands, run, ps[cands[run[0]].passage]) for run in runs(cands, unit(cands, int(i), question), ps)]
            for i in np.argsort(-ranking.scores)[:n]]
