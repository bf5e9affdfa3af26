"""Rank the candidate sentences of a question and estimate whether any of them answers it."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa.answering import models
from qa.answering.candidates import Candidate, candidates
from qa.answering.english import generic
from qa.answering.features import (
    ANSWERABILITY, FEATURES, answerability_features, features, missing, missing_date, missing_in,
)
from qa.answering.question import covered, describe
from qa.index.backend import SearchView
from qa.search.aliases import question_aliases
from qa.search.hybrid import english_lookups
from qa.text import search_form, tokenize
from qa.text.dates import relative_years
from qa.text.pairs import name_pairs
from qa.text.salient import Term, aliased, present, salient_terms, spelled, widened
from qa.text.translate import keyword_language, keyword_text, may_be_translated, sense_groups
from qa.types import Passage


# Originals the passages must bracket (distinct Latin names) before a name the index lacks in every
# form is called absent: one pair can be an accident of translation, two are the article's habit.
# Set by looking at XQuAD's English questions (in-sample): at 1, 18 answerable ones were refused.
BRACKETED_MIN = 2
_STEM = 6  # letters a name and a candidate's word share to count as one word inflected


@dataclass(frozen=True)
class SentenceRanking:
    """The candidates of a question with their features, scores and the answer's confidence."""

    candidates: list[Candidate]
    passages: tuple[Passage, ...]  # what ``Candidate.passage`` indexes
    matrix: np.ndarray
    scores: np.ndarray
    answerability: np.ndarray
    confidence: float
    terms: tuple[Term, ...] = ()  # the question's salient terms, spelled as the candidates write them
    # its attribute words no indexed article mentions in any form, and its Latin-letter names none
    # writes where the articles bracket the originals of the names they write (:func:`unwritten`)
    unmentioned: tuple[Term, ...] = ()
    # an English question's Latin-letter names that the index writes, where the passages' articles
    # bracket originals as news does (:func:`firm_names`): the best sentence must be near them
    firm: tuple[Term, ...] = ()

    def near_best(self) -> tuple[frozenset[str], str]:
        """Return the search tokens and search form of the best candidate with its neighbours (and
        the years its 今年/去年 mean): the text a term must be in to count as near the answer.

        Raises:
            ValueError: the ranking has no candidates.
        """
        if not self.candidates:
            raise ValueError("a ranking without candidates has no best sentence")
        best = self.candidates[int(np.argmax(self.scores))]
        text = best.with_years(f"{best.text} {best.neighbours}")
        return frozenset(tokenize(text)), search_form(text)


def empty_ranking(passages: Sequence[Passage]) -> SentenceRanking:
    """Return the ranking of a question with no candidate sentence (confidence 0)."""
    return SentenceRanking([], tuple(passages), np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, np.float32),
                           np.zeros(len(ANSWERABILITY), np.float32), 0.0)


@dataclass(frozen=True)
class Evidence:
    """What ranking reads from the index: the candidate sentences and the idf of the question's words."""

    candidates: list[Candidate]
    doc_freq: dict[str, int]
    n_docs: int
    keywords: str  # the question with the Chinese keywords of its English words, if any
    words: list[frozenset[str]]  # each candidate's search tokens
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # Chinese forms of its Latin names
    asked: str = ""  # the question as the user wrote it: the text whose salient terms these are
    terms: tuple[Term, ...] = ()  # its salient terms, with the Chinese forms ``aliases`` gives
    known: frozenset[str] = frozenset()  # the search tokens of their forms that the index has
    # distinct Latin originals the passages' articles bracket beside a Chinese form (counted only
    # when a name of the question may be unwritten: :func:`unwritten`)
    bracketed: int = 0
    # an English question's words with the senses ``keywords`` holds of each (translate.sense_groups)
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()


def gather(view: SearchView, question: str, passages: Sequence[Passage], asked: str | None = None) -> Evidence:
    """Return the candidate sentences of ``passages`` with their tokens, and the chunk counts of
    the words of ``question`` read from ``view``. An English question's words become the Chinese
    senses the articles use, among them first those the candidates use (as keyword search chooses them).
    The salient terms are those of ``asked`` (the question as written, for a follow-up whose
    ``question`` carries an earlier turn's topic), else of ``question``."""
    cands = candidates(view, passages)
    words = [frozenset(tokenize(c.text)) for c in cands]
    every_word = frozenset().union(*words)
    lookups = english_lookups(view, question) if keyword_language(question) == "en" else None
    nearby = every_word if lookups is not None else frozenset()
    aliases = lookups.aliases if lookups is not None else question_aliases(view, question)
    senses = lookups.senses if lookups is not None else None
    keywords = keyword_text(question, lambda tokens: view.doc_freq(tokens)[0], nearby, aliases, senses)
    groups = sense_groups(senses, nearby) if senses is not None else ()
    # the salient terms' tokens ride on the same lookup: whether the index has a term at all
    terms = aliased(salient_terms(asked or question), aliases)
    forms = {tk for t in terms for ts in t.tokens for tk in ts}
    freq, n = view.doc_freq(list(dict.fromkeys([*tokenize(keywords), *forms])))
    known = frozenset(tk for tk in forms if freq.get(tk, 0) > 0)
    unsure = len(_checkable(terms, known | every_word)) < len(terms)  # some name may be unwritten
    latin = lookups is not None and any(t.kind == "name" and t.text.isascii() for t in terms)
    return Evidence(cands, dict(freq), n, keywords, words, aliases, asked or question, terms, known,
                    bracketed_originals(view, passages) if unsure or latin else 0, groups)


