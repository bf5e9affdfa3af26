"""What the answer ranker knows about a question, computed once: its informative words with their
idf, its character pairs, its type and salient terms (:func:`describe`), and how much of it a
text holds (:func:`coverage`).

Example::

    >>> info = describe("微软为什么聘请苏莱曼？", {"微软": 3, "聘请": 1}, 10)   # doctest: +SKIP
    >>> coverage(info, {"微软", "聘请"}) > coverage(info, {"微软"})               # doctest: +SKIP
    True
"""
from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa.text import search_form, tokenize
from qa.text.questions import (
    CHINESE_QUESTION_CHARS, CHINESE_QUESTION_WORDS, ENGLISH_FUNCTION_WORDS, asking_phrases, question_type,
)
from qa.text.salient import Term

_NOT_CONTENT = CHINESE_QUESTION_WORDS | ENGLISH_FUNCTION_WORDS


@dataclass(frozen=True)
class QuestionInfo:
    """What the ranker needs to know about a question, computed once."""

    text: str
    tokens: tuple[str, ...]
    idf: Mapping[str, float]
    bigrams: frozenset[str]
    qtype: str | None
    terms: tuple[Term, ...] = ()  # the salient terms of the question as asked
    checkable: tuple[Term, ...] = ()  # those of them whose absence from a text is evidence
    # tokens that count as one word of the question: an English word with its Chinese senses
    # (alternatives); every other token is a word alone. Empty: every token alone.
    units: tuple[tuple[str, ...], ...] = ()
    unit_weights: tuple[float, ...] = ()  # each unit's idf: its rarest token that some chunk holds


# A Latin-letter word is one symbol to the character features (bigrams, longest common run,
# anchors), as a Chinese word is one or two characters: spelled out, "openai" alone outweighed
# "估值" three to one in the longest common run, in news where every sentence names OpenAI.
_LATIN_WORD = re.compile(r"[a-z]+")
_SYMBOLS = 6400  # the Unicode private use area U+E000..U+F8FF


def _one_symbol(match: re.Match[str]) -> str:
    return chr(0xE000 + zlib.crc32(match.group().encode()) % _SYMBOLS)


def plain(text: str) -> str:
    """Return ``text`` as the character features read it: search form, each Latin word one symbol, no punctuation."""
    return re.sub(r"\W", "", _LATIN_WORD.sub(_one_symbol, search_form(text)))


def _bigrams(text: str) -> set[str]:
    return pairs(plain(text))


def pairs(plain: str) -> set[str]:
    """Return the character pairs of a :func:`plain` text."""
    return {plain[i:i + 2] for i in range(len(plain) - 1)}


def describe(question: str, doc_freq: Mapping[str, int], n_docs: int, terms: tuple[Term, ...] = (),
             checkable: tuple[Term, ...] = (), *, nested: bool = True,
             groups: Sequence[tuple[str, Sequence[str]]] = ()) -> QuestionInfo:
    """Return the question's informative tokens with their idf, its bigrams, its type, its
    salient ``terms`` (:func:`qa.text.salient.salient_terms` of the question as asked) and the
    ``checkable`` ones among them (see ``missing_checkable``). Without ``nested``, a token holding
    another of the question's tokens is left out: an English question's keywords list a word's
    senses side by side (微软, 微软公司 for "Microsoft"), and a sentence with both would count one
    English word twice. ``groups`` (:func:`qa.text.translate.sense_groups`: an English word and
    the Chinese senses ``question`` holds of it) make each English word one unit of the word
    features, matched by any of its senses: structured query translation (Pirkola 1998)."""
    asking = asking_phrases(search_form(question))
    tokens = tuple(dict.fromkeys(t for t in tokenize(question)
                                 if t not in _NOT_CONTENT and not any(t in a for a in asking)))
    if not nested:
        tokens = _outermost(tokens)
    idf = {t: math.log(1 + (n_docs - doc_freq.get(t, 0) + 0.5) / (doc_freq.get(t, 0) + 0.5)) for t in tokens}
    content = {b for b in _bigrams(question) if not set(b) & CHINESE_QUESTION_CHARS}
    units = _units(tokens, groups) if groups else ()
    weights = tuple(max([idf[t] for t in u if doc_freq.get(t, 0)] or [idf[t] for t in u]) for u in units)
    return QuestionInfo(question, tokens, idf, frozenset(content), question_type(question), terms, checkable,
                        units, weights)


def _units(tokens: tuple[str, ...], groups: Sequence[tuple[str, Sequence[str]]]) -> tuple[tuple[str, ...], ...]:
    """Return the question's ``tokens`` in units: each group's English word and senses together
    (as far as they are among ``tokens``), every other token alone."""
    held = set(tokens)
    units = [tuple(dict.fromkeys(t for part in (words, *senses) for t in tokenize(part) if t in held))
             for words, senses in groups]
    units = [u for u in units if u]
    grouped = {t for u in units for t in u}
    return tuple(units + [(t,) for t in tokens if t not in grouped])


def _outermost(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Return the ``tokens`` that hold no other of them. Each is checked only against the tokens
    starting with one of its characters: an English question's keywords are ~70 tokens, and
    comparing every pair cost ~2 ms an answer."""
    starting: dict[str, list[str]] = {}
    for o in tokens:
        if o:
            starting.setdefault(o[0], []).append(o)
    return tuple(t for t in tokens if not any(o != t and t.startswith(o, i)
                                              for i, ch in enumerate(t) for o in starting.get(ch, ())))


def coverage(info: QuestionInfo, words: set[str], skip: frozenset[str] = frozenset(), empty: float = 0.0) -> float:
    """Return the share of the question's idf weight that ``words`` hold. A unit of several tokens
    (an English word's senses) weighs as its rarest token the articles have, and a text holding
    any of them earns the idf of the rarest it holds. Units with a token in ``skip`` are left out;
    ``empty`` is returned when no weight remains."""
    units = info.units or tuple((t,) for t in info.idf)
    weights = info.unit_weights or tuple(info.idf[t] for t in info.idf)
    kept = [(u, w) for u, w in zip(units, weights) if not skip.intersection(u)]
    total = sum(w for _, w in kept)
    earned = sum(min(weight, max((info.idf[t] for t in unit if t in words), default=0.0)) for unit, weight in kept)
    return earned / total if total else empty


def named_tokens(info: QuestionInfo) -> frozenset[str]:
    """Return the question's tokens that belong to its salient names and numbers."""
    held = {tok for t in info.terms if t.kind != "attribute" for tokens in t.tokens for tok in tokens}
    return frozenset(t for t in info.idf if t in held or any(t in f for term in info.terms
                                                              if term.kind != "attribute" for f in term.forms))


def covered(info: QuestionInfo, words: Sequence[frozenset[str]]) -> float:
    """Return the share of the question's idf weight found in any of the token sets ``words``."""
    return coverage(info, set().union(*words))
