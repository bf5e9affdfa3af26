"""Extractive answers: rank the sentences of the retrieved passages, quote the best verbatim.

Every quote is a slice of its article's text (``article.text[q.start:q.end] == q.text``), so
a citation cannot point to the wrong place. Nothing is generated. When the best sentence is
not convincing the answer abstains and lists the closest passages instead.

The stage knows nothing of ``KnowledgeBase``: the caller hands it a retrieval function, the
index's read views and the question encoder (``KnowledgeBase.answer`` does).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from qa.answering import english, models, reasons, refusal
from qa.answering.features import ANSWERABILITY, FEATURES
from qa.answering.followup import resolve
from qa.answering.ranking import SentenceRanking, gather, rank_sentences, rest_query
from qa.answering.selection import MAX_QUOTES, diverse, quote_text, runs, select, unit
from qa.index.backend import Reader
from qa.search.validate import MAX_K, validate_query
from qa.text import detect_language
from qa.text.salient import ROLE_WORDS, Term, present
from qa.text.subjects import question_names
from qa.types import Answer, Passage, Quote

# Passages retrieved per passage kept: room for ``diverse`` to skip an article's fourth passage.
RETRIEVED_PER_KEPT = 2
# A why-question reads twice as many passages: the reasons may sit beside the passage that
# reports the event, and every article that gives one is quoted.
WHY_PASSAGES = 2
NOT_FOUND = {"zh": "在已收录的文章中没有找到答案。", "en": "No answer found in the indexed articles."}


class Retrieve(Protocol):
    """Hybrid retrieval with the caller's filters bound: ``(query, k, query_vector) -> passages``."""

    def __call__(self, query: str, k: int, query_vector: np.ndarray) -> list[Passage]: ...


def answer_question(question: str, *, retrieve: Retrieve, reader: Reader, encode: Callable[[str], np.ndarray],
                    model: str, history: Sequence[Any] = (), k: int = 5,
                    query_vector: np.ndarray | None = None) -> tuple[Answer, SentenceRanking]:
    """Return the cited answer to ``question`` (or an abstention) and the ranking it was made from.

    ``encode`` turns the query into its vector unless ``query_vector`` is given; ``model`` names
    the encoder (the answerability model was fitted for one); ``history`` holds earlier turns.

    Raises:
        ValueError: empty or over-long question, or k outside 1..1000.
    """
    question = validate_query(question, k)
    lang = detect_language(question)
    query = resolve(question, history)
    qvec = encode(query) if query_vector is None else query_vector
    kept = k * (WHY_PASSAGES if reasons.is_why(query) else 1)
    passages = diverse(retrieve(query, min(RETRIEVED_PER_KEPT * kept, MAX_K), qvec), kept)
    with reader.view() as view:
        # A follow-up's salient terms are its own: 他是哪家公司的联合创始人？ after a question about
        # Microsoft and Suleyman need not find "Microsoft" in the sentence that answers it.
        evidence = gather(view, query, passages, asked=question)
        # A name the whole index lacks (in the dictionary's Chinese forms too) is refused outright:
        # precise on news (Tesla, Amazon); on XQuAD it refuses 1.4 % of the answerable English
        # questions (9 of 632), whose translators wrote names otherwise than the dictionary (女神卡卡
        # for Lady Gaga, as news writes 软银 where it has 软库 for SoftBank). Capitalised words the
        # dictionary knows only as common words (Fog, Seaman, UK → 腐国) are no names to it.
        absent = english.unmentioned_names(view, query) if lang == "en" else []
    rest = rest_query(query, cross_lingual=lang == "en")
    ranking = rank_sentences(evidence, query, passages, qvec, model, cross_lingual=lang == "en",
                             rest_vector=encode(rest) if rest is not None else None)
    conf = ranking.confidence
    # An attribute no article mentions in any of its words (a salary, a revenue) is refused
    # outright too: a measured fact the articles never state; the answerability model, fitted on
    # sets where this is rare, would weigh a near-topic sentence's similarity above it.
    refused = (not ranking.candidates or conf < models.REFUSE_BELOW or bool(absent) or bool(ranking.unmentioned)
               or unexplained(query, ranking) or untitled(ranking) or (lang == "en" and undated(ranking))
               or bool(misplaced(ranking)))
    notes: tuple[str, ...] = (english.ENGLISH_NOTE,) if lang == "en" else ()
    if refused:
        why = english.absent_note(absent) if absent else refusal.explain(question, lang, ranking)
        notes += (why,) if why else ()
        return Answer(question=question, text=NOT_FOUND[lang], passages=tuple(passages[:k]), abstained=True,
                      confidence=round(conf, 4), language=lang, query=query, notes=notes), ranking
    return _compose(question, query, lang, ranking, passages, notes, k), ranking