def bracketed_originals(view: SearchView, passages: Sequence[Passage]) -> int:
    """Return how many distinct Latin originals the articles of ``passages`` bracket beside a
    Chinese form (苏莱曼（Mustafa Suleyman）): the articles' habit, which a passage after the first
    mention does not show."""
    latin: set[str] = set()
    for article_id in dict.fromkeys(p.article_id for p in passages):
        stored = view.get_article(article_id)
        if stored is not None:
            latin.update(pair.latin for pair in name_pairs(stored.article.text))
    return len(latin)


def _checkable(terms: Sequence[Term], tokens: frozenset[str]) -> tuple[Term, ...]:
    """Return the ``terms`` whose absence from a sentence is evidence: all but the names written
    in Latin letters with no form whose search tokens are all among ``tokens`` (those the index
    has, and the candidates' own words, which hold the spellings :func:`spelled` added)."""
    return tuple(t for t in terms if t.kind != "name" or not t.text.isascii()
                 or any(all(tk in tokens for tk in ts) for ts in t.tokens))


def unmentioned(terms: Sequence[Term], tokens: frozenset[str], folded: str = "") -> tuple[Term, ...]:
    """Return the attribute words among ``terms`` that a text with search form ``folded`` (the
    candidates') does not mention and with no form whose search tokens are among ``tokens`` (those
    the index has): the articles never give a salary where no article has 薪水, 工资, 年薪 or 薪酬.
    A form's one-character tokens are not required: jieba glues them to a neighbour as context
    has it (5亿周活跃用户 → 亿周, 活跃, 用户). Only attributes: a name may be transliterated in ways no
    dictionary gives, and a number may be one the asker computed; an attribute group's words are
    the articles' own. On the developer sets 2 of 2,701 answerable questions have one ("Sky Box
    office" is a channel's name, "loss" of biodiversity is not a financial loss)."""
    def known(form: tuple[str, ...]) -> bool:
        return all(tk in tokens for tk in [tk for tk in form if len(tk) > 1] or form)

    return tuple(t for t in terms if t.kind == "attribute" and not present(t, (), folded)
                 and not any(known(ts) for ts in t.tokens))


def unwritten(terms: Sequence[Term], checkable: Sequence[Term], bracketed: int,
              words: frozenset[str]) -> tuple[Term, ...]:
    """Return the names among ``terms`` written in Latin letters that no indexed article or candidate
    writes in any form (those not ``checkable``), when the passages' articles bracket ``bracketed``
    originals of the names they transliterate, at least ``BRACKETED_MIN``: news writes 苏莱曼（Mustafa
    Suleyman）at a first mention, so there a name the index lacks in every form is absent ("Who
    founded Anthropic?"), not transliterated out of reach. Left to the answerability model: names an
    article may translate (some word known to the dictionary, or English words run together:
    ``may_be_translated``), a name whose first ``_STEM`` letters start a word of the candidates
    (``words``: Ctenophores beside Ctenophora), and every name where the articles bracket fewer
    originals (Wikipedia translations rarely do: XQuAD's 120 paragraphs hold 15 such pairs)."""
    if bracketed < BRACKETED_MIN:
        return ()
    stems = _stems(words)
    return tuple(t for t in terms if t.kind == "name" and t not in checkable and not may_be_translated(t.text)
                 and not any(len(w) >= _STEM and w[:_STEM] in stems for w in t.text.lower().split()))


def firm_names(terms: Sequence[Term], known: frozenset[str], bracketed: int) -> tuple[Term, ...]:
    """Return the names among ``terms`` that the articles write in Latin letters as the question
    does (their search tokens are among ``known``, those the index has), when the passages'
    articles bracket ``bracketed`` originals, at least ``BRACKETED_MIN``: news writes Meta, OpenAI
    or Suleyman as such, so a best sentence far from every form of one is about something else
    ("How much did Meta spend on AI in 2024?" against OpenAI's computing costs). A name the index
    has only in a dictionary's Chinese form (Queen Elizabeth II → 伊丽莎白二世) may be written
    otherwise near the answer (英女王); the answerability model weighs its absence. Nor is a word
    the dictionary glosses only as common words a name here (:func:`english.generic`: AI, CEO)."""
    if bracketed < BRACKETED_MIN:
        return ()
    return tuple(t for t in terms if t.kind == "name" and t.text.isascii()
                 and all(tk in known for tk in tokenize(t.text)) and not generic(t.text))


