"""What the answer ranker sees of each candidate sentence: one row of features per sentence.

Features (all roughly in 0..1), in ``FEATURES`` order:

* ``dense``   – cosine between the question (``query:``) and the sentence (``passage:``) vectors;
* ``overlap`` – share of the question's idf weight whose words appear in the sentence;
* ``bigram``  – share of the question's character bigrams found in the sentence (paraphrase);
* ``context`` – extra idf share found only in the neighbouring sentences (a sentence that
  answers but leaves the subject to its neighbour);
* ``cue``     – the sentence has what the question type asks for (cause for 为什么/why, an
  amount for 多少/how much, a date for 何时/when, a place for 哪里/where, a name for 谁/who);
* ``prior``   – reciprocal rank of the passage it came from;
* ``gap``     – dense similarity minus the best candidate's (the ranker sees the competition);
* ``lcs``     – longest run of question characters found verbatim in the sentence, over the
  question's length (questions often restate the answer sentence around a question word);
* ``length``  – sentence length / 100, capped at 1 (very short lines rarely answer);
* ``left_anchor`` / ``right_anchor`` / ``anchors`` – how much of the question text right before
  / right after its question word the sentence holds verbatim, and their product: a question
  is often its answer sentence with the answer swapped for 什么/哪/多少 ("面积有多大" →
  "面积约为 0.3 平方公里");
* ``first``   – the sentence opens its passage;
* ``passage_score`` – the passage's retrieval score over the best passage's;
* ``missing`` – share of the question's salient terms (names, numbers, measured attributes:
  :mod:`qa.text.salient`) that neither the sentence nor its neighbours mention: a sentence
  about 微软's 市值 does not answer a question about 苹果's 营收;
* ``missing_names`` / ``missing_facts`` – the share of the salient terms that are names / that
  are numbers or attributes and that the sentence's whole passage and its title do not mention
  (news names the subject once, then writes 他/该公司; a name swapped is surer evidence than
  a number an annotator computed or an attribute paraphrased);
* ``missing_checkable`` – share of the salient terms that are checkable and that neither the
  sentence nor its neighbours mention. A name written in Latin letters that the index has in no
  form is not checkable: the articles may write it in a transliteration no dictionary gives,
  so its absence says little (most of an English question's names). Every other term is: a
  number, an attribute word, a Chinese name, a name the index has somewhere. Missing one of
  those is the on-topic mismatch of a news question (Apple's *revenue* where the sentence
  gives its market value).
* ``missing_date`` – 1 when the sentence's passage and its title lack a date the question
  gives (a year, 6月, 19世纪, "12 March": :class:`qa.text.salient.Term`'s ``dated``). In
  ``missing_facts`` a year is one share among the terms, and numbers weigh little there, as
  translators compute or spell them; a year or month the question names is almost always
  written in the paragraph that answers it (CMRC 125 of 125, DRCD 143 of 152, XQuAD English 43 of 49).

* ``rest`` – share of the idf weight of the question's other words (all but its names and
  numbers) that the sentence or its neighbours hold; 1 when it has none. A sentence that names
  everyone the question names can still say nothing of what it asks (马斯克为什么离开OpenAI？
  against the sentence saying he co-founded OpenAI): those words are the verb, the role, the
  thing asked about.
* ``rest_dense`` – cosine between the sentence and the question without its names (占旭刚本科毕业于
  哪所大学？ → 本科毕业于哪所大学？): what is asked, by meaning rather than by word. A question
  whose name was swapped for another's finds that subject's sentences by the name alone
  (杨丽音是谁的将领？ against an actress's biography), and ``rest`` misses paraphrase (别称 against
  人称); the plain ``dense`` when the question has no names, or is English.

``dense`` uses the stored sentence vectors, embedded with the article title as context (see
``qa.index.writing.embedding_text``). The weights live in :mod:`qa.answering.models`.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

from qa.answering.question import QuestionInfo, coverage, named_tokens, pairs, plain
from qa.text import search_form, simplified, tokenize
from qa.text.salient import Term, present
from qa.text.questions import CHINESE_WH, answer_cue

FEATURES = ("dense", "overlap", "bigram", "context", "cue", "prior", "gap", "lcs", "length",
            "left_anchor", "right_anchor", "anchors", "first", "passage_score", "missing",
            "missing_names", "missing_facts", "missing_checkable", "missing_date", "rest", "rest_dense")
# What decides whether to answer at all: the best candidate, and how much of the question the
# candidates cover together (a question about something the articles never mention covers little).
# ``top_missing*``: the best candidate's ``missing*``; ``absent``: share of the salient terms no
# candidate mentions, and ``absent_any``: whether any is (a share dilutes one name or year swapped
# among three terms, which a question the articles answer rarely lacks everywhere); ``salient``:
# the question has any; ``typed``: the question asks for a type of answer (a number for 多少, a
# reason for 为什么…); ``top_type_missing``: it does, and the best candidate holds none
# (马斯克为什么离开OpenAI？ against a sentence that only says he co-founded it);
# ``top_missing_checkable``: the best candidate's ``missing_checkable``; ``top_missing_date``: its
# ``missing_date``; ``top_rest``: its ``rest``, and ``top_rest_none``: whether that is 0 (none of
# the question's words beside its names is there; on CMRC and DRCD 4 % and 1.5 % of answerable
# questions, 14 % and 7 % of swapped ones); ``top_rest_dense``: its ``rest_dense``.
ANSWERABILITY = ("top_score", "top_dense", "top_overlap", "top_context", "covered", "top_anchors",
                 "top_missing", "top_missing_names", "top_missing_facts", "absent", "absent_any", "salient",
                 "typed", "top_type_missing", "top_missing_checkable", "top_missing_date", "top_rest",
                 "top_rest_none", "top_rest_dense")
# Scales set by hand (not tuned) so that each feature spans 0..1; the fitted weights do the rest.
ANCHOR_CAP = 8  # characters an anchor grows from the question word; longer runs are the lcs feature's job
FULL_LENGTH_CHARS = 100  # a sentence this long or longer has length feature 1


def longest_common_run(a: str, b: str) -> int:
    """Return the length of the longest substring of ``a`` that occurs in ``b`` (0 if none).

    Binary search on the length (a run of n characters holds one of n - 1), each step a few
    C-speed ``in`` tests: ~20x cheaper than difflib's ``SequenceMatcher`` for a question against
    a sentence, with the same result (tests/test_features.py checks it against difflib). Only the
    stretches of ``a`` made of characters ``b`` has are searched: an English question's keyword
    text is mostly letters a Chinese sentence lacks.

    >>> longest_common_run("微软聘请了谁", "据报道微软聘请了苏莱曼")
    5
    """
    outside = set(a) - set(b)
    sep = min(outside, default="")  # any character b lacks: no run crosses it
    pieces = a.translate({ord(c): sep for c in outside}).split(sep) if sep else [a]
    low, high = 0, min(max(map(len, pieces), default=0), len(b))
    while low < high:
        n = (low + high + 1) // 2
        if any(p[i:i + n] in b for p in pieces for i in range(len(p) - n + 1)):
            low = n
        else:
            high = n - 1
    return low


def _anchor_pieces(question: str) -> tuple[str, str]:
    """Return the question text right before and right after its question word."""
    m = CHINESE_WH.search(question)
    if not m:
        return "", ""
    return question[:m.start()], re.sub(r"[呢吗啊呀]+$", "", question[m.end():])


def _anchor(piece: str, sentence: str, from_end: bool) -> float:
    """Share (of up to ``ANCHOR_CAP`` characters) of ``piece``, growing from the question word, in ``sentence``."""
    found = 0
    for n in range(1, min(ANCHOR_CAP, len(piece)) + 1):
        if (piece[-n:] if from_end else piece[:n]) not in sentence:
            break
        found = n
    return found / min(ANCHOR_CAP, len(piece)) if piece else 0.0


def features(info: QuestionInfo, sentences: Sequence[str], dense: np.ndarray, prior: Sequence[float],
             neighbours: Sequence[str], first: Sequence[bool], passage_score: Sequence[float],
             words: Sequence[frozenset[str]] | None = None,
             passage_missing: Sequence[tuple[float, float]] | None = None,
             rest_dense: np.ndarray | None = None) -> np.ndarray:
    """Return the feature matrix (n sentences × len(FEATURES)), columns in ``FEATURES`` order.

    ``words`` are the sentences' tokens when the caller has them already (else tokenized here);
    ``passage_missing`` each sentence's ``missing_names``, ``missing_facts`` (:func:`missing_in`
    of its passage) and ``missing_date`` (:func:`missing_date`); 0 if not given; ``rest_dense``
    each sentence's cosine to the question without its names (``dense`` if not given).
    """
    rows = []
    cue = answer_cue(info.qtype)
    top = float(np.max(dense)) if len(dense) else 0.0
    q = plain(info.text)
    left, right = _anchor_pieces(q)
    named = named_tokens(info)
    rest_dense = dense if rest_dense is None else rest_dense
    for i, sent in enumerate(sentences):
        names_gone, facts_gone, date_gone = passage_missing[i] if passage_missing is not None else (0.0, 0.0, 0.0)
        own_words = words[i] if words is not None else set(tokenize(sent))
        own = coverage(info, own_words)
        around = own_words | set(tokenize(neighbours[i]))
        ctx = coverage(info, around)
        folded = search_form(f"{sent} {neighbours[i]}") if info.terms else ""
        flat = plain(sent)
        bigram = len(info.bigrams & pairs(flat)) / len(info.bigrams) if info.bigrams else 0.0
        lcs = longest_common_run(q, flat) / len(q) if q else 0.0
        la, ra = _anchor(left, flat, True), _anchor(right, flat, False)
        has_cue = 1.0 if cue and cue.search(simplified(sent)) else 0.0  # the patterns are simplified
        rows.append((float(dense[i]), own, bigram, ctx - own, has_cue, prior[i],
                     float(dense[i]) - top, lcs, min(len(sent) / FULL_LENGTH_CHARS, 1.0), la, ra, la * ra,
                     float(first[i]), passage_score[i], missing(info.terms, around, folded),
                     names_gone, facts_gone, _missing_checkable(info, around, folded), date_gone,
                     coverage(info, around, named, 1.0), float(rest_dense[i])))
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURES))


def _missing_checkable(info: QuestionInfo, words: Collection[str], folded: str) -> float:
    """Return the share of all the question's salient terms that are checkable and that a text does not mention."""
    if not info.checkable:
        return 0.0
    return missing(info.checkable, words, folded) * len(info.checkable) / len(info.terms)