def unexplained(query: str, ranking: SentenceRanking) -> bool:
    """Whether ``query`` asks why and its best sentence neither states a reason nor mentions, with
    its neighbours, all the question's names, numbers and attributes: 孙正义为什么投资OpenAI？
    against a sentence on 孙正义 announcing another investment, with no OpenAI and no reason.
    The model weighs neither signal much alone (a CMRC why-answer often lacks a reason word);
    together they refused 4 of CMRC's 60 right why-answers and none of the seeds'."""
    if not ranking.candidates or not reasons.is_why(query):
        return False
    row = ranking.matrix[int(np.argmax(ranking.scores))]
    return not row[FEATURES.index("cue")] and row[FEATURES.index("missing")] > 0


def undated(ranking: SentenceRanking) -> bool:
    """Whether the question gives a date (a year, 6月, 19世纪, "in 2019") that its best sentence's
    passage and title do not (``missing_date``; 今年 in an article of 2024 reads as 2024): "What was
    OpenAI's valuation in 2019?" against the sentence giving this month's valuation. The paragraph
    that answers almost always writes the date asked (CMRC 125 of 125 questions with one, DRCD 143
    of 152, XQuAD English 43 of 49). Applied to English questions, whose model, fitted on XQuAD's
    few dated ones, weighs it little (−0.8, the Chinese model −2.0): held out, refusing them
    outright refused 15 more of XQuAD's swapped English questions (+4 points) and one more
    answerable one (bench/fit_answerability.py counts them refused when it chooses the threshold);
    for Chinese questions the same rule moved the held-out figures by under a point either way."""
    return bool(ranking.answerability[ANSWERABILITY.index("top_missing_date")])  # all 0 without candidates


def untitled(ranking: SentenceRanking) -> bool:
    """Whether the question asks about a company title (CEO, 董事长, CTO…: ``salient.ROLE_WORDS``)
    that its best sentence and that sentence's neighbours do not name: 谷歌DeepMind的CEO是谁？
    against 谷歌DeepMind联合创始人之一苏莱曼 names a founder, not who is CEO. The answerability
    model weighs a missing attribute little (on the developer sets attributes are rare and often
    paraphrased); a title is not. On CMRC, DRCD (first 1,000) and XQuAD (both languages) it
    refused no answerable question the model answered, and one more swapped one."""
    roles = [t for t in ranking.terms if t.kind == "attribute" and t.text.lower() in ROLE_WORDS]
    if not roles or not ranking.candidates:
        return False
    words, folded = ranking.near_best()
    return any(not present(t, words, folded) for t in roles)


def misplaced(ranking: SentenceRanking) -> list[Term]:
    """Return the names of ``ranking.firm`` (an English question's Latin-letter names as news
    articles write them) that the best sentence and its neighbours do not mention in any form."""
    if not ranking.firm or not ranking.candidates:
        return []
    words, folded = ranking.near_best()
    return [t for t in ranking.firm if not present(t, words, folded)]


def _chosen(ranking: SentenceRanking, query: str) -> list[int]:
    """Return the candidates to quote: ``select``'s choice; for a why-question the best sentence
    with the reason that completes it, then a reason sentence from each other article that gives one."""
    cands, scores = ranking.candidates, ranking.scores
    if not reasons.is_why(query):
        return select(cands, scores, query)
    chosen = unit(cands, int(np.argmax(scores)), query)
    dense = ranking.matrix[:, FEATURES.index("dense")]
    extra = reasons.reasons_from_other_articles(cands, scores, dense, chosen, MAX_QUOTES - len(chosen),
                                                question_names(query))
    return chosen + extra


def _compose(question: str, query: str, lang: str, ranking: SentenceRanking, passages: Sequence[Passage],
             notes: tuple[str, ...], k: int) -> Answer:
    """Return the answer quoting the selected sentences, passages renumbered in citation order
    (the cited ones first, then the closest others, ``k`` in all unless more are cited)."""
    cands = ranking.candidates
    chosen = _chosen(ranking, query)
    # The best sentence's quote comes first, then the others in the order they were chosen.
    position = {c: n for n, c in enumerate(chosen)}
    quoted = sorted(runs(cands, chosen, passages), key=lambda run: min(position[i] for i in run))
    used = list(dict.fromkeys(cands[run[0]].passage for run in quoted))
    number = {p: n + 1 for n, p in enumerate(used)}
    others = [p for i, p in enumerate(passages) if i not in number]
    shown = [passages[p] for p in used] + others[:max(k - len(used), 0)]
    quotes = tuple(_quote(ranking, run, passages[cands[run[0]].passage], number[cands[run[0]].passage])
                   for run in quoted)
    text = " ".join(f"{q.text}[{q.passage}]" for q in quotes)
    return Answer(question=question, text=text, quotes=quotes, passages=tuple(shown), abstained=False,
                  confidence=round(ranking.confidence, 4), language=lang, query=query, notes=notes)


def _quote(ranking: SentenceRanking, run: list[int], p: Passage, number: int) -> Quote:
    """Return one quote for a run of adjacent sentences: one span of the article, one citation."""
    cands = ranking.candidates
    return Quote(text=quote_text(cands, run, p), article_id=p.article_id, start=cands[run[0]].start,
                 end=cands[run[-1]].end, title=p.title, source=p.source, date=p.date, url=p.url,
                 score=round(float(max(ranking.scores[i] for i in run)), 4), passage=number, also_in=p.duplicates)