def _stems(words: frozenset[str]) -> frozenset[str]:
    """Return the first ``_STEM`` letters of each Latin word among ``words``."""
    return frozenset(w[:_STEM] for w in words if len(w) >= _STEM and w.isascii() and w.isalpha())


def _passage_missing(terms: Sequence[Term], passages: Sequence[Passage]) -> list[tuple[float, float, float]]:
    """Return, per passage, the shares of ``terms`` (names; numbers and attributes) that neither
    it nor its title mentions, and whether they lack one of its dates."""
    if not terms:
        return [(0.0, 0.0, 0.0)] * len(passages)
    out = []
    for p in passages:
        # the text alone: tokenizing every passage again would cost more than its rare gain
        years = relative_years(p.text, p.date)
        folded = search_form(f"{p.title} {p.text} {years}" if years else f"{p.title} {p.text}")
        out.append((*missing_in(terms, (), folded), missing_date(terms, folded)))
    return out


def rest_query(question: str, cross_lingual: bool = False) -> str | None:
    """Return ``question`` without its names (占旭刚本科毕业于哪所大学？ → 本科毕业于哪所大学？), the text
    whose vector :func:`rank_sentences` compares with each sentence (``rest_dense``); None for an
    English question (``cross_lingual``), one without names, or one that is nothing but names.

    >>> rest_query("占旭刚本科毕业于哪所大学？")
    '本科毕业于哪所大学？'
    """
    if cross_lingual:
        return None
    found = [t.text for t in salient_terms(question) if t.kind == "name"]
    rest = question
    for name in found:
        rest = re.sub(re.escape(name), "", rest, flags=re.IGNORECASE)
    return rest if found and rest.strip() else None


def rank_sentences(evidence: Evidence, question: str, passages: Sequence[Passage], query_vector: np.ndarray,
                   model: str, cross_lingual: bool = False, rest_vector: np.ndarray | None = None) -> SentenceRanking:
    """Return the candidate sentences ranked for ``question`` (whose vector is ``query_vector``)
    and how likely any of them answers it, by the answerability model fitted for the encoder
    ``model``; ``cross_lingual`` for a question in another language than the articles (English):
    its candidates are ordered, and its answerability judged, by the models fitted for that.
    The salient terms an answer must mention are ``evidence``'s: those of the question as the
    user wrote it, not of a follow-up's ``question`` that carries an earlier turn's topic.
    ``rest_vector`` is the vector of :func:`rest_query` of ``question``, when it has one."""
    cands = evidence.candidates
    if not cands:
        return empty_ranking(passages)
    words = evidence.words
    every_word = frozenset().union(*words)
    folded = search_form(" ".join(c.with_years(c.text) for c in cands))
    terms = spelled(widened(evidence.terms, evidence.asked, folded), every_word)
    known = evidence.known | every_word
    checkable = _checkable(terms, known)
    info = describe(evidence.keywords, evidence.doc_freq, evidence.n_docs, terms, checkable, nested=not cross_lingual,
                    groups=evidence.groups)
    vectors = np.stack([c.vector for c in cands])
    dense = vectors @ query_vector
    prior = [1.0 / (c.passage + 1) for c in cands]
    first = [i == 0 or cands[i - 1].passage != c.passage for i, c in enumerate(cands)]
    best = max((p.score for p in passages), default=0.0)
    share = [passages[c.passage].score / best if best > 0 else 0.0 for c in cands]
    by_passage = _passage_missing(terms, passages)
    matrix = features(info, [c.text for c in cands], dense, prior, [c.with_years(c.neighbours) for c in cands], first, share,
                      words, [by_passage[c.passage] for c in cands],
                      vectors @ rest_vector if rest_vector is not None else None)
    scores = models.order(matrix, cross_lingual)
    absent = missing(terms, every_word, folded)
    row = answerability_features(matrix, scores, covered(info, words), absent, bool(terms), info.qtype is not None)
    never = unmentioned(terms, known, folded) + unwritten(terms, checkable, evidence.bracketed, every_word)
    firm = firm_names(terms, evidence.known, evidence.bracketed) if cross_lingual else ()
    return SentenceRanking(cands, tuple(passages), matrix, scores, row, models.confidence(row, model, cross_lingual),
                           terms, never, firm)