def missing(terms: Sequence[Term], words: Collection[str], folded: str = "") -> float:
    """Return the share of ``terms`` that a text with search tokens ``words`` (and search form
    ``folded``) does not mention (0 without terms)."""
    return sum(missing_in(terms, words, folded))


def missing_in(terms: Sequence[Term], words: Collection[str], folded: str = "") -> tuple[float, float]:
    """Return the shares of ``terms`` that are names / that are numbers or attributes and that a
    text with search tokens ``words`` (and search form ``folded``) does not mention."""
    if not terms:
        return 0.0, 0.0
    lacking = [t.kind == "name" for t in terms if not present(t, words, folded)]
    return sum(lacking) / len(terms), (len(lacking) - sum(lacking)) / len(terms)


def missing_date(terms: Sequence[Term], folded: str) -> float:
    """Return 1.0 when a text (its search form ``folded``) lacks one of the dates among ``terms``, else 0.0."""
    return float(any(t.dated and not present(t, (), folded) for t in terms))


def answerability_features(matrix: np.ndarray, scores: np.ndarray, coverage: float, absent: float = 0.0,
                           salient: bool = False, typed: bool = False) -> np.ndarray:
    """Return the ``ANSWERABILITY`` row for a question whose candidates are ``matrix``/``scores``;
    ``absent`` is the share of its salient terms no candidate mentions, ``salient`` whether it
    has any, ``typed`` whether it asks for a type of answer (``question_type``)."""
    top = int(np.argmax(scores))
    col = {f: i for i, f in enumerate(FEATURES)}
    row = matrix[top]
    return np.array([scores[top], row[col["dense"]], row[col["overlap"]], row[col["overlap"]] + row[col["context"]],
                     coverage, row[col["anchors"]], row[col["missing"]], row[col["missing_names"]],
                     row[col["missing_facts"]], absent, float(absent > 0), float(salient), float(typed),
                     float(typed and not row[col["cue"]]), row[col["missing_checkable"]], row[col["missing_date"]],
                     row[col["rest"]], float(row[col["rest"]] == 0), row[col["rest_dense"]]],
                    dtype=np.float32)
