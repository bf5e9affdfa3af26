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
* ``length``  – sentence length / 100, capped at 1 (very short lines rarely answer);
* ``left_anchor`` / ``right_anchor`` / ``anchors`` – how much of the question text right before
  / right after its question word the sentence holds verbatim, and their product: a question
  is often its answer sentence with the answer swapped for 什么/哪/多少 ("面积有多大" →
  "面积约为 0.3 平方公里");
* ``first``   – the sentence opens its passage;
* ``passage_score`` – the passage's retrieval score over the best passage's.

``dense`` uses the stored sentence vectors, which are embedded with the article title as
context (see ``qa.index.writing.embedding_text``). The weights are fitted by ``bench/fit_ranker.py``
on the developer sets: a softmax over each question's candidates (the ranker's job is to put
the answering sentence first), with features standardised during the fit and the scaling
folded into the shipped weights.
"""
from __future__ import annotations

import json
import math
from difflib import SequenceMatcher
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.text import search_form, tokenize

FEATURES = ("dense", "overlap", "bigram", "context", "cue", "prior", "gap", "lcs", "length",
            "left_anchor", "right_anchor", "anchors", "first", "passage_score")
# What decides whether to answer at all: the best candidate, and how much of the question the
# candidates cover together (a question about something the articles never mention covers little).
ANSWERABILITY = ("top_score", "top_dense", "top_overlap", "top_context", "covered", "top_anchors")
# Both linear models are fitted by bench/fit_ranker.py on the developer sets and stored as numbers.
_FITTED = json.loads((Path(__file__).with_name("ranker.json")).read_text(encoding="utf-8"))
WEIGHTS: dict[str, float] = _FITTED["ranker"]["weights"]
BIAS: float = _FITTED["ranker"]["bias"]
ANSWERABILITY_WEIGHTS: dict[str, float] = _FITTED["answerability"]["weights"]
ANSWERABILITY_BIAS: float = _FITTED["answerability"]["bias"]
# The answerability model leans on the similarity scale of the model it was fitted with; any
# other encoder (QA_MODEL) gets the variant fitted on the word-overlap features alone.
FITTED_FOR_MODEL: str = _FITTED["fitted_for_model"]
LEXICAL_WEIGHTS: dict[str, float] = _FITTED["answerability_lexical"]["weights"]
LEXICAL_BIAS: float = _FITTED["answerability_lexical"]["bias"]

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


_WH = re.compile(r"为什么|为何|什么|哪[一个些里儿位年天国种家所条部座]*|谁|多少|几[个位名次年岁倍月号天种]?|"
                 r"何[时地处年种]?|怎么样?|怎样|如何|多[大高长重久远]")
_ANCHOR_CAP = 8


def _plain(text: str) -> str:
    return re.sub(r"\W", "", search_form(text))


def _anchor_pieces(question: str) -> tuple[str, str]:
    """Return the question text right before and right after its question word."""
    m = _WH.search(question)
    if not m:
        return "", ""
    return question[:m.start()], re.sub(r"[呢吗啊呀]+$", "", question[m.end():])


def _anchor(piece: str, sentence: str, from_end: bool) -> float:
    """Share (of up to 8 characters) of ``piece``, growing from the question word, found in ``sentence``."""
    found = 0
    for n in range(1, min(_ANCHOR_CAP, len(piece)) + 1):
        if (piece[-n:] if from_end else piece[:n]) not in sentence:
            break
        found = n
    return found / min(_ANCHOR_CAP, len(piece)) if piece else 0.0


def features(info: QuestionInfo, sentences: Sequence[str], dense: np.ndarray, prior: Sequence[float],
             neighbours: Sequence[str], first: Sequence[bool], passage_score: Sequence[float],
             words: Sequence[set[str]] | None = None) -> np.ndarray:
    """Return the feature matrix (n sentences × len(FEATURES)), columns in ``FEATURES`` order.

    ``words`` are the sentences' tokens when the caller has them already (else tokenized here).
    """
    rows = []
    cue = next((c for name, _, c in _TYPES if name == info.qtype), None)
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
                     float(dense[i]) - top, lcs, min(len(sent) / 100, 1.0), la, ra, la * ra,
                     float(first[i]), passage_score[i]))
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


def covered(info: QuestionInfo, words: Sequence[set[str]]) -> float:
    """Return the share of the question's idf weight found in any of the token sets ``words``."""
    return _coverage(info, set().union(*words))


def answerability_features(matrix: np.ndarray, scores: np.ndarray, coverage: float) -> np.ndarray:
    """Return the ``ANSWERABILITY`` row for a question whose candidates are ``matrix``/``scores``."""
    top = int(np.argmax(scores))
    col = {f: i for i, f in enumerate(FEATURES)}
    row = matrix[top]
    return np.array([scores[top], row[col["dense"]], row[col["overlap"]], row[col["overlap"]] + row[col["context"]],
                     coverage, row[col["anchors"]]], dtype=np.float32)


def confidence(answerability: np.ndarray, model: str = FITTED_FOR_MODEL) -> float:
    """Return the estimated probability (0..1) that the indexed articles answer the question,
    with the model fitted for the encoder ``model`` (the word-overlap variant for any other)."""
    weights, bias = ((ANSWERABILITY_WEIGHTS, ANSWERABILITY_BIAS) if model == FITTED_FOR_MODEL
                     else (LEXICAL_WEIGHTS, LEXICAL_BIAS))
    w = np.array([weights.get(f, 0.0) for f in ANSWERABILITY], dtype=np.float64)
    z = float(answerability.astype(np.float64) @ w) + bias
    return float(1.0 / (1.0 + math.exp(-max(min(z, 700.0), -700.0))))
