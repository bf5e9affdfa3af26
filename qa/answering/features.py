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
* ``passage_score`` – the passage's retrieval score over the best passage's.

``dense`` uses the stored sentence vectors, embedded with the article title as context (see
``qa.index.writing.embedding_text``). The weights live in :mod:`qa.answering.models`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from qa.text import search_form, tokenize
from qa.text.questions import (
    CHINESE_QUESTION_CHARS, CHINESE_QUESTION_WORDS, CHINESE_WH, ENGLISH_FUNCTION_WORDS, answer_cue, question_type,
)

FEATURES = ("dense", "overlap", "bigram", "context", "cue", "prior", "gap", "lcs", "length",
            "left_anchor", "right_anchor", "anchors", "first", "passage_score")
# What decides whether to answer at all: the best candidate, and how much of the question the
# candidates cover together (a question about something the articles never mention covers little).
ANSWERABILITY = ("top_score", "top_dense", "top_overlap", "top_context", "covered", "top_anchors")
_NOT_CONTENT = CHINESE_QUESTION_WORDS | ENGLISH_FUNCTION_WORDS
# Scales set by hand (not tuned) so that each feature spans 0..1; the fitted weights do the rest.
ANCHOR_CAP = 8  # characters an anchor grows from the question word; longer runs are the lcs feature's job
FULL_LENGTH_CHARS = 100  # a sentence this long or longer has length feature 1


@dataclass(frozen=True)
class QuestionInfo:
    """What the ranker needs to know about a question, computed once."""

    text: str
    tokens: tuple[str, ...]
    idf: Mapping[str, float]
    bigrams: frozenset[str]
    qtype: str | None


def _plain(text: str) -> str:
    return re.sub(r"\W", "", search_form(text))


def _bigrams(text: str) -> set[str]:
    s = _plain(text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def describe(question: str, doc_freq: Mapping[str, int], n_docs: int) -> QuestionInfo:
    """Return the question's informative tokens with their idf, its bigrams and its type."""
    tokens = tuple(dict.fromkeys(t for t in tokenize(question) if t not in _NOT_CONTENT))
    idf = {t: math.log(1 + (n_docs - doc_freq.get(t, 0) + 0.5) / (doc_freq.get(t, 0) + 0.5)) for t in tokens}
    content = {b for b in _bigrams(question) if not set(b) & CHINESE_QUESTION_CHARS}
    return QuestionInfo(question, tokens, idf, frozenset(content), question_type(question))


def _longest_common_run(a: str, b: str) -> int:
    """Length of the longest substring of ``a`` that occurs in ``b``."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def _coverage(info: QuestionInfo, words: set[str]) -> float:
    total = sum(info.idf.values())
    return sum(w for t, w in info.idf.items() if t in words) / total if total else 0.0


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
             words: Sequence[frozenset[str]] | None = None) -> np.ndarray:
    """Return the feature matrix (n sentences × len(FEATURES)), columns in ``FEATURES`` order.

    ``words`` are the sentences' tokens when the caller has them already (else tokenized here).
    """
    rows = []
    cue = answer_cue(info.qtype)
    top = float(np.max(dense)) if len(dense) else 0.0
    q = _plain(info.text)
    left, right = _anchor_pieces(q)
    for i, sent in enumerate(sentences):
        own_words = words[i] if words is not None else set(tokenize(sent))
        own = _coverage(info, own_words)
        ctx = _coverage(info, own_words | set(tokenize(neighbours[i])))
        bigram = len(info.bigrams & _bigrams(sent)) / len(info.bigrams) if info.bigrams else 0.0
        plain = _plain(sent)
        lcs = _longest_common_run(q, plain) / len(q) if q else 0.0
        la, ra = _anchor(left, plain, True), _anchor(right, plain, False)
        rows.append((float(dense[i]), own, bigram, ctx - own, 1.0 if cue and cue.search(sent) else 0.0, prior[i],
                     float(dense[i]) - top, lcs, min(len(sent) / FULL_LENGTH_CHARS, 1.0), la, ra, la * ra,
                     float(first[i]), passage_score[i]))
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURES))


def covered(info: QuestionInfo, words: Sequence[frozenset[str]]) -> float:
    """Return the share of the question's idf weight found in any of the token sets ``words``."""
    return _coverage(info, set().union(*words))


def answerability_features(matrix: np.ndarray, scores: np.ndarray, coverage: float) -> np.ndarray:
    """Return the ``ANSWERABILITY`` row for a question whose candidates are ``matrix``/``scores``."""
    top = int(np.argmax(scores))
    col = {f: i for i, f in enumerate(FEATURES)}
    row = matrix[top]
    return np.array([scores[top], row[col["dense"]], row[col["overlap"]], row[col["overlap"]] + row[col["context"]],
                     coverage, row[col["anchors"]]], dtype=np.float32)
