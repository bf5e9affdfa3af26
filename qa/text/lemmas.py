"""English question words → the CC-CEDICT glossary keys that gloss them: inflections, lemmas, stems.

The glossary (:mod:`qa.text.glossary`) is keyed by dictionary forms ("strip", "tape", "religion"),
while questions write "stripped", "tapes", "religious". Three tiers of senses, surest first; the
keyword side takes the first tier whose senses the articles use:

1. the word as written and its lemma (``simplemma``: made → make, busiest → busy, teeth →
   tooth, tapes → tape), both looked up, their senses merged: "found" is *found* (创立) or
   *find* (发现), and the articles' own counts choose between them later;
2. suffix rules (plural, past, -ing) and British spellings (theatre → theater, organisation →
   organization), for words the lemmatizer does not know;
3. for a single word, the keys that share its Snowball stem (computational → compute, computer;
   legislative → legislation), merged, the first ``STEM_SENSES``: derivations the dictionary
   glosses under another part of speech. Used even when the tiers before have senses the
   articles never write: on XQuAD BM25 R@1 0.695 with the stem only for words found in no
   form, 0.706 with it as a last tier.

On XQuAD's English questions (bench/static/english-retrieval.md) 2,587 content words: the old
suffix rules alone left 217 without any sense and read 12 % of the rest in a wrong form ("tapes"
as *tap*, "lines" as *lin*).

Example::

    >>> forms("tapes"), forms("funding")
    (['tapes', 'tape'], ['funding', 'fund', 'funde'])
"""
from __future__ import annotations

import functools
import json
import logging
import re
from collections import defaultdict
from collections.abc import Mapping
from importlib import metadata

from qa.text.glossary import MERGED_KEPT, cache_file, glossary_version, store_json
from qa.text.glossary import load as _glossary

log = logging.getLogger(__name__)

_SUFFIXES = (("ies", "y"), ("ied", "y"), ("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))
# Words whose lemma and stem are kept: questions repeat their words, and simplemma's guess for a
# word it does not know takes ~0.2 ms.
_WORDS_KEPT = 65_536
STEM_SENSES = 3  # senses tried from a stem's keys: each costs a chunk-count lookup per question
_MIN_BASE = 3  # letters left after a suffix is cut: "used" → "us" is not a form of it
# British spellings the dictionary writes the American way.
_AMERICAN = ((re.compile(r"(?<=[a-z]{2})tre(s?)$"), r"ter\1"), (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$"),
             r"iz\1"), (re.compile(r"(?<=[a-z]{2})our(s?)$"), r"or\1"), (re.compile(r"(?<=[a-z]{3})ence$"), "ense"))


@functools.lru_cache(maxsize=_WORDS_KEPT)
def lemma(word: str) -> str:
    """Return the dictionary form of an English ``word`` (lower case), or the word itself when the
    lemmatizer does not know it.

    >>> lemma("busiest"), lemma("teeth"), lemma("OpenAI")
    ('busy', 'tooth', 'openai')
    """
    import simplemma  # ~0.3 s to load its English data: only when an English question needs it

    return simplemma.lemmatize(word.lower(), lang="en").lower()


def forms(word: str) -> list[str]:
    """Return ``word`` (lower case), its lemma, then the base forms an inflection may hide (only
    when the lemmatizer does not know the word: it knows "lines" is *line*, not *lin*) and the
    American spellings of these, without repeats: the keys to look up, surest first."""
    word = word.lower()
    base = lemma(word)
    out = [word, base]
    if base == word:
        out += [word[: -len(suffix)] + repl for suffix, repl in _SUFFIXES
                if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_BASE]
        if word.endswith("'s"):
            out.append(word[:-2])
    out += [pattern.sub(repl, f) for f in list(out) for pattern, repl in _AMERICAN if pattern.search(f)]
    return list(dict.fromkeys(f for f in out if f))  # "'s" alone leaves nothing to look up


def sense_tiers(glossary: Mapping[str, tuple[str, ...]], head: str, word: str,
                stems: Mapping[str, tuple[str, ...]] | None = None) -> tuple[tuple[str, ...], ...]:
    """Return the Chinese words glossing ``head + word`` (``head`` the phrase's earlier words with a
    trailing space, or ""), ``word`` in each of its forms, in tiers, surest first (module
    docstring): the word as written and its lemma, merged; each other form; for a single word,
    the senses of the keys sharing its Snowball stem in ``stems`` (:func:`stem_index`), if given.
    Empty tiers are left out: ``()`` when nothing glosses it. The caller takes the first tier the
    articles use.

    >>> sense_tiers({"fund": ("资金",), "funding": ("经费",)}, "", "funding")  # unknown to the lemmatizer
    (('经费',), ('资金',))
    >>> sense_tiers({"found": ("创立",), "find": ("发现",)}, "", "found")
    (('创立', '发现'),)
    >>> sense_tiers({}, "", "legislative", {"legisl": ("立法",)})
    (('立法',),)
    """
    surest = list(dict.fromkeys([word.lower(), lemma(word)]))
    exact = tuple(dict.fromkeys(w for f in surest for w in glossary.get(head + f, ())))[:MERGED_KEPT]
    tiers = [exact, *(glossary.get(head + f, ()) for f in forms(word) if f not in surest)]
    if stems is not None and not head:
        tiers.append(stems.get(stem(word), ()))
    return tuple(dict.fromkeys(t for t in tiers if t))


@functools.lru_cache(maxsize=_WORDS_KEPT)
def stem(word: str) -> str:
    """Return the Snowball (Porter 2) stem of an English ``word``.

    >>> stem("legislative"), stem("legislation")
    ('legisl', 'legisl')
    """
    return _stemmer().stemWord(word.lower())


@functools.lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - snowballstemmer's class is generated per language
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=1)
def stem_index() -> dict[str, tuple[str, ...]]:
    """Return Snowball stem → the merged senses of the glossary's single-word keys with that stem
    (the shortest key's first, at most ``STEM_SENSES``); empty without the dictionary. Read from
    the cache folder, or built (~2 s) and stored there."""
    glossary = _glossary()
    if not glossary:
        return {}
    path = cache_file("stems", f"snowball{metadata.version('snowballstemmer')}-{STEM_SENSES}-{glossary_version()}")
    try:
        return {stem: tuple(words) for stem, words in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass  # not built on this machine yet, or damaged: build it again
    merged: defaultdict[str, list[str]] = defaultdict(list)
    for key in sorted(glossary, key=len):  # the shortest key of a stem is mostly its plainest word
        if " " not in key:
            merged[stem(key)].extend(glossary[key])
    index = {stem: tuple(dict.fromkeys(words))[:STEM_SENSES] for stem, words in merged.items()}
    store_json(path, index)
    log.info("built the glossary's stem index: %d stems", len(index))
    return index


def preload() -> None:
    """Load the lemmatizer's data and the stem index now rather than at the first English question."""
    lemma("loaded")
    stem_index()
