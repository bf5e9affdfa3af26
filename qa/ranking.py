"""Score candidate answer sentences: how well does each answer the question?

Features (all roughly in 0..1), combined linearly with ``WEIGHTS``:

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
* ``length``  – sentence length / 100, capped at 1 (very short lines rarely answer).

The weights are a logistic regression fitted by ``bench/fit_ranker.py`` on the developer sets.
"""
from __future__ import annotations

import math
from difflib import SequenceMatcher
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa.text import search_form, tokenize

FEATURES = ("dense", "overlap", "bigram", "context", "cue", "prior", "gap", "lcs", "length")
# Fitted by bench/tune.py on CMRC 2018 trial + DRCD dev (logistic regression, 2026-11-23).
WEIGHTS = {"dense": 0.448, "overlap": 1.768, "bigram": 2.077, "context": 0.111, "cue": 0.134, "prior": 2.322,
           "gap": 0.797, "lcs": 0.487, "length": 0.855}
BIAS = -5.513

_QUESTION_WORDS = set("什么 哪 哪个 哪些 哪里 哪儿 谁 为什么 为何 怎么 怎样 如何 多少 几 何时 是 的 了 吗 呢 在 有 "
                      "what which who whom why how when where is are was were did does do the a an of to".split())

_TYPES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("why", re.compile(r"为什么|为何|原因|why|what for", re.I),
     re.compile(r"因为|由于|为了|旨在|以便|因此|所以|原因|目的|是为|导致|使得|because|in order to|so that", re.I)),
    ("amount", re.compile(r"多少|几[个位名次年岁倍]|多大|多高|多长|多重|how (much|many)", re.I),
     re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个位名次年岁倍元%％万亿]|百分之")),
    ("when", re.compile(r"何时|什么时候|哪一?年|哪一?天|几月|几号|何年|when|what year", re.I),
     re.compile(r"\d{3,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|年代|世纪|[春夏秋冬]天|去年|今年|本月|周[一二三四五六日]")),
    ("where", re.compile(r"哪里|哪儿|在哪|何地|何处|哪个(国家|城市|地区|省)|where", re.I),
     re.compile(r"[省市县区国州岛山河湖洲港镇村]|位于|地处")),
    ("who", re.compile(r"谁|哪位|什么人|哪个人|who", re.I),
     re.compile(r"[A-Z][a-z]+|先生|女士|教授|总裁|首席|创始人|CEO|董事|部长|主席|[·・]")),
)


@dataclass(frozen=True)
class QuestionInfo:
    """What the ranker needs to know about a question, computed once."""

    text: str
    tokens: tuple[str, ...]
    idf: Mapping[str, float]
    bigrams: frozenset[str]
    qtype: str | None


def question_type(question: str) -> str | None:
    """Return "why", "amount", "when", "where", "who" or None."""
    for name, ask, _ in _TYPES:
        if ask.search(question):
            return name
    return None


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"\W", "", search_form(text))
    return {s[i:i + 2] for i in range(len(s) - 1)}


def describe(question: str, doc_freq: Mapping[str, int], n_docs: int) -> QuestionInfo:
    """Return the question's informative tokens with their idf, its bigrams and its type."""
    tokens = tuple(dict.fromkeys(t for t in tokenize(question) if t not in _QUESTION_WORDS))
    idf = {t: math.log(1 + (n_docs - doc_freq.get(t, 0) + 0.5) / (doc_freq.get(t, 0) + 0.5)) for t in tokens}
    content = {b for b in _bigrams(question) if not (set(b) & set("什么哪谁为何多少几吗呢"))}
    return QuestionInfo(question, tokens, idf, frozenset(content), question_type(question))


def _longest_common_run(a: str, b: str) -> int:
    """Length of the longest substring of ``a`` that occurs in ``b``."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def _coverage(info: QuestionInfo, words: set[str]) -> float:
    total = sum(info.idf.values())
    return sum(w for t, w in info.idf.items() if t in words) / total if total else 0.0


def features(info: QuestionInfo, sentences: Sequence[str], dense: np.ndarray, prior: Sequence[float],
             neighbours: Sequence[str]) -> np.ndarray:
    """Return the feature matrix (n sentences × len(FEATURES))."""
    rows = []
    cue = next((c for name, _, c in _TYPES if name == info.qtype), None)
    top = float(np.max(dense)) if len(dense) else 0.0
    q = re.sub(r"\W", "", search_form(info.text))
    for i, sent in enumerate(sentences):
        words = set(tokenize(sent))
        own = _coverage(info, words)
        ctx = _coverage(info, words | set(tokenize(neighbours[i])))
        bigram = len(info.bigrams & _bigrams(sent)) / len(info.bigrams) if info.bigrams else 0.0
        lcs = _longest_common_run(q, re.sub(r"\W", "", search_form(sent))) / len(q) if q else 0.0
        rows.append((float(dense[i]), own, bigram, ctx - own, 1.0 if cue and cue.search(sent) else 0.0, prior[i],
                     float(dense[i]) - top, lcs, min(len(sent) / 100, 1.0)))
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURES))


# For a question in another language than the articles (English over Chinese), word and
# character overlap carry no signal except shared Latin-script names; order by meaning.
CROSS_LINGUAL_ORDER = {"dense": 1.0, "overlap": 0.2}


def score(matrix: np.ndarray) -> np.ndarray:
    """Return the linear score (log-odds that the sentence answers) of each feature row."""
    w = np.array([WEIGHTS[f] for f in FEATURES], dtype=np.float32)
    return matrix @ w + BIAS


def cross_lingual_order(matrix: np.ndarray) -> np.ndarray:
    """Return a ranking score for sentences when question and articles differ in language."""
    w = np.array([CROSS_LINGUAL_ORDER.get(f, 0.0) for f in FEATURES], dtype=np.float32)
    return matrix @ w


def confidence(raw: float) -> float:
    """Map a score to 0..1 (logistic)."""
    return 1.0 / (1.0 + math.exp(-raw))
